"""Conditions such as ``test_accuracy >= 0.95``: parsed and evaluated here, never by ``eval``.

A lesson says when its next step opens (``next_when``), when a prediction is revealed
(``reveal_when``) and which answer describes what happened (a choice's ``when``) with a small
language over the run's numbers (:mod:`core.lessons.values` lists the names)::

    test_accuracy >= 0.95
    train_cost < 0.5 * start_train_cost and step >= 200
    diverged or step >= 1000
    not (dead_units >= 50%)

Grammar, loosest first::

    condition  := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := sum ((< | <= | > | >= | == | != | ≤ | ≥ | ≠) sum)*   # chains: 0.2 < x < 0.8
    sum        := product ((+ | -) product)*
    product    := unary ((* | /) unary)*
    unary      := - unary | atom
    atom       := number [%] | name | true | false | "(" or ")"

A number may end in ``%`` (``95%`` is 0.95). Names are checked when the condition is parsed, and
so are types: a comparison or a yes/no name (``diverged``) is a truth value, arithmetic wants
numbers, and a whole condition must be a truth value. A value the run does not have (accuracy
in a regression task) is unknown: every comparison with it is false, as is one with the result
of a division by zero.
"""
from __future__ import annotations

import math
import operator
import re

from core.lessons.values import BOOLEAN, PERCENT, VARIABLES

#: Longest condition text, and deepest nesting of brackets and operators.
MAX_LENGTH = 500
MAX_DEPTH = 32

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|==|!=|[<>≤≥≠+\-−*×/()])
  | (?P<bad>.)
