"""The code behind the run: a standalone numpy script that reproduces a training run.

:func:`generate_script` turns a :class:`~core.config.Config` into the text of a Python script
that needs nothing but numpy and that a learner reads top to bottom::

    # ===== 1. Data =====
    # ===== 2. Initial weights =====
    # ===== 3. Forward pass =====
    # ===== 4. The cost function (mean loss over the examples + regularization) =====
    # ===== 5. Its derivative: the delta backpropagation starts from =====
    # ===== 6. Backpropagation =====
    # ===== 7. The update (<optimizer>) =====
    # ===== 8. Training loop =====

Only the code this configuration uses is emitted: its activations, its loss, its optimizer, its
regularization, and its input features (:mod:`core.features`, computed from the raw inputs at
the end of section 1, after which ``X_train`` holds the network's inputs). The script does the same arithmetic as :class:`~core.trainer.Trainer` (same
initial-weight draws, same shuffling stream, same fused output deltas, same clipping), so after
hundreds of steps its cost equals the app's to about 1e-12; it ends by printing
``final train cost: <repr of the float>``.

Data: up to :data:`EMBED_LIMIT` examples are written into the script as literal arrays (``repr``
of a float round-trips exactly); a larger built-in data set is made by the app's own generator
code, copied from :mod:`core.datasets`, with the same seed. Data passed in (a CSV file, points a
learner drew) are always embedded; their test rows only when the total stays within the limit.

>>> from core.config import Config
>>> text = generate_script(Config(dataset="xor_table", hidden_layers=(4,), loss="mse"))
>>> "# ===== 4. The cost function" in text
True
"""
from __future__ import annotations

import ast
import inspect
import math
import textwrap

import numpy as np

from core import activations, datasets, features, losses, network, optimizers
from core.config import OWN_DATA, Config

#: Most examples (train + test) written into the script as literal arrays.
EMBED_LIMIT = 600
#: The learnable activations and the parameter lists each adds to ``Ws`` and ``bs``. The script
#: shows them in hidden layers (their own parameters learn beside W and b), not as the output
#: layer's.
EXTRA_PARAMS = {"prelu": ("slopes",), "maxout": ("Ws_2", "bs_2")}
#: Width the embedded arrays are wrapped at.
LINE_WIDTH = 99

BANNERS = (
    "# ===== 1. Data =====",
    "# ===== 2. Initial weights =====",
    "# ===== 3. Forward pass =====",
    "# ===== 4. The cost function (mean loss over the examples + regularization) =====",
    "# ===== 5. Its derivative: the delta backpropagation starts from =====",
    "# ===== 6. Backpropagation =====",
    "# ===== 7. The update ({optimizer}) =====",
    "# ===== 8. Training loop =====",
)


def _code(text) -> str:
    return textwrap.dedent(text).strip("\n")


# --------------------------------------------------------------------------- activations
# name -> (forward function, backward function, helper functions it calls). The backward
# function is the chain rule through the activation: d cost/d z = d cost/d a · f'(z), written
# with the same arithmetic as core.activations.
_SIGMOID = _code('''
    def sigmoid(z):
        """Sigmoid σ(z) = 1 / (1 + e^(−z)), computed so that exp never overflows."""
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
''')

