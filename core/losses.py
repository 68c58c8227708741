"""Loss functions with their gradients, in Keras's conventions.

Arrays are ``(n, k)``: n examples, k output columns, ``y_true`` first (Keras order). Each loss
gives the loss of every example (``per_example``, shape ``(n,)``), the cost (their mean) and
the gradient of the cost with respect to the predictions (shaped like them, including the 1/n
of the mean)::

    >>> from core import losses
    >>> mse = losses.get("mse")
    >>> mse.cost([[1.0], [2.0]], [[1.0], [4.0]])
    2.0
    >>> mse.gradient([[1.0], [2.0]], [[1.0], [4.0]]).ravel()
    array([0., 2.])

Like Keras, logs see predictions clipped to ``[EPSILON, 1 − EPSILON]`` (EPSILON = 1e-7), so
costs and gradients stay finite for predictions of exactly 0 or 1; where a clip is active the
gradient is 0, as the gradient of a clip is.
"""
from __future__ import annotations

import numpy as np

from core.activations import UnknownNameError

#: Keras's ``backend.epsilon()``.
EPSILON = 1e-7
TASKS = ("regression", "binary", "multiclass")
_ALL_TASKS = frozenset(TASKS)


def as_2d(y):
    """float64 array, a (n,) vector taken as one column (n, 1)."""
    y = np.asarray(y, dtype=np.float64)
    return y[:, None] if y.ndim == 1 else y


class Loss:
    """Base class for a loss that averages (or sums) an elementwise term over output columns.

    Subclasses define the elementwise term ``_values(y_true, y_pred)`` and its derivative with
    respect to ``y_pred``, ``_derivs``; ``reduce`` says whether columns are averaged
    (``"mean"``, Keras's ``mean(..., axis=-1)``) or summed (``"sum"``, the cross-entropies).

    Attributes
    ----------
    name, display_name, formula : str
    tasks : frozenset of str
        Tasks ("regression", "binary", "multiclass") the loss fits.
    output_activation : str or None
        The activation it pairs with; None means "follows the task" (regression -> linear,
        binary -> sigmoid, multiclass -> softmax).
    threshold : float
        Decision threshold on a single output column for binary accuracy.
    sparse : bool
        True when ``y_true`` holds integer class labels (n,) or (n, 1) instead of one column
        per output.
    bounded_below : bool
        False for a loss with no minimum (``me``): training can lower it forever.
    """

    name = ""
    display_name = ""
    formula = ""
    tasks = _ALL_TASKS
    output_activation = None
    threshold = 0.5
    sparse = False
    bounded_below = True
    reduce = "mean"

    def _pair(self, y_true, y_pred):
        y_true, y_pred = as_2d(y_true), as_2d(y_pred)
        if y_true.shape != y_pred.shape:
            raise ValueError(f"{self.name}: y_true {y_true.shape} and y_pred {y_pred.shape} differ in "
                             "shape (one-hot encode class labels with losses.targets_for)")
        return y_true, y_pred

    def per_example(self, y_true, y_pred):
        """Loss of each example.

        Parameters
        ----------
        y_true : (n, k) array
            Targets ((n,) is read as one column).
        y_pred : (n, k) array
            Predictions.

        Returns
        -------
        (n,) array
        """
        y_true, y_pred = self._pair(y_true, y_pred)
        values = self._values(y_true, y_pred)
        return values.mean(axis=1) if self.reduce == "mean" else values.sum(axis=1)

    def cost(self, y_true, y_pred) -> float:
        """Mean of :meth:`per_example` over the n examples (a Python float)."""
        return float(np.mean(self.per_example(y_true, y_pred)))

    def gradient(self, y_true, y_pred):
        """Gradient of :meth:`cost` with respect to ``y_pred``.

        Parameters
        ----------
        y_true, y_pred : (n, k) arrays

        Returns
        -------
        array shaped like ``y_pred``: the elementwise derivative divided by n (the mean over
        examples), and also by k when the loss averages over columns.
        """
        shape = np.shape(y_pred)
        y_true, y_pred = self._pair(y_true, y_pred)
        count = y_pred.size if self.reduce == "mean" else y_pred.shape[0]
        return (self._derivs(y_true, y_pred) / count).reshape(shape)

    def __repr__(self):
        return f"<loss {self.name}: {self.formula}>"


class MeanError(Loss):
    """Signed mean error, L = mean_k(y − ŷ); ∂L/∂ŷ = −1/k.

    Not a usable cost: it is unbounded below (raising every prediction lowers it forever) and
    positive and negative errors cancel. It is here to show why costs square or take absolute
    values. Regression only: on probabilities it is bounded (ŷ ≤ 1), and with softmax every
    row's errors cancel to exactly 0. Shapes: y_true, y_pred (n, k) -> per_example (n,).
    """

    name, display_name, formula = "me", "Mean error (signed)", "mean(y − ŷ)"
    tasks = frozenset({"regression"})
    bounded_below = False

    def _values(self, y, p):
        return y - p

    def _derivs(self, y, p):
        return -np.ones_like(p)


