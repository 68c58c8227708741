"""Lesson files: read (a size-limited UTF-8 TOML file, checked by :mod:`core.lessons.model`) and
written one step at a time (authoring: the app's settings and layout as a new step).

Nothing in a lesson file is ever executed: TOML is data, the text is rendered as text (a small
Markdown subset, HTML escaped), and conditions go through :mod:`core.lessons.conditions`.
"""
from __future__ import annotations

import dataclasses
import os
import re
import tomllib

from core.config import Config
from core.files import atomic_write, describe_error
from core.lessons.model import FORMAT, FORMAT_VERSION, LessonError, from_dict

#: Suggested (and registered) extension of lesson files.
SUFFIX = ".costscape-lesson"
#: Largest lesson file read: a lesson is text, and 1 MB is hundreds of pages of it.
MAX_BYTES = 1_000_000
_STEPS_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*steps[ \t]*\]\]", re.MULTILINE)
#: Config fields a saved step leaves out: derived from the data set.
_DERIVED = ("task",)


def loads(text, path=None):
    """The :class:`~core.lessons.model.Lesson` in TOML ``text`` (``path`` names it in errors).

    Raises
    ------
    LessonError
        For text that is not TOML (with its line and column), or a lesson with a problem
        (naming the step, its line and the key).
    """
    if not isinstance(text, str):
        raise LessonError(f"a lesson must be text, not {type(text).__name__}", path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise LessonError(f"it is not valid TOML: {describe_error(err)}", path) from None
    except RecursionError:
        raise LessonError("it is nested too deeply to be a lesson", path) from None
    try:
        return from_dict(data, path)
    except LessonError as err:
        line = _step_line(text, err.step) if err.step is not None else None
        if line is None:
            raise
        raise LessonError(f"{err.reason} (the [[steps]] table at line {line})", path,
                          err.step) from None


def _step_line(text, index):
    """Line (from 1) of the ``index``-th ``[[steps]]`` header, or None."""
    for i, match in enumerate(_STEPS_HEADER.finditer(text)):
        if i == index:
            return text.count("\n", 0, match.start()) + 1
    return None


def load(path):
    """The lesson in the file at ``path``.

    Raises
    ------
    LessonError
        And nothing else, for any file: missing, a folder, unreadable, empty, larger than
        :data:`MAX_BYTES`, not UTF-8, not TOML, not a lesson, or a lesson with a problem.
    """
    return loads(read_text(path), os.fspath(path) if _is_path(path) else path)


def _is_path(path) -> bool:
    return isinstance(path, (str, os.PathLike))


def read_text(path) -> str:
    """The text of lesson file ``path`` after the checks of :func:`load` (LessonError)."""
    if not _is_path(path):
        raise LessonError(f"a file path must be text or a path, not {type(path).__name__}",
                          repr(path))
    try:
        if os.path.isdir(path):
            raise LessonError("it is a folder, not a file", path)
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise LessonError("the file does not exist", path) from None
    except PermissionError:
        raise LessonError("you do not have permission to read it", path) from None
    except (OSError, ValueError, TypeError) as err:  # ValueError/TypeError: NUL in the path
        raise LessonError(f"it cannot be read ({describe_error(err)})", path) from None
    if not raw:
        raise LessonError("the file is empty (0 bytes)", path)
    if len(raw) > MAX_BYTES:
        raise LessonError(f"the file is larger than {MAX_BYTES // 1_000_000} MB; a lesson is "
                          f"a short text file", path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LessonError("it is not a text file (not UTF-8); a lesson is a TOML text file",
                          path) from None


# --------------------------------------------------------------------------- writing
def _string(text) -> str:
    """``text`` as a TOML string: multi-line when it has line breaks, every quote escaped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "\n" or ch == "\t":
            out.append(ch)
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    body = "".join(out)
    if "\n" in text:
        # The line break after the opening quotes is not part of the string; a backslash at
        # the end of the last line drops the one before the closing quotes.
        return f'"""\n{body}"""' if body.endswith("\n") else f'"""\n{body}\\\n"""'
    return '"' + body.replace("\t", "\\t") + '"'


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to a lesson file")


def config_table(config: Config) -> dict:
    """The settings of ``config`` that differ from the defaults, enough to rebuild it exactly:
    ``Config.from_dict(config_table(c)) == c``."""
    default = Config()
    table = {}
    for field in dataclasses.fields(Config):
        value = getattr(config, field.name)
        if field.name in _DERIVED or value is None or value == getattr(default, field.name):
            continue
        table[field.name] = list(value) if isinstance(value, tuple) else value
    # loss and output_activation choose themselves from the rest; spell them out when the
    # automatic choice would be another.
    for name in ("loss", "output_activation"):
        if Config.from_dict(table) != config:
            table[name] = getattr(config, name)
    if Config.from_dict(table) != config:
        table = {k: v for k, v in config.to_dict().items() if v is not None}
    return table


def step_toml(config, title, text, views=None, point_at=None, lock=()) -> str:
    """A ``[[steps]]`` table: ``config`` (its settings that differ from the defaults), the
    step's ``title`` and ``text``, and optionally the ``views`` shown, what to ``point_at`` and
    the Config fields (or groups) to ``lock``."""
    lines = ["[[steps]]", f"title = {_string(title)}", f"text = {_string(text)}"]
    if views is not None:
        lines.append(f"views = {_value(list(views))}")
    if point_at is not None:
        lines.append(f"point_at = {_string(point_at)}")
    if lock:
        lines.append(f"lock = {_value(list(lock))}")
    lines += ["", "[steps.config]"]
    lines += [f"{key} = {_value(value)}" for key, value in config_table(config).items()]
    return "\n".join(lines) + "\n"


def lesson_header(title, audience) -> str:
    """The first lines of a new lesson file."""
    return (f'format = "{FORMAT}"\nversion = {FORMAT_VERSION}\ntitle = {_string(title)}\n'
            f"audience = {_string(audience)}\n")


def append_step(path, step, title="A new lesson", audience="Everyone"):
    """Add the ``[[steps]]`` table ``step`` (from :func:`step_toml`) to the lesson file at
    ``path``, creating the file (with ``title`` and ``audience``) when there is none.

    The whole new text is checked as a lesson before it is written (atomically), so a file
    that is not a lesson, or would not be one with the step, is left unchanged.

    Returns the lesson as written. Raises LessonError (the file is unchanged then).
    """
    if os.path.exists(path):
        text = read_text(path).rstrip("\n") + "\n\n"
    else:
        text = lesson_header(title, audience) + "\n"
    text += step
    try:
        lesson = loads(text, os.fspath(path))
    except LessonError as err:
        raise LessonError(f"{err.reason}. The file is unchanged.", err.path, err.step,
                          action="save") from None
    data = text.encode("utf-8")
    try:
        atomic_write(path, lambda f: f.write(data))
    except OSError as err:
        raise LessonError(f"{err.strerror or describe_error(err)}. Any earlier file there "
                          f"is unchanged.", os.fspath(path), action="save") from err
    return lesson