_ACTIVATIONS = {
    "linear": ('''
        def linear(z):
            """Linear (identity): f(z) = z."""
            return z
    ''', '''
        def linear_backward(grad_a, z, a):
            """Chain rule through linear: f'(z) = 1, so d cost/d z = d cost/d a."""
            return grad_a
    ''', ()),
    "step": ('''
        def step(z):
            """Step: f(z) = 1 if z > 0 else 0."""
            return (z > 0).astype(float)
    ''', '''
        def step_backward(grad_a, z, a):
            """Chain rule through step: f'(z) = 0 everywhere, so no gradient flows back.

            (That is why gradient descent cannot train a network of steps.)
            """
            return np.zeros_like(grad_a)
    ''', ()),
    "sigmoid": (_SIGMOID, '''
        def sigmoid_backward(grad_a, z, a):
            """Chain rule through sigmoid: σ'(z) = σ(z)·(1 − σ(z)) = a·(1 − a)."""
            return grad_a * a * (1.0 - a)
    ''', ()),
    "tanh": ('''
        def tanh(z):
            """Hyperbolic tangent: f(z) = (e^z − e^(−z)) / (e^z + e^(−z))."""
            return np.tanh(z)
    ''', '''
        def tanh_backward(grad_a, z, a):
            """Chain rule through tanh: f'(z) = 1 − tanh²(z) = 1 − a²."""
            return grad_a * (1.0 - a * a)
    ''', ()),
    "relu": ('''
        def relu(z):
            """ReLU: f(z) = max(0, z)."""
            return np.maximum(z, 0.0)
    ''', '''
        def relu_backward(grad_a, z, a):
            """Chain rule through ReLU: f'(z) = 1 if z > 0 else 0."""
            return grad_a * (z > 0)
    ''', ()),
    "leaky_relu": ('''
        def leaky_relu(z):
            """Leaky ReLU: f(z) = z if z > 0 else 0.01·z."""
            return np.where(z > 0, z, 0.01 * z)
    ''', '''
        def leaky_relu_backward(grad_a, z, a):
            """Chain rule through leaky ReLU: f'(z) = 1 if z > 0 else 0.01."""
            return grad_a * np.where(z > 0, 1.0, 0.01)
    ''', ()),
    "elu": ('''
        def elu(z):
            """ELU: f(z) = z if z > 0 else e^z − 1 (exp only sees z ≤ 0, so it cannot overflow)."""
            return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))
    ''', '''
        def elu_backward(grad_a, z, a):
            """Chain rule through ELU: f'(z) = 1 if z > 0 else e^z."""
            return grad_a * np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0)))
    ''', ()),
    "selu": ('''
        SELU_ALPHA = 1.6732632423543772   # α and λ of Klambauer et al. (2017)
        SELU_SCALE = 1.0507009873554805


        def selu(z):
            """SELU: f(z) = λ·(z if z > 0 else α·(e^z − 1))."""
            return SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0.0)))
    ''', '''
        def selu_backward(grad_a, z, a):
            """Chain rule through SELU: f'(z) = λ if z > 0 else λ·α·e^z."""
            return grad_a * (SELU_SCALE * np.where(z > 0, 1.0,
                                                   SELU_ALPHA * np.exp(np.minimum(z, 0.0))))
    ''', ()),
    "softplus": ('''
        def softplus(z):
            """Softplus: f(z) = ln(1 + e^z)."""
            return np.logaddexp(0.0, z)
    ''', '''
        def softplus_backward(grad_a, z, a):
            """Chain rule through softplus: f'(z) = σ(z)."""
            return grad_a * sigmoid(z)
    ''', ("sigmoid",)),
    "swish": ('''
        def swish(z):
            """Swish (SiLU): f(z) = z·σ(z)."""
            return z * sigmoid(z)
    ''', '''
        def swish_backward(grad_a, z, a):
            """Chain rule through swish: f'(z) = σ(z)·(1 + z·(1 − σ(z)))."""
            s = sigmoid(z)
            return grad_a * (s * (1.0 + z * (1.0 - s)))
    ''', ("sigmoid",)),
    "gelu": ('''
        GELU_C = np.sqrt(2.0 / np.pi)   # √(2/π)


        def gelu(z):
            """GELU (tanh approximation): f(z) = ½·z·(1 + tanh(u)), u = √(2/π)·(z + 0.044715·z³)."""
            return 0.5 * z * (1.0 + np.tanh(GELU_C * (z + 0.044715 * z**3)))
    ''', '''
        def gelu_backward(grad_a, z, a):
            """Chain rule through GELU: f'(z) = ½·(1 + tanh u) + ½·z·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·z²)."""
            t = np.tanh(GELU_C * (z + 0.044715 * z**3))
            return grad_a * (0.5 * (1.0 + t)
                             + 0.5 * z * (1.0 - t * t) * GELU_C * (1.0 + 3 * 0.044715 * z * z))
    ''', ()),
    "mish": ('''
        def mish(z):
            """Mish: f(z) = z·tanh(ln(1 + e^z))."""
            return z * np.tanh(np.logaddexp(0.0, z))
    ''', '''
        def mish_backward(grad_a, z, a):
            """Chain rule through mish: f'(z) = tanh(sp) + z·(1 − tanh²(sp))·σ(z), sp = ln(1 + e^z)."""
            t = np.tanh(np.logaddexp(0.0, z))
            return grad_a * (t + z * (1.0 - t * t) * sigmoid(z))
    ''', ("sigmoid",)),
    "sin": ('''
        def sin(z):
            """Sine: f(z) = sin(z)."""
            return np.sin(z)
    ''', '''
        def sin_backward(grad_a, z, a):
            """Chain rule through sine: f'(z) = cos(z)."""
            return grad_a * np.cos(z)
    ''', ()),
    "gaussian": ('''
        def gaussian(z):
            """Gaussian bump: f(z) = e^(−z²)."""
            return np.exp(-z * z)
    ''', '''
        def gaussian_backward(grad_a, z, a):
            """Chain rule through the Gaussian: f'(z) = −2z·e^(−z²)."""
            return grad_a * (-2.0 * z * np.exp(-z * z))
    ''', ()),
    "softsign": ('''
        def softsign(z):
            """Softsign: f(z) = z / (1 + |z|)."""
            return z / (1.0 + np.abs(z))
    ''', '''
        def softsign_backward(grad_a, z, a):
            """Chain rule through softsign: f'(z) = 1 / (1 + |z|)²."""
            return grad_a * (1.0 / (1.0 + np.abs(z)) ** 2)
    ''', ()),
    "arctan": ('''
        def arctan(z):
            """Arctangent: f(z) = arctan(z)."""
            return np.arctan(z)
    ''', '''
        def arctan_backward(grad_a, z, a):
            """Chain rule through arctan: f'(z) = 1 / (1 + z²)."""
            return grad_a * (1.0 / (1.0 + z * z))
    ''', ()),
    "prelu": ('''
        def prelu(z, slope):
            """PReLU: f(z) = z if z > 0 else s·z, with a learned slope s per neuron (starts at 0.25)."""
            return np.where(z > 0, z, slope * z)
    ''', '''
        def prelu_backward(grad_a, z, slope):
            """Chain rule through PReLU, for z and for the slopes: f'(z) = 1 if z > 0 else s, and
            ∂f/∂s = 0 if z > 0 else z, summed over the examples (one slope serves them all)."""
            grad_z = grad_a * np.where(z > 0, 1.0, np.broadcast_to(slope, z.shape))
            grad_slope = (grad_a * np.where(z > 0, 0.0, z)).sum(axis=0)
            return grad_z, grad_slope
    ''', ()),
    "maxout": ('''
        def maxout(z):
            """Maxout: each neuron is the larger of its two affine pieces, z[..., 0] and z[..., 1]."""
            return z.max(axis=-1)
    ''', '''
        def maxout_backward(grad_a, z):
            """Chain rule through maxout: the gradient goes to the winning piece only (ties: the
            first). Returns d cost/d z of piece 1 and of piece 2, each (n, neurons)."""
            first = z[..., 0] >= z[..., 1]
            return grad_a * first, grad_a * ~first
    ''', ()),
    "softmax": ('''
        def softmax(z):
            """Softmax over each row: a_i = e^(z_i) / Σ_j e^(z_j) (the row maximum is subtracted first,
            which changes nothing but keeps exp from overflowing)."""
            e = np.exp(z - z.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
    ''', '''
        def softmax_backward(grad_a, z, a):
            """Chain rule through softmax, whose outputs depend on the whole row:
            ∂a_i/∂z_j = a_i·(δ_ij − a_j), so d cost/d z = a·(g − Σ_j g_j·a_j), g = d cost/d a."""
            return a * (grad_a - (grad_a * a).sum(axis=-1, keepdims=True))
    ''', ()),
}

# --------------------------------------------------------------------------- losses
# name -> (cost code, derivative code d cost/d ŷ, constants it needs). Each follows the
# arithmetic of core.losses: ``loss`` is the per-example loss (n,), ``cost`` its mean.
_CLIP = "EPS_CLIP = 1e-7   # ε: predictions are clipped to [ε, 1 − ε] before a log, as Keras does"
_SIGNS = _code('''
    def signs(y):
        """Hinge losses want labels t = ±1: labels that are all 0 or 1 become 2y − 1 (Keras's rule)."""
        return 2.0 * y - 1.0 if np.all((y == 0) | (y == 1)) else y
''')
_MEAN_COST = _code('''
    def cost(y, y_hat):
        """The cost: the mean of the examples' losses."""
        return np.mean(loss(y, y_hat))
''')

