"""What the gradient-norm view draws: no Qt, so it is tested without a display.

:class:`GradientsModel` reads the per-layer gradient norms a snapshot carries (recorded with the
cost history: the norm of each layer's part of the mini-batch gradient of the update that led
to that step) and the full-batch gradient at the snapshot's weights, and gives one curve per
layer of weights against the epoch, and the readout of the norms now.

A mini-batch gradient's norm jumps from step to step, so each layer gets two lines: the norms
themselves, faint, and their running geometric mean over ``SMOOTHING`` of the recorded points
(the mean of log ‖g‖, as the log axis shows it), solid.
"""
from __future__ import annotations

import math

import numpy as np

from core.diagnostics import layer_gradient_norms
from gui import style
from gui.numbers import format_number

#: Layer colours from the first layer (light) to the output layer (dark): depth reads as shade.
COLOURS = ("#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")
#: The same blues for a dark background: from dark to light, so the first layer (lightest on
#: white) keeps the end of the scale that stands out least.
DARK_COLOURS = ("#2f7fc1", "#4a98d3", "#6baed6", "#8fc2e3", "#b3d6ee", "#d6e9f7")
OUTPUT_COLOUR = "#c0392b"
#: Share of the recorded points the running mean spans.
SMOOTHING = 1 / 40
#: Fewest powers of ten the norm axis spans (a narrower one labels every minor tick).
MIN_DECADES = 2


def smoothed(values, window) -> np.ndarray:
    """Centred running geometric mean of positive ``values`` over ``window`` points (NaN where
    the value itself is NaN; NaN values are left out of their neighbours' means)."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(values)
    ok = np.isfinite(logs)
    sums = np.concatenate(([0.0], np.cumsum(np.where(ok, logs, 0.0))))
    counts = np.concatenate(([0], np.cumsum(ok)))
    half = max(int(window), 1) // 2
    index = np.arange(n)
    low, high = np.clip(index - half, 0, n), np.clip(index + half + 1, 0, n)
    total, count = sums[high] - sums[low], counts[high] - counts[low]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok & (count > 0), 10.0 ** (total / np.maximum(count, 1)), np.nan)


def layer_colour(layer, n_layers) -> str:
    """The colour of layer of weights ``layer`` (0 = into the first hidden layer) of
    ``n_layers``: blues from light to dark for the hidden layers, red for the output layer."""
    if layer == n_layers - 1:
        return style.TEST if style.current().dark else OUTPUT_COLOUR
    hidden = max(n_layers - 1, 1)
    colours = DARK_COLOURS if style.current().dark else COLOURS
    return colours[round(layer * (len(colours) - 1) / max(hidden - 1, 1))]


class GradientsModel:
    """The gradient-norm view's state. Feed it snapshots with :meth:`update`."""

    def __init__(self):
        self.names = ()
        self.steps = self.norms = self.epochs = None
        self.now = None
        self.run = None

    def update(self, snap) -> set:
        """Take ``snap``; returns ``{"layers"}`` when the layers changed (a new network)."""
        changed = set()
        layout = snap.layout
        names = tuple(layout.layer_name(i + 1) for i in range(layout.n_layers))
        if names != self.names or snap.run != self.run:
            self.names, self.run = names, snap.run
            changed.add("layers")
        steps, norms = snap.gradient_norms if snap.gradient_norms else ((), ())
        self.steps = np.asarray(steps, dtype=float)
        self.norms = np.asarray(norms, dtype=float).reshape(len(self.steps), -1)
        history = snap.history
        if history is not None and len(history["step"]) == len(self.steps):
            self.epochs = history["epoch"]  # recorded together, at the same steps
        else:
            per_epoch = -(-len(snap.data.X_train) // snap.config.batch_size)
            self.epochs = self.steps / per_epoch
        self.now = (None if snap.gradient is None
                    else layer_gradient_norms(snap.gradient, layout))
        return changed

    def curves(self) -> list:
        """``[(name, colour, epochs, norms, smoothed norms)]``, one per layer of weights.

        A log scale has no 0: a norm of exactly 0 (no gradient at all) is drawn on the bottom
        edge of :meth:`y_range`. Unknown norms (NaN, as at step 0) are left out: every array
        holds finite numbers only, so each line and its mean may be shorter than the history."""
        if self.norms is None:
            return []
        n, window = len(self.names), max(1, round(len(self.steps) * SMOOTHING))
        y_range = self.y_range()
        floor = 10.0 ** y_range[0] if y_range is not None else np.nan
        out = []
        for layer, name in enumerate(self.names):
            y = self.norms[:, layer] if self.norms.shape[1] > layer else np.full(0, np.nan)
            y = np.where(y > 0, np.maximum(y, floor), np.where(y == 0, floor, np.nan))
            mean = smoothed(y, window)
            known = np.isfinite(y)  # the mean is NaN exactly where y is
            out.append((name, layer_colour(layer, n), self.epochs[known], y[known],
                        mean[known]))
        return out

    @property
    def has_zero(self) -> bool:
        """Some recorded norm is exactly 0 (drawn on the bottom edge of :meth:`y_range`)."""
        return self.norms is not None and bool((self.norms == 0).any())

    def y_range(self):
        """``(low, high)`` of the norm axis in powers of ten (log10 units, as the log axis takes
        them): whole decades from the 1st percentile of the non-zero norms (a stray tiny one
        does not squash the rest) to the largest, a decade lower when some norm is 0, at least
        ``MIN_DECADES`` apart; None before there are any."""
        if self.norms is None:
            return None
        finite = self.norms[np.isfinite(self.norms)]
        values = finite[finite > 0]
        if not values.size:
            return (-1.0, 1.0) if finite.size else None
        low = math.floor(math.log10(np.percentile(values, 1))) - bool((finite == 0).any())
        high = max(math.ceil(math.log10(values.max())), low + 1)
        missing = MIN_DECADES - (high - low)
        if missing > 0:
            low, high = low - missing // 2, high + (missing - missing // 2)
        return float(low), float(high)

    def readout_html(self) -> str:
        """The full-batch gradient norm of each layer now (rich text), each in its colour: the
        plot's legend too. Short names (hidden 1, 2, ..., output), so that a deep network's
        fit on two lines."""
        if self.now is None or not len(self.names):
            return ""
        n = len(self.names)
        parts = []
        for i in range(n):
            name = ("output" if i == n - 1 else "hidden 1" if i == 0 else str(i + 1))
            parts.append(f"<span style='white-space: nowrap'><span style='color:"
                         f"{layer_colour(i, n)}'>━━</span> {name} <b>"
                         f"{format_number(float(self.now[i]), 2, sci_digits=1)}</b></span>")
        return "‖g‖ now, whole training set: " + " &nbsp;".join(parts)
