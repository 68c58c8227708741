"""The OpenGL 3-D scene of the error surface: the shaded mesh in a box, its contour lines, the
path and the current point, ticks and axis titles that follow the camera. It only paints what
the widget gives it (a :class:`~gui.views.surface.model.Plane` and its
:class:`~gui.views.surface.model.SurfaceResult`, the path's plane coordinates and heights).

Where OpenGL is missing (the ``offscreen`` platform, a driver that does not start) the widget
shows the contour map instead: :func:`opengl_problem` says why before trying, and
:meth:`Scene3D.is_valid` (``isValid()`` of the GL window) tells afterwards whether it started;
see docs/headless-qt.md.
"""
from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetrics, QGuiApplication, QImage, QMatrix4x4,
                           QPainter, QSurfaceFormat, QVector3D)
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from gui.numbers import format_number
from gui.views.surface.contour import PATH_COLOUR, colour_map
from gui.views.surface.geometry import BOX_HEIGHT, shaded_colours

#: Axis titles stand between the middle tick and the far end's (at the middle they covered
#: the middle tick's label).
TITLE_AT = 0.5
#: Path and marker float this fraction of the box height above the surface.
LIFT = 0.012
#: Default cameras: from the front right, above the plane; the principal plane is seen from
#: the end of the path (its low end, in front) looking up the valley towards its start.
CAMERAS = {
    "weights": {"distance": 3.7, "elevation": 32.0, "azimuth": -60.0},
    "random": {"distance": 3.7, "elevation": 32.0, "azimuth": -60.0},
    "pca": {"distance": 4.1, "elevation": 40.0, "azimuth": -155.0},
}


def _fmt(value) -> str:
    return format_number(value, 4, sci_digits=2)


def opengl_problem(use_opengl):
    """Why the 3-D view cannot be shown here, or None when it can be tried."""
    if use_opengl is False:
        return "the 3-D view is turned off"
    platform = QGuiApplication.platformName()
    if platform in ("offscreen", "minimal"):
        return f"the Qt platform '{platform}' has no OpenGL"
    try:
        import pyqtgraph.opengl  # noqa: F401
        from OpenGL import GL  # noqa: F401
    except Exception as err:  # noqa: BLE001 - any failure means: no 3-D view
        return f"OpenGL could not be loaded ({err})"
    return None


