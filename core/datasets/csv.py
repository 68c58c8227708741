"""Your own data from a CSV file: feature columns, then one label column.

:func:`load_csv` reads a whole file into a :class:`~core.datasets.Dataset`; :func:`preview_csv`
reads the head of one, with the same rules (separator, header, row numbers, file checks), for
an interface to show what is in it. Every problem is a :class:`~core.datasets.DataError` whose
``path``, ``row`` and ``column`` say where it is (rows and columns 1-based, counting every
line, as a spreadsheet shows them).
"""
from __future__ import annotations

import csv
import math
import os
import re
import typing
from pathlib import Path

import numpy as np

from core.datasets.dataset import TASKS, DataError, Dataset, check_number
from core.datasets.generators import _split

#: Most distinct integer labels that ``load_csv`` reads as classes when it guesses the task.
MAX_DETECTED_CLASSES = 20
#: Most classes a CSV file may have when the task is given as multiclass.
MAX_CLASSES = 100
#: Larger files are refused: the app keeps all data in memory and replots it often.
MAX_CSV_BYTES = 50_000_000
#: Largest |value| a CSV cell may hold: the plots square and sum coordinates, and values near
#: the float limit (1e308) overflow there. Data this large want rescaling anyway.
MAX_CSV_VALUE = 1e12
#: How much of the file :func:`preview_csv` reads.
PREVIEW_BYTES = 64 * 1024


class CsvPreview(typing.NamedTuple):
    """The head of a CSV file as :func:`preview_csv` reads it."""

    #: The header's cells, or None when the first row holds only numbers.
    header: list | None
    #: The first data rows, each a list of its cells as text (as written, decimal commas too).
    rows: list
    #: The file row number of each of ``rows`` (1-based, counting every line).
    row_numbers: list


def _read_text(path, head=None) -> str:
    """The file's text, or its first ``head`` bytes' complete lines, after the file checks."""
    if not isinstance(path, (str, os.PathLike)):
        raise DataError(f"a CSV path must be a string or path, not {type(path).__name__}")
    try:
        p = Path(path)
        missing, folder = not p.exists(), p.is_dir()
        size = 0 if missing or folder else p.stat().st_size
        raw = b""
        if not (missing or folder or size > MAX_CSV_BYTES):
            with open(p, "rb") as f:
                raw = f.read(-1 if head is None else head)
    except (OSError, ValueError, TypeError) as err:  # permissions, NUL in the name, bytes paths
        raise DataError(f"cannot read the file ({err})", path) from None
    if missing:
        raise DataError("file not found", path)
    if folder:
        raise DataError("is a folder, not a CSV file", path)
    if size > MAX_CSV_BYTES:
        raise DataError(f"larger than {MAX_CSV_BYTES // 1_000_000} MB", path)
    if head is not None and size > len(raw):
        raw = raw[:raw.rfind(b"\n") + 1]  # the last line read is cut: leave it out
    if b"\0" in raw:
        raise DataError("not a text file (it contains binary data)", path)
    try:
        return raw.decode("utf-8-sig")  # -sig: Excel writes a byte-order mark
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise DataError("not UTF-8 text; save the file as UTF-8 CSV", path, line) from None


def _lines(text) -> list:
    """(row number, line) of every non-blank line.

    Split on line ends only (str.splitlines also splits on form feeds etc., which a spreadsheet
    would not), numbering every line so that row numbers match the file.
    """
    return [(i, line) for i, line in enumerate(re.split(r"\r\n|\r|\n", text), 1) if line.strip()]


def _delimiter(first_line) -> str:
    """; or , or tab: the first of them the first row holds (a comma if none)."""
    return next((d for d in ";,\t" if d in first_line), ",")


def _cells(number, line, delimiter, path) -> list:
    """The cells of one line as written, stripped of surrounding spaces."""
    try:
        cells = next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration) as err:
        raise DataError(f"cannot split the row ({err})", path, number) from None
    return [c.strip() for c in cells]


def _number(cell, delimiter):
    """The cell's value, or None when it is not a number."""
    if delimiter == ";":  # European exports: decimal comma with semicolon separators
        cell = cell.replace(",", ".")
    if "_" in cell:  # Python reads "1_000" as 1000; a spreadsheet would not
        return None
    try:
        return float(cell)
    except ValueError:
        return None


def _rows(lines, path):
    """(delimiter, header row number or None, header cells or None, [(number, cells)])."""
    delimiter = _delimiter(lines[0][1])
    rows = [(number, _cells(number, line, delimiter, path)) for number, line in lines]
    if rows and any(_number(c, delimiter) is None for c in rows[0][1]):
        header_row, header = rows.pop(0)
        return delimiter, header_row, header, rows
    return delimiter, None, None, rows


def preview_csv(path, limit=10) -> CsvPreview:
    """The header and first ``limit`` data rows of a CSV file, as text, to show what is in it.

    Reads only the first :data:`PREVIEW_BYTES` of the file and splits them by the rules of
    :func:`load_csv` (separator, header, row numbers). The cells are not checked: a file
    whose cells :func:`load_csv` refuses still previews, so an interface can show the bad
    cell its :class:`DataError` names.

    Raises
    ------
    DataError
        When :func:`load_csv` would refuse the file as a whole: missing, a folder, unreadable,
        too large, binary or not UTF-8 (in the part read), or a row that cannot be split.
    """
    lines = _lines(_read_text(path, PREVIEW_BYTES))[:limit + 1]
    if not lines:
        return CsvPreview(None, [], [])
    _, _, header, rows = _rows(lines, path)
    rows = rows[:limit]
    return CsvPreview(header, [cells for _, cells in rows], [number for number, _ in rows])


