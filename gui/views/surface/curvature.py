"""How the cost curves where the surface is made: the plane of the two sharpest directions, and
the curvature along each picked weight (pure numpy, no Qt; both run in the surface thread).

The sharpest directions are the top two eigenvectors of the Hessian of the training cost at the
plane's centre (largest |λ| first, :func:`core.curvature.top_eigenpairs` on exact
Hessian-vector products): near the centre the surface over them is the parabola
C + ½(λ₁α² + λ₂β²), the steepest-walled valley (or, for a negative λ, ridge) through the
weights. The curvature along a single weight w is the diagonal entry ∂²C/∂w² of the Hessian.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from core.curvature import HessianOperator, top_eigenpairs

#: The eigenvectors are found to this relative residual: plenty for a picture (the surface is
#: made again at every replan while training runs, so speed matters more than digits).
SHARPEST_TOLERANCE = 1e-3
#: ... using at most this many Hessian-vector products (each costs about one gradient).
SHARPEST_MAX_PRODUCTS = 400
#: A fitted span lets the parabola along the sharpest direction rise by RISE times the cost at
#: the centre (at least MIN_RISE) at the plane's edge: the valley's walls fill the picture.
RISE, MIN_RISE = 2.0, 0.1
#: Round spans a fitted span is rounded up to (within the span box's range).
NICE_SPANS = (0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0, 20.0,
              30.0, 50.0, 75.0, 100.0)


def span_for(curvature, cost) -> float:
    """A round span s with ½·|λ|·s² ≈ RISE·max(cost, MIN_RISE) (1 when the cost is flat)."""
    rise = RISE * max(float(cost), MIN_RISE) if math.isfinite(cost) else MIN_RISE
    if not (math.isfinite(curvature) and abs(curvature) > 0):
        return 1.0
    reach = math.sqrt(2.0 * rise / abs(curvature))
    return next((span for span in NICE_SPANS if span >= reach), NICE_SPANS[-1])


def sharpest_plane(plane, net, X, targets, loss, should_stop=None):
    """``plane`` (made without directions) with ``d1``, ``d2`` the two sharpest directions at
    its anchor (``net`` holds the anchor's weights), their eigenvalues, labels that name them,
    and its span fitted when it has none. ``origin`` is the plane it was made from."""
    operator = HessianOperator(net, X, targets, loss, l1=plane.l1, l2=plane.l2)
    try:
        pairs = top_eigenpairs(operator, net.n_params, k=2, tol=SHARPEST_TOLERANCE,
                               seed=plane.seed, max_products=SHARPEST_MAX_PRODUCTS,
                               should_stop=should_stop)
    except np.linalg.LinAlgError:
        pairs = None
    if pairs is None or not np.all(np.isfinite(pairs.values)):
        raise ValueError("the Hessian is not finite at these weights, so they have no sharpest "
                         "directions: choose another plane")
    (l1, l2), (v1, v2) = pairs.values, pairs.vectors
    span = plane.span
    if span is None:
        span = span_for(l1, net.cost(X, targets, loss, plane.l1, plane.l2))
    flat = not np.any(pairs.values)
    labels = ((f"sharpest direction (λ₁ = {l1:.3g})", f"second sharpest (λ₂ = {l2:.3g})")
              if not flat else ("a direction (the cost does not curve here)",
                                "another direction"))
    short = ((f"sharpest, λ₁ = {l1:.3g}", f"2nd, λ₂ = {l2:.3g}") if not flat
             else ("direction 1", "direction 2"))
    return dataclasses.replace(plane, d1=v1, d2=v2, span=float(span), labels=labels,
                               short_labels=short, eigenvalues=(float(l1), float(l2)),
                               origin=plane)


def weight_curvatures(net, X, targets, loss, plane) -> tuple:
    """``(∂²C/∂wᵢ², ∂²C/∂wⱼ²)`` for the plane's two weights at its anchor (``net``): two
    Hessian-vector products with unit vectors."""
    units = np.zeros((2, net.n_params))
    units[0, plane.weights[0]] = units[1, plane.weights[1]] = 1.0
    with np.errstate(all="ignore"):
        columns = HessianOperator(net, X, targets, loss, l1=plane.l1, l2=plane.l2)(units)
    return float(columns[0, plane.weights[0]]), float(columns[1, plane.weights[1]])
