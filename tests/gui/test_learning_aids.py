"""Learning aids: the anatomy of the cost, the code behind the run, pinned runs to compare, and
the gradient check, alone and in the real main window."""
import dataclasses
import re
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication

from core import features, gradcheck, losses
from core.codegen import generate_script
from core.config import Config
from core.datasets import Dataset
from core.gradcheck import check_gradient
from core.network import Network
from core.trainer import Trainer
from core.params import ParamLayout
from gui.dialogs.code_view import CodeWindow, section_titles
from gui.dialogs.gradient_check import GradientCheckDialog, check_snapshot, explain
from gui.views.cost.anatomy_model import example_losses, top_share
from gui.views.cost.anatomy_widget import CostAnatomy
from gui.views.cost.curve_widget import CostPlot
from gui.views.cost.pins import MAX_PINS, config_differences
from gui.snapshot import Snapshot
from windows import TIMEOUT, close_window, open_window, settings_in

FINAL = re.compile(r"^final train cost: (\S+)$", re.MULTILINE)


def snapshot(config, steps=0, data=None, run=1):
    trainer = Trainer(config, data=data)
    trainer.step(steps)
    return Snapshot.capture(trainer, run, 0.0, False)


def shown(qtbot, widget, size=(640, 420)):
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def window(qtbot, tmp_path):
    window = open_window(qtbot, settings_in(tmp_path), restore_layout=False,
                         config=Config(dataset="circle", noise=0.1, hidden_layers=(4, 2)))
    yield window
    close_window(window)


def train_to(qtbot, window, steps):
    """Step to ``steps`` and return the snapshot once the views have it (``controller.latest``
    is set a loop turn before the views are handed it)."""
    shown = []
    # Connected after the views: when this slot runs, every view has been given the snapshot.
    window.controller.snapshot.connect(shown.append)
    window.controller.step(steps)
    qtbot.waitUntil(lambda: bool(shown) and shown[-1].step >= steps, timeout=TIMEOUT)
    window.controller.snapshot.disconnect(shown.append)
    return shown[-1]


# --------------------------------------------------------------------------- anatomy of the cost
def test_anatomy_parts_add_up_to_the_cost(qtbot):
    config = Config(dataset="spiral", noise=0.1, hidden_layers=(6,), regularization="l2",
                    reg_rate=0.003, optimizer="adam", learning_rate=0.01)
    snap = snapshot(config, 400)
    view = shown(qtbot, CostAnatomy())
    view.show_snapshot(snap)
    m = snap.metrics
    n = len(snap.data.X_train)
    assert view.model.counts.sum() == n and view.model.counts.shape[0] == 2  # stacked by class
    assert view.canvas.mean_line.value() == pytest.approx(m["train_loss"], rel=1e-12)
    assert m["train_loss"] + m["reg_term"] == pytest.approx(m["train_cost"], rel=1e-12)
    equation = view.equation.text()
    for value in (m["train_loss"], m["reg_term"], m["train_cost"]):
        assert f"{value:.4f}" in equation
    assert "mean loss" in equation and "regularization" in equation
    formula = view.formula.text()
    assert losses.get("bce").formula in formula and f"n = {n}" in formula
    assert "λ/2·Σw²" in formula
    assert "of the mean" in view.spread.text()


def test_anatomy_of_rmse_takes_the_root_of_the_mean(qtbot):
    snap = snapshot(Config(dataset="sine", loss="rmse", hidden_layers=(5,)), 200)
    view = shown(qtbot, CostAnatomy())
    view.show_snapshot(snap)
    squared = view.model.values
    assert np.sqrt(np.mean(squared)) == pytest.approx(snap.metrics["train_loss"], rel=1e-12)
    assert view.canvas.mean_line.value() == pytest.approx(np.mean(squared), rel=1e-12)
    assert "√(mean squared error" in view.equation.text()
    assert "squared error of one example" in view.canvas.plot.getAxis("bottom").labelText


