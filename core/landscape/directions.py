"""Directions that span an error surface's plane, and the projection of a path onto it.

Random filter-normalized directions (Li et al. 2018), unit vectors on two weights, the
principal directions of a path, and :func:`project` (least-squares coordinates in a plane).
"""
from __future__ import annotations

import numpy as np

from core.landscape.labels import param_label

__all__ = ["random_directions", "weight_directions", "pca_directions", "project"]


def _filter_normalized(gaussian, weights, against=None):
    """Columns of ``gaussian`` rescaled to the norms of the matching columns of ``weights``.

    Column j of an ``(inputs, outputs)`` matrix is neuron j's incoming weights: the "filter" of
    Li et al. With ``against`` (the first direction's columns), each column is first made
    orthogonal to the matching column of ``against`` (per-neuron Gram-Schmidt), so the two
    directions are orthogonal as wholes and both stay filter-normalized.
    """
    g = gaussian
    if against is not None:
        a_sq = np.einsum("ij,ij->j", against, against)
        coef = np.divide(np.einsum("ij,ij->j", g, against), a_sq,
                         out=np.zeros_like(a_sq), where=a_sq > 0)
        residual = g - coef * against
        # A neuron with a single input has a 1-element column: its residual is 0 and cannot be
        # rescaled, so that column keeps its own Gaussian draw.
        keep = np.linalg.norm(residual, axis=0) > 1e-9 * np.linalg.norm(g, axis=0)
        g = np.where(keep, residual, g)
    g_norm = np.linalg.norm(g, axis=0)
    w_norm = np.linalg.norm(weights, axis=0)
    scale = np.divide(w_norm, g_norm, out=np.zeros_like(w_norm), where=g_norm > 0)
    return g * scale


def random_directions(net, seed=0, orthogonal=True):
    """Two random, filter-normalized directions (Li et al., "Visualizing the Loss Landscape of
    Neural Nets", NeurIPS 2018).

    Each direction starts as a standard Gaussian vector ``g`` shaped like ``net.params``. Then,
    for every neuron j of every layer, its slice of incoming weights is rescaled to the norm of
    that neuron's weights in the network:

        d[:, j] = g[:, j] / ‖g[:, j]‖ · ‖W[:, j]‖

    (``W[:, j]``, column j of the ``(inputs, outputs)`` matrix, is neuron j's "filter"). So a
    step α = 1 changes every neuron by about its own size, and the picture does not depend on
    how the weights happen to be scaled (a ReLU network can scale one layer up and the next
    down without changing its function).

    Choices for the entries that are not incoming weights:

    - biases ``b`` (and maxout's ``b'``): 0, as Li et al. do ("ignore biases");
    - prelu slopes: 0, like biases (a slope is a per-neuron scalar, not part of a filter);
    - maxout's second piece ``W'``: normalized like ``W``, column by column (each piece is an
      affine "filter" of its own).

    Parameters
    ----------
    net : Network
    seed : int or np.random.SeedSequence
        Seed of the Gaussian draws (same seed, same directions).
    orthogonal : bool
        Make ``d2`` orthogonal to ``d1`` (default). It is done per neuron: each of ``d2``'s
        columns has its component along ``d1``'s matching column removed *before* the rescaling,
        so both directions keep the per-neuron norms and ``d1 · d2 = 0`` exactly (to rounding).
        Orthogonal axes make the picture unsheared: a unit step along α and along β are
        perpendicular moves in weight space. Exception: a neuron with a single incoming weight
        (the first layer of a network with one input) has no room to be orthogonal in; its
        two entries stay independent draws, so there ``d1 · d2`` is not exactly 0 (the surface
        and :func:`project` do not need orthogonal directions).

    Returns
    -------
    d1, d2 : (n_params,) float64 arrays
    """
    rng = np.random.default_rng(seed)
    d1, d2 = np.zeros(net.n_params), np.zeros(net.n_params)
    for block in net.blocks:
        if block.kind not in ("W", "W'"):
            continue  # biases, b' and prelu slopes stay 0
        weights = net.params[block.start:block.stop].reshape(block.shape)
        first = _filter_normalized(rng.standard_normal(block.shape), weights)
        second = _filter_normalized(rng.standard_normal(block.shape), weights,
                                    against=first if orthogonal else None)
        d1[block.start:block.stop] = first.ravel()
        d2[block.start:block.stop] = second.ravel()
    return d1, d2


def weight_directions(net, i, j):
    """Unit vectors on parameters ``i`` and ``j``: the cost against two single weights.

    ``surface`` along them gives the classic textbook picture: all parameters held at their
    current values except ``params[i]`` (moved by α) and ``params[j]`` (moved by β). Use
    :func:`param_index` to get ``i`` and ``j`` from a layer and neurons.

    Parameters
    ----------
    net : Network
    i, j : int
        Distinct flat indices into ``net.params``.

    Returns
    -------
    d1, d2 : (n_params,) float64 arrays with ``d1[i] = 1`` and ``d2[j] = 1``, zero elsewhere.
    """
    i, j = int(i), int(j)
    for index in (i, j):
        if not 0 <= index < net.n_params:
            raise IndexError(f"parameter index {index} is outside 0..{net.n_params - 1}")
    if i == j:
        raise ValueError(f"the two weights must differ (both are {param_label(net, i)})")
    d1, d2 = np.zeros(net.n_params), np.zeros(net.n_params)
    d1[i] = d2[j] = 1.0
    return d1, d2