""", re.VERBOSE)
_CANONICAL = {"≤": "<=", "≥": ">=", "≠": "!=", "−": "-", "×": "*"}
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "==": operator.eq, "!=": operator.ne}
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul}
_HINTS = {"=": "use == to compare", "&": "write 'and'", "|": "write 'or'", "!": "write 'not'",
          "^": "powers are not supported", "[": "use ( ) for grouping"}
#: How each operator is shown to a learner.
SHOWN = {"<=": "≤", ">=": "≥", "!=": "≠", "==": "=", "<": "<", ">": ">", "+": "+", "-": "−",
         "*": "×", "/": "/"}


class ConditionError(ValueError):
    """A condition cannot be parsed; the message says where and why."""


class Condition:
    """A parsed condition: ``evaluate(values)`` is True or False, ``names`` are the values it
    reads, ``describe()`` says it in words, ``text`` is as written."""

    def __init__(self, text):
        if not isinstance(text, str):
            raise ConditionError(f"a condition must be text, not {type(text).__name__}")
        if len(text) > MAX_LENGTH:
            raise ConditionError(f"a condition may have at most {MAX_LENGTH} characters")
        if not text.strip():
            raise ConditionError("the condition is empty")
        self.text = text
        parser = _Parser(text)
        self._tree = parser.parse()
        self.names = frozenset(parser.names)

    def evaluate(self, values) -> bool:
        """Whether the condition holds for ``values`` (a mapping that has every name in
        :attr:`names`; None or NaN is an unknown value)."""
        return bool(_evaluate(self._tree, values))

    def describe(self) -> str:
        """The condition in words, e.g. ``test accuracy ≥ 0.95``."""
        return _describe(self._tree, top=True)

    def __repr__(self):
        return f"Condition({self.text!r})"

    def __eq__(self, other):
        return isinstance(other, Condition) and other.text == self.text

    def __hash__(self):
        return hash(self.text)


# --------------------------------------------------------------------------- parsing
class _Parser:
    def __init__(self, text):
        self.text = text
        self.tokens = list(self._tokenize(text))
        self.pos = 0
        self.depth = 0
        self.names = set()

    def _tokenize(self, text):
        for match in _TOKEN.finditer(text):
            kind, value = match.lastgroup, match.group()
            if kind == "space":
                continue
            if kind == "bad":
                hint = _HINTS.get(value)
                self._fail_at(match.start(), f"unexpected {value!r}"
                              + (f" ({hint})" if hint else ""))
            if kind == "op":
                value = _CANONICAL.get(value, value)
            yield kind, value, match.start()
        yield "end", "", len(text)

    def _fail_at(self, where, message):
        raise ConditionError(f"{message} at character {where + 1} of {self.text!r}")

    def _peek(self):
        return self.tokens[self.pos]

    def _take(self):
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def _expect_kind(self, tree, kind, what):
        if tree[0] != kind:
            words = {"bool": "a comparison or a yes/no value", "num": "a number"}
            self._fail_at(tree[-1], f"{what} needs {words[kind]}, not {_shown_tree(tree)}")

    def parse(self):
        tree = self._or()
        kind, value, where = self._peek()
        if kind != "end":
            self._fail_at(where, f"unexpected {value!r}" if value else "unexpected text")
        self._expect_kind(tree, "bool", "a condition")
        return tree

    def _nested(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self._fail_at(self._peek()[2], f"nested more than {MAX_DEPTH} deep")

    def _or(self):
        self._nested()
        left = self._and()
        while self._peek()[:2] == ("name", "or"):
            where = self._take()[2]
            right = self._and()
            for side in (left, right):
                self._expect_kind(side, "bool", "'or'")
            left = ("bool", "or", left, right, where)
        self.depth -= 1
        return left

    def _and(self):
        left = self._not()
        while self._peek()[:2] == ("name", "and"):
            where = self._take()[2]
            right = self._not()
            for side in (left, right):
                self._expect_kind(side, "bool", "'and'")
            left = ("bool", "and", left, right, where)
        return left

    def _not(self):
        if self._peek()[:2] == ("name", "not"):
            where = self._take()[2]
            self._nested()
            operand = self._not()
            self.depth -= 1
            self._expect_kind(operand, "bool", "'not'")
            return ("bool", "not", operand, where)
        return self._comparison()

    def _comparison(self):
        first = self._sum()
        parts = []
        while self._peek()[0] == "op" and self._peek()[1] in _COMPARE:
            _, op, where = self._take()
            parts.append((op, self._sum(), where))
        if not parts:
            return first
        operands = [first] + [tree for _, tree, _ in parts]
        for tree, (op, _, where) in zip(operands, parts):
            self._expect_kind(tree, "num", f"{op!r}")
        self._expect_kind(operands[-1], "num", f"{parts[-1][0]!r}")
        return ("bool", "compare", first, tuple((op, tree) for op, tree, _ in parts),
                parts[0][2])

    def _sum(self):
        left = self._product()
        while self._peek()[0] == "op" and self._peek()[1] in "+-":
            _, op, where = self._take()
            right = self._product()
            for side in (left, right):
                self._expect_kind(side, "num", f"{op!r}")
            left = ("num", op, left, right, where)
        return left

    def _product(self):
        left = self._unary()
        while self._peek()[0] == "op" and self._peek()[1] in "*/":
            _, op, where = self._take()
            right = self._unary()
            for side in (left, right):
                self._expect_kind(side, "num", f"{op!r}")
            left = ("num", op, left, right, where)
        return left

    def _unary(self):
        if self._peek()[:2] == ("op", "-"):
            where = self._take()[2]
            self._nested()
            operand = self._unary()
            self.depth -= 1
            self._expect_kind(operand, "num", "'-'")
            return ("num", "neg", operand, where)
        return self._atom()

    def _atom(self):
        kind, value, where = self._take()
        if kind == "number":
            percent = value.endswith("%")
            number = float(value.rstrip("%"))
            if not math.isfinite(number):
                self._fail_at(where, f"the number {value} is too large")
            return ("num", "const", number / 100 if percent else number, value, where)
        if kind == "name":
            if value in ("true", "false"):
                return ("bool", "const", value == "true", where)
            if value in ("and", "or", "not"):
                self._fail_at(where, f"'{value}' needs something before it")
            if value not in VARIABLES:
                self._fail_at(where, _unknown_name(value))
            self.names.add(value)
            return ("bool" if value in BOOLEAN else "num", "name", value, where)
        if (kind, value) == ("op", "("):
            tree = self._or()
            closing = self._take()
            if closing[:2] != ("op", ")"):
                self._fail_at(closing[2], "a '(' is not closed")
            return tree
        if kind == "end":
            self._fail_at(where, "the condition ends too early")
        self._fail_at(where, f"unexpected {value!r}")


def _unknown_name(name) -> str:
    import difflib

    close = difflib.get_close_matches(name, VARIABLES, n=1)
    return f"unknown name {name!r}" + (f" (did you mean {close[0]!r}?)" if close else
                                       f"; known: {', '.join(VARIABLES)}")


def _shown_tree(tree) -> str:
    if tree[1] == "name":
        return repr(tree[2])
    if tree[1] == "const":
        return repr(tree[3]) if tree[0] == "num" else str(tree[2]).lower()
    return "a comparison" if tree[0] == "bool" else "a number"


# --------------------------------------------------------------------------- evaluating
def _number(value) -> float:
    if value is None or isinstance(value, bool):
        return math.nan if value is None else float(value)
    return float(value)


def _evaluate(tree, values):
    kind, what = tree[0], tree[1]
    if what == "const":
        return tree[2]
    if what == "name":
        value = values[tree[2]]
        return bool(value) if kind == "bool" else _number(value)
    if what == "or":
        return _evaluate(tree[2], values) or _evaluate(tree[3], values)
    if what == "and":
        return _evaluate(tree[2], values) and _evaluate(tree[3], values)
    if what == "not":
        return not _evaluate(tree[2], values)
    if what == "compare":
        left = _evaluate(tree[2], values)
        for op, operand in tree[3]:
            right = _evaluate(operand, values)
            # Unknown (NaN) compares false every way, != included.
            if math.isnan(left) or math.isnan(right) or not _COMPARE[op](left, right):
                return False
            left = right
        return True
    if what == "neg":
        return -_evaluate(tree[2], values)
    left, right = _evaluate(tree[2], values), _evaluate(tree[3], values)
    if what == "/":
        return left / right if right != 0 else math.nan
    # Python floats overflow to inf (and inf − inf is NaN) without raising.
    return _ARITHMETIC[what](left, right)


# --------------------------------------------------------------------------- words
def _percent(tree) -> str:
    return f"{100 * tree[2]:.4g} %"


def _describe(tree, top=False) -> str:
    from core.lessons.values import label

    what = tree[1]
    if what == "const":
        return tree[3] if tree[0] == "num" else str(tree[2]).lower()
    if what == "name":
        return label(tree[2])
    if what in ("or", "and"):
        text = f"{_describe(tree[2])} {what} {_describe(tree[3])}"
        return text if top else f"({text})"
    if what == "not":
        operand = _describe(tree[2], top=True)
        return f"not {operand}" if tree[2][1] in ("name", "const", "not") else f"not ({operand})"
    if what == "compare":
        # Arithmetic binds tighter than a comparison: its operands need no brackets. A number
        # compared with a share (an accuracy) is shown as a percentage, as the share is.
        operands = [tree[2]] + [operand for _, operand in tree[3]]
        percent = any(o[1] == "name" and o[2] in PERCENT for o in operands)
        shown = [_percent(o) if percent and o[1] == "const" and o[0] == "num" else
                 _describe(o, top=True) for o in operands]
        return shown[0] + "".join(f" {SHOWN[op]} {text}"
                                  for (op, _), text in zip(tree[3], shown[1:]))
    if what == "neg":
        return f"−{_describe(tree[2])}"
    return f"({_describe(tree[2])} {SHOWN[what]} {_describe(tree[3])})" if not top else \
        f"{_describe(tree[2])} {SHOWN[what]} {_describe(tree[3])}"
