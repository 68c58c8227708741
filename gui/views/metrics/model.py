"""What the metrics view shows, as numbers, words and colours: no Qt, tested without a display.

:class:`MetricsModel` reads a snapshot's metrics (``Trainer.metrics()``: a
:class:`core.metrics.ClassificationReport` per set, or R², RMSE and MAE) and gives the cells of
the two confusion matrices (train and test), the per-class table, the one-line summary, and for
regression the table of scores and the points of the parity plot (prediction against target).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from gui import style
from gui.numbers import format_number

PARTS = ("train", "test")
#: Cell colours at full strength: right answers (the diagonal) and mistakes.
RIGHT = "#2e7d32"
WRONG = "#c0392b"
#: Share of a true class at which a cell reaches full strength (mistakes are rarely larger).
FULL = 1.0

#: The per-class table's columns and what each means (tooltips).
CLASS_COLUMNS = (
    ("class", "The true class (its colour as in the decision boundary)."),
    ("precision", "Precision = TP / (TP + FP): of the examples predicted as this class, the "
                  "share that really are (train / test)."),
    ("recall", "Recall = TP / (TP + FN): of the examples of this class, the share predicted "
               "as it (train / test)."),
    ("F1", "F1 = 2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall "
           "(train / test)."),
    ("support", "Examples of this class in the training / test set."),
)
#: The regression scores: key, name, what it means (tooltips).
REGRESSION_ROWS = (
    ("r2", "R²", "Coefficient of determination 1 − Σ(y − ŷ)² / Σ(y − ȳ)²: 1 is a perfect fit, "
                 "0 is no better than always predicting the mean ȳ, below 0 is worse."),
    ("rmse", "RMSE", "Root mean squared error √(mean (y − ŷ)²), in the units of y."),
    ("mae", "MAE", "Mean absolute error mean |y − ŷ|, in the units of y: less moved by a few "
                   "large errors than RMSE."),
)


@dataclasses.dataclass(frozen=True)
class Cell:
    """One cell of a confusion matrix: ``count`` examples of true class ``row`` predicted as
    ``column``; ``share`` of the true class; the text and colours to paint it with."""

    row: int
    column: int
    count: int
    share: float
    text: str
    colour: str
    text_colour: str


def _mix(colour, strength) -> str:
    """``colour`` faded into the background: ``strength`` 0 gives the background (white in
    the light theme), 1 the colour itself."""
    rgb = style.lighten(colour, 1.0 - min(max(strength, 0.0), 1.0))
    return "#" + "".join(f"{int(round(v)):02x}" for v in rgb)


def fmt_score(value) -> str:
    return format_number(value, 3, fixed=True, true_minus=True)


def class_label(k) -> str:
    return f"class {k}"


class MetricsModel:
    """The metrics view's state. Feed it snapshots with :meth:`update`.

    Attributes
    ----------
    metrics : dict or None
        The newest snapshot's ``metrics``.
    task : str or None
    n_classes : int
    shares : bool
        Cells show the share of the true class (else the count first).
    """

    def __init__(self):
        self.metrics = None
        self.task = None
        self.n_classes = 0
        self.shares = False
        self.run = None
        self._parity = None

    def update(self, snap) -> set:
        """Take ``snap``; returns which of ``{"task", "classes", "run"}`` changed."""
        changed = set()
        self.metrics = snap.metrics
        if snap.task != self.task:
            self.task = snap.task
            changed.add("task")
        if snap.data.n_classes != self.n_classes:
            self.n_classes = snap.data.n_classes
            changed.add("classes")
        if snap.run != self.run:
            self.run = snap.run
            changed.add("run")
        self._parity = _parity_points(snap) if snap.task == "regression" else None
        return changed

    @property
    def classification(self) -> bool:
        return self.task is not None and self.task != "regression"

    # ------------------------------------------------------------------ classification
    def report(self, part):
        """The :class:`~core.metrics.ClassificationReport` of ``part`` ("train" or "test"), or
        None (regression, or no snapshot yet)."""
        if self.metrics is None or not self.classification:
            return None
        return self.metrics.get(f"{part}_report")

    def cells(self, part) -> list:
        """The cells of ``part``'s confusion matrix, row by row (empty without a report)."""
        report = self.report(part)
        if report is None:
            return []
        out = []
        for i, row in enumerate(report.confusion):
            total = sum(row)
            for j, count in enumerate(row):
                share = count / total if total else 0.0
                strength = share / FULL
                colour = _mix(RIGHT if i == j else WRONG, strength * (0.85 if i == j else 1.0))
                # On a strong cell white; on a faint one the theme's ink (the cell is near
                # the background: white in the light theme, near black in the dark one).
                text_colour = "#ffffff" if strength > 0.55 else style.INK
                percent = f"{100 * share:.0f}%" if total else "–"
                text = f"{percent}\n{count}" if self.shares else f"{count}\n{percent}"
                out.append(Cell(i, j, count, share, text, colour, text_colour))
        return out

    def part_title(self, part) -> str:
        report = self.report(part)
        n = sum(report.support) if report is not None else 0
        what = "training set" if part == "train" else "test set"
        return f"{what} ({n:,} examples)"

    def class_rows(self) -> list:
        """Rows of the per-class table: ``(class, precision, recall, F1, support)`` as text,
        each score "train / test"; a last row of their unweighted means ("macro average")."""
        train, test = self.report("train"), self.report("test")
        if train is None or test is None:
            return []

        def pair(a, b):
            return f"{fmt_score(a)} / {fmt_score(b)}"

        rows = [(class_label(k), pair(train.precision[k], test.precision[k]),
                 pair(train.recall[k], test.recall[k]), pair(train.f1[k], test.f1[k]),
                 f"{train.support[k]} / {test.support[k]}")
                for k in range(len(train.support))]

        def mean(values):
            return sum(values) / len(values)

        rows.append(("macro average", pair(mean(train.precision), mean(test.precision)),
                     pair(mean(train.recall), mean(test.recall)),
                     pair(train.macro_f1, test.macro_f1),
                     f"{sum(train.support)} / {sum(test.support)}"))
        return rows

    def summary_html(self) -> str:
        """One line of the headline scores (rich text)."""
        m = self.metrics
        if m is None:
            return ""
        if self.classification:
            return (f"accuracy: train <b>{100 * m['train_accuracy']:.1f}%</b>, test "
                    f"<b>{100 * m['test_accuracy']:.1f}%</b>")
        return (f"R²: train <b>{fmt_score(m['train_r2'])}</b>, test "
                f"<b>{fmt_score(m['test_r2'])}</b>")

    # ------------------------------------------------------------------ regression
    def regression_rows(self) -> list:
        """``(name, train, test, tooltip)`` of R², RMSE and MAE (empty for classification)."""
        m = self.metrics
        if m is None or self.classification:
            return []
        return [(name, fmt_score(m[f"train_{key}"]), fmt_score(m[f"test_{key}"]), tip)
                for key, name, tip in REGRESSION_ROWS]

    def parity(self) -> dict:
        """``{"train": (y, ŷ), "test": (y, ŷ)}``: targets and predictions, flattened (regression
        only; empty otherwise)."""
        return self._parity or {}

    def parity_range(self):
        """``(low, high)`` spanning every target and prediction, rounded outwards to half a
        power of ten of the span (so the axes move rarely), or None."""
        points = self.parity()
        values = [v for pair in points.values() for v in pair]
        if not values:
            return None
        values = np.concatenate(values)
        values = values[np.isfinite(values)]
        if not values.size:
            return None
        low, high = float(values.min()), float(values.max())
        step = 10.0 ** math.floor(math.log10(high - low)) / 2.0 if high > low else 0.5
        low_end, high_end = math.floor(low / step) * step, math.ceil(high / step) * step
        return low_end, max(high_end, low_end + step)


def _parity_points(snap) -> dict:
    arrays, data = snap.arrays, snap.data
    network = snap.network()
    out = {}
    with np.errstate(all="ignore"):
        for part, inputs, targets in (("train", arrays.inputs_train, data.y_train),
                                      ("test", arrays.inputs_test, data.y_test)):
            target, predicted = np.asarray(targets, dtype=float).ravel(), network.predict(
                inputs).ravel()
            finite = np.isfinite(predicted)  # weights restored after a divergence may overflow
            out[part] = (target[finite], predicted[finite])
    return out
