"""The network diagram: its links are the network's weights (count, sign, order), hovering tells
values and gradients and shows a neuron large, clicking picks error-surface axes, the input
feature toggles rebuild the network; and the Snapshot fields it is drawn from."""
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent, QPolygonF
from PySide6.QtWidgets import QApplication, QToolTip

from core import datasets, features, landscape
from core.config import Config
from core.trainer import Trainer
from gui.selection import NeuronPicture, Selection
from gui.views.network import model
from gui.views.network.canvas import polylines_of
from gui.views.network.model import MAX_LINKS_DRAWN
from gui.views.network.widget import NetworkDiagram
from gui.snapshot import NeuronGrid, Snapshot
from windows import TIMEOUT, close_window, open_window, settings_in



def capture(trainer, run=0):
    return Snapshot.capture(trainer, run, 0.0, False)


def point(p) -> QPoint:
    return QPoint(round(p.x()), round(p.y()))


@pytest.fixture
def diagram(qtbot):
    diagram = NetworkDiagram()
    qtbot.addWidget(diagram)
    diagram.resize(640, 420)
    diagram.show()
    qtbot.waitExposed(diagram)
    return diagram


def hover(qtbot, widget, pos):
    """Move the pointer onto ``pos`` (from elsewhere: a move to where it already is is no move)."""
    qtbot.mouseMove(widget, QPoint(1, widget.height() - 2))
    qtbot.mouseMove(widget, pos)


def clean_link(diagram, candidates):
    """A link whose midpoint picks that very link (no other line crosses there)."""
    for k in candidates:
        if diagram.canvas.hit(QPointF(point(diagram.link_position(k)))) == ("link", k):
            return k
    raise AssertionError("no link with a clean midpoint")


# ------------------------------------------------------------------ Snapshot fields
def test_snapshot_gradient_losses_and_neuron_grid_match_the_trainer():
    trainer = Trainer(Config(dataset="circle", n_samples=60, hidden_layers=(3, 2),
                             features=("x1", "x2", "x1^2"), regularization="l2", reg_rate=0.01))
    trainer.step(30)
    snap = capture(trainer)
    net = trainer.network
    _, grad = net.cost_and_gradient(trainer.inputs_train, trainer.targets_train, trainer.loss,
                                    0.0, 0.01)
    np.testing.assert_allclose(snap.gradient, grad)
    assert snap.train_losses.shape == (len(trainer.data.X_train),)
    assert snap.train_losses.mean() == pytest.approx(snap.metrics["train_loss"])
    grid = snap.neuron_grid
    assert [layer.shape for layer in grid.layers] == [(32, 32, 3), (32, 32, 2), (32, 32, 1)]
    gx, gy = np.meshgrid(grid.xs, grid.ys)
    raw = np.column_stack([gx.ravel(), gy.ravel()])
    np.testing.assert_allclose(grid.layers[-1].reshape(-1, 1), trainer.predict(raw), rtol=1e-5,
                               atol=1e-6)
    hidden = net.hidden_outputs(features.transform(raw, trainer.config.features))[0]
    np.testing.assert_allclose(grid.layers[0][3, 5], hidden[3 * 32 + 5], rtol=1e-5, atol=1e-6)
    for array in (snap.gradient, snap.train_losses, grid.layers[0], grid.xs):
        assert not array.flags.writeable


def test_neuron_grid_is_coarser_for_big_networks_and_absent_beyond_2d():
    big = Trainer(Config(hidden_layers=(64,) * 6))
    grid = capture(big).neuron_grid
    assert len(grid.xs) < 32 and sum(a[0, 0].size for a in grid.layers) == 6 * 64 + 1
    sine = capture(Trainer(Config(dataset="sine", hidden_layers=(5,)))).neuron_grid
    assert sine.ys is None and sine.layers[0].shape == (64, 5)
    rng = np.random.default_rng(0)
    data = datasets.Dataset("3d", "binary", rng.normal(size=(20, 3)),
                            rng.integers(0, 2, (20, 1)), rng.normal(size=(10, 3)),
                            rng.integers(0, 2, (10, 1)), 2, ((-3, 3),) * 3)
    snap = capture(Trainer(Config(dataset="custom", task="binary"), data=data))
    assert snap.neuron_grid is None and snap.gradient.shape == (snap.params.size,)


def test_neuron_grid_stays_finite_for_exploding_weights():
    trainer = Trainer(Config(activation="relu", hidden_layers=(3,)))
    trainer.network.params[:] = 1e200
    grid = NeuronGrid.compute(trainer.network, None, trainer.data.domain)
    assert all(np.isfinite(layer).all() for layer in grid.layers)



