"""The activations as a generated script shows them, each with the chain rule through it.

``<name>(z)`` is the activation f, elementwise (maxout and softmax: over the last axis);
``<name>_backward(grad_a, z, a)`` turns d cost/d a into d cost/d z = d cost/d a · f'(z), given
the layer's pre-activations ``z`` and outputs ``a = f(z)``. PReLU takes its learned slopes too
and returns the gradient for them; maxout returns one gradient per piece. Same arithmetic as
:mod:`core.activations`.
"""
import numpy as np


def linear(z):
    """Linear (identity): f(z) = z."""
    return z


def linear_backward(grad_a, z, a):
    """Chain rule through linear: f'(z) = 1, so d cost/d z = d cost/d a."""
    return grad_a


def step(z):
    """Step: f(z) = 1 if z > 0 else 0."""
    return (z > 0).astype(float)


def step_backward(grad_a, z, a):
    """Chain rule through step: f'(z) = 0 everywhere, so no gradient flows back.

    (That is why gradient descent cannot train a network of steps.)
    """
    return np.zeros_like(grad_a)


def sigmoid(z):
    """Sigmoid σ(z) = 1 / (1 + e^(−z)), computed so that exp never overflows."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_backward(grad_a, z, a):
    """Chain rule through sigmoid: σ'(z) = σ(z)·(1 − σ(z)) = a·(1 − a)."""
    return grad_a * a * (1.0 - a)


def tanh(z):
    """Hyperbolic tangent: f(z) = (e^z − e^(−z)) / (e^z + e^(−z))."""
    return np.tanh(z)


def tanh_backward(grad_a, z, a):
    """Chain rule through tanh: f'(z) = 1 − tanh²(z) = 1 − a²."""
    return grad_a * (1.0 - a * a)


def relu(z):
    """ReLU: f(z) = max(0, z)."""
    return np.maximum(z, 0.0)


def relu_backward(grad_a, z, a):
    """Chain rule through ReLU: f'(z) = 1 if z > 0 else 0."""
    return grad_a * (z > 0)


def leaky_relu(z):
    """Leaky ReLU: f(z) = z if z > 0 else 0.01·z."""
    return np.where(z > 0, z, 0.01 * z)


def leaky_relu_backward(grad_a, z, a):
    """Chain rule through leaky ReLU: f'(z) = 1 if z > 0 else 0.01."""
    return grad_a * np.where(z > 0, 1.0, 0.01)


def elu(z):
    """ELU: f(z) = z if z > 0 else e^z − 1 (exp only sees z ≤ 0, so it cannot overflow)."""
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))


def elu_backward(grad_a, z, a):
    """Chain rule through ELU: f'(z) = 1 if z > 0 else e^z."""
    return grad_a * np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0)))


SELU_ALPHA = 1.6732632423543772   # α and λ of Klambauer et al. (2017)
SELU_SCALE = 1.0507009873554805


def selu(z):
    """SELU: f(z) = λ·(z if z > 0 else α·(e^z − 1))."""
    return SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def selu_backward(grad_a, z, a):
    """Chain rule through SELU: f'(z) = λ if z > 0 else λ·α·e^z."""
    return grad_a * (SELU_SCALE * np.where(z > 0, 1.0,
                                           SELU_ALPHA * np.exp(np.minimum(z, 0.0))))


def softplus(z):
    """Softplus: f(z) = ln(1 + e^z)."""
    return np.logaddexp(0.0, z)


def softplus_backward(grad_a, z, a):
    """Chain rule through softplus: f'(z) = σ(z)."""
    return grad_a * sigmoid(z)


def swish(z):
    """Swish (SiLU): f(z) = z·σ(z)."""
    return z * sigmoid(z)


def swish_backward(grad_a, z, a):
    """Chain rule through swish: f'(z) = σ(z)·(1 + z·(1 − σ(z)))."""
    s = sigmoid(z)
    return grad_a * (s * (1.0 + z * (1.0 - s)))


GELU_C = np.sqrt(2.0 / np.pi)   # √(2/π)


