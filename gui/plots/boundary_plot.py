"""The network's output over the data domain, with the data points on top.

- Binary classification: a heatmap of the output with a diverging colour map that is white at
  the decision threshold (0.5 for a sigmoid output, 0 for the hinge losses' raw score), orange
  towards class 0 and blue towards class 1, and a colour bar.
- Multi-class: each grid point's colour is the class colours blended by the predicted
  probabilities, so uncertain regions look mixed.
- Regression with two inputs: a heatmap of the predicted value (same colours as the points).
- One input (e.g. ``sine``): the fitted curve over the points.

Training points are filled, test points hollow. The heatmap (about 100 × 100 outputs) is
computed in the training worker; this view only colours it.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui import style

_LIGHTEN_BACKGROUND = 0.35


def _rgb_string(rgb) -> str:
    return "#" + "".join(f"{int(round(c)):02x}" for c in rgb)


def _diverging_map(centre) -> pg.ColorMap:
    """Orange -> white (at ``centre`` in [0, 1]) -> blue, lightened so points stand out."""
    centre = float(np.clip(centre, 0.02, 0.98))
    colours = [style.lighten(style.CLASS_0, _LIGHTEN_BACKGROUND), np.array([248.0, 248, 248]),
               style.lighten(style.CLASS_1, _LIGHTEN_BACKGROUND)]
    return pg.ColorMap(pos=[0.0, centre, 1.0], color=[np.append(c, 255) for c in colours])


def _point_map(centre) -> pg.ColorMap:
    """The saturated version of :func:`_diverging_map` for colouring regression points."""
    centre = float(np.clip(centre, 0.02, 0.98))
    colours = [style.hex_to_rgb(style.CLASS_0), np.array([200.0, 200, 200]),
               style.hex_to_rgb(style.CLASS_1)]
    return pg.ColorMap(pos=[0.0, centre, 1.0], color=[np.append(c, 255) for c in colours])


class _SquareHolder(QWidget):
    """Lays out ``above``, the plot and ``below`` as one block, the plot's data area square.

    With the aspect ratio locked, a plot in a tall dock would otherwise show empty axes far
    beyond the data; sizing the widget instead keeps the axes tight around the domain, and the
    block is centred in the space left over. Not square (1-D data): the plot fills the space.
    """

    def __init__(self, plot_widget, view, above, below, parent=None):
        super().__init__(parent)
        self.plot_widget, self.view, self.above, self.below = plot_widget, view, above, below
        for child in (plot_widget, above, below):
            child.setParent(self)
        self.square = True
        self.setMinimumSize(240, 240)

    def set_square(self, square):
        self.square = square
        self._place()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._place()

    def _place(self):
        w, h = self.width(), self.height()
        above_h = self.above.heightForWidth(w - 16) if self.above.hasHeightForWidth() else -1
        above_h = max(above_h, self.above.sizeHint().height())
        below_h = self.below.sizeHint().height()
        room = h - above_h - below_h
        if not self.square:
            pw, ph, left, top = w, room, 0, 0
        else:
            # Axes and colour bar around the data area, as laid out now (defaults at first).
            view_rect = self.view.sceneBoundingRect()
            decor_w = self.plot_widget.width() - view_rect.width()
            decor_h = self.plot_widget.height() - view_rect.height()
            if view_rect.width() < 10 or not (0 < decor_w < 250 and 0 < decor_h < 200):
                decor_w, decor_h = 130, 50
            side = max(min(w - decor_w, room - decor_h), 50)
            pw, ph = int(min(w, side + decor_w)), int(min(room, side + decor_h))
            left, top = (w - pw) // 2, max((room - ph) // 3, 0)
        self.above.setGeometry(left + 8, top, max(pw - 16, 50), above_h)
        self.plot_widget.setGeometry(left, top + above_h, pw, ph)
        self.below.setGeometry(left + 8, top + above_h + ph, max(pw - 16, 50), below_h)


class BoundaryPlot(QWidget):
    """Decision boundary / fitted function view. Feed it snapshots with :meth:`show_snapshot`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._data = None
        self._grid = None
        self._mode = None           # "binary", "multiclass", "regression2d", "curve", "none"
        self._scalar_key = None     # (levels, centre) the colour map was made for
        self._show_test = True
        self._threshold = 0.5
        self._task = None
        self._legend_key = None
        self._class_colours = None

        self.legend_label = QLabel()
        self.legend_label.setTextFormat(Qt.RichText)
        self.legend_label.setWordWrap(True)
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setToolTip("")
        self.plot = self.plot_widget.getPlotItem()
        self.plot.showGrid(x=False, y=False)
        self.plot.setLabel("bottom", "x₁")
        self.plot.setLabel("left", "x₂")
        self.view = self.plot.getViewBox()

        self.scalar_image = pg.ImageItem(axisOrder="row-major")
        self.scalar_image.setZValue(-20)
        self.plot.addItem(self.scalar_image)
        self.colour_bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=_diverging_map(0.5),
                                          interactive=False, width=14, colorMapMenu=False,
                                          label="network output")
        self.colour_bar.setImageItem(self.scalar_image, insert_in=self.plot)
        self.rgb_image = pg.ImageItem(axisOrder="row-major")
        self.rgb_image.setZValue(-20)
        self.plot.addItem(self.rgb_image)
        self.fit_curve = pg.PlotDataItem(pen=pg.mkPen(style.FIT, width=3))
        self.fit_curve.setZValue(5)
        self.plot.addItem(self.fit_curve)
        self.train_points = pg.ScatterPlotItem(size=8, pxMode=True)
        self.train_points.setZValue(10)
        self.test_points = pg.ScatterPlotItem(size=8, pxMode=True)
        self.test_points.setZValue(9)
        self.plot.addItem(self.test_points)
        self.plot.addItem(self.train_points)
        self.message = pg.TextItem("", color="#555555", anchor=(0.5, 0.5))
        self.plot.addItem(self.message)

        self.hover_label = QLabel(" ")
        self.hover_label.setStyleSheet("color: #444;")
        self.hover_label.setToolTip("The network's output at the point under the mouse pointer.")
        self.plot_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.holder = _SquareHolder(self.plot_widget, self.view, self.legend_label,
                                    self.hover_label)
        layout.addWidget(self.holder, 1)
        self._set_mode("none")

    # ------------------------------------------------------------------ public
    @Slot(bool)
    def set_show_test(self, show):
        """Draw the test points (hollow) or only the training points."""
        self._show_test = bool(show)
        self.test_points.setVisible(self._show_test)

    @Slot(object)
    def show_snapshot(self, snap):
        data, grid = snap.data, snap.grid
        mode = self._mode_for(data, grid)
        if mode != self._mode:
            self._set_mode(mode)
        self._grid, self._threshold, self._task = grid, snap.threshold, data.task
        self._output_range = snap.output_range
        new_data = data is not self._data
        if new_data:
            self._data = data
            self._set_points(data, snap)
            self._set_view_range(data, snap)
        if mode == "binary":
            self._show_binary(grid, snap)
        elif mode == "regression2d":
            self._show_scalar(grid.values[..., 0], self._regression_levels(data), 0.5)
        elif mode == "multiclass":
            self._show_multiclass(grid)
        elif mode == "curve":
            self._show_curve(grid, data)
        legend_key = (mode, data.n_classes, snap.threshold)
        if new_data or legend_key != self._legend_key:
            self._legend_key = legend_key
            self._update_legend(snap)

    # ------------------------------------------------------------------ modes
    @staticmethod
    def _mode_for(data, grid) -> str:
        if grid is None:
            return "none"
        if grid.ys is None:
            return "curve"
        return {"binary": "binary", "multiclass": "multiclass"}.get(data.task, "regression2d")

    def _set_mode(self, mode):
        self._mode = mode
        scalar = mode in ("binary", "regression2d")
        self.scalar_image.setVisible(scalar)
        self.colour_bar.setVisible(scalar)
        self.rgb_image.setVisible(mode == "multiclass")
        self.fit_curve.setVisible(mode == "curve")
        self.message.setVisible(mode == "none")
        two_d = mode in ("binary", "multiclass", "regression2d")
        self.view.setAspectLocked(two_d, ratio=1.0)
        self.holder.set_square(two_d)
        self.plot.setLabel("left", "x₂" if two_d else "y")
        self.plot.setLabel("bottom", "x₁" if two_d else "x")
        if mode == "none":
            self.message.setText("The boundary view shows data with one or two input "
                                 "features;\nthese data have more.")
            self.message.setPos(0, 0)
            self.train_points.clear()
            self.test_points.clear()
            self._data = None

    def _set_view_range(self, data, snap):
        domain = data.domain
        self.view.enableAutoRange(enable=False)
        if self._mode == "curve":
            lo, hi = self._curve_y_range(data, snap)
            self.view.setRange(xRange=domain[0], yRange=(lo, hi), padding=0.02)
        elif len(domain) == 2:
            self.view.setRange(xRange=domain[0], yRange=domain[1], padding=0.0)

    @staticmethod
    def _curve_y_range(data, snap):
        y = data.y
        lo, hi = float(y.min()), float(y.max())
        out_lo, out_hi = snap.output_range
        if data.task != "regression" and np.isfinite(out_lo) and np.isfinite(out_hi):
            lo, hi = min(lo, out_lo), max(hi, out_hi)
        pad = 0.1 * (hi - lo or 1.0)
        return lo - pad, hi + pad

    # ------------------------------------------------------------------ points
    def _set_points(self, data, snap):
        for item, X, y, train in ((self.train_points, data.X_train, data.y_train, True),
                                  (self.test_points, data.X_test, data.y_test, False)):
            if self._mode == "none":
                continue
            if self._mode == "curve":
                xs, ys = X[:, 0], y[:, 0]
            else:
                xs, ys = X[:, 0], X[:, 1]
            colours = self._point_colours(data, y[:, 0])
            size = 14 if len(X) < 50 else 8 if len(X) < 2000 else 5
            if train:
                brushes = [pg.mkBrush(c) for c in colours]
                pens = pg.mkPen("w", width=1.2)
                item.setData(xs, ys, brush=brushes, pen=pens, size=size)
            else:
                pens = [pg.mkPen(c, width=2) for c in colours]
                item.setData(xs, ys, brush=pg.mkBrush(255, 255, 255, 170), pen=pens,
                             size=size + 4 if len(X) < 50 else size)
        self.test_points.setVisible(self._show_test)

    def _point_colours(self, data, y):
        if data.task in ("binary", "multiclass"):
            return [style.class_colour(int(k)) for k in y]
        if self._mode == "curve":
            return [style.POINT] * len(y)
        (lo, hi), centre = self._regression_levels(data), None
        centre = (0.0 - lo) / (hi - lo) if lo < 0 < hi else 0.5
        cmap = _point_map(centre)
        rgba = cmap.map(np.clip((y - lo) / (hi - lo), 0, 1), mode="byte")
        return [_rgb_string(c[:3]) for c in rgba]

    # ------------------------------------------------------------------ heatmaps
    def _grid_rect(self, grid) -> QRectF:
        xs, ys = grid.xs, grid.ys
        dx = (xs[-1] - xs[0]) / (len(xs) - 1)
        dy = (ys[-1] - ys[0]) / (len(ys) - 1)
        return QRectF(xs[0] - dx / 2, ys[0] - dy / 2, xs[-1] - xs[0] + dx, ys[-1] - ys[0] + dy)

    def _binary_levels(self, values, threshold, output_range):
        lo, hi = output_range
        if not (np.isfinite(lo) and lo < threshold):
            lo = threshold - max(1.0, float(np.max(threshold - values, initial=0.0)))
        if not (np.isfinite(hi) and hi > threshold):
            hi = threshold + max(1.0, float(np.max(values - threshold, initial=0.0)))
        return (float(lo), float(hi)), (threshold - lo) / (hi - lo)

    def _show_binary(self, grid, snap):
        values = grid.values[..., 0]
        levels, centre = self._binary_levels(values, snap.threshold, snap.output_range)
        self._show_scalar(values, levels, centre)

    def _regression_levels(self, data):
        y = data.y[:, 0]
        lo, hi = float(y.min()), float(y.max())
        if lo < 0 < hi:  # symmetric, so 0 is white
            m = max(-lo, hi)
            return -m, m
        return (lo, hi) if hi > lo else (lo - 1, hi + 1)

    def _show_scalar(self, values, levels, centre):
        key = (levels, round(centre, 4))
        if key != self._scalar_key:
            self._scalar_key = key
            self.colour_bar.setColorMap(_diverging_map(centre))
            self.colour_bar.setLevels(levels)
        self.scalar_image.setImage(values, autoLevels=False, levels=levels)
        self.scalar_image.setRect(self._grid_rect(self._grid))

    def _show_multiclass(self, grid):
        p = np.clip(grid.values, 0.0, None)
        total = p.sum(axis=-1, keepdims=True)
        k = p.shape[-1]
        p = np.where(total > 0, p / np.where(total > 0, total, 1.0), 1.0 / k)
        if self._class_colours is None or len(self._class_colours) != k:
            self._class_colours = np.array([style.hex_to_rgb(style.class_colour(i))
                                            for i in range(k)])
        # Class colours blended by probability, washed towards white where the network is
        # unsure (a 1/k-each guess is nearly white), so mixtures read as "undecided", not mud.
        confidence = (p.max(axis=-1, keepdims=True) - 1.0 / k) * (k / (k - 1.0))
        strength = 0.15 + 0.5 * confidence
        rgb = 255.0 + (p @ self._class_colours - 255.0) * strength
        self.rgb_image.setImage(rgb.clip(0, 255).astype(np.uint8), autoLevels=False,
                                levels=(0, 255))
        self.rgb_image.setRect(self._grid_rect(grid))

    def _show_curve(self, grid, data):
        values = grid.values[:, 0]
        # Keep an exploding fit from pushing absurd numbers into the scene.
        y = data.y[:, 0]
        span = float(y.max() - y.min()) or 1.0
        values = np.clip(values, float(y.min()) - 20 * span, float(y.max()) + 20 * span)
        self.fit_curve.setData(grid.xs, values)

    # ------------------------------------------------------------------ legend, hover
    def _update_legend(self, snap):
        data = snap.data
        dot = "<span style='color:{c}; font-size:14pt'>●</span>"
        ring = "<span style='color:#555; font-size:14pt'>○</span>"
        fill = "<span style='color:#555; font-size:14pt'>●</span>"
        if data.task in ("binary", "multiclass"):
            classes = " ".join(f"{dot.format(c=style.class_colour(k))} class {k}"
                               for k in range(data.n_classes))
        else:
            classes = ""
        if self._mode == "binary":
            background = (f"colour = network output, white at the threshold "
                          f"{snap.threshold:g}")
        elif self._mode == "multiclass":
            background = "colour = class probabilities blended"
        elif self._mode == "regression2d":
            background = "colour = value (points: target, background: prediction)"
        elif self._mode == "curve":
            background = (f"<span style='color:{style.FIT}'>━━</span> network output ŷ(x)")
        else:
            background = ""
        self.legend_label.setText(
            f"{classes}&nbsp;&nbsp; {fill} train {ring} test &nbsp;&nbsp; {background}")
        self.holder._place()

    def _on_mouse_moved(self, pos):
        grid = self._grid
        if grid is None or not self.view.sceneBoundingRect().contains(pos):
            return
        p = self.view.mapSceneToView(pos)
        x, y = p.x(), p.y()
        i = int(np.clip(np.searchsorted(grid.xs, x), 0, len(grid.xs) - 1))
        if grid.ys is None:
            out = grid.values[i]
            self.hover_label.setText(f"x = {x:.2f}: ŷ = {out[0]:.3f}")
            return
        j = int(np.clip(np.searchsorted(grid.ys, y), 0, len(grid.ys) - 1))
        out = grid.values[j, i]
        text = f"x = ({x:.2f}, {y:.2f}): "
        if self._task == "multiclass":
            text += "p = (" + ", ".join(f"{v:.2f}" for v in out) + f") → class {int(out.argmax())}"
        elif self._task == "binary":
            text += f"output {out[0]:.3f} → class {int(out[0] > self._threshold)}"
        else:
            text += f"ŷ = {out[0]:.3f}"
        self.hover_label.setText(text)
