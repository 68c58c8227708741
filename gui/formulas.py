"""Every formula the interface shows, as mathtext (rendered by :mod:`gui.widgets.math`).

One notation everywhere:

- ℓ is the loss of one example (for k outputs, a mean over the output columns, or a sum over
  the classes for the cross-entropies, and each formula says which);
- C is the cost that training lowers: the mean of ℓ over the n examples, plus the penalty;
- z = a·W + b is a layer's pre-activation and a = f(z) its output, ŷ the network's output;
- δ = ∂C/∂z, and η is the learning rate.

The activations, losses and optimizers are keyed by their registry names (a test checks every
entry has its formula).
"""
from __future__ import annotations

#: Hidden and output activations: (f(z), f′(z)); a tuple is several lines (the panels' column
#: is narrow).
ACTIVATIONS = {
    "linear": (r"$f(z) = z$", r"$f^{\prime}(z) = 1$"),
    "step": (r"$f(z) = 1$ if $z > 0$, else $0$", r"$f^{\prime}(z) = 0$  (no slope to follow)"),
    "sigmoid": (r"$\sigma(z) = \dfrac{1}{1 + e^{-z}}$",
                r"$\sigma^{\prime}(z) = \sigma(z)\,(1 - \sigma(z))$"),
    "tanh": (r"$\tanh z = \dfrac{e^{z} - e^{-z}}{e^{z} + e^{-z}}$",
             r"$\tanh^{\prime} z = 1 - \tanh^{2} z$"),
    "relu": (r"$f(z) = \max(0,\, z)$", r"$f^{\prime}(z) = 1$ if $z > 0$, else $0$"),
    "leaky_relu": (r"$f(z) = \max(0.01\,z,\; z)$",
                   r"$f^{\prime}(z) = 1$ if $z > 0$, else $0.01$"),
    "elu": (r"$f(z) = z$ if $z > 0$, else $e^{z} - 1$",
            r"$f^{\prime}(z) = 1$ if $z > 0$, else $e^{z}$"),
    "selu": ((r"$f(z) = \lambda z$ if $z > 0$, else $\lambda\alpha\,(e^{z} - 1)$",
              r"$\alpha \approx 1.6733,\ \lambda \approx 1.0507$"),
             r"$f^{\prime}(z) = \lambda$ if $z > 0$, else $\lambda\alpha\, e^{z}$"),
    "softplus": (r"$f(z) = \ln(1 + e^{z})$", r"$f^{\prime}(z) = \sigma(z)$"),
    "swish": (r"$f(z) = z\,\sigma(z)$",
              r"$f^{\prime}(z) = \sigma(z)\,\left(1 + z\,(1 - \sigma(z))\right)$"),
    "gelu": ((r"$f(z) = \dfrac{z}{2}\,\left(1 + t\right)$",
              r"$t = \tanh\left(\sqrt{2/\pi}\,(z + 0.044715\,z^{3})\right)$"),
             (r"$f^{\prime}(z) = \dfrac{1 + t}{2} + \dfrac{z}{2}\,(1 - t^{2})\,s$",
              r"$s = \sqrt{2/\pi}\,(1 + 0.134145\,z^{2})$")),
    "mish": (r"$f(z) = z\,\tanh(\ln(1 + e^{z}))$",
             (r"$f^{\prime}(z) = t + z\,(1 - t^{2})\,\sigma(z)$",
              r"$t = \tanh(\ln(1 + e^{z}))$")),
    "sin": (r"$f(z) = \sin z$", r"$f^{\prime}(z) = \cos z$"),
    "gaussian": (r"$f(z) = e^{-z^{2}}$", r"$f^{\prime}(z) = -2z\,e^{-z^{2}}$"),
    "softsign": (r"$f(z) = \dfrac{z}{1 + |z|}$", r"$f^{\prime}(z) = \dfrac{1}{(1 + |z|)^{2}}$"),
    "arctan": (r"$f(z) = \arctan z$", r"$f^{\prime}(z) = \dfrac{1}{1 + z^{2}}$"),
    "softmax": (r"$\hat{y}_{j} = \dfrac{e^{z_{j}}}{\sum_{m}\, e^{z_{m}}}$",
                (r"$\dfrac{\partial \hat{y}_{j}}{\partial z_{m}} = \hat{y}_{j}\,"
                 r"(\mathbb{1}_{j = m} - \hat{y}_{m})$", "(a Jacobian, not elementwise)")),
    "prelu": ((r"$f(z) = z$ if $z > 0$, else $a\,z$", r"($a$ learned per neuron, from 0.25)"),
              (r"$f^{\prime}(z) = 1$ if $z > 0$, else $a$",
               r"$\dfrac{\partial f}{\partial a} = z$ if $z \leq 0$, else $0$")),
    "maxout": (r"$f = \max(z^{(1)}, z^{(2)}),\ z^{(p)} = a\,W^{(p)} + b^{(p)}$",
               (r"$\dfrac{\partial f}{\partial z^{(p)}} = 1$ for the larger piece,",
                r"and $0$ for the other")),
}

