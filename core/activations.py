"""Activation functions with their derivatives, in PyTorch's conventions.

Every activation is a small stateless object in a registry::

    >>> from core import activations
    >>> act = activations.get("sigmoid")
    >>> act(np.zeros(2)), act.derivative(np.zeros(2))   # doctest: +SKIP
    (array([0.5, 0.5]), array([0.25, 0.25]))

``__call__(z)`` and ``derivative(z)`` work elementwise on arrays of any shape and return that
shape. ``backward(z, a, grad_a)`` is the vector-Jacobian product the network uses; only softmax
(whose outputs depend on the whole row) needs more than ``grad_a * derivative(z)``.
All of them are float64 and stay finite, without numpy warnings, for z in [-1e3, 1e3]
(exp only ever sees non-positive arguments, so at worst it underflows to 0, which is exact
to float64 precision and which numpy ignores by default).
"""
from __future__ import annotations

import numpy as np

INF = float("inf")


class UnknownNameError(ValueError, KeyError):
    """An unknown registry name: catchable as ValueError or KeyError (as a dict lookup would be)."""

    def __str__(self):  # KeyError would otherwise show the message in quotes
        return str(self.args[0])


def _as_float(z):
    return np.asarray(z, dtype=np.float64)


def _sigmoid(z):
    # e^(-|z|) is in (0, 1], so neither branch can overflow: 1/(1 + e) for z ≥ 0 and
    # e/(1 + e) for z < 0, with one division for both.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


class Activation:
    """Base class: an elementwise function ``a = f(z)`` and its derivative.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"leaky_relu"``.
    display_name : str
        What a learner reads, e.g. ``"Leaky ReLU"``.
    formula : str
        Plain-text/unicode formula, e.g. ``"max(0.01·z, z)"``.
    output_range : tuple of float
        ``(low, high)`` bounds of ``f``, possibly ``±inf``.
    hidden_ok : bool
        False for activations that only make sense on the output layer (softmax).
    learnable : bool
        True when a layer using it learns extra parameters (prelu slopes, maxout's second piece).
    """

    name = ""
    display_name = ""
    formula = ""
    output_range = (-INF, INF)
    hidden_ok = True
    learnable = False

    def __call__(self, z):
        """Apply the activation.

        Parameters
        ----------
        z : array of any shape
            Pre-activations.

        Returns
        -------
        a : array, same shape as ``z``
        """
        raise NotImplementedError

    def derivative(self, z):
        """``da/dz`` elementwise: an array shaped like ``z``."""
        raise NotImplementedError

    def backward(self, z, a, grad_a):
        """Vector-Jacobian product: turn ``d cost/d a`` into ``d cost/d z``.

        Parameters
        ----------
        z : array
            Pre-activations, as given to ``__call__``.
        a : array
            The activation's outputs ``f(z)`` (saves recomputing them).
        grad_a : array, shaped like ``a``
            Gradient of the cost with respect to ``a``.

        Returns
        -------
        grad_z : array, shaped like ``z``
        """
        return grad_a * self.derivative(z)

    def __repr__(self):
        return f"<activation {self.name}: {self.formula}>"


class Linear(Activation):
    """Identity, f(z) = z; f'(z) = 1. Shapes: z (any) -> a (same)."""

    name, display_name, formula = "linear", "Linear", "z"

    def __call__(self, z):
        return _as_float(z).copy()

    def derivative(self, z):
        return np.ones_like(_as_float(z))


class Step(Activation):
    """Heaviside step, f(z) = 1 if z > 0 else 0; f'(z) = 0 everywhere.

    The derivative is exactly 0 (also at the jump), which is why gradient descent cannot train
    a step network: the point this activation is here to show. Shapes: z (any) -> a (same).
    """

    name, display_name, formula = "step", "Step", "1 if z > 0 else 0"
    output_range = (0.0, 1.0)

    def __call__(self, z):
        return (_as_float(z) > 0).astype(np.float64)

    def derivative(self, z):
        return np.zeros_like(_as_float(z))


