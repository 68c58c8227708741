"""Pinned runs: train-cost curves kept to compare with the current run, and the words that say
what each one differs in from the current settings (``run 1: loss: mse (now bce)``)."""
from __future__ import annotations

import dataclasses
import os

import numpy as np

from core import features, optimizers
from gui.names import dataset_words

#: Pinned runs kept at most; pinning one more lets the oldest go.
MAX_PINS = 6
#: Colours of pinned runs: distinct from the train/test/regularization curves and the classes.
PIN_COLOURS = ("#8e44ad", "#16a085", "#9a7d0a", "#c2185b", "#6d4c41", "#558b2f")

# Config fields a pinned run's label compares, in the order a learner thinks of them, and what
# to call them. Optimizer settings count only when both runs' optimizers have them.
_COMPARED = (("dataset", "data"), ("data_path", "file"), ("n_samples", "examples"),
             ("noise", "noise"), ("train_fraction", "train fraction"), ("seed", "seed"),
             ("features", "features"), ("hidden_layers", "hidden layers"),
             ("activation", "activation"), ("output_activation", "output"), ("loss", "loss"),
             ("init", "init"), ("optimizer", "optimizer"), ("learning_rate", "learning rate"),
             ("momentum", "μ"), ("rho", "ρ"), ("beta1", "β₁"), ("beta2", "β₂"),
             ("epsilon", "ε"), ("batch_size", "batch size"), ("regularization", "regularization"))
_OPTIMIZER_FIELDS = ("momentum", "rho", "beta1", "beta2", "epsilon")


def setting(config, field) -> str:
    """One config field as a learner reads it, e.g. ``"L2 λ = 0.003"`` for regularization."""
    value = getattr(config, field)
    if field == "regularization":
        return "none" if value == "none" or config.reg_rate == 0 else \
            f"{value.upper()} λ = {config.reg_rate:g}"
    if field == "dataset":
        return dataset_words(value, config.data_path)
    if field == "data_path":
        return os.path.basename(value) if value else "none"
    if field == "hidden_layers":
        return ", ".join(map(str, value)) if value else "none"
    if field == "features":
        return "raw inputs" if value is None else ", ".join(features.label(f) for f in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def config_differences(pinned, current) -> list:
    """What differs between a pinned run's config and the current one, as a learner reads it:
    e.g. ``["loss: mse (now bce)", "learning rate: 0.3 (now 0.03)"]``; empty when the same."""
    def uses(config, field):
        return field in optimizers.optimizer_class(config.optimizer).defaults

    out = []
    for field, name in _COMPARED:
        if field in _OPTIMIZER_FIELDS and not (uses(pinned, field) and uses(current, field)):
            continue
        old, new = setting(pinned, field), setting(current, field)
        if old != new:
            out.append(f"{name}: {old} (now {new})")
    return out


@dataclasses.dataclass(eq=False)
class PinnedRun:
    """A train-cost curve kept for comparison: ``epoch`` and ``train_cost`` are ``(m,)``."""

    number: int
    config: object
    epoch: np.ndarray
    train_cost: np.ndarray
    step: int
    colour: str

    def label(self, current=None, most=2) -> str:
        """Legend text: the run's number and what differs from ``current``."""
        if current is None:
            return f"run {self.number}"
        diffs = config_differences(self.config, current)
        if not diffs:
            return f"run {self.number}: same settings"
        more = f" +{len(diffs) - most} more" if len(diffs) > most else ""
        return f"run {self.number}: " + ", ".join(diffs[:most]) + more

    def tooltip(self, current=None) -> str:
        """What the pinned run was and how it differs from ``current`` (the settings now)."""
        c = self.config
        layers = " ".join(map(str, c.hidden_layers)) or "no hidden layer"
        summary = (f"{setting(c, 'dataset')}, hidden {layers} {c.activation}, loss {c.loss}, "
                   f"{c.optimizer} η = {c.learning_rate:g}, init {c.init}, "
                   f"regularization {setting(c, 'regularization')}")
        diffs = config_differences(c, current) if current is not None else []
        return (f"Run {self.number}, pinned at step {self.step:,} (epoch {self.epoch[-1]:.1f}): "
                f"{summary}.\n"
                + ("Differs from now in: " + "; ".join(diffs) + "." if diffs
                   else "Same settings as now.")
                + f"\nIts initial weights came from seed {c.seed}: after changing a setting, "
                  f"Reset starts\nthe current run from the same seed's weights."
                + ("\nDifferent losses measure different things: compare the shapes of the "
                   "curves\n(or the accuracy), not their heights."
                   if current is not None and c.loss != current.loss else ""))