class MSE(Loss):
    """Mean squared error, L = mean_k((y − ŷ)²); ∂L/∂ŷ = 2(ŷ − y)/k.

    Shapes: y_true, y_pred (n, k) -> per_example (n,).
    """

    name, display_name, formula = "mse", "Mean squared error", "mean((y − ŷ)²)"

    def _values(self, y, p):
        return (y - p) ** 2

    def _derivs(self, y, p):
        return 2.0 * (p - y)


class MAE(Loss):
    """Mean absolute error, L = mean_k(|y − ŷ|); ∂L/∂ŷ = sign(ŷ − y)/k (0 at ŷ = y).

    Shapes: y_true, y_pred (n, k) -> per_example (n,).
    """

    name, display_name, formula = "mae", "Mean absolute error", "mean(|y − ŷ|)"

    def _values(self, y, p):
        return np.abs(y - p)

    def _derivs(self, y, p):
        return np.sign(p - y)


class RMSE(MSE):
    """Root mean squared error, cost = √(MSE cost) (Keras's RootMeanSquaredError).

    The root is taken of the whole cost, so cost is *not* the mean of ``per_example``, which
    is each example's own root mean square error √(mean_k (y − ŷ)²).
    ∂cost/∂ŷ = ∂MSE/∂ŷ / (2·cost), taken as 0 when the cost is 0 (the subgradient at the kink).
    Shapes: y_true, y_pred (n, k) -> per_example (n,); gradient (n, k).
    """

    name, display_name, formula = "rmse", "Root mean squared error", "√(mean((y − ŷ)²))"

    def per_example(self, y_true, y_pred):
        return np.sqrt(super().per_example(y_true, y_pred))

    def cost(self, y_true, y_pred) -> float:
        return float(np.sqrt(np.mean(super().per_example(y_true, y_pred))))

    def gradient(self, y_true, y_pred):
        root = self.cost(y_true, y_pred)
        grad = super().gradient(y_true, y_pred)
        return grad / (2.0 * root) if root > 0 else np.zeros_like(grad)


class MSLE(Loss):
    """Mean squared logarithmic error, L = mean_k((ln(1 + ŷ) − ln(1 + y))²).

    As in Keras both ŷ and y are first clipped below at EPSILON (so ŷ ≤ 0 is read as ~0 and
    its gradient is 0). ∂L/∂ŷ = 2(ln(1 + ŷ) − ln(1 + y)) / ((1 + ŷ)·k) where ŷ ≥ EPSILON.
    Shapes: y_true, y_pred (n, k) -> per_example (n,).
    """

    name, display_name = "msle", "Mean squared log error"
    formula = "mean((ln(1 + ŷ) − ln(1 + y))²)"
    tasks = frozenset({"regression"})

    def _diff(self, y, p):
        return np.log1p(np.maximum(p, EPSILON)) - np.log1p(np.maximum(y, EPSILON))

    def _values(self, y, p):
        return self._diff(y, p) ** 2

    def _derivs(self, y, p):
        return np.where(p >= EPSILON, 2.0 * self._diff(y, p) / (1.0 + np.maximum(p, EPSILON)), 0.0)


class Huber(Loss):
    """Huber loss with δ = 1 (Keras), e = ŷ − y:

    L = mean_k(½e² if |e| ≤ δ else δ·|e| − ½δ²);  ∂L/∂ŷ = clip(e, −δ, δ)/k.
    Quadratic near the target, linear (like MAE) far from it, so outliers pull less than in MSE.
    Shapes: y_true, y_pred (n, k) -> per_example (n,).
    """

    name, display_name = "huber", "Huber"
    formula = "½e² if |e| ≤ 1 else |e| − ½,  e = ŷ − y"
    delta = 1.0

    def _values(self, y, p):
        e = np.abs(p - y)
        return np.where(e <= self.delta, 0.5 * e * e, self.delta * e - 0.5 * self.delta**2)

    def _derivs(self, y, p):
        return np.clip(p - y, -self.delta, self.delta)


class LogCosh(Loss):
    """Log-cosh, L = mean_k(ln cosh(x)), x = ŷ − y;  ∂L/∂ŷ = tanh(x)/k.

    Evaluated as |x| + ln(1 + e^(−2|x|)) − ln 2, which cannot overflow (cosh(x) overflows for
    |x| > 710). Shapes: y_true, y_pred (n, k) -> per_example (n,).
    """

    name, display_name, formula = "log_cosh", "Log-cosh", "mean(ln cosh(ŷ − y))"

    def _values(self, y, p):
        x = np.abs(p - y)
        return x + np.log1p(np.exp(-2.0 * x)) - np.log(2.0)

    def _derivs(self, y, p):
        return np.tanh(p - y)


