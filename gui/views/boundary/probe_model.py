"""The network at a point of the error surface, as the boundary view overlays it (pure numpy,
no Qt; the outputs are computed off the UI thread).

A :class:`gui.selection.Probe` holds weights the learner points at on the surface. Here they get
the same grid the boundary view colours (the snapshot's :class:`~gui.snapshot.BoundaryGrid`), the
run's cost and accuracy on the training and test sets (:class:`core.metrics.RunScorer`), and
the lines the overlay draws: the decision boundary (the output at the threshold; between classes
for several), a few level lines of a prediction, or the fitted curve of one input.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from core import features
from gui.widgets.contours import contour_segments

#: Level lines of a two-input regression network's output (evenly inside the colour range).
REGRESSION_LEVELS = 5


@dataclasses.dataclass(frozen=True, eq=False)
class ProbeOutput:
    """The probed network's ``values`` on the snapshot's grid (shaped like its values) and its
    ``scores`` (``RunScorer.score`` without reports: train/test cost and accuracy...)."""

    probe: object
    values: np.ndarray
    scores: dict


def compute(snap, probe, scorer) -> ProbeOutput:
    """The network of ``snap``'s run with ``probe.params``, over ``snap.grid`` (runs in a
    thread of its own: reads only frozen arrays and makes its own network)."""
    net = snap.network(probe.params)
    grid = snap.grid
    if grid.ys is None:
        points = grid.xs[:, None]
    else:
        gx, gy = np.meshgrid(grid.xs, grid.ys)
        points = np.column_stack([gx.ravel(), gy.ravel()])
    with np.errstate(all="ignore"):
        values = net.predict(features.transform(points, snap.arrays.features))
        scores = scorer.score(net, snap.l1, snap.l2, reports=False)
    values = np.nan_to_num(values, nan=0.0, posinf=1e30, neginf=-1e30)
    return ProbeOutput(probe, values.reshape(grid.values.shape), scores)


def lines(mode, values, xs, ys, threshold, levels=None) -> tuple:
    """What the overlay draws for ``values`` (the probe's grid outputs): ``(x, y)`` arrays,
    segment ends in pairs for the modes of a plane, one polyline for a curve.

    - ``binary``: the decision boundary, the output's level line at ``threshold``;
    - ``multiclass``: where each class stops being the most probable (p_k − max_{j≠k} p_j = 0);
    - ``regression2d``: ``REGRESSION_LEVELS`` level lines inside ``levels`` (lo, hi);
    - ``curve``: the fitted function itself.
    """
    if mode == "curve":
        return np.asarray(xs, dtype=float), np.asarray(values[:, 0], dtype=float)
    if mode == "binary":
        fields = [(values[..., 0], [threshold])]
    elif mode == "multiclass":
        fields = []
        for k in range(values.shape[-1]):
            others = np.delete(values, k, axis=-1).max(axis=-1)
            fields.append((values[..., k] - others, [0.0]))
    elif mode == "regression2d":
        lo, hi = levels
        fields = [(values[..., 0], np.linspace(lo, hi, REGRESSION_LEVELS + 2)[1:-1])]
    else:
        return np.empty(0), np.empty(0)
    segments = [contour_segments(field, xs, ys, heights) for field, heights in fields]
    segments = np.vstack(segments) if segments else np.empty((0, 3))
    return segments[:, 0], segments[:, 1]


def _percent(value) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def caption_html(output, mode) -> str:
    """The short caption in the plot: what the dashed line is, and of which weights."""
    where = "the point you clicked" if output.probe.pinned else "the pointer"
    line = {"binary": "decision boundary", "multiclass": "class boundaries",
            "regression2d": "level lines", "curve": "fitted curve"}.get(mode, "output")
    return f"<div style='font-size:8pt'><b>┅ {line} of the weights at {where}</b></div>"


def summary(output, task) -> str:
    """The line under the plot, most telling first (a small plot cuts it short): the cost and
    accuracy (R² for regression) on the training set, then the test set, then where the
    weights are."""
    probe, scores = output.probe, output.scores
    if task == "regression":
        score, train, test = "R²", f"{scores['train_r2']:.3f}", f"{scores['test_r2']:.3f}"
    else:
        score, train, test = ("accuracy", _percent(scores["train_accuracy"]),
                              _percent(scores["test_accuracy"]))
    return (f"┅ cost {scores['train_cost']:.3g}, {score} {train} (test "
            f"{scores['test_cost']:.3g}, {test}) · {probe.words}")
