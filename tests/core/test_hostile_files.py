"""Issue 20's hostile files: each gives its documented outcome within a time and memory bound.

Every load is measured in a fresh Python process (``hostile.measure``): the seconds the call
took and how far the process's peak memory rose. The files are the ones the issue found:
compression bombs, a log capacity of a million, a named pipe, runaway data, counts past
2**31, and a CSV file of 12 million rows (generated here, in the test's folder).
"""
import os
import signal
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

import hostile
from core import datasets, experiment, files
from core.config import Config
from core.experiment import ExperimentError
from core.history import PATH_BUDGET
from core.trainer import DivergenceError, Trainer

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return hostile.saved(tmp_path_factory.mktemp("hostile") / "source.costscape")


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_DEFLATED],
                         ids=["bzip2", "deflate"])
def test_compression_bombs_are_refused_unread(tmp_path, source, method):
    # Nine members of 64 MB each, from a file of well under 1 MB: the old reader inflated all
    # of them (650 MB, 10 s) before it found anything wrong.
    path = hostile.bomb(tmp_path / "bomb.costscape", method, source)
    assert path.stat().st_size < MB
    result = hostile.measure(f"experiment.load({str(path)!r})")
    assert result["outcome"] == "ExperimentError"
    assert "is compressed" in result["message"] and "refused unread" in result["message"]
    assert result["seconds"] < 1 and result["grew_mb"] < 10, result


def test_a_zip_directory_of_many_members_is_refused_before_it_is_read(tmp_path):
    member = ("x.npy", 0, 0, 0, b"")
    path = hostile.raw_zip(tmp_path / "many.costscape", [member] * 65_000)
    result = hostile.measure(f"experiment.load({str(path)!r})")
    assert result["outcome"] == "ExperimentError" and "members" in result["message"]
    assert result["seconds"] < 1 and result["grew_mb"] < 10, result


