"""Labels shared by panels, views and dialogs: formulas, notes, and a label whose changing text
never relayouts the window."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


def formula_label(text=""):
    """A label for a formula: a slightly larger font, selectable so learners can copy it."""
    label = QLabel(text)
    font = QFont(label.font())
    # Serif, as maths is usually set; DejaVu Sans (Linux's default) also drops combining
    # accents such as the hat of Adam's m̂, which DejaVu Serif places correctly.
    font.setFamilies(["DejaVu Serif", "Cambria Math", "Cambria", "Times New Roman"])
    font.setStyleHint(QFont.Serif)
    font.setPointSizeF(font.pointSizeF() * 1.2)
    label.setFont(font)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


def note_label(text=""):
    """A small grey word-wrapped note (an explanation under a control)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555;")
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 0.92)
    label.setFont(font)
    return label


def wrapped_label(style=""):
    """An empty word-wrapped label with the style sheet ``style``."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(style)
    return label


class FixedLabel(QWidget):
    """A rich-text label whose changing text never relayouts the window.

    A QLabel asks its parent's layout to recompute at every setText (unless its size is fixed
    both ways), and a relayout repaints the whole window: at 30 frames a second that doubles
    the cost of drawing. Here the QLabel sits alone in a plain widget that has no layout, and
    this widget keeps the fixed height of ``lines`` lines. With ``wrap`` a long text wraps
    into them (else a line longer than the width is cut).
    """

    def __init__(self, lines=1, parent=None, wrap=False):
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.RichText)
        self.label.setWordWrap(wrap)
        self.label.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.fit_height("<br>".join(["Xg"] * lines))

    def fit_height(self, sample):
        """Fix the height to what ``sample`` (rich text) needs."""
        old = self.label.text()
        self.label.setText(sample)
        self.setFixedHeight(self.label.sizeHint().height())
        self.label.setText(old)

    def setText(self, text):
        if self.label.text() != text:
            self.label.setText(text)

    def text(self) -> str:
        return self.label.text()

    def resizeEvent(self, event):
        self.label.setGeometry(0, 0, self.width(), self.height())
        super().resizeEvent(event)

class ShorteningLabel(QLabel):
    """A one-line label given its text in several forms, longest first: it shows the longest
    that fits its width, and asks only for the width of the shortest. The toolbar's summary of
    the run uses it: a 1280-pixel-wide window (a 2560 × 1440 screen at 200 %) hid the full
    sentence behind the toolbar's » button; the shorter forms keep it in sight, and the
    tooltip says it all."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._forms = [""]
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.setAlignment(Qt.AlignRight | Qt.AlignVCenter)

    def set_forms(self, forms):
        """The texts to choose from, longest first."""
        forms = list(forms) or [""]
        if forms != self._forms:
            self._forms = forms
            self._choose()
            self.updateGeometry()

    def forms(self) -> list:
        return list(self._forms)

    def _need(self, text) -> int:
        margins = self.contentsMargins()
        return self.fontMetrics().horizontalAdvance(text) + margins.left() + margins.right() + 2

    def _choose(self):
        fitting = [f for f in self._forms if self._need(f) <= self.width()]
        text = fitting[0] if fitting else self._forms[-1]
        if text != self.text():
            self.setText(text)

    def sizeHint(self):
        hint = super().sizeHint()
        hint.setWidth(self._need(self._forms[-1]))
        return hint

    def minimumSizeHint(self):
        return self.sizeHint()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._choose()
