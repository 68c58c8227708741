"""Where each part of backpropagation is in a generated script: line numbers, for highlighting.

The backpropagation view walks through one step stage by stage and shows, beside each stage,
the lines of the code behind the run that compute it::

    text = generate_script(config)
    lines_of(text, "output_delta")    # [112, 113, ...]: section 5 and the line that calls it

The parts (:data:`PARTS`) follow one training step: the mini-batch, the forward pass, each
example's loss, the cost, the output delta, the deltas of the hidden layers, the gradients of
the weights and biases, and the optimizer's update. Line numbers count from 0.
"""
from __future__ import annotations

import re

#: The parts of a step, in the order a step computes them, and what each holds.
PARTS = {
    "inputs": "the mini-batch of examples the step trains on",
    "forward": "the forward pass: z = a·W + b and a = f(z), layer by layer",
    "loss": "the loss ℓ of each example",
    "cost": "the cost C: the mean of the losses, plus the penalty",
    "output_delta": "the output delta δᴸ: where the cost's derivative enters",
    "hidden_delta": "the deltas of the hidden layers, passed back through the weights",
    "gradients": "the gradients of the weights and biases",
    "update": "the optimizer's update of every parameter",
}

_DEF = re.compile(r"^def (\w+)\(")


def _functions(lines) -> dict:
    """Top-level function name -> its line numbers (the ``def`` to its last non-blank line)."""
    found, name, start = {}, None, 0

    def close(end):
        while end > start and not lines[end - 1].strip():
            end -= 1
        found.setdefault(name, list(range(start, end)))

    for number, line in enumerate(lines):
        if name is not None and line.strip() and not line[0].isspace():
            close(number)
            name = None
        match = _DEF.match(line)
        if match:
            name, start = match.group(1), number
    if name is not None:
        close(len(lines))
    return found


def _matching(lines, numbers, pattern) -> list:
    regex = re.compile(pattern)
    return [n for n in numbers if regex.search(lines[n])]


def _with_continuations(lines, numbers) -> list:
    """``numbers`` and the lines that continue them (more indented, inside open brackets)."""
    out = set()
    for n in numbers:
        out.add(n)
        depth = lines[n].count("(") - lines[n].count(")")
        while depth > 0 and n + 1 < len(lines):
            n += 1
            out.add(n)
            depth += lines[n].count("(") - lines[n].count(")")
    return sorted(out)


def lines_of(text, part) -> list:
    """The line numbers (from 0, ascending) of ``text``, a generated script, that compute
    ``part`` (a key of :data:`PARTS`); empty when the script has no such lines."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}; parts: {', '.join(PARTS)}")
    lines = text.split("\n")
    functions = _functions(lines)
    everything = range(len(lines))
    backprop = functions.get("gradients", [])
    if part == "inputs":
        found = _matching(lines, everything, r"^\s+batch = order\[|gradients\(X_train\[batch\]")
    elif part == "forward":
        found = functions.get("forward", [])
    elif part == "loss":
        found = functions.get("loss", [])
    elif part == "cost":
        found = [n for name in ("cost", "regularization", "total_cost")
                 for n in functions.get(name, [])]
    elif part == "output_delta":
        found = [n for name in ("cost_derivative", "output_delta")
                 for n in functions.get(name, [])]
        found += _matching(lines, backprop, r"= output_delta\(")
    elif part == "hidden_delta":
        found = _with_continuations(lines, _matching(
            lines, backprop, r"_backward\(|^\s+if l > 0:|^\s+grad_a = "))
    elif part == "gradients":
        penalty = _matching(lines, backprop, r"\+= L[12]_RATE")
        found = _with_continuations(lines, _matching(
            lines, backprop, r"^\s+d(Ws|bs)(_2)?\[(l|out)\](, d(Ws|bs)(_2)?\[l\])? =")
            + penalty + [n - 1 for n in penalty])
    else:
        found = functions.get("update", []) + _matching(lines, everything, r"^\s+update\(params")
    return sorted(set(found))
