"""Lessons in the window: the lesson dock, Help → Lessons, File → Open lesson… and Save as
lesson step…, and opening a lesson given on the command line.

:class:`Lessons` installs itself (menus, dock, shortcuts) like the file actions do. Lesson files
are read, and steps written, off the UI thread (:class:`~gui.threads.LatestRequestRunner`); a
file that cannot be used is explained in the banner and changes nothing. The shipped lessons
are ``assets/lessons/*.costscape-lesson``, found wherever the app's assets are
(:func:`lesson_folder`).
"""
from __future__ import annotations

import os

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

from core import lessons
from gui.lessons.panel import LessonPanel
from gui.lessons.player import VIEW_DOCKS, LessonPlayer
from gui.resources import asset_dirs
from gui.threads import LatestRequestRunner
from gui.window.docks import lesson_dock, show_lesson_dock

LESSON_FILTER = f"Costscape lessons (*{lessons.SUFFIX});;All files (*)"
FOLDER_KEY = "lessons/folder"
MESSAGE_MS = 8000


def lesson_folder():
    """The folder of the shipped lessons (source, installed wheel or frozen app), or None."""
    for folder in asset_dirs():
        if (folder / "lessons").is_dir():
            return folder / "lessons"
    return None


def read_catalog(folder):
    """``[(path, lesson)]`` of the shipped lessons in file-name order, and the problems of
    those that could not be read (``[str]``). Runs off the UI thread."""
    entries, problems = [], []
    if folder is None:
        return entries, ["the lessons folder is missing from this installation"]
    for path in sorted(folder.glob(f"*{lessons.SUFFIX}")):
        try:
            entries.append((str(path), lessons.load(path)))
        except lessons.LessonError as err:
            problems.append(str(err))
    return entries, problems


def _dropped_lesson(mime):
    """The one local lesson file being dragged, or None."""
    if mime is None or not mime.hasUrls():
        return None
    urls = [u for u in mime.urls() if u.isLocalFile()]
    if len(urls) != 1 or not urls[0].toLocalFile().lower().endswith(lessons.SUFFIX):
        return None
    return urls[0].toLocalFile()


