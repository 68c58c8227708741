"""Saved experiments: a reopened run continues exactly, saving is atomic, and every bad file
gives one clear ExperimentError (never another exception, never an unpickled object)."""
import json
import os
import pickle
import sys
import zipfile

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import datasets, experiment, files
from core.config import Config, ConfigError
from core.experiment import ExperimentError
from core.trainer import HISTORY_FIELDS, Trainer

ADAM = Config(dataset="spiral", n_samples=200, hidden_layers=(5, 3), optimizer="adam",
              learning_rate=0.01, batch_size=7, seed=3)
TINY = Config(dataset="xor_table", hidden_layers=(2,), optimizer="momentum", batch_size=3)
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def _trained(config=ADAM, steps=137, **kwargs):
    trainer = Trainer(config, **kwargs)
    trainer.step(steps)
    return trainer


def _assert_same_run(a, b):
    assert (a.step_count, a.epoch) == (b.step_count, b.epoch)
    np.testing.assert_array_equal(a.network.params, b.network.params)
    assert a.metrics() == b.metrics()
    history_a, history_b = a.history_arrays(), b.history_arrays()
    for key in HISTORY_FIELDS:
        np.testing.assert_array_equal(history_a[key], history_b[key])  # NaN equals NaN here
    np.testing.assert_array_equal(a.path_points(), b.path_points())


def _resume_and_compare(trainer, path, steps=100):
    """Save, reopen, then step both: the reopened run must be the same run."""
    experiment.save(path, trainer)
    loaded = experiment.load(path)
    assert loaded is not trainer and loaded.config == trainer.config
    _assert_same_run(trainer, loaded)
    trainer.step(steps)
    loaded.step(steps)
    _assert_same_run(trainer, loaded)
    return loaded


def _contents(path):
    """The file's header dict and arrays, read independently of core.experiment."""
    with np.load(path, allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    return json.loads(arrays.pop("header").tobytes().decode("utf-8")), arrays


def _write(path, header, arrays):
    blob = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    with open(path, "wb") as f:
        np.savez(f, header=blob, **arrays)


# --------------------------------------------------------------------------- exact resume

def test_round_trip_mid_epoch_with_adam_continues_exactly(tmp_path):
    trainer = _trained(ADAM, 137)
    assert 137 % trainer.steps_per_epoch != 0  # really mid-epoch: order and position matter
    assert trainer.optimizer.state_dict()["t"] == 137
    _resume_and_compare(trainer, tmp_path / "run.costscape")


def test_resume_test_is_sensitive_copying_weights_alone_is_not_enough(tmp_path):
    # Guards the test above: a "resume" that drops optimizer state or shuffling differs.
    trainer = _trained(ADAM, 137)
    weights_only = Trainer(ADAM)
    weights_only.network.params[:] = trainer.network.params
    trainer.step(100)
    weights_only.step(100)
    assert not np.array_equal(trainer.network.params, weights_only.network.params)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop",
                                       "adam"])
def test_every_optimizer_resumes_exactly(tmp_path, optimizer):
    config = ADAM.replace(optimizer=optimizer)
    _resume_and_compare(_trained(config, 53), tmp_path / "run.costscape")


@pytest.mark.parametrize("config", [
    ADAM.replace(activation="prelu"),
    ADAM.replace(activation="maxout"),
    Config(dataset="spiral3", n_samples=150, hidden_layers=(6,), activation="maxout",
           optimizer="rmsprop", batch_size=8),
    Config(dataset="blobs", n_samples=90, hidden_layers=(4,), loss="sparse_cce",
           optimizer="adam", batch_size=5),
    Config(dataset="sine", n_samples=60, hidden_layers=(8,), activation="prelu", loss="huber",
           optimizer="nesterov", regularization="l2", reg_rate=0.001, batch_size=4),
], ids=["prelu", "maxout", "multiclass-maxout", "sparse-cce", "regression-prelu"])
def test_other_networks_and_tasks_resume_exactly(tmp_path, config):
    _resume_and_compare(_trained(config, 41), tmp_path / "run.costscape")


def test_decimated_logs_keep_their_capacity_and_stride(tmp_path):
    trainer = _trained(ADAM, 137, history_capacity=8, path_capacity=4)
    assert trainer.history.stride > 1 and trainer.path.stride > 1
    loaded = _resume_and_compare(trainer, tmp_path / "run.costscape", steps=300)
    assert loaded.history.stride == trainer.history.stride > 16


