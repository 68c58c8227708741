"""Lessons: short sequences of steps with settings, text, locked controls and predictions.

A lesson is a TOML text file (``.costscape-lesson``) that a teacher can write and read. The app
plays it in a side panel (``gui.lessons``); this package reads and checks it, evaluates its
conditions, and plays it without the app::

    from core import lessons
    lesson = lessons.load("assets/lessons/03-mse-vs-cross-entropy.costscape-lesson")
    results = lessons.rehearse(lesson)      # every prediction revealed, every step opened
    [r.outcome == r.expected for r in results if r.expected is not None]

Nothing in a lesson is executed: TOML is data, text is shown as text, and conditions are parsed
by :mod:`core.lessons.conditions` (no ``eval``). A file with a problem raises
:class:`LessonError` naming the step, its line and the key; nothing changes in the app.

File format, version 1
----------------------
Top level: ``format = "costscape-lesson"``, ``version = 1``, ``title``, ``audience`` (who it is
for) and an optional ``summary``; then one ``[[steps]]`` table per step, in order. A step has:

=====================  ======================================================================
key                    meaning
=====================  ======================================================================
``title``, ``text``    required; the text is Markdown-lite: paragraphs, ``**bold**``,
                       ``*italic*``, ```code```, ``- `` and ``1. `` lists, ``$maths$``
``config``             a table of settings (``Config`` fields) from the defaults; or
``change``             a table of settings changed from the step before
``reset``              start from fresh initial weights when entering (default true)
``lock``, ``hide``     Config fields (``loss``, ``learning_rate``, ...), or groups
                       ``data``, ``network``, ``schedule``, ``stopping``, ``all``, that the
                       learner cannot change (greyed out) or does not see
``views``              the views shown: ``boundary``, ``cost``, ``anatomy``, ``surface``,
                       ``diagram`` (others are hidden); absent: the layout is left alone
``point_at``           a view, a panel (``data``, ``network``, ``activation``, ``loss``,
                       ``optimizer``) or ``code`` (the code behind the run)
``pin``                keep the current cost curve on the plot before the new settings
``next_when``          a condition; the Next button opens once it has held
``[steps.question]``   a prediction asked before Play: ``ask``, ``reveal_when`` (a
                       condition), ``explain``, and ``[[steps.question.choices]]`` each with
                       ``text``, ``when`` (a condition) and one of them ``expected = true``
=====================  ======================================================================

The first step always applies its settings (the defaults when it gives none). A prediction is
revealed when ``reveal_when`` holds, or when the run stops (a stopping rule such as
``max_steps``) or diverges; the answer shown is the first choice whose ``when`` holds then.
Conditions name the values of :data:`VARIABLES` (``test_accuracy >= 0.95``, see
:mod:`core.lessons.conditions`).
"""
from core.lessons.conditions import Condition, ConditionError
from core.lessons.files import (MAX_BYTES, SUFFIX, append_step, config_table, lesson_header,
                                load, loads, step_toml)
from core.lessons.model import (FORMAT, FORMAT_VERSION, GROUPS, POINT_TARGETS, VIEWS, Choice,
                                Lesson, LessonError, Question, Step, from_dict)
from core.lessons.rehearsal import StepResult, rehearse
from core.lessons.values import VARIABLES, RunValues, run_values, trainer_values

__all__ = ["Choice", "Condition", "ConditionError", "FORMAT", "FORMAT_VERSION", "GROUPS",
           "Lesson", "LessonError", "MAX_BYTES", "POINT_TARGETS", "Question", "RunValues",
           "SUFFIX", "Step", "StepResult", "VARIABLES", "VIEWS", "append_step", "config_table",
           "from_dict", "lesson_header", "load", "loads", "rehearse", "run_values", "step_toml",
           "trainer_values"]
