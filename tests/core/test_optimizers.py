"""Optimizers: each minimizes a quadratic; first steps match hand-worked values and torch.optim."""
import numpy as np
import pytest

from core import optimizers

A = np.diag([1.0, 10.0])


def quadratic_gradient(theta):
    return A @ theta  # of f(θ) = ½ θᵀ A θ, minimum at 0


@pytest.mark.parametrize("name", optimizers.names())
def test_minimizes_a_quadratic(name):
    lr = {"sgd": 0.05, "momentum": 0.02, "nesterov": 0.02, "adagrad": 0.5, "rmsprop": 0.02,
          "adam": 0.05}[name]
    opt = optimizers.get(name, learning_rate=lr)
    theta = np.array([3.0, -2.0])
    for _ in range(1000):
        opt.step(theta, quadratic_gradient(theta))
    assert np.abs(theta).max() < 0.05


def test_hand_worked_first_steps():
    g = np.array([2.0, -0.5])
    theta = np.zeros(2)
    optimizers.get("sgd", 0.1).step(theta, g)
    np.testing.assert_allclose(theta, [-0.2, 0.05])
    # Adam's first bias-corrected step is lr·g/(|g| + ε) ≈ lr·sign(g).
    theta = np.zeros(2)
    optimizers.get("adam", 0.1).step(theta, g)
    np.testing.assert_allclose(theta, [-0.1, 0.1], rtol=1e-6)
    # Momentum: v = g, then v = 0.9 g + g.
    theta, opt = np.zeros(2), optimizers.get("momentum", 0.1)
    opt.step(theta, g)
    opt.step(theta, g)
    np.testing.assert_allclose(theta, -0.1 * (g + 1.9 * g))


@pytest.mark.parametrize("name,torch_name,kwargs,torch_kwargs", [
    ("sgd", "SGD", {}, {}),
    ("momentum", "SGD", {"momentum": 0.8}, {"momentum": 0.8}),
    ("nesterov", "SGD", {"momentum": 0.8}, {"momentum": 0.8, "nesterov": True}),
    ("adagrad", "Adagrad", {}, {"eps": 1e-10}),
    ("rmsprop", "RMSprop", {"rho": 0.9}, {"alpha": 0.9, "eps": 1e-8}),
    ("adam", "Adam", {"beta1": 0.8, "beta2": 0.99}, {"betas": (0.8, 0.99), "eps": 1e-8}),
])
def test_matches_torch_optim(name, torch_name, kwargs, torch_kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    theta = rng.normal(size=5)
    t = torch.tensor(theta.copy(), requires_grad=True)
    ours = optimizers.get(name, 0.05, **kwargs)
    theirs = getattr(torch.optim, torch_name)([t], lr=0.05, **torch_kwargs)
    for _ in range(20):
        g = np.sin(theta) + theta ** 3  # any smooth gradient field
        ours.step(theta, g)
        t.grad = torch.sin(t.detach()) + t.detach() ** 3
        theirs.step()
    np.testing.assert_allclose(theta, t.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_reset_and_state_round_trip():
    opt = optimizers.get("adam", 0.1)
    theta = np.ones(3)
    opt.step(theta, np.ones(3))
    state = opt.state_dict()
    twin = optimizers.get("adam", 0.1)
    twin.load_state_dict(state)
    a, b = theta.copy(), theta.copy()
    opt.step(a, np.ones(3))
    twin.step(b, np.ones(3))
    np.testing.assert_array_equal(a, b)
    opt.reset()
    assert opt.t == 0 and opt.state_dict() == {"t": 0}


def test_unknown_names_are_clear():
    with pytest.raises(ValueError, match="adam"):
        optimizers.get("adamw")
    with pytest.raises(TypeError, match="momentum"):
        optimizers.get("sgd", 0.1, momentum=0.9)
