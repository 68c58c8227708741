"""Loss and cost panel: the loss (only those that fit the task), the output activation it
implies, the loss ℓ of one example and its derivative ∂ℓ/∂ŷ as formulas and as plots against the
prediction, regularization and the cost C, and the way to backpropagation and the code.

One notation, as everywhere in the app: ℓ is the loss of one example (for several outputs, a
mean over the output columns, or a sum over the classes for the cross-entropies), C the cost
that training lowers: the mean of ℓ over the examples, plus the penalty."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from core import activations, losses
from core.config import DEFAULT_LOSS, output_activation_for
from gui import formulas, style
from gui.panels.base import Panel
from gui.panels.output_reasons import output_reason, override_reason
from gui.widgets.controls import ScientificSpinBox, compact_combo
from gui.widgets.function_plot import FunctionPlot
from gui.widgets.labels import note_label
from gui.widgets.math import MathLabel

#: Curve colours for the two targets, the Playground's class colours.
TARGET_COLOURS = {0: style.CLASS_0, 1: style.CLASS_1}
TASK_WORDS = {"regression": "regression", "binary": "binary classification",
              "multiclass": "multi-class classification"}

#: Why a loss fits only some tasks (shown on the disabled entries).
FIT_REASONS = {
    "me": "on probabilities it cannot run away (ŷ ≤ 1), and with softmax each row's errors "
          "cancel to exactly 0: its lesson, a cost with no minimum, needs a regression output",
    "msle": "it compares ln(1 + y) with ln(1 + ŷ): meant for non-negative amounts, not labels",
    "bce": "it scores one probability of class 1 per point",
    "cce": "it needs one predicted probability per class (one-hot targets)",
    "sparse_cce": "it needs one predicted probability per class (integer class targets)",
    "kl_div": "it compares two probability distributions over the classes",
    "hinge": "it scores the sign of one raw output, with labels mapped to −1 and +1",
    "squared_hinge": "it scores the sign of one raw output, with labels mapped to −1 and +1",
}
REGULARIZATION_TEXT = {
    "none": ("None", "C = mean ℓ", "No penalty: the cost C is the mean of ℓ over the batch."),
    "l1": ("L1", "C = mean ℓ + λ·Σ|W|",
           "Adds λ·Σ|W| over all weights (not biases); its gradient λ·sign(W) pushes small "
           "weights to exactly 0, giving sparse networks."),
    "l2": ("L2", "C = mean ℓ + (λ/2)·ΣW²",
           "Adds (λ/2)·ΣW² over all weights (not biases); its gradient λ·W shrinks every weight "
           "in proportion to its size (weight decay)."),
}
#: Size of the panel's formulas (points): the column is narrow.
FORMULA_POINTS = 11.0


def loss_curves(loss, output_activation="sigmoid", n=121):
    """Loss of one example and its derivative against the prediction, for targets 0 and 1.

    For a loss over class probabilities (cce, sparse_cce, kl_div) the x axis is the probability
    ŷ₁ of class 1 out of two classes, prediction ``[1 − ŷ₁, ŷ₁]``; the derivative is then the
    total derivative dℓ/dŷ₁. Otherwise x is the single output ŷ, over the output
    activation's range (clipped to a window around the targets).

    Returns
    -------
    x : (n,) array; curves : {target: (loss (n,), derivative (n,))}
    """
    if loss.tasks == frozenset({"multiclass"}):
        x = np.linspace(0.01, 0.99, n)
    else:
        window = (-2.5, 2.5) if loss.threshold == 0.0 else (-1.5, 2.5)
        low, high = activations.get(output_activation).output_range
        if low > -np.inf and high < np.inf:  # stay just inside a bounded range such as (0, 1)
            margin = 0.01 * (high - low)
            low, high = low + margin, high - margin
        x = np.linspace(max(low, window[0]), min(high, window[1]), n)
    result = {}
    for target in (0, 1):
        values, slopes = np.empty(n), np.empty(n)
        for i, xi in enumerate(x):
            # One example at a time: that is what "the loss of a prediction" means, and it keeps
            # rmse right (its cost is the root of a mean, not a mean).
            if loss.tasks == frozenset({"multiclass"}):
                y_pred = np.array([[1.0 - xi, xi]])
                y_true = np.array([[float(target)]]) if loss.sparse else \
                    np.array([[1.0 - target, float(target)]])
                grad = loss.gradient(y_true, y_pred)
                slopes[i] = grad[0, 1] - grad[0, 0]
            else:
                y_pred, y_true = np.array([[xi]]), np.array([[float(target)]])
                slopes[i] = loss.gradient(y_true, y_pred)[0, 0]
            values[i] = loss.cost(y_true, y_pred)
        result[target] = (values, slopes)
    return x, result


class LossPanel(Panel):
    """Owns Config fields loss, output_activation, regularization and reg_rate.

    ``set_task(task)`` enables only the losses that fit (the others stay listed, greyed out,
    with a tooltip saying why). It emits nothing; when the chosen loss does not fit the new
    task it switches to the task's default, so read ``values()`` after calling it.

    Signals ``backprop_requested`` and ``code_requested``: the learner asked to see where the
    cost enters backpropagation, or the code behind the run.
    """

    backprop_requested = Signal()
    code_requested = Signal()

    def __init__(self, parent=None):
        super().__init__("Loss and cost", parent)
        self._task = "binary"
        self._output_override = None  # an output activation set by a config, not by the loss

        self.loss = compact_combo()
        for name in losses.names():
            self.loss.addItem(losses.get(name).display_name, name)
        self.loss.setToolTip("The loss ℓ(y, ŷ) scores one prediction ŷ against its target y. "
                             "Training lowers the cost C: the mean of ℓ over a batch. Its "
                             "derivative ∂ℓ/∂ŷ is where backpropagation starts.")
        self.unfit_note = note_label()
        self.formula = MathLabel(point_size=FORMULA_POINTS)
        self.formula.setToolTip("The loss ℓ of one example (y: its target, ŷ: the prediction; "
                                "j counts the k outputs).")
        self.derivative = MathLabel(point_size=FORMULA_POINTS)
        self.derivative.setToolTip("The derivative of the loss: how ℓ changes as the prediction "
                                   "moves. Backpropagation starts from it (divided by n, as C is "
                                   "a mean over n examples).")
        self.output_label = QLabel()
        self.output_label.setWordWrap(True)
        self.output_label.setToolTip("The output layer's activation is tied to the loss: the "
                                     "loss assumes its predictions have a certain range.")

        self.loss_plot = FunctionPlot("ŷ")
        self.loss_plot.setToolTip("The loss of one example as its prediction ŷ varies, for "
                                  "target y = 0 (orange) and y = 1 (blue).")
        self.slope_plot = FunctionPlot("ŷ")
        self.slope_plot.setToolTip("The derivative ∂ℓ/∂ŷ: how hard, and which way, gradient "
                                   "descent pushes the prediction. Flat regions teach nothing.")
        self.plot_titles = (QLabel("ℓ(y, ŷ)"), QLabel("∂ℓ/∂ŷ"))
        self.legend = QLabel(f"<span style='color:{TARGET_COLOURS[0]}'>━ y = 0</span>&nbsp;&nbsp;"
                             f"<span style='color:{TARGET_COLOURS[1]}'>━ y = 1</span>")
        self.plots = plots = QWidget()
        grid = QGridLayout(plots)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(0)
        for column, (title, plot) in enumerate(zip(self.plot_titles, (self.loss_plot,
                                                                        self.slope_plot))):
            title.setAlignment(Qt.AlignCenter)
            grid.addWidget(title, 0, column)
            grid.addWidget(plot, 1, column)
        grid.addWidget(self.legend, 2, 0, 1, 2)
        grid.setColumnStretch(2, 1)
        # The two ways on: where ℓ's derivative enters a real step, and the code that has it.
        self.backprop_button = QPushButton("Backpropagation…")
        self.backprop_button.setToolTip(
            "Walk through one training step with its numbers (Ctrl+B): ∂ℓ/∂ŷ is where "
            "backpropagation starts, at the output delta.")
        self.backprop_button.clicked.connect(self.backprop_requested)
        self.code_button = QPushButton("Code…")
        self.code_button.setToolTip("The code behind the run (Ctrl+K): the cost function is in "
                                    "section 4, its derivative in section 5.")
        self.code_button.clicked.connect(self.code_requested)
        buttons = QWidget()
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.backprop_button)
        row.addWidget(self.code_button)
        row.addStretch(1)

        self.regularization = compact_combo()
        for key, (text, _formula, tip) in REGULARIZATION_TEXT.items():
            self.regularization.addItem(text, key)
            self.regularization.setItemData(self.regularization.count() - 1, tip, Qt.ToolTipRole)
        self.regularization.setToolTip("A penalty on large weights added to the cost, to fight "
                                       "overfitting. L1: λ·Σ|W|; L2: (λ/2)·ΣW².")
        self.reg_rate = ScientificSpinBox(0.0, 10.0, factor=10 ** 0.5, first_step=0.001)
        self.reg_rate.setToolTip("λ, the regularization rate: how much the weight penalty "
                                 "counts against the mean loss. Too large and every weight "
                                 "is pushed to 0 (underfitting).")
        self.cost_formula = MathLabel(point_size=FORMULA_POINTS)
        self.cost_formula.setToolTip("The cost C that training lowers: the mean of the n "
                                     "examples' losses ℓᵢ, plus the penalty on the weights.")

        form = self.form
        form.addRow("Loss", self.loss)
        form.addRow(self.unfit_note)
        form.addRow(self.formula)
        form.addRow(self.output_label)
        form.addRow(plots)
        form.addRow(self.derivative)
        form.addRow("Regularization", self.regularization)
        form.addRow("Rate λ", self.reg_rate)
        form.addRow(self.cost_formula)
        form.addRow(buttons)

        self.set_task("binary")
        self.set_values("bce", None, "none", 0.0)

        self.loss.currentIndexChanged.connect(self._on_loss_changed)
        self.regularization.currentIndexChanged.connect(self._on_regularization_changed)
        self.reg_rate.valueChanged.connect(self._emit_changed_soon)

    # ------------------------------------------------------------------ interface
    def values(self) -> dict:
        return {"loss": self.loss.currentData(),
                "output_activation": self.output_activation(),
                "regularization": self.regularization.currentData(),
                "reg_rate": self.reg_rate.value()}

    def config_rows(self) -> dict:
        return {"loss": [self.loss, self.unfit_note, self.formula, self.output_label,
                         self.plots],
                "regularization": [self.regularization, self.cost_formula],
                "reg_rate": [self.reg_rate]}

    def _refresh_rows(self):
        self.set_task(self._task)  # shows the note on unfit losses as it should be

    def output_activation(self) -> str:
        return self._output_override or output_activation_for(self.loss.currentData(), self._task)

    def task(self) -> str:
        return self._task

    def output_reason(self) -> str:
        """Why the output layer uses :meth:`output_activation` (for the activation panel)."""
        if self._output_override:
            return override_reason(self.loss.currentData(), self._task)
        return output_reason(self.loss.currentData(), self._task)

    def set_task(self, task):
        """Offer only the losses that fit ``task``; emits nothing."""
        if task not in TASK_WORDS:
            raise ValueError(f"unknown task {task!r}")
        if task != self._task:
            self._output_override = None
        self._task = task
        model = self.loss.model()
        unfit = []
        for row in range(self.loss.count()):
            name = self.loss.itemData(row)
            loss = losses.get(name)
            fits = task in loss.tasks
            model.item(row).setEnabled(fits)
            if fits:
                tip = loss.formula
            else:
                unfit.append(name)
                where = " or ".join(TASK_WORDS[t] for t in ("regression", "binary", "multiclass")
                                    if t in loss.tasks)
                tip = (f"Not for {TASK_WORDS[task]}: {loss.display_name} fits {where} only; "
                       f"{FIT_REASONS.get(name, 'it does not fit this task')}.")
            self.loss.setItemData(row, tip, Qt.ToolTipRole)
        self.unfit_note.setText(f"Greyed out (do not fit {TASK_WORDS[task]}; hover for why): "
                                + ", ".join(losses.get(name).display_name for name in unfit)
                                if unfit else "")
        self.unfit_note.setVisible(bool(unfit))
        if task not in losses.get(self.loss.currentData()).tasks:
            with self._silenced():
                self.loss.setCurrentIndex(self.loss.findData(DEFAULT_LOSS[task]))
        self._update()

    def set_config(self, config):
        """Show ``config``'s loss settings (its task too); emits nothing."""
        with self._silenced():
            if config.task:
                self.set_task(config.task)
            self.set_values(config.loss, config.output_activation, config.regularization,
                            config.reg_rate)

    def set_values(self, loss, output_activation, regularization, reg_rate):
        loss = loss or DEFAULT_LOSS[self._task]
        self.loss.setCurrentIndex(max(self.loss.findData(loss), 0))
        # An output activation other than the loss's own choice (a hand-written config) is kept
        # until the loss or the task changes.
        auto = output_activation_for(self.loss.currentData(), self._task)
        self._output_override = output_activation if output_activation not in (None, auto) else None
        self.regularization.setCurrentIndex(max(self.regularization.findData(regularization), 0))
        self.reg_rate.setValue(reg_rate)
        self._update()

    # ------------------------------------------------------------------ display
    def _update(self):
        name = self.loss.currentData()
        loss = losses.get(name)
        self.formula.set_tex(formulas.loss_equation(name), f"ℓ = {loss.formula}")
        derivative = "∂C/∂ŷ" if name == "rmse" else "∂ℓ/∂ŷ"
        self.derivative.set_tex(formulas.loss_derivative(name),
                                f"{derivative} of {loss.display_name.lower()}")
        output = self.output_activation()
        display = activations.get(output).display_name
        self.output_label.setText(f"Output: <b>{display}</b> — {self.output_reason()}")
        self._update_plots(loss, output)
        reg = self.regularization.currentData()
        self.reg_rate.setEnabled(reg != "none")
        self.cost_formula.set_tex(formulas.cost(name, reg), REGULARIZATION_TEXT[reg][1])
        self._apply_locks()

    def _update_plots(self, loss, output):
        x, curves = loss_curves(loss, output)
        self.loss_plot.set_curves(x, [(curves[t][0], TARGET_COLOURS[t], False) for t in (0, 1)],
                                  y_limit=(-6, 6))
        self.slope_plot.set_curves(x, [(curves[t][1], TARGET_COLOURS[t], False) for t in (0, 1)],
                                   y_limit=(-6, 6))
        two_class = loss.tasks == frozenset({"multiclass"})
        x_name = "ŷ₁" if two_class else "ŷ"
        for plot in (self.loss_plot, self.slope_plot):
            plot.set_x_label(x_name)
        self.plot_titles[0].setText(f"ℓ(y, {x_name})")
        self.plot_titles[1].setText(f"∂ℓ/∂{x_name}")
        self.legend.setText(
            f"<span style='color:{TARGET_COLOURS[0]}'>━ y = 0</span>&nbsp;&nbsp;"
            f"<span style='color:{TARGET_COLOURS[1]}'>━ y = 1</span>"
            + ("&nbsp;&nbsp;(2 classes; ŷ₁ = P(class 1))" if two_class else ""))

    # ------------------------------------------------------------------ slots
    def _on_loss_changed(self):
        self._output_override = None
        self._update()
        self._emit_changed()

    def _on_regularization_changed(self):
        # Switching a penalty on at rate 0 would change nothing; start it at the Playground's 0.001.
        if self.regularization.currentData() != "none" and self.reg_rate.value() == 0:
            with self._silenced():
                self.reg_rate.setValue(0.001)
        self._update()
        self._emit_changed()
