"""The gradient-norm view: how large each layer's gradient is, step by step, on a log scale.

Vanishing gradients show as the first layers' lines far below the output layer's; exploding
ones as lines that climb by powers of ten. ``model`` (no Qt, tested without a display) says what
to draw, ``canvas`` paints it, ``widget.GradientNormView`` wires them. Nothing is imported here,
so the model loads without Qt.
"""
