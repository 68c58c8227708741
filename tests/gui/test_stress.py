"""Faults: diverging runs end to end, and hundreds of rapid random actions on the real window.

Divergence: the run pauses at the very step the core detects (compared with a plain
``Trainer`` on the same settings), the last finite weights are shown, the banner says what
happened and what to try, and no NaN or infinity reaches any view (every curve, scatter and
image of every dock, and the error surface).

Stress: a seeded random sequence of several hundred actions (play/pause, step, reset, speed,
architecture, activation, loss, learning rate, data set, presets, save and open), as fast as the
event loop takes them, then close. No crash and no exception in a slot (pytest-qt fails the
test on those), no Qt warning about a thread destroyed while running, and never more than one
training worker and thread alive (the thread counted in the operating system's list of this
process's threads).
"""
import os
import random
import re
import threading

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from core import presets
from core.config import Config
from core.trainer import DivergenceError, Trainer
from gui.threads import MAX_SPEED, TrainingWorker
from windows import close_window, latest, open_window

TIMEOUT = 30_000  # ms; generous for a loaded 2-core machine
ACTIONS = 300
SEED = int(os.environ.get("COSTSCAPE_STRESS_SEED", "20240607"))




def alive(tids) -> int:
    """How many of the OS threads ``tids`` of this process still exist (Linux: /proc).

    Counted by id, not by name: a thread started from the training thread (OpenBLAS starts its
    pool from the first thread that multiplies big enough matrices) inherits its name.
    """
    return len({str(t) for t in tids} & set(os.listdir("/proc/self/task")))


def core_divergence(config):
    """(the core's DivergenceError, its step count and params after it) training ``config``."""
    trainer = Trainer(config)
    try:
        trainer.step(100_000)
    except DivergenceError as err:
        return err, trainer.step_count, trainer.network.params.copy()
    raise AssertionError(f"{config} did not diverge")


def plotted_arrays(window):
    """(what, array) for every curve, scatter and image in every view's pyqtgraph scenes."""
    for dock in window.views:
        for view in dock.widget().findChildren(pg.GraphicsView):
            for item in view.scene().items():
                name = f"{dock.windowTitle()}: {type(item).__name__}"
                if isinstance(item, (pg.PlotCurveItem, pg.PlotDataItem)):
                    x, y = item.getData()
                    if x is not None:
                        yield name, np.asarray(x, dtype=float)
                        yield name, np.asarray(y, dtype=float)
                elif isinstance(item, pg.ScatterPlotItem):
                    yield name, item.data["x"].astype(float)
                    yield name, item.data["y"].astype(float)
                elif isinstance(item, pg.ImageItem) and item.image is not None:
                    yield name, np.asarray(item.image, dtype=float)


def assert_finite_plots(window):
    """Everything the views hold now is finite: every pyqtgraph curve, scatter and image in
    every dock, and the error surface (heights, path) whether drawn in 3-D or as contours."""
    arrays = list(plotted_arrays(window))
    assert len(arrays) > 10
    for name, array in arrays:
        assert np.isfinite(array).all(), name
    surface = window.surface_view
    if surface.result is not None:
        result = surface.result
        assert np.isfinite(result.heights).all()
        assert np.isfinite([result.lo, result.hi]).all()
    if surface.path_xy is not None:
        assert np.isfinite(surface.path_xy).all() and np.isfinite(surface.path_heights).all()


# ----------------------------------------------------------------------------- divergence
DIVERGING = {
    # The weights overflow: the failing step is undone.
    "learning rate too large (preset)": (
        presets.get("Learning rate too large: diverges").config, "learning rate", "restored"),
    # The cost falls without end: the run stops at the step that took it past the floor.
    "unbounded mean error, ReLU": (
        Config(dataset="sine", loss="me", activation="relu", hidden_layers=(8,)),
        "bounded below", "keeps falling"),
    "unbounded mean error, tanh": (
        Config(dataset="sine", loss="me", activation="tanh", hidden_layers=(8,)),
        "bounded below", "keeps falling"),
}


