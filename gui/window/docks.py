"""Where the window's docks go: the views and the controls column, the default sizes, and the
layout the learner arranged, remembered between sessions (QSettings) and restorable from the
View menu."""
from __future__ import annotations

import time

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (QDockWidget, QFrame, QScrollArea, QTabWidget, QVBoxLayout,
                               QWidget)
from shiboken6 import Shiboken

from gui.views.backprop.widget import BackpropView
from gui.views.surface.widget import SurfaceView
from gui.views.boundary.widget import BoundaryPlot
from gui.views.cost.anatomy_widget import CostAnatomy
from gui.views.cost.curve_widget import CostPlot
from gui.views.gradients.widget import GradientNormView
from gui.views.metrics.widget import MetricsView
from gui.views.interpolation.widget import InterpolationView
from gui.views.network.widget import NetworkDiagram
from gui.views.sharpness.widget import SharpnessView

GEOMETRY_KEY, STATE_KEY = "window/geometry", "window/state"
#: Docks tabbed behind another once the window is on screen: (dock, the dock it goes behind).
#: Made before the window is shown, a second group of tabs leaves a stray copy of its tab bar
#: in the middle of the window (Qt 6.11; the first group, the cost's, is fine).
LATE_TABS = (("backprop_dock", "surface_dock"), ("sharpness_dock", "surface_dock"),
             ("interpolation_dock", "surface_dock"))
#: Default widths of the three columns (controls, boundary + cost, surface + diagram) and the
#: heights within the two columns of views, in pixels at the default window size.
COLUMN_WIDTHS = (350, 520, 630)
BOUNDARY_COST_HEIGHTS = (500, 400)
SURFACE_DIAGRAM_HEIGHTS = (560, 340)
#: Smallest side of the boundary's data area and of the 3-D view at the default layout (px):
#: 250 (issue 19) and two for rounding.
MIN_PICTURE = 252
#: Pixels kept beside a tab bar and its corner buttons (the tab widget's frame).
TAB_SLACK = 6
#: Seconds after the message bar shows or hides in which its height changes are taken from
#: the docks under the pictures (its text wraps once the bar has its width).
HOLD_SECONDS = 1.0
#: The lesson dock: its column's width in a window at least WIDE_WINDOW wide, else its share
#: of the controls' column height.
LESSON_WIDTH, LESSON_MIN_WIDTH, WIDE_WINDOW, LESSON_SHARE = 360, 260, 1500, 0.72
#: ... and its share when a step points at a panel of the controls.
CONTROLS_STEP_SHARE = 0.5


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
    # Behind the cost curve, as tabs: the metrics (confusion matrix, R²), the gradient norms
    # per layer and the anatomy of the cost, all about how training goes. (One group of tabs:
    # Qt 6.11 leaves a stray tab bar on screen when a second group is made before the window
    # is shown.)
    w.metrics_view = MetricsView()
    w.metrics_dock = w.add_view("Metrics", w.metrics_view, object_name="metrics_dock")
    w.gradient_view = GradientNormView()
    w.gradient_dock = w.add_view("Gradient norms", w.gradient_view,
                                 object_name="gradient_dock")
    w.cost_anatomy = CostAnatomy()
    # "Anatomy", not "Anatomy of the cost", on the tab: four full titles are wider than the
    # column on a 1366-pixel screen, and an elided tab reads "Anat…" (the View menu and the
    # File → Export items keep the full name).
    w.anatomy_dock = w.add_view("Anatomy", w.cost_anatomy, object_name="anatomy_dock")
    w.anatomy_dock.toggleViewAction().setText("Anatomy of the cost")
    for dock in (w.metrics_dock, w.gradient_dock, w.anatomy_dock):
        w.tabifyDockWidget(w.cost_dock, dock)
    w.cost_dock.raise_()
    # Behind the error surface, as tabs: backpropagation step by step (the diagram under it
    # stays in sight and lights up what each stage involves) and the landscape instruments of
    # issue 15, the sharpness over training and the cost along the line from the start to now
    # (six tabs did not fit the cost's column). They are tabbed once the window is on screen
    # (DockLayout.place_late_tabs): hidden until then.
    w.backprop_view = BackpropView()
    w.backprop_dock = w.add_view("Backpropagation", w.backprop_view,
                                 object_name="backprop_dock")
    w.backprop_view.follow_visibility(w.backprop_dock)
    w.sharpness_view = SharpnessView()
    w.sharpness_dock = w.add_view("Sharpness", w.sharpness_view, object_name="sharpness_dock")
    w.interpolation_view = InterpolationView()
    w.interpolation_dock = w.add_view("Cost along a line", w.interpolation_view,
                                      object_name="interpolation_dock")
    for name, _ in LATE_TABS:
        getattr(w, name).hide()


