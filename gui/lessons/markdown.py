"""A lesson's text as Qt rich text: a small Markdown subset with inline maths, always escaped.

What it understands:

- paragraphs, separated by blank lines (single line breaks join, as in Markdown);
- ``- item`` or ``* item`` bullet lists and ``1. item`` numbered lists (an indented line
  continues the item);
- ``**bold**``, ``*italic*``, ```code```;
- ``$maths$``: set in a serif font, with ``x^{2}``/``x^2`` as superscripts, ``x_{k}``/``x_k`` as
  subscripts and a few TeX names as symbols (``\\sigma`` → σ, ``\\le`` → ≤, ``\\hat{y}`` → ŷ);
  a name it does not know is shown as written.

Everything else is text: the input is HTML-escaped before any markup is added, so a lesson can
never inject HTML, load an image or run anything.
"""
from __future__ import annotations

import html
import re

MATH_FONT = "'DejaVu Serif', 'Cambria Math', 'Cambria', 'Times New Roman', serif"
SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
    "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ",
    "phi": "φ", "omega": "ω", "Delta": "Δ", "Sigma": "Σ", "nabla": "∇", "partial": "∂",
    "ell": "ℓ", "sum": "Σ", "prod": "Π", "infty": "∞", "cdot": "·", "times": "×",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "in": "∈", "pm": "±", "prime": "′",
    "sqrt": "√", "ln": "ln", "log": "log", "exp": "exp", "max": "max", "min": "min",
}
#: Letters with a precomposed hat; others take the combining circumflex.
HATS = {"y": "ŷ", "Y": "Ŷ", "x": "x̂", "a": "â", "e": "ê", "o": "ô", "u": "û", "w": "ŵ"}
_LIST_ITEM = re.compile(r"^(\s*)([-*]|\d+[.)])\s+(.*)$")
_PLACEHOLDER = "\x00{}\x00"


def to_html(text) -> str:
    """``text`` (the Markdown subset above) as Qt rich text."""
    blocks, paragraph, items, kind = [], [], [], None

    def flush_paragraph():
        if paragraph:
            blocks.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph.clear()

    def flush_list():
        nonlocal kind
        if items:
            tag = "ol" if kind == "ol" else "ul"
            body = "".join(f"<li>{inline(' '.join(item))}</li>" for item in items)
            blocks.append(f"<{tag}>{body}</{tag}>")
            items.clear()
        kind = None

    # NUL marks the places kept aside in inline(); a lesson's own NULs are dropped.
    for line in str(text).replace("\x00", "").replace("\r\n", "\n").split("\n"):
        match = _LIST_ITEM.match(line)
        if not line.strip():
            flush_paragraph()
            flush_list()
        elif match:  # a list may interrupt a paragraph, as in CommonMark
            flush_paragraph()
            marker_kind = "ul" if match.group(2) in "-*" else "ol"
            if kind not in (None, marker_kind):
                flush_list()
            kind = marker_kind
            items.append([match.group(3).strip()])
        elif items and line[:1].isspace():
            items[-1].append(line.strip())  # an indented line continues the item
        else:
            flush_list()
            paragraph.append(line.strip())
    flush_paragraph()
    flush_list()
    return "".join(blocks)


def inline(text) -> str:
    """One paragraph's text with ``code``, $maths$, **bold** and *italic*, escaped."""
    kept, text = [], str(text).replace("\x00", "")

    def keep(fragment):
        kept.append(fragment)
        return _PLACEHOLDER.format(len(kept) - 1)

    # Code and maths first: a * inside them is not emphasis.
    text = re.sub(r"`([^`]+)`", lambda m: keep(f"<code>{html.escape(m.group(1))}</code>"),
                  text)
    text = re.sub(r"\$([^$]+)\$", lambda m: keep(maths(m.group(1))), text)
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<i>\1</i>", text)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


def maths(source) -> str:
    """Inline maths (TeX-like, see the module docstring) as rich text in a serif font."""
    text = re.sub(r"\\hat\{(\w)\}|\\hat\s*(\w)",
                  lambda m: HATS.get(m.group(1) or m.group(2),
                                     (m.group(1) or m.group(2)) + "\u0302"), source)
    text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", text)
    text = re.sub(r"\\([A-Za-z]+)", lambda m: SYMBOLS.get(m.group(1), m.group(1)), text)
    text = html.escape(text, quote=False)
    text = re.sub(r"\^\{([^{}]*)\}|\^(\S)", lambda m: f"<sup>{m.group(1) or m.group(2)}</sup>",
                  text)
    text = re.sub(r"_\{([^{}]*)\}|_(\w)", lambda m: f"<sub>{m.group(1) or m.group(2)}</sub>",
                  text)
    return f'<span style="font-family: {MATH_FONT};">{text}</span>'