_LOSSES = {
    "me": ('''
        def loss(y, y_hat):
            """Signed mean error of each example: mean over outputs of (y − ŷ), shape (n,).

            Not a usable cost: it is unbounded below, and positive and negative errors cancel.
            """
            return np.mean(y - y_hat, axis=1)
    ''', '''
        def cost_derivative(y, y_hat):
            """d cost / d ŷ for the signed mean error: −1 / (n·k) everywhere."""
            return -np.ones_like(y_hat) / y_hat.size
    ''', ()),
    "mse": ('''
        def loss(y, y_hat):
            """Squared error of each example: mean over outputs of (y − ŷ)², shape (n,)."""
            return np.mean((y - y_hat) ** 2, axis=1)
    ''', '''
        def cost_derivative(y, y_hat):
            """d cost / d ŷ for the mean squared error: 2·(ŷ − y) / (n·k), shaped like ŷ."""
            return 2.0 * (y_hat - y) / y_hat.size
    ''', ()),
    "mae": ('''
        def loss(y, y_hat):
            """Absolute error of each example: mean over outputs of |y − ŷ|, shape (n,)."""
            return np.mean(np.abs(y - y_hat), axis=1)
    ''', '''
        def cost_derivative(y, y_hat):
            """d cost / d ŷ for the mean absolute error: sign(ŷ − y) / (n·k) (0 where ŷ = y)."""
            return np.sign(y_hat - y) / y_hat.size
    ''', ()),
    "rmse": ('''
        def loss(y, y_hat):
            """Squared error of each example: mean over outputs of (y − ŷ)², shape (n,)."""
            return np.mean((y - y_hat) ** 2, axis=1)


        def cost(y, y_hat):
            """The cost: root mean squared error, √(mean of the squared errors).

            The root is taken of the whole mean, so here the cost is not a mean of losses.
            """
            return np.sqrt(np.mean(loss(y, y_hat)))
    ''', '''
        def cost_derivative(y, y_hat):
            """d cost / d ŷ for the RMSE: (2·(ŷ − y) / (n·k)) / (2·cost), 0 where the cost is 0."""
            root = cost(y, y_hat)
            grad = 2.0 * (y_hat - y) / y_hat.size
            return grad / (2.0 * root) if root > 0 else np.zeros_like(grad)
    ''', ()),
    "msle": ('''
        def log_difference(y, y_hat):
            """ln(1 + ŷ) − ln(1 + y), with ŷ and y first clipped below at ε (Keras's rule)."""
            return np.log1p(np.maximum(y_hat, EPS_CLIP)) - np.log1p(np.maximum(y, EPS_CLIP))


        def loss(y, y_hat):
            """Squared log error of each example: mean over outputs of (ln(1 + ŷ) − ln(1 + y))²."""
            return np.mean(log_difference(y, y_hat) ** 2, axis=1)
    ''', '''
        def cost_derivative(y, y_hat):
            """d cost / d ŷ for the MSLE: 2·(ln(1 + ŷ) − ln(1 + y)) / ((1 + ŷ)·n·k); 0 where ŷ < ε."""
            return np.where(y_hat >= EPS_CLIP,
                            2.0 * log_difference(y, y_hat) / (1.0 + np.maximum(y_hat, EPS_CLIP)),
                            0.0) / y_hat.size
    ''', (_CLIP,)),
    "huber": ('''
        DELTA = 1.0   # δ: where the Huber loss turns from quadratic to linear


        def loss(y, y_hat):
            """Huber loss of each example: mean over outputs of ½e² if |e| ≤ δ else δ·|e| − ½δ², e = ŷ − y."""
            e = np.abs(y_hat - y)
            return np.mean(np.where(e <= DELTA, 0.5 * e * e, DELTA * e - 0.5 * DELTA**2), axis=1)
    ''', '''
        def cost_derivative(y, y_hat):
            """d cost / d ŷ for the Huber loss: clip(ŷ − y, −δ, δ) / (n·k)."""
            return np.clip(y_hat - y, -DELTA, DELTA) / y_hat.size
    ''', ()),
    "log_cosh": ('''
        def loss(y, y_hat):
            """Log-cosh of each example: mean over outputs of ln cosh(ŷ − y).

            Written as |x| + ln(1 + e^(−2|x|)) − ln 2, which equals ln cosh(x) but cannot overflow.
            """
            x = np.abs(y_hat - y)
            return np.mean(x + np.log1p(np.exp(-2.0 * x)) - np.log(2.0), axis=1)
    ''', '''
        def cost_derivative(y, y_hat):
            """d cost / d ŷ for log-cosh: tanh(ŷ − y) / (n·k)."""
            return np.tanh(y_hat - y) / y_hat.size
    ''', ()),
    "bce": ('''
        def loss(y, y_hat):
            """Binary cross-entropy of each example: mean over outputs of −[y·ln ŷ + (1 − y)·ln(1 − ŷ)].

            ŷ is clipped to [ε, 1 − ε] first, so a prediction of exactly 0 or 1 costs ~16, not ∞.
            """
            p = np.clip(y_hat, EPS_CLIP, 1.0 - EPS_CLIP)
            return np.mean(-(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)), axis=1)
    ''', '''
        def cost_derivative(y, y_hat):
            """d cost / d ŷ for binary cross-entropy: (−y/ŷ + (1 − y)/(1 − ŷ)) / (n·k); 0 where clipped."""
            inside = (y_hat >= EPS_CLIP) & (y_hat <= 1.0 - EPS_CLIP)
            p = np.clip(y_hat, EPS_CLIP, 1.0 - EPS_CLIP)
            return np.where(inside, -y / p + (1.0 - y) / (1.0 - p), 0.0) / y_hat.size
    ''', (_CLIP,)),
    "cce": ('''
        def loss(y, y_hat):
            """Categorical cross-entropy of each example: −Σ_k y_k·ln ŷ_k (y one-hot, ŷ clipped to [ε, 1 − ε])."""
            return np.sum(-y * np.log(np.clip(y_hat, EPS_CLIP, 1.0 - EPS_CLIP)), axis=1)
    ''', '''
        def cost_derivative(y, y_hat):
            """d cost / d ŷ for categorical cross-entropy: −y / ŷ / n; 0 where clipped."""
            inside = (y_hat >= EPS_CLIP) & (y_hat <= 1.0 - EPS_CLIP)
            return np.where(inside, -y / np.clip(y_hat, EPS_CLIP, 1.0 - EPS_CLIP), 0.0) / len(y_hat)
    ''', (_CLIP,)),
    "sparse_cce": ('''
        def loss(y, y_hat):
            """Cross-entropy of each example from its class label c: −ln ŷ_c (ŷ clipped to [ε, 1 − ε])."""
            p = y_hat[np.arange(len(y_hat)), y[:, 0].astype(int)]   # the probability of the true class
            return -np.log(np.clip(p, EPS_CLIP, 1.0 - EPS_CLIP))
    ''', '''
        def cost_derivative(y, y_hat):
            """d cost / d ŷ for sparse categorical cross-entropy: −1/ŷ_c / n in the true class's
            column, 0 in the others (and 0 where clipped)."""
            rows, labels = np.arange(len(y_hat)), y[:, 0].astype(int)
            p = y_hat[rows, labels]
            inside = (p >= EPS_CLIP) & (p <= 1.0 - EPS_CLIP)
            grad = np.zeros_like(y_hat)
            grad[rows, labels] = np.where(inside, -1.0 / np.clip(p, EPS_CLIP, 1.0 - EPS_CLIP), 0.0) / len(rows)
            return grad
    ''', (_CLIP,)),
    "hinge": ('''
        def loss(y, y_hat):
            """Hinge loss of each example: mean over outputs of max(1 − t·ŷ, 0), t = ±1 (ŷ a raw score)."""
            return np.mean(np.maximum(1.0 - signs(y) * y_hat, 0.0), axis=1)
    ''', '''
        def cost_derivative(y, y_hat):
            """d cost / d ŷ for the hinge loss: −t / (n·k) where 1 − t·ŷ > 0, else 0."""
            t = signs(y)
            return np.where(1.0 - t * y_hat > 0, -t, 0.0) / y_hat.size
    ''', (_SIGNS,)),
    "squared_hinge": ('''
        def loss(y, y_hat):
            """Squared hinge loss of each example: mean over outputs of max(1 − t·ŷ, 0)², t = ±1."""
            return np.mean(np.maximum(1.0 - signs(y) * y_hat, 0.0) ** 2, axis=1)
    ''', '''
        def cost_derivative(y, y_hat):
            """d cost / d ŷ for the squared hinge loss: −2t·max(1 − t·ŷ, 0) / (n·k)."""
            t = signs(y)
            return -2.0 * t * np.maximum(1.0 - t * y_hat, 0.0) / y_hat.size
    ''', (_SIGNS,)),
    "kl_div": ('''
        def loss(y, y_hat):
            """KL divergence of each example: Σ_k y_k·ln(y_k / ŷ_k), y and ŷ clipped to [ε, 1] (Keras)."""
            y = np.clip(y, EPS_CLIP, 1.0)
            return np.sum(y * np.log(y / np.clip(y_hat, EPS_CLIP, 1.0)), axis=1)
    ''', '''
        def cost_derivative(y, y_hat):
            """d cost / d ŷ for the KL divergence: −y / ŷ / n (y clipped to [ε, 1]); 0 where ŷ is clipped."""
            inside = (y_hat >= EPS_CLIP) & (y_hat <= 1.0)
            return np.where(inside, -np.clip(y, EPS_CLIP, 1.0) / np.clip(y_hat, EPS_CLIP, 1.0), 0.0) / len(y_hat)
    ''', (_CLIP,)),
}

