"""Import your own data from a CSV file: a preview, the detected task, and clear errors.

The dialog shows the file's first rows as they are (:func:`core.datasets.preview_csv`), reads
the whole file with :func:`core.datasets.load_csv` (which detects the task from the label
column), and lets the learner change the task and the train/test split. A file that cannot be
used shows the core's message in place of the summary and marks the cell its ``DataError``
names (``row``, ``column``) in the preview; the Import button stays off and nothing changes in
the app until Import is pressed. Then :meth:`CsvImportDialog.config` (the current settings with
``dataset="csv"``) and :meth:`CsvImportDialog.data` (the loaded Dataset) go to
``TrainingController.apply_config(config, data)``.

No file is read on the UI thread: reading (a 100,000-row file takes a while; a named pipe is
refused at once) runs on a :class:`~gui.threads.LatestRequestRunner`, so the dialog stays
responsive, says it is reading, and keeps Import off until the answer comes. A newer request
(another file, task or split) replaces one still reading; :meth:`CsvImportDialog.is_reading`
tells whether an answer is awaited, and ``loaded`` says it came.
"""
from __future__ import annotations

import html
import os
import typing

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox,
                               QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from core import datasets, features
from core.config import ConfigError

PREVIEW_ROWS = 10
#: (task or None for "detect it", label) in the order the task box offers them.
TASKS = ((None, "Auto"), ("regression", "Regression"), ("binary", "Binary classification"),
         ("multiclass", "Multi-class classification"))
TASK_NAMES = dict(TASKS[1:])
CSV_FILTER = "CSV files (*.csv *.txt *.tsv);;All files (*)"
_LABEL_COLOUR = QColor("#e8f1fb")
_BAD_COLOUR = QColor("#f6c4bd")


