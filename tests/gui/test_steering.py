"""Steering a run from the window: the Schedule and stopping panel (its schedule curve, its
rules), the learning rate on the cost plot, and the gradient-norm view."""
import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.config import Config
from core.schedules import FORMULAS, Schedule
from core.trainer import Trainer
from gui.panels.base import COALESCE_MS
from gui.panels.schedule_panel import SchedulePanel, schedule_curve
from gui.snapshot import Snapshot
from gui.views.gradients.model import GradientsModel, layer_colour, smoothed

SETTLE_MS = COALESCE_MS + 150
SCHEDULED = Config(dataset="circle", hidden_layers=(4,), optimizer="adam", learning_rate=0.04,
                   lr_schedule="cosine", warmup_steps=30, decay_steps=200, min_lr_fraction=0.1)


@pytest.fixture
def panel(qtbot):
    panel = SchedulePanel()
    qtbot.addWidget(panel)
    panel.show()
    return panel


def capture(config, steps, run=1):
    trainer = Trainer(config)
    trainer.step(steps)
    return Snapshot.capture(trainer, run, 0.0, False)


# --------------------------------------------------------------------------- the panel
def test_panel_is_folded_to_a_summary_until_opened(panel, qtbot):
    assert not panel.expanded and panel.summary.text() == "constant η · no stopping rule"
    qtbot.mouseClick(panel.toggle, Qt.LeftButton)
    assert panel.expanded and panel.toggle.text() == "Hide"
    panel.expand(False)
    assert not panel.expanded and not panel.toggle.isChecked()


def test_values_round_trip_silently(panel, qtbot):
    config = Config(lr_schedule="step", warmup_steps=12, decay_steps=300, decay_rate=0.3,
                    min_lr_fraction=0.2, max_epochs=40, max_steps=None, patience=5,
                    min_delta=0.001, restore_best_weights=True, target_cost=0.05)
    with qtbot.assertNotEmitted(panel.changed, wait=SETTLE_MS):
        panel.set_config(config)
    values = panel.values()
    assert values == {field: getattr(config, field) for field in values}
    assert config.replace(**values) == config
    assert panel.summary.text() == ("step decay, warm-up 12 · stop after 40 epochs, early "
                                    "stopping (5), at cost ≤ 0.05")
    panel.set_config(Config())
    assert Config(**panel.values()) == Config()


def test_only_the_schedules_own_settings_are_shown(panel):
    panel.expand(True)
    shown = {}
    for name in ("constant", "step", "exponential", "cosine"):
        panel.set_config(Config(lr_schedule=name))
        form = panel.body_form
        shown[name] = [form.isRowVisible(w) for w in (panel.decay_steps, panel.decay_rate,
                                                       panel.floor)]
        assert panel.formula.text().startswith(f"η_k = {FORMULAS[name]}")
    assert shown == {"constant": [False, False, False], "step": [True, True, False],
                     "exponential": [True, True, False], "cosine": [True, False, True]}
    panel.set_config(Config(lr_schedule="step"))
    assert panel.body_form.labelForField(panel.decay_steps).text() == "Drop every D"
    panel.set_config(Config(lr_schedule="cosine", warmup_steps=5))
    assert panel.body_form.labelForField(panel.decay_steps).text() == "Length D"
    assert panel.formula.text().endswith("after a warm-up η·(k + 1)/W")
    assert all(f"η_k = {FORMULAS[n]}" in panel.schedule.toolTip() for n in FORMULAS)


@pytest.mark.parametrize("name", ["constant", "step", "exponential", "cosine"])
def test_the_schedule_curve_is_the_schedules_rate_at_every_step_drawn(panel, name):
    config = Config(learning_rate=0.2, lr_schedule=name, warmup_steps=50, decay_steps=120,
                    decay_rate=0.4, min_lr_fraction=0.25)
    panel.set_config(config)
    ((x, y),) = panel.plot.curve_data()
    steps, rates = schedule_curve(config)
    np.testing.assert_array_equal(x, steps)
    np.testing.assert_array_equal(y, [Schedule.from_config(config).rate(int(k)) for k in x])
    assert rates[0] == pytest.approx(0.2 / 50) and rates.max() == pytest.approx(0.2)
    ends = {"constant": 100, "step": 50 + 360, "exponential": 50 + 360, "cosine": 50 + 144}
    assert x[0] == 0 and x[-1] == ends[name]
    if name == "cosine":
        assert y[-1] == pytest.approx(0.05)  # the floor: 0.25 × 0.2


