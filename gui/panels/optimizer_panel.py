"""Optimizer panel: the update rule, its learning rate (on a log slider), the batch size and the
rule's own settings (momentum, β₁, β₂, ρ, ε), showing only those the rule uses."""
from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QSlider, QWidget

from core import optimizers
from gui import formulas
from gui.panels.base import Panel
from gui.widgets.controls import RangeSpinBox, ScientificSpinBox, compact_combo
from gui.widgets.math import MathLabel

LR_MIN, LR_MAX = 1e-5, 10.0
STEPS_PER_DECADE = 20
LR_SLIDER_MAX = round(math.log10(LR_MAX / LR_MIN) * STEPS_PER_DECADE)
MAX_PANEL_BATCH = 5000

#: The settings an optimizer may take, in display order, with their labels and general tooltips.
HYPERPARAMETERS = {
    "momentum": ("Momentum μ", "Fraction of the previous velocity kept at each step: the update "
                 "keeps rolling in directions the gradient agrees on."),
    "beta1": ("β₁", "Decay of Adam's running mean of the gradient m (its momentum)."),
    "beta2": ("β₂", "Decay of Adam's running mean of g², whose square root scales each weight's step."),
    "rho": ("ρ", "Decay of RMSprop's running mean of g²."),
    "epsilon": ("ε", "Added to the denominator so that a weight with no gradient history does "
                "not divide by zero."),
}


def slider_to_learning_rate(position) -> float:
    """Learning rate at slider ``position``: 10^(−5 + position/20), to two significant digits."""
    value = LR_MIN * 10 ** (position / STEPS_PER_DECADE)
    return float(f"{value:.2g}")


def learning_rate_to_slider(learning_rate) -> int:
    """The slider position nearest (in log scale) to ``learning_rate``."""
    learning_rate = min(max(learning_rate, LR_MIN), LR_MAX)
    return round(math.log10(learning_rate / LR_MIN) * STEPS_PER_DECADE)


class _DecaySpinBox(QDoubleSpinBox):
    """Shows 0.9 rather than 0.9000."""

    def textFromValue(self, value):
        return f"{value:.6g}"


def _decay_spin(maximum=0.9999):
    spin = _DecaySpinBox()
    spin.setDecimals(4)
    spin.setRange(0.0, maximum)  # Config wants [0, 1)
    spin.setSingleStep(0.01)
    spin.setKeyboardTracking(False)
    return spin


