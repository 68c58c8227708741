"""The run controls: Play, Step, Reset, the speed, the presets button and what is training.

:class:`RunControls` owns the three run actions (also listed in the Run menu), the speed slider
and the toolbar that shows them, and the keys: → steps and Space plays wherever the focus is,
except inside a text or number field, where the keys edit the text (:class:`RunKeys`).
"""
from __future__ import annotations

import math

import shiboken6

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QComboBox, QLabel, QLineEdit,
                               QPlainTextEdit, QSlider, QStyle, QTextEdit,
                               QToolBar, QToolButton)

from gui.threads import MAX_SNAPSHOT_RATE, MAX_SPEED
from gui.widgets.labels import ShorteningLabel

#: Choices of the speed slider: mini-batch steps per frame; MAX_SPEED trains flat out.
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, MAX_SPEED)
DEFAULT_SPEED = 10
#: Widgets where → and Space edit text rather than step and play.
TEXT_FIELDS = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)


class RunKeys(QObject):
    """Event filter of the focus widget: a text or number field keeps → and Space; elsewhere
    (a slider, a button, a plot) the window's shortcuts get them, so → steps and Space plays.

    Qt asks the focus widget (ShortcutOverride) before a key may fire a shortcut, so the filter
    follows the focus from widget to widget: installed on the whole application it was called
    for every event of every object, some fifty a frame while training runs.
    """

    KEYS = {Qt.Key_Right, Qt.Key_Space}

    def __init__(self, parent=None):
        super().__init__(parent)
        app = QApplication.instance()
        app.focusChanged.connect(self._on_focus_changed)
        self._on_focus_changed(None, app.focusWidget())

    @Slot(object, object)
    def _on_focus_changed(self, old, new):
        if old is not None and shiboken6.isValid(old):
            old.removeEventFilter(self)
        if new is not None:
            new.installEventFilter(self)

    def eventFilter(self, watched, event):
        if (event.type() == QEvent.ShortcutOverride and event.key() in self.KEYS
                and event.modifiers() in (Qt.NoModifier, Qt.KeypadModifier)):
            focus = QApplication.focusWidget()
            editable_combo = isinstance(focus, QComboBox) and focus.isEditable()
            if isinstance(focus, TEXT_FIELDS) or editable_combo:
                event.accept()  # the field gets the key press; the shortcut does not fire
                return True
        return False


