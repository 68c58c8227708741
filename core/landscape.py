"""The error surface: the cost over a plane in weight space, and the directions that span it.

A network with P parameters has a cost ``J(θ)`` over a P-dimensional weight space, which no one
can draw. What can be drawn is a slice: pick a point ``θ`` (the current weights) and two
directions ``d1``, ``d2`` (each a flat vector shaped like :attr:`Network.params`) and plot

    f(α, β) = J(θ + α·d1 + β·d2)

as a surface over the (α, β) plane, with the optimizer's path projected onto it. This module
gives the three usual choices of directions, the surface itself (vectorized over the grid) and
the projection of a path::

    d1, d2 = random_directions(net, seed=0)              # Li et al. (2018), filter-normalized
    d1, d2 = weight_directions(net, i, j)                # the classic "cost against two weights"
    d1, d2, ratios = pca_directions(trainer.path_points())   # the plane the path lies closest to
    Z = surface(net, X, y, "bce", d1, d2, alphas, betas)     # Z[j, i] = f(alphas[i], betas[j])
    xy = project(trainer.path_points(), net.params, d1, d2)  # the path on that plane

Parameter indices follow :attr:`Network.params` (``W0, b0, [extra0], W1, b1, ...``); the helpers
:func:`param_index`, :func:`param_location`, :func:`param_label` and :func:`param_choices` turn an
index into ``W1[2→0]`` (weight of layer 1 from neuron 2 to neuron 0), ``b0[3]``, ``slope0[1]``,
``W'0[1→2]``, ``b'0[3]`` and back.

Nothing here changes the network: the vectorized surface never writes to ``net.params``, and the
reference loop (``method="loop"``) puts the exact original values back.

How the surface is fast (``method="fast"``, see :func:`_costs_fast`): the layers below the first
layer the plane moves are computed once; that layer is linear in (α, β), so its pre-activations
are ``Z0 + α·Z1 + β·Z2`` from three cached arrays; the layers above run as batched matrix
products over chunks of grid points, feature-major ``(points, units, examples)`` so that the
elementwise passes have long inner loops, with the bias folded into the product, activations
in place and sigmoid + bce fused from the logits.
"""
from __future__ import annotations

import math

import numpy as np

from core import losses as _losses

__all__ = ["param_index", "param_location", "param_label", "param_choices",
           "random_directions", "weight_directions", "pca_directions", "project", "surface",
           "METHODS", "Cancelled"]

class Cancelled(Exception):
    """A computation was asked to stop (its ``should_stop()`` returned True) and did."""


#: Ways :func:`surface` can evaluate the grid (see its docstring).
METHODS = ("fast", "general", "loop")

# Target number of array elements of the widest per-chunk activation array in the fast path.
# 2**17 values = 512 KiB in float32: a chunk's few work arrays stay in the L2/L3 caches, so the
# elementwise passes (tanh, exp, adds) run at compute speed, while chunks are still big enough
# that the Python overhead per chunk (~15 numpy calls) stays small. Measured on 2-core EPYC
# machines (1 MiB L2 per core): 2**15 is 30 % slower in float32 (more chunks), 2**18 about the same.
CHUNK_ELEMENTS = 1 << 17

# bce clips probabilities to [ε, 1 − ε]; for p = σ(z) that is z clipped to [−L, L],
# L = logit(1 − ε) = ln((1 − ε)/ε) ≈ 16.118.
_BCE_LOGIT_LIMIT = math.log((1.0 - _losses.EPSILON) / _losses.EPSILON)

# Largest m·k·n of one matrix product in the fast path. numpy's wheels use OpenBLAS, which runs a
# product above m·k·n = 65536·4 on its worker threads. On a busy 2-core machine (the interface
# and the trainer running too) those hand-offs stall: a 100×100 surface of a 2-64-64-1 network
# took 13× longer than with one BLAS thread. Products kept under this size run on the calling
# thread, and the ``workers`` option of :func:`surface` does the parallel work instead.
BLAS_CALL_SIZE = 1 << 18


