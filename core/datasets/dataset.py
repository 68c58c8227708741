"""What every data set is: the :class:`Dataset` record, and :class:`DataError` for any problem."""
from __future__ import annotations

import dataclasses
import functools

import numpy as np

TASKS = ("regression", "binary", "multiclass")


class DataError(ValueError):
    """A data set cannot be made or read.

    Attributes
    ----------
    reason : str
        What is wrong, without the place.
    path : str or path-like or None
        The file as given, when a file is read.
    row, column : int or None
        Where in the file (1-based, counting every line, as a spreadsheet shows them), when the
        problem has a place.

    ``str(err)`` joins them: ``"<path>: row <row>, column <column>: <reason>"``, leaving out the
    parts that are None.
    """

    def __init__(self, reason, path=None, row=None, column=None):
        self.reason, self.path, self.row, self.column = reason, path, row, column
        super().__init__(self.message())

    def message(self, path=None) -> str:
        """``str(self)``, with the file shown as ``path`` instead of as given (e.g. only its
        name, where the folder would make the message long)."""
        shown = self.path if path is None or self.path is None else path
        place = ", ".join(f"{what} {number}" for what, number in
                          (("row", self.row), ("column", self.column)) if number is not None)
        return ": ".join(f"{part}" for part in (shown, place or None, self.reason)
                         if part is not None)


@dataclasses.dataclass(frozen=True, eq=False)
class Dataset:
    """Training and test data of one problem.

    Attributes
    ----------
    name : str
    task : str
        "regression", "binary" or "multiclass".
    X_train, X_test : ndarray, shape (n_train, d), (n_test, d), float64
    y_train, y_test : ndarray, shape (n_train, 1), (n_test, 1), float64
        Targets; for classification the class index 0..k-1.
    n_classes : int
        1 for regression, 2 for binary, k for multiclass.
    domain : tuple of (low, high) per input feature
        The region to plot, e.g. ``((-6, 6), (-6, 6))``.

    The arrays are float64 copies made read-only, so a data set can be shared between the
    trainer, the views and a notebook without anyone changing it under the others.
    """

    name: str
    task: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    domain: tuple

    def __post_init__(self):
        for field in ("X_train", "y_train", "X_test", "y_test"):
            try:
                array = np.array(getattr(self, field), dtype=np.float64)
            except (TypeError, ValueError) as err:
                raise DataError(f"{field} must be numbers: {err}") from None
            array.setflags(write=False)
            object.__setattr__(self, field, array)
        for X, y, part in ((self.X_train, self.y_train, "train"), (self.X_test, self.y_test, "test")):
            if X.ndim != 2 or y.shape != (len(X), 1) or len(X) == 0:
                raise DataError(f"{part} data must be X (n, d) and y (n, 1) with n >= 1; "
                                f"got {X.shape} and {y.shape}")
        if self.X_test.shape[1] != self.X_train.shape[1]:
            raise DataError("train and test data have different numbers of features")
        if self.task not in TASKS:
            raise DataError(f"unknown task {self.task!r}; choose one of: {', '.join(TASKS)}")
        expected = {"regression": 1, "binary": 2}.get(self.task)
        if (expected is not None and self.n_classes != expected) or self.n_classes < 1:
            raise DataError(f"a {self.task} data set cannot have n_classes={self.n_classes}")
        domain = tuple((float(low), float(high)) for low, high in self.domain)
        if len(domain) != self.n_features:
            raise DataError(f"domain has {len(domain)} ranges for {self.n_features} features")
        object.__setattr__(self, "domain", domain)

    @functools.cached_property
    def test_is_train(self) -> bool:
        """True when the test points are the training points, row for row (the XOR truth
        table; a training share of 1): the test cost then measures the fit, not how well the
        network generalizes. The one rule every view and script labels "train = test" by."""
        return (self.X_test.shape == self.X_train.shape
                and np.array_equal(self.X_test, self.X_train)
                and np.array_equal(self.y_test, self.y_train))

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def X(self) -> np.ndarray:
        """Train then test inputs stacked, ``(n_train + n_test, d)`` (a new array)."""
        return np.vstack([self.X_train, self.X_test])

    @property
    def y(self) -> np.ndarray:
        """Train then test targets stacked, ``(n_train + n_test, 1)`` (a new array)."""
        return np.vstack([self.y_train, self.y_test])


def check_number(name, value, low, high, integer=False, open_=False, low_open=False):
    """Raise DataError unless ``value`` is a number (a whole one if ``integer``) in
    ``[low, high]`` (``(low, high)`` if ``open_``, ``(low, high]`` if ``low_open``); booleans
    are not numbers here."""
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    ok = isinstance(value, kinds) and not isinstance(value, (bool, np.bool_))
    low_open = low_open or open_
    if ok:
        ok = (low < value if low_open else low <= value) and (
            value < high if open_ else value <= high)
    if not ok:
        bounds = f"{'(' if low_open else '['}{low}, {high}{')' if open_ else ']'}"
        kind = "a whole number" if integer else "a number"
        raise DataError(f"{name} must be {kind} in {bounds}; got {value!r}")
