"""The losses as a generated script shows them: each example's loss and the derivative of the cost.

For every loss in :mod:`core.losses`: ``<name>_loss(y, y_hat)``, the loss of each example
``(n,)`` from targets ``y`` and predictions ``y_hat`` ``(n, k)``, and
``<name>_cost_derivative(y, y_hat)``, d cost/d ŷ ``(n, k)`` of the cost (the mean of the
losses; RMSE's cost, ``rmse_cost``, is a root of that mean). The script names them ``loss``,
``cost_derivative`` and ``cost``. Where the output activation and the loss simplify together,
``<activation>_<loss>_output_delta(y, y_hat, z)`` gives d cost/d z of the output layer directly
(``core.network.Network.FUSED``). Same arithmetic as :mod:`core.losses`.
"""
import numpy as np

EPS_CLIP = 1e-7   # ε: predictions are clipped to [ε, 1 − ε] before a log, as Keras does


def signs(y):
    """Hinge losses want labels t = ±1: labels that are all 0 or 1 become 2y − 1 (Keras's rule)."""
    return 2.0 * y - 1.0 if np.all((y == 0) | (y == 1)) else y


def me_loss(y, y_hat):
    """Signed mean error of each example: mean over outputs of (y − ŷ), shape (n,).

    Not a usable cost: it is unbounded below, and positive and negative errors cancel.
    """
    return np.mean(y - y_hat, axis=1)


def me_cost_derivative(y, y_hat):
    """d cost / d ŷ for the signed mean error: −1 / (n·k) everywhere."""
    return -np.ones_like(y_hat) / y_hat.size


def mse_loss(y, y_hat):
    """Squared error of each example: mean over outputs of (y − ŷ)², shape (n,)."""
    return np.mean((y - y_hat) ** 2, axis=1)


def mse_cost_derivative(y, y_hat):
    """d cost / d ŷ for the mean squared error: 2·(ŷ − y) / (n·k), shaped like ŷ."""
    return 2.0 * (y_hat - y) / y_hat.size


def mae_loss(y, y_hat):
    """Absolute error of each example: mean over outputs of |y − ŷ|, shape (n,)."""
    return np.mean(np.abs(y - y_hat), axis=1)


def mae_cost_derivative(y, y_hat):
    """d cost / d ŷ for the mean absolute error: sign(ŷ − y) / (n·k) (0 where ŷ = y)."""
    return np.sign(y_hat - y) / y_hat.size


def rmse_loss(y, y_hat):
    """Squared error of each example: mean over outputs of (y − ŷ)², shape (n,)."""
    return np.mean((y - y_hat) ** 2, axis=1)


def rmse_cost(y, y_hat):
    """The cost: root mean squared error, √(mean of the squared errors).

    The root is taken of the whole mean, so here the cost is not a mean of losses.
    """
    return np.sqrt(np.mean(rmse_loss(y, y_hat)))


def rmse_cost_derivative(y, y_hat):
    """d cost / d ŷ for the RMSE: (2·(ŷ − y) / (n·k)) / (2·cost), 0 where the cost is 0."""
    root = rmse_cost(y, y_hat)
    grad = 2.0 * (y_hat - y) / y_hat.size
    return grad / (2.0 * root) if root > 0 else np.zeros_like(grad)


def log_difference(y, y_hat):
    """ln(1 + ŷ) − ln(1 + y), with ŷ and y first clipped below at ε (Keras's rule)."""
    return np.log1p(np.maximum(y_hat, EPS_CLIP)) - np.log1p(np.maximum(y, EPS_CLIP))


def msle_loss(y, y_hat):
    """Squared log error of each example: mean over outputs of (ln(1 + ŷ) − ln(1 + y))²."""
    return np.mean(log_difference(y, y_hat) ** 2, axis=1)


def msle_cost_derivative(y, y_hat):
    """d cost / d ŷ for the MSLE: 2·(ln(1 + ŷ) − ln(1 + y)) / ((1 + ŷ)·n·k); 0 where ŷ < ε."""
    return np.where(y_hat >= EPS_CLIP,
                    2.0 * log_difference(y, y_hat) / (1.0 + np.maximum(y_hat, EPS_CLIP)),
                    0.0) / y_hat.size


