"""Backpropagation, one step slowly: the current network's next training step, stage by stage.

The view shows the step the trainer takes next, on its own mini-batch (for the XOR truth table,
all four rows), with the real numbers: the forward pass layer by layer, each example's loss, the
cost, the output delta where the cost's derivative enters, the deltas and gradients layer by
layer back to the inputs, and the optimizer's update (:mod:`gui.views.backprop.model`). Each
stage shows its formula set as mathematics, its numbers as tables, lights up the neurons and
links it involves in the network diagram and the lines of the code behind the run that compute
it (through the shared :class:`gui.selection.Selection`).

← and → (or the buttons) go back and forth; Home and End jump to the first and last stage.
"Apply this step" takes exactly this update and training can go on. The classic-mistake switch
trains as the classic numpy XOR code did, with the loss in place of its derivative.

The training worker owns the trainer: the view asks for traces (:attr:`trace_requested`) and
for the step to be applied (:attr:`apply_requested`); whoever wires it answers with
:meth:`show_traced`. It asks only while visible and while training is paused.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel,
                               QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget)

from gui import style
from gui.selection import Highlight
from gui.views.backprop.model import stages
from gui.views.backprop.table_widget import TableCard
from gui.widgets.flow_layout import FlowLayout
from gui.widgets.math import MathLabel

MISTAKE_TEXT = ("⚠ Use the loss instead of its derivative (the mistake in the classic XOR code)")
MISTAKE_TIP = (
    "The classic numpy XOR code started backpropagation from the loss itself,\n"
    "delta = 0.5·(ŷ − y)²·σ′(z), where its derivative (ŷ − y) belongs. Switch it on to train that\n"
    "way (the run starts again): a loss is never negative, so every output is pushed down and all\n"
    "four drift to 0. The gradient check (Ctrl+G) flags it. Off is the right way.")
_KEYS = {Qt.Key_Left, Qt.Key_Right, Qt.Key_Home, Qt.Key_End, Qt.Key_PageUp, Qt.Key_PageDown}


class WrappingRow(QWidget):
    """Two groups of controls on one line where they fit, else the second under the first.

    The step buttons and the Apply/Code buttons need 574 pixels on one line: as the view's
    minimum that made the whole error-surface column (whose tab this view is) that wide, and a
    1280-pixel-wide window (a 2560 × 1440 screen at 200 %) had too little left for the
    decision boundary. Wrapped, the row needs only its wider group.
    """

    def __init__(self, first, second, parent=None):
        super().__init__(parent)
        self._groups = [QWidget(self), QWidget(self)]
        for group, layout in zip(self._groups, (first, second)):
            group.setLayout(layout)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(12)
        self._grid.setVerticalSpacing(4)
        self._grid.addWidget(self._groups[0], 0, 0)
        self._grid.setColumnStretch(0, 1)
        self.wrapped = None
        self._place(False)

    def _one_line(self) -> int:
        return sum(g.minimumSizeHint().width() for g in self._groups) + 12

    def _place(self, wrapped):
        if wrapped == self.wrapped:
            return
        self.wrapped = wrapped
        self._grid.removeWidget(self._groups[1])
        if wrapped:
            self._grid.addWidget(self._groups[1], 1, 0, Qt.AlignLeft)
        else:
            self._grid.addWidget(self._groups[1], 0, 1)
        self.updateGeometry()

    def minimumSizeHint(self):
        first, second = (g.minimumSizeHint() for g in self._groups)
        return QSize(max(first.width(), second.width()),
                     max(first.height(), second.height()))

    def hasHeightForWidth(self):
        return True

    def heightForWidth(self, width):
        first, second = (g.sizeHint().height() for g in self._groups)
        return first + 4 + second if width < self._one_line() else max(first, second)

    def resizeEvent(self, event):
        self._place(event.size().width() < self._one_line())
        super().resizeEvent(event)


class BackpropView(QWidget):
    """The backpropagation view (see the module docstring). Feed it snapshots and traces.

    Signals
    -------
    trace_requested()
        Trace the trainer's next step, please; answer with :meth:`show_traced`.
    apply_requested(object)
        Take exactly this traced step (a :class:`gui.threads.tracing.TracedStep`).
    mistake_toggled(bool)
        The learner switched the classic mistake on or off (a new run).
    code_requested()
        Show the code behind the run (its lines for this stage are highlighted).
    """

    trace_requested = Signal()
    apply_requested = Signal(object)
    mistake_toggled = Signal(bool)
    code_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.StrongFocus)
        self._snap = None
        self._traced = None
        self._stages = []
        self._index = 0
        self._pending = False
        self._shown = False         # on screen (a tab behind another is not)
        self._follows_dock = False
        self._selection = None
        self._applied = ""          # what the last "Apply" did, said once

        self.back_button = self._button("◀ Back", "Previous stage (←)", self.back)
        self.next_button = self._button("Next ▶", "Next stage (→)", self.forward)
        self.stage_box = QComboBox()
        self.stage_box.setFocusPolicy(Qt.NoFocus)
        self.stage_box.setToolTip("Every stage of the step, in the order backpropagation "
                                  "computes them.")
        self.stage_box.activated.connect(self.go_to)
        self.stage_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.stage_box.setMinimumContentsLength(18)
        self.apply_button = self._button(
            "Apply this step", "Take exactly this update: the weights become those the trainer's "
            "next step gives (Step, →, does the same). Then the next step is traced.",
            self._on_apply_clicked)
        self.apply_button.setStyleSheet("QPushButton { font-weight: bold; }")
        self.code_button = self._button(
            "Code", "The code behind the run (Ctrl+K), with the lines of this stage marked.",
            self.code_requested.emit)
        steps = QHBoxLayout()
        steps.setContentsMargins(0, 0, 0, 0)
        steps.setSpacing(4)
        for widget in (self.back_button, self.stage_box, self.next_button):
            steps.addWidget(widget)
        steps.setStretch(1, 1)
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.setSpacing(4)
        actions.addWidget(self.apply_button)
        actions.addWidget(self.code_button)
        top = WrappingRow(steps, actions)

        self.mistake_box = QCheckBox(MISTAKE_TEXT)
        self.mistake_box.setFocusPolicy(Qt.NoFocus)
        self.mistake_box.setToolTip(MISTAKE_TIP)
        self.mistake_box.toggled.connect(self._on_mistake_toggled)
        self.mistake_frame = QFrame()
        self.mistake_frame.setObjectName("mistake")
        frame_layout = QHBoxLayout(self.mistake_frame)
        frame_layout.setContentsMargins(6, 2, 6, 2)
        frame_layout.addWidget(self.mistake_box)
        self._style_mistake(False)

        self.status = QLabel("Pause training to trace a step.")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #444;")

        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.formula = MathLabel(point_size=14.0)
        self.formula.setToolTip("The stage's formula. ⊙ multiplies elementwise; ᵀ transposes.")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.RichText)
        self.text.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.tables = QWidget()
        self.tables_layout = FlowLayout(self.tables, spacing=10)
        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(8, 6, 8, 8)
        body.setSpacing(8)
        for widget in (self.title, self.formula, self.text, self.tables):
            body.addWidget(widget)
        body.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setFocusPolicy(Qt.NoFocus)
        self.scroll.setWidget(content)
        content.setStyleSheet("background: #fafafa;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 4)
        layout.setSpacing(4)
        layout.addWidget(top)
        layout.addWidget(self.mistake_frame)
        layout.addWidget(self.status)
        layout.addWidget(self.scroll, 1)
        for child in self.findChildren(QWidget):
            child.installEventFilter(self)  # a click anywhere gives the view the arrow keys
        self._show_stage()

    def _button(self, text, tip, slot) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setFocusPolicy(Qt.NoFocus)
        button.clicked.connect(lambda checked=False: slot())
        return button

    # ------------------------------------------------------------------ public
    def bind(self, selection):
        """Point the shared ``selection`` at what the stage shown involves."""
        self._selection = selection
        self._publish_highlight()

    @property
    def stages(self) -> list:
        return list(self._stages)

    @property
    def index(self) -> int:
        return self._index

    @property
    def traced(self):
        return self._traced

    def current_stage(self):
        return self._stages[self._index] if self._stages else None

    def cards(self) -> list:
        """The tables shown now (:class:`~gui.views.backprop.table_widget.TableCard`)."""
        return [self.tables_layout.itemAt(i).widget() for i in range(self.tables_layout.count())]

    @Slot(object)
    def show_snapshot(self, snap):
        self._snap = snap
        self._sync_mistake(snap.config.classic_mistake)
        self._maybe_request()
        self._update_status()

    @Slot(object)
    def show_traced(self, traced):
        """Show ``traced`` (a :class:`gui.threads.tracing.TracedStep`), at the same stage."""
        self._pending = False
        key = self.current_stage().key if self._stages else None
        self._traced = traced
        self._stages = stages(traced)
        keys = [stage.key for stage in self._stages]
        self._index = keys.index(key) if key in keys else min(self._index, len(keys) - 1)
        self._sync_mistake(traced.config.classic_mistake)
        self.stage_box.blockSignals(True)
        self.stage_box.clear()
        for number, stage in enumerate(self._stages, 1):
            self.stage_box.addItem(f"{number} of {len(keys)}: {stage.title}")
        self.stage_box.blockSignals(False)
        if traced.note:
            self._applied = traced.note
        self._show_stage()
        self._maybe_request()  # the run may have moved on while this was traced

    @Slot()
    def forward(self):
        self.go_to(self._index + 1)

    @Slot()
    def back(self):
        self.go_to(self._index - 1)

    @Slot(int)
    def go_to(self, index):
        if self._stages and 0 <= index < len(self._stages) and index != self._index:
            self._index = index
            self._show_stage()

    # ------------------------------------------------------------------ requests
    def _is_current(self) -> bool:
        snap, traced = self._snap, self._traced
        return (snap is not None and traced is not None and traced.run == snap.run
                and traced.step.step == snap.step + 1 and traced.config == snap.config)

    def _maybe_request(self):
        snap = self._snap
        if (snap is None or snap.running or self._pending or not self._shown
                or self._is_current()):
            return
        self._pending = True
        self.trace_requested.emit()

    def follow_visibility(self, dock):
        """Be shown when ``dock`` (the QDockWidget holding the view) is: a dock's tab behind
        another stays "visible" to Qt (it is only moved out of sight), so its
        ``visibilityChanged`` says it, not the view's own show and hide events."""
        self._follows_dock = True
        dock.visibilityChanged.connect(self.set_shown)

    @Slot(bool)
    def set_shown(self, shown):
        """The view came on screen or left it: trace a step when needed, and point the
        selection at the stage shown (at nothing while it is not shown)."""
        self._shown = bool(shown)
        if shown:
            self._maybe_request()
        self._publish_highlight()

    def showEvent(self, event):
        super().showEvent(event)
        if not self._follows_dock:
            self.set_shown(True)

    def hideEvent(self, event):
        super().hideEvent(event)
        if not self._follows_dock:
            self.set_shown(False)

    @Slot()
    def _on_apply_clicked(self):
        if self._traced is None or not self._is_current():
            return
        step = self._traced.step
        self._applied = (f"Step {step.step} applied: on its mini-batch the cost went from "
                         f"{step.trace.cost:.4g} to {self._traced.cost_after:.4g}.")
        self.apply_button.setEnabled(False)
        self.apply_requested.emit(self._traced)

    @Slot(bool)
    def _on_mistake_toggled(self, on):
        self._style_mistake(on)
        self.mistake_toggled.emit(on)

    def _sync_mistake(self, on):
        if self.mistake_box.isChecked() != on:
            self.mistake_box.blockSignals(True)
            self.mistake_box.setChecked(on)
            self.mistake_box.blockSignals(False)
            self._style_mistake(on)

    def _style_mistake(self, on):
        background, border, text = style.BANNER["error"]
        border = style.TEST if on else border
        self.mistake_frame.setStyleSheet(
            f"#mistake {{ border: {2 if on else 1}px solid {border}; border-radius: 4px; "
            f"background: {background if on else style.PANEL}; }} QCheckBox {{ color: {text}; "
            f"font-weight: {'bold' if on else 'normal'}; }}")

    # ------------------------------------------------------------------ showing
    def _update_status(self):
        snap, traced = self._snap, self._traced
        current = self._is_current()
        self.apply_button.setEnabled(current and not (snap is not None and snap.running))
        if snap is None:
            text = "Waiting for the first snapshot of the run."
        elif snap.running:
            text = ("<b>Training is running.</b> Pause (Space) to walk through the step it takes "
                    "next, with its numbers.")
        elif traced is None or not current:
            text = "Tracing the next step…"
        else:
            step = traced.step
            t = step.trace
            text = (f"Step {step.step} of the run: {len(t.inputs)} example"
                    f"{'s' if len(t.inputs) != 1 else ''}, {traced.arrays.loss.display_name}, "
                    f"cost {t.cost:.4g} on this batch.")
        if self._applied and current:
            text = f"{self._applied} {text}"
        self.status.setText(text)

    def _show_stage(self):
        stage = self.current_stage()
        self.back_button.setEnabled(stage is not None and self._index > 0)
        self.next_button.setEnabled(stage is not None and self._index < len(self._stages) - 1)
        self.stage_box.setEnabled(stage is not None)
        self._clear_tables()
        if stage is None:
            self.title.setText("Backpropagation, one step slowly")
            self.formula.set_tex("")
            self.text.setText("Pause training: this view then walks through the step the "
                              "network takes next, with its real numbers.")
            self._update_status()
            return
        if self.stage_box.currentIndex() != self._index:
            self.stage_box.setCurrentIndex(self._index)
        self.title.setText(f"{self._index + 1}. {stage.title}")
        self.formula.set_tex(stage.formulas, stage.plain)
        self.text.setText(stage.text)
        for table in stage.tables:
            card = TableCard(table)
            for widget in (card, *card.findChildren(QWidget)):
                widget.installEventFilter(self)
            self.tables_layout.addWidget(card)
        self.tables.updateGeometry()
        self._publish_highlight()
        self._update_status()

    def _clear_tables(self):
        while self.tables_layout.count():
            item = self.tables_layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()  # gone now, not when the event loop gets to deleting it
                widget.deleteLater()

    def _publish_highlight(self):
        """Point the selection at the stage shown; at nothing while the view is not shown."""
        if self._selection is None:
            return
        stage = self.current_stage() if self._shown else None
        self._selection.set_highlight(None if stage is None else Highlight(
            stage.columns, stage.layers, stage.direction, stage.part or None, stage.title))

    # ------------------------------------------------------------------ keys
    def event(self, event):
        # → and ← walk through the stages here, rather than train a step (→ elsewhere).
        if (event.type() == QEvent.ShortcutOverride and event.key() in _KEYS
                and event.modifiers() in (Qt.NoModifier, Qt.KeypadModifier)):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event):
        key = event.key()
        moves = {Qt.Key_Right: self._index + 1, Qt.Key_PageDown: self._index + 1,
                 Qt.Key_Left: self._index - 1, Qt.Key_PageUp: self._index - 1,
                 Qt.Key_Home: 0, Qt.Key_End: len(self._stages) - 1}
        if key in moves:
            self.go_to(moves[key])
            event.accept()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.MouseButtonPress:
            self.setFocus(Qt.MouseFocusReason)
        return super().eventFilter(watched, event)
