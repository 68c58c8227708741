"""Curvature: Hessian-vector products against central differences of the gradient and against
torch's double backward; eigenvalues against numpy.linalg.eigh; the line interpolation."""
import numpy as np
import pytest

from core import activations, curvature, losses, second_derivatives
from core.backprop import LossInsteadOfDerivative
from core.landscape import Cancelled
from core.network import Network

HIDDEN = [name for name in activations.names() if activations.get(name).hidden_ok]
TASK_OUTPUT = {"regression": "linear", "binary": "sigmoid", "multiclass": "softmax"}


def _data(task, n=24, d=2, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    if task == "regression":
        return X, np.sin(X[:, :1]) + 0.3 * rng.normal(size=(n, 1))
    if task == "binary":
        return X, (np.sin(3.0 * X[:, :1]) * X[:, -1:] > 0).astype(float)
    return X, rng.integers(0, k, (n, 1)).astype(float)


def _targets(loss, y, task, k=3):
    return losses.targets_for(losses.get(loss), y, task, k)


def _network(sizes, hidden, output, seed=1, scale=0.4):
    """A network away from its initial weights (biases and slopes not all equal)."""
    net = Network(sizes, hidden, output, seed=seed)
    net.params += scale * np.random.default_rng(seed + 100).normal(size=net.n_params)
    return net


def _gradient_difference(net, X, y, loss, v, l1=0.0, l2=0.0, eps=1e-5):
    """(∇C(θ + εv) − ∇C(θ − εv)) / 2ε: the reference H·v, from backpropagation alone."""
    theta = net.params.copy()
    try:
        net.params[:] = theta + eps * v
        plus = net.gradient(X, y, loss, l1, l2).copy()
        net.params[:] = theta - eps * v
        minus = net.gradient(X, y, loss, l1, l2).copy()
    finally:
        net.params[:] = theta
    return (plus - minus) / (2.0 * eps)


def _relative(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


def _assert_matches_differences(net, X, y, loss, l1=0.0, l2=0.0, seed=0, tol=1e-6):
    v = np.random.default_rng(seed).normal(size=net.n_params)
    before = net.params.copy()
    hv = curvature.hessian_vector_product(net, X, y, loss, v, l1=l1, l2=l2)
    np.testing.assert_array_equal(net.params, before)
    reference = _gradient_difference(net, X, y, loss, v, l1, l2)
    assert np.linalg.norm(reference) > 0
    assert _relative(hv, reference) < tol


# ----------------------------------------------------------------- products against differences
@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize("output,loss,task", [("sigmoid", "bce", "binary"),
                                              ("linear", "mse", "regression")])
def test_products_equal_differences_of_the_gradient_for_every_hidden_activation(
        activation, output, loss, task):
    X, y = _data(task)
    net = _network((2, 5, 3, 1), activation, output)
    _assert_matches_differences(net, X, y, loss)


@pytest.mark.parametrize("loss", losses.names())
def test_products_equal_differences_of_the_gradient_for_every_loss(loss):
    task = next(t for t in ("binary", "multiclass", "regression") if t in losses.get(loss).tasks)
    k = 3 if task == "multiclass" else 1
    output = losses.get(loss).output_activation or TASK_OUTPUT[task]
    if loss == "msle":
        output = "softplus"  # positive predictions, away from MSLE's clip at 0
    X, y = _data(task)
    net = _network((2, 4, k), "tanh", output, seed=4)
    _assert_matches_differences(net, X, _targets(loss, y, task), loss)


@pytest.mark.parametrize("output,loss,task", [
    ("softmax", "mse", "multiclass"),       # softmax without the fused delta
    ("softmax", "kl_div", "multiclass"),
    ("softmax", "cce", "multiclass"),       # fused
    ("softmax", "sparse_cce", "multiclass"),
    ("sigmoid", "sparse_cce", "multiclass"),  # sparse_cce without the fused delta
    ("tanh", "bce", "binary"),              # bce without the fused delta
    ("prelu", "mse", "regression"),
    ("maxout", "huber", "regression"),
    ("gelu", "rmse", "regression"),
    ("sigmoid", "squared_hinge", "binary"),
])
def test_products_for_other_output_layers(output, loss, task):
    k = 3 if task == "multiclass" else 1
    X, y = _data(task, seed=2)
    net = _network((2, 4, 3, k), "swish", output, seed=5, scale=0.2)
    _assert_matches_differences(net, X, _targets(loss, y, task), loss)


@pytest.mark.parametrize("sizes,hidden", [((2, 1), "tanh"), ((3, 6, 1), "prelu"),
                                          ((2, 4, 4, 4, 1), "maxout"), ((1, 7, 2, 1), "elu"),
                                          ((4, 3, 5, 1), "mish")])
def test_products_for_several_network_shapes(sizes, hidden):
    X, y = _data("binary", d=sizes[0], seed=3)
    net = _network(sizes, hidden, "sigmoid", seed=6)
    _assert_matches_differences(net, X, y, "bce")


@pytest.mark.parametrize("l1,l2", [(0.0, 0.1), (0.05, 0.0), (0.02, 0.3)])
def test_regularization_l2_curves_and_l1_does_not(l1, l2):
    X, y = _data("regression")
    net = _network((2, 5, 1), "prelu", "linear")
    _assert_matches_differences(net, X, y, "mse", l1=l1, l2=l2)
    v = np.random.default_rng(1).normal(size=net.n_params)
    plain = curvature.hessian_vector_product(net, X, y, "mse", v)
    regularized = curvature.hessian_vector_product(net, X, y, "mse", v, l1=l1, l2=l2)
    np.testing.assert_allclose(regularized - plain, l2 * v * net.layout.weight_mask, atol=1e-14)


def test_a_stack_of_directions_gives_each_product():
    X, y = _data("multiclass")
    net = _network((2, 5, 3), "tanh", "softmax")
    y = _targets("cce", y, "multiclass")
    V = np.random.default_rng(0).normal(size=(4, net.n_params))
    operator = curvature.HessianOperator(net, X, y, "cce")
    stacked = operator(V)
    np.testing.assert_allclose(stacked, [operator(v) for v in V], rtol=1e-13, atol=1e-15)
    assert operator.n_products == 8


@pytest.mark.parametrize("hidden,output,loss", [("tanh", "sigmoid", "bce"),
                                                ("maxout", "linear", "log_cosh"),
                                                ("prelu", "sigmoid", "mse")])
def test_the_hessian_built_from_products_is_symmetric(hidden, output, loss):
    X, y = _data("binary")
    net = _network((2, 4, 3, 1), hidden, output)
    H = curvature.HessianOperator(net, X, y, loss, l2=0.01)(np.eye(net.n_params))
    assert np.abs(H - H.T).max() <= 1e-12 * np.abs(H).max()


def test_the_mistaken_loss_has_the_curvature_of_its_cost():
    X, y = _data("binary")
    net = _network((2, 4, 1), "sigmoid", "sigmoid")
    v = np.random.default_rng(0).normal(size=net.n_params)
    np.testing.assert_array_equal(
        curvature.hessian_vector_product(net, X, y, LossInsteadOfDerivative("mse"), v),
        curvature.hessian_vector_product(net, X, y, "mse", v))


# ------------------------------------------------------------------------------ torch reference
def _torch_activations(torch):
    F = torch.nn.functional
    return {
        "linear": lambda z: z, "step": lambda z: (z > 0).double(), "sigmoid": torch.sigmoid,
        "tanh": torch.tanh, "relu": F.relu, "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
        "elu": F.elu, "selu": F.selu, "softplus": F.softplus, "swish": F.silu,
        "gelu": lambda z: F.gelu(z, approximate="tanh"), "mish": F.mish, "sin": torch.sin,
        "gaussian": lambda z: torch.exp(-z * z), "softsign": F.softsign, "arctan": torch.atan,
    }


def _torch_cost(torch, net, theta, X, y, loss):
    """The network and the cost written in torch from the parameter vector ``theta``."""
    F, elementwise = torch.nn.functional, _torch_activations(torch)
    a = torch.as_tensor(X)
    for layer, act in enumerate(net.layer_activations):
        def block(kind):
            b = net.layout.block(kind, layer)
            return theta[b.start:b.stop].reshape(b.shape)
        z = a @ block("W") + block("b")
        if act.name == "maxout":
            a = torch.maximum(z, a @ block("W'") + block("b'"))
        elif act.name == "prelu":
            a = torch.where(z > 0, z, block("slope") * z)
        elif act.name == "softmax":
            logits = z
            a = torch.softmax(z, dim=1)
        else:
            a = elementwise[act.name](z)
    target = torch.as_tensor(y)
    if loss == "mse":
        return torch.mean((a - target) ** 2)
    if loss == "bce":
        return F.binary_cross_entropy(a, target)
    return F.cross_entropy(logits, target)  # cce on one-hot targets, from the logits


def _torch_hvp(net, X, y, loss, v):
    """H·v by torch's autograd, differentiating its own gradient (double backward)."""
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)  # tiny products: threads only wait for one another
    theta = torch.tensor(net.params, requires_grad=True)
    cost = _torch_cost(torch, net, theta, X, y, loss)
    (grad,) = torch.autograd.grad(cost, theta, create_graph=True)
    (hv,) = torch.autograd.grad(grad @ torch.as_tensor(v), theta)
    return hv.numpy()


@pytest.mark.parametrize("activation", HIDDEN)
def test_products_equal_torch_double_backward(activation):
    X, y = _data("binary", seed=7)
    net = _network((2, 5, 3, 1), activation, "sigmoid", seed=8)
    v = np.random.default_rng(9).normal(size=net.n_params)
    for loss in ("bce", "mse"):
        ours = curvature.hessian_vector_product(net, X, y, loss, v)
        assert _relative(ours, _torch_hvp(net, X, y, loss, v)) < 1e-10, loss


def test_softmax_cross_entropy_equals_torch_double_backward():
    X, y = _data("multiclass", seed=10)
    y = _targets("cce", y, "multiclass")
    net = _network((2, 6, 3), "tanh", "softmax", seed=11)
    v = np.random.default_rng(12).normal(size=net.n_params)
    ours = curvature.hessian_vector_product(net, X, y, "cce", v)
    assert _relative(ours, _torch_hvp(net, X, y, "cce", v)) < 1e-10


# ------------------------------------------------------------------------------- second derivatives
def test_every_activation_and_loss_has_a_second_derivative():
    for name in activations.names():
        assert (name in second_derivatives.ACTIVATIONS) != (name in second_derivatives.STRUCTURED)


@pytest.mark.parametrize("name", sorted(second_derivatives.ACTIVATIONS))
def test_activation_second_derivatives_equal_differences_of_the_first(name):
    act = activations.get(name)
    z = np.random.default_rng(0).uniform(-3, 3, 200)
    z = z[np.abs(z) > 1e-3]  # away from the kinks at 0
    eps = 1e-6
    reference = (act.derivative(z + eps) - act.derivative(z - eps)) / (2 * eps)
    np.testing.assert_allclose(second_derivatives.activation_second_derivative(act, z), reference,
                               rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", losses.names())
def test_loss_hessians_equal_differences_of_the_loss_gradient(name):
    loss = losses.get(name)
    rng = np.random.default_rng(1)
    n, k = 12, (3 if "multiclass" in loss.tasks else 2)
    if "multiclass" in loss.tasks:  # probabilities, rows summing to 1
        p = rng.dirichlet(np.ones(k), n)
        labels = rng.integers(0, k, n)
        y = labels[:, None].astype(float) if loss.sparse else np.eye(k)[labels]
    else:
        p = rng.uniform(0.1, 0.9, (n, k)) if name == "bce" else rng.normal(1.0, 0.8, (n, k))
        y = rng.integers(0, 2, (n, k)).astype(float) if "binary" in loss.tasks else \
            rng.uniform(0.0, 2.0, (n, k))
    p = np.abs(p) if name == "msle" else p
    r = rng.normal(size=(n, k))
    eps = 1e-6
    reference = (loss.gradient(y, p + eps * r) - loss.gradient(y, p - eps * r)) / (2 * eps)
    np.testing.assert_allclose(second_derivatives.LossHessian(loss, y, p)(r), reference,
                               rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------------------------- eigenpairs
@pytest.mark.parametrize("sizes,hidden,output,loss,k", [
    ((2, 4, 1), "tanh", "sigmoid", "bce", 1),
    ((2, 4, 3, 1), "swish", "linear", "mse", 2),
    ((2, 3, 1), "maxout", "sigmoid", "mse", 3),
    ((3, 4, 1), "prelu", "sigmoid", "bce", 2),
])
def test_eigs_equal_eigh_of_the_full_hessian(sizes, hidden, output, loss, k):
    X, y = _data("binary", d=sizes[0], seed=13)
    net = _network(sizes, hidden, output, seed=14)
    columns = [curvature.hessian_vector_product(net, X, y, loss, e, l2=0.01)
               for e in np.eye(net.n_params)]
    H = np.column_stack(columns)
    w, U = np.linalg.eigh(0.5 * (H + H.T))
    order = np.argsort(-np.abs(w))[:k]
    before = net.params.copy()
    values, vectors = curvature.hessian_eigs(net, X, y, loss, k=k, l2=0.01)
    np.testing.assert_array_equal(net.params, before)
    np.testing.assert_allclose(values, w[order], rtol=1e-9, atol=1e-12 * np.abs(w).max())
    assert vectors.shape == (k, net.n_params)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.abs(np.sum(vectors * U[:, order].T, axis=1)), 1.0, atol=1e-6)


def _operator(matrix):
    return lambda V: V @ matrix


def _symmetric(eigenvalues, seed=0):
    Q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(len(eigenvalues),) * 2))
    return (Q * eigenvalues) @ Q.T, Q


