"""Colours and small look-and-feel helpers shared by the main window and its plots.

This module owns the current palette. The module-level names (``CLASS_0``, ``TRAIN``, ``INK``,
``BACKGROUND``, …) are the current palette's colours: read them as ``style.TRAIN`` when painting,
never copy them into a constant of your own, because :func:`use` rebinds them when the user
picks another theme (View → Theme) or the colour-blind-safe colours. The Qt side of a theme
change (the application palette, the plots' backgrounds, the signal views listen to) lives in
:mod:`gui.theme`; this module stays free of Qt so pure view models can import it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np


@dataclass(frozen=True)
class Palette:
    """Every colour a view paints with, as ``"#rrggbb"``."""

    dark: bool
    colour_blind: bool
    #: Class colours; class 0 and 1 first (the Neural Network Playground's orange and blue).
    CLASS_COLOURS: tuple
    #: Cost-curve colours (distinct from the class colours, so "orange" never means two things).
    TRAIN: str
    TEST: str
    REGULARIZATION: str
    #: The learning rate on the cost plot (its own right-hand axis).
    LEARNING_RATE: str
    #: Regression data points and fitted curve.
    POINT: str
    FIT: str
    #: Plot background, main text and axes, secondary text, faint lines (grids, cursors).
    BACKGROUND: str
    INK: str
    MUTED: str
    FAINT: str
    #: Background of small painted panels (the network's activation curves, tables).
    PANEL: str
    #: level: (background, border, text)
    BANNER: dict

    @property
    def CLASS_0(self) -> str:
        return self.CLASS_COLOURS[0]

    @property
    def CLASS_1(self) -> str:
        return self.CLASS_COLOURS[1]


_BANNER_LIGHT = {
    "info": ("#e8f1fb", "#9cc3ea", "#0b3d6e"),
    "warning": ("#fff4e0", "#f0b45c", "#6b3d00"),
    "error": ("#fdecea", "#e8998f", "#7a1c12"),
}
_BANNER_DARK = {
    "info": ("#1d3147", "#3f6e9e", "#cfe3f7"),
    "warning": ("#3d2e12", "#a87a2c", "#fbe3b8"),
    "error": ("#45201c", "#a8483c", "#f9d0ca"),
}

LIGHT = Palette(
    dark=False, colour_blind=False,
    CLASS_COLOURS=("#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                   "#7f7f7f", "#bcbd22", "#17becf"),
    TRAIN="#1b3a5c", TEST="#c0392b", REGULARIZATION="#7f8c8d", LEARNING_RATE="#8e44ad",
    POINT="#333333", FIT="#0877bd",
    BACKGROUND="#ffffff", INK="#333333", MUTED="#555555", FAINT="#888888", PANEL="#fbfbfb",
    BANNER=_BANNER_LIGHT)

#: Dark plots: the same hues, lifted so they stand out on a near-black background.
DARK = Palette(
    dark=True, colour_blind=False,
    CLASS_COLOURS=("#f7a245", "#3d9de0", "#4cc24c", "#f05454", "#b194e0", "#c0907e", "#f29ad4",
                   "#a8a8a8", "#d4d54a", "#3fd3e3"),
    TRAIN="#9cc4ef", TEST="#ff7a6b", REGULARIZATION="#a9b4b5", LEARNING_RATE="#c79be0",
    POINT="#e0e0e0", FIT="#3d9de0",
    BACKGROUND="#1e1f22", INK="#e3e3e3", MUTED="#b8b8b8", FAINT="#8a8a8a", PANEL="#2a2b2e",
    BANNER=_BANNER_DARK)

#: Okabe & Ito's palette ("Color Universal Design", 2008): told apart with any of the common
#: colour-vision deficiencies. Train and test differ in lightness as well as hue.
_OKABE_ITO_CLASSES = ("#e69f00", "#0072b2", "#009e73", "#cc79a7", "#56b4e9", "#d55e00",
                      "#f0e442", "#999999")
LIGHT_COLOUR_BLIND = replace(
    LIGHT, colour_blind=True, CLASS_COLOURS=_OKABE_ITO_CLASSES, TRAIN="#000000",
    TEST="#d55e00", LEARNING_RATE="#009e73", FIT="#0072b2")
DARK_COLOUR_BLIND = replace(
    DARK, colour_blind=True, CLASS_COLOURS=("#e69f00", "#56b4e9", "#009e73", "#cc79a7",
                                            "#f0e442", "#d55e00", "#0072b2", "#bbbbbb"),
    TRAIN="#f2f2f2", TEST="#f0793a", LEARNING_RATE="#2fc99a",
    FIT="#56b4e9")


def palette_for(dark: bool, colour_blind: bool) -> Palette:
    """The palette of a theme: light or dark, with or without colour-blind-safe colours."""
    return {(False, False): LIGHT, (True, False): DARK, (False, True): LIGHT_COLOUR_BLIND,
            (True, True): DARK_COLOUR_BLIND}[bool(dark), bool(colour_blind)]


_current = LIGHT


def current() -> Palette:
    """The palette in use."""
    return _current


def use(palette: Palette) -> None:
    """Make ``palette`` the current one and rebind this module's colour names to it."""
    global _current
    _current = palette
    names = {key: value for key, value in asdict(palette).items() if key.isupper()}
    names.update(CLASS_0=palette.CLASS_0, CLASS_1=palette.CLASS_1,
                 ACCURACY_TRAIN=palette.TRAIN, ACCURACY_TEST=palette.TEST)
    globals().update(names)


# The names below are rebound by use(); they start as the light palette's.
CLASS_0 = CLASS_1 = TRAIN = TEST = REGULARIZATION = ACCURACY_TRAIN = ACCURACY_TEST = ""
LEARNING_RATE = POINT = FIT = BACKGROUND = INK = MUTED = FAINT = PANEL = ""
CLASS_COLOURS: tuple = ()
BANNER: dict = {}
use(LIGHT)


_font_scale = 1.0


def font_scale() -> float:
    """How much larger than normal text is drawn where a view sets its own point sizes (1.5 in
    presentation mode)."""
    return _font_scale


def set_font_scale(scale: float) -> None:
    global _font_scale
    _font_scale = float(scale)


def note_sheet(warn) -> str:
    """A style sheet for a note: in the banners' info or warning colours (``warn``)."""
    background, _, text = BANNER["warning" if warn else "info"]
    return f"color: {text if warn else INK}; background: {background}; padding: 3px;"


def status_sheet(warn) -> str:
    """A style sheet for a status line: muted, or a bold orange warning (``warn``)."""
    if warn:
        return f"color: {'#f0a35c' if _current.dark else '#b35900'}; font-weight: bold;"
    return f"color: {MUTED};"


def hex_to_rgb(colour) -> np.ndarray:
    """``"#rrggbb"`` -> float array ``(3,)`` in [0, 255]."""
    colour = colour.lstrip("#")
    return np.array([int(colour[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)


def class_colour(k) -> str:
    return CLASS_COLOURS[k % len(CLASS_COLOURS)]


def lighten(colour, amount) -> np.ndarray:
    """Fade ``colour`` into the plot background: ``amount`` 0 keeps it, 1 gives the background
    (white in the light theme, so this lightens; it darkens on a dark one). Float RGB ``(3,)``."""
    rgb = hex_to_rgb(colour)
    return rgb + (hex_to_rgb(BACKGROUND) - rgb) * amount
