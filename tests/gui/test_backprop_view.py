"""Backpropagation step by step in the real window: Ctrl+B opens it on the XOR truth table,
every stage lights up the diagram and marks the code, the arrow keys walk through it, "Apply
this step" takes exactly the trainer's step, and the classic mistake is switched on and off.
Also the parts it is made of: formulas set as mathematics, the shared highlight, the dock."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTabBar

from core import presets
from core.backprop import LossInsteadOfDerivative
from core.config import Config
from core.codegen.anchors import lines_of
from core.trainer import Trainer
from gui import formulas
from gui.dialogs.gradient_check import check_snapshot
from gui.selection import Highlight, Selection
from gui.threads.tracing import trace_next_step
from gui.views.backprop.model import stages
from gui.views.network.canvas import LIT_COLOURS
from gui.widgets.math import MathError, MathLabel, render
from windows import TIMEOUT, close_window, latest, open_window

XOR = presets.get("XOR truth table (2-4-1 sigmoid, MSE, SGD)")
MISTAKE = presets.get("The classic XOR code and its mistake")


@pytest.fixture
def window(qtbot, settings):
    window = open_window(qtbot, settings, activate=True)
    yield window
    close_window(window)


def start(qtbot, window, preset):
    window.apply_preset(preset)
    qtbot.waitUntil(lambda: latest(window).config == preset.config and latest(window).step == 0,
                    timeout=TIMEOUT)


def open_view(qtbot, window):
    QTest.keyClick(window, Qt.Key_B, Qt.ControlModifier)
    view = window.backprop_view
    qtbot.waitUntil(lambda: view.traced is not None and view._is_current(), timeout=TIMEOUT)
    return view


def test_ctrl_b_walks_through_every_stage_of_the_xor_step_and_applies_it(window, qtbot):
    start(qtbot, window, XOR)
    window.play_action.trigger()  # the view pauses training to trace a step
    qtbot.waitUntil(lambda: window.controller.running, timeout=TIMEOUT)
    view = open_view(qtbot, window)
    assert not window.controller.running and window.backprop_dock.isVisible()
    assert view.hasFocus() and window.step_through.action in window.run_menu.actions()
    step = latest(window).step
    traced = view.traced
    assert traced.step.step == step + 1 and len(traced.step.trace.inputs) == 4
    keys = [stage.key for stage in view.stages]
    assert keys == ["inputs", "forward-0", "forward-1", "loss", "cost", "output-delta",
                    "gradients-1", "delta-0", "gradients-0", "update"]

    window.code_action.trigger()
    code = window.tools.code_window
    qtbot.waitExposed(code)
    diagram = window.network_diagram
    view.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=TIMEOUT)
    view.go_to(0)
    for index, stage in enumerate(view.stages):
        assert view.index == index
        assert view.title.text().startswith(f"{index + 1}. ")
        assert view.formula.tex() == stage.formulas and view.formula.error is None
        assert [card.table for card in view.cards()] == list(stage.tables)
        highlight = window.selection.highlight
        assert highlight == Highlight(stage.columns, stage.layers, stage.direction, stage.part,
                                      stage.title)
        nodes, links, colour = diagram.canvas.lit
        assert colour == LIT_COLOURS[stage.direction]
        assert set(nodes) == set(stage.columns)
        assert set(diagram.links.layer[links]) == set(stage.layers)
        assert code.part_lines == lines_of(code.text(), stage.part) and code.part_lines
        QTest.keyClick(view, Qt.Key_Right)  # next stage: not a training step
    assert view.index == len(keys) - 1 and latest(window).step == step
    QTest.keyClick(view, Qt.Key_Left)
    assert view.index == len(keys) - 2
    QTest.keyClick(view, Qt.Key_Home)
    assert view.index == 0
    QTest.keyClick(view, Qt.Key_End)
    assert view.current_stage().key == "update"

    reference = Trainer(XOR.config)
    reference.step(step + 1)
    view.apply_button.click()
    qtbot.waitUntil(lambda: latest(window).step == step + 1, timeout=TIMEOUT)
    np.testing.assert_array_equal(latest(window).params, reference.network.params)
    np.testing.assert_array_equal(latest(window).params, traced.step.params_after)
    qtbot.waitUntil(lambda: view.traced.step.step == step + 2, timeout=TIMEOUT)
    assert view.current_stage().key == "update"  # the same stage of the next step
    assert f"Step {step + 1} applied" in view.status.text()
    window.step_action.trigger()  # and training goes on
    qtbot.waitUntil(lambda: latest(window).step == step + 2, timeout=TIMEOUT)
    reference.step(1)
    np.testing.assert_array_equal(latest(window).params, reference.network.params)

    window.surface_dock.raise_()  # the view's tab goes behind: nothing is lit any more
    qtbot.waitUntil(lambda: window.selection.highlight is None, timeout=TIMEOUT)
    assert diagram.canvas.lit is None and code.part_lines == []


def test_the_classic_mistake_switch_retrains_and_the_gradient_check_flags_it(window, qtbot):
    start(qtbot, window, MISTAKE)
    view = open_view(qtbot, window)
    assert view.mistake_box.isChecked() and view.traced.step.trace.mistaken
    view.go_to([s.key for s in view.stages].index("output-delta"))
    marks = [card.table.mark for card in view.cards()]
    assert "wrong" in marks and "right" in marks
    snap = latest(window)
    assert isinstance(snap.arrays.training_loss, LossInsteadOfDerivative)
    assert check_snapshot(snap).verdict == "bug"

    view.mistake_box.click()  # switch it off: a new run, trained right
    qtbot.waitUntil(lambda: not latest(window).config.classic_mistake, timeout=TIMEOUT)
    assert window.config == XOR.config and not view.mistake_box.isChecked()
    qtbot.waitUntil(lambda: view._is_current() and not view.traced.step.trace.mistaken,
                    timeout=TIMEOUT)
    assert check_snapshot(latest(window)).verdict == "correct"
    view.mistake_box.click()
    qtbot.waitUntil(lambda: latest(window).config.classic_mistake, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "classic mistake" in window.summary_label.text(), timeout=TIMEOUT)


def test_the_loss_panel_leads_to_the_view_and_the_code(window, qtbot):
    panel = window.loss_panel
    panel.backprop_button.click()
    assert window.backprop_dock.isVisible()
    qtbot.waitUntil(lambda: window.backprop_view.traced is not None, timeout=TIMEOUT)
    panel.code_button.click()
    qtbot.waitExposed(window.tools.code_window)
    assert panel.formula.tex() == formulas.loss_equation("bce")
    assert panel.derivative.tex() == formulas.loss_derivative("bce")
    assert panel.plot_titles[1].text() == "∂ℓ/∂ŷ" and "ℓ" in panel.loss.toolTip()


def test_a_step_the_run_has_moved_past_is_traced_again_not_applied(window, qtbot):
    view = open_view(qtbot, window)
    stale = view.traced
    window.step_action.trigger()
    qtbot.waitUntil(lambda: latest(window).step == 1, timeout=TIMEOUT)
    window.controller.apply_traced_step(stale)
    qtbot.waitUntil(lambda: view.traced is not stale and "moved on" in view.traced.note,
                    timeout=TIMEOUT)
    assert latest(window).step == 1 and view.traced.step.step == 2


def test_the_view_sits_behind_the_surface_without_a_stray_tab_bar(window, qtbot):
    qtbot.waitUntil(lambda: window.backprop_dock in window.tabifiedDockWidgets(
        window.surface_dock), timeout=TIMEOUT)
    # The dock tab bars (the window's own children) that are on screen.
    bars = [bar for bar in window.findChildren(QTabBar) if bar.parent() is window
            and bar.isVisible() and window.rect().intersects(bar.geometry())]
    texts = sorted(tuple(bar.tabText(i) for i in range(bar.count())) for bar in bars)
    cost_tabs = tuple(dock.windowTitle() for dock in (window.cost_dock,
                      *window.tabifiedDockWidgets(window.cost_dock)))
    assert texts == sorted([cost_tabs, ("Error surface", "Backpropagation", "Sharpness",
                                        "Cost along a line")])
    assert window.selection.highlight is None  # behind its tab, it explains nothing
    window.reset_layout()
    assert window.backprop_dock in window.tabifiedDockWidgets(window.surface_dock)


# --------------------------------------------------------------------------- the parts
def test_formulas_are_set_as_mathematics_and_cached(qtbot):
    every = [line for name in formulas.ACTIVATIONS for line in
             formulas.activation_equation(name) + formulas.activation_derivative(name)]
    every += [line for name in formulas.LOSSES for line in
              formulas.loss_equation(name) + formulas.loss_derivative(name)]
    every += [line for lines in formulas.OPTIMIZERS.values() for line in lines]
    for line in every:
        image = render(line)
        assert not image.isNull() and image.width() > 20
    assert render(r"$\dfrac{1}{n}$") is render(r"$\dfrac{1}{n}$")
    with pytest.raises(MathError):
        render(r"$\frac{1}{$")
    label = MathLabel(r"$\frac{1}{$", plain="1/")
    qtbot.addWidget(label)
    assert label.error and label.text() == "1/"
    wide = MathLabel(formulas.loss_equation("huber")[1], "huber")
    qtbot.addWidget(wide)
    wide.setFixedWidth(180)
    wide.show()
    qtbot.waitExposed(wide)
    assert wide.shown_point_size < wide.point_size  # set smaller to fit, never cut off
    assert wide.pixmap().width() / wide.pixmap().devicePixelRatio() <= 180


@pytest.mark.parametrize("config", [XOR.config, MISTAKE.config, XOR.config.replace(
    loss="bce", optimizer="adam", regularization="l2", reg_rate=0.01),
    Config(dataset="spiral3", n_samples=60, hidden_layers=(5, 4), activation="maxout",
           loss="kl_div", optimizer="rmsprop", regularization="l1", reg_rate=0.01),
    Config(dataset="sine", n_samples=60, hidden_layers=(3,), activation="prelu", loss="rmse",
           optimizer="nesterov")], ids=["xor", "mistake", "bce adam l2", "maxout kl", "rmse"])
def test_every_formula_of_every_stage_can_be_set(qtbot, config):
    trainer = Trainer(config)
    trainer.step(3)
    for stage in stages(trace_next_step(trainer, 1)):
        for line in stage.formulas:
            assert not render(line).isNull(), (stage.key, line)


@pytest.mark.parametrize("task", ["regression", "binary", "multiclass"])
def test_the_panels_set_their_formulas_and_name_losses_as_people_do(qtbot, task):
    from core import activations, losses, optimizers
    from gui.panels import ActivationPanel, LossPanel, OptimizerPanel

    act, loss, opt = ActivationPanel(), LossPanel(), OptimizerPanel()
    for panel in (act, loss, opt):
        qtbot.addWidget(panel)
    for name in activations.names():
        if activations.get(name).hidden_ok:
            act.set_values(name)
            assert act.formula.tex() == formulas.activation_equation(name)
            assert act.derivative.tex() == formulas.activation_derivative(name)
    for name in optimizers.names():
        opt.optimizer.setCurrentIndex(opt.optimizer.findData(name))
        assert opt.formula.tex() == formulas.OPTIMIZERS[name] and opt.formula.error is None
    loss.set_task(task)
    fitting = [n for n in losses.names() if task in losses.get(n).tasks]
    unfit = [losses.get(n).display_name for n in losses.names() if n not in fitting]
    assert loss.unfit_note.text().split("): ", 1)[-1] == ", ".join(unfit)
    for name in fitting:
        loss.loss.setCurrentIndex(loss.loss.findData(name))
        assert loss.formula.tex() == formulas.loss_equation(name)
        assert loss.derivative.tex() == formulas.loss_derivative(name)
        assert name not in loss.output_label.text().split(" — ")[-1].split()  # no code names


def test_the_highlight_is_shared_state_the_diagram_lights_up(qtbot):
    selection = Selection()
    seen = []
    selection.highlight_changed.connect(seen.append)
    lit = Highlight(columns=(1, 2), layers=(1,), direction="backward", part="hidden_delta")
    selection.set_highlight(lit)
    selection.set_highlight(Highlight(columns=(1, 2), layers=(1,), direction="backward",
                                      part="hidden_delta"))  # equal: no second signal
    selection.set_highlight(None)
    assert seen == [lit, None] and selection.highlight is None


def test_formulas_wait_as_plain_text_until_the_window_is_painted(qtbot):
    from PySide6.QtWidgets import QWidget

    from gui.widgets import math

    window = QWidget()
    qtbot.addWidget(window)
    math.defer()
    try:
        label = MathLabel(r"$\sigma(z)$", "σ(z)", parent=window)
        assert label.text() == "σ(z)" and label.pixmap().isNull()
        math.render_after_first_paint(window)
        window.show()
        qtbot.waitUntil(lambda: not label.pixmap().isNull(), timeout=TIMEOUT)
        assert math._waiting is None
        later = MathLabel(r"$\tau$", "τ")  # once the window is up, at once
        qtbot.addWidget(later)
        assert not later.pixmap().isNull()
    finally:
        math.render_deferred()
