"""The real main window under Xvfb: it trains, answers its controls and keys, applies presets,
shows divergence without NaNs, remembers its layout, and closes cleanly while training."""
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractSlider, QAbstractSpinBox, QApplication, QDockWidget,
                               QLineEdit, QWidget)

from core import presets
from core.config import Config
from gui.app import load_config
from gui.config_model import describe_change
from gui.window.run_controls import SPEEDS, TEXT_FIELDS
from gui.threads import MAX_SPEED
from windows import TIMEOUT, latest, open_window

ROOT = pathlib.Path(__file__).resolve().parents[2]


pytestmark = pytest.mark.sends_keys  # (the window fixture activates the window)


def choose(combo, data):
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def test_window_has_panels_plots_menus_and_tooltips(window, qtbot):
    docks = {d.windowTitle() for d in window.findChildren(QDockWidget) if d.isVisible()}
    assert {"Controls", "Decision boundary", "Cost"} <= docks
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "Run", "Presets", "View", "Help"]
    assert len(window.preset_actions) == len(presets.PRESETS)
    for widget in (window.speed_slider, window.presets_button, window.cost_plot.log_box):
        assert widget.toolTip()
    for action in (window.play_action, window.step_action, window.reset_action):
        assert len(action.toolTip()) > 40
    assert "θ" in window.play_action.toolTip()
    assert window.width() >= 1000 and window.height() >= 700
    qtbot.waitUntil(lambda: window.status_labels["step"].text() == "step 0", timeout=TIMEOUT)
    assert window.summary_label.text().startswith("2 → 4 → 4 → 1  ·  Tanh → Sigmoid")


def test_play_trains_until_the_cost_drops(window, qtbot):
    start = latest(window).metrics["train_cost"]
    window.set_speed(100)
    qtbot.keyClick(window, Qt.Key_Space)
    qtbot.waitUntil(lambda: window.controller.running, timeout=TIMEOUT)
    assert window.play_action.text() == "Pause"
    qtbot.waitUntil(lambda: latest(window).metrics["train_cost"] < 0.85 * start, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.frames_shown > 3, timeout=TIMEOUT)
    # The status bar and the cost curve follow the snapshots.
    assert window.status_labels["speed"].text().endswith("steps/s")
    x, y = window.cost_plot.canvas.train_curve.getData()
    assert len(x) > 2 and np.isfinite(y).all()
    qtbot.keyClick(window, Qt.Key_Space)
    qtbot.waitUntil(lambda: not window.controller.running, timeout=TIMEOUT)
    assert window.play_action.text() == "Play"


def test_switching_activation_and_loss_rebuilds_and_says_so(window, qtbot):
    window.set_speed(MAX_SPEED)
    window.controller.play()
    qtbot.waitUntil(lambda: latest(window).step > 50, timeout=TIMEOUT)
    choose(window.activation_panel.activation, "relu")
    qtbot.waitUntil(lambda: latest(window).config.activation == "relu", timeout=TIMEOUT)
    assert "re-initialized" in window.statusBar().currentMessage()
    assert window.controller.running  # it keeps training with the new network
    choose(window.loss_panel.loss, "mse")
    qtbot.waitUntil(lambda: latest(window).config.loss == "mse", timeout=TIMEOUT)
    assert latest(window).config.output_activation == "sigmoid"
    assert window.config.loss == "mse"


def test_learning_rate_applies_live(window, qtbot):
    window.step_action.trigger()
    window.controller.step(40)
    qtbot.waitUntil(lambda: latest(window).step == 41, timeout=TIMEOUT)
    window.optimizer_panel.lr_spin.setValue(0.3)
    qtbot.waitUntil(lambda: latest(window).config.learning_rate == pytest.approx(0.3),
                    timeout=TIMEOUT)
    assert latest(window).step == 41
    assert "applied live" in window.statusBar().currentMessage()


