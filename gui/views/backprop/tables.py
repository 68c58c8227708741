"""The parts of the backpropagation view's stages: what a table shows of an array, and the
:class:`Stage` that holds formulas, words and tables (pure, no Qt).

A stage's numbers are arrays with a row per example (z, a, δ...) or a row per input of a layer
(W, ∂C/∂W). A table shows the first :data:`MAX_ROWS` rows and :data:`MAX_COLUMNS` columns, names
the whole array's shape in words, and, when it shows only part, a summary of all the values.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from gui.numbers import format_number

MAX_ROWS = 8
MAX_COLUMNS = 6
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sup(n) -> str:
    """``12`` -> ``"¹²"``: a layer's number as a superscript."""
    return str(n).translate(_SUPERSCRIPTS)


@dataclasses.dataclass(frozen=True, eq=False)
class Table:
    """One array as the view shows it.

    Attributes
    ----------
    title : str
        What the numbers are, with their symbol: ``"z⁰: pre-activations"``.
    shape : str
        The whole array's shape in words: ``"4 examples × 4 neurons"``.
    rows, columns : tuple of str
        Labels of the rows and columns shown.
    values : (r, c) array
        The numbers shown (the top-left corner of the array).
    summary : str
        "" when everything is shown; otherwise what is left out and the range of all values.
    mark : str
        "" or "wrong" / "right": the two deltas of the classic mistake, side by side.
    tip : str
        A sentence on what the table holds, for its tooltip.
    tint_by : str
        "table" when every cell is the same kind of number (cells are tinted against the
        table's largest size), "column" when each column is its own kind (θ, g, Δθ...).
    """

    title: str
    shape: str
    rows: tuple
    columns: tuple
    values: np.ndarray
    summary: str = ""
    mark: str = ""
    tip: str = ""
    tint_by: str = "table"

    def cell(self, row, column) -> str:
        return cell_text(self.values[row, column])


def example_labels(inputs) -> list:
    """Row labels of a mini-batch: "example 1"... (rows of the batch, counted from 1 as the
    view counts neurons and layers), with the inputs where they are a few whole numbers (a
    truth table's rows: "example 1  (0, 1)")."""
    inputs = np.asarray(inputs)
    labels = [f"example {i + 1}" for i in range(len(inputs))]
    if inputs.shape[1] <= 4 and np.all(inputs == np.round(inputs)) and np.all(abs(inputs) < 100):
        labels = [f"{label}  ({', '.join(str(int(v)) for v in row)})"
                  for label, row in zip(labels, inputs)]
    return labels


def cell_text(value) -> str:
    """A number as a table cell shows it: 4 significant digits, a true minus sign."""
    return format_number(float(value), 4, true_minus=True)


def _plural(n, word) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def table(values, title, row_word, column_word, row_labels=None, column_labels=None,
          mark="", tip="", tint_by="table", max_rows=MAX_ROWS,
          max_columns=MAX_COLUMNS) -> Table:
    """A :class:`Table` of ``values`` (a 2-D array, or 1-D as one row) whose rows are
    ``row_word``\\ s and columns ``column_word``\\ s ("example", "neuron"...); at most
    ``max_rows`` rows and ``max_columns`` columns are shown."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[None, :]
        row_labels = row_labels or ("",)
    n_rows, n_cols = values.shape
    # Counted from 1, as the parameters' labels (W1[1→2]) and the network diagram count.
    rows = tuple((row_labels or [f"{row_word} {i + 1}" for i in range(n_rows)])[:max_rows])
    columns = tuple((column_labels or [str(j + 1) for j in range(n_cols)])[:max_columns])
    shown = values[:max_rows, :max_columns]
    shape = (_plural(n_cols, column_word) if n_rows == 1 and row_word == ""
             else f"{_plural(n_rows, row_word)} × {_plural(n_cols, column_word)}")
    summary = ""
    if shown.size < values.size:
        left = []
        if n_rows > max_rows:
            left.append(f"the first {max_rows} of {n_rows:,} {row_word}s")
        if n_cols > max_columns:
            left.append(f"the first {max_columns} of {n_cols:,} {column_word}s")
        # A range over columns of different kinds (θ beside g) would mean nothing.
        summary = f"Showing {' and '.join(left)}." + (
            f" {describe_values(values)}" if tint_by == "table" else "")
    return Table(title, shape, rows, columns, shown, summary, mark, tip, tint_by)


def describe_values(values) -> str:
    """A summary of every value of an array: its range and mean size."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if not finite.size:
        return "No value is finite."
    return (f"All {values.size:,} values: from {cell_text(finite.min())} to "
            f"{cell_text(finite.max())}, mean |value| {cell_text(np.abs(finite).mean())}.")


@dataclasses.dataclass(frozen=True, eq=False)
class Stage:
    """One stage of the step.

    ``formulas`` are mathtext lines (``plain`` the same as text); ``text`` explains the stage
    (rich text); ``tables`` hold its numbers. ``columns``, ``layers``, ``direction`` and
    ``part`` say what it involves, for :class:`gui.selection.Highlight` (the network's
    columns of neurons, its layers of weights, "forward", "backward" or "update", and the part of
    the code behind the run, :data:`core.codegen.anchors.PARTS`).
    """

    key: str
    title: str
    formulas: tuple
    plain: str
    text: str
    tables: tuple
    columns: tuple = ()
    layers: tuple = ()
    direction: str = "forward"
    part: str = ""
