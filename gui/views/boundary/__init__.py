"""The decision-boundary view: ``model`` (what to show, no Qt), ``canvas`` (the pyqtgraph
items), ``widget`` (:class:`~gui.views.boundary.widget.BoundaryPlot`: the draw bar, the
wiring)."""