def test_the_neuron_grid_is_made_when_first_read_with_the_captured_weights(monkeypatch):
    trainer = Trainer(Config(dataset="spiral3", n_samples=90, hidden_layers=(6, 4),
                             features=("x1", "x2", "x1*x2")))
    trainer.step(20)
    expected = NeuronGrid.compute(trainer.network, trainer.config.features,
                                  trainer.data.domain)
    made = []
    real = NeuronGrid.compute.__func__
    monkeypatch.setattr(NeuronGrid, "compute",
                        classmethod(lambda cls, *args: made.append(1) or real(cls, *args)))
    snap = capture(trainer)
    assert made == []  # the worker's capture leaves it to whoever reads it
    trainer.step(20)  # the trainer moves on; the snapshot keeps its own weights
    grid = snap.neuron_grid
    assert made == [1] and snap.neuron_grid is grid  # made once
    for name in ("xs", "ys"):
        np.testing.assert_array_equal(getattr(grid, name), getattr(expected, name))
    assert len(grid.layers) == len(expected.layers)
    for got, want in zip(grid.layers, expected.layers):
        assert got.dtype == want.dtype and not got.flags.writeable
        np.testing.assert_array_equal(got, want)  # the very floats


def test_a_1d_runs_curves_are_the_model_points_exactly():
    values = np.random.default_rng(0).normal(size=(64, 5)) * 2.0
    xs, rows = model.curve_points(values, (-1.5, 1.5))
    polylines = polylines_of(values, (-1.5, 1.5))
    assert len(polylines) == 5
    for polyline, row in zip(polylines, rows):
        assert polyline == QPolygonF(list(map(QPointF, xs, row)))  # the very doubles

# ------------------------------------------------------------------ links = weights
@pytest.mark.parametrize("config", [
    Config(),
    Config(dataset="circle", hidden_layers=(3,), features=("x2^2", "x1", "x1*x2")),
    Config(activation="prelu", hidden_layers=(3, 2)),
    Config(activation="maxout", dataset="spiral3", hidden_layers=(4,)),
    Config(dataset="sine", hidden_layers=(5, 3), features=("x1", "sin_x1")),
    Config(hidden_layers=()),
], ids=["default", "features", "prelu", "maxout-multiclass", "sine", "no-hidden"])
def test_links_are_the_weights_count_sign_and_order(diagram, config):
    trainer = Trainer(config)
    trainer.step(5)
    net = trainer.network
    diagram.show_snapshot(capture(trainer))
    links = diagram.links
    sizes = net.layer_sizes
    assert len(links) == sum(a * b for a, b in zip(sizes, sizes[1:]))
    expected = [landscape.param_index(net, "W", layer, i, j)
                for layer, W in enumerate(net.weights)
                for i in range(W.shape[0]) for j in range(W.shape[1])]
    assert links.index.tolist() == expected  # order: W1 row by row, then W2, ...
    flat = np.concatenate([W.ravel() for W in net.weights])
    np.testing.assert_array_equal(diagram.link_weights(), flat)
    np.testing.assert_array_equal(np.sign(diagram.link_weights()), np.sign(flat))
    # Every bias too.
    for layer, b in enumerate(net.biases):
        for unit in range(b.size):
            assert diagram.bias_index(layer + 1, unit) == landscape.param_index(
                net, "b", layer, unit)
    # Pens: one colour per sign (blue positive, orange negative), every link drawn once.
    drawn = []
    weights = diagram.link_weights()
    for pen, lines in diagram.canvas.buckets:
        colour = pen.color()
        members = [k for k in diagram.canvas.drawn.tolist()
                   if any(line is diagram.canvas._qlines[k] for line in lines)]
        assert len(members) == len(lines)
        positive = colour.blue() > colour.red()
        assert all((weights[k] > 0) == positive for k in members if weights[k] != 0)
        drawn += members
    assert sorted(drawn) == list(range(len(links)))
    # Links start at their input node: the network's input rows follow config.features.
    names = list(config.features or features.names(trainer.data.n_features))
    for k in range(len(links)):
        if links.layer[k] == 0:
            node = diagram.input_features().index(names[links.source[k]])
            start_y = diagram.canvas.endpoints[k, 1]
            assert start_y == pytest.approx(diagram.input_position(node).y())


