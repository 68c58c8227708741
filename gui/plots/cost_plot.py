"""The cost curve: train and test cost against epoch, live, with its parts and the accuracy.

The readout above the plot spells the cost out as its parts for the newest step::

    train cost 0.2345 = mean loss 0.2301 + regularization 0.0044      test cost 0.2512

A dashed line shows the regularization term over time when it is non-zero. For classification
a second, smaller plot below (sharing the epoch axis) shows train and test accuracy. Hovering
shows the values at the epoch under the mouse.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui import style


def _fmt(value) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.3e}"
    return f"{value:.4f}"


def _swatch(colour, dashed=False) -> str:
    line = "┄┄" if dashed else "━━"
    return f"<span style='color:{colour}'>{line}</span>"


class CostPlot(QWidget):
    """Cost (and accuracy) against epoch. Feed it snapshots with :meth:`show_snapshot`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._history = None
        self._run = None
        self._task = None
        self._log = False

        self.readout = QLabel()
        self.readout.setTextFormat(Qt.RichText)
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
        self.accuracy_readout = QLabel()
        self.accuracy_readout.setTextFormat(Qt.RichText)
        self.accuracy_readout.setToolTip("Share of examples whose predicted class is right.")
        header = QVBoxLayout()
        header.setContentsMargins(6, 4, 6, 0)
        header.setSpacing(2)
        header.addWidget(self.readout)
        second = QHBoxLayout()
        second.addWidget(self.accuracy_readout, 1)
        second.addWidget(self.log_box)
        header.addLayout(second)

        self.cost_widget = pg.PlotWidget()
        self.cost_widget.setMinimumHeight(160)
        self.cost_item = self.cost_widget.getPlotItem()
        self.cost_item.setLabel("left", "cost")
        self.cost_item.setLabel("bottom", "epoch")
        self.cost_item.getAxis("left").enableAutoSIPrefix(False)
        self.cost_item.showGrid(x=True, y=True, alpha=0.15)
        self.legend = self.cost_item.addLegend(offset=(-10, 10), labelTextSize="9pt")
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 200))
        self.train_curve = self.cost_item.plot(name="train cost",
                                               pen=pg.mkPen(style.TRAIN, width=2))
        self.test_curve = self.cost_item.plot(name="test cost",
                                              pen=pg.mkPen(style.TEST, width=2))
        # Listed in the legend only while regularization is on (see _show_reg_curves).
        self.loss_curve = self.cost_item.plot(
            pen=pg.mkPen(style.TRAIN, width=1, style=Qt.DotLine))
        self.reg_curve = self.cost_item.plot(
            pen=pg.mkPen(style.REGULARIZATION, width=2, style=Qt.DashLine))
        for curve in (self.train_curve, self.test_curve, self.loss_curve, self.reg_curve):
            curve.setClipToView(True)
            curve.setDownsampling(auto=True, method="peak")
        self._show_reg_curves(False)

        self.accuracy_widget = pg.PlotWidget()
        self.accuracy_widget.setMinimumHeight(90)
        self.accuracy_item = self.accuracy_widget.getPlotItem()
        self.accuracy_item.setLabel("left", "accuracy", units="%")
        self.accuracy_item.setLabel("bottom", "epoch")
        self.accuracy_item.showGrid(x=True, y=True, alpha=0.15)
        self.accuracy_item.setXLink(self.cost_item)
        self.accuracy_item.setYRange(0, 100, padding=0.03)
        self.accuracy_item.setMouseEnabled(x=True, y=False)
        self.accuracy_item.enableAutoRange(axis="y", enable=False)
        # Both plots share the epoch axis; equal left axis widths keep them lined up.
        for item in (self.cost_item, self.accuracy_item):
            item.getAxis("left").setWidth(58)
        acc_legend = self.accuracy_item.addLegend(offset=(-10, -10), labelTextSize="9pt")
        acc_legend.setBrush(pg.mkBrush(255, 255, 255, 200))
        self.train_accuracy_curve = self.accuracy_item.plot(
            name="train", pen=pg.mkPen(style.ACCURACY_TRAIN, width=2))
        self.test_accuracy_curve = self.accuracy_item.plot(
            name="test", pen=pg.mkPen(style.ACCURACY_TEST, width=2))

        # Crosshair: a vertical line in each plot and a text readout.
        self.cursor_lines = []
        for item in (self.cost_item, self.accuracy_item):
            line = pg.InfiniteLine(angle=90, movable=False,
                                   pen=pg.mkPen("#888888", width=1, style=Qt.DashLine))
            line.setVisible(False)
            item.addItem(line, ignoreBounds=True)
            self.cursor_lines.append(line)
        self.cursor_readout = QLabel(" ")
        self.cursor_readout.setTextFormat(Qt.RichText)
        self.cursor_readout.setStyleSheet("color: #444;")
        self.cursor_readout.setToolTip("Values at the epoch under the mouse pointer.")
        for widget in (self.cost_widget, self.accuracy_widget):
            widget.scene().sigMouseMoved.connect(
                lambda pos, w=widget: self._on_mouse_moved(w, pos))
            widget.installEventFilter(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.cost_widget, 3)
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
        if snap.run != self._run:
            self._run = snap.run
            self.cost_item.enableAutoRange()
            self.accuracy_item.enableAutoRange(axis="x")
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
        self.readout.setText("<table cellspacing='0'>" + "".join(rows) + "</table>")
        if metrics.get("train_accuracy") is None:
            self.accuracy_readout.setText("")
        else:
            self.accuracy_readout.setText(
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
        self.cost_item.enableAutoRange()
        if self._history is not None:
            h = self._history
            self.train_curve.setData(h["epoch"], self._positive(h["train_cost"]))
            self.test_curve.setData(h["epoch"], self._positive(h["test_cost"]))
            if self.reg_curve.isVisible():
                self.loss_curve.setData(h["epoch"], self._positive(h["train_loss"]))
                self.reg_curve.setData(h["epoch"], self._positive(h["reg_term"]))

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
