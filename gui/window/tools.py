"""The learning aids that are windows or actions, not views: pin runs, the gradient check and
the code behind the run. Each is an action in a menu and on the toolbar; the dialogs are made
on first use and follow the newest snapshot."""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence

MESSAGE_MS = 8000


class Tools(QObject):
    """Actions ``pin_action``, ``clear_pins_action``, ``gradient_check_action``, ``code_action``
    of ``window`` (a MainWindow with ``controller``, ``cost_plot`` and ``statusBar()``)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.code_window = None
        self.gradient_check_dialog = None
        cost_plot = window.cost_plot

        self.pin_action = self._action("&Pin run", cost_plot.pin_button.toolTip(),
                                       cost_plot.pin, Qt.CTRL | Qt.Key_P)
        self.clear_pins_action = self._action("Clear pinned runs",
                                              "Remove every pinned cost curve.",
                                              cost_plot.clear_pins)
        self.gradient_check_action = self._action(
            "Check &gradient…",
            "Check gradient (Ctrl+G): compare backpropagation's gradient with finite differences "
            "of the cost,\n(C(θ + ε) − C(θ − ε)) / 2ε, at the current weights, layer by layer.",
            self.show_gradient_check, Qt.CTRL | Qt.Key_G)
        self.code_action = self._action(
            "&Code behind the run…",
            "The code behind the run (Ctrl+K): this run as a standalone numpy script (data, "
            "initial weights,\nforward pass, cost function, its derivative, backpropagation, "
            "update), to read, copy and save.", self.show_code_window, Qt.CTRL | Qt.Key_K)
        self.gradient_check_action.setIconText("Gradient check")
        self.code_action.setIconText("Code")
        cost_plot.pinned.connect(self._on_cost_plot_pinned)

    def _action(self, text, tip, slot, shortcut=None) -> QAction:
        action = QAction(text, self.window)
        action.setToolTip(tip)
        action.setStatusTip(tip.split("\n")[0])
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda checked=False: slot())
        return action

    @Slot()
    def show_code_window(self):
        """Open (or raise) the code behind the run; it follows the run while open."""
        window = self.window
        if self.code_window is None:
            from gui.dialogs.code_view import CodeWindow

            self.code_window = CodeWindow(window)
            self.code_window.bind(window.selection)  # marks the backpropagation view's stage
            window.controller.snapshot.connect(self.code_window.show_snapshot)
            self.code_window.saved.connect(
                lambda path: window.statusBar().showMessage(f"Script saved: {path}",
                                                            MESSAGE_MS))
        if window.controller.latest is not None:
            self.code_window.show_snapshot(window.controller.latest)
        self.code_window.show()
        self.code_window.raise_()
        self.code_window.activateWindow()

    @Slot()
    def show_gradient_check(self):
        """Open the gradient check and check at the newest snapshot's weights."""
        controller = self.window.controller
        if self.gradient_check_dialog is None:
            from gui.dialogs.gradient_check import GradientCheckDialog

            self.gradient_check_dialog = GradientCheckDialog(self.window)
            self.gradient_check_dialog.get_snapshot = lambda: controller.latest
        self.gradient_check_dialog.show()
        self.gradient_check_dialog.raise_()
        self.gradient_check_dialog.check(controller.latest)

    def shutdown(self):
        if self.gradient_check_dialog is not None:
            self.gradient_check_dialog.shutdown()

    @Slot(object)
    def _on_cost_plot_pinned(self, pin):
        self.window.statusBar().showMessage(
            f"Pinned run {pin.number}. Change one setting (loss, activation, optimizer, learning "
            f"rate, initialization) and press Reset (Ctrl+R): the new run starts from the same "
            f"seed's initial weights.", 2 * MESSAGE_MS)
