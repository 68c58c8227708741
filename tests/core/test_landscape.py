"""Error surface: equal to the naive loop for every activation and loss, network untouched,
filter-normalized and single-weight directions, PCA of a path, projection round trips."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import activations, landscape, losses
from core.landscape import kernels
from core.config import Config
from core.network import Network
from core.trainer import Trainer
from sample_targets import targets

HIDDEN = [name for name in activations.names() if activations.get(name).hidden_ok]
ALPHAS = np.linspace(-1.5, 1.0, 5)
BETAS = np.linspace(-0.8, 1.2, 4)  # not square: catches a transposed result


def naive_surface(net, X, y, loss, d1, d2, alphas, betas, l1=0.0, l2=0.0):
    """The definition, on a copy: Z[j, i] = cost(params + alphas[i]·d1 + betas[j]·d2)."""
    twin = net.copy()
    Z = np.empty((len(betas), len(alphas)))
    for j, b in enumerate(betas):
        for i, a in enumerate(alphas):
            twin.params[:] = net.params + a * d1 + b * d2
            Z[j, i] = twin.cost(X, y, loss, l1, l2)
    return Z


def random_plane(net, rng):
    """Filter-normalized directions plus some bias/slope/b' entries (Li et al. leave them 0)."""
    d1, d2 = landscape.random_directions(net, seed=int(rng.integers(1000)))
    for block in net.blocks:
        if block.kind not in ("W", "W'"):
            d1[block.start:block.stop] = rng.normal(0, 0.3, block.stop - block.start)
            d2[block.start:block.stop] = rng.normal(0, 0.3, block.stop - block.start)
    return d1, d2


def assert_surface_matches(net, X, y, loss, d1, d2, methods=("fast", "general", "loop"), **kw):
    before = net.params.copy()
    params_object = net.params
    expected = naive_surface(net, X, y, loss, d1, d2, ALPHAS, BETAS)
    for method in methods:
        Z = landscape.surface(net, X, y, loss, d1, d2, ALPHAS, BETAS, method=method, **kw)
        assert Z.shape == (len(BETAS), len(ALPHAS))
        np.testing.assert_allclose(Z, expected, rtol=1e-6, atol=1e-12, err_msg=method)
        # The network is exactly as it was: same values, same array (the views still valid).
        np.testing.assert_array_equal(net.params, before)
        assert net.params is params_object and np.shares_memory(net.weights[0], net.params)


# --------------------------------------------------------------------------------- surface
@pytest.mark.parametrize("activation", HIDDEN)
def test_every_hidden_activation_matches_the_loop(activation):
    rng = np.random.default_rng(HIDDEN.index(activation))
    net = Network((3, 5, 4, 1), activation, "sigmoid", seed=1)
    net.params += rng.normal(0, 0.3, net.n_params)  # prelu slopes, biases away from their init
    X, y = rng.normal(size=(23, 3)), targets("bce", 23, 1, rng)
    # chunk_elements=60 makes several chunks and a partial last one.
    assert_surface_matches(net, X, y, "bce", *random_plane(net, rng), chunk_elements=60)


@pytest.mark.parametrize("loss_name", losses.names())
def test_every_loss_matches_the_loop(loss_name):
    rng = np.random.default_rng(len(loss_name))
    loss = losses.get(loss_name)
    k = 3 if "multiclass" in loss.tasks and loss_name not in ("mse", "mae") else 2
    output = loss.output_activation or ("softmax" if loss.tasks == {"multiclass"} else "linear")
    if loss_name == "msle":
        output = "softplus"
    net = Network((2, 6, k), "tanh", output, seed=2)
    X, y = rng.normal(size=(19, 2)), targets(loss_name, 19, k, rng)
    assert_surface_matches(net, X, y, loss, *random_plane(net, rng), chunk_elements=50)


