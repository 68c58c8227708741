"""What the decision-boundary view shows, without Qt: which picture for which data, its colour
levels and view range, point sizes, the words of the legend and of the hover line, and the
data a click draws.

Modes (:func:`mode_for`): ``"binary"`` (a heatmap of the output, white at the threshold),
``"multiclass"`` (class colours blended by probability), ``"regression2d"`` (a heatmap of the
prediction), ``"curve"`` (one input: the fitted function over the points) and ``"none"`` (more
than two inputs: nothing to draw).
"""
from __future__ import annotations


import numpy as np

from core import datasets
from gui import style

#: A Ctrl+click removes the nearest point only when it is at most this far away (pixels).
REMOVE_RADIUS_PX = 30
#: Hovering within this distance of a training point describes it (pixels).
HOVER_POINT_PX = 8
#: Training points sized by their loss grow up to this factor.
LOSS_SIZE_GAIN = 2.0
#: A neuron's picture shown large is upsampled this many times (bilinear) from its coarse grid.
NEURON_UPSAMPLE = 4
#: Modes that draw the input plane (square, x₁ and x₂ on the axes).
PLANE_MODES = ("binary", "multiclass", "regression2d")
#: Modes with a scalar heatmap and a colour bar.
SCALAR_MODES = ("binary", "regression2d")
#: How much each scalar heatmap is faded into the plot background (0: the full colours). A
#: binary output is faint so the class-coloured points stand out on it; a regression surface
#: is strong (at the binary's fading, the six bumps of gauss_regression were pale tints on a
#: white plane of grey points), and its points have dark edges instead.
BACKGROUND_FADE = {"binary": 0.35, "regression2d": 0.08}
#: What the view says for data it cannot draw.
NO_PLOT_MESSAGE = ("The boundary view draws data with one or two inputs;\n"
                   "these data have more. The cost curve, the accuracy and\n"
                   "the network diagram show how the network learns them.")


# ---------------------------------------------------------------------------- drawing data
def plotted(X, y, mode) -> np.ndarray:
    """Plot coordinates of points: the two inputs, or (input, target) for a curve."""
    return np.column_stack([X[:, 0], y[:, 0] if mode == "curve" else X[:, 1]])


def point_to_add(data, mode, target, x, y, value):
    """What a click at plot position ``(x, y)`` adds: ``(inputs, target, words)``, or None when
    ``(x, y)`` is outside the data's domain. ``target`` is the chosen class or "value" (then
    ``value`` is the target; a curve takes it from ``y``)."""
    (x0, x1), *rest = data.domain
    if not (x0 <= x <= x1 and (not rest or rest[0][0] <= y <= rest[0][1])):
        return None
    if mode == "curve":
        return [x], y, f"a point (x = {x:.2f}, y = {y:.2f})"
    if target == "value":
        return [x, y], value, f"a point with y = {value:g} at ({x:.2f}, {y:.2f})"
    return [x, y], target, f"a class {target} point at ({x:.2f}, {y:.2f})"


def draw_choices(task, n_classes, mode) -> list:
    """The draw buttons: ``[(text, colour, tooltip)]``, a class each or one "point"."""
    if task in ("binary", "multiclass"):
        return [(f"class {k}", style.class_colour(k),
                 f"A click adds a training point of class {k}.") for k in range(n_classes)]
    if mode == "curve":
        return [("point", style.POINT, "A click adds a training point (x, y) where you "
                                       "click: x is the input, y the target.")]
    return [("point", style.POINT, "A click adds a training point there with the target y "
                                   "set on the right.")]


# ---------------------------------------------------------------------------- what to show
def mode_for(data, grid) -> str:
    if grid is None:
        return "none"
    if grid.ys is None:
        return "curve"
    return {"binary": "binary", "multiclass": "multiclass"}.get(data.task, "regression2d")


def binary_levels(values, threshold, output_range):
    """Colour levels ``(lo, hi)`` of a binary output and where the threshold lies in them (the
    white of the map): the output's range, or as far as the values go when it is unbounded."""
    lo, hi = output_range
    if not (np.isfinite(lo) and lo < threshold):
        lo = threshold - max(1.0, float(np.max(threshold - values, initial=0.0)))
    if not (np.isfinite(hi) and hi > threshold):
        hi = threshold + max(1.0, float(np.max(values - threshold, initial=0.0)))
    return (float(lo), float(hi)), (threshold - lo) / (hi - lo)


def regression_levels(data):
    """Colour levels of regression targets: symmetric when they straddle 0 (so 0 is white),
    else their range (its middle is white: :func:`regression_middle`)."""
    y = data.y[:, 0]
    lo, hi = float(y.min()), float(y.max())
    if lo < 0 < hi:
        m = max(-lo, hi)
        return -m, m
    return (lo, hi) if hi > lo else (lo - 1, hi + 1)


def regression_middle(data) -> float:
    """The value the regression colour map shows as its neutral middle: 0 when the targets
    straddle it, else the middle of their range."""
    lo, hi = regression_levels(data)
    return 0.0 if lo < 0 < hi else (lo + hi) / 2


