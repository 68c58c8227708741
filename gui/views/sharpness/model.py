"""Sharpness against the learning rate, over training (pure numpy and Python, no Qt).

The sharpness λ_max is the largest eigenvalue of the Hessian of the training cost (regularization
included) at the current weights: how sharply the cost curves along its steepest-walled
direction. Plain gradient descent with learning rate η overshoots along any direction whose
curvature exceeds 2/η, and the error there grows. Cohen et al. ("Gradient descent on neural
networks typically occurs at the edge of stability", ICLR 2021) found that full-batch training
raises λ_max until it reaches 2/η, then hovers there while the cost keeps falling, unevenly.

The training worker measures it when the view asks (:class:`gui.snapshot.Sharpness`:
:func:`core.stability.sharpness`, block Lanczos on exact Hessian-vector products) and hands it
over with the next snapshot. This module makes a :class:`Sample` of such a snapshot, keeps the
run's samples (:class:`SharpnessHistory`: when to ask again, bounded memory) and says what the
newest one means (:func:`readout`).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from core.stability import stability_limit

#: While training runs, a sample at most every SAMPLE_SECONDS, and measuring takes at most
#: BUSY_SHARE of the time (a big network's sample takes longer: it is then taken less often).
SAMPLE_SECONDS = 0.5
BUSY_SHARE = 0.1
#: A request the worker has not answered within this long is asked again (it was lost: the
#: worker was busy elsewhere, opening a file, or stopping).
ANSWER_SECONDS = 5.0
#: Samples kept; when full, every other one goes (the whole run stays, less finely).
CAPACITY = 1000
#: λ_max within this factor of the limit is "at the edge of stability".
EDGE = 0.1
#: The limit line counts in the height of the plot only when it is within this factor of the
#: sharpness (else the curve would be squashed to the floor; a label says where it is).
LIMIT_IN_VIEW = 3.0


@dataclasses.dataclass(frozen=True)
class Sample:
    """The sharpness at ``step`` (``epoch`` fractional): ``values`` the largest eigenvalues,
    largest first; ``learning_rate`` then, the optimizer's ``limit`` (a
    :class:`core.stability.Limit`, or None for an adaptive one); ``products`` Hessian-vector
    products used, ``seconds`` taken; ``params`` the weights measured at."""

    step: int
    epoch: float
    values: tuple
    learning_rate: float
    limit: object
    products: int
    seconds: float
    params: np.ndarray = dataclasses.field(repr=False, compare=False, default=None)


def sample_from(snap) -> Sample:
    """The :class:`Sample` of a snapshot that carries a measured ``sharpness``."""
    config, measured = snap.config, snap.sharpness
    rate = float(snap.metrics["learning_rate"])
    per_epoch = math.ceil(len(snap.arrays.inputs_train) / max(config.batch_size, 1))
    return Sample(snap.step, snap.step / per_epoch, measured.values, rate,
                  stability_limit(config.optimizer, rate, config.momentum), measured.products,
                  measured.seconds, snap.params)


class SharpnessHistory:
    """The samples of one run, oldest first, and when to take the next."""

    def __init__(self):
        self.run = None
        self.samples = []
        self.stride = 1     # keep every stride-th sample offered (doubles when full)
        self._offered = 0

    def start_run(self, run):
        self.run, self.samples, self.stride, self._offered = run, [], 1, 0

    def add(self, sample):
        """Keep ``sample`` (one of the same step replaces the last: weights moved by hand)."""
        if self.samples and self.samples[-1].step == sample.step:
            self.samples[-1] = sample
            return
        self._offered += 1
        if self._offered % self.stride:
            return
        if len(self.samples) >= CAPACITY:
            self.samples = self.samples[::2]
            self.stride *= 2
        self.samples.append(sample)

    def wants(self, snap, since) -> bool:
        """Whether to measure at ``snap``: a new run; else weights not measured yet, at once
        while paused, and every ``SAMPLE_SECONDS`` (or longer, to keep within ``BUSY_SHARE``)
        while training runs. ``since``: seconds since the last measurement was asked for."""
        if snap.run != self.run:
            return True
        last = self.samples[-1] if self.samples else None
        if last is not None and last.step == snap.step and np.array_equal(last.params,
                                                                           snap.params):
            return False
        if not snap.running:
            return True
        busy = last.seconds / BUSY_SHARE if last is not None else 0.0
        return since >= max(SAMPLE_SECONDS, busy)

    def curves(self) -> dict:
        """Arrays to plot: ``epoch``, ``first`` and ``second`` eigenvalue, ``limit`` (NaN where
        the optimizer has none)."""
        s = self.samples
        second = [v.values[1] if len(v.values) > 1 else np.nan for v in s]
        return {"epoch": np.array([v.epoch for v in s]),
                "first": np.array([v.values[0] for v in s]),
                "second": np.array(second, dtype=float),
                "limit": np.array([v.limit.value if v.limit is not None else np.nan
                                   for v in s])}


def y_range(curves):
    """``(low, high, limit_shown)``: the sharpness axis, taking in the limit line when it is
    within ``LIMIT_IN_VIEW`` times the sharpness (``limit_shown``), else leaving it above."""
    values = np.concatenate([curves["first"], curves["second"]])
    values = values[np.isfinite(values)]
    if not len(values):
        return 0.0, 1.0, False
    low, high = min(0.0, float(values.min())), max(float(values.max()), 1e-12)
    limits = curves["limit"][np.isfinite(curves["limit"])]
    shown = bool(len(limits)) and float(limits.max()) <= LIMIT_IN_VIEW * high
    if shown:
        high = max(high, float(limits.max()))
    return low, 1.08 * high if high > 0 else high + 1.0, shown


def readout(sample, optimizer_name="") -> str:
    """What the newest sample means, in a sentence."""
    if sample is None:
        return "Measuring the sharpness…"
    lam = sample.values[0]
    if not math.isfinite(lam):
        return (f"At step {sample.step:,} the Hessian is not finite (the weights are too "
                f"large): no sharpness to show.")
    head = f"λ_max = {lam:.3g} at step {sample.step:,}"
    limit = sample.limit
    if limit is None:
        return (f"{head}. {optimizer_name or 'This optimizer'} scales each weight's step by its "
                f"own gradient history, so no single 2/η limits it; the curve still shows how "
                f"sharp the valley is.")
    where = f"{limit.formula} = {limit.value:.3g}"
    if lam <= 0:
        return f"{head}: the cost curves down or not at all in every direction here."
    ratio = lam / limit.value
    if abs(ratio - 1.0) <= EDGE:
        return (f"{head} ≈ {where}: at the edge of stability (Cohen et al. 2021), where the "
                f"steps along the sharpest direction neither shrink nor grow.")
    if ratio > 1.0:
        return (f"{head} is above {where}: every step overshoots along the sharpest direction "
                f"and the error there grows.")
    return (f"{head} is {100 * ratio:.0f}% of {where}: steps along every direction shrink the "
            f"error.")
