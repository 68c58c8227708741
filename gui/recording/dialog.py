"""File → Record…: what to record (the window or one view), how (GIF, MP4, PNG sequence, frame
rate, length, size), and the progress, with Cancel.

The dialog stays open while it records and does not block the window: training goes on (it
can start it), the views keep redrawing, and the progress bar follows the frames grabbed and
encoded. ``start(path)`` records without asking for a file name (tests, scripts).
"""
from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar,
                               QPushButton, QSpinBox, QVBoxLayout)

from gui.recording.recorder import MAX_FPS, Recorder
from gui.recording.writers import FORMATS, even_size

#: What can be recorded: key -> (label, the window's attribute holding the widget or None for
#: the whole window).
TARGETS = {
    "window": ("The whole window", None),
    "boundary": ("Decision boundary", "boundary_plot"),
    "cost": ("Cost curve", "cost_plot"),
    "surface": ("Error surface", "surface_view"),
    "network": ("Network diagram", "network_diagram"),
    "anatomy": ("Anatomy of the cost", "cost_anatomy"),
}
SCALES = {"100 %": 1.0, "75 %": 0.75, "50 %": 0.5}
MAX_SECONDS = 600


class RecordDialog(QDialog):
    """Records the run of ``window`` (a MainWindow).

    Signals
    -------
    saved(str, int, object)
        A recording was written: its file, its frame count and its ``(width, height)``.
    """

    saved = Signal(str, int, object)

    def __init__(self, window, folder=None):
        super().__init__(window)
        self.window = window
        self.recorder = None
        self._folder = folder or os.path.expanduser("~")
        self.setWindowTitle("Record the run")
        self.setModal(False)

        self.target_box = QComboBox()
        for key, (label, attribute) in TARGETS.items():
            if attribute is None or getattr(window, attribute, None) is not None:
                self.target_box.addItem(label, key)
        self.target_box.setToolTip("Record the whole window, or one view at its size on "
                                   "screen (resize its panel first to change the size).")
        self.format_box = QComboBox()
        for key, (label, _) in FORMATS.items():
            self.format_box.addItem(label, key)
        self.format_box.setToolTip(
            "Animated GIF: plays anywhere, slides and web pages included (larger files).\n"
            "MP4 (H.264): small files of full quality, for slides and video players.\n"
            "PNG sequence: one image per frame, for your own video editor.")
        self.fps_box = QSpinBox()
        self.fps_box.setRange(1, MAX_FPS)
        self.fps_box.setValue(15)
        self.fps_box.setSuffix(" frames/s")
        self.fps_box.setToolTip("Frames grabbed per second while training runs.")
        self.seconds_box = QSpinBox()
        self.seconds_box.setRange(1, MAX_SECONDS)
        self.seconds_box.setValue(10)
        self.seconds_box.setSuffix(" s")
        self.seconds_box.setToolTip("How long to record.")
        self.scale_box = QComboBox()
        for label, scale in SCALES.items():
            self.scale_box.addItem(label, scale)
        self.scale_box.setToolTip("The picture's size, as a share of its size on screen.")
        self.play_box = QCheckBox("Start training when the recording starts")
        self.play_box.setChecked(True)
        self.path_edit = QLineEdit()
        self.path_edit.setToolTip("Where the recording is saved.")
        self.browse_button = browse = QPushButton("Choose…")
        browse.setToolTip("Choose the file to save the recording to.")
        browse.clicked.connect(self._on_browse_clicked)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color: #555")
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("%v of %m frames")
        self.status = QLabel("Ready.")
        self.status.setWordWrap(True)

        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Record:", self.target_box)
        form.addRow("Format:", self.format_box)
        form.addRow("Frame rate:", self.fps_box)
        form.addRow("Length:", self.seconds_box)
        form.addRow("Size:", self.scale_box)
        form.addRow("Save to:", path_row)
        form.addRow("", self.play_box)
        self.buttons = QDialogButtonBox()
        self.record_button = self.buttons.addButton("Record", QDialogButtonBox.AcceptRole)
        self.record_button.setToolTip("Start recording (the dialog stays open and shows the "
                                      "progress).")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.Cancel)
        self.cancel_button.setToolTip("Stop recording and keep nothing (or close the dialog).")
        self.record_button.clicked.connect(lambda: self.start())
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        for box in (self.target_box, self.format_box, self.scale_box):
            box.currentIndexChanged.connect(self._update_summary)
        for box in (self.fps_box, self.seconds_box):
            box.valueChanged.connect(self._update_summary)
        self.format_box.currentIndexChanged.connect(self._on_format_changed)
        self._on_format_changed()
        self._update_summary()

    # ------------------------------------------------------------------ choices
    def target_widget(self):
        attribute = TARGETS[self.target_box.currentData()][1]
        return self.window if attribute is None else getattr(self.window, attribute)

    def frame_count(self) -> int:
        return self.fps_box.value() * self.seconds_box.value()

    def _default_path(self):
        suffix = FORMATS[self.format_box.currentData()][1]
        return os.path.join(self._folder, f"costscape-recording{suffix}")

    @Slot()
    def _on_format_changed(self, *_):
        path = self.path_edit.text().strip()
        suffix = FORMATS[self.format_box.currentData()][1]
        if not path:
            self.path_edit.setText(self._default_path())
        else:
            self.path_edit.setText(os.path.splitext(path)[0] + suffix)

    @Slot()
    def _update_summary(self, *_):
        widget = self.target_widget()
        scale = self.scale_box.currentData()
        width, height = even_size(widget.width() * scale, widget.height() * scale)
        fmt = self.format_box.currentData()
        extra = (" The frames of a GIF wait in memory until it is written: choose a smaller "
                 "size for long recordings." if fmt == "gif" and self.frame_count() > 300 else "")
        self.summary.setText(f"{self.frame_count()} frames of {width} × {height} pixels, "
                             f"{self.seconds_box.value()} s at {self.fps_box.value()} frames "
                             f"per second.{extra}")

    @Slot()
    def _on_browse_clicked(self):
        fmt = self.format_box.currentData()
        label, suffix = FORMATS[fmt]
        path, _ = QFileDialog.getSaveFileName(self, "Save the recording as",
                                              self.path_edit.text(), f"{label} (*{suffix})")
        if path:
            self.path_edit.setText(path if path.lower().endswith(suffix) else path + suffix)

    # ------------------------------------------------------------------ recording
    def start(self, path=None) -> bool:
        """Start recording to ``path`` (default: the one shown). False when it cannot start."""
        if self.recorder is not None and self.recorder.active:
            return False
        path = os.path.abspath(os.fspath(path or self.path_edit.text().strip()
                                         or self._default_path()))
        self.path_edit.setText(path)
        if not os.path.isdir(os.path.dirname(path)):
            self.status.setText(f"The folder {os.path.dirname(path)} does not exist.")
            return False
        try:
            self.recorder = Recorder(self.target_widget(), self.format_box.currentData(), path,
                                     self.fps_box.value(), self.frame_count(),
                                     self.scale_box.currentData(), parent=self)
        except ValueError as err:
            self.status.setText(str(err))
            return False
        self.recorder.progress.connect(self._on_recorder_progress)
        self.recorder.finished.connect(self._on_recorder_finished)
        self.recorder.failed.connect(self._on_recorder_failed)
        self.recorder.cancelled.connect(self._on_recorder_cancelled)
        self.progress.setRange(0, self.frame_count())
        self.progress.setValue(0)
        self._set_recording(True)
        if self.play_box.isChecked() and not self.window.controller.running:
            self.window.controller.play()
        self.recorder.start()
        return True

    def cancel(self):
        if self.recorder is not None:
            self.recorder.cancel()

    def shutdown(self):
        if self.recorder is not None:
            self.recorder.shutdown()

    def _set_recording(self, recording):
        for widget in (self.target_box, self.format_box, self.fps_box, self.seconds_box,
                       self.scale_box, self.path_edit, self.browse_button, self.play_box,
                       self.record_button):
            widget.setEnabled(not recording)
        self.cancel_button.setText("Cancel" if recording else "Close")

    @Slot()
    def _on_cancel_clicked(self):
        if self.recorder is not None and self.recorder.active:
            self.cancel()
        else:
            self.close()

    @Slot(int, int, int)
    def _on_recorder_progress(self, grabbed, encoded, total):
        self.progress.setValue(encoded)
        if grabbed < total:
            self.status.setText(f"Recording: {grabbed} of {total} frames grabbed, {encoded} "
                                f"encoded…")
        else:
            self.status.setText(f"All {total} frames grabbed; encoding ({encoded} done)…")

    @Slot(str, int, object)
    def _on_recorder_finished(self, path, frames, size):
        self._set_recording(False)
        self.progress.setValue(frames)
        self.status.setText(f"Saved {os.path.basename(path)}: {frames} frames of "
                            f"{size[0]} × {size[1]} pixels.")
        self.saved.emit(path, frames, size)

    @Slot(str)
    def _on_recorder_failed(self, reason):
        self._set_recording(False)
        self.status.setText(f"The recording could not be saved: {reason}. Nothing was kept.")

    @Slot()
    def _on_recorder_cancelled(self):
        self._set_recording(False)
        self.progress.setValue(0)
        self.status.setText("Cancelled: nothing was kept.")

    def closeEvent(self, event):
        self.cancel()
        super().closeEvent(event)

    def keyPressEvent(self, event):
        # Escape cancels a recording before it closes the dialog.
        if event.key() == Qt.Key_Escape and self.recorder is not None and self.recorder.active:
            self.cancel()
            return
        super().keyPressEvent(event)
