"""What the GUI tests share: the real main window, opened and closed the same way everywhere,
and a log of the events widgets get."""
from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QMessageBox
from shiboken6 import Shiboken

from gui.app import show_fitted
from gui.main_window import MainWindow

TIMEOUT = 20_000  # ms; generous for a loaded 2-core machine


def settings_in(folder):
    """QSettings in a file of ``folder``, so a test neither reads nor writes the user's."""
    return QSettings(str(folder / "settings.ini"), QSettings.IniFormat)


def open_window(qtbot, settings, config=None, restore_layout=True, activate=False, area=None):
    """The real main window, shown, once its worker has sent the first snapshot.

    ``activate`` also waits for the window to be active (for tests that send it keys).
    ``area`` (a QRect): sized for a screen of that available area and shown as the app
    does at start (:func:`gui.app.show_fitted`).
    """
    window = MainWindow(config=config, settings=settings, restore_layout=restore_layout)
    qtbot.addWidget(window)
    if area is None:
        window.show()
    else:
        show_fitted(window, area)
    qtbot.waitExposed(window)
    if activate:
        window.activateWindow()
        qtbot.waitActive(window)
    qtbot.waitUntil(lambda: window.controller.latest is not None, timeout=TIMEOUT)
    return window


def close_window(window):
    """Close as a user would (not saving a run changed since it was saved); the training
    thread must be gone.

    A closed window is deleted (at the next turn of the event loop): pytest-qt, which closes
    the test's widgets before the fixtures' teardown, may have closed and deleted it already.
    """
    if Shiboken.isValid(window):
        window.close()
    if Shiboken.isValid(window) and window.files.question is not None:
        # The run changed since it was saved, and the window asks first: let it go.
        window.files.question.button(QMessageBox.Discard).click()
    assert not window.controller.is_alive()


def latest(window):
    """The newest snapshot the window's controller holds (the views get it a loop turn later)."""
    return window.controller.latest


def start(qtbot, window, config):
    """Train ``config`` from step 0 (a new run), once the worker has it."""
    window.apply_config(config, reset=True)
    qtbot.waitUntil(lambda: latest(window).config == config and latest(window).step == 0,
                    timeout=TIMEOUT)


def train(qtbot, window, steps):
    """Take ``steps`` more steps, once the worker has taken them."""
    target = latest(window).step + steps
    window.controller.step(steps)
    qtbot.waitUntil(lambda: latest(window).step >= target, timeout=TIMEOUT)


class EventLog(QObject):
    """Appends ``entry(watched)`` (the watched object itself by default) to ``into`` (a list;
    :attr:`seen`, a new one, by default) at every event of ``types`` the ``watched`` objects
    get: paints, resizes, layout requests counted or put in order with other happenings. It
    lives as long as the first object it watches (its parent)."""

    def __init__(self, types, *watched, into=None, entry=None):
        super().__init__(watched[0] if watched else None)
        self.types, self.entry = frozenset(types), entry or (lambda obj: obj)
        self.seen = [] if into is None else into
        for obj in watched:
            obj.installEventFilter(self)

    def eventFilter(self, watched, event):
        if event.type() in self.types:
            self.seen.append(self.entry(watched))
        return False