class Lessons(QObject):
    """The lesson dock, its menus and its file requests for ``window`` (a MainWindow).

    Signals
    -------
    catalog_loaded()
        The shipped lessons are listed (Help → Lessons and the dock).
    opened(str)
        A lesson file was read and started (its path).
    step_saved(str)
        "Save as lesson step" wrote its file (path).
    failed(str, str)
        A lesson could not be opened or saved: path, and why (the banner says it too).
    """

    catalog_loaded = Signal()
    opened = Signal(str)
    step_saved = Signal(str)
    failed = Signal(str, str)

    def __init__(self, window, settings=None):
        super().__init__(window)
        self.window = window
        self._settings = settings if settings is not None else QSettings()
        self.catalog = []
        self.panel = LessonPanel()
        self.dock = lesson_dock(window, self.panel)
        self.player = LessonPlayer(window, self.panel, self.dock, self)
        self._catalog_runner = LatestRequestRunner(self)
        self._files = LatestRequestRunner(self)
        self._requests = {}
        self._make_actions()
        self._fill_menu()
        self.panel.open_requested.connect(self.open_lesson)
        self.panel.open_file_requested.connect(self.open_lesson)
        self.player.ended.connect(self._on_player_ended)
        self._catalog_runner.finished.connect(self._on_catalog_read)
        self._files.finished.connect(self._on_file_done)
        self._files.failed.connect(self._on_file_failed)
        self._catalog_runner.submit(read_catalog, lesson_folder())
        window.installEventFilter(self)  # a lesson file dropped on the window opens

    # ------------------------------------------------------------------ building
    def _make_actions(self):
        w = self.window
        self.open_action = QAction("Open &lesson…", w)
        self.open_action.setShortcut(QKeySequence(Qt.CTRL | Qt.SHIFT | Qt.Key_L))
        self.open_action.setToolTip("Open a lesson file (Ctrl+Shift+L): guided steps with "
                                    "predictions, from a teacher or written by you.")
        self.open_action.setStatusTip(self.open_action.toolTip())
        self.open_action.triggered.connect(lambda checked=False: self.open_lesson())
        self.save_step_action = QAction("Save as lesson &step…", w)
        self.save_step_action.setToolTip(
            "Add the current settings and the views shown as a new step of a lesson file "
            "(created if it does not exist): write the step's text, and a lesson is born.")
        self.save_step_action.setStatusTip(self.save_step_action.toolTip())
        self.save_step_action.triggered.connect(lambda checked=False: self.save_step())
        menu = w.file_menu
        actions = menu.actions()
        # After "Open recent" (the experiments' open entries), and after "Save experiment as…".
        anchor = w.files.recent_menu.menuAction()
        after = actions[actions.index(anchor) + 1] if anchor in actions else None
        menu.insertAction(after, self.open_action)
        actions = menu.actions()
        save_as = w.files.save_as_action
        after = actions[actions.index(save_as) + 1] if save_as in actions else None
        menu.insertAction(after, self.save_step_action)

        self.menu = QMenu("&Lessons", w)
        self.menu.setToolTipsVisible(True)
        self.list_action = QAction("Lesson &list", w)
        self.list_action.setToolTip("Show the lessons panel with every lesson to choose from.")
        self.list_action.triggered.connect(lambda checked=False: self.show_list())
        help_menu = w.help_menu
        first = help_menu.actions()[0] if help_menu.actions() else None
        help_menu.insertMenu(first, self.menu)
        help_menu.insertSeparator(first)

    def _fill_menu(self):
        menu = self.menu
        menu.clear()
        if not self.catalog:
            loading = menu.addAction("Loading lessons…")
            loading.setEnabled(False)
        for path, lesson in self.catalog:
            action = menu.addAction(lesson.title)
            action.setToolTip(f"{lesson.audience}\n{lesson.summary}")
            action.triggered.connect(lambda checked=False, p=path: self.open_lesson(p))
        menu.addSeparator()
        # Listed here so that their keys (a presenter's clicker sends Page Down and Page Up)
        # can be found; they work while a lesson plays.
        menu.addAction(self.player.next_action)
        menu.addAction(self.player.back_action)
        menu.addSeparator()
        menu.addAction(self.list_action)
        menu.addAction(self.open_action)

    # ------------------------------------------------------------------ opening
    def show_list(self):
        """Show the lesson dock with the list (the lesson playing, if any, goes on)."""
        show_lesson_dock(self.window, self.dock)
        if not self.player.playing:
            self.panel.show_chooser()

    def open_lesson(self, path=None):
        """Read the lesson file ``path`` (asks for one when None) off the UI thread and start
        it; a file that cannot be used is explained and changes nothing."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.window, "Open lesson", self._folder(),
                                                  LESSON_FILTER)
            if not path:
                return
        path = os.path.abspath(os.fspath(path))
        self.window.statusBar().showMessage(f"Opening lesson {os.path.basename(path)}…",
                                            MESSAGE_MS)
        self._requests = {self._files.submit(lessons.load, path): ("open", path)}

    def save_step(self, path=None, title=None, text=None, point_at=None, lock_all=False,
                  lesson_title="A new lesson", audience="Everyone"):
        """Add the current settings (and the views shown) as a step of lesson file ``path``.

        With ``path`` None a dialog asks for everything; scripts and tests pass ``path``,
        ``title`` and ``text``.
        """
        if path is None:
            from gui.lessons.save_step import SaveStepDialog

            dialog = SaveStepDialog(self._folder(), self.window)
            if not dialog.exec():
                return
            path, title, text, point_at, lock_all, lesson_title, audience = dialog.result_values()
        path = os.path.abspath(os.fspath(path))
        views = [name for name, attribute in VIEW_DOCKS.items()
                 if getattr(self.window, attribute).isVisible()]
        block = lessons.step_toml(self.window.config, title, text, views=views or None,
                                  point_at=point_at, lock=["all"] if lock_all else ())
        request = self._files.submit(lessons.append_step, path, block, lesson_title, audience)
        self._requests = {request: ("save", path)}

    def _folder(self) -> str:
        folder = self._settings.value(FOLDER_KEY)
        return folder if isinstance(folder, str) and os.path.isdir(folder) else \
            os.path.expanduser("~")

    def eventFilter(self, watched, event):
        kind = event.type()
        if watched is self.window and kind in (QEvent.DragEnter, QEvent.DragMove, QEvent.Drop):
            path = _dropped_lesson(event.mimeData())
            if path:
                event.acceptProposedAction()
                if kind == QEvent.Drop:  # opened after the drop returns (see FileActions)
                    QTimer.singleShot(0, lambda: self.open_lesson(path))
                return True
        return False

    # ------------------------------------------------------------------ answers
    @Slot(int, object)
    def _on_catalog_read(self, _request, result):
        self.catalog, problems = result
        self.panel.set_catalog(self.catalog)
        self._fill_menu()
        if problems:
            self.window.show_message("<b>Some lessons could not be read.</b> "
                                     + " ".join(problems), "warning")
        self.catalog_loaded.emit()

    @Slot(int, object)
    def _on_file_done(self, request, result):
        what, path = self._requests.pop(request, (None, None))
        if what is None:
            return
        self._settings.setValue(FOLDER_KEY, os.path.dirname(path))
        if what == "open":
            self.window.clear_message("warning")
            self.player.start(result)
            self.window.statusBar().showMessage(f"Lesson: {result.title}", MESSAGE_MS)
            self.opened.emit(path)
        else:
            self.window.statusBar().showMessage(
                f"Step {len(result.steps)} added to {os.path.basename(path)}.", MESSAGE_MS)
            self.step_saved.emit(path)

    @Slot(int, str)
    def _on_file_failed(self, request, message):
        what, path = self._requests.pop(request, (None, None))
        if what is None:
            return
        verb = "open that lesson" if what == "open" else "save the lesson step"
        self.window.show_message(f"<b>Could not {verb}.</b> {message} Nothing was changed.",
                                 "warning")
        self.failed.emit(path, message)

    def _on_player_ended(self, why):
        if why == "finished":
            self.window.show_message(
                "<b>Lesson finished.</b> The controls are unlocked: go on experimenting, or "
                "choose another lesson.", "info", MESSAGE_MS)

    def shutdown(self):
        # The layout a lesson changed is put back first, so it is not remembered as the
        # learner's own.
        self.player.close("closed")
        self._catalog_runner.shutdown()
        self._files.shutdown()
