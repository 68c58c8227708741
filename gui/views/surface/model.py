"""What the error-surface view shows and when: planes, computed surfaces and the plane policy.

Pure numpy and Python (no Qt): the widget asks :class:`PlanePolicy` which plane to show for a
snapshot, hands :func:`compute_surface` to a thread, and gives the :class:`SurfaceResult` to the
scene and the contour map, which only paint. Everything here is tested without a display.

The view shows ``f(α, β) = J(θ₀ + α·d1 + β·d2)``: the training cost (mean loss plus the
regularization penalty, what the optimizer minimizes) over a plane through the *anchor* θ₀.
The modes (the learner picks one):

- **two weights**: ``d1``, ``d2`` are unit vectors on two parameters, so the surface is the true
  cost as those two change with every other parameter held at its anchor value;
- **two random directions**, filter-normalized (Li et al. 2018), with a new seed on request;
- **the principal directions of the path** trained so far (the plane the path lies closest to).

The anchor is the weights when the run started or when the learner pressed "Re-centre here".
The principal plane passes through the current weights instead, and with "Follow the path" it
is made again each time the step count has doubled, or when the ball leaves it (at most every
``FOLLOW_MIN_SECONDS``, and only once the last plane is on screen).
"""
from __future__ import annotations

import dataclasses
import functools
import math
import time

import numpy as np

from core import landscape
from gui.views.surface.geometry import contour_levels, contour_segments

#: Axis modes, in the order of the "Axes" list.
MODES = ("weights", "random", "pca")
MODE_TITLES = {
    "weights": "Two weights",
    "random": "Two random directions",
    "pca": "Principal directions of the path",
}
#: Grid resolutions offered (points per axis); the preview's comes first whatever is chosen.
RESOLUTIONS = (15, 30, 60, 100)
PREVIEW_RESOLUTION = 15
DEFAULT_RESOLUTION = 60
#: Default half-widths of the plane per mode (weight units for weights, direction units for
#: random directions); None means "fit the path" (principal directions).
DEFAULT_SPANS = {"weights": 3.0, "random": 1.0, "pca": None}
SPAN_MIN, SPAN_MAX = 0.1, 100.0
#: Nice spans the path-fitting rounds up to.
_NICE_SPANS = (0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0, 20.0, 30.0, 50.0, 75.0, 100.0)
#: Path points the principal directions need.
PCA_MIN_POINTS = 3
#: The mode a new view starts in: the plane of the path is the one in which the ball is seen
#: rolling down (over two weights or random directions the path leaves the plane, and the
#: cost under it can rise while the real cost falls).
DEFAULT_MODE = "pca"
#: Following the path, the principal plane is made again once the step count has grown by
#: this factor since the plane was made (or the ball leaves it): a few planes early in
#: training, when the path turns most, and ever fewer later.
FOLLOW_GROWTH = 2.0
#: ... but not more often than this (seconds), nor while the last plane is still being
#: computed: at full speed the step count doubles many times a second early on, and each new
#: plane costs a surface that would take the cores from the views and the training.
FOLLOW_MIN_SECONDS = 2.0
#: Precision of the surface evaluation: float32 is about twice as fast and, for a picture,
#: exact enough (core.landscape.surface documents the error).
SURFACE_DTYPE = np.float32
#: A current point that moved less than this fraction of the span is redrawn only every
#: STILL_REDRAW_S seconds (a converged run costs next to nothing).
STILL_FRACTION = 0.002
STILL_REDRAW_S = 0.5


# ---------------------------------------------------------------------------- types
@dataclasses.dataclass(frozen=True, eq=False)
class Plane:
    """Everything that fixes a surface: anchor, directions, extent and how heights are shown.

    ``offsets`` turn plane coordinates into display coordinates: for weight axes the anchor
    values of the two weights (the axes then read as the weights themselves); for the
    principal plane, whose centre is the middle of the path, the centre's coordinates relative
    to the current weights (which are then at (0, 0)); else 0.
    """

    mode: str
    run: int
    anchor: np.ndarray
    anchor_step: int
    d1: np.ndarray
    d2: np.ndarray
    labels: tuple
    offsets: tuple
    span: float
    resolution: int
    log: bool
    l1: float
    l2: float
    weights: tuple = ()
    seed: int = 0
    short_labels: tuple = ()  # axis titles for the 3-D view, where space is short

    @functools.cached_property
    def projector(self) -> np.ndarray:
        """The (n_params, 2) matrix ``M`` with ``project(p) = (p − anchor) @ M``.

        ``M = B·(BᵀB)⁻¹`` for ``B = [d1 d2]`` is the least-squares solution
        :func:`core.landscape.project` computes, made once per plane: per snapshot the path
        then costs one small product instead of a LAPACK solve (which, on a busy machine,
        waited for BLAS threads and took milliseconds).
        """
        basis = np.column_stack([self.d1, self.d2])
        return basis @ np.linalg.inv(basis.T @ basis)

    def project(self, points) -> np.ndarray:
        """Plane coordinates ``(p, 2)`` of parameter vectors ``points`` ``(p, n_params)``."""
        return (np.asarray(points) - self.anchor) @ self.projector