# Output deltas where the derivative of the cost and of the output activation simplify
# together (core.network.Network._fused_output_delta).
_FUSED = {
    ("sigmoid", "bce"): '''
        def output_delta(y, y_hat, z):
            """d cost / d z of the output layer: (ŷ − y) / (n·k).

            By the chain rule it is d cost/d ŷ · σ'(z), with d cost/d ŷ = (−y/ŷ + (1 − y)/(1 − ŷ)) / (n·k)
            and σ'(z) = ŷ·(1 − ŷ). Their product simplifies to (ŷ − y) / (n·k): exact, cheaper, and
            finite even where ŷ reaches 0 or 1 (so the clipping of section 4 is not needed here).
            """
            return (y_hat - y) / y_hat.size
    ''',
    ("softmax", "cce"): '''
        def output_delta(y, y_hat, z):
            """d cost / d z of the output layer: (ŷ − y) / n.

            By the chain rule it is d cost/d ŷ (−y/ŷ / n) times the softmax Jacobian
            ∂ŷ_k/∂z_j = ŷ_k·(δ_kj − ŷ_j); since each one-hot row of y sums to 1, the product simplifies
            to (ŷ − y) / n: exact, cheaper, and finite even where ŷ reaches 0.
            """
            return (y_hat - y) / len(y_hat)
    ''',
    ("softmax", "sparse_cce"): '''
        def output_delta(y, y_hat, z):
            """d cost / d z of the output layer: (ŷ − one_hot(c)) / n, c the class labels.

            By the chain rule it is d cost/d ŷ (−1/ŷ_c / n in column c) times the softmax Jacobian
            ∂ŷ_k/∂z_j = ŷ_k·(δ_kj − ŷ_j), which simplifies to ŷ minus 1 in the true class's column,
            over n: exact, cheaper, and finite even where ŷ_c reaches 0.
            """
            delta = y_hat.copy()
            delta[np.arange(len(y_hat)), y[:, 0].astype(int)] -= 1.0
            return delta / len(y_hat)
    ''',
}

# --------------------------------------------------------------------------- optimizers
# name -> (settings as (constant, config field, comment), state arrays, update function).
_OPTIMIZERS = {
    "sgd": ((), (), '''
        def update(grads):
            """Plain gradient descent: θ ← θ − η·g for every parameter array θ and its gradient g."""
            for theta, g in zip(params, grads):
                theta -= LEARNING_RATE * g      # in place, so Ws and bs change too
    '''),
    "momentum": ((("MOMENTUM", "momentum", "μ: how much of the last step's velocity carries over"),),
                 ("velocity",), '''
        def update(grads):
            """Momentum (PyTorch's form): v ← μ·v + g;  θ ← θ − η·v."""
            for theta, g, v in zip(params, grads, velocity):
                v *= MOMENTUM
                v += g
                theta -= LEARNING_RATE * v      # in place, so Ws and bs change too
    '''),
    "nesterov": ((("MOMENTUM", "momentum", "μ: how much of the last step's velocity carries over"),),
                 ("velocity",), '''
        def update(grads):
            """Nesterov momentum (PyTorch's form): v ← μ·v + g;  θ ← θ − η·(g + μ·v)."""
            for theta, g, v in zip(params, grads, velocity):
                v *= MOMENTUM
                v += g
                theta -= LEARNING_RATE * (g + MOMENTUM * v)   # in place, so Ws and bs change too
    '''),
    "adagrad": ((("EPSILON", "epsilon", "ε: keeps the division finite where s is 0"),),
                ("sum_squares",), '''
        def update(grads):
            """Adagrad: s ← s + g²;  θ ← θ − η·g / (√s + ε): each weight's step shrinks as its gradients add up."""
            for theta, g, s in zip(params, grads, sum_squares):
                s += g * g
                theta -= LEARNING_RATE * g / (np.sqrt(s) + EPSILON)   # in place, so Ws and bs change too
    '''),
    "rmsprop": ((("RHO", "rho", "ρ: decay of the running average of g²"),
                 ("EPSILON", "epsilon", "ε: keeps the division finite where s is 0")),
                ("mean_squares",), '''
        def update(grads):
            """RMSprop: s ← ρ·s + (1 − ρ)·g²;  θ ← θ − η·g / (√s + ε)."""
            for theta, g, s in zip(params, grads, mean_squares):
                s *= RHO
                s += (1.0 - RHO) * g * g
                theta -= LEARNING_RATE * g / (np.sqrt(s) + EPSILON)   # in place, so Ws and bs change too
    '''),
    "adam": ((("BETA1", "beta1", "β₁: decay of the running mean of g (momentum)"),
              ("BETA2", "beta2", "β₂: decay of the running mean of g² (per-weight step size)"),
              ("EPSILON", "epsilon", "ε: keeps the division finite where v is 0")),
             ("m", "v"), '''
        def update(grads, t):
            """Adam, at step t = 1, 2, ...: m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;
            θ ← θ − η·m̂ / (√v̂ + ε) with the bias corrections m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)."""
            for theta, g, m_, v_ in zip(params, grads, m, v):
                m_ *= BETA1
                m_ += (1.0 - BETA1) * g
                v_ *= BETA2
                v_ += (1.0 - BETA2) * g * g
                step_size = LEARNING_RATE / (1.0 - BETA1 ** t)   # η / (1 − β₁ᵗ): m̂'s correction
                v_hat = v_ / (1.0 - BETA2 ** t)
                theta -= step_size * m_ / (np.sqrt(v_hat) + EPSILON)   # in place: Ws, bs change too
    '''),
}


