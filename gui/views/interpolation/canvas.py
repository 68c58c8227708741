"""The line plot: train and test cost against α, with the two ends marked and named. It only
paints what :class:`~gui.views.interpolation.widget.InterpolationView` hands it."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

from gui import style

END_PEN = pg.mkPen("#888888", width=1, style=Qt.DashLine)


class LineCanvas(pg.PlotWidget):
    """Cost against α. ``hovered(α)`` when the mouse is over the plot, ``left()`` when not."""

    hovered = Signal(float)
    left = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        self.plot = self.getPlotItem()
        self.plot.setLabel("bottom", "α   (θ = θ_a + α·(θ_b − θ_a))")
        self.plot.setLabel("left", "cost")
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextSize="9pt")
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 200))
        self.train = self.plot.plot(name="train cost", pen=pg.mkPen(style.TRAIN, width=2))
        self.test = self.plot.plot(name="test cost", pen=pg.mkPen(style.TEST, width=1.5))
        # (A PlotDataItem of symbols rather than a scatter item: it follows the log scale.)
        self.ends = self.plot.plot(pen=None, symbol="o", symbolSize=10,
                                   symbolPen=pg.mkPen("w", width=1.5),
                                   symbolBrush=pg.mkBrush(style.TRAIN))
        self.end_lines = [pg.InfiniteLine(pos=x, angle=90, pen=END_PEN) for x in (0.0, 1.0)]
        for item in self.end_lines:
            self.plot.addItem(item)
        self.name_ends(("θ_a", "θ_b"))
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#bbbbbb", width=1))
        self.cursor.setVisible(False)
        self.plot.addItem(self.cursor)
        self.plot.setXRange(-0.5, 1.5, padding=0.02)
        self.plot.setMouseEnabled(x=False, y=True)
        self.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)

    def set_log(self, on):
        self.plot.setLogMode(y=bool(on))
        self.plot.setLabel("left", "cost (log scale)" if on else "cost")

    def show_line(self, alphas, train, test, names, log):
        """The costs along the line (log scale: only the positive ones), ends named."""
        def shown(values):
            values = np.asarray(values, dtype=float)
            return np.where(values > 0, values, np.nan) if log else values

        self.train.setData(alphas, shown(train), connect="finite")
        self.test.setData([], []) if test is None else self.test.setData(
            alphas, shown(test), connect="finite")
        ends = [np.argmin(np.abs(alphas)), np.argmin(np.abs(alphas - 1.0))]
        values = shown(np.asarray(train)[ends])
        finite = np.isfinite(values)
        self.ends.setData(np.array([0.0, 1.0])[finite], values[finite])
        values = np.concatenate([shown(train)] + ([] if test is None else [shown(test)]))
        values = values[np.isfinite(values)]
        if len(values):  # the whole of both curves (auto-range left the ends out at times)
            low, high = (np.log10(values) if log else values).min(), \
                (np.log10(values) if log else values).max()
            self.plot.setYRange(low, high if high > low else low + 1.0, padding=0.05)
        self.name_ends(names)

    def name_ends(self, names):
        """Ticks of the α axis: its ends read "0: start", "1: now" (or the pinned runs)."""
        a, b = names
        ticks = [(-0.5, "−0.5"), (0.0, f"0: {a}"), (0.5, "0.5"), (1.0, f"1: {b}"), (1.5, "1.5")]
        self.plot.getAxis("bottom").setTicks([ticks, []])

    def clear_line(self):
        for curve in (self.train, self.test):
            curve.setData([], [])
        self.ends.setData([], [])

    def show_cursor(self, alpha):
        self.cursor.setPos(alpha)
        self.cursor.setVisible(True)

    def _on_scene_mouse_moved(self, pos):
        if self.plot.sceneBoundingRect().contains(pos):
            self.hovered.emit(self.plot.vb.mapSceneToView(pos).x())
        else:
            self.cursor.setVisible(False)
            self.left.emit()

    def leaveEvent(self, event):
        super().leaveEvent(event)
        self.cursor.setVisible(False)
        self.left.emit()

