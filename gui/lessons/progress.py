"""Where a learner is in a lesson, and what the step waits for: no Qt, tested without a display.

:class:`LessonProgress` keeps, for every step, the prediction locked in, whether it has been
revealed (and what happened then), and whether ``next_when`` has held. The player feeds it the
run's values at every snapshot (:meth:`LessonProgress.observe`) and asks it what to allow:
Play waits for a prediction, Next for the reveal and for ``next_when``.
"""
from __future__ import annotations

import dataclasses
import math

from core.lessons.values import BOOLEAN, PERCENT, first_holding, label

#: Values shown as whole numbers.
WHOLE = ("step", "epoch", "distinct_units")


def format_value(name, value) -> str:
    """``value`` of variable ``name`` as a learner reads it (``"90.4 %"``, ``"1,550"``)."""
    if name in BOOLEAN:
        return "yes" if value else "no"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unknown"
    if name in PERCENT:
        return f"{100 * value:.1f} %"
    if name in WHOLE:
        return f"{int(value):,}"
    return f"{value:.4g}"


@dataclasses.dataclass
class StepState:
    """What has happened in one step: the ``answer`` locked in (a choice index), whether the
    prediction was ``revealed`` and its ``outcome`` (None: no choice held), the ``evidence``
    (the values the conditions named, at the reveal), and whether the step ``opened``."""

    answer: int | None = None
    revealed: bool = False
    outcome: int | None = None
    evidence: tuple = ()
    opened: bool = False


class LessonProgress:
    """A lesson being played: the current step and every step's :class:`StepState`."""

    def __init__(self, lesson):
        self.lesson = lesson
        self.index = 0
        self.states = [StepState() for _ in lesson.steps]

    @property
    def step(self):
        return self.lesson.steps[self.index]

    @property
    def state(self) -> StepState:
        return self.states[self.index]

    @property
    def count(self) -> int:
        return len(self.lesson.steps)

    @property
    def is_last(self) -> bool:
        return self.index == self.count - 1

    def go(self, index):
        """Make step ``index`` (from 0) the current one."""
        if not 0 <= index < self.count:
            raise IndexError(f"a lesson of {self.count} steps has no step {index + 1}")
        self.index = index

    # ------------------------------------------------------------------ what is allowed
    @property
    def can_play(self) -> bool:
        """Training may run: no question, or the prediction is locked in."""
        return self.step.question is None or self.state.answer is not None

    @property
    def can_next(self) -> bool:
        """The next step (or the end) may open: the prediction was revealed and ``next_when``
        has held, for a step that has them."""
        state = self.state
        return ((self.step.question is None or state.revealed)
                and (self.step.next_when is None or state.opened))

    @property
    def waiting_for(self) -> str:
        """What the learner must do, or wait for, before Next opens (empty when nothing)."""
        step, state = self.step, self.state
        if step.question is not None and state.answer is None:
            return "Choose your prediction and lock it in: then Play starts the run."
        if step.question is not None and not state.revealed:
            return (f"Press Play (Space). The answer is revealed when "
                    f"{step.question.reveal_when.describe()}, or when the run stops.")
        if step.next_when is not None and not state.opened:
            return f"Press Play (Space). Next opens when {step.next_when.describe()}."
        return ""

    # ------------------------------------------------------------------ events
    def answer(self, choice):
        """Lock in the prediction ``choice`` (an index) for the current step."""
        question = self.step.question
        if question is None or not 0 <= choice < len(question.choices):
            raise ValueError(f"no choice {choice} to answer here")
        if self.state.answer is None:
            self.state.answer = choice

    def observe(self, values, stopped=False, diverged=False, rows=()) -> list:
        """Take the run's values now, and the history ``rows`` recorded since the last call
        (:func:`~core.lessons.values.history_rows`); returns the events they caused:
        ``"revealed"`` and/or ``"opened"``.

        A prediction is revealed when ``reveal_when`` holds, or the run stopped or diverged;
        ``next_when`` is checked once there is nothing left to reveal. A condition on recorded
        numbers is checked at every recorded row, so where it first held does not depend on
        how many steps the app trained between two frames.
        """
        step, state, events = self.step, self.state, []
        question, rows = step.question, list(rows)
        if question is not None and state.answer is not None and not state.revealed:
            held = first_holding(question.reveal_when, values, rows)
            if held is not None or stopped or diverged:
                values = held if held is not None else values
                state.revealed, state.outcome = True, question.outcome(values)
                names = set(question.reveal_when.names)
                for choice in question.choices:
                    names |= choice.when.names
                state.evidence = tuple((label(name), format_value(name, values[name]))
                                       for name in ("step", *sorted(names - {"step"})))
                events.append("revealed")
        if (step.next_when is not None and not state.opened
                and (question is None or state.revealed)
                and first_holding(step.next_when, values, rows) is not None):
            state.opened = True
            events.append("opened")
        return events

    @property
    def needs_values(self) -> bool:
        """Whether :meth:`observe` has anything to decide for the current step."""
        step, state = self.step, self.state
        return ((step.question is not None and state.answer is not None and not state.revealed)
                or (step.next_when is not None and not state.opened))
