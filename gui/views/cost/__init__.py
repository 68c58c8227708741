"""The cost views: the cost curve (train and test cost against epoch, pinned runs to compare)
and the anatomy of the cost (each example's loss, their mean, the penalty, the sum).

Each is a pure model (``curve_model``, ``anatomy_model``, with ``pins`` and ``limits``: no Qt,
tested without a display), a canvas that only paints (``curve_canvas``, ``anatomy_canvas``) and
a widget that wires them (``curve_widget.CostPlot``, ``anatomy_widget.CostAnatomy``). Nothing is
imported here, so the models load without Qt.
"""
