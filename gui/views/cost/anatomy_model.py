"""The anatomy of the cost, as numbers and words: no Qt, so it is tested without a display.

:class:`AnatomyModel` bins the training examples' losses (stacked by class for
classification) into round-numbered bins, keeps their mean (the data part of the cost), says
how unevenly the loss is spread, and writes the equation and the formulas:
``cost = mean loss 0.2310 + regularization 0.0040 = 0.2350``.

For RMSE the cost is the root of the mean squared error, not a mean of per-example values, so
the histogram holds the squared errors and the equation takes the root of their mean.
"""
from __future__ import annotations

import numpy as np

from core import losses
from gui import style
from gui.numbers import format_number
from gui.views.cost.limits import nice_ceil, nice_range

N_BINS = 30
#: Share of examples whose part of the mean loss the sentence under the plot reports.
TOP_SHARE = 0.1
MEAN_COLOUR = "#c0392b"
NOT_FINITE = "The losses are not finite (training diverged)."


def fmt(value) -> str:
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


class AnatomyModel:
    """The parts of one snapshot's cost. Feed it with :meth:`update`.

    Attributes
    ----------
    losses, values : (n_train,) arrays
        The examples' losses, and what the histogram shows (their squares for RMSE).
    edges : (N_BINS + 1,) array, or None
        The bins, round-numbered; None when no loss is finite.
    counts : (n_groups, N_BINS) int array, or None
        Examples per bin and class (one group for regression).
    mean : float
        Mean of the finite values: the data part of the cost (NaN when none is finite).
    classification : bool
    """

    def __init__(self):
        self.loss = self.config = self.metrics = None
        self.losses = self.values = self.edges = self.counts = None
        self.mean = float("nan")
        self.classification = False
        self._range_key = None

    def update(self, snap, per_example):
        """Bin ``per_example`` (the losses of ``snap``'s training examples)."""
        self.config, self.metrics = snap.config, snap.metrics
        self.loss = losses.get(snap.config.loss)
        self.losses = np.asarray(per_example, dtype=float)
        self.values = values = histogram_values(self.loss.name, self.losses)
        finite = values[np.isfinite(values)]
        self.mean = float(np.mean(finite)) if finite.size else float("nan")
        data = snap.data
        self.classification = data.task in ("binary", "multiclass")
        if finite.size == 0:
            self.edges = self.counts = None
            return
        # Round-numbered bins that change rarely, so the bars do not jitter from frame to frame.
        self.edges = np.linspace(*nice_range(float(finite.min()), float(finite.max())),
                                 N_BINS + 1)
        if self.classification:
            labels = np.asarray(data.y_train, dtype=float).reshape(-1).astype(int)
            groups = [labels == k for k in range(data.n_classes)]
        else:
            groups = [np.ones(len(values), dtype=bool)]
        self.counts = np.array([np.histogram(part[np.isfinite(part)], self.edges)[0]
                                for part in (values[g] for g in groups)])

    @property
    def stacked(self):
        """``(n_groups, N_BINS)``: the running totals over the classes, as the bars stack."""
        return np.cumsum(self.counts, axis=0)

    def axis_range(self):
        """``((x_low, x_high), (0, y_high))`` when it moved, else None.

        The count axis grows at once but shrinks only when the bars fill less than 40% of it:
        a tallest bar that wobbles around a round number must not rescale every frame.
        """
        if self.counts is None:
            return None
        tallest = max(float(self.stacked[-1].max()), 1.0) * 1.05
        y_high = self._range_key[2] if self._range_key else 0.0
        if not 0.4 * y_high <= tallest <= y_high:
            y_high = nice_ceil(tallest)
        key = (float(self.edges[0]), float(self.edges[-1]), y_high)
        if key == self._range_key:
            return None
        self._range_key = key
        return (key[0], key[1]), (0, y_high)

    # ------------------------------------------------------------------ words
    def x_label(self) -> str:
        return ("squared error of one example (RMSE is the root of their mean)"
                if self.loss.name == "rmse" else "loss of one example")

    def equation(self) -> str:
        """``cost = mean loss … + regularization … = …`` (rich text)."""
        m, config = self.metrics, self.config
        reg_off = config.regularization == "none" or config.reg_rate == 0
        reg_text = f"{fmt(m.get('reg_term', 0.0))}" + (" (off)" if reg_off else "")
        cost = f"<b style='color:{style.TRAIN}'>{fmt(m['train_cost'])}</b>"
        if self.loss.name == "rmse":
            data_part = (f"√(mean squared error {fmt(self.mean)}) = "
                         f"<b style='color:{MEAN_COLOUR}'>{fmt(m['train_loss'])}</b>")
        else:
            data_part = f"mean loss <b style='color:{MEAN_COLOUR}'>{fmt(m['train_loss'])}</b>"
        return f"<b>cost</b> = {data_part} + regularization {reg_text} = {cost}"

    def formula(self) -> str:
        """The loss of one example and the cost as formulas, two lines (rich text)."""
        loss, config, n = self.loss, self.config, len(self.values)
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
        return f"{what}: ℓ = {one}<br>the cost: {cost}, n = {n}"

    def formula_tooltip(self) -> str:
        return (f"{self.loss.display_name}. The loss ℓ is a function of one example (its target "
                f"y and the\nnetwork's prediction ŷ); the cost C is a function of the weights: "
                f"the average loss\nover all n = {len(self.values)} training examples"
                + (" (for RMSE, the root of the average)" if self.loss.name == "rmse" else "")
                + ".")

    def spread(self) -> str:
        """How unevenly the loss is spread: the share the worst tenth of the examples carry."""
        values = self.values
        if self.counts is None:
            return NOT_FINITE
        k, fraction = top_share(values)
        worst = float(np.nanmax(values))
        what = "squared error" if self.loss.name == "rmse" else "loss"
        if fraction is None:
            return f"largest {what} {fmt(worst)}"
        return (f"The {k} example{'s' if k > 1 else ''} with the largest {what} "
                f"({round(100 * k / len(values))}%) carry <b>{100 * fraction:.0f}%</b> of the "
                f"mean; largest {fmt(worst)}.")

    def hover_text(self, x):
        """The bin under ``x``: its range and how many examples (per class) fall in it; " "
        outside the bins, None before any."""
        edges, counts = self.edges, self.counts
        if edges is None or counts is None:
            return None
        i = int(np.searchsorted(edges, x) - 1)
        if not 0 <= i < len(edges) - 1:
            return " "
        column = counts[:, i]
        text = (f"loss {fmt(edges[i])} to {fmt(edges[i + 1])}: <b>{int(column.sum())}</b> "
                f"example{'s' if column.sum() != 1 else ''}")
        if len(column) > 1:
            text += " (" + ", ".join(f"class {k}: {int(c)}" for k, c in enumerate(column)) + ")"
        return text
