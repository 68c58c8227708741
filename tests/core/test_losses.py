"""Losses: registry, finite-difference gradients, hand-computed values, extremes, torch reference."""
import math

import numpy as np
import pytest

from core import activations, losses

NAMES = losses.names()
H = 1e-6
EPS = 1e-7
ALL_TASKS = {"regression", "binary", "multiclass"}

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(autouse=True)
def strict_numpy():
    # Overflow, division by zero and NaN-making operations fail the test; underflow to 0 is
    # exact in float64 and stays ignored, as numpy does by default.
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        yield


def away_from_kinks(rng, shape):
    """Signed values with |x| in (0.05, 0.9) or (1.25, 2.1): clear of the kinks at 0 and ±1."""
    size = rng.uniform(0.05, 0.9, shape) + 1.2 * rng.integers(0, 2, shape)
    return rng.choice([-1.0, 1.0], shape) * size


def valid_inputs(name, rng, n=6, k=3):
    """(y_true, y_pred) where the loss is smooth: probabilities in (0.05, 0.95), no clip active."""
    probabilities = rng.uniform(0.05, 0.95, (n, k))
    if name in ("bce", "hinge", "squared_hinge"):
        y = rng.integers(0, 2, (n, k)).astype(float)
        return y, (probabilities if name == "bce" else away_from_kinks(rng, (n, k)))
    if name == "cce":
        return np.eye(k)[rng.integers(0, k, n)], probabilities
    if name == "sparse_cce":
        return rng.integers(0, k, (n, 1)).astype(float), probabilities
    if name == "kl_div":
        y = rng.uniform(0.1, 1.0, (n, k))
        return y / y.sum(axis=1, keepdims=True), probabilities
    if name == "msle":
        return rng.uniform(0.0, 3.0, (n, k)), rng.uniform(0.1, 3.0, (n, k))
    y = rng.normal(size=(n, k))
    return y, y + away_from_kinks(rng, (n, k))  # clear of the mae and huber kinks


def test_registry_names_in_contract_order():
    assert NAMES == ["me", "mse", "mae", "rmse", "msle", "huber", "log_cosh", "bce", "cce",
                     "sparse_cce", "hinge", "squared_hinge", "kl_div"]


TASKS = {"me": {"regression"}, "msle": {"regression"}, "bce": {"binary"}, "hinge": {"binary"},
         "squared_hinge": {"binary"}, "cce": {"multiclass"}, "sparse_cce": {"multiclass"},
         "kl_div": {"multiclass"}}
PAIRED = {"bce": "sigmoid", "cce": "softmax", "sparse_cce": "softmax", "kl_div": "softmax",
          "hinge": "linear", "squared_hinge": "linear"}


@pytest.mark.parametrize("name", NAMES)
def test_attributes(name):
    loss = losses.get(name)
    assert loss.name == name
    assert isinstance(loss.display_name, str) and loss.display_name
    assert isinstance(loss.formula, str) and loss.formula
    assert isinstance(loss.tasks, frozenset) and loss.tasks == TASKS.get(name, ALL_TASKS)
    assert loss.output_activation == PAIRED.get(name)
    assert loss.output_activation is None or loss.output_activation in activations.names()
    assert loss.threshold == (0.0 if "hinge" in name else 0.5)
    assert loss.sparse is (name == "sparse_cce")
    assert loss.__doc__ and "Shapes" in loss.__doc__


def test_get_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as caught:
        losses.get("cross_entropy")
    assert isinstance(caught.value, KeyError)
    assert all(name in str(caught.value) for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name):
    loss = losses.get(name)
    y, p = valid_inputs(name, np.random.default_rng(0))
    numeric = np.empty_like(p)
    for index in np.ndindex(p.shape):
        step = np.zeros_like(p)
        step[index] = H
        numeric[index] = (loss.cost(y, p + step) - loss.cost(y, p - step)) / (2 * H)
    gradient = loss.gradient(y, p)
    assert gradient.shape == p.shape
    assert np.abs(gradient - numeric).max() / np.abs(numeric).max() < 1e-6