def test_a_batch_as_big_as_the_data_is_called_full_batch(window, qtbot):
    n_train = len(latest(window).data.X_train)
    window.optimizer_panel.batch_size.setValue(n_train + 5)
    qtbot.waitUntil(lambda: latest(window).config.batch_size == n_train + 5, timeout=TIMEOUT)
    assert f"whole training set here ({n_train} examples)" in \
        window.statusBar().currentMessage()


def test_step_and_reset_keys(window, qtbot):
    qtbot.keyClick(window, Qt.Key_Right)
    qtbot.waitUntil(lambda: latest(window).step == 1, timeout=TIMEOUT)
    qtbot.keyClick(window, Qt.Key_Right, Qt.ControlModifier)
    qtbot.waitUntil(lambda: latest(window).step == 2, timeout=TIMEOUT)
    run = latest(window).run
    qtbot.keyClick(window, Qt.Key_R, Qt.ControlModifier)
    qtbot.waitUntil(lambda: latest(window).run == run + 1, timeout=TIMEOUT)
    assert latest(window).step == 0


def test_xor_preset_sets_panels_network_and_explains(window, qtbot):
    preset = presets.get("XOR truth table (2-4-1 sigmoid, MSE, SGD)")
    window.preset_actions[presets.PRESETS.index(preset)].trigger()
    qtbot.waitUntil(lambda: latest(window).layer_sizes == (2, 4, 1)
                    and latest(window).config == preset.config, timeout=TIMEOUT)
    assert window.config == preset.config
    assert window.data_panel.values()["dataset"] == "xor_table"
    assert window.loss_panel.values()["loss"] == "mse"
    assert window.banner.isVisible() and "truth table" in window.banner.text()
    window.set_speed(MAX_SPEED)
    window.controller.play()
    qtbot.waitUntil(lambda: latest(window).metrics["train_accuracy"] == 1.0, timeout=TIMEOUT)


def test_multiclass_data_switch_the_loss_and_the_view(window, qtbot):
    choose(window.data_panel.dataset, "spiral3")
    qtbot.waitUntil(lambda: latest(window).data.name == "spiral3", timeout=TIMEOUT)
    assert window.config.loss == "cce" and window.config.output_activation == "softmax"
    qtbot.waitUntil(lambda: window.boundary_plot._mode == "multiclass", timeout=TIMEOUT)
    assert window.boundary_plot.canvas.rgb_image.isVisible()
    assert window.loss_panel.values()["loss"] == "cce"


def test_regression_data_show_a_curve_or_a_heatmap(window, qtbot):
    choose(window.data_panel.dataset, "sine")
    qtbot.waitUntil(lambda: window.boundary_plot._mode == "curve", timeout=TIMEOUT)
    x, y = window.boundary_plot.canvas.fit_curve.getData()
    assert len(x) > 100 and np.isfinite(y).all()
    assert not window.cost_plot.canvas.accuracy_widget.isVisible()
    assert window.boundary_dock.windowTitle() == "Fitted function"
    choose(window.data_panel.dataset, "plane")
    qtbot.waitUntil(lambda: window.boundary_plot._mode == "regression2d", timeout=TIMEOUT)
    assert window.config.loss == "mse"


def test_divergence_pauses_shows_the_message_and_no_nan(window, qtbot):
    window.apply_preset(presets.get("Learning rate too large: diverges"))
    window.set_speed(MAX_SPEED)
    qtbot.waitUntil(lambda: latest(window).config.learning_rate == 3.0, timeout=TIMEOUT)
    with qtbot.waitSignal(window.controller.diverged, timeout=TIMEOUT):
        window.play_action.trigger()
    qtbot.waitUntil(lambda: window.banner.level == "error", timeout=TIMEOUT)
    assert "diverged" in window.banner.text().lower()
    assert "learning rate" in window.banner.text()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not latest(window).running, timeout=TIMEOUT)
    for curve in (window.cost_plot.canvas.train_curve, window.cost_plot.canvas.test_curve):
        x, y = curve.getData()
        assert np.isfinite(x).all() and np.isfinite(y).all()
    assert np.isfinite(window.boundary_plot.canvas.scalar_image.image).all()
    # Reset clears the error and starts afresh.
    window.reset_action.trigger()
    assert window.banner.level is None


