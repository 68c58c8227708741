"""The OpenGL 3-D scene of the error surface: the shaded mesh in a box, its contour lines, the
path at its real cost with drop lines to the surface, ticks and axis titles that follow the
camera. It only paints what the widget gives it (a :class:`~gui.views.surface.model.Plane`,
its :class:`~gui.views.surface.model.SurfaceResult`, the height range, the path's plane
coordinates and heights).

Where OpenGL is missing (the ``offscreen`` platform, a driver that does not start) the widget
shows the contour map instead: :func:`opengl_problem` says why before trying, and
:meth:`Scene3D.is_valid` (``isValid()`` of the GL window) tells afterwards whether it started;
see docs/headless-qt.md.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import QHBoxLayout, QWidget

from gui import style
from gui.views.surface.contour import PATH_COLOUR, colour_map
from gui.views.surface.geometry import (BOX_HEIGHT, best_camera, log_ticks, nice_ticks,
                                        pick_front, shaded_colours, tick_labels, to_screen)

#: Path and markers float this fraction of the box height above where they are.
LIFT = 0.012
#: Each mode's usual camera (azimuth, elevation in degrees): from the front right, above the
#: plane; the start → now plane from the side of the line from start to now; the principal
#: plane from the end of the path looking up the valley. The camera actually used is the one
#: around it that shows most of the path (see :meth:`Scene3D.aim`).
CAMERAS = {"start_now": (-110.0, 32.0), "weights": (-60.0, 32.0), "random": (-60.0, 32.0),
           "pca": (-155.0, 40.0), "sharpest": (-60.0, 32.0)}
#: What must fit in the view (box units, around the box's centre): the box and the tick
#: labels around it (at 1.17). Titles that would fall outside are moved in.
REACH = (1.2, 0.5)
#: Drop lines from the path to the surface: at most this many, where the gap is at least this
#: fraction of the box height.
DROPS, DROP_MIN = 24, 0.02
#: Picking the surface under the pointer: grid points within this many pixels (or the grid's
#: spacing on screen, when it is wider), in front within this depth (box units) of the nearest.
PICK_RADIUS, PICK_DEPTH = 14.0, 0.15


@functools.lru_cache(maxsize=64)  # asked at every resize and tilt, always for a few sizes
def fit_distance(width, height, elevation, fov=60.0) -> float:
    """The camera distance at which everything within ``REACH`` of the box's centre fits a
    ``width`` × ``height`` view, seen at ``elevation`` from any azimuth (degrees).

    pyqtgraph's field of view ``fov`` is horizontal; the vertical one is narrower by the aspect
    ratio. A point ``q`` (from the centre) at lateral offset ``x`` and height ``y`` on screen
    fits once ``d − q·u ≥ |x| / tan(half-angle)`` (``u`` the direction to the camera).
    """
    tan_h = math.tan(math.radians(fov) / 2)
    tan_v = tan_h * max(height, 1) / max(width, 1)
    xy, z = REACH
    corners = np.array([(sx * xy, sy * xy, sz * z) for sx in (-1, 1) for sy in (-1, 1)
                        for sz in (-1, 1)])
    e = math.radians(elevation)
    need = 0.0
    for a in np.radians(np.arange(0.0, 360.0, 10.0)):
        u = np.array([math.cos(e) * math.cos(a), math.cos(e) * math.sin(a), math.sin(e)])
        right = np.array([-math.sin(a), math.cos(a), 0.0])
        up = np.cross(u, right)
        depth = corners @ u
        need = max(need, float(np.max(depth + np.abs(corners @ right) / tan_h)),
                   float(np.max(depth + np.abs(corners @ up) / tan_v)))
    return need


def opengl_problem(use_opengl):
    """Why the 3-D view cannot be shown here, or None when it can be tried."""
    if use_opengl is False:
        return "the 3-D view is turned off"
    platform = QGuiApplication.platformName()
    if platform in ("offscreen", "minimal"):
        return f"the Qt platform '{platform}' has no OpenGL"
    try:
        import OpenGL
        # PyOpenGL asks the driver for an error after every call (glGetError), a quarter of
        # the Python time of a 3-D paint. Set before OpenGL.GL is first imported.
        OpenGL.ERROR_CHECKING = False
        import pyqtgraph.opengl  # noqa: F401
        from OpenGL import GL  # noqa: F401
    except Exception as err:  # noqa: BLE001 - any failure means: no 3-D view
        return f"OpenGL could not be loaded ({err})"
    return None


def _frame_colour() -> tuple:
    """The box's lines: grey, a little lighter than the text so the labels lead."""
    return pg.mkColor(style.FAINT if style.current().dark else "#595959").getRgbF()