@dataclasses.dataclass(frozen=True, eq=False)
class SurfaceResult:
    """A computed surface: ``values[j, i]`` is the cost at ``(alphas[i], betas[j])``.

    ``heights`` is what is drawn (``log10(values)`` on the log scale, else ``values`` with any
    non-finite value clipped), spanning ``lo..hi``; ``segments`` are its contour lines as
    ``(α, β, height)`` segment ends (see
    :func:`~gui.views.surface.geometry.contour_segments`); ``plane`` is the plane it
    was computed for.
    """

    alphas: np.ndarray
    betas: np.ndarray
    values: np.ndarray
    heights: np.ndarray
    log: bool
    lo: float
    hi: float
    segments: np.ndarray
    plane: Plane | None = None


@dataclasses.dataclass(frozen=True)
class NoPlane:
    """Why there is no plane to show yet: ``message`` for the status line, ``headline`` (a few
    short lines) for the middle of the empty 3-D view."""

    message: str
    headline: tuple = ()


# ---------------------------------------------------------------------------- surfaces
def display_heights(values, log):
    """Heights to draw and whether they are on the log scale.

    The log scale needs positive costs (the signed mean error can be negative): if any is not,
    the heights stay linear. Non-finite costs (far from the anchor after a divergence) are
    clipped to the largest finite one so that they cannot break the drawing.
    """
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    if not finite.all():
        top = values[finite].max() if finite.any() else 0.0
        values = np.where(finite, values, top)
    if log and values.min() > 0:
        return np.log10(values), True
    return values, False


def compute_surface(net, X, targets, loss, plane, resolution, should_stop=None):
    """The surface of ``plane`` on a ``resolution``² grid (runs in the surface thread; touches
    no shared state).

    ``net`` must be the caller's private copy with its parameters at ``plane.anchor``. The cost
    is :func:`core.landscape.surface` with the regularization included, so the heights are the
    "train cost" the cost plot shows. ``should_stop`` is passed on (it raises
    :class:`core.landscape.Cancelled` between chunks).
    """
    alphas = np.linspace(-plane.span, plane.span, resolution)
    betas = np.linspace(-plane.span, plane.span, resolution)
    values = landscape.surface(net, X, targets, loss, plane.d1, plane.d2, alphas, betas,
                               include_regularization=True, l1=plane.l1, l2=plane.l2,
                               dtype=SURFACE_DTYPE, should_stop=should_stop)
    heights, log_used = display_heights(values, plane.log)
    lo, hi = float(heights.min()), float(heights.max())
    segments = contour_segments(heights, alphas, betas, contour_levels(lo, hi))
    return SurfaceResult(alphas, betas, values, heights, log_used, lo, hi, segments, plane)


def bilinear(heights, alphas, betas, xy) -> np.ndarray:
    """Heights at points ``xy`` (p, 2) by bilinear interpolation on the grid (clamped at the
    edges, so points beyond the plane take the height of its nearest edge)."""
    xy = np.atleast_2d(xy)
    na, nb = len(alphas), len(betas)
    fa = np.clip((xy[:, 0] - alphas[0]) / (alphas[-1] - alphas[0]) * (na - 1), 0, na - 1)
    fb = np.clip((xy[:, 1] - betas[0]) / (betas[-1] - betas[0]) * (nb - 1), 0, nb - 1)
    i0 = np.minimum(fa.astype(int), na - 2)
    j0 = np.minimum(fb.astype(int), nb - 2)
    ta, tb = fa - i0, fb - j0
    h = heights
    return ((1 - tb) * ((1 - ta) * h[j0, i0] + ta * h[j0, i0 + 1])
            + tb * ((1 - ta) * h[j0 + 1, i0] + ta * h[j0 + 1, i0 + 1]))


