"""Fixtures of the GUI tests: settings kept in the test's folder, and the real main window.

A test module that wants another window (a config of its own, keys sent to it) defines its own
``window`` fixture, which takes the place of this one there.
"""
import pytest

from windows import close_window, open_window, settings_in


@pytest.fixture
def settings(tmp_path):
    return settings_in(tmp_path)


@pytest.fixture
def window(qtbot, settings):
    window = open_window(qtbot, settings)
    yield window
    close_window(window)