class ColourLegend(pg.GraphicsLayoutWidget):
    """The colour bar beside the 3-D view: the colour map with the cost at round heights."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground(style.BACKGROUND)
        self.bar = pg.ColorBarItem(colorMap=colour_map(), interactive=False, width=14)
        self.bar.axis.enableAutoSIPrefix(False)  # the labels are the costs themselves
        self.bar.axis.setWidth(None)  # as wide as its labels (1e+28 did not fit in 45 px)
        self.addItem(self.bar)
        self.setFixedWidth(84)

    def set_range(self, lo, hi, log, title):
        """Colour heights ``lo..hi``, ticks at round costs (log10 heights on the log scale)."""
        self.bar.setLevels((lo, hi) if hi > lo else (lo - 0.5, lo + 0.5))
        positions, values = log_ticks(lo, hi) if log else (nice_ticks(lo, hi),) * 2
        self.bar.axis.setTicks([list(zip(positions, tick_labels(values))), []])
        self.bar.axis.setLabel(title)


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

        from gui.views.surface import glview

        self.view = glview.View()
        self.view.setBackgroundColor(style.BACKGROUND)
        self.widget = glview.Host(self.view)
        self.legend = ColourLegend()
        self.tab = QWidget()  # the 3-D tab: the view with its colour bar beside it
        row = QHBoxLayout(self.tab)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.widget, 1)
        row.addWidget(self.legend)
        self._frame_args = self._frame_key = None
        self._message = ()  # the lines clear_frame shows instead of a box
        self.ticks = {}  # the tick labels of each axis, as drawn
        self._fitted = None  # (width, height, elevation) the distance was fitted to
        self._zrange = (0.0, 1.0)
        self._stops = colour_map().getStops(mode="float")

        on_top = {GL.GL_DEPTH_TEST: False, GL.GL_BLEND: True, GL.GL_CULL_FACE: False,
                  "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA)}
        # Markers are hidden by hills in front of them (so that they read as lying in the
        # scene), and drawn again faintly on top (so that a hidden one is still found). The
        # fill is drawn over its outline at the same depth: hence GL_LEQUAL.
        on_surface = {GL.GL_DEPTH_TEST: True, GL.GL_BLEND: True, GL.GL_CULL_FACE: False,
                      "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA),
                      "glDepthFunc": (GL.GL_LEQUAL,)}
        red = pg.mkColor(PATH_COLOUR).getRgbF()

        def lines(colour, width, options="translucent"):
            return gl.GLLinePlotItem(mode="lines", color=colour, width=width, antialias=True,
                                     glOptions=options)

        def dots(colour, size, options=on_surface):
            return gl.GLScatterPlotItem(color=colour, size=size, pxMode=True, glOptions=options)

        self.surface = gl.GLSurfacePlotItem(computeNormals=False, smooth=False, shader=None,
                                            glOptions="opaque")
        self.contours = lines((1, 1, 1, 0.5), 1)
        self.frame = lines(_frame_colour(), 1)
        # The path and its companions are separate segments ("lines"), so that the parts
        # beyond the plane's edge can be left out: the path at its real cost (and again
        # faintly on top), its trace on the surface, drop lines between the two, its shadow
        # on the floor, and a stem from the current point down to the floor (with the drop
        # lines: one item less to draw per frame).
        self.path = lines(red, 3.5)
        self.ghost = lines((*red[:3], 0.35), 2, on_top)
        self.trace = lines((0.08, 0.08, 0.08, 0.55), 1.5)
        self.drops = lines((0.1, 0.1, 0.1, 0.5), 1)
        self.shadow = lines((0.2, 0.2, 0.2, 0.35), 2)
        self.start = dots((1, 1, 1, 1), 9)
        # Dots that go together are points of one item (sizes and colours per point, drawn
        # in order): each GL item costs about 0.15 ms of Python a paint. The current point
        # is a white outline under the red dot; its ghost and the start's are drawn on top.
        self.marker = dots(np.array([(1, 1, 1, 1), red]), np.array([19.0, 13.0]))
        self.probe_dot = dots((0.1, 0.1, 0.1, 1), 11)  # the picked point (see gui/selection)
        self.ghosts = dots((1, 1, 1, 0.5), 9, on_top)  # (colours and sizes set with points)
        # The faint start and current point: (their row of the path, colour, size).
        self._ghost_ends = ((0, (1, 1, 1, 0.5), 9.0), (-1, (*red[:3], 0.45), 13.0))
        self._path_items = (self.path, self.ghost, self.trace, self.drops, self.shadow,
                            self.start, self.marker, self.ghosts)
        self.data_items = [self.surface, self.contours, self.probe_dot, *self._path_items]
        # Drawing order: opaque first, then translucent, then what stays on top.
        for depth, item in enumerate([self.surface, self.frame, self.contours, self.shadow,
                                      self.trace, self.drops, self.path, self.start,
                                      self.marker, self.probe_dot, self.ghost, self.ghosts]):
            item.setDepthValue(depth)
            item.setVisible(False)
            self.view.addItem(item)
        self.frame.setVisible(True)
        self.labels = glview.Labels()
        self.labels.setDepthValue(20)
        self.view.addItem(self.labels)
        self._label_entries = []
        self.view.camera_changed = self._on_camera_changed
        self.reset_camera()

    # ------------------------------------------------------------------ the camera
    def fit_distance(self, fit=None) -> float:
        """How far the camera stands for the box and its labels to fit in the view, from any
        azimuth: ``fit`` is ``(width, height, elevation)``, the view's by default."""
        w, h, elevation = fit or self._fit_key()
        return fit_distance(w, h, elevation, self.view.opts["fov"])

    def _fit_key(self):
        return self.view.width(), self.view.height(), float(self.view.opts["elevation"])

    def reset_camera(self, mode="weights", angles=None):
        """The usual camera of ``mode`` (or ``angles``: azimuth, elevation) at the distance
        that fits the box."""
        azimuth, elevation = angles or CAMERAS[mode]
        w, h = self.view.width(), self.view.height()
        self._fitted = (w, h, elevation) if min(w, h) > 0 else None  # unshown: fitted later
        self.view.setCameraPosition(pos=pg.Vector(0, 0, 0.5 * BOX_HEIGHT),
                                    distance=self.fit_distance((w, h, elevation)),
                                    azimuth=azimuth, elevation=elevation)

    def angles(self) -> tuple:
        """The camera's (azimuth, elevation) now."""
        return float(self.view.opts["azimuth"]), float(self.view.opts["elevation"])

    def aim(self, plane, result, xy, heights, preferred):
        """Turn to the camera near ``preferred`` (azimuth, elevation) from which the surface
        hides least of the path (the current point counts most, then the start); the
        camera stays where it is when nothing is hidden from there. Returns the angles."""
        lo, hi = self._zrange
        scale = BOX_HEIGHT / (hi - lo) if hi > lo else 0.0
        box_heights = (np.clip(result.heights, lo, hi) - lo) * scale
        points = np.column_stack([xy / plane.span, (np.clip(heights, lo, hi) - lo) * scale
                                  + LIFT * BOX_HEIGHT])
        weights = np.ones(len(points))
        weights[0], weights[-1] = 3.0, 10.0
        keep = np.unique(np.r_[0, np.linspace(0, len(points) - 1, 60).astype(int)])
        keep = keep[np.all(np.abs(points[keep, :2]) <= 1.0, axis=1)]
        angles = preferred
        if len(keep):
            angles = best_camera(box_heights, result.alphas / plane.span,
                                 result.betas / plane.span, points[keep], weights[keep],
                                 preferred, self.fit_distance(), (0, 0, 0.5 * BOX_HEIGHT))
        if angles != self.angles():
            self.reset_camera(angles=angles)
        return angles

    def is_valid(self) -> bool:
        return self.view.isValid()

    def pick(self, x, y):
        """Plane coordinates ``(α, β)`` of the grid point of the surface under view position
        ``(x, y)`` (pixels), or None where the pointer is not on it."""
        if self._frame_args is None:
            return None
        plane, result, _ = self._frame_args
        lo, hi = self._zrange
        scale = BOX_HEIGHT / (hi - lo) if hi > lo else 0.0
        A, B = (grid.ravel() for grid in np.meshgrid(result.alphas, result.betas))
        box = np.column_stack([A / plane.span, B / plane.span,
                               (np.clip(result.heights.ravel(), lo, hi) - lo) * scale])
        w, h = self.view.width(), self.view.height()
        viewport = (0, 0, w, h)
        mvp = (np.array(self.view.projectionMatrix(viewport, viewport).copyDataTo()).reshape(4, 4)
               @ np.array(self.view.viewMatrix().copyDataTo()).reshape(4, 4))
        sx, sy, depth = to_screen(box, mvp, w, h)
        columns = len(result.alphas)
        spacing = np.hypot(np.diff(sx.reshape(-1, columns), axis=1),
                           np.diff(sy.reshape(-1, columns), axis=1))
        radius = max(PICK_RADIUS, float(np.nanmedian(spacing)))
        k = pick_front(sx, sy, depth, x, y, radius, PICK_DEPTH)
        return None if k is None else (float(A[k]), float(B[k]))

    def set_probe(self, point):
        """Mark ``(α, β, height)`` (plane units), the picked point, or nothing (None)."""
        if point is None or self._frame_args is None:
            self.probe_dot.setVisible(False)
            return
        lo, hi = self._zrange
        alpha, beta, height = point
        self._show(self.probe_dot, [(alpha, beta, min(max(height, lo), hi) + self._lift)])

    def grab(self) -> QImage:
        """The view as rendered (labels included) with its colour bar beside it."""
        frame = self.view.grabFramebuffer()
        legend = self.legend.grab().toImage()
        legend.setDevicePixelRatio(frame.devicePixelRatio())
        image = QImage(frame.width() + legend.width(), max(frame.height(), legend.height()),
                       QImage.Format_RGB32)
        image.fill(QColor(style.BACKGROUND))
        painter = QPainter(image)
        painter.drawImage(0, 0, frame)
        painter.drawImage(frame.width(), 0, legend)
        painter.end()
        return image

    def paint_now(self):
        """Draw now rather than at the window system's next update (see the class docstring)."""
        if self.view.isExposed():
            QCoreApplication.sendEvent(self.view, QEvent(QEvent.UpdateRequest))

    # ------------------------------------------------------------------ the surface
    def set_surface(self, plane, result, height_title, zrange):
        """Show ``result`` for ``plane`` in a box whose height axis runs over ``zrange`` (the
        surface's heights and the path's): the mesh, its contours, the frame and the labels."""
        span, (lo, hi) = plane.span, zrange
        self._zrange = zrange
        height = (hi - lo) if hi > lo else 1.0
        transform = pg.Transform3D()
        transform.scale(1.0 / span, 1.0 / span, BOX_HEIGHT / height)
        transform.translate(0.0, 0.0, -lo)
        for item in self.data_items:
            item.setTransform(transform)
        self._lift = LIFT * height
        self.surface.setData(x=result.alphas, y=result.betas, z=result.heights.T,
                             colors=shaded_colours(result.heights, result.alphas, result.betas,
                                                   result.lo, result.hi, self._stops))
        segments = result.segments.copy()
        segments[:, 2] += 0.3 * self._lift
        self.contours.setData(pos=segments if len(segments) else np.zeros((2, 3)))
        self.contours.setVisible(len(segments) > 0)
        self.surface.setVisible(True)
        self._frame_args = (plane, result, height_title)
        self._frame_key = None
        self._on_camera_changed()
        self.legend.set_range(result.lo, result.hi, result.log, height_title)
        self.legend.setVisible(True)

    def clear_frame(self, lines=()):
        """No box, ticks or axis titles (until the next surface); ``lines`` of text in the
        middle of the view instead, if given."""
        self._frame_args = self._frame_key = None
        self._message = tuple(lines)
        self.frame.setVisible(False)
        self.legend.setVisible(False)
        self._label_entries = []
        for k, line in enumerate(lines):
            self._text((0.0, 0.0, 0.5 * BOX_HEIGHT - 0.12 * k), line, colour=style.MUTED,
                       size=11, bold=k == 0)
        self.labels.set_entries(self._label_entries)

    def restyle(self):
        """Background, frame and texts again, in the current palette and font scale."""
        self.view.setBackgroundColor(style.BACKGROUND)
        self.frame.setData(color=_frame_colour())
        if self._frame_args is None:
            self.clear_frame(self._message)
        else:
            self._frame_key = None
            self._on_camera_changed()
        self.view.update()

    def _text(self, pos, text, colour=None, size=9, bold=False,
              align=Qt.AlignHCenter | Qt.AlignVCenter):
        font = QFont()
        font.setPointSizeF(size * style.font_scale())
        font.setBold(bold)
        self._label_entries.append((pos, text, font, QColor(colour or style.INK), align))

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
        key = self._fit_key()
        if key != self._fitted and min(key[:2]) > 0:
            # Resized, shown at last or tilted: the distance that fits changes, the learner's
            # zoom relative to it stays.
            zoom = (self.view.opts["distance"] / self.fit_distance(self._fitted)
                    if self._fitted is not None else 1.0)
            self._fitted = key
            self.view.opts["distance"] = zoom * self.fit_distance(key)
        if self._frame_args is None:
            return
        key = self._corners()
        if key != self._frame_key:
            self._frame_key = key
            self._layout_frame(*key)

    def _layout_frame(self, near, left):
        plane, result, height_title = self._frame_args
        (xn, yn), (xl, yl) = near, left
        lo, hi = self._zrange
        H = BOX_HEIGHT
        span, (off_a, off_b) = plane.span, plane.offsets
        # Round ticks (1, 2, 5 × 10^k) on both floor axes, in display coordinates.
        ta = nice_ticks(off_a - span, off_a + span)
        tb = nice_ticks(off_b - span, off_b + span)
        xa, xb = (ta - off_a) / span, (tb - off_b) / span
        if result.log:
            zpos, zvalues = log_ticks(lo, hi)
        else:
            zpos = zvalues = nice_ticks(lo, hi)
        zbox = (zpos - lo) / (hi - lo) * H if hi > lo else np.zeros(len(zpos))
        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)]
        segments = [(x, y, 0) for a, b in zip(corners, corners[1:]) for x, y in (a, b)]
        for x in xa:
            segments += [(x, yn, 0), (x, 1.06 * yn, 0)]
        for y in xb:
            segments += [(xn, y, 0), (1.06 * xn, y, 0)]
        segments += [(xl, yl, 0), (xl, yl, H)]
        for z in zbox:
            segments += [(xl, yl, z), (1.04 * xl, 1.04 * yl, z)]
        self.frame.setData(pos=np.array(segments, dtype=float))
        self.frame.setVisible(True)

        self._label_entries = []
        self.ticks = {"alpha": tick_labels(ta), "beta": tick_labels(tb),
                      "height": tick_labels(zvalues)}
        for x, label in zip(xa, tick_labels(ta)):
            self._text((x, 1.16 * yn, 0), label)
        for y, label in zip(xb, tick_labels(tb)):
            self._text((1.17 * xn, y, 0), label)
        for z, label in zip(zbox, tick_labels(zvalues)):
            self._text((1.07 * xl, 1.07 * yl, z), label + " ",
                       align=Qt.AlignRight | Qt.AlignVCenter)
        # Titles last: they move away from the middle until they are clear of every tick.
        short = plane.short_labels or plane.labels
        self._text((-0.5 * xn, 1.34 * yn, 0), short[0], colour=style.INK, size=10, bold=True)
        self._text((1.36 * xn, -0.5 * yn, 0), short[1], colour=style.INK, size=10, bold=True)
        self._text((xl, yl, H * 1.1), height_title, colour=style.INK, size=10, bold=True)
        self.labels.set_entries(self._label_entries)

    # ------------------------------------------------------------------ the path
    def set_path(self, xy, heights, under, span):
        """The path over ``xy`` (p, 2) at its real ``heights`` (p,) and the surface's heights
        ``under`` it, in plane units; only what lies over the plane (|x|, |y| ≤ ``span``) is
        drawn, and every height is kept inside the box."""
        if xy is None or not len(xy):
            for item in self._path_items:
                item.setVisible(False)
            return
        lo, hi = self._zrange
        heights = np.clip(heights, lo, hi)
        under = np.clip(under, lo, hi)
        inside = np.all(np.abs(xy) <= span * (1.0 + 1e-9), axis=1)
        pos = np.column_stack([xy, heights + self._lift])
        on_surface = np.column_stack([xy, under + self._lift])
        floor = np.column_stack([xy, np.full(len(xy), lo)])
        kept = inside[:-1] & inside[1:]
        for item, points in ((self.path, pos), (self.ghost, pos), (self.shadow, floor),
                             (self.trace, on_surface)):
            segments = np.stack([points[:-1], points[1:]], axis=1)[kept].reshape(-1, 3)
            self._show(item, segments)
        # Drop lines where the real cost is visibly off the surface (always at the ends).
        picks = np.unique(np.r_[np.linspace(0, len(xy) - 1, DROPS).astype(int), len(xy) - 1])
        gap = np.abs(heights - under) >= DROP_MIN * (hi - lo if hi > lo else 1.0)
        picks = picks[inside[picks] & gap[picks]]
        drops = [np.stack([pos[picks], on_surface[picks]], axis=1).reshape(-1, 3)]
        if inside[-1]:
            drops.append(np.vstack([pos[-1], floor[-1]]))  # the stem
        self._show(self.drops, np.vstack(drops))
        self._show(self.start, pos[:1] if inside[0] else [])
        self._show(self.marker, pos[[-1, -1]] if inside[-1] else [])  # outline, then dot
        ends = [end for end in self._ghost_ends if inside[end[0]]]
        if ends:
            rows, colours, sizes = zip(*ends)
            self.ghosts.setData(pos=pos[list(rows)], color=np.array(colours),
                                size=np.array(sizes))
        self.ghosts.setVisible(bool(ends))

    @staticmethod
    def _show(item, points):
        if len(points):
            item.setData(pos=np.asarray(points, dtype=float))
        item.setVisible(len(points) > 0)
