"""The error-surface view: its controls, and the wiring between them, the plane policy, the
surface thread, the 3-D scene and the contour map.

What is shown and when is decided by :class:`~gui.views.surface.model.PlanePolicy` (pure, in
``model.py``); :class:`~gui.views.surface.scene.Scene3D` and
:class:`~gui.views.surface.contour.ContourMap` only paint. Surfaces are computed off the UI
thread by a latest-request runner: a 15 × 15 preview first, then the full grid; a newer request
stops the running one between chunks (``should_stop``), and a result is shown only if it is for
the plane the view wants now. Per snapshot the view only projects the path, moves a few GL items
and draws at once (see :class:`~gui.views.surface.scene.Scene3D` for why at once), and skips
snapshots when drawing is slow.

Public interface: :meth:`SurfaceView.on_snapshot` (also as ``show_snapshot``),
:meth:`~SurfaceView.shutdown`, :meth:`~SurfaceView.bind` (a :class:`gui.selection.Selection`
whose axes it shows), :meth:`~SurfaceView.set_weight_axes` and
:meth:`~SurfaceView.select_weight_axis`, and :meth:`~SurfaceView.export_png`.
"""
from __future__ import annotations

import dataclasses
import time

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt, QTimer, Slot
from PySide6.QtWidgets import QFileDialog, QLabel, QTabWidget, QVBoxLayout, QWidget

from gui.views.surface.contour import ContourMap
from gui.views.surface.controls import SurfaceControls
from gui.views.surface.model import (DEFAULT_MODE, RESOLUTIONS, STILL_FRACTION,
                                     STILL_REDRAW_S, NoPlane, PlanePolicy, bilinear,
                                     explanation, outside_note)
