"""The path itself: the real cost at each of its points, and the plane from its start to now.

A surface over a plane shows the cost *on the plane*; a path that leaves the plane has another
cost. :func:`path_costs` gives the real one, point by point (vectorized), so a picture can draw
the path at its true height and say how far the plane is from it. :func:`start_now_directions`
gives the plane that holds the first and the last point of a path exactly, so that there the
two heights agree::

    d1, d2, bend = start_now_directions(trainer.path_points(), net)
    Z = surface(net_at_start, X, y, loss, d1, d2, alphas, betas)   # α = 0: start, α = 1: now
    real = path_costs(net, X, y, loss, trainer.path_points())
"""
from __future__ import annotations

import numpy as np

from core.landscape.directions import random_directions
from core.landscape.kernels import (CHUNK_ELEMENTS, _activate_generic, _chunk_points,
                                    _generic_costs, _tiled_targets, checked_inputs)

__all__ = ["path_costs", "start_now_directions", "orthonormal_directions", "spans_plane"]

#: A path whose points all lie within this fraction of |θₜ − θ₀| of the straight line from θ₀
#: to θₜ counts as straight (its bend gives no second direction).
STRAIGHT = 1e-6


def path_costs(net, X, y_true, loss, points, *, l1=0.0, l2=0.0, include_regularization=False,
               dtype=np.float64):
    """The cost at each row of ``points``: ``costs[k] = J(points[k])``.

        J(θ) = (1/n)·Σ_t L(y_t, ŷ_t(θ))                        (the data cost, default)
        J(θ) = (1/n)·Σ_t L(y_t, ŷ_t(θ)) + l1·Σ|W| + (l2/2)·ΣW²  (include_regularization=True)

    as :meth:`Network.cost` gives it, for many parameter vectors at once: chunks of points go
    through the layers as batched matrix products (every point its own weights), like the
    readable method of :func:`~core.landscape.surface`. The regularization is exact in float64.

    Parameters
    ----------
    net : Network
        Gives the architecture; left exactly as it was (its parameters are not used).
    X : (n, inputs) array
    y_true : array
        Targets in the form ``loss`` expects.
    loss : str or loss object
    points : (m, n_params) array
        E.g. ``Trainer.path_points()``.
    l1, l2 : float
        Regularization rates (used only with ``include_regularization=True``).
    include_regularization : bool
    dtype : np.float64 or np.float32
        Precision of the network evaluation (the result is float64 either way).

    Returns
    -------
    (m,) float64 array
    """
    X, loss, dtype = checked_inputs(net, X, loss, dtype)
    P = np.asarray(points, dtype=np.float64)
    if P.ndim != 2 or P.shape[1] != net.n_params:
        raise ValueError(f"points must be shaped (m, {net.n_params}); got {P.shape}")
    costs = np.empty(len(P))
    if len(P):
        widest = max(block.shape[-1] * (2 if act.name == "maxout" else 1)
                     for act, block in zip(net.layer_activations, _weight_blocks(net)))
        step = _chunk_points(len(X), widest, CHUNK_ELEMENTS, len(P))
        y_rep = _tiled_targets(y_true, len(X), step)
        x0 = X.astype(dtype)
        for start in range(0, len(P), step):
            chunk = P[start:start + step]
            a = np.broadcast_to(x0, (len(chunk), *x0.shape))
            for layer in _point_layers(net, chunk, dtype):
                z = np.matmul(a, layer["A"]) + layer["B"][:, None, :]
                a = np.asarray(_activate_generic(layer["act"], z, layer["S"]), dtype=dtype)
            costs[start:start + len(chunk)] = _generic_costs(loss, a, y_rep)
    if include_regularization and (l1 or l2):
        w = P[:, net.layout.weight_mask]
        costs += l1 * np.abs(w).sum(axis=1) + 0.5 * l2 * np.einsum("ij,ij->i", w, w)
    return costs


def _weight_blocks(net):
    return [net.layout.block("W", layer) for layer in range(len(net.layer_activations))]


def _point_layers(net, P, dtype):
    """Per layer, every point's own ``A`` (g, inputs, width), ``B`` (g, width) and prelu
    slopes ``S`` (g, outputs) or None; maxout's two pieces interleaved as in the surface."""
    g = len(P)

    def block_of(block):
        return P[:, block.start:block.stop].reshape(g, *block.shape).astype(dtype)

    layers = []
    for layer, act in enumerate(net.layer_activations):
        blocks = {block.kind: block_of(block) for block in net.blocks if block.layer == layer}
        A, B = blocks["W"], blocks["b"]
        if act.name == "maxout":
            A = np.stack([A, blocks["W'"]], axis=-1).reshape(g, A.shape[1], -1)
            B = np.stack([B, blocks["b'"]], axis=-1).reshape(g, -1)
        layers.append({"act": act, "A": A, "B": B, "S": blocks.get("slope")})
    return layers


