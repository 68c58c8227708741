"""Backpropagation, step by step: the action that opens the view, and the view's requests.

The action (toolbar button "Backprop", the Run menu, Ctrl+B) pauses training and shows the
backpropagation view. The view asks the training worker, through the controller, for the next
step traced and for it to be applied; its classic-mistake switch proposes a config change; its
"Code" button and the loss panel's buttons open the code behind the run or the view.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence

MESSAGE_MS = 8000
#: The view's share of the right-hand column when it opens (the network diagram has the rest).
VIEW_SHARE = 0.7


class StepThrough(QObject):
    """Wires ``window.backprop_view`` (in ``window.backprop_dock``) to the rest of ``window``
    (a MainWindow with ``controller``, ``config_model``, ``tools``, ``loss_panel``,
    ``run_controls`` and ``run_menu``)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        view, controller = window.backprop_view, window.controller
        self.action = QAction("&Backpropagation, step by step…", window)
        self.action.setIconText("Backprop")
        self.action.setShortcut(QKeySequence(Qt.CTRL | Qt.Key_B))
        tip = ("Backpropagation, step by step (Ctrl+B): pause and walk through the next training "
               "step with its real numbers,\nfrom the inputs to the cost, back from the output "
               "delta (where the cost's derivative enters) to every weight,\nand the update. "
               "← and → go back and forth.")
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip.split("\n")[0])
        self.action.triggered.connect(self.show_view)
        window.run_menu.addAction(self.action)
        window.run_controls.add_tool(self.action)
        controller.step_traced.connect(view.show_traced)
        view.trace_requested.connect(controller.trace_step)
        view.apply_requested.connect(controller.apply_traced_step)
        view.mistake_toggled.connect(self._on_view_mistake_toggled)
        view.code_requested.connect(window.tools.show_code_window)
        window.loss_panel.backprop_requested.connect(self.show_view)
        window.loss_panel.code_requested.connect(window.tools.show_code_window)

    @Slot()
    def show_view(self):
        """Pause training and show the backpropagation view, ready for the arrow keys."""
        window = self.window
        if window.controller.running:
            window.controller.pause()
            window.statusBar().showMessage("Paused, to walk through the next step.", MESSAGE_MS)
        dock = window.backprop_dock
        dock.show()
        dock.raise_()
        if not dock.isFloating() and window.backprop_dock in window.tabifiedDockWidgets(
                window.surface_dock):
            # Room for the tables; the diagram under it keeps enough to show what lights up.
            height = dock.height() + window.diagram_dock.height()
            window.resizeDocks([dock, window.diagram_dock],
                               [round(VIEW_SHARE * height), round((1 - VIEW_SHARE) * height)],
                               Qt.Vertical)
        window.backprop_view.setFocus(Qt.ShortcutFocusReason)

    @Slot(bool)
    def _on_view_mistake_toggled(self, on):
        self.window.config_model.propose({"classic_mistake": on})