class BinaryCrossentropy(Loss):
    """Binary cross-entropy on probabilities, p = clip(ŷ, ε, 1 − ε), ε = 1e-7:

    L = mean_k(−(y·ln p + (1 − y)·ln(1 − p)));  ∂L/∂ŷ = (−y/p + (1 − y)/(1 − p))/k where the clip
    is inactive, else 0. Averages over columns like Keras's ``binary_crossentropy``.
    Shapes: y_true, y_pred (n, k) with y_true in [0, 1] -> per_example (n,).
    """

    name, display_name = "bce", "Binary cross-entropy"
    formula = "−mean(y·ln ŷ + (1 − y)·ln(1 − ŷ))"
    tasks = frozenset({"binary"})
    output_activation = "sigmoid"

    def _values(self, y, p):
        p = np.clip(p, EPSILON, 1.0 - EPSILON)
        return -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))

    def _derivs(self, y, p):
        inside = (p >= EPSILON) & (p <= 1.0 - EPSILON)
        p = np.clip(p, EPSILON, 1.0 - EPSILON)
        return np.where(inside, -y / p + (1.0 - y) / (1.0 - p), 0.0)


class CategoricalCrossentropy(Loss):
    """Categorical cross-entropy with one-hot targets, p = clip(ŷ, ε, 1 − ε), ε = 1e-7:

    L = −Σ_k y_k·ln p_k (summed over classes);  ∂L/∂ŷ_k = −y_k/p_k where the clip is inactive,
    else 0. Unlike Keras, rows of ŷ are not renormalized to sum to 1 (softmax outputs already
    do, and then the two agree). Shapes: y_true one-hot (n, k), y_pred (n, k) -> per_example (n,).
    """

    name, display_name, formula = "cce", "Categorical cross-entropy", "−Σ y·ln ŷ"
    tasks = frozenset({"multiclass"})
    output_activation = "softmax"
    reduce = "sum"

    def _values(self, y, p):
        return -y * np.log(np.clip(p, EPSILON, 1.0 - EPSILON))

    def _derivs(self, y, p):
        inside = (p >= EPSILON) & (p <= 1.0 - EPSILON)
        return np.where(inside, -y / np.clip(p, EPSILON, 1.0 - EPSILON), 0.0)


class SparseCategoricalCrossentropy(Loss):
    """Categorical cross-entropy with integer class labels c ∈ {0, …, k−1}:

    L = −ln p_c, p = clip(ŷ, ε, 1 − ε);  ∂L/∂ŷ_c = −1/p_c (0 for the other classes, and 0
    where the clip is active). Equal to ``cce`` with one-hot targets.
    Shapes: y_true labels (n,) or (n, 1) (floats holding integers are fine), y_pred (n, k)
    -> per_example (n,); gradient (n, k).
    """

    name, display_name, formula = "sparse_cce", "Sparse categorical cross-entropy", "−ln ŷ_c"
    tasks = frozenset({"multiclass"})
    output_activation = "softmax"
    sparse = True

    @staticmethod
    def class_labels(y_true, n, k) -> np.ndarray:
        """``y_true`` as n class indices (intp) in 0..k−1; ValueError for anything else."""
        labels = np.asarray(y_true, dtype=np.float64).reshape(-1)
        if labels.size != n or not np.all((labels == np.round(labels)) & (labels >= 0) & (labels < k)):
            raise ValueError(f"sparse_cce needs {n} integer class labels in 0..{k - 1}, shaped (n,) "
                             f"or (n, 1); got shape {np.shape(y_true)}")
        return labels.astype(np.intp)

    def _picked(self, y_true, y_pred):
        y_pred = as_2d(y_pred)
        n, k = y_pred.shape
        rows, labels = np.arange(n), self.class_labels(y_true, n, k)
        return y_pred, rows, labels, y_pred[rows, labels]

    def per_example(self, y_true, y_pred):
        *_, p = self._picked(y_true, y_pred)
        return -np.log(np.clip(p, EPSILON, 1.0 - EPSILON))

    def gradient(self, y_true, y_pred):
        y_pred2, rows, labels, p = self._picked(y_true, y_pred)
        grad = np.zeros_like(y_pred2)
        inside = (p >= EPSILON) & (p <= 1.0 - EPSILON)
        grad[rows, labels] = np.where(inside, -1.0 / np.clip(p, EPSILON, 1.0 - EPSILON), 0.0) / len(rows)
        return grad.reshape(np.shape(y_pred))


