"""The two pictures of the error surface in tabs: the 3-D scene and the contour map.

:class:`SurfaceTabs` paints what the widget hands it on both (a surface, the path, an empty
frame with a few words) and chooses the camera; it decides nothing about planes. Where OpenGL
is missing or does not start, it holds the contour map alone, with a line saying why.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QFileDialog, QTabWidget

from gui.views.surface.contour import ContourMap
from gui.views.surface.scene import CAMERAS, Scene3D, opengl_problem


class SurfaceTabs(QTabWidget):
    """The 3-D scene (``scene``, None without OpenGL) and the contour map (``contour``).

    ``paint_ms`` is how long the last 3-D path update took to draw (the widget slows down when
    drawing is slow).
    """

    def __init__(self, use_opengl=None, parent=None):
        super().__init__(parent)
        self.setDocumentMode(True)
        self.contour = ContourMap()
        self.scene = None
        self.paint_ms = 0.0
        self._aimed = None      # the camera angles last chosen for the learner
        self._contour_due = None  # (plane, result) the contour map is yet to show
        self.currentChanged.connect(self._show_contour_surface)
        self._gl_checks = 0
        problem = opengl_problem(use_opengl)
        if problem is None:
            try:
                self.scene = Scene3D()
            except Exception as err:  # noqa: BLE001 - fall back to the contour map
                problem = f"the 3-D view could not be created ({err})"
        self.gl_container = None if self.scene is None else self.scene.tab
        if self.scene is not None:
            self.addTab(self.gl_container, "3-D surface")
        else:
            self.contour.set_notice(f"3-D view unavailable: {problem}. Showing the contour map.")
        self.addTab(self.contour, "Contour map")

    def restyle(self):
        """Repaint the 3-D scene in the current palette (the plots follow by themselves)."""
        if self.scene is not None:
            self.scene.restyle()

    def gl_available(self) -> bool:
        """Whether the 3-D view is live (OpenGL started)."""
        return self.scene is not None and self.scene.is_valid()

    def showing_3d(self) -> bool:
        return self.scene is not None and self.currentWidget() is self.gl_container

    # ------------------------------------------------------------------ painting
    def show_surface(self, plane, result, zrange, running=False):
        """``result`` of ``plane`` on both pictures; the 3-D box's height axis is ``zrange``.

        While training runs (``running``) and the 3-D view is in front, the contour map, out
        of sight, gets the surface when it is shown (a new plane comes twice a second then, and
        the map's contours and colour bar took 8 ms of the UI thread each time)."""
        if self.scene is not None:
            # The 3-D axis and the legend label their ticks with costs, on the log scale too.
            self.scene.set_surface(plane, result, "cost (log scale)" if result.log else "cost",
                                   zrange)
        self._contour_due = (plane, result)
        if not (running and self.showing_3d()):
            self._show_contour_surface()

    def _show_contour_surface(self):
        if self._contour_due is None:
            return
        plane, result = self._contour_due
        self._contour_due = None
        off_a, off_b = plane.offsets
        segments = result.segments.copy()
        segments[:, :2] += (off_a, off_b)
        self.contour.set_surface(result.alphas + off_a, result.betas + off_b, result.heights,
                                 segments, plane.labels, "log₁₀ cost" if result.log else "cost")

    def show_path(self, plane, drawn, paint=True):
        """The path (a :class:`~gui.views.surface.model.PathOnPlane`) on the picture on screen
        (the other one catches up when it is shown); with ``paint`` False the 3-D view is
        painted by the next :meth:`paint_now` (a caller with more to change paints once)."""
        if self.showing_3d():
            self.scene.set_path(drawn.xy, drawn.heights, drawn.under, plane.span)
            if paint:
                self.paint_now()
        else:
            self.contour.set_path(drawn.xy + np.asarray(plane.offsets))

    def paint_now(self):
        """Paint the 3-D view now if it is on screen (see :meth:`Scene3D.paint_now`)."""
        if self.showing_3d():
            start = time.perf_counter()
            self.scene.paint_now()
            self.paint_ms = 1000.0 * (time.perf_counter() - start)

    def show_probe(self, plane, point):
        """Mark the picked point ``(α, β, height)`` (plane units) on both pictures, or none."""
        self.contour.set_probe(None if point is None else
                               (point[0] + plane.offsets[0], point[1] + plane.offsets[1]))
        if self.scene is not None:
            self.scene.set_probe(point)

    def clear(self, lines=()):
        """No surface; ``lines`` of text in the middle of the 3-D view instead."""
        self._contour_due = None
        self.contour.clear()
        if self.scene is not None:
            for item in self.scene.data_items:
                item.setVisible(False)
            self.scene.clear_frame(lines)  # no box, ticks or titles of the last plane

    def aim(self, plane, result, drawn, keep=False):
        """The camera that shows the path best, near the mode's usual one; with ``keep``, near
        the camera as it is, and only if the learner has not turned it since it was aimed."""
        if self.scene is None:
            return
        if keep and self.scene.angles() != self._aimed:
            return  # the learner chose this view
        preferred = self.scene.angles() if keep else CAMERAS[plane.mode]
        if drawn is None:
            self.scene.reset_camera(angles=preferred)
            self._aimed = preferred
        else:
            self._aimed = self.scene.aim(plane, result, drawn.xy, drawn.heights, preferred)

    def export_png(self, path) -> bool:
        """Save the picture on screen (the 3-D view with its legend, or the map) as a PNG."""
        return bool(self.grab_image().save(str(path), "PNG"))

    def ask_export(self, parent) -> str:
        """Ask where to save the picture as a PNG and save it; what went wrong, or ""."""
        path, _ = QFileDialog.getSaveFileName(parent, "Export the view as PNG",
                                              "costscape-surface.png", "PNG images (*.png)")
        if path and not path.lower().endswith(".png"):
            path += ".png"
        return f"Could not write {path}." if path and not self.export_png(path) else ""

    def grab_image(self):
        """The picture on screen as an image (the 3-D view with its colour bar)."""
        if self.showing_3d() and self.gl_available():
            return self.scene.grab()
        return self.currentWidget().grab().toImage()

    # ------------------------------------------------------------------ OpenGL that fails
    def showEvent(self, event):
        super().showEvent(event)
        if self.scene is not None and self._gl_checks == 0:
            QTimer.singleShot(50, self._check_gl)

    @Slot()
    def _check_gl(self):
        """Fall back to the contour map if OpenGL did not start (a grey box helps no one)."""
        if self.scene is None or self.scene.is_valid():
            return
        self._gl_checks += 1
        if not self.scene.widget.isVisible() or self._gl_checks < 30:
            if self._gl_checks < 100:
                QTimer.singleShot(100, self._check_gl)
            return
        self.removeTab(self.indexOf(self.gl_container))
        self.gl_container.hide()
        self.scene = None
        self.contour.set_notice("3-D view unavailable: OpenGL did not start on this display. "
                                "Showing the contour map.")
