"""Where every parameter lives in :attr:`Network.params`: the one owner of the flat layout.

A network keeps all its weights, biases and learnable activation parameters in one float64
vector, laid out layer by layer as::

    W1, b1, [extra1], W2, b2, [extra2], ...

(named as a person reads them; the code's ``net.weights[0]`` is ``W1``). ``W`` is shaped
``(inputs, outputs)`` and stored row-major, so ``W[i, j]`` (the weight from neuron ``i`` of the
layer below to neuron ``j``, both counted from 0) sits at ``start + i·outputs + j``. ``extra`` is
empty for ordinary activations, the per-neuron ``slope`` of a ``prelu`` layer, or the second
affine piece ``W'``, ``b'`` of a ``maxout`` layer.

Everything that turns a flat index into words or back (the network itself, the error surface's
axes, the gradient check, the network diagram, the weight pickers) asks a :class:`ParamLayout`;
none of them repeats this arithmetic::

    layout = ParamLayout((2, 4, 1), "tanh", "sigmoid")
    k = layout.index("W", 1, 2, 0)        # block W of layer index 1, row 2, column 0
    layout.label(k)                        # 'W2[3→1]'
    layout.location(k)                     # ('W', 1, 2, 0)
    layout.describe(k)    # "weight from hidden layer 1 neuron 3 to the output neuron"

Two ways of counting, each where it belongs:

- **What a person reads counts from 1** (labels, names, descriptions): the weights ``W1``
  connect the inputs to hidden layer 1, ``W2`` hidden layer 1 to the next layer, and so on to
  ``WL`` into the output layer (the ``W¹ … Wᴸ`` of the textbooks); neurons and inputs count
  from 1 (``x₁, x₂``; "hidden layer 1 neuron 1"). ``W2[3→1]`` is the weight from neuron 3 of
  hidden layer 1 to neuron 1 of the layer ``W2`` feeds; ``b1[2]`` the bias of hidden layer 1's
  neuron 2.
- **Arguments and results count from 0, as Python does** (:meth:`ParamLayout.index`,
  :meth:`~ParamLayout.location`, ``ParamBlock.layer``): ``layout.index("W", 0, 0, 0)`` is the
  parameter labelled ``W1[1→1]``, and ``net.weights[0]`` is ``W1``.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

import numpy as np

#: What each kind of block holds, in words.
KIND_NAMES = {
    "W": "weights",
    "b": "biases",
    "slope": "PReLU slopes",
    "W'": "second Maxout piece's weights",
    "b'": "second Maxout piece's biases",
}

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

#: Blocks that regularization penalizes: weights only (not biases or slopes), as Keras does.
WEIGHT_KINDS = ("W", "W'")


@dataclass(frozen=True)
class ParamBlock:
    """One named block of the flat parameter vector.

    ``kind`` is ``"W"`` (weights), ``"b"`` (biases), ``"slope"`` (prelu) or ``"W'"``/``"b'"``
    (the second maxout piece). ``layer`` counts from 0 at the first layer of weights (inputs →
    first hidden layer). ``shape`` is ``(inputs, outputs)`` for matrices, ``(outputs,)`` else.
    """

    kind: str
    layer: int
    start: int
    shape: tuple

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    @property
    def stop(self) -> int:
        return self.start + self.size

    @property
    def label(self) -> str:
        """``"W1"`` for the first layer's weights: layers counted from 1, as people read them
        (:attr:`layer` counts from 0, as the code does)."""
        return f"{self.kind}{self.layer + 1}"

    @property
    def is_weight(self) -> bool:
        """Weights are what L1/L2 regularization penalizes (not biases or slopes)."""
        return self.kind in WEIGHT_KINDS

    @property
    def is_matrix(self) -> bool:
        return len(self.shape) == 2


def _activation_name(activation) -> str:
    return activation if isinstance(activation, str) else activation.name


def extra_block_shapes(activation, n_in, n_out) -> list:
    """The learnable activation's own blocks after a layer's bias: ``[(kind, shape), ...]``."""
    name = _activation_name(activation)
    if name == "prelu":
        return [("slope", (n_out,))]
    if name == "maxout":
        return [("W'", (n_in, n_out)), ("b'", (n_out,))]
    return []


class ParamLayout:
    """The blocks of a network ``layer_sizes`` with these activations, and index arithmetic.

    Parameters
    ----------
    layer_sizes : sequence of int
        Inputs, hidden layer sizes, outputs, e.g. ``(2, 4, 1)``.
    activation, output_activation : str or activation object
        Of the hidden layers and of the output layer (only ``prelu`` and ``maxout`` add blocks).
    """

    def __init__(self, layer_sizes, activation="tanh", output_activation="sigmoid"):
        self.layer_sizes = tuple(int(n) for n in layer_sizes)
        n_layers = len(self.layer_sizes) - 1
        names = [_activation_name(activation)] * (n_layers - 1) + \
            [_activation_name(output_activation)]
        blocks, start = [], 0
        for layer, (n_in, n_out) in enumerate(zip(self.layer_sizes, self.layer_sizes[1:])):
            shapes = [("W", (n_in, n_out)), ("b", (n_out,))]
            shapes += extra_block_shapes(names[layer], n_in, n_out)
            for kind, shape in shapes:
                block = ParamBlock(kind, layer, start, shape)
                blocks.append(block)
                start = block.stop
        self.blocks = tuple(blocks)
        self.n_params = start
        self._by_name = {(b.kind, b.layer): b for b in self.blocks}
        self._starts = [b.start for b in self.blocks]

    @classmethod
    def of(cls, network) -> "ParamLayout":
        """The layout of a :class:`~core.network.Network` (the one it was built with)."""
        return network.layout

    def __eq__(self, other):
        return isinstance(other, ParamLayout) and self.blocks == other.blocks

    def __hash__(self):
        return hash(self.blocks)

    def __repr__(self):
        return f"ParamLayout({' → '.join(map(str, self.layer_sizes))}, {self.n_params} params)"

    @property
    def n_layers(self) -> int:
        """Layers of weights (hidden layers + the output layer)."""
        return len(self.layer_sizes) - 1

    # ------------------------------------------------------------------ blocks
    def block(self, kind, layer) -> ParamBlock:
        """The block ``kind`` of ``layer``, e.g. ``block("W", 1)``."""
        try:
            return self._by_name[kind, layer]
        except KeyError:
            choices = ", ".join(block.label for block in self.blocks)
            raise ValueError(f"this network has no {kind}{layer + 1} (layer index {layer}, "
                             f"counted from 0); it has {choices}") from None

    def has_block(self, kind, layer) -> bool:
        return (kind, layer) in self._by_name

    def slice(self, kind, layer) -> slice:
        block = self.block(kind, layer)
        return slice(block.start, block.stop)

    def block_at(self, index) -> ParamBlock:
        """The block holding flat ``index``."""
        index = self._check(index)
        return self.blocks[bisect_right(self._starts, index) - 1]

    @cached_property
    def weight_mask(self) -> np.ndarray:
        """Boolean ``(n_params,)``: True on the entries regularization penalizes (read-only)."""
        mask = np.zeros(self.n_params, dtype=bool)
        for block in self.blocks:
            mask[block.start:block.stop] = block.is_weight
        mask.setflags(write=False)
        return mask

    # ------------------------------------------------------------------ indices
    def _check(self, index) -> int:
        index = int(index)
        if not 0 <= index < self.n_params:
            raise IndexError(f"parameter index {index} is outside 0..{self.n_params - 1}")
        return index

    def index(self, kind, layer, i, j=None) -> int:
        """Flat index of one parameter.

        ``i`` is the neuron a weight comes *from* (a row of ``W``) or, for per-neuron blocks
        (``b``, ``b'``, ``slope``), the neuron; ``j`` the neuron a weight goes *to*.
        """
        block = self.block(kind, layer)
        if block.is_matrix:
            if j is None:
                raise ValueError(f"{block.label} is a matrix: give both i (from) and j (to)")
            rows, cols = block.shape
            if not (0 <= i < rows and 0 <= j < cols):
                raise IndexError(f"(i, j) = ({i}, {j}) is outside {block.label}'s shape "
                                 f"{rows}×{cols} (indices count from 0)")
            return block.start + i * cols + j
        if j is not None:
            raise ValueError(f"{block.label} holds one value per neuron: give i only")
        if not 0 <= i < block.shape[0]:
            raise IndexError(f"i = {i} is outside {block.label}'s {block.shape[0]} neurons "
                             f"(indices count from 0)")
        return block.start + i

    def location(self, index):
        """The inverse of :meth:`index`: ``(kind, layer, i, j)``; ``j`` is None for per-neuron
        parameters."""
        block = self.block_at(index)
        offset = int(index) - block.start
        if block.is_matrix:
            i, j = divmod(offset, block.shape[1])
            return block.kind, block.layer, i, j
        return block.kind, block.layer, offset, None

    def weight_index(self, layer, i, j) -> int:
        """Index of the weight of layer ``layer`` from neuron ``i`` to neuron ``j`` (all
        counted from 0: the label is ``W{layer+1}[{i+1}→{j+1}]``)."""
        return self.index("W", layer, i, j)

    def bias_index(self, layer, j) -> int:
        """Index of the bias of neuron ``j`` of the layer that layer ``layer`` feeds (counted
        from 0: the label is ``b{layer+1}[{j+1}]``)."""
        return self.index("b", layer, j)

    # ------------------------------------------------------------------ words
    def label(self, index) -> str:
        """The parameter's name as a person reads it, everything counted from 1: ``W2[3→1]``
        (layer 2's weight from neuron 3 below to neuron 1), ``b1[4]``, ``slope1[2]``,
        ``W'1[2→3]`` or ``b'1[4]``. The one place labels are made."""
        kind, layer, i, j = self.location(index)
        name = f"{kind}{layer + 1}"
        return f"{name}[{i + 1}→{j + 1}]" if j is not None else f"{name}[{i + 1}]"

    def choices(self) -> list:
        """Every parameter as ``(index, label)``, in ``params`` order."""
        return [(index, self.label(index)) for index in range(self.n_params)]

    def layer_name(self, column) -> str:
        """A column of neurons: 0 is ``"inputs"``, the last ``"output layer"``, the others
        ``"hidden layer k"`` (counting from 1, as people count layers)."""
        if column == 0:
            return "inputs"
        if column == len(self.layer_sizes) - 1:
            return "output layer"
        return f"hidden layer {column}"

    def neuron_name(self, column, unit) -> str:
        """Neuron ``unit`` (counted from 0) of ``column`` as a person reads it, counted from 1:
        ``"input x₁"``, ``"hidden layer 1 neuron 3"``, ``"output neuron 1"`` (or ``"the output
        neuron"`` when there is only one)."""
        if column == 0:
            return f"input x{str(unit + 1).translate(_SUBSCRIPTS)}"
        if column == len(self.layer_sizes) - 1:
            return ("the output neuron" if self.layer_sizes[-1] == 1
                    else f"output neuron {unit + 1}")
        return f"{self.layer_name(column)} neuron {unit + 1}"

    def describe_block(self, block: ParamBlock) -> str:
        """E.g. ``"weights from the 2 inputs into hidden layer 1"``, ``"biases of the output
        layer"``."""
        into = self.layer_name(block.layer + 1)
        into = "the output layer" if into == "output layer" else into
        if block.kind in ("W", "W'"):
            source = (f"the {self.layer_sizes[0]} inputs" if block.layer == 0
                      else self.layer_name(block.layer))
            return f"{KIND_NAMES[block.kind]} from {source} into {into}"
        return f"{KIND_NAMES[block.kind]} of {into}"

    def describe(self, index) -> str:
        """One parameter in words, e.g. ``"weight from input x₁ to hidden layer 1 neuron 3"``."""
        kind, layer, i, j = self.location(index)
        if j is not None:
            piece = "second Maxout piece's weight" if kind == "W'" else "weight"
            return (f"{piece} from {self.neuron_name(layer, i)} to "
                    f"{self.neuron_name(layer + 1, j)}")
        what = {"b": "bias", "b'": "second Maxout piece's bias", "slope": "PReLU slope"}[kind]
        return f"{what} of {self.neuron_name(layer + 1, i)}"
