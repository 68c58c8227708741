"""How good the predictions are: confusion matrix, precision, recall and F1; R², RMSE and MAE.

Pure numpy functions, with scikit-learn's definitions (the tests compare them with
``sklearn.metrics`` on random data), and :class:`RunScorer`, which scores a network on one
run's training and test sets at once: what ``Trainer.metrics()`` and the cost history report.

>>> import numpy as np
>>> confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3)
array([[1, 0, 0],
       [0, 1, 1],
       [0, 0, 1]])
"""
from __future__ import annotations

import dataclasses

import numpy as np

from core import losses
from core.forward import FixedInputForward


def predicted_classes(outputs, task, threshold=0.5) -> np.ndarray:
    """The class each row of network ``outputs`` ``(n, k)`` predicts, ``(n,)`` ints.

    Multi-class: the largest output; binary: 1 where the single output is above ``threshold``
    (the loss's decision threshold: 0.5 for probabilities, 0 for the hinge losses).
    """
    outputs = np.asarray(outputs)
    if task == "multiclass":
        return outputs.argmax(axis=1)
    return (outputs[:, 0] > threshold).astype(np.int64)


def confusion_matrix(labels, predicted, n_classes) -> np.ndarray:
    """Counts ``C[i, j]`` of examples of class i predicted as class j, ``(k, k)`` int64.

    Rows are the true classes and columns the predicted ones, as in scikit-learn.
    ``labels`` and ``predicted`` are ``(n,)`` class indices in ``0 .. n_classes − 1``.
    """
    labels = np.asarray(labels, dtype=np.int64).ravel()
    predicted = np.asarray(predicted, dtype=np.int64).ravel()
    counts = np.bincount(labels * n_classes + predicted, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes)


def precision_recall_f1(confusion) -> tuple:
    """Per-class precision, recall and F1 from a confusion matrix: three ``(k,)`` arrays.

    ``precision = TP/(TP + FP)``, ``recall = TP/(TP + FN)``, ``F1 = 2·TP/(2·TP + FP + FN)``
    (the harmonic mean of the two); a ratio with nothing to count (0/0) is 0, as
    scikit-learn's ``zero_division=0`` gives.
    """
    confusion = np.asarray(confusion, dtype=float)
    tp = np.diag(confusion)
    predicted, actual = confusion.sum(axis=0), confusion.sum(axis=1)
    return (_ratio(tp, predicted), _ratio(tp, actual),
            _ratio(2.0 * tp, predicted + actual))


def _ratio(num, den) -> np.ndarray:
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den != 0)


def r2_score(y_true, y_pred) -> float:
    """Coefficient of determination ``1 − Σ(y − ŷ)²/Σ(y − ȳ)²``, averaged over output columns.

    A column whose targets are all equal scores 1 when predicted exactly and 0 otherwise (as
    scikit-learn's ``force_finite``). ``y_true``, ``y_pred``: ``(n,)`` or ``(n, k)``.
    """
    y_true, y_pred = _columns(y_true), _columns(y_pred)
    residual = ((y_true - y_pred) ** 2).sum(axis=0)
    total = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0)
    return float(np.mean(_r2(residual, total)))


