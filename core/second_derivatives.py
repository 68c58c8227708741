"""Second derivatives of the activations and losses, for exact Hessian-vector products.

:mod:`core.curvature` differentiates backpropagation once more (Pearlmutter's R-operator). The
new factors it needs are the activations' f″(z) and the losses' ∂²C/∂ŷ², which live here, one
small formula per registry entry (a test checks each against central differences of the
first derivative, and that every registry entry has one).

At kinks the second derivative is taken as 0, the derivative of the piecewise-constant first
derivative away from the kink: ReLU, Leaky ReLU, PReLU and Maxout (piecewise linear), the step,
the ELU family at 0 (f′ is continuous there but f″ jumps), Softsign at 0, MAE and hinge
(piecewise linear losses), Huber at |ŷ − y| = δ, squared hinge at the margin, and the clips of
the logarithmic losses (where a loss clips ŷ its gradient is 0, and so is its derivative).
Softmax, PReLU and Maxout have no entry in :data:`ACTIVATIONS`: their second-order terms are
not elementwise, and :mod:`core.curvature` writes them out.
"""
from __future__ import annotations

import numpy as np

from core import losses
from core.activations import ELU, GELU, SELU


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _zero(z):
    return np.zeros_like(z)


def _sigmoid_2(z):
    """σ″ = σ(1 − σ)(1 − 2σ)."""
    s = _sigmoid(z)
    return s * (1.0 - s) * (1.0 - 2.0 * s)


def _tanh_2(z):
    """tanh″ = −2·tanh·(1 − tanh²)."""
    t = np.tanh(z)
    return -2.0 * t * (1.0 - t * t)


def _elu_2(act):
    def second(z):
        """f″ = λ·α·e^z for z ≤ 0, 0 for z > 0 (the branch f′ takes at 0)."""
        return act.scale * np.where(z > 0, 0.0, act.alpha * np.exp(np.minimum(z, 0.0)))
    return second


def _softplus_2(z):
    """softplus″ = σ′ = σ(1 − σ)."""
    s = _sigmoid(z)
    return s * (1.0 - s)


def _swish_2(z):
    """(z·σ)″ = σ(1 − σ)·(2 + z(1 − 2σ))."""
    s = _sigmoid(z)
    return s * (1.0 - s) * (2.0 + z * (1.0 - 2.0 * s))


def _gelu_2(z):
    """f = ½z(1 + t), t = tanh(u), u = c(z + κz³):  f″ = (1 − t²)·(u′ + ½z·(u″ − 2t·u′²)),
    u′ = c(1 + 3κz²), u″ = 6cκz."""
    c, kappa = GELU._c, 0.044715
    t = np.tanh(c * (z + kappa * z**3))
    du, d2u = c * (1.0 + 3.0 * kappa * z * z), 6.0 * c * kappa * z
    return (1.0 - t * t) * (du + 0.5 * z * (d2u - 2.0 * t * du * du))


def _mish_2(z):
    """f = z·t, t = tanh(softplus z):  f″ = (1 − t²)σ·(2 + z(1 − σ − 2tσ))."""
    t, s = np.tanh(np.logaddexp(0.0, z)), _sigmoid(z)
    return (1.0 - t * t) * s * (2.0 + z * (1.0 - s - 2.0 * t * s))


def _gaussian_2(z):
    """(e^(−z²))″ = (4z² − 2)·e^(−z²)."""
    return (4.0 * z * z - 2.0) * np.exp(-z * z)


def _softsign_2(z):
    """(z/(1 + |z|))″ = −2·sign(z)/(1 + |z|)³ (0 at the kink z = 0)."""
    return -2.0 * np.sign(z) / (1.0 + np.abs(z)) ** 3


def _arctan_2(z):
    """arctan″ = −2z/(1 + z²)²."""
    return -2.0 * z / (1.0 + z * z) ** 2


#: f″(z) of every elementwise activation: name -> function of z (an array of any shape).
ACTIVATIONS = {
    "linear": _zero,
    "step": _zero,
    "sigmoid": _sigmoid_2,
    "tanh": _tanh_2,
    "relu": _zero,
    "leaky_relu": _zero,
    "elu": _elu_2(ELU),
    "selu": _elu_2(SELU),
    "softplus": _softplus_2,
    "swish": _swish_2,
    "gelu": _gelu_2,
    "mish": _mish_2,
    "sin": lambda z: -np.sin(z),
    "gaussian": _gaussian_2,
    "softsign": _softsign_2,
    "arctan": _arctan_2,
}


#: Activations whose second-order terms core.curvature writes out (not elementwise).
STRUCTURED = frozenset({"softmax", "prelu", "maxout"})


