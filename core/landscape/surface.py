"""The error surface: the cost on a grid of a plane in weight space (see :func:`surface`)."""
from __future__ import annotations

import numpy as np

from core.landscape import kernels
from core.landscape.kernels import CHUNK_ELEMENTS, check_stop

__all__ = ["surface", "METHODS"]

#: Ways :func:`surface` can evaluate the grid (see its docstring).
METHODS = ("fast", "general", "loop")


def surface(net, X, y_true, loss, d1, d2, alphas, betas, *, include_regularization=False,
            l1=0.0, l2=0.0, dtype=np.float64, method="fast", chunk_elements=CHUNK_ELEMENTS,
            workers=1, should_stop=None):
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
        ``"fast"`` (see :func:`core.landscape.kernels.costs_fast`): caches the layers below
        the first perturbed one, evaluates that layer as ``Z0 + α·Z1 + β·Z2`` (it is linear in
        α and β), then runs the rest as batched matrix products over chunks of grid points
        sized to stay in cache, with in-place activations and a fused sigmoid + bce cost.
        ``"general"``: the plain
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
    should_stop : callable or None
        Asked between chunks of grid points (between rows for the loop); when it returns True
        the computation stops and raises :class:`Cancelled` (a GUI whose request was replaced
        by a newer one stops within a chunk, a few milliseconds).

    Returns
    -------
    (B, A) float64 array

    Raises
    ------
    Cancelled
        When ``should_stop()`` returned True (the network is left as it was).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    X, loss, dtype = kernels.checked_inputs(net, X, loss, dtype)
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
        Z = _surface_loop(net, X, y_true, loss, d1, d2, alphas, betas, should_stop)
    else:
        # Grid point g = j·A + i has coefficients (1, α_i, β_j): every per-point quantity that is
        # linear in (α, β) is then one product coeffs @ stack, stack = (base, along d1, along d2).
        coeffs = np.empty((betas.size * alphas.size, 3))
        coeffs[:, 0] = 1.0
        coeffs[:, 1] = np.tile(alphas, betas.size)
        coeffs[:, 2] = np.repeat(betas, alphas.size)
        if method == "fast":
            Z = kernels.costs_fast(net, X, y_true, loss, d1, d2, coeffs, dtype,
                                   int(chunk_elements), workers, should_stop)
        else:
            Z = kernels.costs_general(net, X, y_true, loss, d1, d2, coeffs, dtype,
                                      int(chunk_elements), should_stop)
        Z = Z.reshape(betas.size, alphas.size)
    if include_regularization and (l1 or l2):
        Z += _regularization_grid(net, d1, d2, alphas, betas, l1, l2)
    return Z


def _surface_loop(net, X, y_true, loss, d1, d2, alphas, betas, should_stop):
    """The reference: move the network to each grid point and ask it for its cost."""
    saved = net.params.copy()
    Z = np.empty((betas.size, alphas.size))
    try:
        for j, beta in enumerate(betas):
            check_stop(should_stop)  # between rows of the grid
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
    mask = net.layout.weight_mask
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
        step = max(1, kernels.BLAS_CALL_SIZE // (3 * max(1, stack.shape[1])))
        for start in range(0, len(coeffs), step):
            flat[start:start + step] += l1 * np.abs(coeffs[start:start + step] @ stack).sum(axis=1)
    return reg


