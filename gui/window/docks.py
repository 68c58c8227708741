"""Where the window's docks go: the views and the controls column, the default sizes, and the
layout the learner arranged, remembered between sessions (QSettings) and restorable from the
View menu."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QScrollArea, QVBoxLayout, QWidget

from gui.views.surface.widget import SurfaceView
from gui.views.boundary.widget import BoundaryPlot
from gui.views.cost.anatomy_widget import CostAnatomy
from gui.views.cost.curve_widget import CostPlot
from gui.views.interpolation.widget import InterpolationView
from gui.views.network.widget import NetworkDiagram
from gui.views.sharpness.widget import SharpnessView

GEOMETRY_KEY, STATE_KEY = "window/geometry", "window/state"
#: Default widths of the three columns (controls, boundary + cost, surface + diagram) and the
#: heights within the two columns of views, in pixels at the default window size.
COLUMN_WIDTHS = (350, 520, 630)
BOUNDARY_COST_HEIGHTS = (430, 470)
SURFACE_DIAGRAM_HEIGHTS = (560, 340)


def make_views(window):
    """Every view in its dock, arranged: the views become attributes of ``window`` (a
    MainWindow, whose ``add_view`` subscribes each to the snapshots and the selection)."""
    w = window
    w.boundary_plot = BoundaryPlot()
    w.boundary_dock = w.add_view("Decision boundary", w.boundary_plot, Qt.RightDockWidgetArea,
                                 "boundary_dock")
    # The error surface, the heart of the app, gets the right-hand column; the boundary and
    # the cost curve share the middle one. The network diagram sits under the surface:
    # clicking a weight there picks a surface axis.
    w.surface_view = SurfaceView()
    w.surface_dock = w.add_view("Error surface", w.surface_view, object_name="surface_dock",
                                split_from=w.boundary_dock)
    w.network_diagram = NetworkDiagram()
    w.diagram_dock = w.add_view("Network", w.network_diagram, object_name="diagram_dock",
                                split_from=w.surface_dock, orientation=Qt.Vertical)
    w.cost_plot = CostPlot()
    w.cost_dock = w.add_view("Cost", w.cost_plot, object_name="cost_dock",
                             split_from=w.boundary_dock, orientation=Qt.Vertical)
    # The anatomy of the cost shares the cost curve's place, as a tab behind it.
    w.cost_anatomy = CostAnatomy()
    w.anatomy_dock = w.add_view("Anatomy of the cost", w.cost_anatomy,
                                object_name="anatomy_dock")
    w.tabifyDockWidget(w.cost_dock, w.anatomy_dock)
    # The landscape instruments (issue 15) are tabs there too: the sharpness over training
    # (with the train cost above it) and the cost along the line from the start to now.
    w.sharpness_view = SharpnessView()
    w.sharpness_dock = w.add_view("Sharpness", w.sharpness_view, object_name="sharpness_dock")
    w.tabifyDockWidget(w.cost_dock, w.sharpness_dock)
    w.interpolation_view = InterpolationView()
    w.interpolation_dock = w.add_view("Cost along a line", w.interpolation_view,
                                      object_name="interpolation_dock")
    w.tabifyDockWidget(w.cost_dock, w.interpolation_dock)
    w.cost_dock.raise_()


def controls_dock(window, panels) -> QDockWidget:
    """The left column: every panel, top to bottom, in a scroll area that never scrolls
    sideways."""
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.setSpacing(8)
    for panel in panels:
        layout.addWidget(panel)
    layout.addStretch(1)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    scroll.setFrameShape(QFrame.NoFrame)
    scroll.setWidget(column)
    scroll.setMinimumWidth(column.minimumSizeHint().width() + 20)
    dock = QDockWidget("Controls", window)
    dock.setObjectName("controls_dock")
    dock.setWidget(scroll)
    dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                     | QDockWidget.DockWidgetClosable)
    window.addDockWidget(Qt.LeftDockWidgetArea, dock)
    return dock


class DockLayout:
    """The window's default dock sizes, and the learner's layout saved in ``settings``."""

    def __init__(self, window, settings):
        self.window, self.settings = window, settings
        self.default_state = None

    def set_defaults(self):
        """Size the docks as the app starts and remember that as the default layout."""
        self._default_sizes()
        self.default_state = self.window.saveState()

    def _default_sizes(self):
        w = self.window
        w.resizeDocks([w.controls_dock, w.boundary_dock, w.surface_dock], list(COLUMN_WIDTHS),
                      Qt.Horizontal)
        w.resizeDocks([w.boundary_dock, w.cost_dock], list(BOUNDARY_COST_HEIGHTS), Qt.Vertical)
        w.resizeDocks([w.surface_dock, w.diagram_dock], list(SURFACE_DIAGRAM_HEIGHTS),
                      Qt.Vertical)

    def restore(self):
        geometry = self.settings.value(GEOMETRY_KEY)
        state = self.settings.value(STATE_KEY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.window.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.window.restoreState(state)

    def save(self):
        self.settings.setValue(GEOMETRY_KEY, self.window.saveGeometry())
        self.settings.setValue(STATE_KEY, self.window.saveState())
        self.settings.sync()

    def reset(self, docks):
        """Every dock back where it started, shown and docked."""
        self.window.restoreState(self.default_state)
        for dock in docks:
            dock.setVisible(True)
            dock.setFloating(False)
        self._default_sizes()
