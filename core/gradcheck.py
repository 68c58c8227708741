"""Gradient check: does backpropagation compute the gradient of the cost?

Backpropagation is fast but easy to get wrong; the definition of a derivative is slow but hard
to get wrong. The check computes both and compares them. For a parameter ``θ_i`` the central
difference

    g_fd[i] = (C(θ + ε·e_i) − C(θ − ε·e_i)) / (2ε)

approximates ``∂C/∂θ_i`` with an error of order ``ε²`` (plus the round-off of the two costs,
about ``1e-16·|C| / ε``), so with ``ε = 1e-6`` in float64 it agrees with a correct gradient to
about nine digits. Each block of parameters (``W1``, ``b1``, ``W2``, ...) gets one number, the
relative error

    ‖d‖ / max(‖g_bp‖ + ‖g_fd‖, tiny),   d_i = |g_bp[i] − g_fd[i]|

over the entries checked, except that an entry where both gradients are within
``r_i = ROUND_OFF_ULPS · eps_float64 · max(|C₊|, |C₋|) / (2ε)`` of 0 (the round-off of that
entry's difference quotient) has ``d_i = 0``: there the two costs cannot tell the gradient from
0. It is about 1e-10 for a correct gradient and of order 1 for a wrong one, whatever the size
of the gradient. (A per-entry ratio would blow up for the many entries whose gradient is
nearly 0 after training; and without ``r_i`` a gradient that is exactly 0, say an output bias
at zero initialization, would be "wrong" by the one-ulp change the round-off leaves in
``C₊ − C₋``.)

Kinks can raise it without a bug: where ReLU, MAE, hinge or L1 regularization switch branch
within ±ε of the current weights, the two costs lie on different pieces and ``g_fd`` is an
average of the two slopes. So can saturated cross-entropy predictions: the cost clips ŷ to
[1e-7, 1 − 1e-7] and is flat there, while the fused gradient ``(ŷ − y)/n`` is not
(``GradientCheck.n_clipped`` counts them).

>>> import numpy as np
>>> from core.network import Network
>>> net = Network((2, 3, 1), "tanh", "sigmoid", seed=0)
>>> X = np.random.default_rng(0).normal(size=(20, 2)); y = (X[:, :1] > 0).astype(float)
>>> result = check_gradient(net, X, y, "bce")
>>> result.relative_error < 1e-6
True
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from core import losses

#: Below this relative error backpropagation's gradient is correct (float64, ε = 1e-6).
CORRECT_BELOW = 1e-6
#: Above this it is wrong; in between, a kink or an unlucky ε may be the cause.
BUG_ABOVE = 1e-3
#: Denominator floor: a block whose gradient is zero both ways has relative error 0.
TINY = 1e-30
#: Round-off allowed in C₊ − C₋, in units of the costs' last place (a cost is a sum of many
#: terms; perturbing one weight changes their rounding a little).
ROUND_OFF_ULPS = 32


@dataclasses.dataclass(frozen=True)
class BlockCheck:
    """The comparison for one block of parameters.

    Attributes
    ----------
    label : str
        The block, e.g. ``"W1"`` (weights into the first hidden layer) or ``"b2"`` (layers
        counted from 1, as :meth:`core.params.ParamLayout.label` counts them).
    shape : tuple of int
    n_checked, n_total : int
        Entries compared, and entries in the block (big blocks are sampled).
    relative_error : float
        ``‖d‖ / max(‖g_bp‖ + ‖g_fd‖, tiny)`` over the checked entries (module docstring).
    max_difference : float
        Largest ``|g_bp[i] − g_fd[i]|``.
    gradient_norm : float
        ``‖g_bp‖`` over the checked entries (how big the gradient is there).
    round_off : float
        Largest ``r_i``: gradients below it are too small for finite differences to measure.
    indices : (n_checked,) int array
        Which entries of the block (flat, row-major) were checked.
    backprop, finite_difference : (n_checked,) arrays
        The two gradients at those entries.
    """

    label: str
    shape: tuple
    n_checked: int
    n_total: int
    relative_error: float
    max_difference: float
    gradient_norm: float
    round_off: float
    indices: np.ndarray
    backprop: np.ndarray
    finite_difference: np.ndarray


@dataclasses.dataclass(frozen=True)
class GradientCheck:
    """All blocks, and the relative error over every checked entry of the network."""

    blocks: tuple
    relative_error: float
    cost: float
    eps: float
    n_examples: int
    #: Predictions that the cost clips (within 1e-7 of 0 or 1) while backpropagation's fused
    #: cross-entropy gradient does not: each makes the two disagree a little, without a bug.
    n_clipped: int = 0

    @property
    def n_checked(self) -> int:
        return sum(b.n_checked for b in self.blocks)

    @property
    def n_total(self) -> int:
        return sum(b.n_total for b in self.blocks)

    @property
    def verdict(self) -> str:
        return verdict(self.relative_error)


def verdict(relative_error) -> str:
    """``"correct"`` (< 1e-6), ``"bug"`` (> 1e-3 or not finite) or ``"unsure"`` (in between)."""
    if not math.isfinite(relative_error) or relative_error > BUG_ABOVE:
        return "bug"
    return "correct" if relative_error < CORRECT_BELOW else "unsure"


def relative_error(a, b, tolerance=0.0) -> float:
    """``‖d‖ / max(‖a‖ + ‖b‖, tiny)`` with ``d = |a − b|``, but 0 where both ``|a|`` and ``|b|``
    are within ``tolerance`` of 0: 0 when equal, 1 when opposite or one is 0."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both_zero = (np.abs(a) <= tolerance) & (np.abs(b) <= tolerance)
    d = np.where(both_zero, 0.0, np.abs(a - b))
    return float(np.linalg.norm(d) / max(np.linalg.norm(a) + np.linalg.norm(b), TINY))