def _hinge_labels(y):
    """Keras's rule: labels that are all 0 or 1 become −1/+1; anything else is kept as it is."""
    return 2.0 * y - 1.0 if np.all((y == 0) | (y == 1)) else y


class Hinge(Loss):
    """Hinge loss on raw scores, L = mean_k(max(1 − t·ŷ, 0)), t = ±1;  ∂L/∂ŷ = −t/k where 1 − t·ŷ > 0.

    Labels in {0, 1} are mapped to t = 2y − 1 (Keras); labels already in {−1, 1} are kept.
    Decisions threshold the score at 0. Shapes: y_true, y_pred (n, k) -> per_example (n,).
    """

    name, display_name, formula = "hinge", "Hinge", "mean(max(1 − t·ŷ, 0)),  t = ±1"
    tasks = frozenset({"binary"})
    output_activation = "linear"
    threshold = 0.0

    def _values(self, y, p):
        return np.maximum(1.0 - _hinge_labels(y) * p, 0.0)

    def _derivs(self, y, p):
        t = _hinge_labels(y)
        return np.where(1.0 - t * p > 0, -t, 0.0)


class SquaredHinge(Hinge):
    """Squared hinge, L = mean_k(max(1 − t·ŷ, 0)²), t = ±1;  ∂L/∂ŷ = −2t·max(1 − t·ŷ, 0)/k.

    Labels mapped as in :class:`Hinge`. Shapes: y_true, y_pred (n, k) -> per_example (n,).
    """

    name, display_name, formula = "squared_hinge", "Squared hinge", "mean(max(1 − t·ŷ, 0)²),  t = ±1"

    def _values(self, y, p):
        return super()._values(y, p) ** 2

    def _derivs(self, y, p):
        t = _hinge_labels(y)
        return -2.0 * t * np.maximum(1.0 - t * p, 0.0)


class KLDivergence(Loss):
    """Kullback-Leibler divergence, L = Σ_k y_k·ln(y_k/ŷ_k) with y and ŷ clipped to [ε, 1] (Keras).

    ∂L/∂ŷ_k = −y_k/ŷ_k where ŷ_k is inside [ε, 1], else 0 (y_k here is the clipped target, so
    one-hot zeros still contribute ε·ln(ε/ŷ_k), as in Keras).
    Shapes: y_true (n, k) probability rows, y_pred (n, k) -> per_example (n,).
    """

    name, display_name, formula = "kl_div", "KL divergence", "Σ y·ln(y / ŷ)"
    tasks = frozenset({"multiclass"})
    output_activation = "softmax"
    reduce = "sum"

    def _values(self, y, p):
        y = np.clip(y, EPSILON, 1.0)
        return y * np.log(y / np.clip(p, EPSILON, 1.0))

    def _derivs(self, y, p):
        inside = (p >= EPSILON) & (p <= 1.0)
        return np.where(inside, -np.clip(y, EPSILON, 1.0) / np.clip(p, EPSILON, 1.0), 0.0)


_REGISTRY = {loss.name: loss for loss in (
    MeanError(), MSE(), MAE(), RMSE(), MSLE(), Huber(), LogCosh(), BinaryCrossentropy(),
    CategoricalCrossentropy(), SparseCategoricalCrossentropy(), Hinge(), SquaredHinge(),
    KLDivergence())}


def names() -> list:
    """Loss names in registry (display) order."""
    return list(_REGISTRY)


def get(name) -> Loss:
    """The loss called ``name``; raises :class:`UnknownNameError` listing the valid names."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise UnknownNameError(f"unknown loss {name!r}; choose one of: {', '.join(_REGISTRY)}") from None


def targets_for(loss, y, task, n_classes, signed=False):
    """Targets in the form ``loss`` expects.

    Parameters
    ----------
    loss : Loss or str
    y : (n, 1) array
        A dataset's label/target column (class indices 0..k−1 stored as floats).
    task : str
        "regression", "binary" or "multiclass".
    n_classes : int
    signed : bool
        Binary labels 0/1 as the targets −1/+1 (``2y − 1``: ``Config.signed_targets``).

    Returns
    -------
    One-hot (n, n_classes) float64 for a multiclass task and a non-sparse loss; ``2y − 1`` for
    a binary task with ``signed``; otherwise ``y`` unchanged.
    """
    loss = get(loss) if isinstance(loss, str) else loss
    if signed and task == "binary":
        return 2.0 * np.asarray(y, dtype=np.float64) - 1.0
    if task != "multiclass" or loss.sparse:
        return y
    labels = np.asarray(y, dtype=np.float64).reshape(-1)
    if not np.all((labels == np.round(labels)) & (labels >= 0) & (labels < n_classes)):
        raise ValueError(f"class labels must be integers in 0..{n_classes - 1}")
    return np.eye(n_classes)[labels.astype(np.intp)]
