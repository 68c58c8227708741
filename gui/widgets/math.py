"""Formulas as mathematics: TeX-like text set by matplotlib's mathtext, as a picture.

Fractions, superscripts, subscripts, hats and Greek letters, as a textbook sets them, instead of
``1 / (1 + e^(−z))``. ``render`` turns one formula into a QImage; :class:`MathLabel` shows one or
a few lines of them::

    label = MathLabel(r"$\\sigma(z) = \\frac{1}{1 + e^{-z}}$", plain="σ(z) = 1 / (1 + e^(−z))")

mathtext is matplotlib's own TeX subset and layout engine, with its Computer Modern fonts: no
LaTeX installation, no figure, no matplotlib backend (only ``matplotlib.mathtext`` is used).
Setting a new formula takes tens of milliseconds, so every image is cached (formulas repeat:
the panels' fixed ones, the backpropagation view's stages); matplotlib itself is imported on
first use, which takes about a second. So that the window does not wait for it, the app calls
:func:`defer` before it builds the window and :func:`render_deferred` once it is on screen: in
between, the labels show their formulas as plain text.
"""
from __future__ import annotations

import functools
import weakref

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy

from gui import style

#: mathtext's font set: Computer Modern, TeX's own.
FONTSET = "cm"
#: The default size of a formula, in points (a little larger than the interface's text).
POINT_SIZE = 12.0
COLOUR = "#1a1a1a"
#: Space between the lines of a several-line formula, in pixels at ratio 1.
LINE_GAP = 6
#: The smallest size a formula shrinks to when its label is narrower than it (points).
MIN_POINT_SIZE = 7.5


#: Labels waiting to be set as mathematics (see :func:`defer`); None: set them at once.
_waiting = None


class MathError(ValueError):
    """mathtext cannot set this text; the message says where."""


def defer():
    """Show formulas as plain text until :func:`render_deferred` (the app's start-up)."""
    global _waiting
    if _waiting is None:
        _waiting = weakref.WeakSet()


def render_deferred():
    """Set every formula deferred since :func:`defer`, and any later one at once."""
    global _waiting
    labels, _waiting = _waiting, None
    for label in list(labels or ()):
        label._draw()


class _FirstPaint(QObject):
    """Calls :func:`render_deferred` once ``window`` has been painted the first time."""

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Paint:
            watched.removeEventFilter(self)
            # A zero timer runs after this paint is on screen.
            QTimer.singleShot(0, render_deferred)
        return False


def render_after_first_paint(window):
    """Set the deferred formulas once ``window`` is on screen (see :func:`defer`)."""
    window._formulas_first_paint = watcher = _FirstPaint(window)
    window.installEventFilter(watcher)


@functools.lru_cache(maxsize=1)
def _parser():
    from matplotlib.mathtext import MathTextParser

    return MathTextParser("agg")


@functools.lru_cache(maxsize=1024)
def _coverage(tex, pixel_size):
    """The glyphs' coverage (uint8 (h, w), 255 = ink) of ``tex`` set at ``pixel_size``."""
    import matplotlib
    from matplotlib.font_manager import FontProperties

    with matplotlib.rc_context({"mathtext.fontset": FONTSET}):
        try:
            result = _parser().parse(tex, dpi=72, prop=FontProperties(size=pixel_size))
        except ValueError as err:
            raise MathError(f"cannot set {tex!r}: {err}") from None
    return np.ascontiguousarray(np.asarray(result.image, dtype=np.uint8))


@functools.lru_cache(maxsize=1024)
def render(tex, point_size=POINT_SIZE, colour=COLOUR, ratio=1.0, dpi=96.0) -> QImage:
    """``tex`` (mathtext: ``$...$`` around the maths, plain text outside) as a transparent image
    in ``colour``, for a screen of ``dpi`` logical dots per inch and device pixel ratio
    ``ratio``. The image's device pixel ratio is set, so it draws at its logical size.

    Raises :class:`MathError` for text mathtext cannot set.
    """
    coverage = _coverage(tex, round(point_size * dpi / 72.0 * ratio, 2))
    h, w = coverage.shape
    rgba = np.empty((h, w, 4), dtype=np.uint8)
    rgba[..., :3] = QColor(colour).getRgb()[:3]
    rgba[..., 3] = coverage
    image = QImage(rgba.data, w, h, 4 * w, QImage.Format_RGBA8888).copy()
    image.setDevicePixelRatio(ratio)
    return image


