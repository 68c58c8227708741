"""Why the output layer uses its activation, in words: shared by the loss panel (which decides
it), the activation panel (which shows it) and the main window (which passes it on)."""
from __future__ import annotations

from core import activations, losses
from core.config import output_activation_for

#: Why a loss needs its output activation.
PAIRING_REASONS = {
    "sigmoid": "needs probabilities in (0, 1)",
    "softmax": "needs one probability per class, summing to 1",
    "linear": "works on raw scores; the decision threshold is 0",
}
#: Why each task's default output activation, for losses that do not choose one.
TASK_REASONS = {
    "regression": "regression predicts any real number",
    "binary": "a binary task predicts the probability of class 1",
    "multiclass": "a multi-class task predicts one probability per class",
}


def output_reason(loss_name, task) -> str:
    """A short sentence: why the output layer uses what it uses (display names, as a learner
    reads them)."""
    loss = losses.get(loss_name)
    if loss.output_activation:
        return (f"{loss.display_name} "
                f"{PAIRING_REASONS.get(loss.output_activation, 'pairs with it')}")
    return TASK_REASONS[task]


def override_reason(loss_name, task) -> str:
    """Why the output layer uses an activation the loss would not choose (some presets do)."""
    usual = activations.get(output_activation_for(loss_name, task)).display_name
    return (f"chosen for this run (with {losses.get(loss_name).display_name.lower()} the "
            f"output is usually {usual})")


def config_output_reason(config) -> str:
    """Why ``config``'s output layer uses its activation."""
    signed = getattr(config, "signed_targets", False)
    if signed and config.output_activation == "tanh" == output_activation_for(
            config.loss, config.task, True):
        return "the targets are −1 and +1, and tanh's outputs span (−1, 1)"
    if config.output_activation != output_activation_for(config.loss, config.task):
        return override_reason(config.loss, config.task)
    return output_reason(config.loss, config.task)
