"""The network diagram's model, without Qt: links are the network's weights, biases its biases,
the layout puts every node in the widget and hit testing finds it again, links and pictures get
the colours their values say, and the hover words name what the core names."""
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from core import datasets
from core.config import Config
from core.network import Network
from core.params import ParamLayout
from core.trainer import Trainer
from gui.snapshot import Snapshot
from gui.views.network import model
from gui.views.network.model import (CURVE_POINTS, LINK_LEVELS, MAX_LINKS_DRAWN, MAX_NODE,
                                     PICK_PX, Architecture, Geometry, Links,
                                     labels_that_fit)

ROOT = pathlib.Path(__file__).resolve().parents[2]


def snapshot(config, steps=0):
    trainer = Trainer(config)
    trainer.step(steps)
    return Snapshot.capture(trainer, 0, 0.0, False)


def test_the_model_needs_no_qt():
    code = ("import sys, gui.views.network.model, gui.views.boundary.model; "
            "print([m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'shiboken6', 'pyqtgraph', 'OpenGL')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("sizes, activation, output", [
    ((2, 4, 2, 1), "tanh", "sigmoid"), ((3, 5, 3), "prelu", "softmax"),
    ((2, 4, 1), "maxout", "sigmoid"), ((5, 1), "tanh", "linear")])
def test_links_are_the_networks_weights(sizes, activation, output):
    net = Network(sizes, activation, output, seed=0)
    net.params[:] = np.arange(net.n_params)  # each parameter's value is its index
    links = Links.of(net.layout)
    assert len(links) == sum(a * b for a, b in zip(sizes, sizes[1:]))
    assert np.all(np.diff(links.index) > 0)  # in params order
    for k in range(len(links)):
        layer, i, j = links.layer[k], links.source[k], links.target[k]
        assert net.weights[layer][i, j] == links.index[k]
        assert links.link_of(int(links.index[k])) == k
    for layer, b in enumerate(net.biases):
        assert links.link_of(int(b[0])) is None


def test_architecture_places_the_chosen_features_and_names_parameters():
    snap = snapshot(Config(dataset="circle", hidden_layers=(3,), features=("x2^2", "x1")))
    arch = Architecture.of(snap)
    layout = snap.layout
    assert arch.features_editable and arch.active == ("x2^2", "x1")
    assert arch.columns == (7, 3, 1) and arch.titles == ("inputs", "hidden 1", "output")
    # The network's input 0 (x2^2) is the fourth node of the column.
    assert list(arch.input_rows) == [list(arch.candidates).index("x2^2"), 0]
    assert arch.input_active == tuple(name in ("x1", "x2^2") for name in arch.candidates)
    for column, unit in ((1, 2), (2, 0)):
        index = arch.bias_index(column, unit)
        assert layout.location(index) == ("b", column - 1, unit, None)
        assert arch.bias_spot(index) == (column, unit)
    assert arch.bias_spot(layout.weight_index(0, 1, 2)) is None
    assert arch.bias_spot(layout.n_params + 3) is None
    assert arch.node_name(0, 0) == "input x₂²" and arch.node_name(2, 0) == "the output neuron"
    assert arch.neuron_title(1, 2) == "hidden layer 1, neuron 3"  # unit 2 counted from 1


def test_architecture_of_many_raw_inputs_has_no_features_to_choose():
    rng = np.random.default_rng(0)
    data = datasets.Dataset("3d", "binary", rng.normal(size=(20, 3)), rng.integers(0, 2, (20, 1)),
                            rng.normal(size=(10, 3)), rng.integers(0, 2, (10, 1)), 2,
                            ((-3, 3),) * 3)
    trainer = Trainer(Config(dataset="custom", task="binary", hidden_layers=(2,)), data=data)
    arch = Architecture.of(Snapshot.capture(trainer, 0, 0.0, False))
    assert not arch.features_editable and arch.input_labels == ("x₁", "x₂", "x₃")
    assert arch.node_name(0, 2) == "input x₃"


