"""The message strip above the plots: information, a warning or an error, never modal."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolBar, QToolButton,
                               QVBoxLayout, QWidget)

from gui import style


class Banner(QFrame):
    """A non-modal message strip above the plots: information, a warning, or an error.

    ``cleared`` is emitted when the message goes (closed, timed out or cleared); ``closed``
    when the learner closed it. ``tag`` is what :meth:`show_message` was told the message is
    (None unless its sender names it), so a sender can tell its own message from others'.
    """

    cleared = Signal()
    closed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("banner")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Hide this message")
        self.close_button.clicked.connect(self._on_close_button_clicked)
        layout = QHBoxLayout(self)
        # Thin margins: on a 720-pixel screen every pixel of the bar is taken from the plots.
        layout.setContentsMargins(10, 3, 4, 3)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignTop)
        self.level = self.tag = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)
        self.setVisible(False)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self):
        # A toolbar's layout ignores height-for-width, so size the wrapped text by hand.
        height = self.label.heightForWidth(max(self.label.width(), 200))
        if height > 0:
            self.label.setFixedHeight(height)

    def show_message(self, text, level="info", timeout_ms=None, tag=None, tooltip=""):
        background, border, colour = style.BANNER[level]
        self.setStyleSheet(f"QFrame#banner {{ background: {background}; border: 1px solid {border};"
                           f" border-radius: 4px; }} QLabel {{ color: {colour}; }}")
        self.label.setText(text)
        self.label.setToolTip(tooltip)
        self.level, self.tag = level, tag
        self.setVisible(True)
        self._fit_height()
        if timeout_ms:
            self._timer.start(timeout_ms)
        else:
            self._timer.stop()

    @Slot()
    def _on_close_button_clicked(self):
        self.closed.emit()
        self.clear()

    @Slot()
    def clear(self):
        self._timer.stop()
        self.level = self.tag = None
        self.label.clear()
        self.label.setToolTip("")
        self.setVisible(False)
        self.cleared.emit()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


class MessageBar(QToolBar):
    """A toolbar row under the run controls that holds a :class:`Banner` and shows only while
    the banner has something to say.

    ``toggling`` is emitted just before the bar shows or hides (the window's layout takes or
    gives back its height at once), ``toggled`` just after: the window keeps its pictures'
    sizes with them."""

    toggling = Signal()
    toggled = Signal()

    def __init__(self, parent=None):
        super().__init__("Messages", parent)
        self.setObjectName("message_bar")
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setVisible(False)
        # No frame, padding or spacing around the banner: its height is the plots'.
        self.setStyleSheet("QToolBar { border: none; padding: 0px; spacing: 0px; }")
        self.banner = Banner()
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(self.banner)
        self.addWidget(holder)
        self.banner.cleared.connect(lambda: self.setVisible(False))
        self.setVisible(False)

    def setVisible(self, visible):
        changing = bool(visible) != self.isVisible()
        if changing:
            self.toggling.emit()
        super().setVisible(visible)
        if changing:
            self.toggled.emit()

    def show_message(self, text, level="info", timeout_ms=None, tag=None, tooltip=""):
        self.banner.show_message(text, level, timeout_ms, tag, tooltip)
        self.setVisible(True)

    def clear_message(self, *levels):
        """Hide the banner if it shows a message of one of ``levels`` (any message if none)."""
        if self.banner.level is not None and (not levels or self.banner.level in levels):
            self.banner.clear()

    def sync(self):
        """Show the bar exactly when the banner shows (after a restored window layout)."""
        self.setVisible(self.banner.isVisible())