# ---------------------------------------------------------------------------------------------
# Parameter indices and labels
# ---------------------------------------------------------------------------------------------
def param_index(net, kind, layer, i, j=None) -> int:
    """Flat index into ``net.params`` of one weight, bias or activation parameter.

    Parameters
    ----------
    net : Network
    kind : str
        ``"W"``, ``"b"``, ``"slope"`` (prelu), ``"W'"`` or ``"b'"`` (maxout's second piece).
    layer : int
        Layer as in ``net.blocks``: layer 0 holds the first weight matrix (inputs → first hidden).
    i : int
        For ``W``/``W'``: the neuron the weight comes *from* (a row of ``W``, shape
        ``(inputs, outputs)``). For ``b``/``b'``/``slope``: the neuron.
    j : int, optional
        For ``W``/``W'`` only: the neuron the weight goes *to* (a column of ``W``).

    Returns
    -------
    int
        ``start + i·outputs + j`` for a weight (row-major, as the view is laid out), ``start + i``
        for a per-neuron parameter. (:meth:`core.params.ParamLayout.index`.)
    """
    return net.layout.index(kind, layer, i, j)


def param_location(net, index):
    """The inverse of :func:`param_index`: ``(kind, layer, i, j)``, j None for per-neuron values.

    Parameters
    ----------
    net : Network
    index : int
        ``0 <= index < net.n_params``.
    """
    return net.layout.location(index)


def param_label(net, index) -> str:
    """A readable name of ``net.params[index]``: ``W1[2→0]``, ``b0[3]``, ``slope0[1]``, ``W'0[1→2]``
    or ``b'0[3]``.

    ``W1[2→0]`` is the weight of layer 1 from neuron 2 (of the layer below) to neuron 0.
    """
    return net.layout.label(index)


def param_choices(net) -> list:
    """Every parameter as ``(index, label)``, in ``params`` order (for a GUI's lists)."""
    return net.layout.choices()


# ---------------------------------------------------------------------------------------------
# Directions
# ---------------------------------------------------------------------------------------------
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
    coords, _, rank, _ = np.linalg.lstsq(basis, (pts - origin).T, rcond=None)
    if rank < 2:
        raise ValueError("d1 and d2 are parallel (or zero): they do not span a plane")
    coords = coords.T
    return coords[0] if single else coords