class ColourLegend(pg.GraphicsLayoutWidget):
    """The colour bar beside the 3-D view: the colour map with the cost at round heights."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        self.bar = pg.ColorBarItem(colorMap=colour_map(), interactive=False, width=14)
        self.bar.axis.enableAutoSIPrefix(False)
        self.addItem(self.bar)
        self.setFixedWidth(84)

    def set_range(self, lo, hi, log, title):
        """Colour heights ``lo..hi``; on the log scale (heights are log10 of the cost) the
        ticks read as costs."""
        self.bar.axis.setLogMode(bool(log))
        self.bar.setLevels((lo, hi) if hi > lo else (lo - 0.5, lo + 0.5))
        self.bar.axis.setLabel(title)


class _GLHost(QWidget):
    """Holds the GL window's container; when the widget tree is rendered into an image
    (``QWidget.grab`` of the main window, for screenshots) it paints the GL frame, which a
    window container cannot give. On screen the GL window covers this painting."""

    def __init__(self, scene):
        super().__init__()
        self._scene = scene
        self.container = QWidget.createWindowContainer(scene.view, self)
        self.container.setMinimumSize(200, 160)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.container)
        self.setToolTip("Drag to rotate, wheel to zoom, middle-drag to pan.")

    def paintEvent(self, event):
        if not self._scene.is_valid():
            return
        painter = QPainter(self)
        frame = self._scene.view.grabFramebuffer()
        painter.drawImage(QRectF(self.container.geometry()), frame)
        painter.end()


class Scene3D:
    """The GL view and its items. Data items share one transform from plane units (α, β,
    height) into the box; frame and labels are placed in box units.

    The view is a ``QOpenGLWindow`` in a window container rather than pyqtgraph's
    ``GLViewWidget`` (a ``QOpenGLWidget``): a ``QOpenGLWidget`` turns on OpenGL composition of
    the *whole* main window, so every repaint of any plot went through (software) OpenGL. And
    it is drawn at once with :meth:`paint_now` after each snapshot: pyqtgraph's GL items call
    OpenGL through ctypes, which lets go of the interpreter lock at every call, so a paint that
    ran while the training thread computes would wait for the lock hundreds of times. Right
    after a snapshot the training worker is idle, waiting for the frame to be shown.
    """

    def __init__(self):
        import pyqtgraph.opengl as gl
        from OpenGL import GL
        from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem
        from pyqtgraph.opengl.GLViewWidget import GLViewMixin
        from PySide6.QtOpenGL import QOpenGLWindow

        class _View(GLViewMixin, QOpenGLWindow):
            """pyqtgraph's GL view as a window of its own (see the class docstring)."""

            paint_seconds = 0.0

            def __init__(self):
                super().__init__(QOpenGLWindow.UpdateBehavior.NoPartialUpdate)
                fmt = QSurfaceFormat.defaultFormat()
                fmt.setDepthBufferSize(24)
                self.setFormat(fmt)

            # What GLViewMixin and GLTextItem ask of a QWidget.
            def devicePixelRatioF(self):
                return self.devicePixelRatio()

            def rect(self):
                return QRect(0, 0, self.width(), self.height())

            def paintGL(self):
                start = time.perf_counter()
                super().paintGL()
                self.paint_seconds = time.perf_counter() - start

            camera_changed = None

            def setCameraPosition(self, *args, **kwargs):
                super().setCameraPosition(*args, **kwargs)
                if self.camera_changed is not None:
                    self.camera_changed()

            def orbit(self, azim, elev):
                super().orbit(azim, elev)
                if self.camera_changed is not None:
                    self.camera_changed()

        class _Labels(GLGraphicsItem):
            """Texts at 3-D points, all drawn with one QPainter (a GLTextItem opens one per
            text, which costs about half a millisecond each in software OpenGL)."""

            def __init__(self):
                super().__init__()
                self.entries = []

            def set_entries(self, entries):
                """``(pos, text, font, colour, alignment)`` tuples."""
                self.entries = []
                for pos, text, font, colour, align in entries:
                    box = QFontMetrics(font).tightBoundingRect(text)
                    dx = box.width() if align & Qt.AlignRight else (
                        box.width() / 2 if align & Qt.AlignHCenter else 0.0)
                    dy = box.height() / 2 if align & Qt.AlignVCenter else (
                        box.height() if align & Qt.AlignTop else 0.0)
                    self.entries.append((QVector3D(*map(float, pos)), text, font, colour,
                                         -dx, dy))
                self.update()

            def paint(self):
                if not self.entries:
                    return
                self.setupGLState()
                view = self.view()
                viewport = QMatrix4x4()
                viewport.viewport(0.0, float(view.height()), float(view.width()),
                                  -float(view.height()))
                project = viewport * self.mvpMatrix()
                painter = QPainter(view)
                painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
                halo = QColor(255, 255, 255, 200)
                for pos, text, font, colour, dx, dy in self.entries:
                    point = project.map(pos).toPointF()
                    at = QPointF(point.x() + dx, point.y() + dy)
                    painter.setFont(font)
                    if font.bold():
                        # Titles can lie over the surface: a white halo keeps them readable.
                        painter.setPen(halo)
                        for ox, oy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                            painter.drawText(at + QPointF(ox, oy), text)
                    painter.setPen(colour)
                    painter.drawText(at, text)
                painter.end()

        on_top = {GL.GL_DEPTH_TEST: False, GL.GL_BLEND: True, GL.GL_CULL_FACE: False,
                  "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA)}
        self.view = _View()
        self.view.setBackgroundColor("w")
        self.widget = _GLHost(self)
        # The 3-D tab: the view with its colour bar beside it.
        self.legend = ColourLegend()
        self.tab = QWidget()
        row = QHBoxLayout(self.tab)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.widget, 1)
        row.addWidget(self.legend)
        self._frame_args = self._frame_key = None
        self._stops = colour_map().getStops(mode="float")
        self.view.camera_changed = self._on_camera_changed
        self.reset_camera()

        path_rgba = pg.mkColor(PATH_COLOUR).getRgbF()
        self.surface = gl.GLSurfacePlotItem(computeNormals=False, smooth=False, shader=None,
                                            glOptions="opaque")
        self.contours = gl.GLLinePlotItem(mode="lines", color=(1, 1, 1, 0.5), width=1,
                                          antialias=True, glOptions="translucent")
        self.frame = gl.GLLinePlotItem(mode="lines", color=(0.35, 0.35, 0.35, 1), width=1,
                                       antialias=True, glOptions="translucent")
        # Path, ghost and shadow are drawn as separate segments ("lines"), so that the parts of
        # the path beyond the plane's edge can be left out.
        self.shadow = gl.GLLinePlotItem(mode="lines", color=(0.2, 0.2, 0.2, 0.35), width=2,
                                        antialias=True, glOptions="translucent")
        self.drop = gl.GLLinePlotItem(mode="lines", color=(0.2, 0.2, 0.2, 0.6), width=1,
                                      antialias=True, glOptions="translucent")
        self.ghost = gl.GLLinePlotItem(mode="lines", color=(*path_rgba[:3], 0.35), width=2,
                                       antialias=True, glOptions=on_top)
        self.path = gl.GLLinePlotItem(mode="lines", color=path_rgba, width=3.5, antialias=True,
                                      glOptions="translucent")
        # Markers are hidden by hills in front of them (so that they read as lying on the
        # surface), and drawn again faintly on top (so that a hidden one is still found). The
        # fill is drawn over its outline at the same depth: hence GL_LEQUAL.
        on_surface = {GL.GL_DEPTH_TEST: True, GL.GL_BLEND: True, GL.GL_CULL_FACE: False,
                      "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA),
                      "glDepthFunc": (GL.GL_LEQUAL,)}
        self.start = gl.GLScatterPlotItem(color=(1, 1, 1, 1), size=9, pxMode=True,
                                          glOptions=on_surface)
        self.marker_outline = gl.GLScatterPlotItem(color=(1, 1, 1, 1), size=19, pxMode=True,
                                                   glOptions=on_surface)
        self.marker = gl.GLScatterPlotItem(color=path_rgba, size=13, pxMode=True,
                                           glOptions=on_surface)
        self.start_ghost = gl.GLScatterPlotItem(color=(1, 1, 1, 0.5), size=9, pxMode=True,
                                                glOptions=on_top)
        self.marker_ghost = gl.GLScatterPlotItem(color=(*path_rgba[:3], 0.45), size=13,
                                                 pxMode=True, glOptions=on_top)
        self._path_items = (self.path, self.ghost, self.shadow, self.drop, self.start,
                            self.marker_outline, self.marker, self.start_ghost,
                            self.marker_ghost)
        self.data_items = [self.surface, self.contours, *self._path_items]
        # Drawing order: opaque first, then translucent, then what stays on top.
        for depth, item in enumerate([self.surface, self.frame, self.contours, self.shadow,
                                      self.drop, self.path, self.start, self.marker_outline,
                                      self.marker, self.ghost, self.start_ghost,
                                      self.marker_ghost]):
            item.setDepthValue(depth)
            item.setVisible(False)
            self.view.addItem(item)
        self.frame.setVisible(True)
        self.labels = _Labels()
        self.labels.setDepthValue(20)
        self.view.addItem(self.labels)
        self._label_entries = []

    # ------------------------------------------------------------------ set-up
    def reset_camera(self, mode="weights"):
        """The default camera of ``mode`` (the principal plane is seen along the path)."""
        self.view.setCameraPosition(pos=pg.Vector(0, 0, 0.35 * BOX_HEIGHT), **CAMERAS[mode])

    def is_valid(self) -> bool:
        return self.view.isValid()

    def grab(self) -> QImage:
        """The view as rendered (labels included) with its colour bar beside it."""
        frame = self.view.grabFramebuffer()
        legend = self.legend.grab().toImage()
        legend.setDevicePixelRatio(frame.devicePixelRatio())
        image = QImage(frame.width() + legend.width(), max(frame.height(), legend.height()),
                       QImage.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.drawImage(0, 0, frame)
        painter.drawImage(frame.width(), 0, legend)
        painter.end()
        return image

    def paint_now(self):
        """Draw now rather than at the window system's next update (see the class docstring)."""
        if self.view.isExposed():
            QCoreApplication.sendEvent(self.view, QEvent(QEvent.UpdateRequest))

    def _text(self, pos, text, colour="#333333", size=9, bold=False,
              align=Qt.AlignHCenter | Qt.AlignVCenter):
        font = QFont()
        font.setPointSizeF(size)
        font.setBold(bold)
        self._label_entries.append((pos, text, font, QColor(colour), align))

    def set_surface(self, plane, result, height_title):
        """Show ``result`` for ``plane``: the mesh, its contours, the frame and the labels."""
        span, lo, hi = plane.span, result.lo, result.hi
        height = (hi - lo) if hi > lo else 1.0
        transform = pg.Transform3D()
        transform.scale(1.0 / span, 1.0 / span, BOX_HEIGHT / height)
        transform.translate(0.0, 0.0, -lo)
        for item in self.data_items:
            item.setTransform(transform)
        self._lo, self._lift = lo, LIFT * height
        self.surface.setData(x=result.alphas, y=result.betas, z=result.heights.T,
                             colors=shaded_colours(result.heights, result.alphas, result.betas,
                                                   lo, hi, self._stops))
        segments = result.segments.copy()
        segments[:, 2] += 0.3 * self._lift
        self.contours.setData(pos=segments if len(segments) else np.zeros((2, 3)))
        self.contours.setVisible(len(segments) > 0)
        self.surface.setVisible(True)
        self._draw_frame(plane, result, height_title)
        self.legend.set_range(lo, hi, result.log, height_title)
        self.legend.setVisible(True)

    def clear_frame(self, lines=()):
        """No box, ticks or axis titles (until the next surface); ``lines`` of text in the
        middle of the view instead, if given."""
        self._frame_args = self._frame_key = None
        self.frame.setVisible(False)
        self.legend.setVisible(False)
        self._label_entries = []
        for k, line in enumerate(lines):
            self._text((0.0, 0.0, 0.5 * BOX_HEIGHT - 0.12 * k), line, colour="#555555",
                       size=11, bold=k == 0)
        self.labels.set_entries(self._label_entries)

    def _draw_frame(self, plane, result, height_title):
        self._frame_args = (plane, result, height_title)
        self._frame_key = None
        self._on_camera_changed()

    def _corners(self):
        """The floor corner nearest the camera and the one leftmost on screen, as (x, y) signs.

        Tick labels go along the two edges at the near corner and the height axis stands at
        the leftmost corner, so that no label lies over the surface from any side.
        """
        azimuth = math.radians(self.view.opts["azimuth"])
        c, s = math.cos(azimuth), math.sin(azimuth)
        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
        near = max(corners, key=lambda p: p[0] * c + p[1] * s)
        left = min(corners, key=lambda p: -p[0] * s + p[1] * c)
        return near, left

    def _on_camera_changed(self):
        if self._frame_args is None:
            return
        key = self._corners()
        if key != self._frame_key:
            self._frame_key = key
            self._layout_frame(*key)

    def _layout_frame(self, near, left):
        plane, result, height_title = self._frame_args
        xn, yn = near
        xl, yl = left
        self._label_entries = []
        H = BOX_HEIGHT
        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)]
        lines = [(x, y, 0) for a, b in zip(corners, corners[1:]) for x, y in (a, b)]
        for t in (-1, 0, 1):
            lines += [(t, yn, 0), (t, 1.06 * yn, 0), (xn, t, 0), (1.06 * xn, t, 0)]
        lines += [(xl, yl, 0), (xl, yl, H)]
        for k in range(5):
            lines += [(xl, yl, k / 4 * H), (1.04 * xl, 1.04 * yl, k / 4 * H)]
        self.frame.setData(pos=np.array(lines, dtype=float))
        self.frame.setVisible(True)

        span = plane.span
        off_a, off_b = plane.offsets
        for t in (-1, 0, 1):
            self._text((t, 1.16 * yn, 0), _fmt(off_a + t * span))
            self._text((1.17 * xn, t, 0), _fmt(off_b + t * span))
        short = plane.short_labels or plane.labels
        # Titles on the half of their edge away from the near corner, where labels crowd.
        self._text((-TITLE_AT * xn, 1.38 * yn, 0), short[0], colour="#111111", size=10,
                   bold=True)
        self._text((1.42 * xn, -TITLE_AT * yn, 0), short[1], colour="#111111", size=10,
                   bold=True)
        # The lowest tick goes unlabelled: at the floor it stood on a floor tick's label, and
        # the colour bar beside the view gives the lowest cost anyway.
        for k in range(1, 5):
            h = result.lo + k / 4 * (result.hi - result.lo)
            self._text((1.07 * xl, 1.07 * yl, k / 4 * H),
                       _fmt(10 ** h if result.log else h) + " ",
                       align=Qt.AlignRight | Qt.AlignVCenter)
        self._text((xl, yl, H * 1.1), height_title, colour="#111111", size=10, bold=True)
        self.labels.set_entries(self._label_entries)

    def set_path(self, xy, heights, lo, span):
        """The path over ``xy`` (p, 2) at ``heights`` (p,), in plane units; only what lies over
        the plane (|x|, |y| ≤ ``span``) is drawn, so nothing floats beyond the box."""
        if xy is None or not len(xy):
            for item in self._path_items:
                item.setVisible(False)
            return
        inside = np.all(np.abs(xy) <= span * (1.0 + 1e-9), axis=1)
        pos = np.column_stack([xy, heights + self._lift])
        floor = np.column_stack([xy, np.full(len(xy), lo)])
        kept = inside[:-1] & inside[1:]
        for item, points in ((self.path, pos), (self.ghost, pos), (self.shadow, floor)):
            segments = np.stack([points[:-1], points[1:]], axis=1)[kept].reshape(-1, 3)
            if len(segments):
                item.setData(pos=segments)
            item.setVisible(len(segments) > 0)
        ends = [(self.start, inside[0], pos[:1]), (self.start_ghost, inside[0], pos[:1]),
                (self.drop, inside[-1], np.vstack([pos[-1], floor[-1]]))]
        ends += [(item, inside[-1], pos[-1:])
                 for item in (self.marker_outline, self.marker, self.marker_ghost)]
        for item, shown, points in ends:
            if shown:
                item.setData(pos=points)
            item.setVisible(bool(shown))