class Sigmoid(Activation):
    """Logistic sigmoid, σ(z) = 1 / (1 + e^(−z)); σ'(z) = σ(z)·(1 − σ(z)).

    Evaluated as ``1/(1 + e^(−|z|))`` for z ≥ 0 and ``e^(−|z|)/(1 + e^(−|z|))`` for z < 0 so
    that exp never overflows. Shapes: z (any) -> a (same).
    """

    name, display_name, formula = "sigmoid", "Sigmoid", "σ(z) = 1 / (1 + e^(−z))"
    output_range = (0.0, 1.0)

    def __call__(self, z):
        return _sigmoid(_as_float(z))

    def derivative(self, z):
        s = _sigmoid(_as_float(z))
        return s * (1.0 - s)

    def backward(self, z, a, grad_a):
        return grad_a * a * (1.0 - a)  # σ' from the forward pass's σ: no second exp


class Tanh(Activation):
    """Hyperbolic tangent, f(z) = tanh(z); f'(z) = 1 − tanh²(z). Shapes: z (any) -> a (same)."""

    name, display_name = "tanh", "Tanh"
    formula = "tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z))"
    output_range = (-1.0, 1.0)

    def __call__(self, z):
        return np.tanh(_as_float(z))

    def derivative(self, z):
        return 1.0 - np.tanh(_as_float(z)) ** 2

    def backward(self, z, a, grad_a):
        return grad_a * (1.0 - a * a)  # tanh' from the forward pass's tanh: no second tanh


class ReLU(Activation):
    """Rectified linear unit, f(z) = max(0, z); f'(z) = 1 if z > 0 else 0 (0 at the kink, as in PyTorch).

    Shapes: z (any) -> a (same).
    """

    name, display_name, formula = "relu", "ReLU", "max(0, z)"
    output_range = (0.0, INF)

    def __call__(self, z):
        return np.maximum(_as_float(z), 0.0)

    def derivative(self, z):
        return (_as_float(z) > 0).astype(np.float64)

    def backward(self, z, a, grad_a):
        return grad_a * (z > 0)


class LeakyReLU(Activation):
    """Leaky ReLU, f(z) = z if z > 0 else 0.01·z; f'(z) = 1 if z > 0 else 0.01.

    Negative slope 0.01 as PyTorch's default. Shapes: z (any) -> a (same).
    """

    name, display_name, formula = "leaky_relu", "Leaky ReLU", "max(0.01·z, z)"
    negative_slope = 0.01

    def __call__(self, z):
        z = _as_float(z)
        return np.where(z > 0, z, self.negative_slope * z)

    def derivative(self, z):
        return np.where(_as_float(z) > 0, 1.0, self.negative_slope)


class ELU(Activation):
    """Exponential linear unit, f(z) = z if z > 0 else α·(e^z − 1), α = 1; f'(z) = 1 if z > 0 else α·e^z.

    exp sees ``min(z, 0)`` only, so large positive z cannot overflow the unused branch.
    Shapes: z (any) -> a (same).
    """

    name, display_name, formula = "elu", "ELU", "z if z > 0 else e^z − 1"
    alpha = 1.0
    scale = 1.0
    output_range = (-1.0, INF)

    def __call__(self, z):
        z = _as_float(z)
        return self.scale * np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0.0)))

    def derivative(self, z):
        z = _as_float(z)
        return self.scale * np.where(z > 0, 1.0, self.alpha * np.exp(np.minimum(z, 0.0)))


class SELU(ELU):
    """Scaled ELU, f(z) = λ·(z if z > 0 else α·(e^z − 1)); f'(z) = λ if z > 0 else λ·α·e^z.

    α = 1.6732632423543772 and λ = 1.0507009873554805 (Klambauer et al. 2017, PyTorch's
    constants). Shapes: z (any) -> a (same).
    """

    name, display_name = "selu", "SELU"
    formula = "λ·(z if z > 0 else α·(e^z − 1)),  α ≈ 1.6733, λ ≈ 1.0507"
    alpha = 1.6732632423543772
    scale = 1.0507009873554805
    output_range = (-alpha * scale, INF)


class Softplus(Activation):
    """Softplus, f(z) = ln(1 + e^z); f'(z) = σ(z).

    Computed as ``logaddexp(0, z)`` so it is exact for large |z|. (PyTorch switches to the
    identity above z = 20; the two differ by under 3e-9 there.) Shapes: z (any) -> a (same).
    """

    name, display_name, formula = "softplus", "Softplus", "ln(1 + e^z)"
    output_range = (0.0, INF)

    def __call__(self, z):
        return np.logaddexp(0.0, _as_float(z))

    def derivative(self, z):
        return _sigmoid(_as_float(z))