@pytest.mark.parametrize("name", DIVERGING)
def test_divergence_pauses_at_the_first_bad_step_and_leaves_no_nan(window, qtbot, name):
    config, hint, what = DIVERGING[name]
    error, stop_step, restored = core_divergence(config)
    window.apply_config(config, reset=True)
    window.set_speed(MAX_SPEED)
    qtbot.waitUntil(lambda: latest(window).config == config and latest(window).step == 0,
                    timeout=TIMEOUT)
    with qtbot.waitSignal(window.controller.diverged, timeout=TIMEOUT) as diverged:
        window.play_action.trigger()
    message = diverged.args[0]
    assert message == str(error) and what in message and hint in message
    qtbot.waitUntil(lambda: not latest(window).running, timeout=TIMEOUT)
    snap = latest(window)
    # Paused within one step, with exactly the core's weights: for an overflow those of the
    # last good step (the failing step is undone), for a runaway cost those it stopped at.
    assert snap.step == stop_step and stop_step in (error.step - 1, error.step)
    np.testing.assert_array_equal(snap.params, restored)
    assert np.isfinite(snap.params).all()
    assert not window.controller.running and window.play_action.text() == "Play"
    banner = window.banner.text()
    assert window.banner.level == "error"
    assert "diverged" in banner.lower() and what in banner and hint in banner
    # Let the views draw the final frame (the surface is computed off the UI thread).
    qtbot.waitUntil(lambda: window.surface_view.is_settled(), timeout=TIMEOUT)
    qtbot.wait(50)
    assert_finite_plots(window)
    assert np.isfinite(snap.history["train_cost"]).all()
    # Reset starts afresh and clears the message.
    window.reset_action.trigger()
    assert window.banner.level is None
    qtbot.waitUntil(lambda: latest(window).step == 0 and latest(window).run > snap.run,
                    timeout=TIMEOUT)


def test_a_bounded_output_does_not_diverge_and_stays_finite(window, qtbot):
    """Learning rate 10 with MSE on a sigmoid output: big steps, but the output (and so the
    gradient) is bounded, so nothing blows up; every plot stays finite."""
    config = Config(dataset="circle", loss="mse", output_activation="sigmoid",
                    learning_rate=10.0)
    window.apply_config(config, reset=True)
    window.set_speed(MAX_SPEED)
    qtbot.waitUntil(lambda: latest(window).config == config, timeout=TIMEOUT)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: latest(window).step > 3000, timeout=TIMEOUT)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: not latest(window).running, timeout=TIMEOUT)
    assert window.banner.level != "error"
    assert np.isfinite(latest(window).params).all()
    qtbot.waitUntil(lambda: window.surface_view.is_settled(), timeout=TIMEOUT)
    assert_finite_plots(window)


# ----------------------------------------------------------------------------- stress
def _choose(combo, rng):
    enabled = [i for i in range(combo.count())
               if combo.model().item(i) is None or combo.model().item(i).isEnabled()]
    combo.setCurrentIndex(rng.choice(enabled))


