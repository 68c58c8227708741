"""The "Save as lesson step" dialog: which lesson file, and the step's title, text and pointer.

The settings come from the window (the current config and the views shown); the dialog only
asks for the words. A file that does not exist yet becomes a new lesson with the title and
audience given here.
"""
from __future__ import annotations

import os

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QWidget)

from core import lessons

FILTER = f"Costscape lessons (*{lessons.SUFFIX});;All files (*)"
#: What the pointer menu offers, in words.
TARGETS = {None: "Nothing", "boundary": "Decision boundary view", "cost": "Cost view",
           "anatomy": "Anatomy of the cost view", "surface": "Error surface view",
           "diagram": "Network view", "data": "Data panel", "network": "Network panel",
           "activation": "Activation panel", "loss": "Loss and cost panel",
           "optimizer": "Optimizer panel", "code": "Code behind the run"}


class SaveStepDialog(QDialog):
    """Asks for the lesson file and the step's words; :meth:`result_values` gives them."""

    def __init__(self, folder, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Save as lesson step")
        self._folder = folder
        self.path = QLineEdit()
        self.path.setPlaceholderText(f"my-lesson{lessons.SUFFIX}")
        self.path.textChanged.connect(self._update)
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._on_browse_clicked)
        file_row = QWidget()
        row = QHBoxLayout(file_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.lesson_title = QLineEdit("A new lesson")
        self.audience = QLineEdit("Everyone")
        self.new_note = QLabel("A new file: it starts with this title and audience.")
        self.step_title = QLineEdit()
        self.step_title.setPlaceholderText("A few words, e.g. “Ten times the learning rate”")
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(
            "What should the learner look at, or do? Short paragraphs; **bold**, *italic*, "
            "- lists and $maths$ work.")
        self.point_at = QComboBox()
        for key, text in TARGETS.items():
            self.point_at.addItem(text, key)
        self.lock = QCheckBox("Lock every setting (the learner can only press Play)")
        for widget in (self.step_title,):
            widget.textChanged.connect(self._update)
        self.text.textChanged.connect(self._update)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Lesson file", file_row)
        form.addRow(self.new_note)
        form.addRow("Lesson title", self.lesson_title)
        form.addRow("Audience", self.audience)
        form.addRow("Step title", self.step_title)
        form.addRow("Text", self.text)
        form.addRow("Point at", self.point_at)
        form.addRow(self.lock)
        form.addRow(QLabel("The step records the current settings and which views are shown. "
                           "Questions are added by editing the file (see the README)."))
        form.addRow(self.buttons)
        self.resize(560, 480)
        self._update()

    def _on_browse_clicked(self):
        path, _ = QFileDialog.getSaveFileName(
            self, "Lesson file", self.path.text() or self._folder, FILTER,
            options=QFileDialog.DontConfirmOverwrite)  # a step is added, nothing replaced
        if path:
            if not path.lower().endswith(lessons.SUFFIX):
                path += lessons.SUFFIX
            self.path.setText(path)

    def _update(self):
        path = self.path.text().strip()
        new = not (path and os.path.exists(path))
        for widget in (self.lesson_title, self.audience, self.new_note):
            widget.setEnabled(new)
        self.new_note.setText("A new file: it starts with this title and audience." if new
                              else "The step is added at the end of this lesson.")
        ready = bool(path and self.step_title.text().strip() and self.text.toPlainText().strip())
        self.buttons.button(QDialogButtonBox.Save).setEnabled(ready)

    def result_values(self):
        """``(path, step title, text, point_at, lock everything, lesson title, audience)``."""
        return (self.path.text().strip(), self.step_title.text().strip(),
                self.text.toPlainText().strip() + "\n", self.point_at.currentData(),
                self.lock.isChecked(), self.lesson_title.text().strip() or "A new lesson",
                self.audience.text().strip() or "Everyone")
