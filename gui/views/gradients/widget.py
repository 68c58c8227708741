"""The gradient-norm view: :class:`GradientNormView` wires a
:class:`~gui.views.gradients.model.GradientsModel` to a
:class:`~gui.views.gradients.canvas.GradientCanvas` and a readout of the norms now."""
from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gui import style
from gui.views.gradients.canvas import GradientCanvas
from gui.views.gradients.model import GradientsModel
from gui.widgets.labels import FixedLabel


class GradientNormView(QWidget):
    """Each layer's gradient norm over the run. Feed it snapshots with :meth:`show_snapshot`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._palette = None  # the palette the curves were made in
        self.model = GradientsModel()
        self.canvas = GradientCanvas()
        self.canvas.setToolTip(
            "The size ‖g‖ of each layer's part of the gradient (its weights and biases) in the\n"
            "mini-batch update of each step, on a log scale: faint, each step's; solid, their\n"
            "running (geometric) mean. Healthy: the lines stay within a\n"
            "power of ten or two of each other. Vanishing gradients: the first layers' lines\n"
            "sink far below the output layer's, so those layers barely learn. Exploding: lines\n"
            "climb by powers of ten and the steps become huge. A norm of exactly 0 (no gradient\n"
            "at all) lies on the bottom line, labelled 0.")
        # Two lines: it is the legend too (each layer's colour and name), and a deep network
        # has many layers.
        self.readout = FixedLabel(2, wrap=True)
        self.readout.setToolTip("Each layer's colour, and the norm of its part of the gradient "
                                "of the whole training cost at the current weights.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.readout)
        layout.addWidget(self.canvas, 1)

    @Slot(object)
    def show_snapshot(self, snap):
        changed = self.model.update(snap)
        curves = self.model.curves()
        # A theme change also asks for new curves (their colours are the theme's).
        if "layers" in changed or self._palette is not style.current():
            self._palette = style.current()
            self.canvas.set_layers([(name, colour) for name, colour, *_ in curves])
        self.canvas.show_curves(curves, self.model.y_range(), self.model.has_zero)
        self.readout.setText(self.model.readout_html())
