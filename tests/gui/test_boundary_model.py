"""The decision-boundary view's model, without Qt: the mode for the data, colour levels white
where they should be, the view range, points sized by their loss, blended class colours, and
the words of the legend, the hover line and a drawn point."""
import numpy as np
import pytest

from core import datasets
from core.config import Config
from core.trainer import Trainer
from gui import style
from gui.snapshot import Snapshot
from gui.views.boundary import model


def snapshot(config):
    return Snapshot.capture(Trainer(config), 0, 0.0, False)


@pytest.mark.parametrize("dataset, mode", [("circle", "binary"), ("spiral3", "multiclass"),
                                           ("plane", "regression2d"), ("sine", "curve")])
def test_mode_for_the_data(dataset, mode):
    snap = snapshot(Config(dataset=dataset, n_samples=20))
    assert model.mode_for(snap.data, snap.grid) == mode
    assert model.mode_for(snap.data, None) == "none"


def test_binary_levels_are_white_at_the_threshold():
    values = np.array([0.1, 0.7])
    assert model.binary_levels(values, 0.5, (0.0, 1.0)) == ((0.0, 1.0), 0.5)
    # A raw score (hinge losses): as far as the values go, at least 1 either side of 0.
    (lo, hi), centre = model.binary_levels(np.array([-3.0, 0.5]), 0.0, (-np.inf, np.inf))
    assert (lo, hi) == (-3.0, 1.0) and centre == pytest.approx(0.75)
    assert lo + centre * (hi - lo) == pytest.approx(0.0)


def test_regression_levels_and_view_range():
    data = datasets.make("plane", n_samples=30, seed=0)
    lo, hi = model.regression_levels(data)
    assert lo == -hi and hi == pytest.approx(np.abs(data.y).max())
    flat = datasets.Dataset("f", "regression", [[0.0], [1.0]], [[2.0], [2.0]], [[0.5]],
                            [[2.0]], 1, ((0, 1),))
    assert model.regression_levels(flat) == (1.0, 3.0)
    assert model.view_range("regression2d", data, (-np.inf, np.inf)) == (*data.domain, 0.0)
    x_range, (y0, y1), pad = model.view_range("curve", flat, (-np.inf, np.inf))
    assert x_range == (0, 1) and y0 < 2.0 < y1 and pad == 0.02
    many = datasets.Dataset("m", "binary", np.zeros((2, 3)), [[0.0], [1.0]], np.zeros((1, 3)),
                            [[1.0]], 2, ((-1, 1),) * 3)
    assert model.view_range("none", many, (0.0, 1.0)) is None


def test_loss_sizes_grow_the_badly_fitted_points_only():
    losses = np.full(10, 0.01)
    losses[7], losses[3] = 2.0, 1.0
    sizes = model.loss_sizes(losses, 8, 10)
    assert sizes[7] == pytest.approx(8 * model.LOSS_SIZE_GAIN) and 8 < sizes[3] < 16
    assert np.delete(sizes, [3, 7]) == pytest.approx(8)
    for stale in (None, np.ones(3), np.full(10, np.nan)):
        assert (model.loss_sizes(stale, 8, 10) == 8).all()
    assert model.point_size(20) == 14 and model.point_size(500) == 8
    assert model.point_size(5000) == 5
    assert model.ring_size(20) == 18 and model.ring_size(500) == 8


def test_multiclass_colours_blend_and_wash_out_when_unsure():
    colours = np.array([style.hex_to_rgb(style.class_colour(k)) for k in range(3)])
    values = np.array([[[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3], [0.0, 0.0, 0.0]]])
    rgb = model.multiclass_rgb(values, colours)
    assert rgb.shape == (1, 3, 3) and rgb.dtype == np.uint8
    sure = 255 + (colours[0] - 255) * 0.65
    np.testing.assert_allclose(rgb[0, 0], sure, atol=1)
    mean = colours.mean(axis=0)
    np.testing.assert_allclose(rgb[0, 1], 255 + (mean - 255) * 0.15, atol=1)
    np.testing.assert_array_equal(rgb[0, 2], rgb[0, 1])  # no probability: a uniform guess


def _multiclass_rgb_per_pixel(values, class_colours, background=255.0):
    """The blend as it was first written, on the ``(ny, nx, k)`` layout: the reference the
    class-by-class version must match byte for byte."""
    p = np.clip(values, 0.0, None)
    total = p.sum(axis=-1, keepdims=True)
    k = p.shape[-1]
    p = np.where(total > 0, p / np.where(total > 0, total, 1.0), 1.0 / k)
    confidence = (p.max(axis=-1, keepdims=True) - 1.0 / k) * (k / (k - 1.0))
    rgb = background + (p @ class_colours - background) * (0.15 + 0.5 * confidence)
    return rgb.clip(0, 255).astype(np.uint8)


@pytest.mark.parametrize("k", [2, 3, 5, model.SHORT_SUM - 1, model.SHORT_SUM, 12])
def test_multiclass_colours_are_the_per_pixel_blend_byte_for_byte(k):
    rng = np.random.default_rng(k)
    colours = rng.integers(0, 256, size=(k, 3)).astype(float)
    for scale in (0.1, 3.0, 60.0):
        z = rng.normal(size=(40, 50, k)) * scale
        probabilities = np.exp(z - z.max(axis=-1, keepdims=True))
        probabilities /= probabilities.sum(axis=-1, keepdims=True)
        raw = rng.normal(size=(40, 50, k)) * scale  # any outputs: negative ones clip to 0
        raw[:3] = 0.0  # nothing anywhere: a uniform guess
        # As a snapshot holds them: read-only, and class by class in memory (the network's
        # last layer is computed so).
        planar = np.moveaxis(np.ascontiguousarray(np.moveaxis(probabilities, -1, 0)), 0, -1)
        planar.setflags(write=False)
        for values in (probabilities, raw, planar):
            for background in (255.0, np.array([30.0, 33.0, 40.0])):
                np.testing.assert_array_equal(
                    model.multiclass_rgb(values, colours, background),
                    _multiclass_rgb_per_pixel(values, colours, background))