@pytest.mark.parametrize("activation,output", [("prelu", "softmax"), ("maxout", "sigmoid"),
                                               ("relu", "maxout"), ("maxout", "prelu")])
def test_single_weight_planes_in_every_block_match_the_loop(activation, output):
    """Planes that start at a deep layer exercise the cached lower layers and the linear one."""
    rng = np.random.default_rng(7)
    k = 3 if output == "softmax" else 1
    loss = "cce" if output == "softmax" else "mse"
    net = Network((2, 4, 3, k), activation, output, seed=3)
    net.params += rng.normal(0, 0.3, net.n_params)
    X, y = rng.normal(size=(17, 2)), targets(loss, 17, k, rng)
    for block in net.blocks:  # e.g. slope1[1] with slope1[last], W'2[1→1] with W'2[last]
        i, j = block.start, block.stop - 1 if block.stop - 1 > block.start else 0
        d1, d2 = landscape.weight_directions(net, i, j)
        assert_surface_matches(net, X, y, loss, 3 * d1, 3 * d2, methods=("fast", "general"))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=3), st.sampled_from(HIDDEN),
       st.sampled_from(["mse", "bce", "cce", "rmse", "hinge"]), st.integers(0, 2**32 - 1))
def test_random_networks_match_the_loop(hidden, activation, loss_name, seed):
    rng = np.random.default_rng(seed)
    k = 3 if loss_name == "cce" else 1
    output = {"bce": "sigmoid", "cce": "softmax"}.get(loss_name, "linear")
    net = Network((2, *hidden, k), activation, output, seed=seed % 1000)
    X, y = rng.normal(size=(11, 2)), targets(loss_name, 11, k, rng)
    d1, d2 = random_plane(net, rng)
    if rng.random() < 0.5:  # a plane that starts above the first layer
        deep = landscape.param_index(net, "W", len(net.weights) - 1, 0, 0)
        d1[:deep], d2[:deep] = 0.0, 0.0
    assert_surface_matches(net, X, y, loss_name, d1, d2, methods=("fast",),
                           chunk_elements=int(rng.integers(1, 400)))


def test_element_j_i_is_alpha_i_beta_j():
    rng = np.random.default_rng(0)
    net = Network((2, 3, 1), "tanh", "sigmoid", seed=0)
    X, y = rng.normal(size=(10, 2)), targets("bce", 10, 1, rng)
    d1, d2 = landscape.random_directions(net, seed=1)
    alphas, betas = np.array([-1.0, 0.0, 0.5]), np.array([0.25, 2.0])
    Z = landscape.surface(net, X, y, "bce", d1, d2, alphas, betas)
    twin = net.copy()
    twin.params[:] = net.params + alphas[2] * d1 + betas[1] * d2
    assert Z[1, 2] == pytest.approx(twin.cost(X, y, "bce"), rel=1e-12)
    twin.params[:] = net.params + alphas[1] * d1 + betas[0] * d2
    assert Z[0, 1] == pytest.approx(twin.cost(X, y, "bce"), rel=1e-12)


def test_regularization_only_when_asked():
    rng = np.random.default_rng(1)
    net = Network((2, 4, 1), "relu", "sigmoid", seed=0)
    X, y = rng.normal(size=(15, 2)), targets("bce", 15, 1, rng)
    d1, d2 = random_plane(net, rng)
    data_only = landscape.surface(net, X, y, "bce", d1, d2, ALPHAS, BETAS, l1=0.1, l2=0.2)
    np.testing.assert_allclose(data_only, naive_surface(net, X, y, "bce", d1, d2, ALPHAS, BETAS),
                               rtol=1e-12)
    for method in ("fast", "loop"):
        Z = landscape.surface(net, X, y, "bce", d1, d2, ALPHAS, BETAS, method=method,
                              include_regularization=True, l1=0.03, l2=0.2)
        expected = naive_surface(net, X, y, "bce", d1, d2, ALPHAS, BETAS, l1=0.03, l2=0.2)
        np.testing.assert_allclose(Z, expected, rtol=1e-10)