@pytest.mark.parametrize("hidden", [(4, 2), (32,) * 8])
def test_geometry_puts_nodes_inside_and_hit_testing_finds_them(hidden):
    arch = Architecture.of(snapshot(Config(hidden_layers=hidden)))
    geom = Geometry.of(arch, 640, 420, label_width=10)
    assert max(geom.sizes) <= MAX_NODE and geom.node == min(geom.sizes)
    for c in geom.centres:
        assert (c[:, 0] > 0).all() and (c[:, 0] < 640).all()
        assert (c[:, 1] > 0).all() and (c[:, 1] < 420).all()
    # The input labels keep 18 pixels each however small the nodes are.
    assert np.all(np.diff(geom.centres[0][:, 1]) >= 18 - 1e-9)
    drawn = np.arange(len(arch.links))
    assert geom.hit(*geom.centres[1][0], drawn) == ("neuron", 1, 0)
    assert geom.hit(*geom.centres[0][3], drawn) == ("input", 3)
    assert geom.hit(-50, -50, drawn) is None
    if geom.sizes[1] >= model.MIN_BIAS_NODE:
        assert geom.hit(*geom.bias_centre(1, 1), drawn) == ("bias", 1, 1)
    # Links run from the right edge of their source to the left edge of their target.
    links, k = arch.links, len(arch.links) - 1
    x0, y0, x1, y1 = geom.endpoints[k]
    source = geom.centres[links.layer[k]][links.source[k]]
    assert x0 == pytest.approx(source[0] + geom.sizes[links.layer[k]] / 2) and y0 == source[1]
    assert x1 < geom.centres[links.layer[k] + 1][links.target[k]][0]


def test_nearest_link_is_within_pick_distance():
    arch = Architecture.of(snapshot(Config(hidden_layers=())))  # two links: x1 -> y, x2 -> y
    geom = Geometry.of(arch, 640, 420, label_width=10)
    drawn = np.arange(len(arch.links))
    (x0, y0, x1, y1) = geom.endpoints[1]
    mx, my = 0.25 * x0 + 0.75 * x1, 0.25 * y0 + 0.75 * y1
    assert geom.nearest_link(mx, my + 0.5 * PICK_PX, drawn) == 1
    assert geom.nearest_link(mx, my + 3 * PICK_PX, drawn) is None
    assert geom.nearest_link(mx, my, np.array([0])) is None  # only drawn links count


def test_link_style_draws_the_strongest_and_groups_by_sign_and_level():
    rng = np.random.default_rng(1)
    weights = rng.normal(scale=2.0, size=MAX_LINKS_DRAWN + 500)
    weights[7] = 0.0
    style = model.link_style(weights, node=10.0)
    assert len(style.drawn) == MAX_LINKS_DRAWN
    assert np.abs(weights[style.drawn]).min() >= np.sort(np.abs(weights))[-MAX_LINKS_DRAWN]
    assert style.levels.max() == LINK_LEVELS  # |w| ≥ FULL_WEIGHT: full strength
    groups = model.link_groups(style)
    members = np.concatenate([m for _, _, m in groups])
    assert sorted(members.tolist()) == sorted(style.drawn.tolist())
    widths = [width for _, width, _ in groups]
    assert widths == sorted(widths)  # weaker first: strong links lie on top
    for rgb, _, m in groups:
        positive = rgb[2] > rgb[0]  # blue positive, orange negative
        assert all((weights[k] > 0) == positive for k in m.tolist() if weights[k] != 0)
    small = model.link_style(np.array([0.5, -3.0]), node=40.0)
    assert small.drawn.tolist() == [0, 1] and small.levels.tolist() == [3, LINK_LEVELS]


def test_bias_levels_and_colours():
    levels = model.bias_levels([0.0, -1.0, 5.0, np.nan])
    assert levels == [(False, 0), (False, 6), (True, LINK_LEVELS), (False, 0)]
    np.testing.assert_allclose(model.bias_rgb(True, LINK_LEVELS), (8, 119, 189), atol=1)  # CLASS_1
    assert model.bias_rgb(False, 0) != model.bias_rgb(True, 0)