def activation_second_derivative(activation, z) -> np.ndarray:
    """f″(z) elementwise, shaped like ``z``.

    Raises
    ------
    NotImplementedError
        For an activation with no entry (softmax, PReLU and Maxout are handled by the caller).
    """
    try:
        second = ACTIVATIONS[activation.name]
    except KeyError:
        raise NotImplementedError(f"no elementwise second derivative for "
                                  f"{activation.display_name}") from None
    return second(np.asarray(z, dtype=float))


# ---------------------------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------------------------
def _inside(p, high=1.0 - losses.EPSILON):
    return (p >= losses.EPSILON) & (p <= high)


def _elementwise(loss, y, p):
    """∂²(elementwise term)/∂ŷ² of the loss, shaped like ``p`` (n, k)."""
    name, eps = loss.name, losses.EPSILON
    if name in ("me", "mae", "hinge"):
        return np.zeros_like(p)
    if name in ("mse", "rmse"):
        return np.full_like(p, 2.0)
    if name == "msle":  # 2(ln(1+ŷ) − ln(1+y))/(1+ŷ), differentiated: 2(1 − d)/(1+ŷ)²
        d = np.log1p(np.maximum(p, eps)) - np.log1p(np.maximum(y, eps))
        return np.where(p >= eps, 2.0 * (1.0 - d) / (1.0 + np.maximum(p, eps)) ** 2, 0.0)
    if name == "huber":
        return (np.abs(p - y) < loss.delta).astype(float)
    if name == "log_cosh":
        return 1.0 - np.tanh(p - y) ** 2
    if name == "bce":
        q = np.clip(p, eps, 1.0 - eps)
        return np.where(_inside(p), y / q**2 + (1.0 - y) / (1.0 - q) ** 2, 0.0)
    if name == "cce":
        return np.where(_inside(p), y / np.clip(p, eps, 1.0 - eps) ** 2, 0.0)
    if name == "sparse_cce":
        n, k = p.shape
        rows, labels = np.arange(n), loss.class_labels(y, n, k)
        picked = p[rows, labels]
        second = np.zeros_like(p)
        second[rows, labels] = np.where(_inside(picked),
                                        1.0 / np.clip(picked, eps, 1.0 - eps) ** 2, 0.0)
        return second
    if name == "squared_hinge":  # −2t·max(1 − tŷ, 0), differentiated: 2t² inside the margin
        t = losses._hinge_labels(y)
        return np.where(1.0 - t * p > 0, 2.0 * t * t, 0.0)
    if name == "kl_div":
        return np.where(_inside(p, 1.0), np.clip(y, eps, 1.0) / np.clip(p, eps, 1.0) ** 2, 0.0)
    raise NotImplementedError(f"no second derivative for the loss {loss.display_name}")


class LossHessian:
    """∂²C/∂ŷ² of the data cost C = loss.cost(y, ŷ) at fixed ŷ, as an operator.

    ``H·r = diagonal ⊙ r − scale·u·⟨u, r⟩``: every loss is diagonal (each ŷ entry's own term)
    except ``rmse``, C = √M with M the mean squared error, whose Hessian
    ∇²M/(2C) − ∇M∇Mᵀ/(4C³) adds the rank-one part (u = ∇M, scale = 1/(4C³); 0 where C = 0).

    Parameters
    ----------
    loss : loss object
    y_true : array
        As the loss reads it.
    y_pred : (n, k) array
    """

    def __init__(self, loss, y_true, y_pred):
        y_pred = np.asarray(y_pred, dtype=float)
        y = y_true if loss.sparse else losses.as_2d(y_true)
        # Losses average over the examples, and over the columns too where reduce is "mean";
        # sparse_cce's one term per example is averaged over the examples only.
        count = y_pred.size if loss.reduce == "mean" and not loss.sparse else y_pred.shape[0]
        self.diagonal = _elementwise(loss, y, y_pred) / count
        self.u, self.scale = None, 0.0
        if loss.name == "rmse":
            root = loss.cost(y, y_pred)
            if root > 0:
                self.diagonal /= 2.0 * root
                self.u, self.scale = 2.0 * (y_pred - y) / count, 1.0 / (4.0 * root**3)
            else:
                self.diagonal = np.zeros_like(y_pred)

    def __call__(self, r):
        """H·r for ``r`` shaped (..., n, k) (a stack of directions in ŷ's space)."""
        out = self.diagonal * r
        if self.u is not None:
            out -= self.scale * self.u * np.sum(self.u * r, axis=(-2, -1), keepdims=True)
        return out
