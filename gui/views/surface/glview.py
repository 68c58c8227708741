"""The OpenGL plumbing of the 3-D scene: pyqtgraph's GL view as a window of its own, a host
widget that can paint it into screenshots, and one item that draws every text label.

Imported only once :func:`gui.views.surface.scene.opengl_problem` found OpenGL usable (it
imports ``pyqtgraph.opengl`` and PyOpenGL at once).
"""
from __future__ import annotations

import math
import time

from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem
from pyqtgraph.opengl.GLViewWidget import GLViewMixin
from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetrics, QImage, QMatrix4x4, QPainter,
                           QSurfaceFormat, QVector3D)
from PySide6.QtOpenGL import QOpenGLWindow
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gui import style

#: The camera's elevation stays in this range (degrees): from straight above the labels of the
#: floor's two axes fall on one another, from below the surface hides its own valley.
ELEVATION_RANGE = (0.0, 80.0)
#: A press and release at most this many pixels apart is a click (more: a drag that rotated).
CLICK_SLOP = 3


class View(GLViewMixin, QOpenGLWindow):
    """pyqtgraph's GL view as a ``QOpenGLWindow`` (see :class:`~gui.views.surface.scene.Scene3D`
    for why). ``camera_changed`` (a callable or None) is called after every camera move;
    ``pointed`` (a callable or None) with ``(x, y, clicked)`` when the pointer moves over the
    view with no button down (``clicked`` False) or clicks without dragging (True), and with
    ``(None, None, False)`` when it leaves."""

    paint_seconds = 0.0
    camera_changed = None
    pointed = None
    #: Something changed since the last paint. The scene paints at once after a snapshot
    #: (``Scene3D.paint_now``), yet the update request its items posted on the way still
    #: arrives afterwards and QOpenGLWindow would paint the same picture a second time:
    #: half of all 3-D paints while training. Such a request finds this False and is dropped.
    _dirty = True

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

    def update(self):
        self._dirty = True
        super().update()

    def paintGL(self):
        self._dirty = False
        start = time.perf_counter()
        super().paintGL()
        self.paint_seconds = time.perf_counter() - start

    def setCameraPosition(self, *args, **kwargs):
        super().setCameraPosition(*args, **kwargs)
        self._moved()

    def orbit(self, azim, elev):
        super().orbit(azim, elev)
        self._moved()

    def resizeGL(self, w, h):
        super().resizeGL(w, h)
        self._moved()

    def mousePressEvent(self, ev):
        super().mousePressEvent(ev)
        self._pressed_at = ev.position()

    def mouseMoveEvent(self, ev):
        super().mouseMoveEvent(ev)
        if ev.buttons() == Qt.NoButton:
            self._point(ev.position(), False)

    def mouseReleaseEvent(self, ev):
        super().mouseReleaseEvent(ev)
        pressed, self._pressed_at = getattr(self, "_pressed_at", None), None
        if (ev.button() == Qt.LeftButton and pressed is not None
                and (ev.position() - pressed).manhattanLength() <= CLICK_SLOP):
            self._point(ev.position(), True)  # a click, not the end of a drag that rotated

    def event(self, ev):
        kind = ev.type()
        if kind == QEvent.UpdateRequest and not self._dirty:
            return True  # painted already (see ``_dirty``)
        if kind in (QEvent.Expose, QEvent.Resize):
            self._dirty = True
        if kind == QEvent.Leave and self.pointed is not None:
            self.pointed(None, None, False)
        return super().event(ev)

    def _point(self, position, clicked):
        if self.pointed is not None:
            self.pointed(position.x(), position.y(), clicked)

    def _moved(self):
        low, high = ELEVATION_RANGE
        self.opts["elevation"] = min(max(self.opts["elevation"], low), high)
        if self.camera_changed is not None:
            self.camera_changed()


class Host(QWidget):
    """Holds the GL window's container; when the widget tree is rendered into an image
    (``QWidget.grab`` of the main window, for screenshots) it paints the GL frame, which a
    window container cannot give. On screen the GL window covers this painting."""

    def __init__(self, view):
        super().__init__()
        self._view = view
        self.container = QWidget.createWindowContainer(view, self)
        self.container.setMinimumSize(200, 160)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.container)
        self.setToolTip("Drag to rotate, wheel to zoom, middle-drag to pan.")

    def paintEvent(self, event):
        if not self._view.isValid():
            return
        painter = QPainter(self)
        painter.drawImage(QRectF(self.container.geometry()), self._view.grabFramebuffer())
        painter.end()