@pytest.mark.parametrize("name", NAMES)
def test_shapes_and_cost_is_mean_of_per_example(name):
    loss = losses.get(name)
    y, p = valid_inputs(name, np.random.default_rng(1), n=7, k=3)
    per_example, cost = loss.per_example(y, p), loss.cost(y, p)
    assert per_example.shape == (7,) and isinstance(cost, float)
    if name == "rmse":
        assert cost == pytest.approx(math.sqrt(losses.get("mse").cost(y, p)), rel=1e-12)
    else:
        assert cost == pytest.approx(per_example.mean(), rel=1e-12)
    assert loss.gradient(y, p).shape == p.shape


@pytest.mark.parametrize("name", [name for name in NAMES if name != "sparse_cce"])  # its labels: below
def test_one_column_vectors_are_accepted(name):
    """(n,) arrays read as one column; the gradient keeps y_pred's own shape."""
    loss = losses.get(name)
    y, p = valid_inputs(name, np.random.default_rng(2), k=1)
    assert loss.cost(y.ravel(), p.ravel()) == pytest.approx(loss.cost(y, p), rel=1e-12)
    assert loss.gradient(y.ravel(), p.ravel()).shape == (6,)


EXTREME_PRED = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 1e-12], [1 - 1e-12, 1e3, -1e3]])


@pytest.mark.parametrize("name", NAMES)
def test_finite_for_predictions_exactly_0_and_1_and_far_out(name):
    loss = losses.get(name)
    y, _ = valid_inputs(name, np.random.default_rng(3), n=3, k=3)
    for targets in (y, np.eye(3)):  # soft/random targets, and one-hot ones meeting ŷ = 0 or 1
        if name == "sparse_cce":
            targets = np.array([0.0, 1.0, 2.0])
        values = (loss.per_example(targets, EXTREME_PRED), loss.cost(targets, EXTREME_PRED),
                  loss.gradient(targets, EXTREME_PRED))
        assert all(np.isfinite(v).all() for v in values)


@pytest.mark.parametrize("name", ["bce", "cce", "sparse_cce", "kl_div", "msle"])
def test_gradient_is_zero_where_the_clip_is_active(name):
    loss = losses.get(name)
    y = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    p = np.array([[0.0, 0.5, 0.5], [0.3, 1e-9, 0.7]])  # ŷ below ε where y = 1
    if name == "sparse_cce":
        y = np.array([0.0, 1.0])
    gradient = loss.gradient(y, p)
    assert gradient[0, 0] == 0.0 and gradient[1, 1] == 0.0
    if name in ("bce", "cce", "sparse_cce"):  # these also clip ŷ = 1 to 1 − ε
        y = np.array([1.0]) if name == "sparse_cce" else np.array([[0.0, 1.0]])
        assert loss.gradient(y, np.array([[0.0, 1.0]]))[0, 1] == 0.0


def column(*values):
    return np.array(values, dtype=float)[:, None]


