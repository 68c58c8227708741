"""The 2-D contour map of the error surface, with the optimizer's path on it.

The same surface the 3-D view shows, seen from above: the cost as colour (viridis, with a colour
bar), contour lines at evenly spaced heights, the path as a line from its start (a hollow
circle) to the current weights (a filled marker). :class:`~gui.views.surface.widget.SurfaceView`
feeds it; it also stands in for the 3-D view where OpenGL is not available. It only paints:
the contour lines come computed (:func:`gui.widgets.contours.contour_segments`).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

#: The colour map of heights, shared by the 3-D view and its legend (perceptually uniform).
COLOUR_MAP = "viridis"
#: Path and current-weights colours, chosen to stand out on every part of viridis.
PATH_COLOUR = "#ff3b30"
PATH_OUTLINE = "#ffffff"
START_COLOUR = "#ffffff"
CONTOUR_PEN = (255, 255, 255, 120)


def colour_map() -> pg.ColorMap:
    return pg.colormap.get(COLOUR_MAP)


class ContourMap(QWidget):
    """The surface seen from above. Coordinates are the caller's display coordinates.

    Signals
    -------
    pointed(object, object, bool)
        The pointer is over the surface at display coordinates ``(x, y)``, ``clicked`` or
        only moved there; ``(None, None, False)`` when it is off the surface.
    """

    pointed = Signal(object, object, bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._range = None
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #6b3d00; background: #fff4e0; padding: 3px;")
        self.notice.setVisible(False)

        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setBackground("w")
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setAspectLocked(False)
        self.plot.showGrid(x=False, y=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(colorMap=colour_map(), interactive=False, width=14)
        self.colour_bar.axis.enableAutoSIPrefix(False)
        # The top value sits at the widget's top edge: a label cut in half there is dropped
        # (the other values read the scale) rather than paid for with a margin of plot height.
        self.colour_bar.axis.setStyle(hideOverlappingLabels=True)
        # The scale in the tick labels (0.002), not in the title ("bend of the path
        # (x0.001)"): the longer title did not fit the left axis of a short map.
        for name in ("left", "bottom"):
            self.plot.getAxis(name).enableAutoSIPrefix(False)
            # A title from the start (set_surface names the axes): the bottom axis has its
            # full height before the first surface, when the window sizes the docks for it.
            self.plot.setLabel(name, " ")
        self.colour_bar.setImageItem(self.image, insert_in=self.plot)
        self.contours = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(CONTOUR_PEN, width=1))
        self.plot.addItem(self.contours)
        self.path_outline = pg.PlotDataItem(pen=pg.mkPen(PATH_OUTLINE, width=4))
        self.path_curve = pg.PlotDataItem(pen=pg.mkPen(PATH_COLOUR, width=2))
        self.start_marker = pg.ScatterPlotItem(size=9, pen=pg.mkPen(PATH_COLOUR, width=2),
                                               brush=pg.mkBrush(START_COLOUR))
        self.current_marker = pg.ScatterPlotItem(size=13, pen=pg.mkPen(PATH_OUTLINE, width=2),
                                                 brush=pg.mkBrush(PATH_COLOUR))
        # The point picked on the surface (a click): its network is in the boundary view.
        self.probe_marker = pg.ScatterPlotItem(size=12, symbol="x", pen=pg.mkPen("#111111"),
                                               brush=pg.mkBrush("#ffffff"))
        for item in (self.path_outline, self.path_curve, self.start_marker, self.current_marker,
                     self.probe_marker):
            self.plot.addItem(item)
        self.image.setVisible(False)
        scene = self.plot_widget.scene()
        scene.sigMouseMoved.connect(self._on_scene_mouse_moved)
        scene.sigMouseClicked.connect(self._on_scene_mouse_clicked)
        self.plot_widget.setToolTip("Point at the surface to see the network with those weights "
                                    "in the boundary view; click to keep it.")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.notice)
        layout.addWidget(self.plot_widget, 1)

    def axes_height(self) -> int:
        """Pixels of the map's height that are not data: the bottom axis (its tick labels
        and title) and the notice when shown. The window sizes the surface's dock with
        them, so that the map's data area is as tall as the 3-D view beside it."""
        notice = self.notice.sizeHint().height() + 2 if self.notice.isVisibleTo(self) else 0
        return int(round(self.plot.getAxis("bottom").minimumHeight())) + notice

    def set_notice(self, text):
        """A one-line explanation above the map (empty hides it)."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def set_surface(self, xs, ys, heights, segments, labels, height_label):
        """Show ``heights`` (B, A) over display coordinates ``xs`` (A,), ``ys`` (B,).

        ``segments`` are contour segments ``(α, β, level)`` already in display coordinates;
        ``labels`` the (x, y) axis titles.
        """
        lo, hi = float(np.min(heights)), float(np.max(heights))
        if not hi > lo:
            hi = lo + 1.0
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
        self.image.setImage(np.asarray(heights, dtype=float), autoLevels=False, levels=(lo, hi))
        # Pixel k is centred on sample k.
        self.image.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, xs[-1] - xs[0] + dx,
                                  ys[-1] - ys[0] + dy))
        self.image.setVisible(True)
        self.colour_bar.setLevels((lo, hi))
        self.colour_bar.axis.setLabel(height_label)
        if len(segments):
            self.contours.setData(segments[:, 0], segments[:, 1])
        else:
            self.contours.setData([], [])
        self.plot.setLabel("bottom", labels[0])
        self.plot.setLabel("left", labels[1])
        self._range = ((xs[0] - dx / 2, xs[-1] + dx / 2), (ys[0] - dy / 2, ys[-1] + dy / 2))
        self.reset_view()

    def set_path(self, xy):
        """The path ``(p, 2)`` in display coordinates, oldest first, ending at the current
        weights."""
        if xy is None or not len(xy):
            for item in (self.path_outline, self.path_curve, self.start_marker,
                         self.current_marker):
                item.setData([], [])
            return
        self.path_outline.setData(xy[:, 0], xy[:, 1])
        self.path_curve.setData(xy[:, 0], xy[:, 1])
        self.start_marker.setData([xy[0, 0]], [xy[0, 1]])
        self.current_marker.setData([xy[-1, 0]], [xy[-1, 1]])

    def clear(self):
        self.image.setVisible(False)
        self.contours.setData([], [])
        self.set_path(None)
        self.set_probe(None)

    def set_probe(self, xy):
        """Mark the picked point ``(x, y)`` (display coordinates), or nothing (None)."""
        self.probe_marker.setData(*(([], []) if xy is None else ([xy[0]], [xy[1]])))

    # ------------------------------------------------------------------ the pointer
    def _surface_at(self, scene_pos):
        """Display coordinates under ``scene_pos`` when they are on the surface, else None."""
        if self._range is None or not self.image.isVisible():
            return None
        point = self.plot.vb.mapSceneToView(scene_pos)
        (x0, x1), (y0, y1) = self._range
        inside = x0 <= point.x() <= x1 and y0 <= point.y() <= y1
        return (point.x(), point.y()) if inside else None

    def _on_scene_mouse_moved(self, pos):
        xy = self._surface_at(pos)
        self.pointed.emit(*(xy or (None, None)), False)

    def _on_scene_mouse_clicked(self, event):
        if event.button() != Qt.LeftButton or event.double():
            return
        xy = self._surface_at(event.scenePos())
        if xy is not None:
            self.pointed.emit(*xy, True)

    def leaveEvent(self, event):
        super().leaveEvent(event)
        self.pointed.emit(None, None, False)

    def reset_view(self):
        """Back to the whole surface (after the learner zoomed or panned)."""
        if self._range is not None:
            self.plot.setRange(xRange=self._range[0], yRange=self._range[1], padding=0.02)
