"""The cost curve: train and test cost against epoch, live, with its parts and the accuracy.

The readout above the plot spells the cost out as its parts for the newest step::

    train cost 0.2345 = mean loss 0.2301 + regularization 0.0044      test cost 0.2512

A dashed line shows the regularization term over time when it is non-zero. For classification
a second, smaller plot below (sharing the epoch axis) shows train and test accuracy. Hovering
shows the values at the epoch under the mouse.

Compare runs: "Pin run" keeps the current train-cost curve (dashed, in a colour of its own; up to
``MAX_PINS``) across resets and changes of settings. A line above the plot names what each one
differs in from the current settings (``run 1: loss: mse (now bce)``), so a learner can change one
thing, press Reset (the initial weights are drawn again from the same seed) and watch the runs
race. (Listed above the plot rather than in its legend, where long names would hide the curves.)
"""
from __future__ import annotations

import dataclasses
import html
import math
import os

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QMenu, QSizePolicy, QToolButton,
                               QVBoxLayout, QWidget)

from gui import style
from gui.numbers import format_number


def _fmt(value) -> str:
    return format_number(value, 4, fixed=True)


#: Curves are 1 px wide: Qt draws antialiased 1-px lines on a fast path, five times faster than
#: 2 px (measured: 1.0 ms vs 5.5 ms per repaint of the cost plot), which is most of a frame.
LINE_WIDTH = 1

_NICE_Y = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
_NICE_X = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_ceil(x, steps=_NICE_Y) -> float:
    """The smallest ``step · 10^k`` >= ``x`` (x > 0): round numbers for axis ends."""
    exponent = 10.0 ** math.floor(math.log10(x))
    for step in steps:
        if step * exponent >= x * (1 - 1e-12):
            return step * exponent
    return 10.0 * exponent


class FixedLabel(QWidget):
    """A rich-text label whose changing text never relayouts the window.

    A QLabel asks its parent's layout to recompute at every setText (unless its size is fixed
    both ways), and a relayout repaints the whole window: at 30 frames a second that doubles
    the cost of drawing. Here the QLabel sits alone in a plain widget that has no layout, and
    this widget keeps the fixed height of ``lines`` lines.
    """

    def __init__(self, lines=1, parent=None):
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.RichText)
        self.label.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self._lines = lines
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.fit_height("<br>".join(["Xg"] * lines))

    def fit_height(self, sample):
        """Fix the height to what ``sample`` (rich text) needs."""
        old = self.label.text()
        self.label.setText(sample)
        self.setFixedHeight(self.label.sizeHint().height())
        self.label.setText(old)

    def setText(self, text):
        if self.label.text() != text:
            self.label.setText(text)

    def text(self) -> str:
        return self.label.text()

    def resizeEvent(self, event):
        self.label.setGeometry(0, 0, self.width(), self.height())
        super().resizeEvent(event)


def _set_text(label, text):
    if label.text() != text:
        label.setText(text)


#: Pinned runs kept at most; pinning one more lets the oldest go.
MAX_PINS = 6
#: Colours of pinned runs: distinct from the train/test/regularization curves and the classes.
PIN_COLOURS = ("#8e44ad", "#16a085", "#9a7d0a", "#c2185b", "#6d4c41", "#558b2f")

# Config fields a pinned run's label compares, in the order a learner thinks of them, and what
# to call them. Optimizer settings count only when both runs' optimizers have them.
_COMPARED = (("dataset", "data"), ("data_path", "file"), ("n_samples", "examples"),
             ("noise", "noise"), ("train_fraction", "train fraction"), ("seed", "seed"),
             ("features", "features"), ("hidden_layers", "hidden layers"),
             ("activation", "activation"), ("output_activation", "output"), ("loss", "loss"),
             ("init", "init"), ("optimizer", "optimizer"), ("learning_rate", "learning rate"),
             ("momentum", "μ"), ("rho", "ρ"), ("beta1", "β₁"), ("beta2", "β₂"),
             ("epsilon", "ε"), ("batch_size", "batch size"), ("regularization", "regularization"))