def _r2(residual, total) -> np.ndarray:
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, 1.0 - residual / safe, np.where(residual == 0, 1.0, 0.0))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error ``√mean((y − ŷ)²)`` per column, averaged over the columns."""
    diff = _columns(y_true) - _columns(y_pred)
    return float(np.mean(np.sqrt((diff * diff).mean(axis=0))))


def mae(y_true, y_pred) -> float:
    """Mean absolute error ``mean|y − ŷ|`` over every value."""
    return float(np.abs(_columns(y_true) - _columns(y_pred)).mean())


def _columns(y) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    return y[:, None] if y.ndim == 1 else y


@dataclasses.dataclass(frozen=True)
class ClassificationReport:
    """Confusion matrix and per-class scores of one set of predictions (plain tuples).

    Attributes
    ----------
    confusion : tuple of k tuples of k ints
        ``confusion[i][j]``: examples of class i predicted as class j.
    precision, recall, f1 : tuple of k floats
        Per class (see :func:`precision_recall_f1`).
    support : tuple of k ints
        Examples of each class.
    """

    confusion: tuple
    precision: tuple
    recall: tuple
    f1: tuple
    support: tuple

    @classmethod
    def from_confusion(cls, confusion) -> "ClassificationReport":
        confusion = np.asarray(confusion, dtype=np.int64)
        precision, recall, f1 = precision_recall_f1(confusion)
        return cls(tuple(map(tuple, confusion.tolist())), tuple(precision.tolist()),
                   tuple(recall.tolist()), tuple(f1.tolist()),
                   tuple(confusion.sum(axis=1).tolist()))

    @classmethod
    def from_labels(cls, labels, predicted, n_classes) -> "ClassificationReport":
        return cls.from_confusion(confusion_matrix(labels, predicted, n_classes))

    @property
    def matrix(self) -> np.ndarray:
        """The confusion matrix as a ``(k, k)`` array."""
        return np.array(self.confusion, dtype=np.int64)

    @property
    def accuracy(self) -> float:
        return sum(row[i] for i, row in enumerate(self.confusion)) / sum(self.support)

    @property
    def macro_f1(self) -> float:
        """The unweighted mean of the per-class F1 scores."""
        return sum(self.f1) / len(self.f1)


class RunScorer:
    """Costs and metrics of a network on a run's training and test sets.

    Built once per run (the targets and labels do not change); :meth:`score` then costs one
    forward pass over both sets, stacked (:class:`core.forward.FixedInputForward`). Every value
    is what the functions above (and the loss's ``cost``) give on the network's predictions;
    the predictions are those of :meth:`Network.predict` to within a few units in the last
    place (the hidden tanh is computed from exp: see :mod:`core.forward`).

    Parameters
    ----------
    arrays : core.run.RunArrays
    data : core.datasets.Dataset
        The labels (class indices) and regression targets.
    """

    def __init__(self, arrays, data):
        self.loss, self.task, self.k = arrays.loss, data.task, max(data.n_classes, 1)
        self.threshold = arrays.threshold
        # Loss.cost is float(np.mean(per_example)); summing and dividing here is the same
        # float without np.mean's overhead. A loss with its own cost (RMSE) is asked for it.
        self._cost_is_mean = type(arrays.loss).cost is losses.Loss.cost
        self.n = len(arrays.inputs_train), len(arrays.inputs_test)
        self._forward = FixedInputForward(np.vstack([arrays.inputs_train, arrays.inputs_test]))
        self._targets = np.vstack([arrays.targets_train, arrays.targets_test])
        self._parts = (slice(0, self.n[0]), slice(self.n[0], None))
        if data.task == "regression":
            self._y = np.vstack([data.y_train, data.y_test]).astype(float)
            self._totals = [((y - y.mean(axis=0)) ** 2).sum(axis=0)
                            for y in (self._y[self._parts[0]], self._y[self._parts[1]])]
        else:
            # Class index times k, plus k² for the test set: adding the predicted class gives
            # each example's place in the two flattened matrices, counted by one bincount.
            k = self.k
            self._offsets = np.concatenate([data.y_train[:, 0] * k,
                                            k * k + data.y_test[:, 0] * k]).astype(np.int64)

    def score(self, network, l1=0.0, l2=0.0, reports=True) -> dict:
        """``train_`` and ``test_`` values of ``loss``, ``cost``, ``accuracy``, ``macro_f1``,
        ``r2``, ``rmse``, ``mae`` and (when ``reports``) ``report``, plus ``reg_term``.

        ``cost = loss + reg_term``; values the task does not have are None (accuracy, F1 and
        the report for regression; R², RMSE and MAE for classification).
        """
        reg = network.regularization(l1, l2)
        out = {"reg_term": reg}
        outputs = self._forward.outputs(network)
        if self._cost_is_mean:
            per_example = self.loss.per_example(self._targets, outputs)
        if self.task != "regression":
            confusions = self._confusions(outputs)
        for i, (prefix, part, n) in enumerate(zip(("train_", "test_"), self._parts, self.n)):
            if self._cost_is_mean:
                loss = float(per_example[part].sum() / n)
            else:
                loss = self.loss.cost(self._targets[part], outputs[part])
            out[prefix + "loss"], out[prefix + "cost"] = loss, loss + reg
            if self.task == "regression":
                values = self._regression(self._y[part], outputs[part], self._totals[i], n)
                accuracy = f1 = report = None
            else:
                values = (None, None, None)
                confusion = confusions[i]
                # Correct answers / n: the same float as the mean of (predicted == label).
                accuracy = sum(row[j] for j, row in enumerate(confusion)) / n
                f1 = _macro_f1(confusion)
                report = ClassificationReport.from_confusion(confusion) if reports else None
            out[prefix + "accuracy"], out[prefix + "macro_f1"] = accuracy, f1
            out[prefix + "r2"], out[prefix + "rmse"], out[prefix + "mae"] = values
            if reports:
                out[prefix + "report"] = report
        return out

    def _confusions(self, outputs) -> list:
        """The two confusion matrices (train, test), each as k lists of k ints."""
        k = self.k
        # predicted_classes without its int copy: adding the booleans counts them as 0 and 1.
        predicted = (outputs.argmax(axis=1) if self.task == "multiclass"
                     else outputs[:, 0] > self.threshold)
        counts = np.bincount(self._offsets + predicted, minlength=2 * k * k)
        return counts.reshape(2, k, k).tolist()

    @staticmethod
    def _regression(y, outputs, total, n) -> tuple:
        diff = y - outputs
        squares = (diff * diff).sum(axis=0)
        r2 = float(np.mean(_r2(squares, total)))
        rmse_ = float(np.mean(np.sqrt(squares / n)))
        return r2, rmse_, float(np.abs(diff).mean())


def _macro_f1(rows) -> float:
    """Mean over classes of 2·TP/(2·TP + FP + FN) (0 for a class never seen or predicted);
    ``rows`` is the confusion matrix as lists."""
    predicted = [sum(column) for column in zip(*rows)]
    total = 0.0
    for i, row in enumerate(rows):
        den = predicted[i] + sum(row)
        total += 2.0 * row[i] / den if den else 0.0
    return total / len(rows)