# --------------------------------------------------------------------------- formatting
def _number(x) -> str:
    """A float literal that reads back as exactly ``x``."""
    x = float(x)
    if math.isnan(x):
        return "np.nan"
    if math.isinf(x):
        return "np.inf" if x > 0 else "-np.inf"
    return repr(x)


def _wrapped(items, indent="    ") -> list:
    """Comma-separated ``items`` packed into lines of at most LINE_WIDTH characters."""
    lines, line = [], indent
    for item in items:
        piece = item + ","
        if line.strip() and len(line) + 1 + len(piece) > LINE_WIDTH:
            lines.append(line)
            line = indent
        line += (" " if line.strip() else "") + piece
    if line.strip():
        lines.append(line)
    return lines


def _matrix(name, X, comment) -> str:
    rows = ["[" + ", ".join(_number(v) for v in row) + "]" for row in X]
    one_line = f"{name} = np.array([{', '.join(rows)}])"
    if len(one_line) + len(comment) + 3 <= LINE_WIDTH:
        return f"{one_line}   # {comment}"
    return "\n".join([f"{name} = np.array([   # {comment}", *_wrapped(rows), "])"])


def _column(name, y, comment) -> str:
    """``y`` (n, 1) as a column: whole numbers written as integers."""
    values = np.asarray(y, dtype=float).reshape(-1)
    whole = bool(np.all(np.isfinite(values) & (values == np.round(values))))
    items = [str(int(v)) for v in values] if whole else [_number(v) for v in values]
    dtype = ", dtype=float" if whole else ""
    one_line = f"{name} = np.array([{', '.join(items)}]{dtype}).reshape(-1, 1)"
    if len(one_line) + len(comment) + 3 <= LINE_WIDTH:
        return f"{one_line}   # {comment}"
    return "\n".join([f"{name} = np.array([   # {comment}", *_wrapped(items),
                      f"]{dtype}).reshape(-1, 1)"])


def _constant(name, value, comment) -> str:
    return f"{name} = {_number(value) if isinstance(value, float) else value}   # {comment}"


# --------------------------------------------------------------------------- sections
class _Run:
    """What the script needs to know about one run (config + data)."""

    def __init__(self, config: Config, data, steps):
        if config.output_activation in EXTRA_PARAMS:
            raise ValueError(
                f"the code view shows {activations.get(config.output_activation).display_name} "
                f"in hidden layers, not as the output layer's activation: choose another "
                f"output activation to see this run's code")
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
            raise ValueError(f"steps must be a whole number >= 0, not {steps!r}")
        self.config, self.steps = config, int(steps)
        self.custom = data is not None or config.dataset in OWN_DATA
        if data is None:
            from core.trainer import load_data  # the trainer's rule for which data a config names
            data = load_data(config)
        self.data = data
        self.loss = losses.get(config.loss)
        self.n_out = data.n_classes if data.task == "multiclass" else 1
        try:
            features.check(config.features, data.n_features)
        except ValueError as err:
            raise ValueError(f"features: {err}") from None
        self.features = config.features
        self.n_inputs = len(config.features) if config.features else data.n_features
        self.sizes = (self.n_inputs, *config.hidden_layers, self.n_out)
        self.one_hot = data.task == "multiclass" and not self.loss.sparse
        self.hidden = config.activation if config.hidden_layers else None
        self.output = config.output_activation
        #: Names of the parameter lists beside Ws and bs (a learnable hidden activation's).
        self.extra = EXTRA_PARAMS.get(self.hidden, ())
        self.fused = _FUSED.get((self.output, self.loss.name))
        rate = config.reg_rate
        self.regularization = config.regularization if rate > 0 else "none"
        n_train, n_test = len(data.X_train), len(data.X_test)
        self.generated = not self.custom and n_train + n_test > EMBED_LIMIT
        self.with_test = self.generated or n_train + n_test <= EMBED_LIMIT


def _header(run: _Run, imports=("numpy as np",)) -> str:
    cfg, data = run.config, run.data
    opt = optimizers.optimizer_class(cfg.optimizer)
    settings = ", ".join(f"{key} {getattr(cfg, key):g}" for key in opt.defaults)
    source = ("custom data" if run.custom else f"the {data.name} data set")
    reg = ("none" if run.regularization == "none"
           else f"{run.regularization.upper()}, rate {cfg.reg_rate:g}")
    hidden = (f"hidden activation {activations.get(cfg.activation).display_name}, "
              if run.hidden else "no hidden layer, ")
    inputs = ("" if not run.features else
              "\n            inputs      the input features "
              + ", ".join(features.label(name) for name in run.features)
              + ", computed from the raw inputs")
    return _code(f'''
        """Costscape: the code behind the run.

        This script repeats one training run of the app with numpy alone, step by step:

            data        {source} ({len(data.X_train)} training examples, {data.n_features} input{"s" if data.n_features > 1 else ""}, {data.task}){inputs}
            network     {" → ".join(map(str, run.sizes))}, {hidden}output {activations.get(run.output).display_name}
            cost        {run.loss.display_name}, regularization: {reg}
            optimizer   {opt.display_name}, learning rate {cfg.learning_rate:g}{", " + settings if settings else ""}, batch size {cfg.batch_size}
            weights     {network.INIT_DESCRIPTIONS[cfg.init].split(":")[0]}, seed {cfg.seed}

        The cost function is in section 4 and its derivative, where backpropagation starts, in
        section 5. Run it with `python <this file>`: it prints the cost on the training data as it
        trains, and the same numbers as the app.
        """
    ''') + "".join(f"\nimport {module}" for module in imports)


