"""A fully connected feed-forward network whose parameters live in one flat vector.

Each layer computes ``z = x @ W + b`` with ``W`` shaped ``(inputs, outputs)`` and then an
activation. Every weight, bias and learnable activation parameter is a *view* into
:attr:`Network.params`, one float64 vector laid out as::

    W1, b1, [extra1], W2, b2, [extra2], ...

(labelled from 1 as a person reads them, :meth:`core.params.ParamLayout.label`; the lists count
from 0, so ``weights[0]`` is ``W1``), where ``extra`` is empty for ordinary activations, the per-neuron slopes ``(outputs,)`` of a
``prelu`` layer, or the second affine piece ``W'`` ``(inputs, outputs)`` and ``b'`` ``(outputs,)``
of a ``maxout`` layer (each maxout neuron is ``max(x @ W + b, x @ W' + b')``).

Because the arrays are views, writing into ``params`` changes the network. Optimizers update
``params`` in place, and the error-surface engine moves the network around weight space by
assigning ``params[:] = anchor + alpha * d1 + beta * d2``.
"""
from __future__ import annotations

import numpy as np

from core import activations, initializers, losses
from core.initializers import INIT_DESCRIPTIONS, INITS  # noqa: F401 - re-exported
from core.params import ParamBlock, ParamLayout  # noqa: F401 - ParamBlock re-exported

# PyTorch's initial PReLU slope.
PRELU_INITIAL_SLOPE = 0.25


def _resolve(activation):
    return activations.get(activation) if isinstance(activation, str) else activation


def weight_penalty(w, l1, l2) -> float:
    """``l1·Σ|w| + (l2/2)·Σw²`` of the weights ``w`` (1-D, contiguous: a strided dot product
    sums in another order). :meth:`Network.regularization` and the scores of the history
    (:mod:`core.metrics`) both compute it here, so they give the very same floats."""
    return float(l1 * np.abs(w).sum() + 0.5 * l2 * (w @ w))