HUBER_DELTA = 1.0   # δ: where the Huber loss turns from quadratic to linear


def huber_loss(y, y_hat):
    """Huber loss of each example: mean over outputs of ½e² if |e| ≤ δ else δ·|e| − ½δ²,
    e = ŷ − y."""
    e = np.abs(y_hat - y)
    return np.mean(np.where(e <= HUBER_DELTA, 0.5 * e * e, HUBER_DELTA * e - 0.5 * HUBER_DELTA**2),
                   axis=1)


def huber_cost_derivative(y, y_hat):
    """d cost / d ŷ for the Huber loss: clip(ŷ − y, −δ, δ) / (n·k)."""
    return np.clip(y_hat - y, -HUBER_DELTA, HUBER_DELTA) / y_hat.size


def log_cosh_loss(y, y_hat):
    """Log-cosh of each example: mean over outputs of ln cosh(ŷ − y).

    Written as |x| + ln(1 + e^(−2|x|)) − ln 2, which equals ln cosh(x) but cannot overflow.
    """
    x = np.abs(y_hat - y)
    return np.mean(x + np.log1p(np.exp(-2.0 * x)) - np.log(2.0), axis=1)


def log_cosh_cost_derivative(y, y_hat):
    """d cost / d ŷ for log-cosh: tanh(ŷ − y) / (n·k)."""
    return np.tanh(y_hat - y) / y_hat.size


def bce_loss(y, y_hat):
    """Binary cross-entropy of each example: mean over outputs of −[y·ln ŷ + (1 − y)·ln(1 − ŷ)].

    ŷ is clipped to [ε, 1 − ε] first, so a prediction of exactly 0 or 1 costs ~16, not ∞.
    """
    p = np.clip(y_hat, EPS_CLIP, 1.0 - EPS_CLIP)
    return np.mean(-(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)), axis=1)


def bce_cost_derivative(y, y_hat):
    """d cost / d ŷ for binary cross-entropy: (−y/ŷ + (1 − y)/(1 − ŷ)) / (n·k); 0 where
    clipped."""
    inside = (y_hat >= EPS_CLIP) & (y_hat <= 1.0 - EPS_CLIP)
    p = np.clip(y_hat, EPS_CLIP, 1.0 - EPS_CLIP)
    return np.where(inside, -y / p + (1.0 - y) / (1.0 - p), 0.0) / y_hat.size


def cce_loss(y, y_hat):
    """Categorical cross-entropy of each example: −Σ_k y_k·ln ŷ_k (y one-hot, ŷ clipped to
    [ε, 1 − ε])."""
    return np.sum(-y * np.log(np.clip(y_hat, EPS_CLIP, 1.0 - EPS_CLIP)), axis=1)


def cce_cost_derivative(y, y_hat):
    """d cost / d ŷ for categorical cross-entropy: −y / ŷ / n; 0 where clipped."""
    inside = (y_hat >= EPS_CLIP) & (y_hat <= 1.0 - EPS_CLIP)
    return np.where(inside, -y / np.clip(y_hat, EPS_CLIP, 1.0 - EPS_CLIP), 0.0) / len(y_hat)


def sparse_cce_loss(y, y_hat):
    """Cross-entropy of each example from its class label c: −ln ŷ_c (ŷ clipped to [ε, 1 − ε])."""
    p = y_hat[np.arange(len(y_hat)), y[:, 0].astype(int)]   # the probability of the true class
    return -np.log(np.clip(p, EPS_CLIP, 1.0 - EPS_CLIP))


def sparse_cce_cost_derivative(y, y_hat):
    """d cost / d ŷ for sparse categorical cross-entropy: −1/ŷ_c / n in the true class's
    column, 0 in the others (and 0 where clipped)."""
    rows, labels = np.arange(len(y_hat)), y[:, 0].astype(int)
    p = y_hat[rows, labels]
    inside = (p >= EPS_CLIP) & (p <= 1.0 - EPS_CLIP)
    grad = np.zeros_like(y_hat)
    grad[rows, labels] = (np.where(inside, -1.0 / np.clip(p, EPS_CLIP, 1.0 - EPS_CLIP), 0.0)
                          / len(rows))
    return grad


