"""→ and Space: a text or number field keeps them, and the key filter that decides it watches
the focus widget only (on the whole application it ran for every event, ~50 a frame)."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QSlider

from gui.window.run_controls import RunKeys
from windows import TIMEOUT, latest


pytestmark = pytest.mark.sends_keys  # (the window fixture activates the window)


def test_a_number_field_keeps_right_and_space(window, qtbot):
    qtbot.waitUntil(lambda: latest(window) is not None, timeout=TIMEOUT)
    field = next(w for w in window.optimizer_panel.findChildren(QAbstractSpinBox)
                 if w.isVisible() and w.isEnabled())
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=TIMEOUT)
    step = latest(window).step
    qtbot.keyClick(field, Qt.Key_Right)
    qtbot.keyClick(field, Qt.Key_Space)
    qtbot.wait(200)
    assert not window.controller.running and latest(window).step == step
    slider = next(w for w in window.findChildren(QSlider) if w.isVisible())
    slider.setFocusPolicy(Qt.StrongFocus)  # elsewhere → steps
    slider.setFocus()
    qtbot.waitUntil(slider.hasFocus, timeout=TIMEOUT)
    qtbot.keyClick(slider, Qt.Key_Right)
    qtbot.waitUntil(lambda: latest(window).step == step + 1, timeout=TIMEOUT)


def test_the_key_filter_watches_the_focus_widget_only(window, qtbot):
    qtbot.waitUntil(lambda: latest(window) is not None, timeout=TIMEOUT)
    watched = []

    class Counting(RunKeys):
        def eventFilter(self, obj, event):
            watched.append(obj)
            return super().eventFilter(obj, event)

    keys = Counting(window)
    fields = [w for w in window.optimizer_panel.findChildren(QAbstractSpinBox)
              if w.isVisible() and w.isEnabled()][:2]
    for field in fields:  # it follows the focus
        field.setFocus()
        qtbot.waitUntil(field.hasFocus, timeout=TIMEOUT)
        watched.clear()
        window.resize(window.width() - 20, window.height())  # relayout and repaint all
        window.repaint()
        QApplication.processEvents()
        qtbot.keyClick(field, Qt.Key_Up)
        assert watched and all(obj is field for obj in watched)
    keys.deleteLater()