def _actions(window, rng, tmp_path):
    """name -> zero-argument function doing what a user's click or key would."""
    files = window.files
    saved = str(tmp_path / "stress.costscape")

    def architecture():
        panel = window.network_panel
        choice = rng.random()
        if choice < 0.35 and panel.add_button.isEnabled():
            panel.add_button.click()
        elif choice < 0.7 and panel.remove_button.isEnabled():
            panel.remove_button.click()
        elif panel._spins:
            rng.choice(panel._spins).setValue(rng.randint(1, 12))

    def preset():
        window.preset_actions[rng.randrange(len(window.preset_actions))].trigger()

    def learning_rate():
        slider = window.optimizer_panel.lr_slider
        slider.setValue(rng.randint(slider.minimum(), slider.maximum()))

    def speed():
        window.speed_slider.setValue(rng.randint(0, window.speed_slider.maximum()))

    def data_set():
        _choose(window.data_panel.dataset, rng)

    def open_saved():
        if os.path.exists(saved):
            files.open_experiment(saved)
        if files.question is not None:  # the run changed since it was saved: any answer
            answer = rng.choice((QMessageBox.Save, QMessageBox.Discard, QMessageBox.Cancel))
            files.question.button(answer).click()

    return {
        "play/pause": (8, window.play_action.trigger),
        "step": (8, window.step_action.trigger),
        "reset": (5, window.reset_action.trigger),
        "speed": (3, speed),
        "architecture": (5, architecture),
        "activation": (3, lambda: _choose(window.activation_panel.activation, rng)),
        "loss": (4, lambda: _choose(window.loss_panel.loss, rng)),
        "optimizer": (2, lambda: _choose(window.optimizer_panel.optimizer, rng)),
        "learning rate": (3, learning_rate),
        "data set": (2, data_set),
        "preset": (3, preset),
        "save": (1, lambda: files.save_experiment(saved)),
        "open": (1, open_saved),
    }


def worker_thread_id(qtbot, controller) -> int:
    """The OS thread id the training worker runs in (asked in that thread)."""
    box = []
    QTimer.singleShot(0, controller._worker, lambda: box.append(threading.get_native_id()))
    qtbot.waitUntil(lambda: bool(box), timeout=TIMEOUT)
    return box[0]


def test_hundreds_of_random_actions_then_close(qtbot, settings, tmp_path, qtlog,
                                                monkeypatch):
    # Count the training workers made. (Not by scanning gc.get_objects(): that hands out
    # references to objects another thread is still building, e.g. a tuple mid-resize.)
    created = []
    original_init = TrainingWorker.__init__

    def counting_init(self, *args, **kwargs):
        created.append(1)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(TrainingWorker, "__init__", counting_init)
    window = open_window(qtbot, settings)
    training_tids = {worker_thread_id(qtbot, window.controller)}
    assert threading.get_native_id() not in training_tids
    rng = random.Random(SEED)
    actions = _actions(window, rng, tmp_path)
    names = list(actions)
    weights = [actions[n][0] for n in names]
    done = {n: 0 for n in names}
    most_threads = 0
    for i in range(ACTIONS):
        name = rng.choices(names, weights)[0]
        actions[name][1]()
        done[name] += 1
        # Requests arrive in bursts (no event processing in between), one at a time, and now
        # and then while the worker is mid-chunk and the views are drawing.
        chance = rng.random()
        if chance < 0.1:
            qtbot.wait(rng.randint(1, 20))
        elif chance < 0.5:
            QApplication.processEvents()
        if i % 25 == 0:
            most_threads = max(most_threads, alive(training_tids))
            assert window.controller.is_alive()
    # Still the same worker in the same thread, and still answering: a known experiment starts
    # afresh and takes one step.
    assert worker_thread_id(qtbot, window.controller) in training_tids
    window.controller.pause()
    window.apply_preset(presets.PRESETS[1])
    config = presets.PRESETS[1].config
    qtbot.waitUntil(lambda: not window.controller.running and latest(window).config == config
                    and latest(window).step == 0, timeout=TIMEOUT)
    window.step_action.trigger()
    qtbot.waitUntil(lambda: latest(window).step == 1, timeout=TIMEOUT)
    thread = window.controller._thread
    close_window(window)
    assert not thread.isRunning()
    # The operating system's thread ends a moment after Qt reports it finished.
    qtbot.waitUntil(lambda: alive(training_tids) == 0, timeout=TIMEOUT)
    assert most_threads == 1 and len(created) == 1
    assert all(done[n] for n in ("play/pause", "step", "reset", "architecture", "loss")), done
    bad = [r.message for r in qtlog.records
           if re.search(r"Destroyed while thread|QThread|QObject::killTimer|QBasicTimer",
                        r.message)]
    assert not bad, bad
