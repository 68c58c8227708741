"""A fast forward pass over one fixed set of inputs: what scoring a run at every step needs.

:class:`FixedInputForward` runs networks of one architecture over the same inputs again and
again (a run's training and test examples, stacked, so that both sets take one pass), and runs
several parameter vectors at once: the trainer scores the weights of up to a few dozen steps
in one pass (``outputs_stack``), so numpy's per-call overhead is paid once for all of them.
Each layer's inputs carry a row of ones, so one matrix product per layer adds the bias too;
it goes into a buffer made once, and the hidden activation writes the next layer's inputs in
place; tanh, the costliest of them, is computed from ``exp``.

Why tanh is not ``np.tanh`` here: numpy's float64 tanh has no SIMD loop on CPUs without
AVX-512 and takes about 14 ns a value, nearly half of scoring a small network at every step;
``exp`` takes about 5. A tanh layer's weights and bias are doubled (exactly: a power of two),
so its matrix product gives 2z, and :func:`tanh_from_doubled` turns 2z into
tanh(z) = 1 − 2/(1 + e^(2z)) in four passes, to within ``TANH_ABS_ERROR`` (absolute; tested
against extended precision over the whole float range), which moves a cost by a few units in
its last place: as true as before. It is not the library's tanh (``core.activations``, which
keeps ``np.tanh``'s relative accuracy near 0 for anyone calling it); it only feeds costs and
scores.
"""
from __future__ import annotations

import numpy as np

#: Bound on the absolute error of :func:`tanh_from_doubled` (measured: 3.3e-16 at most).
TANH_ABS_ERROR = 6e-16


def tanh_from_doubled(z2, out=None):
    """tanh(z2 / 2) as 1 − 2/(1 + e^z2), computed in ``z2`` and written to ``out`` (default:
    ``z2``).

    e^z2 overflows to inf for z2 > 709 (the caller silences the warning), giving exactly 1;
    −inf gives −1 and NaN stays NaN. Near 0 the error is absolute, not relative (tanh(−0)
    gives +0).
    """
    np.exp(z2, out=z2)
    z2 += 1.0
    np.divide(-2.0, z2, out=z2)
    return np.add(z2, 1.0, out=z2 if out is None else out)


def sigmoid_from_negated(minus_z, out=None):
    """σ(z) = 1/(1 + e^(−z)) from −z (the output layer's weights and bias are negated,
    exactly), computed in ``minus_z`` and written to ``out`` (default: ``minus_z``).

    For z ≥ 0 the very floats of ``core.activations``' sigmoid; for z < 0 within three units
    in the last place of them (that one divides e^z by 1 + e^z), where σ is below ½ so 1 − σ,
    which the cross-entropy reads, loses nothing. e^(−z) overflows to inf for z < −709 (the
    caller silences the warning), giving 0."""
    np.exp(minus_z, out=minus_z)
    minus_z += 1.0
    return np.divide(1.0, minus_z, out=minus_z if out is None else out)


def _relu(z, out=None):
    return np.maximum(z, 0.0, out=z if out is None else out)  # ReLU.__call__'s floats


def _linear(z, out=None):
    if out is None:
        return z
    np.copyto(out, z)
    return out


#: Hidden activations computed here, with the factor their layer's weights are scaled by.
IN_PLACE = {"tanh": (tanh_from_doubled, 2.0), "relu": (_relu, 1.0), "linear": (_linear, 1.0)}


#: Output activations computed here, with the factor the output layer's weights are scaled
#: by; any other runs as its activation object on ``(K, n, k)``.
_OUTPUT = {"sigmoid": (sigmoid_from_negated, -1.0), "linear": (_linear, 1.0)}
_OUTPUT_OBJECT = object()

