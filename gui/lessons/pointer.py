"""Draw the learner's eye to one part of the window: a coloured frame around it that pulses
three times, then stays while the step lasts. A dock's title bar is coloured too: an OpenGL
view inside it is a native window that paints over any frame drawn on top."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QVariantAnimation
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QDockWidget, QWidget

#: The frame's colour: a strong orange that neither class colour nor the cost curves use.
COLOUR = "#e8590c"
WIDTH = 4
PULSES = 3
PULSE_MS = 500


class _Frame(QWidget):
    """A transparent overlay over ``target`` that paints a rounded frame and lets every mouse
    event through to what lies below."""

    def __init__(self, target):
        super().__init__(target)
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.NoFocus)
        self.strength = 1.0
        self.setGeometry(target.rect())
        self.raise_()

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        colour = QColor(COLOUR)
        colour.setAlphaF(0.35 + 0.65 * self.strength)
        painter.setPen(QPen(colour, WIDTH))
        half = WIDTH / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(half, half, -half, -half), 6, 6)


class Pointer(QObject):
    """Points at one widget at a time: :meth:`point_at` frames it, :meth:`clear` removes it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.target = None
        self._frame = None
        self._old_style = ""
        self._pulse = QVariantAnimation(self)
        self._pulse.setStartValue(0.0)
        self._pulse.setKeyValueAt(0.5, 1.0)
        self._pulse.setEndValue(0.0)
        self._pulse.setDuration(PULSE_MS)
        self._pulse.setLoopCount(PULSES)
        self._pulse.valueChanged.connect(self._on_pulse)
        self._pulse.finished.connect(lambda: self._on_pulse(1.0))

    def point_at(self, widget):
        """Frame ``widget`` (None: nothing)."""
        self.clear()
        if widget is None:
            return
        self.target = widget
        if isinstance(widget, QDockWidget):
            self._old_style = widget.styleSheet()
            widget.setStyleSheet(f"QDockWidget::title {{ background: {COLOUR}; color: white; "
                                 f"padding: 3px; }} QDockWidget {{ font-weight: bold; }}")
        self._frame = _Frame(widget)
        self._frame.show()
        widget.installEventFilter(self)
        self._pulse.start()

    def clear(self):
        self._pulse.stop()
        if self.target is not None:
            self.target.removeEventFilter(self)
            if isinstance(self.target, QDockWidget):
                self.target.setStyleSheet(self._old_style)
        if self._frame is not None:
            self._frame.hide()
            self._frame.deleteLater()
        self.target = self._frame = None

    def eventFilter(self, watched, event):
        if watched is self.target and self._frame is not None:
            if event.type() == QEvent.Resize:
                self._frame.setGeometry(watched.rect())
            elif event.type() == QEvent.ChildAdded:
                self._frame.raise_()  # stay above what the widget adds later
        return False

    def _on_pulse(self, value):
        if self._frame is not None:
            self._frame.strength = float(value)
            self._frame.update()