def test_labels_agree_with_the_core(diagram):
    trainer = Trainer(Config(activation="prelu", hidden_layers=(3, 2)))
    net = trainer.network
    diagram.show_snapshot(capture(trainer))
    for index in (landscape.param_index(net, "W", 1, 2, 1), landscape.param_index(net, "b", 0, 2),
                  landscape.param_index(net, "W", 2, 1, 0)):
        assert diagram.parameter_label(index) == landscape.param_label(net, index)


def test_a_big_network_draws_its_strongest_links_and_small_nodes(diagram, qtbot):
    trainer = Trainer(Config(hidden_layers=(32,) * 8))
    diagram.show_snapshot(capture(trainer))
    links, canvas = diagram.links, diagram.canvas
    assert len(links) > MAX_LINKS_DRAWN and len(canvas.drawn) == MAX_LINKS_DRAWN
    magnitude = np.abs(diagram.link_weights())
    assert magnitude[canvas.drawn].min() >= np.sort(magnitude)[-MAX_LINKS_DRAWN]
    assert canvas.node < 12
    canvas.repaint()
    assert canvas.paint_time < 0.5


# ------------------------------------------------------------------ hover and click
def test_hover_tells_value_and_gradient_and_shows_the_neuron(diagram, qtbot):
    trainer = Trainer(Config(dataset="xor", n_samples=40))
    trainer.step(20)
    snap = capture(trainer)
    diagram.show_snapshot(snap)
    k = clean_link(diagram, range(len(diagram.links)))
    index = int(diagram.links.index[k])
    hover(qtbot, diagram.canvas, point(diagram.link_position(k)))
    qtbot.waitUntil(lambda: diagram.readout.text().startswith("W"), timeout=TIMEOUT)
    text = diagram.readout.text()
    label = landscape.param_label(trainer.network, index)
    assert label in text and "∂C/∂w" in text
    value = float(text.split(" = ")[1].split(",")[0].replace("−", "-"))
    assert value == pytest.approx(snap.params[index], rel=1e-2, abs=1e-3)
    grad = float(text.split("∂C/∂w = ")[1].split()[0].replace("−", "-"))
    assert grad == pytest.approx(snap.gradient[index], rel=1e-2, abs=1e-4)
    # The same as a tooltip.
    pos = point(diagram.link_position(k))
    QApplication.sendEvent(diagram.canvas, QHelpEvent(QEvent.ToolTip, pos,
                                                      diagram.canvas.mapToGlobal(pos)))
    assert label in QToolTip.text() and "error surface" in QToolTip.text()
    QToolTip.hideText()

    with qtbot.waitSignal(diagram.neuron_hovered, timeout=TIMEOUT,
                          check_params_cb=lambda p: p is not None) as blocker:
        hover(qtbot, diagram.canvas, point(diagram.neuron_position(2, 1)))
    picture = blocker.args[0]
    assert isinstance(picture, NeuronPicture) and picture.label == "hidden layer 2, neuron 2"
    np.testing.assert_array_equal(picture.values, snap.neuron_grid.layers[1][..., 1])
    assert picture.levels == (-1.0, 1.0)  # tanh
    assert "bias b2[2]" in diagram.readout.text() and "∂C/∂b" in diagram.readout.text()
    # An input node shows its feature.
    with qtbot.waitSignal(diagram.neuron_hovered, timeout=TIMEOUT,
                          check_params_cb=lambda p: p is not None) as blocker:
        hover(qtbot, diagram.canvas, point(diagram.input_position(4)))  # x1*x2
    picture = blocker.args[0]
    assert picture.label == "input x₁x₂"
    grid = snap.neuron_grid
    np.testing.assert_allclose(picture.values[3, 5], grid.xs[5] * grid.ys[3])
    # Leaving the neuron gives the boundary plot back its own picture.
    with qtbot.waitSignal(diagram.neuron_hovered, timeout=TIMEOUT,
                          check_params_cb=lambda p: p is None):
        qtbot.mouseMove(diagram.canvas, QPoint(3, diagram.canvas.height() - 3))


