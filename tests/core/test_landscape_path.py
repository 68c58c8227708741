"""The path in weight space: path_costs equals the network's own cost point by point, the start →
now plane holds the start and the current point at their real costs, and degenerate planes are
recognized and replaced."""
import numpy as np
import pytest

from core import activations, landscape, losses
from core.config import Config
from core.network import Network
from core.trainer import Trainer
from sample_targets import targets

HIDDEN = [name for name in activations.names() if activations.get(name).hidden_ok]


def loop_costs(net, X, y, loss, points, l1=0.0, l2=0.0):
    """The definition, one point at a time, by the network itself."""
    twin = net.copy()
    costs = []
    for p in points:
        twin.params[:] = p
        costs.append(twin.cost(X, y, loss, l1, l2))
    return np.array(costs)


def wandering_path(net, rng, m):
    """m points around the network's weights, every parameter moved."""
    return net.params + np.cumsum(rng.normal(0, 0.2, (m, net.n_params)), axis=0)


# ------------------------------------------------------------------------------ path_costs
@pytest.mark.parametrize("activation", HIDDEN)
def test_path_costs_equal_the_loop_for_every_activation(activation):
    rng = np.random.default_rng(HIDDEN.index(activation))
    net = Network((3, 5, 4, 1), activation, "sigmoid", seed=1)
    X, y = rng.normal(size=(23, 3)), targets("bce", 23, 1, rng)
    points = wandering_path(net, rng, 9)
    before = net.params.copy()
    costs = landscape.path_costs(net, X, y, "bce", points)
    assert costs.shape == (9,) and costs.dtype == np.float64
    np.testing.assert_allclose(costs, loop_costs(net, X, y, "bce", points), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_array_equal(net.params, before)  # the network is as it was


@pytest.mark.parametrize("loss_name", losses.names())
def test_path_costs_equal_the_loop_for_every_loss(loss_name):
    rng = np.random.default_rng(len(loss_name))
    loss = losses.get(loss_name)
    k = 3 if "multiclass" in loss.tasks and loss_name not in ("mse", "mae") else 2
    output = loss.output_activation or ("softmax" if loss.tasks == {"multiclass"} else "linear")
    if loss_name == "msle":
        output = "softplus"
    net = Network((2, 6, k), "maxout" if k == 3 else "prelu", output, seed=2)
    X, y = rng.normal(size=(19, 2)), targets(loss_name, 19, k, rng)
    points = wandering_path(net, rng, 5)
    np.testing.assert_allclose(landscape.path_costs(net, X, y, loss, points),
                               loop_costs(net, X, y, loss, points), rtol=1e-10, atol=1e-12)


def test_path_costs_with_regularization_chunks_and_float32():
    rng = np.random.default_rng(5)
    net = Network((2, 7, 7, 1), "tanh", "sigmoid", seed=0)
    X, y = rng.normal(size=(300, 2)), targets("bce", 300, 1, rng)
    points = wandering_path(net, rng, 120)  # several chunks of points
    for l1, l2 in ((0.01, 0.0), (0.0, 0.1)):
        exact = loop_costs(net, X, y, "bce", points, l1, l2)
        costs = landscape.path_costs(net, X, y, "bce", points, l1=l1, l2=l2,
                                     include_regularization=True)
        np.testing.assert_allclose(costs, exact, rtol=1e-10)
        # Without include_regularization the rates are ignored: the data cost only.
        np.testing.assert_allclose(landscape.path_costs(net, X, y, "bce", points, l1=l1, l2=l2),
                                   loop_costs(net, X, y, "bce", points), rtol=1e-10)
        single = landscape.path_costs(net, X, y, "bce", points, l1=l1, l2=l2,
                                      include_regularization=True, dtype=np.float32)
        np.testing.assert_allclose(single, exact, rtol=1e-5)


def test_path_costs_refuse_bad_shapes():
    net = Network((2, 3, 1), "tanh", "sigmoid", seed=0)
    X, y = np.zeros((5, 2)), np.zeros((5, 1))
    with pytest.raises(ValueError, match="points"):
        landscape.path_costs(net, X, y, "bce", np.zeros((3, net.n_params + 1)))
    with pytest.raises(ValueError, match="X must be"):
        landscape.path_costs(net, np.zeros((5, 3)), y, "bce", np.zeros((3, net.n_params)))
    assert landscape.path_costs(net, X, y, "bce", np.zeros((0, net.n_params))).shape == (0,)


# ------------------------------------------------------------------------- the start → now plane
def trained_path(steps=200, **config):
    trainer = Trainer(Config(dataset="xor", hidden_layers=(4,), loss="bce", learning_rate=0.3,
                             seed=0, **config))
    trainer.step(steps)
    return trainer, trainer.path_points()


def test_start_and_now_lie_on_the_plane_at_their_real_costs():
    trainer, path = trained_path(regularization="l2", reg_rate=0.01)
    net = trainer.network.copy()
    d1, d2, bend = landscape.start_now_directions(path, net)
    np.testing.assert_array_equal(d1, path[-1] - path[0])
    assert abs(d1 @ d2) < 1e-9 * (d1 @ d1)
    assert np.linalg.norm(d2) == pytest.approx(np.linalg.norm(d1))
    assert bend > 0  # a trained path bends
    X, y, loss = trainer.inputs_train, trainer.targets_train, trainer.loss
    net.params[:] = path[0]
    Z = landscape.surface(net, X, y, loss, d1, d2, [0.0, 1.0], [0.0], l1=trainer.l1,
                          l2=trainer.l2, include_regularization=True)
    real = landscape.path_costs(net, X, y, loss, path[[0, -1]], l1=trainer.l1, l2=trainer.l2,
                                include_regularization=True)
    np.testing.assert_allclose(Z[0], real, rtol=0, atol=1e-9)
    assert real[1] == pytest.approx(trainer.metrics()["train_cost"], abs=1e-12)
    # The bend is the path's: every point lies closer to this plane than to the line alone.
    coords = landscape.project(path, path[0], d1, d2)
    back = path[0] + coords @ np.vstack([d1, d2])
    off_plane = np.linalg.norm(back - path, axis=1)
    u = d1 / np.linalg.norm(d1)
    off_line = np.linalg.norm((path - path[0]) - np.outer((path - path[0]) @ u, u), axis=1)
    assert np.all(off_plane <= off_line + 1e-12) and off_plane.max() < off_line.max()
    # The point farthest from the line is on the positive side of the second axis.
    assert coords[np.argmax(off_line), 1] > 0


def test_a_straight_path_gets_a_random_orthogonal_second_direction():
    net = Network((2, 4, 1), "tanh", "sigmoid", seed=0)
    line = net.params + np.outer(np.linspace(0, 1, 6), np.arange(net.n_params) / 10)
    d1, d2, bend = landscape.start_now_directions(line, net, seed=3)
    assert bend == 0.0
    assert abs(d1 @ d2) < 1e-9 * (d1 @ d1)
    assert np.linalg.norm(d2) == pytest.approx(np.linalg.norm(d1))
    again = landscape.start_now_directions(line, net, seed=3)[1]
    np.testing.assert_array_equal(d2, again)  # the seed fixes it
    # Zero weights have no filters to scale by: still a direction, orthogonal to d1.
    zero = Network((2, 4, 1), "tanh", "sigmoid", init="zeros")
    d1, d2, _ = landscape.start_now_directions(line - net.params, zero)
    assert np.linalg.norm(d2) > 0 and abs(d1 @ d2) < 1e-9 * (d1 @ d1)


def test_a_path_that_has_not_moved_has_no_start_now_plane():
    with pytest.raises(ValueError, match="equals the first"):
        landscape.start_now_directions(np.ones((5, 4)))
    with pytest.raises(ValueError, match="at least 2"):
        landscape.start_now_directions(np.ones((1, 4)))


def test_degenerate_planes_are_recognized_and_a_fallback_always_exists():
    zero = Network((2, 3, 1), "tanh", "sigmoid", init="zeros")
    d1, d2 = landscape.random_directions(zero, seed=0)
    assert not landscape.spans_plane(d1, d2)  # filter-normalized by zero weights: nothing
    assert not landscape.spans_plane([1.0, 2.0], [2.0, 4.0])  # parallel
    assert not landscape.spans_plane([1.0, np.nan], [0.0, 1.0])
    assert landscape.spans_plane([1.0, 0.0], [1.0, 1e-3])
    u, v = landscape.orthonormal_directions(zero.n_params, seed=1)
    assert landscape.spans_plane(u, v)
    assert np.linalg.norm(u) == pytest.approx(1) and abs(u @ v) < 1e-12
    np.testing.assert_array_equal(u, landscape.orthonormal_directions(zero.n_params, seed=1)[0])
