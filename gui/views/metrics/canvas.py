"""The metrics view's painters: the confusion matrices (train and test side by side) and the
parity plot of a regression. They paint what :class:`~gui.views.metrics.model.MetricsModel`
gives them and nothing else."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from gui import style

#: Pixels around and between the parts of a matrix.
MARGIN, GAP = 6, 16
#: Largest side of a cell (a binary matrix in a big dock would look bloated).
MAX_CELL = 90


class ConfusionCanvas(QWidget):
    """Confusion matrices side by side: rows are the true classes, columns the predicted ones.

    :meth:`show_matrices` takes ``[(title, colour, cells)]`` (cells as
    :meth:`MetricsModel.cells` gives them); hovering a cell explains it in a tooltip.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(260, 150)
        self.setMouseTracking(True)
        self._matrices = []
        self._k = 0
        self._hit = []  # (QRectF, tooltip) of the cells last painted

    def sizeHint(self):
        return QSize(460, 240)

    def show_matrices(self, matrices, k):
        """Paint ``matrices`` (``[(title, colour, cells)]``) of ``k`` classes."""
        if int(k) != self._k:  # no taller than its largest cells need
            line = self.fontMetrics().height()
            self.setMaximumHeight(int(2 * MARGIN + 3 * line + max(int(k), 1) * MAX_CELL))
        self._matrices, self._k = list(matrices), int(k)
        self.update()

    def cell_at(self, point):
        """The tooltip of the cell under ``point`` (widget coordinates), or None."""
        for rect, tip in self._hit:
            if rect.contains(point):
                return tip
        return None

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event):
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.fillRect(self.rect(), QColor(style.BACKGROUND))
        self._hit = []
        if not self._matrices or not self._k:
            painter.setPen(QColor(style.MUTED))
            painter.drawText(self.rect(), Qt.AlignCenter, "No confusion matrix: this is a "
                             "regression.")
            return
        width = (self.width() - 2 * MARGIN - GAP * (len(self._matrices) - 1)) / len(self._matrices)
        for i, (title, colour, cells) in enumerate(self._matrices):
            left = MARGIN + i * (width + GAP)
            self._paint_matrix(painter, QRectF(left, MARGIN, width, self.height() - 2 * MARGIN),
                               title, colour, cells)

    def _paint_matrix(self, painter, area, title, colour, cells):
        k = self._k
        font = QFont(self.font())
        metrics = painter.fontMetrics()
        line = metrics.height()
        row_label = metrics.horizontalAdvance("0") * (2 if k > 9 else 1) + 16
        axis = line  # the rotated "true class" on the left
        top = area.top() + 2 * line + line  # title, "predicted", column labels
        side = min((area.width() - axis - row_label) / k, (area.bottom() - top) / k, MAX_CELL)
        if side <= 4:
            return
        left = area.left() + axis + row_label
        # Title, in the set's colour.
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor(colour))
        painter.drawText(QRectF(area.left(), area.top(), area.width(), line),
                         Qt.AlignLeft | Qt.AlignVCenter, title)
        painter.setFont(font)
        painter.setPen(QColor(style.MUTED))
        painter.drawText(QRectF(left, area.top() + line, side * k, line), Qt.AlignCenter,
                         "predicted class →")
        for j in range(k):  # column labels, with the class's colour
            self._class_label(painter, QRectF(left + j * side, area.top() + 2 * line, side, line),
                              j)
        for i in range(k):  # row labels
            self._class_label(painter, QRectF(left - row_label, top + i * side, row_label, side),
                              i)
        painter.save()
        painter.translate(area.left() + line * 0.5, top + side * k / 2)
        painter.rotate(-90)
        painter.drawText(QRectF(-side * k / 2, -line / 2, side * k, line), Qt.AlignCenter,
                         "true class →")
        painter.restore()
        cell_font = QFont(font)
        if side < 2.6 * line:
            cell_font.setPointSizeF(max(font.pointSizeF() * side / (2.6 * line), 5.0))
        painter.setFont(cell_font)
        for cell in cells:
            rect = QRectF(left + cell.column * side, top + cell.row * side, side, side)
            painter.fillRect(rect, QColor(cell.colour))
            painter.setPen(QPen(QColor(style.BACKGROUND), 1))
            painter.drawRect(rect)
            painter.setPen(QColor(cell.text_colour))
            painter.drawText(rect, Qt.AlignCenter, cell.text)
            right = cell.row == cell.column
            what = "right" if right else "wrong"
            self._hit.append((rect, f"{title}: {cell.count} example{'s' * (cell.count != 1)} of "
                                    f"class {cell.row} predicted as class {cell.column} "
                                    f"({100 * cell.share:.1f}% of class {cell.row}: {what})"))
        painter.setFont(font)
        painter.setPen(QPen(QColor(style.FAINT), 1))
        painter.drawRect(QRectF(left, top, side * k, side * k))

    @staticmethod
    def _class_label(painter, rect, k):
        swatch = min(rect.height(), rect.width()) * 0.5
        swatch = min(swatch, 9)
        text_width = painter.fontMetrics().horizontalAdvance(str(k))
        x = rect.center().x() - (swatch + 3 + text_width) / 2
        y = rect.center().y() - swatch / 2
        painter.fillRect(QRectF(x, y, swatch, swatch), QColor(style.class_colour(k)))
        painter.setPen(QColor(style.INK))
        painter.drawText(QRectF(x + swatch + 3, rect.top(), text_width + 2, rect.height()),
                         Qt.AlignLeft | Qt.AlignVCenter, str(k))

    def event(self, event):
        if event.type() == QEvent.ToolTip:
            tip = self.cell_at(event.position() if hasattr(event, "position") else event.pos())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)


class ParityPlot(pg.PlotWidget):
    """Prediction against target, train and test points, and the line ŷ = y of a perfect fit."""

    def __init__(self, parent=None):
        super().__init__(parent=parent)
        item = self.getPlotItem()
        item.setLabel("bottom", "target y")
        # "ŷ" alone on the vertical axis: under the metrics table the plot is often under
        # 90 px tall, shorter than "prediction ŷ" (the tooltip and the legend's "ŷ = y" say
        # what ŷ is); a tick label at the top edge is dropped rather than cut in half.
        item.setLabel("left", "ŷ")
        item.getAxis("left").setStyle(hideOverlappingLabels=True)
        for axis in ("left", "bottom"):
            item.getAxis(axis).enableAutoSIPrefix(False)
        item.setMenuEnabled(False)
        self.legend = item.addLegend(offset=(10, 10), labelTextSize="9pt")
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 200))
        self.diagonal = pg.PlotDataItem(pen=pg.mkPen("#888888", width=1, style=Qt.DashLine))
        item.addItem(self.diagonal)
        self.legend.addItem(self.diagonal, "ŷ = y (perfect)")
        self.points = {}
        for part, colour in (("train", style.TRAIN), ("test", style.TEST)):
            scatter = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush(colour),
                                         symbol="o" if part == "train" else "t")
            item.addItem(scatter)
            self.legend.addItem(scatter, part)
            self.points[part] = scatter
        self._range = None

    def show_points(self, points, value_range):
        """``points``: ``{"train": (y, ŷ), "test": (y, ŷ)}``; ``value_range``: (low, high)."""
        for part, scatter in self.points.items():
            x, y = points.get(part, ((), ()))
            scatter.setData(x, y)
        if value_range is not None:
            low, high = value_range
            self.diagonal.setData([low, high], [low, high])
            if value_range != self._range:
                self._range = value_range
                self.getPlotItem().vb.setRange(xRange=value_range, yRange=value_range,
                                               padding=0)
