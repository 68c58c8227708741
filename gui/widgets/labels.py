"""Labels shared by panels, views and dialogs: formulas, notes, a label whose changing text
never relayouts the window, and the pace at which numbers are rewritten while training runs."""
from __future__ import annotations

import time
from math import ceil

from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QFont, QPainter, QPalette, QTextDocument
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
    """A rich-text label for text that changes at every frame, drawn in one paint.

    A QLabel does not fit that job. It asks its parent's layout to recompute at every setText
    (unless its size is fixed both ways), and a relayout repaints the whole window; it lays rich
    text out again on a timer of its own, 10 ms later, and so paints twice for each new text;
    and it is transparent, so the window beneath it is painted first. At 30 frames a second
    those tripled the cost of the readouts. This widget keeps the fixed height of ``lines``
    lines, lays its text out at once and paints it over its own background. With ``wrap`` a
    long text wraps into the lines (else a line longer than the width is cut).

    It answers what a QLabel answers about its text (``text``, ``wordWrap``, ``sizeHint``,
    ``heightForWidth``), so the checks for cut text measure it the same way.
    """

    def __init__(self, lines=1, parent=None, wrap=False):
        super().__init__(parent)
        self._wrap = bool(wrap)
        self._doc = QTextDocument(self)
        self._doc.setDocumentMargin(0)
        self._doc.setUndoRedoEnabled(False)
        self._doc.setDefaultFont(self.font())
        self._text = ""
        self.setAutoFillBackground(True)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.fit_height("<br>".join(["Xg"] * lines))

    def fit_height(self, sample):
        """Fix the height to what ``sample`` (rich text) needs, in this font and in any font
        it gets later (presentation mode's larger text: a height kept from the old font cut
        the cost table's test row)."""
        self._sample = sample
        old = self._text
        self._set(sample)
        self.setFixedHeight(self.sizeHint().height())
        self._set(old)

    def setText(self, text):
        if text != self._text:
            self._set(text)
            self.update()

    def text(self) -> str:
        return self._text

    def wordWrap(self) -> bool:
        return self._wrap

    def sizeHint(self) -> QSize:
        """The text's size on one line per paragraph (its lines as given)."""
        self._layout(-1)
        size = self._doc.size()
        return QSize(ceil(size.width()), ceil(size.height()))

    def width_for(self, text) -> int:
        """The width ``text`` would need on this label (its lines as given)."""
        doc = self._doc.clone()
        doc.setHtml(text)
        doc.setTextWidth(-1)
        return ceil(doc.size().width())

    def heightForWidth(self, width) -> int:
        self._layout(width if self._wrap else -1)
        return ceil(self._doc.size().height())

    def _set(self, text):
        self._text = text
        self._doc.setHtml(text)

    def _layout(self, width):
        if self._doc.textWidth() != width:
            self._doc.setTextWidth(width)

    def changeEvent(self, event):
        if event.type() == QEvent.FontChange:
            self._doc.setDefaultFont(self.font())
            self.fit_height(self._sample)
        super().changeEvent(event)

    def paintEvent(self, event):
        self._layout(self.width() if self._wrap else -1)
        context = QAbstractTextDocumentLayout.PaintContext()
        palette = QPalette(self.palette())
        # A label's text is in the window-text colour (a style sheet's "color" sets that).
        palette.setColor(QPalette.Text, palette.color(QPalette.WindowText))
        context.palette = palette
        context.clip = QRectF(event.rect())
        painter = QPainter(self)
        painter.setClipRect(event.rect())
        self._doc.documentLayout().draw(painter, context)
        painter.end()


class ReadoutPace:
    """Whether a readout of the newest numbers is rewritten at this snapshot: always while
    training is not running (a step, a pause: what the learner reads), and at most
    ``per_second`` times a second while it runs.

    While training runs the numbers change at every frame, 30 times a second, faster than
    anyone reads them; rewriting them is not free (the cost readout's table is parsed and laid
    out again, labels and what lies beneath them repainted), and every frame spent on it is a
    frame later for the plots. A rewrite skipped is at most ``1 / per_second`` seconds behind:
    the next snapshot of a running run comes sooner than that.
    """

    def __init__(self, per_second=10.0, clock=time.monotonic):
        self._interval = 1.0 / per_second
        self._clock = clock
        self._last = -float("inf")

    def due(self, running) -> bool:
        now = self._clock()
        if running and now - self._last < self._interval:
            return False
        self._last = now
        return True


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