def regression_centre(data) -> float:
    """Where :func:`regression_middle` lies in :func:`regression_levels`, as a fraction."""
    lo, hi = regression_levels(data)
    return (regression_middle(data) - lo) / (hi - lo)


def view_range(mode, data, output_range):
    """``(x_range, y_range, padding)`` to show, or None (more than two inputs)."""
    domain = data.domain
    if mode == "curve":
        y = data.y
        lo, hi = float(y.min()), float(y.max())
        out_lo, out_hi = output_range
        if data.task != "regression" and np.isfinite(out_lo) and np.isfinite(out_hi):
            lo, hi = min(lo, out_lo), max(hi, out_hi)
        pad = 0.1 * (hi - lo or 1.0)
        return domain[0], (lo - pad, hi + pad), 0.02
    if len(domain) == 2:
        return domain[0], domain[1], 0.0
    return None


#: Classes below this many are summed one after another, as numpy sums a short axis (a longer
#: one it sums pairwise).
SHORT_SUM = 8


def multiclass_rgb(values, class_colours, background=255.0) -> np.ndarray:
    """``values`` ``(ny, nx, k)`` probabilities -> ``(ny, nx, 3)`` uint8: the class colours
    (``(k, 3)`` RGB) blended by probability, washed towards ``background`` (white, or the dark
    theme's RGB ``(3,)``) where the network is unsure.

    With p = values clipped at 0 and normalized to sum 1 (1/k each where they sum to 0),
    confidence c = (max p − 1/k)·k/(k − 1) and strength s = 0.15 + 0.5·c, a pixel is
    ``background + (p @ class_colours − background)·s``.

    Computed class by class on ``(k, ny·nx)`` planes: every elementwise pass then runs along
    ``ny·nx`` values instead of a last axis of k, about 3× faster (it runs at every frame of a
    multiclass run), and gives the very same bytes: the sum over classes adds them in order,
    as numpy's reduction over a short axis does, and the product with the colours runs on the
    ``(ny·nx, k)`` layout.
    """
    values = np.asarray(values, dtype=float)
    shape, k = values.shape[:-1], values.shape[-1]
    flat = values.reshape(-1, k)
    p = np.maximum(flat.T, 0.0, order="C")  # (k, N), new; np.clip(values, 0, None) is this
    if k < SHORT_SUM:
        total = p[0].copy()
        for row in p[1:]:
            total += row
    else:  # numpy sums longer axes pairwise: take its own sum
        total = np.maximum(flat, 0.0).sum(axis=1)
    positive = total > 0
    p /= np.where(positive, total, 1.0)
    if not positive.all():
        p[:, ~positive] = 1.0 / k
    top = p[0].copy()
    for row in p[1:]:
        np.maximum(top, row, out=top)
    # A 1/k-each guess is nearly the background, so mixtures read as "undecided", not mud.
    confidence = (top - 1.0 / k) * (k / (k - 1.0))
    strength = 0.15 + 0.5 * confidence
    background = np.broadcast_to(np.asarray(background, dtype=float), (3,))[:, None]
    mixed = np.ascontiguousarray((np.ascontiguousarray(p.T) @ class_colours).T)  # (3, N)
    rgb = background + (mixed - background) * strength
    return np.ascontiguousarray(rgb.clip(0, 255).astype(np.uint8).T).reshape(*shape, 3)



def fitted_curve(values, data):
    """The fitted curve's values, clipped so an exploding fit does not push absurd numbers into
    the scene."""
    y = data.y[:, 0]
    span = float(y.max() - y.min()) or 1.0
    return np.clip(values, float(y.min()) - 20 * span, float(y.max()) + 20 * span)


def rect_of(xs, ys):
    """``(x, y, width, height)`` an image of values at grid points ``xs`` × ``ys`` covers (each
    value a pixel centred on its point)."""
    dx = (xs[-1] - xs[0]) / (len(xs) - 1)
    dy = (ys[-1] - ys[0]) / (len(ys) - 1)
    return xs[0] - dx / 2, ys[0] - dy / 2, xs[-1] - xs[0] + dx, ys[-1] - ys[0] + dy


def upsample(values, factor):
    """Bilinear upsampling of ``values`` ``(ny, nx)`` to ``(factor·(ny−1)+1, factor·(nx−1)+1)``,
    so a coarse neuron grid shown large is smooth rather than blocky."""
    ny, nx = values.shape
    fy = np.linspace(0, ny - 1, factor * (ny - 1) + 1)
    fx = np.linspace(0, nx - 1, factor * (nx - 1) + 1)
    rows = np.array([np.interp(fx, np.arange(nx), row) for row in values])
    return np.array([np.interp(fy, np.arange(ny), col) for col in rows.T]).T


# ---------------------------------------------------------------------------- points
def point_size(n) -> int:
    """Size (pixels) of the training points of a set of ``n``: big when they are few."""
    return 14 if n < 50 else 8 if n < 2000 else 5


def ring_size(n) -> int:
    """Test points are hollow rings: a few are drawn larger, to read as rings."""
    return point_size(n) + 4 if n < 50 else point_size(n)


