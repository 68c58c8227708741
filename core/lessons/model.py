"""A lesson as data: :class:`Lesson`, :class:`Step`, :class:`Question`, :class:`Choice`, and
:func:`from_dict`, which checks a parsed lesson file key by key.

Everything a file says is checked here, before anything changes in the app: unknown keys (with
a suggestion), wrong types, settings that make no valid :class:`~core.config.Config`, unknown
names in locks, views and conditions, and sizes beyond the limits below. Each problem is a
:class:`LessonError` that names the step and the key.
"""
from __future__ import annotations

import dataclasses
import difflib

from core.config import OWN_DATA, Config, ConfigError
from core.lessons.conditions import Condition, ConditionError

FORMAT = "costscape-lesson"
FORMAT_VERSION = 1
MAX_STEPS = 100
MAX_CHOICES = 8
MAX_TITLE = 200
MAX_TEXT = 20_000

#: Names ``lock`` and ``hide`` take besides Config fields, for several fields at once. (A name
#: that is a field, such as "loss" or "optimizer", means that field alone.)
GROUPS = {
    "data": ("dataset", "n_samples", "noise", "train_fraction", "seed"),
    "network": ("hidden_layers", "init", "features"),
    "schedule": ("lr_schedule", "warmup_steps", "decay_steps", "decay_rate", "min_lr_fraction"),
    "stopping": ("max_epochs", "max_steps", "patience", "min_delta", "restore_best_weights",
                 "target_cost"),
}
FIELDS = tuple(f.name for f in dataclasses.fields(Config))
#: Settings that may be None (off, or chosen automatically). TOML has no None: a lesson writes
#: "none", e.g. ``change = { max_steps = "none" }``.
NONE_FIELDS = tuple(f.name for f in dataclasses.fields(Config) if f.default is None)
#: The views a step can show (``views``) and point at.
VIEWS = ("boundary", "cost", "anatomy", "surface", "diagram")
#: What ``point_at`` takes: a view, a panel of the controls, or the code behind the run.
POINT_TARGETS = VIEWS + ("data", "network", "activation", "loss", "optimizer", "code")


class LessonError(ValueError):
    """A lesson file cannot be used; the message says which file, step and key, and why.

    Attributes ``path`` (None for text not read from a file), ``reason`` (without the file
    name) and ``step`` (index of the step at fault, or None); ``str()`` is
    ``"Cannot open <path>: <reason>"`` (``"Cannot save ..."`` when writing), or the reason
    alone.
    """

    def __init__(self, reason, path=None, step=None, action="open"):
        self.reason, self.path, self.step = reason, path, step
        super().__init__(f"Cannot {action} {path}: {reason}" if path is not None else reason)


@dataclasses.dataclass(frozen=True)
class Choice:
    """One answer to a prediction question: ``text``; ``when``, the condition under which it is
    what happened; ``expected``, whether it is what the lesson's settings do."""

    text: str
    when: Condition
    expected: bool = False


@dataclasses.dataclass(frozen=True)
class Question:
    """A prediction asked before Play: ``ask``, the ``choices``, when the answer is revealed
    (``reveal_when``, or when the run stops or diverges) and the ``explain`` text shown then."""

    ask: str
    choices: tuple
    reveal_when: Condition
    explain: str = ""

    @property
    def expected(self) -> int:
        """Index of the choice the lesson's settings lead to."""
        return next(i for i, c in enumerate(self.choices) if c.expected)

    def outcome(self, values):
        """Index of the first choice whose ``when`` holds for ``values``, or None."""
        return next((i for i, c in enumerate(self.choices) if c.when.evaluate(values)), None)


@dataclasses.dataclass(frozen=True)
class Step:
    """One step of a lesson.

    Attributes
    ----------
    title, text : str
        The text is a small Markdown subset (see the package docstring).
    config : Config
        The lesson's settings at this step (each step's ``config`` or ``change`` applied along
        the steps before it).
    sets_config : bool
        Whether entering the step applies ``config`` (the first step always does).
    reset : bool
        Whether entering the step starts from fresh initial weights.
    lock, hide : frozenset of str
        Config fields the learner cannot change, or does not see, in this step.
    views : tuple of str or None
        The views shown (the others are hidden); None leaves the layout as it is.
    point_at : str or None
        What to draw the learner's eye to (one of ``POINT_TARGETS``).
    pin : bool
        Keep the current run's cost curve on the plot (pinned) before applying the settings.
    question : Question or None
    next_when : Condition or None
        The next step opens once this has held.
    """

    title: str
    text: str
    config: Config
    sets_config: bool = True
    reset: bool = True
    lock: frozenset = frozenset()
    hide: frozenset = frozenset()
    views: tuple | None = None
    point_at: str | None = None
    pin: bool = False
    question: Question | None = None
    next_when: Condition | None = None


