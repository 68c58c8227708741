"""The File menu: open and save experiments, import CSV data, export plots and the history.

:class:`FileActions` adds its actions to the main window's File menu and handles drag and drop
onto the window. The trainer lives in the worker thread, so saving, opening and exporting the
history are requests to :class:`~gui.threads.TrainingController`; the answers
(``experiment_saved``, ``experiment_opened``, ``history_exported``, ``file_error``) come back as
signals. A file that cannot be opened changes nothing: the banner names the file and says why.

The window title names the open file, ``Costscape — spiral.costscape``, with a ``*`` once the
run moves on (a step, a reset, a changed setting) after it was saved or opened. Such a run is
not thrown away without asking: opening another experiment or closing the window first asks
whether to save it (:meth:`FileActions.keep_changes`).

Methods that take a ``path`` ask with a file dialog when it is None, so tests (and scripts)
call them with a path and no dialog ever opens.
"""
from __future__ import annotations

import html
import os

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QMessageBox

from core.experiment import SUFFIX
from gui.names import dataset_words

EXPERIMENT_FILTER = f"Costscape experiments (*{SUFFIX});;All files (*)"
PNG_FILTER = "PNG images (*.png)"
CSV_FILTER = "CSV files (*.csv)"
#: The views File → Export saves as PNG: menu text and tooltip, and the window's attribute.
EXPORTS = {
    "cost": ("Cost plot as PNG…", "Save the cost (and accuracy) curves as a PNG image."),
    "boundary": ("Decision boundary as PNG…", "Save the decision boundary (or fitted function) "
                 "view with its data points as a PNG image."),
    "surface": ("Error surface as PNG…", "Save the error surface view as shown (3-D or contour "
                "map) as a PNG image."),
    "anatomy": ("Anatomy of the cost as PNG…", "Save the histogram of the examples' losses with "
                "the mean loss, the penalty and the cost as a PNG image."),
    "network": ("Network diagram as PNG…", "Save the network diagram (neurons with their "
                "pictures, links by weight) as a PNG image."),
}
EXPORT_WIDGETS = {"cost": "cost_plot", "boundary": "boundary_plot", "surface": "surface_view",
                  "anatomy": "cost_anatomy", "network": "network_diagram"}
APP_NAME = "Costscape"
MAX_RECENT = 8
RECENT_KEY = "files/recent"
FOLDER_KEY = "files/folder"
MESSAGE_MS = 8000
#: File name endings that drag and drop imports as data.
DATA_SUFFIXES = (".csv", ".tsv", ".txt")


def _with_suffix(path, suffix) -> str:
    return path if path.lower().endswith(suffix) else path + suffix


def _name(path) -> str:
    return os.path.basename(os.fspath(path)) or os.fspath(path)


