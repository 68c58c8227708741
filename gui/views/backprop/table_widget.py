"""One number table of the backpropagation view, drawn: a title, the array's shape, the cells
tinted by sign and size (blue positive, orange negative, as the network diagram's links), and
what is left out. The two deltas of the classic mistake get a red and a green frame."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHeaderView, QLabel, QSizePolicy,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from gui import style

MARKS = {"wrong": ("#c0392b", "✗ "), "right": ("#1e7b34", "✓ ")}
#: Strongest tint of a cell (at the table's largest |value|), as a mix with white.
MAX_TINT = 0.55


def tint(value, scale) -> QColor:
    """The background of a cell holding ``value`` in a table whose largest |value| is
    ``scale``: white at 0, towards blue (positive) or orange (negative)."""
    if not scale or not np.isfinite(value):
        return QColor(style.BACKGROUND)
    strength = min(abs(value) / scale, 1.0) * MAX_TINT
    rgb = style.lighten(style.CLASS_1 if value > 0 else style.CLASS_0, 1.0 - strength)
    return QColor(*(int(round(c)) for c in rgb))


class TableCard(QFrame):
    """A :class:`gui.views.backprop.tables.Table` on screen."""

    def __init__(self, table, parent=None):
        super().__init__(parent)
        self.table = table
        colour, prefix = MARKS.get(table.mark, (style.FAINT, ""))
        self.setObjectName("card")
        self.setStyleSheet(f"#card {{ border: {2 if table.mark else 1}px solid {colour}; "
                           f"border-radius: 4px; background: {style.BACKGROUND}; }}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        self.title = QLabel(f"{prefix}<b>{table.title}</b>")
        if table.mark:
            self.title.setStyleSheet(f"color: {colour};")
        self.shape = QLabel(table.shape)
        self.shape.setStyleSheet(f"color: {style.MUTED};")
        self.grid = self._grid(table)
        layout.addWidget(self.title)
        layout.addWidget(self.shape)
        layout.addWidget(self.grid)
        self.summary = QLabel(table.summary)
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(f"color: {style.MUTED};")
        self.summary.setVisible(bool(table.summary))
        self.summary.setMaximumWidth(max(self.grid.width(), 240))
        layout.addWidget(self.summary)
        if table.tip:
            self.setToolTip(table.tip)
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)

    @staticmethod
    def _grid(table) -> QTableWidget:
        rows, columns = table.values.shape
        grid = QTableWidget(rows, columns)
        grid.setEditTriggers(QAbstractItemView.NoEditTriggers)
        grid.setSelectionMode(QAbstractItemView.NoSelection)
        grid.setFocusPolicy(Qt.NoFocus)
        grid.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        grid.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        grid.setHorizontalHeaderLabels(list(table.columns))
        grid.setVerticalHeaderLabels(list(table.rows))
        if table.rows == ("",):
            grid.verticalHeader().hide()
        font = QFont(grid.font())
        font.setStyleHint(QFont.Monospace)
        values = table.values
        with np.errstate(invalid="ignore"):
            sizes = np.where(np.isfinite(values), np.abs(values), 0.0)
        scales = (sizes.max(axis=0) if table.tint_by == "column"
                  else np.full(columns, sizes.max(initial=0.0)))
        for r in range(rows):
            for c in range(columns):
                item = QTableWidgetItem(table.cell(r, c))
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                item.setBackground(tint(values[r, c], float(scales[c])))
                item.setToolTip(repr(float(values[r, c])))
                grid.setItem(r, c, item)
        header, side = grid.horizontalHeader(), grid.verticalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        side.setSectionResizeMode(QHeaderView.ResizeToContents)
        grid.resizeColumnsToContents()
        grid.resizeRowsToContents()
        # The whole table, without scroll bars: the headers' and sections' own sizes (the
        # widgets have no geometry yet, before they are shown).
        columns_width = sum(max(grid.sizeHintForColumn(c), header.sectionSizeHint(c))
                            for c in range(columns))
        rows_height = sum(max(grid.sizeHintForRow(r), side.sectionSizeHint(r))
                          for r in range(rows))
        width = (side.sizeHint().width() if not side.isHidden() else 0) + columns_width
        height = header.sizeHint().height() + rows_height
        grid.setFixedSize(width + 2 * grid.frameWidth() + 2, height + 2 * grid.frameWidth() + 2)
        return grid