def hinge_loss(y, y_hat):
    """Hinge loss of each example: mean over outputs of max(1 − t·ŷ, 0), t = ±1 (ŷ a raw
    score)."""
    return np.mean(np.maximum(1.0 - signs(y) * y_hat, 0.0), axis=1)


def hinge_cost_derivative(y, y_hat):
    """d cost / d ŷ for the hinge loss: −t / (n·k) where 1 − t·ŷ > 0, else 0."""
    t = signs(y)
    return np.where(1.0 - t * y_hat > 0, -t, 0.0) / y_hat.size


def squared_hinge_loss(y, y_hat):
    """Squared hinge loss of each example: mean over outputs of max(1 − t·ŷ, 0)², t = ±1."""
    return np.mean(np.maximum(1.0 - signs(y) * y_hat, 0.0) ** 2, axis=1)


def squared_hinge_cost_derivative(y, y_hat):
    """d cost / d ŷ for the squared hinge loss: −2t·max(1 − t·ŷ, 0) / (n·k)."""
    t = signs(y)
    return -2.0 * t * np.maximum(1.0 - t * y_hat, 0.0) / y_hat.size


def kl_div_loss(y, y_hat):
    """KL divergence of each example: Σ_k y_k·ln(y_k / ŷ_k), y and ŷ clipped to [ε, 1]
    (Keras)."""
    y = np.clip(y, EPS_CLIP, 1.0)
    return np.sum(y * np.log(y / np.clip(y_hat, EPS_CLIP, 1.0)), axis=1)


def kl_div_cost_derivative(y, y_hat):
    """d cost / d ŷ for the KL divergence: −y / ŷ / n (y clipped to [ε, 1]); 0 where ŷ is
    clipped."""
    inside = (y_hat >= EPS_CLIP) & (y_hat <= 1.0)
    return (np.where(inside, -np.clip(y, EPS_CLIP, 1.0) / np.clip(y_hat, EPS_CLIP, 1.0), 0.0)
            / len(y_hat))


# ----------------------------------------------------------------------------------------------
# Fused output deltas: d cost/d z of the output layer where the derivative of the cost and of
# the output activation simplify together.

def sigmoid_bce_output_delta(y, y_hat, z):
    """d cost / d z of the output layer: (ŷ − y) / (n·k).

    By the chain rule it is d cost/d ŷ · σ'(z), with
    d cost/d ŷ = (−y/ŷ + (1 − y)/(1 − ŷ)) / (n·k) and σ'(z) = ŷ·(1 − ŷ). Their product
    simplifies to (ŷ − y) / (n·k): exact, cheaper, and finite even where ŷ reaches 0 or 1 (so
    the clipping of section 4 is not needed here).
    """
    return (y_hat - y) / y_hat.size


def softmax_cce_output_delta(y, y_hat, z):
    """d cost / d z of the output layer: (ŷ − y) / n.

    By the chain rule it is d cost/d ŷ (−y/ŷ / n) times the softmax Jacobian
    ∂ŷ_k/∂z_j = ŷ_k·(δ_kj − ŷ_j); since each one-hot row of y sums to 1, the product simplifies
    to (ŷ − y) / n: exact, cheaper, and finite even where ŷ reaches 0.
    """
    return (y_hat - y) / len(y_hat)


def softmax_sparse_cce_output_delta(y, y_hat, z):
    """d cost / d z of the output layer: (ŷ − one_hot(c)) / n, c the class labels.

    By the chain rule it is d cost/d ŷ (−1/ŷ_c / n in column c) times the softmax Jacobian
    ∂ŷ_k/∂z_j = ŷ_k·(δ_kj − ŷ_j), which simplifies to ŷ minus 1 in the true class's column,
    over n: exact, cheaper, and finite even where ŷ_c reaches 0.
    """
    delta = y_hat.copy()
    delta[np.arange(len(y_hat)), y[:, 0].astype(int)] -= 1.0
    return delta / len(y_hat)
