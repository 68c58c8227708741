"""The optimizers as a generated script shows them: one update of every parameter array.

``<name>_update(params, grads, <state>..., lr)`` changes each array of ``params`` in place (so
the network's ``Ws`` and ``bs``, which are those arrays, change too) from its gradient in
``grads``; the optimizer's state arrays (one per parameter array, e.g. Adam's ``m`` and ``v``)
are passed in and updated in place as well, Adam also takes the step number ``t`` = 1, 2, ...,
and ``lr`` is this update's learning rate η (the script's ``lr``, or its schedule's
``learning_rate(k)``). The script names the function ``update``. Same arithmetic as
:mod:`core.optimizers`.

The other hyperparameters are the module's constants below. A script sets them to its run's
values (core.codegen writes them with the descriptions of ``core.optimizers``); the values here
are only there so that this module runs on its own.
"""
import numpy as np

MOMENTUM = 0.9         # μ: how much of the previous step's velocity carries over
RHO = 0.9              # ρ: decay of the running average of g²
BETA1 = 0.9            # β₁: decay of the running mean of g (momentum)
BETA2 = 0.999          # β₂: decay of the running mean of g² (per-weight step size)
EPSILON = 1e-8         # ε: keeps the divisions finite where the running sums are 0


def sgd_update(params, grads, lr):
    """Plain gradient descent: θ ← θ − η·g for every parameter array θ and its gradient g."""
    for theta, g in zip(params, grads):
        theta -= lr * g   # in place, so Ws and bs change too


def momentum_update(params, grads, velocity, lr):
    """Momentum (PyTorch's form): v ← μ·v + g;  θ ← θ − η·v."""
    for theta, g, v in zip(params, grads, velocity):
        v *= MOMENTUM
        v += g
        theta -= lr * v   # in place, so Ws and bs change too


def nesterov_update(params, grads, velocity, lr):
    """Nesterov momentum (PyTorch's form): v ← μ·v + g;  θ ← θ − η·(g + μ·v)."""
    for theta, g, v in zip(params, grads, velocity):
        v *= MOMENTUM
        v += g
        theta -= lr * (g + MOMENTUM * v)   # in place, so Ws and bs change too


def adagrad_update(params, grads, sum_squares, lr):
    """Adagrad: s ← s + g²;  θ ← θ − η·g / (√s + ε): each weight's step shrinks as its
    gradients add up."""
    for theta, g, s in zip(params, grads, sum_squares):
        s += g * g
        theta -= lr * g / (np.sqrt(s) + EPSILON)   # in place, so Ws and bs change too


def rmsprop_update(params, grads, mean_squares, lr):
    """RMSprop: s ← ρ·s + (1 − ρ)·g²;  θ ← θ − η·g / (√s + ε)."""
    for theta, g, s in zip(params, grads, mean_squares):
        s *= RHO
        s += (1.0 - RHO) * g * g
        theta -= lr * g / (np.sqrt(s) + EPSILON)   # in place, so Ws and bs change too


def adam_update(params, grads, m, v, t, lr):
    """Adam, at step t = 1, 2, ...: m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;
    θ ← θ − η·m̂ / (√v̂ + ε) with the bias corrections m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)."""
    for theta, g, m_, v_ in zip(params, grads, m, v):
        m_ *= BETA1
        m_ += (1.0 - BETA1) * g
        v_ *= BETA2
        v_ += (1.0 - BETA2) * g * g
        step_size = lr / (1.0 - BETA1 ** t)   # η / (1 − β₁ᵗ): m̂'s correction
        v_hat = v_ / (1.0 - BETA2 ** t)
        theta -= step_size * m_ / (np.sqrt(v_hat) + EPSILON)   # in place: Ws, bs change too
