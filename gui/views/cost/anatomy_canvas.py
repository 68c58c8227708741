"""The histogram of the examples' losses, stacked by class, with a line at their mean. It only
paints what :class:`~gui.views.cost.anatomy_model.AnatomyModel` gives it, and reports the mouse."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal

from gui import style
from gui.views.cost.anatomy_model import MEAN_COLOUR

REGRESSION_FILL = "#7fa7c9"


class HistogramCanvas(pg.PlotWidget):
    """Bars (one step curve per class, each the running total up to its class) and the mean.

    Signals
    -------
    hovered(float)
        The mouse is over the plot, at this loss (view x).
    """

    hovered = Signal(float)

    def __init__(self, parent=None):
        super().__init__(parent)
        # As short as the cost curve it sits behind may be on a 768-pixel screen (a taller
        # minimum here would make the whole column of tabs taller).
        self.setMinimumHeight(116)
        self.plot = self.getPlotItem()
        # Room for the upper half of the top tick label, centred on the plot's edge.
        self.plot.layout.setContentsMargins(0, 7, 4, 0)
        self.plot.setLabel("bottom", "loss of one example")
        self.plot.setLabel("left", "examples")
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextSize="9pt")
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 200))
        self.bars = []           # one step curve per class (stacked), or one for regression
        self._groups_key = None
        self._bars_key = None    # what the bars show now: (edges, stacked totals)
        self.mean_line = pg.InfiniteLine(angle=90, movable=False,
                                         pen=pg.mkPen(MEAN_COLOUR, width=2),
                                         label="mean {value:.3g}", labelOpts={
                                             "position": 0.92, "color": MEAN_COLOUR,
                                             "fill": pg.mkBrush(255, 255, 255, 210)})
        self.mean_line.setZValue(20)
        self.mean_line.setVisible(False)
        self.plot.addItem(self.mean_line, ignoreBounds=True)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def set_groups(self, classification, n_classes=1):
        """One bar curve per class (in the class colours, listed in the legend), or a single
        one for regression. Nothing happens when the groups are the same as before."""
        key = (classification, n_classes if classification else 1)
        if key == self._groups_key:
            return
        self._groups_key, self._bars_key = key, None
        for bar in self.bars:
            self.plot.removeItem(bar)
            self.legend.removeItem(bar)
        self.bars = []
        colours = ([style.class_colour(k) for k in range(key[1])] if classification
                   else [REGRESSION_FILL])
        for k, colour in enumerate(colours):
            fill = pg.mkColor(colour)
            fill.setAlpha(200)
            bar = pg.PlotDataItem(stepMode="center", fillLevel=0, brush=pg.mkBrush(fill),
                                  pen=pg.mkPen(colour, width=1))
            # Each curve is the running total up to its class: the later ones lie behind.
            bar.setZValue(-k)
            self.plot.addItem(bar)
            if classification:
                self.legend.addItem(bar, f"class {k}")
            self.bars.append(bar)
        # The classes side by side: listed one under another, the third fell off a short plot.
        self.legend.setColumnCount(max(len(self.bars), 1))
        self.legend.setVisible(classification)

    def show_bars(self, edges, stacked):
        """Bars over ``edges`` ``(N_BINS + 1,)`` up to ``stacked`` ``(n_groups, N_BINS)``."""
        # The bars change less often than the frames come: redraw them only when they do.
        key = self._bars_key
        if (key is not None and np.array_equal(key[0], edges)
                and np.array_equal(key[1], stacked)):
            return
        self._bars_key = (edges, stacked)
        for bar, top in zip(self.bars, stacked):
            bar.setData(edges, top.astype(float))

    def show_nothing(self):
        """No bars and no mean: nothing finite to show."""
        self._bars_key = None
        for bar in self.bars:
            bar.setData([], [])
        self.mean_line.setVisible(False)

    def show_mean(self, mean, x_range):
        self.mean_line.setVisible(True)  # first: a hidden line's label does not follow it
        if abs(mean - self.mean_line.value()) > 1e-4 * (x_range[1] - x_range[0]):
            self.mean_line.setPos(mean)

    def set_range(self, x_range, y_range):
        self.plot.vb.setRange(xRange=x_range, yRange=y_range, padding=0.02)

    def set_x_label(self, text):
        self.plot.setLabel("bottom", text)

    def _on_mouse_moved(self, pos):
        vb = self.plot.vb
        if vb.sceneBoundingRect().contains(pos):
            self.hovered.emit(vb.mapSceneToView(pos).x())
