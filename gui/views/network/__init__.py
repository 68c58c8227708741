"""The network diagram: ``model`` (what to draw, no Qt), ``canvas`` (paints it), ``widget``
(:class:`~gui.views.network.widget.NetworkDiagram`: the feature buttons, the readout, the
wiring)."""