class Swish(Activation):
    """Swish / SiLU, f(z) = z·σ(z); f'(z) = σ(z)·(1 + z·(1 − σ(z))). Shapes: z (any) -> a (same).

    Its minimum, −W(1/e) ≈ −0.2785 at z ≈ −1.278, is the lower end of ``output_range``.
    """

    name, display_name, formula = "swish", "Swish (SiLU)", "z·σ(z)"
    output_range = (-0.2784645427610738, INF)

    def __call__(self, z):
        z = _as_float(z)
        return z * _sigmoid(z)

    def derivative(self, z):
        z = _as_float(z)
        s = _sigmoid(z)
        return s * (1.0 + z * (1.0 - s))


class GELU(Activation):
    """GELU, tanh approximation (PyTorch ``approximate="tanh"``).

    f(z) = ½·z·(1 + tanh(u)),  u = √(2/π)·(z + 0.044715·z³);
    f'(z) = ½·(1 + tanh(u)) + ½·z·(1 − tanh²(u))·√(2/π)·(1 + 3·0.044715·z²).
    Shapes: z (any) -> a (same). Minimum ≈ −0.17004 near z ≈ −0.752.
    """

    name, display_name = "gelu", "GELU"
    formula = "½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³)))"
    output_range = (-0.1700407505712541, INF)
    _c = np.sqrt(2.0 / np.pi)

    def __call__(self, z):
        z = _as_float(z)
        return 0.5 * z * (1.0 + np.tanh(self._c * (z + 0.044715 * z**3)))

    def derivative(self, z):
        z = _as_float(z)
        t = np.tanh(self._c * (z + 0.044715 * z**3))
        return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * self._c * (1.0 + 3 * 0.044715 * z * z)


class Mish(Activation):
    """Mish, f(z) = z·tanh(softplus(z)); f'(z) = tanh(sp) + z·(1 − tanh²(sp))·σ(z), sp = softplus(z).

    Shapes: z (any) -> a (same). Minimum ≈ −0.30884 near z ≈ −1.192.
    """

    name, display_name, formula = "mish", "Mish", "z·tanh(ln(1 + e^z))"
    output_range = (-0.3088434130172504, INF)

    def __call__(self, z):
        z = _as_float(z)
        return z * np.tanh(np.logaddexp(0.0, z))

    def derivative(self, z):
        z = _as_float(z)
        t = np.tanh(np.logaddexp(0.0, z))
        return t + z * (1.0 - t * t) * _sigmoid(z)


class Sin(Activation):
    """Sine, f(z) = sin(z); f'(z) = cos(z). Shapes: z (any) -> a (same)."""

    name, display_name, formula = "sin", "Sine", "sin(z)"
    output_range = (-1.0, 1.0)

    def __call__(self, z):
        return np.sin(_as_float(z))

    def derivative(self, z):
        return np.cos(_as_float(z))


class Gaussian(Activation):
    """Gaussian bump, f(z) = e^(−z²); f'(z) = −2z·e^(−z²). Shapes: z (any) -> a (same)."""

    name, display_name, formula = "gaussian", "Gaussian", "e^(−z²)"
    output_range = (0.0, 1.0)

    def __call__(self, z):
        z = _as_float(z)
        return np.exp(-z * z)

    def derivative(self, z):
        z = _as_float(z)
        return -2.0 * z * np.exp(-z * z)


class Softsign(Activation):
    """Softsign, f(z) = z / (1 + |z|); f'(z) = 1 / (1 + |z|)². Shapes: z (any) -> a (same)."""

    name, display_name, formula = "softsign", "Softsign", "z / (1 + |z|)"
    output_range = (-1.0, 1.0)

    def __call__(self, z):
        z = _as_float(z)
        return z / (1.0 + np.abs(z))

    def derivative(self, z):
        return 1.0 / (1.0 + np.abs(_as_float(z))) ** 2


class Arctan(Activation):
    """Arctangent, f(z) = arctan(z); f'(z) = 1 / (1 + z²). Shapes: z (any) -> a (same)."""

    name, display_name, formula = "arctan", "Arctan", "arctan(z)"
    output_range = (-np.pi / 2, np.pi / 2)

    def __call__(self, z):
        return np.arctan(_as_float(z))

    def derivative(self, z):
        z = _as_float(z)
        return 1.0 / (1.0 + z * z)


