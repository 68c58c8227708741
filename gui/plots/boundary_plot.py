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

Also:

- :meth:`BoundaryPlot.show_neuron` shows one neuron's output large in place of the network's
  (the network diagram calls it while the pointer rests on a neuron);
- :meth:`BoundaryPlot.set_point_losses` sizes the training points by their loss;
- drawing: with a class (or "point", for regression) chosen under the plot, a click adds a
  training point there and Ctrl+click removes the nearest point. The view emits
  :attr:`BoundaryPlot.data_edited` with the new "custom" :class:`~core.datasets.Dataset`; the
  main window hands it to the trainer (which starts a new run on it).
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QButtonGroup, QDoubleSpinBox, QHBoxLayout, QLabel, QToolButton,
                               QVBoxLayout, QWidget)

from core import datasets
from gui import style

_LIGHTEN_BACKGROUND = 0.35
#: Name of a data set edited by hand (``Config.dataset`` "custom").
CUSTOM = "custom"
#: A Ctrl+click removes the nearest point only when it is at most this far away (pixels).
REMOVE_RADIUS_PX = 30
#: Hovering within this distance of a training point describes it (pixels).
HOVER_POINT_PX = 8
#: Training points sized by their loss grow up to this factor.
LOSS_SIZE_GAIN = 2.0
#: A neuron's picture shown large is upsampled this many times (bilinear) from its coarse grid.
NEURON_UPSAMPLE = 4


def _rgb_string(rgb) -> str:
    return "#" + "".join(f"{int(round(c)):02x}" for c in rgb)


def _diverging_map(centre) -> pg.ColorMap:
    """Orange -> white (at ``centre`` in [0, 1]) -> blue, lightened so points stand out."""
    centre = float(np.clip(centre, 0.02, 0.98))
    colours = [style.lighten(style.CLASS_0, _LIGHTEN_BACKGROUND), np.array([248.0, 248, 248]),
               style.lighten(style.CLASS_1, _LIGHTEN_BACKGROUND)]
    return pg.ColorMap(pos=[0.0, centre, 1.0], color=[np.append(c, 255) for c in colours])


def diverging_lut(centre, lighten=_LIGHTEN_BACKGROUND) -> np.ndarray:
    """A 256-entry RGBA lookup table, orange -> white (at ``centre`` in [0, 1]) -> blue: the
    colours of a neuron's picture (negative orange, positive blue, as links and classes).
    Read-only (cached: views ask for the same few tables many times a second)."""
    return _diverging_lut(round(float(np.clip(centre, 0.02, 0.98)), 3), float(lighten))


@functools.lru_cache(maxsize=64)
def _diverging_lut(centre, lighten) -> np.ndarray:
    colours = [style.lighten(style.CLASS_0, lighten), np.array([248.0, 248, 248]),
               style.lighten(style.CLASS_1, lighten)]
    cmap = pg.ColorMap(pos=[0.0, centre, 1.0], color=[np.append(c, 255) for c in colours])
    lut = cmap.getLookupTable(0.0, 1.0, 256, alpha=True, mode="byte")
    lut.setflags(write=False)
    return lut


def _point_map(centre) -> pg.ColorMap:
    """The saturated version of :func:`_diverging_map` for colouring regression points."""
    centre = float(np.clip(centre, 0.02, 0.98))
    colours = [style.hex_to_rgb(style.CLASS_0), np.array([200.0, 200, 200]),
               style.hex_to_rgb(style.CLASS_1)]
    return pg.ColorMap(pos=[0.0, centre, 1.0], color=[np.append(c, 255) for c in colours])


@dataclasses.dataclass(frozen=True, eq=False)
class NeuronPicture:
    """One neuron's output over the data domain, to show in place of the network's.

    ``values`` is ``(len(ys), len(xs))`` for two inputs (row-major, as
    :class:`gui.snapshot.NeuronGrid`), ``(len(xs),)`` for one (``ys`` None). ``levels`` are the
    values at the ends of the colour map; ``label`` names the neuron ("hidden layer 1, neuron 3").
    """

    label: str
    xs: np.ndarray
    ys: np.ndarray | None
    values: np.ndarray
    levels: tuple


