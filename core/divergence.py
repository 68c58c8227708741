"""When training diverges: the error it raises, and what it says happened and what to try.

A run diverges when its cost or weights stop being finite (the last finite weights are
restored), or when a loss with no minimum runs away (the cost falls without end). The message
names the step and, where the valley curved more sharply than the learning rate allows, the
sharpness λ_max against 2/η where the cost was lowest on the way (:mod:`core.stability`).
"""
from __future__ import annotations

import numpy as np

from core import stability

#: Weights beyond this norm count as diverged: the restored last weights must still give finite
#: outputs on the whole data set, and no network that is learning gets anywhere near it.
MAX_PARAM_NORM = 1e15
#: A loss with no minimum stops once the cost falls below −RUNAWAY_FACTOR·(1 + max |target|):
#: by then it has gone far past any error the data could explain. (With bounded hidden units
#: such a cost falls only linearly, so the weights would take hours to leave the floats.)
RUNAWAY_FACTOR = 100.0


class DivergenceError(RuntimeError):
    """Training diverged: a non-finite cost or weight (the last finite weights were restored),
    or a loss with no minimum ran away (the cost fell without end; the weights are kept).

    Attributes ``step`` (the step that failed), ``reason`` (what happened) and ``hint`` (what
    to try) let an interface show them separately; ``str()`` joins them.
    """

    def __init__(self, step, reason, hint):
        self.step, self.reason, self.hint = step, reason, hint
        super().__init__(f"{reason} {hint}")


def diverged(trainer, grad) -> DivergenceError:
    """The error for ``trainer``'s next step, whose gradient ``grad`` or weights stopped being
    finite (call it after restoring the last good weights)."""
    step = trainer.step_count + 1
    if not np.isfinite(grad).all():
        what = "the cost and its gradient became infinite or NaN"
    else:
        what = f"the weights grew beyond {MAX_PARAM_NORM:.0e} in size"
    reason = (f"Training diverged at step {step}: {what}. The weights of step "
              f"{trainer.step_count} (the last good ones) are restored.")
    return DivergenceError(step, reason, hint(trainer))


def runaway(trainer, cost) -> DivergenceError:
    """The error for a loss with no minimum whose training cost fell to ``cost``."""
    reason = (f"Training stopped at step {trainer.step_count}: the cost has fallen to "
              f"{cost:.4g}, over {RUNAWAY_FACTOR:g} times the size of the targets, and it "
              f"keeps falling. The weights are those of step {trainer.step_count}.")
    return DivergenceError(trainer.step_count, reason, hint(trainer))


def hint(trainer) -> str:
    """What to try after ``trainer`` diverged."""
    if not trainer.loss.bounded_below:
        return ("The mean error y − ŷ is unbounded below: the network lowers it without end "
                "by making ŷ huge, so it cannot be minimized. Choose a loss that is bounded "
                "below, such as MSE or MAE.")
    # When the valley curved more sharply than the learning rate allows (λ_max above 2/η
    # where the cost was lowest on the way), say so: that is why the steps grew.
    points = np.vstack([trainer.path.rows(), trainer.network.params])
    found = stability.overshoot_along(trainer.network, trainer.inputs_train,
                                      trainer.targets_train, trainer.loss, points,
                                      trainer.config.optimizer, trainer.learning_rate,
                                      trainer.config.momentum, l1=trainer.l1, l2=trainer.l2)
    if found is not None:
        index, over = found
        step = trainer.step_count if index == len(points) - 1 else index * trainer.path.stride
        return f"At step {step:,}, where the cost was lowest, {over.text()} {over.advice()}"
    return (f"Try a smaller learning rate (now {trainer.config.learning_rate:g}), an "
            f"optimizer that adapts its step (Adam, RMSprop), or a different loss or "
            f"output activation.")