def _data_section(run: _Run) -> str:
    data, cfg = run.data, run.config
    label = "labels" if run.one_hot else "y"
    if data.task == "regression":
        what = "target"
    else:
        what = ("class label (0 or 1)" if data.n_classes == 2
                else f"class label (0 to {data.n_classes - 1})")
    out = [BANNERS[0]]
    if not run.custom:
        out.append(f"# {cfg.dataset}: {datasets.describe(cfg.dataset)}")
    if run.generated:
        out.append(_generated_data(run, label))
    else:
        n_train = len(data.X_train)
        made = "" if run.custom or cfg.dataset == "xor_table" else (
            f", as the app made them (seed {cfg.seed}, noise {cfg.noise:g})")
        inputs = f"{data.n_features} input{'s' if data.n_features > 1 else ''}"
        out.append(f"# The {n_train} training examples{made}.")
        out.append(f"# X_train: one example per row ({inputs}); {label}_train: the {what} of "
                   f"each row.")
        out.append(_matrix("X_train", data.X_train, f"({n_train}, {data.n_features})"))
        out.append(_column(f"{label}_train", data.y_train, f"({n_train}, 1)"))
        if not run.with_test:
            out.append("# The test examples are left out to keep this script short: training "
                       "uses only the training examples.")
        elif (data.X_test.shape == data.X_train.shape and np.array_equal(data.X_test, data.X_train)
              and np.array_equal(data.y_test, data.y_train)):
            out.append(f"X_test, {label}_test = X_train, {label}_train   "
                       f"# the test examples are the same rows")
        else:
            n_test = len(data.X_test)
            out.append(f"# The {n_test} test examples: not used for training; the cost on them "
                       f"is printed at the end.")
            out.append(_matrix("X_test", data.X_test, f"({n_test}, {data.n_features})"))
            out.append(_column(f"{label}_test", data.y_test, f"({n_test}, 1)"))
    if run.one_hot:
        k = data.n_classes
        parts = ["train", "test"] if run.with_test else ["train"]
        out.append(f"# One-hot targets for the network's {k} outputs: each row has a 1 in the "
                   f"column of its class.")
        out.extend(f"y_{part} = np.eye({k})[labels_{part}[:, 0].astype(int)]   # (n, {k})"
                   for part in parts)
    elif data.task == "multiclass":
        out.append("# The loss reads the class labels directly (no one-hot targets needed).")
    if run.features:
        out += ["", "", _features_code(run)]
        out.append(f"X_train = input_features(X_train)   # (n, {run.n_inputs}): from here on the "
                   f"network's inputs")
        if run.with_test:
            out.append("X_test = input_features(X_test)")
    return "\n".join(out)


#: Input feature (core.features) -> the numpy expression the script computes it with, from the
#: raw input columns x1 = X[:, 0] and x2 = X[:, 1] (the same arithmetic as core.features).
_FEATURE_CODE = {
    "x1": "x1", "x2": "x2", "x1^2": "x1 ** 2", "x2^2": "x2 ** 2", "x1*x2": "x1 * x2",
    "sin_x1": "np.sin(x1)", "sin_x2": "np.sin(x2)",
}


def _features_code(run: _Run) -> str:
    """The input features: a function from raw inputs to the network's inputs."""
    names, d = run.features, run.data.n_features
    labels = ", ".join(features.label(name) for name in names)
    raw = "x₁" if d == 1 else "x₁, x₂"
    columns = "x1 = X[:, 0]" if d == 1 else "x1, x2 = X[:, 0], X[:, 1]"
    n = len(names)
    comment = (f"Input features: the network does not see the raw input{'s' if d > 1 else ''} "
               f"({raw}) but {n} number{'s' if n > 1 else ''} computed from "
               f"{'them' if d > 1 else 'it'}: {labels}. As in the Neural Network Playground, what "
               f"is curved in the raw inputs can be linear in these features, so even a network "
               f"without hidden layers can fit it.")
    return "\n".join([
        textwrap.fill(comment, LINE_WIDTH, initial_indent="# ", subsequent_indent="# "),
        _code(f'''
            def input_features(X):
                """The network's inputs (n, {n}) from the raw inputs X (n, {d}): {labels}."""
                {columns}
                return np.column_stack([{", ".join(_FEATURE_CODE[name] for name in names)}])
        '''),
        "",
        "",
    ])


def _generated_data(run: _Run, label) -> str:
    cfg, name = run.config, run.config.dataset
    generator = datasets._SETS[name][2].__name__
    needed = [generator, "_split"] + (["_add_outliers"] if name == "sine" else [])
    code = _dataset_source(needed)
    lines = [
        f"# The {name} data set has {cfg.n_samples} examples, too many to list here, so the script",
        "# makes them with the app's own code (core/datasets.py) and the same seed: the same numbers.",
    ]
    lines += ["", code, "", "",
              f"N_SAMPLES, NOISE, SEED, TRAIN_FRACTION = {cfg.n_samples}, {_number(cfg.noise)}, "
              f"{cfg.seed}, {_number(cfg.train_fraction)}",
              "rng = np.random.default_rng(SEED)",
              f"X, y = {generator}(rng, N_SAMPLES, NOISE)",
              f"X_train, {label}_train, X_test, {label}_test = _split(rng, X, y, TRAIN_FRACTION)"]
    if name == "sine":
        lines.append(f"{label}_train = _add_outliers(rng, {label}_train)   "
                     f"# outliers in the training examples only")
    return "\n".join(lines)


def _dataset_source(names) -> str:
    """Source of the named top-level definitions of core.datasets and what they use, in order."""
    source = inspect.getsource(datasets)
    top = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            top[node.name] = node
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and isinstance(node.targets[0], ast.Name)):
            top[node.targets[0].id] = node
    order = []

    def visit(name):
        if name in order:
            return
        for sub in ast.walk(top[name]):
            if isinstance(sub, ast.Name) and sub.id in top and sub.id != name:
                visit(sub.id)
        order.append(name)

    for name in names:
        visit(name)
    return "\n\n\n".join(ast.get_source_segment(source, top[name]) for name in order)


def _weights_section(run: _Run) -> str:
    cfg, sizes = run.config, run.sizes
    out = [BANNERS[1],
           "# Layer l turns its inputs a (n, inputs) into z = a @ Wl + bl (n, neurons), then applies",
           "# its activation. The weights start random, drawn from one generator layer after layer;",
           f"# {network.INIT_DESCRIPTIONS[cfg.init]}.",
           f"rng = np.random.default_rng({cfg.seed})"]
    n_layers = len(sizes) - 1
    for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        where = "the output layer" if layer == n_layers - 1 else f"hidden layer {layer + 1}"
        shape = f"({n_in}, {n_out})"
        if cfg.init == "xavier":
            out.append(f"limit = np.sqrt(6.0 / ({n_in} + {n_out}))")
            draw = f"rng.uniform(-limit, limit, size={shape})"
        elif cfg.init == "he":
            draw = f"rng.normal(0.0, np.sqrt(2.0 / {n_in}), size={shape})"
        elif cfg.init == "uniform":
            draw = f"rng.uniform(-0.5, 0.5, size={shape})"
        else:
            draw = f"np.zeros({shape})"
        bias = f"np.full({n_out}, 0.1)" if cfg.init == "uniform" else f"np.zeros({n_out})"
        neurons = f"{n_out} neuron{'s' if n_out > 1 else ''}"
        out.append(f"W{layer} = {draw}   # {shape}: {n_in} inputs → {neurons} of {where}")
        out.append(f"b{layer} = {bias}   # ({n_out},)")
        if layer == n_layers - 1:
            continue
        if run.hidden == "prelu":
            out.append(f"s{layer} = np.full({n_out}, {network.PRELU_INITIAL_SLOPE!r})   # "
                       f"({n_out},): the PReLU slopes of {where}, learned too")
        elif run.hidden == "maxout":
            out.append(f"W{layer}_2 = {draw}   # {shape}: the second maxout piece's weights")
            out.append(f"b{layer}_2 = {bias}   # ({n_out},): and its biases")
    names, hidden = range(n_layers), range(n_layers - 1)
    out.append(f"Ws = [{', '.join(f'W{i}' for i in names)}]   # the weights of every layer")
    out.append(f"bs = [{', '.join(f'b{i}' for i in names)}]   # the biases of every layer")
    if run.hidden == "prelu":
        out.append(f"slopes = [{', '.join(f's{i}' for i in hidden)}]   # the PReLU slopes of "
                   f"every hidden layer")
    elif run.hidden == "maxout":
        out.append(f"Ws_2 = [{', '.join(f'W{i}_2' for i in hidden)}]   # the second pieces of "
                   f"every hidden layer")
        out.append(f"bs_2 = [{', '.join(f'b{i}_2' for i in hidden)}]")
    return "\n".join(out)