class CsvImportDialog(QDialog):
    """Choose a CSV file, see its first rows and detected task, and import it.

    Parameters
    ----------
    config : Config
        The current settings: the imported data replace its data fields only (the network,
        loss and optimizer stay, except where the task asks for another loss).
    path : str, optional
        A file to show at once (e.g. one dropped on the window).

    Signals
    -------
    loaded()
        The file (or task, or split) was read again; :meth:`error` says whether it worked.

    Reading runs off the UI thread (see the module docstring); :meth:`shutdown` stops it (done
    when the dialog closes).
    """

    loaded = Signal()

    def __init__(self, config, path=None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Import data from a CSV file")
        self.setMinimumWidth(560)
        self._base = config
        self._path = None
        self._data = None
        self._config = None
        self._error = None
        self._bad_place = None  # (row, column) in the file that the error names, if any
        self._detected = {}  # path -> detected task (reading the whole file twice is avoidable)
        self._row_numbers = []  # file row number of each preview row
        self._runner = None  # the reading thread, made on first use
        self._request = None  # the id of the read whose answer is awaited

        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Choose a CSV file…")
        self.path_edit.setToolTip("The file to read: one row per example, the input features "
                                  "x₁, x₂, … in the first columns and the label y in the last.")
        self.path_edit.editingFinished.connect(self._on_path_edited)
        self.browse_button = QPushButton("Browse…")
        self.browse_button.setToolTip("Choose a CSV file.")
        self.browse_button.clicked.connect(self._on_browse_clicked)
        file_row = QWidget()
        row = QHBoxLayout(file_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)

        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        self.table.setToolTip("The first rows of the file as they are. The last column "
                              "(shaded) is the label y the network learns to predict; the "
                              "others are its inputs.")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.setMinimumHeight(self.table.verticalHeader().defaultSectionSize()
                                    * (PREVIEW_ROWS + 1) + 6)

        self.task_box = QComboBox()
        for task, label in TASKS:
            self.task_box.addItem(label, task)
        self.task_box.setToolTip(
            "What the label column is. Regression: a number to predict (linear output, MSE). "
            "Binary: one of two classes (sigmoid output, cross-entropy). Multi-class: one of k "
            "classes (softmax output, categorical cross-entropy). Auto: whole-number labels "
            "with 2 values are binary, with 3 to 20 values multi-class, anything else "
            "regression.")
        self.task_box.currentIndexChanged.connect(self._reload)
        self.train_share = QSpinBox()
        self.train_share.setRange(10, 100)
        self.train_share.setSingleStep(5)
        self.train_share.setSuffix(" %")
        self.train_share.setValue(round(config.train_fraction * 100))
        self.train_share.setKeyboardTracking(False)
        self.train_share.setToolTip(
            "Share of the rows (shuffled with the seed) used for training; the gradient sees "
            "only these. The rest are the test set, scored but never trained on.\nAt 100 % "
            "every row trains and the test set is the same rows (train = test): for a small "
            "table that must learn every row, such as the 4 rows of XOR.")
        self.train_share.valueChanged.connect(self._reload)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.RichText)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.summary.setMinimumHeight(self.summary.fontMetrics().lineSpacing() * 3)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.Ok)
        self.ok_button.setText("Import")
        self.ok_button.setToolTip("Train on these data: the weights start afresh; the network, "
                                  "loss and optimizer settings stay.")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("File", file_row)
        form.addRow("Task", self.task_box)
        form.addRow("Training share", self.train_share)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(f"First rows (up to {PREVIEW_ROWS}):"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self._show_result()
        if path:
            self.set_path(path)

    # ------------------------------------------------------------------ interface
    def set_path(self, path):
        """Show and check the file at ``path`` (read off the UI thread: see ``loaded``)."""
        self._path = os.path.abspath(os.fspath(path)) if path else None
        self.path_edit.setText(self._path or "")
        self._fill_preview(None)
        self._reload(preview=True)

    def path(self):
        return self._path

    def set_task(self, task):
        """Choose the task (None: detect it from the labels)."""
        self.task_box.setCurrentIndex(self.task_box.findData(task) if task else 0)

    def error(self):
        """Why the file cannot be imported as chosen (None when it can)."""
        return self._error

    def data(self):
        """The loaded Dataset (None unless the file can be imported)."""
        return self._data

    def config(self):
        """The settings to train with: the current ones with this file as the data."""
        return self._config

    def is_reading(self) -> bool:
        """Whether the file is being read (the answer has not come yet)."""
        return self._request is not None

    def shutdown(self):
        """Stop the reading thread (a read still running ends on its own). Idempotent."""
        if self._runner is not None:
            self._runner.shutdown()
            self._runner = self._request = None

    def done(self, result):
        self.shutdown()
        super().done(result)

    def closeEvent(self, event):
        # A dialog that was never shown closes without done(): its thread must stop as well.
        self.shutdown()
        super().closeEvent(event)

    # ------------------------------------------------------------------ reading
    def _reload(self, *_, preview=False):
        self._data = self._config = None
        self._error = self._bad_place = None
        if not self._path:
            self._request = None
            self._show_result()
            return
        from gui.threads import LatestRequestRunner

        if self._runner is None:
            self._runner = LatestRequestRunner(self)
            self._runner.finished.connect(self._on_runner_finished)
        self._request = self._runner.submit(
            read_file, self._path, self.task_box.currentData(), self.train_share.value() / 100,
            self._base.seed, self._detected.get(self._path), preview)
        self._show_result()

    @Slot(int, object)
    def _on_runner_finished(self, request_id, result):
        if request_id != self._request or result.path != self._path:
            return
        self._request = None
        if result.preview is not False:
            self._fill_preview(result.preview)
        if result.detected is not None:
            self._detected[result.path] = result.detected
            self.task_box.setItemText(0, f"Auto ({TASK_NAMES[result.detected].lower()})")
        else:
            self.task_box.setItemText(0, "Auto")
        if result.error is not None:
            self._error = result.error.message(os.path.basename(result.path))  # short
            self._bad_place = (result.error.row, result.error.column)
        else:
            self._use(result.data, result.fraction)
        self._show_result()
        self.loaded.emit()

    def _use(self, data, fraction):
        chosen_features = self._base.features
        try:
            features.check(chosen_features, data.n_features)
        except ValueError:
            chosen_features = None  # e.g. x1·x2 on a file with 3 inputs: feed the raw inputs
        try:
            config = self._base.replace(dataset="csv", data_path=self._path, task=data.task,
                                        train_fraction=fraction, features=chosen_features)
        except ConfigError as err:
            self._error = f"These data do not fit the current settings: {err}"
            return
        self._data, self._config = data, config

    def _fill_preview(self, preview):
        self._row_numbers = []
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        if preview is None:
            return  # nothing read yet, or load_csv refuses the file too: the summary says why
        header, rows, numbers = preview
        width = max([len(header or [])] + [len(r) for r in rows])
        if not width:
            return
        if header is None:
            header = [f"x{i + 1}" for i in range(width - 1)] + ["y"]
        header = header + [""] * (width - len(header))
        self.table.setColumnCount(width)
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(
            [f"{name} (label)" if i == width - 1 else name for i, name in enumerate(header)])
        # Rows numbered as in the file (and in the error messages), header line included.
        self.table.setVerticalHeaderLabels([str(n) for n in numbers])
        self._row_numbers = numbers
        for r, cells in enumerate(rows):
            for c, cell in enumerate(cells[:width]):
                item = QTableWidgetItem(cell)
                if c == width - 1:
                    item.setBackground(_LABEL_COLOUR)
                self.table.setItem(r, c, item)

    def _show_result(self):
        self.ok_button.setEnabled(self._data is not None and not self.is_reading())
        self.setCursor(Qt.BusyCursor if self.is_reading() else Qt.ArrowCursor)
        self._mark_bad_cell()
        if self.is_reading():
            self.summary.setStyleSheet("")
            self.summary.setText(f"Reading {html.escape(os.path.basename(self._path))}…")
        elif self._error:
            self.summary.setStyleSheet("color: #7a1c12;")
            self.summary.setText(f"<b>This file cannot be used.</b> {html.escape(self._error)}")
        elif self._data is None:
            self.summary.setStyleSheet("")
            self.summary.setText("Choose a CSV file: one row per example, the inputs in the "
                                 "first columns and the label in the last.")
        else:
            self.summary.setStyleSheet("")
            self.summary.setText(describe(self._data))

    def bad_cell(self):
        """(preview row, column) of the cell the error names, if it is in the preview."""
        row, column = self._bad_place or (None, None)
        if row in self._row_numbers and column is not None and column <= self.table.columnCount():
            return self._row_numbers.index(row), column - 1
        return None

    def _mark_bad_cell(self):
        for r in range(self.table.rowCount()):
            for c in range(self.table.columnCount()):
                item = self.table.item(r, c)
                if item is not None:
                    last = c == self.table.columnCount() - 1
                    item.setData(Qt.BackgroundRole, _LABEL_COLOUR if last else None)
        where = self.bad_cell()
        if where is not None:
            item = self.table.item(*where)
            if item is None:
                item = QTableWidgetItem("")
                self.table.setItem(*where, item)
            item.setBackground(_BAD_COLOUR)
            self.table.scrollToItem(item)

    # ------------------------------------------------------------------ slots
    def _on_path_edited(self):
        text = self.path_edit.text().strip()
        if text and os.path.abspath(text) != self._path:
            self.set_path(text)

    def _on_browse_clicked(self):
        start = os.path.dirname(self._path) if self._path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Import data from a CSV file", start,
                                              CSV_FILTER)
        if path:
            self.set_path(path)


