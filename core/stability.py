"""Sharpness against the learning rate: when does gradient descent overshoot?

On a quadratic valley of curvature λ, plain gradient descent multiplies the distance to the
bottom by (1 − ηλ) at every step: it shrinks while ηλ < 2 and grows when λ > 2/η, each step
overshooting the bottom by more than it corrects. Near any point the cost is nearly quadratic,
with curvature λ₁ (the largest Hessian eigenvalue, the *sharpness*) along the sharpest
direction. So λ₁ against 2/η says whether the steps are stable there. Cohen et al. (ICLR 2021,
"Gradient descent on neural networks typically occurs at the edge of stability") found that
full-batch training raises λ₁ until it reaches 2/η and then hovers there::

    limit = stability_limit("sgd", learning_rate=0.1)          # Limit(20.0, "2/η")
    pairs = sharpness(net, X, y, "bce", k=2)                   # the two largest eigenvalues
    found = overshoot(net, X, y, "bce", "sgd", 3.0)            # Overshoot, or None
    index, found = overshoot_along(net, X, y, "bce", trainer.path_points(), "sgd", 3.0)

Momentum moves the limit: the heavy ball (v ← μv + g, θ ← θ − ηv) is stable while
λ < (2 + 2μ)/η, Nesterov's form while λ < (2 + 2μ)/((1 + 2μ)η). Adaptive optimizers (Adagrad,
RMSprop, Adam) divide each step by a running size of the gradient, so no single λ limits them.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from core.curvature import Eigenpairs, HessianOperator, top_eigenpairs


@dataclasses.dataclass(frozen=True)
class Limit:
    """The largest curvature along which an optimizer's steps still shrink the error:
    ``value`` (e.g. 2/η) and its ``formula`` as a learner reads it (``"2/η"``)."""

    value: float
    formula: str

    def learning_rate_for(self, curvature, learning_rate) -> float:
        """The learning rate at which ``curvature`` would sit exactly at this limit (the limit
        is inversely proportional to η)."""
        return learning_rate * self.value / curvature


def stability_limit(optimizer, learning_rate, momentum=0.0):
    """The :class:`Limit` of ``optimizer`` (a name: ``"sgd"``, ``"momentum"``, ``"nesterov"``)
    at ``learning_rate``, or None for an optimizer that adapts its step (no single limit).

    With θ ← θ − η·(update) on a quadratic of curvature λ, the iteration is stable while
    λ < 2/η (SGD), λ < (2 + 2μ)/η (heavy-ball momentum), λ < (2 + 2μ)/((1 + 2μ)η) (Nesterov).
    """
    eta, mu = float(learning_rate), float(momentum)
    if not eta > 0:
        return None
    if optimizer == "sgd":
        return Limit(2.0 / eta, "2/η")
    if optimizer == "momentum":
        return Limit((2.0 + 2.0 * mu) / eta, "(2 + 2μ)/η")
    if optimizer == "nesterov":
        return Limit((2.0 + 2.0 * mu) / ((1.0 + 2.0 * mu) * eta), "(2 + 2μ)/((1 + 2μ)η)")
    return None


def sharpness(net, X, y_true, loss, k=1, *, l1=0.0, l2=0.0, tol=1e-4, seed=0,
              max_products=None, should_stop=None) -> Eigenpairs:
    """The k *largest* eigenvalues of the Hessian of the cost (λ₁ ≥ λ₂ ≥ …), with eigenvectors.

    :func:`core.curvature.hessian_eigs` gives the eigenvalues of largest magnitude; a large
    negative one (a saddle) would then stand in for the sharpness. Here, when one of the
    top-k by magnitude is negative, the block Lanczos runs again on H + c·I, c = its size, whose
    eigenvalues are all ≥ 0 and in the same order as H's: its top-k are the k largest of H.

    Parameters
    ----------
    net : Network
        Not changed.
    X : (n, inputs) array
    y_true : array
    loss : str or loss object
    k : int
    l1, l2 : float
        Regularization rates, as in ``Network.cost``.
    tol, seed, max_products, should_stop
        As in :func:`core.curvature.top_eigenpairs` (``max_products`` bounds each run).

    Returns
    -------
    Eigenpairs
        ``values`` sorted largest first; ``n_products`` counts both runs.
    """
    operator = HessianOperator(net, X, y_true, loss, l1=l1, l2=l2)
    n = net.n_params
    pairs = top_eigenpairs(operator, n, k, tol=tol, seed=seed, max_products=max_products,
                           should_stop=should_stop)
    order = np.argsort(-pairs.values, kind="stable")
    if np.all(pairs.values >= 0) or not np.all(np.isfinite(pairs.values)):
        return dataclasses.replace(pairs, values=pairs.values[order],
                                   vectors=pairs.vectors[order], residuals=pairs.residuals[order])
    shift = float(-pairs.values.min())

    def shifted(V):
        return operator(V) + shift * np.asarray(V, dtype=float)

    more = top_eigenpairs(shifted, n, k, tol=tol, seed=seed, max_products=max_products,
                          should_stop=should_stop)
    return dataclasses.replace(more, values=more.values - shift,
                               n_products=pairs.n_products + more.n_products)


@dataclasses.dataclass(frozen=True)
class Overshoot:
    """The sharpness ``curvature`` (λ₁) is above the optimizer's ``limit`` at
    ``learning_rate``: the steps grow along the sharpest direction."""

    curvature: float
    limit: Limit
    learning_rate: float

    def text(self) -> str:
        """E.g. "λ_max = 5.38 is above 2/η = 0.667: every step overshoots the minimum along the
        sharpest direction by more than it corrects, so the error there grows." """
        return (f"λ_max = {self.curvature:.3g} is above {self.limit.formula} = "
                f"{self.limit.value:.3g}: every step overshoots the minimum along the sharpest "
                f"direction by more than it corrects, so the error there grows.")

    def advice(self) -> str:
        """The learning rate below which this curvature would be stable."""
        safe = self.limit.learning_rate_for(self.curvature, self.learning_rate)
        return (f"Try a smaller learning rate, below {safe:.2g} (now {self.learning_rate:g}), "
                f"or an optimizer that adapts its step (Adam, RMSprop).")