def column_widths(room, minimums):
    """The three columns' widths in ``room`` pixels: :data:`COLUMN_WIDTHS` scaled to the room,
    where a column that would be narrower than its minimum takes that from the middle one
    (which holds the boundary and the cost curve, and shrinks best)."""
    scale = room / sum(COLUMN_WIDTHS)
    widths = [max(int(width * scale), least) for width, least in zip(COLUMN_WIDTHS, minimums)]
    widths[1] = max(room - widths[0] - widths[2], minimums[1])
    return widths


def comfortable_width(dock) -> int:
    """The narrowest width at which ``dock`` shows all of itself: its minimum, or more where a
    tab widget in it would scroll its tabs out of sight (Qt lets a tab bar scroll rather than
    widen its dock: the error surface's tabs and the buttons beside them need more than the
    dock's minimum)."""
    need = dock.minimumSizeHint().width()
    for tabs in dock.findChildren(QTabWidget):
        if not tabs.isVisibleTo(dock):
            continue
        corners = [tabs.cornerWidget(corner) for corner in (Qt.TopLeftCorner, Qt.TopRightCorner)]
        wanted = tabs.tabBar().sizeHint().width() + sum(
            corner.sizeHint().width() for corner in corners
            if corner is not None and corner.isVisibleTo(tabs))
        need = max(need, dock.width() - tabs.width() + wanted + TAB_SLACK)
    return need


def split(height, default, first_least):
    """Two stacked docks' heights in ``height`` pixels: shared as ``default`` says, the first
    at least ``first_least`` (the second keeps what is left)."""
    first = int(max(height * default[0] / sum(default), min(first_least, height)))
    return [first, int(height) - first]


def _resize_pair(window, first, second, heights):
    """Give two stacked docks ``heights``. Qt counts a group of tabs with its tab bar, and
    the docks' own heights without: the first pass is off by that much, the second
    corrects it."""
    for _ in range(2):
        window.resizeDocks([first, second], heights, Qt.Vertical)
        window.layout().activate()
        error = heights[0] - first.height()
        if error == 0:
            return
        heights = [heights[0] + error, heights[1] - error]


def _stacked(window, first, second) -> bool:
    """Whether docks ``first`` and ``second`` are on screen in one column, ``first`` above."""
    return (first.isVisible() and second.isVisible() and not first.isFloating()
            and not second.isFloating() and abs(first.x() - second.x()) < 4
            and first.width() == second.width() and first.y() < second.y()
            and window.dockWidgetArea(first) == window.dockWidgetArea(second))


def lesson_dock(window, widget) -> QDockWidget:
    """The lesson panel's dock, hidden until a lesson or the list of lessons is asked for
    (:func:`show_lesson_dock`), and listed in the View menu."""
    dock = QDockWidget("Lesson", window)
    dock.setObjectName("lesson_dock")
    dock.setWidget(widget)
    dock.setMinimumWidth(LESSON_MIN_WIDTH)
    window.addDockWidget(Qt.LeftDockWidgetArea, dock)
    dock.hide()
    window.view_menu.insertAction(window.view_menu_separator, dock.toggleViewAction())
    return dock


def show_lesson_dock(window, dock):
    """Show the lesson dock where it fits: a column left of the controls in a wide window, or
    above the controls in their column when the window is narrower (a 1366-pixel projector:
    another column would push the window off the screen). A floating dock stays where it is."""
    if not dock.isHidden() or dock.isFloating():
        dock.setVisible(True)
        dock.raise_()
        return
    controls = window.controls_dock
    wide = window.width() >= WIDE_WINDOW
    window.splitDockWidget(dock, controls, Qt.Horizontal if wide else Qt.Vertical)
    dock.setVisible(True)
    if wide:
        window.resizeDocks([dock], [LESSON_WIDTH], Qt.Horizontal)
    else:
        height = dock.height() + controls.height()
        window.resizeDocks([dock, controls], [int(height * LESSON_SHARE),
                                              int(height * (1 - LESSON_SHARE))], Qt.Vertical)