def test_a_negative_eigenvalue_counts_by_its_magnitude():
    A, Q = _symmetric(np.r_[-9.0, 4.0, 2.0, np.linspace(-1, 1, 37)])
    pairs = curvature.top_eigenpairs(_operator(A), 40, k=2)
    np.testing.assert_allclose(pairs.values, [-9.0, 4.0], rtol=1e-10)
    np.testing.assert_allclose(np.abs(pairs.vectors @ Q[:, :2]), np.eye(2), atol=1e-6)
    assert pairs.converged and pairs.n_products < 40


def test_a_double_eigenvalue_is_found_twice():
    A, _ = _symmetric(np.r_[5.0, 5.0, 1.0, np.linspace(-0.5, 0.5, 27)], seed=1)
    pairs = curvature.top_eigenpairs(_operator(A), 30, k=2)
    np.testing.assert_allclose(pairs.values, [5.0, 5.0], rtol=1e-10)
    np.testing.assert_allclose(pairs.vectors @ pairs.vectors.T, np.eye(2), atol=1e-10)


@pytest.mark.parametrize("matrix", [np.zeros((6, 6)), np.outer(np.arange(6.0), np.arange(6.0))])
def test_an_operator_of_low_rank_stops_when_its_subspace_is_exhausted(matrix):
    pairs = curvature.top_eigenpairs(_operator(matrix), 6, k=2)
    w = np.linalg.eigvalsh(matrix)
    np.testing.assert_allclose(pairs.values, w[np.argsort(-np.abs(w))][:2], atol=1e-12)
    assert pairs.converged