@dataclasses.dataclass(frozen=True)
class Lesson:
    """A lesson: ``title``, ``audience``, ``summary`` and ``steps`` (a tuple of :class:`Step`);
    ``path`` is the file it was read from (None for text)."""

    title: str
    audience: str
    steps: tuple
    summary: str = ""
    path: str | None = None


# --------------------------------------------------------------------------- checking
_TOP_KEYS = ("format", "version", "title", "audience", "summary", "steps")
_STEP_KEYS = ("title", "text", "config", "change", "reset", "lock", "hide", "views",
              "point_at", "pin", "question", "next_when")
_QUESTION_KEYS = ("ask", "choices", "reveal_when", "explain")
_CHOICE_KEYS = ("text", "when", "expected")


class _Problem(Exception):
    """A problem at ``where`` (a key path); turned into a LessonError with the step."""

    def __init__(self, where, reason):
        super().__init__(f"{where}: {reason}" if where else reason)


def _at(where, key) -> str:
    return f"{where}.{key}" if where else key


def _check_keys(table, known, where):
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; known: {', '.join(known)}"
            raise _Problem(where, f"unknown key {str(key)!r}{hint}")


def _text(table, key, where, required=True, limit=MAX_TEXT) -> str:
    value = table.get(key)
    if value is None:
        if required:
            raise _Problem(where, f"{key!r} is missing")
        return ""
    if not isinstance(value, str):
        raise _Problem(where, f"{key!r} must be text (in quotes), not {_kind(value)}")
    if len(value) > limit:
        raise _Problem(where, f"{key!r} is longer than {limit} characters")
    if required and not value.strip():
        raise _Problem(where, f"{key!r} is empty")
    return value


def _flag(table, key, where, default) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise _Problem(where, f"{key!r} must be true or false, not {_kind(value)}")
    return value


def _names(table, key, where, known, expand=None) -> list:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Problem(where, f"{key!r} must be a list of names, e.g. [\"loss\"], not "
                              f"{_kind(value)}")
    names = []
    for name in value:
        if name in known:
            names.append(name)
        elif expand and name in expand:
            names.extend(expand[name])
        else:
            choices = list(known) + list(expand or ())
            close = difflib.get_close_matches(name, choices, n=1)
            raise _Problem(where, f"{key!r}: unknown name {name!r}"
                           + (f" (did you mean {close[0]!r}?)" if close else
                              f"; choose from: {', '.join(choices)}"))
    return names


def _condition(table, key, where, required=False):
    value = table.get(key)
    if value is None:
        if required:
            raise _Problem(where, f"{key!r} is missing")
        return None
    if not isinstance(value, str):
        raise _Problem(where, f"{key!r} must be a condition in quotes, e.g. "
                              f"\"test_accuracy >= 0.9\", not {_kind(value)}")
    try:
        return Condition(value)
    except ConditionError as err:
        raise _Problem(where, f"{key!r}: {err}") from None


