"""The metrics view: confusion matrices with precision, recall and F1 per class, or R², RMSE and
MAE with a parity plot for regression. :class:`MetricsView` wires a
:class:`~gui.views.metrics.model.MetricsModel` to the painters of
:mod:`gui.views.metrics.canvas`."""
from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QFrame, QHBoxLayout, QHeaderView,
                               QScrollArea, QStackedWidget, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from gui import style
from gui.views.metrics.canvas import ConfusionCanvas, ParityPlot
from gui.views.metrics.model import CLASS_COLUMNS, PARTS, MetricsModel
from gui.widgets.labels import FixedLabel, note_label

def _table(columns, tips):
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    for i, tip in enumerate(tips):
        table.horizontalHeaderItem(i).setToolTip(tip)
    table.verticalHeader().setVisible(False)
    # Rows a line of text high (the style's default is 30 px): in the regression tab the
    # parity plot under the table gets the rest, on a 768-pixel screen under 100 px.
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.NoSelection)
    table.setFocusPolicy(Qt.NoFocus)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.Stretch)
    header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
    return table


def _fill(table, rows, tips=None):
    """Show ``rows`` (tuples of text) in ``table``, touching only the cells that changed."""
    if table.rowCount() != len(rows):
        table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = table.item(r, c)
            if item is None:
                item = QTableWidgetItem()
                item.setTextAlignment(Qt.AlignCenter if c else Qt.AlignLeft | Qt.AlignVCenter)
                table.setItem(r, c, item)
            if item.text() != text:
                item.setText(text)
            if tips is not None and c == 0:
                item.setToolTip(tips[r])
    height = table.horizontalHeader().height() + sum(table.rowHeight(r) for r in range(len(rows)))
    table.setFixedHeight(height + 2 * table.frameWidth())


class MetricsView(QWidget):
    """How good the predictions are. Feed it snapshots with :meth:`show_snapshot`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = MetricsModel()
        self.summary = FixedLabel(1)
        self.summary.setToolTip("Accuracy: the share of examples whose predicted class is "
                                "right (the diagonal of the matrix over all its cells).")
        self.shares_box = QCheckBox("Shares first")
        self.shares_box.setToolTip("Put each cell's share of its true class (the row) first and "
                                   "the count second; a row's shares add up to 100%.")
        self.canvas = ConfusionCanvas()
        self.canvas.setToolTip("")
        self.class_table = _table([c for c, _ in CLASS_COLUMNS], [t for _, t in CLASS_COLUMNS])
        self.regression_table = _table(["", "train", "test"],
                                       ["The score.", "On the training set.",
                                        "On the test set (never trained on)."])
        self.parity_plot = ParityPlot()
        self.parity_plot.setToolTip("Each example's prediction ŷ against its target y: on the "
                                    "dashed line ŷ = y the prediction is exact.")

        header = QHBoxLayout()
        header.setContentsMargins(6, 4, 6, 0)
        header.addWidget(self.summary, 1)
        header.addWidget(self.shares_box)
        classification = QWidget()
        c_layout = QVBoxLayout(classification)
        c_layout.setContentsMargins(0, 0, 0, 0)
        c_layout.addWidget(self.canvas, 1)
        self.table_note = note_label("Per class, each score as training set / test set:")
        self.table_note.setContentsMargins(6, 0, 6, 0)
        c_layout.addWidget(self.table_note)
        c_layout.addWidget(self.class_table)
        c_layout.addStretch(0)
        regression = QWidget()
        r_layout = QVBoxLayout(regression)
        r_layout.setContentsMargins(0, 0, 0, 0)
        r_layout.addWidget(self.regression_table)
        r_layout.addWidget(self.parity_plot, 1)
        self.pages = QStackedWidget()
        # The matrices and the table scroll in a short tab (a 768-pixel screen) rather than
        # make the column of tabs taller than the cost curve leaves it.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(classification)
        self.pages.addWidget(scroll)
        self.pages.addWidget(regression)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.pages, 1)

        self.shares_box.toggled.connect(self._on_shares_box_toggled)

    @Slot(object)
    def show_snapshot(self, snap):
        changed = self.model.update(snap)
        if "task" in changed:
            classification = self.model.classification
            self.pages.setCurrentIndex(0 if classification else 1)
            self.shares_box.setVisible(classification)
        self._show()

    def _show(self):
        model = self.model
        self.summary.setText(model.summary_html())
        if model.classification:
            self.canvas.show_matrices(
                [(model.part_title(part), getattr(style, part.upper()), model.cells(part))
                 for part in PARTS], model.n_classes)
            _fill(self.class_table, model.class_rows())
        else:
            rows = model.regression_rows()
            _fill(self.regression_table, [row[:3] for row in rows], [row[3] for row in rows])
            self.parity_plot.show_points(model.parity(), model.parity_range())

    @Slot(bool)
    def _on_shares_box_toggled(self, on):
        self.model.shares = bool(on)
        if self.model.metrics is not None:
            self._show()