#: Losses: (ℓ of one example, its derivative ∂ℓ/∂ŷ). j runs over the k outputs (or classes).
LOSSES = {
    "me": (r"$\ell = \dfrac{1}{k}\sum_{j}\, (y_{j} - \hat{y}_{j})$",
           r"$\dfrac{\partial \ell}{\partial \hat{y}_{j}} = -\dfrac{1}{k}$"),
    "mse": (r"$\ell = \dfrac{1}{k}\sum_{j}\, (y_{j} - \hat{y}_{j})^{2}$",
            r"$\dfrac{\partial \ell}{\partial \hat{y}_{j}} = \dfrac{2}{k}\,(\hat{y}_{j} - y_{j})$"),
    "mae": (r"$\ell = \dfrac{1}{k}\sum_{j}\, |y_{j} - \hat{y}_{j}|$",
            r"$\dfrac{\partial \ell}{\partial \hat{y}_{j}} = \dfrac{1}{k}\,"
            r"\mathrm{sign}(\hat{y}_{j} - y_{j})$"),
    "rmse": (r"$\ell = \dfrac{1}{k}\sum_{j}\, (y_{j} - \hat{y}_{j})^{2}$",
             r"$\dfrac{\partial C}{\partial \hat{y}_{ij}} = "
             r"\dfrac{\hat{y}_{ij} - y_{ij}}{n\,k\,C}$"),
    "msle": (r"$\ell = \dfrac{1}{k}\sum_{j}\, (\ln(1 + \hat{y}_{j}) - \ln(1 + y_{j}))^{2}$",
             r"$\dfrac{\partial \ell}{\partial \hat{y}_{j}} = \dfrac{2}{k}\,"
             r"\dfrac{\ln(1 + \hat{y}_{j}) - \ln(1 + y_{j})}{1 + \hat{y}_{j}}$"),
    "huber": ((r"$\ell = \dfrac{1}{k}\sum_{j}\, h(\hat{y}_{j} - y_{j})$",
               r"$h(e) = \dfrac{1}{2}e^{2}$ if $|e| \leq 1$, else $|e| - \dfrac{1}{2}$"),
              r"$\dfrac{\partial \ell}{\partial \hat{y}_{j}} = \dfrac{1}{k}\,"
              r"\mathrm{clip}(\hat{y}_{j} - y_{j},\, -1,\, 1)$"),
    "log_cosh": (r"$\ell = \dfrac{1}{k}\sum_{j}\, \ln\cosh(\hat{y}_{j} - y_{j})$",
                 r"$\dfrac{\partial \ell}{\partial \hat{y}_{j}} = \dfrac{1}{k}\,"
                 r"\tanh(\hat{y}_{j} - y_{j})$"),
    "bce": (r"$\ell = -\dfrac{1}{k}\sum_{j}\, [\,y_{j}\ln\hat{y}_{j} + "
            r"(1 - y_{j})\ln(1 - \hat{y}_{j})\,]$",
            r"$\dfrac{\partial \ell}{\partial \hat{y}_{j}} = \dfrac{1}{k}\,\left("
            r"\dfrac{1 - y_{j}}{1 - \hat{y}_{j}} - \dfrac{y_{j}}{\hat{y}_{j}}\right)$"),
    "cce": (r"$\ell = -\sum_{j}\, y_{j}\ln\hat{y}_{j}$  (a sum over the classes)",
            r"$\dfrac{\partial \ell}{\partial \hat{y}_{j}} = -\dfrac{y_{j}}{\hat{y}_{j}}$"),
    "sparse_cce": (r"$\ell = -\ln\hat{y}_{c}$  ($c$: the example's class)",
                   r"$\dfrac{\partial \ell}{\partial \hat{y}_{c}} = -\dfrac{1}{\hat{y}_{c}}$, "
                   r"$0$ for the other classes"),
    "hinge": (r"$\ell = \dfrac{1}{k}\sum_{j}\, \max(0,\, 1 - t_{j}\hat{y}_{j}),\ t = \pm 1$",
              r"$\dfrac{\partial \ell}{\partial \hat{y}_{j}} = -\dfrac{t_{j}}{k}$ if "
              r"$t_{j}\hat{y}_{j} < 1$, else $0$"),
    "squared_hinge": (r"$\ell = \dfrac{1}{k}\sum_{j}\, \max(0,\, 1 - t_{j}\hat{y}_{j})^{2},\ "
                      r"t = \pm 1$",
                      r"$\dfrac{\partial \ell}{\partial \hat{y}_{j}} = -\dfrac{2\,t_{j}}{k}\,"
                      r"\max(0,\, 1 - t_{j}\hat{y}_{j})$"),
    "kl_div": (r"$\ell = \sum_{j}\, y_{j}\ln\dfrac{y_{j}}{\hat{y}_{j}}$  (a sum over the classes)",
               r"$\dfrac{\partial \ell}{\partial \hat{y}_{j}} = -\dfrac{y_{j}}{\hat{y}_{j}}$"),
}

