"""Drawing data on the decision-boundary plot: a click adds a training point of the chosen
class, Ctrl+click removes the nearest one, the data become "custom" and reach the trainer, and an
experiment with drawn data saves and opens again. Also the boundary plot's per-point losses and
its neuron overlay."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from core import datasets, experiment
from core.config import Config
from core.trainer import Trainer
from gui import style
from gui.selection import NeuronPicture, Selection
from gui.views.boundary import model
from gui.views.boundary.widget import BoundaryPlot
from gui.snapshot import Snapshot
from windows import TIMEOUT, close_window, open_window, settings_in



def snapshot_of(config, data=None, run=0):
    return Snapshot.capture(Trainer(config, data=data), run, 0.0, False)


def screen_pos(plot, x, y) -> QPoint:
    """Where the data point (x, y) is on the plot widget's viewport."""
    scene = plot.canvas.view.mapViewToScene(QPointF(x, y))
    return plot.canvas.mapFromScene(scene)


@pytest.fixture
def plot(qtbot):
    plot = BoundaryPlot()
    qtbot.addWidget(plot)
    plot.resize(520, 560)
    plot.show()
    qtbot.waitExposed(plot)
    return plot


# ------------------------------------------------------------------ pure helpers
def test_click_adds_a_point_of_the_chosen_class_and_ctrl_click_removes(plot, qtbot):
    snap = snapshot_of(Config(dataset="circle", n_samples=40))
    plot.show_snapshot(snap)
    assert plot.draw_target() is None
    assert [b.text() for b in plot._draw_buttons] == ["class 0", "class 1"]
    # Drawing off: a click changes nothing.
    with qtbot.assertNotEmitted(plot.data_edited):
        qtbot.mouseClick(plot.canvas.viewport(), Qt.LeftButton, pos=screen_pos(plot, 2, 3))

    plot.set_draw_target(1)
    assert plot.draw_target() == 1
    with qtbot.waitSignal(plot.data_edited, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(plot.canvas.viewport(), Qt.LeftButton, pos=screen_pos(plot, 2, 3))
    data, text = blocker.args
    assert data.name == "custom" and "class 1" in text
    assert len(data.X_train) == len(snap.data.X_train) + 1
    assert data.y_train[-1, 0] == 1.0
    np.testing.assert_allclose(data.X_train[-1], [2, 3], atol=0.15)  # a pixel or two
    # Shown at once, before the trainer has the new data.
    assert len(plot.canvas.train_points.data) == len(data.X_train)

    # A second click before the new run arrives builds on the first edit, not the old data.
    with qtbot.waitSignal(plot.data_edited, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(plot.canvas.viewport(), Qt.LeftButton, pos=screen_pos(plot, -4, 1))
    data2 = blocker.args[0]
    assert len(data2.X_train) == len(snap.data.X_train) + 2

    # Ctrl+click on a point removes exactly that one.
    target = snap.data.X_test[5]
    with qtbot.waitSignal(plot.data_edited, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(plot.canvas.viewport(), Qt.LeftButton, Qt.ControlModifier,
                         pos=screen_pos(plot, *target))
    data3, text = blocker.args
    assert "test point" in text and len(data3.X_test) == len(snap.data.X_test) - 1
    assert not any(np.allclose(row, target) for row in data3.X_test)


def test_clicks_outside_the_domain_or_far_from_points_are_refused(plot, qtbot):
    plot.show_snapshot(snapshot_of(Config(dataset="xor", n_samples=20)))
    plot.set_draw_target(0)
    with qtbot.waitSignal(plot.draw_refused, timeout=TIMEOUT) as blocker:
        assert plot.add_point(7.5, 0.0) is None
    assert "domain" in blocker.args[0]
    data = plot._data
    empty = np.array([[5.9, -5.9]])
    far = min(np.hypot(*(data.X - empty[0]).T))
    if far > 1.5:  # no point near that corner (true for this seed)
        with qtbot.waitSignal(plot.draw_refused, timeout=TIMEOUT):
            assert plot.remove_point_near(5.9, -5.9) is None


def test_regression_draws_with_a_value_and_1d_takes_y_from_the_click(plot, qtbot):
    plot.show_snapshot(snapshot_of(Config(dataset="plane", n_samples=20)))
    assert [b.text() for b in plot._draw_buttons] == ["point"]
    assert plot.draw_value.isVisibleTo(plot)
    plot.set_draw_target(0)
    plot.draw_value.setValue(-2.5)
    with qtbot.waitSignal(plot.data_edited, timeout=TIMEOUT) as blocker:
        plot.add_point(1.0, 2.0)
    assert blocker.args[0].y_train[-1, 0] == -2.5

    plot.show_snapshot(snapshot_of(Config(dataset="sine", n_samples=20), run=1))
    assert not plot.draw_value.isVisibleTo(plot)
    plot.set_draw_target(0)
    x0, x1 = plot._data.domain[0]
    with qtbot.waitSignal(plot.data_edited, timeout=TIMEOUT) as blocker:
        plot.add_point(0.5 * (x0 + x1), 0.75)
    data = blocker.args[0]
    assert data.n_features == 1 and data.y_train[-1, 0] == 0.75


def test_point_losses_size_the_training_points_and_show_on_hover(plot, qtbot):
    snap = snapshot_of(Config(dataset="circle", n_samples=40))
    plot.show_snapshot(snap)
    base = plot._train_size
    # An untrained network is about equally bad everywhere: sizes stay near the base size.
    plot.set_point_losses(snap.train_losses)
    assert plot.canvas.train_points.data["size"].max() < 1.6 * base
    # A network that fits all but one point: that one doubles, the rest keep their size.
    losses = np.full(len(snap.data.X_train), 0.01)
    worst = 7
    losses[worst], losses[3] = 2.0, 1.0
    plot.set_point_losses(losses)
    sizes = plot.canvas.train_points.data["size"]
    assert sizes[worst] == pytest.approx(2 * base) and base < sizes[3] < 2 * base
    assert np.delete(sizes, [3, worst]) == pytest.approx(base)
    x, y = snap.data.X_train[worst]
    assert "loss 2" in plot._point_text(x, y)
    plot.set_point_losses(None)
    assert np.all(plot.canvas.train_points.data["size"] == base)
    plot.set_point_losses(np.ones(3))  # a stale array (other data): ignored
    assert np.all(plot.canvas.train_points.data["size"] == base)


def test_show_neuron_overlays_a_neuron_and_none_restores(plot, qtbot):
    snap = snapshot_of(Config(dataset="xor"))
    plot.show_snapshot(snap)
    grid = snap.neuron_grid
    picture = NeuronPicture("hidden layer 1, neuron 1", grid.xs, grid.ys,
                            grid.layers[0][..., 0], (-1.0, 1.0))
    plot.show_neuron(picture)
    assert plot.canvas.neuron_image.isVisible() and "hidden layer 1, neuron 1" in \
        plot.canvas.neuron_text.toPlainText()
    assert plot.canvas.neuron_image.image.shape[0] > len(grid.ys)  # smoothed, not blocky
    plot.show_neuron(None)
    assert not plot.canvas.neuron_image.isVisible() and not plot.canvas.neuron_text.isVisible()
    # Bound to a selection, the plot shows the neuron the selection says is hovered.
    selection = Selection()
    plot.bind(selection)
    selection.hover(picture)
    assert plot.canvas.neuron_image.isVisible()
    assert plot.canvas.colour_bar.getAxis("left").label.toPlainText().strip() == "neuron output"
    selection.hover(None)
    assert not plot.canvas.neuron_image.isVisible()
    assert plot.canvas.colour_bar.getAxis("left").label.toPlainText().strip() == \
        "network output"
    # A picture of a curve does not fit a plane: nothing is shown.
    selection.hover(NeuronPicture("x", grid.xs, None, grid.xs, (-1.0, 1.0)))
    assert not plot.canvas.neuron_curve.isVisible()


# ------------------------------------------------------------------ in the real window
@pytest.fixture
def window(qtbot, tmp_path):
    window = open_window(qtbot, settings_in(tmp_path),
                         config=Config(dataset="xor", n_samples=40))
    yield window
    close_window(window)


def test_added_points_reach_the_trainer(window, qtbot):
    plot = window.boundary_plot
    before = window.controller.latest
    plot.set_draw_target(1)
    plot.add_point(-3.0, 4.0)
    # The views have it (the controller holds a snapshot a moment before it hands it on).
    qtbot.waitUntil(lambda: plot._data is not None and plot._data.name == "custom",
                    timeout=TIMEOUT)
    snap = window.controller.latest
    assert snap.config.dataset == "custom" and snap.config.task == "binary"
    assert window.config.dataset == "custom"
    assert snap.run > before.run and snap.step == 0
    np.testing.assert_array_equal(snap.data.X_train[-1], [-3.0, 4.0])
    assert len(snap.data.X_train) == len(before.data.X_train) + 1
    np.testing.assert_array_equal(snap.data.X_test, before.data.X_test)
    assert len(snap.train_losses) == len(snap.data.X_train)
    assert "custom" in window.statusBar().currentMessage()
    assert "Custom data" in plot.legend_label.text()

    # Other settings keep the drawn data: a new activation rebuilds on them.
    window.apply_config(window.config.replace(activation="relu"))
    qtbot.waitUntil(lambda: window.controller.latest.config.activation == "relu",
                    timeout=TIMEOUT)
    assert window.controller.latest.data is snap.data
    # And so does training.
    window.controller.step(20)
    qtbot.waitUntil(lambda: window.controller.latest.step == 20, timeout=TIMEOUT)
    assert window.controller.latest.data is snap.data


def test_drawn_data_save_and_open_again(tmp_path):
    data = datasets.with_point(datasets.make("circle", n_samples=30, seed=2), [0.5, -0.5], 0)
    config = Config(dataset="custom", task="binary", hidden_layers=(3,),
                    features=("x1", "x2", "x1^2", "x2^2"))
    trainer = Trainer(config, data=data)
    trainer.step(15)
    path = tmp_path / "drawn.costscape"
    experiment.save(path, trainer)
    loaded = experiment.load(path)
    assert loaded.config == config and loaded.data.name == "custom"
    np.testing.assert_array_equal(loaded.data.X_train, data.X_train)
    np.testing.assert_array_equal(loaded.data.y_test, data.y_test)
    np.testing.assert_array_equal(loaded.network.params, trainer.network.params)
    loaded.step(5)
    trainer.step(5)
    np.testing.assert_array_equal(loaded.network.params, trainer.network.params)


def test_a_multiclass_snapshot_shows_its_class_colours_blended(plot):
    # The snapshot's outputs are read-only and laid out class by class in memory.
    snap = snapshot_of(Config(dataset="spiral3", n_samples=90, hidden_layers=(6,)))
    assert not snap.grid.values.flags.writeable
    plot.show_snapshot(snap)
    colours = np.array([style.hex_to_rgb(style.class_colour(k)) for k in range(3)])
    expected = model.multiclass_rgb(np.ascontiguousarray(snap.grid.values), colours,
                                    style.hex_to_rgb(style.BACKGROUND))
    np.testing.assert_array_equal(plot.canvas.rgb_image.image, expected)
