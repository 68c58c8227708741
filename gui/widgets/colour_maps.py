"""The diverging colour map the views share: orange (negative, class 0) → white → blue
(positive, class 1), as the links, the classes and the Playground colour them.

The decision-boundary view colours the network's output with it, the network diagram colours
each neuron's picture with it, and the boundary view shows a hovered neuron's picture with the
diagram's colours: one definition, so a neuron looks the same in both.
"""
from __future__ import annotations

import functools

import numpy as np
import pyqtgraph as pg

from gui import style

#: How much the background colours are faded into the plot background (white in the light
#: theme), so the data points stand out.
LIGHTEN_BACKGROUND = 0.35
#: The neutral middle: a touch off the plot background, so "zero" still reads as a colour.
_MIDDLE_FADE = 0.97


def white_point(levels) -> float:
    """Where 0 lies in ``levels`` ``(lo, hi)``, as a fraction of the way from lo to hi (0.5
    when 0 is outside): the white of a diverging map."""
    lo, hi = levels
    return (0.0 - lo) / (hi - lo) if lo < 0 < hi else 0.5


def _stops(centre, lighten) -> pg.ColorMap:
    middle = style.lighten(style.FAINT, _MIDDLE_FADE)
    colours = [style.lighten(style.CLASS_0, lighten), middle, style.lighten(style.CLASS_1, lighten)]
    return pg.ColorMap(pos=[0.0, centre, 1.0], color=[np.append(c, 255) for c in colours])


def diverging_map(centre, lighten=LIGHTEN_BACKGROUND) -> pg.ColorMap:
    """Orange -> white (at ``centre`` in [0, 1]) -> blue, lightened so points stand out."""
    return _stops(float(np.clip(centre, 0.02, 0.98)), lighten)


def diverging_lut(centre, lighten=LIGHTEN_BACKGROUND) -> np.ndarray:
    """:func:`diverging_map` as a 256-entry RGBA byte lookup table. Read-only (cached: the
    views ask for the same few tables many times a second)."""
    return _diverging_lut(round(float(np.clip(centre, 0.02, 0.98)), 3), float(lighten),
                          style.current().CLASS_COLOURS, style.BACKGROUND)


@functools.lru_cache(maxsize=64)
def _diverging_lut(centre, lighten, classes, background) -> np.ndarray:
    # ``classes`` and ``background`` only key the cache: a new palette makes new tables.
    lut = _stops(centre, lighten).getLookupTable(0.0, 1.0, 256, alpha=True, mode="byte")
    lut.setflags(write=False)
    return lut