def test_anatomy_computes_the_losses_when_the_snapshot_has_none():
    snap = snapshot(Config(dataset="spiral3", hidden_layers=(5,), loss="sparse_cce",
                           features=None), 100)
    bare = dataclasses.replace(snap, train_losses=None) if hasattr(snap, "train_losses") else snap
    computed = example_losses(bare)
    trainer = Trainer(snap.config)
    trainer.step(100)
    expected = trainer.loss.per_example(trainer.targets_train,
                                        trainer.network.predict(trainer.inputs_train))
    np.testing.assert_allclose(computed, expected, rtol=1e-12)
    if getattr(snap, "train_losses", None) is not None:
        np.testing.assert_allclose(example_losses(snap), expected, rtol=1e-12)


def test_anatomy_catches_up_when_shown_and_reports_concentration(qtbot):
    view = CostAnatomy()
    qtbot.addWidget(view)
    snap = snapshot(Config(dataset="circle", hidden_layers=(3,)), 50)
    view.show_snapshot(snap)  # hidden: nothing drawn yet
    assert view.model.counts is None
    shown(qtbot, view)
    assert view.model.counts is not None and view.model.counts.sum() == len(snap.data.X_train)
    assert top_share([1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]) == (1, 0.5)
    assert top_share([-1.0, 2.0])[1] is None  # the signed mean error has no shares


def test_show_losses_on_the_data(window, qtbot):
    snap = train_to(qtbot, window, 50)
    anatomy = window.cost_anatomy
    assert window.anatomy_dock.windowTitle() == "Anatomy"  # "of the cost" in the View menu
    assert window.anatomy_dock.toggleViewAction().text() == "Anatomy of the cost"
    with qtbot.waitSignal(anatomy.point_losses_changed, timeout=TIMEOUT) as blocker:
        anatomy.on_data_box.setChecked(True)
    assert blocker.args[0] is not None and len(blocker.args[0]) == len(snap.data.X_train)
    if hasattr(window.boundary_plot, "set_point_losses"):
        assert window.boundary_plot._point_losses is not None
    with qtbot.waitSignal(anatomy.point_losses_changed, timeout=TIMEOUT) as blocker:
        anatomy.on_data_box.setChecked(False)
    assert blocker.args[0] is None


# --------------------------------------------------------------------------- code behind the run
def test_code_window_follows_the_run_and_jumps_to_sections(window, qtbot):
    window.code_action.trigger()
    code = window.tools.code_window
    qtbot.waitExposed(code)
    config = window.controller.latest.config
    assert code.text() == generate_script(config, steps=code.steps_box.value())
    assert code.sections.count() == 8 and section_titles()[3].startswith("4. The cost function")
    code.jump_to_section(3)
    assert code.current_section() == 4
    assert code.sections.currentIndex() == 3

    window.apply_config(config.replace(learning_rate=0.123))
    qtbot.waitUntil(lambda: "LEARNING_RATE = 0.123" in code.text(), timeout=TIMEOUT)
    assert code.current_section() == 4  # the reader's place is kept

    window.apply_config(window.config.replace(activation="prelu"))
    qtbot.waitUntil(lambda: "def prelu(z, slope):" in code.text(), timeout=TIMEOUT)
    window.apply_config(window.config.replace(output_activation="prelu"))
    qtbot.waitUntil(lambda: code.note.isVisible(), timeout=TIMEOUT)
    assert "PReLU" in code.note.text() and not code.copy_button.isEnabled()
    assert code.text() == "" and not code.editor.extraSelections()
    window.apply_config(window.config.replace(activation="tanh", output_activation="sigmoid"))
    qtbot.waitUntil(lambda: not code.note.isVisible(), timeout=TIMEOUT)
    assert code.copy_button.isEnabled() and "def tanh(z):" in code.text()