def test_stopping_rules_turn_on_with_their_boxes(panel, qtbot):
    panel.expand(True)
    assert all(not spin.isEnabled() for spin in panel.spins.values())
    assert not panel.min_delta.isEnabled() and not panel.restore.isEnabled()
    assert panel.values()["patience"] is None
    with qtbot.waitSignal(panel.changed, timeout=SETTLE_MS):
        panel.checks["patience"].setChecked(True)
    assert panel.spins["patience"].isEnabled() and panel.restore.isEnabled()
    assert panel.values()["patience"] == panel.spins["patience"].value() == 10
    with qtbot.waitSignal(panel.changed, timeout=SETTLE_MS):
        panel.spins["max_epochs"].setValue(25)  # a setting kept while its rule is off
    assert panel.values()["max_epochs"] is None
    panel.checks["max_epochs"].setChecked(True)
    panel.checks["target_cost"].setChecked(True)
    values = panel.values()
    assert values["max_epochs"] == 25 and values["target_cost"] == 0.05
    Config(**values)  # valid
    assert "stop after 25 epochs" in panel.summary.text()


# --------------------------------------------------------------------------- the cost plot
def test_the_cost_plot_draws_the_learning_rate_on_its_own_axis(qtbot):
    from gui.views.cost.curve_widget import CostPlot
    plot = CostPlot()
    qtbot.addWidget(plot)
    plot.resize(520, 420)
    plot.show()
    plot.show_snapshot(capture(Config(dataset="circle", hidden_layers=(4,)), 100))
    canvas = plot.canvas
    assert not canvas.cost_item.getAxis("right").isVisible() and plot.rate_readout.text() == ""
    snap = capture(SCHEDULED, 120)
    plot.show_snapshot(snap)
    assert canvas.cost_item.getAxis("right").isVisible()
    x, y = canvas.rate_curve.getData()
    np.testing.assert_array_equal(y, snap.history["learning_rate"])
    schedule = Schedule.from_config(SCHEDULED)
    assert y[0] == schedule.rate(0) and y[-1] == schedule.rate(120)
    ax, ay = canvas.rate_ahead.getData()
    per_epoch = math.ceil(250 / SCHEDULED.batch_size)
    assert ax[0] == pytest.approx(120 / per_epoch) and ay[0] == schedule.rate(120)
    steps = np.round(ax * per_epoch).astype(int)
    np.testing.assert_allclose(ay, [schedule.rate(k) for k in steps], rtol=1e-12)
    assert ax[-1] * per_epoch <= canvas.cost_item.vb.viewRange()[0][1] * per_epoch + 1
    low, high = canvas.rate_box.viewRange()[1]
    assert low <= 0.0 and 0.04 <= high < 0.1
    assert "η now <b>" in plot.rate_readout.text() and "· cosine" in plot.rate_readout.text()
    epoch, text = plot.model.cursor(float(snap.history["epoch"][10]))
    assert f"η {snap.history['learning_rate'][10]:.3g}" in text
    legend = [label.text for _, label in canvas.legend.items]
    assert "learning rate η (right axis)" in legend


def test_a_rate_changed_while_training_is_drawn_too(qtbot):
    from gui.views.cost.curve_widget import CostPlot
    plot = CostPlot()
    qtbot.addWidget(plot)
    trainer = Trainer(Config(dataset="circle", hidden_layers=(4,)))
    trainer.step(50)
    trainer.apply_config(trainer.config.replace(learning_rate=0.1))
    trainer.step(50)
    plot.show_snapshot(Snapshot.capture(trainer, 1, 0.0, False))
    assert plot.model.shows_rate and "ahead" in plot.model.rate_curves()
    x, y = plot.canvas.rate_curve.getData()
    assert set(np.unique(y)) == {0.03, 0.1}
    assert plot.rate_readout.text() == ""  # no schedule to name


# --------------------------------------------------------------------------- gradient norms
def test_gradient_curves_follow_the_recorded_norms():
    snap = capture(Config(dataset="circle", hidden_layers=(5, 3)), 200)
    model = GradientsModel()
    assert model.update(snap) == {"layers"} and model.update(snap) == set()
    curves = model.curves()
    assert [c[0] for c in curves] == ["hidden layer 1", "hidden layer 2", "output layer"]
    steps, norms = snap.gradient_norms
    for layer, (_, colour, x, y, smooth) in enumerate(curves):
        assert colour == layer_colour(layer, 3)
        # Step 0 had no update, so no norm: left out, and every point drawn is finite.
        np.testing.assert_array_equal(x, snap.history["epoch"][1:])
        np.testing.assert_array_equal(y, norms[1:, layer])
        assert len(smooth) == len(y) and np.isfinite(smooth).all()
    assert layer_colour(2, 3) != layer_colour(0, 3) != layer_colour(1, 3)
    low, high = model.y_range()
    assert high - low >= 2 and low == int(low)
    assert 10 ** low <= np.nanmin(norms) and 10 ** high >= np.nanmax(norms)
    assert model.readout_html().count("<b>") == 3


