"""What a training run records as it goes: the cost history's columns and the bounded log.

The trainer records a row of :data:`HISTORY_FIELDS` at every step at first, then less and less
often (see :class:`DecimatedLog`), so memory stays bounded over hours of training while the
whole run stays visible.
"""
from __future__ import annotations

import itertools

import numpy as np

# One counter for every log, so that a version never repeats, even in a log made later.
_versions = itertools.count(1)

#: Columns of the cost history, in order (``Trainer.history_arrays()`` keys, the CSV header).
#: ``learning_rate`` is the rate of the next update (the schedule's); the metrics a task does
#: not have are NaN (accuracy and F1 for regression; R², RMSE and MAE for classification).
HISTORY_FIELDS = ("step", "epoch", "train_cost", "test_cost", "train_loss", "test_loss",
                  "reg_term", "train_accuracy", "test_accuracy", "learning_rate",
                  "train_macro_f1", "test_macro_f1", "train_r2", "test_r2", "train_rmse",
                  "test_rmse", "train_mae", "test_mae")

#: Most values the parameter path holds (rows × parameters, 32 MB): the log keeps fewer rows than
#: ``path_capacity`` for a network so big that the rows would not fit, and never fewer than
#: :data:`MIN_PATH_ROWS`. Every frame of the app hands the path to the views, so this also
#: bounds what a frame copies and projects.
PATH_BUDGET = 2 ** 22
MIN_PATH_ROWS = 8


class DecimatedLog:
    """Rows of floats recorded every ``stride`` steps, at most ``capacity`` of them.

    When the log is full it keeps every other row and doubles ``stride``, so the rows stay
    evenly spaced (at multiples of ``stride``) and memory is ``capacity × width`` floats forever.
    ``version`` changes whenever the rows do (and is never the same in two logs), so a reader
    can tell that a copy it made is still current without comparing the rows.
    """

    def __init__(self, width, capacity=2000):
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number >= 2")
        self._rows = np.empty((capacity, width))
        self._n = 0
        self.stride = 1
        self.version = next(_versions)

    def __len__(self):
        return self._n

    @property
    def width(self) -> int:
        return self._rows.shape[1]

    @property
    def capacity(self) -> int:
        return len(self._rows)

    def due(self, step) -> bool:
        return step % self.stride == 0

    def append(self, row):
        if self._n == len(self._rows):
            kept = self._rows[0:self._n:2]
            self._n = len(kept)
            self._rows[:self._n] = kept
            self.stride *= 2
        self._rows[self._n] = row
        self._n += 1
        self.version = next(_versions)

    def extend(self, rows):
        """Append each of ``rows`` ``(m, width)`` in turn, as :meth:`append` would."""
        rows = np.asarray(rows, dtype=float)
        while len(rows):
            if self._n == len(self._rows):
                self.append(rows[0])
                rows = rows[1:]
                continue
            room = min(len(rows), len(self._rows) - self._n)
            self._rows[self._n:self._n + room] = rows[:room]
            self._n += room
            rows = rows[room:]
            self.version = next(_versions)

    def rows(self) -> np.ndarray:
        """A copy of the recorded rows, ``(len(self), width)``."""
        return self._rows[:self._n].copy()

    def clear(self):
        self._n, self.stride = 0, 1
        self.version = next(_versions)

    def state_dict(self) -> dict:
        return {"rows": self.rows(), "stride": self.stride}

    def load_state_dict(self, state: dict):
        """Continue from :meth:`state_dict`. Rows narrower than the log (saved when it had
        fewer columns) get NaN in the columns they lack."""
        rows = np.asarray(state["rows"], dtype=float)
        width = self._rows.shape[1]
        if rows.ndim == 2 and rows.shape[1] < width:
            rows = np.hstack([rows, np.full((len(rows), width - rows.shape[1]), np.nan)])
        rows = rows.reshape(-1, width)
        if len(rows) > len(self._rows):
            raise ValueError(f"{len(rows)} rows do not fit a log of capacity {len(self._rows)}")
        self._n, self.stride = len(rows), int(state["stride"])
        self._rows[:self._n] = rows
        self.version = next(_versions)


def path_rows(n_params, capacity) -> int:
    """Rows the path log of a network with ``n_params`` parameters keeps: ``capacity``, or
    fewer (an even number, at least :data:`MIN_PATH_ROWS`) when ``capacity × n_params`` would
    exceed :data:`PATH_BUDGET`."""
    fitting = max(MIN_PATH_ROWS, PATH_BUDGET // max(int(n_params), 1) // 2 * 2)
    return min(int(capacity), fitting)
