"""The landscape instruments' window-level parts: the final weights of pinned runs for the
line view, the sharpness view's requests to the training worker, and moving the training
weights to a point of the error surface, undoably.

- Pinning a run (the cost view) keeps its curve; here its weights at that moment are kept too
  and handed to the line view (:meth:`InterpolationView.set_pinned`), so a line can join the
  final weights of two runs of the same network.
- "Move here" (the boundary view's button under a clicked point, or Run ▸ Move the
  weights to the picked point, Ctrl+M) asks the training worker to set them; its answer carries
  the weights and optimizer state before, which Run ▸ Undo (Ctrl+Z) puts back and Redo
  (Ctrl+Shift+Z) moves again. A new run empties the undo history.
"""
from __future__ import annotations

import itertools

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack

from gui.views.interpolation.model import PinnedWeights

MESSAGE_MS = 8000


class _Move(QUndoCommand):
    """One move of the weights: done already when pushed (the worker answered)."""

    def __init__(self, owner, run, before, state, after, words):
        super().__init__(f"moving the weights to {words}")
        self.owner, self.run = owner, run
        self.before, self.state, self.after = before, state, after
        self._done = True

    def redo(self):
        if self._done:  # pushed after the worker made the move: nothing to do the first time
            self._done = False
            return
        self.owner.replay(self.after, self.run, None, "Moved the weights again.")

    def undo(self):
        self.owner.replay(self.before, self.run, self.state,
                          "Weights put back where they were (and the optimizer's state).")


class Instruments(QObject):
    """Installs itself on ``window`` (a MainWindow with ``controller``, ``selection``,
    ``cost_plot``, ``interpolation_view``, ``sharpness_view``, the Run menu and a status
    bar)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.pinned = {}             # PinnedRun -> PinnedWeights
        self._last_snap = None       # the snapshot the views have last been shown
        self._tokens = itertools.count(1)
        self._asked = {}             # token -> the Probe a move was asked for
        self.undo_stack = QUndoStack(self)
        window.controller.snapshot.connect(self._on_controller_snapshot)
        window.controller.weights_moved.connect(self._on_controller_weights_moved)
        window.cost_plot.pinned.connect(self._on_cost_plot_pinned)
        window.cost_plot.pins_changed.connect(self._on_cost_plot_pins_changed)
        window.selection.move_requested.connect(self._on_selection_move_requested)
        window.selection.probed_changed.connect(self._on_selection_probed_changed)
        # The sharpness is measured by the training worker, when the view asks.
        window.sharpness_view.measure_requested.connect(window.controller.measure_sharpness)
        self._make_actions()

    def _make_actions(self):
        window, stack = self.window, self.undo_stack
        self.undo_action = stack.createUndoAction(window, "Undo")
        self.undo_action.setShortcut(QKeySequence.Undo)
        self.redo_action = stack.createRedoAction(window, "Redo")
        self.redo_action.setShortcut(QKeySequence.Redo)
        for action, what in ((self.undo_action, "Put the weights back where they were before "
                                                "the last move (Ctrl+Z)."),
                             (self.redo_action, "Move the weights again (Ctrl+Shift+Z).")):
            action.setToolTip(what)
            action.setStatusTip(what)
        self.move_action = QAction("&Move the weights to the picked point", window)
        self.move_action.setShortcut(QKeySequence("Ctrl+M"))
        tip = ("Set the network's weights to the point you clicked on the error surface (its "
               "network is drawn dashed\nin the boundary view); training goes on from there, "
               "with a fresh optimizer state. Undo with Ctrl+Z.")
        self.move_action.setToolTip(tip)
        self.move_action.setStatusTip(tip.split("\n")[0])
        self.move_action.setEnabled(False)
        self.move_action.triggered.connect(lambda: window.selection.request_move())
        # In the Run menu, together: what they undo is a change of the run's weights.
        window.run_menu.addSeparator()
        for action in (self.move_action, self.undo_action, self.redo_action):
            window.run_menu.addAction(action)

    # ------------------------------------------------------------------ moves
    def replay(self, params, run, optimizer_state, message):
        """Ask the worker to set ``params`` again (an undo or a redo)."""
        token = ("replay", next(self._tokens), message)
        self.window.controller.move_weights(params, run, token, optimizer_state)

    @Slot(object)
    def _on_selection_move_requested(self, probe):
        token = next(self._tokens)
        self._asked[token] = probe
        self.window.controller.move_weights(probe.params, probe.run, token)

    @Slot(object, object, object)
    def _on_controller_weights_moved(self, token, before, state):
        status = self.window.statusBar()
        if isinstance(token, tuple):  # an undo or a redo
            status.showMessage(token[2] if before is not None else
                               "That move belonged to an earlier run: nothing changed.",
                               MESSAGE_MS)
            return
        probe = self._asked.pop(token, None)
        if probe is None:
            return
        if before is None:
            status.showMessage("The weights were not moved: training has started a new run "
                               "since the point was picked.", MESSAGE_MS)
            return
        self.undo_stack.push(_Move(self, probe.run, before, state, probe.params, probe.words))
        self.window.selection.unprobe(pinned=True)  # the network shown is that one now
        status.showMessage(f"Weights moved to {probe.words}; training goes on from there "
                           f"(Ctrl+Z puts them back).", MESSAGE_MS)

    @Slot(object)
    def _on_selection_probed_changed(self, _probe):
        self.move_action.setEnabled(self.window.selection.pinned_probe is not None)

    # ------------------------------------------------------------------ pinned runs
    @Slot(object)
    def _on_controller_snapshot(self, snap):
        if self._last_snap is not None and snap.run != self._last_snap.run:
            self.undo_stack.clear()  # moves of another run cannot be undone in this one
        self._last_snap = snap

    @Slot(object)
    def _on_cost_plot_pinned(self, pin):
        # The cost view pinned the curve of the snapshot it has shown last: this one.
        snap = self._last_snap
        if snap is not None and snap.step == pin.step:
            self.pinned[pin] = PinnedWeights(pin.number, pin.colour, snap.params, snap.step,
                                             snap.arrays, self.window.cost_plot.pin_tooltip(pin))
        self._on_cost_plot_pins_changed()

    @Slot()
    def _on_cost_plot_pins_changed(self):
        kept = self.window.cost_plot.pins
        self.pinned = {pin: weights for pin, weights in self.pinned.items() if pin in kept}
        self.window.interpolation_view.set_pinned([self.pinned[pin] for pin in kept
                                                   if pin in self.pinned])