def _activation_code(run: _Run) -> str:
    """The activations' functions, and the backward ones that backpropagation uses."""
    chunks, done = [], set()

    def add(key, text):
        if key not in done:
            done.add(key)
            chunks.append(_code(text))

    used = [run.hidden] if run.hidden else []
    if run.output not in used:
        used.append(run.output)
    for name in used:
        forward, backward, needs = _ACTIVATIONS[name]
        for need in needs:
            add(need, _ACTIVATIONS[need][0])
        add(name, forward)
        if name == run.hidden or run.fused is None:
            add(name + "_backward", backward)
    return "\n\n\n".join(chunks)


def _forward_section(run: _Run) -> str:
    if run.hidden == run.output or run.hidden is None:
        apply = f"{run.output}(z[-1])"
        layers = f"every layer uses {run.output}" if run.hidden else f"the layer uses {run.output}"
    else:
        hidden = "prelu(z[-1], slopes[l])" if run.hidden == "prelu" else f"{run.hidden}(z[-1])"
        apply = f"{hidden} if l < len(Ws) - 1 else {run.output}(z[-1])"
        layers = f"hidden layers use {run.hidden}, the output layer {run.output}"
    n_in, n_out = run.sizes[0], run.sizes[-1]
    if run.hidden == "maxout":
        layer_code = f"""
                if l < len(Ws) - 1:   # a maxout layer: two affine pieces, stacked on a last axis
                    z.append(np.stack([a[l] @ Ws[l] + bs[l], a[l] @ Ws_2[l] + bs_2[l]], axis=-1))
                    a.append(maxout(z[-1]))
                else:
                    z.append(a[l] @ Ws[l] + bs[l])
                    a.append({run.output}(z[-1]))"""
        shapes = ("pre-activation z[l] = a[l] @ Ws[l] + bs[l] and its output a[l + 1] = f(z[l])\n"
                  "            (a maxout layer's z[l] holds both pieces: (n, neurons, 2)).")
    else:
        layer_code = f"""
                z.append(a[l] @ Ws[l] + bs[l])
                a.append({apply})"""
        shapes = "pre-activation z[l] = a[l] @ Ws[l] + bs[l] and its output a[l + 1] = f(z[l])."
    return "\n".join([BANNERS[2], f"# The activations ({layers}) and their derivatives,",
                      "# the *_backward functions that backpropagation uses (section 6).", "",
                      _activation_code(run), "", "", _code(f'''
        def forward(X):
            """Run the examples X (n, {n_in}) through the network, layer by layer.

            Returns the lists a and z: a[0] = X is the input, and layer l turns a[l] into the
            {shapes}
            a[-1] = ŷ (n, {n_out}) is the prediction.
            """
            a, z = [X], []
            for l in range(len(Ws)):{layer_code}
            return a, z


        def predict(X):
            """The network's prediction ŷ for the examples X."""
            return forward(X)[0][-1]
    ''')])


def _cost_section(run: _Run) -> str:
    cost, _, helpers = _LOSSES[run.loss.name]
    out = [BANNERS[3], f"# {run.loss.display_name}. The loss of one example: {run.loss.formula}",
           "# The cost: " + ("the root of the mean of the examples' squared errors."
                             if run.loss.name == "rmse" else "the mean of the n examples' losses.")]
    for helper in helpers:
        out += [helper, "", ""]
    if not helpers:
        out.append("")
    out.append(_code(cost))
    if run.loss.name != "rmse":
        out += ["", "", _MEAN_COST]
    rate = run.config.reg_rate
    # Maxout's second pieces are weights too; PReLU's slopes, like biases, are not penalized.
    weights, which = (("Ws + Ws_2", "weights of every layer and maxout piece")
                      if run.hidden == "maxout" else ("Ws", "weights of every layer"))
    if run.regularization == "l2":
        out += ["", "", _constant("L2_RATE", rate, "λ: the weight of the L2 penalty"), "", "",
                _code(f'''
            def regularization():
                """L2 penalty (λ/2)·ΣW² over the {which} (biases are not penalized)."""
                return 0.5 * L2_RATE * sum(np.sum(W * W) for W in {weights})
        ''')]
    elif run.regularization == "l1":
        out += ["", "", _constant("L1_RATE", rate, "λ: the weight of the L1 penalty"), "", "",
                _code(f'''
            def regularization():
                """L1 penalty λ·Σ|W| over the {which} (biases are not penalized)."""
                return L1_RATE * sum(np.sum(np.abs(W)) for W in {weights})
        ''')]
    if run.regularization == "none":
        why = ("" if run.config.regularization == "none"
               else f" ({run.config.regularization.upper()} with rate 0)")
        out += ["", "", f"# This run has no regularization{why}: the cost is the mean loss "
                        "alone.", _code('''
            def total_cost(X, y):
                """The cost of the network's predictions for the examples (X, y)."""
                return float(cost(y, predict(X)))
        ''')]
    else:
        out += ["", "", _code('''
            def total_cost(X, y):
                """The cost of the network on the examples (X, y): mean loss + regularization."""
                return float(cost(y, predict(X)) + regularization())
        ''')]
    return "\n".join(out)


def _derivative_section(run: _Run) -> str:
    out = [BANNERS[4]]
    if run.fused is not None:
        out += ["# For this pair of output activation and cost, the chain rule simplifies.",
                _code(run.fused)]
    else:
        _, derivative, _ = _LOSSES[run.loss.name]
        out += [_code(derivative), "", "", _code(f'''
            def output_delta(y, y_hat, z):
                """d cost / d z of the output layer, the delta backpropagation starts from:
                d cost/d ŷ times the derivative of the output activation (the chain rule)."""
                return {run.output}_backward(cost_derivative(y, y_hat), z, y_hat)
        ''')]
    return "\n".join(out)


def _penalty_gradient(run: _Run, weights, grads) -> str:
    """The lines adding the regularization's gradient to ``grads`` (those of ``weights``)."""
    if run.regularization == "l2":
        return f"""
            for l in range(len({weights})):
                {grads}[l] += L2_RATE * {weights}[l]   # d/dW of (λ/2)·ΣW²"""
    if run.regularization == "l1":
        return f"""
            for l in range(len({weights})):
                {grads}[l] += L1_RATE * np.sign({weights}[l])   # d/dW of λ·Σ|W|"""
    return ""


