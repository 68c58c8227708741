"""Data sets to learn: the Neural Network Playground's problems, a few classics, and CSV files.

Every generated set comes from ``make(name, n_samples, noise, seed, train_fraction)`` and all its
randomness from one ``np.random.default_rng(seed)``, so the same arguments give the same data.

>>> from core import datasets
>>> data = datasets.make("spiral", n_samples=200, noise=0.1, seed=1)
>>> data.X_train.shape, data.y_train.shape, data.task
((100, 2), (100, 1), 'binary')

``noise`` is in [0, 1]; 0.5 is the Playground's maximum ("Noise 50"). As in the Playground, the
binary sets circle and xor and the regression sets plane and gauss_regression jitter the point
used to compute the *label* (so labels near the boundary flip), while gauss, blobs, spiral,
spiral3 and moons jitter the points themselves. Classification labels are class indices
0..k-1 stored as floats in an ``(n, 1)`` column; for the Playground's sets class 1 is its
positive (blue) class.

Every error this module raises is a :class:`DataError` (a ``ValueError``).
"""
from __future__ import annotations

import csv
import dataclasses
import math
import os
import re
from pathlib import Path

import numpy as np

TASKS = ("regression", "binary", "multiclass")
MIN_SAMPLES, MAX_SAMPLES = 4, 100_000
#: Most distinct integer labels that ``load_csv`` reads as classes when it guesses the task.
MAX_DETECTED_CLASSES = 20
#: Most classes a CSV file may have when the task is given as multiclass.
MAX_CLASSES = 100
#: Larger files are refused: the app keeps all data in memory and replots it often.
MAX_CSV_BYTES = 50_000_000
#: Largest |value| a CSV cell may hold: the plots square and sum coordinates, and values near
#: the float limit (1e308) overflow there. Data this large want rescaling anyway.
MAX_CSV_VALUE = 1e12

PLAYGROUND_DOMAIN = ((-6.0, 6.0), (-6.0, 6.0))


class DataError(ValueError):
    """A data set cannot be made or read. For a CSV file the message names the file and, where
    it applies, the row and column (1-based, counting every line, as a spreadsheet shows them)."""


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


# --------------------------------------------------------------------------- generators
# Each takes (rng, n, noise) and returns X (n, d) and y (n,). Formulas follow the Playground's
# dataset.ts; noise there is its slider value / 100, the same scale as ours.

def _halves(n):
    return (n + 1) // 2, n // 2


def _normal_in_box(rng, center, std, n, box=6.0):
    """n points ~ N(center, std²·I) conditioned on lying in [-box, box]² (redraw the others)."""
    points = rng.normal(center, std, (n, 2))
    outside = np.abs(points).max(axis=1) > box
    while outside.any():  # at most a few rounds: centers lie well inside the box
        points[outside] = rng.normal(center, std, (int(outside.sum()), 2))
        outside = np.abs(points).max(axis=1) > box
    return points


def _gauss_std(noise):
    # Playground: variance = linear map of noise [0, 0.5] -> [0.5, 4] (extended to noise 1).
    return math.sqrt(0.5 + 7.0 * noise)


