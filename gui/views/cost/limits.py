"""Round numbers for axis ends: ranges that change rarely, so axes are not redrawn every frame."""
from __future__ import annotations

import math

#: Steps of ``step · 10^k`` for values (y) and epochs (x).
NICE_Y = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
NICE_X = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_ceil(x, steps=NICE_Y) -> float:
    """The smallest ``step · 10^k`` >= ``x`` (x > 0): round numbers for axis ends."""
    exponent = 10.0 ** math.floor(math.log10(x))
    for step in steps:
        if step * exponent >= x * (1 - 1e-12):
            return step * exponent
    return 10.0 * exponent


def nice_range(low, high) -> tuple:
    """A round ``(low, high)`` around the data's: from 0 when nothing is negative, never empty.

    >>> nice_range(0.13, 0.87), nice_range(-1.3, 2.2), nice_range(0.0, 0.0)
    ((0.0, 1.0), (-1.5, 2.5), (0.0, 1.0))
    """
    low_end = 0.0 if low >= 0 else -nice_ceil(-low)
    high_end = nice_ceil(high) if high > 0 else 0.0
    if high_end <= low_end:
        high_end = low_end + 1.0
    return low_end, high_end
