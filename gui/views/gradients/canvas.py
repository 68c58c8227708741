"""The gradient-norm plot: one line per layer of weights against the epoch, on a log scale.
Curves are made once per network and updated with ``setData``; the readout above the plot names
the layers in their colours (a legend inside so small a plot would hide the lines)."""
from __future__ import annotations

import pyqtgraph as pg

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def decade_label(exponent) -> str:
    """``10^exponent`` as a tick reads: 0.01, 0.1, 1, 10, 100, else 10⁻⁵ or 10⁸."""
    if -2 <= exponent <= 2:
        return f"{10.0 ** exponent:g}"
    return "10" + str(exponent).translate(_SUPERSCRIPT)


class DecadeAxis(pg.AxisItem):
    """A log axis that labels the powers of ten only: pyqtgraph labels the minor ticks too
    when the range spans few decades, and in a small plot they run into one another.
    ``zero_at``: the decade where norms of exactly 0 are drawn, labelled "0" (None: none)."""

    zero_at = None

    def tickStrings(self, values, scale, spacing):
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        return [("0" if round(v) == self.zero_at else decade_label(round(v)))
                if abs(v - round(v)) < 1e-6 else "" for v in values]


class GradientCanvas(pg.PlotWidget):
    """Gradient norms per layer (log scale) against the epoch."""

    def __init__(self, parent=None):
        super().__init__(parent=parent, axisItems={"left": DecadeAxis("left")})
        item = self.getPlotItem()
        # "(log)" is said by the decade ticks; the longer label did not fit a short plot.
        item.setLabel("left", "gradient norm")
        item.setLabel("bottom", "epoch")
        item.getAxis("bottom").enableAutoSIPrefix(False)
        item.setLogMode(x=False, y=True)
        item.showGrid(x=False, y=True, alpha=0.25)
        self.curves = []  # (raw, smoothed) per layer
        self._y_range = None

    def set_layers(self, layers):
        """Make the curves of ``layers`` (``[(name, colour)]``), replacing the old ones: each
        a faint line of the norms and a solid one of their running mean."""
        item = self.getPlotItem()
        for raw, mean in self.curves:
            item.removeItem(raw)
            item.removeItem(mean)
        self.curves = []
        for name, colour in layers:
            faint = pg.mkColor(colour)
            faint.setAlpha(70)
            raw = item.plot(pen=pg.mkPen(faint, width=1))
            mean = item.plot(pen=pg.mkPen(colour, width=2))
            for curve in (raw, mean):
                curve.setClipToView(True)
                curve.setDownsampling(auto=True, method="peak")
            self.curves.append((raw, mean))

    def show_curves(self, curves, y_range, zero_drawn=False):
        """Draw ``[(name, colour, x, y, smoothed y)]`` into the curves made by
        :meth:`set_layers`; ``y_range`` in log10 units (None: leave the axis); with
        ``zero_drawn`` the bottom decade holds norms of exactly 0 and is labelled so."""
        axis = self.getPlotItem().getAxis("left")
        zero_at = round(y_range[0]) if zero_drawn and y_range is not None else None
        if axis.zero_at != zero_at:
            axis.zero_at = zero_at
            axis.picture = None  # relabel
            axis.update()
        for (raw, mean), (_, _, x, y, smooth) in zip(self.curves, curves):
            raw.setData(x, y)
            mean.setData(x, smooth)
        if y_range is not None and y_range != self._y_range:
            self._y_range = y_range
            # A little padding: the end decades keep their labels, and norms of exactly 0 (drawn
            # on the bottom decade) stay clear of the axis line.
            self.getPlotItem().vb.setYRange(*y_range, padding=0.04)