#: Optimizers: the update, one line per equation (g = ∂C/∂θ of the mini-batch).
OPTIMIZERS = {
    "sgd": (r"$\theta \leftarrow \theta - \eta\, g$",),
    "momentum": (r"$v \leftarrow \mu\, v + g$", r"$\theta \leftarrow \theta - \eta\, v$"),
    "nesterov": (r"$v \leftarrow \mu\, v + g$",
                 r"$\theta \leftarrow \theta - \eta\, (g + \mu\, v)$"),
    "adagrad": (r"$s \leftarrow s + g^{2}$",
                r"$\theta \leftarrow \theta - \eta\, \dfrac{g}{\sqrt{s} + \epsilon}$"),
    "rmsprop": (r"$s \leftarrow \rho\, s + (1 - \rho)\, g^{2}$",
                r"$\theta \leftarrow \theta - \eta\, \dfrac{g}{\sqrt{s} + \epsilon}$"),
    "adam": (r"$m \leftarrow \beta_{1} m + (1 - \beta_{1})\, g$",
             r"$v \leftarrow \beta_{2} v + (1 - \beta_{2})\, g^{2}$",
             r"$\theta \leftarrow \theta - \eta\, \dfrac{\hat{m}}{\sqrt{\hat{v}} + \epsilon},\quad "
             r"\hat{m} = \dfrac{m}{1 - \beta_{1}^{t}},\ \hat{v} = \dfrac{v}{1 - \beta_{2}^{t}}$"),
}

#: The penalty added to the mean loss, by Config.regularization (λ the rate).
PENALTIES = {"none": "", "l1": r" + \lambda \sum |w|", "l2": r" + \dfrac{\lambda}{2} \sum w^{2}"}


def cost(loss_name, regularization="none") -> str:
    """C as the mean of ℓ over the n examples (RMSE: the root of that mean), plus the penalty."""
    mean = r"\dfrac{1}{n}\sum_{i=1}^{n}\, \ell_{i}"
    data = rf"\sqrt{{{mean}}}" if loss_name == "rmse" else mean
    return f"$C = {data}{PENALTIES[regularization]}$"


def _lines(formula) -> tuple:
    return (formula,) if isinstance(formula, str) else tuple(formula)


def activation_equation(name) -> tuple:
    """f(z) of activation ``name``: its lines."""
    return _lines(ACTIVATIONS[name][0])


def activation_derivative(name) -> tuple:
    """f′(z) of activation ``name``: its lines."""
    return _lines(ACTIVATIONS[name][1])


def loss_equation(name) -> tuple:
    """ℓ of loss ``name`` for one example: its lines."""
    return _lines(LOSSES[name][0])


def loss_derivative(name) -> tuple:
    """∂ℓ/∂ŷ of loss ``name`` (RMSE: ∂C/∂ŷ, its cost being no mean of losses): its lines."""
    return _lines(LOSSES[name][1])