def test_rectangles_curves_and_upsampling():
    assert model.rect_of(np.array([0.0, 1.0, 2.0]), np.array([0.0, 2.0])) == (
        -0.5, -1.0, 3.0, 4.0)
    fine = model.upsample(np.array([[0.0, 1.0], [2.0, 3.0]]), 4)
    assert fine.shape == (5, 5) and fine[0, 0] == 0.0 and fine[-1, -1] == 3.0
    assert fine[2, 2] == pytest.approx(1.5)
    data = datasets.make("sine", n_samples=20, seed=0)
    span = float(data.y.max() - data.y.min())
    clipped = model.fitted_curve(np.array([0.0, 1e300]), data)
    assert clipped[0] == 0.0 and clipped[1] == pytest.approx(data.y.max() + 20 * span)


def test_words_of_the_legend_and_the_hover_line():
    snap = snapshot(Config(dataset="circle", n_samples=20))
    text = model.legend_html("binary", snap.data, 0.5)
    assert "class 0" in text and "class 1" in text and "threshold 0.5" in text
    assert "Custom data" not in text
    # Where the line wraps, "colour =" stays with what it is (issue 19: it broke after
    # "colour"): the phrases sit in unbreakable spans.
    nowrap = "<span style='white-space: nowrap'>"
    assert f"{nowrap}colour = network output,</span>" in text
    assert f"{nowrap}white at the threshold 0.5</span>" in text
    assert f"{nowrap}colour = class probabilities blended</span>" in model.legend_html(
        "multiclass", snap.data, 0.5)
    custom = datasets.with_point(snap.data, [0.0, 0.0], 1)
    assert "Custom data</b> (11 train, 10 test)" in model.legend_html("binary", custom, 0.5)
    assert "train = test" not in text and "○" in text
    same = datasets.make("xor_table")  # the same 4 points train and test: no hollow marker
    assert "train = test" in model.legend_html("binary", same, 0.5)
    assert "○" not in model.legend_html("binary", same, 0.5)
    grid = snap.grid
    x, y = float(grid.xs[10]), float(grid.ys[20])
    out = grid.values[20, 10, 0]
    assert model.output_text(grid, x, y, "binary", 0.5) == (
        f"x = ({x:.2f}, {y:.2f}): output {out:.3f} → class {int(out > 0.5)}")
    X = snap.data.X_train
    k = 4
    words = model.point_text(snap.data, "binary", *X[k], (10.0, 10.0), 8, np.arange(10.0))
    assert words == f"  ·  training point {k}: class {int(snap.data.y_train[k, 0])}, loss 4"
    assert model.point_text(snap.data, "binary", 99.0, 99.0, (10.0, 10.0), 8, None) == ""
    assert "its output, -1 to 1" in model.neuron_caption("hidden layer 1, neuron 1", (-1, 1))


def test_what_a_click_adds():
    data = datasets.make("xor", n_samples=20, seed=0)
    assert model.point_to_add(data, "binary", 1, 7.5, 0.0, 1.0) is None  # outside
    assert model.point_to_add(data, "binary", 1, 1.0, 2.0, 0.0) == (
        [1.0, 2.0], 1, "a class 1 point at (1.00, 2.00)")
    inputs, value, words = model.point_to_add(data, "regression2d", "value", 1.0, 2.0, -2.5)
    assert inputs == [1.0, 2.0] and value == -2.5 and "y = -2.5" in words
    sine = datasets.make("sine", n_samples=20, seed=0)
    (x0, x1), = sine.domain
    inputs, value, _ = model.point_to_add(sine, "curve", "value", 0.5 * (x0 + x1), 0.75, 9.0)
    assert inputs == [0.5 * (x0 + x1)] and value == 0.75  # a curve takes y from the click
    assert [text for text, _, _ in model.draw_choices("multiclass", 3, "multiclass")] == [
        "class 0", "class 1", "class 2"]
    assert [text for text, _, _ in model.draw_choices("regression", 0, "curve")] == ["point"]


def test_the_regression_legend_says_what_the_colours_mean():
    """Orange below the neutral value, the background's colour at it, blue above: 0 when
    the targets straddle it (gauss_regression), else the middle of their range."""
    data = datasets.make("gauss_regression", n_samples=40, seed=0)
    assert model.regression_middle(data) == 0.0
    text = model.legend_html("regression2d", data, 0.5)
    assert "&lt; 0," in text and "white = 0," in text and "&gt; 0" in text
    assert style.CLASS_0 in text and style.CLASS_1 in text
    flat = datasets.Dataset("f", "regression", [[0.0, 0.0], [1.0, 1.0]], [[2.0], [4.0]],
                            [[0.5, 0.5]], [[3.0]], 1, ((0, 1), (0, 1)))
    assert model.regression_middle(flat) == 3.0
    assert "white = 3," in model.legend_html("regression2d", flat, 0.5)