def test_code_window_copy_save_and_the_saved_script_repeats_the_run(qtbot, tmp_path,
                                                                      monkeypatch):
    config = Config(dataset="moons", noise=0.2, hidden_layers=(5,), activation="relu",
                    loss="hinge", optimizer="rmsprop", learning_rate=0.01, batch_size=8,
                    features=("x1", "x2", "x1*x2"))
    code = shown(qtbot, CodeWindow())
    code.steps_box.setValue(300)
    code.show_snapshot(snapshot(config))
    code.copy()
    assert QGuiApplication.clipboard().text() == code.text()

    path = tmp_path / "run"
    monkeypatch.setattr("gui.dialogs.code_view.QFileDialog.getSaveFileName",
                        lambda *args, **kwargs: (str(path), "Python scripts (*.py)"))
    with qtbot.waitSignal(code.saved, timeout=TIMEOUT):
        code.save_button.click()
    saved = tmp_path / "run.py"
    assert saved.read_text(encoding="utf-8") == code.text()
    done = subprocess.run([sys.executable, str(saved)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    trainer = Trainer(config)
    trainer.step(300)
    assert float(FINAL.search(done.stdout).group(1)) == pytest.approx(
        trainer.metrics()["train_cost"], rel=1e-9)


def test_code_window_embeds_drawn_data_and_highlights_banners(qtbot):
    rng = np.random.default_rng(3)
    X = rng.uniform(-4, 4, (30, 2))
    y = (X[:, :1] > 0).astype(float)
    data = Dataset("custom", "binary", X[:20], y[:20], X[20:], y[20:], 2, ((-6, 6),) * 2)
    config = Config(dataset="custom", task="binary", hidden_layers=(2,))
    code = shown(qtbot, CodeWindow())
    code.show_snapshot(snapshot(config, data=data))
    assert "custom data" in code.text() and repr(float(X[0, 0])) in code.text()

    doc = code.editor.document()
    cost_banner = doc.findBlockByNumber(code._section_lines[4])
    formats = cost_banner.layout().formats()
    assert formats and formats[0].format.fontWeight() > 400
    assert formats[0].format.background().color().name() == "#fde3c8"
    data_banner = doc.findBlockByNumber(code._section_lines[1])
    assert data_banner.layout().formats()[0].format.background().color().name() == "#e1ecf7"
    def_line = next(b for b in (doc.findBlockByNumber(i) for i in range(doc.blockCount()))
                    if b.text().startswith("def forward("))
    kinds = {(r.start, r.length) for r in def_line.layout().formats()}
    assert (0, 3) in kinds  # "def" as a keyword


# --------------------------------------------------------------------------- compare runs
def _train_snaps(plot, config, run, steps=600, chunk=100):
    trainer = Trainer(config)
    for _ in range(steps // chunk):
        trainer.step(chunk)
        plot.show_snapshot(Snapshot.capture(trainer, run, 0.0, False))


def test_pin_runs_legend_names_what_differs(qtbot):
    plot = shown(qtbot, CostPlot(), (700, 480))
    assert plot.pin_current() is None  # nothing to pin yet
    base = Config(dataset="circle", noise=0.1, hidden_layers=(4,), learning_rate=0.05)
    changes = [base.replace(loss="mse"), base.replace(activation="relu"),
               base.replace(optimizer="adam", learning_rate=0.01),
               base.replace(learning_rate=0.3), base.replace(init="he")]
    for run, config in enumerate(changes):
        _train_snaps(plot, config, run)
        with qtbot.waitSignal(plot.pinned, timeout=TIMEOUT):
            plot.pin()
    _train_snaps(plot, base, 99)
    assert len(plot.pins) == 5 >= 4
    labels = [pin.label(plot.model.config) for pin in plot.pins]
    assert all(label in plot.pins_label.text() for label in labels)
    assert plot.pins_label.isVisible()
    assert labels[0] == "run 1: loss: mse (now bce)"
    assert labels[1] == "run 2: activation: relu (now tanh)"
    assert labels[2] == "run 3: optimizer: adam (now sgd), learning rate: 0.01 (now 0.05)"
    assert labels[3] == "run 4: learning rate: 0.3 (now 0.05)"
    assert labels[4] == "run 5: init: he (now xavier)"
    assert len({pin.colour for pin in plot.pins}) == 5
    assert all(len(plot.canvas.pin_curve(pin).getData()[0]) > 1 for pin in plot.pins)
    assert "same seed" in plot.pin_tooltip(plot.pins[0])
    assert "Different losses" in plot.pin_tooltip(plot.pins[0])

    plot.set_log_scale(True)
    assert all(np.isnan(y) or y > 0 for pin in plot.pins
               for y in plot.canvas.pin_curve(pin).yData)
    plot.set_log_scale(False)
    remove_run_2 = plot.pins_menu.actions()[1]
    assert remove_run_2.text().startswith("Remove run 2: activation")
    remove_run_2.trigger()
    assert [pin.number for pin in plot.pins] == [1, 3, 4, 5]
    assert plot.pins_button.text() == "Pinned (4)"
    plot.pin()
    plot.pin()
    plot.pin()  # a seventh: the oldest goes
    assert len(plot.pins) == MAX_PINS and plot.pins[0].number == 3
    assert len({pin.colour for pin in plot.pins}) == MAX_PINS
    plot.clear_pins()
    assert plot.pins == [] and not plot.pins_button.isEnabled()
    assert not plot.pins_label.isVisible()
    canvas = plot.canvas
    live = [canvas.train_curve, canvas.test_curve, canvas.loss_curve, canvas.reg_curve]
    assert canvas.cost_item.listDataItems() == live


def test_config_differences_name_only_what_matters():
    a = Config(optimizer="adam", beta1=0.9, momentum=0.5)
    assert config_differences(a, a) == []
    assert config_differences(a, a.replace(beta1=0.8)) == ["β₁: 0.9 (now 0.8)"]
    # sgd has no β₁: the optimizer's difference says it all
    assert config_differences(a, a.replace(optimizer="sgd", beta1=0.5)) == [
        "optimizer: adam (now sgd)"]
    assert config_differences(a, a.replace(momentum=0.1)) == []  # adam has no momentum
    assert config_differences(a, a.replace(regularization="l2", reg_rate=0.01)) == [
        "regularization: none (now L2 λ = 0.01)"]
    assert config_differences(Config(dataset="circle"), Config(dataset="xor")) == [
        "data: Circle (now XOR quadrants)"]
    assert config_differences(Config(), Config(features=("x1", "x1^2"))) == [
        f"features: raw inputs (now x₁, {features.label('x1^2')})"]


def test_pinned_run_survives_reset_and_the_new_run_starts_from_the_same_weights(window,
                                                                                 qtbot):
    initial = window.controller.latest
    assert initial.step == 0
    train_to(qtbot, window, 200)
    window.pin_action.trigger()
    assert len(window.cost_plot.pins) == 1
    window.apply_config(window.config.replace(loss="mse"), reset=True)
    qtbot.waitUntil(lambda: window.controller.latest.config.loss == "mse"
                    and window.controller.latest.step == 0, timeout=TIMEOUT)
    np.testing.assert_array_equal(window.controller.latest.params, initial.params)
    assert len(window.cost_plot.pins) == 1
    train_to(qtbot, window, 20)
    assert "run 1: loss: bce (now mse)" in window.cost_plot.pins_label.text()


# --------------------------------------------------------------------------- gradient check
def test_gradient_check_in_the_window(window, qtbot):
    snap = train_to(qtbot, window, 100)
    window.gradient_check_action.trigger()
    dialog = window.tools.gradient_check_dialog
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=TIMEOUT)
    result = dialog.result
    assert result.relative_error < gradcheck.CORRECT_BELOW
    assert dialog.table.rowCount() == len(result.blocks) == 2 * (len(snap.layer_sizes) - 1)
    assert dialog.table.item(0, 0).text() == "W1"  # layers counted from 1
    assert dialog.table.item(0, 1).text() == "weights from the 2 inputs into hidden layer 1"
    assert dialog.table.item(0, 4).text() == "✓ agrees"
    summary = dialog.summary_label.text()
    assert "Relative error" in summary and "below 1e-6" in summary and "ReLU" in summary
    assert dialog.isVisible() and not dialog.isModal()
    dialog.again_button.click()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=TIMEOUT)


def test_gradient_check_uses_the_network_inputs_after_features():
    config = Config(dataset="circle", hidden_layers=(3,), features=("x1^2", "x2^2", "sin_x1"),
                    regularization="l1", reg_rate=0.001)
    snap = snapshot(config, 50)
    arrays = snap.arrays
    inputs, targets, loss, l1, l2 = (arrays.inputs_train, arrays.targets_train, arrays.loss,
                                     snap.l1, snap.l2)
    assert inputs.shape[1] == 3 and (l1, l2) == (0.001, 0.0)
    result = check_snapshot(snap)
    assert result.relative_error < gradcheck.CORRECT_BELOW
    net = snap.network()
    assert net.cost(inputs, targets, loss, l1, l2) == pytest.approx(snap.metrics["train_cost"])


def test_gradient_check_words(qtbot):
    layout = ParamLayout((2, 4, 3, 1), "prelu", "sigmoid")
    assert layout.describe_block(layout.block("b", 1)) == "biases of hidden layer 2"
    assert layout.describe_block(layout.block("W", 2)) == (
        "weights from hidden layer 2 into the output layer")
    assert layout.describe_block(layout.block("slope", 0)) == "PReLU slopes of hidden layer 1"
    good = gradcheck.GradientCheck((), 3e-10, 0.5, 1e-6, 10)
    assert "agree to 9 digits" in explain(good) and "correct" in explain(good)
    bad = gradcheck.GradientCheck((), 0.4, 0.5, 1e-6, 10)
    assert "not computing the gradient" in explain(bad)
    diverged = gradcheck.GradientCheck((), float("nan"), float("inf"), 1e-6, 10)
    assert "not finite" in explain(diverged)
    X, y = np.random.default_rng(0).normal(size=(40, 2)), np.tile([[0.0], [1.0]], (20, 1))
    zeros = check_gradient(Network((2, 4, 1), init="zeros"), X, y, "bce")
    assert "nothing was tested" in explain(zeros) and "correct" in explain(zeros)
    saturated = gradcheck.GradientCheck((), 2e-5, 0.01, 1e-6, 250, n_clipped=4)
    words = explain(saturated)
    assert "4 predictions have saturated" in words and "without a bug" in words
    assert "saturated" not in explain(dataclasses.replace(saturated, relative_error=1e-9))
    dialog = GradientCheckDialog()
    qtbot.addWidget(dialog)
    dialog.check(None)
    assert "No run yet" in dialog.status_label.text()
    dialog.shutdown()


def test_cost_curves_are_updated_only_when_the_history_took_a_row(qtbot, monkeypatch):
    """Once the history keeps every 16th step or fewer, most frames bring no new row: the
    curves then keep their data instead of being set again (each set costs a third of a ms)."""
    import pyqtgraph as pg

    plot = shown(qtbot, CostPlot(), (700, 480))
    trainer = Trainer(Config(regularization="l2", reg_rate=0.01), history_capacity=8)
    trainer.step(40)
    assert trainer.history.stride == 8
    plot.show_snapshot(Snapshot.capture(trainer, 0, 0.0, True))
    calls = []
    original = pg.PlotDataItem.setData

    def counting(self, *args, **kwargs):
        calls.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pg.PlotDataItem, "setData", counting)
    trainer.step(3)  # no row due: the same curves
    plot.show_snapshot(Snapshot.capture(trainer, 0, 0.0, True))
    assert calls == []
    trainer.step(5)  # step 48: a new row, and every curve shows it
    plot.show_snapshot(Snapshot.capture(trainer, 0, 0.0, True))
    curves = plot.canvas._curves
    assert set(calls) == {curves[name] for name in ("train", "test", "loss", "reg",
                                                     "train_accuracy", "test_accuracy")}
    for name, (x, y) in plot.model.curves().items():
        np.testing.assert_array_equal(curves[name].xData, x)
        np.testing.assert_array_equal(curves[name].yData, y)
