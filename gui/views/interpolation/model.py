"""The cost along a straight line in weight space (pure numpy and Python, no Qt).

Goodfellow, Vinyals and Saxe ("Qualitatively characterizing neural network optimization
problems", ICLR 2015) looked at the cost along θ(α) = θ_a + α(θ_b − θ_a), from the initial
weights θ_a to the trained ones θ_b and a little beyond (α in [−0.5, 1.5]). For many networks
it falls smoothly all the way: the training path, however winding, had no barrier to cross.
Between the weights two runs ended at, a bump says the two solutions lie in different valleys.

The line is computed by :func:`core.landscape.interpolate` (float64, exact at both ends) on the
training and test sets, off the UI thread. This module says which endpoints are offered (the
start of the run, now, the final weights of pinned runs with the same network), when the line
is computed again, and what the curve says in words.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from core import landscape

#: Goodfellow et al.'s range: a little beyond both ends, 201 points.
ALPHAS = np.linspace(-0.5, 1.5, 201)
#: While training runs, the line follows the current weights at most this often (seconds).
LIVE_SECONDS = 0.25
#: A rise between the ends smaller than this share of the costs' range is a ripple, not a
#: barrier (a curve computed live wobbles by that much where the data are noisy).
FLAT = 0.01
START, NOW = "start", "now"


@dataclasses.dataclass(frozen=True, eq=False)
class PinnedWeights:
    """The weights a pinned run had when it was pinned (the cost view's pins), with what it
    takes to tell whether a line can join them to this run's weights."""

    number: int
    colour: str
    params: np.ndarray
    step: int
    arrays: object  # its core.run.RunArrays: the architecture
    tooltip: str = ""

    @property
    def key(self) -> str:
        return f"pin:{self.number}"

    @property
    def name(self) -> str:
        return f"run {self.number}"

    def fits(self, arrays) -> str:
        """"" when a straight line can join these weights to a network of ``arrays``; else why
        not (another network)."""
        mine = self.arrays
        for what, a, b in (("layer sizes", mine.layer_sizes, arrays.layer_sizes),
                           ("activation", mine.activation, arrays.activation),
                           ("output activation", mine.output_activation,
                            arrays.output_activation),
                           ("input features", mine.features, arrays.features)):
            if a != b:
                return f"another network ({what} {a} vs {b} now)"
        return ""


def endpoint_choices(pins, arrays, side):
    """``[(key, text, why_not)]`` for one end of the line (``side`` "a" or "b"): the start of
    this run (a) or now (b), then every pinned run (``why_not`` says why one cannot be used)."""
    first = (START, "the start of this run") if side == "a" else (NOW, "now (current weights)")
    out = [(*first, "")]
    for pin in pins:
        out.append((pin.key, f"{pin.name}, pinned at step {pin.step:,}", pin.fits(arrays)))
    return out


def endpoint_name(key, pins) -> str:
    if key in (START, NOW):
        return key
    return next((pin.name for pin in pins if pin.key == key), key)


def endpoint_params(snap, key, pins):
    """The weights of endpoint ``key`` for snapshot ``snap`` (None if it is gone)."""
    if key == START:
        path = np.asarray(snap.path)
        return path[0] if len(path) else np.asarray(snap.params)
    if key == NOW:
        return np.asarray(snap.params)
    pin = next((pin for pin in pins if pin.key == key), None)
    return None if pin is None or pin.fits(snap.arrays) else pin.params


@dataclasses.dataclass(frozen=True, eq=False)
class Line:
    """The cost along the line from endpoint ``names[0]`` (α = 0) to ``names[1]`` (α = 1):
    ``train`` and ``test`` ``(len(alphas),)``, regularization included (as the cost curve),
    computed at ``step`` of run ``run`` whose weights were ``now``, with ``penalties``
    (l1, l2); ``moved`` is False when both ends are the same weights (the line is a point)."""

    alphas: np.ndarray
    train: np.ndarray
    test: np.ndarray | None
    names: tuple
    keys: tuple
    run: int
    step: int
    moved: bool
    now: np.ndarray
    penalties: tuple


def compute(snap, theta_a, theta_b, names, keys, should_stop=None) -> Line:
    """The line between ``theta_a`` and ``theta_b`` on the snapshot's training and test sets
    (runs off the UI thread; ``should_stop`` is asked between the two)."""
    arrays = snap.arrays
    net = snap.network(theta_a)
    train = landscape.interpolate(net, arrays.inputs_train, arrays.targets_train, arrays.loss,
                                  theta_a, theta_b, ALPHAS, l1=snap.l1, l2=snap.l2)
    test = None
    if len(arrays.inputs_test):
        if should_stop is not None and should_stop():
            raise landscape.Cancelled()
        test = landscape.interpolate(net, arrays.inputs_test, arrays.targets_test, arrays.loss,
                                     theta_a, theta_b, ALPHAS, l1=snap.l1, l2=snap.l2)
    return Line(ALPHAS, train, test, tuple(names), tuple(keys), snap.run, snap.step,
                bool(np.any(theta_a != theta_b)), snap.params, (snap.l1, snap.l2))


def _between(alphas, costs):
    inside = (alphas >= 0) & (alphas <= 1)
    return alphas[inside], costs[inside]


def barrier(alphas, costs) -> tuple:
    """``(height, alpha)``: how far the cost between the ends (α in [0, 1]) rises above the
    higher of its two ends, at most, and where (height ≤ 0: never above). The loss barrier
    between two solutions (Frankle et al. 2020)."""
    a, c = _between(alphas, costs)
    k = int(np.nanargmax(c))
    return float(c[k] - max(c[0], c[-1])), float(a[k])


def climb(alphas, costs) -> tuple:
    """``(height, alpha)``: the largest rise on the way from α = 0 to α = 1 (the most a ball
    rolling along the line would have to climb: max over α₁ < α₂ of C(α₂) − C(α₁)), and the
    α where that rise ends."""
    a, c = _between(alphas, costs)
    rise = c - np.minimum.accumulate(c)
    k = int(np.nanargmax(rise))
    return float(rise[k]), float(a[k])


def falls_all_the_way(alphas, costs) -> bool:
    """Whether the cost never rises by more than ``FLAT`` of its range from α = 0 to α = 1."""
    _, c = _between(alphas, costs)
    spread = float(np.nanmax(c) - np.nanmin(c))
    return climb(alphas, costs)[0] <= FLAT * max(spread, 1e-12)


def summary(line) -> str:
    """What the curve says, in a sentence or two."""
    a, b = line.names
    _, c = _between(line.alphas, line.train)
    ends = f"Train cost {c[0]:.4g} at {a} (α = 0), {c[-1]:.4g} at {b} (α = 1)."
    if not line.moved:
        return (f"{ends} Both ends are the same weights: press Play or Step, and the line "
                f"from {a} to {b} appears." if a == START else
                f"{ends} Both ends are the same weights: choose two different ones.")
    spread = float(np.nanmax(c) - np.nanmin(c))
    if START in (a, b):  # from where training began: does the cost fall all the way?
        if falls_all_the_way(line.alphas, line.train):
            return (f"{ends} It falls all the way along the straight line (ripples under "
                    f"{100 * FLAT:.0f}% of its range aside): nothing stood between {a} and {b}.")
        height, where = climb(line.alphas, line.train)
        return (f"{ends} On the way it climbs {height:.3g} (up to α = {where:.2f}): the "
                f"straight line crosses a bump, which training went around or over.")
    height, where = barrier(line.alphas, line.train)
    if height <= FLAT * max(spread, 1e-12):
        return f"{ends} No barrier: a straight path of low cost joins them."
    return (f"{ends} In between the cost rises {height:.3g} above the higher end (at α = "
            f"{where:.2f}): a barrier, so the two solutions lie in different valleys.")


def due(line, keys, snap, running, seconds_since) -> bool:
    """Whether to compute the line again for ``snap``: other endpoints, another run or other
    regularization; else, when one end is now and the weights moved (trained, or moved by
    hand), at once while paused and every ``LIVE_SECONDS`` while training runs."""
    if line is None or line.keys != tuple(keys) or line.run != snap.run \
            or line.penalties != (snap.l1, snap.l2):
        return True
    if NOW not in keys or np.array_equal(line.now, snap.params):
        return False
    return seconds_since >= LIVE_SECONDS if running else True
