"""Activations: registry, finite-difference derivatives, hand-computed values, torch reference."""
import math

import numpy as np
import pytest

from core import activations

NAMES = activations.names()
H = 1e-6  # central-difference step: truncation ~H², rounding ~1e-16/H, both far below the tolerance

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(autouse=True)
def strict_numpy():
    # Overflow, division by zero and NaN-making operations fail the test. Underflow stays
    # ignored (numpy's default): exp(-1000) -> 0 is the exact float64 answer, not a bug.
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        yield


def sample_z(name, rng, shape=(4, 3)):
    """Pre-activations for ``name`` at least 1e-2 away from kinks (0, and ties between maxout pieces)."""
    z = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(1e-2, 4.0, size=shape)
    if name == "maxout":
        first = z
        gap = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(1e-2, 2.0, size=shape)
        z = np.stack((first, first + gap), axis=-1)
    return z


def test_registry_names_in_contract_order():
    assert NAMES == ["linear", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu",
                     "softplus", "swish", "gelu", "mish", "sin", "gaussian", "softsign", "arctan",
                     "softmax", "prelu", "maxout"]


@pytest.mark.parametrize("name", NAMES)
def test_attributes(name):
    act = activations.get(name)
    assert act.name == name
    assert isinstance(act.display_name, str) and act.display_name
    assert isinstance(act.formula, str) and act.formula
    low, high = act.output_range
    assert isinstance(low, float) and isinstance(high, float) and low < high
    assert act.hidden_ok is (name != "softmax")
    assert act.learnable is (name in ("prelu", "maxout"))
    assert act.__doc__ and "Shapes" in act.__doc__