class OptimizerPanel(Panel):
    """Owns Config fields optimizer, learning_rate, batch_size, momentum, beta1, beta2, rho and
    epsilon. The settings the chosen optimizer ignores are hidden but keep their values."""

    def __init__(self, parent=None):
        super().__init__("Optimizer", parent)
        self.optimizer = compact_combo()
        for name in optimizers.names():
            cls = optimizers.optimizer_class(name)
            self.optimizer.addItem(cls.display_name, name)
            self.optimizer.setItemData(self.optimizer.count() - 1, cls.formula, Qt.ToolTipRole)
        self.optimizer.setToolTip("The rule that turns the gradient g of the cost into a step "
                                  "of the parameters θ.")
        self.formula = MathLabel(point_size=11.0)
        self.formula.setToolTip("The update applied at every step (g: gradient of the batch "
                                "cost, η: learning rate).")

        self.lr_slider = QSlider(Qt.Horizontal)
        self.lr_slider.setRange(0, LR_SLIDER_MAX)
        self.lr_slider.setPageStep(STEPS_PER_DECADE)
        self.lr_slider.setTickPosition(QSlider.TicksBelow)
        self.lr_slider.setTickInterval(STEPS_PER_DECADE)  # one tick per power of ten
        self.lr_spin = ScientificSpinBox(LR_MIN, LR_MAX, factor=10 ** (1 / STEPS_PER_DECADE))
        self.lr_spin.setMinimumWidth(self.lr_spin.fontMetrics().horizontalAdvance("0.00001") + 30)
        tip = ("η, the learning rate: the step is η times the gradient (or the optimizer's "
               "version of it). Too small: slow; too large: the cost jumps about or diverges. "
               "The slider is logarithmic (ticks at 10⁻⁵, 10⁻⁴, …, 10); type an exact value in "
               "the box.")
        self.lr_slider.setToolTip(tip)
        self.lr_spin.setToolTip(tip)
        self.lr_row = lr_row = QWidget()
        lr_layout = QHBoxLayout(lr_row)
        lr_layout.setContentsMargins(0, 0, 0, 0)
        lr_layout.addWidget(self.lr_slider, 1)
        lr_layout.addWidget(self.lr_spin)

        self.batch_size = RangeSpinBox()
        self.batch_size.setRange(1, MAX_PANEL_BATCH)
        self.batch_size.setKeyboardTracking(False)
        self.batch_size.setToolTip("Training points per step: the gradient is the mean over a "
                                   "mini-batch of this many points. 1 is stochastic gradient "
                                   "descent (noisy steps); all training points is full-batch "
                                   "gradient descent (smooth, but one step per epoch).")

        self.settings = {name: _decay_spin() for name in ("momentum", "beta1", "beta2", "rho")}
        self.settings["beta2"].setDecimals(5)
        self.settings["beta2"].setRange(0.0, 0.99999)
        self.settings["beta2"].setSingleStep(0.001)
        self.settings["epsilon"] = ScientificSpinBox(1e-12, 1.0, factor=10.0)

        form = self.form
        form.addRow("Optimizer", self.optimizer)
        form.addRow(self.formula)
        form.addRow("Learning rate η", lr_row)
        form.addRow("Batch size", self.batch_size)
        for name, spin in self.settings.items():
            form.addRow(HYPERPARAMETERS[name][0], spin)

        self.set_values(optimizer="sgd", learning_rate=0.03, batch_size=10, momentum=0.9,
                        beta1=0.9, beta2=0.999, rho=0.9, epsilon=1e-8)

        self.optimizer.currentIndexChanged.connect(self._on_optimizer_changed)
        self.lr_slider.valueChanged.connect(self._on_lr_slider_changed)
        self.lr_spin.valueChanged.connect(self._on_lr_spin_changed)
        self.batch_size.valueChanged.connect(self._emit_changed_soon)
        for spin in self.settings.values():
            spin.valueChanged.connect(self._emit_changed_soon)

    # ------------------------------------------------------------------ interface
    def values(self) -> dict:
        return {"optimizer": self.optimizer.currentData(),
                "learning_rate": self.lr_spin.value(),
                "batch_size": self.batch_size.value(),
                **{name: spin.value() for name, spin in self.settings.items()}}

    def set_config(self, config):
        with self._silenced():
            self.set_values(optimizer=config.optimizer, learning_rate=config.learning_rate,
                            batch_size=config.batch_size,
                            **{name: getattr(config, name) for name in self.settings})

    def set_values(self, optimizer, learning_rate, batch_size, **settings):
        self.optimizer.setCurrentIndex(max(self.optimizer.findData(optimizer), 0))
        if learning_rate > self.lr_spin.maximum():  # a config from elsewhere may go beyond 10
            self.lr_spin.setMaximum(learning_rate)
        self.lr_spin.setValue(learning_rate)
        self.lr_slider.setValue(learning_rate_to_slider(learning_rate))
        if batch_size > self.batch_size.maximum():
            self.batch_size.setMaximum(batch_size)
        self.batch_size.setValue(batch_size)
        for name, value in settings.items():
            self.settings[name].setValue(value)
        self._update()

    def config_rows(self) -> dict:
        return {"optimizer": [self.optimizer, self.formula], "learning_rate": [self.lr_row],
                "batch_size": [self.batch_size],
                **{name: [spin] for name, spin in self.settings.items()}}

    def _refresh_rows(self):
        self._update()

    def visible_settings(self) -> list:
        """Names of the settings shown for the chosen optimizer."""
        return [name for name in self.settings if self.form.isRowVisible(self.settings[name])]

    # ------------------------------------------------------------------ slots
    def _update(self):
        cls = optimizers.optimizer_class(self.optimizer.currentData())
        # One line per update equation reads better than "a;  b;  c" wrapped anywhere.
        self.formula.set_tex(formulas.OPTIMIZERS[cls.name], cls.formula)
        for name, spin in self.settings.items():
            self.form.setRowVisible(spin, name in cls.defaults)
            tip = cls.descriptions.get(name) or HYPERPARAMETERS[name][1]
            spin.setToolTip(f"{tip} {cls.display_name}'s default: {cls.defaults.get(name, '—')}."
                            if name in cls.defaults else tip)
            label_widget = self.form.labelForField(spin)
            if label_widget is not None:
                label_widget.setToolTip(spin.toolTip())
        self._apply_locks()

    def _on_optimizer_changed(self):
        self._update()
        self._emit_changed()

    def _on_lr_slider_changed(self, position):
        with self._silenced():
            self.lr_spin.setValue(slider_to_learning_rate(position))
        self._emit_changed_soon()

    def _on_lr_spin_changed(self, value):
        with self._silenced():
            self.lr_slider.setValue(learning_rate_to_slider(value))
        self._emit_changed_soon()