class Labels(GLGraphicsItem):
    """Texts at 3-D points, all drawn with one QPainter (a GLTextItem opens one per text,
    which costs about half a millisecond each in software OpenGL).

    Entries are drawn in order, so that none covers another: a tick label that would fall on
    one already drawn is left out; a title (bold) moves to the nearest spot clear of the
    others, away from the middle of the view first. Every text stays inside the view.
    """

    def __init__(self):
        super().__init__()
        self.entries = []
        self.drawn = []  # (text, QRectF, is a title) of the last paint
        # The labels as last drawn, in an image, and what they were drawn for: while neither
        # the camera nor the texts change (a run training, the camera still) each paint draws
        # that image (uploaded once: the GL paint engine caches it by its key) instead of
        # drawing every text again with software OpenGL, which took milliseconds.
        self._image = self._image_key = None

    def set_entries(self, entries):
        """``(pos, text, font, colour, alignment)`` tuples."""
        self._image = self._image_key = None
        self.entries = []
        for pos, text, font, colour, align in entries:
            box = QFontMetrics(font).tightBoundingRect(text)
            dx = box.width() if align & Qt.AlignRight else (
                box.width() / 2 if align & Qt.AlignHCenter else 0.0)
            dy = box.height() / 2 if align & Qt.AlignVCenter else (
                box.height() if align & Qt.AlignTop else 0.0)
            self.entries.append((QVector3D(*map(float, pos)), text, font, colour, -dx, dy,
                                 QRectF(box)))
        self.update()

    def paint(self):
        if not self.entries:
            self.drawn = []
            return
        self.setupGLState()
        view = self.view()
        width, height, ratio = view.width(), view.height(), view.devicePixelRatio()
        viewport = QMatrix4x4()
        viewport.viewport(0.0, float(height), float(width), -float(height))
        project = viewport * self.mvpMatrix()
        key = (width, height, ratio, project.copyDataTo())
        if key != self._image_key:
            image = QImage(max(1, round(width * ratio)), max(1, round(height * ratio)),
                           QImage.Format_ARGB32_Premultiplied)
            image.setDevicePixelRatio(ratio)
            image.fill(Qt.transparent)
            painter = QPainter(image)
            self.drawn = draw_labels(painter, project, width, height, self.entries)
            painter.end()
            self._image, self._image_key = image, key
        painter = QPainter(view)
        painter.drawImage(QPointF(0.0, 0.0), self._image)
        painter.end()


#: The directions a title tries, turned from "away from the middle of the view" (degrees).
TURNS = (0, 45, -45, 90, -90, 135, -135, 180)
#: Steps a title moves at most, in each direction.
MOST_STEPS = 40


def _inside(rect, w, h) -> QPointF:
    """The shift that brings ``rect`` inside a ``w`` × ``h`` picture (none when it is)."""
    return QPointF(min(max(0.0, -rect.left()), w) - max(0.0, rect.right() - w),
                   min(max(0.0, -rect.top()), h) - max(0.0, rect.bottom() - h))


def clear_offset(rect, away, taken, w, h, step=3.0) -> QPointF:
    """How far a title's ``rect`` moves to cover none of the rectangles ``taken``, once kept
    inside the ``w`` × ``h`` picture: the nearest spot ``step`` pixels apart, trying the
    direction ``away`` (from the middle of the view) first, then turned further round. Only
    moving away, a title at the picture's edge was pushed back inside onto the ticks it had
    left (presentation mode's larger text). With no clear spot, as far away as it goes."""
    angle = math.atan2(away.y(), away.x())
    for k in range(MOST_STEPS + 1):
        for turn in TURNS if k else (0,):
            a = angle + math.radians(turn)
            offset = QPointF(math.cos(a) * step * k, math.sin(a) * step * k)
            moved = rect.translated(offset)
            moved.translate(_inside(moved, w, h))
            if not any(moved.intersects(other) for other in taken):
                return offset
    return QPointF(math.cos(angle), math.sin(angle)) * (step * MOST_STEPS)


def draw_labels(painter, project, width, height, entries, grow=1.0) -> list:
    """Paint ``entries`` (as :attr:`Labels.entries` holds them) with ``painter`` on a picture
    ``width`` × ``height`` pixels whose 3-D to pixel map is ``project``; fonts and offsets
    grow by ``grow`` (a picture exported larger than the screen). Returns what was drawn:
    ``(text, QRectF, is a title)``. The screen and the exported picture share these rules.
    """
    w, h = float(width), float(height)
    painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
    middle = project.map(QVector3D(0.0, 0.0, 0.5)).toPointF()
    halo = QColor(style.BACKGROUND)  # set off from the surface below in the view's own colour
    halo.setAlpha(200)
    taken, drawn = [], []
    for pos, text, font, colour, dx, dy, box in entries:
        if grow != 1.0:
            font = QFont(font)
            font.setPointSizeF(font.pointSizeF() * grow)
            box = QRectF(box.x() * grow, box.y() * grow, box.width() * grow, box.height() * grow)
        point = project.map(pos).toPointF()
        at = QPointF(point.x() + dx * grow, point.y() + dy * grow)
        pad = 6 if font.bold() else 2  # a title keeps its distance
        rect = box.translated(at).adjusted(-pad, -1, pad, 1)
        if font.bold():
            offset = clear_offset(rect, point - middle, taken, w, h, 3 * grow)
            at += offset
            rect.translate(offset)
        elif any(rect.intersects(other) for other in taken):
            continue  # a tick label on another: the axis reads without it
        # Inside the picture, whatever the camera.
        shift = _inside(rect, w, h)
        at += shift
        rect.translate(shift)
        taken.append(rect)
        drawn.append((text, QRectF(rect), font.bold()))
        painter.setFont(font)
        if font.bold():
            # Titles can lie over the surface: a white halo keeps them readable.
            painter.setPen(halo)
            for ox, oy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                painter.drawText(at + QPointF(ox * grow, oy * grow), text)
        painter.setPen(colour)
        painter.drawText(at, text)
    return drawn
