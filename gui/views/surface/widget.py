"""The error-surface view: its controls, and the wiring between them, the plane policy, the
surface thread, the 3-D scene and the contour map.

Which plane and when: :class:`~gui.views.surface.policy.PlanePolicy`; the path on it and the
plane's fidelity: :func:`~gui.views.surface.model.path_on_plane` (both pure); the pictures
(:class:`~gui.views.surface.display.SurfaceTabs`) only paint. Surfaces are computed off the UI
thread (:class:`~gui.views.surface.requests.SurfaceRequests`): a preview, then the full grid; a
newer plane stops the running one between chunks. The path's real costs are mostly the
worker's (:class:`~gui.views.surface.path_costs.PathCosts`). Per snapshot the view moves GL
items and draws at once (:class:`~gui.views.surface.scene.Scene3D`), or skips when slow.

Public interface: :meth:`SurfaceView.on_snapshot` (also as ``show_snapshot``),
:meth:`~SurfaceView.shutdown`, :meth:`~SurfaceView.bind` (a :class:`gui.selection.Selection`
whose axes it shows), :meth:`~SurfaceView.set_weight_axes` and :meth:`~SurfaceView.export_png`.
"""
from __future__ import annotations

import dataclasses
import time

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt, QTimer, Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from core.stability import stability_limit
from gui import style
from gui.views.surface.controls import StatusBox, StatusLines, SurfaceControls
from gui.views.surface.display import SurfaceTabs
from gui.views.surface.model import (DEFAULT_MODE, RESOLUTIONS, STILL_FRACTION, STILL_REDRAW_S,
                                     NoPlane, explanation, height_range, outside_note,
                                     path_on_plane, visibly_off)
from gui.views.surface.path_costs import PathCosts
from gui.views.surface.policy import PlanePolicy
from gui.views.surface.probe import SurfaceProbe
from gui.views.surface.requests import SurfaceRequests
from gui.widgets.labels import wrapped_label

#: Fewest milliseconds between two path updates (the worker sends about 30 snapshots a second);
#: it grows when drawing is slow so that the UI stays responsive.
MIN_UPDATE_MS = 30
#: When a snapshot was skipped, draw it this late if no newer one comes (ms).
LATE_UPDATE_MS = 150


