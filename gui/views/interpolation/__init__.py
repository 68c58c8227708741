"""The cost along a straight line in weight space (Goodfellow et al. 2015): ``model`` (pure: the
endpoints, when to compute, what the curve says), ``canvas`` (the plot), ``widget``
(:class:`~gui.views.interpolation.widget.InterpolationView`). Import the widget from its module:
this package imports nothing, so the model loads without Qt."""