def test_float32_is_close_enough_for_a_picture():
    """float32 tolerance: within 1e-4 of the surface's range (it is ~1e-6 in practice)."""
    rng = np.random.default_rng(2)
    for activation in ("tanh", "relu", "gelu", "maxout"):
        net = Network((2, 8, 8, 1), activation, "sigmoid", seed=0)
        X = rng.uniform(-6, 6, (200, 2))
        y = (X[:, :1] * X[:, 1:] > 0).astype(float)
        d1, d2 = landscape.random_directions(net, seed=0)
        exact = landscape.surface(net, X, y, "bce", d1, d2, ALPHAS, BETAS)
        Z = landscape.surface(net, X, y, "bce", d1, d2, ALPHAS, BETAS, dtype=np.float32)
        assert Z.dtype == np.float64
        assert np.abs(Z - exact).max() <= 1e-4 * np.ptp(exact), activation


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_float64_kernels_by_exp_equal_the_activations_to_rounding(name):
    """The fast path's float64 tanh and sigmoid (by exp, which numpy vectorizes) are within a
    few units of rounding (absolute) of np.tanh and of the logistic function, exactly ±1 / 0
    at the ends, NaN for NaN, and warn of nothing where e^z overflows."""
    z = np.concatenate([np.linspace(-40, 40, 100_001), [-1e308, -800.0, -355.0, -1e-300, 0.0,
                                                        1e-300, 355.0, 800.0, 1e308]])
    if name == "tanh":
        reference = np.tanh(z)
    else:
        with np.errstate(over="ignore"):
            reference = np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))),
                                 np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        got = kernels._IN_PLACE[name](z.copy())
    np.testing.assert_allclose(got, reference, rtol=0, atol=4e-16)
    low = -1.0 if name == "tanh" else 0.0
    assert got[-1] == got[-2] == 1.0 and got[-9] == got[-8] == low
    special = kernels._IN_PLACE[name](np.array([np.nan, np.inf, -np.inf]))
    assert np.isnan(special[0]) and special[1] == 1.0 and special[2] == low
    # float32 keeps numpy's own (vectorized) tanh.
    z32 = np.linspace(-9, 9, 1001, dtype=np.float32)
    expected = np.tanh(z32) if name == "tanh" else 0.5 * np.tanh(0.5 * z32) + 0.5
    np.testing.assert_allclose(kernels._IN_PLACE[name](z32.copy()), expected, atol=2e-7)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_float64_surface_agrees_with_the_network_to_1e12(activation):
    """What interpolate promises: float64 costs within about 1e-12 of Network.cost."""
    rng = np.random.default_rng(5)
    net = Network((2, 8, 8, 1), activation, "sigmoid", seed=3)
    X = rng.uniform(-3, 3, (120, 2))
    y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    d1, d2 = random_plane(net, rng)
    Z = landscape.surface(net, X, y, "bce", d1, d2, ALPHAS, BETAS)
    np.testing.assert_allclose(Z, naive_surface(net, X, y, "bce", d1, d2, ALPHAS, BETAS),
                               rtol=1e-12)


def test_chunking_and_threads_do_not_change_the_result():
    rng = np.random.default_rng(3)
    net = Network((2, 6, 5, 1), "tanh", "sigmoid", seed=0)
    X, y = rng.normal(size=(31, 2)), targets("bce", 31, 1, rng)
    d1, d2 = landscape.random_directions(net, seed=0)
    alphas = np.linspace(-1, 1, 13)
    reference = landscape.surface(net, X, y, "bce", d1, d2, alphas, alphas)
    for chunk, workers in ((1, 1), (200, 1), (1000, 2), (10**9, 2)):
        Z = landscape.surface(net, X, y, "bce", d1, d2, alphas, alphas, chunk_elements=chunk,
                              workers=workers)
        np.testing.assert_allclose(Z, reference, rtol=1e-13)


