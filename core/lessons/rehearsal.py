"""Play a lesson without the app: every step's settings trained with :class:`~core.trainer.Trainer`,
every prediction revealed and every ``next_when`` reached, as a learner pressing Play would.

A teacher checks a lesson this way before class, and the tests check every shipped lesson::

    from core import lessons
    for result in lessons.rehearse(lessons.load("my.costscape-lesson")):
        print(result.title, result.outcome, result.expected, result.opened_at)

A learner's run and a rehearsal see the same numbers: the same seeds give the same data,
weights and batches. What may differ is where exactly a condition is checked: the app checks at
every frame it shows, a rehearsal every ``chunk`` steps (10, the app's default speed).
"""
from __future__ import annotations

import dataclasses

from core.lessons.values import first_holding, history_rows, trainer_values
from core.trainer import DivergenceError, Trainer

#: Most steps a rehearsal trains to reach one condition.
MAX_STEPS = 20_000


@dataclasses.dataclass(frozen=True)
class StepResult:
    """What happened in one step of a rehearsal.

    Attributes
    ----------
    index : int
        From 0.
    title : str
    outcome : int or None
        The choice that describes what happened (None: the step asks no question, or no choice
        held when it was revealed).
    expected : int or None
        The choice the lesson says its settings lead to.
    revealed_at : int or None
        The training step at which the prediction was revealed.
    opened_at : int or None
        The training step at which ``next_when`` held (None: it has none, or it never held
        within the budget).
    values : Mapping
        :func:`~core.lessons.values.trainer_values` when the step ended.
    trainer : Trainer
        The run as the step left it (shared with the next step when that one continues it).
    """

    index: int
    title: str
    outcome: int | None
    expected: int | None
    revealed_at: int | None
    opened_at: int | None
    values: object
    trainer: object


def rehearse(lesson, max_steps=MAX_STEPS, chunk=10) -> list:
    """Play every step of ``lesson`` in order; a list of :class:`StepResult`.

    Entering a step that sets settings builds a new run (``reset``, the default) or applies
    them to the current run (``reset = false``); a step with a question trains until it is
    revealed (``reveal_when`` holds, or the run stops or diverges); a step with ``next_when``
    then trains until that holds. Each wait trains at most ``max_steps`` steps, checking the
    condition every ``chunk`` steps.
    """
    results, trainer, diverged = [], None, False
    for index, step in enumerate(lesson.steps):
        if step.sets_config:
            if trainer is None or step.reset or diverged:
                trainer, diverged = Trainer(step.config), False
            elif trainer.apply_config(step.config):
                diverged = False
        outcome = revealed_at = opened_at = None
        if step.question is not None:
            held, diverged = _train_until(trainer, step.question.reveal_when, diverged,
                                          max_steps, chunk, stop_counts=True)
            if held is not None:
                revealed_at = int(held["step"])
                outcome = step.question.outcome(held)
        if step.next_when is not None:
            held, diverged = _train_until(trainer, step.next_when, diverged, max_steps, chunk)
            if held is not None:
                opened_at = int(held["step"])
        results.append(StepResult(
            index, step.title, outcome,
            step.question.expected if step.question is not None else None,
            revealed_at, opened_at, trainer_values(trainer, diverged), trainer))
    return results


def _train_until(trainer, condition, diverged, max_steps, chunk, stop_counts=False):
    """Train until ``condition`` holds (or, with ``stop_counts``, the run stops or diverges):
    ``(the values then or None, diverged)``. A condition on recorded numbers is checked at
    every recorded step, as the app does (:func:`~core.lessons.values.first_holding`)."""
    done, seen = 0, trainer.step_count
    while True:
        values = trainer_values(trainer, diverged, lazy=True)
        rows = history_rows(trainer.history_arrays(), seen) if trainer.step_count > seen else ()
        held = first_holding(condition, values, rows)
        seen = trainer.step_count
        if held is not None:
            return held, diverged
        if diverged or trainer.stopped is not None:
            return (values if stop_counts else None), diverged
        if done >= max_steps:
            return None, diverged
        try:
            done += max(trainer.step(min(chunk, max_steps - done)), 1)
        except DivergenceError:
            diverged = True
