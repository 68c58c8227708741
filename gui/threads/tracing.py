"""One training step traced in the worker thread, for the backpropagation view.

The worker owns the trainer, so it traces the trainer's next step there
(:func:`core.backprop.next_step`) and hands the view a :class:`TracedStep`: the numbers of every
stage, with the trainer's own mini-batch, weights, loss and optimizer. "Apply this step" goes
back to the worker, which takes exactly that step (:func:`core.backprop.apply_step`).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from core import backprop


@dataclasses.dataclass(frozen=True, eq=False)
class TracedStep:
    """The trainer's next step, traced (safe to read in any thread: the arrays are copies).

    Attributes
    ----------
    run : int
        The worker's run number when it was traced (a new run makes it stale).
    step : core.backprop.StepTrace
    reference : core.backprop.Trace or None
        With the classic mistake switched on: the same step traced with the loss's true
        derivative, to show the right delta beside the wrong one. None otherwise.
    config : core.config.Config
        The config the trainer trains with.
    arrays : core.run.RunArrays
        The run's arrays (its layout names every parameter).
    predictions_after : array
        The mini-batch's outputs ŷ after the update, shaped like ``step.trace.predictions``.
    cost_after : float
        The mini-batch's cost after the update.
    note : str
        Why this trace was sent when it was not asked for (the view's step was stale), or "".
    """

    run: int
    step: backprop.StepTrace
    reference: backprop.Trace | None
    config: object
    arrays: object
    predictions_after: np.ndarray
    cost_after: float
    note: str = ""


def trace_next_step(trainer, run, note="") -> TracedStep:
    """Trace ``trainer``'s next step (call it in the trainer's thread)."""
    with np.errstate(all="ignore"):  # a step on the way to divergence still shows its numbers
        step = backprop.next_step(trainer)
        reference = None
        t = step.trace
        if t.mistaken:
            net = trainer.arrays.network_with(step.params_before)
            reference = backprop.trace(net, t.inputs, t.targets, t.loss.base, t.l1, t.l2)
        after = trainer.arrays.network_with(step.params_after)
        predictions_after = after.predict(t.inputs)
        cost_after = after.cost(t.inputs, t.targets, t.loss, t.l1, t.l2)
    return TracedStep(run=run, step=step, reference=reference, config=trainer.config,
                      arrays=trainer.arrays, predictions_after=predictions_after,
                      cost_after=float(cost_after), note=note)
