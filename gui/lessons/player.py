"""Plays a lesson in the main window: each step's settings, locks, views and pointer; Play held
back until the prediction is locked in; the run's values checked at every snapshot.

The player changes the window only through what the window offers everyone: ``apply_config``,
the controller's pause, the panels' ``set_locked``, the docks' visibility, the cost plot's pin
and the code window action. Closing the lesson undoes the locks, the pointer and the layout;
the settings stay as they are.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget

from core.lessons import run_values
from core.lessons.values import history_rows, label
from gui.lessons.pointer import Pointer
from gui.lessons.progress import LessonProgress, format_value
from gui.window.docks import fit_lesson_dock, show_lesson_dock

#: Window attributes of the docks a step can show (``views``) or point at.
VIEW_DOCKS = {"boundary": "boundary_dock", "cost": "cost_dock", "anatomy": "anatomy_dock",
              "surface": "surface_dock", "diagram": "diagram_dock"}
#: Window attributes of the panels a step can point at.
PANELS = {"data": "data_panel", "network": "network_panel", "activation": "activation_panel",
          "loss": "loss_panel", "optimizer": "optimizer_panel"}
#: The section of the code behind the run a step pointing at "code" opens at: the cost.
CODE_SECTION = 4
DEPARTED = ("Some locked settings are no longer this step's (a preset, a file or drawn points "
            "changed them), so what happens may differ from what the lesson says. Press "
            "<b>Start again</b> to bring them back.")


class LessonPlayer(QObject):
    """Plays one lesson at a time in ``window`` (a MainWindow) through ``panel`` (a
    :class:`~gui.lessons.panel.LessonPanel`) in ``dock``.

    Signals
    -------
    ended(str)
        The lesson closed: "finished" (the last step's Finish) or "closed".
    """

    ended = Signal(str)

    def __init__(self, window, panel, dock, parent=None):
        super().__init__(parent or window)
        self.window, self.panel, self.dock = window, panel, dock
        self.progress = None
        self.pointer = Pointer(self)
        self._layout = None
        self._fence = None
        self._stopped_at = self._diverged_at = None
        self._hint = ""
        self.next_action = self._action("&Next lesson step", QKeySequence(Qt.Key_PageDown),
                                        self.next)
        self.back_action = self._action("Lesson step &before", QKeySequence(Qt.Key_PageUp),
                                        self.back)
        panel.next_requested.connect(self.next)
        panel.back_requested.connect(self.back)
        panel.restart_requested.connect(self.restart)
        panel.close_requested.connect(lambda: self.close("closed"))
        panel.answered.connect(self._on_panel_answered)
        controller = window.controller
        controller.snapshot.connect(self._on_snapshot)
        controller.stopped.connect(lambda _: self._on_run_ended("stopped"))
        controller.diverged.connect(lambda _: self._on_run_ended("diverged"))
        window.config_model.changed.connect(self._on_config_changed)

    def _action(self, text, shortcut, slot) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(shortcut)
        action.setShortcutContext(Qt.WindowShortcut)
        action.setEnabled(False)
        action.triggered.connect(lambda checked=False: slot())
        self.window.addAction(action)
        return action

    @property
    def playing(self) -> bool:
        return self.progress is not None

    # ------------------------------------------------------------------ lesson
    def start(self, lesson):
        """Play ``lesson`` from its first step (closing any lesson playing)."""
        if self.playing:
            self.close("closed", restore_layout=False)
        else:
            self._layout = self.window.saveState()
        self.progress = LessonProgress(lesson)
        # The lesson lives in its dock: closing the dock while the controls are locked would
        # leave no way to unlock them, so it closes through the lesson's own ✕ instead.
        self.dock.setFeatures(self.dock.features() & ~QDockWidget.DockWidgetClosable)
        show_lesson_dock(self.window, self.dock)
        self.go(0, forward=True)

    def close(self, why="closed", restore_layout=True):
        """Stop playing: unlock, stop pointing, give Play back, restore the layout."""
        if not self.playing:
            return
        self.progress = None
        self.pointer.clear()
        for panel in self.window.panels:
            panel.set_locked()
        self._allow_play(True)
        for action in (self.next_action, self.back_action):
            action.setEnabled(False)
        if restore_layout and self._layout is not None:
            self.window.restoreState(self._layout)
            self._layout = None
        self.dock.setFeatures(self.dock.features() | QDockWidget.DockWidgetClosable)
        show_lesson_dock(self.window, self.dock)
        self.panel.show_departed("")
        self.panel.show_chooser()
        self.ended.emit(why)

    # ------------------------------------------------------------------ steps
    def go(self, index, forward=False):
        """Enter step ``index`` (from 0): pause, apply its settings, locks, views and pointer.

        ``forward`` (from the step before, by Next) also pins the current cost curve when the
        step asks for it, so going back and forth does not pile up pins.
        """
        progress, window, controller = self.progress, self.window, self.window.controller
        progress.go(index)
        step = progress.step
        controller.pause()
        latest = controller.latest
        if forward and step.pin and latest is not None and latest.step > 0:
            window.cost_plot.pin()
        self._fence = None
        if step.sets_config:
            # Snapshots of the run before this step must not reveal or open anything.
            self._fence = latest.run if latest is not None and step.reset else None
            window.apply_config(step.config, reset=step.reset)
        self._stopped_at = self._diverged_at = None
        # (run, step) of the last snapshot observed: only what is recorded after it counts.
        # A new run (the fence) counts from its start.
        self._seen = None if self._fence is not None or latest is None else \
            (latest.run, latest.step)
        for panel in window.panels:
            panel.set_locked(step.lock, step.hide)
        if step.views is not None:
            for name, attribute in VIEW_DOCKS.items():
                getattr(window, attribute).setVisible(name in step.views)
            for name in step.views:
                getattr(window, VIEW_DOCKS[name]).raise_()
        # After the layout has placed a dock just shown.
        QTimer.singleShot(0, lambda: fit_lesson_dock(window, self.dock,
                                                     controls=step.point_at in PANELS))
        self._point(step.point_at)
        self._allow_play(progress.can_play)
        self.back_action.setEnabled(index > 0)
        self.panel.show_departed("")
        self.panel.show_step(progress)
        self._show_state()

    def next(self):
        if not self.playing or not self.progress.can_next:
            return
        if self.progress.is_last:
            self.window.statusBar().showMessage(
                f"Lesson finished: {self.progress.lesson.title}", 8000)
            self.close("finished")
        else:
            self.go(self.progress.index + 1, forward=True)

    def back(self):
        if self.playing and self.progress.index > 0:
            self.go(self.progress.index - 1)

    def restart(self):
        if self.playing:
            self.go(self.progress.index)

    def _point(self, target):
        window = self.window
        widget = None
        if target in VIEW_DOCKS:
            widget = getattr(window, VIEW_DOCKS[target])
            widget.setVisible(True)
            widget.raise_()
        elif target in PANELS:
            widget = getattr(window, PANELS[target])
            window.controls_dock.setVisible(True)
            window.controls_dock.raise_()
            # The panel's top (its title and first control) in view, not just any part of it.
            scroll = window.controls_dock.widget()
            scroll.verticalScrollBar().setValue(widget.mapTo(scroll.widget(), QPoint(0, 0)).y())
        elif target == "code":
            window.tools.show_code_window()
            widget = window.tools.code_window
            # Beside the lesson's text rather than over it, opened at the cost function.
            widget.move(self.dock.mapToGlobal(QPoint(self.dock.width() + 8, 0)))
            QTimer.singleShot(0, lambda: widget.jump_to_section(CODE_SECTION - 1))
        self.pointer.point_at(widget)

    def _allow_play(self, allowed):
        for action in (self.window.play_action, self.window.step_action):
            action.setEnabled(allowed)
            action.setStatusTip("" if allowed else "Lock in your prediction first.")

    def _show_state(self):
        self.panel.show_state(self.progress)
        self._hint = self.panel.hint.text()
        self.next_action.setEnabled(self.progress.can_next)

    # ------------------------------------------------------------------ events
    @Slot(int)
    def _on_panel_answered(self, choice):
        if not self.playing or choice < 0:
            return
        self.progress.answer(choice)
        self._allow_play(True)
        self._show_state()
        latest = self.window.controller.latest
        if latest is not None and (self._fence is None or latest.run > self._fence):
            self._seen = (latest.run, latest.step)  # the prediction counts from now
            self._observe(latest)

    @Slot(object)
    def _on_snapshot(self, snap):
        if self.playing and self.progress.needs_values:
            self._observe(snap)

    def _on_run_ended(self, how):
        latest = self.window.controller.latest
        if not self.playing or latest is None:
            return
        if how == "stopped":
            self._stopped_at = (latest.run, latest.step)
        else:
            self._diverged_at = (latest.run, latest.step)
        if self.progress.needs_values:
            self._observe(latest)

    def _observe(self, snap):
        if self._fence is not None and snap.run <= self._fence:
            return
        here = (snap.run, snap.step)
        values = run_values(snap.arrays, snap.params, snap.metrics, snap.history, snap.config,
                            gradient=snap.gradient, train_losses=snap.train_losses,
                            diverged=here == self._diverged_at,
                            stopped=here == self._stopped_at)
        # The history rows since the last snapshot of this run (all of them for a new run).
        after = self._seen[1] if self._seen is not None and self._seen[0] == snap.run else -1
        self._seen = here
        progress = self.progress
        events = progress.observe(values, stopped=here == self._stopped_at,
                                  diverged=here == self._diverged_at,
                                  rows=history_rows(snap.history, after))
        if "revealed" in events:
            self.window.controller.pause()  # the moment to read, not to train on
            # The reveal says what happened; the window's "raise max_steps to train on" would
            # distract (it is shown after this, when the run stopped: clear it after that).
            QTimer.singleShot(0, lambda: self.window.clear_message("info"))
        if events:
            self._show_state()
        self._show_now(values)

    def _show_now(self, values):
        """Add the values ``next_when`` reads, as they are now, to the hint."""
        progress = self.progress
        step = progress.step
        waiting = progress.waiting_for
        if step.next_when is not None and not progress.state.opened and waiting:
            now = ", ".join(f"{label(name)} {format_value(name, values[name])}"
                            for name in sorted(step.next_when.names))
            waiting = f"{waiting} Now: {now}."
        if waiting != self._hint:
            self._hint = waiting
            self.panel.hint.setText(waiting)
            self.panel.hint.setVisible(bool(waiting))

    @Slot(object, object, bool)
    def _on_config_changed(self, config, old, train):
        if not self.playing:
            return
        step = self.progress.step
        departed = [f for f in step.lock if getattr(config, f) != getattr(step.config, f)]
        self.panel.show_departed(DEPARTED if departed else "")