def test_products_cut_into_blas_sized_blocks_give_the_same_surface(monkeypatch):
    rng = np.random.default_rng(8)
    net = Network((3, 7, 6, 2), "maxout", "softmax", seed=0)
    X, y = rng.normal(size=(29, 3)), targets("cce", 29, 2, rng)
    d1, d2 = random_plane(net, rng)
    reference = landscape.surface(net, X, y, "cce", d1, d2, ALPHAS, BETAS)
    monkeypatch.setattr(kernels, "BLAS_CALL_SIZE", 40)  # blocks of a few columns + leftovers
    Z = landscape.surface(net, X, y, "cce", d1, d2, ALPHAS, BETAS, chunk_elements=500)
    np.testing.assert_allclose(Z, reference, rtol=1e-13)
    for a_shape, b_shape in (((4, 3), (2, 3, 23)), ((2, 5, 4), (2, 4, 17)), ((2, 3), (3, 9))):
        a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
        out = np.empty(np.broadcast_shapes(a_shape[:-2], b_shape[:-2]) + (a_shape[-2], b_shape[-1]))
        np.testing.assert_allclose(kernels._matmul_small(a, b, out), a @ b, rtol=1e-13)


def test_a_plane_that_moves_nothing_is_flat():
    rng = np.random.default_rng(4)
    net = Network((2, 3, 1), "tanh", "sigmoid", seed=0)
    X, y = rng.normal(size=(9, 2)), targets("bce", 9, 1, rng)
    zero = np.zeros(net.n_params)
    Z = landscape.surface(net, X, y, "bce", zero, zero, ALPHAS, BETAS)
    np.testing.assert_allclose(Z, net.cost(X, y, "bce"), rtol=1e-12)


@pytest.mark.parametrize("method", landscape.METHODS)
def test_should_stop_cancels_between_chunks_and_leaves_the_network(method):
    rng = np.random.default_rng(9)
    net = Network((2, 5, 1), "tanh", "sigmoid", seed=0)
    X, y = rng.normal(size=(17, 2)), targets("bce", 17, 1, rng)
    d1, d2 = landscape.random_directions(net, seed=0)
    before = net.params.copy()
    asked = []

    def stop_after_three():
        asked.append(1)
        return len(asked) > 3

    grid = np.linspace(-1, 1, 12)
    with pytest.raises(landscape.Cancelled):
        # chunks of 2 points (fast, general) or rows (loop): many chances to stop
        landscape.surface(net, X, y, "bce", d1, d2, grid, grid, method=method,
                          chunk_elements=2 * 17 * 5, should_stop=stop_after_three)
    assert len(asked) == 4  # it stopped at the first "yes", not at the end of the grid
    np.testing.assert_array_equal(net.params, before)
    # Never asked to stop: the same surface as without should_stop.
    Z = landscape.surface(net, X, y, "bce", d1, d2, grid, grid, method=method,
                          should_stop=lambda: False)
    np.testing.assert_array_equal(Z, landscape.surface(net, X, y, "bce", d1, d2, grid, grid,
                                                       method=method))


def test_should_stop_reaches_every_worker():
    rng = np.random.default_rng(10)
    net = Network((2, 6, 1), "relu", "sigmoid", seed=0)
    X, y = rng.normal(size=(20, 2)), targets("bce", 20, 1, rng)
    d1, d2 = landscape.random_directions(net, seed=0)
    grid = np.linspace(-1, 1, 20)
    with pytest.raises(landscape.Cancelled):
        landscape.surface(net, X, y, "bce", d1, d2, grid, grid, chunk_elements=120,
                          workers=2, should_stop=lambda: True)


