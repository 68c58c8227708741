"""Initial weights: how a network's weights and biases are set before training starts.

Each initializer is a plain function ``(rng, fan_in, fan_out) -> W`` that draws a weight matrix
of shape ``(fan_in, fan_out)`` (inputs × neurons of one layer) from the generator ``rng``; the
biases start at the constant :func:`initial_bias`. :class:`~core.network.Network` draws every
layer's weights from one ``np.random.default_rng(seed)``, layer after layer, and the scripts
:mod:`core.codegen` writes copy these functions as they are, so both draw the same numbers.

>>> import numpy as np
>>> from core import initializers
>>> initializers.get("xavier")(np.random.default_rng(0), 2, 3).shape
(2, 3)
"""
from __future__ import annotations

import numpy as np

from core.activations import UnknownNameError

INITS = ("xavier", "he", "uniform", "zeros")
INIT_DESCRIPTIONS = {
    "xavier": "Xavier/Glorot uniform: W ~ U(±√(6/(fan_in+fan_out))), b = 0",
    "he": "He normal: W ~ N(0, 2/fan_in), b = 0 (suits ReLU)",
    "uniform": "Uniform as in the Neural Network Playground: W ~ U(-0.5, 0.5), b = 0.1",
    "zeros": "All zeros: every neuron of a layer stays identical (the symmetry problem)",
}


def xavier(rng, fan_in, fan_out):
    """Xavier/Glorot uniform: W ~ U(−l, l), l = √(6 / (fan_in + fan_out)), shape (fan_in, fan_out).

    Keeps the variance of the signal about the same from layer to layer for tanh and sigmoid.
    """
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def he(rng, fan_in, fan_out):
    """He normal: W ~ N(0, 2 / fan_in), shape (fan_in, fan_out); made for ReLU layers."""
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def uniform(rng, fan_in, fan_out):
    """The Neural Network Playground's start: W ~ U(−0.5, 0.5), shape (fan_in, fan_out)."""
    return rng.uniform(-0.5, 0.5, size=(fan_in, fan_out))


def zeros(rng, fan_in, fan_out):
    """All zeros, shape (fan_in, fan_out): no draw at all (``rng`` is not used).

    Every neuron of a layer then computes the same thing and gets the same gradient, so they
    stay identical however long the network trains: the symmetry problem.
    """
    return np.zeros((fan_in, fan_out))


_REGISTRY = {"xavier": xavier, "he": he, "uniform": uniform, "zeros": zeros}


def get(name):
    """The initializer function ``name`` (one of :data:`INITS`)."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise UnknownNameError(f"unknown init {name!r}; choose one of "
                               f"{', '.join(INITS)}") from None


def initial_bias(name) -> float:
    """The value every bias starts at: 0.1 for the Playground's ``uniform``, else 0."""
    get(name)
    return 0.1 if name == "uniform" else 0.0
