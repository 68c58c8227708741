"""What the error-surface view shows: planes, computed surfaces, the path's real costs and how
well the plane matches them (pure numpy and Python, no Qt; tested without a display).

The view shows ``f(α, β) = J(θ_a + α·d1 + β·d2)``: the training cost (mean loss plus the
regularization penalty, what the optimizer minimizes) over a plane through the *anchor* θ_a.
Which plane, and when a new one is made, is :class:`~gui.views.surface.policy.PlanePolicy`'s
business; this module holds the types it makes (:class:`Plane`, :class:`NoPlane`), what the
surface thread computes (:func:`compute_surface`), and the numbers and words the widget shows
with them (the real cost of every path point is :mod:`~gui.views.surface.path_costs`'s).

The path is drawn at its *real* cost (not at the plane's height under its projection): where
the plane's height differs, :func:`fidelity` says by how much.
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np

from core import landscape
from gui.views.surface.curvature import sharpest_plane, weight_curvatures
from gui.views.surface.geometry import contour_levels, contour_segments

#: Axis modes, in the order of the "Axes" list.
MODES = ("start_now", "weights", "random", "pca", "sharpest")
MODE_TITLES = {
    "start_now": "Start → now (first and current weights)",
    "weights": "Two weights",
    "random": "Two random directions",
    "pca": "Principal directions of the path",
    "sharpest": "Two sharpest directions (Hessian)",
}
#: Where the two-weight and random planes are centred (the others pass through both).
CENTRES = ("current", "start")
CENTRE_TITLES = {"current": "the current weights", "start": "the start of training"}
#: Grid resolutions offered (points per axis); the preview's comes first whatever is chosen.
RESOLUTIONS = (15, 30, 60, 100)
PREVIEW_RESOLUTION = 15
DEFAULT_RESOLUTION = 60
#: While training runs, planes are computed at most this fine: a new one comes every
#: REPLAN_SECONDS, and the full grid would take the cores from the training and the views.
LIVE_RESOLUTION = 30
#: Default half-widths of the plane per mode (weight units for weights, direction units for
#: random directions); None means "fit the path" (for the sharpest directions: fit their
#: curvature, see gui/views/surface/curvature.py).
DEFAULT_SPANS = {"start_now": None, "weights": 3.0, "random": 1.0, "pca": None,
                 "sharpest": None}
SPAN_MIN, SPAN_MAX = 0.1, 100.0
#: Nice spans the path-fitting rounds up to.
_NICE_SPANS = (0.5, 0.6, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0, 20.0, 30.0, 50.0,
               75.0, 100.0)
#: Path points the principal directions need (the start and one step).
PCA_MIN_POINTS = 2
#: The plane a new view starts with: the start and the current point both lie on it, at their
#: real costs, and so does the straight line between them.
DEFAULT_MODE = "start_now"
#: While training runs, a plane through the current weights is made again this often
#: (seconds), once the last one is on screen: the current point is then never off the plane
#: for much longer (a preview arrives within a few tens of milliseconds).
REPLAN_SECONDS = 0.5
#: Precision of the surface evaluation: float32 is about twice as fast and, for a picture,
#: exact enough (core.landscape.surface documents the error). Weights this large get float64.
SURFACE_DTYPE = np.float32
FLOAT64_ABOVE = 1e4
#: A current point that moved less than this fraction of the span is redrawn only every
#: STILL_REDRAW_S seconds (a converged run costs next to nothing).
STILL_FRACTION = 0.002
STILL_REDRAW_S = 0.5
#: Training stopped with the cost this many times its lowest along the path: it diverged.
DIVERGED_RISE = 1e3
#: ... and then the plane spans the last this many points of the path.
DIVERGED_POINTS = 6
#: A gap between plane and real cost above this share of the surface's range is a warning.
FIDELITY_WARNING = 0.1
#: The height axis covers the surface and the path's real costs, but extends beyond the
#: surface by at most this many times its range (the rest of the path is clipped to the box).
HEADROOM = 1.0


# ---------------------------------------------------------------------------- types
@dataclasses.dataclass(frozen=True, eq=False)
class Plane:
    """Everything that fixes a surface: anchor, directions, extent and how heights are shown.

    The grid is ``anchor + α·d1 + β·d2`` for α, β in ``[−span, span]``. ``offsets`` turn plane
    coordinates into display coordinates (what the axes read): for two weights their anchor
    values (the axes read as the weights themselves); for the start → now plane the grid
    centre's coordinates from the start (which is then at (0, 0) and the current weights at
    (1, 0)); for the principal plane the centre's coordinates from the current weights.

    ``through`` are the weights the plane was made to hold, those of step ``through_step``
    (the current ones when it was made; the start's for a plane centred on the start): while
    the snapshot's weights are these, the current point is on the plane. ``notice`` says what
    the learner should know about this plane (a fallback, a divergence), ``warn`` whether it
    is a warning.

    A plane of the sharpest directions is made without ``d1``, ``d2`` (None; ``span`` None
    too, unless the learner set one): the surface thread finds them and hands back the
    complete plane, whose ``origin`` is this one and ``eigenvalues`` their λ₁, λ₂.
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
    centre: str = "current"
    through: np.ndarray | None = None
    through_step: int = 0
    notice: str = ""
    warn: bool = False
    dtype: type = SURFACE_DTYPE
    what: str = ""  # what the height is, where the usual words do not fit (a fallback plane)
    eigenvalues: tuple = ()
    origin: object = None

    @functools.cached_property
    def projector(self) -> np.ndarray:
        """The (n_params, 2) matrix ``M`` with ``project(p) = (p − anchor) @ M``.

        ``M = B·(BᵀB)⁺`` for ``B = [d1 d2]`` is the least-squares solution
        :func:`core.landscape.project` computes, made once per plane: per snapshot the path
        then costs one small product instead of a LAPACK solve. (The pseudo-inverse never
        raises; the policy only makes planes whose directions span one.)
        """
        basis = np.column_stack([self.d1, self.d2])
        return basis @ np.linalg.pinv(basis.T @ basis)

    def project(self, points) -> np.ndarray:
        """Plane coordinates ``(p, 2)`` of parameter vectors ``points`` ``(p, n_params)``."""
        return (np.asarray(points) - self.anchor) @ self.projector

    def holds(self, params) -> bool:
        """Whether ``params`` are the weights this plane was made through."""
        return self.through is not None and np.array_equal(self.through, params)


@dataclasses.dataclass(frozen=True, eq=False)
class SurfaceResult:
    """A computed surface: ``values[j, i]`` is the cost at ``(alphas[i], betas[j])``.

    ``heights`` is what is drawn (``log10(values)`` on the log scale, else ``values`` with any
    non-finite value clipped), spanning ``lo..hi``; ``segments`` are its contour lines as
    ``(α, β, height)`` segment ends (see
    :func:`~gui.views.surface.geometry.contour_segments`); ``plane`` is the plane it
    was computed for; ``curvatures`` the cost's curvature along its two axes at its centre
    (∂²C/∂w² of two weights, or the λ of two sharpest directions; empty for other planes).
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
    curvatures: tuple = ()


@dataclasses.dataclass(frozen=True)
class NoPlane:
    """Why there is no plane to show yet: ``message`` for the status line, ``headline`` (a few
    short lines) for the middle of the empty 3-D view."""

    message: str
    headline: tuple = ()


@dataclasses.dataclass(frozen=True)
class Fidelity:
    """How far the plane's height is from the real cost along the path (the points over the
    plane): the ``mean`` and ``max`` of ``|surface − real|`` (of their log10 when ``log``),
    ``share`` = max / the surface's range, over ``points`` points."""

    mean: float
    max: float
    share: float
    points: int
    log: bool = False

    @property
    def warn(self) -> bool:
        return self.share > FIDELITY_WARNING

    def text(self) -> str:
        def fmt(v):
            return f"{v:.3g}"
        scale = " (log₁₀)" if self.log else ""
        return (f"Plane vs real cost along the path{scale}: mean gap {fmt(self.mean)}, max "
                f"{fmt(self.max)} ({100 * self.share:.0f}% of the surface's range)"
                + (": the path is far from this plane, its picture is only a guide."
                   if self.warn else "."))


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
    :class:`core.landscape.Cancelled` between chunks). A plane of the sharpest directions
    gets them first (the result's ``plane`` is then the complete one).
    """
    if plane.d1 is None:
        plane = sharpest_plane(plane, net, X, targets, loss, should_stop)
    curvatures = plane.eigenvalues
    if plane.weights:
        curvatures = weight_curvatures(net, X, targets, loss, plane)
    alphas = np.linspace(-plane.span, plane.span, resolution)
    betas = np.linspace(-plane.span, plane.span, resolution)
    with np.errstate(all="ignore"):  # far from diverged weights the cost can overflow
        values = landscape.surface(net, X, targets, loss, plane.d1, plane.d2, alphas, betas,
                                   include_regularization=True, l1=plane.l1, l2=plane.l2,
                                   dtype=plane.dtype, should_stop=should_stop)
    heights, log_used = display_heights(values, plane.log)
    lo, hi = float(heights.min()), float(heights.max())
    segments = contour_segments(heights, alphas, betas, contour_levels(lo, hi))
    return SurfaceResult(alphas, betas, values, heights, log_used, lo, hi, segments, plane,
                         curvatures)


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


# ---------------------------------------------------------------------------- the path
def path_heights(costs, log) -> np.ndarray:
    """The heights at which the path is drawn: its real costs (log10 on the log scale; a
    non-positive or non-finite cost is left to the caller's clipping as ±inf)."""
    costs = np.asarray(costs, dtype=float)
    if not log:
        return np.where(np.isnan(costs), np.inf, costs)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(costs > 0, np.log10(np.where(costs > 0, costs, 1.0)), -np.inf)


def height_range(result, heights) -> tuple:
    """The height axis: the surface's range ``lo..hi`` widened to take in the path drawn at
    ``heights``, by at most ``HEADROOM`` times the surface's range on either side."""
    lo, hi = result.lo, result.hi
    room = HEADROOM * (hi - lo) if hi > lo else max(1.0, abs(lo))
    finite = np.asarray(heights)[np.isfinite(heights)]
    if len(finite):
        lo, hi = max(min(lo, finite.min()), lo - room), min(max(hi, finite.max()), hi + room)
    return float(lo), float(hi)


def fidelity(plane, result, xy, costs, under=None):
    """How far the surface is from the real ``costs`` at the path's plane coordinates ``xy``
    (the points over the plane only), in the surface's display heights (log10 of the costs
    on the log scale); None when no point is over it. ``under``, the display heights at
    ``xy`` if known, saves interpolating them again where they are the ones compared."""
    inside = np.all(np.abs(xy) <= plane.span, axis=1) & np.isfinite(costs)
    if not inside.any():
        return None
    grid = result.heights if result.log else result.values
    if under is not None and grid is result.heights:  # (the linear heights of finite costs)
        surface = under[inside]
    else:
        surface = bilinear(grid, result.alphas, result.betas, xy[inside])
    with np.errstate(all="ignore"):
        real = path_heights(costs[inside], result.log)
        gap = np.abs(surface - real)
    gap = gap[np.isfinite(gap)]
    if not len(gap):
        return None
    finite = grid[np.isfinite(grid)]
    spread = float(np.ptp(finite)) if len(finite) else 0.0
    share = float(gap.max()) / spread if spread > 0 else 0.0
    return Fidelity(float(gap.mean()), float(gap.max()), share, int(len(gap)), result.log)


def diverged(costs, running) -> bool:
    """Whether a run stopped (not ``running``) with the cost far above its lowest along the
    path, or not finite: training diverged."""
    costs = np.asarray(costs, dtype=float)
    if running or len(costs) < 2:
        return False
    if not np.isfinite(costs[-1]):
        return True
    low = np.min(costs[np.isfinite(costs)])
    return bool(costs[-1] > 0 and costs[-1] > DIVERGED_RISE * max(low, 1e-12))


# ---------------------------------------------------------------------------- words
def explanation(plane, result, log_wanted) -> str:
    """The line above the surface: what the height is, where the plane is anchored, and what
    the path is."""
    where = "now" if plane.centre == "current" else "the start"
    if plane.what:
        text = plane.what
    elif plane.mode == "start_now":
        text = (f"Cost on the plane through the start (step {plane.anchor_step}) and now (step "
                f"{plane.through_step}): the line between them and the way the path bends. "
                f"Both points are on the surface at their real costs.")
    elif plane.mode == "weights":
        text = (f"Cost as {plane.labels[0]} and {plane.labels[1]} change, every other "
                f"parameter held at its value at step {plane.anchor_step} ({where}).")
    elif plane.mode == "sharpest":
        text = (f"Cost along the two directions in which it curves most at step "
                f"{plane.anchor_step} ({where}): the top eigenvectors of the Hessian, "
                f"λ₁ = {plane.eigenvalues[0]:.3g} and λ₂ = {plane.eigenvalues[1]:.3g}.")
    else:
        what = "random directions" if plane.mode == "random" else "the path's principal plane"
        text = f"Cost on a plane of {what} through the weights at step {plane.anchor_step} " \
               f"({where})."
    if plane.mode != "start_now" or plane.what:
        text += " The path is drawn at its real cost."
    if log_wanted and not result.log:
        text += " (Log scale off: some costs are not positive.)"
    return text


def outside_note(plane, current) -> str:
    """What to say when the current point ``(α, β)`` is beyond the plane's edge (else "")."""
    if np.max(np.abs(current)) > plane.span:
        return (f"The weights have moved beyond this surface (± {plane.span:g}): centre it on "
                f"the current weights or widen the span.")
    return ""


@dataclasses.dataclass(frozen=True, eq=False)
class PathOnPlane:
    """The path as drawn on a plane: plane coordinates ``xy`` (p, 2), real ``costs`` (p,), the
    ``heights`` it is drawn at (its real costs as display heights), the surface's display
    heights ``under`` it, and the :class:`Fidelity` of the plane along it (or None)."""

    xy: np.ndarray
    costs: np.ndarray
    heights: np.ndarray
    under: np.ndarray
    fidelity: Fidelity | None


def path_on_plane(plane, result, path, costs) -> PathOnPlane:
    """Where ``path`` (p, n_params) with real ``costs`` (p,) goes on ``result``'s surface."""
    xy = plane.project(path)
    costs = np.asarray(costs, dtype=float)
    under = bilinear(result.heights, result.alphas, result.betas, xy)
    return PathOnPlane(xy, costs, path_heights(costs, result.log), under,
                       fidelity(plane, result, xy, costs, under))


#: The current point is visibly off a plane once its real cost is this share of the height
#: axis from the surface, or its projection this share of the span from where the plane was
#: made through (a converged run then costs no new planes).
VISIBLE = 0.005


def visibly_off(plane, drawn, zrange) -> bool:
    """Whether the current point of ``drawn`` (a :class:`PathOnPlane` on ``plane``) is visibly
    away from where the plane holds it: above or below the surface, or moved across it."""
    lo, hi = zrange
    gap = abs(drawn.heights[-1] - drawn.under[-1])
    through = plane.project(plane.through[None])[0] if plane.through is not None else None
    moved = through is None or np.max(np.abs(drawn.xy[-1] - through)) > VISIBLE * plane.span
    return bool(moved or not gap <= VISIBLE * (hi - lo if hi > lo else 1.0))


# ---------------------------------------------------------------------------- probing
def probe_params(plane, alpha, beta) -> np.ndarray:
    """The weights at plane coordinates ``(alpha, beta)``: anchor + α·d1 + β·d2."""
    return plane.anchor + alpha * plane.d1 + beta * plane.d2


def probe_words(plane, alpha, beta) -> str:
    """Where ``(alpha, beta)`` is, as the axes read it: "W2[1→1] = 0.53, W2[2→1] = −1.2" for
    two weights, "α = 0.5, β = 0.1 on the start → now plane" for the others."""
    x, y = alpha + plane.offsets[0], beta + plane.offsets[1]
    if plane.mode == "weights":
        return f"{plane.labels[0]} = {x:.3g}, {plane.labels[1]} = {y:.3g}"
    return f"α = {x:.3g}, β = {y:.3g} on the {_PLANE_NAMES[plane.mode]} plane"


_PLANE_NAMES = {"start_now": "start → now", "random": "random-directions",
                "pca": "principal", "sharpest": "sharpest-directions"}