def test_the_loop_restores_the_network_even_when_the_loss_fails():
    net = Network((2, 3, 1), "tanh", "sigmoid", seed=0)
    before = net.params.copy()
    d1, d2 = landscape.random_directions(net, seed=0)
    X, wrong_y = np.zeros((5, 2)), np.zeros((4, 1))
    with pytest.raises(ValueError):
        landscape.surface(net, X, wrong_y, "bce", d1, d2, ALPHAS, BETAS, method="loop")
    np.testing.assert_array_equal(net.params, before)


def test_bad_arguments_are_refused():
    net = Network((2, 3, 1), "tanh", "sigmoid", seed=0)
    d1, d2 = landscape.random_directions(net, seed=0)
    X, y = np.zeros((5, 2)), np.zeros((5, 1))
    with pytest.raises(ValueError, match="method"):
        landscape.surface(net, X, y, "bce", d1, d2, ALPHAS, BETAS, method="magic")
    with pytest.raises(ValueError, match="shaped like params"):
        landscape.surface(net, X, y, "bce", d1[:-1], d2, ALPHAS, BETAS)
    with pytest.raises(ValueError, match="X must be"):
        landscape.surface(net, np.zeros((5, 3)), y, "bce", d1, d2, ALPHAS, BETAS)
    with pytest.raises(ValueError, match="dtype"):
        landscape.surface(net, X, y, "bce", d1, d2, ALPHAS, BETAS, dtype=np.float16)


# ------------------------------------------------------------------------------ directions
@pytest.mark.parametrize("activation", ["tanh", "prelu", "maxout"])
def test_random_directions_are_filter_normalized(activation):
    net = Network((3, 6, 5, 2), activation, "sigmoid", seed=0)
    d1, d2 = landscape.random_directions(net, seed=11)
    for d in (d1, d2):
        for block in net.blocks:
            part = d[block.start:block.stop].reshape(block.shape)
            if block.kind in ("W", "W'"):
                # Each neuron's incoming slice (a column of W) has that neuron's weight norm.
                weights = net.block(block.kind, block.layer)
                np.testing.assert_allclose(np.linalg.norm(part, axis=0),
                                           np.linalg.norm(weights, axis=0), rtol=1e-12)
            else:  # biases, b' and prelu slopes stay put
                assert not part.any(), block.label
    assert abs(d1 @ d2) < 1e-12 * np.linalg.norm(d1) * np.linalg.norm(d2)  # orthogonal
    again = landscape.random_directions(net, seed=11)
    np.testing.assert_array_equal(again[0], d1)
    np.testing.assert_array_equal(again[1], d2)
    other = landscape.random_directions(net, seed=12)
    assert not np.allclose(other[0], d1)


def test_random_directions_without_orthogonalization_and_with_one_input():
    net = Network((1, 4, 1), "tanh", "linear", seed=0)
    for orthogonal in (True, False):
        d1, d2 = landscape.random_directions(net, seed=0, orthogonal=orthogonal)
        for d in (d1, d2):
            W0 = d[net.blocks[0].start:net.blocks[0].stop]
            np.testing.assert_allclose(np.abs(W0), np.abs(net.weights[0].ravel()), rtol=1e-12)
            assert np.isfinite(d).all()


def test_weight_directions_are_unit_vectors_on_two_weights():
    net = Network((2, 3, 1), "tanh", "sigmoid", seed=0)
    i = landscape.param_index(net, "W", 1, 2, 0)
    j = landscape.param_index(net, "b", 0, 1)
    d1, d2 = landscape.weight_directions(net, i, j)
    assert d1[i] == 1.0 and d2[j] == 1.0 and d1.sum() == 1.0 and d2.sum() == 1.0
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 2)), targets("bce", 8, 1, rng)
    Z = landscape.surface(net, X, y, "bce", d1, d2, ALPHAS, BETAS)
    twin = net.copy()
    twin.weights[1][2, 0] += ALPHAS[3]
    twin.biases[0][1] += BETAS[2]
    assert Z[2, 3] == pytest.approx(twin.cost(X, y, "bce"), rel=1e-12)
    with pytest.raises(ValueError, match="differ"):
        landscape.weight_directions(net, i, i)
    with pytest.raises(IndexError):
        landscape.weight_directions(net, i, net.n_params)


