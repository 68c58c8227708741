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
        Layer as in ``net.blocks``, counted from 0: layer 0 holds the first weight matrix (inputs
        → first hidden layer), which :func:`param_label` calls ``W1``.
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
    """A readable name of ``net.params[index]``: ``W2[3→1]``, ``b1[4]``, ``slope1[2]``,
    ``W'1[2→3]`` or ``b'1[4]`` (counted from 1; see :meth:`core.params.ParamLayout.label`).

    ``W2[3→1]`` is the weight of layer 2 from neuron 3 (of the layer below) to neuron 1.
    """
    return net.layout.label(index)


def param_choices(net) -> list:
    """Every parameter as ``(index, label)``, in ``params`` order (for a GUI's lists)."""
    return net.layout.choices()