def test_the_norm_axis_labels_powers_of_ten_only():
    from gui.views.gradients.canvas import DecadeAxis, decade_label
    assert [decade_label(k) for k in (-5, -2, 0, 1, 2, 8)] == ["10⁻⁵", "0.01", "1", "10",
                                                               "100", "10⁸"]
    axis = DecadeAxis("left")
    axis.setLogMode(False, True)
    assert axis.tickStrings([-1.0, -0.69897, 0.0, 0.30103, 1.0], 1.0, 1.0) == [
        "0.1", "", "1", "", "10"]


def test_smoothing_is_a_running_geometric_mean():
    values = np.array([np.nan, 1.0, 100.0, 10.0, 1000.0, np.nan, 10.0])
    out = smoothed(values, 3)
    assert np.isnan(out[0]) and np.isnan(out[5])
    assert out[2] == pytest.approx(10.0)            # (1 · 100 · 10)^(1/3)
    assert out[4] == pytest.approx(100.0)           # NaN left out: (10 · 1000)^(1/2)
    np.testing.assert_allclose(smoothed(values, 1)[1:5], values[1:5])


def test_a_layer_with_no_gradient_lies_on_the_bottom_line_labelled_0(qtbot):
    from gui.views.gradients.canvas import decade_label
    snap = capture(Config(dataset="xor", optimizer="adam", learning_rate=10.0), 600)
    model = GradientsModel()
    model.update(snap)
    zero = model.norms == 0
    assert zero.any()  # saturated tanh units pass exactly nothing back
    low, _ = model.y_range()
    for layer, (*_, y, _) in enumerate(model.curves()):
        assert np.all(y[zero[1:, layer]] == 10.0 ** low)  # (step 0's unknown norm left out)
    assert model.has_zero
    from gui.views.gradients.canvas import GradientCanvas
    canvas = GradientCanvas()
    canvas.set_layers([(name, colour) for name, colour, *_ in model.curves()])
    canvas.show_curves(model.curves(), model.y_range(), model.has_zero)
    axis = canvas.getPlotItem().getAxis("left")
    assert axis.tickStrings([low, low + 1], 1.0, 1.0) == ["0", decade_label(round(low) + 1)]


def test_gradient_view_draws_a_line_and_its_mean_per_layer(qtbot):
    from gui.views.gradients.widget import GradientNormView
    view = GradientNormView()
    qtbot.addWidget(view)
    view.show_snapshot(capture(Config(dataset="spiral3", hidden_layers=(6, 6, 6)), 100))
    assert len(view.canvas.curves) == 4
    text = view.readout.text()
    names = ["hidden 1", "━━</span> 2 <b>", "━━</span> 3 <b>", "output"]
    assert [text.index(name) for name in names] == sorted(text.index(name) for name in names)
    assert all(layer_colour(i, 4) in text for i in range(4))  # the readout is the legend
    view.show_snapshot(capture(Config(dataset="circle", hidden_layers=(3,)), 10, run=2))
    assert len(view.canvas.curves) == 2 and "</span> 2 <b>" not in view.readout.text()
    item = view.canvas.getPlotItem()
    assert len([i for i in item.listDataItems()]) == 4  # a line and its mean per layer


# --------------------------------------------------------------------------- in the window
def test_the_window_has_the_new_views_behind_the_cost_and_trains_the_panels_rules(qtbot,
                                                                                  tmp_path):
    from PySide6.QtWidgets import QDockWidget
    from windows import TIMEOUT, close_window, open_window, settings_in
    window = open_window(qtbot, settings_in(tmp_path), restore_layout=False)
    try:
        tabbed = {d.windowTitle() for d in window.tabifiedDockWidgets(window.cost_dock)}
        assert tabbed == {"Metrics", "Gradient norms", "Anatomy"}
        listed = [a.text() for a in window.view_menu.actions()]
        assert {"Metrics", "Gradient norms"} <= set(listed)
        assert all(isinstance(d, QDockWidget) for d in (window.metrics_dock,
                                                        window.gradient_dock))
        panel = window.schedule_panel
        panel.expand(True)
        panel.schedule.setCurrentIndex(panel.schedule.findData("step"))
        panel.checks["max_steps"].setChecked(True)
        panel.spins["max_steps"].setValue(40)
        qtbot.waitUntil(lambda: window.controller.config.max_steps == 40
                        and window.controller.config.lr_schedule == "step", timeout=TIMEOUT)
        stopped = []
        window.controller.stopped.connect(stopped.append)
        window.controller.play()
        qtbot.waitUntil(lambda: bool(stopped), timeout=TIMEOUT)
        assert "max_steps is 40" in stopped[0] and window.controller.latest.step == 40
        assert "Press Play to train on" in window.banner.text()
    finally:
        close_window(window)