def test_picture_levels_indices_and_curves():
    values = np.zeros((4, 5, 2))
    values[-1, :, 0] = 1.0        # the top row (largest y) of unit 0
    values[:, :, 1] = -3.0
    assert model.layer_levels("tanh", values) == (-1.0, 1.0)
    assert model.layer_levels("relu", values) == (-3.0, 3.0)
    assert model.layer_levels("relu", np.zeros((2, 2, 1))) == (-1.0, 1.0)
    k = model.picture_indices(values, (-1.0, 1.0))
    assert k.shape == (2, 4, 5) and k.dtype == np.uint8 and k.flags.c_contiguous
    assert (k[0, 0] == 255).all() and (k[0, 1:] == 127).all()  # row 0 = max y, on top
    assert (k[1] == 0).all()      # below the levels: clipped
    ramp = np.linspace(-1, 1, 100)[:, None]
    xs, rows = model.curve_points(ramp, (-1.0, 1.0))
    assert len(xs) <= CURVE_POINTS + 1 and xs[0] == 0.0 and xs[-1] == 1.0
    assert rows[0][0] == 1.0 and rows[0][-1] == 0.0  # y down: the largest value at the top
    assert model.symmetric_levels(np.array([[0.5], [-2.0]])) == (-2.0, 2.0)
    xs = np.linspace(-1, 1, 3)
    square = model.feature_values("x1*x2", xs, xs)
    assert square.shape == (3, 3, 1) and square[0, 2, 0] == -1.0  # (x=1, y=-1)


def test_describe_names_what_the_core_names():
    snap = snapshot(Config(dataset="xor", hidden_layers=(3,)), steps=5)
    arch = Architecture.of(snap)
    layout = snap.layout
    k = 4
    index = int(arch.links.index[k])
    text = model.describe(("link", k), snap, arch)
    assert text.startswith(f"{layout.label(index)} = ") and "∂C/∂w" in text
    assert "from input x₂ to hidden layer 1 neuron 2" in text
    assert layout.label(index) == "W1[2→2]"
    rich = model.describe(("link", k), snap, arch, rich=True)
    assert "<b>" in rich and "error surface" in rich
    text = model.describe(("neuron", 1, 2), snap, arch)
    bias = arch.bias_index(1, 2)
    assert text.startswith(f"hidden layer 1, neuron 3: bias {layout.label(bias)} = ")
    assert layout.label(bias) == "b1[3]"
    assert "output from" in text
    assert "take it away" in model.describe(("input", 0), snap, arch)
    assert "give it to the network" in model.describe(("input", 2), snap, arch)
    assert model.describe(None, snap, arch) == ""
    assert "x₁x₂" in model.feature_tip("x1*x2")


def test_links_of_a_layout_follow_the_layout_not_the_network():
    layout = ParamLayout((2, 3, 1), "maxout", "sigmoid")  # W1, b1, W'1, b'1, W2, b2
    links = Links.of(layout)
    assert links.index[6] == layout.weight_index(1, 0, 0) == layout.block("W", 1).start



def test_input_labels_that_fit_put_the_used_inputs_first_and_never_overlap():
    ys = np.arange(7) * 10.0  # seven inputs 10 px apart, labels 14 px high
    assert labels_that_fit(ys, [True, True] + [False] * 5, 14) == [0, 2, 4, 6]
    assert labels_that_fit(ys, [False, True] + [False] * 5, 14) == [1, 3, 5]  # x2 first
    assert labels_that_fit(ys, [False] * 5 + [True, True], 14) == [0, 2, 5]
    assert labels_that_fit(ys * 2, [True, True] + [False] * 5, 14) == list(range(7))
    assert labels_that_fit(np.array([5.0]), [False], 14) == [0]