def pca_directions(trajectory):
    """The two principal directions of a parameter path, relative to its last point.

    With the path ``θ_0 … θ_{m−1}`` as rows and ``M`` the matrix of rows ``θ_t − θ_{m−1}``
    (Li et al. 2018, section 7), the directions are the first two right singular vectors of
    ``M = U·S·Vᵀ``:

        d1, d2 = V[:, 0], V[:, 1]        ratios = (s_0², s_1²) / Σ_k s_k²

    The ratios are the fractions of the path's squared distance from its end that the plane
    explains (1.0 in total means the path lies exactly in the plane). ``M`` is not re-centered
    on its mean: that way the plane passes through the last point, where the surface is drawn
    (the origin of the picture), and it is the plane through that point that the path lies
    closest to in the least-squares sense (Eckart-Young). Each direction's sign is chosen so
    that the path's first point has a non-negative coordinate along it (deterministic output).

    Parameters
    ----------
    trajectory : (m, n_params) array, m >= 2
        E.g. ``Trainer.path_points()``.

    Returns
    -------
    d1, d2 : (n_params,) float64 unit vectors, orthogonal
    ratios : (2,) float64 explained-variance ratios, ``ratios[0] >= ratios[1]``

    Raises
    ------
    ValueError
        Fewer than 2 points, or a path that has not moved from its last point.
    """
    path = np.asarray(trajectory, dtype=np.float64)
    if path.ndim != 2 or len(path) < 2:
        raise ValueError(f"pca_directions needs a path of at least 2 points shaped (m, n_params); "
                         f"got shape {path.shape}")
    if path.shape[1] < 2:
        raise ValueError("pca_directions needs at least 2 parameters")
    moves = path[:-1] - path[-1]  # the last row of M would be all zeros
    _, s, vt = np.linalg.svd(moves, full_matrices=False)
    total = float(s @ s)
    if total == 0.0:
        raise ValueError("the path has not moved: every point equals the last one")
    if len(s) < 2:  # a 2-point path is one segment: any orthogonal second direction will do
        vt = np.vstack([vt, _any_orthogonal(vt[0])])
        s = np.append(s, 0.0)
    directions = vt[:2].copy()
    first = path[0] - path[-1]
    for d in directions:
        if first @ d < 0:
            d *= -1.0
    return directions[0], directions[1], (s[:2] ** 2) / total


def _any_orthogonal(v):
    """A unit vector orthogonal to unit vector ``v`` (Gram-Schmidt on the axis least like v)."""
    e = np.zeros_like(v)
    e[np.argmin(np.abs(v))] = 1.0
    e -= (e @ v) * v
    return e / np.linalg.norm(e)


def project(points, origin, d1, d2):
    """Coordinates ``(α, β)`` of parameter vectors in the plane ``origin + α·d1 + β·d2``.

    Solves ``min ‖(p − origin) − α·d1 − β·d2‖`` for every point (least squares, so it is exact for
    points in the plane even when d1 and d2 are not orthogonal, and the nearest point in the
    plane otherwise). For orthonormal directions it reduces to ``α = (p − origin)·d1``.

    Parameters
    ----------
    points : (m, n_params) or (n_params,) array
    origin : (n_params,) array
        The point at (0, 0), usually the network's current parameters.
    d1, d2 : (n_params,) arrays
        Linearly independent directions.

    Returns
    -------
    (m, 2) array of ``(α, β)`` rows, or (2,) for a single point.
    """
    pts = np.asarray(points, dtype=np.float64)
    single = pts.ndim == 1
    pts = np.atleast_2d(pts)
    basis = np.column_stack([np.asarray(d1, dtype=np.float64), np.asarray(d2, dtype=np.float64)])
    if pts.shape[1] != basis.shape[0] or np.shape(origin) != (basis.shape[0],):
        raise ValueError(f"points {pts.shape}, origin {np.shape(origin)} and directions "
                         f"{basis.shape[0]} disagree on the number of parameters")
    # Least squares through the QR factors of the (n_params, 2) basis: the same answer as
    # np.linalg.lstsq, without the SVD of an (n_params, m) right-hand side (it ran tens of ms
    # on the UI thread for a 500-point path).
    q, r = np.linalg.qr(basis)
    diag = np.abs(np.diag(r))
    if not diag.min() > 1e-12 * max(diag.max(), 1e-300):
        raise ValueError("d1 and d2 are parallel (or zero): they do not span a plane")
    coords = np.linalg.solve(r, q.T @ (pts - origin).T).T
    return coords[0] if single else coords

