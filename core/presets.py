"""Ready-made experiments: the classics, and pairs that show why a choice matters.

``PRESETS`` is a list of :class:`Preset` ``(name, description, config)``, in menu order; the
menu starts a new section at every name in ``SECTIONS``. Each description says what to watch
for. Pairs differ in exactly one setting (and use the same seed), so what changes on screen is
that setting's doing.

>>> from core.presets import PRESETS, get
>>> get("XOR truth table (2-4-1 sigmoid, MSE, SGD)").config.hidden_layers
(4,)
"""
from __future__ import annotations

from typing import NamedTuple

from core.config import Config


class Preset(NamedTuple):
    name: str
    description: str
    config: Config


_XOR_TABLE = Config(dataset="xor_table", hidden_layers=(4,), activation="sigmoid",
                    output_activation="sigmoid", loss="mse", optimizer="sgd", learning_rate=1.0,
                    batch_size=4)
# MSE vs cross-entropy: identical but for the loss (seed 1: a start where the gap is clear).
_SIGMOID_OUTPUT = dict(dataset="circle", hidden_layers=(4,), activation="tanh",
                       output_activation="sigmoid", optimizer="sgd", learning_rate=0.03,
                       batch_size=10, seed=1)
# The Neural Network Playground's own model (core.playground reads its links into the same).
_PLAYGROUND = Config(dataset="circle", hidden_layers=(4, 2), activation="tanh",
                     output_activation="tanh", loss="mse", signed_targets=True, init="uniform",
                     optimizer="sgd", learning_rate=0.015, batch_size=10)
# Deep nets: identical but for the hidden activation.
_DEEP = dict(dataset="circle", hidden_layers=(8, 8, 8, 8, 8, 8), optimizer="sgd",
             learning_rate=0.1, batch_size=10)
_SINE = dict(dataset="sine", hidden_layers=(16, 16), activation="tanh", optimizer="adam",
             learning_rate=0.01, batch_size=10)

PRESETS = [
    Preset("XOR truth table (2-4-1 sigmoid, MSE, SGD)",
           "The classic small numpy example: the 4 rows of XOR, a 2-4-1 network of sigmoids, "
           "mean squared error and plain gradient descent on the full batch (learning rate 1). "
           "No straight line separates XOR, so the hidden layer is needed; the cost sits on a "
           "plateau for a while before it drops to ~0.",
           _XOR_TABLE),
    Preset("The classic XOR code and its mistake",
           "The same XOR network, trained as the classic numpy XOR code was, mistake included: "
           "backpropagation starts from the loss (ŷ − y)² itself instead of its derivative "
           "2(ŷ − y). A loss is never negative, so every step pushes every output down: all "
           "four drift to 0, whatever their target, and the cost stalls. Open Backpropagation "
           "(Ctrl+B) to see the wrong and the right output deltas side by side and to switch "
           "the mistake off; the gradient check (Ctrl+G) flags it.",
           _XOR_TABLE.replace(classic_mistake=True)),
    Preset("Playground default (circle, tanh 4-2, SGD)",
           "The TensorFlow Neural Network Playground's starting point, its model included: a "
           "disc inside a ring, two hidden layers of 4 and 2 tanh neurons, a tanh output trained "
           "towards the labels −1 and +1 with the squared error, weights drawn from "
           "U(−0.5, 0.5) and biases 0.1, SGD on batches of 10. The Playground's rate 0.03 "
           "appears as 0.015: its squared error carries a factor ½, ours does not, so half the "
           "rate takes the same steps.",
           _PLAYGROUND),
    Preset("Two spirals (tanh 16-16, Adam)",
           "A hard binary problem: two interleaved spirals. Two layers of 16 tanh neurons and "
           "Adam wind the boundary around the arms over a few thousand steps.",
           Config(dataset="spiral", hidden_layers=(16, 16), activation="tanh", optimizer="adam",
                  learning_rate=0.01, batch_size=10)),
    Preset("Three spirals (softmax + cross-entropy)",
           "Multi-class: three spiral arms. The softmax output gives one probability per class "
           "and categorical cross-entropy scores the probability of the right one; the "
           "background blends the class colours by probability.",
           Config(dataset="spiral3", hidden_layers=(16, 16), activation="tanh", optimizer="adam",
                  learning_rate=0.01, batch_size=10)),
    Preset("Sigmoid output + MSE: slow start",
           "Mean squared error on a sigmoid output: the gradient carries the factor "
           "σ′(z) = ŷ(1 − ŷ), which is near 0 when the output saturates, so confidently wrong "
           "points barely pull. Compare the accuracy curve with the cross-entropy preset (same "
           "network, data and seed).",
           Config(**_SIGMOID_OUTPUT, loss="mse")),
    Preset("Sigmoid output + cross-entropy: fast start",
           "Binary cross-entropy on the same sigmoid output: the σ′(z) factor cancels, the "
           "output gradient is simply ŷ − y, and wrong points pull hardest. It reaches 90% "
           "accuracy in about a third of the steps MSE needs.",
           Config(**_SIGMOID_OUTPUT, loss="bce")),
    Preset("Deep sigmoid net: vanishing gradients",
           "Six hidden layers of sigmoids. Each layer multiplies the backpropagated gradient by "
           "σ′(z) ≤ 0.25, so the first layers get almost nothing: the cost stays at "
           "ln 2 ≈ 0.693 (a coin toss). Compare with the ReLU preset.",
           Config(**_DEEP, activation="sigmoid")),
    Preset("Deep ReLU net: learns",
           "The same six-layer network with ReLU: its derivative is 1 for positive inputs, so "
           "the gradient reaches the first layers and the network learns within a few hundred "
           "steps.",
           Config(**_DEEP, activation="relu")),
    Preset("Step activation: no gradient, no learning",
           "The step function (1 if z > 0, else 0) is the original perceptron's. Its derivative "
           "is 0 everywhere (and undefined at 0), so backpropagation carries no signal: gradient "
           "descent never changes a weight and the cost never moves.",
           Config(dataset="circle", hidden_layers=(4, 4), activation="step",
                  output_activation="step", loss="mse", optimizer="sgd", learning_rate=0.03,
                  batch_size=10)),
    Preset("Sine with outliers: MSE is pulled up",
           "One input, y = sin(x) plus a few gross outliers. Squared error weighs a point by its "
           "error squared, so the fitted curve bends up towards the outliers.",
           Config(**_SINE, loss="mse")),
    Preset("Sine with outliers: Huber ignores them",
           "The Huber loss is squared near 0 but grows only linearly beyond |y − ŷ| = 1, so the "
           "outliers pull with a bounded force and the curve follows the sine.",
           Config(**_SINE, loss="huber")),
    Preset("Learning rate too large: diverges",
           "Regression on a plane with SGD at learning rate 3: every step overshoots the minimum "
           "by more than it corrects, the weights grow without bound and training stops with "
           "the divergence message. Lower the learning rate and press reset.",
           Config(dataset="plane", hidden_layers=(4,), activation="tanh", optimizer="sgd",
                  learning_rate=3.0, batch_size=10)),
]

#: Preset name -> title of the menu section that starts there.
SECTIONS = {
    PRESETS[0].name: "Classic examples",
    "Sigmoid output + MSE: slow start": "Why the choices matter",
}


def names() -> list:
    return [p.name for p in PRESETS]


def get(name) -> Preset:
    """The preset called ``name``; KeyError listing the names otherwise."""
    for preset in PRESETS:
        if preset.name == name:
            return preset
    raise KeyError(f"no preset {name!r}; presets: {', '.join(names())}")
