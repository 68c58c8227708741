"""The network at any point of the surface: the pointer on the contour map or the 3-D surface
becomes a probe of the shared selection (:class:`gui.selection.Probe`), which the boundary view
shows as the network with those weights.

Hovering shows the point under the pointer; a click pins it (marked on both pictures) until
another click, a new run or a move of the weights there. The view never talks to the boundary
view: the selection carries the weights and the words that say where they are.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from gui.views.surface.model import bilinear, probe_params, probe_words


class SurfaceProbe(QObject):
    """Writes what the pointer is on to a selection; marks the pinned point on ``view`` (a
    :class:`~gui.views.surface.widget.SurfaceView`, whose ``plane`` and ``result`` it reads)."""

    def __init__(self, view):
        super().__init__(view)
        self.view = view
        self.selection = None
        view.tabs.contour.pointed.connect(self._on_contour_pointed)
        if view.tabs.scene is not None:
            view.tabs.scene.view.pointed = self._on_scene_pointed

    def bind(self, selection):
        self.selection = selection
        selection.probed_changed.connect(self._on_selection_probed_changed)

    def forget(self):
        """A new run: no point of the last one is shown or pinned."""
        if self.selection is not None:
            self.selection.unprobe(pinned=True)

    def point_at(self, alpha, beta, clicked=False):
        """The pointer is on plane coordinates ``(alpha, beta)`` of the surface shown (a click
        when ``clicked``); off the surface, nothing is probed."""
        plane = self.view.plane
        if self.selection is None or plane is None:
            return
        if max(abs(alpha), abs(beta)) > plane.span * (1.0 + 1e-9):
            self.selection.unprobe()
            return
        self.selection.probe(probe_params(plane, alpha, beta), probe_words(plane, alpha, beta),
                             plane.run, pinned=clicked)

    def show_marker(self):
        """Mark the pinned point where it lies on the surface shown (its projection)."""
        plane, result = self.view.plane, self.view.result
        pinned = self.selection.pinned_probe if self.selection is not None else None
        point = None
        if plane is not None and pinned is not None and pinned.run == plane.run \
                and pinned.params.shape == plane.anchor.shape:
            alpha, beta = plane.project(pinned.params[None])[0]
            # (The tolerance of point_at: a point picked on the edge of the plane projects
            # a rounding error beyond it, and its dot went missing.)
            if max(abs(alpha), abs(beta)) <= plane.span * (1.0 + 1e-9):
                height = bilinear(result.heights, result.alphas, result.betas, [(alpha, beta)])
                point = (float(alpha), float(beta), float(height[0]))
        if plane is not None:
            self.view.tabs.show_probe(plane, point)

    # ------------------------------------------------------------------ slots
    @Slot(object, object, bool)
    def _on_contour_pointed(self, x, y, clicked):
        plane = self.view.plane
        if x is None or plane is None:
            if self.selection is not None:
                self.selection.unprobe()
            return
        self.point_at(x - plane.offsets[0], y - plane.offsets[1], clicked)

    def _on_scene_pointed(self, x, y, clicked):
        scene = self.view.tabs.scene
        point = None if x is None or scene is None else scene.pick(x, y)
        if point is None:
            if self.selection is not None and not clicked:
                self.selection.unprobe()
            return
        self.point_at(*point, clicked)

    @Slot(object)
    def _on_selection_probed_changed(self, _probe):
        self.show_marker()

