"""Saved experiments: every bad file gives one clear ExperimentError (never another
exception, never an unpickled object), damaged by hand or by fuzzing."""
import os
import pickle
import zipfile

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import experiment, files
from core.config import Config
from core.experiment import ExperimentError
from core.trainer import Trainer
from experiment_files import ADAM, TINY, contents, trained, write

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- bad files

@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.costscape"
    experiment.save(path, trained(ADAM, 20))
    return path


def _rewritten(good, change):
    header, arrays = contents(good)
    change(header, arrays)
    path = good.with_name("changed.costscape")
    write(path, header, arrays)
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
    _, arrays = contents(good)
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
    header, arrays = contents(good)
    arrays["params"] = np.array([_Trap(), 1.0], dtype=object)
    write(good, header, arrays)
    _Trap.sprung = False
    assert "Python objects, which Costscape never saves" in _load_error(good)
    assert not _Trap.sprung


def test_object_header_is_refused_without_unpickling(good):
    _, arrays = contents(good)
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
    experiment.save(path, trained(TINY, 7, history_capacity=4, path_capacity=2))
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
    header, arrays = contents(source)
    with np.errstate(all="ignore"):  # casting NaN to int, overflowing weights: expected here
        _damage(data, header, arrays)
        path = fuzz_dir / "structural.costscape"
        write(path, header, arrays)
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