def overshoot(net, X, y_true, loss, optimizer, learning_rate, momentum=0.0, *, l1=0.0,
              l2=0.0, max_products=60):
    """An :class:`Overshoot` when the sharpness at ``net``'s weights is above the limit of
    ``optimizer`` at ``learning_rate`` (see :func:`stability_limit`), else None (also for an
    adaptive optimizer, or where the Hessian is not finite).

    λ₁ is found to 1e-3 relative with at most ``max_products`` Hessian-vector products (a
    diverged run's message must not wait long for it).
    """
    limit = stability_limit(optimizer, learning_rate, momentum)
    if limit is None:
        return None
    with np.errstate(all="ignore"):
        try:
            pairs = sharpness(net, X, y_true, loss, k=1, l1=l1, l2=l2, tol=1e-3,
                              max_products=max_products)
        except np.linalg.LinAlgError:  # inf or NaN in the Hessian: nothing to say about it
            return None
    value = float(pairs.values[0])
    if not (np.isfinite(value) and value > limit.value):
        return None
    return Overshoot(value, limit, float(learning_rate))


def overshoot_along(net, X, y_true, loss, points, optimizer, learning_rate, momentum=0.0, *,
                    l1=0.0, l2=0.0, max_products=60):
    """Why a run diverged, if its sharpness says so: ``(index, Overshoot)`` for the row of
    ``points`` (recorded weights, ``(m, n_params)``, oldest first) where the cost was lowest,
    when the sharpness there is above the optimizer's limit; else None.

    Measured where training was best rather than at the last weights before the failure:
    by then the weights have been growing for several steps, and their curvature (huge for
    ReLU, tiny for saturated tanh) says nothing about the valley the steps were thrown out of.
    """
    from core.landscape import path_costs  # core.landscape imports core.curvature, as this does

    points = np.asarray(points, dtype=float)
    with np.errstate(all="ignore"):
        costs = path_costs(net, X, y_true, loss, points, l1=l1, l2=l2,
                           include_regularization=True)
    finite = np.flatnonzero(np.isfinite(costs))
    if not len(finite):
        return None
    index = int(finite[np.argmin(costs[finite])])
    twin = net.copy()
    twin.params[:] = points[index]
    found = overshoot(twin, X, y_true, loss, optimizer, learning_rate, momentum, l1=l1, l2=l2,
                      max_products=max_products)
    return None if found is None else (index, found)