def test_a_step_network_has_no_curvature():
    X, y = _data("binary")
    net = _network((2, 3, 1), "step", "step")
    values, vectors = curvature.hessian_eigs(net, X, y, "mse", k=2)
    np.testing.assert_array_equal(values, 0.0)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0)


def test_eigs_can_be_cancelled_and_check_their_arguments():
    A, _ = _symmetric(np.linspace(1, 2, 10))
    with pytest.raises(Cancelled):
        curvature.top_eigenpairs(_operator(A), 10, should_stop=lambda: True)
    with pytest.raises(ValueError):
        curvature.top_eigenpairs(_operator(A), 10, k=11)
    budget = curvature.top_eigenpairs(_operator(A), 10, k=1, tol=1e-15, max_products=3)
    assert budget.n_products <= 3 and not budget.converged


def test_the_same_seed_gives_the_same_eigenvectors():
    X, y = _data("binary")
    net = _network((2, 4, 1), "tanh", "sigmoid")
    first = curvature.hessian_eigs(net, X, y, "bce", seed=3)
    np.testing.assert_array_equal(first[1], curvature.hessian_eigs(net, X, y, "bce", seed=3)[1])
    assert np.all(first[1][np.arange(2), np.argmax(np.abs(first[1]), axis=1)] > 0)


