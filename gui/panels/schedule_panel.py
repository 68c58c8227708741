"""Schedule and stopping panel: how the learning rate changes over the steps (with a plot of it)
and the rules that end training. Folded to one summary line until opened: most runs use
neither."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QHBoxLayout, QLabel, QToolButton,
                               QWidget)

from core.config import Config, ConfigError
from core.schedules import FORMULAS, SCHEDULES, Schedule
from gui.panels.base import Panel
from gui.widgets.controls import RangeSpinBox, ScientificSpinBox, compact_combo
from gui.widgets.function_plot import FunctionPlot
from gui.widgets.labels import formula_label, note_label

#: Largest step and epoch counts the spin boxes offer (a Qt spin box holds 32-bit ints).
MAX_COUNT = 10**9
RATE_COLOUR = "#8e44ad"
#: Points of the schedule plot.
PLOT_POINTS = 241

#: Schedule name -> what D and γ are called for it (None: not used).
DECAY_WORDS = {"constant": (None, None),
               "step": ("Drop every D", "Drop factor γ"),
               "exponential": ("×γ every D", "Factor γ"),
               "cosine": ("Length D", None)}

#: What a stopping rule's box holds until the learner sets it.
STARTING_VALUES = {"max_epochs": 100, "max_steps": 10_000, "patience": 10, "target_cost": 0.05}

#: The stopping rules: config field -> (check box text, tooltip).
RULES = {
    "max_epochs": ("After epochs", "Stop once this many passes over the training data are "
                   "complete (max_epochs). Play trains on."),
    "max_steps": ("After steps", "Stop once this many updates are made (max_steps). Play "
                  "trains on."),
    "patience": ("Early stop", "Early stopping (patience): at the end of every epoch, stop when "
                 "the test cost has not fallen by more than min Δ for this many epochs in a "
                 "row; the network is then learning the training set's noise, not the pattern."),
    "target_cost": ("Train cost ≤", "Stop once the training cost is at or below this "
                    "(target_cost; checked at every recorded step and at the end of every "
                    "epoch)."),
}


def schedule_tooltip() -> str:
    """Every schedule's formula (η: the learning rate, d = k − W: steps after the warm-up)."""
    lines = [f"{SCHEDULES[name]}: η_k = {FORMULAS[name]}" for name in SCHEDULES]
    return ("How the learning rate η_k of update k = 0, 1, … changes:\n" + "\n".join(lines)
            + "\nwith d = k − W, the steps after a warm-up of W steps, during which\n"
              "η_k = η·(k + 1)/W rises in a straight line. η_min = floor × η.")


def schedule_curve(config) -> tuple:
    """``(steps, rates)`` of ``config``'s schedule over enough steps to show its shape:
    the warm-up and three periods of a step or exponential decay, the cosine and a little of
    its floor; the rate at every step k is ``Schedule.rate(k)``."""
    schedule = Schedule.from_config(config)
    warmup, length = config.warmup_steps, config.decay_steps
    if config.lr_schedule == "constant":
        end = max(2 * warmup, 100)
    elif config.lr_schedule == "cosine":
        end = warmup + int(1.2 * length)
    else:
        end = warmup + 3 * length
    steps = np.unique(np.linspace(0, end, PLOT_POINTS).astype(np.int64))
    return steps, schedule.rates(steps)


def _count_spin(minimum=1, suffix=""):
    spin = RangeSpinBox()
    spin.setRange(minimum, MAX_COUNT)
    spin.setKeyboardTracking(False)
    spin.setSuffix(suffix)
    return spin