def fit_lesson_dock(window, dock, controls=False):
    """When the lesson sits above the controls, share their column: most of it for the lesson,
    or half when the step points at a panel of the controls (``controls``)."""
    column = window.controls_dock
    stacked = (not dock.isFloating() and dock.isVisible() and column.isVisible()
               and abs(dock.x() - column.x()) < 4 and dock.y() < column.y())
    if not stacked:
        return
    share = CONTROLS_STEP_SHARE if controls else LESSON_SHARE
    height = dock.height() + column.height()
    window.resizeDocks([dock, column], [int(height * share), int(height * (1 - share))],
                       Qt.Vertical)


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


class _ShowWatcher(QObject):
    """Calls :meth:`DockLayout.first_shown` at the window's first show, and
    :meth:`DockLayout.bar_resized` when the message bar's height changes."""

    def __init__(self, layout, window):
        super().__init__(window)
        self._layout = layout

    def eventFilter(self, watched, event):
        layout = self._layout
        if watched is not layout.window:  # the message bar
            if event.type() == QEvent.Resize and \
                    event.size().height() != event.oldSize().height():
                layout.bar_resized()
        elif event.type() == QEvent.Show and layout._late_pending:
            layout._late_pending = False
            QTimer.singleShot(0, layout.first_shown)
        return False