def _backprop_section(run: _Run) -> str:
    reg = _penalty_gradient(run, "Ws", "dWs")
    if run.hidden == "maxout":
        reg += _penalty_gradient(run, "Ws_2", "dWs_2")
        return "\n".join([BANNERS[5], _code(f'''
        def gradients(X, y):
            """Gradients of the cost on the examples (X, y) for every W and b, and for the second
            maxout pieces W_2 and b_2 of the hidden layers, by backpropagation."""
            a, z = forward(X)
            delta = output_delta(y, a[-1], z[-1])   # section 5: d cost / d z of the output layer
            dWs, dbs = [None] * len(Ws), [None] * len(bs)
            dWs_2, dbs_2 = [None] * len(Ws_2), [None] * len(bs_2)
            out = len(Ws) - 1
            dWs[out] = a[out].T @ delta        # d cost / d Ws[out], shaped like Ws[out]
            dbs[out] = delta.sum(axis=0)       # d cost / d bs[out], shaped like bs[out]
            grad_a = delta @ Ws[out].T         # d cost / d a: the last hidden layer's output
            for l in reversed(range(out)):     # the maxout layers, from the last one back
                d1, d2 = maxout_backward(grad_a, z[l])   # d cost / d z of each piece
                dWs[l], dbs[l] = a[l].T @ d1, d1.sum(axis=0)
                dWs_2[l], dbs_2[l] = a[l].T @ d2, d2.sum(axis=0)
                if l > 0:   # both pieces pass the gradient back to layer l − 1's output
                    grad_a = d1 @ Ws[l].T + d2 @ Ws_2[l].T{reg}
            return dWs, dbs, dWs_2, dbs_2
        ''')])
    if run.hidden == "prelu":
        back = """
                if l > 0:   # back through Ws[l] and the PReLU of layer l − 1, whose slopes learn too
                    delta, dslopes[l - 1] = prelu_backward(delta @ Ws[l].T, z[l - 1], slopes[l - 1])"""
        start, returned = "\n            dslopes = [None] * len(slopes)", "dWs, dbs, dslopes"
        what = "every W and b, and for the PReLU slopes"
    else:
        back = (f"""
                if l > 0:   # pass the delta back through Ws[l] and the activation of layer l − 1
                    delta = {run.hidden}_backward(delta @ Ws[l].T, z[l - 1], a[l])"""
                if run.hidden else "")
        start, returned, what = "", "dWs, dbs", "every W and b"
    return "\n".join([BANNERS[5], _code(f'''
        def gradients(X, y):
            """Gradients of the cost on the examples (X, y) for {what}, by backpropagation."""
            a, z = forward(X)
            delta = output_delta(y, a[-1], z[-1])   # section 5: d cost / d z of the output layer
            dWs, dbs = [None] * len(Ws), [None] * len(bs){start}
            for l in reversed(range(len(Ws))):
                dWs[l] = a[l].T @ delta        # d cost / d Ws[l], shaped like Ws[l]
                dbs[l] = delta.sum(axis=0)     # d cost / d bs[l], shaped like bs[l]{back}{reg}
            return {returned}
    ''')])


def _update_section(run: _Run) -> str:
    cfg = run.config
    opt = optimizers.optimizer_class(cfg.optimizer)
    settings, state, update = _OPTIMIZERS[cfg.optimizer]
    out = [BANNERS[6].format(optimizer=opt.display_name),
           _constant("LEARNING_RATE", cfg.learning_rate, "η: the step size")]
    out += [_constant(name, getattr(cfg, field), comment) for name, field, comment in settings]
    out.append(" + ".join(("params = Ws + bs",) + run.extra) + "   # every array the optimizer "
               "changes (the arrays themselves, not copies)")
    out += [f"{name} = [np.zeros_like(theta) for theta in params]   # optimizer state, one array "
            f"per parameter array" for name in state]
    out += ["", "", _code(update)]
    return "\n".join(out)


def _loop_section(run: _Run) -> str:
    cfg = run.config
    every = max(1, run.steps // 10)
    grads = ("dWs", "dbs") + tuple(f"d{name}" for name in run.extra)
    call = f"update({' + '.join(grads)}{', t' if cfg.optimizer == 'adam' else ''})"
    out = [BANNERS[7],
           "# Each step trains on a mini-batch of BATCH_SIZE examples taken in a shuffled order; "
           "after each",
           "# pass over the training data (an epoch) the order is shuffled again. The shuffling "
           "has its own",
           f"# random generator, seeded [{cfg.seed}, 1] as in the app.",
           _constant("STEPS", run.steps, "mini-batch updates to run"),
           _constant("BATCH_SIZE", cfg.batch_size, "examples per update"),
           _constant("PRINT_EVERY", every, "print the cost every this many steps"),
           "",
           _code(f'''
        shuffle_rng = np.random.default_rng([{cfg.seed}, 1])
        n_train = len(X_train)
        order = shuffle_rng.permutation(n_train)
        position = 0
        print(f"step      0   train cost {{total_cost(X_train, y_train):.6f}}")
        for t in range(1, STEPS + 1):
            if position >= n_train:   # the epoch is over: shuffle again
                order = shuffle_rng.permutation(n_train)
                position = 0
            batch = order[position:position + BATCH_SIZE]   # the last batch of an epoch may be smaller
            position += BATCH_SIZE
            {', '.join(grads)} = gradients(X_train[batch], y_train[batch])
            {call}
            if t % PRINT_EVERY == 0:
                print(f"step {{t:6d}}   train cost {{total_cost(X_train, y_train):.6f}}")

        print(f"final train cost: {{total_cost(X_train, y_train)!r}}")
    ''')]
    if run.with_test:
        out.append('print(f"final test cost: {total_cost(X_test, y_test)!r}")')
    return "\n".join(out)


def generate_script(config: Config, data=None, steps=1000) -> str:
    """The text of a standalone numpy script that repeats the run ``config`` describes.

    Parameters
    ----------
    config : Config
    data : Dataset, optional
        The data the run trains on when it is not ``config``'s own (as for
        :class:`~core.trainer.Trainer`); always written into the script.
    steps : int >= 0
        Mini-batch updates the script runs.

    Returns
    -------
    str
        Python source that imports only numpy (and math when it generates a large built-in data
        set), prints the training cost every ``steps // 10`` steps and ends with
        ``final train cost: <repr>``: after ``n`` steps, the value of
        ``Trainer(config).step(n); metrics()["train_cost"]``.

    Raises
    ------
    ValueError
        For an output activation PReLU or Maxout (the script shows them in hidden layers),
        input features the data cannot have, or a negative ``steps``.
    """
    run = _Run(config, data, steps)
    data = _data_section(run)
    imports = ("math", "numpy as np") if "math." in data else ("numpy as np",)
    sections = [_header(run, imports), data, _weights_section(run), _forward_section(run),
                _cost_section(run), _derivative_section(run), _backprop_section(run),
                _update_section(run), _loop_section(run)]
    return "\n\n\n".join(sections) + "\n"