def render_lines(lines, point_size=POINT_SIZE, colour=COLOUR, ratio=1.0, dpi=96.0) -> QImage:
    """Several formulas one under the other, left-aligned (e.g. an optimizer's two updates)."""
    images = [render(line, point_size, colour, ratio, dpi) for line in lines]
    if len(images) == 1:
        return images[0]
    gap = round(LINE_GAP * ratio)
    width = max(image.width() for image in images)
    height = sum(image.height() for image in images) + gap * (len(images) - 1)
    out = QImage(max(width, 1), max(height, 1), QImage.Format_RGBA8888_Premultiplied)
    out.fill(Qt.transparent)
    painter = QPainter(out)
    y = 0
    for image in images:
        image = QImage(image)
        image.setDevicePixelRatio(1.0)  # placed in device pixels
        painter.drawImage(0, y, image)
        y += image.height() + gap
    painter.end()
    out.setDevicePixelRatio(ratio)
    return out


class MathLabel(QLabel):
    """A label showing one formula, or several lines of them, set as mathematics.

    ``set_tex(tex, plain)``: ``tex`` is a mathtext string or a list of them (one per line);
    ``plain`` is the same formula as plain text, for screen readers and tests
    (:meth:`plain_text`). Text mathtext cannot set is shown as ``plain`` instead. A formula
    wider than the label is set smaller, down to ``MIN_POINT_SIZE``, so a narrow column never
    cuts it off.
    """

    def __init__(self, tex="", plain="", point_size=POINT_SIZE, colour=COLOUR, parent=None):
        super().__init__(parent)
        self._lines, self._plain = (), ""
        self.point_size, self.colour = point_size, colour
        self.shown_point_size = point_size
        self.error = None
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        if tex:
            self.set_tex(tex, plain)

    def tex(self) -> tuple:
        """The lines shown, as mathtext."""
        return self._lines

    def plain_text(self) -> str:
        return self._plain

    def set_tex(self, tex, plain=""):
        lines = (tex,) if isinstance(tex, str) else tuple(tex)
        if (lines, plain) == (self._lines, self._plain):
            return
        self._lines, self._plain = lines, plain
        self.setAccessibleName(plain)
        self._draw()

    def _image(self, point_size) -> QImage:
        # The default ink follows the theme (light text on a dark one); a chosen colour stays.
        colour = style.INK if self.colour == COLOUR and style.current().dark else self.colour
        return render_lines(self._lines, point_size * style.font_scale(), colour,
                            self.devicePixelRatioF(), float(self.logicalDpiY()))

    def restyle(self):
        """Set the formula again in the current palette and font scale."""
        self._draw()

    def _draw(self):
        if not any(self._lines):
            self.clear()
            return
        if _waiting is not None:
            _waiting.add(self)
            self.setText(self._plain)
            return
        try:
            size = self.point_size
            image = self._image(size)
            room = self.contentsRect().width()
            natural = image.width() / image.devicePixelRatio()
            if self.isVisible() and 0 < room < natural:
                # Half-point steps: few sizes to cache, and a resize by a pixel changes nothing.
                size = max(MIN_POINT_SIZE / style.font_scale(),
                           int(2 * size * room / natural) / 2)
                image = self._image(size)
        except MathError as err:
            self.error = str(err)
            self.setText(self._plain)
            return
        self.error = None
        self.shown_point_size = size
        self.setPixmap(QPixmap.fromImage(image))

    def minimumSizeHint(self):
        # May be narrower than the formula: it then shrinks to fit (see _draw).
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), 60), hint.height())

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._draw()

    def showEvent(self, event):
        super().showEvent(event)
        self._draw()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == event.Type.DevicePixelRatioChange:
            self._draw()
