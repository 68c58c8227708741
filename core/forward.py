"""A fast forward pass over one fixed set of inputs: what scoring a run at every step needs.

:class:`FixedInputForward` runs a :class:`~core.network.Network` over the same inputs again and
again (a run's training and test examples, stacked, so that both sets take one pass): each
layer's matrix product goes into a buffer made once, the bias and the hidden activation are
applied in place, and tanh, the costliest of them, is computed from ``exp``.

Why tanh is not ``np.tanh`` here: numpy's float64 tanh has no SIMD loop on CPUs without
AVX-512 and takes about 14 ns a value, nearly half of scoring a small network at every step;
``exp`` takes about 5. :func:`tanh_in_place` gives tanh to within ``TANH_ABS_ERROR`` (absolute;
tested against extended precision over the whole float range), which moves a cost by a few
units in its last place: as true as before. It is not the library's tanh
(``core.activations``, which keeps ``np.tanh``'s relative accuracy near 0 for anyone calling
it); it only feeds costs and scores.
"""
from __future__ import annotations

import numpy as np

#: Bound on the absolute error of :func:`tanh_in_place` (measured: 3.5e-16 at most).
TANH_ABS_ERROR = 6e-16


def tanh_in_place(z, work):
    """tanh(z) into ``z``, as sign(z)·(2/(1 + e) − 1) with e = exp(−|z|)² ≤ 1 (nothing
    overflows for any z; ±inf give ±1, NaN stays NaN); ``work`` is a buffer shaped like ``z``."""
    np.abs(z, out=work)
    np.negative(work, out=work)
    np.exp(work, out=work)
    np.multiply(work, work, out=work)  # exp(−2|z|) without forming −2|z|, which can overflow
    work += 1.0
    np.divide(2.0, work, out=work)
    work -= 1.0
    return np.copysign(work, z, out=z)


def _relu_in_place(z, work):
    return np.maximum(z, 0.0, out=z)  # the same floats as ReLU.__call__


def _linear_in_place(z, work):
    return z


#: Hidden activations applied in place; the others are the activation objects themselves.
IN_PLACE = {"tanh": tanh_in_place, "relu": _relu_in_place, "linear": _linear_in_place}


#: Activations that need more than their z (learned slopes, a second piece): computed by the
#: network itself, from the layer's inputs.
_NETWORK_LAYER = frozenset({"prelu", "maxout"})


class FixedInputForward:
    """The outputs of any network of one run's shape on the inputs ``X`` ``(n, d)``.

    The pass runs feature-major: each layer's values are ``(units, n)``, so the bias is added
    along rows of n values (an ``(n, units)`` array would give numpy inner loops of a few
    units) and the elementwise passes run over long contiguous rows. :meth:`outputs` returns
    ``(n, k)``, an array owned by this object and valid until the next call. The buffers
    follow the network's layer sizes, so one object serves every network of the run.
    """

    def __init__(self, X):
        self.X = np.ascontiguousarray(X, dtype=float)
        self._columns = np.ascontiguousarray(self.X.T)  # (d, n)
        self._buffers = {}

    def _buffer(self, key, shape):
        buffer = self._buffers.get(key)
        if buffer is None or buffer.shape != shape:
            buffer = self._buffers[key] = np.empty(shape)
        return buffer

    def outputs(self, network) -> np.ndarray:
        """The network's outputs ``(n, k)`` for ``X``: hidden tanh, ReLU and linear as
        :data:`IN_PLACE` applies them, every other activation as :meth:`Network.predict`."""
        a = self._columns
        last = len(network.weights) - 1
        for layer, act in enumerate(network.layer_activations):
            if act.name in _NETWORK_LAYER:
                a = network.layer_output(layer, a.T).T
                continue
            W = network.weights[layer]
            shape = (W.shape[1], a.shape[1])
            z = np.matmul(W.T, a, out=self._buffer(("z", layer), shape))
            z += network.biases[layer][:, None]
            if layer == last:
                return act(z.T)  # softmax normalizes each example's row
            in_place = IN_PLACE.get(act.name)
            a = (in_place(z, self._buffer(("work", layer), shape)) if in_place is not None
                 else act(z))
        return a.T
