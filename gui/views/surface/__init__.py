"""The error surface over a plane in weight space: ``model`` (what to show and when, pure),
``geometry`` (shading and contour lines, pure), ``scene`` (the 3-D view), ``contour`` (the
2-D map), ``picker`` (a parameter by layer and neuron) and ``widget`` (:class:`SurfaceView`,
controls and wiring). Import the widget from ``gui.views.surface.widget``: this package
imports nothing, so the pure modules load without Qt."""