class Softmax(Activation):
    """Softmax over the last axis, a_i = e^(z_i) / Σ_j e^(z_j) (output layer only).

    The row maximum is subtracted before exp (log-sum-exp trick), so exp sees values ≤ 0.
    Its Jacobian is ∂a_i/∂z_j = a_i·(δ_ij − a_j): ``backward`` applies it exactly,
    ``grad_z = a·(grad_a − Σ_j grad_a_j·a_j)``, while ``derivative`` returns only its diagonal
    a·(1 − a), so ``grad_a * derivative(z)`` would be wrong for softmax.
    Shapes: z (n, k) -> a (n, k), rows summing to 1.
    """

    name, display_name, formula = "softmax", "Softmax", "e^(z_i) / Σ_j e^(z_j)"
    output_range = (0.0, 1.0)
    hidden_ok = False

    def __call__(self, z):
        z = _as_float(z)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def derivative(self, z):
        a = self(z)
        return a * (1.0 - a)

    def backward(self, z, a, grad_a):
        return a * (grad_a - (grad_a * a).sum(axis=-1, keepdims=True))


class PReLU(Activation):
    """Parametric ReLU, f(z) = z if z > 0 else s·z, with a learned slope s (PyTorch starts at 0.25).

    f'(z) = 1 if z > 0 else s;  ∂f/∂s = 0 if z > 0 else z.
    Shapes: z (n, k); ``slope`` a scalar or one slope per neuron, shape (k,), broadcast against
    z; a, derivative and slope_derivative are all shaped like z (the network sums
    ``grad_a * slope_derivative(z)`` over rows to get each neuron's slope gradient).
    """

    name, display_name, formula = "prelu", "PReLU", "z if z > 0 else a·z  (a learned, starts at 0.25)"
    learnable = True
    initial_slope = 0.25

    def __call__(self, z, slope=0.25):
        z = _as_float(z)
        return np.where(z > 0, z, slope * z)

    def derivative(self, z, slope=0.25):
        z = _as_float(z)
        return np.where(z > 0, 1.0, np.broadcast_to(slope, z.shape))

    def slope_derivative(self, z):
        z = _as_float(z)
        return np.where(z > 0, 0.0, z)

    def backward(self, z, a, grad_a, slope=0.25):
        return grad_a * self.derivative(z, slope)


class Maxout(Activation):
    """Maxout with k = 2 pieces, f(z) = max(z₁, z₂) over the last axis.

    Each maxout neuron has two affine pieces z₁ = x·w + b and z₂ = x·w' + b' (the network learns
    the second piece). ∂f/∂z_j = 1 for the winning piece, 0 for the other; ties go to piece 0.
    Shapes: z (..., 2) -> a (...); derivative (..., 2), a one-hot mask; backward takes
    grad_a (...) and returns grad_z (..., 2).
    """

    name, display_name, formula = "maxout", "Maxout", "max(z₁, z₂)"
    learnable = True
    pieces = 2

    def __call__(self, z):
        return _as_float(z).max(axis=-1)

    def derivative(self, z):
        z = _as_float(z)
        mask = np.zeros_like(z)
        # argmax returns the first maximum, so ties go to piece 0.
        np.put_along_axis(mask, z.argmax(axis=-1)[..., None], 1.0, axis=-1)
        return mask

    def backward(self, z, a, grad_a):
        return np.asarray(grad_a)[..., None] * self.derivative(z)


_REGISTRY = {act.name: act for act in (
    Linear(), Step(), Sigmoid(), Tanh(), ReLU(), LeakyReLU(), ELU(), SELU(), Softplus(), Swish(),
    GELU(), Mish(), Sin(), Gaussian(), Softsign(), Arctan(), Softmax(), PReLU(), Maxout())}


def names() -> list:
    """Activation names in registry (display) order."""
    return list(_REGISTRY)


def get(name) -> Activation:
    """The activation called ``name``; raises :class:`UnknownNameError` listing the valid names."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise UnknownNameError(
            f"unknown activation {name!r}; choose one of: {', '.join(_REGISTRY)}") from None