def _kind(value) -> str:
    names = {str: "text", bool: "true/false", int: "a whole number", float: "a number",
             list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _settings(table, key, where, base) -> Config:
    if not isinstance(table, dict):
        raise _Problem(where, f"{key!r} must be a table of settings, e.g. "
                              f"{key} = {{ loss = \"mse\" }}, not {_kind(table)}")
    if "data_path" in table or table.get("dataset") in OWN_DATA:
        raise _Problem(_at(where, key), "lessons use the built-in data sets (dataset "
                                         "'csv' or 'custom' and data_path are not allowed)")
    table = {k: None if k in NONE_FIELDS and v == "none" else v for k, v in table.items()}
    try:
        if key == "config":
            return Config.from_dict(table)
        unknown = [k for k in table if k not in FIELDS]
        if unknown:
            close = difflib.get_close_matches(str(unknown[0]), FIELDS, n=1)
            raise ConfigError(f"unknown setting {str(unknown[0])!r}"
                              + (f" (did you mean {close[0]!r}?)" if close else ""))
        return base.replace(**table)
    except (ConfigError, TypeError) as err:
        raise _Problem(_at(where, key), str(err)) from None


def _question(table, where) -> Question:
    if not isinstance(table, dict):
        raise _Problem(where, f"'question' must be a table, not {_kind(table)}")
    where = _at(where, "question")
    _check_keys(table, _QUESTION_KEYS, where)
    ask = _text(table, "ask", where, limit=MAX_TITLE * 5)
    choices = table.get("choices")
    if not isinstance(choices, list) or not all(isinstance(c, dict) for c in choices):
        raise _Problem(where, "'choices' must be a list of tables, each with 'text' and "
                              "'when' ([[steps.question.choices]])")
    if not 2 <= len(choices) <= MAX_CHOICES:
        raise _Problem(where, f"a question needs 2 to {MAX_CHOICES} choices, not "
                              f"{len(choices)}")
    made = []
    for i, choice in enumerate(choices):
        at = f"{where}.choices[{i + 1}]"  # counted from 1, as a reader counts them
        _check_keys(choice, _CHOICE_KEYS, at)
        made.append(Choice(_text(choice, "text", at, limit=MAX_TITLE * 5),
                           _condition(choice, "when", at, required=True),
                           _flag(choice, "expected", at, False)))
    if sum(c.expected for c in made) != 1:
        raise _Problem(where, "exactly one choice must say expected = true (what these "
                              "settings do; the tests check it)")
    return Question(ask, tuple(made), _condition(table, "reveal_when", where, required=True),
                    _text(table, "explain", where, required=False))


def _step(table, index, before) -> Step:
    where = ""
    _check_keys(table, _STEP_KEYS, where)
    if "config" in table and "change" in table:
        raise _Problem(where, "give either 'config' (all settings) or 'change' (changes to the "
                              "step before), not both")
    config = before
    if "config" in table:
        config = _settings(table["config"], "config", where, before)
    elif "change" in table:
        config = _settings(table["change"], "change", where, before)
    point_at = table.get("point_at")
    if point_at is not None and point_at not in POINT_TARGETS:
        close = difflib.get_close_matches(str(point_at), POINT_TARGETS, n=1)
        raise _Problem(where, f"'point_at': unknown target {point_at!r}"
                       + (f" (did you mean {close[0]!r}?)" if close else
                          f"; choose from: {', '.join(POINT_TARGETS)}"))
    views = tuple(_names(table, "views", where, VIEWS)) if "views" in table else None
    if views == ():
        raise _Problem(where, "'views' must name at least one view")
    question = _question(table["question"], where) if "question" in table else None
    return Step(
        title=_text(table, "title", where, limit=MAX_TITLE),
        text=_text(table, "text", where),
        config=config,
        sets_config=index == 0 or "config" in table or "change" in table,
        reset=_flag(table, "reset", where, True),
        lock=frozenset(_names(table, "lock", where, FIELDS, {**GROUPS, "all": FIELDS})),
        hide=frozenset(_names(table, "hide", where, FIELDS, {**GROUPS, "all": FIELDS})),
        views=views, point_at=point_at, pin=_flag(table, "pin", where, False),
        question=question, next_when=_condition(table, "next_when", where))


def from_dict(data, path=None) -> Lesson:
    """A :class:`Lesson` from a parsed lesson file (a dict as ``tomllib`` gives it).

    Raises
    ------
    LessonError
        Naming the step (1, 2, ...) and key of the first problem found.
    """
    try:
        if not isinstance(data, dict):
            raise _Problem("", "a lesson is a table of keys")
        _check_version(data)
        _check_keys(data, _TOP_KEYS, "")
        title = _text(data, "title", "", limit=MAX_TITLE)
        audience = _text(data, "audience", "", limit=MAX_TITLE * 5)
        summary = _text(data, "summary", "", required=False, limit=MAX_TITLE * 10)
        tables = data.get("steps")
        if not isinstance(tables, list) or not tables or not all(
                isinstance(t, dict) for t in tables):
            raise _Problem("", "a lesson needs steps: one [[steps]] table per step")
        if len(tables) > MAX_STEPS:
            raise _Problem("", f"a lesson may have at most {MAX_STEPS} steps, not "
                               f"{len(tables)}")
    except _Problem as problem:
        raise LessonError(str(problem), path) from None
    steps, config = [], Config()
    for index, table in enumerate(tables):
        try:
            step = _step(table, index, config)
        except _Problem as problem:
            title = table.get("title")
            named = f" ({title!r})" if isinstance(title, str) and len(title) <= 80 else ""
            raise LessonError(f"step {index + 1}{named}: {problem}", path, step=index) from None
        steps.append(step)
        config = step.config
    return Lesson(title, audience, tuple(steps), summary, path)


def _check_version(data):
    if data.get("format") != FORMAT:
        raise _Problem("", f"it is not a Costscape lesson (it must start with "
                           f"format = \"{FORMAT}\")")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _Problem("", f"'version' must be a whole number such as {FORMAT_VERSION}, not "
                           f"{version!r}"[:200])
    if version > FORMAT_VERSION:
        raise _Problem("", f"this lesson was written for a newer Costscape (lesson format "
                           f"{version}); this version reads format {FORMAT_VERSION}. Please "
                           f"update Costscape to open it.")