_OPTIMIZER_FIELDS = ("momentum", "rho", "beta1", "beta2", "epsilon")


def _setting(config, field) -> str:
    value = getattr(config, field)
    if field == "regularization":
        return "none" if value == "none" or config.reg_rate == 0 else \
            f"{value.upper()} λ = {config.reg_rate:g}"
    if field == "data_path":
        return os.path.basename(value) if value else "none"
    if field == "hidden_layers":
        return ", ".join(map(str, value)) if value else "none"
    if field == "features":
        from core import features

        return "raw inputs" if value is None else ", ".join(features.label(f) for f in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def config_differences(pinned, current) -> list:
    """What differs between a pinned run's config and the current one, as a learner reads it:
    e.g. ``["loss: mse (now bce)", "learning rate: 0.3 (now 0.03)"]``; empty when the same."""
    from core import optimizers

    def uses(config, field):
        return field in optimizers.optimizer_class(config.optimizer).defaults

    out = []
    for field, name in _COMPARED:
        if field in _OPTIMIZER_FIELDS and not (uses(pinned, field) and uses(current, field)):
            continue
        old, new = _setting(pinned, field), _setting(current, field)
        if old != new:
            out.append(f"{name}: {old} (now {new})")
    return out


@dataclasses.dataclass(eq=False)
class PinnedRun:
    """A train-cost curve kept for comparison: ``epoch`` and ``train_cost`` are ``(m,)``."""

    number: int
    config: object
    epoch: np.ndarray
    train_cost: np.ndarray
    step: int
    colour: str
    curve: object = None

    def label(self, current=None, most=2) -> str:
        """Legend text: the run's number and what differs from ``current``."""
        if current is None:
            return f"run {self.number}"
        diffs = config_differences(self.config, current)
        if not diffs:
            return f"run {self.number}: same settings"
        more = f" +{len(diffs) - most} more" if len(diffs) > most else ""
        return f"run {self.number}: " + ", ".join(diffs[:most]) + more


def _swatch(colour, dashed=False) -> str:
    line = "┄┄" if dashed else "━━"
    return f"<span style='color:{colour}'>{line}</span>"


class CostPlot(QWidget):
    """Cost (and accuracy) against epoch. Feed it snapshots with :meth:`show_snapshot`.

    Signals
    -------
    pins_changed()
        A run was pinned or a pin removed (:attr:`pins` holds them, oldest first).
    pinned(PinnedRun)
        :meth:`pin` pinned this run.
    """

    pins_changed = Signal()
    pinned = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pins = []
        self._pin_count = 0
        self._config = None
        self._step = 0
        self._history = None
        self._run = None
        self._task = None
        self._log = False
        # The plot follows the data with round-numbered ranges that change rarely (so the axes
        # are not redrawn every frame) until the user pans or zooms; "A" (auto) resumes it.
        self._follow = True
        self._range_key = None

        self.readout = FixedLabel(3)
        self.readout.setToolTip(
            "The cost the optimizer minimizes, split into its parts:\n"
            "cost = mean over the examples of the per-example loss + regularization penalty\n"
            "(L1: λ·Σ|w|, L2: λ/2·Σw²; biases are not penalized).\n"
            "The test cost uses the same penalty on the test examples.")
        self.log_box = QCheckBox("Log scale")
        self.log_box.setToolTip(
            "Plot log₁₀(cost): equal ratios look equal, so the slow late decrease and the fast\n"
            "early drop are both visible. Costs ≤ 0 (the signed mean error can go negative)\n"
            "have no logarithm and are left out.")
        self.log_box.toggled.connect(self._on_log_box_toggled)
        self.accuracy_readout = FixedLabel(1)
        self.accuracy_readout.setToolTip("Share of examples whose predicted class is right.")
        header = QVBoxLayout()
        header.setContentsMargins(6, 4, 6, 0)
        header.setSpacing(2)
        header.addWidget(self.readout)
        self.pin_button = QToolButton()
        self.pin_button.setText("Pin run")
        self.pin_button.setToolTip(
            "Pin run (Ctrl+P): keep this run's train-cost curve (dashed) to compare with the next.\n"
            "Then change one setting (loss, activation, optimizer, learning rate, initialization)\n"
            "and press Reset: the initial weights are drawn again from the same seed, so both runs\n"
            "start from the same weights (unless the layer sizes or the initialization changed).")
        self.pin_button.clicked.connect(self.pin)
        self.pins_menu = QMenu(self)
        self.pins_menu.setToolTipsVisible(True)
        self.pins_button = QToolButton()
        self.pins_button.setText("Pinned")
        self.pins_button.setToolTip("The pinned runs: remove one, or all of them.")
        self.pins_button.setMenu(self.pins_menu)
        self.pins_button.setPopupMode(QToolButton.InstantPopup)
        self.pins_button.setEnabled(False)
        second = QHBoxLayout()
        second.addWidget(self.accuracy_readout, 1)
        second.addWidget(self.pin_button)
        second.addWidget(self.pins_button)
        second.addWidget(self.log_box)
        header.addLayout(second)
        # Pinned runs and what differs: changes only when a pin or the settings change.
        self.pins_label = QLabel()
        self.pins_label.setTextFormat(Qt.RichText)
        self.pins_label.setWordWrap(True)
        self.pins_label.setVisible(False)
        header.addWidget(self.pins_label)

        self.cost_widget = pg.PlotWidget()
        self.cost_widget.setMinimumHeight(130)
        self.cost_item = self.cost_widget.getPlotItem()
        self.cost_item.setLabel("left", "cost")
        self.cost_item.setLabel("bottom", "epoch")
        for axis in ("left", "bottom"):
            self.cost_item.getAxis(axis).enableAutoSIPrefix(False)
        self.legend = self.cost_item.addLegend(offset=(-10, 10), labelTextSize="9pt")
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 200))
        self.train_curve = self.cost_item.plot(name="train cost",
                                               pen=pg.mkPen(style.TRAIN, width=LINE_WIDTH))
        self.test_curve = self.cost_item.plot(name="test cost",
                                              pen=pg.mkPen(style.TEST, width=LINE_WIDTH))
        # Listed in the legend only while regularization is on (see _show_reg_curves).
        self.loss_curve = self.cost_item.plot(
            pen=pg.mkPen(style.TRAIN, width=1, style=Qt.DotLine))
        self.reg_curve = self.cost_item.plot(
            pen=pg.mkPen(style.REGULARIZATION, width=LINE_WIDTH, style=Qt.DashLine))
        for curve in (self.train_curve, self.test_curve, self.loss_curve, self.reg_curve):
            curve.setClipToView(True)
            curve.setDownsampling(auto=True, method="peak")
        self._show_reg_curves(False)

        self.accuracy_widget = pg.PlotWidget()
        self.accuracy_widget.setMinimumHeight(75)
        self.accuracy_item = self.accuracy_widget.getPlotItem()
        self.accuracy_item.setLabel("left", "accuracy")  # the ticks carry the % sign
        self.accuracy_item.setLabel("bottom", "epoch")
        self.accuracy_item.getAxis("bottom").enableAutoSIPrefix(False)
        self.accuracy_item.setXLink(self.cost_item)
        self.accuracy_item.setMouseEnabled(x=True, y=False)
        # Both plots share the epoch axis; equal left axis widths keep them lined up.
        for item in (self.cost_item, self.accuracy_item):
            item.getAxis("left").setWidth(58)
        # No legend of its own: train and test keep the cost plot's colours, and a legend in
        # a strip this small would cover the curves.
        self.train_accuracy_curve = self.accuracy_item.plot(
            pen=pg.mkPen(style.ACCURACY_TRAIN, width=LINE_WIDTH))
        self.test_accuracy_curve = self.accuracy_item.plot(
            pen=pg.mkPen(style.ACCURACY_TEST, width=LINE_WIDTH))
        # Three fixed ticks: the strip can be short, and automatic ones crowded into each other.
        self.accuracy_item.getAxis("left").setTicks([[(v, f"{v}%") for v in (0, 50, 100)], []])

        for item in (self.cost_item, self.accuracy_item):
            item.disableAutoRange()
            item.vb.sigRangeChangedManually.connect(self._on_range_changed_manually)
            item.autoBtn.clicked.connect(self._on_auto_button_clicked)
        self.accuracy_item.setYRange(0, 100, padding=0.03)

        # Crosshair: a vertical line in each plot and a text readout.
        self.cursor_lines = []
        for item in (self.cost_item, self.accuracy_item):
            line = pg.InfiniteLine(angle=90, movable=False,
                                   pen=pg.mkPen("#888888", width=1, style=Qt.DashLine))
            line.setVisible(False)
            item.addItem(line, ignoreBounds=True)
            self.cursor_lines.append(line)
        self.cursor_readout = FixedLabel(1)
        self.cursor_readout.setStyleSheet("color: #444;")
        self.cursor_readout.setToolTip("Values at the epoch under the mouse pointer.")
        for widget in (self.cost_widget, self.accuracy_widget):
            widget.scene().sigMouseMoved.connect(
                lambda pos, w=widget: self._on_mouse_moved(w, pos))
            widget.installEventFilter(self)

        # Fixed heights: labels whose size followed their text would relayout the window at
        # every frame (and make it repaint everything).
        self._set_readout({"train_cost": 1.0, "test_cost": 1.0, "train_loss": 1.0,
                           "test_loss": 1.0, "reg_term": 0.0, "train_accuracy": 1.0,
                           "test_accuracy": 1.0})
        self.readout.fit_height(self.readout.text())
        self._set_readout(None)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.cost_widget, 2)
        layout.addWidget(self.accuracy_widget, 1)
        cursor_row = QHBoxLayout()
        cursor_row.setContentsMargins(6, 0, 6, 4)
        cursor_row.addWidget(self.cursor_readout)
        layout.addLayout(cursor_row)
        self._set_readout(None)

    # ------------------------------------------------------------------ updates
    @Slot(object)
    def show_snapshot(self, snap):
        """Show the history and the newest metrics of ``snap``."""
        history = snap.history
        self._history = history
        self._step = snap.step
        if snap.config is not self._config:
            self._config = snap.config
            self._update_pin_labels()
        if snap.run != self._run:
            self._run = snap.run
            self._follow, self._range_key = True, None
            self.cursor_readout.setText(" ")  # e.g. "Pinned as run 2: ..." is about the last run
        if snap.task != self._task:
            self._task = snap.task
            classification = snap.task != "regression"
            self.accuracy_widget.setVisible(classification)
            # One "epoch" label under the lowest plot is enough.
            self.cost_item.getAxis("bottom").showLabel(not classification)

        epoch = history["epoch"]
        self.train_curve.setData(epoch, self._positive(history["train_cost"]))
        self.test_curve.setData(epoch, self._positive(history["test_cost"]))
        has_reg = snap.config.regularization != "none" and bool(np.any(history["reg_term"] > 0))
        self._show_reg_curves(has_reg)
        if has_reg:
            self.loss_curve.setData(epoch, self._positive(history["train_loss"]))
            self.reg_curve.setData(epoch, self._positive(history["reg_term"]))
        if snap.task != "regression":
            self.train_accuracy_curve.setData(epoch, 100.0 * history["train_accuracy"])
            self.test_accuracy_curve.setData(epoch, 100.0 * history["test_accuracy"])
        self._set_readout(snap.metrics, snap.config.regularization)
        self._follow_data()

    def _follow_data(self):
        """Set round-numbered ranges around the history (when following the data)."""
        history = self._history
        if not self._follow or history is None:
            return
        x_high = nice_ceil(max(float(history["epoch"][-1]), 0.5) * 1.02, _NICE_X)
        keys = ["train_cost", "test_cost"]
        if self.reg_curve.isVisible():
            keys += ["train_loss", "reg_term"]
        values = np.concatenate([history[k] for k in keys]
                                + [pin.train_cost[pin.epoch <= x_high] for pin in self.pins])
        values = values[np.isfinite(values)]
        if self._log:
            values = values[values > 0]
        if values.size == 0:
            return
        low, high = float(values.min()), float(values.max())
        if self._log:
            # Quarter decades, in log10 units (what the view box uses in log mode).
            y_range = (math.floor(math.log10(low) * 4) / 4, math.ceil(math.log10(high) * 4) / 4)
            if y_range[1] <= y_range[0]:
                y_range = (y_range[0], y_range[0] + 0.25)
        else:
            y_low = 0.0 if low >= 0 else -nice_ceil(-low)
            y_high = nice_ceil(high) if high > 0 else 0.0
            if y_high <= y_low:
                y_high = y_low + 1.0
            y_range = (y_low, y_high)
        key = (x_high, y_range)
        if key != self._range_key:
            self._range_key = key
            self.cost_item.vb.setRange(xRange=(0.0, x_high), yRange=y_range, padding=0.02)

    @Slot()
    def _on_range_changed_manually(self):
        self._follow = False

    @Slot()
    def _on_auto_button_clicked(self):
        # The plot's own "A" button turned pyqtgraph's auto-range on; follow the data instead.
        for item in (self.cost_item, self.accuracy_item):
            item.disableAutoRange()
        self.accuracy_item.setYRange(0, 100, padding=0.03)
        self._follow, self._range_key = True, None
        self._follow_data()

    def _positive(self, values):
        # In log mode, costs <= 0 have no logarithm: leave them out rather than let -inf in.
        if self._log:
            values = np.where(values > 0, values, np.nan)
        return values

    def _show_reg_curves(self, visible):
        for curve in (self.loss_curve, self.reg_curve):
            if curve.isVisible() != visible:
                curve.setVisible(visible)
                if not visible:
                    curve.setData([], [])
        # Keep the legend honest: list only what is drawn.
        for curve, name in ((self.loss_curve, "train mean loss"), (self.reg_curve, "regularization")):
            listed = any(sample.item is curve for sample, _ in self.legend.items)
            if visible and not listed:
                self.legend.addItem(curve, name)
            elif not visible and listed:
                self.legend.removeItem(curve)

    def _set_readout(self, metrics, regularization="none"):
        if metrics is None:
            self.readout.setText("<b>cost</b> = mean loss + regularization")
            self.accuracy_readout.setText("")
            return
        reg = metrics["reg_term"]
        cell = "<td align='right' style='white-space: nowrap; padding: 0 5px'>{}</td>"
        rows = ["<tr><td></td>" + cell.format("<b>cost</b>") + cell.format("= mean loss")
                + cell.format("+ regularization") + "</tr>"]
        for name, colour in (("train", style.TRAIN), ("test", style.TEST)):
            reg_text = _fmt(reg) + (" (off)" if regularization == "none" else "")
            rows.append(
                f"<tr><td style='white-space: nowrap'>{_swatch(colour)} {name}</td>"
                + cell.format(f"<b>{_fmt(metrics[name + '_cost'])}</b>")
                + cell.format(_fmt(metrics[name + "_loss"])) + cell.format(reg_text) + "</tr>")
        _set_text(self.readout, "<table cellspacing='0'>" + "".join(rows) + "</table>")
        if metrics.get("train_accuracy") is None:
            _set_text(self.accuracy_readout, "")
        else:
            _set_text(self.accuracy_readout,
                      f"accuracy: train <b>{100 * metrics['train_accuracy']:.1f}%</b>, "
                      f"test <b>{100 * metrics['test_accuracy']:.1f}%</b>")

    @Slot(bool)
    def _on_log_box_toggled(self, checked):
        self.set_log_scale(checked)

    def set_log_scale(self, on):
        self._log = bool(on)
        if self.log_box.isChecked() != self._log:
            self.log_box.setChecked(self._log)
        self.cost_item.setLogMode(x=False, y=self._log)
        self.cost_item.setLabel("left", "cost (log scale)" if self._log else "cost")
        self._follow, self._range_key = True, None
        if self._history is not None:
            h = self._history
            self.train_curve.setData(h["epoch"], self._positive(h["train_cost"]))
            self.test_curve.setData(h["epoch"], self._positive(h["test_cost"]))
            if self.reg_curve.isVisible():
                self.loss_curve.setData(h["epoch"], self._positive(h["train_loss"]))
                self.reg_curve.setData(h["epoch"], self._positive(h["reg_term"]))
        for pin in self.pins:
            pin.curve.setData(pin.epoch, self._positive(pin.train_cost))
        self._follow_data()

    # ------------------------------------------------------------------ pinned runs
    def pin_current(self):
        """Pin the current run's train-cost curve; returns the :class:`PinnedRun`, or None
        when there is nothing to pin yet. With ``MAX_PINS`` pinned, the oldest goes."""
        history = self._history
        if history is None or len(history["epoch"]) < 2 or self._config is None:
            return None
        if len(self.pins) >= MAX_PINS:
            self.remove_pin(self.pins[0], notify=False)
        self._pin_count += 1
        used = {pin.colour for pin in self.pins}
        colour = next(c for c in PIN_COLOURS if c not in used)
        pin = PinnedRun(self._pin_count, self._config, np.array(history["epoch"]),
                        np.array(history["train_cost"]), self._step, colour)
        pin.curve = self.cost_item.plot(pen=pg.mkPen(colour, width=LINE_WIDTH, style=Qt.DashLine))
        pin.curve.setClipToView(True)
        pin.curve.setDownsampling(auto=True, method="peak")
        pin.curve.setZValue(-1)  # behind the live curves
        pin.curve.setData(pin.epoch, self._positive(pin.train_cost))
        self.pins.append(pin)
        self._after_pins_changed()
        return pin

    def remove_pin(self, pin, notify=True):
        """Remove one pinned run (a :class:`PinnedRun` from :attr:`pins`)."""
        if pin not in self.pins:
            return
        self.pins.remove(pin)
        self.cost_item.removeItem(pin.curve)
        if notify:
            self._after_pins_changed()

    @Slot()
    def clear_pins(self):
        """Remove every pinned run."""
        for pin in list(self.pins):
            self.remove_pin(pin, notify=False)
        self._after_pins_changed()

    def pin_tooltip(self, pin) -> str:
        """What the pinned run was and how it differs from the current settings."""
        c = pin.config
        layers = " ".join(map(str, c.hidden_layers)) or "no hidden layer"
        summary = (f"{_setting(c, 'dataset')}, hidden {layers} {c.activation}, loss {c.loss}, "
                   f"{c.optimizer} η = {c.learning_rate:g}, init {c.init}, "
                   f"regularization {_setting(c, 'regularization')}")
        diffs = config_differences(c, self._config) if self._config is not None else []
        return (f"Run {pin.number}, pinned at step {pin.step:,} (epoch {pin.epoch[-1]:.1f}): "
                f"{summary}.\n"
                + ("Differs from now in: " + "; ".join(diffs) + "." if diffs
                   else "Same settings as now.")
                + f"\nIts initial weights came from seed {c.seed}: after changing a setting, "
                  f"Reset starts\nthe current run from the same seed's weights."
                + ("\nDifferent losses measure different things: compare the shapes of the "
                   "curves\n(or the accuracy), not their heights."
                   if self._config is not None and c.loss != self._config.loss else ""))

    def _after_pins_changed(self):
        self.pins_menu.clear()
        for pin in self.pins:
            action = self.pins_menu.addAction(f"Remove {pin.label(self._config)}")
            action.setToolTip(self.pin_tooltip(pin))
            action.triggered.connect(lambda checked=False, p=pin: self.remove_pin(p))
        if self.pins:
            self.pins_menu.addSeparator()
            clear = self.pins_menu.addAction("Clear pins", self.clear_pins)
            clear.setToolTip("Remove every pinned cost curve.")
        self.pins_button.setEnabled(bool(self.pins))
        self.pins_button.setText(f"Pinned ({len(self.pins)})" if self.pins else "Pinned")
        self._update_pin_labels()
        self._range_key = None
        self._follow_data()
        self.pins_changed.emit()

    def _update_pin_labels(self):
        entries = [f"<span style='white-space: nowrap'>{_swatch(pin.colour, True)} "
                   f"{html.escape(pin.label(self._config))}</span>" for pin in self.pins]
        _set_text(self.pins_label, " &nbsp; ".join(entries))
        self.pins_label.setToolTip("\n\n".join(self.pin_tooltip(pin) for pin in self.pins))
        if self.pins_label.isVisible() != bool(self.pins):
            self.pins_label.setVisible(bool(self.pins))
        for action, pin in zip(self.pins_menu.actions(), self.pins):
            action.setText(f"Remove {pin.label(self._config)}")

    @Slot()
    def pin(self):
        """Pin the current run (the "Pin run" button, Ctrl+P), or say why it cannot be."""
        pin = self.pin_current()
        if pin is None:
            self.cursor_readout.setText("Nothing to pin yet: train a few steps first.")
        else:
            self.cursor_readout.setText(
                f"Pinned as run {pin.number}: change a setting, press Reset, compare.")
            self.pinned.emit(pin)
        return pin

    # ------------------------------------------------------------------ crosshair
    def _on_mouse_moved(self, widget, pos):
        history = self._history
        vb = widget.getPlotItem().vb
        if history is None or not len(history["epoch"]) or not vb.sceneBoundingRect().contains(pos):
            return
        x = vb.mapSceneToView(pos).x()
        epochs = history["epoch"]
        i = int(np.clip(np.searchsorted(epochs, x), 0, len(epochs) - 1))
        if i > 0 and abs(epochs[i - 1] - x) < abs(epochs[i] - x):
            i -= 1
        for line in self.cursor_lines:
            line.setPos(epochs[i])
            line.setVisible(True)
        text = (f"epoch {epochs[i]:.2f} (step {int(history['step'][i])}): "
                f"{_swatch(style.TRAIN)} train {_fmt(history['train_cost'][i])} "
                f"{_swatch(style.TEST)} test {_fmt(history['test_cost'][i])}")
        if history["reg_term"][i] > 0:
            text += (f" (mean loss {_fmt(history['train_loss'][i])} + regularization "
                     f"{_fmt(history['reg_term'][i])})")
        for pin in self.pins:
            if pin.epoch[0] <= epochs[i] <= pin.epoch[-1]:
                value = float(np.interp(epochs[i], pin.epoch, pin.train_cost))
                text += f" {_swatch(pin.colour, True)} run {pin.number} {_fmt(value)}"
        acc = history["train_accuracy"][i]
        if np.isfinite(acc):
            text += (f" · accuracy {100 * acc:.1f}% / "
                     f"{100 * history['test_accuracy'][i]:.1f}%")
        self.cursor_readout.setText(text)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Leave:
            for line in self.cursor_lines:
                line.setVisible(False)
            self.cursor_readout.setText(" ")
        return super().eventFilter(watched, event)