def test_log_scale_and_test_points_toggles(window, qtbot):
    window.cost_plot.log_box.setChecked(True)
    assert window.cost_plot.canvas.cost_item.ctrl.logYCheck.isChecked()
    assert window.log_scale_action.isChecked()
    window.data_panel.show_test.setChecked(False)
    assert not window.boundary_plot.canvas.test_points.isVisible()
    window.data_panel.show_test.setChecked(True)
    assert window.boundary_plot.canvas.test_points.isVisible()


def test_invalid_setting_keeps_the_old_config(window, qtbot):
    old = window.config
    window.controller.step(3)
    qtbot.waitUntil(lambda: latest(window).step == 3, timeout=TIMEOUT)
    window.network_panel.values = lambda: {"hidden_layers": (4,) * 9, "init": "xavier"}
    window.network_panel.changed.emit()
    assert window.config == old
    assert window.banner.level == "warning" and "hidden" in window.banner.text()


def test_close_while_training_stops_the_worker(qtbot, settings, qtlog):
    window = open_window(qtbot, settings, activate=True)
    window.set_speed(MAX_SPEED)
    window.controller.play()
    qtbot.waitUntil(lambda: latest(window).step > 100, timeout=TIMEOUT)
    thread = window.controller._thread
    window.close()
    assert not thread.isRunning()
    bad = [r.message for r in qtlog.records if "QThread" in r.message or "Timer" in r.message]
    assert not bad


def test_layout_is_remembered(qtbot, settings):
    first = open_window(qtbot, settings, activate=True)
    first.cost_dock.setVisible(False)
    first.resize(1300, 800)
    first.close()
    second = open_window(qtbot, settings, activate=True)
    try:
        assert not second.cost_dock.isVisible()
        assert second.width() == 1300
        second.reset_layout()
        assert second.cost_dock.isVisible()
    finally:
        second.close()


def test_describe_change_says_what_resets():
    base = Config()
    text, reset = describe_change(base, base.replace(learning_rate=0.1))
    assert not reset and "learning rate 0.03 → 0.1" in text.lower()
    text, reset = describe_change(base, base.replace(hidden_layers=(8,)))
    assert reset and "re-initialized" in text
    text, reset = describe_change(base, base.replace(dataset="circle"))
    assert reset and "New data" in text
    text, reset = describe_change(base, base.replace(features=("x1", "x2", "x1*x2")))
    assert reset and "input features" in text