class RunControls(QObject):
    """Play/Step/Reset actions, speed slider, presets button and summary, in one toolbar.

    Signals
    -------
    play_triggered, step_triggered, reset_triggered
        The learner asked to play or pause, to take one step, to reset.
    speed_changed(int)
        Steps per frame (``MAX_SPEED``: flat out).
    """

    play_triggered = Signal()
    step_triggered = Signal()
    reset_triggered = Signal()
    speed_changed = Signal(int)

    def __init__(self, window):
        super().__init__(window)
        icons = window.style()
        self.play_action = QAction(icons.standardIcon(QStyle.SP_MediaPlay), "Play", window)
        self.play_action.setShortcut(QKeySequence(Qt.Key_Space))
        self.play_action.setToolTip(
            "Play/pause (Space). Training repeats the gradient-descent step on one mini-batch B "
            "after another:\nθ ← θ − η·∇θ C_B(θ) (plain SGD; the optimizer chooses the exact "
            "update). One epoch = one pass over the training set.")
        self.step_action = QAction(icons.standardIcon(QStyle.SP_MediaSkipForward), "Step", window)
        self.step_action.setShortcuts([QKeySequence(Qt.Key_Right),
                                       QKeySequence(Qt.CTRL | Qt.Key_Right)])
        self.step_action.setToolTip(
            "One step (→): pause, then a single update of every weight from the gradient of the "
            "cost on the next mini-batch.")
        self.reset_action = QAction(icons.standardIcon(QStyle.SP_BrowserReload), "Reset", window)
        self.reset_action.setShortcut(QKeySequence(Qt.CTRL | Qt.Key_R))
        self.reset_action.setToolTip(
            "Reset (Ctrl+R): draw fresh initial weights (same seed and initialization), forget "
            "the optimizer's memory (velocities, running averages) and the cost history.")
        for action in (self.play_action, self.step_action, self.reset_action):
            action.setShortcutContext(Qt.WindowShortcut)
        self.play_action.triggered.connect(self.play_triggered)
        self.step_action.triggered.connect(self.step_triggered)
        self.reset_action.triggered.connect(self.reset_triggered)
        self._make_speed()
        self.toolbar = self._make_toolbar(window)
        self.keys = RunKeys(self)
        self._on_speed_slider_changed(self.speed_slider.value())

    def _make_speed(self):
        self.speed_slider = QSlider(Qt.Horizontal)
        self.speed_slider.setRange(0, len(SPEEDS) - 1)
        self.speed_slider.setPageStep(1)
        self.speed_slider.setFixedWidth(160)
        self.speed_slider.setValue(SPEEDS.index(DEFAULT_SPEED))
        # Clicks set the speed; the keyboard focus stays where → and Space step and play.
        self.speed_slider.setFocusPolicy(Qt.NoFocus)
        self.speed_slider.setToolTip(
            f"Speed: mini-batch steps per frame (about {round(MAX_SNAPSHOT_RATE, -1):g} frames a "
            f"second). More steps per frame train faster; you see fewer of the states in "
            f"between. 'max' trains as fast as this computer can.")
        self.speed_label = QLabel()
        self.speed_label.setMinimumWidth(self.speed_label.fontMetrics().horizontalAdvance(
            "1000 steps/frame") + 6)
        self.speed_label.setToolTip(self.speed_slider.toolTip())
        self.speed_slider.valueChanged.connect(self._on_speed_slider_changed)

    def _make_toolbar(self, window) -> QToolBar:
        bar = QToolBar("Run controls", window)
        bar.setObjectName("run_toolbar")
        bar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        bar.setMovable(False)
        bar.setIconSize(QSize(20, 20))
        for action in (self.play_action, self.step_action, self.reset_action):
            bar.addAction(action)
        bar.addSeparator()
        speed_title = QLabel("  Speed ")
        speed_title.setToolTip(self.speed_slider.toolTip())
        bar.addWidget(speed_title)
        bar.addWidget(self.speed_slider)
        bar.addWidget(self.speed_label)
        bar.addSeparator()
        self.presets_button = QToolButton()
        self.presets_button.setText("Presets")
        self.presets_button.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self.presets_button.setPopupMode(QToolButton.InstantPopup)
        self.presets_button.setToolTip("Ready-made experiments: the classics, and pairs that "
                                       "differ in one setting to show what it does.")
        bar.addWidget(self.presets_button)
        self._tools_separator = bar.addSeparator()
        # Right-aligned in the room the buttons leave; shorter where the room is short.
        self.summary_label = ShorteningLabel()
        self.summary_label.setStyleSheet("color: #444; padding-right: 8px;")
        self.set_summary([""])
        bar.addWidget(self.summary_label)
        for button in bar.findChildren(QToolButton):
            button.setFocusPolicy(Qt.NoFocus)
        return bar

    def add_tool(self, action):
        """Show ``action`` as a toolbar button after the presets (the learning aids)."""
        self.toolbar.insertAction(self._tools_separator, action)
        button = self.toolbar.widgetForAction(action)
        if button is not None:
            button.setFocusPolicy(Qt.NoFocus)

    # ------------------------------------------------------------------ state
    def set_summary(self, forms):
        """Say what trains: ``forms`` of the summary, longest first
        (:func:`gui.config_model.summary_forms`); the toolbar shows the longest that fits, the
        tooltip the whole."""
        self.summary_label.set_forms(forms)
        self.summary_label.setToolTip(f"{forms[0]}\n\nWhat is training now: layer sizes, hidden "
                                      f"and output activations, loss, optimizer and learning "
                                      f"rate η." if forms[0] else "What is training now.")

    def set_running(self, running):
        icon = QStyle.SP_MediaPause if running else QStyle.SP_MediaPlay
        self.play_action.setIcon(self.toolbar.style().standardIcon(icon))
        self.play_action.setText("Pause" if running else "Play")

    def set_speed(self, steps_per_frame):
        """Choose the speed slider position closest to ``steps_per_frame`` (0 = max)."""
        if steps_per_frame == MAX_SPEED:
            self.speed_slider.setValue(len(SPEEDS) - 1)
            return
        finite = SPEEDS[:-1]
        best = min(range(len(finite)), key=lambda i: abs(math.log(finite[i] / steps_per_frame)))
        self.speed_slider.setValue(best)

    def shutdown(self):
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.keys)

    @Slot(int)
    def _on_speed_slider_changed(self, position):
        speed = SPEEDS[position]
        self.speed_label.setText("max" if speed == MAX_SPEED else
                                 f"{speed} step{'s' if speed > 1 else ''}/frame")
        self.speed_changed.emit(speed)
