"""Lessons in the real window: opened from the menus, each step's settings, locks, views and
pointer applied; Play held back until the prediction is locked in; the reveal against the run;
Next gated by next_when; Finish and ✕ undo it all; bad files change nothing; steps saved."""
import os
import pathlib
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDockWidget

from core import lessons, presets
from gui.lessons.actions import lesson_folder
from gui.lessons.player import PANELS, VIEW_DOCKS
from windows import TIMEOUT, close_window, open_window

ROOT = pathlib.Path(__file__).resolve().parents[2]
SMALL = '''
format = "costscape-lesson"
version = 1
title = "A small lesson"
audience = "Tests"

[[steps]]
title = "Settings"
text = "Look at the **cost**."
lock = ["loss", "reg_rate", "data"]
hide = ["batch_size"]
views = ["boundary", "cost"]
point_at = "loss"
[steps.config]
dataset = "xor_table"
hidden_layers = [2]
learning_rate = 0.3
batch_size = 4
max_steps = 60

[[steps]]
title = "Predict"
text = "Press Play."
change = {}
point_at = "cost"
lock = "all"

[steps.question]
ask = "What will the cost do?"
reveal_when = "stopped"
explain = "It fell."

[[steps.question.choices]]
text = "It falls"
when = "train_cost < start_train_cost"
expected = true

[[steps.question.choices]]
text = "It does not"
when = "train_cost >= start_train_cost"

[[steps]]
title = "Train on"
text = "Next opens at step 30."
change = { max_steps = "none" }
next_when = "step >= 30"
point_at = "diagram"

[[steps]]
title = "The code"
text = "Read it."
point_at = "code"
'''


@pytest.fixture
def window(qtbot, settings):
    window = open_window(qtbot, settings, restore_layout=False, activate=True)
    yield window
    close_window(window)


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.costscape-lesson"
    path.write_text(SMALL)
    return path


def open_lesson(qtbot, window, path):
    with qtbot.waitSignal(window.lessons.opened, timeout=TIMEOUT):
        window.lessons.open_lesson(path)
    return window.lessons.player


def answer(window, choice):
    panel = window.lessons.panel
    panel.choice_group.button(choice).setChecked(True)
    panel.lock_button.click()


# --------------------------------------------------------------------------- menus
def test_menus_offer_every_shipped_lesson_and_the_file_items(qtbot, window):
    qtbot.waitUntil(lambda: bool(window.lessons.catalog), timeout=TIMEOUT)
    shipped = [lessons.load(p).title for p in sorted(lesson_folder().glob("*-lesson"))]
    assert len(shipped) >= 10
    titles = [a.text() for a in window.lessons.menu.actions() if not a.isSeparator()]
    assert titles[:len(shipped)] == shipped
    assert window.lessons.menu.menuAction() in window.help_menu.actions()
    lessons_actions = window.lessons
    assert lessons_actions.open_action in window.file_menu.actions()
    assert lessons_actions.save_step_action in window.file_menu.actions()
    assert lessons_actions.open_action.shortcut().toString() == "Ctrl+Shift+L"
    assert len(window.lessons.panel.cards) == len(shipped)
    with qtbot.waitSignal(window.lessons.opened, timeout=TIMEOUT):
        window.lessons.menu.actions()[0].trigger()
    player = window.lessons.player
    assert player.playing and player.progress.lesson.title == shipped[0]
    assert window.lessons.dock.isVisible()
    assert window.lessons.panel.progress_label.text() == f"Step 1 of {player.progress.count}"


def test_the_lesson_list_opens_a_lesson(qtbot, window):
    qtbot.waitUntil(lambda: bool(window.lessons.catalog), timeout=TIMEOUT)
    window.lessons.list_action.trigger()
    panel = window.lessons.panel
    assert window.lessons.dock.isVisible() and panel.pages.currentIndex() == 0
    with qtbot.waitSignal(window.lessons.opened, timeout=TIMEOUT):
        panel.cards[2].start_button.click()
    assert window.lessons.player.progress.lesson.title == window.lessons.catalog[2][1].title


