"""A run changed since it was saved is not thrown away without asking: closing the window or
opening another experiment asks Save, Don't save or Cancel (a window-modal box that blocks
nothing), and each answer does what it says."""
from PySide6.QtWidgets import QMessageBox

from core import experiment
from windows import TIMEOUT, latest


def changed_since_saved(window, qtbot, path, steps=3):
    """Save the run to ``path``, then step ``steps`` times: the title gets its ``*``."""
    with qtbot.waitSignal(window.files.saved, timeout=TIMEOUT):
        window.files.save_experiment(path)
    saved = latest(window).step
    window.controller.step(steps)
    qtbot.waitUntil(lambda: latest(window).step == saved + steps, timeout=TIMEOUT)
    qtbot.waitUntil(window.isWindowModified, timeout=TIMEOUT)
    return saved


def asked(window, qtbot):
    qtbot.waitUntil(lambda: window.files.question is not None
                    and window.files.question.isVisible(), timeout=TIMEOUT)
    return window.files.question


def test_nothing_to_keep_nothing_asked(window, qtbot, tmp_path):
    assert not window.isWindowModified()  # never saved: no file to keep it in
    assert window.files.keep_changes("closing", lambda: None)
    assert window.files.question is None


def test_closing_asks_and_cancel_keeps_the_window_and_the_run(window, qtbot, tmp_path):
    changed_since_saved(window, qtbot, tmp_path / "run.costscape")
    step = latest(window).step
    window.close()
    question = asked(window, qtbot)
    assert window.isVisible() and window.controller.is_alive()
    assert "run.costscape has changed since it was saved" in question.text()
    assert f"now at step {step:,}" in question.informativeText()
    window.close()  # asked again while the question is open: still one question
    assert window.files.question is question
    question.button(QMessageBox.Cancel).click()
    assert window.files.question is None
    assert window.isVisible() and window.isWindowModified()
    window.step_action.trigger()  # the run goes on
    qtbot.waitUntil(lambda: latest(window).step == step + 1, timeout=TIMEOUT)


def test_save_then_close(window, qtbot, tmp_path):
    path = tmp_path / "run.costscape"
    changed_since_saved(window, qtbot, path, steps=4)
    step = latest(window).step
    window.close()
    question = asked(window, qtbot)
    with qtbot.waitSignal(window.files.saved, timeout=TIMEOUT):
        question.button(QMessageBox.Save).click()
    qtbot.waitUntil(lambda: not window.controller.is_alive(), timeout=TIMEOUT)
    assert experiment.load(path).step_count == step  # what was on screen was kept


def test_opening_another_experiment_asks_first(window, qtbot, tmp_path):
    first, other = tmp_path / "first.costscape", tmp_path / "other.costscape"
    changed_since_saved(window, qtbot, other, steps=2)  # "other": 2 steps behind
    changed_since_saved(window, qtbot, first, steps=5)
    step = latest(window).step
    window.files.open_experiment(other)
    question = asked(window, qtbot)
    question.button(QMessageBox.Cancel).click()
    qtbot.wait(200)
    assert latest(window).step == step and window.files.path == str(first)
    # Don't save: the other file opens, and the first keeps what it had on disk.
    window.files.open_experiment(other)
    with qtbot.waitSignal(window.files.opened, timeout=TIMEOUT):
        asked(window, qtbot).button(QMessageBox.Discard).click()
    assert window.files.path == str(other)
    assert experiment.load(first).step_count == step - 5
    # Save: the changed run is written first, then the other file opens.
    window.controller.step(3)
    changed = step - 7 + 3  # "other" was saved 7 steps before, and 3 steps taken since
    qtbot.waitUntil(lambda: latest(window).step == changed, timeout=TIMEOUT)
    qtbot.waitUntil(window.isWindowModified, timeout=TIMEOUT)
    window.files.open_experiment(first)
    with qtbot.waitSignal(window.files.opened, timeout=TIMEOUT):
        asked(window, qtbot).button(QMessageBox.Save).click()
    assert experiment.load(other).step_count == changed
    assert window.files.path == str(first) and not window.isWindowModified()