# ---------------------------------------------------------------------------- drawing data
def with_point(data, x, target):
    """``data`` with one more *training* point: raw inputs ``x`` ``(d,)``, target ``target``
    (a class index, or a value for regression). The result is named "custom"."""
    X_train = np.vstack([data.X_train, np.asarray(x, dtype=float).reshape(1, -1)])
    y_train = np.vstack([data.y_train, [[float(target)]]])
    return dataclasses.replace(data, name=CUSTOM, X_train=X_train, y_train=y_train)


def without_point(data, index):
    """``data`` without point ``index`` (counting training points first, then test points, as
    ``data.X`` stacks them), named "custom". Raises ``DataError`` rather than leave the training
    or the test set empty."""
    n_train = len(data.X_train)
    part, i = ("train", index) if index < n_train else ("test", index - n_train)
    X, y = getattr(data, f"X_{part}"), getattr(data, f"y_{part}")
    if len(X) <= 1:
        what = "training" if part == "train" else "test"
        raise datasets.DataError(f"that is the last {what} point: the {what} set cannot be "
                                 f"empty")
    keep = np.arange(len(X)) != i
    return dataclasses.replace(data, name=CUSTOM, **{f"X_{part}": X[keep], f"y_{part}": y[keep]})


def nearest_point(points, x, y, px_per_x, px_per_y):
    """Index of the row of ``points`` ``(n, 2)`` nearest to ``(x, y)`` on screen, and its
    distance in pixels (``px_per_x``, ``px_per_y``: pixels per data unit along each axis)."""
    d = np.hypot((points[:, 0] - x) * px_per_x, (points[:, 1] - y) * px_per_y)
    k = int(np.argmin(d))
    return k, float(d[k])


def _upsample(values, factor):
    """Bilinear upsampling of ``values`` ``(ny, nx)`` to ``(factor·(ny−1)+1, factor·(nx−1)+1)``,
    so a coarse neuron grid shown large is smooth rather than blocky."""
    ny, nx = values.shape
    fy = np.linspace(0, ny - 1, factor * (ny - 1) + 1)
    fx = np.linspace(0, nx - 1, factor * (nx - 1) + 1)
    rows = np.array([np.interp(fx, np.arange(nx), row) for row in values])
    return np.array([np.interp(fy, np.arange(ny), col) for col in rows.T]).T


