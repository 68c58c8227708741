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
from core.network import weight_penalty


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
    forward pass over both sets, stacked (:class:`core.forward.FixedInputForward`), and
    :meth:`score_stack` one pass for the weights of several steps at once. Every value is what
    the functions above (and the loss's ``cost``) give on the network's predictions; the
    predictions are those of :meth:`Network.predict` to within a few units in the last place
    (the hidden tanh is computed from exp: see :mod:`core.forward`). Scoring a stack gives
    each row exactly the floats scoring its weights alone gives.

    Parameters
    ----------
    arrays : core.run.RunArrays
    data : core.datasets.Dataset
        The labels (class indices) and regression targets.
    """

    def __init__(self, arrays, data):
        self.loss, self.task, self.k = arrays.loss, data.task, max(data.n_classes, 1)
        self.threshold = arrays.threshold
        self.n = len(arrays.inputs_train), len(arrays.inputs_test)
        self._forward = FixedInputForward(np.vstack([arrays.inputs_train, arrays.inputs_test]))
        self._targets = np.vstack([arrays.targets_train, arrays.targets_test])
        self._parts = (slice(0, self.n[0]), slice(self.n[0], None))
        self._labels = None
        if self.loss.sparse:  # the output each example's label picks
            self._labels = self._targets.reshape(-1).astype(np.intp)
        # Binary cross-entropy of labels 0 and 1 keeps one of its two logs per example:
        # −(y·ln p + (1 − y)·ln(1 − p)) is exactly −ln p where y = 1 and −ln(1 − p) where y = 0
        # (the other term is −0.0), so one log of the picked one gives the very same floats.
        self._positive = None
        if (isinstance(self.loss, losses.BinaryCrossentropy) and self._targets.shape[1] == 1
                and np.all((self._targets == 0) | (self._targets == 1))):
            self._positive = self._targets[:, 0] == 1
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
        return self.row(self.score_stack(network, network.params[None], l1, l2), 0, reports)

    def row(self, stack, i=0, reports=True) -> dict:
        """What :meth:`score` gives for the weights of row ``i`` of a :meth:`score_stack`
        result ``stack`` (the very floats: a stack gives each row those of its weights
        alone)."""
        confusions = stack.get("confusion")
        out = dict.fromkeys(SCORE_FIELDS)
        out.update((key, float(value[i])) for key, value in stack.items() if key != "confusion")
        if reports:
            for j, prefix in enumerate(("train_", "test_")):
                out[prefix + "report"] = (None if confusions is None else
                                          ClassificationReport.from_confusion(confusions[i, j]))
        return out

    def score_stack(self, network, params, l1=0.0, l2=0.0) -> dict:
        """The values of :meth:`score` (no reports) for ``network``'s architecture holding each
        row of ``params`` ``(K, n_params)``: a dict of ``(K,)`` float arrays, keyed by those of
        :data:`SCORE_FIELDS` the task has, and for classification ``confusion``
        ``(K, 2, k, k)`` ints (the train and test confusion matrices)."""
        params = np.asarray(params, dtype=float)
        outputs = self._forward.outputs_stack(network, params)
        out = {"reg_term": self._regularization(network, params, l1, l2)}
        per_example = self._per_example(outputs)
        if per_example is not None:  # rows in order: each row's sum is the one of its own
            per_example = np.ascontiguousarray(per_example)
        for i, (prefix, part, n) in enumerate(zip(("train_", "test_"), self._parts, self.n)):
            if per_example is not None:
                loss = per_example[:, part].sum(axis=1) / n
            else:  # a loss with its own cost (RMSE): asked for it
                loss = np.array([self.loss.cost(self._targets[part], o[part]) for o in outputs])
            out[prefix + "loss"], out[prefix + "cost"] = loss, loss + out["reg_term"]
        if self.task == "regression":
            for i, (prefix, part, n) in enumerate(zip(("train_", "test_"), self._parts, self.n)):
                values = self._regression(self._y[part], outputs[:, part], self._totals[i], n)
                for key, value in zip(("r2", "rmse", "mae"), values):
                    out[prefix + key] = value
            return out
        confusion = out["confusion"] = self._confusions(outputs)
        tp = np.diagonal(confusion, axis1=2, axis2=3)  # (K, 2, k)
        predicted, actual = confusion.sum(axis=2), confusion.sum(axis=3)
        den = predicted + actual
        f1 = np.divide(2.0 * tp, den, out=np.zeros(den.shape), where=den != 0)
        for i, (prefix, n) in enumerate(zip(("train_", "test_"), self.n)):
            # Correct answers / n: the same float as the mean of (predicted == label).
            out[prefix + "accuracy"] = tp[:, i].sum(axis=1) / n
            total = f1[:, i, 0].copy()  # class by class, in order: the floats of a plain sum
            for c in range(1, self.k):
                total += f1[:, i, c]
            out[prefix + "macro_f1"] = total / self.k
        return out

    @staticmethod
    def _regularization(network, params, l1, l2) -> np.ndarray:
        """``Network.regularization`` of each row of ``params`` (its very floats)."""
        if not (l1 or l2):
            return np.zeros(len(params))
        # Contiguous rows, as Network.regularization's own copy: a strided dot sums in
        # another order.
        weights = np.ascontiguousarray(params[:, network.layout.weight_mask])
        return np.array([weight_penalty(w, l1, l2) for w in weights])

    def _per_example(self, outputs):
        """Each example's loss ``(K, n)`` for outputs ``(K, n, k)``; None for a loss whose
        cost is not their mean (RMSE)."""
        loss = self.loss
        if type(loss).cost is not losses.Loss.cost:
            return None
        if self._positive is not None:
            p = np.clip(outputs[:, :, 0], losses.EPSILON, 1.0 - losses.EPSILON)
            picked = np.where(self._positive, p, 1.0 - p)
            return np.negative(np.log(picked, out=picked), out=picked)
        if type(loss).per_example is losses.Loss.per_example:
            values = loss._values(self._targets, outputs)  # the targets broadcast over K
            return values.mean(axis=2) if loss.reduce == "mean" else values.sum(axis=2)
        if loss.sparse:
            picked = outputs[:, np.arange(outputs.shape[1]), self._labels]
            return -np.log(np.clip(picked, losses.EPSILON, 1.0 - losses.EPSILON))
        return np.stack([loss.per_example(self._targets, o) for o in outputs])

    def _confusions(self, outputs) -> np.ndarray:
        """The train and test confusion matrices of each row of ``outputs``: ``(K, 2, k, k)``."""
        k, K = self.k, len(outputs)
        # predicted_classes without its int copy: adding the booleans counts them as 0 and 1.
        predicted = (outputs.argmax(axis=2) if self.task == "multiclass"
                     else outputs[:, :, 0] > self.threshold)
        places = self._offsets + predicted + (2 * k * k) * np.arange(K)[:, None]
        counts = np.bincount(places.ravel(), minlength=K * 2 * k * k)
        return counts.reshape(K, 2, k, k)

    @staticmethod
    def _regression(y, outputs, total, n) -> tuple:
        """R², RMSE and MAE ``(K,)`` of outputs ``(K, n, k)`` against ``y`` ``(n, k)``."""
        diff = y - outputs
        squares = (diff * diff).sum(axis=1)  # (K, k)
        r2 = _r2(squares, total).mean(axis=1)
        rmse_ = np.sqrt(squares / n).mean(axis=1)
        return r2, rmse_, np.abs(diff).mean(axis=(1, 2))


#: The values :meth:`RunScorer.score` gives (None where the task has no such value).
SCORE_FIELDS = ("reg_term",) + tuple(
    prefix + key for prefix in ("train_", "test_")
    for key in ("loss", "cost", "accuracy", "macro_f1", "r2", "rmse", "mae"))