def test_live_changes_before_saving_are_kept(tmp_path):
    trainer = _trained(ADAM, 30)
    trainer.apply_config(trainer.config.replace(optimizer="momentum", learning_rate=0.05,
                                                batch_size=11))
    trainer.step(17)
    loaded = _resume_and_compare(trainer, tmp_path / "run.costscape")
    assert loaded.config.optimizer == "momentum" and loaded.optimizer.learning_rate == 0.05


def test_csv_data_are_stored_so_the_csv_file_is_not_needed(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) * 3 + 2  # labels {2, 5}: mapped to {0, 1}
    csv_path = tmp_path / "points.csv"
    csv_path.write_text("a,b,c,label\n" + "\n".join(
        f"{r[0]},{r[1]},{r[2]},{label}" for r, label in zip(X, y)) + "\n")
    task = datasets.load_csv(csv_path).task
    config = Config(dataset="csv", data_path=str(csv_path), task=task, hidden_layers=(4,),
                    optimizer="adam", batch_size=4, train_fraction=0.6)
    trainer = _trained(config, 25)
    path = tmp_path / "csv.costscape"
    experiment.save(path, trainer)
    csv_path.unlink()
    loaded = experiment.load(path)
    assert loaded.data.name == "points" and loaded.data.task == "binary"
    for field in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(loaded.data, field), getattr(trainer.data, field))
    assert loaded.data.domain == trainer.data.domain
    trainer.step(60)
    loaded.step(60)
    _assert_same_run(trainer, loaded)


def test_hand_made_data_are_stored_not_regenerated(tmp_path):
    X = np.array([[0.1, 0.2], [0.5, -0.3], [-0.4, 0.9], [0.8, 0.8], [-0.7, -0.1]])
    y = np.array([[0.0], [1.0], [0.0], [1.0], [1.0]])
    drawn = datasets.Dataset("drawn", "binary", X[:3], y[:3], X[3:], y[3:], 2,
                             ((-1.0, 1.0), (-1.0, 1.0)))
    trainer = Trainer(Config(dataset="circle", hidden_layers=(3,), batch_size=2), data=drawn)
    trainer.step(9)
    loaded = _resume_and_compare(trainer, tmp_path / "drawn.costscape")
    np.testing.assert_array_equal(loaded.data.X_train, X[:3])
    assert loaded.data.name == "drawn" and loaded.data.domain == ((-1.0, 1.0), (-1.0, 1.0))


def test_file_is_a_documented_npz_readable_without_pickles(tmp_path):
    path = tmp_path / "run.costscape"
    trainer = _trained(ADAM, 12)
    experiment.save(path, trainer)
    assert zipfile.is_zipfile(path)
    header, arrays = _contents(path)
    assert header["format"] == "costscape-experiment" and header["version"] == 1
    assert header["config"] == trainer.config.to_dict()
    assert header["data"] == {"name": "spiral", "task": "binary", "n_classes": 2}
    assert header["state"]["step_count"] == 12 and header["state"]["optimizer_t"] == 12
    assert sorted(header["state"]["optimizer_arrays"]) == ["m", "v"]
    assert set(arrays) == {"params", "order", "history", "path", "X_train", "y_train", "X_test",
                           "y_test", "domain", "optimizer.m", "optimizer.v"}
    assert arrays["history"].shape == (13, len(HISTORY_FIELDS))
    assert arrays["order"].dtype == np.int64
    assert all(a.dtype != object for a in arrays.values())


def test_a_fresh_trainer_with_no_optimizer_state_round_trips(tmp_path):
    _resume_and_compare(Trainer(ADAM), tmp_path / "fresh.costscape")


def test_settings_and_data_of_different_tasks_never_make_a_trainer_to_save():
    # So no file pairing them can be written; load() still refuses a crafted one (below).
    regression = datasets.make("plane", n_samples=20)
    with pytest.raises(ConfigError, match="regression task but the config is for a binary"):
        Trainer(Config(dataset="circle", hidden_layers=(2,), loss="mse"), data=regression)


# --------------------------------------------------------------------------- atomic writes

@pytest.fixture
def saved(tmp_path):
    """A file saved at step 5 of a run that has since moved on to step 15."""
    path = tmp_path / "run.costscape"
    trainer = _trained(ADAM, 5)
    experiment.save(path, trainer)
    trainer.step(10)
    return path, trainer


def _assert_previous_file_intact(path):
    assert os.listdir(path.parent) == [path.name]  # no temporary file left behind
    assert experiment.load(path).step_count == 5