def _labels_for_task(labels, rows, task, path, column):
    """Check the label column fits ``task`` (or guess it) and map classes to 0..k-1."""
    whole = np.isfinite(labels) & (labels == np.round(labels))
    values = np.unique(labels)
    if task is None:
        if whole.all() and 2 <= len(values) <= MAX_DETECTED_CLASSES:
            task = "binary" if len(values) == 2 else "multiclass"
        else:
            task = "regression"
    if task == "regression":
        return task, labels, 1
    if not whole.all():
        row = int(np.argmin(whole))
        raise DataError(f"a {task} label must be a whole number (a class), got "
                        f"{labels[row]:g}", path, rows[row], column)
    most = 2 if task == "binary" else MAX_CLASSES
    needs = ("exactly 2 distinct labels" if task == "binary"
             else f"2 to {MAX_CLASSES} distinct labels")
    if len(values) < 2:
        raise DataError(f"a {task} task needs {needs}, but every label is {values[0]:g} (rows "
                        f"{rows[0]} to {rows[-1]})", path, column=column)
    if len(values) > most:
        # Name the row where one label too many first appears, in the file's order.
        _, first = np.unique(labels, return_index=True)
        row = np.sort(first)[most]
        raise DataError(f"label {labels[row]:g} is label number {most + 1}; a {task} task "
                        f"needs {needs} (this column has {len(values)})", path, rows[row],
                        column)
    return task, np.searchsorted(values, labels).astype(float), len(values)


def _values(rows, width, header_row, delimiter, path) -> np.ndarray:
    """The cells as an ``(n, width)`` float array, each checked."""
    data = np.empty((len(rows), width))
    for r, (number, cells) in enumerate(rows):
        if len(cells) != width:
            source = f"row {header_row or rows[0][0]}"
            raise DataError(f"the row has {len(cells)} cells but {source} has {width}", path,
                            number, min(len(cells), width) + 1)
        for c, cell in enumerate(cells):
            value = _number(cell, delimiter)
            shown = (cell.replace(",", ".") if delimiter == ";" else cell)[:40]
            if value is None or not math.isfinite(value):
                what = ("is empty" if not cell else "is not finite" if value is not None
                        else "is not a number")
                raise DataError(f"{shown!r} {what}", path, number, c + 1)
            if abs(value) > MAX_CSV_VALUE:
                raise DataError(f"{shown!r} is too large (beyond ±{MAX_CSV_VALUE:g}); rescale "
                                f"the column", path, number, c + 1)
            data[r, c] = value
    return data


def load_csv(path, task=None, train_fraction=0.5, seed=0) -> Dataset:
    """Read a data set from a CSV file: feature columns, then one label column.

    The separator is a comma, a semicolon (then a decimal comma is accepted too) or a tab. The
    first row is a header when any of its cells is not a number. Blank lines are skipped.

    Parameters
    ----------
    path : str or path-like
    task : {None, "regression", "binary", "multiclass"}
        None guesses from the labels: whole numbers with exactly 2 distinct values -> binary,
        with 3 to 20 distinct values -> multiclass, anything else -> regression.
        Classification labels are mapped to 0..k-1 in increasing order, so {-1, 1} and {1, 2}
        become {0, 1} and {2, 5, 9} becomes {0, 1, 2}.
    train_fraction : float in (0, 1)
        Share of the shuffled rows used for training (at least one row on each side).
    seed : int
        Seeds the shuffle.

    Returns
    -------
    Dataset
        Named after the file's stem; ``domain`` is each feature's [min, max] widened by 10 %
        of its span on both sides (by 1 when the span is 0).

    Raises
    ------
    DataError
        And no other exception, for any file: missing, a folder, unreadable, binary or not
        UTF-8, empty, header only, fewer than 2 rows or 2 columns, a non-numeric, empty, NaN,
        infinite or huge (beyond ±1e12) cell, a row with the wrong number of cells, or labels
        that do not fit ``task``. Its ``row`` and ``column`` say where, when the problem has
        a place; the message names them too.
    """
    if task is not None and task not in TASKS:
        raise DataError(f"unknown task {task!r}; choose one of: {', '.join(TASKS)} (or None)")
    check_number("train_fraction", train_fraction, 0.0, 1.0, open_=True)
    check_number("seed", seed, 0, math.inf, integer=True)
    lines = _lines(_read_text(path))
    if not lines:
        raise DataError("the file is empty", path)
    delimiter, header_row, header, rows = _rows(lines, path)
    if not rows:
        raise DataError(f"only a header row (row {header_row}), no data", path)
    width = len(header) if header_row else len(rows[0][1])
    if width < 2:
        raise DataError("missing; a data set needs at least 2 columns (features, then a label) "
                        "and this file has 1 (separate columns with commas)", path,
                        rows[0][0], 2)
    data = _values(rows, width, header_row, delimiter, path)
    if len(rows) < 2:
        raise DataError(f"needs at least 2 data rows (one to train, one to test); found 1 "
                        f"(row {rows[0][0]})", path)
    row_numbers = [number for number, _ in rows]
    task, y, n_classes = _labels_for_task(data[:, -1], row_numbers, task, path, width)
    X = data[:, :-1]
    low, high = X.min(axis=0), X.max(axis=0)
    domain = []
    for lo, hi in zip(low.tolist(), high.tolist()):
        margin = 0.1 * (hi - lo) or 1.0
        domain.append((lo - margin, hi + margin))
    rng = np.random.default_rng(int(seed))
    name = Path(path).stem
    return Dataset(name, task, *_split(rng, X, y, train_fraction), n_classes, tuple(domain))
