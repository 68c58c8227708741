"""The block of the boundary view that keeps the plot's data area square: the legend above,
the plot, the hover line and draw row below (:class:`SquareHolder`)."""
from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QWidget

from gui.views.boundary.canvas import COMPACT_WIDTH


class SquareHolder(QWidget):
    """Lays out ``above``, the plot and ``below`` as one block, the plot's data area square.

    With the aspect ratio locked, a plot in a tall dock would otherwise show empty axes far
    beyond the data; sizing the widget instead keeps the axes tight around the domain, and the
    block is centred in the space left over. Not square (1-D data): the plot fills the space.
    """

    def __init__(self, canvas, above, below, parent=None):
        super().__init__(parent)
        self.canvas, self.above, self.below = canvas, above, below
        for child in (canvas, above, below):
            child.setParent(self)
        self.square = True
        self.setMinimumSize(200, 200)
        self._decor = None
        # The axes' room is known only once the plot has laid itself out: place again when
        # it changed (the first guess left the data area some pixels short of square).
        canvas.view.sigResized.connect(self._on_view_resized)

    def set_square(self, square):
        self.square = square
        self.place()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.place()

    def event(self, event):
        # The legend or the draw bar asks for another size (posted to this, their parent).
        if event.type() == QEvent.LayoutRequest:
            self.place()
        return super().event(event)

    def _above_below(self, w):
        # At its width: the size hint (at a default width) was a line too tall, when narrow.
        above_h = self.above.heightForWidth(w - 16) if self.above.hasHeightForWidth() else -1
        return (above_h if above_h > 0 else self.above.sizeHint().height(),
                self.below.sizeHint().height())

    def _decorations(self):
        """Width and height of the axes and colour bar around the data area, as laid out now
        (defaults at first)."""
        view_rect = self.canvas.view.sceneBoundingRect()
        decor_w = self.canvas.width() - view_rect.width()
        decor_h = self.canvas.height() - view_rect.height()
        if view_rect.width() < 10 or not (0 < decor_w < 250 and 0 < decor_h < 200):
            decor_w, decor_h = 130, 50
        return decor_w, decor_h

    def _on_view_resized(self, _view):
        decor = tuple(round(v) for v in self._decorations())
        if self.square and decor != self._decor:
            self._decor = decor
            self.place()

    def height_for_side(self, side):
        """The height this block needs to give the data area ``side`` pixels, at its width."""
        above_h, below_h = self._above_below(self.width())
        return above_h + below_h + side + self._decorations()[1]

    def place(self):
        w, h = self.width(), self.height()
        self.canvas.set_compact(w < COMPACT_WIDTH)
        above_h, below_h = self._above_below(w)
        room = h - above_h - below_h
        if not self.square:
            pw, ph, left, top = w, room, 0, 0
        else:
            decor_w, decor_h = self._decorations()
            # _on_view_resized places again when the plot's layout ends up with others.
            self._decor = (round(decor_w), round(decor_h))
            side = max(min(w - decor_w, room - decor_h), 50)
            pw, ph = int(min(w, side + decor_w)), int(min(room, side + decor_h))
            left, top = (w - pw) // 2, max((room - ph) // 3, 0)
        # The legend and the rows under the plot take the whole width (as measured above):
        # as narrow as the square plot, the draw buttons of three classes were cut.
        self.above.setGeometry(8, top, max(w - 16, 50), above_h)
        self.canvas.setGeometry(left, top + above_h, pw, ph)
        self.below.setGeometry(8, top + above_h + ph, max(w - 16, 50), below_h)