def _circle(rng, n, noise):
    n_in, n_out = _halves(n)
    radius = np.concatenate([rng.uniform(0, 2.5, n_in), rng.uniform(3.5, 5.0, n_out)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    jittered = X + rng.uniform(-5, 5, (n, 2)) * noise
    return X, (np.hypot(*jittered.T) < 2.5).astype(float)


def _xor(rng, n, noise):
    X = rng.uniform(-5, 5, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)  # the Playground's margin: no point within 0.3 of an axis
    jittered = X + rng.uniform(-5, 5, (n, 2)) * noise
    return X, (jittered[:, 0] * jittered[:, 1] >= 0).astype(float)


def _gauss(rng, n, noise):
    n1, n0 = _halves(n)
    std = _gauss_std(noise)
    X = np.vstack([_normal_in_box(rng, 2.0, std, n1), _normal_in_box(rng, -2.0, std, n0)])
    return X, np.repeat([1.0, 0.0], [n1, n0])


def _spirals(rng, n, noise, arms):
    """``arms`` interleaved spirals (radius 0..5, 1.75 turns); arm j is rotated by 2πj/arms."""
    X, y = [], []
    for arm in range(arms):
        m = n // arms + (arm < n % arms)
        s = np.arange(m) / m
        t = 1.75 * 2 * np.pi * s + 2 * np.pi * arm / arms
        X.append(np.column_stack([5 * s * np.sin(t), 5 * s * np.cos(t)])
                 + rng.uniform(-1, 1, (m, 2)) * noise)
        y.append(np.full(m, float(arm)))
    return np.vstack(X), np.concatenate(y)


def _spiral(rng, n, noise):
    X, arm = _spirals(rng, n, noise, 2)
    return X, 1.0 - arm  # the Playground's first arm is its positive class


def _spiral3(rng, n, noise):
    return _spirals(rng, n, noise, 3)


def _moons(rng, n, noise):
    # scikit-learn's make_moons (outer moon class 0, inner class 1), centred and scaled by 3.5
    # so that it spans about [-5.3, 5.3] x [-2.6, 2.6]; noise 1 is a standard deviation of 1.2.
    n0, n1 = _halves(n)
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    X = np.vstack([np.column_stack([np.cos(t0), np.sin(t0)]),
                   np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])])
    X = (X - [0.5, 0.25]) * 3.5 + rng.normal(0, 1.2 * noise, (n, 2))
    return np.clip(X, -6, 6), np.repeat([0.0, 1.0], [n0, n1])


