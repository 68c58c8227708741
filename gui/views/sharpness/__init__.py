"""Sharpness against the learning rate (Cohen et al. 2021): ``model`` (pure: samples, when to
ask the training worker for one, what they mean), ``canvas`` (the cost above the sharpness and its 2/η line), ``widget``
(:class:`~gui.views.sharpness.widget.SharpnessView`). Import the widget from its module: this
package imports nothing, so the model loads without Qt."""
