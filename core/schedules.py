"""Learning-rate schedules: the rate of every update, as a function of the step.

The update taken when ``k`` updates have already been made (``k = trainer.step_count``, so
k = 0 is the first update) uses the rate ``rate(k)``. With ``W = warmup_steps`` and the base
rate ``η = learning_rate``:

- warm-up, for ``k < W``: ``η·(k + 1)/W`` (a straight line up to η, which update W − 1 reaches);
- then, with ``d = k − W`` the steps since the warm-up ended, ``D = decay_steps`` and
  ``γ = decay_rate``:

  - constant: ``η``;
  - step: ``η·γ^⌊d/D⌋`` (PyTorch's ``StepLR(D, gamma=γ)``);
  - exponential: ``η·γ^(d/D)`` (``ExponentialLR(gamma=γ^(1/D))``);
  - cosine: ``η_min + (η − η_min)·(1 + cos(π·min(d, D)/D))/2`` with
    ``η_min = min_lr_fraction·η`` (``CosineAnnealingLR(D, eta_min=η_min)`` up to d = D; after
    that ours stays at η_min where PyTorch's would rise again).

The warm-up is PyTorch's ``LinearLR(start_factor=1/W, total_iters=W − 1)`` followed by the
schedule (``SequentialLR`` with the milestone W). The base rate is read from the config every
time, so a learning rate changed while training scales the whole curve from that step on.

>>> from core.config import Config
>>> schedule = Schedule.from_config(Config(learning_rate=0.1, lr_schedule="step",
...                                        decay_steps=100, decay_rate=0.5))
>>> schedule.rate(0), schedule.rate(99), schedule.rate(100), schedule.rate(250)
(0.1, 0.1, 0.05, 0.025)
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

#: Schedule name -> what a learner reads.
SCHEDULES = {
    "constant": "Constant",
    "step": "Step decay",
    "exponential": "Exponential decay",
    "cosine": "Cosine",
}
#: Schedule name -> its formula in words and symbols (d: steps after the warm-up).
FORMULAS = {
    "constant": "η",
    "step": "η·γ^⌊d/D⌋",
    "exponential": "η·γ^(d/D)",
    "cosine": "η_min + (η − η_min)·(1 + cos(π·min(d, D)/D))/2",
}


def names() -> list:
    """Schedule names in display order."""
    return list(SCHEDULES)


@dataclasses.dataclass(frozen=True)
class Schedule:
    """One learning-rate schedule (see the module docstring for the formulas).

    Attributes
    ----------
    name : str
        A key of ``SCHEDULES``.
    learning_rate : float
        η, the base rate.
    warmup_steps : int
        W; 0 for no warm-up.
    decay_steps : int
        D: the step schedule's period, the exponential's steps per factor γ, the cosine's length.
    decay_rate : float
        γ in (0, 1] (step and exponential).
    min_lr_fraction : float
        η_min/η in [0, 1] (cosine).
    """

    name: str = "constant"
    learning_rate: float = 0.03
    warmup_steps: int = 0
    decay_steps: int = 1000
    decay_rate: float = 0.5
    min_lr_fraction: float = 0.0

    @classmethod
    def from_config(cls, config) -> "Schedule":
        return cls(config.lr_schedule, config.learning_rate, config.warmup_steps,
                   config.decay_steps, config.decay_rate, config.min_lr_fraction)

    @property
    def is_constant(self) -> bool:
        """Whether every update uses ``learning_rate`` itself."""
        return self.name == "constant" and self.warmup_steps == 0

    def rate(self, k) -> float:
        """The learning rate of the update taken after ``k`` updates (k = 0, 1, ...).

        These exact float operations are the definition: code that reproduces a run must
        evaluate the same expressions in the same order to get the same weights.
        """
        eta, warmup = self.learning_rate, self.warmup_steps
        if k < warmup:
            return eta * (k + 1) / warmup
        d = k - warmup
        if self.name == "constant":
            return eta
        if self.name == "step":
            return eta * self.decay_rate ** (d // self.decay_steps)
        if self.name == "exponential":
            return eta * self.decay_rate ** (d / self.decay_steps)
        low = self.min_lr_fraction * eta
        return low + (eta - low) * (1.0 + math.cos(math.pi * min(d, self.decay_steps)
                                                   / self.decay_steps)) / 2.0

    def rates(self, steps) -> np.ndarray:
        """``rate(k)`` for every ``k`` of ``steps`` (e.g. to draw the curve ahead of the run)."""
        return np.array([self.rate(int(k)) for k in np.asarray(steps).ravel()], dtype=float)
