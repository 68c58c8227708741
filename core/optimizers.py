"""Optimizers that update a flat parameter vector in place from a flat gradient.

Formulas follow PyTorch's ``torch.optim`` (momentum and Nesterov in PyTorch's form, Adam with
bias correction). Each optimizer keeps its state (velocity, squared-gradient averages) as flat
arrays shaped like the parameters, so one optimizer serves any network.

>>> from core import optimizers
>>> opt = optimizers.get("adam", learning_rate=0.01)
>>> opt.step(network.params, gradient)       # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np


class Optimizer:
    """Base class: ``step(params, grad)`` updates ``params`` in place; ``reset()`` forgets state.

    Subclasses name their hyperparameters in ``defaults``; each becomes an attribute that may be
    changed between steps (the app changes them live while training).
    """

    name = ""
    display_name = ""
    formula = ""
    defaults: dict = {}
    #: hyperparameter -> what it does, for tooltips.
    descriptions: dict = {}

    def __init__(self, learning_rate=None, **hyperparameters):
        unknown = set(hyperparameters) - set(self.defaults)
        if unknown:
            raise TypeError(f"{self.name} has no hyperparameter {', '.join(sorted(unknown))}; "
                            f"it takes: learning_rate, {', '.join(self.defaults) or 'nothing else'}")
        self.learning_rate = self.default_learning_rate if learning_rate is None else learning_rate
        for key, value in self.defaults.items():
            setattr(self, key, hyperparameters.get(key, value))
        self.t = 0
        self._state = {}

    default_learning_rate = 0.01

    def hyperparameters(self) -> dict:
        return {"learning_rate": self.learning_rate,
                **{key: getattr(self, key) for key in self.defaults}}

    def reset(self):
        """Forget the running state (velocities, averages, step count)."""
        self.t = 0
        self._state = {}

    def state_dict(self) -> dict:
        """Step count and state arrays (copies), e.g. to save an experiment."""
        return {"t": self.t, **{k: v.copy() for k, v in self._state.items()}}

    def load_state_dict(self, state: dict):
        self.t = int(state["t"])
        self._state = {k: np.array(v, dtype=float) for k, v in state.items() if k != "t"}

    def _buffer(self, key, like):
        buf = self._state.get(key)
        if buf is None or buf.shape != like.shape:
            buf = self._state[key] = np.zeros_like(like)
        return buf

    def step(self, params, grad):
        self.t += 1
        self._update(params, grad)

    def _update(self, params, grad):  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """Plain gradient descent: ``θ ← θ − η·g``."""

    name, display_name = "sgd", "SGD"
    formula = "θ ← θ − η·g"
    default_learning_rate = 0.03

    def _update(self, params, grad):
        params -= self.learning_rate * grad


class Momentum(Optimizer):
    """Heavy-ball momentum (PyTorch form): ``v ← μ·v + g``, ``θ ← θ − η·v``."""

    name, display_name = "momentum", "Momentum"
    formula = "v ← μ·v + g;  θ ← θ − η·v"
    defaults = {"momentum": 0.9}
    descriptions = {"momentum": "μ: how much of the previous step's velocity carries over"}

    def _update(self, params, grad):
        v = self._buffer("velocity", params)
        v *= self.momentum
        v += grad
        params -= self.learning_rate * v


class Nesterov(Momentum):
    """Nesterov momentum (PyTorch form): ``v ← μ·v + g``, ``θ ← θ − η·(g + μ·v)``."""

    name, display_name = "nesterov", "Nesterov momentum"
    formula = "v ← μ·v + g;  θ ← θ − η·(g + μ·v)"

    def _update(self, params, grad):
        v = self._buffer("velocity", params)
        v *= self.momentum
        v += grad
        params -= self.learning_rate * (grad + self.momentum * v)


class Adagrad(Optimizer):
    """Adagrad: ``s ← s + g²``, ``θ ← θ − η·g / (√s + ε)``."""

    name, display_name = "adagrad", "Adagrad"
    formula = "s ← s + g²;  θ ← θ − η·g / (√s + ε)"
    defaults = {"epsilon": 1e-10}
    descriptions = {"epsilon": "ε: keeps the division finite where s is 0"}

    def _update(self, params, grad):
        s = self._buffer("sum_squares", params)
        s += grad * grad
        params -= self.learning_rate * grad / (np.sqrt(s) + self.epsilon)


class RMSprop(Optimizer):
    """RMSprop: ``s ← ρ·s + (1−ρ)·g²``, ``θ ← θ − η·g / (√s + ε)`` (ρ = 0.9 as in Keras)."""

    name, display_name = "rmsprop", "RMSprop"
    formula = "s ← ρ·s + (1−ρ)·g²;  θ ← θ − η·g / (√s + ε)"
    defaults = {"rho": 0.9, "epsilon": 1e-8}
    descriptions = {"rho": "ρ: decay of the running average of g²",
                    "epsilon": "ε: keeps the division finite where s is 0"}
    default_learning_rate = 0.001

    def _update(self, params, grad):
        s = self._buffer("mean_squares", params)
        s *= self.rho
        s += (1.0 - self.rho) * grad * grad
        params -= self.learning_rate * grad / (np.sqrt(s) + self.epsilon)


class Adam(Optimizer):
    """Adam with bias correction.

    ``m ← β₁·m + (1−β₁)·g``, ``v ← β₂·v + (1−β₂)·g²``,
    ``θ ← θ − η·m̂ / (√v̂ + ε)`` with ``m̂ = m / (1−β₁ᵗ)``, ``v̂ = v / (1−β₂ᵗ)``.
    """

    name, display_name = "adam", "Adam"
    formula = "m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − η·m̂ / (√v̂ + ε)"
    defaults = {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
    descriptions = {"beta1": "β₁: decay of the running mean of g (momentum)",
                    "beta2": "β₂: decay of the running mean of g² (per-weight step size)",
                    "epsilon": "ε: keeps the division finite where v is 0"}
    default_learning_rate = 0.001

    def _update(self, params, grad):
        m = self._buffer("m", params)
        v = self._buffer("v", params)
        m *= self.beta1
        m += (1.0 - self.beta1) * grad
        v *= self.beta2
        v += (1.0 - self.beta2) * grad * grad
        m_hat_scale = self.learning_rate / (1.0 - self.beta1 ** self.t)
        v_hat = v / (1.0 - self.beta2 ** self.t)
        params -= m_hat_scale * m / (np.sqrt(v_hat) + self.epsilon)


_REGISTRY = {cls.name: cls for cls in (SGD, Momentum, Nesterov, Adagrad, RMSprop, Adam)}


def names() -> list:
    """Optimizer names in display order."""
    return list(_REGISTRY)


def get(name, learning_rate=None, **hyperparameters) -> Optimizer:
    """A new optimizer ``name`` with the given hyperparameters (others at their defaults)."""
    try:
        cls = _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(_REGISTRY)}") from None
    return cls(learning_rate, **hyperparameters)


def optimizer_class(name):
    """The class of optimizer ``name`` (to read its defaults and formula without making one)."""
    return _REGISTRY[name]
