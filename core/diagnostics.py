"""Why a network is not learning: findings in plain words, with the evidence and what to try.

:func:`diagnose` looks at a trainer (:func:`find` at the parts of a run: a network, its
:class:`~core.run.RunArrays`, its history) and returns a list of :class:`Finding`, root causes
first:

============================  ===============================================================
kind                          fires when
============================  ===============================================================
``classic_mistake``           training backpropagates the loss in place of its derivative
                              (``Config.classic_mistake``): every output is pushed down
``symmetric_neurons``         two neurons of a hidden layer have identical weights and bias:
                              they compute the same thing and always get the same gradient
``dead_relus``                half or more of a ReLU layer's units output 0 for every
                              training example (``DEAD_SHARE``)
``saturated_units``           half or more of a sigmoid or tanh layer's units sit on a flat
                              end (slope below 4 % of its maximum) for 95 % of the examples
``exploding_gradients``       a layer's gradient norm is over ``EXPLODING_NORM``, or grows
                              over ``GROWTH_RATIO`` times from the output layer to the first
``vanishing_gradients``       the gradient is 0 everywhere, or the first layer's norm is below
                              ``1/GROWTH_RATIO`` of the output layer's
``oscillation``               the training cost jumps up and down (its middle 80 % spans over
                              ``OSCILLATION_SPREAD`` of its median, and over a quarter of the
                              recorded steps move it by more than 10 %) while the network has
                              not fitted the data
``plateau``                   the training cost has stayed within ``PLATEAU_SPREAD`` for the
                              last ``PLATEAU_EPOCHS`` epochs at the level of a constant answer
============================  ===============================================================

Gradient norms are of the full-batch training cost (loss + regularization), per layer of
weights (its W, b and any activation parameters), from the first layer to the output layer.
The history checks look at the last ``PLATEAU_EPOCHS`` epochs, or at least ``WINDOW_STEPS``
steps and ``WINDOW_ROWS`` recorded rows.
"""
from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np

from core.run import penalties

DEAD_SHARE = 0.5
SATURATED_SHARE = 0.5
#: A unit is saturated on an example where its slope is below this share of the largest.
SATURATED_SLOPE = 0.04
#: ... and saturated when that holds for this share of the training examples.
SATURATED_EXAMPLES = 0.95
EXPLODING_NORM = 1e3
GROWTH_RATIO = 1e2
PLATEAU_EPOCHS = 10
PLATEAU_SPREAD = 0.02
OSCILLATION_SPREAD = 0.4
WINDOW_STEPS, WINDOW_ROWS = 200, 16

KINDS = ("classic_mistake", "symmetric_neurons", "dead_relus", "saturated_units",
         "exploding_gradients", "vanishing_gradients", "oscillation", "plateau")


@dataclasses.dataclass(frozen=True)
class Finding:
    """One reason a run is not learning.

    Attributes
    ----------
    kind : str
        One of ``KINDS``.
    title : str
        A few words, e.g. "Dead ReLUs".
    evidence : str
        What was measured, with the numbers.
    suggestion : str
        What to try, in plain words.
    layers : tuple of int
        The layers of weights concerned (0 = inputs → first hidden layer); empty for the
        history's findings.
    """

    kind: str
    title: str
    evidence: str
    suggestion: str
    layers: tuple = ()

    @property
    def message(self) -> str:
        return f"{self.title}: {self.evidence} {self.suggestion}"


def diagnose(trainer) -> list:
    """The findings for a :class:`~core.trainer.Trainer` now (see :func:`find`)."""
    return find(trainer.network, trainer.arrays, trainer.history_arrays(), trainer.config,
                trainer.data)


def find(network, arrays, history, config, data, gradient=None) -> list:
    """The findings for a run, root causes first (the order of ``KINDS``).

    Parameters
    ----------
    network : Network
        With the weights to examine.
    arrays : RunArrays
    history : dict of arrays
        ``Trainer.history_arrays()``.
    config : Config
    data : Dataset
    gradient : (n_params,) array, optional
        The full-batch gradient at the network's weights, if already computed.
    """
    if gradient is None:
        with np.errstate(all="ignore"):
            gradient = network.gradient(arrays.inputs_train, arrays.targets_train, arrays.loss,
                                        *penalties(config))
    with np.errstate(all="ignore"):
        *outputs, predictions = network.hidden_outputs(arrays.inputs_train)
        # Every example's loss at its lowest (a hinge loss past its margin, a perfect fit):
        # the gradient is 0 because there is nothing left to learn, whatever the activation.
        learned = not np.any(arrays.loss.gradient(arrays.targets_train, predictions))
    findings = [*_mistake(arrays), *_symmetry(network, config), *_dead(outputs, network),
                *_saturated(outputs, network)]
    if not learned:
        findings += _gradients(layer_gradient_norms(gradient, arrays.layout), arrays.layout,
                               network.activation.name, [f.title for f in findings])
    findings += _history(history, config, data, arrays)
    return sorted(findings, key=lambda f: KINDS.index(f.kind))


