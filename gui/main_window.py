"""The main window: control panels on the left, plots in docks, run controls on top.

Data flow, one way round the loop::

    panel.changed -> MainWindow builds a new Config -> TrainingController.apply_config
    TrainingWorker (own thread) trains -> Snapshot -> TrainingController.snapshot -> every view

The window never calls the trainer; views never talk to each other. A view is any widget with
``show_snapshot(snapshot)``; :meth:`MainWindow.add_view` puts it in a dock, lists it in the View
menu and subscribes it, so a new view (a 3-D surface, a network diagram) is a few lines.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractSlider, QDockWidget, QFrame, QHBoxLayout, QLabel, QMainWindow,
                               QScrollArea, QSizePolicy, QSlider, QStyle, QToolBar,
                               QToolButton, QVBoxLayout, QWidget)

from core import presets
from core.config import Config, ConfigError
from core.trainer import DATA_FIELDS
from core.trainer import LIVE_FIELDS
from gui import style
from gui.about import show_about
from gui.numbers import format_number
from gui.panels import ActivationPanel, DataPanel, LossPanel, NetworkPanel, OptimizerPanel
from gui.panels.loss_panel import config_output_reason
from gui.plots.boundary_plot import BoundaryPlot
from gui.plots.cost_plot import CostPlot
from gui.views.surface.widget import SurfaceView
from gui.worker import MAX_SPEED, MAX_SNAPSHOT_RATE, TrainingController

APP_NAME = "Costscape"
DEFAULT_SIZE = QSize(1500, 940)
#: Choices of the speed slider: mini-batch steps per frame; MAX_SPEED trains flat out.
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, MAX_SPEED)
DEFAULT_SPEED = 10
RESET_MESSAGE_MS = 8000
#: Longest wait for the window to repaint after a snapshot before training goes on anyway (ms).
FRAME_ACK_FALLBACK_MS = 60

# Which settings say what when they change (in Config field order of importance).
_FIELD_NAMES = {
    "hidden_layers": "hidden layers", "activation": "hidden activation",
    "output_activation": "output activation", "loss": "loss", "init": "initialization",
    "features": "input features",
    "learning_rate": "learning rate", "optimizer": "optimizer", "batch_size": "batch size",
    "regularization": "regularization", "reg_rate": "regularization rate λ",
    "momentum": "momentum", "beta1": "β₁", "beta2": "β₂", "rho": "ρ", "epsilon": "ε",
}


def _show(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(str(v) for v in value) + ")" if value else "none"
    return str(value)


def describe_change(old: Config, new: Config) -> tuple[str, bool]:
    """What changed from ``old`` to ``new``, as a learner reads it, and whether it resets.

    It resets exactly when the trainer rebuilds: when anything outside ``LIVE_FIELDS`` changed.
    """
    changed = [f for f in new.to_dict() if getattr(old, f) != getattr(new, f)]
    if not set(changed) <= LIVE_FIELDS:
        if any(f in DATA_FIELDS for f in changed):
            what = (f"New data ({new.dataset})" if old.dataset != new.dataset else "New data")
            return f"{what}: the weights were re-initialized.", True
        parts = ", ".join(f"{_FIELD_NAMES.get(f, f)} {_show(getattr(old, f))} → "
                          f"{_show(getattr(new, f))}" for f in changed if f not in LIVE_FIELDS)
        return f"Network changed ({parts}): the weights were re-initialized.", True
    parts = ", ".join(f"{_FIELD_NAMES.get(f, f)} {_show(getattr(old, f))} → "
                      f"{_show(getattr(new, f))}" for f in changed)
    return f"{parts[:1].upper() + parts[1:]}: applied live; training continues from the " \
           f"current weights.", False


def summary_text(config, layer_sizes) -> str:
    """One line saying what trains, e.g. ``2 → 4 → 1 · Tanh → Sigmoid · BCE · SGD η = 0.03``."""
    from core import activations, losses, optimizers

    hidden = activations.get(config.activation).display_name
    output = activations.get(config.output_activation).display_name
    optimizer = optimizers.optimizer_class(config.optimizer).display_name
    reg = "" if config.regularization == "none" else \
        f" + {config.regularization.upper()} λ = {config.reg_rate:g}"
    return (f"{' → '.join(str(n) for n in layer_sizes)}  ·  {hidden} → {output}  ·  "
            f"{losses.get(config.loss).display_name}{reg}  ·  {optimizer} η = "
            f"{config.learning_rate:g}")


def _fmt(value, percent=False) -> str:
    if percent and value is not None and math.isfinite(value):
        return f"{100 * value:.1f}%"
    return format_number(value, 4, fixed=True)


class _SliderKeys(QObject):
    """Lets a focused slider keep its arrow keys when a window shortcut (→ = step) wants them."""

    KEYS = {Qt.Key_Left, Qt.Key_Right, Qt.Key_Up, Qt.Key_Down, Qt.Key_Home, Qt.Key_End,
            Qt.Key_PageUp, Qt.Key_PageDown}

    def eventFilter(self, watched, event):
        if (event.type() == QEvent.ShortcutOverride and event.key() in self.KEYS
                and event.modifiers() == Qt.NoModifier):
            event.accept()  # the slider gets the key press; the shortcut does not fire
            return True
        return False


class Banner(QFrame):
    """A non-modal message strip above the plots: information, a warning, or an error."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("banner")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Hide this message")
        self.close_button.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignTop)
        self.level = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)
        self.setVisible(False)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self):
        # A toolbar's layout ignores height-for-width, so size the wrapped text by hand.
        height = self.label.heightForWidth(max(self.label.width(), 200))
        if height > 0:
            self.label.setFixedHeight(height)

    def show_message(self, text, level="info", timeout_ms=None):
        background, border, colour = style.BANNER[level]
        self.setStyleSheet(f"QFrame#banner {{ background: {background}; border: 1px solid {border};"
                           f" border-radius: 4px; }} QLabel {{ color: {colour}; }}")
        self.label.setText(text)
        self.level = level
        self.setVisible(True)
        self._fit_height()
        if timeout_ms:
            self._timer.start(timeout_ms)
        else:
            self._timer.stop()

    @Slot()
    def clear(self):
        self._timer.stop()
        self.level = None
        self.label.clear()
        self.setVisible(False)

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


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
        self._frame_ack_pending = False  # read by event(), which runs from the next line on
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.setDockNestingEnabled(True)
        self._config = config if config is not None else Config()
        self._settings = settings if settings is not None else QSettings()
        self._remember_layout = restore_layout
        self._run = None
        self._summary_config = None
        self._views = []
        self.frames_shown = 0

        self.controller = TrainingController(self._config, parent=self)
        # Training waits while the window paints a frame (gui/worker.py explains why): the
        # window reports each frame shown after its repaint, or after a short fallback.
        self.controller.defer_frame_ack = True
        self._frame_ack_timer = QTimer(self)
        self._frame_ack_timer.setSingleShot(True)
        self._frame_ack_timer.timeout.connect(self._report_frame_shown)
        self._make_panels()
        self._make_run_controls()
        self._make_banner()
        self.cost_plot = CostPlot()
        self.boundary_plot = BoundaryPlot()
        self._make_status_bar()
        self.controls_dock = self._make_controls_dock()
        self.boundary_dock = self.add_view("Decision boundary", self.boundary_plot,
                                           Qt.RightDockWidgetArea, "boundary_dock")
        # The error surface, the heart of the app, gets the right-hand column; the boundary and
        # the cost curve share the middle one.
        self.surface_view = SurfaceView()
        self.surface_dock = self.add_view("Error surface", self.surface_view,
                                          object_name="surface_dock",
                                          split_from=self.boundary_dock,
                                          orientation=Qt.Horizontal)
        # The network diagram under the surface: clicking a weight there picks a surface axis.
        from gui.plots.network_diagram import NetworkDiagram
        self.network_diagram = NetworkDiagram()
        self.diagram_dock = self.add_view("Network", self.network_diagram,
                                          object_name="diagram_dock",
                                          split_from=self.surface_dock,
                                          orientation=Qt.Vertical)
        self.cost_dock = self.add_view("Cost", self.cost_plot, Qt.RightDockWidgetArea,
                                       "cost_dock", split_from=self.boundary_dock,
                                       orientation=Qt.Vertical)
        self._make_menus()
        self._wire()
        self._make_learning_aids()
        # File menu (open/save experiments, import CSV, export) and drag and drop of files.
        from gui.dialogs.file_actions import FileActions
        self.files = FileActions(self, self._settings)
        # Arrow keys belong to a focused slider (noise, speed, learning rate), not to "step".
        self._slider_keys = _SliderKeys(self)
        for slider in self.findChildren(QAbstractSlider):
            slider.installEventFilter(self._slider_keys)
        self._show_config_in_panels(self._config)

        self.resize(DEFAULT_SIZE)
        self._default_dock_widths()
        self._default_state = self.saveState()
        if restore_layout:
            self._restore_layout()

    # ------------------------------------------------------------------ building
    def _make_panels(self):
        self.data_panel = DataPanel()
        self.network_panel = NetworkPanel()
        self.activation_panel = ActivationPanel()
        self.loss_panel = LossPanel()
        self.optimizer_panel = OptimizerPanel()
        self.panels = (self.data_panel, self.network_panel, self.activation_panel,
                       self.loss_panel, self.optimizer_panel)

    def _make_controls_dock(self):
        column = QWidget()
        layout = QVBoxLayout(column)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(8)
        for panel in self.panels:
            layout.addWidget(panel)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(column)
        scroll.setMinimumWidth(column.minimumSizeHint().width() + 20)
        dock = QDockWidget("Controls", self)
        dock.setObjectName("controls_dock")
        dock.setWidget(scroll)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                         | QDockWidget.DockWidgetClosable)
        self.addDockWidget(Qt.LeftDockWidgetArea, dock)
        self.controls_scroll = scroll
        return dock

    def add_view(self, title, widget, area=Qt.RightDockWidgetArea, object_name=None,
                 split_from=None, orientation=Qt.Horizontal, subscribe=True):
        """Put ``widget`` in a new dock, list it in the View menu, feed it snapshots.

        ``widget.show_snapshot(snapshot)`` is connected to the training snapshots when
        ``subscribe`` is true and the widget has that method; ``widget.shutdown()``, if it has
        one, is called when the window closes. Returns the dock.
        """
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name or title.lower().replace(" ", "_") + "_dock")
        dock.setWidget(widget)
        if split_from is not None:
            self.splitDockWidget(split_from, dock, orientation)
        else:
            self.addDockWidget(area, dock)
        if subscribe and hasattr(widget, "show_snapshot"):
            self.controller.snapshot.connect(widget.show_snapshot)
            if self.controller.latest is not None:
                widget.show_snapshot(self.controller.latest)
        self._views.append(dock)
        if hasattr(self, "_slider_keys"):
            for slider in widget.findChildren(QAbstractSlider):
                slider.installEventFilter(self._slider_keys)
        if hasattr(self, "view_menu"):
            self.view_menu.insertAction(self._view_menu_separator, dock.toggleViewAction())
        return dock

    def _make_run_controls(self):
        icons = self.style()
        self.play_action = QAction(icons.standardIcon(QStyle.SP_MediaPlay), "Play", self)
        self.play_action.setShortcut(QKeySequence(Qt.Key_Space))
        self.play_action.setShortcutContext(Qt.WindowShortcut)
        self.play_action.setToolTip(
            "Play/pause (Space). Training repeats the gradient-descent step on one mini-batch B "
            "after another:\nθ ← θ − η·∇θ C_B(θ) (plain SGD; the optimizer chooses the exact "
            "update). One epoch = one pass over the training set.")
        self.step_action = QAction(icons.standardIcon(QStyle.SP_MediaSkipForward), "Step", self)
        self.step_action.setShortcuts([QKeySequence(Qt.Key_Right),
                                       QKeySequence(Qt.CTRL | Qt.Key_Right)])
        self.step_action.setToolTip(
            "One step (→): pause, then a single update of every weight from the gradient of the "
            "cost on the next mini-batch.")
        self.reset_action = QAction(icons.standardIcon(QStyle.SP_BrowserReload), "Reset", self)
        self.reset_action.setShortcut(QKeySequence(Qt.CTRL | Qt.Key_R))
        self.reset_action.setToolTip(
            "Reset (Ctrl+R): draw fresh initial weights (same seed and initialization), forget "
            "the optimizer's memory (velocities, running averages) and the cost history.")

        self.speed_slider = QSlider(Qt.Horizontal)
        self.speed_slider.setRange(0, len(SPEEDS) - 1)
        self.speed_slider.setPageStep(1)
        self.speed_slider.setFixedWidth(160)
        self.speed_slider.setValue(SPEEDS.index(DEFAULT_SPEED))
        self.speed_slider.setToolTip(
            f"Speed: mini-batch steps per frame (about {round(MAX_SNAPSHOT_RATE, -1):g} frames a "
            f"second). More "
            f"steps per frame train faster; you see fewer of the states in between. 'max' trains "
            f"as fast as this computer can.")
        self.speed_label = QLabel()
        self.speed_label.setMinimumWidth(self.speed_label.fontMetrics().horizontalAdvance(
            "1000 steps/frame") + 6)
        self.speed_label.setToolTip(self.speed_slider.toolTip())

        bar = QToolBar("Run controls", self)
        bar.setObjectName("run_toolbar")
        bar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        bar.setMovable(False)
        bar.setIconSize(QSize(20, 20))
        bar.addAction(self.play_action)
        bar.addAction(self.step_action)
        bar.addAction(self.reset_action)
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
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        bar.addWidget(spacer)
        self.summary_label = QLabel()
        self.summary_label.setStyleSheet("color: #444; padding-right: 8px;")
        self.summary_label.setToolTip("What is training now: layer sizes, hidden and output "
                                      "activations, loss, optimizer and learning rate η.")
        bar.addWidget(self.summary_label)
        self.addToolBar(Qt.TopToolBarArea, bar)
        self.run_toolbar = bar
        self._on_speed_changed(self.speed_slider.value())

    def _make_banner(self):
        self.banner = Banner()
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.banner)
        bar = QToolBar("Messages", self)
        bar.setObjectName("message_bar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.toggleViewAction().setVisible(False)
        bar.addWidget(holder)
        bar.setStyleSheet("QToolBar { border: none; }")
        self.addToolBarBreak(Qt.TopToolBarArea)
        self.addToolBar(Qt.TopToolBarArea, bar)
        self.message_bar = bar
        self.banner.setVisible(False)
        bar.setVisible(False)
        self._banner_holder = holder

    def _make_status_bar(self):
        bar = self.statusBar()
        self.status_labels = {}
        tips = {
            "step": "Mini-batch updates since the weights were initialized.",
            "epoch": "Completed passes over the training set.",
            "train": "Training cost: mean loss over the training examples + regularization.",
            "test": "Test cost: the same on the test examples, never trained on.",
            "accuracy": "Share of examples classified correctly: train / test.",
            "speed": "Mini-batch updates per second (while running).",
        }
        # Fixed widths: a label that resized with its text would relayout (and repaint) the
        # whole window at every frame.
        samples = {"step": "step 10,000,000", "epoch": "epoch 1,000,000",
                   "train": "train cost 0.0000e+00", "test": "test cost 0.0000e+00",
                   "accuracy": "accuracy 100.0% / 100.0%", "speed": "100,000 steps/s"}
        for key in ("step", "epoch", "train", "test", "accuracy", "speed"):
            label = QLabel()
            label.setToolTip(tips[key])
            label.setContentsMargins(6, 0, 6, 0)
            label.setFixedSize(label.fontMetrics().horizontalAdvance(samples[key]) + 14,
                               label.sizeHint().height())
            bar.addPermanentWidget(label)
            self.status_labels[key] = label

    def _make_menus(self):
        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu("&File")
        # Open/Save experiment files are added here by a later change (before this separator).
        self.file_menu_separator = file_menu.addSeparator()
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence.Quit)
        self.quit_action.setShortcutContext(Qt.ApplicationShortcut)
        self.quit_action.setToolTip("Stop training and close Costscape.")
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)
        self.file_menu = file_menu

        run_menu = menu_bar.addMenu("&Run")
        for action in (self.play_action, self.step_action, self.reset_action):
            run_menu.addAction(action)

        self.presets_menu = menu_bar.addMenu("&Presets")
        self.preset_actions = []
        for preset in presets.PRESETS:
            if preset.name in presets.SECTIONS:
                self.presets_menu.addSection(presets.SECTIONS[preset.name])
            action = QAction(preset.name, self)
            action.setToolTip(preset.description)
            action.setStatusTip(preset.description)
            action.triggered.connect(lambda checked=False, p=preset: self.apply_preset(p))
            self.presets_menu.addAction(action)
            self.preset_actions.append(action)
        self.presets_menu.setToolTipsVisible(True)
        self.presets_button.setMenu(self.presets_menu)

        self.view_menu = menu_bar.addMenu("&View")
        self.view_menu.addAction(self.controls_dock.toggleViewAction())
        for dock in self._views:
            self.view_menu.addAction(dock.toggleViewAction())
        self._view_menu_separator = self.view_menu.addSeparator()
        self.log_scale_action = QAction("Cost on a &log scale", self)
        self.log_scale_action.setCheckable(True)
        self.log_scale_action.toggled.connect(self.cost_plot.set_log_scale)
        self.cost_plot.log_box.toggled.connect(self.log_scale_action.setChecked)
        self.view_menu.addAction(self.log_scale_action)
        reset_layout = QAction("&Reset layout", self)
        reset_layout.setToolTip("Put the panels and plots back where they started.")
        reset_layout.triggered.connect(self.reset_layout)
        self.view_menu.addAction(reset_layout)

        help_menu = menu_bar.addMenu("&Help")
        self.about_action = QAction("&About Costscape", self)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)

    def _wire(self):
        c = self.controller
        self.play_action.triggered.connect(self._on_play_triggered)
        self.step_action.triggered.connect(self._on_step_triggered)
        self.reset_action.triggered.connect(self._on_reset_triggered)
        self.speed_slider.valueChanged.connect(self._on_speed_changed)
        for panel in self.panels:
            panel.changed.connect(lambda p=panel: self._on_panel_changed(p))
        self.data_panel.show_test_changed.connect(self.boundary_plot.set_show_test)
        self.data_panel.regenerate_requested.connect(self._on_data_regenerate_requested)
        self.boundary_plot.data_edited.connect(self._on_boundary_data_edited)
        self.boundary_plot.draw_refused.connect(self._on_boundary_draw_refused)
        self.network_diagram.weight_clicked.connect(self._on_diagram_weight_clicked)
        self.network_diagram.features_changed.connect(self._on_diagram_features_changed)
        self.network_diagram.neuron_hovered.connect(self.boundary_plot.show_neuron)
        c.snapshot.connect(self._on_snapshot)
        c.running_changed.connect(self._on_running_changed)
        c.diverged.connect(self._on_diverged)
        c.error.connect(self._on_error)

    # ------------------------------------------------------------------ learning aids
    def _make_learning_aids(self):
        """The anatomy of the cost (a dock tabbed with the cost curve), pinned runs (Ctrl+P),
        the code behind the run (Ctrl+K) and the gradient check (Ctrl+G)."""
        from gui.plots.cost_anatomy import CostAnatomy

        self.cost_anatomy = CostAnatomy()
        self.anatomy_dock = self.add_view("Anatomy of the cost", self.cost_anatomy,
                                          object_name="anatomy_dock")
        self.tabifyDockWidget(self.cost_dock, self.anatomy_dock)
        self.cost_dock.raise_()
        if hasattr(self.boundary_plot, "set_point_losses"):
            self.cost_anatomy.point_losses_changed.connect(self.boundary_plot.set_point_losses)
        else:
            self.cost_anatomy.set_point_losses_available(False)
        self.cost_plot.pinned.connect(self._on_cost_plot_pinned)
        self.code_window = None
        self.gradient_check_dialog = None

        self.pin_action = QAction("&Pin run", self)
        self.pin_action.setShortcut(QKeySequence(Qt.CTRL | Qt.Key_P))
        self.pin_action.setToolTip(self.cost_plot.pin_button.toolTip())
        self.pin_action.triggered.connect(self.cost_plot.pin)
        self.clear_pins_action = QAction("Clear pinned runs", self)
        self.clear_pins_action.setToolTip("Remove every pinned cost curve.")
        self.clear_pins_action.triggered.connect(self.cost_plot.clear_pins)
        self.gradient_check_action = QAction("Check &gradient…", self)
        self.gradient_check_action.setShortcut(QKeySequence(Qt.CTRL | Qt.Key_G))
        self.gradient_check_action.setToolTip(
            "Check gradient (Ctrl+G): compare backpropagation's gradient with finite differences "
            "of the cost,\n(C(θ + ε) − C(θ − ε)) / 2ε, at the current weights, layer by layer.")
        self.gradient_check_action.triggered.connect(self.show_gradient_check)
        self.code_action = QAction("&Code behind the run…", self)
        self.code_action.setShortcut(QKeySequence(Qt.CTRL | Qt.Key_K))
        self.code_action.setToolTip(
            "The code behind the run (Ctrl+K): this run as a standalone numpy script (data, "
            "initial weights,\nforward pass, cost function, its derivative, backpropagation, "
            "update), to read, copy and save.")
        self.code_action.triggered.connect(self.show_code_window)
        menus = {action.text(): action.menu() for action in self.menuBar().actions()}
        run_menu = menus.get("&Run")
        if run_menu is not None:
            run_menu.addSeparator()
            for action in (self.pin_action, self.clear_pins_action, self.gradient_check_action):
                run_menu.addAction(action)
            run_menu.setToolTipsVisible(True)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.code_action)
        self.view_menu.setToolTipsVisible(True)

    @Slot()
    def show_code_window(self):
        """Open (or raise) the code behind the run; it follows the run while open."""
        if self.code_window is None:
            from gui.code_view import CodeWindow

            self.code_window = CodeWindow(self)
            self.controller.snapshot.connect(self.code_window.show_snapshot)
            self.code_window.saved.connect(
                lambda path: self.statusBar().showMessage(f"Script saved: {path}",
                                                          RESET_MESSAGE_MS))
        if self.controller.latest is not None:
            self.code_window.show_snapshot(self.controller.latest)
        self.code_window.show()
        self.code_window.raise_()
        self.code_window.activateWindow()

    @Slot()
    def show_gradient_check(self):
        """Open the gradient check and check at the newest snapshot's weights."""
        if self.gradient_check_dialog is None:
            from gui.gradient_check import GradientCheckDialog

            self.gradient_check_dialog = GradientCheckDialog(self)
            self.gradient_check_dialog.get_snapshot = lambda: self.controller.latest
        self.gradient_check_dialog.show()
        self.gradient_check_dialog.raise_()
        self.gradient_check_dialog.check(self.controller.latest)

    @Slot(object)
    def _on_cost_plot_pinned(self, pin):
        self.statusBar().showMessage(
            f"Pinned run {pin.number}. Change one setting (loss, activation, optimizer, learning "
            f"rate, initialization) and press Reset (Ctrl+R): the new run starts from the same "
            f"seed's initial weights.", 2 * RESET_MESSAGE_MS)

    # ------------------------------------------------------------------ layout memory
    def _restore_layout(self):
        geometry = self._settings.value("window/geometry")
        state = self._settings.value("window/state")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        self.message_bar.setVisible(self.banner.isVisible())

    def _save_layout(self):
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/state", self.saveState())
        self._settings.sync()

    def _default_dock_widths(self):
        self.resizeDocks([self.controls_dock, self.boundary_dock, self.surface_dock],
                         [350, 520, 630], Qt.Horizontal)
        self.resizeDocks([self.boundary_dock, self.cost_dock], [430, 470], Qt.Vertical)
        self.resizeDocks([self.surface_dock, self.diagram_dock], [560, 340], Qt.Vertical)

    @Slot()
    def reset_layout(self):
        self.restoreState(self._default_state)
        for dock in (self.controls_dock, *self._views):
            dock.setVisible(True)
            dock.setFloating(False)
        self._default_dock_widths()
        self.message_bar.setVisible(self.banner.isVisible())

    # ------------------------------------------------------------------ public actions
    @property
    def config(self) -> Config:
        """The config the window shows and last sent to the worker."""
        return self._config

    def apply_config(self, config, reset=False):
        """Show ``config`` in the panels and train with it (``reset`` re-initializes weights)."""
        self._show_config_in_panels(config)
        self._send_config(config)
        if reset:
            self.controller.reset()

    def adopt_config(self, config):
        """Show ``config``, which the worker already trains with (an opened experiment, imported
        data), in the panels without sending it again."""
        self._config = config
        self._show_config_in_panels(config)

    def apply_preset(self, preset):
        """Start the experiment ``preset`` afresh and show what it is about."""
        self.apply_config(preset.config, reset=True)
        self.banner.show_message(f"<b>{preset.name}.</b> {preset.description}", "info")
        self.message_bar.setVisible(True)
        self.statusBar().showMessage(f"Preset: {preset.name}", RESET_MESSAGE_MS)

    def show_message(self, text, level="info", timeout_ms=None):
        """Show ``text`` in the banner above the plots."""
        self.banner.show_message(text, level, timeout_ms)
        self.message_bar.setVisible(True)

    def clear_message(self, *levels):
        """Hide the banner if it shows a message of one of ``levels`` (any message if none)."""
        if self.banner.level is not None and (not levels or self.banner.level in levels):
            self.banner.clear()
            self.message_bar.setVisible(False)

    @Slot()
    def show_about(self):
        show_about(self)

    # ------------------------------------------------------------------ config plumbing
    def _panel_values(self) -> dict:
        values = {}
        for panel in self.panels:
            values.update(panel.values())
        return values

    def _show_config_in_panels(self, config):
        for panel in self.panels:
            panel.set_config(config)
        self.loss_panel.set_task(config.task)
        self.activation_panel.set_output_activation(config.output_activation,
                                                    config_output_reason(config))

    def _send_config(self, config):
        old = self._config
        self._config = config
        self.controller.apply_config(config)
        if old != config:
            text, _ = describe_change(old, config)
            latest = self.controller.latest
            n_train = len(latest.data.X_train) if latest is not None else None
            if config.batch_size != old.batch_size and n_train and config.batch_size >= n_train:
                text += (f" A batch of {config.batch_size} is the whole training set here "
                         f"({n_train} examples): full-batch gradient descent, one step per epoch.")
            self.statusBar().showMessage(text, RESET_MESSAGE_MS)

    def _on_panel_changed(self, panel):
        # Only the panel that changed speaks: the others show the current config anyway, and a
        # field some panel cannot show (a CSV file's path) must not be overwritten by it.
        old = self._config
        values = panel.values()
        changes = {k: v for k, v in values.items() if getattr(old, k) != v}
        if panel is self.data_panel and "dataset" in changes:
            task = self.data_panel.task()
            if changes["dataset"] == "csv":
                changes["task"] = task
            if task != self.loss_panel.task():
                # Offer the new task's losses; Config.replace re-chooses the loss if needed.
                self.loss_panel.set_task(task)
        if not changes:
            return
        try:
            config = old.replace(**changes)
        except ConfigError as err:
            self.show_message(f"<b>That setting does not work:</b> {err}. Training continues "
                              f"with the previous settings.", "warning")
            self.statusBar().showMessage(f"Invalid setting: {err}", RESET_MESSAGE_MS)
            return
        self.clear_message("info", "warning")
        # The config may have chosen a loss or output activation itself: show its choice.
        if any(self._panel_values().get(k) != getattr(config, k)
               for k in ("loss", "output_activation")):
            self.loss_panel.set_config(config)
        self.activation_panel.set_output_activation(config.output_activation,
                                                    config_output_reason(config))
        self._send_config(config)

    # ------------------------------------------------------------------ slots: controls
    @Slot()
    def _on_play_triggered(self):
        if not self.controller.running:
            self.clear_message("error")
        self.controller.toggle()

    @Slot()
    def _on_step_triggered(self):
        self.controller.step(1)

    @Slot()
    def _on_reset_triggered(self):
        self.clear_message("error")
        self.controller.reset()
        self.statusBar().showMessage("Reset: fresh initial weights, optimizer state and "
                                     "history.", RESET_MESSAGE_MS)

    @Slot(int)
    def _on_speed_changed(self, position):
        speed = SPEEDS[position]
        self.speed_label.setText("max" if speed == MAX_SPEED else
                                 f"{speed} step{'s' if speed > 1 else ''}/frame")
        self.controller.set_steps_per_frame(speed)

    def set_speed(self, steps_per_frame):
        """Choose the speed slider position closest to ``steps_per_frame`` (0 = max)."""
        if steps_per_frame == MAX_SPEED:
            self.speed_slider.setValue(len(SPEEDS) - 1)
            return
        finite = SPEEDS[:-1]
        best = min(range(len(finite)), key=lambda i: abs(math.log(finite[i] / steps_per_frame)))
        self.speed_slider.setValue(best)

    @Slot()
    def _on_data_regenerate_requested(self):
        self.statusBar().showMessage("New points drawn (next seed).", RESET_MESSAGE_MS)

    @Slot(object, str)
    def _on_boundary_data_edited(self, data, text):
        # Points drawn by hand: a new run on the "custom" data (the trainer cannot make them).
        try:
            config = self._config.replace(dataset="custom", task=data.task)
        except ConfigError as err:
            self.show_message(f"<b>Those points cannot be used:</b> {err}", "warning")
            return
        self._config = config
        self.controller.apply_config(config, data)
        self.statusBar().showMessage(
            f"{text}. The data set is now 'custom' ({len(data.X_train)} training, "
            f"{len(data.X_test)} test points): the weights were re-initialized.",
            RESET_MESSAGE_MS)

    @Slot(str)
    def _on_boundary_draw_refused(self, text):
        self.statusBar().showMessage(text, RESET_MESSAGE_MS)

    @Slot(int)
    def _on_diagram_weight_clicked(self, index):
        # First click: error-surface axis 1, second click: axis 2, and so on.
        try:
            axis = self.surface_view.select_weight_axis(index)
        except (ValueError, IndexError) as err:
            self.statusBar().showMessage(f"That parameter cannot be an axis: {err}",
                                         RESET_MESSAGE_MS)
            return
        axes = self.surface_view.weight_axes
        self.network_diagram.set_axis_marks(axes)
        self.surface_dock.setVisible(True)
        label = self.network_diagram.parameter_label
        text = f"Error-surface axis {axis + 1}: {label(index)}"
        if axis == 0:  # the other axis keeps its parameter until the next click
            text += f"; click another weight or bias for axis 2 (now {label(axes[1])})"
        self.statusBar().showMessage(text, RESET_MESSAGE_MS)

    @Slot(object)
    def _on_diagram_features_changed(self, names):
        try:
            config = self._config.replace(features=names)
        except ConfigError as err:
            self.show_message(f"<b>Those inputs do not work:</b> {err}", "warning")
            return
        self._send_config(config)

    # ------------------------------------------------------------------ slots: worker
    @Slot(object)
    def _on_snapshot(self, snap):
        self.frames_shown += 1
        if snap.run != self._run:
            self._run = snap.run
            self.network_panel.set_io(snap.layer_sizes[0], snap.layer_sizes[-1])
            # What the second view shows depends on the task: name it so.
            if snap.task != "regression":
                title = "Decision boundary"
            else:
                title = "Fitted function" if snap.data.n_features == 1 else "Network output"
            self.boundary_dock.setWindowTitle(title)
        if snap.config is not self._summary_config:
            self._summary_config = snap.config
            self.summary_label.setText(summary_text(snap.config, snap.layer_sizes))
        m, labels = snap.metrics, self.status_labels
        self._set_status("step", f"step {snap.step:,}")
        self._set_status("epoch", f"epoch {snap.epoch:,}")
        self._set_status("train", f"train cost {_fmt(m['train_cost'])}")
        self._set_status("test", f"test cost {_fmt(m['test_cost'])}")
        classification = m.get("train_accuracy") is not None
        if labels["accuracy"].isVisible() != classification:
            labels["accuracy"].setVisible(classification)
        if classification:
            self._set_status("accuracy", f"accuracy {_fmt(m['train_accuracy'], True)} / "
                                         f"{_fmt(m['test_accuracy'], True)}")
        self._set_status("speed", f"{snap.steps_per_second:,.0f} steps/s" if snap.running
                         else "paused")
        self._arm_frame_ack()

    def _set_status(self, key, text):
        label = self.status_labels[key]
        if label.text() != text:  # an unchanged label need not repaint
            label.setText(text)

    # ------------------------------------------------------------------ frame pacing
    def _arm_frame_ack(self):
        handle = self.windowHandle()
        if handle is None or not self.isVisible() or self.isMinimized() or not handle.isExposed():
            self._report_frame_shown()  # nothing will be painted: do not hold training up
            return
        self._frame_ack_pending = True
        self._frame_ack_timer.start(FRAME_ACK_FALLBACK_MS)

    @Slot()
    def _report_frame_shown(self):
        self._frame_ack_pending = False
        self._frame_ack_timer.stop()
        self.controller.frame_shown()

    def event(self, event):
        if self._frame_ack_pending and event.type() == QEvent.UpdateRequest:
            # This event repaints every dirty widget of the window; the zero timer fires after.
            self._frame_ack_pending = False
            QTimer.singleShot(0, self._report_frame_shown)
        return super().event(event)

    @Slot(bool)
    def _on_running_changed(self, running):
        icon = QStyle.SP_MediaPause if running else QStyle.SP_MediaPlay
        self.play_action.setIcon(self.style().standardIcon(icon))
        self.play_action.setText("Pause" if running else "Play")

    @Slot(str)
    def _on_diverged(self, message):
        self.show_message(f"<b>Training diverged and paused.</b> {message}", "error")
        self.statusBar().showMessage("Diverged: training paused.", RESET_MESSAGE_MS)

    @Slot(str)
    def _on_error(self, message):
        self.show_message(f"<b>Something went wrong.</b> {message}", "error")
        self.statusBar().showMessage(message.splitlines()[0] if message else "Error",
                                     RESET_MESSAGE_MS)
        # A refused change (say, its CSV file is gone) left the worker on its old config: show
        # that one again, so the panels never claim settings that are not training.
        if self.controller.config != self._config:
            self.adopt_config(self.controller.config)

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event):
        if self._remember_layout:
            self._save_layout()
        self.controller.shutdown()
        # Views with threads of their own (e.g. a surface computed off the UI thread) stop too.
        for dock in self._views:
            widget = dock.widget()
            if hasattr(widget, "shutdown"):
                widget.shutdown()
        if getattr(self, "gradient_check_dialog", None) is not None:
            self.gradient_check_dialog.shutdown()
        super().closeEvent(event)
