"""The anatomy of the cost: the loss of every example, their mean, the penalty, and the sum.

Textbooks draw a line that a single number hides: the *loss* is for one example, the *cost* is
the average of the losses over the data set (plus the regularization penalty). This view shows
the parts, live:

- an equation row, ``cost = mean loss 0.2310 + regularization 0.0040 = 0.2350``, with the
  formula of one example's loss and of the cost;
- a histogram of the training examples' losses (stacked by class for classification), with a
  vertical line at their mean, which is the data part of the cost;
- a sentence on how unevenly the loss is spread (the worst tenth of the examples often carry
  most of it);
- a check box that asks the main window to show each point's loss in the decision-boundary plot
  (signal :attr:`CostAnatomy.point_losses_changed`: the losses, or None when off).

:class:`CostAnatomy` wires the controls to an :class:`~gui.views.cost.anatomy_model.AnatomyModel`
(the numbers and words) and a :class:`~gui.views.cost.anatomy_canvas.HistogramCanvas`.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QFrame, QHBoxLayout, QScrollArea, QVBoxLayout,
                               QWidget)

from gui.views.cost.anatomy_canvas import HistogramCanvas
from gui.views.cost.anatomy_model import AnatomyModel, example_losses
from gui.widgets.labels import FixedLabel


class CostAnatomy(QWidget):
    """Per-example losses, their mean and the cost. Feed it snapshots with :meth:`show_snapshot`.

    Signals
    -------
    point_losses_changed(object)
        The training examples' losses ``(n_train,)`` for the decision-boundary plot while "show
        losses on the data" is on (once per snapshot), or None when it is turned off.
    """

    point_losses_changed = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = AnatomyModel()
        self._snapshot = None
        self._drawn = None       # the snapshot drawn last

        # Both wrap into a line more in a narrow column (a 1280-pixel-wide window cut them).
        self.equation = FixedLabel(2, wrap=True)
        self.equation.setToolTip(
            "The cost the optimizer minimizes, as the sum of its parts: the mean over the training\n"
            "examples of each one's loss, plus the regularization penalty on the weights\n"
            "(L1: λ·Σ|w|, L2: λ/2·Σw²; none when regularization is off).")
        self.formula = FixedLabel(3, wrap=True)
        self.formula.setStyleSheet("color: #333;")
        self.formula.setToolTip(
            "The loss ℓ is a function of one example (its target y and the network's prediction ŷ);\n"
            "the cost C is a function of the weights: the average loss over the whole data set.")
        self.spread = FixedLabel(2, wrap=True)  # one line is too short in a narrow column
        self.spread.setStyleSheet("color: #444;")
        self.spread.setToolTip(
            "How unevenly the loss is spread over the examples: when a few examples carry most\n"
            "of it, the gradient mostly comes from them (often the misclassified ones).")
        self.on_data_box = QCheckBox("Show losses on the data")
        self.on_data_box.setToolTip(
            "Draw every training point in the decision-boundary plot with a size that grows with\n"
            "its loss (hover over a point to read it): the cost is the average of these.")
        self.canvas = HistogramCanvas()
        self.canvas.setToolTip(
            "Histogram of the training examples' losses: how many examples have a loss in each\n"
            "range. The red line is their mean, the data part of the cost.")
        self.hover = FixedLabel(1)
        self.hover.setStyleSheet("color: #444;")

        top = QVBoxLayout()
        top.setContentsMargins(6, 4, 6, 0)
        top.setSpacing(2)
        top.addWidget(self.equation)
        top.addWidget(self.formula)
        spread_row = QHBoxLayout()
        spread_row.setContentsMargins(6, 0, 6, 0)
        spread_row.addWidget(self.spread)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(6, 0, 6, 4)
        bottom.addWidget(self.hover, 1)
        bottom.addWidget(self.on_data_box)
        # The view scrolls in a tab lower than it needs (a 768-pixel screen) rather than make
        # the column of tabs behind the cost curve taller.
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout.addLayout(top)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(spread_row)
        layout.addLayout(bottom)
        self.equation.fit_height("<b>cost</b> = 0.0 <span style='font-size: large'>Xg</span>"
                                 "<br>Xg")
        self.equation.setText("<b>cost</b> = mean loss + regularization")

        self.on_data_box.toggled.connect(self._on_data_box_toggled)
        self.canvas.hovered.connect(self._on_canvas_hovered)

    # ------------------------------------------------------------------ updates
    @Slot(object)
    def show_snapshot(self, snap):
        """Show the parts of ``snap``'s cost (the histogram only while the view is visible)."""
        self._snapshot = snap
        wants_points = self.on_data_box.isChecked()
        if not (self.isVisible() or wants_points):
            return
        losses = example_losses(snap)
        if wants_points:
            self.point_losses_changed.emit(losses)
        if self.isVisible():
            self._draw(snap, losses)

    def wants_every_snapshot(self) -> bool:
        """Whether every snapshot matters even out of sight: the losses go on the data."""
        return self.on_data_box.isChecked()

    def showEvent(self, event):
        super().showEvent(event)
        # Hidden behind another tab, the view skips its drawing; catch up now.
        if self._snapshot is not None and self._drawn is not self._snapshot:
            self._draw(self._snapshot, example_losses(self._snapshot))

    def _draw(self, snap, losses):
        self._drawn = snap
        model = self.model
        model.update(snap, losses)
        self.equation.setText(model.equation())
        self.formula.setText(model.formula())
        self.formula.setToolTip(model.formula_tooltip())
        self.spread.setText(model.spread())
        if model.counts is None:
            self.canvas.show_nothing()
            return
        self.canvas.set_groups(model.classification, snap.data.n_classes)
        self.canvas.show_bars(model.edges, model.stacked)
        x_range = (float(model.edges[0]), float(model.edges[-1]))
        self.canvas.show_mean(model.mean, x_range)
        ranges = model.axis_range()
        if ranges is not None:
            self.canvas.set_range(*ranges)
        self.canvas.set_x_label(model.x_label())

    # ------------------------------------------------------------------ interaction
    @Slot(bool)
    def _on_data_box_toggled(self, on):
        if on:
            if self._snapshot is not None:
                self.point_losses_changed.emit(example_losses(self._snapshot))
        else:
            self.point_losses_changed.emit(None)

    def set_point_losses_available(self, available):
        """Enable "show losses on the data" (off when the boundary plot cannot show them)."""
        self.on_data_box.setEnabled(bool(available))
        if not available:
            self.on_data_box.setChecked(False)
            self.on_data_box.setToolTip("The decision-boundary plot of this version cannot show "
                                        "per-point losses.")

    @Slot(float)
    def _on_canvas_hovered(self, x):
        text = self.model.hover_text(x)
        if text is not None:
            self.hover.setText(text)