def loss_sizes(losses, base, n) -> np.ndarray:
    """Sizes of ``n`` training points of size ``base`` grown by their ``losses`` (None, a
    stale array of another length or a non-finite one: all ``base``)."""
    sizes = np.full(n, float(base))
    if losses is not None and len(losses) == n and np.isfinite(losses).all():
        # Points fitted better than the median keep their size; the worst-fit one is
        # LOSS_SIZE_GAIN times larger (area grows with the loss). The median in the
        # denominator keeps a network that is equally bad everywhere from inflating all.
        median, top = float(np.median(losses)), float(losses.max())
        share = np.clip((losses - median) / max(top - median, median, 1e-12), 0.0, 1.0)
        sizes *= 1.0 + (LOSS_SIZE_GAIN - 1.0) * np.sqrt(share)
    return sizes


# ---------------------------------------------------------------------------- words
def legend_html(mode, data, threshold) -> str:
    """The legend above the plot: the classes, train and test markers, what the colour is."""
    dot = "<span style='color:{c}; font-size:14pt'>●</span>"
    ring = f"<span style='color:{style.MUTED}; font-size:14pt'>○</span>"
    fill = f"<span style='color:{style.MUTED}; font-size:14pt'>●</span>"
    # Each marker stays with its word when the line wraps.
    keep = "<span style='white-space: nowrap'>{}</span>".format
    if data.task in ("binary", "multiclass"):
        classes = " ".join(keep(f"{dot.format(c=style.class_colour(k))} class {k}")
                           for k in range(data.n_classes))
    else:
        classes = ""
    # Each phrase kept whole when the line wraps: "colour =" alone at a line's end read as
    # a broken sentence.
    middle = "dark grey" if style.current().dark else "white"
    swatch = "<span style='color:{c}; font-size:12pt'>■</span>"
    mid = regression_middle(data) if data.task == "regression" else 0.0
    background = {
        # The map's middle is the background's colour, nearly: white, or dark grey.
        "binary": f"{keep('colour = network output,')} "
                  f"{keep(f'{middle} at the threshold {threshold:g}')}",
        "multiclass": keep("colour = class probabilities blended"),
        "regression2d": f"{keep('colour = value:')} "
                        f"{keep(f'{swatch.format(c=style.CLASS_0)} &lt; {mid:g},')} "
                        f"{keep(f'{middle} = {mid:g},')} "
                        f"{keep(f'{swatch.format(c=style.CLASS_1)} &gt; {mid:g}')} "
                        f"{keep('(points: target, background: prediction)')}",
        "curve": keep(f"<span style='color:{style.FIT}'>━━</span> network output ŷ(x)"),
    }.get(mode, "")
    # Drawn data have no name in the data panel's list: say here what is shown.
    custom = (f"<b>Custom data</b> ({len(data.X_train)} train, {len(data.X_test)} test) "
              f"&nbsp; " if data.name == datasets.CUSTOM else "")
    # The same points train and test (the XOR truth table, a training share of 100 %).
    markers = (f"{fill} train = test" if data.test_is_train else f"{fill} train {ring} test")
    return f"{custom}{classes}&nbsp;&nbsp; {keep(markers)} &nbsp;&nbsp; {background}"


def output_text(grid, x, y, task, threshold) -> str:
    """The network's output at plot position ``(x, y)`` (the nearest grid point), in words."""
    i = int(np.clip(np.searchsorted(grid.xs, x), 0, len(grid.xs) - 1))
    if grid.ys is None:
        return f"x = {x:.2f}: ŷ = {grid.values[i][0]:.3f}"
    j = int(np.clip(np.searchsorted(grid.ys, y), 0, len(grid.ys) - 1))
    out = grid.values[j, i]
    text = f"x = ({x:.2f}, {y:.2f}): "
    if task == "multiclass":
        return text + "p = (" + ", ".join(f"{v:.2f}" for v in out) + \
            f") → class {int(out.argmax())}"
    if task == "binary":
        return text + f"output {out[0]:.3f} → class {int(out[0] > threshold)}"
    return text + f"ŷ = {out[0]:.3f}"


def point_text(data, mode, x, y, px_per_unit, size, losses) -> str:
    """" · training point 12: class 1, loss 0.123" for a training point of ``data`` drawn
    ``size`` pixels wide under plot position ``(x, y)``; "" when there is none."""
    if data is None or mode == "none":
        return ""
    k, dist = datasets.nearest_point(plotted(data.X_train, data.y_train, mode), x, y, *px_per_unit)
    if dist > max(HOVER_POINT_PX, size / 2 + 2):
        return ""
    target = data.y_train[k, 0]
    what = f"class {int(target)}" if data.task != "regression" else f"y = {target:.3g}"
    text = f"  ·  training point {k}: {what}"
    if losses is not None and len(losses) == len(data.X_train):
        text += f", loss {losses[k]:.3g}"
    return text


def neuron_caption(label, levels) -> str:
    """The caption of a neuron's picture shown large."""
    lo, hi = levels
    return (f"<div style='font-size:9pt'><b>{label}</b><br>its output, "
            f"{lo:.3g} to {hi:.3g}</div>")
