"""A small, fixed-size plot of one or a few curves: an activation and its derivative, or a loss
against the prediction. The panels show these next to their formulas.

Curve items are created once and updated with ``setData`` (the pyqtgraph way); unused ones are
hidden. Mouse interaction is off: the plot is an illustration, not a tool.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont

PLOT_WIDTH, PLOT_HEIGHT = 180, 110
_AXIS_COLOUR = "#555555"
_ZERO_COLOUR = (200, 200, 200)


class FunctionPlot(pg.PlotWidget):
    """A white 180x110 plot with light zero lines.

    Parameters
    ----------
    x_label : str
        Short label under the x axis (e.g. ``"z"`` or ``"ŷ"``).
    """

    def __init__(self, x_label="", parent=None):
        super().__init__(parent=parent, background="w")
        # Fixed height; the width may give a little in a narrow column.
        self.setFixedHeight(PLOT_HEIGHT)
        self.setMinimumWidth(120)
        self.setMaximumWidth(PLOT_WIDTH)
        self.setMouseEnabled(False, False)
        self.setMenuEnabled(False)
        self.hideButtons()
        self.setFocusPolicy(Qt.NoFocus)
        item = self.getPlotItem()
        item.setContentsMargins(0, 2, 4, 0)
        font = QFont()
        font.setPointSize(7)
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(_AXIS_COLOUR)
            axis.setTextPen(_AXIS_COLOUR)
            axis.setTickFont(font)
        item.getAxis("left").setWidth(26)
        item.getAxis("bottom").setHeight(16)
        if x_label:
            # A label inside the plot keeps it small; an axis label would cost 15 px.
            self._x_label = pg.TextItem(x_label, color=_AXIS_COLOUR, anchor=(1, 1))
            self._x_label.setFont(font)
            item.addItem(self._x_label, ignoreBounds=True)
        else:
            self._x_label = None
        for angle in (0, 90):
            item.addItem(pg.InfiniteLine(pos=0, angle=angle, pen=pg.mkPen(_ZERO_COLOUR, width=1)),
                         ignoreBounds=True)
        self._curves = []

    def set_curves(self, x, curves, y_limit=None, y_range=None):
        """Show ``curves`` over ``x``.

        Parameters
        ----------
        x : array (m,)
        curves : list of (ys, colour, dashed)
            ``ys`` shaped (m,); non-finite values are left out of the line.
        y_limit : (low, high), optional
            Clip the visible y range (derivatives of log losses run off to ±1000 near 0 and 1).
        y_range : (low, high), optional
            Show exactly this y range (e.g. from 0, for a rate that never goes below it).
        """
        x = np.asarray(x, dtype=float)
        while len(self._curves) < len(curves):
            self._curves.append(self.plot([], []))
        lows, highs = [], []
        for item, (ys, colour, dashed) in zip(self._curves, curves):
            ys = np.asarray(ys, dtype=float)
            style = Qt.DashLine if dashed else Qt.SolidLine
            item.setPen(pg.mkPen(colour, width=2, style=style))
            item.setData(x, ys, connect="finite")
            item.show()
            finite = ys[np.isfinite(ys)]
            if finite.size:
                lows.append(finite.min())
                highs.append(finite.max())
        for item in self._curves[len(curves):]:
            item.hide()
        low, high = (min(lows), max(highs)) if lows else (-1.0, 1.0)
        if y_limit is not None:
            low, high = max(low, y_limit[0]), min(high, y_limit[1])
        if high - low < 1e-9:  # a flat line (e.g. the step's derivative) still gets a range
            low, high = low - 0.5, high + 0.5
        if y_range is not None:
            low, high = y_range
        pad = 0.08 * (high - low)
        self.setXRange(float(x[0]), float(x[-1]), padding=0)
        self.setYRange(low - pad, high + pad, padding=0)
        if self._x_label is not None:
            self._x_label.setPos(float(x[-1]), low - pad)

    def sizeHint(self):
        return QSize(PLOT_WIDTH, PLOT_HEIGHT)

    def set_x_label(self, text):
        if self._x_label is not None:
            self._x_label.setText(text)

    def curve_data(self):
        """The visible curves' data as a list of (x, y) arrays (for tests)."""
        return [item.getData() for item in self._curves if item.isVisible()]