# --------------------------------------------------------------------------- one step
def test_a_step_applies_settings_locks_views_and_pointer(qtbot, window, small):
    player = open_lesson(qtbot, window, small)
    step = player.progress.step
    assert window.config == step.config
    assert not window.loss_panel.loss.isEnabled() and not window.data_panel.dataset.isEnabled()
    assert window.optimizer_panel.lr_row.isEnabled()
    assert not window.optimizer_panel.form.isRowVisible(window.optimizer_panel.batch_size)
    assert "locked" in window.loss_panel.box.title()
    assert "locked" not in window.optimizer_panel.box.title()
    assert window.boundary_dock.isVisible() and window.cost_dock.isVisible()
    assert not window.surface_dock.isVisible() and not window.anatomy_dock.isVisible()
    assert player.pointer.target is window.loss_panel
    # The lesson lives in its dock: it cannot be closed while the controls are locked.
    assert not window.lessons.dock.features() & QDockWidget.DockWidgetClosable
    # Locks survive the panel's own updates.
    window.loss_panel.set_config(window.config.replace(regularization="l2", reg_rate=0.01))
    assert not window.loss_panel.reg_rate.isEnabled()


def test_play_waits_for_the_prediction_and_the_reveal_pauses(qtbot, window, small):
    player = open_lesson(qtbot, window, small)
    player.next()
    panel = window.lessons.panel
    assert not window.play_action.isEnabled() and not window.step_action.isEnabled()
    QTest.keyClick(window, Qt.Key_Space)
    QTest.keyClick(window, Qt.Key_Right)
    QTest.qWait(200)
    assert not window.controller.running and window.controller.latest.step == 0
    assert not panel.lock_button.isEnabled() and not panel.next_button.isEnabled()
    answer(window, 0)
    assert window.play_action.isEnabled() and not panel.choice_group.button(1).isEnabled()
    window.play_action.trigger()
    qtbot.waitUntil(lambda: player.progress.state.revealed, timeout=TIMEOUT)
    state = player.progress.state
    assert state.outcome == 0 and panel.reveal_box.isVisible()
    assert "Your prediction was right" in panel.reveal_headline.text()
    assert "It fell." in panel.reveal_text.text()
    assert "step 60" in panel.evidence.text()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=TIMEOUT)
    assert panel.next_button.isEnabled() and player.next_action.isEnabled()


def test_a_wrong_prediction_is_shown_beside_what_happened(qtbot, window, small):
    player = open_lesson(qtbot, window, small)
    player.next()
    answer(window, 1)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: player.progress.state.revealed, timeout=TIMEOUT)
    panel = window.lessons.panel
    assert "What happened: It falls" in panel.reveal_headline.text()
    assert "Your prediction: It does not" in panel.reveal_headline.text()


def test_next_waits_for_next_when_then_page_down_goes_on(qtbot, window, small):
    player = open_lesson(qtbot, window, small)
    player.go(2, forward=True)
    QTest.keyClick(window, Qt.Key_PageUp)
    assert player.progress.index == 1
    player.go(2, forward=True)
    panel = window.lessons.panel
    assert window.config.max_steps is None and not panel.next_button.isEnabled()
    assert "Next opens when step ≥ 30" in panel.hint.text()
    assert player.pointer.target is window.diagram_dock
    window.play_action.trigger()
    qtbot.waitUntil(lambda: player.progress.can_next, timeout=TIMEOUT)
    QTest.keyClick(window, Qt.Key_PageDown)
    assert player.progress.index == 3
    qtbot.waitUntil(lambda: not window.controller.running, timeout=TIMEOUT)  # paused
    assert window.tools.code_window.isVisible()
    assert player.pointer.target is window.tools.code_window
    assert panel.next_button.text() == "Finish ✔"
    window.tools.code_window.close()


def test_start_again_and_back_bring_the_steps_settings_back(qtbot, window, small):
    player = open_lesson(qtbot, window, small)
    window.config_model.propose({"learning_rate": 0.05})  # not locked in step 1
    assert window.config.learning_rate == 0.05
    window.lessons.panel.restart_button.click()
    assert window.config == player.progress.step.config
    player.go(2, forward=True)
    player.back()
    assert player.progress.index == 1 and window.config == player.progress.step.config


def test_settings_changed_behind_the_lessons_back_are_pointed_out(qtbot, window, small):
    open_lesson(qtbot, window, small)
    panel = window.lessons.panel
    assert panel.departed.isHidden()
    window.apply_preset(presets.PRESETS[1])  # another data set: a locked setting
    assert panel.departed.isVisible() and "Start again" in panel.departed.text()
    panel.restart_button.click()
    assert panel.departed.isHidden()