def test_arrays_larger_than_the_largest_experiment_are_refused_before_reading(tmp_path, source):
    # A member may claim no more than the file holds; a file whose arrays claim more than
    # MAX_LOAD_BYTES in all is refused from the zip directory, before any is read.
    header, _ = hostile.contents(source)
    blob = np.frombuffer(__import__("json").dumps(header).encode(), dtype=np.uint8)
    big = np.zeros(experiment.MAX_LOAD_BYTES // 8 // 2 + 1)
    path = tmp_path / "large.costscape"
    with open(path, "wb") as f:
        np.savez(f, header=blob, X_train=big, X_test=big)
    result = hostile.measure(f"experiment.load({str(path)!r})")
    assert result["outcome"] == "ExperimentError" and "too large to open" in result["message"]
    assert result["seconds"] < 2 and result["grew_mb"] < 10, result


@pytest.mark.parametrize("log", ["path", "history"])
def test_a_log_capacity_of_a_million_is_refused(tmp_path, source, log):
    # The old reader opened it, and training then grew by ~110 MB a second.
    path = hostile.rewritten(source, tmp_path / "capacity.costscape",
                             lambda h, a: h["state"].update({f"{log}_capacity": 1_000_000}))
    result = hostile.measure(f"experiment.load({str(path)!r})")
    assert result["outcome"] == "ExperimentError"
    assert f"{log}_capacity is 1000000, expected a whole number from 2 to 20000" in \
        result["message"]
    assert result["seconds"] < 1 and result["grew_mb"] < 10, result


def test_the_largest_capacities_a_file_may_have_keep_training_memory_bounded(tmp_path):
    # 4,417 weights and capacities of 20,000: the path keeps 948 rows (PATH_BUDGET), 33 MB,
    # where 20,000 rows would be 700 MB.
    config = Config(dataset="xor", hidden_layers=(64, 64), learning_rate=0.01)
    path = hostile.saved(tmp_path / "largest.costscape", config, steps=1,
                         history_capacity=experiment.MAX_HISTORY_CAPACITY,
                         path_capacity=experiment.MAX_PATH_CAPACITY)
    result = hostile.measure(f"experiment.load({str(path)!r}).step(3000)", timeout=300)
    assert result["outcome"] == "loaded", result
    budget_mb = PATH_BUDGET * 8 / 2**20
    assert result["grew_mb"] < budget_mb + 30, result


@posix_only
@pytest.mark.parametrize("call", [
    "experiment.load({path!r})", "datasets.load_csv({path!r})", "datasets.preview_csv({path!r})"])
def test_a_named_pipe_is_refused_at_once(tmp_path, call):
    # Nobody ever writes to it: reading it would wait for ever (the old readers did).
    path = tmp_path / "pipe.costscape"
    os.mkfifo(path)
    result = hostile.measure(call.format(path=str(path)), timeout=30)
    assert result["outcome"] in ("ExperimentError", "DataError"), result
    assert "named pipe (FIFO)" in result["message"]
    assert result["seconds"] < 0.5, result


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_refused_at_once():
    for call in ("experiment.load('/dev/zero')", "datasets.load_csv('/dev/zero')"):
        result = hostile.measure(call, timeout=30)
        assert "is a device" in result["message"] and result["seconds"] < 0.5, result


def test_runaway_data_open_without_error_and_stop_only_when_trained(tmp_path):
    # Loss "me" on data scaled by 1e9: the old reader raised DivergenceError while building.
    path = hostile.runaway(tmp_path / "runaway.costscape")
    result = hostile.measure(f"experiment.load({str(path)!r})")
    assert result["outcome"] == "loaded" and result["seconds"] < 1, result
    trainer = experiment.load(path)
    assert trainer.step_count == 3
    with pytest.raises(DivergenceError, match="unbounded below"):
        trainer.step(1)


def test_a_fresh_trainer_is_not_checked_for_runaway_before_its_first_step():
    config = Config(dataset="plane", hidden_layers=(), loss="me", seed=0, features=("x1^2",))
    data = datasets.make("plane", seed=0)
    huge = datasets.Dataset(data.name, data.task, data.X_train * 1e9, data.y_train * 1e9,
                            data.X_test * 1e9, data.y_test * 1e9, 1,
                            tuple((a * 1e9, b * 1e9) for a, b in data.domain))
    trainer = Trainer(config, data=huge)  # shown as it starts; raised DivergenceError before
    assert trainer.metrics()["train_cost"] < -1e17
    with pytest.raises(DivergenceError):
        trainer.step(1)


def test_counts_past_2_31_open_train_and_save(tmp_path):
    path = hostile.past_int32(tmp_path / "long.costscape")
    result = hostile.measure(f"experiment.load({str(path)!r}).step(3)")
    assert result["outcome"] == "loaded" and result["seconds"] < 1, result
    trainer = experiment.load(path)
    assert trainer.step_count == 2**31 + 5
    trainer.step(4)
    assert trainer.step_count == 2**31 + 9 and trainer.metrics()["step"] == 2**31 + 9
    experiment.save(path, trainer)
    again = experiment.load(path)
    assert again.step_count == 2**31 + 9
    np.testing.assert_array_equal(again.history_arrays()["step"],
                                  trainer.history_arrays()["step"])


@pytest.mark.parametrize("step,ok", [(2**62, True), (2**62 + 1, False), (2**63, False),
                                     (-1, False)])
def test_step_counts_are_range_checked(tmp_path, source, step, ok):
    path = hostile.rewritten(source, tmp_path / "count.costscape",
                             lambda h, a: h["state"].update(step_count=step))
    if ok:
        assert experiment.load(path).step_count == step
    else:
        with pytest.raises(ExperimentError, match="step_count is"):
            experiment.load(path)


@pytest.mark.parametrize("column,value", [("train_cost", np.inf), ("epoch", np.nan),
                                          ("step", np.nan), ("test_accuracy", -np.inf)])
def test_a_history_with_infinities_or_gaps_never_reaches_the_plots(tmp_path, source, column,
                                                                     value):
    from core.trainer import HISTORY_FIELDS

    def damage(header, arrays):
        arrays["history"][-1, HISTORY_FIELDS.index(column)] = value

    path = hostile.rewritten(source, tmp_path / "history.costscape", damage)
    with pytest.raises(ExperimentError, match="cost history"):
        experiment.load(path)


def test_a_12_million_row_csv_is_refused_within_a_second(tmp_path):
    # 49.6 MB, under the 50 MB cap: the old reader took 50 s and 4.8 GB to load it all.
    path = hostile.many_rows_csv(tmp_path / "huge.csv")
    result = hostile.measure(f"datasets.load_csv({str(path)!r})")
    assert result["outcome"] == "DataError", result
    assert "more than 100,000 data rows" in result["message"] and "sample" in result["message"]
    assert result["seconds"] < 1 and result["grew_mb"] < 30, result


def test_an_error_in_row_2_of_a_huge_csv_is_reported_at_once(tmp_path):
    path = hostile.many_rows_csv(tmp_path / "huge.csv", bad_row=2)
    result = hostile.measure(f"datasets.load_csv({str(path)!r})")
    assert result["outcome"] == "DataError", result
    assert "row 2, column 2: 'x' is not a number" in result["message"]
    assert result["seconds"] < 0.5 and result["grew_mb"] < 10, result


def test_the_largest_csv_of_rows_loads_in_a_small_multiple_of_its_size(tmp_path):
    rng = np.random.default_rng(0)
    values = np.column_stack([rng.normal(size=(100_000, 2)), rng.integers(0, 2, 100_000)])
    path = tmp_path / "rows.csv"
    np.savetxt(path, values, delimiter=",", fmt="%.6f", header="x1,x2,y", comments="")
    size_mb = path.stat().st_size / 2**20
    result = hostile.measure(f"datasets.load_csv({str(path)!r})")
    assert result["outcome"] == "loaded", result
    assert result["seconds"] < 5 and result["grew_mb"] < 4 * size_mb + 10, (size_mb, result)


def test_a_row_without_end_is_refused_while_it_is_read(tmp_path):
    path = tmp_path / "one-row.csv"
    path.write_bytes(b"0," * 20_000_000)  # 40 MB, one row of 20 million cells
    result = hostile.measure(f"datasets.load_csv({str(path)!r})")
    assert result["outcome"] == "DataError" and "longer than 1,000,000 characters" in \
        result["message"], result
    assert result["seconds"] < 1 and result["grew_mb"] < 30, result


# --------------------------------------------------------------------------- killed saves

_KILLED_SAVE = r"""
import sys, time
sys.path.insert(0, {root!r})
from core import files

def write(f):
    f.write(b"half of an experiment" * 1000)
    f.flush()
    print("writing", flush=True)
    time.sleep(60)

files.atomic_write({path!r}, write)
"""


def _killed_save(path):
    child = subprocess.Popen([sys.executable, "-c", _KILLED_SAVE.format(
        root=str(hostile.ROOT), path=str(path))], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "writing"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)


def _temps(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_temporary_files_of_killed_saves_go_at_the_next_save(tmp_path):
    path = tmp_path / "run.costscape"
    seen = set()
    for _ in range(3):
        _killed_save(path)
        # Each save removed the one the save before it left; its own is left in turn.
        (left,) = _temps(tmp_path)
        assert files.TEMP_PATTERN.match(left) and left not in seen
        seen.add(left)
    other = tmp_path / "notes.txt.tmp"  # not ours: never touched
    other.write_text("keep me")
    experiment.save(tmp_path / "another.costscape", Trainer(hostile.TINY))
    assert _temps(tmp_path) == ["notes.txt.tmp"]
    assert experiment.load(tmp_path / "another.costscape").step_count == 0


@pytest.mark.skipif(os.name != "posix", reason="file locks")
def test_a_save_in_progress_keeps_its_temporary_file(tmp_path):
    temp, fd = files._create_temp(str(tmp_path), "run.costscape")  # locked, as a save holds it
    try:
        os.write(fd, b"data")
        assert files.remove_stale_temps(tmp_path) == 0 and os.path.exists(temp)
        fresh = tmp_path / ".new.costscape.costscape-0123abcd.tmp"
        fresh.write_bytes(b"")  # a save that has only just created its file
        assert files.remove_stale_temps(tmp_path) == 0 and fresh.exists()
        old = time.time() - 2 * files.FRESH_TEMP_SECONDS
        os.utime(fresh, (old, old))
        assert files.remove_stale_temps(tmp_path) == 1 and not fresh.exists()
    finally:
        os.close(fd)
    assert files.remove_stale_temps(tmp_path) == 1 and not os.path.exists(temp)


MB = 2**20