def test_failure_while_writing_keeps_the_previous_file(saved, monkeypatch):
    path, trainer = saved

    def half_then_crash(f, **arrays):
        f.write(b"PK\x03\x04 half of a zip")
        raise RuntimeError("simulated crash mid-write")

    monkeypatch.setattr(np, "savez", half_then_crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        experiment.save(path, trainer)
    monkeypatch.undo()
    _assert_previous_file_intact(path)


def test_interrupt_while_writing_leaves_no_temporary_file(saved, monkeypatch):
    path, trainer = saved

    def interrupted(f, **arrays):
        f.write(b"PK")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        experiment.save(path, trainer)
    monkeypatch.undo()
    _assert_previous_file_intact(path)


def test_failing_rename_is_an_experiment_error_and_keeps_the_previous_file(saved, monkeypatch):
    path, trainer = saved

    def no_space(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(ExperimentError) as info:
        experiment.save(path, trainer)
    monkeypatch.undo()
    assert str(info.value).startswith(f"Cannot save {path}: No space left on device")
    assert "unchanged" in str(info.value)
    _assert_previous_file_intact(path)


def test_data_are_fsynced_in_the_same_folder_before_the_rename(tmp_path, monkeypatch):
    calls, real_fsync, real_replace = [], os.fsync, os.replace

    def fsync(fd):
        calls.append(("fsync", os.path.realpath(f"/proc/self/fd/{fd}")
                      if sys.platform.startswith("linux") else fd))
        real_fsync(fd)

    def replace(src, dst):
        calls.append(("replace", os.fspath(src), os.fspath(dst)))
        assert os.path.getsize(src) > 0
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    path = tmp_path / "run.costscape"
    experiment.save(path, Trainer(TINY))
    kinds = [c[0] for c in calls]
    replace_call = calls[kinds.index("replace")]
    assert "fsync" in kinds[:kinds.index("replace")]
    assert replace_call[2] == os.fspath(path)
    assert os.path.dirname(replace_call[1]) == os.fspath(tmp_path)
    if sys.platform.startswith("linux"):
        assert calls[0] == ("fsync", replace_call[1])  # the temporary file's data, first


def test_saving_into_a_missing_folder_is_an_experiment_error(tmp_path):
    with pytest.raises(ExperimentError, match="Cannot save .*no-such-folder"):
        experiment.save(tmp_path / "no-such-folder" / "run.costscape", Trainer(TINY))


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_new_file_gets_the_usual_permissions_and_a_replaced_one_keeps_its_own(tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    path = tmp_path / "run.costscape"
    experiment.save(path, Trainer(TINY))
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask
    os.chmod(path, 0o600)
    experiment.save(path, Trainer(TINY))
    assert os.stat(path).st_mode & 0o777 == 0o600


# --------------------------------------------------------------------------- history CSV

def test_history_csv_has_a_header_and_one_row_per_record(tmp_path):
    trainer = _trained(Config(dataset="sine", n_samples=40, hidden_layers=(3,), batch_size=4),
                       23)
    path = tmp_path / "cost.csv"
    experiment.history_to_csv(trainer, path)
    lines = path.read_text().splitlines()
    assert lines[0].split(",") == list(HISTORY_FIELDS)
    assert len(lines) == 1 + len(trainer.history) == 1 + 24
    rows = [line.split(",") for line in lines[1:]]
    assert [int(r[0]) for r in rows] == list(range(24))
    history = trainer.history_arrays()
    np.testing.assert_array_equal([float(r[2]) for r in rows], history["train_cost"])
    accuracy = [HISTORY_FIELDS.index(f"{part}_accuracy") for part in ("train", "test")]
    # regression has no accuracy: empty cells, not "nan"
    assert [rows[5][i] for i in accuracy] == ["", ""]
    assert os.listdir(tmp_path) == ["cost.csv"]


def test_history_csv_writes_atomically(tmp_path, monkeypatch):
    path = tmp_path / "cost.csv"
    path.write_text("previous export\n")
    monkeypatch.setattr(os, "replace", lambda src, dst: (_ for _ in ()).throw(
        PermissionError(13, "Permission denied")))
    with pytest.raises(ExperimentError, match="Cannot save .*cost.csv: Permission denied"):
        experiment.history_to_csv(_trained(ADAM, 3), path)
    assert path.read_text() == "previous export\n"
    assert os.listdir(tmp_path) == ["cost.csv"]


# --------------------------------------------------------------------------- bad files

@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.costscape"
    experiment.save(path, _trained(ADAM, 20))
    return path


def _rewritten(good, change):
    header, arrays = _contents(good)
    change(header, arrays)
    path = good.with_name("changed.costscape")
    _write(path, header, arrays)
    return path


def _load_error(path) -> str:
    with pytest.raises(ExperimentError) as info:
        experiment.load(path)
    message = str(info.value)
    assert message.startswith(f"Cannot open {path}: ")
    assert info.value.path == path and info.value.reason in message
    return message


def _other_network_params(header, arrays):
    arrays["params"] = Trainer(ADAM.replace(hidden_layers=(7,))).network.params


def _drop_params(header, arrays):
    del arrays["params"]


def _set(section, key, value):
    def change(header, arrays):
        (header[section] if section else header)[key] = value
    return change


def _set_array(name, make):
    def change(header, arrays):
        arrays[name] = make(arrays[name])
    return change


def _nan_weight(params):
    params = params.copy()
    params[3] = np.nan
    return params


def _label_out_of_range(y):
    y = y.copy()
    y[0, 0] = 2.0
    return y


REWRITES = {
    "foreign format": (_set(None, "format", "someone-elses-format"), "not a Costscape experiment"),
    "missing array": (_drop_params, "incomplete: it has no 'params' array"),
    "params wrong shape": (_set_array("params", lambda p: p[:-1].reshape(1, -1)),
                           "the weights have shape"),
    "params float32": (_set_array("params", lambda p: p.astype(np.float32)), "float32"),
    "params of another network": (_other_network_params, "do not fit the saved network"),
    "too few params": (_set_array("params", lambda p: p[:5]), "need at least 23 values"),
    "NaN weight": (_set_array("params", _nan_weight), "NaN or infinite"),
    "huge weights": (_set_array("params", lambda p: p * 1e300), "larger than training"),
    "invalid setting": (lambda h, a: h["config"].update(learning_rate=-1.0),
                        "settings are not valid: learning_rate"),
    "unknown setting": (lambda h, a: h["config"].update(colour="blue"),
                        "settings are not valid: unknown setting 'colour'"),
    "settings of another task": (
        lambda h, a: h.update(config=Config(dataset="blobs").to_dict()), "multiclass task"),
    "optimizer state wrong length": (_set_array("optimizer.m", lambda m: m[:-2]),
                                     "optimizer's 'm' values have shape"),
    "optimizer array missing": (lambda h, a: a.pop("optimizer.v"), "no 'optimizer.v' array"),
    "order not a permutation": (_set_array("order", lambda o: np.zeros_like(o)),
                                "not a permutation"),
    "order of floats": (_set_array("order", lambda o: o.astype(float)), "shuffling order"),
    "labels out of range": (_set_array("y_train", _label_out_of_range),
                            "class labels"),
    "history too wide": (_set_array("history", lambda h: np.hstack([h, h])),
                         "the history rows have shape"),
    "negative step": (_set("state", "step_count", -4), "step_count is -4"),
    "generator state": (_set("state", "rng", {"bit_generator": "MT19937"}),
                        "shuffling generator"),
    "odd capacity": (_set("state", "history_capacity", 2001), "capacity"),
    "version zero": (_set(None, "version", 0), "unknown format version 0"),
    "version as text": (_set(None, "version", "1"), "unknown format version '1'"),
    "no config section": (lambda h, a: h.pop("config"), "no 'config' section"),
    "bad data domain": (_set_array("domain", lambda d: d[:, ::-1]), "plotting domain"),
}


@pytest.mark.parametrize("change,expected", REWRITES.values(), ids=REWRITES.keys())
def test_each_damaged_content_gives_a_clear_error(good, change, expected):
    assert expected in _load_error(_rewritten(good, change))


def test_newer_format_asks_to_update_costscape(good):
    message = _load_error(_rewritten(good, _set(None, "version", 3)))
    assert message.endswith("this file was written by a newer Costscape (format 3); this "
                            "version reads format 1. Please update Costscape to open it.")


def test_newer_format_is_reported_even_when_everything_else_changed(good):
    def future(header, arrays):
        header.update(version=2, config="moved elsewhere")
        arrays.clear()

    assert "newer Costscape (format 2)" in _load_error(_rewritten(good, future))


def _savez(target, /, **arrays):
    with open(target, "wb") as f:  # a file object: np.savez would add ".npz" to a path
        np.savez(f, **arrays)


def _save_npy(target):
    with open(target, "wb") as f:  # a file object: np.save would add ".npy" to a path
        np.save(f, np.ones(3))


def _zip_with_text(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")


BAD_FILES = {
    "missing": (lambda p: None, "the file does not exist"),
    "folder": (lambda p: p.mkdir(), "it is a folder"),
    "empty": (lambda p: p.write_bytes(b""), "the file is empty"),
    "text": (lambda p: p.write_text("step,cost\n1,0.5\n"), "not a Costscape experiment"),
    "foreign zip": (_zip_with_text, "not a Costscape experiment"),
    "foreign npz": (lambda p: _savez(p, weights=np.ones(3)), "not a Costscape experiment"),
    "bare npy": (_save_npy, "not a Costscape experiment"),
    "pickle": (lambda p: p.write_bytes(pickle.dumps({"params": [1, 2]})),
               "not a Costscape experiment"),
    "empty zip": (lambda p: zipfile.ZipFile(p, "w").close(), "not a Costscape experiment"),
}


@pytest.mark.parametrize("make,expected", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_each_kind_of_bad_file_gives_a_clear_error(tmp_path, make, expected):
    path = tmp_path / "bad.costscape"
    make(path)
    assert expected in _load_error(path)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.999])
def test_truncated_file(good, keep):
    raw = good.read_bytes()
    good.write_bytes(raw[:int(len(raw) * keep)])
    assert "damaged or incomplete; it may have been cut off" in _load_error(good)


def test_flipped_byte_in_the_weights_is_caught_by_the_checksum(good):
    raw = bytearray(good.read_bytes())
    raw[raw.index(b"params.npy") + 200] ^= 0x10
    good.write_bytes(bytes(raw))
    assert "damaged or incomplete" in _load_error(good)


def test_header_that_is_not_json(good):
    _, arrays = _contents(good)
    _savez(good, header=np.frombuffer(b"{not json", dtype=np.uint8), **arrays)
    assert "not valid JSON" in _load_error(good)


class _Trap:
    """Unpickling this sets a flag: proof that a file's objects were (wrongly) unpickled."""

    sprung = False

    def __reduce__(self):
        return (_spring, ())


def _spring():
    _Trap.sprung = True
    return "sprung"


def test_object_arrays_are_refused_without_unpickling(good):
    header, arrays = _contents(good)
    arrays["params"] = np.array([_Trap(), 1.0], dtype=object)
    _write(good, header, arrays)
    _Trap.sprung = False
    assert "Python objects, which Costscape never saves" in _load_error(good)
    assert not _Trap.sprung


def test_object_header_is_refused_without_unpickling(good):
    _, arrays = _contents(good)
    _savez(good, header=np.array([_Trap()], dtype=object), **arrays)
    _Trap.sprung = False
    assert "Python objects, which Costscape never saves" in _load_error(good)
    assert not _Trap.sprung


def test_permission_denied(good, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files, "open_regular", denied)  # how core.files opens every file
    assert "you do not have permission to read it" in _load_error(good)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs POSIX permissions that apply (not root)")
def test_permission_denied_for_real(good):
    good.chmod(0)
    try:
        assert "permission" in _load_error(good)
    finally:
        good.chmod(0o644)


def test_a_path_that_is_not_a_path(tmp_path):
    with pytest.raises(ExperimentError, match="must be text or a path"):
        experiment.load(42)


# --------------------------------------------------------------------------- fuzzing

@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def small_file(fuzz_dir):
    """A real saved experiment, small so that random byte changes often hit structure."""
    path = fuzz_dir / "small.costscape"
    experiment.save(path, _trained(TINY, 7, history_capacity=4, path_capacity=2))
    return path.read_bytes()


def _loads_or_experiment_error(path):
    try:
        trainer = experiment.load(path)
    except ExperimentError as err:
        assert str(err).startswith(f"Cannot open {path}: ")
        return None
    assert isinstance(trainer, Trainer)
    return trainer


@FUZZ
@given(st.one_of(st.binary(max_size=600),
                 st.binary(max_size=600).map(lambda b: b"PK\x03\x04" + b),
                 st.binary(max_size=600).map(lambda b: b"\x93NUMPY\x01\x00" + b)))
def test_arbitrary_bytes_load_or_raise_experiment_error(fuzz_dir, raw):
    path = fuzz_dir / "arbitrary.costscape"
    path.write_bytes(raw)
    assert _loads_or_experiment_error(path) is None


@st.composite
def _mutations(draw, size):
    """(cut, flips): where to cut the file (None: keep it whole) and bytes to xor."""
    cut = draw(st.one_of(st.none(), st.integers(0, size - 1)))
    # Positions near the end hit the zip directory and the last arrays' .npy headers.
    position = st.one_of(st.integers(0, size - 1), st.integers(max(0, size - 400), size - 1))
    flips = draw(st.lists(st.tuples(position, st.integers(1, 255)), max_size=4))
    return cut, flips


@FUZZ
@given(data=st.data())
def test_mutated_real_file_loads_or_raises_experiment_error(fuzz_dir, small_file, data):
    cut, flips = data.draw(_mutations(len(small_file)))
    raw = bytearray(small_file)
    for position, mask in flips:
        raw[position] ^= mask
    path = fuzz_dir / "mutated.costscape"
    path.write_bytes(bytes(raw[:cut]))
    trainer = _loads_or_experiment_error(path)
    if cut is None and not flips:
        assert trainer is not None


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**130, 2**130) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=6)
_DELETE = object()


def _header_paths(header, prefix=()):
    for key, value in header.items():
        yield prefix + (key,)
        if isinstance(value, dict):
            yield from _header_paths(value, prefix + (key,))


def _tweaked_array(draw, array):
    """The original array with one value changed, sliced, cast or replaced."""
    kind = draw(st.sampled_from(["value", "slice", "cast", "new"]))
    if kind == "value" and array.size:
        array = array.copy()
        index = draw(st.integers(0, array.size - 1))
        if array.dtype.kind == "f":
            value = draw(st.floats())
        elif array.dtype.kind == "b":
            value = draw(st.booleans())
        else:
            info = np.iinfo(array.dtype)
            value = draw(st.integers(max(int(info.min), -3), min(int(info.max), 300)))
        array.reshape(-1)[index] = value
        return array
    if kind == "slice" and array.ndim:
        return array[:draw(st.integers(0, len(array)))]
    if kind == "cast":
        return array.astype(draw(st.sampled_from([np.float32, np.int64, np.uint8, bool,
                                                  np.float64])))
    return draw(hnp.arrays(
        dtype=st.one_of(hnp.floating_dtypes(), hnp.integer_dtypes(), hnp.boolean_dtypes(),
                        hnp.unsigned_integer_dtypes()),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6)))


