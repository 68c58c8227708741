"""Issue 20's hostile files through the real window: a named pipe wherever a file is opened
(File → Open, the CSV import dialog, drag and drop, ``main.py FILE``) gets a clear message at
once; the import dialog reads off the UI thread; a run past 2**31 steps opens, steps, saves and
shows its count; runaway data open quietly and stop only once trained."""
import os
import pathlib
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from core import datasets
from core.config import Config
from gui.dialogs.csv_import import CsvImportDialog
from windows import TIMEOUT, latest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "core"))  # the crafted files, shared with the core tests
import hostile  # noqa: E402

from test_files import drop  # noqa: E402

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")


def fifo(folder, name):
    path = folder / name
    os.mkfifo(path)
    return path


@posix_only
def test_a_named_pipe_opened_as_an_experiment_is_refused_at_once(window, qtbot, tmp_path):
    path = fifo(tmp_path, "pipe.costscape")
    start = time.perf_counter()
    with qtbot.waitSignal(window.files.failed, timeout=TIMEOUT) as failed:
        window.files.open_experiment(path)
    assert time.perf_counter() - start < 1.0
    assert failed.args[0] == "open" and "named pipe (FIFO)" in failed.args[2]
    assert window.banner.level == "error" and "named pipe" in window.banner.text()
    window.step_action.trigger()  # the worker was never stuck on it
    qtbot.waitUntil(lambda: latest(window).step == 1, timeout=TIMEOUT)


@posix_only
def test_the_import_dialog_refuses_a_named_pipe_at_once(qtbot, tmp_path):
    path = fifo(tmp_path, "pipe.csv")
    start = time.perf_counter()
    dialog = CsvImportDialog(Config(), str(path))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.is_reading(), timeout=TIMEOUT)
    assert time.perf_counter() - start < 1.0
    assert dialog.error() == "pipe.csv: is a named pipe (FIFO), not an ordinary file: " \
                             "Costscape opens only ordinary files"
    assert not dialog.ok_button.isEnabled() and dialog.table.rowCount() == 0


@posix_only
def test_named_pipes_dropped_on_the_window_are_refused_at_once(window, qtbot, tmp_path):
    with qtbot.waitSignal(window.files.failed, timeout=TIMEOUT) as failed:
        assert drop(window, fifo(tmp_path, "pipe.costscape"))
    assert "named pipe" in failed.args[2]
    seen = {}

    def read_and_close():
        dialog = window.files.import_dialog
        if dialog is None or not dialog.isVisible() or dialog.is_reading():
            QTimer.singleShot(20, read_and_close)
            return
        seen["error"] = dialog.error()
        dialog.reject()

    QTimer.singleShot(0, read_and_close)
    assert drop(window, fifo(tmp_path, "pipe.csv"))
    qtbot.waitUntil(lambda: "error" in seen, timeout=TIMEOUT)
    assert "named pipe" in seen["error"]


def test_the_import_dialog_reads_a_big_file_off_the_ui_thread(qtbot, tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    values = np.column_stack([rng.normal(size=(100_000, 2)), rng.integers(0, 2, 100_000)])
    path = tmp_path / "big.csv"
    np.savetxt(path, values, delimiter=",", fmt="%.5f", header="x1,x2,y", comments="")
    # Which thread reads: the property itself, rather than the UI thread's timing (which a
    # busy 2-core machine can stall for reasons of its own).
    readers = []
    for name in ("load_csv", "preview_csv"):
        original = getattr(datasets, name)

        def spy(*args, _original=original, **kwargs):
            readers.append(threading.get_ident())
            return _original(*args, **kwargs)

        monkeypatch.setattr(datasets, name, spy)
    start = time.perf_counter()
    dialog = CsvImportDialog(Config(), str(path))
    qtbot.addWidget(dialog)
    assert time.perf_counter() - start < 0.5 and dialog.is_reading()
    assert "Reading big.csv" in dialog.summary.text() and not dialog.ok_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.is_reading(), timeout=TIMEOUT)
    assert dialog.error() is None and len(dialog.data().X) == 100_000
    assert dialog.ok_button.isEnabled() and dialog.table.rowCount() == 10
    assert readers and threading.get_ident() not in readers


@posix_only
@pytest.mark.parametrize("name", ["pipe.costscape", "pipe.json"])
def test_main_with_a_named_pipe_says_so_and_starts_with_the_defaults(tmp_path, name):
    path = fifo(tmp_path, name)
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), str(path), "--screenshot",
                           str(tmp_path / "shot.png"), "--steps", "2"], capture_output=True,
                          text=True, timeout=240, cwd=ROOT, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert f"Could not load {path}: it is a named pipe (FIFO), not an ordinary file" in \
        done.stderr
    assert "default settings" in done.stderr and "step 2" in done.stdout


def test_a_run_past_2_31_steps_opens_steps_saves_and_shows_its_count(window, qtbot,
                                                                     tmp_path):
    path = hostile.past_int32(tmp_path / "long.costscape", step=2**31 + 5)
    with qtbot.waitSignal(window.files.opened, timeout=TIMEOUT):
        window.files.open_experiment(path)
    qtbot.waitUntil(lambda: window.status_labels["step"].text() == "step 2,147,483,653",
                    timeout=TIMEOUT)
    window.step_action.trigger()
    qtbot.waitUntil(lambda: window.status_labels["step"].text() == "step 2,147,483,654",
                    timeout=TIMEOUT)
    label = window.status_labels["step"]
    assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())
    with qtbot.waitSignal(window.files.saved, timeout=TIMEOUT):
        window.files.save_experiment(path)
    assert "at step 2,147,483,654" in window.statusBar().currentMessage()
    assert not window.isWindowModified()
    history = latest(window).history
    assert history["step"][-1] == 2**31 + 6 and np.isfinite(history["epoch"]).all()


def test_runaway_data_open_quietly_and_stop_only_when_played(window, qtbot, tmp_path):
    path = hostile.runaway(tmp_path / "runaway.costscape")
    with qtbot.waitSignal(window.files.opened, timeout=TIMEOUT):
        window.files.open_experiment(path)
    qtbot.waitUntil(lambda: latest(window).config.loss == "me", timeout=TIMEOUT)
    snap = latest(window)
    assert snap.step == 3 and not snap.running and window.banner.level != "error"
    assert np.isfinite(snap.grid.values).all() and np.isfinite(snap.metrics["train_cost"])
    with qtbot.waitSignal(window.controller.diverged, timeout=TIMEOUT):
        window.play_action.trigger()
    assert window.banner.level == "error" and "unbounded below" in window.banner.text()
