"""The sharpness plots: the train cost above (log scale, for context, as Cohen et al. draw it)
and below it the largest Hessian eigenvalues with the optimizer's stability limit (2/η),
sharing the epoch axis. They only paint what
:class:`~gui.views.sharpness.widget.SharpnessView` hands them."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gui import style

SHARPNESS = "#6a1b9a"
LIMIT = "#c0392b"


class SharpnessCanvas(QWidget):
    """``cost_item`` (train cost) above ``sharp_item`` (λ₁, λ₂ and the limit line)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.cost_widget, self.sharp_widget = pg.PlotWidget(), pg.PlotWidget()
        self.cost_widget.setMinimumHeight(70)
        self.sharp_widget.setMinimumHeight(110)
        self.cost_item = self.cost_widget.getPlotItem()
        self.sharp_item = self.sharp_widget.getPlotItem()
        self.cost_item.setLabel("left", "train cost")
        self.cost_item.setLogMode(y=True)
        self.sharp_item.setLabel("left", "curvature")
        self.sharp_item.setLabel("bottom", "epoch")
        self.cost_item.setXLink(self.sharp_item)
        for item in (self.cost_item, self.sharp_item):
            item.getAxis("left").setWidth(58)
            item.getAxis("left").enableAutoSIPrefix(False)
            item.getAxis("bottom").enableAutoSIPrefix(False)
            item.setMouseEnabled(x=False, y=False)
            item.hideButtons()
            # Room for the upper half of the top tick label, centred on the plot's edge.
            item.layout.setContentsMargins(0, 7, 4, 0)
        self.cost = self.cost_item.plot(pen=pg.mkPen(style.TRAIN, width=1))
        # No legend in the plot (it covered the curve in a small dock): the view's line of
        # text under it names the curves (legend_html).
        self.first = self.sharp_item.plot(pen=pg.mkPen(SHARPNESS, width=2), symbol="o",
                                          symbolSize=4, symbolPen=None,
                                          symbolBrush=pg.mkBrush(SHARPNESS))
        self.second = self.sharp_item.plot(pen=pg.mkPen(SHARPNESS, width=1, style=Qt.DotLine))
        self.limit = self.sharp_item.plot(pen=pg.mkPen(LIMIT, width=1.5, style=Qt.DashLine))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.cost_widget, 2)
        layout.addWidget(self.sharp_widget, 3)

    def show_cost(self, epochs, costs):
        costs = np.asarray(costs, dtype=float)
        positive = np.where(costs > 0, costs, np.nan)
        _set_finite(self.cost, epochs, positive)
        finite = positive[np.isfinite(positive)]
        if len(finite):  # decade ticks only (pyqtgraph labels every 2..9 in a short range)
            self.cost_item.getAxis("left").setTicks([log_ticks(finite.min(), finite.max()),
                                                     []])

    def show_sharpness(self, curves, y_range):
        """``curves`` from :meth:`SharpnessHistory.curves`; ``y_range`` ``(low, high,
        limit_shown)``."""
        epochs = curves["epoch"]
        for curve, key in ((self.first, "first"), (self.second, "second"),
                           (self.limit, "limit")):
            _set_finite(curve, epochs, curves[key])
        low, high, _ = y_range
        self.sharp_item.setYRange(low, high, padding=0)
        if len(epochs):
            right = max(float(epochs[-1]), 1e-9)
            self.sharp_item.setXRange(0.0, right, padding=0.02)

    def clear(self):
        for curve in (self.cost, self.first, self.second, self.limit):
            curve.setData([], [])


def _set_finite(curve, x, y):
    """Draw the finite points of ``(x, y)`` only, with a gap where others were left out (a
    sharpness not measurable at diverged weights, a cost ≤ 0 on the log axis): the view never
    hands the plot a NaN."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    joined = np.append(np.diff(keep) == 1, False)[:len(keep)]  # to the next, unless a gap
    curve.setData(x[keep], y[keep], connect=joined)


def log_ticks(low, high):
    """``[(log10 value, label)]`` at the powers of ten from ``low`` to ``high`` (and at 2 and 5
    times them when the range spans less than two decades)."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    factors = (1, 2, 5) if last - first < 2 else (1,)
    ticks = []
    for power in range(first, last + 1):
        for factor in factors:
            value = factor * 10.0 ** power
            if low / 1.5 <= value <= high * 1.5:
                ticks.append((math.log10(value), f"{value:g}"))
    return ticks


def legend_html(limit_text) -> str:
    """The curves' names, coloured as drawn, for the line under the plots."""
    return (f"<span style='color:{SHARPNESS}'>━ λ_max (sharpness)</span> &nbsp;"
            f"<span style='color:{SHARPNESS}'>┈ λ₂</span> &nbsp;"
            f"<span style='color:{LIMIT}'>╌ {limit_text}</span>")


def limit_text(formula, limits, shown) -> str:
    """The limit's name and value now ("2/η = 4"), or why there is none."""
    finite = limits[np.isfinite(limits)]
    if not formula or not len(finite):
        return "no 2/η limit (adaptive steps)"
    return f"{formula} = {float(finite[-1]):.3g}" + ("" if shown else " ↑ above the plot")