# (name, y_true, y_pred, per-example losses), worked out by hand with math, not with the code.
HAND_VALUES = [
    ("me", column(1, 2), column(0, 0), [1.0, 2.0]),
    ("me", column(1), column(3), [-2.0]),
    ("mse", np.array([[1.0, 2.0]]), np.array([[3.0, 2.0]]), [2.0]),
    ("mae", column(0, 0), column(1, -3), [1.0, 3.0]),
    ("rmse", column(0, 0), column(3, 4), [3.0, 4.0]),
    ("rmse", np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]), [math.sqrt(12.5)]),
    ("msle", column(3), column(1), [math.log(2) ** 2]),
    ("msle", column(math.e - 1), column(0), [(1 - math.log1p(EPS)) ** 2]),  # ŷ clipped to ε
    ("huber", column(0, 0, 0, 1), column(0.5, 2, -3, 0), [0.125, 1.5, 2.5, 0.5]),
    ("log_cosh", column(0, 0, 5), column(0, 1, 1005), [0.0, math.log(math.cosh(1)), 1000 - math.log(2)]),
    ("bce", column(1, 0, 1, 0), column(0.8, 0.8, 0, 0),
     [-math.log(0.8), -math.log(0.2), -math.log(EPS), -math.log(1 - EPS)]),
    ("bce", np.array([[1.0, 0.0]]), np.array([[0.8, 0.8]]), [(-math.log(0.8) - math.log(0.2)) / 2]),
    ("cce", np.array([[0.0, 1, 0], [1, 0, 0]]), np.array([[0.2, 0.7, 0.1], [0.0, 0.0, 1.0]]),
     [-math.log(0.7), -math.log(EPS)]),
    ("sparse_cce", np.array([1.0, 0.0]), np.array([[0.2, 0.7, 0.1], [0.0, 0.0, 1.0]]),
     [-math.log(0.7), -math.log(EPS)]),
    ("hinge", column(1, 0, 1, 0), column(0.3, 0.3, 2, -2), [0.7, 1.3, 0.0, 0.0]),
    ("hinge", column(1, -1), column(0.3, 0.3), [0.7, 1.3]),  # ±1 labels kept
    ("squared_hinge", column(1, 0, 1), column(0.3, 0.3, 2), [0.49, 1.69, 0.0]),
    ("kl_div", np.array([[0.5, 0.5]]), np.array([[0.25, 0.75]]), [0.5 * math.log(2) + 0.5 * math.log(2 / 3)]),
    ("kl_div", np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]]),
     [math.log(2) + EPS * math.log(EPS / 0.5)]),  # y clipped to ε too, as in Keras
]


@pytest.mark.parametrize("name, y_true, y_pred, expected", HAND_VALUES)
def test_hand_computed_values(name, y_true, y_pred, expected):
    np.testing.assert_allclose(losses.get(name).per_example(y_true, y_pred), expected, rtol=1e-12, atol=1e-15)


def test_hand_computed_gradients():
    y, p = column(1, 0), column(0.8, 0.25)
    np.testing.assert_allclose(losses.get("bce").gradient(y, p), column(-1 / 0.8, 1 / 0.75) / 2)
    np.testing.assert_allclose(losses.get("huber").gradient(column(0, 0), column(0.5, -3)), column(0.25, -0.5))
    np.testing.assert_allclose(losses.get("mse").gradient(column(1, 2), column(1, 4)), column(0, 2))
    np.testing.assert_allclose(losses.get("rmse").gradient(column(0, 0), column(3, 4)),
                               column(3, 4) / math.sqrt(12.5) / 2)
    assert not losses.get("rmse").gradient(column(1, 2), column(1, 2)).any()  # 0, not NaN, at a perfect fit


def test_me_is_unbounded_below():
    me, y = losses.get("me"), column(0, 1, 2)
    costs = [me.cost(y, np.full((3, 1), c)) for c in (0.0, 10.0, 1e3, 1e6, 1e12)]
    assert all(a > b for a, b in zip(costs, costs[1:]))
    assert costs[-1] < -1e11
    np.testing.assert_array_equal(me.gradient(y, np.zeros((3, 1))), np.full((3, 1), -1 / 3))


@pytest.mark.parametrize("name", ["hinge", "squared_hinge"])
def test_hinge_maps_0_1_labels_to_minus_1_plus_1(name):
    loss, rng = losses.get(name), np.random.default_rng(4)
    labels = rng.integers(0, 2, (8, 1)).astype(float)
    labels[:2] = [[0.0], [1.0]]  # both classes present
    signed, p = 2 * labels - 1, rng.normal(size=(8, 1))
    np.testing.assert_allclose(loss.per_example(labels, p), loss.per_example(signed, p))
    np.testing.assert_allclose(loss.gradient(labels, p), loss.gradient(signed, p))
    # All-zero labels are the negative class, not "score 0 wanted".
    np.testing.assert_allclose(loss.per_example(np.zeros((2, 1)), column(-2, 0.5)),
                               [0.0, 1.5 ** (2 if name == "squared_hinge" else 1)])