def start_now_directions(trajectory, net=None, seed=0):
    """The plane through a path's first point θ₀ and last point θₜ.

    ``d1 = θₜ − θ₀``, so ``θ₀ + α·d1`` is the straight line from the start (α = 0) to now
    (α = 1), the linear interpolation of Goodfellow, Vinyals & Saxe (2015). ``d2`` is the main
    direction in which the path bends away from that line: with ``u = d1/‖d1‖`` and the
    deviations ``r_k = (θ_k − θ₀) − ((θ_k − θ₀)·u)·u``, the first right singular vector of the
    matrix of rows ``r_k`` (found by power iteration), scaled to ``‖d1‖`` (the two axes share
    their unit) and signed so that the point farthest from the line has β > 0. ``d2 ⟂ d1``.

    When the path is straight (no point farther than ``STRAIGHT·‖d1‖`` from the line), ``d2``
    is a filter-normalized random direction (:func:`random_directions` of ``net``, seed
    ``seed``) made orthogonal to ``d1`` and scaled to ``‖d1‖``; without ``net`` (or when that
    direction vanishes, e.g. all weights zero, or lies along ``d1``) a Gaussian one.

    Parameters
    ----------
    trajectory : (m, n_params) array, m >= 2
    net : Network, optional
        Whose weights scale the random second direction of a straight path.
    seed : int

    Returns
    -------
    d1, d2 : (n_params,) float64 arrays, orthogonal, of equal norm
    bend : float
        The largest distance of a path point from the line, as a fraction of ``‖d1‖``; 0.0
        when the path is straight (then ``d2`` is random).

    Raises
    ------
    ValueError
        Fewer than 2 points, or a last point equal to the first (no line to draw).
    """
    path = np.asarray(trajectory, dtype=np.float64)
    if path.ndim != 2 or len(path) < 2:
        raise ValueError(f"start_now_directions needs a path of at least 2 points shaped "
                         f"(m, n_params); got shape {path.shape}")
    d1 = path[-1] - path[0]
    length = float(np.linalg.norm(d1))
    if not length > 0:
        raise ValueError("the last point of the path equals the first: no line to follow")
    u = d1 / length
    moves = path - path[0]
    deviations = moves - np.outer(moves @ u, u)
    reach = np.linalg.norm(deviations, axis=1)
    bend = float(reach.max()) / length
    if bend > STRAIGHT:
        v = _first_singular_vector(deviations, start=deviations[np.argmax(reach)])
        d2 = v - (v @ u) * u  # exactly orthogonal, whatever the rounding
        if deviations[np.argmax(reach)] @ d2 < 0:
            d2 = -d2
    else:
        bend = 0.0
        d2 = _random_orthogonal(u, net, seed)
    return d1, d2 / np.linalg.norm(d2) * length, bend


def _first_singular_vector(R, start, tol=1e-12, most=500):
    """The first right singular vector of ``R`` (m, n) by power iteration on ``RᵀR``, from
    ``start`` (the farthest deviation, close to it already).

    Two matrix-vector products per step instead of an SVD, which for a path of 500 points and
    thousands of weights took tens of milliseconds. Stops when the direction moves less than
    ``tol``; where the first two singular values are equal any vector of their plane will do.
    """
    v = start / np.linalg.norm(start)
    for _ in range(most):
        w = R.T @ (R @ v)
        w /= np.linalg.norm(w)
        if np.linalg.norm(w - v) < tol:
            return w
        v = w
    return v


def _random_orthogonal(u, net, seed):
    """A random direction orthogonal to unit vector ``u``: filter-normalized if it can be."""
    if net is not None:
        d = random_directions(net, seed=seed)[0]
        d = d - (d @ u) * u
        if np.linalg.norm(d) > 1e-9 * max(1.0, float(np.linalg.norm(net.params))):
            return d
    d = np.random.default_rng(seed).standard_normal(len(u))
    return d - (d @ u) * u


def orthonormal_directions(n_params, seed=0):
    """Two random orthonormal directions over every parameter: a plane that always exists.

    The fallback where the usual directions vanish: filter-normalized directions are scaled to
    each neuron's weights, so they are all zero when the weights are (zero initialization).

    Returns
    -------
    d1, d2 : (n_params,) float64 unit vectors, ``d1 · d2 = 0``
    """
    if n_params < 2:
        raise ValueError("a plane needs at least 2 parameters")
    g = np.random.default_rng(seed).standard_normal((2, n_params))
    d1 = g[0] / np.linalg.norm(g[0])
    d2 = g[1] - (g[1] @ d1) * d1
    return d1, d2 / np.linalg.norm(d2)


def spans_plane(d1, d2, tol=1e-9) -> bool:
    """Whether ``d1`` and ``d2`` span a plane: finite, non-zero and not parallel
    (``|cos ∠(d1, d2)| < 1 − tol``). :func:`~core.landscape.project` needs it."""
    d1, d2 = np.asarray(d1, dtype=np.float64), np.asarray(d2, dtype=np.float64)
    if not (np.isfinite(d1).all() and np.isfinite(d2).all()):
        return False
    n1, n2 = float(np.linalg.norm(d1)), float(np.linalg.norm(d2))
    if not (n1 > 0 and n2 > 0):
        return False
    return abs(float(d1 @ d2)) / (n1 * n2) < 1.0 - tol
