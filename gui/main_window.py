"""The main window: control panels on the left, views in docks, run controls on top.

It builds the parts and connects them; it holds no rule of its own. Data flow, one way round::

    panel.changed -> ConfigModel.propose -> ConfigModel.changed -> panels show it,
                                                                  TrainingController trains it
    TrainingWorker (own thread) trains -> Snapshot -> TrainingController.snapshot -> every view

Views never talk to each other: what one view picks and another shows (error-surface axes, the
hovered neuron) lives in :class:`gui.selection.Selection`, which they bind to. A view is any
widget with ``show_snapshot(snapshot)``; :meth:`MainWindow.add_view` puts it in a dock, lists
it in the View menu and subscribes it.
"""
from __future__ import annotations

from PySide6.QtCore import QSettings, QSize, Qt, Slot
from PySide6.QtWidgets import QDockWidget, QMainWindow

from core.config import ConfigError
from gui.config_model import ConfigModel, describe_change, summary_forms
from gui.panels import (ActivationPanel, DataPanel, LossPanel, NetworkPanel, OptimizerPanel,
                        SchedulePanel)
from gui.panels.output_reasons import config_output_reason
from gui.selection import Selection
from gui.threads import TrainingController
from gui.widgets.banner import MessageBar
from gui.window.closing import shut_down
from gui.window.diagnosis import DiagnosisBanner
from gui.window.docks import DockLayout, controls_dock, make_views
from gui.window.feed import ViewFeed
from gui.window.frames import FrameAck
from gui.window.menus import make_menus
from gui.window.run_controls import SPEEDS, RunControls
from gui.window.status import StatusNumbers
from gui.window.stepping import StepThrough
from gui.window.tools import Tools

APP_NAME = "Costscape"
DEFAULT_SIZE = QSize(1500, 940)
RESET_MESSAGE_MS = 8000


