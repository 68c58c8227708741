"""Network: parameter layout, finite-difference gradients for every activation/loss, torch reference."""
import numpy as np
import pytest

from core import activations, losses
from core.network import Network
from sample_targets import targets

HIDDEN = [name for name in activations.names() if activations.get(name).hidden_ok]


def numeric_gradient(net, X, y, loss, l1=0.0, l2=0.0, eps=1e-6):
    """Central differences of the cost over every parameter, in float64."""
    grad = np.empty_like(net.params)
    for i in range(net.n_params):
        old = net.params[i]
        net.params[i] = old + eps
        plus = net.cost(X, y, loss, l1, l2)
        net.params[i] = old - eps
        minus = net.cost(X, y, loss, l1, l2)
        net.params[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def assert_gradient_matches(net, X, y, loss, l1=0.0, l2=0.0):
    before = net.params.copy()
    cost, grad = net.cost_and_gradient(X, y, loss, l1, l2)
    np.testing.assert_array_equal(net.params, before)
    assert cost == pytest.approx(net.cost(X, y, loss, l1, l2), rel=1e-12)
    expected = numeric_gradient(net, X, y, loss, l1, l2)
    scale = max(np.abs(expected).max(), 1e-8)
    assert np.abs(grad - expected).max() / scale < 1e-6, (grad, expected)


def test_params_are_views_in_documented_order():
    net = Network((2, 3, 1), "tanh", "sigmoid", seed=1)
    assert net.n_params == 2 * 3 + 3 + 3 * 1 + 1
    np.testing.assert_array_equal(net.params[:6], net.weights[0].ravel())
    np.testing.assert_array_equal(net.params[6:9], net.biases[0])
    np.testing.assert_array_equal(net.params[9:12], net.weights[1].ravel())
    net.params[6] = 42.0
    assert net.biases[0][0] == 42.0
    net.weights[1][2, 0] = -7.0
    assert net.params[11] == -7.0
    assert net.describe() == "2 → 3 → 1"


def test_forward_is_x_at_w_plus_b():
    net = Network((2, 3, 2), "relu", "linear", seed=3)
    X = np.array([[1.0, -2.0], [0.5, 0.25]])
    hidden = np.maximum(0, X @ net.weights[0] + net.biases[0])
    np.testing.assert_allclose(net.predict(X), hidden @ net.weights[1] + net.biases[1])


@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize("reg", [(0.0, 0.0), (0.01, 0.0), (0.0, 0.1)])
def test_gradient_every_hidden_activation(activation, reg):
    rng = np.random.default_rng(7)
    net = Network((3, 4, 3, 2), activation, "linear", seed=11)
    X = rng.normal(size=(6, 3))
    assert_gradient_matches(net, X, rng.normal(size=(6, 2)), "mse", *reg)


@pytest.mark.parametrize("loss_name", losses.names())
def test_gradient_every_loss_with_its_output_activation(loss_name):
    rng = np.random.default_rng(5)
    loss = losses.get(loss_name)
    task = "multiclass" if "multiclass" in loss.tasks else sorted(loss.tasks)[0]
    out = loss.output_activation or {"regression": "linear", "binary": "sigmoid",
                                     "multiclass": "softmax"}[task]
    k = 3 if task == "multiclass" else 1
    if loss_name == "msle":
        out = "softplus"  # keeps predictions positive, away from the clip at 0
    net = Network((2, 5, k), "tanh", out, seed=2)
    X = rng.normal(size=(8, 2))
    assert_gradient_matches(net, X, targets(loss_name, 8, k, rng), loss)


@pytest.mark.parametrize("output", ["sigmoid", "tanh", "softmax", "prelu", "maxout", "linear"])
@pytest.mark.parametrize("loss_name", ["mse", "huber", "log_cosh"])
def test_gradient_output_activations(output, loss_name):
    rng = np.random.default_rng(9)
    net = Network((2, 4, 3), "elu", output, seed=4)
    X = rng.normal(size=(5, 2))
    assert_gradient_matches(net, X, rng.normal(size=(5, 3)), loss_name, 0.001, 0.01)


def test_learnable_activation_parameters_live_in_params():
    net = Network((2, 3, 1), "prelu", "sigmoid")
    slopes = net.block("slope", 0)
    assert [b.label for b in net.blocks] == ["W1", "b1", "slope1", "W2", "b2"]  # from 1
    assert [b.layer for b in net.blocks] == [0, 0, 0, 1, 1]  # the code's layer index
    np.testing.assert_array_equal(slopes, 0.25)
    net = Network((2, 3, 1), "maxout", "sigmoid")
    assert [b.kind for b in net.blocks] == ["W", "b", "W'", "b'", "W", "b"]
    assert net.block("W'", 0).shape == (2, 3)


def test_fused_bce_gradient_equals_chain_rule():
    rng = np.random.default_rng(0)
    net = Network((2, 3, 1), "tanh", "sigmoid", seed=0)
    X, y = rng.normal(size=(10, 2)), rng.integers(0, 2, size=(10, 1)).astype(float)
    _, fused = net.cost_and_gradient(X, y, "bce")
    hidden = np.tanh(X @ net.weights[0] + net.biases[0])
    p = 1 / (1 + np.exp(-(hidden @ net.weights[1] + net.biases[1])))
    dz = (-(y / p) + (1 - y) / (1 - p)) / len(y) * p * (1 - p)
    np.testing.assert_allclose(fused[9:12], (hidden.T @ dz).ravel(), rtol=1e-10)


@pytest.mark.parametrize("output, loss_name", [("sigmoid", "bce"), ("linear", "mse")])
def test_a_target_vector_is_one_column(output, loss_name):
    rng = np.random.default_rng(1)
    net = Network((2, 3, 1), "tanh", output, seed=0)
    X, y = rng.normal(size=(7, 2)), rng.integers(0, 2, size=7).astype(float)
    cost, grad = net.cost_and_gradient(X, y, loss_name)
    cost_2d, grad_2d = net.cost_and_gradient(X, y[:, None], loss_name)
    assert cost == cost_2d
    np.testing.assert_array_equal(grad, grad_2d)


def test_sparse_labels_are_checked_on_the_fused_path_too():
    net = Network((2, 3), "tanh", "softmax", seed=0)
    X = np.zeros((2, 2))
    for bad in ([[0], [-1.0]], [[0], [1.5]], [[0], [3]], [0]):
        with pytest.raises(ValueError, match="integer class labels"):
            net.gradient(X, bad, "sparse_cce")


def test_saturated_sigmoid_bce_stays_finite():
    net = Network((1, 1), "tanh", "sigmoid")
    net.params[:] = [1000.0, 0.0]
    cost, grad = net.cost_and_gradient(np.array([[1.0], [-1.0]]), np.array([[0.0], [1.0]]), "bce")
    assert np.isfinite(cost) and np.isfinite(grad).all()
    # Both examples are confidently wrong; the fused gradient (p − y)·x / n stays at full
    # strength, pushing the weight down, where the clipped chain rule would give ~0.
    assert grad[0] == pytest.approx(1.0)


def test_zero_init_keeps_neurons_identical():
    rng = np.random.default_rng(1)
    net = Network((2, 4, 1), "sigmoid", "sigmoid", init="zeros")
    X, y = rng.normal(size=(20, 2)), rng.integers(0, 2, size=(20, 1)).astype(float)
    for _ in range(50):
        _, grad = net.cost_and_gradient(X, y, "bce")
        net.params -= 0.5 * grad
    assert np.allclose(net.weights[0], net.weights[0][:, :1])  # every column the same


@pytest.mark.parametrize("init", ["xavier", "he", "uniform"])
def test_init_scales(init):
    net = Network((100, 200, 1), init=init, seed=0)
    w = net.weights[0]
    expected_std = {"xavier": np.sqrt(2 / 300), "he": np.sqrt(2 / 100), "uniform": 1 / np.sqrt(12)}
    assert w.std() == pytest.approx(expected_std[init], rel=0.05)
    assert np.all(net.biases[0] == (0.1 if init == "uniform" else 0.0))


def test_matches_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    for hidden, out, loss_name, k in [("tanh", "sigmoid", "bce", 1), ("relu", "softmax", "cce", 3),
                                      ("gelu", "linear", "huber", 2)]:
        net = Network((2, 5, 4, k), hidden, out, seed=8)
        X = rng.normal(size=(7, 2))
        y = targets(loss_name, 7, k, rng)
        cost, grad = net.cost_and_gradient(X, y, loss_name, l2=0.1)
        tensors = [torch.tensor(w, requires_grad=True) for pair in zip(net.weights, net.biases)
                   for w in pair]
        a = torch.tensor(X)
        acts = {"tanh": torch.tanh, "relu": torch.relu,
                "gelu": lambda t: torch.nn.functional.gelu(t, approximate="tanh")}
        for i in range(3):
            z = a @ tensors[2 * i] + tensors[2 * i + 1]
            a = acts[hidden](z) if i < 2 else z
        yt = torch.tensor(y)
        if loss_name == "bce":
            data_cost = torch.nn.functional.binary_cross_entropy_with_logits(a, yt)
        elif loss_name == "cce":
            data_cost = torch.nn.functional.cross_entropy(a, yt.argmax(1))
        else:
            data_cost = torch.nn.functional.huber_loss(a, yt, delta=1.0)
        total = data_cost + 0.05 * sum((t ** 2).sum() for t in tensors[0::2])
        total.backward()
        expected = torch.cat([t.grad.reshape(-1) for t in tensors]).numpy()
        assert cost == pytest.approx(total.item(), rel=1e-10)
        np.testing.assert_allclose(grad, expected, rtol=1e-8, atol=1e-12)