class FixedInputForward:
    """The outputs of networks of one run's shape on the inputs ``X`` ``(n, d)``.

    The pass runs feature-major: each layer's values are ``(K, units, n)`` for K parameter
    vectors, with a last row of ones that multiplies the bias, so the elementwise passes run
    over long contiguous rows (an ``(n, units)`` array would give numpy inner loops of a few
    units). The buffers follow the layer sizes and K, so one object serves every network of
    the run; what :meth:`outputs_stack` returns is a new array.
    """

    def __init__(self, X):
        self.X = np.ascontiguousarray(X, dtype=float)
        self._inputs = np.vstack([self.X.T, np.ones(len(self.X))])  # (d + 1, n)
        self._buffers = {}
        self._scratch = self._planned = None

    def _buffer(self, key, shape, ones=False):
        """A ``shape`` buffer for ``key``: the first rows of one kept for the most parameter
        vectors asked for so far (a pass of fewer, at the end of a ``Trainer.step``, makes
        nothing new). With ``ones``, its last row along axis 1 is ones (and stays so: only
        the rows above it are written)."""
        buffer = self._buffers.get(key)
        if buffer is None or buffer.shape[1:] != shape[1:] or len(buffer) < shape[0]:
            buffer = self._buffers[key] = np.empty(shape)
            if ones:
                buffer[:, -1] = 1.0
        return buffer[:shape[0]]

    def outputs(self, network) -> np.ndarray:
        """The network's outputs ``(n, k)`` for ``X`` (see :meth:`outputs_stack`)."""
        return self.outputs_stack(network, network.params[None])[0]

    def outputs_stack(self, network, params) -> np.ndarray:
        """Outputs ``(K, n, k)`` for ``X`` of ``network``'s architecture holding each row of
        ``params`` ``(K, n_params)`` in turn (``network``'s own weights are not read).

        Hidden tanh, ReLU and linear as :data:`IN_PLACE` computes them, every other
        activation as :meth:`Network.predict` does.
        """
        params = np.asarray(params, dtype=float)
        K, n = len(params), self.X.shape[0]
        a, last = self._inputs, len(network.weights) - 1
        with np.errstate(over="ignore"):  # e^(2z) of a saturated tanh unit: inf, then 1
            for layer, act, weights, biases, shape, apply, scale in self._plan(network):
                if weights is None:
                    a = self._network_layer(network, params, layer, a[..., :-1, :])
                    continue
                n_in, n_out = shape
                # (K, out, in + 1): each W transposed beside its bias, scaled (exactly:
                # doubled for tanh, negated for an output sigmoid), C-contiguous for BLAS.
                M = self._buffer(("M", layer), (K, n_out, n_in + 1))
                np.multiply(params[:, weights].reshape(K, n_in, n_out).transpose(0, 2, 1),
                            scale, out=M[:, :, :-1])
                np.multiply(params[:, biases], scale, out=M[:, :, -1])
                if layer == last:  # returned: a new array, not a buffer
                    z = np.matmul(M, a)
                    if apply is _OUTPUT_OBJECT:  # softmax normalizes each example's row
                        return act(z.transpose(0, 2, 1))
                    return apply(z).transpose(0, 2, 1)
                # Buffers by shape: layers of one width share them (the product has read this
                # layer's inputs before the activation overwrites them), which halves the
                # memory a pass sweeps through.
                z = np.matmul(M, a, out=self._buffer(("z", n_out), (K, n_out, n)))
                a = self._buffer(("a", n_out), (K, n_out + 1, n), ones=True)
                if apply is None:
                    a[:, :-1] = act(z)
                else:
                    apply(z, out=a[:, :-1])
        return a[:, :-1].transpose(0, 2, 1).copy()  # a network layer last: not a buffer

    def _plan(self, network) -> list:
        """Per layer: ``(layer, activation, W slice, b slice, W shape, function (None or
        ``_OUTPUT_OBJECT``: the activation object), weight scale)``; slices None for a layer
        the network computes itself."""
        layout = network.layout
        if self._planned is None or (self._planned[0] is not layout
                                     and self._planned[0] != layout):
            last, plan = len(network.weights) - 1, []
            for layer, act in enumerate(network.layer_activations):
                if act.learnable:  # prelu, maxout: more than z; the network computes them
                    plan.append((layer, act, None, None, None, None, 1.0))
                    continue
                W, b = layout.block("W", layer), layout.block("b", layer)
                apply, scale = IN_PLACE.get(act.name, (None, 1.0))
                if layer == last:
                    apply, scale = _OUTPUT.get(act.name, (_OUTPUT_OBJECT, 1.0))
                plan.append((layer, act, slice(W.start, W.stop), slice(b.start, b.stop),
                             W.shape, apply, scale))
            self._planned = layout, plan
        return self._planned[1]

    def _network_layer(self, network, params, layer, a):
        """Layer ``layer`` (prelu or maxout) for each row of ``params`` on its inputs ``a``
        (``(in, n)`` or ``(K, in, n)``): ``(K, out + 1, n)``, with the row of ones."""
        scratch = self._scratch
        if scratch is None or scratch.layout != network.layout:
            scratch = self._scratch = network.copy()
        out = None
        for k, row in enumerate(params):
            scratch.params[:] = row
            inputs = a if a.ndim == 2 else a[k]
            values = scratch.layer_output(layer, inputs.T).T
            if out is None:
                out = self._buffer(("net", layer), (len(params), len(values) + 1, values.shape[1]),
                                   ones=True)
            out[k, :-1] = values
        return out
