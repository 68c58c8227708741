"""The vectorized evaluation of an error surface: the readable batched reference and the fast,
hand-tuned path (see :func:`costs_fast`). :func:`core.landscape.surface` is the front door.

How the fast path is fast: the layers below the first layer the plane moves are computed once;
that layer is linear in (α, β), so its pre-activations are ``Z0 + α·Z1 + β·Z2`` from three
cached arrays; the layers above run as batched matrix products over chunks of grid points,
feature-major ``(points, units, examples)`` so that the elementwise passes have long inner
loops, with the bias folded into the product, activations in place and sigmoid + bce fused from
the logits.

Both paths take a ``should_stop`` callable (or None) and raise
:class:`Cancelled` between chunks when it returns True.
"""
from __future__ import annotations

import math

import numpy as np

from core import losses as _losses

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


class Cancelled(Exception):
    """A computation was asked to stop (its ``should_stop()`` returned True) and did."""


def check_stop(should_stop):
    """Raise :class:`Cancelled` if ``should_stop`` (a callable or None) says so."""
    if should_stop is not None and should_stop():
        raise Cancelled("stopped: a newer request replaced this one")


def checked_inputs(net, X, loss, dtype):
    """``(X, loss, dtype)`` as the kernels take them: X a float64 ``(n, inputs)`` array, the
    loss object for a name, dtype float32 or float64 (ValueError naming what is wrong)."""
    loss = _losses.get(loss) if isinstance(loss, str) else loss
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != net.layer_sizes[0]:
        raise ValueError(f"X must be shaped (n, {net.layer_sizes[0]}); got {X.shape}")
    return X, loss, dtype


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
def costs_general(net, X, y_true, loss, d1, d2, coeffs, dtype, chunk_elements,
                  should_stop=None):
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
        check_stop(should_stop)
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

def _tanh_inplace(z):
    # numpy's float64 tanh is scalar code on AVX2 machines (about 13 ns a value here), while its
    # float64 exp is vectorized (about 5 ns): tanh(z) = 1 − 2/(e^(2z) + 1) takes less than half
    # the time, to within 3e-16 of tanh (an absolute error, which is all a hidden layer needs).
    # e^(2z) overflows to inf for z > 354, which gives exactly 1. float32 tanh is vectorized.
    if z.dtype != np.float64:
        return np.tanh(z, out=z)
    with np.errstate(over="ignore"):
        z *= 2.0
        np.exp(z, out=z)
    z += 1.0
    np.divide(2.0, z, out=z)
    np.subtract(1.0, z, out=z)
    return z


def _sigmoid_inplace(z):
    # float32: σ(z) = ½·(1 + tanh(z/2)), no overflow for any z and tanh is numpy's fastest
    # float32 transcendental. float64: σ(z) = 1/(1 + e^(−z)) (exp is vectorized, tanh is not;
    # e^(−z) = inf for z < −709 gives exactly 0). Hidden layers only need absolute accuracy,
    # which both have.
    if z.dtype != np.float64:
        z *= 0.5
        np.tanh(z, out=z)
        z *= 0.5
        z += 0.5
        return z
    np.negative(z, out=z)
    with np.errstate(over="ignore"):
        np.exp(z, out=z)
    z += 1.0
    np.reciprocal(z, out=z)
    return z


def _leaky_relu_inplace(z):
    return np.maximum(z, z * 0.01, out=z)


# Activations that can overwrite their input (no temporaries); others use the activation object.
_IN_PLACE = {
    "linear": lambda z: z,
    "tanh": _tanh_inplace,
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
    """Everything about a fast surface that does not depend on the chunk (see ``costs_fast``).

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
            x = out_bufs[k][:g]
            if self._in_place(layer):
                # The whole output buffer, row of ones included, is one contiguous array: the
                # elementwise passes run about a third faster on it than on the view z that
                # leaves that row out (the extra row costs 1/units more work). Then the ones
                # are put back.
                self._activate(layer, x, slope)
                x[:, -1, :] = 1.0
                continue
            a = self._activate(layer, z, slope)
            x[:, :-1, :] = a  # the activation object returned a new array
        if self.fused:
            return _fused_bce_costs(z, self.y_flat, scratch)
        a = self._activate(layer, z, slope)
        return _generic_costs(self.loss, np.swapaxes(a, 1, 2), self.y_rep)


def costs_fast(net, X, y_true, loss, d1, d2, coeffs, dtype, chunk_elements, workers=1,
               should_stop=None):
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
    ``should_stop`` is asked before every chunk (by every worker).
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
            check_stop(should_stop)
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