def fit_span(coords) -> float:
    """A round span that shows every point of ``coords`` (p, 2) with a margin."""
    reach = 1.2 * float(np.max(np.abs(coords))) if len(coords) else 0.0
    for span in _NICE_SPANS:
        if span >= reach:
            return span
    return _NICE_SPANS[-1]


def default_weight_axes(layout):
    """Two weights into the first output neuron (from neurons 0 and 1 of the layer below), the
    classic "cost against two weights" picture; a weight and a bias when there is one input."""
    last = layout.n_layers - 1
    if layout.layer_sizes[last] >= 2:
        return layout.index("W", last, 0, 0), layout.index("W", last, 1, 0)
    return layout.index("W", last, 0, 0), layout.index("b", last, 0)


def explanation(plane, result, log_wanted) -> str:
    """The line above the surface: what the height is, and what the path is."""
    at = f"the weights at step {plane.anchor_step}"
    if plane.mode == "weights":
        text = (f"Height: training cost as {plane.labels[0]} and {plane.labels[1]} change, "
                f"every other parameter held at its anchor value ({at}). The path shows how "
                f"these two moved; the true cost also depends on the others.")
    else:
        text = (f"Height: training cost on a plane through {at}. The path is the real path "
                f"projected onto this plane; the true cost off the plane can differ.")
    if log_wanted and not result.log:
        text += " (Log scale off: some costs are not positive.)"
    return text


def outside_note(plane, current) -> str:
    """What to say when the current point ``(α, β)`` is beyond the plane's edge (else "")."""
    if np.max(np.abs(current)) > plane.span:
        return (f"The weights have moved beyond this surface (± {plane.span:g}): press "
                f"Re-centre here or widen the span.")
    return ""


