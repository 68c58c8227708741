"""Record and share: File → Record…, Open Playground link…, Copy Playground link, Export
notebook…, Open your own weights…, figures for slides in File → Export, and a Playground link
dropped on the window.

:class:`ShareActions` installs itself into the window (a MainWindow whose ``files`` is the
:class:`~gui.dialogs.file_actions.FileActions`): its actions go into the File menu before Quit,
its figure formats into the Export submenu. Methods that take a path or a link ask with a
dialog when it is None, so tests call them with one and no dialog opens. Files are read off
the UI thread: a learner's weights and data in the training worker (which then trains on
them), the notebook in a request thread of its own.
"""
from __future__ import annotations

import html
import os

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu

from core import activations, playground
from core.notebook import SUFFIX as NOTEBOOK_SUFFIX
from gui import figures
from gui.names import dataset_words
from gui.dialogs.file_actions import FOLDER_KEY
from gui.threads import LatestRequestRunner

MESSAGE_MS = 8000
#: The views whose figures File → Export saves: key -> (submenu title, window attribute).
FIGURE_VIEWS = {
    "cost": ("Cost plot", "cost_plot"),
    "boundary": ("Decision boundary", "boundary_plot"),
    "anatomy": ("Anatomy of the cost", "cost_anatomy"),
    "network": ("Network diagram", "network_diagram"),
    "contour": ("Error surface (contour map)", None),
}


def _name(path) -> str:
    return os.path.basename(os.fspath(path))


def playground_text(mime) -> str | None:
    """The Playground link a drag carries (as a URL or as text), or None."""
    if mime is None:
        return None
    candidates = [u.toString() for u in mime.urls() if not u.isLocalFile()] if mime.hasUrls() \
        else []
    if mime.hasText():
        candidates.append(mime.text().strip())
    for text in candidates:
        if "playground.tensorflow.org" in text or text.startswith("#activation="):
            return text
    return None