@pytest.mark.parametrize("label_shape", [(5,), (5, 1)])
def test_sparse_cce_takes_integer_labels_and_equals_cce(label_shape):
    rng = np.random.default_rng(5)
    labels = rng.integers(0, 4, 5)
    p = rng.dirichlet(np.ones(4), 5)
    sparse, cce = losses.get("sparse_cce"), losses.get("cce")
    for y in (labels.reshape(label_shape), labels.reshape(label_shape).astype(float)):
        np.testing.assert_allclose(sparse.per_example(y, p), cce.per_example(np.eye(4)[labels], p), rtol=1e-14)
        np.testing.assert_allclose(sparse.gradient(y, p), cce.gradient(np.eye(4)[labels], p), rtol=1e-14)


@pytest.mark.parametrize("bad", [np.array([0.0, 4.0]), np.array([0.5, 1.0]), np.array([-1.0, 0.0]),
                                 np.array([0.0, 1.0, 2.0])])
def test_sparse_cce_rejects_bad_labels(bad):
    with pytest.raises(ValueError):
        losses.get("sparse_cce").cost(bad, np.full((2, 4), 0.25))


def test_mismatched_shapes_are_rejected():
    with pytest.raises(ValueError, match="targets_for"):
        losses.get("cce").cost(column(0, 1), np.full((2, 3), 1 / 3))


def test_targets_for():
    y = column(2, 0, 1)
    one_hot = losses.targets_for("cce", y, "multiclass", 3)
    np.testing.assert_array_equal(one_hot, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert one_hot.dtype == np.float64
    np.testing.assert_array_equal(losses.targets_for(losses.get("mse"), y, "multiclass", 4)[0], [0, 0, 1, 0])
    assert losses.targets_for("sparse_cce", y, "multiclass", 3) is y
    for name in NAMES:
        assert losses.targets_for(name, y, "regression", 1) is y
        assert losses.targets_for(name, y, "binary", 2) is y
    with pytest.raises(ValueError):
        losses.targets_for("cce", column(0, 3), "multiclass", 3)


def torch_reference(name, torch, y, p):
    """Cost by a plain torch/Keras-style formula (no clipping needed: inputs are valid)."""
    F = torch.nn.functional
    signs = 2 * y - 1
    formulas = {
        "me": lambda: (y - p).mean(),
        "mse": lambda: F.mse_loss(p, y),
        "mae": lambda: F.l1_loss(p, y),
        "rmse": lambda: torch.sqrt(F.mse_loss(p, y)),
        "msle": lambda: F.mse_loss(torch.log1p(p), torch.log1p(y)),
        "huber": lambda: F.huber_loss(p, y, delta=1.0),
        "log_cosh": lambda: torch.log(torch.cosh(p - y)).mean(),
        "bce": lambda: F.binary_cross_entropy(p, y),
        "cce": lambda: -(y * torch.log(p)).sum(dim=1).mean(),
        "sparse_cce": lambda: F.nll_loss(torch.log(p), y.reshape(-1).long()),
        "hinge": lambda: torch.clamp(1 - signs * p, min=0).mean(),
        "squared_hinge": lambda: (torch.clamp(1 - signs * p, min=0) ** 2).mean(),
        "kl_div": lambda: F.kl_div(torch.log(p), y, reduction="batchmean"),
    }
    assert set(formulas) == set(NAMES)
    return formulas[name]()


@pytest.mark.parametrize("name", NAMES)
def test_cost_and_gradient_match_torch(name):
    torch = pytest.importorskip("torch")
    loss = losses.get(name)
    y, p = valid_inputs(name, np.random.default_rng(6), n=9, k=3)
    p_t = torch.tensor(p, requires_grad=True)
    cost = torch_reference(name, torch, torch.tensor(y), p_t)
    (gradient,) = torch.autograd.grad(cost, p_t)
    assert loss.cost(y, p) == pytest.approx(cost.item(), rel=1e-12)
    np.testing.assert_allclose(loss.gradient(y, p), gradient.numpy(), rtol=1e-10, atol=1e-15)
