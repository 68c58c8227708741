"""The network as a live diagram: what every neuron computes, and every weight.

Columns of nodes, left to right: the input features, each hidden layer, the outputs (as in the
Neural Network Playground).

- **Inputs**: for 1-D and 2-D data every feature the network could be given (x₁, x₂, x₁², x₂²,
  x₁x₂, sin x₁, sin x₂); the ones it is given are solid, the others faint. Clicking one (or its
  button above the diagram) adds it to the network's inputs or takes it away; the input layer
  follows, which rebuilds the network (:attr:`NetworkDiagram.features_changed`).
- **Neurons**: each hidden and output neuron is a small picture of its own output over the
  input plane (orange negative, white zero, blue positive; for sigmoid-like outputs white is
  0.5), computed in the training worker (:class:`gui.snapshot.NeuronGrid`). With one input it
  is the neuron's output as a curve. The small square at a neuron's lower left is its bias.
- **Links**: one line per weight, width growing with ``|w|``, blue for positive and orange for
  negative weights, faint when small.

Hovering a link, a bias or a neuron shows its value and the gradient of the training cost with
respect to it (``∂C/∂w`` over the whole training set, :attr:`Snapshot.gradient`); hovering a
neuron also shows its picture large in the decision-boundary plot
(:attr:`NetworkDiagram.neuron_hovered`). Clicking a link or a bias emits
:attr:`NetworkDiagram.weight_clicked` with the parameter's flat index, which the main window
puts on an axis of the 3-D error surface.

Cost: geometry is computed when the architecture or the widget's size changes; a snapshot only
recolours (links are grouped by sign and strength into a few pens, neurons' pictures are one
lookup-table pass per layer), at most about 30 times a second and less often when that takes
long (a big network). Each column's nodes are as large as its height allows (so a big network's
inputs and output stay readable pictures); in a very big network only the strongest
``MAX_LINKS_DRAWN`` weights are drawn, neurons too small for a picture are plain squares and
their biases are left out.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import time

import numpy as np
from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QSizePolicy, QToolButton, QToolTip,
                               QVBoxLayout, QWidget)

from core import activations, features
from gui import style
from gui.numbers import format_number
from gui.plots.boundary_plot import NeuronPicture, diverging_lut

#: Largest node (a neuron's picture), in pixels.
MAX_NODE = 46
#: Below this size a neuron is drawn as a plain square rather than a picture.
MIN_PICTURE = 5
#: Below this node size biases are not drawn (nor picked): they would cover the neurons.
MIN_BIAS_NODE = 10
#: Most links drawn; a bigger network shows its strongest weights only.
MAX_LINKS_DRAWN = 3000
#: Points of a neuron's curve thumbnail (one raw input).
CURVE_POINTS = 24
#: Up to this many links are drawn antialiased.
MAX_SMOOTH_LINKS = 1500
#: Networks with at most this many links keep a line object per link (made once per layout).
MAX_LINES_KEPT = 20_000
#: Links are drawn in this many strengths per sign (one pen each).
LINK_LEVELS = 12
#: |w| at which a link reaches its full width and colour.
FULL_WEIGHT = 2.0
#: How close (pixels) the pointer must be to a link to pick it.
PICK_PX = 4.0
#: Fastest and slowest redraw while training (seconds between redraws): pictures and links
#: change smoothly, and 15 redraws a second leave the interpreter to training and the plots.
MIN_INTERVAL, MAX_INTERVAL = 1.0 / 15.0, 0.5
#: A snapshot skipped while training is drawn after this long if no newer one comes (s).
FALLBACK_DELAY = 0.25
#: Pictures are a little more saturated than the boundary plot's background.
PICTURE_LIGHTEN = 0.12

_MARGIN_LEFT, _MARGIN_RIGHT, _MARGIN_TOP, _MARGIN_BOTTOM = 58, 64, 30, 12
_LINK_GREY = np.array([226.0, 226, 226])
_BORDER = QPen(QColor("#9a9a9a"), 1.0)
_FADED_BORDER = QPen(QColor("#bdbdbd"), 1.0, Qt.DashLine)
_HOVER_BORDER = QPen(QColor("#222222"), 2.0)
_BIAS_BORDER = QPen(QColor("#777777"), 0.8)
_CURVE_PEN = QPen(QColor("#333333"), 1.3)
_FADED_CURVE_PEN = QPen(QColor("#b0b0b0"), 1.3)
_CURVE_PEN.setCosmetic(True)  # drawn scaled to the node: the width stays in pixels
_FADED_CURVE_PEN.setCosmetic(True)
_CURVE_BACKGROUND = QColor("#fbfbfb")
_PLAIN_NODE = QColor("#e6e6e6")
_FEATURE_BUTTON_STYLE = (
    "QToolButton { padding: 1px 5px; border: 1px solid #c8c8c8; border-radius: 3px; "
    "color: #999; background: #fafafa; }"
    f"QToolButton:checked {{ color: #111; background: #dceaf5; border-color: {style.CLASS_1}; }}"
    "QToolButton:hover { border-color: #666; }")


@functools.lru_cache(maxsize=2 * (LINK_LEVELS + 1))
def _bias_colour(positive, level) -> QColor:
    """A bias's fill: its sign's colour, stronger with its size (``level`` of LINK_LEVELS)."""
    base = style.hex_to_rgb(style.CLASS_1 if positive else style.CLASS_0)
    rgb = _LINK_GREY + (base - _LINK_GREY) * (0.2 + 0.8 * level / LINK_LEVELS)
    return QColor(*(int(c) for c in rgb))


def _fmt(value) -> str:
    return format_number(value, 3, true_minus=True)


def _lines(*lines) -> str:
    """Rich text of unbroken lines (a tooltip would otherwise wrap them narrowly)."""
    return "<br>".join(f"<nobr>{line}</nobr>" for line in lines if line)


def layer_title(layer_sizes, column) -> str:
    """"inputs", "hidden layer k" or "output" for column ``column`` (0 = the inputs)."""
    if column == 0:
        return "inputs"
    return "output" if column == len(layer_sizes) - 1 else f"hidden layer {column}"


@dataclasses.dataclass(frozen=True, eq=False)
class Links:
    """Every weight of the network, in the order of ``params`` (``W0`` row by row, ``W1``...).

    ``index[k]`` is link k's flat index into the parameters; it goes from neuron
    ``source[k]`` of column ``layer[k]`` to neuron ``target[k]`` of column ``layer[k] + 1``
    (column 0 = the network's inputs, in the order the network sees them).
    """

    index: np.ndarray
    layer: np.ndarray
    source: np.ndarray
    target: np.ndarray

    @classmethod
    def of(cls, layer_sizes, block_starts) -> "Links":
        """Links of a network with ``layer_sizes`` whose weight matrix ``W{l}`` starts at flat
        index ``block_starts[l]``."""
        parts = []
        for layer, (n_in, n_out) in enumerate(zip(layer_sizes, layer_sizes[1:])):
            i, j = np.divmod(np.arange(n_in * n_out), n_out)
            parts.append((block_starts[layer] + np.arange(n_in * n_out),
                          np.full(n_in * n_out, layer), i, j))
        return cls(*(np.concatenate([p[k] for p in parts]).astype(np.int64) for k in range(4)))

    def __len__(self):
        return len(self.index)


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _subscript(n) -> str:
    """``12`` -> ``"₁₂"``: input names read as in the formulas (x₁, x₂, …)."""
    return str(n).translate(_SUBSCRIPTS)


def _block_starts(snap):
    """Flat start of every ``W{l}`` and ``b{l}``: (weights, biases), from the layer sizes and
    the activation's extra parameters (as :class:`core.network.Network` lays them out)."""
    sizes = snap.layer_sizes
    n_layers = len(sizes) - 1
    names = [snap.config.activation] * (n_layers - 1) + [snap.config.output_activation]
    w_starts, b_starts, start = [], [], 0
    for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        w_starts.append(start)
        start += n_in * n_out
        b_starts.append(start)
        start += n_out
        if names[layer] == "prelu":
            start += n_out
        elif names[layer] == "maxout":
            start += n_in * n_out + n_out
    return w_starts, b_starts


def _layer_levels(name, values):
    """Colour levels of one layer's pictures: the activation's range when it is bounded, else
    symmetric around 0 up to the largest |value| in the layer."""
    lo, hi = activations.get(name).output_range
    if math.isfinite(lo) and math.isfinite(hi) and hi > lo:
        return float(lo), float(hi)
    m = float(np.max(np.abs(values), initial=0.0)) if values is not None else 1.0
    m = m if math.isfinite(m) and m > 1e-9 else 1.0
    return -m, m


def _centre(levels) -> float:
    lo, hi = levels
    return (0.0 - lo) / (hi - lo) if lo < 0 < hi else 0.5


def _pictures(values, levels) -> list:
    """``values`` ``(g, g, units)`` -> one RGBA QImage per unit (y up, as on the plot)."""
    lo, hi = levels
    lut = diverging_lut(_centre(levels), PICTURE_LIGHTEN)
    with np.errstate(all="ignore"):
        t = (np.asarray(values, dtype=np.float32) - lo) * (255.0 / (hi - lo))
    # Units first, rows flipped (row 0 is the top, max y): each unit's pixels are contiguous.
    k = np.ascontiguousarray(
        np.clip(np.nan_to_num(t), 0, 255).astype(np.uint8).transpose(2, 0, 1)[:, ::-1])
    # One uint32 per RGBA pixel (bytes in memory order R, G, B, A): a lookup 7× faster.
    rgba = np.ascontiguousarray(lut).view(np.uint32).ravel()[k]  # (units, g, g), contiguous
    h, w = rgba.shape[1:3]
    # copy(): each QImage then owns its pixels and the numpy buffer can go.
    return [QImage(rgba[u].data, w, h, 4 * w, QImage.Format_RGBA8888).copy()
            for u in range(rgba.shape[0])]


def _curves(values, levels) -> list:
    """``values`` ``(g, units)`` -> one polyline per unit in unit coordinates ``[0, 1]²`` (at
    most ``CURVE_POINTS`` points: plenty for a thumbnail)."""
    lo, hi = levels
    values = np.asarray(values, dtype=float)
    step = max(1, -(-values.shape[0] // CURVE_POINTS))
    values = np.concatenate([values[:-1:step], values[-1:]])
    xs = np.linspace(0.0, 1.0, len(values)).tolist()
    ys = (1.0 - np.clip((values - lo) / (hi - lo), 0.0, 1.0)).T.tolist()
    return [QPolygonF(list(map(QPointF, xs, row))) for row in ys]


def _feature_values(name, xs, ys):
    """Input feature ``name`` over the grid (as a NeuronGrid layer, one unit): ``(g, g, 1)``
    for two raw inputs, ``(g, 1)`` for one."""
    if ys is None:
        points = xs[:, None]
        return features.FEATURES[name][2](points)[:, None]
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    return features.FEATURES[name][2](points).reshape(len(ys), len(xs), 1)


class _Canvas(QWidget):
    """Draws the diagram and finds what is under the pointer; the semantics (texts, signals)
    are :class:`NetworkDiagram`'s.

    ``hover_changed(hit)`` and ``clicked(hit)`` carry a *hit*: ``("link", k)``,
    ``("bias", column, unit)``, ``("neuron", column, unit)``, ``("input", node)`` or None.
    """

    hover_changed = Signal(object)
    clicked = Signal(object)

    def __init__(self, diagram):
        super().__init__()
        self._diagram = diagram
        self.setMouseTracking(True)
        self.setMinimumSize(240, 160)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.columns = []            # node counts per column (column 0: input nodes shown)
        self.titles = []
        self.input_labels = []
        self.input_active = []
        self.output_labels = []
        self.input_rows = np.zeros(0, dtype=int)  # network input row -> input node
        self.links = None
        self.link_style = None       # what the link pens were made from (skip when unchanged)
        self.hover = None
        self.marks = {}              # flat index -> "1"/"2" (error-surface axes)
        self.node = 0.0              # smallest node size (pixels)
        self.sizes = []              # node size per column (a short column gets big nodes)
        self.centres = []            # per column: (n, 2) array of node centres
        self.rects = []              # per column: the nodes' QRectFs
        self.bias_rects = []
        self.endpoints = np.zeros((0, 4))
        self._qlines = None
        self.drawn = np.zeros(0, dtype=int)   # links drawn (indices into links)
        self.buckets = []            # (QPen, [QLineF]) in drawing order
        self.pictures = {}           # column -> list of QImage
        self.scaled_inputs = None    # the input pictures at node size (they never change)
        self.curves = {}             # column -> list of QPolygonF
        self.bias_colours = {}       # column -> list of QColor
        self.paint_time = 0.0
        self._static, self._static_key = None, None

    # ------------------------------------------------------------------ geometry
    def set_architecture(self, columns, titles, input_labels, input_active, input_rows,
                         output_labels, links):
        self.columns, self.titles = list(columns), list(titles)
        self.input_labels, self.input_active = list(input_labels), list(input_active)
        self.input_rows = np.asarray(input_rows, dtype=int)
        self.output_labels = list(output_labels)
        self.links = links
        self.hover = None
        self.marks = {}
        self.pictures, self.curves, self.bias_colours = {}, {}, {}
        self.buckets, self.drawn = [], np.zeros(0, dtype=int)
        self.relayout()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.relayout()
        self._diagram.restyle_links()

    def relayout(self):
        if not self.columns:
            return
        w, h = self.width(), self.height()
        n_cols = len(self.columns)
        # Room on the right for the output labels ("p(class 2)" is wider than "ŷ").
        metrics = QFontMetrics(self._small_font())  # the labels' font
        widest = max((metrics.horizontalAdvance(label) for label in self.output_labels),
                     default=0)
        margin_right = max(_MARGIN_RIGHT, widest + 0.5 * MAX_NODE + 12)
        left, right = _MARGIN_LEFT, max(w - margin_right, _MARGIN_LEFT + 10)
        top, bottom = _MARGIN_TOP, max(h - _MARGIN_BOTTOM, _MARGIN_TOP + 10)
        xs = np.linspace(left, right, n_cols) if n_cols > 1 else np.array([0.5 * (left + right)])
        gap = (right - left) / max(n_cols - 1, 1)
        room = bottom - top
        self.sizes = [float(max(min(MAX_NODE, 0.42 * gap, room / (1.3 * max(n, 1))), 2.0))
                      for n in self.columns]
        self.node = min(self.sizes)
        self.centres = []
        for column, (x, n) in enumerate(zip(xs, self.columns)):
            # The input nodes keep room for their labels, however small the nodes get.
            least = 18.0 if column == 0 and self.input_labels else 0.0
            step = min(room / max(n, 1), max(1.6 * self.sizes[column], least))
            y0 = top + 0.5 * (room - step * (n - 1)) if n > 1 else top + 0.5 * room
            ys = y0 + step * np.arange(n)
            self.centres.append(np.column_stack([np.full(n, x), ys]))
        self.rects = [[self.node_rect(c, u) for u in range(n)]
                      for c, n in enumerate(self.columns)]
        self.bias_rects = [[self._bias_rect(c, u) for u in range(n)] if c else []
                           for c, n in enumerate(self.columns)]
        links = self.links
        if links is None or not len(links):
            self.endpoints = np.zeros((0, 4))
        else:
            src_nodes = np.where(links.layer == 0, self.input_rows[np.minimum(
                links.source, len(self.input_rows) - 1)], links.source)
            starts = np.empty((len(links), 2))
            ends = np.empty((len(links), 2))
            for column in range(n_cols - 1):
                sel = links.layer == column
                starts[sel] = self.centres[column][src_nodes[sel]]
                ends[sel] = self.centres[column + 1][links.target[sel]]
            half = 0.5 * np.asarray(self.sizes)
            starts[:, 0] += half[links.layer]
            ends[:, 0] -= half[links.layer + 1]
            self.endpoints = np.column_stack([starts, ends])
        self._qlines = None
        self.link_style = None
        self.scaled_inputs = None
        if len(self.endpoints) <= MAX_LINES_KEPT:
            self._qlines = [QLineF(*row) for row in self.endpoints.tolist()]
        self.update()

    def bias_size(self, column) -> float:
        return max(4.0, 0.22 * self.sizes[column])

    def node_rect(self, column, unit) -> QRectF:
        x, y = self.centres[column][unit]
        s = self.sizes[column]
        return QRectF(x - s / 2, y - s / 2, s, s)

    def _bias_rect(self, column, unit) -> QRectF:
        c, b = self.bias_centre(column, unit), self.bias_size(column)
        return QRectF(c.x() - b / 2, c.y() - b / 2, b, b)

    def bias_centre(self, column, unit) -> QPointF:
        x, y = self.centres[column][unit]
        s = self.sizes[column]
        return QPointF(x - s / 2, y + s / 2)

    def link_midpoint(self, k) -> QPointF:
        x0, y0, x1, y1 = self.endpoints[k]
        return QPointF(0.5 * (x0 + x1), 0.5 * (y0 + y1))

    # ------------------------------------------------------------------ links' pens
    def set_link_buckets(self, drawn, signs, levels, max_width, min_width):
        """Group the ``drawn`` links by sign and strength level (``0..LINK_LEVELS``), one pen
        per group; weaker groups first so strong links lie on top. Nothing to do (and no
        repaint) when no link changed group."""
        style_key = (drawn.tobytes(), signs.tobytes(), levels.tobytes(), max_width, min_width)
        if style_key == self.link_style:
            return
        self.link_style = style_key
        self.drawn = drawn
        qlines = self._qlines
        if qlines is None:
            qlines_of = {k: QLineF(*self.endpoints[k]) for k in drawn.tolist()}
        buckets = []
        key = levels * 2 + (signs > 0)
        order = np.argsort(key, kind="stable")
        keys_sorted = key[order]
        bounds = np.flatnonzero(np.diff(keys_sorted)) + 1
        for group in np.split(order, bounds):
            if not len(group):
                continue
            level, positive = divmod(int(key[group[0]]), 2)
            share = level / LINK_LEVELS
            colour = style.hex_to_rgb(style.CLASS_1 if positive else style.CLASS_0)
            rgb = _LINK_GREY + (colour - _LINK_GREY) * min(1.0, 0.25 + 0.75 * share)
            pen = QPen(QColor(*(int(c) for c in rgb)))
            pen.setWidthF(min_width + (max_width - min_width) * share)
            pen.setCapStyle(Qt.FlatCap)
            members = drawn[group]
            if qlines is not None:
                lines = [qlines[k] for k in members.tolist()]
            else:
                lines = [qlines_of[k] for k in members.tolist()]
            buckets.append((pen, lines))
        self.buckets = buckets
        self.update()

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event):
        start = time.perf_counter()
        painter = QPainter(self)
        if not self.columns or not self.rects:
            painter.fillRect(self.rect(), Qt.white)
            painter.end()
            return
        # What does not change while training (titles, labels, the inputs) is one pixmap.
        painter.drawPixmap(0, 0, self._static_layer())
        # Thousands of hairlines: smoothing them costs more than it shows.
        painter.setRenderHint(QPainter.Antialiasing, len(self.drawn) <= MAX_SMOOTH_LINKS)
        painter.setRenderHint(QPainter.SmoothPixmapTransform)
        for pen, lines in self.buckets:
            painter.setPen(pen)
            painter.drawLines(lines)
        painter.setRenderHint(QPainter.Antialiasing)
        self._paint_marked_links(painter)
        for column in range(1, len(self.rects)):
            self._paint_column(painter, column)
        self._paint_hover(painter)
        painter.end()
        self.paint_time = time.perf_counter() - start

    def _paint_marked_links(self, painter):
        links, hover = self.links, self.hover
        highlight = []
        if hover is not None and hover[0] == "link":
            highlight.append(hover[1])
        if links is not None:
            highlight += [k for k in map(self._link_of, self.marks) if k is not None]
        for k in highlight:
            pen = QPen(QColor(20, 20, 20, 200))
            pen.setWidthF(2.0)
            pen.setStyle(Qt.DashLine if k != (hover or (None, None))[1] else Qt.SolidLine)
            painter.setPen(pen)
            painter.drawLine(QLineF(*self.endpoints[k]))
        painter.setFont(self._small_font())
        for i, text in self.marks.items():
            k = self._link_of(i)
            if k is not None:
                self._badge(painter, self.link_midpoint(k), text)
            else:
                spot = self._diagram.bias_spot(i)
                if spot is not None:
                    self._badge(painter, self.bias_centre(*spot) + QPointF(-8, 8), text)

    def _link_of(self, index):
        links = self.links
        if links is None or not len(links) or not links.index[0] <= index <= links.index[-1]:
            return None
        k = int(np.searchsorted(links.index, index))
        return k if k < len(links) and links.index[k] == index else None

    def _badge(self, painter, centre, text):
        r = 7.0
        painter.setPen(QPen(QColor("#222222"), 1.0))
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawEllipse(centre, r, r)
        painter.drawText(QRectF(centre.x() - r, centre.y() - r, 2 * r, 2 * r), Qt.AlignCenter,
                         text)

    def _small_font(self):
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1.5))
        return font

    def _static_layer(self) -> QPixmap:
        dpr = self.devicePixelRatioF()
        key = (self.width(), self.height(), dpr, tuple(self.sizes), tuple(self.input_active),
               id(self.pictures.get(0)), id(self.curves.get(0)))
        if key != self._static_key:
            pixmap = QPixmap(max(1, round(self.width() * dpr)), max(1, round(self.height() * dpr)))
            pixmap.setDevicePixelRatio(dpr)
            pixmap.fill(Qt.white)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.Antialiasing)
            painter.setRenderHint(QPainter.SmoothPixmapTransform)
            self._paint_column(painter, 0)
            self._paint_labels(painter)
            painter.end()
            self._static, self._static_key = pixmap, key
        return self._static

    def _paint_column(self, painter, column):
        # Batched: one call draws every border of a column, so big networks paint quickly.
        rects = self.rects[column]
        s = self.sizes[column]
        pictures = self.pictures.get(column)
        curves = self.curves.get(column)
        painter.setBrush(Qt.NoBrush)
        if pictures is not None and s >= MIN_PICTURE:
            if column == 0:
                for rect, image in zip(rects, self._scaled_inputs(s)):
                    painter.drawImage(rect.topLeft(), image)
            else:
                # Smooth scaling is slow and invisible on tiny nodes.
                painter.setRenderHint(QPainter.SmoothPixmapTransform, s >= 12)
                for rect, image in zip(rects, pictures):
                    painter.drawImage(rect, image)
        elif curves is not None and s >= MIN_PICTURE:
            for unit, (rect, curve) in enumerate(zip(rects, curves)):
                faded = column == 0 and self.input_labels and not self.input_active[unit]
                painter.fillRect(rect, _CURVE_BACKGROUND)
                painter.setPen(_FADED_CURVE_PEN if faded else _CURVE_PEN)
                painter.save()
                painter.translate(rect.topLeft())
                painter.scale(s, s)
                painter.drawPolyline(curve)
                painter.restore()
        else:
            painter.setPen(Qt.NoPen)
            painter.setBrush(_PLAIN_NODE)
            painter.drawRects(rects)
            painter.setBrush(Qt.NoBrush)
        if s >= 3:
            if column == 0 and self.input_labels:
                active = [r for r, on in zip(rects, self.input_active) if on]
                faded = [r for r, on in zip(rects, self.input_active) if not on]
                painter.setPen(_FADED_BORDER)
                painter.drawRects(faded)
            else:
                active = rects
            painter.setPen(_BORDER)
            painter.drawRects(active)
        colours = self.bias_colours.get(column)
        if colours is not None and s >= MIN_BIAS_NODE:
            painter.setPen(_BIAS_BORDER)
            for rect, colour in zip(self.bias_rects[column], colours):
                painter.setBrush(colour)
                painter.drawRect(rect)
            painter.setBrush(Qt.NoBrush)

    def _paint_hover(self, painter):
        hover = self.hover
        if hover is not None and hover[0] in ("neuron", "bias", "input"):
            column, unit = (0, hover[1]) if hover[0] == "input" else hover[1:]
            painter.setPen(_HOVER_BORDER)
            painter.setBrush(Qt.NoBrush)
            painter.drawRect(self.rects[column][unit])
            if hover[0] == "bias":
                painter.drawRect(self.bias_rects[column][unit])

    def _scaled_inputs(self, s) -> list:
        """The input pictures at node size, the unused ones faded: drawn unscaled, an image is
        a plain copy, and these never change, so they are scaled once."""
        size = max(int(round(s)), 1)
        key = (size, id(self.pictures[0]), tuple(self.input_active))
        if self.scaled_inputs is None or self.scaled_inputs[0] != key:
            images = []
            for image, on in zip(self.pictures[0], self.input_active or
                                 [True] * len(self.pictures[0])):
                image = image.scaled(size, size, Qt.IgnoreAspectRatio, Qt.SmoothTransformation)
                if not on:
                    faded = QImage(image.size(), QImage.Format_ARGB32_Premultiplied)
                    faded.fill(Qt.white)
                    p = QPainter(faded)
                    p.setOpacity(0.3)
                    p.drawImage(0, 0, image)
                    p.end()
                    image = faded
                images.append(image)
            self.scaled_inputs = (key, images)
        return self.scaled_inputs[1]

    def _paint_labels(self, painter):
        painter.setPen(QColor("#444444"))
        painter.setFont(self._small_font())
        metrics = painter.fontMetrics()
        for column, title in enumerate(self.titles):
            x = self.centres[column][0, 0] if len(self.centres[column]) else 0
            width = 120
            painter.drawText(QRectF(x - width / 2, 4, width, 18), Qt.AlignCenter, title)
        s = self.sizes[0]
        if self.input_labels:
            for unit, label in enumerate(self.input_labels):
                x, y = self.centres[0][unit]
                painter.setOpacity(1.0 if self.input_active[unit] else 0.45)
                painter.drawText(QRectF(0, y - 9, x - s / 2 - 4, 18),
                                 Qt.AlignRight | Qt.AlignVCenter, label)
            painter.setOpacity(1.0)
        s = self.sizes[-1]
        if s >= 7:
            for unit, label in enumerate(self.output_labels):
                x, y = self.centres[-1][unit]
                painter.drawText(QRectF(x + s / 2 + 4, y - 9,
                                        metrics.horizontalAdvance(label) + 4, 18),
                                 Qt.AlignLeft | Qt.AlignVCenter, label)

    # ------------------------------------------------------------------ picking
    def hit(self, pos):
        """What is at widget position ``pos`` (see the class docstring), or None."""
        if not self.centres:
            return None
        x, y = pos.x(), pos.y()
        # Biases first: they sit on the nodes' corners.
        for column in range(1, len(self.centres)):
            s = self.sizes[column]
            if s >= MIN_BIAS_NODE:
                reach = max(self.bias_size(column) / 2 + 2, 5.0)
                c = self.centres[column]
                bx, by = c[:, 0] - s / 2, c[:, 1] + s / 2
                d = np.hypot(bx - x, by - y)
                u = int(np.argmin(d))
                if d[u] <= reach:
                    return ("bias", column, u)
        for column, c in enumerate(self.centres):
            s = self.sizes[column]
            inside = (np.abs(c[:, 0] - x) <= s / 2 + 1) & (np.abs(c[:, 1] - y) <= s / 2 + 1)
            hits = np.flatnonzero(inside)
            if len(hits):
                u = int(hits[0])
                if column == 0:
                    return ("input", u) if self.input_labels else None
                return ("neuron", column, u)
        k = self._nearest_link(x, y)
        return ("link", k) if k is not None else None

    def _nearest_link(self, x, y):
        if not len(self.drawn):
            return None
        seg = self.endpoints[self.drawn]
        p0, p1 = seg[:, :2], seg[:, 2:]
        d = p1 - p0
        length2 = np.maximum((d * d).sum(axis=1), 1e-9)
        t = np.clip(((x - p0[:, 0]) * d[:, 0] + (y - p0[:, 1]) * d[:, 1]) / length2, 0, 1)
        near = p0 + t[:, None] * d
        dist = np.hypot(near[:, 0] - x, near[:, 1] - y)
        k = int(np.argmin(dist))
        return int(self.drawn[k]) if dist[k] <= PICK_PX else None

    # ------------------------------------------------------------------ events
    def mouseMoveEvent(self, event):
        hit = self.hit(event.position())
        if hit != self.hover:
            self.hover = hit
            self.setCursor(Qt.PointingHandCursor if hit is not None and hit[0] in (
                "link", "bias", "input") else Qt.ArrowCursor)
            self.update()
            self.hover_changed.emit(hit)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event):
        if self.hover is not None:
            self.hover = None
            self.update()
            self.hover_changed.emit(None)
        super().leaveEvent(event)

    def mousePressEvent(self, event):
        if event.button() == Qt.LeftButton:
            hit = self.hit(event.position())
            if hit is not None:
                self.clicked.emit(hit)
                event.accept()
                return
        super().mousePressEvent(event)

    def event(self, event):
        if event.type() == QEvent.ToolTip:
            text = self._diagram.describe(self.hit(QPointF(event.pos())), rich=True)
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def sizeHint(self):
        return QSize(520, 380)


