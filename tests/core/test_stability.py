"""Sharpness against the learning rate: the stability limits against the optimizers' own steps
on a quadratic, the largest eigenvalues against numpy.linalg.eigh of a Hessian built from
central differences of the gradient, and the divergence message of the "learning rate too
large" preset."""
import numpy as np
import pytest

from core import optimizers, presets, stability
from core.network import Network
from core.trainer import DivergenceError, Trainer

LARGE_RATE = "Learning rate too large: diverges"


def _grows(name, learning_rate, curvature, momentum, steps=4000):
    """Whether the optimizer's own steps on C(θ) = ½·λ·θ² (gradient λ·θ) grow."""
    settings = {"momentum": momentum} if name != "sgd" else {}
    opt = optimizers.get(name, learning_rate, **settings)
    theta = np.array([1.0])
    for _ in range(steps):
        opt.step(theta, curvature * theta)
        if not abs(theta[0]) < 1e6:
            return True
    return abs(theta[0]) > 1.0


@pytest.mark.parametrize("name,momentum", [("sgd", 0.0), ("momentum", 0.9), ("momentum", 0.5),
                                           ("nesterov", 0.9), ("nesterov", 0.3)])
@pytest.mark.parametrize("learning_rate", [0.03, 1.0])
def test_the_limit_is_where_the_optimizers_own_steps_start_to_grow(name, momentum,
                                                                    learning_rate):
    limit = stability.stability_limit(name, learning_rate, momentum)
    assert not _grows(name, learning_rate, 0.97 * limit.value, momentum)
    assert _grows(name, learning_rate, 1.03 * limit.value, momentum)
    assert limit.learning_rate_for(limit.value, learning_rate) == pytest.approx(learning_rate)


def test_adaptive_optimizers_and_no_rate_have_no_limit():
    for name in ("adam", "rmsprop", "adagrad"):
        assert stability.stability_limit(name, 0.1) is None
    assert stability.stability_limit("sgd", 0.0) is None
    assert stability.stability_limit("sgd", 0.5).formula == "2/η"


def _hessian_by_differences(net, X, y, loss, eps=1e-5):
    """The full Hessian from central differences of backpropagation's gradient, column by
    column (independent of the R-operator), symmetrized."""
    theta, n = net.params.copy(), net.n_params
    H = np.empty((n, n))
    try:
        for i in range(n):
            net.params[:] = theta
            net.params[i] += eps
            plus = net.gradient(X, y, loss).copy()
            net.params[i] -= 2 * eps
            H[:, i] = (plus - net.gradient(X, y, loss)) / (2 * eps)
    finally:
        net.params[:] = theta
    return 0.5 * (H + H.T)


def _saddle_network():
    """A small regression network whose Hessian's eigenvalue of largest size is negative."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2))
    y = np.sin(2 * X[:, :1])
    for seed in range(50):
        net = Network((2, 4, 1), "tanh", "linear", seed=seed)
        net.params[:] = np.random.default_rng(seed).normal(0, 2.0, net.n_params)
        values = np.linalg.eigvalsh(_hessian_by_differences(net, X, y, "mse"))
        if abs(values[0]) > abs(values[-1]) and values[-1] > 0:
            return net, X, y, values
    raise AssertionError("no saddle found")  # pragma: no cover - the seeds above have one


@pytest.mark.parametrize("k", [1, 2, 3])
def test_sharpness_is_the_largest_eigenvalue_even_beside_a_larger_negative_one(k):
    net, X, y, exact = _saddle_network()
    before = net.params.copy()
    pairs = stability.sharpness(net, X, y, "mse", k=k, tol=1e-8)
    np.testing.assert_array_equal(net.params, before)
    np.testing.assert_allclose(pairs.values, exact[::-1][:k], rtol=1e-6,
                               atol=1e-6 * abs(exact).max())
    H = _hessian_by_differences(net, X, y, "mse")
    for value, vector in zip(pairs.values, pairs.vectors):
        assert np.linalg.norm(vector) == pytest.approx(1.0)
        assert np.linalg.norm(H @ vector - value * vector) < 1e-4 * abs(exact).max()


def test_sharpness_of_a_positive_spectrum_takes_one_run():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(30, 2))
    y = (X[:, :1] > 0).astype(float)
    net = Network((2, 3, 1), "tanh", "sigmoid", seed=0)
    exact = np.linalg.eigvalsh(_hessian_by_differences(net, X, y, "bce"))
    assert exact[-1] > abs(exact[0])
    pairs = stability.sharpness(net, X, y, "bce", k=2, tol=1e-8)
    np.testing.assert_allclose(pairs.values, exact[::-1][:2], rtol=1e-6)
    assert pairs.values[0] >= pairs.values[1]


def test_the_large_learning_rate_preset_diverges_because_of_its_sharpness():
    config = presets.get(LARGE_RATE).config
    trainer = Trainer(config)
    start = trainer.network.params.copy()
    with pytest.raises(DivergenceError) as caught:
        trainer.step(10_000)
    message = str(caught.value)
    assert "λ_max = " in message and "2/η = 0.667" in message
    # It names the sharpness where the cost was lowest (here the start, before the first
    # step overshot), which is above 2/η, and a learning rate at which it would not be.
    assert "At step 0, where the cost was lowest, λ_max = " in message
    net = trainer.network.copy()
    net.params[:] = start
    pairs = stability.sharpness(net, trainer.inputs_train, trainer.targets_train, trainer.loss,
                                tol=1e-8)
    named = float(message.split("λ_max = ")[1].split()[0])
    assert named == pytest.approx(pairs.values[0], rel=2e-3) and named > 2 / 3.0
    safe = float(caught.value.hint.split("below ")[1].split()[0])
    assert safe == pytest.approx(2 / pairs.values[0], rel=2e-2)
    assert "smaller learning rate" in caught.value.hint


def test_the_sharpness_is_taken_where_the_cost_was_lowest():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(25, 2))
    y = X[:, :1] * X[:, 1:]
    net = Network((2, 4, 1), "tanh", "linear", seed=0)
    far = net.params + rng.normal(0, 30, net.n_params)  # a point of huge cost
    points = np.vstack([far, net.params, far * 2])
    index, found = stability.overshoot_along(net, X, y, "mse", points, "sgd", 50.0)
    assert index == 1
    assert found.curvature == pytest.approx(
        stability.sharpness(net, X, y, "mse", tol=1e-8).values[0], rel=2e-3)
    assert stability.overshoot_along(net, X, y, "mse", points, "sgd", 1e-6) is None
    assert stability.overshoot_along(net, X, y, "mse", points, "adam", 50.0) is None
    assert stability.overshoot_along(net, X, y, "mse", np.full((2, net.n_params), np.nan),
                                     "sgd", 50.0) is None


def test_no_sharpness_words_for_an_adaptive_optimizer_or_a_gentle_rate():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(20, 2))
    y = X[:, :1] - X[:, 1:]
    net = Network((2, 3, 1), "tanh", "linear", seed=0)
    assert stability.overshoot(net, X, y, "mse", "adam", 10.0) is None
    assert stability.overshoot(net, X, y, "mse", "sgd", 1e-4) is None
    found = stability.overshoot(net, X, y, "mse", "sgd", 100.0)
    assert found is not None and found.limit.value == pytest.approx(0.02)
    assert found.text().startswith(f"λ_max = {found.curvature:.3g} is above 2/η = 0.02")