def gelu(z):
    """GELU (tanh approximation): f(z) = ½·z·(1 + tanh(u)), u = √(2/π)·(z + 0.044715·z³)."""
    return 0.5 * z * (1.0 + np.tanh(GELU_C * (z + 0.044715 * z**3)))


def gelu_backward(grad_a, z, a):
    """Chain rule through GELU, u as in gelu:
    f'(z) = ½·(1 + tanh u) + ½·z·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·z²)."""
    t = np.tanh(GELU_C * (z + 0.044715 * z**3))
    return grad_a * (0.5 * (1.0 + t)
                     + 0.5 * z * (1.0 - t * t) * GELU_C * (1.0 + 3 * 0.044715 * z * z))


def mish(z):
    """Mish: f(z) = z·tanh(ln(1 + e^z))."""
    return z * np.tanh(np.logaddexp(0.0, z))


def mish_backward(grad_a, z, a):
    """Chain rule through mish: f'(z) = tanh(sp) + z·(1 − tanh²(sp))·σ(z), sp = ln(1 + e^z)."""
    t = np.tanh(np.logaddexp(0.0, z))
    return grad_a * (t + z * (1.0 - t * t) * sigmoid(z))


def sin(z):
    """Sine: f(z) = sin(z)."""
    return np.sin(z)


def sin_backward(grad_a, z, a):
    """Chain rule through sine: f'(z) = cos(z)."""
    return grad_a * np.cos(z)


def gaussian(z):
    """Gaussian bump: f(z) = e^(−z²)."""
    return np.exp(-z * z)


def gaussian_backward(grad_a, z, a):
    """Chain rule through the Gaussian: f'(z) = −2z·e^(−z²)."""
    return grad_a * (-2.0 * z * np.exp(-z * z))


def softsign(z):
    """Softsign: f(z) = z / (1 + |z|)."""
    return z / (1.0 + np.abs(z))


def softsign_backward(grad_a, z, a):
    """Chain rule through softsign: f'(z) = 1 / (1 + |z|)²."""
    return grad_a * (1.0 / (1.0 + np.abs(z)) ** 2)


def arctan(z):
    """Arctangent: f(z) = arctan(z)."""
    return np.arctan(z)


def arctan_backward(grad_a, z, a):
    """Chain rule through arctan: f'(z) = 1 / (1 + z²)."""
    return grad_a * (1.0 / (1.0 + z * z))


def prelu(z, slope):
    """PReLU: f(z) = z if z > 0 else s·z, with a learned slope s per neuron (starts at 0.25)."""
    return np.where(z > 0, z, slope * z)


def prelu_backward(grad_a, z, slope):
    """Chain rule through PReLU, for z and for the slopes: f'(z) = 1 if z > 0 else s, and
    ∂f/∂s = 0 if z > 0 else z, summed over the examples (one slope serves them all)."""
    grad_z = grad_a * np.where(z > 0, 1.0, np.broadcast_to(slope, z.shape))
    grad_slope = (grad_a * np.where(z > 0, 0.0, z)).sum(axis=0)
    return grad_z, grad_slope


def maxout(z):
    """Maxout: each neuron is the larger of its two affine pieces, z[..., 0] and z[..., 1]."""
    return z.max(axis=-1)


def maxout_backward(grad_a, z):
    """Chain rule through maxout: the gradient goes to the winning piece only (ties: the
    first). Returns d cost/d z of piece 1 and of piece 2, each (n, neurons)."""
    first = z[..., 0] >= z[..., 1]
    return grad_a * first, grad_a * ~first


def softmax(z):
    """Softmax over each row: a_i = e^(z_i) / Σ_j e^(z_j) (the row maximum is subtracted first,
    which changes nothing but keeps exp from overflowing)."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(grad_a, z, a):
    """Chain rule through softmax, whose outputs depend on the whole row:
    ∂a_i/∂z_j = a_i·(δ_ij − a_j), so d cost/d z = a·(g − Σ_j g_j·a_j), g = d cost/d a."""
    return a * (grad_a - (grad_a * a).sum(axis=-1, keepdims=True))