def test_clicking_links_and_biases_emits_their_index(diagram, qtbot):
    trainer = Trainer(Config())
    net = trainer.network
    diagram.show_snapshot(capture(trainer))
    k = clean_link(diagram, range(len(diagram.links) - 1, -1, -1))
    with qtbot.waitSignal(diagram.weight_clicked, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(diagram.canvas, Qt.LeftButton, pos=point(diagram.link_position(k)))
    assert blocker.args == [int(diagram.links.index[k])]
    with qtbot.waitSignal(diagram.weight_clicked, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(diagram.canvas, Qt.LeftButton, pos=point(diagram.bias_position(1, 2)))
    assert blocker.args == [landscape.param_index(net, "b", 0, 2)]
    # A neuron's picture is not a parameter: nothing.
    with qtbot.assertNotEmitted(diagram.weight_clicked):
        qtbot.mouseClick(diagram.canvas, Qt.LeftButton, pos=point(diagram.neuron_position(1, 0)))


def test_bind_writes_picks_and_hovers_to_the_selection_and_marks_its_axes(diagram, qtbot):
    trainer = Trainer(Config(dataset="xor", n_samples=40))
    snap = capture(trainer)
    selection = Selection()
    selection.set_parameter_count(snap.params.size)
    diagram.bind(selection)
    diagram.show_snapshot(snap)
    k = clean_link(diagram, range(len(diagram.links)))
    i = int(diagram.links.index[k])
    with qtbot.waitSignal(selection.axis_picked, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(diagram.canvas, Qt.LeftButton, pos=point(diagram.link_position(k)))
    assert blocker.args == [0, i] and selection.axes[0] == i
    b = diagram.bias_index(1, 2)
    qtbot.mouseClick(diagram.canvas, Qt.LeftButton, pos=point(diagram.bias_position(1, 2)))
    assert selection.axes == (i, b)
    assert diagram.canvas.marks == {i: "1", b: "2"}  # the marks follow the selection
    selection.set_axes(3, 4)
    assert diagram.canvas.marks == {3: "1", 4: "2"}
    # A new network keeps the marks of the axes the selection still holds.
    diagram.show_snapshot(capture(Trainer(Config(dataset="xor", hidden_layers=(3,))), run=1))
    assert diagram.canvas.marks == {3: "1", 4: "2"}

    with qtbot.waitSignal(selection.hovered_changed, timeout=TIMEOUT,
                          check_params_cb=lambda p: p is not None):
        hover(qtbot, diagram.canvas, point(diagram.neuron_position(1, 0)))
    assert selection.hovered.label == "hidden layer 1, neuron 1"  # counted from 1
    with qtbot.waitSignal(selection.hovered_changed, timeout=TIMEOUT,
                          check_params_cb=lambda p: p is None):
        qtbot.mouseMove(diagram.canvas, QPoint(3, diagram.canvas.height() - 3))


def test_feature_toggles_emit_the_inputs(diagram, qtbot):
    trainer = Trainer(Config(dataset="circle"))
    diagram.show_snapshot(capture(trainer))
    buttons = diagram._feature_buttons
    assert list(buttons) == features.names(2)
    assert [b.isChecked() for b in buttons.values()] == [True, True] + [False] * 5
    with qtbot.waitSignal(diagram.features_changed, timeout=TIMEOUT) as blocker:
        buttons["x1^2"].click()
    assert blocker.args == [("x1", "x2", "x1^2")]
    # Clicking an input node does the same; toggles before the rebuild build on each other.
    with qtbot.waitSignal(diagram.features_changed, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(diagram.canvas, Qt.LeftButton, pos=point(diagram.input_position(1)))
    assert blocker.args == [("x1", "x1^2")]
    assert [b.isChecked() for b in buttons.values()] == [True, False, True] + [False] * 4

    diagram.show_snapshot(capture(Trainer(Config(dataset="circle", features=("x2^2",))), run=1))
    with qtbot.assertNotEmitted(diagram.features_changed):
        diagram._feature_buttons["x2^2"].click()  # the last input stays
    assert diagram._feature_buttons["x2^2"].isChecked()
    assert "at least one input" in diagram.readout.text()
    with qtbot.waitSignal(diagram.features_changed, timeout=TIMEOUT) as blocker:
        diagram._feature_buttons["x1"].click()
        # (x1, x2^2) in menu order
    assert blocker.args == [("x1", "x2^2")]

    diagram.show_snapshot(capture(Trainer(Config(dataset="sine", hidden_layers=(3,))), run=2))
    assert list(diagram._feature_buttons) == ["x1", "x1^2", "sin_x1"]
    assert diagram.canvas.curves  # one input: neurons are curves


def test_more_than_two_inputs_have_no_feature_toggles(diagram):
    rng = np.random.default_rng(0)
    data = datasets.Dataset("3d", "binary", rng.normal(size=(20, 3)),
                            rng.integers(0, 2, (20, 1)), rng.normal(size=(10, 3)),
                            rng.integers(0, 2, (10, 1)), 2, ((-3, 3),) * 3)
    diagram.show_snapshot(capture(Trainer(Config(dataset="custom", task="binary",
                                                 hidden_layers=(2,)), data=data)))
    assert not diagram.feature_bar.isVisibleTo(diagram)
    assert len(diagram.links) == 3 * 2 + 2 and not diagram.canvas.pictures
    assert diagram.describe(("link", 0)).startswith("W1[1→1]")


# ------------------------------------------------------------------ in the real window
@pytest.fixture
def window(qtbot, tmp_path):
    window = open_window(qtbot, settings_in(tmp_path),
                         config=Config(dataset="circle", n_samples=60))
    qtbot.waitUntil(lambda: window.network_diagram.links is not None, timeout=TIMEOUT)
    yield window
    close_window(window)


def test_clicking_a_link_sets_the_surface_axes(window, qtbot):
    diagram, surface = window.network_diagram, window.surface_view
    qtbot.waitUntil(lambda: surface.weight_axes is not None, timeout=TIMEOUT)
    n = len(diagram.links)
    first = clean_link(diagram, range(n))
    second = clean_link(diagram, [k for k in range(n - 1, -1, -1) if k != first])
    i, j = (int(diagram.links.index[k]) for k in (first, second))
    qtbot.mouseClick(diagram.canvas, Qt.LeftButton, pos=point(diagram.link_position(first)))
    assert surface.weight_axes[0] == i and surface.mode == "weights"
    partner = diagram.parameter_label(surface.weight_axes[1])
    assert window.statusBar().currentMessage() == (
        f"Error-surface axis 1: {diagram.parameter_label(i)}; click another weight or bias "
        f"for axis 2 (now {partner})")
    qtbot.mouseClick(diagram.canvas, Qt.LeftButton, pos=point(diagram.link_position(second)))
    assert surface.weight_axes == (i, j)
    assert window.statusBar().currentMessage() == (
        f"Error-surface axis 2: {diagram.parameter_label(j)}")
    assert diagram.canvas.marks == {i: "1", j: "2"}
    # A bias can be an axis too.
    b = diagram.bias_index(1, 0)
    qtbot.mouseClick(diagram.canvas, Qt.LeftButton, pos=point(diagram.bias_position(1, 0)))
    assert surface.weight_axes == (b, j)


def test_picking_a_weight_brings_the_error_surface_to_the_front(window, qtbot):
    # README's walkthrough opens backpropagation (tabbed with the surface) before picking
    # two weights: the picked surface must come to the front, not stay behind that tab.
    surface = window.surface_view
    qtbot.waitUntil(lambda: surface.weight_axes is not None, timeout=TIMEOUT)
    tabs = window.tabifiedDockWidgets(window.surface_dock)
    assert tabs
    tabs[0].raise_()
    qtbot.waitUntil(lambda: surface.visibleRegion().isEmpty(), timeout=TIMEOUT)
    diagram = window.network_diagram
    link = clean_link(diagram, range(len(diagram.links)))
    qtbot.mouseClick(diagram.canvas, Qt.LeftButton, pos=point(diagram.link_position(link)))
    qtbot.waitUntil(lambda: not surface.visibleRegion().isEmpty(), timeout=TIMEOUT)
    assert tabs[0].widget().visibleRegion().isEmpty()


def test_features_rebuild_the_network_and_neurons_show_in_the_boundary_plot(window, qtbot):
    diagram = window.network_diagram
    diagram._feature_buttons["x1^2"].click()
    diagram._feature_buttons["x2^2"].click()  # before the first rebuild arrives: both count
    qtbot.waitUntil(lambda: window.controller.latest.layer_sizes[0] == 4, timeout=TIMEOUT)
    assert window.config.features == ("x1", "x2", "x1^2", "x2^2")
    assert "input features" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: len(diagram.links) == 4 * 4 + 4 * 4 + 4, timeout=TIMEOUT)

    boundary = window.boundary_plot.canvas
    hover(qtbot, diagram.canvas, point(diagram.neuron_position(1, 0)))
    qtbot.waitUntil(lambda: boundary.neuron_image.isVisible(), timeout=TIMEOUT)
    assert "hidden layer 1, neuron 1" in boundary.neuron_text.toPlainText()
    qtbot.mouseMove(diagram.canvas, QPoint(2, 2))
    qtbot.waitUntil(lambda: not boundary.neuron_image.isVisible(), timeout=TIMEOUT)
