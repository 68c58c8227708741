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

For RMSE the cost is the root of the mean squared error, not a mean of per-example values, so
the histogram shows the squared errors and the equation takes the root of their mean.
"""
from __future__ import annotations


import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from core import losses
from gui import style
from gui.numbers import format_number
from gui.plots.cost_plot import FixedLabel, nice_ceil

N_BINS = 30
#: Share of examples whose part of the mean loss the sentence under the plot reports.
TOP_SHARE = 0.1
MEAN_COLOUR = "#c0392b"
REGRESSION_FILL = "#7fa7c9"


def _fmt(value) -> str:
    return format_number(value, 4, fixed=True)


def example_losses(snap) -> np.ndarray:
    """The loss of every training example at the snapshot's weights, ``(n_train,)``.

    Read from ``snap.train_losses`` when the snapshot carries them; otherwise computed here from
    the snapshot's weights (the same numbers, a little slower).
    """
    values = getattr(snap, "train_losses", None)
    if values is not None:
        return np.asarray(values, dtype=float)
    arrays = snap.arrays
    with np.errstate(all="ignore"):
        return arrays.loss.per_example(arrays.targets_train,
                                       snap.network().predict(arrays.inputs_train))


def histogram_values(loss_name, per_example) -> np.ndarray:
    """What the histogram shows: the per-example losses, or for RMSE the squared errors."""
    values = np.asarray(per_example, dtype=float)
    return values * values if loss_name == "rmse" else values


def top_share(values, share=TOP_SHARE):
    """``(k, fraction)``: the ``k`` largest values (a ``share`` of them) hold ``fraction`` of the
    total; ``fraction`` is None when the total is not positive."""
    values = np.sort(np.asarray(values, dtype=float))[::-1]
    k = max(1, round(share * len(values)))
    total = float(values.sum())
    if not (total > 0 and np.all(values >= 0)):
        return k, None
    return k, float(values[:k].sum()) / total


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
        self._snapshot = None
        self._drawn = None       # the snapshot drawn last
        self._x_key = None
        self._class_key = None
        self.values = None       # what the histogram shows, (n_train,)
        self.losses = None       # per-example losses, (n_train,)
        self.counts = None       # (n_groups, N_BINS) counts per class (stacked when drawn)
        self._bars_key = None
        self.edges = None

        self.equation = FixedLabel(1)
        self.equation.setToolTip(
            "The cost the optimizer minimizes, as the sum of its parts: the mean over the training\n"
            "examples of each one's loss, plus the regularization penalty on the weights\n"
            "(L1: λ·Σ|w|, L2: λ/2·Σw²; none when regularization is off).")
        self.formula = FixedLabel(2)
        self.formula.setStyleSheet("color: #333;")
        self.formula.setToolTip(
            "The loss ℓ is a function of one example (its target y and the network's prediction ŷ);\n"
            "the cost C is a function of the weights: the average loss over the whole data set.")
        self.spread = FixedLabel(1)
        self.spread.setStyleSheet("color: #444;")
        self.spread.setToolTip(
            "How unevenly the loss is spread over the examples: when a few examples carry most\n"
            "of it, the gradient mostly comes from them (often the misclassified ones).")
        self.on_data_box = QCheckBox("Show losses on the data")
        self.on_data_box.setToolTip(
            "Draw every training point in the decision-boundary plot with a size that grows with\n"
            "its loss (hover over a point to read it): the cost is the average of these.")
        self.on_data_box.toggled.connect(self._on_data_box_toggled)

        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setMinimumHeight(150)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setLabel("bottom", "loss of one example")
        self.plot.setLabel("left", "examples")
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextSize="9pt")
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 200))
        self.bars = []           # one step curve per class (stacked), or one for regression
        self.mean_line = pg.InfiniteLine(angle=90, movable=False,
                                         pen=pg.mkPen(MEAN_COLOUR, width=2),
                                         label="mean {value:.3g}", labelOpts={
                                             "position": 0.92, "color": MEAN_COLOUR,
                                             "fill": pg.mkBrush(255, 255, 255, 210)})
        self.mean_line.setZValue(20)
        self.mean_line.setVisible(False)
        self.plot.addItem(self.mean_line, ignoreBounds=True)
        self.plot_widget.setToolTip(
            "Histogram of the training examples' losses: how many examples have a loss in each\n"
            "range. The red line is their mean, the data part of the cost.")
        self.hover = FixedLabel(1)
        self.hover.setStyleSheet("color: #444;")
        self.plot_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)

        top = QVBoxLayout()
        top.setContentsMargins(6, 4, 6, 0)
        top.setSpacing(2)
        top.addWidget(self.equation)
        top.addWidget(self.formula)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(6, 0, 6, 4)
        bottom.addWidget(self.hover, 1)
        bottom.addWidget(self.on_data_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.plot_widget, 1)
        spread_row = QHBoxLayout()
        spread_row.setContentsMargins(6, 0, 6, 0)
        spread_row.addWidget(self.spread)
        layout.addLayout(spread_row)
        layout.addLayout(bottom)
        self.equation.fit_height("<b>cost</b> = 0.0 <span style='font-size: large'>Xg</span>")
        self.equation.setText("<b>cost</b> = mean loss + regularization")

    # ------------------------------------------------------------------ updates
    @Slot(object)
    def show_snapshot(self, snap):
        """Show the parts of ``snap``'s cost (the histogram only while the view is visible)."""
        self._snapshot = snap
        wants_points = self.on_data_box.isChecked()
        if not (self.isVisible() or wants_points):
            return
        self.losses = example_losses(snap)
        if wants_points:
            self.point_losses_changed.emit(self.losses)
        if self.isVisible():
            self._draw(snap)

    def showEvent(self, event):
        super().showEvent(event)
        # Hidden behind another tab, the view skips its drawing; catch up now.
        if self._snapshot is not None and self._drawn is not self._snapshot:
            self.losses = example_losses(self._snapshot)
            self._draw(self._snapshot)

    def _draw(self, snap):
        self._drawn = snap
        config, data, m = snap.config, snap.data, snap.metrics
        loss = losses.get(config.loss)
        self.values = values = histogram_values(loss.name, self.losses)
        finite = values[np.isfinite(values)]
        self._set_equation(loss, config, m, finite)
        self._set_formula(loss, config, len(values))
        if finite.size == 0:
            for bar in self.bars:
                bar.setData([], [])
            self.mean_line.setVisible(False)
            self.spread.setText("The losses are not finite (training diverged).")
            return

        # Round-numbered bins that change rarely, so the bars do not jitter from frame to frame.
        low, high = float(finite.min()), float(finite.max())
        x_low = 0.0 if low >= 0 else -nice_ceil(-low)
        x_high = nice_ceil(high) if high > 0 else 0.0
        if x_high <= x_low:
            x_high = x_low + 1.0
        self.edges = edges = np.linspace(x_low, x_high, N_BINS + 1)
        groups = self._groups(data, len(values))
        counts = np.array([np.histogram(finite_part, edges)[0]
                           for finite_part in (values[g][np.isfinite(values[g])]
                                               for g in groups)])
        self._ensure_bars(data)
        stacked = np.cumsum(counts, axis=0)
        # The bars change less often than the frames come: redraw them only when they do.
        if (self.counts is None or self.counts.shape != counts.shape
                or not np.array_equal(self.counts, counts) or self._bars_key != self._x_key_for(
                    edges)):
            self._bars_key = self._x_key_for(edges)
            for bar, top in zip(self.bars, stacked):
                bar.setData(edges, top.astype(float))
        self.counts = counts
        mean = float(np.mean(finite))
        self.mean_line.setVisible(True)  # first: a hidden line's label does not follow it
        if abs(mean - self.mean_line.value()) > 1e-4 * (x_high - x_low):
            self.mean_line.setPos(mean)
        # The count axis grows at once but shrinks only when the bars fill less than 40% of
        # it: a tallest bar that wobbles around a round number must not rescale every frame.
        tallest = max(float(stacked[-1].max()), 1.0) * 1.05
        y_high = self._x_key[2] if self._x_key else 0.0
        if not 0.4 * y_high <= tallest <= y_high:
            y_high = nice_ceil(tallest)
        key = (x_low, x_high, y_high)
        if key != self._x_key:
            self._x_key = key
            self.plot.vb.setRange(xRange=(x_low, x_high), yRange=(0, y_high), padding=0.02)
        self.plot.setLabel("bottom", "squared error of one example (RMSE is the root of their "
                                     "mean)" if loss.name == "rmse" else "loss of one example")
        self._set_spread(values, loss)

    @staticmethod
    def _x_key_for(edges):
        return (float(edges[0]), float(edges[-1]), len(edges))

    def _groups(self, data, n):
        if data.task in ("binary", "multiclass"):
            labels = np.asarray(data.y_train, dtype=float).reshape(-1).astype(int)
            return [labels == k for k in range(data.n_classes)]
        return [np.ones(n, dtype=bool)]

    def _ensure_bars(self, data):
        classification = data.task in ("binary", "multiclass")
        key = (classification, data.n_classes if classification else 1)
        if key == self._class_key:
            return
        self._class_key = key
        self.counts = None
        for bar in self.bars:
            self.plot.removeItem(bar)
            self.legend.removeItem(bar)
        self.bars = []
        colours = ([style.class_colour(k) for k in range(key[1])] if classification
                   else [REGRESSION_FILL])
        for k, colour in enumerate(colours):
            fill = pg.mkColor(colour)
            fill.setAlpha(200)
            bar = pg.PlotDataItem(stepMode="center", fillLevel=0, brush=pg.mkBrush(fill),
                                  pen=pg.mkPen(colour, width=1))
            # Each curve is the running total up to its class: the later ones lie behind.
            bar.setZValue(-k)
            self.plot.addItem(bar)
            if classification:
                self.legend.addItem(bar, f"class {k}")
            self.bars.append(bar)
        self.legend.setVisible(classification)

    # ------------------------------------------------------------------ words
    def _set_equation(self, loss, config, m, finite):
        reg = m.get("reg_term", 0.0)
        reg_off = config.regularization == "none" or config.reg_rate == 0
        reg_text = f"{_fmt(reg)}" + (" (off)" if reg_off else "")
        cost = f"<b style='color:{style.TRAIN}'>{_fmt(m['train_cost'])}</b>"
        if loss.name == "rmse":
            mse = float(np.mean(finite)) if finite.size else float("nan")
            data_part = (f"√(mean squared error {_fmt(mse)}) = "
                         f"<b style='color:{MEAN_COLOUR}'>{_fmt(m['train_loss'])}</b>")
        else:
            data_part = f"mean loss <b style='color:{MEAN_COLOUR}'>{_fmt(m['train_loss'])}</b>"
        self.equation.setText(f"<b>cost</b> = {data_part} + regularization {reg_text} = {cost}")

    def _set_formula(self, loss, config, n):
        one = (losses.get("mse").formula if loss.name == "rmse" else loss.formula)
        if config.regularization == "l1" and config.reg_rate > 0:
            penalty = f" + λ·Σ|w| (λ = {config.reg_rate:g})"
        elif config.regularization == "l2" and config.reg_rate > 0:
            penalty = f" + λ/2·Σw² (λ = {config.reg_rate:g})"
        else:
            penalty = ""
        if loss.name == "rmse":
            cost = f"C = √((1/n)·Σ<sub>i</sub> ℓ<sub>i</sub>){penalty}"
        else:
            cost = f"C = (1/n)·Σ<sub>i</sub> ℓ<sub>i</sub>{penalty}"
        what = "one example's squared error" if loss.name == "rmse" else "one example's loss"
        self.formula.setText(f"{what}: ℓ = {one}<br>the cost: {cost}, n = {n}")
        self.formula.setToolTip(
            f"{loss.display_name}. The loss ℓ is a function of one example (its target y and the\n"
            f"network's prediction ŷ); the cost C is a function of the weights: the average loss\n"
            f"over all n = {n} training examples" + (" (for RMSE, the root of the average)"
                                                    if loss.name == "rmse" else "") + ".")

    def _set_spread(self, values, loss):
        k, fraction = top_share(values)
        worst = float(np.nanmax(values))
        what = "squared error" if loss.name == "rmse" else "loss"
        if fraction is None:
            self.spread.setText(f"largest {what} {_fmt(worst)}")
            return
        self.spread.setText(
            f"The {k} example{'s' if k > 1 else ''} with the largest {what} "
            f"({round(100 * k / len(values))}%) carry <b>{100 * fraction:.0f}%</b> of the mean; "
            f"largest {_fmt(worst)}.")

    # ------------------------------------------------------------------ interaction
    @Slot(bool)
    def _on_data_box_toggled(self, on):
        if on:
            if self._snapshot is not None:
                self.losses = example_losses(self._snapshot)
                self.point_losses_changed.emit(self.losses)
        else:
            self.point_losses_changed.emit(None)

    def set_point_losses_available(self, available):
        """Enable "show losses on the data" (off when the boundary plot cannot show them)."""
        self.on_data_box.setEnabled(bool(available))
        if not available:
            self.on_data_box.setChecked(False)
            self.on_data_box.setToolTip("The decision-boundary plot of this version cannot show "
                                        "per-point losses.")

    def _on_mouse_moved(self, pos):
        edges, counts = self.edges, self.counts
        vb = self.plot.vb
        if edges is None or counts is None or not vb.sceneBoundingRect().contains(pos):
            return
        x = vb.mapSceneToView(pos).x()
        i = int(np.searchsorted(edges, x) - 1)
        if not 0 <= i < len(edges) - 1:
            self.hover.setText(" ")
            return
        column = counts[:, i]
        text = (f"loss {_fmt(edges[i])} to {_fmt(edges[i + 1])}: <b>{int(column.sum())}</b> "
                f"example{'s' if column.sum() != 1 else ''}")
        if len(column) > 1:
            text += " (" + ", ".join(f"class {k}: {int(c)}" for k, c in enumerate(column)) + ")"
        self.hover.setText(text)