def check_gradient(network, X, y_true, loss, l1=0.0, l2=0.0, eps=1e-6, max_per_block=60,
                   seed=0) -> GradientCheck:
    """Compare ``network.cost_and_gradient`` with central differences of ``network.cost``.

    Parameters
    ----------
    network : core.network.Network
        Its parameters are perturbed one at a time and restored exactly before returning.
    X : (n, inputs) array
        The network's inputs (after any input features).
    y_true : array
        Targets as the loss wants them (``core.losses.targets_for``).
    loss : str or loss object
    l1, l2 : float
        Regularization rates, as in ``Network.cost``.
    eps : float
        Step ε of the central difference.
    max_per_block : int
        Blocks with more entries are checked at this many entries, drawn at random (``seed``).

    Returns
    -------
    GradientCheck
    """
    if not eps > 0:
        raise ValueError(f"eps must be > 0, not {eps!r}")
    if max_per_block < 1:
        raise ValueError(f"max_per_block must be >= 1, not {max_per_block!r}")
    loss = losses.get(loss) if isinstance(loss, str) else loss
    X = np.asarray(X, dtype=float)
    params = network.params
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        cost, grad = network.cost_and_gradient(X, y_true, loss, l1, l2)
        grad = np.array(grad, dtype=float)  # a copy: the network may reuse its buffer
        blocks, all_bp, all_fd, all_r = [], [], [], []
        ulp = np.finfo(float).eps
        for block in network.blocks:
            size = block.stop - block.start
            if size > max_per_block:
                local = np.sort(rng.choice(size, max_per_block, replace=False))
            else:
                local = np.arange(size)
            fd, r = np.empty(len(local)), np.empty(len(local))
            for j, i in enumerate(block.start + local):
                original = params[i]
                try:
                    params[i] = original + eps
                    plus = network.cost(X, y_true, loss, l1, l2)
                    params[i] = original - eps
                    minus = network.cost(X, y_true, loss, l1, l2)
                finally:
                    params[i] = original
                fd[j] = (plus - minus) / (2.0 * eps)
                r[j] = ROUND_OFF_ULPS * ulp * max(abs(plus), abs(minus)) / (2.0 * eps)
            bp = grad[block.start + local]
            difference = np.abs(bp - fd)
            blocks.append(BlockCheck(
                label=block.label, shape=tuple(block.shape), n_checked=len(local),
                n_total=size, relative_error=relative_error(bp, fd, r),
                max_difference=float(difference.max()) if len(local) else 0.0,
                gradient_norm=float(np.linalg.norm(bp)),
                round_off=float(r.max()) if len(local) else 0.0, indices=local, backprop=bp,
                finite_difference=fd))
            all_bp.append(bp)
            all_fd.append(fd)
            all_r.append(r)
    overall = relative_error(np.concatenate(all_bp), np.concatenate(all_fd),
                             np.concatenate(all_r))
    n_clipped = 0
    if network.has_fused_gradient(loss):
        with np.errstate(all="ignore"):
            p = network.predict(X)
        n_clipped = int(np.count_nonzero((p < losses.EPSILON) | (p > 1.0 - losses.EPSILON)))
    return GradientCheck(blocks=tuple(blocks), relative_error=overall, cost=float(cost),
                         eps=float(eps), n_examples=len(X), n_clipped=n_clipped)
