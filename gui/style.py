"""Colours and small look-and-feel helpers shared by the main window and its plots."""
from __future__ import annotations

import numpy as np

#: Class colours of the Neural Network Playground: class 0 orange, class 1 blue.
CLASS_0 = "#f59322"
CLASS_1 = "#0877bd"
#: Further classes (multi-class): a qualitative palette that starts with the two above.
CLASS_COLOURS = (CLASS_0, CLASS_1, "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf")

#: Cost-curve colours (distinct from the class colours, so "orange" never means two things).
TRAIN = "#1b3a5c"
TEST = "#c0392b"
REGULARIZATION = "#7f8c8d"
ACCURACY_TRAIN = TRAIN
ACCURACY_TEST = TEST
#: The learning rate on the cost plot (its own right-hand axis).
LEARNING_RATE = "#8e44ad"

#: Regression data points and fitted curve.
POINT = "#333333"
FIT = "#0877bd"

BANNER = {
    # level: (background, border, text)
    "info": ("#e8f1fb", "#9cc3ea", "#0b3d6e"),
    "warning": ("#fff4e0", "#f0b45c", "#6b3d00"),
    "error": ("#fdecea", "#e8998f", "#7a1c12"),
}


def hex_to_rgb(colour) -> np.ndarray:
    """``"#rrggbb"`` -> float array ``(3,)`` in [0, 255]."""
    colour = colour.lstrip("#")
    return np.array([int(colour[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)


def class_colour(k) -> str:
    return CLASS_COLOURS[k % len(CLASS_COLOURS)]


def lighten(colour, amount) -> np.ndarray:
    """Mix ``colour`` with white: ``amount`` 0 keeps it, 1 gives white. Float RGB ``(3,)``."""
    rgb = hex_to_rgb(colour)
    return rgb + (255.0 - rgb) * amount