class Network:
    """Feed-forward network ``layer_sizes[0] -> ... -> layer_sizes[-1]``.

    Parameters
    ----------
    layer_sizes : sequence of int
        Inputs, hidden layer sizes, outputs; e.g. ``(2, 4, 1)``.
    activation : str
        Activation of every hidden layer (a name from :func:`core.activations.names`).
    output_activation : str
        Activation of the output layer.
    seed : int
        Seed of the initial weights.
    init : str
        One of ``xavier``, ``he``, ``uniform``, ``zeros`` (see ``INIT_DESCRIPTIONS``).
    """

    def __init__(self, layer_sizes, activation="tanh", output_activation="sigmoid", seed=0,
                 init="xavier"):
        self.layer_sizes = tuple(int(n) for n in layer_sizes)
        if len(self.layer_sizes) < 2 or min(self.layer_sizes) < 1:
            raise ValueError(f"layer_sizes needs at least an input and an output size >= 1, "
                             f"got {layer_sizes!r}")
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
        self.activation = _resolve(activation)
        self.output_activation = _resolve(output_activation)
        if not self.activation.hidden_ok:
            raise ValueError(f"{self.activation.display_name} can only be an output activation")
        self.init = init
        self.seed = seed
        n_layers = len(self.layer_sizes) - 1
        self.layer_activations = [self.activation] * (n_layers - 1) + [self.output_activation]

        self.layout = ParamLayout(self.layer_sizes, self.activation, self.output_activation)
        self.blocks = list(self.layout.blocks)
        self.params = np.zeros(self.layout.n_params)
        self._slices = {(b.kind, b.layer): slice(b.start, b.stop) for b in self.blocks}
        self._views = {(b.kind, b.layer): self.params[b.start:b.stop].reshape(b.shape)
                       for b in self.blocks}
        self.weights = [self._views["W", i] for i in range(n_layers)]
        self.biases = [self._views["b", i] for i in range(n_layers)]
        self._weight_mask = self.layout.weight_mask
        # Backpropagation's per-layer lookups, done once: the activation, whether the network
        # computes the layer itself (prelu, maxout), its W and b views and their slices.
        self._plan = [(act, act.learnable, self.weights[i], self.biases[i])
                      for i, act in enumerate(self.layer_activations)]
        self._out_views = None  # (a gradient buffer, its W and b blocks by layer)
        self.initialize(seed, init)

    @classmethod
    def from_arrays(cls, weights, biases=None, activation="sigmoid",
                    output_activation="sigmoid") -> "Network":
        """A network holding weights a learner made elsewhere, e.g. with numpy.

        Parameters
        ----------
        weights : sequence of 2-D arrays
            ``W0, W1, ...`` in the ``x @ W + b`` convention: ``Wl`` is ``(inputs, neurons)``, so
            each one's columns are the next one's rows. (For the ``W @ x`` convention pass the
            transposes, ``[W.T for W in weights]``.)
        biases : sequence of arrays or None
            ``b0, b1, ...``, one per layer, each with ``neurons`` values (``(n,)``, ``(1, n)`` or
            ``(n, 1)``); None starts every bias at 0.
        activation, output_activation : str
            Of the hidden layers and of the output layer (names from
            :func:`core.activations.names`; not maxout, which needs two matrices per layer).

        Returns
        -------
        Network
            Of sizes ``(W0.shape[0], W0.shape[1], ..., W[-1].shape[1])`` holding copies of the
            arrays (as float64); a prelu layer's slopes start at 0.25.

        Raises
        ------
        ValueError
            Naming the array whose shape does not fit.

        >>> import numpy as np
        >>> net = Network.from_arrays([np.ones((3, 4)), np.ones((4, 1))])
        >>> net.layer_sizes, net.predict(np.zeros((1, 3))).round(2).tolist()
        ((3, 4, 1), [[0.88]])
        """
        if isinstance(weights, np.ndarray) and weights.ndim == 2:
            weights = [weights]
        weights = [np.asarray(W, dtype=float) for W in weights]
        if not weights:
            raise ValueError("from_arrays needs at least one weight matrix")
        for k, W in enumerate(weights):
            if W.ndim != 2 or min(W.shape) < 1:
                raise ValueError(f"weights[{k}] must be a 2-D matrix (inputs, neurons); got "
                                 f"shape {W.shape}")
            if k and W.shape[0] != weights[k - 1].shape[1]:
                raise ValueError(
                    f"weights[{k}] has {W.shape[0]} rows but weights[{k - 1}] "
                    f"{weights[k - 1].shape} gives {weights[k - 1].shape[1]} outputs; in the "
                    f"x @ W + b convention each matrix is (inputs, neurons) (for W @ x pass the "
                    f"transposes)")
        if biases is not None:
            biases = list(biases)
            if len(biases) != len(weights):
                raise ValueError(f"{len(biases)} bias vectors for {len(weights)} weight "
                                 f"matrices: give one per layer (or biases=None)")
        sizes = (weights[0].shape[0], *(W.shape[1] for W in weights))
        act = _resolve(activation)
        if len(weights) == 1 and not act.hidden_ok:  # no hidden layer: it is never used
            act = _resolve("sigmoid")
        if "maxout" in (act.name, _resolve(output_activation).name):
            raise ValueError("maxout needs two weight matrices per layer; choose another "
                             "activation")
        net = cls(sizes, act, output_activation, seed=0, init="zeros")
        for k, W in enumerate(weights):
            net.weights[k][...] = W
            if biases is not None:
                b = np.asarray(biases[k], dtype=float)
                if b.size != W.shape[1] or (b.ndim == 2 and 1 not in b.shape) or b.ndim > 2:
                    raise ValueError(f"biases[{k}] must hold {W.shape[1]} values, one per "
                                     f"neuron of weights[{k}] {W.shape}; got shape {b.shape}")
                net.biases[k][...] = b.reshape(-1)
        return net

    # ------------------------------------------------------------------ set-up
    @property
    def n_params(self) -> int:
        return self.params.size

    def initialize(self, seed=None, init=None):
        """Draw fresh initial parameters (in place, so views stay valid).

        Weight blocks (W and maxout's W') are drawn in layout order from one
        ``np.random.default_rng(seed)`` by the :mod:`core.initializers` function ``init``.
        """
        seed = self.seed if seed is None else seed
        init = self.init if init is None else init
        draw, bias = initializers.get(init), initializers.initial_bias(init)
        rng = np.random.default_rng(seed)
        for b in self.blocks:
            view = self._views[b.kind, b.layer]
            if b.kind == "slope":
                view[...] = PRELU_INITIAL_SLOPE
            elif b.kind in ("b", "b'"):
                view[...] = bias
            else:
                view[...] = draw(rng, *b.shape)

    def block(self, kind, layer) -> np.ndarray:
        """The array of one parameter block, e.g. ``block("slope", 0)`` (a view into params)."""
        return self._views[kind, layer]

    def copy(self) -> "Network":
        twin = Network(self.layer_sizes, self.activation, self.output_activation, self.seed,
                       self.init)
        twin.params[:] = self.params
        return twin

    def describe(self) -> str:
        """The layer sizes as a learner reads them, e.g. ``2 → 4 → 2 → 1``."""
        return " → ".join(str(n) for n in self.layer_sizes)

    # ----------------------------------------------------------------- forward
    def layer_forward(self, layer, x):
        """``(z, a)`` of layer ``layer`` for its inputs ``x`` ``(n, inputs)``: z = x·W + b and
        a = f(z), each ``(n, outputs)``; for maxout z has a trailing axis of the 2 pieces.
        (:func:`core.backprop.trace` calls it to keep the stages it computes.)"""
        act = self.layer_activations[layer]
        z = x @ self.weights[layer]
        z += self.biases[layer]
        if act.name == "maxout":
            z2 = x @ self._views["W'", layer]
            z2 += self._views["b'", layer]
            z = np.stack((z, z2), axis=-1)
            return z, act(z)
        if act.name == "prelu":
            return z, act(z, self._views["slope", layer])
        return z, act(z)

    def layer_output(self, layer, x) -> np.ndarray:
        """The output of layer of weights ``layer`` (0 = the first hidden layer) for its
        inputs ``x`` ``(n, inputs of that layer)``: the activation of x @ W + b."""
        return self.layer_forward(layer, np.asarray(x, dtype=float))[1]

    def predict(self, X) -> np.ndarray:
        """Network output for inputs ``X`` shaped ``(n, inputs)`` -> ``(n, outputs)``."""
        a = np.asarray(X, dtype=float)
        for layer in range(len(self.weights)):
            a = self.layer_forward(layer, a)[1]
        return a

    def hidden_outputs(self, X) -> list:
        """Activations of every layer (hidden and output) for ``X``: a list of ``(n, units)``."""
        a, outs = np.asarray(X, dtype=float), []
        for layer in range(len(self.weights)):
            a = self.layer_forward(layer, a)[1]
            outs.append(a)
        return outs

    # ------------------------------------------------------------ cost, gradient
    def regularization(self, l1=0.0, l2=0.0) -> float:
        """``l1·Σ|W| + (l2/2)·ΣW²`` over the weights (not biases or prelu slopes)."""
        if not (l1 or l2):
            return 0.0
        return weight_penalty(self.params[self._weight_mask], l1, l2)

    def cost(self, X, y_true, loss, l1=0.0, l2=0.0) -> float:
        """Cost = mean per-example loss over ``X`` + regularization."""
        loss = losses.get(loss) if isinstance(loss, str) else loss
        return loss.cost(y_true, self.predict(X)) + self.regularization(l1, l2)

    def cost_and_gradient(self, X, y_true, loss, l1=0.0, l2=0.0, out=None):
        """Cost and its gradient by backpropagation.

        Parameters
        ----------
        X : (n, inputs) array
        y_true : (n, outputs) array, or (n,)/(n, 1) class labels for ``sparse_cce``
        loss : str or loss object from :mod:`core.losses`
        l1, l2 : float
            Regularization rates: ``cost = loss.cost + l1·Σ|W| + (l2/2)·ΣW²``.
        out : (n_params,) array, optional
            Buffer for the gradient (saves an allocation per step in a training loop).

        Returns
        -------
        cost : float
        gradient : (n_params,) array, laid out like :attr:`params`.
        """
        return self._backpropagate(X, y_true, loss, l1, l2, out, with_cost=True)

    def gradient(self, X, y_true, loss, l1=0.0, l2=0.0, out=None) -> np.ndarray:
        """The gradient of :meth:`cost_and_gradient` alone (skips evaluating the cost)."""
        return self._backpropagate(X, y_true, loss, l1, l2, out, with_cost=False)[1]

    def _backpropagate(self, X, y_true, loss, l1, l2, out, with_cost):
        loss = losses.get(loss) if isinstance(loss, str) else loss
        if not loss.sparse:
            # A (n,) target vector is one column, as the losses read it; left as it is, the
            # fused deltas (ŷ − y) would broadcast (n, 1) against (n,) into (n, n).
            y_true = losses.as_2d(y_true)
        # The blocks are written through views: a buffer that cannot give them gets a copy.
        grad = out if out is not None and out.flags.c_contiguous and out.dtype == float else \
            np.empty_like(self.params)
        n_layers = len(self.weights)
        xs, zs = [np.asarray(X, dtype=float)], []
        for layer, (act, own, W, b) in enumerate(self._plan):
            if own:
                z, a = self.layer_forward(layer, xs[-1])
            else:  # layer_forward's very operations, without its lookups
                z = xs[-1] @ W
                z += b
                a = act(z)
            zs.append(z)
            xs.append(a)
        y_pred = xs[-1]
        cost = loss.cost(y_true, y_pred) if with_cost else None
        delta = self.fused_output_delta(loss, y_true, y_pred)
        grad_a = None if delta is not None else loss.gradient(y_true, y_pred)
        blocks = self._grad_blocks(grad)

        for layer in range(n_layers - 1, -1, -1):
            # grad_a is d cost / d (this layer's output); turn it into d cost / d z.
            act, own, W, _ = self._plan[layer]
            z, x = zs[layer], xs[layer]
            extra_back = None
            if act.name == "maxout":
                mask = act.derivative(z)  # (n, out, 2): one-hot of the winning piece
                d1, d2 = grad_a * mask[..., 0], grad_a * mask[..., 1]
                self._write(grad, "W'", layer, x.T @ d2)
                self._write(grad, "b'", layer, d2.sum(axis=0))
                delta, extra_back = d1, d2 @ self._views["W'", layer].T
            elif act.name == "prelu":
                self._write(grad, "slope", layer, (grad_a * act.slope_derivative(z)).sum(axis=0))
                delta = grad_a * act.derivative(z, self._views["slope", layer])
            elif delta is None:
                delta = act.backward(z, xs[layer + 1], grad_a)
            # Straight into the gradient's blocks: the same products and sums, no copies.
            grad_W, grad_b = blocks[layer]
            np.matmul(x.T, delta, out=grad_W)
            np.add.reduce(delta, axis=0, out=grad_b)
            if layer:
                grad_a = delta @ W.T
                if extra_back is not None:
                    grad_a += extra_back
                delta = None

        if l1 or l2:
            if with_cost:
                cost += self.regularization(l1, l2)
            w = self.params[self._weight_mask]
            grad[self._weight_mask] += l1 * np.sign(w) + l2 * w
        if out is not None and grad is not out:
            out[...] = grad
            grad = out
        return cost, grad

    #: (output activation, loss) pairs whose output delta is the fused ``(ŷ − y) / n``.
    FUSED = frozenset({("sigmoid", "bce"), ("softmax", "cce"), ("softmax", "sparse_cce")})

    def has_fused_gradient(self, loss) -> bool:
        """Whether backpropagation starts from the fused delta ``(ŷ − y) / n`` for ``loss``.

        That delta is the gradient of the unclipped cross-entropy: where the cost clips ŷ to
        [1e-7, 1 − 1e-7] (a prediction that saturated) the cost is flat but this gradient is not.
        """
        name = loss if isinstance(loss, str) else loss.name
        return (self.output_activation.name, name) in self.FUSED

    def fused_output_delta(self, loss, y_true, y_pred):
        """d cost / d z of the output layer where a fused form exists, else None.

        Sigmoid + bce and softmax + (sparse) cce have the fused form ``(ŷ - y) / n`` (bce also
        divides by the number of outputs, as it averages over them): exact, cheaper, and finite
        where the separate factors would be 0 · ∞.
        """
        if not self.has_fused_gradient(loss):
            return None
        act, n = self.output_activation.name, y_pred.shape[0]
        if act == "sigmoid":
            return (y_pred - y_true) / y_pred.size
        if loss.name == "cce":
            return (y_pred - y_true) / n
        delta = y_pred.copy()
        delta[np.arange(n), loss.class_labels(y_true, n, y_pred.shape[1])] -= 1.0
        return delta / n

    def _write(self, grad, kind, layer, value):
        grad[self._slices[kind, layer]] = value.reshape(-1)

    def _grad_blocks(self, grad) -> list:
        """``(W, b)`` views into ``grad`` for each layer, kept for the buffer last asked about
        (a training loop passes the same one at every step)."""
        if self._out_views is None or self._out_views[0] is not grad:
            self._out_views = grad, [
                tuple(grad[self._slices[kind, layer]].reshape(self._views[kind, layer].shape)
                      for kind in ("W", "b")) for layer in range(len(self.weights))]
        return self._out_views[1]