# ---------------------------------------------------------------------------------------------
# The surface
# ---------------------------------------------------------------------------------------------
def surface(net, X, y_true, loss, d1, d2, alphas, betas, *, include_regularization=False,
            l1=0.0, l2=0.0, dtype=np.float64, method="fast", chunk_elements=CHUNK_ELEMENTS,
            workers=1):
    """The cost on a grid of the plane ``params + α·d1 + β·d2``.

    ``Z[j, i] = J(θ + alphas[i]·d1 + betas[j]·d2)``, where θ is ``net.params`` and

        J(θ) = (1/n)·Σ_t L(y_t, ŷ_t(θ))                        (the data cost, default)
        J(θ) = (1/n)·Σ_t L(y_t, ŷ_t(θ)) + l1·Σ|W| + (l2/2)·ΣW²  (include_regularization=True)

    (for ``rmse``, J is the square root of the mean squared error, as ``loss.cost`` is). The
    regularization sums run over the weights ``W`` and ``W'``, not biases or prelu slopes, as
    :meth:`Network.regularization` does; they are evaluated exactly in float64.

    Parameters
    ----------
    net : Network
        Left exactly as it was (the vectorized methods never write to it).
    X : (n, inputs) array
    y_true : array
        Targets in the form ``loss`` expects (see :func:`core.losses.targets_for`).
    loss : str or loss object
    d1, d2 : (n_params,) arrays
    alphas : (A,) array
    betas : (B,) array
    include_regularization : bool
        Add ``l1·Σ|W| + (l2/2)·ΣW²`` at every grid point.
    l1, l2 : float
        Regularization rates (used only with ``include_regularization=True``).
    dtype : np.float64 or np.float32
        Precision of the network evaluation in the vectorized methods (the result is float64
        either way). float64 agrees with the loop to about 1e-12 relative. float32 is about
        three times faster and close enough for a picture: on the bench problem it is within
        1e-7 relative of float64, and the tests require it to be within 1e-4 of the
        surface's range (max − min) for several activations.
    method : "fast", "general" or "loop"
        ``"fast"`` (see ``_costs_fast``): caches the layers below the first perturbed one,
        evaluates that layer as ``Z0 + α·Z1 + β·Z2`` (it is linear in α and β), then runs the
        rest as batched matrix products over chunks of grid points sized to stay in cache,
        with in-place activations and a fused sigmoid + bce cost. ``"general"``: the plain
        batched version (every grid point's weights ``W + α·D1 + β·D2`` for every layer, the
        activation and loss objects as they are), kept as a readable reference. ``"loop"``:
        write the parameters, predict and take the cost at each grid point in turn (float64
        only; the original parameters are put back even if the loss raises).
    chunk_elements : int
        Size of a chunk in the vectorized methods, in elements of its widest activation array
        (``grid points × n × units``); bounds the extra memory to a few such arrays per worker.
    workers : int
        Threads sharing the chunks of the fast method (numpy releases the GIL in its ufuncs
        and matmul). 2 nearly halves the float64 time on a 2-core machine; the default 1
        leaves the other core to the interface and the trainer.

    Returns
    -------
    (B, A) float64 array
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    loss = _losses.get(loss) if isinstance(loss, str) else loss
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != net.layer_sizes[0]:
        raise ValueError(f"X must be shaped (n, {net.layer_sizes[0]}); got {X.shape}")
    d1 = np.asarray(d1, dtype=np.float64)
    d2 = np.asarray(d2, dtype=np.float64)
    if d1.shape != net.params.shape or d2.shape != net.params.shape:
        raise ValueError(f"directions must be shaped like params {net.params.shape}; got "
                         f"{d1.shape} and {d2.shape}")
    alphas = np.asarray(alphas, dtype=np.float64)
    betas = np.asarray(betas, dtype=np.float64)
    if alphas.ndim != 1 or betas.ndim != 1 or not (alphas.size and betas.size):
        raise ValueError("alphas and betas must be non-empty 1-D sequences")

    if method == "loop":
        Z = _surface_loop(net, X, y_true, loss, d1, d2, alphas, betas)
    else:
        # Grid point g = j·A + i has coefficients (1, α_i, β_j): every per-point quantity that is
        # linear in (α, β) is then one product coeffs @ stack, stack = (base, along d1, along d2).
        coeffs = np.empty((betas.size * alphas.size, 3))
        coeffs[:, 0] = 1.0
        coeffs[:, 1] = np.tile(alphas, betas.size)
        coeffs[:, 2] = np.repeat(betas, alphas.size)
        if method == "fast":
            Z = _costs_fast(net, X, y_true, loss, d1, d2, coeffs, dtype, int(chunk_elements),
                            workers)
        else:
            Z = _costs_general(net, X, y_true, loss, d1, d2, coeffs, dtype, int(chunk_elements))
        Z = Z.reshape(betas.size, alphas.size)
    if include_regularization and (l1 or l2):
        Z += _regularization_grid(net, d1, d2, alphas, betas, l1, l2)
    return Z


def _surface_loop(net, X, y_true, loss, d1, d2, alphas, betas):
    """The reference: move the network to each grid point and ask it for its cost."""
    saved = net.params.copy()
    Z = np.empty((betas.size, alphas.size))
    try:
        for j, beta in enumerate(betas):
            for i, alpha in enumerate(alphas):
                np.copyto(net.params, saved + alpha * d1 + beta * d2)
                Z[j, i] = loss.cost(y_true, net.predict(X))
    finally:
        np.copyto(net.params, saved)
    return Z


def _regularization_grid(net, d1, d2, alphas, betas, l1, l2):
    """``l1·Σ|w| + (l2/2)·Σw²`` at ``w = w0 + α·u + β·v`` (the weight entries), shape (B, A).

    The L2 part is a quadratic in (α, β), evaluated in closed form; the L1 part is summed over
    chunks of grid points so that memory stays bounded.
    """
    mask = np.zeros(net.n_params, dtype=bool)
    for block in net.blocks:
        mask[block.start:block.stop] = block.is_weight
    stack = np.stack([net.params[mask], d1[mask], d2[mask]])  # (3, n_weights)
    a, b = np.meshgrid(alphas, betas)  # (B, A) each
    reg = np.zeros(a.shape)
    if l2:
        w, u, v = stack
        reg += 0.5 * l2 * (w @ w + 2 * a * (w @ u) + 2 * b * (w @ v)
                           + a * a * (u @ u) + 2 * a * b * (u @ v) + b * b * (v @ v))
    if l1:
        coeffs = np.column_stack([np.ones(a.size), a.ravel(), b.ravel()])
        flat = reg.reshape(-1)
        step = max(1, BLAS_CALL_SIZE // (3 * max(1, stack.shape[1])))
        for start in range(0, len(coeffs), step):
            flat[start:start + step] += l1 * np.abs(coeffs[start:start + step] @ stack).sum(axis=1)
    return reg


# ---------------------------------------------------------------------------- shared pieces
def _layer_stacks(net, d1, d2, dtype):
    """Per layer, the parameters and their two directions as stacks of 3 along axis 0.

    Returns a list of dicts with ``act``, ``A`` (3, inputs, width), ``B`` (3, width), ``S``
    (3, outputs) for prelu slopes or None, and ``perturbed`` (whether d1 or d2 touch the layer).
    ``width`` is the number of outputs, doubled for maxout, whose two pieces are interleaved
    (columns ``W[:, 0], W'[:, 0], W[:, 1], …``) so that ``x @ A`` reshapes to (..., outputs, 2).
    """
    def stack(block):
        sl = slice(block.start, block.stop)
        return np.stack([net.params[sl], d1[sl], d2[sl]]).reshape(3, *block.shape).astype(dtype)

    layers = []
    for layer, act in enumerate(net.layer_activations):
        blocks = {block.kind: stack(block) for block in net.blocks if block.layer == layer}
        A, B = blocks["W"], blocks["b"]
        if act.name == "maxout":
            A = np.stack([A, blocks["W'"]], axis=-1).reshape(3, A.shape[1], -1)
            B = np.stack([B, blocks["b'"]], axis=-1).reshape(3, -1)
        S = blocks.get("slope")
        perturbed = any(np.any(s[1:]) for s in blocks.values())
        layers.append({"act": act, "A": np.ascontiguousarray(A), "B": np.ascontiguousarray(B),
                       "S": S, "perturbed": perturbed})
    return layers


def _activate_generic(act, z, slope=None):
    """The activation object applied to a batch ``z`` shaped (g, n, width) -> (g, n, outputs).

    ``slope`` is (g, outputs) for prelu. Softmax is applied row by row on a (g·n, k) view, the
    shape the activation contract promises.
    """
    g, n, width = z.shape
    if act.name == "maxout":
        return act(z.reshape(g, n, width // 2, 2))
    if act.name == "prelu":
        return act(z, slope[:, None, :])
    return act(z.reshape(g * n, width)).reshape(g, n, width)


def _generic_costs(loss, pred, y_rep):
    """Mean loss per grid point: ``pred`` (g, n, k), ``y_rep`` the targets tiled g times -> (g,).

    The g·n predictions go through ``loss.per_example`` in one call. rmse is the one loss whose
    cost is not the mean of its per-example values: its cost is √(mean squared error).
    """
    g, n, k = pred.shape
    y = y_rep[:g * n]
    if loss.name == "rmse":
        mse = _losses.get("mse").per_example(y, pred.reshape(g * n, k))
        return np.sqrt(mse.reshape(g, n).mean(axis=1))
    return loss.per_example(y, pred.reshape(g * n, k)).reshape(g, n).mean(axis=1)


def _tiled_targets(y_true, n, reps):
    """``y_true`` repeated ``reps`` times along its first axis (matches g·n stacked predictions)."""
    y = np.asarray(y_true)
    if y.shape[0] != n:
        raise ValueError(f"y_true has {y.shape[0]} rows but X has {n}")
    return np.tile(y, (reps,) + (1,) * (y.ndim - 1))


def _matmul_small(a, b, out):
    """``np.matmul(a, b, out=out)`` as products of at most ``BLAS_CALL_SIZE`` m·k·n each.

    ``a`` (..., m, k), ``b`` (..., k, n), ``out`` (..., m, n). The columns of b and out are cut
    into blocks of ``blk`` (views, no copies); numpy's matmul then loops over the blocks in C,
    one BLAS call per block. Any leftover columns take one more call.
    """
    m, k = a.shape[-2:]
    n = b.shape[-1]
    blk = max(1, BLAS_CALL_SIZE // (m * k))
    if blk >= n:
        return np.matmul(a, b, out=out)
    main = n - n % blk

    def blocks(x):  # (..., r, main) -> (..., main // blk, r, blk), a view
        split = np.reshape(x[..., :main], x.shape[:-1] + (main // blk, blk), copy=False)
        return np.moveaxis(split, -2, -3)

    np.matmul(a[..., None, :, :], blocks(b), out=blocks(out))
    if main < n:
        np.matmul(a, b[..., main:], out=out[..., main:])
    return out


def _chunk_points(n, width, chunk_elements, n_points):
    """Grid points per chunk so that a (points, n, width) array holds about chunk_elements
    (at least 1 and at most the ``n_points`` of the whole grid: buffers are sized by it)."""
    return max(1, min(n_points, chunk_elements // max(1, n * width)))


# ---------------------------------------------------------------------------- general path
def _costs_general(net, X, y_true, loss, d1, d2, coeffs, dtype, chunk_elements):
    """Readable reference: every grid point gets its own copy of every layer's parameters.

    For a chunk of g grid points with coefficients ``c = (1, α, β)``: ``W_g = c @ A`` (g, in, out),
    then ``z = x_g @ W_g + b_g`` by a batched matmul, the activation object, and at the end the
    loss object on the (g·n, k) predictions.
    """
    layers = _layer_stacks(net, d1, d2, dtype)
    n = len(X)
    widest = max(layer["A"].shape[2] for layer in layers)
    step = _chunk_points(n, widest, chunk_elements, len(coeffs))
    y_rep = _tiled_targets(y_true, n, step)
    x0 = X.astype(dtype)
    costs = np.empty(len(coeffs))
    for start in range(0, len(coeffs), step):
        c = coeffs[start:start + step].astype(dtype)
        g = len(c)
        a = np.broadcast_to(x0, (g, *x0.shape))
        for layer in layers:
            A, B = layer["A"], layer["B"]
            W = (c @ A.reshape(3, -1)).reshape(g, *A.shape[1:])
            z = np.matmul(a, W) + (c @ B)[:, None, :]
            slope = c @ layer["S"] if layer["S"] is not None else None
            a = np.asarray(_activate_generic(layer["act"], z, slope), dtype=dtype)
        costs[start:start + g] = _generic_costs(loss, a, y_rep)
    return costs


# ------------------------------------------------------------------------------- fast path
#
# Layout: the fast path keeps activations "feature-major", shaped (g, units, n) for g grid points
# and n examples, instead of the network's (n, units). Then every elementwise pass runs along
# rows of n values (long inner loops; (n, 8) arrays would give numpy inner loops of 8), and the
# bias is folded into the matrix product: each layer's input buffer carries a last row of ones
# and each layer's per-point matrix is [Wᵀ | b], shaped (width, inputs + 1).

def _sigmoid_inplace(z):
    # σ(z) = ½·(1 + tanh(z/2)): no overflow for any z and tanh is the fastest transcendental
    # ufunc numpy has. Hidden layers only need absolute accuracy, which this has.
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


def _leaky_relu_inplace(z):
    return np.maximum(z, z * 0.01, out=z)


# Activations that can overwrite their input (no temporaries); others use the activation object.
_IN_PLACE = {
    "linear": lambda z: z,
    "tanh": lambda z: np.tanh(z, out=z),
    "relu": lambda z: np.maximum(z, 0.0, out=z),
    "leaky_relu": _leaky_relu_inplace,
    "sigmoid": _sigmoid_inplace,
}


def _activate_feature_major(act, z, slope):
    """The activation object on feature-major ``z`` (g, width, n) -> (g, outputs, n).

    ``slope`` (g, outputs) for prelu. Maxout's interleaved pieces become a trailing axis of 2;
    softmax gets the (g, n, k) view its contract expects (it normalizes over the last axis).
    """
    g, width, n = z.shape
    if act.name == "maxout":
        return act(np.moveaxis(z.reshape(g, width // 2, 2, n), 2, -1))
    if act.name == "prelu":
        return act(z, slope[:, :, None])
    if act.name == "softmax":
        return np.swapaxes(act(np.swapaxes(z, 1, 2)), 1, 2)
    return act(z)


def _fused_bce_costs(z, y_flat, scratch):
    """Sigmoid + bce straight from the logits ``z`` (g, k, n) -> mean cost per grid point (g,).

    With p = σ(z): −(y·ln p + (1 − y)·ln(1 − p)) = softplus(z) − y·z, and bce's clip of p to
    [ε, 1 − ε] is a clip of z to [−L, L], L = ln((1 − ε)/ε). softplus(z) = max(z, 0) +
    ln(1 + e^(−|z|)) never overflows. Σ y·z over a grid point's examples is one matrix-vector
    product (``y_flat`` is yᵀ flattened, (k·n,)). Overwrites ``z`` and ``scratch``.
    """
    g = z.shape[0]
    flat = z.reshape(g, -1)
    np.clip(flat, -_BCE_LOGIT_LIMIT, _BCE_LOGIT_LIMIT, out=flat)
    yz = flat @ y_flat
    t = scratch[:flat.size].reshape(flat.shape)
    np.abs(flat, out=t)
    np.negative(t, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    np.maximum(flat, 0.0, out=flat)
    total = flat.sum(axis=1, dtype=np.float64) + t.sum(axis=1, dtype=np.float64) - yz
    return total / flat.shape[1]


class _FastPlan:
    """Everything about a fast surface that does not depend on the chunk (see ``_costs_fast``).

    Attributes
    ----------
    layers : list of dict
        The perturbed layer f and those above it: ``act``, ``M`` (3, width, inputs + 1) stacks
        of [Wᵀ | b] for (params, d1, d2), ``S`` (3, outputs) prelu slopes or None, ``perturbed``,
        ``width`` (outputs, doubled for maxout) and ``units`` (outputs).
    Zs : (3, width_f·n) array
        Layer f's pre-activations as ``Z0, Z1, Z2``: z_f = Z0 + α·Z1 + β·Z2.
    step : int
        Grid points per chunk.
    flat_cost : float or None
        The cost when no layer is perturbed (then the surface is flat).
    """

    def __init__(self, net, X, y_true, loss, d1, d2, dtype, chunk_elements, n_points):
        self.loss, self.dtype, self.n = loss, dtype, len(X)
        self.flat_cost = None
        stacks = _layer_stacks(net, d1, d2, dtype)
        for layer in stacks:
            layer["M"] = np.ascontiguousarray(np.concatenate(
                [layer["A"].transpose(0, 2, 1), layer["B"][:, :, None]], axis=2))
            layer["width"] = layer["A"].shape[2]
            maxout = layer["act"].name == "maxout"
            layer["units"] = layer["width"] // 2 if maxout else layer["width"]
        first = next((k for k, layer in enumerate(stacks) if layer["perturbed"]), len(stacks))

        # Layers below f do not depend on (α, β): run them once, as a chunk of one point (0, 0).
        x = np.ascontiguousarray(X.T, dtype=dtype)  # (inputs, n)
        for layer in stacks[:first]:
            M = layer["M"][0]
            z = (M[:, :-1] @ x + M[:, -1:])[None]
            slope = layer["S"][:1] if layer["S"] is not None else None
            x = self._activate(layer, z, slope)[0]
        if first == len(stacks):
            pred = np.ascontiguousarray(x.T)[None]
            self.flat_cost = float(_generic_costs(loss, pred, _tiled_targets(y_true, self.n, 1))[0])
            return

        # Layer f is linear in (α, β): its three pieces, with the bias in the last column of M.
        self.layers = stacks[first:]
        M = self.layers[0]["M"]
        self.Zs = (np.matmul(M[:, :, :-1], x) + M[:, :, -1:]).reshape(3, -1)
        self.step = _chunk_points(self.n, max(layer["width"] for layer in self.layers),
                                  chunk_elements, n_points)
        last = self.layers[-1]
        self.fused = last["act"].name == "sigmoid" and loss.name == "bce"
        if self.fused:
            y = np.asarray(y_true, dtype=dtype)
            if y.size != self.n * last["units"]:
                raise ValueError(f"y_true must hold {self.n}×{last['units']} targets for bce")
            self.y_flat = np.ascontiguousarray(y.reshape(self.n, -1).T).reshape(-1)
        else:
            self.y_rep = _tiled_targets(y_true, self.n, self.step)

    def _activate(self, layer, z, slope):
        """Activation of a feature-major ``z``, in place when a kernel exists."""
        kernel = _IN_PLACE.get(layer["act"].name)
        if kernel is not None:
            return kernel(z)
        return np.asarray(_activate_feature_major(layer["act"], z, slope), dtype=self.dtype)

    def _in_place(self, layer):
        return layer["act"].name in _IN_PLACE

    def buffers(self):
        """Work arrays of one worker: per layer, where its z goes and its (g, units + 1, n) output.

        The output of layer k is the input of layer k + 1, with a constant last row of ones
        (that multiplies the bias column of M). When the activation works in place, z is
        written straight into that output; otherwise z has its own array.
        """
        step, n, dtype = self.step, self.n, self.dtype
        z_bufs, out_bufs = [], []
        for k, layer in enumerate(self.layers):
            if k == len(self.layers) - 1:
                z_bufs.append(np.empty((step, layer["width"], n), dtype=dtype))
                out_bufs.append(None)
                continue
            out = np.empty((step, layer["units"] + 1, n), dtype=dtype)
            out[:, -1, :] = 1.0
            out_bufs.append(out)
            z_bufs.append(out[:, :-1, :] if self._in_place(layer)
                          else np.empty((step, layer["width"], n), dtype=dtype))
        scratch = np.empty(step * self.layers[-1]["width"] * n, dtype=dtype) if self.fused else None
        return z_bufs, out_bufs, scratch

    def _pre_activation(self, k, c, x, z):
        """Write layer k's pre-activations for the chunk's points ``c`` into ``z`` (g, width, n).

        ``x`` is the layer's input (g, inputs + 1, n), its last row ones (unused for k = 0, whose
        input is cached in ``Zs``).
        """
        layer, g = self.layers[k], len(c)
        if k == 0:  # z = Z0 + α·Z1 + β·Z2 for every point at once
            # copy=False: raise rather than let matmul fill a silent copy.
            _matmul_small(c, self.Zs, out=np.reshape(z, (g, -1), copy=False))
        elif layer["perturbed"]:  # each point's [Wᵀ | b] = (1, α, β) @ M
            M = layer["M"]
            _matmul_small((c @ M.reshape(3, -1)).reshape(g, *M.shape[1:]), x, out=z)
        else:  # one [Wᵀ | b] for the whole chunk
            _matmul_small(layer["M"][0], x, out=z)
        return z

    def chunk_costs(self, c, buffers):
        """Costs of the g grid points with coefficient rows ``c`` (g, 3) = (1, α, β) -> (g,)."""
        z_bufs, out_bufs, scratch = buffers
        g, last = len(c), len(self.layers) - 1
        x = None
        for k, layer in enumerate(self.layers):
            z = self._pre_activation(k, c, x, z_bufs[k][:g])
            slope = c @ layer["S"] if layer["S"] is not None else None
            if k == last:
                break
            a = self._activate(layer, z, slope)
            x = out_bufs[k][:g]
            if a is not z:  # the activation object returned a new array
                x[:, :-1, :] = a
        if self.fused:
            return _fused_bce_costs(z, self.y_flat, scratch)
        a = self._activate(layer, z, slope)
        return _generic_costs(self.loss, np.swapaxes(a, 1, 2), self.y_rep)


def _costs_fast(net, X, y_true, loss, d1, d2, coeffs, dtype, chunk_elements, workers=1):
    """Vectorized surface with caching, a linear first perturbed layer and cache-sized chunks.

    1. Layers below the first perturbed layer f do not depend on (α, β): they run once.
    2. Layer f is linear in (α, β): z_f = Z0 + α·Z1 + β·Z2 with Z0 = x @ W + b,
       Z1 = x @ D1_W + D1_b, Z2 = x @ D2_W + D2_b (x its cached input). For a chunk of g grid
       points that is one product ``coeffs (g, 3) @ Zs (3, width·n)``.
    3. Above f, a perturbed layer gets per-point matrices ``coeffs @ M`` (g, width, inputs + 1)
       and one batched matmul with the (g, inputs + 1, n) activations (bias included by the row
       of ones); an unperturbed layer shares one matrix across the chunk. Products are cut to
       at most ``BLAS_CALL_SIZE`` so that BLAS runs them on the calling thread.
    4. Activations work in place where possible; sigmoid + bce is fused into one pass from the
       logits; other losses use ``loss.per_example`` on the chunk's (g·n, k) predictions.
    Buffers are allocated once per worker and reused by every chunk. With ``workers`` > 1 the
    chunks are shared among threads (numpy releases the GIL inside ufuncs and matmul).
    """
    plan = _FastPlan(net, X, y_true, loss, d1, d2, dtype, chunk_elements, len(coeffs))
    if plan.flat_cost is not None:
        return np.full(len(coeffs), plan.flat_cost)
    costs = np.empty(len(coeffs))
    c_all = coeffs.astype(dtype)
    starts = range(0, len(coeffs), plan.step)

    def run(my_starts):
        buffers = plan.buffers()
        for start in my_starts:
            c = c_all[start:start + plan.step]
            costs[start:start + len(c)] = plan.chunk_costs(c, buffers)

    workers = max(1, min(int(workers), len(starts)))
    if workers == 1:
        run(starts)
    else:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run, [starts[w::workers] for w in range(workers)]))
    return costs