class MainWindow(QMainWindow):
    """Costscape's main window. See the module docstring for how the parts connect.

    Parameters
    ----------
    config : Config, optional
        Where to start (default: ``Config()``).
    settings : QSettings, optional
        Where the window layout is remembered (default: the application's QSettings).
    restore_layout : bool
        Restore the saved window geometry and dock layout, and save them on close. The
        screenshot mode turns this off so pictures do not depend on the user's layout.
    """

    def __init__(self, config=None, settings=None, restore_layout=True, parent=None):
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.setDockNestingEnabled(True)
        self._settings = settings if settings is not None else QSettings()
        self._remember_layout = restore_layout
        self._run = None
        self._summary_config = None
        self.views = []
        self.frames_shown = 0
        self.config_model = ConfigModel(config, self)
        self.selection = Selection(self)
        self.controller = TrainingController(self.config, parent=self)
        # Training waits while the window paints a frame (gui/threads/worker.py says why): the
        # window reports each frame shown after its repaint (gui/window/frames.py).
        self.controller.defer_frame_ack = True
        self.frame_ack = FrameAck(self, self.controller.frame_shown)

        self.run_controls = rc = RunControls(self)
        self.play_action, self.step_action, self.reset_action = (
            rc.play_action, rc.step_action, rc.reset_action)
        self.speed_slider, self.presets_button = rc.speed_slider, rc.presets_button
        self.summary_label, self.run_toolbar = rc.summary_label, rc.toolbar
        self.addToolBar(Qt.TopToolBarArea, rc.toolbar)
        self.message_bar = MessageBar(self)
        self.banner = self.message_bar.banner
        self.addToolBarBreak(Qt.TopToolBarArea)
        self.addToolBar(Qt.TopToolBarArea, self.message_bar)
        self.panels = (DataPanel(), NetworkPanel(), ActivationPanel(), LossPanel(),
                       OptimizerPanel(), SchedulePanel())
        (self.data_panel, self.network_panel, self.activation_panel, self.loss_panel,
         self.optimizer_panel, self.schedule_panel) = self.panels
        self.controls_dock = controls_dock(self, self.panels)
        self.status_numbers = StatusNumbers(self.statusBar())
        self.status_labels = self.status_numbers.labels
        make_views(self)
        make_menus(self)
        self.tools = Tools(self)
        self.diagnosis_banner = DiagnosisBanner(self)  # why the run is not learning
        self._add_tools_to_menus()
        self.step_through = StepThrough(self)  # backpropagation step by step (Ctrl+B)
        # File menu (open/save experiments, import CSV, export) and drag and drop of files.
        from gui.dialogs.file_actions import FileActions
        self.files = FileActions(self, self._settings)
        from gui.dialogs.share_actions import ShareActions  # Record, Playground, notebook, …
        self.share = ShareActions(self, self._settings)
        from gui.lessons import Lessons  # the lesson dock, Help → Lessons, File → lesson items
        self.lessons = Lessons(self, self._settings)
        # Pinned runs' weights for the line view; moving the weights to a picked point (undo).
        from gui.window.instruments import Instruments
        self.instruments = Instruments(self)
        from gui.window.appearance import Appearance  # View → Theme, colour-blind colours, F11
        self.appearance = Appearance(self, self._settings)
        self._wire()
        self._show_config_in_panels(self.config)

        self.resize(DEFAULT_SIZE)
        self.dock_layout = DockLayout(self, self._settings)
        self.dock_layout.set_defaults()
        if restore_layout:
            self.dock_layout.restore()
            self.message_bar.sync()

    # ------------------------------------------------------------------ building
    def add_view(self, title, widget, area=Qt.RightDockWidgetArea, object_name=None,
                 split_from=None, orientation=Qt.Horizontal, subscribe=True):
        """Put ``widget`` in a new dock, list it in the View menu, feed it snapshots.

        ``widget.show_snapshot(snapshot)`` gets the training snapshots when ``subscribe`` is
        true and the widget has that method (fewer while its dock is out of sight:
        gui/window/feed.py); ``widget.bind(selection)``, if it
        has one, connects it to the shared selection; ``widget.shutdown()``, if it has one, is
        called when the window closes. Returns the dock.
        """
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name or title.lower().replace(" ", "_") + "_dock")
        dock.setWidget(widget)
        if split_from is not None:
            self.splitDockWidget(split_from, dock, orientation)
        else:
            self.addDockWidget(area, dock)
        if hasattr(widget, "bind"):
            widget.bind(self.selection)
        if subscribe and hasattr(widget, "show_snapshot"):
            self.controller.snapshot.connect(ViewFeed(dock, widget).take)
            if self.controller.latest is not None:
                widget.show_snapshot(self.controller.latest)
        self.views.append(dock)
        if hasattr(self, "view_menu"):
            self.view_menu.insertAction(self.view_menu_separator, dock.toggleViewAction())
        return dock

    def _add_tools_to_menus(self):
        t = self.tools
        self.pin_action, self.clear_pins_action = t.pin_action, t.clear_pins_action
        self.gradient_check_action, self.code_action = t.gradient_check_action, t.code_action
        self.run_menu.addSeparator()
        for action in (t.pin_action, t.clear_pins_action, t.gradient_check_action):
            self.run_menu.addAction(action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(t.code_action)
        for action in (t.code_action, t.gradient_check_action):
            self.run_controls.add_tool(action)

    def _wire(self):
        c, rc, model = self.controller, self.run_controls, self.config_model
        rc.play_triggered.connect(self._on_play_triggered)
        rc.step_triggered.connect(lambda: c.step(1))
        rc.reset_triggered.connect(self._on_reset_triggered)
        rc.speed_changed.connect(c.set_steps_per_frame)
        c.set_steps_per_frame(SPEEDS[self.speed_slider.value()])
        for panel in self.panels:
            panel.changed.connect(lambda p=panel: self._on_panel_changed(p))
        model.changed.connect(self._on_config_model_changed)
        model.refused.connect(self._on_config_model_refused)
        self.data_panel.show_test_changed.connect(self.boundary_plot.set_show_test)
        self.data_panel.regenerate_requested.connect(
            lambda: self.statusBar().showMessage("New points drawn (next seed).",
                                                 RESET_MESSAGE_MS))
        self.boundary_plot.data_edited.connect(self._on_boundary_data_edited)
        self.boundary_plot.draw_refused.connect(
            lambda text: self.statusBar().showMessage(text, RESET_MESSAGE_MS))
        self.selection.axis_picked.connect(self._on_selection_axis_picked)
        self.network_diagram.features_changed.connect(
            lambda names: model.propose({"features": names}))
        self.cost_anatomy.point_losses_changed.connect(self.boundary_plot.set_point_losses)
        c.snapshot.connect(self._on_snapshot)
        c.running_changed.connect(rc.set_running)
        c.diverged.connect(self._on_diverged)
        c.stopped.connect(self._on_stopped)
        c.error.connect(self._on_error)

    # ------------------------------------------------------------------ public actions
    @property
    def config(self):
        """The config the window shows and last sent to the worker."""
        return self.config_model.config

    def apply_config(self, config, reset=False):
        """Show ``config`` and train with it (``reset`` re-initializes the weights)."""
        self.config_model.set(config)
        if reset:
            self.controller.reset()

    def adopt_config(self, config):
        """Show ``config``, which the worker already trains with (an opened experiment, imported
        data), without sending it again."""
        self.config_model.adopt(config)

    def apply_preset(self, preset):
        """Start the experiment ``preset`` afresh and show what it is about."""
        self.apply_config(preset.config, reset=True)
        self.show_message(f"<b>{preset.name}.</b> {preset.description}", "info")
        self.statusBar().showMessage(f"Preset: {preset.name}", RESET_MESSAGE_MS)

    def set_speed(self, steps_per_frame):
        """Choose the speed closest to ``steps_per_frame`` (0 = as fast as possible)."""
        self.run_controls.set_speed(steps_per_frame)

    def show_message(self, text, level="info", timeout_ms=None):
        """Show ``text`` in the banner above the plots."""
        self.message_bar.show_message(text, level, timeout_ms)

    def clear_message(self, *levels):
        """Hide the banner if it shows a message of one of ``levels`` (any message if none)."""
        self.message_bar.clear_message(*levels)

    @Slot()
    def reset_layout(self):
        self.dock_layout.reset((self.controls_dock, *self.views))
        self.message_bar.sync()

    # ------------------------------------------------------------------ config
    def _show_config_in_panels(self, config):
        for panel in self.panels:
            panel.set_config(config)
        self.loss_panel.set_task(config.task)
        self.activation_panel.set_output_activation(config.output_activation,
                                                    config_output_reason(config))

    def _on_panel_changed(self, panel):
        # Only the panel that changed speaks: the others show the current config anyway, and a
        # field some panel cannot show (a CSV file's path) must not be overwritten by it.
        values = panel.values()
        if panel is self.data_panel and values.get("dataset") == "csv":
            values["task"] = self.data_panel.task()
        self.config_model.propose(values)

    @Slot(object, object, bool)
    def _on_config_model_changed(self, config, old, train):
        self._show_config_in_panels(config)
        if not train:
            return
        self.clear_message("info", "warning")
        self.controller.apply_config(config)
        text, _ = describe_change(old, config)
        latest = self.controller.latest
        n_train = len(latest.data.X_train) if latest is not None else None
        if config.batch_size != old.batch_size and n_train and config.batch_size >= n_train:
            text += (f" A batch of {config.batch_size} is the whole training set here "
                     f"({n_train} examples): full-batch gradient descent, one step per epoch.")
        self.statusBar().showMessage(text, RESET_MESSAGE_MS)

    @Slot(str)
    def _on_config_model_refused(self, reason):
        self.show_message(f"<b>That setting does not work:</b> {reason}. Training continues "
                          f"with the previous settings.", "warning")
        self.statusBar().showMessage(f"Invalid setting: {reason}", RESET_MESSAGE_MS)
        self._show_config_in_panels(self.config)  # take back what the panel shows

    # ------------------------------------------------------------------ slots: controls
    @Slot()
    def _on_play_triggered(self):
        if not self.controller.running:
            self.clear_message("error")
        self.controller.toggle()

    @Slot()
    def _on_reset_triggered(self):
        self.clear_message("error")
        self.controller.reset()
        self.statusBar().showMessage("Reset: fresh initial weights, optimizer state and "
                                     "history.", RESET_MESSAGE_MS)

    @Slot(object, str)
    def _on_boundary_data_edited(self, data, text):
        # Points drawn by hand: a new run on the "custom" data (the trainer cannot make them).
        try:
            config = self.config.replace(dataset="custom", task=data.task)
        except ConfigError as err:
            self.show_message(f"<b>Those points cannot be used:</b> {err}", "warning")
            return
        self.controller.apply_config(config, data)
        self.config_model.adopt(config)
        self.statusBar().showMessage(
            f"{text}. The data set is now 'custom' ({len(data.X_train)} training, "
            f"{len(data.X_test)} test points): the weights were re-initialized.",
            RESET_MESSAGE_MS)

    @Slot(int, int)
    def _on_selection_axis_picked(self, axis, index):
        latest = self.controller.latest
        if latest is None:
            return
        self.surface_dock.setVisible(True)
        self.surface_dock.raise_()  # (tabbed behind backpropagation, it stayed hidden)
        label, axes = latest.layout.label, self.selection.axes
        text = f"Error-surface axis {axis + 1}: {label(index)}"
        if axis == 0:  # the other axis keeps its parameter until the next click
            text += f"; click another weight or bias for axis 2 (now {label(axes[1])})"
        self.statusBar().showMessage(text, RESET_MESSAGE_MS)

    # ------------------------------------------------------------------ slots: worker
    @Slot(object)
    def _on_snapshot(self, snap):
        self.frames_shown += 1
        if snap.run != self._run:
            self._run = snap.run
            self.network_panel.set_io(snap.layer_sizes[0], snap.layer_sizes[-1])
            self.selection.set_parameter_count(snap.layout.n_params)
            self.data_panel.show_data(snap.data, snap.config.dataset)  # a given set's count
            # What the second view shows depends on the task: name it so.
            if snap.task != "regression":
                title = "Decision boundary"
            else:
                title = "Fitted function" if snap.data.n_features == 1 else "Network output"
            self.boundary_dock.setWindowTitle(title)
        if snap.config is not self._summary_config:
            self._summary_config = snap.config
            self.run_controls.set_summary(summary_forms(snap.config, snap.layer_sizes))
        self.status_numbers.show_snapshot(snap)
        self.frame_ack.arm()

    @Slot(str)
    def _on_diverged(self, message):
        self.show_message(f"<b>Training diverged and paused.</b> {message}", "error")
        self.statusBar().showMessage("Diverged: training paused.", RESET_MESSAGE_MS)

    @Slot(str)
    def _on_stopped(self, message):
        self.show_message(f"{message} Press Play to train on.", "info")
        self.statusBar().showMessage("Stopped by a rule of the run: paused.", RESET_MESSAGE_MS)

    @Slot(str)
    def _on_error(self, message):
        self.show_message(f"<b>Something went wrong.</b> {message}", "error")
        self.statusBar().showMessage(message.splitlines()[0] if message else "Error",
                                     RESET_MESSAGE_MS)
        # A refused change (say, its CSV file is gone) left the worker on its old config: show
        # that one again, so the panels never claim settings that are not training.
        if self.controller.config != self.config:
            self.adopt_config(self.controller.config)

    # ------------------------------------------------------------------ closing
    def close_unasked(self):
        """Close without asking to save a run changed since it was saved: a scripted
        screenshot or recording (``main.py --screenshot``, ``--record``) keeps nothing."""
        self.setWindowModified(False)
        self.close()

    def closeEvent(self, event):
        if not self.files.keep_changes("closing", self.close):
            event.ignore()  # asked whether to save the changed run first
            return
        self.lessons.shutdown()  # first: it puts back the layout a lesson changed
        if self._remember_layout:
            self.dock_layout.save()
        # Every thread stops within a second, and the closed window is freed (gui/window/closing.py).
        shut_down(self)
        super().closeEvent(event)
