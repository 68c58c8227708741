"""Your own data from a CSV file: feature columns, then one label column.

:func:`load_csv` reads a whole file into a :class:`~core.datasets.Dataset`; :func:`preview_csv`
reads the head of one, with the same rules (separator, header, row numbers, file checks), for
an interface to show what is in it. Every problem is a :class:`~core.datasets.DataError` whose
``path``, ``row`` and ``column`` say where it is (rows and columns 1-based, as a spreadsheet
numbers them: every line is a row, blank ones too, and a quoted cell may hold line breaks).

The file is read as it is parsed, a block at a time, and only what is kept is held: memory
stays within a small multiple of the file's size, an error is reported as soon as its row is
read, and a file with more than :data:`MAX_CSV_ROWS` data rows is refused as soon as that
many have been read. Only regular files are opened (a named pipe or a device is refused at
once, never waited on). Text is UTF-8 (with or without Excel's byte-order mark), or UTF-16 or
UTF-32 with a byte-order mark (Excel's "Unicode text").
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import itertools
import math
import os
import re
import typing
from pathlib import Path

import numpy as np

from core.datasets.dataset import TASKS, DataError, Dataset, check_number
from core.datasets.generators import MAX_SAMPLES, _check_fraction, _split
from core.files import NotRegularFile, open_regular

#: Most distinct integer labels that ``load_csv`` reads as classes when it guesses the task.
MAX_DETECTED_CLASSES = 20
#: Most classes a CSV file may have when the task is given as multiclass.
MAX_CLASSES = 100
#: Larger files are refused: the app keeps all data in memory and replots it often.
MAX_CSV_BYTES = 50_000_000
#: Most data rows (the header aside): as many as the largest generated data set. A larger file
#: is refused as soon as this many rows are read, without reading the rest.
MAX_CSV_ROWS = MAX_SAMPLES
#: Most columns (inputs, then the label): the first layer has a weight per input and neuron.
MAX_CSV_COLUMNS = 1_000
#: Longest row, in characters (a quoted cell's line breaks included): far beyond 1,000 numbers,
#: it keeps one endless row from filling the memory with millions of cells.
MAX_ROW_CHARS = 1_000_000
#: Largest |value| a CSV cell may hold: the plots square and sum coordinates, and values near
#: the float limit (1e308) overflow there. Data this large want rescaling anyway.
MAX_CSV_VALUE = 1e12
#: How much of the file :func:`preview_csv` reads.
PREVIEW_BYTES = 64 * 1024
_BLOCK = 64 * 1024
# Cells converted to numbers at a time: big enough for numpy to do the work, small enough that
# the cells' text never takes much memory.
_CELLS_PER_CHUNK = 1 << 16
_LINE_END = re.compile(r"\r\n|\r|\n")
_QUOTED = re.compile(r'"[^"]*(?:"|$)')
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_TOO_MANY_ROWS = (f"more than {MAX_CSV_ROWS:,} data rows. Costscape keeps every point in "
                  f"memory and draws them all: use a random sample of at most "
                  f"{MAX_CSV_ROWS:,} rows (a spreadsheet, or pandas' DataFrame.sample, makes one)")


class CsvPreview(typing.NamedTuple):
    """The head of a CSV file as :func:`preview_csv` reads it."""

    #: The header's cells, or None when the first row holds only numbers.
    header: list | None
    #: The first data rows, each a list of its cells as text (as written, decimal commas too).
    rows: list
    #: The file row number of each of ``rows`` (1-based, as a spreadsheet numbers them).
    row_numbers: list


# --------------------------------------------------------------------------- reading text

def _open(path):
    """The file opened for binary reading, after the checks every reader makes."""
    if not isinstance(path, (str, os.PathLike)):
        raise DataError(f"a CSV path must be a string or path, not {type(path).__name__}")
    try:
        f = open_regular(path)
    except NotRegularFile as err:
        what = ("a CSV file" if err.kind == "a folder"
                else "an ordinary file: Costscape opens only ordinary files")
        raise DataError(f"is {err.kind}, not {what}", path) from None
    except FileNotFoundError:
        raise DataError("file not found", path) from None
    except (OSError, ValueError, TypeError) as err:  # permissions, NUL in the name, bytes paths
        raise DataError(f"cannot read the file ({err})", path) from None
    if os.fstat(f.fileno()).st_size > MAX_CSV_BYTES:
        f.close()
        raise DataError(f"larger than {MAX_CSV_BYTES // 1_000_000} MB", path)
    return f


def _encoding(head, path) -> str:
    """The text encoding the file's first bytes show (a byte-order mark), else UTF-8."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if b"\0" in head:
        # Every other byte zero: UTF-16 without a byte-order mark, which cannot be told from
        # binary data for sure; say what it looks like.
        pairs = head[:len(head) // 2 * 2][:512]
        if len(pairs) >= 4 and (not any(pairs[0::2]) or not any(pairs[1::2])):
            raise DataError("looks like UTF-16 text without a byte-order mark; save the file "
                            "as UTF-8 CSV", path)
        raise DataError("not a text file (it contains binary data)", path)
    return "utf-8-sig"  # -sig: Excel writes a byte-order mark


class _Progress:
    """How far reading has got: characters handed to the csv reader (``read``), where the row
    being read began (``start``) and the number of the last row read (``row``). The line
    reader and the row loop share it, so that one endless row is stopped while it is read."""

    def __init__(self):
        self.read = self.start = self.row = 0

    def take(self, line, path):
        self.read += len(line)
        if self.read - self.start > MAX_ROW_CHARS:
            raise DataError(f"the row is longer than {MAX_ROW_CHARS:,} characters", path,
                            self.row + 1)
        return line


def _physical_lines(f, path, max_bytes, progress):
    r"""The file's lines as text, each with its line end (``\r\n``, ``\r`` or ``\n``), read a
    block at a time. With ``max_bytes`` only that much is read and a line it cuts is left out."""
    # With max_bytes, the file may go on past what is read: its last line read is then cut
    # (and a character may be too), and left out.
    cut = max_bytes is not None and os.fstat(f.fileno()).st_size > max_bytes
    head = f.read(min(_BLOCK, max_bytes or _BLOCK))
    encoding = _encoding(head, path)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    name = "UTF-8" if encoding == "utf-8-sig" else encoding.upper()
    pending, newlines, total, block = "", 0, 0, head
    while True:
        total += len(block)
        last = not block or (max_bytes is not None and total >= max_bytes)
        if b"\0" in block and encoding == "utf-8-sig":
            raise DataError("not a text file (it contains binary data)", path)
        try:
            text = pending + decoder.decode(block, final=last and not cut)
        except UnicodeDecodeError as err:
            line = newlines + block[:max(err.start, 0)].count(b"\n") + 1
            raise DataError(f"not {name} text; save the file as UTF-8 CSV", path,
                            line) from None
        if "\0" in text:
            raise DataError("not a text file (it contains binary data)", path)
        newlines += block.count(b"\n")
        start = 0
        for match in _LINE_END.finditer(text):
            end = match.end()
            # A "\r" at the very end may be the first half of a "\r\n" in the next block.
            if end == len(text) and text.endswith("\r") and not last:
                break
            yield progress.take(text[start:end], path)
            start = end
        pending = text[start:]
        if len(pending) > MAX_ROW_CHARS:
            progress.take(pending, path)  # a line too long to be a row: say so now
        if last:
            if pending and not cut:
                yield progress.take(pending, path)  # the last line, without a line end
            return
        block = f.read(_BLOCK if max_bytes is None else min(_BLOCK, max_bytes - total))
        if max_bytes is None and total + len(block) > MAX_CSV_BYTES:
            raise DataError(f"larger than {MAX_CSV_BYTES // 1_000_000} MB", path)


def _first_row(lines, progress):
    """(blank lines before it, the lines of the first non-blank row): all of them when a quoted
    cell spans lines, so that the separator is chosen from the whole row."""
    blank, row, quotes = 0, [], 0
    for line in lines:
        if not row and not line.strip():
            blank += 1
            progress.start = progress.read
            continue
        row.append(line)
        quotes += line.count('"')
        if quotes % 2 == 0:
            break
    return blank, row


def _delimiter(first_row) -> str:
    """; or , or tab: the first of them the first row holds outside quotes (a comma if none)."""
    unquoted = _QUOTED.sub("", first_row)
    return next((d for d in ";,\t" if d in unquoted), ",")


@contextlib.contextmanager
def _reading(path, max_bytes=None):
    """``(delimiter, rows)`` of the file, open while the block runs: ``rows`` yields
    ``(row number, cells)`` of every non-blank row (the cells as read, spaces and all: only
    the few that are looked at as text are stripped, see :func:`_stripped`)."""
    with _open(path) as f:
        progress = _Progress()
        lines = _physical_lines(f, path, max_bytes, progress)
        blank, first = _first_row(lines, progress)
        delimiter = _delimiter("".join(first))
        yield delimiter, _rows(itertools.chain(first, lines), delimiter, blank, progress, path)


def _rows(lines, delimiter, number, progress, path):
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        progress.row = number
        try:
            record = next(reader, None)
        except csv.Error as err:
            raise DataError(f"cannot split the row ({err})", path, number + 1) from None
        if record is None:
            return
        number += 1
        progress.start = progress.read
        if len(record) > 1 or (record and record[0].strip()):
            yield number, record


def _stripped(cells) -> list:
    return [cell.strip() for cell in cells]


# --------------------------------------------------------------------------- numbers

def _number(cell, delimiter):
    """The cell's value, or None when it is not a number."""
    if delimiter == ";":  # European exports: decimal comma with semicolon separators
        cell = cell.replace(",", ".")
    # Python reads "1_000" as 1000 and Arabic-Indic or full-width digits as digits; a
    # spreadsheet reads none of them as a number.
    if "_" in cell or not cell.isascii():
        return None
    try:
        return float(cell)
    except ValueError:
        return None


def _check_cell(cell, value, delimiter, path, number, column):
    cell = cell.strip()
    shown = (cell.replace(",", ".") if delimiter == ";" else cell)[:40]
    if value is None or not math.isfinite(value):
        what = ("is empty" if not cell else "is not finite" if value is not None
                else "is not a number")
        raise DataError(f"{shown!r} {what}", path, number, column)
    if abs(value) > MAX_CSV_VALUE:
        raise DataError(f"{shown!r} is too large (beyond ±{MAX_CSV_VALUE:g}); rescale the "
                        f"column", path, number, column)


def _convert(cells, numbers, width, delimiter, path) -> np.ndarray:
    """``len(numbers)`` rows of ``width`` cells as a float array, each cell checked."""
    values = None
    joined = "".join(cells)
    if joined.isascii() and "_" not in joined:  # else the slow way finds the cell and says why
        if delimiter == ";":
            cells = [cell.replace(",", ".") for cell in cells]
        try:
            values = np.array(cells, dtype=float)
        except ValueError:
            values = None
        if values is not None and not ((np.abs(values) <= MAX_CSV_VALUE).all()):
            values = None  # NaN, infinite or huge: found and named below
    if values is None:  # the first bad cell, exactly, and its message
        values = np.empty(len(cells))
        for i, cell in enumerate(cells):
            values[i] = value = _number(cell.strip(), delimiter)
            if value is None or not math.isfinite(value) or abs(value) > MAX_CSV_VALUE:
                _check_cell(cell, value, delimiter, path, numbers[i // width], i % width + 1)
    return values.reshape(len(numbers), width)


def _read_values(rows, width, first_row, delimiter, path):
    """(values ``(n, width)``, row numbers) of the data rows, checked and converted in chunks
    as they are read. Problems are reported in the file's order: the chunk read so far is
    converted (and its cells checked) before a later row's problem is raised."""
    chunks, numbers, cells, pending = [], [], [], []

    def flush():
        chunks.append(_convert(cells, pending, width, delimiter, path))
        numbers.extend(pending)
        cells.clear()
        pending.clear()

    for number, row in rows:
        problem = None
        if len(row) != width:
            problem = DataError(f"the row has {len(row)} cells but row {first_row} has "
                                f"{width}", path, number, min(len(row), width) + 1)
        elif len(numbers) + len(pending) == MAX_CSV_ROWS:
            problem = DataError(_TOO_MANY_ROWS, path)
        if problem is not None:
            flush()
            raise problem
        cells.extend(row)
        pending.append(number)
        if len(cells) >= _CELLS_PER_CHUNK:
            flush()
    flush()
    # Into one array, each chunk freed once copied: the chunks and the whole are never both
    # held (np.concatenate would hold both).
    values = np.empty((len(numbers), width))
    at = 0
    while chunks:
        chunk = chunks.pop(0)
        values[at:at + len(chunk)] = chunk
        at += len(chunk)
    return values, numbers


def _header(rows, delimiter):
    """(header row number or None, header cells or None, the rows from the first data row)."""
    first = next(rows, None)
    if first is None:
        return None, None, iter(())
    number, cells = first
    cells = _stripped(cells)
    if any(_number(c, delimiter) is None for c in cells):
        return number, cells, rows
    return None, None, itertools.chain([first], rows)


# --------------------------------------------------------------------------- interface

def preview_csv(path, limit=10) -> CsvPreview:
    """The header and first ``limit`` data rows of a CSV file, as text, to show what is in it.

    Reads only the first :data:`PREVIEW_BYTES` of the file and splits them by the rules of
    :func:`load_csv` (separator, header, row numbers). The cells are not checked: a file
    whose cells :func:`load_csv` refuses still previews, so an interface can show the bad
    cell its :class:`DataError` names.

    Raises
    ------
    DataError
        When :func:`load_csv` would refuse the file as a whole: missing, a folder, a pipe or
        device, unreadable, too large, binary or not UTF-8 (in the part read), or a row that
        cannot be split.
    """
    with _reading(path, PREVIEW_BYTES) as (delimiter, rows):
        _, header, rows = _header(rows, delimiter)
        kept = list(itertools.islice(rows, max(int(limit), 0)))
    return CsvPreview(header, [_stripped(cells) for _, cells in kept],
                      [number for number, _ in kept])


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


def load_csv(path, task=None, train_fraction=0.5, seed=0) -> Dataset:
    """Read a data set from a CSV file: feature columns, then one label column.

    The separator is a comma, a semicolon (then a decimal comma is accepted too) or a tab. The
    first row is a header when any of its cells is not a number. Blank lines are skipped.
    Cells may be quoted (a quoted header cell may hold separators and line breaks). Numbers are
    written in ASCII digits, as a spreadsheet writes them.

    Parameters
    ----------
    path : str or path-like
    task : {None, "regression", "binary", "multiclass"}
        None guesses from the labels: whole numbers with exactly 2 distinct values -> binary,
        with 3 to 20 distinct values -> multiclass, anything else -> regression.
        Classification labels are mapped to 0..k-1 in increasing order, so {-1, 1} and {1, 2}
        become {0, 1} and {2, 5, 9} becomes {0, 1, 2}.
    train_fraction : float in (0, 1]
        Share of the shuffled rows used for training (at least one row on each side below 1).
        At 1 every row trains and the test rows are the same rows (``Dataset.test_is_train``):
        e.g. a 4-row XOR truth table that must learn all four.
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
        And no other exception, for any file: missing, a folder, a named pipe or device,
        unreadable, larger than :data:`MAX_CSV_BYTES`, binary or not UTF-8 (or UTF-16/32
        with a byte-order mark), empty, header only, fewer than 2 rows or 2 columns, more
        than :data:`MAX_CSV_ROWS` data rows or :data:`MAX_CSV_COLUMNS` columns, a
        non-numeric, empty, NaN, infinite or huge (beyond ±1e12) cell, a row with the wrong
        number of cells, or labels that do not fit ``task``. Its ``row`` and ``column`` say
        where, when the problem has a place; the message names them too.
    """
    if task is not None and task not in TASKS:
        raise DataError(f"unknown task {task!r}; choose one of: {', '.join(TASKS)} (or None)")
    _check_fraction(train_fraction)
    check_number("seed", seed, 0, math.inf, integer=True)
    with _reading(path) as (delimiter, rows):
        header_row, header, rows = _header(rows, delimiter)
        first = next(rows, None)
        if first is None:
            if header_row is None:
                raise DataError("the file is empty", path)
            raise DataError(f"only a header row (row {header_row}), no data", path)
        width = len(header) if header_row else len(first[1])
        if width < 2:
            raise DataError("missing; a data set needs at least 2 columns (features, then a "
                            "label) and this file has 1 (separate columns with commas)", path,
                            first[0], 2)
        if width > MAX_CSV_COLUMNS:
            raise DataError(f"{width:,} columns; Costscape reads at most {MAX_CSV_COLUMNS:,} "
                            f"(inputs, then the label)", path, header_row or first[0])
        data, row_numbers = _read_values(itertools.chain([first], rows), width,
                                         header_row or first[0], delimiter, path)
    if len(row_numbers) < 2:
        raise DataError(f"needs at least 2 data rows (one to train, one to test); found 1 "
                        f"(row {row_numbers[0]})", path)
    task, y, n_classes = _labels_for_task(data[:, -1], row_numbers, task, path, width)
    X = data[:, :-1]
    low, high = X.min(axis=0), X.max(axis=0)
    domain = []
    for lo, hi in zip(low.tolist(), high.tolist()):
        margin = 0.1 * (hi - lo) or 1.0
        domain.append((lo - margin, hi + margin))
    rng = np.random.default_rng(int(seed))
    parts = _split(rng, X, y, train_fraction)
    del data, X, y  # the split holds copies: at most two copies of the values at any time
    return Dataset(Path(path).stem, task, *parts, n_classes, tuple(domain))
