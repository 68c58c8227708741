"""Writing script text: literals that read back exactly, and functions copied from real modules.

:class:`Copier` takes the top-level functions and constants a script needs from a module of
real Python (``core.codegen.snippets``, ``core.initializers``, ``core.datasets.generators``)
with ``inspect.getsource``, together with the module's own definitions they use, each once.
"""
from __future__ import annotations

import ast
import functools
import inspect
import io
import math
import textwrap
import tokenize

import numpy as np

#: Width the embedded arrays are wrapped at.
LINE_WIDTH = 99

BANNERS = (
    "# ===== 1. Data =====",
    "# ===== 2. Initial weights =====",
    "# ===== 3. Forward pass =====",
    "# ===== 4. The cost function (mean loss over the examples + regularization) =====",
    "# ===== 5. Its derivative: the delta backpropagation starts from =====",
    "# ===== 6. Backpropagation =====",
    "# ===== 7. The update ({optimizer}) =====",
    "# ===== 8. Training loop =====",
)


def code(text) -> str:
    """``text`` (an indented triple-quoted template) dedented, without its outer blank lines."""
    return textwrap.dedent(text).strip("\n")


def number(x) -> str:
    """A float literal that reads back as exactly ``x``."""
    x = float(x)
    if math.isnan(x):
        return "np.nan"
    if math.isinf(x):
        return "np.inf" if x > 0 else "-np.inf"
    return repr(x)


def wrapped(items, indent="    ") -> list:
    """Comma-separated ``items`` packed into lines of at most LINE_WIDTH characters."""
    lines, line = [], indent
    for item in items:
        piece = item + ","
        if line.strip() and len(line) + 1 + len(piece) > LINE_WIDTH:
            lines.append(line)
            line = indent
        line += (" " if line.strip() else "") + piece
    if line.strip():
        lines.append(line)
    return lines


def matrix(name, X, comment) -> str:
    """``name = np.array([...])`` holding ``X`` (n, d) exactly, with a comment."""
    rows = ["[" + ", ".join(number(v) for v in row) + "]" for row in X]
    one_line = f"{name} = np.array([{', '.join(rows)}])"
    if len(one_line) + len(comment) + 3 <= LINE_WIDTH:
        return f"{one_line}   # {comment}"
    return "\n".join([f"{name} = np.array([   # {comment}", *wrapped(rows), "])"])


def column(name, y, comment) -> str:
    """``y`` (n, 1) as a column: whole numbers written as integers."""
    values = np.asarray(y, dtype=float).reshape(-1)
    whole = bool(np.all(np.isfinite(values) & (values == np.round(values))))
    items = [str(int(v)) for v in values] if whole else [number(v) for v in values]
    dtype = ", dtype=float" if whole else ""
    one_line = f"{name} = np.array([{', '.join(items)}]{dtype}).reshape(-1, 1)"
    if len(one_line) + len(comment) + 3 <= LINE_WIDTH:
        return f"{one_line}   # {comment}"
    return "\n".join([f"{name} = np.array([   # {comment}", *wrapped(items),
                      f"]{dtype}).reshape(-1, 1)"])


def constant(name, value, comment) -> str:
    return f"{name} = {number(value) if isinstance(value, float) else value}   # {comment}"


# --------------------------------------------------------------------------- copying
class _Definition:
    """One top-level ``def`` or assignment: its source lines and the module names it uses."""

    def __init__(self, node, lines, defined):
        self.text = "\n".join(lines[node.lineno - 1:node.end_lineno])  # with trailing comments
        self.is_constant = not isinstance(node, ast.FunctionDef)
        self.uses = []
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in defined and sub.id not in self.uses:
                self.uses.append(sub.id)


@functools.lru_cache(maxsize=None)
def _definitions(module) -> dict:
    """name -> _Definition of every top-level function and constant of ``module``."""
    source = inspect.getsource(module)
    lines, nodes = source.splitlines(), {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            nodes[node.name] = node
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and isinstance(node.targets[0], ast.Name)):
            nodes[node.targets[0].id] = node
    return {name: _Definition(node, lines, nodes) for name, node in nodes.items()}


def _renamed(text, renames) -> str:
    """``text`` with every name token in ``renames`` replaced (never inside strings or
    comments)."""
    lines = text.split("\n")
    spots = [token for token in tokenize.generate_tokens(io.StringIO(text).readline)
             if token.type == tokenize.NAME and token.string in renames]
    for token in reversed(spots):  # right to left, so earlier columns stay valid
        row, col = token.start
        line = lines[row - 1]
        lines[row - 1] = line[:col] + renames[token.string] + line[col + len(token.string):]
    return "\n".join(lines)


class Copier:
    """Copies definitions of ``module`` into one script, each at most once.

    ``renames`` maps module names to the names the script gives them (e.g. ``mse_loss`` to
    ``loss``), in the definitions themselves and wherever they are used. ``given`` names what
    the script defines itself (e.g. this run's learning rate): those are never copied.
    """

    def __init__(self, module, renames=None, given=()):
        self._defined = _definitions(module)
        self._renames = dict(renames or {})
        self._copied = set(given)

    def __contains__(self, name) -> bool:
        return name in self._defined

    def copy(self, *names) -> str:
        """Source of ``names`` and the definitions they use that this script does not have
        yet, each after what it uses; constants one per line, functions two lines apart."""
        order = []

        def visit(name, seen=()):
            if name in self._copied or name in order or name in seen:
                return
            for used in self._defined[name].uses:
                visit(used, (*seen, name))
            order.append(name)

        for name in names:
            visit(name)
        self._copied.update(order)
        pieces = []
        for i, name in enumerate(order):
            definition = self._defined[name]
            if i:
                both_constants = definition.is_constant and self._defined[order[i - 1]].is_constant
                pieces.append("\n" if both_constants else "\n\n\n")
            pieces.append(_renamed(definition.text, self._renames))
        return "".join(pieces)
