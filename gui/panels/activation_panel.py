"""Activation panel: the hidden layers' activation, its formula and a plot of f and f′."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from core import activations
from gui import formulas
from gui.panels.base import Panel
from gui.panels.output_reasons import config_output_reason, output_reason
from gui.widgets.controls import compact_combo
from gui.widgets.function_plot import FunctionPlot
from gui.widgets.labels import note_label
from gui.widgets.math import MathLabel

F_COLOUR, DF_COLOUR = "#0877bd", "#d62728"
_Z = np.linspace(-4.0, 4.0, 241)
#: How the activations that are not plain functions of one z are drawn.
PRELU_PLOT_SLOPE = 0.25
MAXOUT_PLOT_SECOND_PIECE = 0.5

NOTES = {
    "linear": "Stacked linear layers collapse into one linear map: with only linear neurons the "
              "boundary stays straight.",
    "step": "f′ is 0 wherever it exists, so no gradient flows back through this layer: the "
            "weights before it never learn.",
    "sigmoid": "f′ ≤ 0.25, and it shrinks towards 0 for large |z|: deep sigmoid stacks make "
               "gradients vanish.",
    "relu": "f′ is 0 for z < 0: a neuron whose z stays negative is 'dead' and stops learning.",
    "prelu": f"Drawn with slope a = {PRELU_PLOT_SLOPE} for z < 0 (its starting value); the "
             "network learns one slope a per neuron.",
    "maxout": f"Each neuron takes the larger of two learned lines z₁ = x·W + b and z₂ = x·W′ + b′. "
              f"Drawn as max(z, {MAXOUT_PLOT_SECOND_PIECE}·z); f′ = 1 where z₁ wins.",
}


def _format_bound(x) -> str:
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if abs(x - math.pi / 2) < 1e-12:
        return "π/2"
    if abs(x + math.pi / 2) < 1e-12:
        return "−π/2"
    return f"{x:.3g}".replace("-", "−")


def range_text(act) -> str:
    low, high = act.output_range
    return f"({_format_bound(low)}, {_format_bound(high)})"


def formula_text(act) -> str:
    """The formula as an equation, e.g. ``f(z) = max(0, z)``."""
    if act.name == "maxout":
        return f"f(z₁, z₂) = {act.formula}"
    # Some formulas already name the function ("σ(z) = ..."); the others are right-hand sides.
    if " = " in act.formula and act.formula.split(" = ")[0].endswith("(z)"):
        return act.formula
    return f"f(z) = {act.formula}"


def curves(act, z=_Z):
    """``(f(z), f′(z))`` for plotting; prelu and maxout are drawn as described in NOTES."""
    if act.name == "prelu":
        return act(z, PRELU_PLOT_SLOPE), act.derivative(z, PRELU_PLOT_SLOPE)
    if act.name == "maxout":
        pieces = np.stack([z, MAXOUT_PLOT_SECOND_PIECE * z], axis=-1)
        mask = act.derivative(pieces)
        # Chain rule through the two pieces: d/dz max(z, c·z) = mask₁·1 + mask₂·c.
        return act(pieces), mask[..., 0] + MAXOUT_PLOT_SECOND_PIECE * mask[..., 1]
    return act(z), act.derivative(z)


class ActivationPanel(Panel):
    """Owns Config field activation (the hidden layers'; softmax is output-only, so not offered).

    ``set_output_activation(name, reason="")`` shows which activation the output layer uses; the
    loss panel decides it, the main window passes it on.
    """

    def __init__(self, parent=None):
        super().__init__("Activation", parent)
        self.activation = compact_combo()
        for name in activations.names():
            act = activations.get(name)
            if not act.hidden_ok:
                continue
            self.activation.addItem(act.display_name, name)
            self.activation.setItemData(self.activation.count() - 1, formula_text(act),
                                        Qt.ToolTipRole)
        self.activation.setToolTip("The function f applied to every hidden neuron: a = f(z) with "
                                   "z = x·W + b. It is what lets the network bend its boundary; "
                                   "backpropagation multiplies the gradient by f′(z) at each layer.")
        self.formula = MathLabel(point_size=11.0)
        self.formula.setToolTip("Formula of the activation f, applied to each neuron's z.")
        self.derivative = MathLabel(point_size=11.0)
        self.derivative.setToolTip("Its derivative f′(z): backpropagation multiplies the "
                                   "gradient by it at every layer on the way back.")
        self.range_label = QLabel()
        self.range_label.setToolTip("The values f can output.")
        self.plot = FunctionPlot("z")
        self.plot.setToolTip("f(z) (solid) and its derivative f′(z) (dashed) for z in [−4, 4]. "
                             "Where f′ is near 0 the gradient fades as it flows back.")
        self.legend = QLabel(f"<span style='color:{F_COLOUR}'>━ f(z)</span>&nbsp;&nbsp;"
                             f"<span style='color:{DF_COLOUR}'>╍ f′(z)</span>")
        self.note = note_label()
        self.output_note = note_label()
        self.output_note.setToolTip("The output layer's activation is not chosen here: it must "
                                    "match what the loss expects (see Loss and cost).")

        form = self.form
        form.addRow("Hidden", self.activation)
        form.addRow(self.formula)
        form.addRow(self.derivative)
        form.addRow(self.range_label)
        form.addRow(self.plot)
        form.addRow(self.legend)
        form.addRow(self.note)
        form.addRow(self.output_note)

        self.set_values("tanh")
        self.set_output_activation("sigmoid", output_reason("bce", "binary"))
        self.activation.currentIndexChanged.connect(self._on_activation_changed)

    # ------------------------------------------------------------------ interface
    def values(self) -> dict:
        return {"activation": self.activation.currentData()}

    def config_rows(self) -> dict:
        return {"activation": [self.activation, self.formula, self.range_label, self.plot,
                               self.legend, self.note]}

    def _refresh_rows(self):
        self._update()

    def set_config(self, config):
        with self._silenced():
            self.set_values(config.activation)
            if config.output_activation and config.loss and config.task:
                self.set_output_activation(config.output_activation,
                                           config_output_reason(config))

    def set_values(self, activation):
        index = self.activation.findData(activation)
        if index >= 0:
            self.activation.setCurrentIndex(index)
        self._update()

    def set_output_activation(self, name, reason=""):
        """Show that the output layer uses ``name``, and why (``reason``, a phrase)."""
        act = activations.get(name)
        self.output_note.setText(f"Output layer: {act.display_name} — "
                                 + (f"{reason}." if reason else "it follows the loss (see Loss "
                                                                "and cost)."))

    # ------------------------------------------------------------------ slots
    def _update(self):
        act = activations.get(self.activation.currentData())
        self.formula.set_tex(formulas.activation_equation(act.name), formula_text(act))
        self.derivative.set_tex(formulas.activation_derivative(act.name),
                                f"f′(z) of {act.display_name}")
        self.range_label.setText(f"Range {range_text(act)}")
        f, df = curves(act)
        self.plot.set_curves(_Z, [(f, F_COLOUR, False), (df, DF_COLOUR, True)], y_limit=(-3, 4.2))
        self.note.setText(NOTES.get(act.name, ""))
        self.note.setVisible(act.name in NOTES)
        self._apply_locks()

    def _on_activation_changed(self):
        self._update()
        self._emit_changed()
