"""Saved experiments: a reopened run continues exactly, saving is atomic, and the history
exports as CSV. (Bad files: test_experiment_bad_files.py.)"""
import os
import sys
import zipfile

import numpy as np
import pytest

from core import datasets, experiment
from core.config import Config, ConfigError
from core.experiment import ExperimentError
from core.trainer import HISTORY_FIELDS, Trainer
from experiment_files import ADAM, TINY, contents, trained


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


# --------------------------------------------------------------------------- exact resume

def test_round_trip_mid_epoch_with_adam_continues_exactly(tmp_path):
    trainer = trained(ADAM, 137)
    assert 137 % trainer.steps_per_epoch != 0  # really mid-epoch: order and position matter
    assert trainer.optimizer.state_dict()["t"] == 137
    _resume_and_compare(trainer, tmp_path / "run.costscape")


def test_resume_test_is_sensitive_copying_weights_alone_is_not_enough(tmp_path):
    # Guards the test above: a "resume" that drops optimizer state or shuffling differs.
    trainer = trained(ADAM, 137)
    weights_only = Trainer(ADAM)
    weights_only.network.params[:] = trainer.network.params
    trainer.step(100)
    weights_only.step(100)
    assert not np.array_equal(trainer.network.params, weights_only.network.params)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop",
                                       "adam"])
def test_every_optimizer_resumes_exactly(tmp_path, optimizer):
    config = ADAM.replace(optimizer=optimizer)
    _resume_and_compare(trained(config, 53), tmp_path / "run.costscape")


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
    _resume_and_compare(trained(config, 41), tmp_path / "run.costscape")


def test_decimated_logs_keep_their_capacity_and_stride(tmp_path):
    trainer = trained(ADAM, 137, history_capacity=8, path_capacity=4)
    assert trainer.history.stride > 1 and trainer.path.stride > 1
    loaded = _resume_and_compare(trainer, tmp_path / "run.costscape", steps=300)
    assert loaded.history.stride == trainer.history.stride > 16


def test_live_changes_before_saving_are_kept(tmp_path):
    trainer = trained(ADAM, 30)
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
    trainer = trained(config, 25)
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
    trainer = trained(ADAM, 12)
    experiment.save(path, trainer)
    assert zipfile.is_zipfile(path)
    header, arrays = contents(path)
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
    trainer = trained(ADAM, 5)
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
    trainer = trained(Config(dataset="sine", n_samples=40, hidden_layers=(3,), batch_size=4),
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
        experiment.history_to_csv(trained(ADAM, 3), path)
    assert path.read_text() == "previous export\n"
    assert os.listdir(tmp_path) == ["cost.csv"]
