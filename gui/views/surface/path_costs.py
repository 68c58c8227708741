"""The real training cost of every point of the error surface's path (pure numpy, no Qt).

The path is drawn at its real cost (see :mod:`gui.views.surface.model`): each point's is
found once, and most of them are not computed here at all but taken from what the worker
scored already.
"""
from __future__ import annotations

import numpy as np

from core import landscape
from core.network import weight_penalty


class PathCosts:
    """The real training cost of every point of the path, each computed once.

    :meth:`of` gives the costs of a snapshot's path. The path only grows at its end and, when
    its log is full, keeps every other point, so the points it shares with the last path are
    found in order (a common start, then a walk along the rest); only the others (usually the
    current point and one new one) are computed, with :func:`core.landscape.path_costs`.

    Most of them the worker has scored already, on the whole training set with the
    regularization included: the current point (the snapshot's ``metrics["train_cost"]``) and
    every recorded row whose step the cost history holds (its ``train_cost`` there). Those are
    taken (the same numbers to the last few bits, tests/gui/test_surface_model.py checks it),
    so the usual frame computes nothing here.
    """

    def __init__(self):
        self._key = None     # (run, l1, l2, n_params): the costs are valid for these
        self._rows = self._costs = None
        self._net = self._snap = None

    def of(self, snap) -> np.ndarray:
        """``(p,)`` real costs (regularization included) of ``snap.path``'s points."""
        if snap is self._snap:  # asked again for the same snapshot
            return self._costs.copy()
        self._snap = snap
        path = np.asarray(snap.path)
        key = (snap.run, snap.l1, snap.l2, path.shape[1])
        if key != self._key:
            self._key, self._net = key, snap.network()
            self._rows, self._costs = path[:0], np.empty(0)
        old, known = self._rows, self._costs
        m = min(len(old), len(path))
        same = np.all(old[:m] == path[:m], axis=1)
        start = m if same.all() else int(np.argmin(same))
        costs = np.empty(len(path))
        costs[:start] = known[:start]
        missing, j = [], start
        for i in range(start, len(path)):
            k = j
            while k < len(old) and not np.array_equal(old[k], path[i]):
                k += 1
            if k < len(old):
                costs[i], j = known[k], k + 1
            else:
                missing.append(i)
        if (missing and missing[-1] == len(path) - 1
                and np.array_equal(path[-1], snap.params)):
            current = _current_cost(snap)
            if current is not None:
                costs[missing.pop()] = current
        if missing:
            missing = _from_history(snap, path, costs, missing)
        if missing:
            arrays = snap.arrays
            with np.errstate(all="ignore"):
                costs[missing] = landscape.path_costs(
                    self._net, arrays.inputs_train, arrays.targets_train, arrays.loss,
                    path[missing], l1=snap.l1, l2=snap.l2, include_regularization=True)
        self._rows, self._costs = path, costs
        return costs.copy()


def _current_cost(snap):
    """The training cost at ``snap.params`` as the worker scored it, or None when the
    snapshot has no finite one (then it is computed like any other point)."""
    value = (snap.metrics or {}).get("train_cost")
    return float(value) if value is not None and np.isfinite(value) else None


def _from_history(snap, path, costs, missing) -> list:
    """Put into ``costs`` the history's train cost of each recorded row in ``missing`` whose
    step it holds; returns the indices still missing.

    Row ``k`` holds the weights of step ``k · snap.path_stride``, which the history scored
    with the rates in force then: a row is taken only where the penalty the history recorded
    is the one the snapshot's rates give (after a change of rates the old rows are computed
    again)."""
    history, stride = snap.history or {}, snap.path_stride
    steps, recorded, penalties = (history.get(key) for key in ("step", "train_cost",
                                                                "reg_term"))
    if not stride or steps is None or recorded is None or penalties is None or not len(steps):
        return missing
    rows = np.asarray(missing)
    rows = rows[rows < len(snap.path_rows)]
    if not len(rows):
        return missing
    wanted = rows * float(stride)
    at = np.minimum(np.searchsorted(steps, wanted), len(steps) - 1)
    found = (steps[at] == wanted) & np.isfinite(recorded[at]) & np.isfinite(penalties[at])
    rows, at = rows[found], at[found]
    w = path[rows][:, snap.layout.weight_mask]
    penalty = np.array([weight_penalty(np.ascontiguousarray(row), snap.l1, snap.l2)
                        for row in w])
    same = np.isclose(penalty, penalties[at], rtol=1e-9, atol=0.0)
    rows, at = rows[same], at[same]
    costs[rows] = recorded[at]
    taken = set(rows.tolist())
    return [i for i in missing if i not in taken]