# ---------------------------------------------------------------------------- the policy
class PlanePolicy:
    """Which plane the view shows for a snapshot: the mode, its anchor, and when following the
    path makes a new plane.

    The widget tells it what the learner chose (:meth:`set_mode`, :meth:`set_weight_axes`,
    :meth:`new_directions`, :meth:`recentre`, the span, grid and log settings) and asks it, at
    every snapshot, :meth:`next_plane`: a :class:`Plane` to compute, a :class:`NoPlane` to
    explain, or None to keep the one it has. ``clock`` (seconds) is injectable for tests.
    """

    def __init__(self, mode=DEFAULT_MODE, clock=time.monotonic):
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        self.mode = mode
        self.weight_axes = None     # (i, j) flat parameter indices
        self.seed = 0
        self.spans = dict(DEFAULT_SPANS)
        self.resolution = DEFAULT_RESOLUTION
        self.log = False
        self.follow = True
        self.follow_min_seconds = FOLLOW_MIN_SECONDS
        self.run = None             # run of the anchor below
        self.layout = None          # that run's ParamLayout
        self.anchor = None          # (params, step) of the current anchor
        self._followed_at = -math.inf
        self._clock = clock

    # ------------------------------------------------------------------ the learner's choices
    def set_mode(self, mode):
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        self.mode = mode
        if mode == "pca":
            self.spans["pca"] = None  # fit the path

    def set_weight_axes(self, i, j):
        """Parameters ``i`` and ``j`` on the axes (checked against the run's layout)."""
        i, j = int(i), int(j)
        if i == j:
            raise ValueError("the two axes need two different parameters")
        if self.layout is not None:
            for index in (i, j):
                if not 0 <= index < self.layout.n_params:
                    raise IndexError(f"parameter index {index} is outside "
                                     f"0..{self.layout.n_params - 1}")
        self.weight_axes = (i, j)
        self.set_mode("weights")

    def new_directions(self):
        """Two new random directions."""
        self.seed += 1
        self.set_mode("random")

    def set_span(self, span):
        self.spans[self.mode] = float(span)

    def recentre(self, snap):
        """Move the anchor to the snapshot's weights."""
        self.anchor = (np.array(snap.params), snap.step)
        if self.mode == "pca":
            self.spans["pca"] = None  # fit the path seen from the new anchor

    # ------------------------------------------------------------------ snapshots
    def is_new_run(self, snap) -> bool:
        return (snap.run != self.run or self.layout is None
                or snap.layout.layer_sizes != self.layout.layer_sizes)

    def start_run(self, snap):
        """A new run (or the first snapshot): anchor at its weights; weight axes that no longer
        fit (another architecture) go back to the default pair."""
        layout = snap.layout
        same_shape = self.layout is not None and self.layout.layer_sizes == layout.layer_sizes
        self.run, self.layout = snap.run, layout
        if not same_shape or self.weight_axes is None \
                or max(self.weight_axes) >= layout.n_params:
            self.weight_axes = default_weight_axes(layout)
        self.anchor = (np.array(snap.params), snap.step)
        if self.mode == "pca":
            self.spans["pca"] = None

    def next_plane(self, snap, plane, settled, current):
        """At a snapshot of the same run: the plane to compute now, or None to keep ``plane``.

        ``plane`` is the newest plane asked for (None if none), ``settled`` whether its full
        grid is on screen, ``current`` the current point's plane coordinates as last drawn
        (None if not drawn on ``plane``).
        """
        if plane is not None and (plane.l1, plane.l2) != (snap.l1, snap.l2):
            return dataclasses.replace(plane, l1=snap.l1, l2=snap.l2)
        if self.mode == "pca" and (plane is None or self._left_behind(snap, plane, settled,
                                                                      current)):
            self.spans["pca"] = None  # fit the longer path
            return self.make_plane(snap)
        return None

    def _left_behind(self, snap, plane, settled, current) -> bool:
        """Following the path: has training gone far enough to make the principal plane again?"""
        if not self.follow or plane.mode != "pca" or not settled \
                or self._clock() - self._followed_at < self.follow_min_seconds:
            return False
        grown = snap.step >= FOLLOW_GROWTH * max(plane.anchor_step, 1)
        outside = current is not None and np.max(np.abs(current)) > plane.span
        return snap.step > plane.anchor_step and (grown or outside)

    # ------------------------------------------------------------------ planes
    def _span(self, coords=None):
        span = self.spans.get(self.mode)
        if span is None:
            span = fit_span(coords) if coords is not None else 1.0
            self.spans[self.mode] = span
        return span

    def make_plane(self, snap):
        """The plane of the current mode through the anchor (a :class:`Plane`), or a
        :class:`NoPlane` saying why there is none yet."""
        anchor, step = self.anchor
        net = snap.network(anchor)
        layout = snap.layout
        mode = self.mode
        offsets, weights = (0.0, 0.0), ()
        if mode == "weights":
            i, j = self.weight_axes
            d1, d2 = landscape.weight_directions(net, i, j)
            labels = short = (layout.label(i), layout.label(j))
            offsets = (float(anchor[i]), float(anchor[j]))
            weights = (i, j)
            span = self._span()
        elif mode == "random":
            d1, d2 = landscape.random_directions(net, seed=self.seed)
            labels = ("random direction 1 (filter-normalized)",
                      "random direction 2 (filter-normalized)")
            short = ("random direction 1", "random direction 2")
            span = self._span()
        else:
            path = np.asarray(snap.path)
            wait = NoPlane(
                "Train a little first (Play, or Step a few times): the principal directions "
                "are those of the path the weights take, so this surface appears once they "
                "have moved.",
                ("Press Play or Step", "The surface appears once the weights have moved:",
                 "it is the cost over the plane of their path."))
            if len(path) < PCA_MIN_POINTS:
                return wait
            try:
                d1, d2, ratios = landscape.pca_directions(path)
            except ValueError:
                return wait
            # The principal plane passes through the path's last point (the current weights,
            # coordinates (0, 0)); its centre moves to the middle of the path so that the path
            # fills the picture instead of one half of it.
            coords = landscape.project(path, path[-1], d1, d2)
            centre = (coords.min(axis=0) + coords.max(axis=0)) / 2
            self._followed_at = self._clock()
            # (The other modes keep their own anchor: this plane moves with the path.)
            anchor = path[-1] + centre[0] * d1 + centre[1] * d2
            step = snap.step
            offsets = (float(centre[0]), float(centre[1]))
            labels = (f"principal direction 1 ({100 * ratios[0]:.0f}% of the path)",
                      f"principal direction 2 ({100 * ratios[1]:.0f}% of the path)")
            # The 3-D view's titles are short (the Axes list names the directions in full).
            short = (f"direction 1 ({100 * ratios[0]:.0f}%)",
                     f"direction 2 ({100 * ratios[1]:.0f}%)")
            span = self._span(coords - centre)
        return Plane(mode=mode, run=snap.run, anchor=anchor, anchor_step=step, d1=d1, d2=d2,
                     labels=labels, short_labels=short, offsets=offsets, span=span,
                     resolution=self.resolution, log=self.log, l1=snap.l1, l2=snap.l2,
                     weights=weights, seed=self.seed)