class NetworkDiagram(QWidget):
    """The network diagram view (see the module docstring). Feed it snapshots.

    Signals
    -------
    weight_clicked(int)
        A link or a bias was clicked: its flat index into the parameters.
    features_changed(object)
        The learner chose other input features: a tuple of names from
        :data:`core.features.FEATURES`, or None for the raw inputs.
    neuron_hovered(object)
        A :class:`~gui.plots.boundary_plot.NeuronPicture` of the neuron under the pointer
        (again after each redraw while it stays there), or None when the pointer leaves it.
    """

    weight_clicked = Signal(int)
    features_changed = Signal(object)
    neuron_hovered = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = None         # newest snapshot received
        self._shown = None        # snapshot drawn
        self._arch_key = None
        self._links = None
        self._bias_starts = []
        self._candidates = []     # input nodes: feature names (or None for raw columns > 2)
        self._active = []         # network input rows, by feature name
        self._requested = None    # features asked for and not yet trained with
        self._requested_run = None
        self._levels = {}
        self._last_refresh = -1.0
        self._interval = MIN_INTERVAL
        self._feature_key = None
        self._feature_values = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._refresh)

        self.feature_bar = QWidget()
        self._feature_row = QHBoxLayout(self.feature_bar)
        self._feature_row.setContentsMargins(4, 2, 4, 2)
        self._feature_row.setSpacing(3)
        self.features_title = QLabel("Inputs:")
        self.features_title.setToolTip(
            "Which features of the data the network gets as inputs. Extra features such as "
            "x₁² and x₂² let even a network\nwithout hidden layers draw curved boundaries (a "
            "circle is linear in x₁² and x₂²). Changing them rebuilds the network.")
        self._feature_row.addWidget(self.features_title)
        self._feature_buttons = {}
        self._feature_row.addStretch(1)
        self.canvas = _Canvas(self)
        self.readout = QLabel()
        self.readout.setStyleSheet("color: #444;")
        self.readout.setWordWrap(False)
        self.readout.setMinimumWidth(50)
        self.readout.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.readout.setToolTip("The value and the cost's gradient of what the pointer is on.")
        self._idle_text = ("Hover: value and gradient · click a link or a bias (small "
                           "square): an error-surface axis")
        self.readout.setText(self._idle_text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.feature_bar)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.readout)
        self.canvas.hover_changed.connect(self._on_canvas_hover_changed)
        self.canvas.clicked.connect(self._on_canvas_clicked)

    # ------------------------------------------------------------------ public
    @property
    def links(self) -> Links | None:
        """The links drawn for the current network (all of them, in ``params`` order)."""
        return self._links

    def link_weights(self) -> np.ndarray:
        """The weight of every link, as the diagram shows it now."""
        return np.asarray(self._shown.params)[self._links.index]

    def link_position(self, k) -> QPointF:
        """Where link ``k``'s midpoint is, in the canvas's coordinates."""
        return self.canvas.link_midpoint(k)

    def bias_position(self, column, unit) -> QPointF:
        return self.canvas.bias_centre(column, unit)

    def neuron_position(self, column, unit) -> QPointF:
        return self.canvas.node_rect(column, unit).center()

    def input_position(self, node) -> QPointF:
        return self.canvas.node_rect(0, node).center()

    def bias_index(self, column, unit) -> int:
        """Flat parameter index of the bias of neuron ``unit`` in ``column`` (1 = first hidden)."""
        return self._bias_starts[column - 1] + unit

    def bias_spot(self, index):
        """``(column, unit)`` of the bias with flat index ``index``, or None."""
        for column, start in enumerate(self._bias_starts, start=1):
            n = self._snap.layer_sizes[column]
            if start <= index < start + n:
                return column, index - start
        return None

    def parameter_label(self, index) -> str:
        """``W1[2→0]`` or ``b0[3]`` (as :func:`core.landscape.param_label` names them) for a
        link's or a bias's flat index; ``#index`` for anything else."""
        k = self.canvas._link_of(index)
        if k is not None:
            links = self._links
            return f"W{links.layer[k]}[{links.source[k]}→{links.target[k]}]"
        spot = self.bias_spot(index)
        if spot is not None:
            return f"b{spot[0] - 1}[{spot[1]}]"
        return f"#{index}"

    def input_features(self) -> list:
        """The input nodes' feature names, in the diagram's order (empty for > 2 raw inputs)."""
        return list(self._candidates) if self._candidates and self._candidates[0] else []

    def set_axis_marks(self, indices):
        """Mark parameters ``indices`` (flat; the error surface's axes) with ①, ②."""
        self.canvas.marks = {int(i): str(n + 1) for n, i in enumerate(indices or ())
                             if i is not None}
        self.canvas.update()

    @Slot(object)
    def show_snapshot(self, snap):
        """Take the newest snapshot; redraw now or soon (at most every ``self._interval``)."""
        self._snap = snap
        if self._requested is not None and snap.run != self._requested_run:
            self._requested = None  # the new inputs took effect (or something newer did)
        key = self._architecture_key(snap)
        if key != self._arch_key:
            self._arch_key = key
            self._set_architecture(snap)
            self._refresh()
            return
        if not self.isVisible():
            return  # drawn when shown again (showEvent)
        wait = self._last_refresh + self._interval - time.perf_counter()
        if wait <= 0 or not snap.running:
            self._refresh()
        elif not self._timer.isActive():
            # Redraw with a later snapshot, in the same window repaint as the other views (a
            # repaint of its own costs more than drawing the diagram); the timer only makes
            # sure the newest state is drawn if no further snapshot comes.
            self._timer.start(int((wait + FALLBACK_DELAY) * 1000))

    def showEvent(self, event):
        super().showEvent(event)
        if self._snap is not None and self._snap is not self._shown:
            QTimer.singleShot(0, self._refresh)

    def describe(self, hit, rich=False) -> str:
        """A sentence about ``hit`` (what the canvas reports under the pointer)."""
        snap = self._shown
        if hit is None or snap is None:
            return ""
        params, grad = snap.params, snap.gradient
        sizes = snap.layer_sizes
        kind = hit[0]
        if kind == "link":
            k = hit[1]
            links = self._links
            i, column = int(links.index[k]), int(links.layer[k])
            source, target = int(links.source[k]), int(links.target[k])
            g = "" if grad is None else f", ∂C/∂w = {_fmt(float(grad[i]))}"
            head = f"W{column}[{source}→{target}] = {_fmt(float(params[i]))}{g}"
            where = (f"from {self._node_name(column, source)} to "
                     f"{self._node_name(column + 1, target)}")
            tail = "click: put it on an axis of the error surface"
            return _lines(f"<b>{head}</b>", where, f"<i>{tail}</i>") if rich else \
                f"{head}   ({where})"
        if kind in ("bias", "neuron"):
            column, unit = hit[1], hit[2]
            i = self.bias_index(column, unit)
            g = "" if grad is None else f", ∂C/∂b = {_fmt(float(grad[i]))}"
            name = f"{layer_title(sizes, column)}, neuron {unit}"
            head = f"{name}: bias b{column - 1}[{unit}] = {_fmt(float(params[i]))}{g}"
            extra = ""
            values = self._neuron_values(column, unit)
            if values is not None:
                extra = (f"output from {_fmt(float(values.min()))} to "
                         f"{_fmt(float(values.max()))} over the plot")
            tail = ("click: put the bias on an axis of the error surface" if kind == "bias"
                    else "its output is shown large in the boundary plot" if values is not None
                    else "")
            if rich:
                bias = f"bias b{column - 1}[{unit}] = {_fmt(float(params[i]))}{g}"
                return _lines(f"<b>{name}</b>", bias, extra, f"<i>{tail}</i>" if tail else "")
            return f"{head}" + (f"   ({extra})" if extra else "")
        if kind == "input":
            name = self._candidates[hit[1]]
            if name is None:
                return f"input x{_subscript(hit[1] + 1)}"
            on = name in self._active
            label = features.label(name)
            if not self._features_editable():
                return f"input {label}"
            action = "click: take it away" if on else "click: give it to the network"
            state = "an input of the network" if on else "not an input now"
            return (_lines(f"<b>{label}</b>: {state}", f"<i>{action} (rebuilds the network)</i>")
                    if rich else f"{label}: {state}; {action} (rebuilds the network)")
        return ""

    # ------------------------------------------------------------------ set-up per network
    @staticmethod
    def _architecture_key(snap):
        cfg = snap.config
        return (snap.run, tuple(snap.layer_sizes), cfg.features, cfg.activation,
                cfg.output_activation, snap.data.n_features, snap.data.task)

    def _set_architecture(self, snap):
        sizes = snap.layer_sizes
        n_raw = snap.data.n_features
        if n_raw <= 2:
            self._candidates = features.names(n_raw)
            self._active = list(snap.config.features or features.names(n_raw)[:n_raw])
            rows = [self._candidates.index(name) for name in self._active]
            labels = [features.label(name) for name in self._candidates]
            active = [name in self._active for name in self._candidates]
        else:
            self._candidates = [None] * n_raw
            self._active = []
            rows = list(range(n_raw))
            labels, active = [f"x{_subscript(i + 1)}" for i in range(n_raw)], [True] * n_raw
        w_starts, self._bias_starts = _block_starts(snap)
        self._links = Links.of(sizes, w_starts)
        n_out = sizes[-1]
        if snap.data.task == "multiclass":
            outputs = [f"p(class {k})" for k in range(n_out)]
        else:
            outputs = ["ŷ"]
        columns = [len(self._candidates)] + list(sizes[1:])
        titles = ["inputs"] + [("hidden " + str(c)) if c < len(sizes) - 1 else "output"
                               for c in range(1, len(sizes))]
        self.canvas.set_architecture(columns, titles, labels, active, rows, outputs,
                                     self._links)
        self._update_feature_buttons(snap)
        self._feature_key = None
        self._shown = None
        self.neuron_hovered.emit(None)
        self.readout.setText(self._idle_text)

    def _features_editable(self) -> bool:
        snap = self._snap
        return snap is not None and snap.data.n_features <= 2

    def _update_feature_buttons(self, snap):
        editable = self._features_editable()
        names = self._candidates if editable else []
        if list(self._feature_buttons) != names:
            for button in self._feature_buttons.values():
                self._feature_row.removeWidget(button)
                button.deleteLater()
            self._feature_buttons = {}
            for k, name in enumerate(names):
                button = QToolButton()
                button.setText(features.label(name))
                button.setCheckable(True)
                button.setAutoRaise(False)
                button.setStyleSheet(_FEATURE_BUTTON_STYLE)
                button.setToolTip(self._feature_tip(name))
                button.clicked.connect(lambda checked=False, n=name: self._toggle_feature(n))
                self._feature_row.insertWidget(1 + k, button)
                self._feature_buttons[name] = button
        chosen = self._requested if self._requested is not None else self._active
        for name, button in self._feature_buttons.items():
            button.blockSignals(True)
            button.setChecked(name in chosen)
            button.blockSignals(False)
        self.features_title.setVisible(editable)
        self.feature_bar.setVisible(editable)

    @staticmethod
    def _feature_tip(name) -> str:
        label = features.label(name)
        why = {
            "x1": "the first coordinate itself",
            "x2": "the second coordinate itself",
            "x1^2": "with x₂², a circle's boundary is a straight line in these features",
            "x2^2": "with x₁², a circle's boundary is a straight line in these features",
            "x1*x2": "XOR's classes are just its sign",
            "sin_x1": "waves along x₁",
            "sin_x2": "waves along x₂",
        }[name]
        return (f"Give the network {label} as an input ({why}). Checked: it is an input. "
                f"Changing the inputs rebuilds the network with fresh weights.")

    def _toggle_feature(self, name):
        if not self._features_editable():
            return
        # Toggles made before the network is rebuilt build on each other.
        current = self._requested if self._requested is not None else self._active
        chosen = [n for n in self._candidates if (n in current) != (n == name)]
        if not chosen:
            self._update_feature_buttons(self._snap)  # undo the button's own toggle
            self.readout.setText("The network needs at least one input.")
            return
        self._requested, self._requested_run = chosen, self._snap.run
        self._update_feature_buttons(self._snap)
        raw = features.names(self._snap.data.n_features)[:self._snap.data.n_features]
        self.features_changed.emit(None if chosen == raw else tuple(chosen))

    # ------------------------------------------------------------------ per snapshot
    def _refresh(self):
        self._timer.stop()
        snap = self._snap
        if snap is None:
            return
        start = time.perf_counter()
        self._shown = snap
        self._restyle_links(snap)
        self._recolour_nodes(snap)
        hover = self.canvas.hover
        if hover is not None:
            self.readout.setText(self.describe(hover))
            if hover[0] == "neuron":
                self.neuron_hovered.emit(self._neuron_picture(hover[1], hover[2]))
        self.canvas.update()
        took = time.perf_counter() - start + self.canvas.paint_time
        self._interval = float(np.clip(4.0 * took, MIN_INTERVAL, MAX_INTERVAL))
        self._last_refresh = time.perf_counter()

    def restyle_links(self):
        """Recompute the links' pens (after the canvas was laid out anew)."""
        if self._shown is not None:
            self._restyle_links(self._shown)

    def _restyle_links(self, snap):
        links = self._links
        if links is None or not len(links) or len(self.canvas.endpoints) != len(links):
            return
        weights = np.asarray(snap.params)[links.index]
        magnitude = np.abs(np.nan_to_num(weights))
        if len(links) > MAX_LINKS_DRAWN:
            drawn = np.sort(np.argpartition(-magnitude, MAX_LINKS_DRAWN)[:MAX_LINKS_DRAWN])
        else:
            drawn = np.arange(len(links))
        levels = np.minimum(np.round(magnitude[drawn] / FULL_WEIGHT * LINK_LEVELS),
                            LINK_LEVELS).astype(int)
        signs = np.sign(weights[drawn])
        s = self.canvas.node
        busy = len(drawn) > 200
        max_width = float(np.clip(s / 6.0, 1.2, 6.0)) * (0.6 if busy else 1.0)
        min_width = 0.5 if busy else 0.8
        self.canvas.set_link_buckets(drawn, signs, levels, max_width, min_width)

    def _recolour_nodes(self, snap):
        grid, canvas = snap.neuron_grid, self.canvas
        cfg = snap.config
        n_cols = len(snap.layer_sizes)
        names = [cfg.activation] * (n_cols - 2) + [cfg.output_activation]
        canvas.pictures, canvas.curves = {}, {}
        if grid is not None:
            self._input_pictures(grid)
            for column in range(1, n_cols):
                values = grid.layers[column - 1]
                levels = _layer_levels(names[column - 1], values)
                self._levels[column] = levels
                if grid.ys is None:
                    canvas.curves[column] = _curves(values, levels)
                else:
                    canvas.pictures[column] = _pictures(values, levels)
        params = np.asarray(snap.params)
        canvas.bias_colours = {}
        for column in range(1, n_cols):
            start = self._bias_starts[column - 1]
            b = np.nan_to_num(params[start:start + snap.layer_sizes[column]], nan=0.0)
            levels = np.minimum(np.round(np.abs(b) / FULL_WEIGHT * LINK_LEVELS), LINK_LEVELS)
            canvas.bias_colours[column] = [_bias_colour(positive, level) for positive, level in
                                           zip((b > 0).tolist(), levels.astype(int).tolist())]

    def _input_pictures(self, grid):
        """Pictures of the input features (fixed for a domain: made once per grid)."""
        key = (tuple(self._candidates), grid.xs.tobytes(),
               None if grid.ys is None else grid.ys.tobytes())
        if key != self._feature_key:
            self._feature_key = key
            pictures, curves = [], []
            for name in self._candidates:
                values = _feature_values(name, grid.xs, grid.ys)
                m = float(np.max(np.abs(values), initial=0.0)) or 1.0
                if grid.ys is None:
                    curves += _curves(values, (-m, m))
                else:
                    pictures += _pictures(values, (-m, m))
            self._feature_values = {"pictures": pictures, "curves": curves}
        if grid.ys is None:
            self.canvas.curves[0] = self._feature_values["curves"]
        else:
            self.canvas.pictures[0] = self._feature_values["pictures"]

    def _neuron_values(self, column, unit):
        grid = self._shown.neuron_grid if self._shown is not None else None
        if grid is None or column < 1 or column - 1 >= len(grid.layers):
            return None
        return grid.layers[column - 1][..., unit]

    def _neuron_picture(self, column, unit):
        values = self._neuron_values(column, unit)
        if values is None:
            return None
        grid = self._shown.neuron_grid
        levels = self._levels.get(column, (-1.0, 1.0))
        label = f"{layer_title(self._shown.layer_sizes, column)}, neuron {unit}"
        return NeuronPicture(label, grid.xs, grid.ys, np.asarray(values, dtype=float), levels)

    def _input_picture(self, node):
        """The input feature of input node ``node`` over the plot (what that input "sees")."""
        grid = self._shown.neuron_grid if self._shown is not None else None
        name = self._candidates[node] if self._candidates else None
        if grid is None or name is None:
            return None
        values = _feature_values(name, grid.xs, grid.ys)[..., 0]
        m = float(np.max(np.abs(values), initial=0.0)) or 1.0
        return NeuronPicture(f"input {features.label(name)}", grid.xs, grid.ys, values, (-m, m))

    def _node_name(self, column, unit) -> str:
        if column == 0:
            if self._candidates and self._candidates[0] is not None:
                return f"input {features.label(self._active[unit])}"
            return f"input x{_subscript(unit + 1)}"
        return f"{layer_title(self._snap.layer_sizes, column)} neuron {unit}"

    # ------------------------------------------------------------------ slots
    @Slot(object)
    def _on_canvas_hover_changed(self, hit):
        self.readout.setText(self.describe(hit) or self._idle_text)
        if hit is not None and hit[0] == "neuron":
            self.neuron_hovered.emit(self._neuron_picture(hit[1], hit[2]))
        elif hit is not None and hit[0] == "input":
            self.neuron_hovered.emit(self._input_picture(hit[1]))
        else:
            self.neuron_hovered.emit(None)

    @Slot(object)
    def _on_canvas_clicked(self, hit):
        kind = hit[0]
        if kind == "link":
            self.weight_clicked.emit(int(self._links.index[hit[1]]))
        elif kind == "bias":
            self.weight_clicked.emit(self.bias_index(hit[1], hit[2]))
        elif kind == "input" and self._candidates[hit[1]] is not None:
            self._toggle_feature(self._candidates[hit[1]])