def _mistake(arrays):
    if arrays.training_loss is arrays.loss:
        return []
    return [Finding("classic_mistake", "The loss in place of its derivative",
                    "Backpropagation starts from each example's loss ℓ itself, where its "
                    "derivative ∂ℓ/∂ŷ belongs (the classic mistake is switched on). A loss is "
                    "never negative, so every step pushes every output the same way, whatever "
                    "its target.",
                    "Switch the classic mistake off (the backpropagation view, Ctrl+B, shows "
                    "the wrong and the right output delta side by side).")]


# --------------------------------------------------------------------------- units
def identical_units(network, layer) -> list:
    """Groups (lists of unit indices, two or more) of hidden ``layer``'s units whose incoming
    weights and bias are exactly equal."""
    block = np.vstack([network.weights[layer], network.biases[layer][None, :]]).T
    groups = {}
    for unit, row in enumerate(block):
        groups.setdefault(row.tobytes(), []).append(unit)
    return [units for units in groups.values() if len(units) > 1]


def dead_share(outputs) -> float:
    """Share of a ReLU layer's units that output 0 for every example; ``outputs`` ``(n, units)``."""
    return float(np.mean((outputs == 0).all(axis=0)))


def saturated_share(outputs, activation) -> float:
    """Share of a sigmoid or tanh layer's units that are saturated (see the module docstring)."""
    slope = 4.0 * outputs * (1.0 - outputs) if activation == "sigmoid" else 1.0 - outputs ** 2
    flat = (slope < SATURATED_SLOPE).mean(axis=0) >= SATURATED_EXAMPLES
    return float(np.mean(flat))


