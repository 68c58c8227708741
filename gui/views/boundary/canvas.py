"""The decision-boundary view's pyqtgraph items: the heatmaps and their colour bar, the fitted
curve, the data points, a neuron's picture shown large, the message for data it cannot draw.

The canvas paints what it is given; :mod:`gui.views.boundary.model` decides what that is and
:class:`~gui.views.boundary.widget.BoundaryPlot` hands it over. Items are made once and
updated with ``setData``/``setImage``.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt

from gui import style
from gui.views.boundary import model
from gui.widgets.colour_maps import (LIGHTEN_BACKGROUND, diverging_lut, diverging_map,
                                     white_point)


#: Most points of each set (training, test) drawn. Painting a scatter of 100,000 symbols took
#: seconds per frame and froze the window; a few thousand show the same picture. The data sets
#: are shuffled when they are split, so every k-th point is a uniform sample of them.
MAX_DRAWN_POINTS = 4000
#: How far the neutral points' grey is faded into the background.
NEUTRAL_FADE = 0.45
#: Narrower than this (pixels), the colour bar goes without its title (set_compact).
COMPACT_WIDTH = 420


def drawn_points(n) -> np.ndarray:
    """Indices of the points drawn of a set of ``n``: all, or :data:`MAX_DRAWN_POINTS` evenly
    spread over them."""
    if n <= MAX_DRAWN_POINTS:
        return np.arange(n)
    return np.linspace(0, n - 1, MAX_DRAWN_POINTS).round().astype(int)


def _rgb_string(rgb) -> str:
    return "#" + "".join(f"{int(round(c)):02x}" for c in rgb)


def _point_map(centre, middle) -> pg.ColorMap:
    """The saturated version of the diverging map, for colouring regression points, with the
    colour ``middle`` (``"#rrggbb"``) at the neutral value."""
    centre = float(np.clip(centre, 0.02, 0.98))
    colours = [style.hex_to_rgb(style.CLASS_0), style.hex_to_rgb(middle),
               style.hex_to_rgb(style.CLASS_1)]
    return pg.ColorMap(pos=[0.0, centre, 1.0], color=[np.append(c, 255) for c in colours])


def neutral_edge() -> str:
    """The light grey of regression points' edges and of neutral rings: enough to see a point
    on the plane, little enough that the coloured ones stand out."""
    return _rgb_string(style.lighten(style.FAINT, NEUTRAL_FADE))


def point_colours(data, y, mode, filled=True) -> list:
    """A colour per point of targets ``y`` ``(n,)``: its class, or its value on the map.

    Regression points at the neutral value (the flat floor of gauss_regression, half the
    points) are the plot's background colour when ``filled`` (training dots, drawn with a grey
    edge) and grey when not (the test points' rings): they read as "nothing here", and the
    points on the bumps stand out in full colour."""
    if data.task in ("binary", "multiclass"):
        return [style.class_colour(int(k)) for k in y]
    if mode == "curve":
        return [style.POINT] * len(y)
    lo, hi = model.regression_levels(data)
    middle = style.BACKGROUND if filled else neutral_edge()
    point_map = _point_map(model.regression_centre(data), middle)
    rgba = point_map.map(np.clip((y - lo) / (hi - lo), 0, 1), mode="byte")
    return [_rgb_string(c[:3]) for c in rgba]


class BoundaryCanvas(pg.PlotWidget):
    """The plot. ``mode`` is the model's mode it shows (see :func:`model.mode_for`)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setToolTip("")
        self.mode = None
        self._scalar_key = None     # (levels, centre) the colour bar was made for
        self._last_scalar = None    # the network's output, to show again after a neuron's
        self._class_colours = None
        self._compact = False
        self.plot = self.getPlotItem()
        self.plot.showGrid(x=False, y=False)
        self.plot.setLabel("bottom", "x₁")
        self.plot.setLabel("left", "x₂")
        self.view = self.plot.getViewBox()
        # Room above the data area for the upper half of the top tick labels (the colour
        # bar's "1.0" was cut in half by the plot's edge).
        self.plot.layout.setContentsMargins(0, 7, 0, 0)

        self.scalar_image = pg.ImageItem(axisOrder="row-major")
        self.scalar_image.setZValue(-20)
        self.plot.addItem(self.scalar_image)
        self.colour_bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=diverging_map(0.5),
                                          interactive=False, width=14, colorMapMenu=False,
                                          label="network output")
        self.colour_bar.setImageItem(self.scalar_image, insert_in=self.plot)
        self.rgb_image = pg.ImageItem(axisOrder="row-major")
        self.rgb_image.setZValue(-20)
        self.plot.addItem(self.rgb_image)
        self.fit_curve = pg.PlotDataItem(pen=pg.mkPen(style.FIT, width=3))
        self.fit_curve.setZValue(5)
        self.plot.addItem(self.fit_curve)
        self.train_count, self._train_drawn = 0, drawn_points(0)
        self.train_points = pg.ScatterPlotItem(size=8, pxMode=True)
        self.train_points.setZValue(10)
        self.test_points = pg.ScatterPlotItem(size=8, pxMode=True)
        self.test_points.setZValue(9)
        self.plot.addItem(self.test_points)
        self.plot.addItem(self.train_points)
        self.message = pg.TextItem("", color="#555555", anchor=(0.5, 0.5))
        self.plot.addItem(self.message)

        # One neuron's output, shown over the network's while the diagram points at it.
        self.neuron_image = pg.ImageItem(axisOrder="row-major")
        self.neuron_image.setZValue(-15)
        self.plot.addItem(self.neuron_image)
        self.neuron_curve = pg.PlotDataItem(pen=pg.mkPen("#6a3d9a", width=2.5, style=Qt.DashLine))
        self.neuron_curve.setZValue(6)
        self.plot.addItem(self.neuron_curve)
        self.neuron_text = pg.TextItem("", color="#222222", anchor=(0, 0),
                                       fill=pg.mkBrush(255, 255, 255, 215))
        self.neuron_text.setZValue(30)
        self.plot.addItem(self.neuron_text)
        self.show_neuron_items(False)

    # ------------------------------------------------------------------ mode and range
    def set_compact(self, compact):
        """Without the colour bar's title (``compact``): in a narrow column its 18 pixels go
        to the picture; the legend above says what the colour is."""
        if compact != self._compact:
            self._compact = compact
            self.colour_bar.getAxis("left").showLabel(not compact)

    def _set_bar_label(self, text):
        axis = self.colour_bar.getAxis("left")
        axis.setLabel(text)
        axis.showLabel(not self._compact)

    def set_mode(self, mode):
        """Show the items of ``mode``, with the aspect it needs; then :meth:`set_axes`."""
        self.mode = mode
        scalar = mode in model.SCALAR_MODES
        self.scalar_image.setVisible(scalar)
        self.colour_bar.setVisible(scalar)
        self.rgb_image.setVisible(mode == "multiclass")
        self.fit_curve.setVisible(mode == "curve")
        self.message.setVisible(mode == "none")
        self.show_neuron_items(False)
        self.view.setAspectLocked(mode in model.PLANE_MODES, ratio=1.0)

    def set_axes(self, mode):
        """The axes of ``mode`` (none, with a message, for data it cannot draw)."""
        plane = mode in model.PLANE_MODES
        self.plot.setLabel("left", "x₂" if plane else "y")
        self.plot.setLabel("bottom", "x₁" if plane else "x")
        for axis in ("left", "bottom"):  # empty axes around the message would look broken
            self.plot.showAxis(axis, mode != "none")
        if mode == "none":
            self.message.setText(model.NO_PLOT_MESSAGE)
            self.view.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0.0)
            self.message.setPos(0, 0)
            self.train_points.clear()
            self.test_points.clear()

    def set_view_range(self, ranges):
        """``(x_range, y_range, padding)`` from :func:`model.view_range`, or None (keep)."""
        self.view.enableAutoRange(enable=False)
        if ranges is not None:
            x_range, y_range, padding = ranges
            self.view.setRange(xRange=x_range, yRange=y_range, padding=padding)

    def pixels_per_unit(self):
        """Pixels per data unit along x and y, as the view is now."""
        px, py = self.view.viewPixelSize()
        return 1.0 / max(px, 1e-12), 1.0 / max(py, 1e-12)

    # ------------------------------------------------------------------ points
    # Each set is thinned to drawn_points(n); train_count is how many there are in all, and
    # set_train_sizes takes a size per point of the whole set.
    def set_train_points(self, xs, ys, colours, size, edge="w"):
        """``edge``: the points' outline colour (white on the faint class heatmaps)."""
        self.train_count, self._train_drawn = len(xs), drawn_points(len(xs))
        keep = self._train_drawn
        self.train_points.setData(np.asarray(xs)[keep], np.asarray(ys)[keep],
                                  brush=[pg.mkBrush(colours[i]) for i in keep],
                                  pen=pg.mkPen(edge, width=1.2), size=size)

    def set_train_sizes(self, sizes):
        """A size per training point (all ``train_count`` of them); the drawn ones take theirs."""
        self.train_points.setSize(np.asarray(sizes)[self._train_drawn])

    def set_test_points(self, xs, ys, colours, size):
        keep = drawn_points(len(xs))
        self.test_points.setData(np.asarray(xs)[keep], np.asarray(ys)[keep],
                                 brush=pg.mkBrush(*style.hex_to_rgb(style.BACKGROUND), 170),
                                 pen=[pg.mkPen(colours[i], width=2) for i in keep], size=size)

    def restyle(self):
        """Forget the colour map and class colours of the old palette (the widget then shows
        its snapshot again)."""
        self._scalar_key = self._class_colours = None

    # ------------------------------------------------------------------ the network's output
    def show_scalar(self, values, levels, centre, rect, fade=LIGHTEN_BACKGROUND):
        """A heatmap of ``values`` over ``rect`` ``(x, y, w, h)``, white at ``centre``, its
        colours faded ``fade`` of the way into the background."""
        self._last_scalar = (values, levels, centre, rect, fade)
        key = (levels, round(centre, 4), fade)
        if key != self._scalar_key and not self.neuron_image.isVisible():
            self._scalar_key = key
            self.colour_bar.setColorMap(diverging_map(centre, fade))
            self.colour_bar.setLevels(levels)
        self.scalar_image.setImage(values, autoLevels=False, levels=levels)
        self.scalar_image.setRect(QRectF(*rect))

    def show_multiclass(self, values, rect):
        """Class probabilities ``values`` ``(ny, nx, k)`` as blended class colours."""
        k = values.shape[-1]
        if self._class_colours is None or len(self._class_colours) != k:
            self._class_colours = np.array([style.hex_to_rgb(style.class_colour(i))
                                            for i in range(k)])
        self.rgb_image.setImage(model.multiclass_rgb(values, self._class_colours,
                                                     style.hex_to_rgb(style.BACKGROUND)),
                                autoLevels=False, levels=(0, 255))
        self.rgb_image.setRect(QRectF(*rect))

    def show_curve(self, xs, values):
        self.fit_curve.setData(xs, values)

    # ------------------------------------------------------------------ a neuron
    def show_neuron(self, picture):
        """Show a :class:`~gui.selection.NeuronPicture` (of the data's dimension) over the
        network's output; the colour bar reads the neuron's output meanwhile."""
        lo, hi = picture.levels
        if picture.ys is None:
            self.neuron_curve.setData(picture.xs, picture.values)
            (x0, _), (_, y1) = self.view.viewRange()
            self.neuron_text.setPos(x0, y1)
        else:
            centre = white_point(picture.levels)
            fine = model.upsample(np.asarray(picture.values, dtype=float), model.NEURON_UPSAMPLE)
            self.neuron_image.setImage(fine, autoLevels=False, levels=(lo, hi),
                                       lut=diverging_lut(centre))
            xs = np.linspace(picture.xs[0], picture.xs[-1], fine.shape[1])
            ys = np.linspace(picture.ys[0], picture.ys[-1], fine.shape[0])
            self.neuron_image.setRect(QRectF(*model.rect_of(xs, ys)))
            self.neuron_text.setPos(float(picture.xs[0]), float(picture.ys[-1]))
            if self.colour_bar.isVisible():
                self.colour_bar.setColorMap(diverging_map(centre))
                self.colour_bar.setLevels((lo, hi))
                self._set_bar_label("neuron output")
                self._scalar_key = None
        self.neuron_text.setHtml(model.neuron_caption(picture.label, picture.levels))
        self.show_neuron_items(True, curve=picture.ys is None)

    def show_neuron_items(self, show, curve=False):
        was_image = self.neuron_image.isVisible()
        self.neuron_image.setVisible(show and not curve)
        self.neuron_curve.setVisible(show and curve)
        self.neuron_text.setVisible(show)
        if was_image and not self.neuron_image.isVisible():
            # Back to the network's output: its colours on the bar again.
            self._set_bar_label("network output")
            self._scalar_key = None
            if self._last_scalar is not None and self.mode in model.SCALAR_MODES:
                self.show_scalar(*self._last_scalar)