class ReadResult(typing.NamedTuple):
    """What :func:`read_file` found (made in the reading thread, shown in the UI thread)."""

    path: str
    fraction: float
    #: The file's head (a CsvPreview), None when it cannot be previewed, False if not asked.
    preview: object
    #: The task the labels suggest, None when the file cannot be read.
    detected: str | None
    data: object
    error: object


def read_file(path, task, fraction, seed, detected=None, preview=False) -> ReadResult:
    """Read the CSV file ``path`` as the dialog shows it: its head (with ``preview``), the task
    its labels suggest (``detected``, if already known, saves a read) and the data with
    ``task`` (None: the detected one). Plain core calls, for the reading thread."""
    head = False
    if preview:
        try:
            head = datasets.preview_csv(path, PREVIEW_ROWS)
        except datasets.DataError:
            head = None  # load_csv refuses the file as a whole too, and says why
    data = None
    try:
        if detected is None or task is None or task == detected:
            data = datasets.load_csv(path, None, fraction, seed)
            detected = data.task
        if task is not None and task != detected:
            data = datasets.load_csv(path, task, fraction, seed)
    except datasets.DataError as err:
        return ReadResult(path, fraction, head, detected, None, err)
    return ReadResult(path, fraction, head, detected, data, None)


def describe(data) -> str:
    """One paragraph (rich text) saying what was read, e.g. for the import dialog."""
    n_train, n_test = len(data.X_train), len(data.X_test)
    d = data.n_features
    if data.task == "regression":
        task = "<b>regression</b>: the network predicts the number in the last column"
    elif data.task == "binary":
        task = "<b>binary classification</b>: 2 classes (shown as 0 and 1)"
    else:
        task = f"<b>multi-class classification</b>: {data.n_classes} classes (0 to " \
               f"{data.n_classes - 1})"
    plot = {1: " The fitted curve is drawn over the one input.",
            2: " The decision boundary is drawn over the two inputs."}.get(
        d, f" With {d} inputs there is no boundary picture; the cost curve and the error "
           f"surface still work.")
    if data.test_is_train:
        n_test = 0
        split = (f"All {n_train} rows train, and the test points are the same rows (train = "
                 f"test): the test cost shows the fit, not generalization.")
    else:
        split = f"{n_train} training and {n_test} test points."
    return (f"{n_train + n_test} rows, {d} input feature{'s' if d != 1 else ''} → {task}. "
            f"{split}{plot}")