def _layer_words(layers) -> str:
    names = [f"hidden layer {layer + 1}" for layer in layers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _symmetry(network, config):
    layers, details = [], []
    for layer in range(len(network.weights) - 1):
        groups = identical_units(network, layer)
        if groups:
            layers.append(layer)
            twins, size = sum(len(g) for g in groups), network.layer_sizes[layer + 1]
            details.append(f"all {size} neurons of hidden layer {layer + 1} are identical"
                           if twins == size else f"{twins} of the {size} neurons of hidden "
                           f"layer {layer + 1} are copies of one another")
    if not layers:
        return []
    cause = (" The weights started all at zero (init \"zeros\"), so every neuron of a layer "
             "gets the same gradient and they never become different." if config.init == "zeros"
             else "")
    return [Finding("symmetric_neurons", "Symmetric neurons", "; ".join(details).capitalize()
                    + " (the same weights and bias): they compute the same thing, so together "
                    "they are worth one neuron." + cause,
                    "Start from random weights (Xavier or He initialization) and reset.",
                    tuple(layers))]


def _dead(outputs, network):
    if network.activation.name != "relu":
        return []
    shares = [dead_share(a) for a in outputs]
    layers = [i for i, share in enumerate(shares) if share >= DEAD_SHARE]
    if not layers:
        return []
    parts = [f"{shares[i]:.0%} in hidden layer {i + 1}" for i in layers]
    return [Finding("dead_relus", "Dead ReLUs", f"Share of ReLU units that output 0 for every "
                    f"training example: {', '.join(parts)}. A dead unit passes no gradient, so "
                    f"it cannot come back to life.", "Lower the learning rate (a large step "
                    "pushed them below 0), use Leaky ReLU or ELU, or use He initialization, "
                    "then reset.", tuple(layers))]


def _saturated(outputs, network):
    name = network.activation.name
    if name not in ("sigmoid", "tanh"):
        return []
    shares = [saturated_share(a, name) for a in outputs]
    layers = [i for i, share in enumerate(shares) if share >= SATURATED_SHARE]
    if not layers:
        return []
    parts = [f"{shares[i]:.0%} in hidden layer {i + 1}" for i in layers]
    return [Finding("saturated_units", f"Saturated {name} units",
                    f"Share of {name} units stuck on a flat end (slope under "
                    f"{SATURATED_SLOPE:.0%} of its largest) for {SATURATED_EXAMPLES:.0%} of the "
                    f"examples: {', '.join(parts)}. Almost no gradient passes a flat end.",
                    "Lower the learning rate, scale the inputs down, or use Xavier "
                    "initialization, then reset.", tuple(layers))]


# --------------------------------------------------------------------------- gradients
def layer_gradient_norms(gradient, layout) -> np.ndarray:
    """Euclidean norm of each layer's part of a flat gradient (its W, b and any activation
    parameters), ``(n_layers,)``, from the first layer of weights to the output layer; for
    gradients stacked in rows ``(m, n_params)``, those of each row ``(m, n_layers)``."""
    gradient = np.asarray(gradient, dtype=float)
    return np.sqrt(np.add.reduceat(gradient * gradient, _layer_starts(layout), axis=-1))


@functools.lru_cache(maxsize=32)
def _layer_starts(layout) -> list:
    # A layer's blocks are contiguous and start with its W (the trainer asks at every record).
    return [layout.block("W", layer).start for layer in range(layout.n_layers)]


def _gradients(norms, layout, activation, causes):
    if not np.isfinite(norms).all():
        return []
    first, last = norms[0], norms[-1]
    # Layer of weights i feeds column i + 1: "hidden layer 1", ..., "output layer".
    listed = ", ".join(f"{layout.layer_name(i + 1)} {norm:.2g}" for i, norm in enumerate(norms))
    listed = f"Gradient norm of the weights into each layer: {listed}."
    if norms.max() > EXPLODING_NORM or (last > 0 and first > GROWTH_RATIO * last):
        huge = tuple(int(i) for i in np.flatnonzero(norms > EXPLODING_NORM))
        return [Finding("exploding_gradients", "Exploding gradients", listed + " One step "
                        "moves the weights far, and the next gradient is larger still.",
                        "Lower the learning rate, use an adaptive optimizer (Adam, RMSprop), "
                        "add L2 regularization, or start from smaller weights (Xavier).",
                        huge or (0,))]
    flat = ("Use an activation with a slope (tanh, ReLU) instead of a flat one such as the "
            "step function")
    if not norms.any():
        return [Finding("vanishing_gradients", "No gradient", listed + " Every weight's "
                        "gradient is exactly 0, so no weight can change.", flat + ", and make "
                        "sure the weights did not start all equal.", tuple(range(len(norms))))]
    if len(norms) > 1 and first < last / GROWTH_RATIO:
        share = (f"gets {first / last:.1e} of the output layer's gradient, so it barely "
                 f"learns" if first else "gets no gradient at all, so it cannot learn")
        if causes:
            names = " and the ".join(c[0].lower() + c[1:] for c in causes)
            advice = f"This follows from the {names} above."
        elif activation == "step":  # its slope is 0 wherever it has one
            advice = flat + ": the step's slope is 0, so no gradient reaches the layers below."
        elif activation in ("sigmoid", "tanh"):
            advice = (f"Use ReLU (its slope is 1 for positive inputs) instead of {activation}, "
                      f"fewer layers, or He initialization.")
        else:
            advice = "Use fewer layers, or He initialization, then reset."
        return [Finding("vanishing_gradients", "Vanishing gradients", listed + f" The first "
                        f"layer {share}.", advice, (0,))]
    return []


# --------------------------------------------------------------------------- history
def _window(history, steps_per_epoch):
    """The training costs of the last PLATEAU_EPOCHS epochs (or more, see the docstring)."""
    steps, costs = history["step"], history["train_cost"]
    length = max(PLATEAU_EPOCHS * steps_per_epoch, WINDOW_STEPS)
    if len(steps) < WINDOW_ROWS or steps[-1] - steps[0] < length:
        return None, 0
    start = min(np.searchsorted(steps, steps[-1] - length), len(steps) - WINDOW_ROWS)
    return costs[start:], int(steps[-1] - steps[start])


def _fit(history, data):
    """(constant-answer level reached?, fitted?, words): the network's training score now."""
    if data.task == "regression":
        r2 = history["train_r2"][-1]
        return r2 < 0.05, r2 >= 0.9, f"R² on the training data is {r2:.2f}"
    accuracy = history["train_accuracy"][-1]
    labels = data.y_train[:, 0].astype(int)
    majority = np.bincount(labels).max() / len(labels)
    return (accuracy <= majority + 0.05, accuracy >= 0.95,
            f"training accuracy is {accuracy:.0%} (always answering the most common class "
            f"gives {majority:.0%})")


def _history(history, config, data, arrays):
    costs, span = _window(history, -(-len(arrays.inputs_train) // config.batch_size))
    if costs is None or not np.isfinite(costs).all():
        return []
    trivial, fitted, score = _fit(history, data)
    median = np.median(costs)
    low, high = np.percentile(costs, [10, 90])
    spread = (high - low) / max(abs(median), 1e-12)
    jumps = np.abs(np.diff(costs)) / np.maximum(np.minimum(np.abs(costs[1:]),
                                                           np.abs(costs[:-1])), 1e-12)
    if spread > OSCILLATION_SPREAD and np.mean(jumps > 0.1) > 0.25 and not fitted:
        return [Finding("oscillation", "The cost goes up and down",
                        f"Over the last {span:,} steps the training cost ranged from "
                        f"{low:.3g} to {high:.3g} around {median:.3g}, and {score}: each step "
                        f"overshoots the valley it aims for.", f"Lower the learning rate (now "
                        f"{config.learning_rate:g}); a schedule that decays it also helps.")]
    if spread < PLATEAU_SPREAD and trivial:
        k = max(data.n_classes, 2)
        same = (f" (ln {k}: the cost of giving every class the same probability)"
                if arrays.loss.name in ("bce", "cce", "sparse_cce")
                and math.isclose(median, math.log(k), rel_tol=0.01) else "")
        return [Finding("plateau", "Plateau", f"The training cost has stayed at {median:.3g}"
                        f"{same} for the last {span:,} steps, and {score}: the network is "
                        f"stuck, not slowly learning.", "Look at the findings above if there "
                        "are any; else try a larger learning rate, momentum or Adam, or more "
                        "neurons, then reset.")]
    return []