class SchedulePanel(Panel):
    """Owns Config fields lr_schedule, warmup_steps, decay_steps, decay_rate, min_lr_fraction,
    max_epochs, max_steps, patience, min_delta, restore_best_weights and target_cost.

    Folded (:meth:`expand`) it shows one line saying what is set."""

    def __init__(self, parent=None):
        super().__init__("Schedule and stopping", parent)
        self._learning_rate = Config.learning_rate  # the plot's scale (the Optimizer panel's η)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.toggle = QToolButton()
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.toggle.setToolTip("Show or hide the learning-rate schedule and the stopping rules.")
        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.summary, 1)
        top_layout.addWidget(self.toggle, 0, Qt.AlignTop)
        self.form.addRow(top)

        self.body = QWidget()
        form = QFormLayout(self.body)
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(5)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.body_form = form
        self.form.addRow(self.body)

        self.schedule = compact_combo()
        for name, text in SCHEDULES.items():
            self.schedule.addItem(text, name)
            self.schedule.setItemData(self.schedule.count() - 1, f"η_k = {FORMULAS[name]}",
                                      Qt.ToolTipRole)
        self.schedule.setToolTip(schedule_tooltip())
        self.formula = formula_label()
        self.formula.setToolTip(schedule_tooltip())
        self.warmup = _count_spin(0, " steps")
        self.warmup.setToolTip("Linear warm-up over W steps: update k < W uses η·(k + 1)/W, "
                               "so the first, largest gradients take small steps; 0 for none.")
        self.decay_steps = _count_spin(1, " steps")
        self.decay_steps.setToolTip("D. Step decay: steps between two drops by γ. Exponential: "
                                    "steps over which η shrinks by a factor γ. Cosine: steps "
                                    "from η down to its floor.")
        self.decay_rate = ScientificSpinBox(1e-4, 1.0, factor=10 ** 0.1)
        self.decay_rate.setToolTip("γ in (0, 1]: the factor of each drop (step) or of every D "
                                   "steps (exponential).")
        self.floor = ScientificSpinBox(0.0, 1.0, factor=10 ** 0.25, first_step=0.01)
        self.floor.setToolTip("Where the cosine ends, as a share of η: η_min = floor·η "
                              "(min_lr_fraction).")
        self.plot = FunctionPlot("step")
        self.plot.getPlotItem().getAxis("bottom").enableAutoSIPrefix(False)
        self.plot.setToolTip("The learning rate of every update k from the first step, as the "
                             "schedule sets it (η of the Optimizer panel at the top).")
        form.addRow("Schedule", self.schedule)
        form.addRow(self.formula)
        form.addRow("Warm-up W", self.warmup)
        form.addRow(DECAY_WORDS["step"][0], self.decay_steps)
        form.addRow(DECAY_WORDS["step"][1], self.decay_rate)
        form.addRow("Floor η_min/η", self.floor)
        form.addRow(self.plot)

        stop_title = QLabel("<b>Stop training</b>")
        stop_title.setToolTip("Rules that pause training; Play (or Step) trains on.")
        form.addRow(stop_title)
        self.checks, self.spins = {}, {}
        self.spins["max_epochs"] = _count_spin(1, " epochs")
        self.spins["max_steps"] = _count_spin(1, " steps")
        self.spins["patience"] = _count_spin(1, " epochs")
        self.spins["target_cost"] = ScientificSpinBox(-1e9, 1e9, factor=10 ** 0.25,
                                                      first_step=0.01)
        # What a box offers when its rule is turned on (nothing is set while it is off).
        for field, value in STARTING_VALUES.items():
            self.spins[field].setValue(value)
        for field, (text, tip) in RULES.items():
            check = QCheckBox(text)
            check.setToolTip(tip)
            self.spins[field].setToolTip(tip)
            self.checks[field] = check
            form.addRow(check, self.spins[field])
            check.toggled.connect(self._on_rule_toggled)
        self.min_delta = ScientificSpinBox(0.0, 1e9, factor=10.0, first_step=1e-4)
        self.min_delta.setToolTip("The least fall of the test cost that counts as an "
                                  "improvement (min_delta).")
        self.restore = QCheckBox("Restore best weights")
        self.restore.setToolTip("When early stopping stops, go back to the weights of the "
                                "epoch with the lowest test cost (restore_best_weights).")
        form.insertRow(form.rowCount() - 1, "Min Δ", self.min_delta)
        form.insertRow(form.rowCount() - 1, "", self.restore)
        self.stop_note = note_label("Play or Step after a stop trains on.")
        form.addRow(self.stop_note)

        self.set_config_values(lr_schedule="constant", warmup_steps=0, decay_steps=1000,
                               decay_rate=0.5, min_lr_fraction=0.0, max_epochs=None,
                               max_steps=None, patience=None, min_delta=0.0,
                               restore_best_weights=False, target_cost=None)
        self.expand(False)

        self.toggle.toggled.connect(self.expand)
        self.schedule.currentIndexChanged.connect(self._on_schedule_changed)
        for spin in (self.warmup, self.decay_steps, self.decay_rate, self.floor,
                     self.min_delta, *self.spins.values()):
            spin.valueChanged.connect(self._on_value_changed)
        self.restore.toggled.connect(self._emit_changed)

    # ------------------------------------------------------------------ interface
    def values(self) -> dict:
        out = {"lr_schedule": self.schedule.currentData(),
               "warmup_steps": self.warmup.value(), "decay_steps": self.decay_steps.value(),
               "decay_rate": self.decay_rate.value(), "min_lr_fraction": self.floor.value(),
               "min_delta": self.min_delta.value(),
               "restore_best_weights": self.restore.isChecked()}
        for field, check in self.checks.items():
            out[field] = self.spins[field].value() if check.isChecked() else None
        return out

    def set_config(self, config):
        with self._silenced():
            self._learning_rate = config.learning_rate
            self.set_config_values(**{field: getattr(config, field) for field in self.values()})

    def set_config_values(self, **values):
        self.schedule.setCurrentIndex(max(self.schedule.findData(values["lr_schedule"]), 0))
        self.warmup.setValue(values["warmup_steps"])
        self.decay_steps.setValue(values["decay_steps"])
        self.decay_rate.setValue(values["decay_rate"])
        self.floor.setValue(values["min_lr_fraction"])
        self.min_delta.setValue(values["min_delta"])
        self.restore.setChecked(values["restore_best_weights"])
        for field, check in self.checks.items():
            check.setChecked(values[field] is not None)
            if values[field] is not None:
                self.spins[field].setValue(values[field])
        self._update()

    def expand(self, on=True):
        """Show (or fold away) everything but the summary line."""
        self.body.setVisible(bool(on))
        if self.toggle.isChecked() != bool(on):
            self.toggle.setChecked(bool(on))
        self.toggle.setArrowType(Qt.DownArrow if on else Qt.RightArrow)
        self.toggle.setText("Hide" if on else "Show")

    @property
    def expanded(self) -> bool:
        return self.body.isVisibleTo(self)

    def summary_text(self) -> str:
        """One line: the schedule and the rules that are on."""
        values = self.values()
        name = values["lr_schedule"]
        parts = ["constant η" if name == "constant" else SCHEDULES[name].lower()]
        if values["warmup_steps"]:
            parts[0] += f", warm-up {values['warmup_steps']:,}"
        rules = []
        if values["max_epochs"] is not None:
            rules.append(f"after {values['max_epochs']:,} epochs")
        if values["max_steps"] is not None:
            rules.append(f"after {values['max_steps']:,} steps")
        if values["patience"] is not None:
            rules.append(f"early stopping ({values['patience']})")
        if values["target_cost"] is not None:
            rules.append(f"at cost ≤ {values['target_cost']:g}")
        parts.append("stop " + ", ".join(rules) if rules else "no stopping rule")
        return " · ".join(parts)

    # ------------------------------------------------------------------ slots
    def config_rows(self) -> dict:
        return {"lr_schedule": [self.schedule, self.formula], "warmup_steps": [self.warmup],
                "decay_steps": [self.decay_steps], "decay_rate": [self.decay_rate],
                "min_lr_fraction": [self.floor], "min_delta": [self.min_delta],
                "restore_best_weights": [self.restore],
                **{field: [spin] for field, spin in self.spins.items()}}

    def _refresh_rows(self):
        self._update()

    def _update(self):
        name = self.schedule.currentData()
        decay, rate = DECAY_WORDS[name]
        form = self.body_form
        form.setRowVisible(self.decay_steps, decay is not None)
        form.setRowVisible(self.decay_rate, rate is not None)
        form.setRowVisible(self.floor, name == "cosine")
        for widget, text in ((self.decay_steps, decay), (self.decay_rate, rate)):
            label = form.labelForField(widget)
            if text is not None and label is not None:
                label.setText(text)
                label.setToolTip(widget.toolTip())
        warm = " after a warm-up η·(k + 1)/W" if self.warmup.value() else ""
        self.formula.setText(f"η_k = {FORMULAS[name]}{warm}")
        early = self.checks["patience"].isChecked()
        for field, check in self.checks.items():
            self.spins[field].setEnabled(check.isChecked())
        self.min_delta.setEnabled(early)
        self.restore.setEnabled(early)
        self.summary.setText(self.summary_text())
        self.summary.setToolTip(self.summary_text())
        self._plot()
        self._apply_locks()

    def _plot(self):
        try:
            config = Config(learning_rate=self._learning_rate,
                            **{k: v for k, v in self.values().items()
                               if k in ("lr_schedule", "warmup_steps", "decay_steps",
                                        "decay_rate", "min_lr_fraction")})
        except ConfigError:  # e.g. a rate the spin box allows but Config does not: no curve
            return
        steps, rates = schedule_curve(config)
        self.plot.set_curves(steps, [(rates, RATE_COLOUR, False)],
                             y_range=(0.0, self._learning_rate))

    def _on_schedule_changed(self):
        self._update()
        self._emit_changed()

    def _on_rule_toggled(self):
        self._update()
        self._emit_changed()

    def _on_value_changed(self):
        self._update()
        self._emit_changed_soon()