class DockLayout:
    """The window's default dock sizes, and the learner's layout saved in ``settings``."""

    def __init__(self, window, settings):
        self.window, self.settings = window, settings
        self.default_state = None
        self._restored = set()     # docks the learner's saved layout placed
        self._own_layout = False   # the learner's saved layout was restored
        self._late_pending = True  # LATE_TABS wait for the window's first show
        # The watcher's class is defined once, at module level: a QObject subclass made per
        # window is a Shiboken type that is never freed, and it kept the whole window alive.
        self._watcher = _ShowWatcher(self, window)
        window.installEventFilter(self._watcher)
        # The pictures' docks' heights to keep while the message bar comes or goes, until when.
        self._held, self._held_until = [], 0.0
        self._before_bar = []  # ... and their heights before the bar showed
        bar = getattr(window, "message_bar", None)
        if bar is not None:
            bar.toggling.connect(self.bar_toggling)
            bar.toggled.connect(self._hold_pictures)
            bar.installEventFilter(self._watcher)

    def first_shown(self):
        """Once the window is on screen: the late tabs, and the default sizes measured again
        on the laid-out views showing the run (sizes made before are estimates: the
        boundary's legend and draw buttons come with the first snapshot)."""
        self.place_late_tabs()
        if self._own_layout:
            return
        controller = self.window.controller

        def once(_snapshot=None):
            if _snapshot is not None:
                controller.snapshot.disconnect(once)
            QTimer.singleShot(0, self._measured_defaults)

        if controller.latest is not None:
            once()
        else:
            controller.snapshot.connect(once)

    def _measured_defaults(self):
        # The views took the snapshot (a legend, draw buttons): their layouts are pending, and
        # a widget added to a shown layout is shown by a queued call (the draw buttons, two
        # pixels taller than the row without them), then asks for its layout.
        if not Shiboken.isValid(self.window) or not self.window.isVisible():
            return  # (closed before its first snapshot was laid out)
        QCoreApplication.sendPostedEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.LayoutRequest)
        if Shiboken.isValid(self.window):  # (the events sent may include its deletion)
            self.set_defaults()

    def bar_toggling(self):
        """The message bar above the docks is about to show or hide: its height is taken from
        (or given back to) the docks under the pictures, the cost curve and the network
        diagram, not shared with the boundary and the error surface (on a 768-pixel screen a
        two-line banner shrank both pictures under 250 px). When it hides, the pictures get
        back the heights they had before it showed (they gave some where the others were at
        their minimum). The window's layout follows the bar at once: the heights are put back
        once it changed (``toggled``), and again when the bar's height settles (its text
        wraps once it has its width) within :data:`HOLD_SECONDS`."""
        w = self.window
        hiding = w.message_bar.isVisible()
        self._held = [(first, second, first.height())
                      for first, second in ((w.boundary_dock, w.cost_dock),
                                            (w.surface_dock, w.diagram_dock))
                      if _stacked(w, first, second)]
        if hiding:
            before = {id(first): height for first, _, height in self._before_bar}
            self._held = [(first, second, before.get(id(first), height))
                          for first, second, height in self._held]
        else:
            self._before_bar = self._held
        self._held_until = time.monotonic() + HOLD_SECONDS

    def bar_resized(self):
        """The message bar's height changed (:meth:`bar_toggling`)."""
        if self._held and time.monotonic() < self._held_until:
            QTimer.singleShot(0, self._hold_pictures)

    def _hold_pictures(self):
        w = self.window
        if not Shiboken.isValid(w) or not w.isVisible():
            return  # (the window closed meanwhile)
        w.layout().activate()
        for first, second, height in self._held:
            if _stacked(w, first, second) and first.height() != height:
                column = first.height() + second.height()
                least = second.minimumSizeHint().height()
                first_height = min(height, column - least)
                _resize_pair(w, first, second, [first_height, column - first_height])

    def place_late_tabs(self):
        """Tab each dock of ``LATE_TABS`` behind its neighbour and show it there, unless the
        learner's saved layout already put it somewhere."""
        w = self.window
        for name, behind in LATE_TABS:
            dock, other = getattr(w, name), getattr(w, behind)
            if name in self._restored or dock.isFloating() or w.tabifiedDockWidgets(dock):
                continue
            w.tabifyDockWidget(other, dock)
            dock.show()
            other.raise_()

    def set_defaults(self):
        """Size the docks as the app starts and remember that as the default layout."""
        self._default_sizes()
        self.default_state = self.window.saveState()

    def _default_sizes(self):
        w = self.window
        w.layout().activate()  # the docks' sizes at the window's size, shown or not
        columns = ([w.controls_dock], [w.boundary_dock, w.cost_dock],
                   [w.surface_dock, w.diagram_dock])
        mins = [max(comfortable_width(dock) for dock in docks) for docks in columns]
        room = sum(dock.width() for dock in (w.controls_dock, w.boundary_dock, w.surface_dock))
        w.resizeDocks([w.controls_dock, w.boundary_dock, w.surface_dock],
                      column_widths(room, mins), Qt.Horizontal)
        w.layout().activate()
        # The boundary's data area and the 3-D view get their MIN_PICTURE first, on a short
        # screen at the expense of the cost curve and the diagram (their plots read at a
        # smaller height: lines against an axis, and a diagram of the network).
        column = w.boundary_dock.height() + w.cost_dock.height()
        boundary = w.boundary_dock.height() - w.boundary_plot.height() + \
            w.boundary_plot.height_for_side(MIN_PICTURE)
        _resize_pair(w, w.boundary_dock, w.cost_dock,
                     split(column, BOUNDARY_COST_HEIGHTS, boundary))
        # The surface's tab page holds the 3-D view or the contour map: room for the map's
        # axes too, so that its data area is MIN_PICTURE tall when that tab is chosen. Not
        # for the note above it: at the first snapshot it asks to press Play or Step and goes
        # at the first step (the map's room keeps the 3-D view over MIN_PICTURE meanwhile);
        # counted, it took 34 px from the network diagram for good.
        view = w.surface_view
        note = view.notice.height() + view.layout().spacing() if view.notice.isVisible() else 0
        column = w.surface_dock.height() + w.diagram_dock.height()
        page = view.tabs.currentWidget().height()
        surface = w.surface_dock.height() - page + MIN_PICTURE + view.contour.axes_height() \
            - note
        _resize_pair(w, w.surface_dock, w.diagram_dock,
                     split(column, SURFACE_DIAGRAM_HEIGHTS, surface))

    def restore(self):
        geometry = self.settings.value(GEOMETRY_KEY)
        state = self.settings.value(STATE_KEY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.window.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and not state.isEmpty():
            if self.window.restoreState(state):
                self._own_layout = True
                # QDataStream writes the docks' object names as UTF-16: the docks this layout
                # places (a layout saved before a dock existed leaves it to place_late_tabs).
                data = bytes(state)
                self._restored = {name for name, _ in LATE_TABS
                                  if name.encode("utf-16-be") in data}

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
        self._restored = set()
        self.place_late_tabs()