# ---------------------------------------------------------------------------------- interpolation
@pytest.mark.parametrize("hidden,output,loss,task,l1,l2", [
    ("tanh", "sigmoid", "bce", "binary", 0.0, 0.0),
    ("relu", "linear", "mse", "regression", 0.01, 0.0),
    ("maxout", "softmax", "cce", "multiclass", 0.0, 0.05),
    ("prelu", "linear", "rmse", "regression", 0.0, 0.0),
    ("gelu", "softmax", "sparse_cce", "multiclass", 0.0, 0.0),
])
def test_interpolation_passes_through_both_ends_exactly(hidden, output, loss, task, l1, l2):
    X, y = _data(task, n=30)
    k = 3 if task == "multiclass" else 1
    y = _targets(loss, y, task)
    net = _network((2, 6, 4, k), hidden, output, seed=15)
    theta_a = net.params.copy()
    theta_b = theta_a + np.random.default_rng(16).normal(size=net.n_params)
    alphas = np.linspace(-0.5, 1.5, 201)
    costs = curvature.interpolate(net, X, y, loss, theta_a, theta_b, alphas, l1=l1, l2=l2)
    np.testing.assert_array_equal(net.params, theta_a)
    reference = []
    for alpha in alphas:
        twin = net.copy()
        twin.params[:] = theta_a + alpha * (theta_b - theta_a)
        reference.append(twin.cost(X, y, loss, l1, l2))
        if alpha in (0.0, 1.0):
            assert costs[alphas == alpha][0] == reference[-1]
    np.testing.assert_allclose(costs, reference, rtol=2e-6)


def test_interpolation_without_the_ends_and_bad_arguments():
    X, y = _data("binary")
    net = _network((2, 3, 1), "tanh", "sigmoid")
    a, b = net.params.copy(), net.params + 1.0
    costs = curvature.interpolate(net, X, y, "bce", a, b, [0.25, 0.5])
    assert costs.shape == (2,) and np.all(np.isfinite(costs))
    assert curvature.interpolate(net, X, y, "bce", a, b, []).shape == (0,)
    with pytest.raises(ValueError):
        curvature.interpolate(net, X, y, "bce", a[:-1], b, [0.5])
    with pytest.raises(ValueError):
        curvature.interpolate(net, X, y, "bce", a, b, [[0.5]])