def test_finish_unlocks_everything_and_restores_the_layout(qtbot, window, small):
    shown = {name: getattr(window, dock).isVisible() for name, dock in VIEW_DOCKS.items()}
    player = open_lesson(qtbot, window, small)
    player.go(3, forward=True)
    window.lessons.panel.next_button.click()  # Finish
    assert not player.playing
    assert window.loss_panel.loss.isEnabled() and window.data_panel.dataset.isEnabled()
    assert window.optimizer_panel.form.isRowVisible(window.optimizer_panel.batch_size)
    assert "locked" not in window.loss_panel.box.title()
    assert {name: getattr(window, dock).isVisible() for name, dock in VIEW_DOCKS.items()} == \
        shown
    assert window.play_action.isEnabled() and player.pointer.target is None
    assert window.lessons.panel.pages.currentIndex() == 0
    assert "Lesson finished" in window.banner.text()
    assert window.lessons.dock.features() & QDockWidget.DockWidgetClosable


def test_the_close_button_ends_the_lesson_where_it_is(qtbot, window, small):
    player = open_lesson(qtbot, window, small)
    player.next()
    assert not window.play_action.isEnabled()
    config = window.config
    window.lessons.panel.close_button.click()
    assert not player.playing and window.play_action.isEnabled() and window.config == config
    assert window.surface_dock.isVisible()


# --------------------------------------------------------------------------- files
def test_a_bad_lesson_file_is_explained_and_changes_nothing(qtbot, window, tmp_path):
    bad = tmp_path / "bad.costscape-lesson"
    bad.write_text(SMALL.replace("learning_rate = 0.3", "learning_rate = -3.0"))
    config = window.config
    with qtbot.waitSignal(window.lessons.failed, timeout=TIMEOUT) as blocker:
        window.lessons.open_lesson(bad)
    assert blocker.args[0] == str(bad)
    assert "step 1 ('Settings'): config: learning_rate must be" in window.banner.text()
    assert "Nothing was changed" in window.banner.text()
    assert window.config == config and not window.lessons.player.playing


def test_save_as_lesson_step_writes_the_settings_and_the_views(qtbot, window, tmp_path):
    path = tmp_path / "mine.costscape-lesson"
    window.apply_config(window.config.replace(dataset="moons", learning_rate=0.1))
    window.surface_dock.setVisible(False)
    with qtbot.waitSignal(window.lessons.step_saved, timeout=TIMEOUT):
        window.lessons.save_step(path, "Moons", "Look at the *moons*.", point_at="boundary",
                                 lock_all=True, lesson_title="Mine", audience="Class 2")
    lesson = lessons.load(path)
    (step,) = lesson.steps
    assert (lesson.title, lesson.audience) == ("Mine", "Class 2")
    assert step.config == window.config and step.point_at == "boundary"
    assert "surface" not in step.views and "boundary" in step.views
    assert step.lock == set(lessons.model.FIELDS)
    with qtbot.waitSignal(window.lessons.step_saved, timeout=TIMEOUT):
        window.lessons.save_step(path, "Two", "More.")
    assert len(lessons.load(path).steps) == 2
    assert "Step 2 added to mine.costscape-lesson" in window.statusBar().currentMessage()


def test_every_shipped_lesson_step_can_be_entered(qtbot, window):
    for path in sorted(lesson_folder().glob(f"*{lessons.SUFFIX}")):
        player = open_lesson(qtbot, window, path)
        for index, step in enumerate(player.progress.lesson.steps):
            player.go(index, forward=True)
            assert window.config == step.config, (path.name, step.title)
            target = step.point_at
            if target in VIEW_DOCKS:
                assert player.pointer.target is getattr(window, VIEW_DOCKS[target])
            elif target in PANELS:
                assert player.pointer.target is getattr(window, PANELS[target])
            elif target == "code":
                assert player.pointer.target is window.tools.code_window
        window.lessons.panel.close_button.click()
    if window.tools.code_window is not None:
        window.tools.code_window.close()


def run_main(*args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          cwd=ROOT, env=dict(os.environ), capture_output=True, text=True,
                          timeout=120)