class ShareActions(QObject):
    """The share actions of ``window``; see the module docstring."""

    def __init__(self, window, settings=None):
        super().__init__(window)
        self.window = window
        self.files = window.files
        self._settings = settings if settings is not None else QSettings()
        self.record_dialog = None
        self._notebook_runner = None
        self._make_actions()
        self._make_figure_menus()
        window.controller.run_opened.connect(self._on_run_opened)
        window.installEventFilter(self)

    # ------------------------------------------------------------------ building
    def _action(self, text, tip, slot, shortcut=None) -> QAction:
        action = QAction(text, self.window)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda checked=False: slot())
        return action

    def _make_actions(self):
        self.record_action = self._action(
            "&Record…", "Record the window or one view while it trains (Ctrl+Shift+R), as an "
            "animated GIF, an MP4 video or PNG images.", self.show_record_dialog,
            Qt.CTRL | Qt.SHIFT | Qt.Key_R)
        self.open_link_action = self._action(
            "Open Playground &link…", "Open a TensorFlow Neural Network Playground link "
            "(Ctrl+L): the same data, network, features, rates and the Playground's model. "
            "Also: drop the link on the window.", self.open_link, Qt.CTRL | Qt.Key_L)
        self.copy_link_action = self._action(
            "&Copy Playground link", "Copy a link that opens this run in the TensorFlow Neural "
            "Network Playground (when the Playground can express it).", self.copy_link)
        self.export_notebook_action = self._action(
            "Export &notebook…", "Save this run as a Jupyter notebook: the code behind it in "
            "cells with explanations (data, forward pass, cost, its derivative, "
            "backpropagation, update, loop), and plots of the cost and an error surface.",
            self.export_notebook)
        self.open_weights_action = self._action(
            "Open your own &weights…", "Open weight matrices you saved with numpy (np.savez or "
            "np.save) and the data they were trained on: see their cost, boundary and error "
            "surface, and train on from them.", self.open_weights)
        w = self.window
        menu, before = w.file_menu, w.file_menu_separator
        menu.insertSeparator(before)
        for action in (self.open_weights_action, self.open_link_action, self.copy_link_action,
                       self.export_notebook_action, self.record_action):
            menu.insertAction(before, action)

    def _make_figure_menus(self):
        menu = self.files.export_menu
        menu.addSeparator()
        menu.addSection("Figures for slides and papers")
        self.figure_actions = {}
        for which, (title, _) in FIGURE_VIEWS.items():
            if self.figure_widget(which) is None:
                continue
            sub = QMenu(title, menu)
            sub.setToolTipsVisible(True)
            sub.menuAction().setToolTip(f"Save the {title.lower()} as SVG or PDF (vectors) or "
                                        f"as a sharp PNG at 2× or 3×, for slides and papers.")
            for fmt, (text, *_rest) in figures.FORMATS.items():
                action = self._action(text, f"Save the {title.lower()} as drawn, {text[:-1]}",
                                      lambda which=which, fmt=fmt: self.export_figure(which, fmt))
                sub.addAction(action)
                self.figure_actions[which, fmt] = action
            menu.addMenu(sub)
        surface = getattr(self.window, "surface_view", None)
        self.export_3d_action = self._action(
            "Error surface, 3-D view, as PNG of any size…", "Draw the 3-D error surface again "
            "at the size you choose (sharp at any size) and save it as a PNG image.",
            self.export_3d)
        menu.addAction(self.export_3d_action)
        # OpenGL may start after the menus are built (or never, without a GPU driver).
        menu.aboutToShow.connect(lambda: self.export_3d_action.setEnabled(
            surface is not None and surface.gl_available()))

    def _folder(self) -> str:
        """The folder files were last saved to or opened from (shared with FileActions)."""
        folder = self._settings.value(FOLDER_KEY, "")
        return folder if isinstance(folder, str) and os.path.isdir(folder) else \
            os.path.expanduser("~")

    def _remember_folder(self, path):
        self._settings.setValue(FOLDER_KEY, os.path.dirname(os.path.abspath(path)))

    def _failed(self, path, reason):
        self.window.show_message(f"<b>Could not export to {html.escape(_name(path))}.</b> "
                                 f"{html.escape(reason[:1].upper() + reason[1:])} Nothing else "
                                 f"changed.", "error")
        self.window.statusBar().showMessage(f"Could not export to {_name(path)}.", MESSAGE_MS)

    def figure_widget(self, which):
        if which == "contour":
            surface = getattr(self.window, "surface_view", None)
            return None if surface is None else surface.contour
        return getattr(self.window, FIGURE_VIEWS[which][1], None)

    # ------------------------------------------------------------------ figures
    def export_figure(self, which, fmt, path=None) -> bool:
        """Save view ``which`` (a key of ``FIGURE_VIEWS``) in format ``fmt`` (a key of
        :data:`gui.figures.FORMATS`)."""
        widget = self.figure_widget(which)
        if widget is None:
            return False
        _, file_filter, suffix, scale = figures.FORMATS[fmt]
        if path is None:
            extra = f"-{scale}x" if scale else ""
            default = os.path.join(self._folder(), f"costscape-{which}{extra}{suffix}")
            path, _ = QFileDialog.getSaveFileName(self.window, "Export figure", default,
                                                  file_filter)
            if not path:
                return False
            path = path if path.lower().endswith(suffix) else path + suffix
        path = os.path.abspath(os.fspath(path))
        try:
            ok = figures.save_figure(widget, path, fmt, f"Costscape: {FIGURE_VIEWS[which][0]}")
        except OSError:
            ok = False
        return self._saved(path, ok)

    def export_3d(self, path=None, size=None) -> bool:
        """Save the 3-D view at ``size`` = (width, height) pixels (asked for when None)."""
        surface = self.window.surface_view
        if not surface.gl_available():
            self.window.show_message("<b>No 3-D view to export:</b> OpenGL is not available "
                                     "here; export the contour map instead.", "warning")
            return False
        view = surface.scene.view
        if size is None:
            from gui.dialogs.share_dialogs import PictureSizeDialog

            dialog = PictureSizeDialog(2 * view.width(), 2 * view.height(), self.window)
            if dialog.exec() != QDialog.Accepted:
                return False
            size = dialog.picture_size()
        if path is None:
            default = os.path.join(self._folder(), "costscape-surface-3d.png")
            path, _ = QFileDialog.getSaveFileName(self.window, "Export 3-D view", default,
                                                  "PNG images (*.png)")
            if not path:
                return False
            path = path if path.lower().endswith(".png") else path + ".png"
        path = os.path.abspath(os.fspath(path))
        return self._saved(path, figures.save_3d_png(surface.scene, path, *size))

    def _saved(self, path, ok) -> bool:
        if ok:
            self._remember_folder(path)
            self.window.statusBar().showMessage(f"Saved {_name(path)}.", MESSAGE_MS)
        else:
            self._failed(path, "the figure could not be written (check the folder exists and "
                               "you may write to it).")
        return bool(ok)

    # ------------------------------------------------------------------ recording
    def show_record_dialog(self):
        """Open (or raise) the record dialog."""
        if self.record_dialog is None:
            from gui.recording.dialog import RecordDialog

            self.record_dialog = RecordDialog(self.window, self._folder())
            self.record_dialog.saved.connect(self._on_record_dialog_saved)
        self.record_dialog.show()
        self.record_dialog.raise_()
        self.record_dialog.activateWindow()
        return self.record_dialog

    @Slot(str, int, object)
    def _on_record_dialog_saved(self, path, frames, size):
        self._remember_folder(path)
        self.window.statusBar().showMessage(
            f"Recorded {_name(path)}: {frames} frames of {size[0]} × {size[1]} pixels.",
            MESSAGE_MS)

    # ------------------------------------------------------------------ Playground links
    def open_link(self, url=None) -> bool:
        """Open a Playground link as a new run (asks for one when ``url`` is None)."""
        w = self.window
        if url is None:
            from gui.dialogs.share_dialogs import OpenLinkDialog

            dialog = OpenLinkDialog(w)
            if dialog.exec() != QDialog.Accepted or not dialog.url():
                return False
            url = dialog.url()
        try:
            found = playground.read(url)
        except playground.PlaygroundError as err:
            w.show_message(f"<b>That Playground link cannot be opened:</b> "
                           f"{html.escape(str(err))}. The current run is unchanged.", "warning")
            return False
        w.apply_config(found.config, reset=True)
        unknown = (f" These fields are not the Playground's and were ignored: "
                   f"{html.escape(', '.join(found.unknown))}." if found.unknown else "")
        c = found.config
        output = ("tanh output, squared error on the labels −1/+1" if c.signed_targets
                  else "linear output, squared error")
        start = "zero weights" if c.init == "zeros" else "U(−0.5, 0.5) weights, biases 0.1"
        layers = "-".join(map(str, c.hidden_layers)) or "no hidden layer"
        w.show_message(
            f"<b>Opened the Playground link</b> ({dataset_words(c.dataset)}, {layers} "
            f"{activations.get(c.activation).display_name}) with the "
            f"Playground's model: {output}, {start}; the learning rate {c.learning_rate:g} is "
            f"its {2 * c.learning_rate:g}.{unknown} {html.escape(found.unmatched)}", "info")
        w.statusBar().showMessage("Opened a Playground link: press Play to train.", MESSAGE_MS)
        return True

    def copy_link(self) -> str | None:
        """Copy this run's Playground link to the clipboard; None (and why, in the banner)
        when the Playground cannot express it."""
        try:
            url = playground.to_url(self.window.config)
        except playground.PlaygroundError as err:
            reason = str(err)
            self.window.show_message(f"<b>No Playground link.</b> "
                                     f"{html.escape(reason[:1].upper() + reason[1:])}.",
                                     "warning")
            return None
        QGuiApplication.clipboard().setText(url)
        self.window.statusBar().showMessage("Copied the Playground link of this run.",
                                            MESSAGE_MS)
        return url

    # ------------------------------------------------------------------ notebook
    def export_notebook(self, path=None, steps=None):
        """Write the run's notebook (off the UI thread); the status bar says when it is
        saved. ``steps``: the updates its loop makes (default: the run's steps so far, or 1000
        at step 0)."""
        snap = self.window.controller.latest
        if snap is None:
            return
        if path is None:
            default = os.path.join(self._folder(), f"costscape-{snap.config.dataset}"
                                                         f"{NOTEBOOK_SUFFIX}")
            path, _ = QFileDialog.getSaveFileName(self.window, "Export notebook", default,
                                                  f"Jupyter notebooks (*{NOTEBOOK_SUFFIX})")
            if not path:
                return
            path = path if path.lower().endswith(NOTEBOOK_SUFFIX) else path + NOTEBOOK_SUFFIX
        path = os.path.abspath(os.fspath(path))
        steps = int(steps if steps is not None else (snap.step or 1000))
        own_data = snap.config.dataset in ("csv", "custom")
        if self._notebook_runner is None:
            self._notebook_runner = LatestRequestRunner(self)
            self._notebook_runner.finished.connect(self._on_notebook_runner_finished)
            self._notebook_runner.failed.connect(self._on_notebook_runner_failed)
        self._notebook_path = path
        self._notebook_runner.submit(self._write_notebook, path, snap.config,
                                     snap.data if own_data else None, steps)

    @staticmethod
    def _write_notebook(path, config, data, steps):
        from core import notebook

        notebook.write_notebook(path, config, data, steps)
        return path, steps

    @Slot(int, object)
    def _on_notebook_runner_finished(self, _request, result):
        path, steps = result
        self._remember_folder(path)
        self.window.statusBar().showMessage(
            f"Saved {_name(path)}: a notebook of this run ({steps:,} steps).", MESSAGE_MS)

    @Slot(int, str)
    def _on_notebook_runner_failed(self, _request, message):
        self._failed(self._notebook_path, message)

    # ------------------------------------------------------------------ own weights
    def open_weights(self, weights=None, data=None, activation="sigmoid",
                     output_activation="sigmoid", loss="mse", learning_rate=1.0):
        """Open weight files and a CSV file of data as a new run (asks when ``weights`` is
        None). The files are read in the training worker; ``run_opened`` answers."""
        if weights is None:
            from gui.dialogs.share_dialogs import OpenWeightsDialog

            dialog = OpenWeightsDialog(self._folder(), self.window)
            if dialog.exec() != QDialog.Accepted:
                return
            choices = dialog.choices()
            weights, data = choices.pop("weights"), choices.pop("data")
            activation, output_activation = choices["activation"], choices["output_activation"]
            loss, learning_rate = choices["loss"], choices["learning_rate"]
        weights = [os.path.abspath(os.fspath(p)) for p in weights]
        data = os.path.abspath(os.fspath(data))

        def build():
            from core.own_network import open_run

            run = open_run(weights, data, activation, output_activation, loss, learning_rate)
            return run.trainer, run.note

        self.window.statusBar().showMessage(f"Opening {_name(weights[0])}…", MESSAGE_MS)
        self._remember_folder(weights[0])
        self.window.controller.open_run(weights[0], build)

    @Slot(str, object, str)
    def _on_run_opened(self, path, config, note):
        w = self.window
        w.adopt_config(config)
        w.clear_message("error", "warning")
        w.show_message(f"<b>Your own network.</b> {html.escape(note)} The views show its cost, "
                       f"boundary and error surface at these weights; Play trains on from "
                       f"them (Reset draws fresh random weights).", "info")
        w.statusBar().showMessage(f"Opened {_name(path)}.", MESSAGE_MS)

    # ------------------------------------------------------------------ drop, close
    def eventFilter(self, watched, event):
        kind = event.type()
        if watched is self.window:
            if kind in (QEvent.DragEnter, QEvent.DragMove) and playground_text(
                    event.mimeData()):
                event.acceptProposedAction()
                return True
            if kind == QEvent.Drop:
                url = playground_text(event.mimeData())
                if url:
                    event.acceptProposedAction()
                    QTimer.singleShot(0, lambda: self.open_link(url))
                    return True
            if kind == QEvent.Close:
                self.shutdown()
        return False

    def shutdown(self):
        """Stop a recording and the notebook thread (the window is closing)."""
        if self.record_dialog is not None:
            self.record_dialog.shutdown()
        if self._notebook_runner is not None:
            self._notebook_runner.shutdown()
