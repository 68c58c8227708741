"""The cost curve's plots: cost against epoch and, for classification, a smaller accuracy strip
below on the same epoch axis. They only paint what :class:`~gui.views.cost.curve_model.CurveModel`
gives them, and report the mouse; items are created once and updated with ``setData``."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from gui import style

#: Curves are 1 px wide: Qt draws antialiased 1-px lines on a fast path, five times faster than
#: 2 px (measured: 1.0 ms vs 5.5 ms per repaint of the cost plot), which is most of a frame.
LINE_WIDTH = 1
#: Smallest height of the cost plot (px): what is left of a 768-pixel screen once the decision
#: boundary above it has its 250 pixels. The accuracy strip has no minimum of its own (it
#: hides when there is no room for it: CostCanvas._place_strip), so that it never makes the
#: column taller.
COST_MIN_HEIGHT = 88
#: Smallest height of the canvas that shows the accuracy strip under the cost curve (px): the
#: strip then gets a third of it.
STRIP_ROOM = 175
#: Space above a plot for the half of its top tick label that stands above the axis (px).
TOP_MARGIN = 7
#: Largest share of the cost plot's height the legend may cover; in a lower plot (a 768-pixel
#: screen with a banner, presentation mode) it hides: it lay across the curves and the
#: epoch ticks, and the table above names train and test in their colours.
LEGEND_SHARE = 0.5
#: Legend names of the curves that are listed only while regularization is on.
_REG_NAMES = {"loss": "train mean loss", "reg": "regularization"}


def _holds(curve, x, y) -> bool:
    """Whether ``curve`` (a PlotDataItem) draws ``x``, ``y`` already, so that setting them
    again, which updates its view boxes, can be skipped: a snapshot whose history took no new
    row (once it keeps every 16th step or fewer, most of them), and the learning-rate curves,
    empty at every frame of a run with a constant rate."""
    if curve.xData is None:
        return len(x) == 0
    return np.array_equal(curve.xData, x) and np.array_equal(curve.yData, y, equal_nan=True)


class CostCanvas(QWidget):
    """The cost plot above the accuracy strip.

    Signals
    -------
    range_changed_manually()
        The user panned or zoomed either plot.
    auto_range_requested()
        The plot's own "A" (auto-range) button was clicked.
    hovered(float)
        The mouse is over a plot, at this epoch (view x).
    left()
        The mouse left the plots.
    """

    range_changed_manually = Signal()
    auto_range_requested = Signal()
    hovered = Signal(float)
    left = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._classification = False
        self.cost_widget = pg.PlotWidget()
        self.cost_widget.setMinimumHeight(COST_MIN_HEIGHT)
        self.cost_item = self.cost_widget.getPlotItem()
        self.cost_item.setLabel("left", "cost")
        self.cost_item.setLabel("bottom", "epoch")
        for axis in ("left", "bottom"):
            self.cost_item.getAxis(axis).enableAutoSIPrefix(False)
        self.legend = self.cost_item.addLegend(offset=(-10, 10), labelTextSize="9pt")
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 200))
        self.cost_item.vb.sigResized.connect(self._fit_legend)
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
            self._fast(curve)
        self._pin_curves = {}  # PinnedRun -> its dashed curve
        self._make_rate_axis()

        self.accuracy_widget = pg.PlotWidget()
        # No minimum height of its own (a plot widget's is about 70 px): see COST_MIN_HEIGHT.
        self.accuracy_widget.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Ignored)
        self.accuracy_item = self.accuracy_widget.getPlotItem()
        # The strip's name in its top-left corner: written along the left axis it was longer
        # than the strip is high ("accurac"). The ticks carry the % sign.
        self.accuracy_name = pg.TextItem("accuracy", color="#333333", anchor=(0, 0),
                                         fill=pg.mkBrush(255, 255, 255, 190))
        self.accuracy_name.setParentItem(self.accuracy_item.vb)
        self.accuracy_name.setPos(2, 0)
        self.accuracy_item.setLabel("bottom", "epoch")
        self.accuracy_item.getAxis("bottom").enableAutoSIPrefix(False)
        self.accuracy_item.setXLink(self.cost_item)
        self.accuracy_item.setMouseEnabled(x=True, y=False)
        # Both plots share the epoch axis; equal left axis widths keep them lined up.
        for item in (self.cost_item, self.accuracy_item):
            item.getAxis("left").setWidth(58)
            # Room above the top tick label, which is centred on the top edge of the plot:
            # without it, half of "0.8" or "100%" is cut off.
            item.layout.setContentsMargins(0, TOP_MARGIN, 4, TOP_MARGIN)
        # No legend of its own: train and test keep the cost plot's colours, and a legend in
        # a strip this small would cover the curves.
        self.train_accuracy_curve = self.accuracy_item.plot(
            pen=pg.mkPen(style.ACCURACY_TRAIN, width=LINE_WIDTH))
        self.test_accuracy_curve = self.accuracy_item.plot(
            pen=pg.mkPen(style.ACCURACY_TEST, width=LINE_WIDTH))
        # Three fixed ticks: the strip can be short, and automatic ones crowded into each other.
        self.accuracy_item.getAxis("left").setTicks([[(v, f"{v}%") for v in (0, 50, 100)], []])
        self._curves = {"train": self.train_curve, "test": self.test_curve,
                        "loss": self.loss_curve, "reg": self.reg_curve,
                        "train_accuracy": self.train_accuracy_curve,
                        "test_accuracy": self.test_accuracy_curve}
        self._show_reg_curves(False)

        for item in (self.cost_item, self.accuracy_item):
            item.vb.sigRangeChangedManually.connect(self.range_changed_manually)
            item.autoBtn.clicked.connect(self.auto_range_requested)
        self.reset_ranges()

        # Crosshair: a vertical line in each plot.
        self.cursor_lines = []
        for item in (self.cost_item, self.accuracy_item):
            line = pg.InfiniteLine(angle=90, movable=False,
                                   pen=pg.mkPen("#888888", width=1, style=Qt.DashLine))
            line.setVisible(False)
            item.addItem(line, ignoreBounds=True)
            self.cursor_lines.append(line)
        for widget in (self.cost_widget, self.accuracy_widget):
            widget.scene().sigMouseMoved.connect(
                lambda pos, w=widget: self._on_mouse_moved(w, pos))
            widget.installEventFilter(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.cost_widget, 2)
        layout.addWidget(self.accuracy_widget, 1)
        self._place_strip()

    def _make_rate_axis(self):
        """A second view box for the learning rate, on its own right-hand axis (pyqtgraph's
        MultiplePlotAxes recipe): it shares the epoch axis and takes no mouse input, so
        panning and zooming act on the costs as before."""
        item = self.cost_item
        self.rate_box = pg.ViewBox(enableMouse=False)
        self.rate_box.setAcceptedMouseButtons(Qt.NoButton)
        self.rate_box.setAcceptHoverEvents(False)
        self.rate_box.setZValue(-10)  # behind the cost curves
        item.scene().addItem(self.rate_box)
        axis = item.getAxis("right")
        axis.linkToView(self.rate_box)
        axis.setLabel("learning rate η", color=style.LEARNING_RATE)
        axis.setPen(style.LEARNING_RATE)
        axis.setTextPen(style.LEARNING_RATE)
        axis.enableAutoSIPrefix(False)
        self.rate_box.setXLink(item)
        item.vb.sigResized.connect(self._sync_rate_box)
        self.rate_curve = pg.PlotDataItem(pen=pg.mkPen(style.LEARNING_RATE, width=LINE_WIDTH))
        self.rate_ahead = pg.PlotDataItem(pen=pg.mkPen(style.LEARNING_RATE, width=LINE_WIDTH,
                                                       style=Qt.DotLine))
        for curve in (self.rate_curve, self.rate_ahead):
            self._fast(curve)
            self.rate_box.addItem(curve)
        self._rate_range = None
        item.hideAxis("right")

    def _sync_rate_box(self):
        self.rate_box.setGeometry(self.cost_item.vb.sceneBoundingRect())
        self.rate_box.linkedViewChanged(self.cost_item.vb, self.rate_box.XAxis)

    def show_rates(self, curves, y_range):
        """Draw the learning rate (``{"rate": (x, y), "ahead": (x, y)}``, right axis from
        ``y_range``); empty ``curves`` hide it."""
        shown = bool(curves)
        item = self.cost_item
        if item.getAxis("right").isVisible() != shown:
            item.showAxis("right", shown)
            if shown:
                self.legend.addItem(self.rate_curve, "learning rate η (right axis)")
                self._sync_rate_box()
            else:
                self.legend.removeItem(self.rate_curve)
            self._fit_legend()
        for name, curve in (("rate", self.rate_curve), ("ahead", self.rate_ahead)):
            x, y = curves.get(name, ((), ()))
            if not _holds(curve, x, y):
                curve.setData(x, y)
        if shown and y_range != self._rate_range:
            self._rate_range = y_range
            self.rate_box.setYRange(*y_range, padding=0.02)

    @staticmethod
    def _fast(curve):
        curve.setClipToView(True)
        curve.setDownsampling(auto=True, method="peak")

    # ------------------------------------------------------------------ painting
    def show_curves(self, curves):
        """Draw ``{name: (x, y)}`` (names as :meth:`CurveModel.curves` gives them); the mean
        loss and penalty curves show only when given."""
        self._show_reg_curves("reg" in curves)
        for name, (x, y) in curves.items():
            curve = self._curves[name]
            if not _holds(curve, x, y):
                curve.setData(x, y)

    def set_test_name(self, name):
        """Name the test cost curve ``name`` in the legend."""
        label = self.legend.getLabel(self.test_curve)
        if label is not None and label.text != name:
            label.setText(name)
            self.legend.updateSize()
            self._fit_legend()

    def set_classification(self, on):
        """Show the accuracy strip for classification, where there is room
        (:meth:`_place_strip`)."""
        self._classification = bool(on)
        self._place_strip()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._place_strip()

    def _place_strip(self):
        """The strip under the cost curve, with the epochs under it rather than under the
        cost (its axis, lined up with the cost's, reads for both), where the canvas is at
        least STRIP_ROOM high; in a lower one (a 768-pixel screen) the cost curve alone: a
        strip of a few pixels reads as nothing, and the accuracy is in the table above."""
        strip = self._classification and self.height() >= STRIP_ROOM
        if strip != self.accuracy_widget.isVisibleTo(self):
            self.accuracy_widget.setVisible(strip)
        bottom = self.cost_item.getAxis("bottom")
        bottom.showLabel(not strip)
        bottom.setStyle(showValues=not strip)

    def set_log(self, on):
        self.cost_item.setLogMode(x=False, y=on)
        self.cost_item.setLabel("left", "cost (log scale)" if on else "cost")

    def set_range(self, x_range, y_range):
        self.cost_item.vb.setRange(xRange=x_range, yRange=y_range, padding=0.02)

    def reset_ranges(self):
        """Take the ranges back from pyqtgraph's auto-range (which its "A" button turns on)."""
        for item in (self.cost_item, self.accuracy_item):
            item.disableAutoRange()
        self.accuracy_item.setYRange(0, 100, padding=0.03)

    def _show_reg_curves(self, visible):
        for curve in (self.loss_curve, self.reg_curve):
            if curve.isVisible() != visible:
                curve.setVisible(visible)
                if not visible:
                    curve.setData([], [])
        # Keep the legend honest: list only what is drawn.
        for name, label in _REG_NAMES.items():
            curve = self._curves[name]
            listed = any(sample.item is curve for sample, _ in self.legend.items)
            if visible and not listed:
                self.legend.addItem(curve, label)
            elif not visible and listed:
                self.legend.removeItem(curve)
            else:
                continue
            self._fit_legend()

    def _fit_legend(self, *_):
        """Show the legend where it covers at most ``LEGEND_SHARE`` of the plot's height."""
        fits = self.legend.boundingRect().height() <= LEGEND_SHARE * self.cost_item.vb.height()
        if fits != self.legend.isVisible():
            self.legend.setVisible(fits)

    def show_pins(self, curves):
        """Draw ``{pin: (x, y)}`` dashed in each pin's colour, behind the live curves; the
        curves of pins no longer given go."""
        for pin in [p for p in self._pin_curves if p not in curves]:
            self.cost_item.removeItem(self._pin_curves.pop(pin))
        for pin, (x, y) in curves.items():
            curve = self._pin_curves.get(pin)
            if curve is None:
                curve = self._pin_curves[pin] = self.cost_item.plot(
                    pen=pg.mkPen(pin.colour, width=LINE_WIDTH, style=Qt.DashLine))
                self._fast(curve)
                curve.setZValue(-1)
            curve.setData(x, y)

    def pin_curve(self, pin):
        """The curve drawn for ``pin``, or None."""
        return self._pin_curves.get(pin)

    # ------------------------------------------------------------------ crosshair
    def show_cursor(self, epoch):
        for line in self.cursor_lines:
            line.setPos(epoch)
            line.setVisible(True)

    def _on_mouse_moved(self, widget, pos):
        vb = widget.getPlotItem().vb
        if vb.sceneBoundingRect().contains(pos):
            self.hovered.emit(vb.mapSceneToView(pos).x())

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Leave:
            for line in self.cursor_lines:
                line.setVisible(False)
            self.left.emit()
        return super().eventFilter(watched, event)
