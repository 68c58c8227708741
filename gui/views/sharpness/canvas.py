"""The sharpness plots: the train cost above (log scale, for context, as Cohen et al. draw it)
and below it the largest Hessian eigenvalues with the optimizer's stability limit (2/η),
sharing the epoch axis. They only paint what
:class:`~gui.views.sharpness.widget.SharpnessView` hands them."""
from __future__ import annotations

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
        self.cost = self.cost_item.plot(pen=pg.mkPen(style.TRAIN, width=1))
        self.legend = self.sharp_item.addLegend(offset=(-10, 10), labelTextSize="9pt")
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 210))
        self.first = self.sharp_item.plot(name="λ_max (sharpness)",
                                          pen=pg.mkPen(SHARPNESS, width=2), symbol="o",
                                          symbolSize=4, symbolPen=None,
                                          symbolBrush=pg.mkBrush(SHARPNESS))
        self.second = self.sharp_item.plot(name="λ₂", pen=pg.mkPen(SHARPNESS, width=1,
                                                                     style=Qt.DotLine))
        self.limit = self.sharp_item.plot(name="2/η", pen=pg.mkPen(LIMIT, width=1.5,
                                                                     style=Qt.DashLine))
        self.limit_text = pg.TextItem("", color=LIMIT, anchor=(1, 0))
        self.sharp_item.addItem(self.limit_text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.cost_widget, 2)
        layout.addWidget(self.sharp_widget, 3)

    def show_cost(self, epochs, costs):
        costs = np.asarray(costs, dtype=float)
        self.cost.setData(epochs, np.where(costs > 0, costs, np.nan), connect="finite")

    def show_sharpness(self, curves, y_range, limit_formula):
        """``curves`` from :meth:`SharpnessHistory.curves`; ``y_range`` ``(low, high,
        limit_shown)``; ``limit_formula`` the limit's name ("2/η"), or "" when none."""
        epochs = curves["epoch"]
        self.first.setData(epochs, curves["first"])
        self.second.setData(epochs, curves["second"], connect="finite")
        limits = curves["limit"]
        self.limit.setData(epochs, limits, connect="finite")
        label = self.legend.getLabel(self.limit)
        if label is not None and label.text != (limit_formula or "2/η"):
            label.setText(limit_formula or "2/η")
        low, high, shown = y_range
        self.sharp_item.setYRange(low, high, padding=0)
        finite = limits[np.isfinite(limits)]
        if len(finite) and len(epochs):
            value = float(finite[-1])
            self.limit_text.setText(f"{limit_formula} = {value:.3g}"
                                    + ("" if shown else "  ↑ above the plot"))
            self.limit_text.setPos(float(epochs[-1]), min(value, high) if shown else high)
            self.limit_text.setVisible(True)
        else:
            self.limit_text.setVisible(False)
        if len(epochs):
            right = max(float(epochs[-1]), 1e-9)
            self.sharp_item.setXRange(0.0, right, padding=0.02)

    def clear(self):
        for curve in (self.cost, self.first, self.second, self.limit):
            curve.setData([], [])
        self.limit_text.setVisible(False)