def test_parameter_labels_read_like_the_network():
    net = Network((2, 3, 2, 1), "prelu", "maxout", seed=0)
    # Indices count from 0 as the code does; labels from 1 as a person reads them.
    assert landscape.param_label(net, landscape.param_index(net, "W", 1, 2, 0)) == "W2[3→1]"
    assert landscape.param_label(net, landscape.param_index(net, "b", 0, 2)) == "b1[3]"
    assert landscape.param_label(net, landscape.param_index(net, "slope", 1, 1)) == "slope2[2]"
    assert landscape.param_label(net, landscape.param_index(net, "W'", 2, 1, 0)) == "W'3[2→1]"
    assert landscape.param_label(net, landscape.param_index(net, "b'", 2, 0)) == "b'3[1]"
    # The index is where the view lives: writing through params changes that weight.
    index = landscape.param_index(net, "W", 1, 2, 0)
    net.params[index] = 42.0
    assert net.weights[1][2, 0] == 42.0
    choices = landscape.param_choices(net)
    assert [index for index, _ in choices] == list(range(net.n_params))
    assert len({label for _, label in choices}) == net.n_params
    assert choices[0] == (0, "W1[1→1]")
    with pytest.raises(ValueError, match="give both"):
        landscape.param_index(net, "W", 0, 1)
    with pytest.raises(ValueError, match=r"no slope3 \(layer index 2, counted from 0\)"):
        landscape.param_index(net, "slope", 2, 0)
    with pytest.raises(IndexError):
        landscape.param_index(net, "W", 0, 2, 0)  # only 2 inputs
    with pytest.raises(IndexError):
        landscape.param_location(net, net.n_params)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=2, max_size=4),
       st.sampled_from(["tanh", "prelu", "maxout"]), st.data())
def test_param_index_and_location_round_trip(sizes, activation, data):
    net = Network(sizes, activation, "sigmoid", seed=0)
    index = data.draw(st.integers(0, net.n_params - 1))
    kind, layer, i, j = landscape.param_location(net, index)
    assert landscape.param_index(net, kind, layer, i, j) == index
    value = net.block(kind, layer)[(i, j) if j is not None else i]
    assert value == net.params[index]


# ------------------------------------------------------------------------------------- PCA
def test_pca_of_a_straight_path_recovers_its_direction():
    rng = np.random.default_rng(5)
    end, u = rng.normal(size=40), rng.normal(size=40)
    u /= np.linalg.norm(u)
    steps = np.array([5.0, 3.0, 2.2, 1.0, 0.4, 0.0])  # uneven speed, ends at `end`
    path = end + steps[:, None] * u
    d1, d2, ratios = landscape.pca_directions(path)
    assert d1 @ u == pytest.approx(1.0, abs=1e-12)  # the sign: the start is on the + side
    assert abs(d2 @ u) < 1e-12 and np.linalg.norm(d2) == pytest.approx(1.0)
    np.testing.assert_allclose(ratios, [1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(landscape.project(path, end, d1, d2),
                               np.column_stack([steps, np.zeros_like(steps)]), atol=1e-12)


def test_pca_of_a_planar_path_spans_its_plane():
    rng = np.random.default_rng(6)
    end = rng.normal(size=30)
    basis, _ = np.linalg.qr(rng.normal(size=(30, 2)))
    t = np.linspace(0, 1, 50)[::-1]
    coords = np.column_stack([3 * t, np.sin(4 * t) * t])  # a curved path into the end point
    path = end + coords @ basis.T
    d1, d2, ratios = landscape.pca_directions(path)
    assert ratios.sum() == pytest.approx(1.0) and ratios[0] >= ratios[1] > 0
    plane = np.column_stack([d1, d2])
    np.testing.assert_allclose(plane @ (plane.T @ basis), basis, atol=1e-10)  # same plane
    xy = landscape.project(path, end, d1, d2)
    np.testing.assert_allclose(end + xy @ plane.T, path, atol=1e-10)


def test_pca_refuses_a_path_that_has_not_moved():
    with pytest.raises(ValueError, match="not moved"):
        landscape.pca_directions(np.ones((4, 5)))
    with pytest.raises(ValueError, match="at least 2"):
        landscape.pca_directions(np.ones((1, 5)))
    d1, d2, ratios = landscape.pca_directions(np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 4.0]]))
    assert ratios[1] == 0 and abs(d1 @ d2) < 1e-15 and np.linalg.norm(d2) == pytest.approx(1)