from gui.views.surface.requests import SurfaceRequests
from gui.views.surface.scene import Scene3D, opengl_problem

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
        self._latest = None         # newest snapshot
        self._next_axis = 0         # which axis select_weight_axis fills next
        self._selection = None
        self._shown = None          # (plane, result) on screen
        self._path_xy = None
        self._path_heights = None
        self._drawn_at = None       # (plane, current point, time) of the last drawn path
        self._path_dirty = False
        self._last_update = 0.0
        self._min_interval_ms = MIN_UPDATE_MS
        self._gl_checks = 0
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

        self._build_controls()
        self.contour = ContourMap()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.scene = None
        problem = opengl_problem(use_opengl)
        if problem is None:
            try:
                self.scene = Scene3D()
            except Exception as err:  # noqa: BLE001 - fall back to the contour map
                problem = f"the 3-D view could not be created ({err})"
        if self.scene is not None:
            self.gl_container = self.scene.tab
            self.tabs.addTab(self.gl_container, "3-D surface")
        else:
            self.gl_container = None
            self.contour.set_notice(f"3-D view unavailable: {problem}. Showing the contour map.")
        self.tabs.addTab(self.contour, "Contour map")
        self.tabs.setCornerWidget(self.controls.view_buttons, Qt.TopRightCorner)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addWidget(self.controls)
        layout.addWidget(self.info)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        self._set_status("Waiting for the first training snapshot…")

    # ------------------------------------------------------------------ controls
    def _build_controls(self):
        self.controls = controls = SurfaceControls(self.policy.mode)
        controls.mode_chosen.connect(self.set_mode)
        controls.axes_chosen.connect(self._on_controls_axes_chosen)
        controls.new_directions_asked.connect(self.new_directions)
        controls.follow_toggled.connect(self._on_controls_follow_toggled)
        controls.recentre_asked.connect(self.recentre)
        controls.span_changed.connect(self._on_controls_span_changed)
        controls.resolution_changed.connect(self._on_controls_resolution_changed)
        controls.log_toggled.connect(self._on_controls_log_toggled)
        controls.reset_view_asked.connect(self.reset_view)
        controls.export_asked.connect(self._on_controls_export_asked)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setStyleSheet("color: #333333;")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #666666;")

    def _set_status(self, text):
        self.status.setText(text)

    # ------------------------------------------------------------------ public API
    @property
    def mode(self) -> str:
        return self.policy.mode

    @property
    def plane(self):
        """The plane on screen (None before the first surface arrives)."""
        return self._shown[0] if self._shown else None

    @property
    def result(self):
        """The :class:`SurfaceResult` on screen (None before the first one)."""
        return self._shown[1] if self._shown else None

    @property
    def path_xy(self):
        """The path's plane coordinates ``(p, 2)`` as last drawn (None before)."""
        return self._path_xy

    @property
    def path_heights(self):
        """The drawn heights of the path points (the surface under each), ``(p,)``."""
        return self._path_heights

    @property
    def weight_axes(self):
        return self.policy.weight_axes

    @property
    def follow_min_seconds(self) -> float:
        """Fewest seconds between two planes made by following the path."""
        return self.policy.follow_min_seconds

    @follow_min_seconds.setter
    def follow_min_seconds(self, seconds):
        self.policy.follow_min_seconds = float(seconds)

    def is_settled(self) -> bool:
        """Whether the full grid of the newest plane is on screen (nothing left to compute)."""
        plane = self.requests.wanted
        return (plane is not None and self._shown is not None and self._shown[0] is plane
                and len(self._shown[1].alphas) == plane.resolution)

    def gl_available(self) -> bool:
        """Whether the 3-D view is live (OpenGL started)."""
        return self.scene is not None and self.scene.is_valid()

    def bind(self, selection):
        """Show the weights ``selection`` (a :class:`gui.selection.Selection`) picks: its
        ``axes_changed`` puts them on the axes; the view's own lists write their choice back."""
        self._selection = selection
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
            self._path_xy = None
            self._build_plane()
            return
        current = self._path_xy[-1] if self._drawn_on(self.requests.wanted) else None
        plane = policy.next_plane(snapshot, self.requests.wanted, self.is_settled(), current)
        if plane is not None:
            self._show_plane(plane)
        self._schedule_path_update()

    #: The name the main window's ``add_view`` subscribes to snapshots.
    show_snapshot = on_snapshot

    def set_weight_axes(self, i, j):
        """Show the cost against parameters ``i`` and ``j`` (flat indices into the params)."""
        self.policy.set_weight_axes(i, j)
        self.controls.show_axes(self.policy.weight_axes)
        self.controls.show_mode(self.policy.mode)
        self._build_plane()

    def select_weight_axis(self, index) -> int:
        """Put parameter ``index`` on axis 1, then on axis 2 at the next call, and so on (for a
        network diagram where the learner clicks links). Returns the axis filled (0 or 1)."""
        axis = self._next_axis
        self._next_axis = 1 - axis
        current = list(self.policy.weight_axes or (None, None))
        current[axis] = int(index)
        other = current[1 - axis]
        if other is None or other == current[axis]:
            # No partner yet (or the same one): pick a neighbour so that the pair is valid.
            layout = self.policy.layout
            n = layout.n_params if layout is not None else int(index) + 2
            current[1 - axis] = (int(index) + 1) % n if n > 1 else 0
        self.set_weight_axes(*current)
        return axis

    def set_mode(self, mode):
        """``"weights"``, ``"random"`` or ``"pca"``."""
        self.policy.set_mode(mode)
        self.controls.show_mode(self.policy.mode)
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
        self.controls.show_mode(self.policy.mode)
        self._build_plane()

    @Slot()
    def recentre(self):
        """Move the anchor to the current weights and compute the surface there."""
        if self._latest is None:
            return
        self.policy.recentre(self._latest)
        self._build_plane()

    @Slot()
    def reset_view(self):
        """Default camera in 3-D and the whole surface in the contour map."""
        if self.scene is not None:
            self.scene.reset_camera(self.policy.mode)
        self.contour.reset_view()

    def export_png(self, path) -> bool:
        """Save the view on screen (3-D view with its legend, or the contour map) as a PNG."""
        if self.tabs.currentWidget() is self.gl_container and self.gl_available():
            image = self.scene.grab()
        else:
            image = self.tabs.currentWidget().grab().toImage()
        return bool(image.save(str(path), "PNG"))

    def shutdown(self):
        """Stop the surface thread (the main window calls this when it closes). Idempotent."""
        self._stopped = True
        self._update_timer.stop()
        self.requests.shutdown()

    # ------------------------------------------------------------------ planes
    def _build_plane(self):
        """Ask the policy for the plane of the current mode, then show it (or why not)."""
        if self._latest is None or self.policy.anchor is None:
            return
        self._show_plane(self.policy.make_plane(self._latest))

    def _show_plane(self, plane):
        if isinstance(plane, NoPlane):
            self._no_plane(plane)
            return
        self.controls.show_span(plane.span)
        self.requests.want(plane, self._latest)

    def _no_plane(self, why):
        self.requests.withdraw()  # whatever is still computing is of no use now
        self._shown = None
        self.contour.clear()
        if self.scene is not None:
            for item in self.scene.data_items:
                item.setVisible(False)
            self.scene.clear_frame(why.headline)  # no box, ticks or titles of the last plane
        self.info.setText("")
        self._set_status(why.message)

    @Slot(object)
    def _on_requests_ready(self, result):
        if self._stopped:
            return
        self._show_surface(result.plane, result)
        if len(result.alphas) == result.plane.resolution:
            self._set_status("")

    @Slot(int)
    def _on_requests_computing(self, n):
        self._set_status(f"Computing the surface ({n} × {n})…")

    @Slot(str)
    def _on_requests_failed(self, message):
        self._set_status(f"The surface could not be computed: {message}")

    def _replan(self, **changes):
        """The same plane (anchor and directions) with another extent or height scale."""
        plane = self.requests.wanted
        if plane is not None:
            self.requests.want(dataclasses.replace(plane, **changes), self._latest)

    # ------------------------------------------------------------------ drawing
    def _show_surface(self, plane, result):
        previous = self._shown[0] if self._shown else None
        self._shown = (plane, result)
        self._drawn_at = None  # new heights under the path: draw it whatever it did
        # The 3-D axis and the legend label their ticks with costs (10**height on the log scale).
        title = "cost (log scale)" if result.log else "cost"
        off_a, off_b = plane.offsets
        segments = result.segments.copy()
        if len(segments):
            segments[:, 0] += off_a
            segments[:, 1] += off_b
        self.contour.set_surface(result.alphas + off_a, result.betas + off_b, result.heights,
                                 segments, plane.labels, "log₁₀ cost" if result.log else "cost")
        if self.scene is not None:
            if previous is None or previous.mode != plane.mode:
                self.scene.reset_camera(plane.mode)  # a new kind of picture: its own view
            self.scene.set_surface(plane, result, title)
        self.info.setText(explanation(plane, result, self.policy.log))
        self._update_path()

    def _drawn_on(self, plane) -> bool:
        return (plane is not None and self._shown is not None and self._shown[0] is plane
                and self._path_xy is not None)

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

    def _update_path(self, force=False):
        """Project the newest path onto the shown plane and move the path and marker."""
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
        xy = plane.project(path)
        heights = np.clip(bilinear(result.heights, result.alphas, result.betas, xy),
                          result.lo, result.hi)
        # A ball that has (nearly) stopped need not be drawn at every snapshot.
        still = (not force and self._drawn_at is not None and self._drawn_at[0] is plane
                 and np.max(np.abs(xy[-1] - self._drawn_at[1])) < STILL_FRACTION * plane.span
                 and self._last_update - self._drawn_at[2] < STILL_REDRAW_S)
        self._path_xy, self._path_heights = xy, heights
        if still:
            # Drawn later unless a newer snapshot comes first (training may have paused).
            self._update_timer.start(int(STILL_REDRAW_S * 1000))
        else:
            self._drawn_at = (plane, xy[-1].copy(), self._last_update)
            self._draw_path()
        note = outside_note(plane, xy[-1])
        if note or self.status.text().startswith("The weights have moved"):
            self._set_status(note)

    def _draw_path(self):
        """Move the path and marker of the tab on screen (the other tab catches up when shown)."""
        if self._shown is None or self._path_xy is None:
            return
        plane, result = self._shown
        if self.scene is not None and self.tabs.currentWidget() is self.gl_container:
            self.scene.set_path(self._path_xy, self._path_heights, result.lo, plane.span)
            start = time.perf_counter()
            self.scene.paint_now()
            # Slow down when drawing is slow (software OpenGL, a big window, a busy machine):
            # the other views share the frame.
            paint_ms = 1000.0 * (time.perf_counter() - start)
            self._min_interval_ms = max(MIN_UPDATE_MS, 5.0 * paint_ms)
        else:
            self.contour.set_path(self._path_xy + np.asarray(plane.offsets))

    # ------------------------------------------------------------------ events
    def showEvent(self, event):
        super().showEvent(event)
        if self._path_dirty:
            QTimer.singleShot(0, self._on_update_timer_timeout)
        if self.scene is not None and self._gl_checks == 0:
            QTimer.singleShot(50, self._check_gl)

    @Slot()
    def _check_gl(self):
        """Fall back to the contour map if OpenGL did not start (a grey box helps no one)."""
        if self.scene is None or self.scene.is_valid() or self._stopped:
            return
        self._gl_checks += 1
        if not self.scene.widget.isVisible() or self._gl_checks < 30:
            if self._gl_checks < 100:
                QTimer.singleShot(100, self._check_gl)
            return
        self.tabs.removeTab(self.tabs.indexOf(self.gl_container))
        self.gl_container.hide()
        self.scene = None
        self.contour.set_notice("3-D view unavailable: OpenGL did not start on this display. "
                                "Showing the contour map.")

    @Slot(int)
    def _on_tabs_current_changed(self, _index):
        self._draw_path()

    @Slot(object)
    def _on_selection_axes_changed(self, axes):
        if axes is not None and axes != self.policy.weight_axes:
            self.set_weight_axes(*axes)

    @Slot(int, int)
    def _on_controls_axes_chosen(self, i, j):
        if i == j:
            self._set_status("Pick two different parameters.")
            return
        if self._selection is not None:
            self._selection.set_axes(i, j)  # comes back through axes_changed
        if (i, j) != self.policy.weight_axes or self.policy.mode != "weights":
            self.set_weight_axes(i, j)

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
        path, _ = QFileDialog.getSaveFileName(self, "Export the view as PNG",
                                              "costscape-surface.png", "PNG images (*.png)")
        if path:
            if not path.lower().endswith(".png"):
                path += ".png"
            if not self.export_png(path):
                self._set_status(f"Could not write {path}.")