def _dot_icon(colour, size=12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(QColor("white"))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


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
        self.setMinimumSize(200, 200)

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
    """Decision boundary / fitted function view. Feed it snapshots with :meth:`show_snapshot`.

    Signals
    -------
    data_edited(Dataset, str)
        The learner added or removed a point: the new data (named "custom": all the old points
        kept, new ones in the training set) and a sentence saying what changed.
    draw_refused(str)
        A click could not edit the data (outside the domain, the last test point...): why.
    """

    data_edited = Signal(object, str)
    draw_refused = Signal(str)

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
        self.plot_widget.scene().sigMouseClicked.connect(self._on_mouse_clicked)

        # One neuron's output, shown over the network's while the diagram points at it.
        self._neuron = None
        self._last_scalar = None
        self.neuron_image = pg.ImageItem(axisOrder="row-major")
        self.neuron_image.setZValue(-15)
        self.plot.addItem(self.neuron_image)
        self.neuron_curve = pg.PlotDataItem(pen=pg.mkPen("#6a3d9a", width=2.5, style=Qt.DashLine))
        self.neuron_curve.setZValue(6)
        self.plot.addItem(self.neuron_curve)
        self.neuron_text = pg.TextItem("", color="#222222", anchor=(0, 0),
                                       fill=pg.mkBrush(255, 255, 255, 215))
        self.neuron_text.setZValue(30)
        self.plot.addItem(self.neuron_text)
        self._show_neuron_items(False)

        # Training points sized by their loss (set_point_losses); drawing state.
        self._point_losses = None
        self._train_size = 8
        self._pending = None        # data of an edit not yet seen in a snapshot
        self._pending_run = None
        self._run = None
        self._draw_key = None
        self._make_draw_bar()

        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.setSpacing(2)
        below_layout.addWidget(self.hover_label)
        below_layout.addWidget(self.draw_bar)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.holder = _SquareHolder(self.plot_widget, self.view, self.legend_label, below)
        layout.addWidget(self.holder, 1)
        self._set_mode("none")

    def _make_draw_bar(self):
        self.draw_bar = QWidget()
        row = QHBoxLayout(self.draw_bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(3)
        title = QLabel("Draw:")
        tip = ("Draw your own data: choose what a click adds, then click in the plot to add a "
               "training point there;\nCtrl+click removes the nearest point. The data set "
               "becomes 'custom' (the points shown, plus yours)\nand training starts again on "
               "it with fresh weights. Save it with the experiment (File menu).")
        title.setToolTip(tip)
        self.draw_group = QButtonGroup(self)
        self.draw_group.setExclusive(True)
        self.draw_off = QToolButton()
        self.draw_off.setText("Off")
        self.draw_off.setCheckable(True)
        self.draw_off.setChecked(True)
        self.draw_off.setToolTip("Clicks in the plot do not change the data.")
        self.draw_group.addButton(self.draw_off, -1)
        self.draw_value = QDoubleSpinBox()
        self.draw_value.setRange(-1e4, 1e4)
        self.draw_value.setDecimals(2)
        self.draw_value.setSingleStep(0.1)
        self.draw_value.setValue(1.0)
        self.draw_value.setPrefix("y = ")
        self.draw_value.setToolTip("The target value y of the points a click adds (regression).")
        self.draw_hint = QLabel("")
        self.draw_hint.setStyleSheet("color: #666;")
        self.draw_hint.setToolTip(tip)
        self._draw_row = row
        for widget in (title, self.draw_off, self.draw_value, self.draw_hint):
            row.addWidget(widget)
        row.addStretch(1)
        self._draw_buttons = []
        self.draw_group.idToggled.connect(self._on_draw_group_toggled)

    def _set_draw_choices(self, data):
        """Offer a button per class (classification) or one "point" button (regression)."""
        key = (data.task, data.n_classes, self._mode)
        if key == self._draw_key:
            return
        self._draw_key = key
        chosen = self.draw_group.checkedId()
        for button in self._draw_buttons:
            self.draw_group.removeButton(button)
            button.deleteLater()
        self._draw_buttons = []
        if data.task in ("binary", "multiclass"):
            choices = [(f"class {k}", style.class_colour(k),
                        f"A click adds a training point of class {k}.") for k in
                       range(data.n_classes)]
        elif self._mode == "curve":
            choices = [("point", style.POINT, "A click adds a training point (x, y) where you "
                                              "click: x is the input, y the target.")]
        else:
            choices = [("point", style.POINT, "A click adds a training point there with the "
                                              "target y set on the right.")]
        for k, (text, colour, tip) in enumerate(choices):
            button = QToolButton()
            button.setText(text)
            button.setIcon(_dot_icon(colour))
            button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
            button.setCheckable(True)
            button.setToolTip(tip + " Ctrl+click removes the nearest point.")
            self.draw_group.addButton(button, k)
            self._draw_row.insertWidget(2 + k, button)
            self._draw_buttons.append(button)
        if 0 <= chosen < len(self._draw_buttons):
            self._draw_buttons[chosen].setChecked(True)
        else:
            self.draw_off.setChecked(True)
        self.draw_value.setVisible(self._mode == "regression2d")
        self._on_draw_group_toggled(self.draw_group.checkedId(), True)

    @Slot(int, bool)
    def _on_draw_group_toggled(self, _id, checked):
        if not checked:
            return
        drawing = self.draw_target() is not None
        self.draw_hint.setText("click: add · Ctrl+click: remove nearest" if drawing else "")
        self.plot_widget.setCursor(Qt.CrossCursor if drawing else Qt.ArrowCursor)

    # ------------------------------------------------------------------ public
    @Slot(bool)
    def set_show_test(self, show):
        """Draw the test points (hollow) or only the training points."""
        self._show_test = bool(show)
        self.test_points.setVisible(self._show_test)

    def draw_target(self):
        """What a click adds: a class index (classification), "value" (regression), or None
        when drawing is off."""
        k = self.draw_group.checkedId()
        if not 0 <= k < len(self._draw_buttons) or not self.draw_bar.isVisibleTo(self):
            return None
        return k if self._task in ("binary", "multiclass") else "value"

    def set_draw_target(self, k):
        """Choose what a click adds: class ``k`` (for regression any int: a point), or None."""
        if k is None or not 0 <= k < len(self._draw_buttons):
            self.draw_off.setChecked(True)
        else:
            self._draw_buttons[k].setChecked(True)

    @Slot(object)
    def set_point_losses(self, values):
        """Size each training point by its loss (``(n_train,)``, e.g. ``Snapshot.train_losses``):
        points with more than the median loss grow, the worst-fit one to twice the size. None:
        all the same size. Hovering a training point shows its loss."""
        self._point_losses = None if values is None else np.asarray(values, dtype=float)
        self._apply_point_sizes()

    @Slot(object)
    def show_neuron(self, picture):
        """Show one neuron's output (a :class:`NeuronPicture`) over the network's, or go back
        to the network's output (None)."""
        if picture is None or self._mode == "none" or (picture.ys is None) != (
                self._mode == "curve"):
            self._neuron = None
            self._show_neuron_items(False)
            return
        self._neuron = picture
        lo, hi = picture.levels
        if picture.ys is None:
            self.neuron_curve.setData(picture.xs, picture.values)
            (x0, _), (_, y1) = self.view.viewRange()
            self.neuron_text.setPos(x0, y1)
        else:
            centre = (0.0 - lo) / (hi - lo) if lo < 0 < hi else 0.5
            fine = _upsample(np.asarray(picture.values, dtype=float), NEURON_UPSAMPLE)
            self.neuron_image.setImage(fine, autoLevels=False, levels=(lo, hi),
                                       lut=diverging_lut(centre))
            xs = np.linspace(picture.xs[0], picture.xs[-1], fine.shape[1])
            ys = np.linspace(picture.ys[0], picture.ys[-1], fine.shape[0])
            self.neuron_image.setRect(self._rect_of(xs, ys))
            self.neuron_text.setPos(float(picture.xs[0]), float(picture.ys[-1]))
            if self.colour_bar.isVisible():
                # The colour bar reads the neuron's output while it is shown.
                self.colour_bar.setColorMap(_diverging_map(centre))
                self.colour_bar.setLevels((lo, hi))
                self.colour_bar.getAxis("left").setLabel("neuron output")
                self._scalar_key = None
        self.neuron_text.setHtml(
            f"<div style='font-size:9pt'><b>{picture.label}</b><br>its output, "
            f"{lo:.3g} to {hi:.3g}</div>")
        self._show_neuron_items(True, curve=picture.ys is None)

    def _show_neuron_items(self, show, curve=False):
        was_image = self.neuron_image.isVisible()
        self.neuron_image.setVisible(show and not curve)
        self.neuron_curve.setVisible(show and curve)
        self.neuron_text.setVisible(show)
        if was_image and not self.neuron_image.isVisible():
            # Back to the network's output: its colours on the bar again.
            self.colour_bar.getAxis("left").setLabel("network output")
            self._scalar_key = None
            if self._last_scalar is not None and self._mode in ("binary", "regression2d"):
                self._show_scalar(*self._last_scalar)

    @Slot(object)
    def show_snapshot(self, snap):
        data, grid = snap.data, snap.grid
        if self._pending is not None and (data is self._pending or snap.run != self._pending_run):
            self._pending = None  # the edit took effect (or a newer run replaced it)
        self._run = snap.run
        mode = self._mode_for(data, grid)
        if mode != self._mode:
            self._set_mode(mode)
        self._grid, self._threshold, self._task = grid, snap.threshold, data.task
        self._output_range = snap.output_range
        new_data = data is not self._data and self._pending is None
        if new_data:
            self._data = data
            self._set_points(data, snap)
            self._set_view_range(data, snap)
            if mode != "none":
                self._set_draw_choices(data)
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
        self.draw_bar.setVisible(mode != "none")
        self._draw_key = None
        self._show_neuron_items(False)
        two_d = mode in ("binary", "multiclass", "regression2d")
        self.view.setAspectLocked(two_d, ratio=1.0)
        self.holder.set_square(two_d)
        self.plot.setLabel("left", "x₂" if two_d else "y")
        self.plot.setLabel("bottom", "x₁" if two_d else "x")
        for axis in ("left", "bottom"):  # empty axes around the message would look broken
            self.plot.showAxis(axis, mode != "none")
        if mode == "none":
            self.message.setText("The boundary view draws data with one or two inputs;\n"
                                 "these data have more. The cost curve, the accuracy and\n"
                                 "the network diagram show how the network learns them.")
            self.view.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0.0)
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
    def _set_points(self, data, snap=None):
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
                self._train_size = size
                self._apply_point_sizes()
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
        return self._rect_of(grid.xs, grid.ys)

    @staticmethod
    def _rect_of(xs, ys) -> QRectF:
        """The rectangle an image of values at grid points ``xs`` × ``ys`` covers (each value
        a pixel centred on its point)."""
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
        self._last_scalar = (values, levels, centre)
        key = (levels, round(centre, 4))
        if key != self._scalar_key and not self.neuron_image.isVisible():
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
        # Each marker stays with its word when the line wraps.
        keep = "<span style='white-space: nowrap'>{}</span>".format
        if data.task in ("binary", "multiclass"):
            classes = " ".join(keep(f"{dot.format(c=style.class_colour(k))} class {k}")
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
        # Drawn data have no name in the data panel's list: say here what is shown.
        custom = (f"<b>Custom data</b> ({len(data.X_train)} train, {len(data.X_test)} test) "
                  f"&nbsp; " if data.name == CUSTOM else "")
        self.legend_label.setText(
            f"{custom}{classes}&nbsp;&nbsp; {keep(f'{fill} train {ring} test')} &nbsp;&nbsp; "
            f"{background}")
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
            self.hover_label.setText(f"x = {x:.2f}: ŷ = {out[0]:.3f}" + self._point_text(x, y))
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
        self.hover_label.setText(text + self._point_text(x, y))

    def _pixels_per_unit(self):
        px, py = self.view.viewPixelSize()
        return 1.0 / max(px, 1e-12), 1.0 / max(py, 1e-12)

    def _plotted(self, X, y):
        """Plot coordinates of points: the two inputs, or (input, target) for a curve."""
        return np.column_stack([X[:, 0], y[:, 0] if self._mode == "curve" else X[:, 1]])

    def _point_text(self, x, y) -> str:
        """" · training point 12: class 1, loss 0.123" for a training point under the pointer."""
        data = self._data
        if data is None or self._mode == "none":
            return ""
        k, dist = nearest_point(self._plotted(data.X_train, data.y_train), x, y,
                                *self._pixels_per_unit())
        if dist > max(HOVER_POINT_PX, self._train_size / 2 + 2):
            return ""
        target = data.y_train[k, 0]
        what = f"class {int(target)}" if data.task != "regression" else f"y = {target:.3g}"
        text = f"  ·  training point {k}: {what}"
        losses = self._point_losses
        if losses is not None and len(losses) == len(data.X_train):
            text += f", loss {losses[k]:.3g}"
        return text

    def _apply_point_sizes(self):
        data, losses, base = self._data, self._point_losses, self._train_size
        n = len(self.train_points.data)
        if n == 0:
            return
        sizes = np.full(n, float(base))
        if (losses is not None and data is not None and len(losses) == n
                and self._pending is None and np.isfinite(losses).all()):
            # Points fitted better than the median keep their size; the worst-fit one is
            # LOSS_SIZE_GAIN times larger (area grows with the loss). The median in the
            # denominator keeps a network that is equally bad everywhere from inflating all.
            median, top = float(np.median(losses)), float(losses.max())
            share = np.clip((losses - median) / max(top - median, median, 1e-12), 0.0, 1.0)
            sizes *= 1.0 + (LOSS_SIZE_GAIN - 1.0) * np.sqrt(share)
        self.train_points.setSize(sizes)

    # ------------------------------------------------------------------ drawing
    def _edit_base(self):
        return self._pending if self._pending is not None else self._data

    def _on_mouse_clicked(self, event):
        target = self.draw_target()
        base = self._edit_base()
        if (target is None or base is None or event.button() != Qt.LeftButton
                or event.double()):
            return
        pos = event.scenePos()
        if not self.view.sceneBoundingRect().contains(pos):
            return
        event.accept()
        p = self.view.mapSceneToView(pos)
        if event.modifiers() & Qt.ControlModifier:
            self.remove_point_near(p.x(), p.y())
        else:
            self.add_point(p.x(), p.y())

    def add_point(self, x, y):
        """Add a training point at plot position ``(x, y)`` as the draw buttons say (what a
        click does). Returns the new data set, or None when nothing was added."""
        target, data = self.draw_target(), self._edit_base()
        if target is None or data is None or self._mode == "none":
            return None
        (x0, x1), *rest = data.domain
        inside = x0 <= x <= x1 and (not rest or rest[0][0] <= y <= rest[0][1])
        if not inside:
            self.draw_refused.emit("Points go inside the data's domain (the plotted square).")
            return None
        if self._mode == "curve":
            inputs, value, what = [x], y, f"a point (x = {x:.2f}, y = {y:.2f})"
        elif target == "value":
            value = self.draw_value.value()
            inputs, what = [x, y], f"a point with y = {value:g} at ({x:.2f}, {y:.2f})"
        else:
            inputs, value, what = [x, y], target, f"a class {target} point at ({x:.2f}, {y:.2f})"
        new = with_point(data, inputs, value)
        self._emit_edit(new, f"Added {what}")
        return new

    def remove_point_near(self, x, y):
        """Remove the point (training or test) nearest to plot position ``(x, y)``, if it is
        within ``REMOVE_RADIUS_PX`` on screen. Returns the new data set, or None."""
        data = self._edit_base()
        if data is None or self._mode == "none":
            return None
        k, dist = nearest_point(self._plotted(data.X, data.y), x, y, *self._pixels_per_unit())
        if dist > REMOVE_RADIUS_PX:
            self.draw_refused.emit("No point near there to remove (Ctrl+click on a point).")
            return None
        try:
            new = without_point(data, k)
        except datasets.DataError as err:
            self.draw_refused.emit(f"Cannot remove that point: {err}.")
            return None
        part = "training" if k < len(data.X_train) else "test"
        self._emit_edit(new, f"Removed a {part} point")
        return new

    def _emit_edit(self, data, text):
        # Shown at once; the heatmap follows when the trainer has started on the new data.
        self._pending, self._pending_run = data, self._run
        self._set_points(data)
        self.data_edited.emit(data, text)
