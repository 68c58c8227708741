"""Stopping rules: after N epochs or steps, early stopping on the test cost, a target cost.

:class:`StopRules` keeps the state the rules need (the best test cost so far, and its weights)
and decides, after each update, whether the :class:`~core.trainer.Trainer` stops. The rules
read their settings from the current :class:`~core.config.Config` (``max_epochs``,
``max_steps``, ``patience``, ``min_delta``, ``restore_best_weights``, ``target_cost``), so a
setting changed while training applies from the next step.

Early stopping is Keras's ``EarlyStopping(monitor="val_loss")``: at the end of every epoch the
test cost counts as an improvement when it is below the best so far by more than ``min_delta``;
after ``patience`` epochs in a row without one, training stops.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np


@dataclasses.dataclass(frozen=True)
class Stop:
    """Why training stopped.

    Attributes
    ----------
    rule : str
        ``"max_steps"``, ``"max_epochs"``, ``"early_stopping"`` (``patience`` ran out) or
        ``"target_cost"``.
    step : int
        The step count when it stopped.
    message : str
        What happened and how to go on, in plain words.
    restored_step : int or None
        Early stopping with ``restore_best_weights``: the step whose weights are back.
    """

    rule: str
    step: int
    message: str
    restored_step: int | None = None


class StopRules:
    """The stopping rules' state for one run. ``params_size`` sizes the kept best weights."""

    def __init__(self, params_size):
        self._size = params_size
        self.best_cost, self.best_step, self.best_epoch = math.inf, None, None
        self.best_params = None
        self.wait = 0

    def resume(self):
        """Start counting epochs without improvement afresh (the best so far is kept)."""
        self.wait = 0

    @staticmethod
    def watches_costs(config) -> bool:
        """Whether a rule needs the costs (early stopping, target cost)."""
        return config.patience is not None or config.target_cost is not None

    @staticmethod
    def limit(config, step, epochs):
        """A :class:`Stop` when ``max_steps`` or ``max_epochs`` is reached, else None."""
        if config.max_steps is not None and step >= config.max_steps:
            return Stop("max_steps", step, f"Training stopped at step {step:,}: max_steps is "
                        f"{config.max_steps:,}. Raise it (or turn it off) to train on.")
        if config.max_epochs is not None and epochs >= config.max_epochs:
            return Stop("max_epochs", step, f"Training stopped after {epochs:,} epochs (step "
                        f"{step:,}): max_epochs is {config.max_epochs:,}. Raise it (or turn it "
                        f"off) to train on.")
        return None

    def target(self, config, step, train_cost):
        """A :class:`Stop` when the training cost is at or below ``target_cost``."""
        if config.target_cost is not None and train_cost <= config.target_cost:
            return Stop("target_cost", step, f"Training stopped at step {step:,}: the training "
                        f"cost {train_cost:.6g} reached the target {config.target_cost:g}.")
        return None

    def epoch_end(self, config, step, epochs, test_cost, params):
        """Early stopping at the end of an epoch: a :class:`Stop` when patience runs out.

        With ``restore_best_weights`` the best weights are copied back into ``params``.
        """
        if config.patience is None:
            return None
        if test_cost < self.best_cost - config.min_delta:
            self.best_cost, self.best_step, self.best_epoch = test_cost, step, epochs
            if self.best_params is None:
                self.best_params = np.empty(self._size)
            np.copyto(self.best_params, params)
            self.wait = 0
            return None
        self.wait += 1
        if self.wait < config.patience:
            return None
        message = (f"Training stopped after {epochs:,} epochs (step {step:,}): the test cost has "
                   f"not improved for {self.wait} epochs. Its best, {self.best_cost:.6g}, was "
                   f"after epoch {self.best_epoch:,} (step {self.best_step:,}); ")
        if config.restore_best_weights and self.best_params is not None:
            np.copyto(params, self.best_params)
            return Stop("early_stopping", step, message + "those weights are restored.",
                        restored_step=self.best_step)
        return Stop("early_stopping", step, message + "the weights are the last step's.")

    def state_dict(self) -> dict:
        """The early-stopping state (a copy): ``best_cost``, ``best_step``, ``best_epoch``,
        ``wait`` and ``best_params`` (None before the first epoch ends)."""
        return {"best_cost": self.best_cost, "best_step": self.best_step,
                "best_epoch": self.best_epoch, "wait": self.wait,
                "best_params": None if self.best_params is None else self.best_params.copy()}

    def load_state_dict(self, state: dict):
        params = state["best_params"]
        if params is not None and np.shape(params) != (self._size,):
            raise ValueError(f"saved best weights have shape {np.shape(params)}; the network "
                             f"has {self._size} parameters")
        self.best_cost = float(state["best_cost"])
        self.best_step, self.best_epoch = state["best_step"], state["best_epoch"]
        self.wait = int(state["wait"])
        self.best_params = None if params is None else np.array(params, dtype=float)
