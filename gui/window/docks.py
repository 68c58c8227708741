"""Where the window's docks go: the controls column, the default sizes, and the layout the
learner arranged, remembered between sessions (QSettings) and restorable from the View menu."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QScrollArea, QVBoxLayout, QWidget

GEOMETRY_KEY, STATE_KEY = "window/geometry", "window/state"
#: Default widths of the three columns (controls, boundary + cost, surface + diagram) and the
#: heights within the two columns of views, in pixels at the default window size.
COLUMN_WIDTHS = (350, 520, 630)
BOUNDARY_COST_HEIGHTS = (430, 470)
SURFACE_DIAGRAM_HEIGHTS = (560, 340)


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
