"""Parameter indices and their names, for the axes of an error surface.

These delegate to the network's :class:`core.params.ParamLayout` (the one owner of the flat
layout); they stay here because notebooks call them as ``landscape.param_label(net, k)``.
"""
from __future__ import annotations

__all__ = ["param_index", "param_location", "param_label", "param_choices"]


def param_index(net, kind, layer, i, j=None) -> int:
    """Flat index into ``net.params`` of one weight, bias or activation parameter.

    Parameters
    ----------
    net : Network
    kind : str
        ``"W"``, ``"b"``, ``"slope"`` (prelu), ``"W'"`` or ``"b'"`` (maxout's second piece).
    layer : int
        Layer as in ``net.blocks``: layer 0 holds the first weight matrix (inputs → first hidden).
    i : int
        For ``W``/``W'``: the neuron the weight comes *from* (a row of ``W``, shape
        ``(inputs, outputs)``). For ``b``/``b'``/``slope``: the neuron.
    j : int, optional
        For ``W``/``W'`` only: the neuron the weight goes *to* (a column of ``W``).

    Returns
    -------
    int
        ``start + i·outputs + j`` for a weight (row-major, as the view is laid out), ``start + i``
        for a per-neuron parameter. (:meth:`core.params.ParamLayout.index`.)
    """
    return net.layout.index(kind, layer, i, j)


def param_location(net, index):
    """The inverse of :func:`param_index`: ``(kind, layer, i, j)``, j None for per-neuron values.

    Parameters
    ----------
    net : Network
    index : int
        ``0 <= index < net.n_params``.
    """
    return net.layout.location(index)


def param_label(net, index) -> str:
    """A readable name of ``net.params[index]``: ``W1[2→0]``, ``b0[3]``, ``slope0[1]``, ``W'0[1→2]``
    or ``b'0[3]``.

    ``W1[2→0]`` is the weight of layer 1 from neuron 2 (of the layer below) to neuron 0.
    """
    return net.layout.label(index)


def param_choices(net) -> list:
    """Every parameter as ``(index, label)``, in ``params`` order (for a GUI's lists)."""
    return net.layout.choices()