def test_get_unknown_name_lists_the_valid_ones():
    with pytest.raises(KeyError) as caught:
        activations.get("relu6")
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert "relu6" in message and all(name in message for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_central_differences(name):
    act, z = activations.get(name), sample_z(name, np.random.default_rng(0))
    if name == "maxout":  # d max / d piece j, one piece at a time
        numeric = np.stack([(act(z + H * e) - act(z - H * e)) / (2 * H) for e in np.eye(2)], axis=-1)
    elif name == "softmax":  # derivative() is the Jacobian's diagonal d a_j / d z_j
        numeric = np.empty_like(z)
        for j in range(z.shape[1]):
            step = np.zeros_like(z)
            step[:, j] = H
            numeric[:, j] = (act(z + step)[:, j] - act(z - step)[:, j]) / (2 * H)
    else:  # elementwise: every output depends on its own input only
        numeric = (act(z + H) - act(z - H)) / (2 * H)
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_backward_is_the_vector_jacobian_product(name):
    """backward(z, a, g) = d(Σ g·f(z))/dz, checked element by element (the full Jacobian for softmax)."""
    rng = np.random.default_rng(1)
    act, z = activations.get(name), sample_z(name, rng)
    a = act(z)
    g = rng.normal(size=a.shape)
    numeric = np.empty_like(z)
    for index in np.ndindex(z.shape):
        step = np.zeros_like(z)
        step[index] = H
        numeric[index] = ((g * act(z + step)).sum() - (g * act(z - step)).sum()) / (2 * H)
    grad_z = act.backward(z, a, g)
    assert grad_z.shape == z.shape
    np.testing.assert_allclose(grad_z, numeric, rtol=1e-6, atol=1e-9)


def test_softmax_jacobian():
    softmax = activations.get("softmax")
    z = np.random.default_rng(2).normal(size=(1, 4))
    a = softmax(z)[0]
    numeric = np.empty((4, 4))  # numeric[i, j] = d a_i / d z_j
    for j in range(4):
        step = np.zeros_like(z)
        step[0, j] = H
        numeric[:, j] = (softmax(z + step)[0] - softmax(z - step)[0]) / (2 * H)
    np.testing.assert_allclose(numeric, np.diag(a) - np.outer(a, a), atol=1e-9)
    np.testing.assert_allclose(softmax(z + 1000.0), softmax(z), rtol=1e-12)  # shift invariant


def test_prelu_per_neuron_slopes_and_slope_derivative():
    prelu, rng = activations.get("prelu"), np.random.default_rng(3)
    z, slope = sample_z("prelu", rng), np.array([0.25, -0.5, 2.0])  # one slope per column
    np.testing.assert_allclose(prelu(z, slope), np.where(z > 0, z, z * slope))
    np.testing.assert_allclose(prelu.derivative(z, slope),
                               (prelu(z + H, slope) - prelu(z - H, slope)) / (2 * H), rtol=1e-6)
    np.testing.assert_allclose(prelu.slope_derivative(z),
                               (prelu(z, slope + H) - prelu(z, slope - H)) / (2 * H), atol=1e-9)
    g = rng.normal(size=z.shape)
    np.testing.assert_allclose(prelu.backward(z, prelu(z, slope), g, slope), g * prelu.derivative(z, slope))
    np.testing.assert_array_equal(prelu(np.array([-2.0, 3.0])), [-0.5, 3.0])  # default slope 0.25
    np.testing.assert_array_equal(prelu.slope_derivative(np.array([-2.0, 0.0, 3.0])), [-2.0, 0.0, 0.0])


def test_maxout_picks_the_larger_piece_and_ties_go_to_piece_0():
    maxout = activations.get("maxout")
    z = np.array([[[1.0, 3.0], [2.0, -1.0], [0.5, 0.5]]])  # (n=1, neurons=3, pieces=2)
    np.testing.assert_array_equal(maxout(z), [[3.0, 2.0, 0.5]])
    np.testing.assert_array_equal(maxout.derivative(z), [[[0, 1], [1, 0], [1, 0]]])
    np.testing.assert_array_equal(maxout.backward(z, maxout(z), np.array([[5.0, 6.0, 7.0]])),
                                  [[[0, 5], [6, 0], [7, 0]]])


LN2, LN3 = math.log(2), math.log(3)
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805

# (name, z, f(z), f'(z)), worked out by hand: e.g. σ(ln 3) = 3/4, tanh(ln 2) = 0.6,
# mish(ln 3) = ln 3·tanh(ln 4) = ln 3·15/17. None where the derivative is not checked here.
HAND_VALUES = [
    ("linear", -2.5, -2.5, 1.0),
    ("step", -1.0, 0.0, 0.0), ("step", 0.0, 0.0, 0.0), ("step", 2.0, 1.0, 0.0),
    ("sigmoid", 0.0, 0.5, 0.25), ("sigmoid", LN3, 0.75, 0.1875), ("sigmoid", -LN3, 0.25, 0.1875),
    ("tanh", 0.0, 0.0, 1.0), ("tanh", LN2, 0.6, 0.64),
    ("relu", -3.0, 0.0, 0.0), ("relu", 2.5, 2.5, 1.0),
    ("leaky_relu", -2.0, -0.02, 0.01), ("leaky_relu", 2.0, 2.0, 1.0),
    ("elu", -LN2, -0.5, 0.5), ("elu", 3.0, 3.0, 1.0),
    ("selu", 1.0, SELU_SCALE, SELU_SCALE), ("selu", -LN2, -0.5 * SELU_ALPHA * SELU_SCALE,
                                            0.5 * SELU_ALPHA * SELU_SCALE),
    ("selu", -50.0, -1.7580993408473766, 0.0),
    ("softplus", 0.0, LN2, 0.5), ("softplus", LN3, math.log(4), 0.75),
    ("swish", 0.0, 0.0, 0.5), ("swish", LN3, 0.75 * LN3, 0.75 + LN3 * 0.75 * 0.25),
    ("gelu", 0.0, 0.0, 0.5), ("gelu", 1.0, 0.8411919906082768, None),
    ("mish", 0.0, 0.0, 0.6), ("mish", LN3, LN3 * 15 / 17, None),
    ("sin", math.pi / 6, 0.5, math.sqrt(3) / 2),
    ("gaussian", 0.0, 1.0, 0.0), ("gaussian", 1.0, 1 / math.e, -2 / math.e),
    ("softsign", 3.0, 0.75, 1 / 16), ("softsign", -1.0, -0.5, 0.25),
    ("arctan", 1.0, math.pi / 4, 0.5),
]


@pytest.mark.parametrize("name, z, value, slope", HAND_VALUES)
def test_hand_computed_values(name, z, value, slope):
    act = activations.get(name)
    assert act(np.array([z]))[0] == pytest.approx(value, rel=1e-12, abs=1e-15)
    if slope is not None:
        assert act.derivative(np.array([z]))[0] == pytest.approx(slope, rel=1e-12, abs=1e-15)


def test_softmax_hand_values():
    a = activations.get("softmax")(np.array([[0.0, LN2, LN3], [1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(a, [[1 / 6, 2 / 6, 3 / 6], [0.5, 0.5, 0.0]], rtol=1e-12, atol=1e-300)


def extreme_z(name):
    """Every z in [-1e3, 1e3] on a grid, plus the ends, 0 and tiny values, shaped for ``name``."""
    z = np.concatenate([np.linspace(-1e3, 1e3, 2001), np.linspace(-10, 10, 2001),
                        [-1e3, 1e3, 0.0, 1e-300, -1e-300]])
    if name == "softmax":
        return np.stack((z, np.zeros_like(z), -z), axis=1)
    if name == "maxout":
        return np.stack((z, z[::-1]), axis=-1)
    return z


@pytest.mark.parametrize("name", NAMES)
def test_finite_at_extremes_and_inside_output_range(name):
    act, z = activations.get(name), extreme_z(name)
    a, d = act(z), act.derivative(z)
    g = np.ones_like(a)
    assert np.isfinite(a).all() and np.isfinite(d).all() and np.isfinite(act.backward(z, a, g)).all()
    low, high = act.output_range
    assert a.min() >= low and a.max() <= high
    # The range is tight: finite ends are (nearly) reached on this grid.
    if np.isfinite(low):
        assert a.min() - low < 0.01
    if np.isfinite(high):
        assert high - a.max() < 0.01


def torch_reference(name, torch):
    F = torch.nn.functional
    return {
        "linear": lambda t: t * 1.0, "step": lambda t: (t > 0).double(),
        "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu, "leaky_relu": F.leaky_relu,
        "elu": F.elu, "selu": F.selu, "softplus": F.softplus, "swish": F.silu,
        "gelu": lambda t: F.gelu(t, approximate="tanh"), "mish": F.mish, "sin": torch.sin,
        "gaussian": lambda t: torch.exp(-t * t), "softsign": F.softsign, "arctan": torch.atan,
        "softmax": lambda t: torch.softmax(t, dim=-1),
        "prelu": lambda t: F.prelu(t, torch.full((t.shape[1],), 0.25, dtype=torch.float64)),
        "maxout": lambda t: t.amax(dim=-1),
    }[name]


@pytest.mark.parametrize("name", NAMES)
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    act, rng = activations.get(name), np.random.default_rng(4)
    z = np.concatenate([sample_z(name, rng, (40, 3)), 30 * sample_z(name, rng, (10, 3))])
    extremes = np.array([[-1e3, 1e3, -50.0], [50.0, -20.5, 20.5]])
    z = np.concatenate([z, extremes[..., None] + [0.0, 1.0] if name == "maxout" else extremes])
    t = torch.tensor(z, dtype=torch.float64, requires_grad=name != "step")
    out = torch_reference(name, torch)(t)
    # PyTorch's softplus returns z itself above z = 20 (slope 1): off by e^-z < 3e-9 there.
    rtol = 1e-8 if name == "softplus" else 1e-12
    np.testing.assert_allclose(act(z), out.detach().numpy(), rtol=rtol, atol=1e-14)
    if name != "step":  # torch's step has no gradient; ours is 0, checked by hand above
        g = rng.normal(size=out.shape)
        (expected,) = torch.autograd.grad(out, t, torch.tensor(g))
        np.testing.assert_allclose(act.backward(z, act(z), g), expected.numpy(), rtol=rtol, atol=1e-14)


def test_prelu_slope_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    prelu, rng = activations.get("prelu"), np.random.default_rng(5)
    z, slope, g = rng.normal(size=(8, 3)), np.array([0.25, 0.1, -0.3]), rng.normal(size=(8, 3))
    weight = torch.tensor(slope, requires_grad=True)
    out = torch.nn.functional.prelu(torch.tensor(z), weight)
    np.testing.assert_allclose(prelu(z, slope), out.detach().numpy(), rtol=1e-12)
    (expected,) = torch.autograd.grad(out, weight, torch.tensor(g))
    np.testing.assert_allclose((g * prelu.slope_derivative(z)).sum(axis=0), expected.numpy(), rtol=1e-10)
