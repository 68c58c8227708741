"""What the network diagram shows, without Qt: which nodes and links, where, in which colours,
what is under the pointer and what to say about it.

- :class:`Architecture`: the columns of one network (input nodes, neurons, links) and where
  each link and bias lives in ``params``, from the snapshot's :class:`~core.params.ParamLayout`;
- :class:`Geometry`: node and bias positions for a widget size, and hit testing;
- :func:`link_style`, :func:`link_groups`, :func:`bias_levels`: links and biases in a few
  strengths per sign (one pen each);
- :func:`layer_levels`, :func:`picture_indices`, :func:`curve_points`: the neurons' pictures;
- :func:`describe`: the hover text.

A *hit* (what is at a point) is ``("link", k)``, ``("bias", column, unit)``,
``("neuron", column, unit)``, ``("input", node)`` or None. Column 0 holds the input nodes,
column ``c ≥ 1`` the neurons layer ``c − 1`` of weights feeds.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from core import activations, features
from gui import style
from gui.numbers import format_number

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
#: Links are drawn in this many strengths per sign (one pen each).
LINK_LEVELS = 12
#: |w| at which a link reaches its full width and colour.
FULL_WEIGHT = 2.0
#: How close (pixels) the pointer must be to a link to pick it.
PICK_PX = 4.0
#: Room around the columns (pixels); the right margin grows with the output labels.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 58, 64, 30, 12
#: What a weak link or bias fades to.
LINK_GREY = np.array([226.0, 226, 226])

IDLE_TEXT = ("Hover: value and gradient · click a link or a bias (small square): an "
             "error-surface axis")

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_FEATURE_WHY = {
    "x1": "the first coordinate itself",
    "x2": "the second coordinate itself",
    "x1^2": "with x₂², a circle's boundary is a straight line in these features",
    "x2^2": "with x₁², a circle's boundary is a straight line in these features",
    "x1*x2": "XOR's classes are just its sign",
    "sin_x1": "waves along x₁",
    "sin_x2": "waves along x₂",
}


def subscript(n) -> str:
    """``12`` -> ``"₁₂"``: input names read as in the formulas (x₁, x₂, …)."""
    return str(n).translate(_SUBSCRIPTS)


@dataclasses.dataclass(frozen=True, eq=False)
class Links:
    """Every weight of the network, in the order of ``params`` (``W1`` row by row, ``W2``...).

    ``index[k]`` is link k's flat index into the parameters; it goes from neuron
    ``source[k]`` of column ``layer[k]`` to neuron ``target[k]`` of column ``layer[k] + 1``
    (column 0 = the network's inputs, in the order the network sees them).
    """

    index: np.ndarray
    layer: np.ndarray
    source: np.ndarray
    target: np.ndarray

    @classmethod
    def of(cls, layout) -> "Links":
        """The links of a network laid out as ``layout`` (a :class:`core.params.ParamLayout`)."""
        parts = []
        for layer in range(layout.n_layers):
            block = layout.block("W", layer)
            index = np.arange(block.start, block.stop)
            source, target = np.unravel_index(index - block.start, block.shape)
            parts.append((index, np.full(block.size, layer), source, target))
        return cls(*(np.concatenate([p[k] for p in parts]).astype(np.int64) for k in range(4)))

    def __len__(self):
        return len(self.index)

    def link_of(self, index):
        """The link whose weight is flat ``index``, or None (a bias, a slope...)."""
        if not len(self) or not self.index[0] <= index <= self.index[-1]:
            return None
        k = int(np.searchsorted(self.index, index))
        return k if k < len(self) and self.index[k] == index else None


@dataclasses.dataclass(frozen=True, eq=False)
class Architecture:
    """The diagram of one network: its columns, their labels, the links.

    For data with one or two raw inputs, the input nodes are every feature the network could
    be given (``candidates``, :func:`core.features.names`); ``active`` are the ones it is
    given, in the order it sees them. For more raw inputs each raw input is a node
    (``candidates`` all None) and there is nothing to choose.
    """

    layout: object
    activations: tuple         # activation name per column ≥ 1 (index column − 1)
    candidates: tuple          # input nodes: feature names, or None per raw input
    active: tuple              # the network's inputs, by feature name
    input_rows: np.ndarray     # network input row -> input node
    columns: tuple             # node counts per column (column 0: input nodes shown)
    titles: tuple
    input_labels: tuple
    input_active: tuple
    output_labels: tuple
    links: Links

    @staticmethod
    def key(snap):
        """What the diagram's architecture depends on: a new one when this changes."""
        cfg = snap.config
        return (snap.run, tuple(snap.layer_sizes), cfg.features, cfg.activation,
                cfg.output_activation, snap.data.n_features, snap.data.task)

    @classmethod
    def of(cls, snap) -> "Architecture":
        sizes, n_raw = snap.layer_sizes, snap.data.n_features
        if n_raw <= 2:
            candidates = tuple(features.names(n_raw))
            active = tuple(snap.config.features or features.names(n_raw)[:n_raw])
            rows = [candidates.index(name) for name in active]
            labels = tuple(features.label(name) for name in candidates)
            input_active = tuple(name in active for name in candidates)
        else:
            candidates, active, rows = (None,) * n_raw, (), list(range(n_raw))
            labels = tuple(f"x{subscript(i + 1)}" for i in range(n_raw))
            input_active = (True,) * n_raw
        if snap.data.task == "multiclass":
            outputs = tuple(f"p(class {k})" for k in range(sizes[-1]))
        else:
            outputs = ("ŷ",)
        titles = ("inputs",) + tuple(f"hidden {c}" if c < len(sizes) - 1 else "output"
                                     for c in range(1, len(sizes)))
        arrays = snap.arrays
        names = (arrays.activation,) * (len(sizes) - 2) + (arrays.output_activation,)
        layout = snap.layout
        return cls(layout, names, candidates, active, np.asarray(rows, dtype=int),
                   (len(candidates),) + tuple(sizes[1:]), titles, labels, input_active,
                   outputs, Links.of(layout))

    @property
    def features_editable(self) -> bool:
        """The learner can choose the input features (data with one or two raw inputs)."""
        return bool(self.candidates) and self.candidates[0] is not None

    def bias_index(self, column, unit) -> int:
        """Flat parameter index of the bias of neuron ``unit`` in ``column`` (1 = first hidden)."""
        return self.layout.bias_index(column - 1, unit)

    def bias_spot(self, index):
        """``(column, unit)`` of the bias with flat ``index``, or None."""
        if not 0 <= index < self.layout.n_params:
            return None
        kind, layer, unit, _ = self.layout.location(index)
        return (layer + 1, unit) if kind == "b" else None

    def node_name(self, column, unit) -> str:
        """``input x₁²``, ``hidden layer 1 neuron 2``, ``the output neuron``..."""
        if column == 0:
            if self.features_editable:
                return f"input {features.label(self.active[unit])}"
            return f"input x{subscript(unit + 1)}"
        return self.layout.neuron_name(column, unit)

    def neuron_title(self, column, unit) -> str:
        """``hidden layer 1, neuron 3``: a neuron's picture's caption (``unit`` counted from 0,
        shown from 1 as :meth:`core.params.ParamLayout.neuron_name` does)."""
        return f"{self.layout.layer_name(column)}, neuron {unit + 1}"


def labels_that_fit(ys, first, line) -> list:
    """The indices of the labels at heights ``ys`` to write, no two closer than ``line`` pixels:
    those ``first`` marks (the inputs the network uses) first, then the others where there is
    room. (In a short diagram seven feature names, written all, were one grey smudge.)"""
    order = sorted(range(len(ys)), key=lambda i: not first[i])
    kept = []
    for i in order:
        if all(abs(ys[i] - ys[k]) >= line for k in kept):
            kept.append(i)
    return sorted(kept)


@dataclasses.dataclass(frozen=True, eq=False)
class Geometry:
    """Where every node, bias and link is for a widget size (pixels, y down).

    ``sizes[c]`` is the node size of column ``c`` (a short column gets big nodes), ``node`` the
    smallest; ``centres[c]`` the ``(n, 2)`` node centres; ``endpoints`` ``(links, 4)`` each
    link's ``x0, y0, x1, y1`` (from the right edge of its source to the left edge of its target).
    """

    sizes: tuple
    node: float
    centres: tuple
    endpoints: np.ndarray
    input_nodes: bool          # column 0 is input nodes to hover and click

    @classmethod
    def of(cls, arch, width, height, label_width) -> "Geometry":
        """Lay ``arch`` out in ``width`` × ``height``, leaving ``label_width`` pixels on the right
        for the widest output label."""
        columns, n_cols = arch.columns, len(arch.columns)
        margin_right = max(MARGIN_RIGHT, label_width + 0.5 * MAX_NODE + 12)
        left, right = MARGIN_LEFT, max(width - margin_right, MARGIN_LEFT + 10)
        top, bottom = MARGIN_TOP, max(height - MARGIN_BOTTOM, MARGIN_TOP + 10)
        xs = np.linspace(left, right, n_cols) if n_cols > 1 else np.array([0.5 * (left + right)])
        gap = (right - left) / max(n_cols - 1, 1)
        room = bottom - top
        sizes = tuple(float(max(min(MAX_NODE, 0.42 * gap, room / (1.3 * max(n, 1))), 2.0))
                      for n in columns)
        labelled = bool(arch.input_labels)
        centres = []
        for column, (x, n) in enumerate(zip(xs, columns)):
            # The input nodes keep room for their labels, however small the nodes get.
            least = 18.0 if column == 0 and labelled else 0.0
            step = min(room / max(n, 1), max(1.6 * sizes[column], least))
            y0 = top + 0.5 * (room - step * (n - 1)) if n > 1 else top + 0.5 * room
            centres.append(np.column_stack([np.full(n, x), y0 + step * np.arange(n)]))
        return cls(sizes, min(sizes), tuple(centres),
                   cls._endpoints(arch, centres, sizes), labelled)

    @staticmethod
    def _endpoints(arch, centres, sizes) -> np.ndarray:
        links = arch.links
        if not len(links):
            return np.zeros((0, 4))
        rows = arch.input_rows
        src_nodes = np.where(links.layer == 0, rows[np.minimum(links.source, len(rows) - 1)],
                             links.source)
        starts, ends = np.empty((len(links), 2)), np.empty((len(links), 2))
        for column in range(len(centres) - 1):
            sel = links.layer == column
            starts[sel] = centres[column][src_nodes[sel]]
            ends[sel] = centres[column + 1][links.target[sel]]
        half = 0.5 * np.asarray(sizes)
        starts[:, 0] += half[links.layer]
        ends[:, 0] -= half[links.layer + 1]
        return np.column_stack([starts, ends])

    def bias_size(self, column) -> float:
        return max(4.0, 0.22 * self.sizes[column])

    def node_box(self, column, unit):
        """``(left, top, size)`` of a node."""
        x, y = self.centres[column][unit]
        s = self.sizes[column]
        return x - s / 2, y - s / 2, s

    def bias_centre(self, column, unit):
        """A bias sits on its neuron's lower left corner: ``(x, y)``."""
        x, y = self.centres[column][unit]
        s = self.sizes[column]
        return x - s / 2, y + s / 2

    def link_midpoint(self, k):
        x0, y0, x1, y1 = self.endpoints[k]
        return 0.5 * (x0 + x1), 0.5 * (y0 + y1)

    def hit(self, x, y, drawn):
        """What is at ``(x, y)``: a bias, a node or one of the ``drawn`` links (see the module
        docstring), or None."""
        # Biases first: they sit on the nodes' corners.
        for column in range(1, len(self.centres)):
            s = self.sizes[column]
            if s >= MIN_BIAS_NODE:
                reach = max(self.bias_size(column) / 2 + 2, 5.0)
                c = self.centres[column]
                d = np.hypot(c[:, 0] - s / 2 - x, c[:, 1] + s / 2 - y)
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
                    return ("input", u) if self.input_nodes else None
                return ("neuron", column, u)
        k = self.nearest_link(x, y, drawn)
        return ("link", k) if k is not None else None

    def nearest_link(self, x, y, drawn):
        """The link among ``drawn`` within ``PICK_PX`` of ``(x, y)`` nearest to it, or None."""
        if not len(drawn):
            return None
        seg = self.endpoints[drawn]
        p0, d = seg[:, :2], seg[:, 2:] - seg[:, :2]
        length2 = np.maximum((d * d).sum(axis=1), 1e-9)
        t = np.clip(((x - p0[:, 0]) * d[:, 0] + (y - p0[:, 1]) * d[:, 1]) / length2, 0, 1)
        near = p0 + t[:, None] * d
        dist = np.hypot(near[:, 0] - x, near[:, 1] - y)
        k = int(np.argmin(dist))
        return int(drawn[k]) if dist[k] <= PICK_PX else None


# ---------------------------------------------------------------------------- colours
@dataclasses.dataclass(frozen=True, eq=False)
class LinkStyle:
    """Which links are drawn (indices into the links) and each one's sign and strength level
    (``0..LINK_LEVELS``), and the widths of the weakest and strongest."""

    drawn: np.ndarray
    signs: np.ndarray
    levels: np.ndarray
    max_width: float
    min_width: float

    def key(self):
        """Equal for two styles that draw the same."""
        return (self.drawn.tobytes(), self.signs.tobytes(), self.levels.tobytes(),
                self.max_width, self.min_width)


def link_style(weights, node) -> LinkStyle:
    """The style of links of these ``weights`` (in link order) for nodes ``node`` pixels wide:
    a big network draws only its ``MAX_LINKS_DRAWN`` strongest, and thinner."""
    magnitude = np.abs(np.nan_to_num(weights))
    if len(weights) > MAX_LINKS_DRAWN:
        drawn = np.sort(np.argpartition(-magnitude, MAX_LINKS_DRAWN)[:MAX_LINKS_DRAWN])
    else:
        drawn = np.arange(len(weights))
    levels = np.minimum(np.round(magnitude[drawn] / FULL_WEIGHT * LINK_LEVELS),
                        LINK_LEVELS).astype(int)
    busy = len(drawn) > 200
    max_width = float(np.clip(node / 6.0, 1.2, 6.0)) * (0.6 if busy else 1.0)
    return LinkStyle(drawn, np.sign(weights[drawn]), levels, max_width, 0.5 if busy else 0.8)


def link_groups(style_) -> list:
    """The drawn links grouped by sign and level, one pen each: ``[(rgb, width, members)]``
    (``members`` indices into the links), weaker groups first so strong links lie on top."""
    key = style_.levels * 2 + (style_.signs > 0)
    order = np.argsort(key, kind="stable")
    bounds = np.flatnonzero(np.diff(key[order])) + 1
    groups = []
    for group in np.split(order, bounds):
        if not len(group):
            continue
        level, positive = divmod(int(key[group[0]]), 2)
        share = level / LINK_LEVELS
        colour = style.hex_to_rgb(style.CLASS_1 if positive else style.CLASS_0)
        rgb = LINK_GREY + (colour - LINK_GREY) * min(1.0, 0.25 + 0.75 * share)
        width = style_.min_width + (style_.max_width - style_.min_width) * share
        groups.append((tuple(int(c) for c in rgb), width, style_.drawn[group]))
    return groups


def bias_levels(biases) -> list:
    """``[(positive, level)]`` of one column's biases (level ``0..LINK_LEVELS``, as links)."""
    b = np.nan_to_num(np.asarray(biases, dtype=float), nan=0.0)
    levels = np.minimum(np.round(np.abs(b) / FULL_WEIGHT * LINK_LEVELS), LINK_LEVELS)
    return list(zip((b > 0).tolist(), levels.astype(int).tolist()))


def bias_rgb(positive, level) -> tuple:
    """A bias's fill: its sign's colour, stronger with its size (``level`` of LINK_LEVELS)."""
    base = style.hex_to_rgb(style.CLASS_1 if positive else style.CLASS_0)
    return tuple(int(c) for c in LINK_GREY + (base - LINK_GREY) * (0.2 + 0.8 * level / LINK_LEVELS))


def layer_levels(name, values):
    """Colour levels of one layer's pictures: the activation's range when it is bounded, else
    symmetric around 0 up to the largest |value| in the layer."""
    lo, hi = activations.get(name).output_range
    if math.isfinite(lo) and math.isfinite(hi) and hi > lo:
        return float(lo), float(hi)
    m = float(np.max(np.abs(values), initial=0.0)) if values is not None else 1.0
    m = m if math.isfinite(m) and m > 1e-9 else 1.0
    return -m, m


def symmetric_levels(values):
    """``(−m, m)`` for the largest |value| ``m`` (1 when all are 0): an input feature's levels."""
    m = float(np.max(np.abs(values), initial=0.0)) or 1.0
    return -m, m


def picture_indices(values, levels) -> np.ndarray:
    """``values`` ``(g, g, units)`` -> colour-map indices ``(units, g, g)`` uint8, C-contiguous,
    row 0 at the top (max y, as on the plot): each unit's pixels ready for a lookup table."""
    lo, hi = levels
    with np.errstate(all="ignore"):
        t = (np.asarray(values, dtype=np.float32) - lo) * (255.0 / (hi - lo))
    return np.ascontiguousarray(
        np.clip(np.nan_to_num(t), 0, 255).astype(np.uint8).transpose(2, 0, 1)[:, ::-1])


def curve_points(values, levels):
    """``values`` ``(g, units)`` -> ``xs`` ``(m,)`` and ``ys`` ``(units, m)``, one row per unit,
    in unit coordinates ``[0, 1]²`` (y down), at most ``CURVE_POINTS`` points (plenty for a
    thumbnail)."""
    lo, hi = levels
    values = np.asarray(values, dtype=float)
    step = max(1, -(-values.shape[0] // CURVE_POINTS))
    values = np.concatenate([values[:-1:step], values[-1:]])
    xs = np.linspace(0.0, 1.0, len(values))
    return xs, (1.0 - np.clip((values - lo) / (hi - lo), 0.0, 1.0)).T


def feature_values(name, xs, ys):
    """Input feature ``name`` over the grid (as a NeuronGrid layer, one unit): ``(g, g, 1)``
    for two raw inputs, ``(g, 1)`` for one."""
    if ys is None:
        return features.FEATURES[name][2](xs[:, None])[:, None]
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    return features.FEATURES[name][2](points).reshape(len(ys), len(xs), 1)


def neuron_values(snap, column, unit):
    """Neuron ``unit`` of ``column`` over the snapshot's neuron grid, or None."""
    grid = snap.neuron_grid if snap is not None else None
    if grid is None or column < 1 or column - 1 >= len(grid.layers):
        return None
    return grid.layers[column - 1][..., unit]


# ---------------------------------------------------------------------------- words
def _fmt(value) -> str:
    return format_number(value, 3, true_minus=True)


def _lines(*lines) -> str:
    """Rich text of unbroken lines (a tooltip would otherwise wrap them narrowly)."""
    return "<br>".join(f"<nobr>{line}</nobr>" for line in lines if line)


def describe(hit, snap, arch, rich=False) -> str:
    """A sentence about ``hit`` in snapshot ``snap`` (rich text for a tooltip when ``rich``)."""
    if hit is None or snap is None or arch is None:
        return ""
    params, grad, layout = snap.params, snap.gradient, arch.layout
    kind = hit[0]
    if kind == "link":
        links, k = arch.links, hit[1]
        i, column = int(links.index[k]), int(links.layer[k])
        g = "" if grad is None else f", ∂C/∂w = {_fmt(float(grad[i]))}"
        head = f"{layout.label(i)} = {_fmt(float(params[i]))}{g}"
        where = (f"from {arch.node_name(column, int(links.source[k]))} to "
                 f"{arch.node_name(column + 1, int(links.target[k]))}")
        tail = "click: put it on an axis of the error surface"
        return _lines(f"<b>{head}</b>", where, f"<i>{tail}</i>") if rich else f"{head}   ({where})"
    if kind in ("bias", "neuron"):
        column, unit = hit[1], hit[2]
        i = arch.bias_index(column, unit)
        g = "" if grad is None else f", ∂C/∂b = {_fmt(float(grad[i]))}"
        name = arch.neuron_title(column, unit)
        bias = f"bias {layout.label(i)} = {_fmt(float(params[i]))}{g}"
        values = neuron_values(snap, column, unit)
        extra = "" if values is None else (f"output from {_fmt(float(values.min()))} to "
                                           f"{_fmt(float(values.max()))} over the plot")
        if rich:
            tail = ("click: put the bias on an axis of the error surface" if kind == "bias"
                    else "its output is shown large in the boundary plot" if values is not None
                    else "")
            return _lines(f"<b>{name}</b>", bias, extra, f"<i>{tail}</i>" if tail else "")
        return f"{name}: {bias}" + (f"   ({extra})" if extra else "")
    if kind == "input":
        name = arch.candidates[hit[1]]
        if name is None:
            return f"input x{subscript(hit[1] + 1)}"
        label = features.label(name)
        on = name in arch.active
        action = "click: take it away" if on else "click: give it to the network"
        state = "an input of the network" if on else "not an input now"
        return (_lines(f"<b>{label}</b>: {state}", f"<i>{action} (rebuilds the network)</i>")
                if rich else f"{label}: {state}; {action} (rebuilds the network)")
    return ""


def feature_tip(name) -> str:
    """The tooltip of the button of input feature ``name``."""
    label = features.label(name)
    return (f"Give the network {label} as an input ({_FEATURE_WHY[name]}). Checked: it is an "
            f"input. Changing the inputs rebuilds the network with fresh weights.")