def _blobs(rng, n, noise):
    angles = np.deg2rad([90, 210, 330])
    centers = 3.5 * np.column_stack([np.cos(angles), np.sin(angles)])
    counts = [n // 3 + (k < n % 3) for k in range(3)]
    std = _gauss_std(noise)
    X = np.vstack([_normal_in_box(rng, c, std, m) for c, m in zip(centers, counts)])
    return X, np.repeat([0.0, 1.0, 2.0], counts)


def _plane(rng, n, noise):
    X = rng.uniform(-6, 6, (n, 2))
    jittered = X + rng.uniform(-6, 6, (n, 2)) * noise
    return X, jittered.sum(axis=1) / 10  # Playground: x1 + x2 mapped [-10, 10] -> [-1, 1]


_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                   [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=float)


def _gauss_regression(rng, n, noise):
    X = rng.uniform(-6, 6, (n, 2))
    jittered = X + rng.uniform(-6, 6, (n, 2)) * noise
    dist = np.hypot(jittered[:, :1] - _BUMPS[:, 0], jittered[:, 1:] - _BUMPS[:, 1])
    # Cone-shaped bumps of radius 2 (the Playground's "Gaussian"): they do not overlap, so the
    # sum equals the Playground's "largest in absolute value".
    return X, (np.clip(1 - dist / 2, 0, 1) * _BUMPS[:, 2]).sum(axis=1)


def _sine(rng, n, noise):
    x = rng.uniform(-3, 3, n)
    return x[:, None], np.sin(x) + rng.normal(0, 0.5 * noise, n)


def _add_outliers(rng, y):
    """Lift ~4% of the points (at least one) 2 to 3.5 above the curve: gross outliers.

    MSE bends towards them, MAE ignores them and Huber sits in between, which is the point of
    the sine set. Only training points get them: the test points stay clean, so the test cost
    measures how well each loss recovers sin(x) despite the outliers.
    """
    y = y.copy()
    rows = rng.choice(len(y), max(1, round(0.04 * len(y))), replace=False)
    y[rows, 0] += rng.uniform(2.0, 3.5, len(rows))
    return y


_SETS = {
    # name: (task, n_classes, generator, domain, description)
    "circle": ("binary", 2, _circle, PLAYGROUND_DOMAIN,
               "A disc of class 1 (radius 2.5) inside a ring of class 0 (radius 3.5 to 5)."),
    "xor": ("binary", 2, _xor, PLAYGROUND_DOMAIN,
            "Class 1 where x1 and x2 have the same sign, class 0 where they differ (XOR)."),
    "gauss": ("binary", 2, _gauss, PLAYGROUND_DOMAIN,
              "Two Gaussian clusters, class 1 around (2, 2) and class 0 around (-2, -2)."),
    "spiral": ("binary", 2, _spiral, PLAYGROUND_DOMAIN,
               "Two interleaved spirals, one per class: hard for a straight boundary."),
    "moons": ("binary", 2, _moons, PLAYGROUND_DOMAIN,
              "Two interleaving half-moons (scikit-learn's make_moons, scaled up)."),
    "spiral3": ("multiclass", 3, _spiral3, PLAYGROUND_DOMAIN,
                "Three interleaved spiral arms, one per class."),
    "blobs": ("multiclass", 3, _blobs, PLAYGROUND_DOMAIN,
              "Three Gaussian blobs, one per class, around a circle of radius 3.5."),
    "plane": ("regression", 1, _plane, PLAYGROUND_DOMAIN,
              "A tilted plane: y = (x1 + x2) / 10, between -1.2 and 1.2."),
    "gauss_regression": ("regression", 1, _gauss_regression, PLAYGROUND_DOMAIN,
                         "Six bumps of height +1 or -1 on a flat floor of 0."),
    "sine": ("regression", 1, _sine, ((-3.0, 3.0),),
             "One input: y = sin(x) for x in [-3, 3]; a few training points are gross outliers."),
    "xor_table": ("binary", 2, None, ((-0.5, 1.5), (-0.5, 1.5)),
                  "The four rows of the XOR truth table; train and test are the same 4 points."),
}


def names() -> list:
    """Names of the built-in data sets, in menu order."""
    return list(_SETS)


def _entry(name):
    if not isinstance(name, str) or name not in _SETS:
        raise DataError(f"unknown data set {name!r}; choose one of: {', '.join(_SETS)}")
    return _SETS[name]


def task_of(name) -> str:
    """The task ("regression", "binary" or "multiclass") of built-in data set ``name``."""
    return _entry(name)[0]


def input_count(name) -> int:
    """How many input features built-in data set ``name`` has (1 for sine, else 2)."""
    return len(_entry(name)[3])


def describe(name) -> str:
    """One sentence describing built-in data set ``name``."""
    return _entry(name)[4]


def _check_number(name, value, low, high, integer=False, open_=False):
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    ok = isinstance(value, kinds) and not isinstance(value, (bool, np.bool_))
    if ok:
        ok = (low < value < high) if open_ else (low <= value <= high)
    if not ok:
        bounds = f"({low}, {high})" if open_ else f"[{low}, {high}]"
        kind = "a whole number" if integer else "a number"
        raise DataError(f"{name} must be {kind} in {bounds}; got {value!r}")


def _split(rng, X, y, fraction):
    """Shuffle and cut: round(n·fraction) training rows, at least one row on each side."""
    n = len(X)
    order = rng.permutation(n)
    n_train = min(max(round(n * fraction), 1), n - 1)
    train, test = order[:n_train], order[n_train:]
    return X[train], y[train, None], X[test], y[test, None]


def make(name, n_samples=500, noise=0.0, seed=0, train_fraction=0.5) -> Dataset:
    """Generate built-in data set ``name``.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    n_samples : int
        Total points, train plus test, in [4, 100000]; classes get equal shares (±1).
        Ignored by ``xor_table``, which always has its 4 rows.
    noise : float
        In [0, 1]; 0.5 is the Playground's maximum. Ignored by ``xor_table``.
    seed : int
        Seeds ``np.random.default_rng``: the same arguments give identical data.
    train_fraction : float
        In (0, 1): share of the shuffled points used for training (at least one point in each
        part). ``xor_table`` ignores it: train and test are both the 4 rows.
    """
    task, n_classes, generate, domain, _ = _entry(name)
    _check_number("n_samples", n_samples, MIN_SAMPLES, MAX_SAMPLES, integer=True)
    _check_number("noise", noise, 0.0, 1.0)
    _check_number("seed", seed, 0, math.inf, integer=True)
    _check_number("train_fraction", train_fraction, 0.0, 1.0, open_=True)
    if generate is None:  # xor_table
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
        y = np.array([[0], [1], [1], [0]], dtype=float)
        return Dataset(name, task, X, y, X, y, n_classes, domain)
    rng = np.random.default_rng(int(seed))
    X, y = generate(rng, int(n_samples), float(noise))
    X_train, y_train, X_test, y_test = _split(rng, X, y, train_fraction)
    if name == "sine":
        y_train = _add_outliers(rng, y_train)
    return Dataset(name, task, X_train, y_train, X_test, y_test, n_classes, domain)


# --------------------------------------------------------------------------- CSV files

def _read_text(path) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise DataError(f"a CSV path must be a string or path, not {type(path).__name__}")
    try:
        p = Path(path)
        missing, folder = not p.exists(), p.is_dir()
        size = 0 if missing or folder else p.stat().st_size
        raw = b"" if missing or folder or size > MAX_CSV_BYTES else p.read_bytes()
    except (OSError, ValueError, TypeError) as err:  # permissions, NUL in the name, bytes paths
        raise DataError(f"{path}: cannot read the file ({err})") from None
    if missing:
        raise DataError(f"{path}: file not found")
    if folder:
        raise DataError(f"{path}: is a folder, not a CSV file")
    if size > MAX_CSV_BYTES:
        raise DataError(f"{path}: larger than {MAX_CSV_BYTES // 1_000_000} MB")
    if b"\0" in raw:
        raise DataError(f"{path}: not a text file (it contains binary data)")
    try:
        return raw.decode("utf-8-sig")  # -sig: Excel writes a byte-order mark
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise DataError(f"{path}: row {line}: not UTF-8 text; save the file as UTF-8 CSV") from None


def _cells(lines, path):
    """(row number, cells) for each non-blank line; the delimiter is ; or , or tab."""
    first = lines[0][1]
    delimiter = ";" if ";" in first else "," if "," in first else "\t" if "\t" in first else ","
    rows = []
    for number, line in lines:
        try:
            cells = next(csv.reader([line], delimiter=delimiter))
        except (csv.Error, StopIteration) as err:
            raise DataError(f"{path}: row {number}: cannot split the row ({err})") from None
        cells = [c.strip() for c in cells]
        if delimiter == ";":  # European exports: decimal comma with semicolon separators
            cells = [c.replace(",", ".") for c in cells]
        rows.append((number, cells))
    return rows


def _number(cell):
    if "_" in cell:  # Python reads "1_000" as 1000; a spreadsheet would not
        return None
    try:
        return float(cell)
    except ValueError:
        return None


def _labels_for_task(labels, rows, task, path, column):
    """Check the label column fits ``task`` (or guess it) and map classes to 0..k-1."""
    where = f"{path}: column {column}"
    whole = np.isfinite(labels) & (labels == np.round(labels))
    values = np.unique(labels)
    if task is None:
        if whole.all() and 2 <= len(values) <= MAX_DETECTED_CLASSES:
            task = "binary" if len(values) == 2 else "multiclass"
        else:
            task = "regression"
    if task == "regression":
        return task, labels, 1
    if not whole.all():
        row = rows[int(np.argmin(whole))]
        raise DataError(f"{path}: row {row}, column {column}: a {task} label must be a whole "
                        f"number (a class), got {labels[np.argmin(whole)]:g}")
    most = 2 if task == "binary" else MAX_CLASSES
    needs = ("exactly 2 distinct labels" if task == "binary"
             else f"2 to {MAX_CLASSES} distinct labels")
    if len(values) < 2:
        raise DataError(f"{where}: a {task} task needs {needs}, but every label is "
                        f"{values[0]:g} (rows {rows[0]} to {rows[-1]})")
    if len(values) > most:
        # Name the row where one label too many first appears, in the file's order.
        _, first = np.unique(labels, return_index=True)
        row = np.sort(first)[most]
        raise DataError(f"{path}: row {rows[row]}, column {column}: label {labels[row]:g} is "
                        f"label number {most + 1}; a {task} task needs {needs} (this column "
                        f"has {len(values)})")
    return task, np.searchsorted(values, labels).astype(float), len(values)


def load_csv(path, task=None, train_fraction=0.5, seed=0) -> Dataset:
    """Read a data set from a CSV file: feature columns, then one label column.

    The separator is a comma, a semicolon (then a decimal comma is accepted too) or a tab. The
    first row is a header when any of its cells is not a number. Blank lines are skipped.

    Parameters
    ----------
    path : str or path-like
    task : {None, "regression", "binary", "multiclass"}
        None guesses from the labels: whole numbers with exactly 2 distinct values -> binary,
        with 3 to 20 distinct values -> multiclass, anything else -> regression.
        Classification labels are mapped to 0..k-1 in increasing order, so {-1, 1} and {1, 2}
        become {0, 1} and {2, 5, 9} becomes {0, 1, 2}.
    train_fraction : float in (0, 1)
        Share of the shuffled rows used for training (at least one row on each side).
    seed : int
        Seeds the shuffle.

    Returns
    -------
    Dataset
        Named after the file's stem; ``domain`` is each feature's [min, max] widened by 10 %
        of its span on both sides (by 1 when the span is 0).

    Raises
    ------
    DataError
        And no other exception, for any file: missing, a folder, unreadable, binary or not
        UTF-8, empty, header only, fewer than 2 rows or 2 columns, a non-numeric, empty, NaN,
        infinite or huge (beyond ±1e12) cell, a row with the wrong number of cells, or labels
        that do not fit ``task``.
        The message names the row and column (1-based, as a spreadsheet shows them).
    """
    if task is not None and task not in TASKS:
        raise DataError(f"unknown task {task!r}; choose one of: {', '.join(TASKS)} (or None)")
    _check_number("train_fraction", train_fraction, 0.0, 1.0, open_=True)
    _check_number("seed", seed, 0, math.inf, integer=True)
    text = _read_text(path)
    # Split on line ends only (str.splitlines also splits on form feeds etc., which a
    # spreadsheet would not), numbering every line so messages match the file.
    lines = [(i, line) for i, line in enumerate(re.split(r"\r\n|\r|\n", text), 1) if line.strip()]
    if not lines:
        raise DataError(f"{path}: the file is empty")
    rows = _cells(lines, path)
    header_row = None
    if any(_number(c) is None for c in rows[0][1]):
        header_row, header = rows.pop(0)
        if not rows:
            raise DataError(f"{path}: only a header row (row {header_row}), no data")
    width = len(header) if header_row else len(rows[0][1])
    if width < 2:
        raise DataError(f"{path}: row {rows[0][0]}, column 2: missing; a data set needs at "
                        f"least 2 columns (features, then a label) and this file has 1 "
                        f"(separate columns with commas)")
    data = np.empty((len(rows), width))
    for r, (number, cells) in enumerate(rows):
        if len(cells) != width:
            source = f"row {header_row or rows[0][0]}"
            column = min(len(cells), width) + 1
            raise DataError(f"{path}: row {number}, column {column}: the row has {len(cells)} "
                            f"cells but {source} has {width}")
        for c, cell in enumerate(cells):
            value = _number(cell)
            if value is None or not math.isfinite(value):
                what = ("is empty" if not cell else "is not finite" if value is not None
                        else "is not a number")
                raise DataError(f"{path}: row {number}, column {c + 1}: {cell[:40]!r} {what}")
            if abs(value) > MAX_CSV_VALUE:
                raise DataError(f"{path}: row {number}, column {c + 1}: {cell[:40]!r} is too "
                                f"large (beyond ±{MAX_CSV_VALUE:g}); rescale the column")
            data[r, c] = value
    if len(rows) < 2:
        raise DataError(f"{path}: needs at least 2 data rows (one to train, one to test); "
                        f"found 1 (row {rows[0][0]})")
    row_numbers = [number for number, _ in rows]
    task, y, n_classes = _labels_for_task(data[:, -1], row_numbers, task, path, width)
    X = data[:, :-1]
    low, high = X.min(axis=0), X.max(axis=0)
    domain = []
    for lo, hi in zip(low.tolist(), high.tolist()):
        margin = 0.1 * (hi - lo) or 1.0
        domain.append((lo - margin, hi + margin))
    rng = np.random.default_rng(int(seed))
    name = Path(path).stem
    return Dataset(name, task, *_split(rng, X, y, train_fraction), n_classes, tuple(domain))