@FUZZ
@given(data=st.data())
def test_structurally_damaged_file_loads_or_raises_experiment_error(fuzz_dir, small_file, data):
    # Byte flips mostly trip the zip checksum; these rewrite a valid file with changed contents
    # so that every check behind the checksum is reached too.
    source = fuzz_dir / "source.costscape"
    source.write_bytes(small_file)
    header, arrays = _contents(source)
    with np.errstate(all="ignore"):  # casting NaN to int, overflowing weights: expected here
        _damage(data, header, arrays)
        path = fuzz_dir / "structural.costscape"
        _write(path, header, arrays)
        _loads_or_experiment_error(path)


def _damage(data, header, arrays):
    """Change 1 to 3 header values or arrays, in place."""
    for _ in range(data.draw(st.integers(1, 3))):
        if data.draw(st.booleans()):
            *parents, key = data.draw(st.sampled_from(sorted(_header_paths(header))))
            section = header
            for parent in parents:
                section = section[parent]
            value = data.draw(st.one_of(_JSON, st.just(_DELETE)))
            if value is _DELETE:
                section.pop(key, None)
            else:
                section[key] = value
        else:
            name = data.draw(st.sampled_from(sorted(arrays)))
            if data.draw(st.integers(0, 9)) == 0:
                del arrays[name]
            else:
                arrays[name] = _tweaked_array(data.draw, arrays[name])


def test_a_file_with_the_nine_column_history_of_version_1_still_opens(tmp_path):
    import io
    import zipfile

    trainer = Trainer(Config(dataset="xor_table", hidden_layers=(4,), activation="sigmoid",
                             loss="mse", learning_rate=1.0, batch_size=4))
    trainer.step(30)
    new, old = tmp_path / "new.costscape", tmp_path / "v1.costscape"
    experiment.save(new, trainer)
    with zipfile.ZipFile(new) as src, zipfile.ZipFile(old, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "history.npy":
                buffer = io.BytesIO()
                np.save(buffer, np.load(io.BytesIO(data))[:, :9])
                data = buffer.getvalue()
            dst.writestr(info, data)
    loaded = experiment.load(old)
    history = loaded.history_arrays()
    np.testing.assert_array_equal(history["train_cost"], trainer.history_arrays()["train_cost"])
    assert np.isnan(history["learning_rate"]).all() and loaded.step_count == 30