class SurfaceView(QWidget):
    """The error surface with the optimizer's path. Feed it snapshots with :meth:`on_snapshot`;
    call :meth:`shutdown` before the application ends (it stops the surface thread).

    Parameters
    ----------
    use_opengl : bool or None
        None (default): use the 3-D view where OpenGL works; False: contour map only.
    mode : str
        The axis mode to start in (one of :data:`~gui.views.surface.model.MODES`).
    """

    def __init__(self, parent=None, use_opengl=None, mode=DEFAULT_MODE):
        super().__init__(parent)
        self.policy = PlanePolicy(mode)
        self.path_costs = PathCosts()
        self._latest = None         # newest snapshot
        self._selection = None
        self._shown = None          # (plane, result) on screen
        self._path = None           # the PathOnPlane last drawn
        self._zrange = None         # the height axis of the shown surface
        self._on_plane_key = self._on_plane_value = None
        self._drawn_at = None       # (plane, current point, time) of the last drawn path
        self._path_dirty = False
        self._last_update = 0.0
        self._min_interval_ms = MIN_UPDATE_MS
        self._stopped = False

        self.requests = SurfaceRequests(self)
        self.requests.ready.connect(self._on_requests_ready)
        self.requests.computing.connect(self._on_requests_computing)
        self.requests.failed.connect(self._on_requests_failed)
        # The main window calls shutdown(); this is the safety net if nobody does.
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self._update_timer = QTimer(self)
        self._update_timer.setSingleShot(True)
        self._update_timer.timeout.connect(self._on_update_timer_timeout)

        self.controls = controls = SurfaceControls(self.policy.mode)
        controls.mode_chosen.connect(self.set_mode)
        controls.centre_chosen.connect(self.set_centre)
        controls.axes_chosen.connect(self._on_controls_axes_chosen)
        controls.new_directions_asked.connect(self.new_directions)
        controls.follow_toggled.connect(self._on_controls_follow_toggled)
        controls.recentre_asked.connect(self.recentre)
        controls.span_changed.connect(self._on_controls_span_changed)
        controls.resolution_changed.connect(self._on_controls_resolution_changed)
        controls.log_toggled.connect(self._on_controls_log_toggled)
        controls.reset_view_asked.connect(self.reset_view)
        controls.export_asked.connect(self._on_controls_export_asked)
        self.info = wrapped_label("color: #333333;")
        # Two lines at least: a caption growing from one to two lines shrank the 3-D view.
        self.info.setMinimumHeight(2 * self.info.fontMetrics().lineSpacing())
        self.notice = wrapped_label(style.note_sheet(False))
        self.notice.setVisible(False)
        # Under the view: what is going on, else how far the plane is from the path.
        self.status = StatusLines()
        self._status_text, self.fidelity = "", None

        self.tabs = SurfaceTabs(use_opengl)
        self.contour, self.gl_container = self.tabs.contour, self.tabs.gl_container
        self.tabs.setCornerWidget(controls.view_buttons, Qt.TopRightCorner)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        # Hover or click a point of the surface: the network with those weights (selection).
        self.prober = SurfaceProbe(self)

        layout = QVBoxLayout(self)
        # Thin top and bottom margins: at 1280 × 720 the contour map needs every pixel.
        layout.setContentsMargins(4, 1, 4, 1)
        layout.setSpacing(3)
        for widget in (controls, self.info, self.notice):
            layout.addWidget(widget)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(StatusBox(self.status))
        self._status("Waiting for the first training snapshot…")

    def _status(self, text):
        self._status_text = text
        fidelity = self.fidelity
        self.status.setText(text or ("" if fidelity is None else fidelity.text()))
        sheet = style.status_sheet(not text and fidelity is not None and fidelity.warn)
        if sheet != self.status.styleSheet():  # (a new style sheet costs a re-polish)
            self.status.setStyleSheet(sheet)

    # ------------------------------------------------------------------ public API
    @property
    def mode(self) -> str:
        return self.policy.mode

    @property
    def scene(self):
        """The 3-D :class:`~gui.views.surface.scene.Scene3D` (None without OpenGL)."""
        return self.tabs.scene

    @property
    def plane(self):
        """The plane on screen (None before the first surface arrives)."""
        return self._shown[0] if self._shown else None

    @property
    def result(self):
        """The :class:`SurfaceResult` on screen (None before the first one)."""
        return self._shown[1] if self._shown else None

    @property
    def path(self):
        """The path as last drawn (a :class:`~gui.views.surface.model.PathOnPlane`), or None."""
        return self._path

    @property
    def path_xy(self):
        """The path's plane coordinates ``(p, 2)`` as last drawn (None before)."""
        return None if self._path is None else self._path.xy

    @property
    def path_heights(self):
        """The heights the path is drawn at: its real costs (log10 on the log scale) kept
        inside the box, ``(p,)``."""
        if self._path is None:
            return None
        return np.clip(self._path.heights, *self._zrange)

    @property
    def weight_axes(self):
        return self.policy.weight_axes

    @property
    def replan_seconds(self) -> float:
        """Seconds between two planes made while training runs (following it)."""
        return self.policy.replan_seconds

    @replan_seconds.setter
    def replan_seconds(self, seconds):
        self.policy.replan_seconds = float(seconds)

    def is_settled(self) -> bool:
        """Whether the full grid of the newest plane is on screen (nothing left to compute)."""
        plane = self.requests.wanted
        return (plane is not None and self._shown is not None and self._shown[0] is plane
                and len(self._shown[1].alphas) == plane.resolution)

    def gl_available(self) -> bool:
        """Whether the 3-D view is live (OpenGL started)."""
        return self.tabs.gl_available()

    def bind(self, selection):
        """Show the weights ``selection`` (a :class:`gui.selection.Selection`) picks: its
        ``axes_changed`` puts them on the axes; the view's own lists write their choice back."""
        self._selection = selection
        self.prober.bind(selection)
        selection.axes_changed.connect(self._on_selection_axes_changed)
        if selection.axes is not None:
            self._on_selection_axes_changed(selection.axes)

    @Slot(object)
    def on_snapshot(self, snapshot):
        """Take the newest training snapshot (cheap unless the run changed)."""
        if self._stopped:
            return
        self._latest = snapshot
        policy = self.policy
        if policy.is_new_run(snapshot):
            policy.start_run(snapshot)
            self.controls.set_layout(snapshot.layout)
            self.controls.show_axes(policy.weight_axes)
            self._path = None
            self.prober.forget()
            self._build_plane()
            return
        wanted, shown = self.requests.wanted, self._shown
        drawn = self._on_plane(snapshot) \
            if shown is not None and shown[0] is wanted and snapshot.run == wanted.run else None
        plane = policy.next_plane(snapshot, wanted, self.is_settled(),
                                  self.path_costs.of(snapshot),
                                  drawn is None or visibly_off(wanted, drawn, self._zrange))
        if plane is not None:
            self._show_plane(plane)
        self._schedule_path_update()

    #: The name the main window's ``add_view`` subscribes to snapshots.
    show_snapshot = on_snapshot

    def set_weight_axes(self, i, j, note=""):
        """Show the cost against parameters ``i`` and ``j`` (flat indices into the params),
        around the current weights; ``note`` goes with the plane (why these two)."""
        self.policy.set_weight_axes(i, j, note)
        self.controls.show_axes(self.policy.weight_axes)
        self._build_plane()

    def set_mode(self, mode):
        """One of :data:`~gui.views.surface.model.MODES`."""
        self.policy.set_mode(mode)
        self._build_plane()

    def set_centre(self, centre):
        """Centre the plane of two weights or random directions on ``"current"`` (the current
        weights) or ``"start"`` (the start of training)."""
        self.policy.set_centre(centre)
        self._build_plane()

    def set_span(self, span):
        self.controls.span_spin.setValue(float(span))

    def set_resolution(self, n):
        self.controls.resolution_combo.setCurrentIndex(RESOLUTIONS.index(int(n)))

    def set_log_scale(self, on):
        self.controls.log_box.setChecked(bool(on))

    def new_directions(self):
        """Two new random directions (switches to that mode)."""
        self.policy.new_directions()
        self._build_plane()

    @Slot()
    def recentre(self):
        """Make the plane again now, through (and centred on) the current weights."""
        self.policy.recentre()
        self._build_plane()

    @Slot()
    def reset_view(self):
        """The best camera for the picture in 3-D, the whole surface in the contour map."""
        if self._shown is not None:
            self.tabs.aim(*self._shown, self._path)
        self.contour.reset_view()

    def export_png(self, path) -> bool:
        """Save the view on screen (3-D view with its legend, or the contour map) as a PNG."""
        return self.tabs.export_png(path)

    def shutdown(self):
        """Stop the surface thread (the main window calls this when it closes). Idempotent."""
        self._stopped = True
        self._update_timer.stop()
        self.requests.shutdown()

    # ------------------------------------------------------------------ planes
    def _build_plane(self):
        """Ask the policy for the plane of the current mode, then show it (or why not)."""
        self.controls.show_mode(self.policy.mode, self.policy.centre)
        snap = self._latest
        if snap is None or self.policy.start is None:
            return
        self._show_plane(self.policy.make_plane(snap, self.path_costs.of(snap)))

    def _show_plane(self, plane):
        if isinstance(plane, NoPlane):
            self._no_plane(plane)
            return
        if plane.span is not None:  # (the sharpest directions' span is fitted with them)
            self.controls.show_span(plane.span)
        shown = self._shown[0] if self._shown else None
        # A new plane gets a preview first, unless training runs (the last one stays until the
        # new one is in) or only the grid changes.
        same = shown is not None and shown.anchor is plane.anchor and shown.span == plane.span
        self.requests.want(plane, self._latest, preview=not (same or self._latest.running))

    def _no_plane(self, why):
        self.requests.withdraw()  # whatever is still computing is of no use now
        self._shown = self._path = None
        self.tabs.clear(why.headline)
        self.info.setText("")
        self.fidelity = None
        self.notice.setVisible(False)
        self._status(why.message)

    @Slot(object)
    def _on_requests_ready(self, result):
        if not self._stopped:
            self._show_surface(result.plane, result)
            if len(result.alphas) == result.plane.resolution:
                self._status("")

    @Slot(int)
    def _on_requests_computing(self, n):
        if not (self._latest is not None and self._latest.running):  # (live: no word of it)
            self._status(f"Computing the surface ({n} × {n})…")

    @Slot(str)
    def _on_requests_failed(self, message):
        self._status(f"The surface could not be computed: {message}")

    def _replan(self, **changes):
        """The same plane (anchor and directions) with another extent or height scale."""
        plane = self.requests.wanted
        if plane is not None:
            self.requests.want(dataclasses.replace(plane, **changes), self._latest)

    def _neighbour(self, index) -> int:
        layout = self.policy.layout
        n = layout.n_params if layout is not None else index + 2
        return (index + 1) % n if n > 1 else 0

    # ------------------------------------------------------------------ drawing
    def _show_surface(self, plane, result):
        previous = self._shown[0] if self._shown else None
        self._shown = (plane, result)
        self._drawn_at = None  # new heights under the path: draw it whatever it did
        snap = self._latest
        self.controls.show_span(plane.span)
        config = snap.config if snap is not None else None
        self.controls.show_curvatures(
            result.curvatures if plane.mode == "weights" else (),
            None if config is None else stability_limit(
                config.optimizer, snap.metrics["learning_rate"], config.momentum))
        path = self._on_plane(snap) if snap is not None and snap.run == plane.run else None
        self._zrange = height_range(result, [] if path is None else path.heights)
        self.tabs.show_surface(plane, result, self._zrange,
                               running=snap is not None and snap.running)
        self.info.setText(explanation(plane, result, self.policy.log))
        self.notice.setText(plane.notice)
        self.notice.setStyleSheet(style.note_sheet(plane.warn))
        self.notice.setVisible(bool(plane.notice))
        # Everything the new surface changes (path, pinned point, camera) is painted at once,
        # at the end: one paint of the 3-D view, not one now and another at the next update.
        self._update_path(force=True, paint=False)
        self.prober.show_marker()
        # A new kind of picture gets the camera that shows its path best; a new plane of the
        # same kind keeps the camera unless that now hides the path. While training runs the
        # camera holds still (a view swinging round every half second is hard to follow, and
        # the search for a better angle costs the UI thread tens of ms): it is checked again
        # when training pauses.
        kind = (plane.mode, plane.run, plane.labels)
        same_kind = previous is not None and (previous.mode, previous.run,
                                              previous.labels) == kind
        if not (same_kind and snap is not None and snap.running):
            self.tabs.aim(plane, result, self._path, keep=same_kind)
        self.tabs.paint_now()

    def _on_plane(self, snap):
        """The snapshot's path on the surface shown (computed once per snapshot and surface)."""
        if self._on_plane_key != (snap, self._shown):
            self._on_plane_key = (snap, self._shown)
            self._on_plane_value = path_on_plane(*self._shown, snap.path,
                                                 self.path_costs.of(snap))
        return self._on_plane_value

    def _schedule_path_update(self):
        """Draw the new path now, or skip this snapshot when drawing is slow.

        Drawing now (not on a timer) matters: right after a snapshot the training worker waits
        for the frame to be shown, so the UI has the interpreter to itself. A skipped snapshot
        is drawn by the next one, or by a late timer when no next one comes (training paused).
        """
        if not self.isVisible():
            self._path_dirty = True
            return
        if (time.perf_counter() - self._last_update) * 1000.0 >= self._min_interval_ms:
            self._update_path()
        else:
            self._update_timer.start(LATE_UPDATE_MS)

    @Slot()
    def _on_update_timer_timeout(self):
        self._update_path(force=True)

    def _update_path(self, force=False, paint=True):
        """Put the newest path on the shown plane (at its real costs) and move it (painted now
        unless ``paint`` is False)."""
        self._update_timer.stop()
        self._path_dirty = False
        self._last_update = time.perf_counter()
        snap, shown = self._latest, self._shown
        if snap is None or shown is None:
            return
        plane, result = shown
        path = np.asarray(snap.path)
        if snap.run != plane.run or path.ndim != 2 or path.shape[1] != plane.anchor.size:
            return
        drawn = self._on_plane(snap)
        current = drawn.xy[-1]
        # A ball that has (nearly) stopped need not be drawn at every snapshot.
        still = (not force and self._drawn_at is not None and self._drawn_at[0] is plane
                 and np.max(np.abs(current - self._drawn_at[1])) < STILL_FRACTION * plane.span
                 and self._last_update - self._drawn_at[2] < STILL_REDRAW_S)
        self._path = drawn
        if still:
            # Drawn later unless a newer snapshot comes first (training may have paused).
            self._update_timer.start(int(STILL_REDRAW_S * 1000))
        else:
            self._drawn_at = (plane, current.copy(), self._last_update)
            self._draw_path(paint)
        # (After a divergence the path comes from far below the last steps: no measure of it.)
        self.fidelity = None if plane.warn else drawn.fidelity
        note = outside_note(plane, current)
        self._status(note if note or self._status_text.startswith("The weights have moved")
                     else self._status_text)

    def _draw_path(self, paint=True):
        """Move the path and marker of the picture on screen."""
        if self._shown is not None and self._path is not None:
            self.tabs.show_path(self._shown[0], self._path, paint)
            # Slow down when drawing is slow (software OpenGL, a big window, a busy machine):
            # the other views share the frame.
            self._min_interval_ms = max(MIN_UPDATE_MS, 5.0 * self.tabs.paint_ms)

    # ------------------------------------------------------------------ events
    def showEvent(self, event):
        super().showEvent(event)
        if self._path_dirty:
            QTimer.singleShot(0, self._on_update_timer_timeout)

    @Slot(int)
    def _on_tabs_current_changed(self, _index):
        self._draw_path()

    @Slot(object)
    def _on_selection_axes_changed(self, axes):
        # A pick shows those two weights, even when they are the ones the view already held
        # for its "two weights" mode while it showed another plane.
        if axes is not None and (axes != self.policy.weight_axes
                                 or self.policy.mode != "weights"):
            self.set_weight_axes(*axes)

    @Slot(int, int)
    def _on_controls_axes_chosen(self, i, j):
        note = ""
        if i == j:  # a surface needs two parameters: the next one stands in for the second
            layout = self.policy.layout
            j = self._neighbour(i)
            note = (f"Both axes were {layout.label(i)}: a surface needs two different "
                    f"parameters, so axis 2 shows the next one, {layout.label(j)}.")
        if self._selection is not None and not note:
            self._selection.set_axes(i, j)  # comes back through axes_changed
        if note or (i, j) != self.policy.weight_axes or self.policy.mode != "weights":
            self.set_weight_axes(i, j, note)

    @Slot(bool)
    def _on_controls_follow_toggled(self, checked):
        self.policy.follow = bool(checked)
        if self._latest is not None:
            self.on_snapshot(self._latest)  # catch up at once if the plane is behind

    @Slot(float)
    def _on_controls_span_changed(self, value):
        self.policy.set_span(value)
        self._replan(span=float(value))

    @Slot(int)
    def _on_controls_resolution_changed(self, n):
        self.policy.resolution = n
        self._replan(resolution=n)

    @Slot(bool)
    def _on_controls_log_toggled(self, checked):
        self.policy.log = bool(checked)
        self._replan(log=self.policy.log)

    @Slot()
    def _on_controls_export_asked(self):
        problem = self.tabs.ask_export(self)
        if problem:
            self._status(problem)
