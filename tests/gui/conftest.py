"""Fixtures of the GUI tests: settings kept in the test's folder, and the real main window.

A test module that sends the window keys is marked ``sends_keys`` (the window is active before
the test starts); one that wants another window (a config of its own) defines its own
``window`` fixture, which takes the place of this one there.
"""
import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from shiboken6 import Shiboken

from windows import close_window, open_window, settings_in


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item):
    """A closed main window deletes itself (at the next turn of the event loop); pytest-qt,
    which closes every widget a test registered before the fixtures' teardown, would close a
    deleted one. So the deletions due run first, and the deleted windows leave its list."""
    widgets = getattr(item, "qt_widgets", None)
    if widgets:
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        item.qt_widgets = [(ref, close) for ref, close in widgets
                           if ref() is None or Shiboken.isValid(ref())]
    return (yield)


@pytest.fixture
def settings(tmp_path):
    return settings_in(tmp_path)


@pytest.fixture
def window(qtbot, settings, request):
    """The main window; active first in a module or test marked ``sends_keys``."""
    keys = request.node.get_closest_marker("sends_keys") is not None
    window = open_window(qtbot, settings, activate=keys)
    yield window
    close_window(window)