@pytest.mark.slow
def test_main_opens_a_lesson_given_on_the_command_line(tmp_path, small):
    shot = tmp_path / "shot.png"
    proc = run_main(small, "--screenshot", shot, "--steps", 3)
    assert proc.returncode == 0 and shot.stat().st_size > 0, proc.stderr
    empty = tmp_path / "empty.costscape-lesson"
    empty.write_bytes(b"")
    proc = run_main(empty, "--screenshot", shot, "--steps", 3)
    assert proc.returncode == 0, proc.stderr
    assert f"Could not open lesson {empty}" in proc.stderr and "the file is empty" in proc.stderr


def test_file_open_lesson_asks_for_a_file(qtbot, window, small, monkeypatch):
    from gui.lessons import actions

    monkeypatch.setattr(actions.QFileDialog, "getOpenFileName",
                        lambda *args, **kwargs: (str(small), ""))
    with qtbot.waitSignal(window.lessons.opened, timeout=TIMEOUT):
        window.lessons.open_action.trigger()
    assert window.lessons.player.progress.lesson.title == "A small lesson"


def test_the_save_step_dialog_asks_for_the_words(qtbot, window, tmp_path, monkeypatch):
    from gui.lessons.save_step import SaveStepDialog

    existing = tmp_path / "old.costscape-lesson"
    existing.write_text(SMALL)
    dialog = SaveStepDialog(str(tmp_path), window)
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(dialog.buttons.StandardButton.Save)
    assert not save.isEnabled() and dialog.lesson_title.isEnabled()
    dialog.path.setText(str(existing))
    dialog.step_title.setText("More")
    assert not save.isEnabled()  # no text yet
    dialog.text.setPlainText("Look again.")
    assert save.isEnabled() and not dialog.lesson_title.isEnabled()
    dialog.point_at.setCurrentIndex(dialog.point_at.findData("surface"))
    dialog.lock.setChecked(True)
    values = dialog.result_values()
    assert values[:5] == (str(existing), "More", "Look again.\n", "surface", True)

    def fill_and_accept(self):
        self.path.setText(str(existing))
        self.step_title.setText("From the dialog")
        self.text.setPlainText("Written in the dialog.")
        return 1

    monkeypatch.setattr(SaveStepDialog, "exec", fill_and_accept)
    with qtbot.waitSignal(window.lessons.step_saved, timeout=TIMEOUT):
        window.lessons.save_step_action.trigger()
    steps = lessons.load(existing).steps
    assert len(steps) == 5 and steps[-1].title == "From the dialog"
    assert steps[-1].config == window.config


def test_the_lesson_menu_lists_the_step_keys(qtbot, window, small):
    menu = window.lessons.menu.actions()
    player = window.lessons.player
    assert player.next_action in menu and player.back_action in menu
    assert not player.next_action.isEnabled()  # no lesson yet
    open_lesson(qtbot, window, small)
    assert player.next_action.isEnabled() and not player.back_action.isEnabled()
    player.next_action.trigger()
    assert player.progress.index == 1 and player.back_action.isEnabled()


def test_a_lesson_file_dropped_on_the_window_opens(qtbot, window, small):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(small))])
    enter = QDragEnterEvent(QPointF(200, 200).toPoint(), Qt.CopyAction, mime, Qt.LeftButton,
                            Qt.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(window.lessons.opened, timeout=TIMEOUT):
        QApplication.sendEvent(window, QDropEvent(QPointF(200, 200), Qt.CopyAction, mime,
                                                  Qt.LeftButton, Qt.NoModifier))
    assert window.lessons.player.playing


def test_closing_the_app_during_a_lesson_remembers_the_learners_layout(qtbot, settings, small):
    def shown(window):
        return {name: getattr(window, dock).isVisible() for name, dock in VIEW_DOCKS.items()}

    first = open_window(qtbot, settings)  # remembers its layout in settings
    before = shown(first)
    open_lesson(qtbot, first, small)
    assert shown(first) != before  # step 1 shows the boundary and the cost only
    first.lessons.player.close()
    assert shown(first) == before
    open_lesson(qtbot, first, small)
    close_window(first)
    second = open_window(qtbot, settings)
    try:
        assert shown(second) == before and not second.lessons.player.playing
    finally:
        close_window(second)