class FileActions(QObject):
    """File-menu actions, drag and drop, and the window title for ``window`` (a MainWindow).

    Signals
    -------
    opened(str)
        An experiment file was opened and is shown (path).
    saved(str)
        The experiment was saved (path).
    failed(str, str, str)
        A file request failed: what ("open", "save", "export" or "import"), path, reason.
    """

    opened = Signal(str)
    saved = Signal(str)
    failed = Signal(str, str, str)

    def __init__(self, window, settings=None):
        super().__init__(window)
        self.window = window
        self.controller = window.controller
        self._settings = settings if settings is not None else QSettings()
        self.path = None           # the experiment file shown in the title
        self._clean = None         # (run, step, config) as saved or opened
        self._pending_import = None
        self.import_dialog = None  # the CSV import dialog while it is open
        self.question = None       # "save the changed run?" while it is asked
        self._after_save = None    # what to do once the answer's save is done
        self._make_actions()
        self._wire()
        window.setAcceptDrops(True)
        window.installEventFilter(self)
        self._update_title()

    # ------------------------------------------------------------------ building
    def _make_actions(self):
        w = self.window

        def action(text, tip, slot, shortcut=None):
            a = QAction(text, w)
            a.setToolTip(tip)
            a.setStatusTip(tip)
            if shortcut is not None:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(lambda checked=False: slot())
            return a

        self.open_action = action(
            "&Open experiment…", "Open a saved experiment (Ctrl+O): its settings, data, weights, "
            "optimizer state and cost history. Training continues exactly where it stopped.",
            self.open_experiment, QKeySequence.Open)
        self.save_action = action(
            "&Save experiment", "Save this experiment (Ctrl+S): settings, data, weights θ, the "
            "optimizer's state and the cost history, so it can continue later from this step.",
            self.save_experiment, QKeySequence.Save)
        self.save_as_action = action(
            "Save experiment &as…", "Save this experiment under a new name (Ctrl+Shift+S).",
            self.save_experiment_as, QKeySequence(Qt.CTRL | Qt.SHIFT | Qt.Key_S))
        self.import_action = action(
            "&Import data from CSV…", "Train on your own data (Ctrl+I): a CSV file with the "
            "inputs x in the first columns and the label y in the last. Also: drop a .csv file "
            "on the window.", self.import_csv, QKeySequence(Qt.CTRL | Qt.Key_I))
        self.recent_menu = QMenu("Open &recent", w)
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)

        self.export_menu = QMenu("&Export", w)
        self.export_menu.setToolTipsVisible(True)
        self.export_actions = {}
        for which, (text, tip) in EXPORTS.items():
            if self._export_widget(which) is not None:
                self.export_actions[which] = action(
                    text, tip, lambda _=False, which=which: self.export_plot(which))
                self.export_menu.addAction(self.export_actions[which])
        self.export_history_action = action(
            "Cost history as CSV…", "Save the recorded cost history (step, epoch, train and "
            "test cost, loss, regularization term, accuracies) as a CSV file for a "
            "spreadsheet or a notebook.", self.export_history)
        self.export_menu.addSeparator()
        self.export_menu.addAction(self.export_history_action)

        menu, before = w.file_menu, getattr(w, "file_menu_separator", None)
        for item in (self.open_action, self.recent_menu, None, self.save_action,
                     self.save_as_action, None, self.import_action, self.export_menu):
            if item is None:
                menu.insertSeparator(before)
            elif isinstance(item, QMenu):
                menu.insertMenu(before, item)
            else:
                menu.insertAction(before, item)

    def _wire(self):
        c = self.controller
        c.experiment_saved.connect(self._on_experiment_saved)
        c.experiment_opened.connect(self._on_experiment_opened)
        c.history_exported.connect(self._on_history_exported)
        c.file_error.connect(self._on_file_error)
        c.config_applied.connect(self._on_config_applied)
        c.error.connect(self._on_error)
        c.snapshot.connect(self._on_snapshot)

    # ------------------------------------------------------------------ experiments
    def open_experiment(self, path=None):
        """Open an experiment file (asks for one when ``path`` is None), once a run changed
        since it was saved is saved or let go (:meth:`keep_changes`)."""
        if not self.keep_changes("opening another experiment",
                                 lambda: self.open_experiment(path)):
            return
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.window, "Open experiment",
                                                  self._folder(), EXPERIMENT_FILTER)
            if not path:
                return
        path = os.path.abspath(os.fspath(path))
        self.window.statusBar().showMessage(f"Opening {_name(path)}…", MESSAGE_MS)
        self.controller.open_experiment(path)

    def save_experiment(self, path=None):
        """Save to ``path``, or to the open file, or ask for a name (Save As)."""
        if path is None and self.path is None:
            return self.save_experiment_as()
        path = os.path.abspath(os.fspath(path if path is not None else self.path))
        self.controller.save_experiment(path)

    def save_experiment_as(self, path=None):
        if path is None:
            config = self.window.config
            stem = os.path.splitext(_name(config.data_path))[0] if config.dataset == "csv" \
                else config.dataset
            suggestion = self.path or os.path.join(self._folder(), f"{stem}{SUFFIX}")
            path, _ = QFileDialog.getSaveFileName(self.window, "Save experiment", suggestion,
                                                  EXPERIMENT_FILTER)
            if not path:
                return
            path = _with_suffix(path, SUFFIX)
        self.save_experiment(path)

    # ------------------------------------------------------------------ data and exports
    def import_csv(self, path=None):
        """Choose a CSV file (unless ``path`` is given), show it in the import dialog and, on
        Import, train on it. Returns the dialog's result code (Rejected when none was shown)."""
        from gui.dialogs.csv_import import CSV_FILTER as DATA_FILTER, CsvImportDialog

        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.window, "Import data from a CSV file",
                                                  self._folder(), DATA_FILTER)
            if not path:
                return QDialog.Rejected
        self._remember_folder(path)
        dialog = self.import_dialog = CsvImportDialog(self.window.config, path, self.window)
        try:
            result = dialog.exec()
            if result == QDialog.Accepted and dialog.data() is not None:
                self.apply_import(dialog.config(), dialog.data())
        finally:
            self.import_dialog = None
            dialog.deleteLater()
        return result

    def apply_import(self, config, data):
        """Train on ``data`` (a Dataset read from ``config.data_path``). The panels show the
        file once the worker has switched to it; if it cannot, the banner says why."""
        self._pending_import = config
        self.controller.apply_config(config, data)
        self._remember_folder(config.data_path)

    def _export_widget(self, which):
        """The view ``which`` (a key of ``EXPORTS``) names, or None where the window has none."""
        return getattr(self.window, EXPORT_WIDGETS[which], None)

    def export_plot(self, which, path=None) -> bool:
        """Save the ``which`` view (a key of ``EXPORTS``: "cost", "boundary", "surface",
        "anatomy", "network") as a PNG image."""
        w = self.window
        widget = self._export_widget(which)
        if widget is None:
            return False
        if path is None:
            default = os.path.join(self._folder(), f"costscape-{which}.png")
            path, _ = QFileDialog.getSaveFileName(w, "Export as PNG", default, PNG_FILTER)
            if not path:
                return False
            path = _with_suffix(path, ".png")
        path = os.path.abspath(os.fspath(path))
        if hasattr(widget, "export_png"):  # the 3-D view renders itself
            ok = widget.export_png(path)
        else:
            if not widget.isVisible():  # a view in a tab behind another: lay it out first
                widget.ensurePolished()
                widget.resize(widget.size().expandedTo(widget.sizeHint()))
            ok = widget.grab().save(path, "PNG")
        if ok:
            self._remember_folder(path)
            w.statusBar().showMessage(f"Saved {_name(path)}.", MESSAGE_MS)
        else:
            self._show_failure("export", path, "the image could not be written (check the "
                               "folder exists and you may write to it).")
        return bool(ok)

    def export_history(self, path=None):
        """Write the cost history as CSV (in the worker, which holds the history)."""
        if path is None:
            default = os.path.join(self._folder(), "costscape-history.csv")
            path, _ = QFileDialog.getSaveFileName(self.window, "Export cost history", default,
                                                  CSV_FILTER)
            if not path:
                return
            path = _with_suffix(path, ".csv")
        self.controller.export_history(os.path.abspath(os.fspath(path)))

    # ------------------------------------------------------------------ recent files
    def recent_files(self) -> list:
        value = self._settings.value(RECENT_KEY, [])
        if isinstance(value, str):
            value = [value]
        return [str(p) for p in (value or []) if p]

    def _add_recent(self, path):
        files = [path] + [p for p in self.recent_files() if p != path]
        self._settings.setValue(RECENT_KEY, files[:MAX_RECENT])

    def _drop_recent(self, path):
        self._settings.setValue(RECENT_KEY, [p for p in self.recent_files() if p != path])

    def _fill_recent_menu(self):
        self.recent_menu.clear()
        files = self.recent_files()
        for path in files:
            a = self.recent_menu.addAction(_name(path))
            a.setToolTip(path)
            a.triggered.connect(lambda checked=False, p=path: self.open_experiment(p))
        if not files:
            self.recent_menu.addAction("No recent experiments").setEnabled(False)
            return
        self.recent_menu.addSeparator()
        self.recent_menu.addAction("Clear list").triggered.connect(
            lambda: self._settings.setValue(RECENT_KEY, []))

    def _folder(self) -> str:
        folder = self._settings.value(FOLDER_KEY, "")
        return folder if isinstance(folder, str) and os.path.isdir(folder) else \
            os.path.expanduser("~")

    def _remember_folder(self, path):
        if path:
            self._settings.setValue(FOLDER_KEY, os.path.dirname(os.path.abspath(path)))

    # ------------------------------------------------------------------ title
    def _update_title(self):
        name = APP_NAME
        if self.path:
            self.window.setWindowTitle(f"{name} — {_name(self.path)}[*]")
        else:
            self.window.setWindowTitle(name)
            self.window.setWindowModified(False)

    def is_modified(self) -> bool:
        return self.window.isWindowModified()

    def keep_changes(self, doing, then) -> bool:
        """Before ``doing`` (e.g. "closing") replaces a run that changed since it was saved:
        True when there is nothing to keep (go on now); else False, and a question asks
        Save, Don't save or Cancel without blocking (a window-modal box). ``then()`` runs
        once the run is saved (not if saving fails: the banner says why) or let go."""
        if not self.is_modified():
            return True
        if self.question is not None:
            self.question.raise_()
            return False
        step = self.controller.latest.step if self.controller.latest is not None else 0
        box = QMessageBox(QMessageBox.Warning, APP_NAME,
                          f"The run in {_name(self.path)} has changed since it was saved.",
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel,
                          self.window)
        box.setInformativeText(f"Save it (now at step {step:,}) before {doing}?")
        box.setDefaultButton(QMessageBox.Save)
        box.setWindowModality(Qt.WindowModal)
        box.finished.connect(lambda _: self._answered(box, then))
        self.question = box
        box.open()
        return False

    def _answered(self, box, then):
        self.question = None
        box.deleteLater()
        answer = box.standardButton(box.clickedButton())
        if answer == QMessageBox.Save:
            self._after_save = then
            self.save_experiment()
        elif answer == QMessageBox.Discard:
            self.window.setWindowModified(False)
            then()

    # ------------------------------------------------------------------ drag and drop
    def eventFilter(self, watched, event):
        kind = event.type()
        if watched is self.window and kind in (QEvent.DragEnter, QEvent.DragMove):
            if self._dropped_file(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif watched is self.window and kind == QEvent.Drop:
            path = self._dropped_file(event.mimeData())
            if path:
                event.acceptProposedAction()
                # After the drop returns: a modal dialog inside a drop handler would keep the
                # drag source (a file manager) waiting.
                QTimer.singleShot(0, lambda: self.open_dropped(path))
                return True
        return False

    @staticmethod
    def _dropped_file(mime):
        if mime is None or not mime.hasUrls():
            return None
        urls = [u for u in mime.urls() if u.isLocalFile()]
        if len(urls) != 1:
            return None
        path = urls[0].toLocalFile()
        return path if path.lower().endswith((SUFFIX, *DATA_SUFFIXES)) else None

    def open_dropped(self, path):
        """A file dropped on the window: an experiment is opened, data are imported."""
        if path.lower().endswith(SUFFIX):
            self.open_experiment(path)
        else:
            self.import_csv(path)

    # ------------------------------------------------------------------ answers
    @Slot(str, object, object, object)
    def _on_experiment_saved(self, path, config, run, step):
        self.path = path
        self._clean = (run, step, config)
        self._add_recent(path)
        self._remember_folder(path)
        self._update_title()
        self.window.setWindowModified(False)
        self.window.statusBar().showMessage(f"Saved {_name(path)} at step {step:,}.",
                                            MESSAGE_MS)
        self.saved.emit(path)
        then, self._after_save = self._after_save, None
        if then is not None:
            then()

    @Slot(str, object, object, object)
    def _on_experiment_opened(self, path, config, run, step):
        w = self.window
        self.path = path
        self._clean = (run, step, config)
        self._add_recent(path)
        self._remember_folder(path)
        self._update_title()
        w.setWindowModified(False)
        w.adopt_config(config)
        w.clear_message("error", "warning")  # an earlier failure is history now
        data = dataset_words(config.dataset, config.data_path)
        w.statusBar().showMessage(
            f"Opened {_name(path)}: {data}, step {step:,}. Press Play to continue where it "
            f"stopped.", 2 * MESSAGE_MS)
        self.opened.emit(path)

    @Slot(str)
    def _on_history_exported(self, path):
        self._remember_folder(path)
        self.window.statusBar().showMessage(f"Saved the cost history to {_name(path)}.",
                                            MESSAGE_MS)

    @Slot(str, str, str)
    def _on_file_error(self, action, path, reason):
        if action == "save":
            self._after_save = None  # not saved: the run stays, and the banner says why
        if action == "open" and not os.path.exists(path):
            self._drop_recent(path)
        self._show_failure(action, path, reason)

    def _show_failure(self, action, path, reason):
        what = {"open": "open", "save": "save", "export": "export to"}.get(action, action)
        kept = {"open": "The current experiment is unchanged.",
                "save": "Training goes on; any earlier file of that name is unchanged.",
                "export": "Nothing else changed.",
                "import": "The current data are kept."}.get(action, "")
        sentence = reason[:1].upper() + reason[1:]
        if sentence and sentence[-1] not in ".!?":
            sentence += "."
        self.window.show_message(
            f"<b>Could not {what} {html.escape(_name(path))}.</b> "
            f"{html.escape(sentence)} {kept}"
            f"<br><span style='color:#777'>{html.escape(os.fspath(path))}</span>", "error")
        self.window.statusBar().showMessage(f"Could not {what} {_name(path)}.", MESSAGE_MS)
        self.failed.emit(action, path, reason)

    @Slot(object, bool)
    def _on_config_applied(self, config, reset):
        if config is self._pending_import:
            self._pending_import = None
            w = self.window
            w.adopt_config(config)
            w.clear_message("error", "warning")
            w.statusBar().showMessage(
                f"Imported {_name(config.data_path)}: the weights were re-initialized.",
                MESSAGE_MS)

    @Slot(str)
    def _on_error(self, message):
        # The worker could not switch to imported data: the banner already says why.
        if self._pending_import is not None:
            config, self._pending_import = self._pending_import, None
            self.failed.emit("import", config.data_path, message)

    @Slot(object)
    def _on_snapshot(self, snap):
        if self._clean is None:
            return
        run, step, config = self._clean
        if snap.run < run or (snap.run == run and snap.step < step):
            return  # a frame from before the save or open, still on its way
        modified = snap.run != run or snap.step != step or snap.config != config
        if modified != self.window.isWindowModified():
            self.window.setWindowModified(modified)
