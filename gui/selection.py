"""What the learner has picked or points at, shared by the views: one small model they observe.

The network diagram writes to it (a click on a link picks an error-surface axis; hovering a
neuron shows its picture); the error surface and the boundary view read it. The
backpropagation view points at the layers and the code of the stage it shows (a
:class:`Highlight`), which the diagram lights up and the code window marks. So views never
talk to each other and the main window does not carry messages between them::

    selection = Selection()
    diagram.bind(selection)      # writes: pick_weight(index), hover(picture); reads: highlight
    surface.bind(selection)      # reads:  axes_changed;  writes: probe(params, words, run)
    boundary.bind(selection)     # reads:  hovered_changed, probed_changed; writes: request_move
    backprop.bind(selection)     # writes: set_highlight(Highlight)

Indices are flat indices into ``Network.params`` (see :class:`core.params.ParamLayout`).
"""
from __future__ import annotations

import dataclasses

import numpy as np
from PySide6.QtCore import QObject, Signal


@dataclasses.dataclass(frozen=True, eq=False)
class NeuronPicture:
    """One neuron's output over the data domain, to show in place of the network's.

    ``values`` is ``(len(ys), len(xs))`` for two inputs (row-major, as
    :class:`gui.snapshot.NeuronGrid`), ``(len(xs),)`` for one (``ys`` None). ``levels`` are the
    values at the ends of the colour map; ``label`` names the neuron ("hidden layer 1, neuron 3").
    """

    label: str
    xs: np.ndarray
    ys: np.ndarray | None
    values: np.ndarray
    levels: tuple


@dataclasses.dataclass(frozen=True)
class Highlight:
    """What a step-by-step explanation points at: neurons, links and lines of code.

    ``columns`` are the network's columns whose neurons take part (0: the inputs, c ≥ 1: the
    outputs of the layer of weights c − 1, the last column the network's outputs); ``layers``
    are the layers of weights whose links take part (layer l joins column l to column l + 1).
    ``direction`` is "forward" (the forward pass) or "backward" (the gradient on its way back);
    ``part`` is the part of the code behind the run that computes it (a key of
    :data:`core.codegen.anchors.PARTS`), or None; ``label`` says in words what it is.
    """

    columns: tuple = ()
    layers: tuple = ()
    direction: str = "forward"
    part: str | None = None
    label: str = ""


@dataclasses.dataclass(frozen=True, eq=False)
class Probe:
    """Weights the learner points at on the error surface (the network "at that point").

    ``params`` (read-only, laid out like ``Network.params``) belong to run ``run``; ``words``
    say where they are ("W2[1→1] = 0.53, W2[2→1] = −1.2"). A ``pinned`` probe was clicked and
    stays; one that is not follows the pointer.
    """

    params: np.ndarray
    words: str
    run: int
    pinned: bool = False


class Selection(QObject):
    """The error-surface axes the learner picked and the neuron under the pointer.

    Signals
    -------
    axes_changed(object)
        ``(i, j)``: the two parameters the error surface should show, or None (no choice yet,
        or the choice was forgotten because the network changed).
    axis_picked(int, int)
        ``(axis, index)``: parameter ``index`` was just put on axis ``axis`` (0 or 1), for
        whoever says so in words.
    hovered_changed(object)
        A :class:`NeuronPicture`, or None when the pointer left the neurons.
    highlight_changed(object)
        A :class:`Highlight` to light up, or None when nothing is pointed at any more.
    probed_changed(object)
        The :class:`Probe` to show (the one under the pointer, else the pinned one), or None.
    move_requested(object)
        The learner asked to move the training weights to this pinned :class:`Probe`.
    """

    axes_changed = Signal(object)
    axis_picked = Signal(int, int)
    hovered_changed = Signal(object)
    highlight_changed = Signal(object)
    probed_changed = Signal(object)
    move_requested = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._axes = None
        self._next_axis = 0
        self._n_params = None
        self._hovered = None
        self._highlight = None
        self._probes = {False: None, True: None}  # under the pointer, pinned

    # ------------------------------------------------------------------ axes
    @property
    def axes(self):
        """``(i, j)`` or None."""
        return self._axes

    def set_parameter_count(self, n_params):
        """The network has ``n_params`` parameters now; a choice that no longer fits is
        forgotten (``axes_changed(None)``)."""
        self._n_params = int(n_params)
        if self._axes is not None and max(self._axes) >= self._n_params:
            self._axes, self._next_axis = None, 0
            self.axes_changed.emit(None)

    def set_axes(self, i, j):
        """Show the cost against parameters ``i`` and ``j`` (two different flat indices)."""
        i, j = int(i), int(j)
        if i == j:
            raise ValueError("the two axes need two different parameters")
        for index in (i, j):
            if index < 0 or (self._n_params is not None and index >= self._n_params):
                top = "" if self._n_params is None else f"..{self._n_params - 1}"
                raise IndexError(f"parameter index {index} is outside 0{top}")
        if self._axes != (i, j):
            self._axes = (i, j)
            self.axes_changed.emit(self._axes)

    def pick_weight(self, index) -> int:
        """Put parameter ``index`` on axis 1, then on axis 2 at the next call, and so on (a
        learner clicking links in the diagram). Returns the axis filled (0 or 1)."""
        index = int(index)
        axis = self._next_axis
        current = list(self._axes or (None, None))
        current[axis] = index
        if current[1 - axis] is None or current[1 - axis] == index:
            # No partner yet (or the same one): a neighbour, so that the pair is valid.
            n = self._n_params if self._n_params is not None else index + 2
            current[1 - axis] = (index + 1) % n if n > 1 else 0
        self.set_axes(*current)
        self._next_axis = 1 - axis
        self.axis_picked.emit(axis, index)
        return axis

    # ------------------------------------------------------------------ hover
    @property
    def hovered(self):
        return self._hovered

    def hover(self, picture):
        """The pointer is over a neuron (a :class:`NeuronPicture`) or over none (None)."""
        if picture is not self._hovered:
            self._hovered = picture
            self.hovered_changed.emit(picture)

    # ------------------------------------------------------------------ highlight
    @property
    def highlight(self):
        """The :class:`Highlight` pointed at, or None."""
        return self._highlight

    def set_highlight(self, highlight):
        """Point at ``highlight`` (a :class:`Highlight`), or at nothing (None)."""
        if highlight != self._highlight:
            self._highlight = highlight
            self.highlight_changed.emit(highlight)
    # ------------------------------------------------------------------ probed weights
    @property
    def probed(self):
        """The :class:`Probe` shown: the one under the pointer, else the pinned one, or None."""
        return self._probes[False] or self._probes[True]

    @property
    def pinned_probe(self):
        return self._probes[True]

    def probe(self, params, words, run, pinned=False):
        """The pointer is on weights ``params`` of run ``run`` (``pinned``: they were clicked,
        and replace any pinned before; a click also ends the hover)."""
        params = np.array(params, dtype=float)
        params.setflags(write=False)
        new = Probe(params, str(words), int(run), bool(pinned))
        self._set_probes({True: new, False: None} if pinned else {False: new})

    def unprobe(self, pinned=False):
        """The pointer left the surface (the pinned probe shows again), or with ``pinned``
        forget both."""
        self._set_probes({True: None, False: None} if pinned else {False: None})

    def request_move(self):
        """Ask (whoever trains) to move the weights to the pinned probe, if there is one."""
        if self._probes[True] is not None:
            self.move_requested.emit(self._probes[True])

    def _set_probes(self, changes):
        before = self.probed
        self._probes.update(changes)
        if self.probed is not before:
            self.probed_changed.emit(self.probed)