def test_load_config_reads_json_and_explains_bad_files(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(Config(dataset="moons", hidden_layers=(6,)).to_json())
    config, problem = load_config(good)
    assert problem is None and config.dataset == "moons"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    config, problem = load_config(bad)
    assert config == Config() and "bad.json" in problem and "default" in problem
    config, problem = load_config(tmp_path / "absent.json")
    assert config == Config() and "absent.json" in problem


def test_screenshot_mode_saves_the_window_and_exits_0(tmp_path):
    shot = tmp_path / "shot.png"
    bad = tmp_path / "bad.json"
    bad.write_text('{"dataset": "nope"}')
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "--screenshot", str(shot),
                           "--steps", "40", "--config", str(bad)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Could not load" in proc.stderr and "nope" in proc.stderr
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert "step 40" in proc.stdout


def test_speed_choices_include_max():
    assert SPEEDS[-1] == MAX_SPEED and sorted(SPEEDS[:-1]) == list(SPEEDS[:-1])


def test_a_new_view_is_a_few_lines(qtbot, settings):
    from PySide6.QtWidgets import QLabel

    class StepView(QLabel):
        stopped = False

        def show_snapshot(self, snap):
            self.setText(f"step {snap.step}")

        def shutdown(self):
            self.stopped = True

    window = open_window(qtbot, settings, activate=True)
    view = StepView()
    dock = window.add_view("Steps", view, split_from=window.cost_dock,
                           orientation=Qt.Vertical)
    assert view.text() == "step 0"  # the newest snapshot at once
    assert dock.toggleViewAction() in window.view_menu.actions()
    window.controller.step(7)
    qtbot.waitUntil(lambda: view.text() == "step 7", timeout=TIMEOUT)
    window.close()
    assert view.stopped


def test_hover_readouts_of_both_plots(window, qtbot):
    from PySide6.QtCore import QPointF

    window.controller.step(60)
    qtbot.waitUntil(lambda: latest(window).step == 60
                    and len(window.cost_plot.canvas.train_curve.getData()[0]) > 10, timeout=TIMEOUT)
    cost = window.cost_plot
    epochs = latest(window).history["epoch"]
    target = float(epochs[len(epochs) // 2])
    pos = cost.canvas.cost_item.vb.mapViewToScene(QPointF(target, 0.5))
    cost.canvas._on_mouse_moved(cost.canvas.cost_widget, pos)
    assert cost.canvas.cursor_lines[0].isVisible()
    assert cost.canvas.cursor_lines[0].value() == pytest.approx(target, abs=0.2)
    text = cost.cursor_readout.text()
    assert "epoch" in text and "train" in text and "accuracy" in text

    boundary = window.boundary_plot
    pos = boundary.canvas.view.mapViewToScene(QPointF(3.0, 3.0))
    boundary._on_mouse_moved(pos)
    assert "→ class" in boundary.hover_label.text()


def _focus(qtbot, widget):
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=TIMEOUT)


@pytest.mark.parametrize("panel", ["data_panel", "network_panel", "activation_panel",
                                   "loss_panel", "optimizer_panel"])
def test_right_steps_and_space_plays_wherever_the_focus_is(window, qtbot, panel):
    qtbot.waitUntil(lambda: latest(window) is not None, timeout=TIMEOUT)
    widgets = [w for w in getattr(window, panel).findChildren(QWidget)
               if w.isVisible() and w.focusPolicy() & Qt.TabFocus
               and not isinstance(w, TEXT_FIELDS) and not w.findChildren(QLineEdit)]
    assert widgets, f"{panel} has no focusable control that is not a text field"
    for widget in widgets[:3]:
        _focus(qtbot, widget)
        step = latest(window).step
        qtbot.keyClick(widget, Qt.Key_Right)
        qtbot.waitUntil(lambda: latest(window).step == step + 1, timeout=TIMEOUT)
        with qtbot.waitSignal(window.controller.running_changed, timeout=TIMEOUT):
            qtbot.keyClick(widget, Qt.Key_Space)
        assert window.controller.running
        before = latest(window)
        qtbot.keyClick(widget, Qt.Key_Space)
        # Paused once the frame of the step the worker stopped at is in: a newer frame that is
        # not running. (A running frame still on its way can arrive after running_changed; the
        # next → counting from its step, or from the frame before Play, timed out.)
        qtbot.waitUntil(lambda: not window.controller.running and latest(window) is not before
                        and not latest(window).running, timeout=TIMEOUT)


def test_a_number_field_keeps_its_keys(window, qtbot):
    qtbot.waitUntil(lambda: latest(window) is not None, timeout=TIMEOUT)
    field = window.data_panel.findChild(QAbstractSpinBox)
    _focus(qtbot, field)
    qtbot.keyClick(field, Qt.Key_Right)
    qtbot.keyClick(field, Qt.Key_Space)
    qtbot.wait(200)
    assert latest(window).step == 0 and not window.controller.running


def test_no_control_takes_the_keys_at_start(window, qtbot):
    focus = QApplication.focusWidget()
    assert focus is None or not isinstance(focus, (QAbstractSlider, *TEXT_FIELDS)), focus


def test_a_refused_change_puts_the_panels_back_on_what_trains(window, qtbot, tmp_path):
    qtbot.waitUntil(lambda: latest(window) is not None, timeout=TIMEOUT)
    training = window.controller.config
    gone = training.replace(dataset="csv", data_path=str(tmp_path / "gone.csv"), task="binary")
    with qtbot.waitSignal(window.controller.error, timeout=TIMEOUT):
        window.apply_config(gone)
    qtbot.waitUntil(lambda: window.config == training, timeout=TIMEOUT)
    assert window.data_panel.values()["dataset"] == training.dataset
    assert window.banner.level == "error" and "gone.csv" in window.banner.text()


def test_a_preset_that_picks_the_output_activation_says_so_in_both_panels(window, qtbot):
    preset = presets.get("Step activation: no gradient, no learning")
    window.apply_preset(preset)
    qtbot.waitUntil(lambda: window.config == preset.config, timeout=TIMEOUT)
    # Display names, never code names ("mse", "sigmoid").
    expected = "chosen for this run (with mean squared error the output is usually Sigmoid)"
    assert expected in window.activation_panel.output_note.text()
    assert expected in window.loss_panel.output_label.text()


def test_help_lists_every_shortcut_of_every_menu(window, qtbot):
    from PySide6.QtGui import QKeySequence

    from gui.dialogs.shortcuts import ShortcutsDialog, shortcut_rows

    listed = {text for _, entries in shortcut_rows(window) for _, text in entries}
    with_keys = {a.text().replace("&", "").rstrip("…") for m in window.menuBar().findChildren(
        type(window.file_menu)) for a in m.actions() if a.shortcuts()}
    assert with_keys and with_keys <= listed
    assert {"Play", "Step", "Reset", "Check gradient", "Code behind the run"} <= listed
    dialog = ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    text = dialog.browser.toPlainText()
    assert "Space" in text and "→" in text
    assert QKeySequence(Qt.CTRL | Qt.Key_K).toString(QKeySequence.NativeText) in text


def test_no_two_actions_share_a_shortcut(window):
    """Two actions on one key make Qt fire neither ("ambiguous shortcut")."""
    from PySide6.QtGui import QAction

    owners = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            owners.setdefault(key.toString(), set()).add(action.text().replace("&", ""))
    shared = {key: names for key, names in owners.items() if len(names) > 1}
    assert not shared


def test_first_five_minutes_opens_from_help_with_its_pictures(window, qtbot):
    from PySide6.QtGui import QTextDocument

    from gui.dialogs.first_steps import FirstStepsDialog

    assert window.first_steps_action in window.help_menu.actions()
    assert window.first_steps_action.shortcut().toString() == "F1"
    window.first_steps_action.trigger()
    dialog = next(d for d in window.findChildren(FirstStepsDialog))
    qtbot.waitUntil(dialog.isVisible)
    text = dialog.browser.toPlainText()
    assert "First five minutes" in text and "XOR truth table" in text
    document = dialog.browser.document()
    for name in ("tour-1-window.png", "tour-5-surface.png"):  # the pictures are found
        image = document.resource(QTextDocument.ImageResource, name)
        assert image is not None and not image.isNull(), name
    # On a 1366-pixel screen the dialog is narrower than the 1000-pixel pictures: they shrink
    # to its width, and nothing scrolls sideways; wider, they keep their own size.
    dialog.resize(700, 600)
    qtbot.waitUntil(lambda: dialog.browser.horizontalScrollBar().maximum() == 0)
    dialog.resize(1200, 600)
    qtbot.waitUntil(lambda: dialog.browser.document().idealWidth() > 1000)
    dialog.close()