def test_trainer_path_gives_pca_directions_and_a_drawable_path():
    trainer = Trainer(Config(dataset="xor", hidden_layers=(4,), loss="bce", optimizer="sgd",
                             learning_rate=0.1, batch_size=10, seed=0,
                             features=("x1", "x2", "x1*x2")), path_capacity=20)
    initial = trainer.network.params.copy()
    trainer.step(150)
    path = trainer.path_points()
    assert len(path) <= 21  # bounded: decimated, plus the current point
    np.testing.assert_array_equal(path[0], initial)
    np.testing.assert_array_equal(path[-1], trainer.network.params)
    d1, d2, ratios = landscape.pca_directions(path)
    assert 0.5 < ratios.sum() <= 1.0 + 1e-12
    xy = landscape.project(path, trainer.network.params, d1, d2)
    np.testing.assert_allclose(xy[-1], [0.0, 0.0], atol=1e-12)
    assert xy[0, 0] > 0
    span = np.abs(xy).max()
    grid = np.linspace(-span, span, 7)
    # The network's inputs are the features the trainer computes from the raw data.
    Z = landscape.surface(trainer.network, trainer.inputs_train, trainer.targets_train,
                          trainer.loss, d1, d2, grid, grid)
    assert Z[3, 3] == pytest.approx(trainer.metrics()["train_loss"], rel=1e-10)


# ---------------------------------------------------------------------------------- project
@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(-0.95, 0.95))
def test_project_round_trips_in_a_skewed_plane(seed, skew):
    rng = np.random.default_rng(seed)
    origin = rng.normal(size=12)
    u, w = rng.normal(size=12), rng.normal(size=12)
    u /= np.linalg.norm(u)
    w -= (w @ u) * u
    w /= np.linalg.norm(w)
    d1, d2 = 2.0 * u, 0.5 * (skew * u + np.sqrt(1 - skew**2) * w)  # not orthogonal, not unit
    coords = rng.normal(size=(6, 2)) * 3
    points = origin + coords[:, :1] * d1 + coords[:, 1:] * d2
    np.testing.assert_allclose(landscape.project(points, origin, d1, d2), coords, atol=1e-9)
    single = landscape.project(points[2], origin, d1, d2)
    assert single.shape == (2,)
    np.testing.assert_allclose(single, coords[2], atol=1e-9)
    # A point off the plane lands on its nearest point in the plane.
    normal = rng.normal(size=12)
    normal -= (normal @ u) * u + (normal @ w) * w
    off = points[0] + normal
    np.testing.assert_allclose(landscape.project(off, origin, d1, d2), coords[0], atol=1e-9)


def test_project_nearest_point_and_parallel_directions():
    origin = np.zeros(3)
    d1, d2 = np.array([1.0, 0.0, 0.0]), np.array([1.0, 1.0, 0.0])
    np.testing.assert_allclose(landscape.project([2.0, 3.0, 5.0], origin, d1, d2), [-1.0, 3.0])
    with pytest.raises(ValueError, match="parallel"):
        landscape.project([1.0, 2.0, 3.0], origin, d1, 2 * d1)
