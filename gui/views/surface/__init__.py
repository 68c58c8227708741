"""The error surface over a plane in weight space.

Pure (no Qt, tested without a display): ``model`` (planes, computed surfaces, the path's real
costs and the plane's fidelity), ``policy`` (which plane, and when a new one) and ``geometry``
(shading, contour lines, round ticks, the camera that shows the path). Qt: ``requests`` (the
surface thread), ``scene`` and ``glview`` (the 3-D view), ``contour`` (the 2-D map), ``display``
(both in tabs), ``controls`` and ``picker`` (what the learner asks), ``widget``
(:class:`~gui.views.surface.widget.SurfaceView`, the wiring). Import the widget from
``gui.views.surface.widget``: this package imports nothing, so the pure modules load without Qt.
"""
