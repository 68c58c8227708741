"""Initial weights: one function per initialization, used by the network and the scripts."""
import numpy as np
import pytest

from core import initializers, network
from core.network import Network


def test_every_init_has_a_function_and_a_description():
    assert initializers.INITS == network.INITS == tuple(initializers.INIT_DESCRIPTIONS)
    assert network.INIT_DESCRIPTIONS is initializers.INIT_DESCRIPTIONS
    for name in initializers.INITS:
        assert initializers.get(name).__name__ == name


@pytest.mark.parametrize("name", initializers.INITS)
def test_draws_have_the_layer_shape_and_come_from_the_generator(name):
    draw = initializers.get(name)
    a = draw(np.random.default_rng(3), 4, 6)
    b = draw(np.random.default_rng(3), 4, 6)
    assert a.shape == (4, 6) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    assert (name == "zeros") == (not a.any())


def test_the_scales_are_the_documented_ones():
    rng = np.random.default_rng(0)
    limit = np.sqrt(6.0 / (300 + 500))
    xavier = initializers.xavier(rng, 300, 500)
    assert np.abs(xavier).max() <= limit and xavier.std() == pytest.approx(limit / np.sqrt(3),
                                                                           rel=0.02)
    assert initializers.he(rng, 300, 500).std() == pytest.approx(np.sqrt(2 / 300), rel=0.02)
    uniform = initializers.uniform(rng, 300, 500)
    assert np.abs(uniform).max() <= 0.5 and uniform.std() == pytest.approx(0.5 / np.sqrt(3),
                                                                          rel=0.02)
    assert [initializers.initial_bias(n) for n in initializers.INITS] == [0.0, 0.0, 0.1, 0.0]


@pytest.mark.parametrize("activation", ["tanh", "maxout"])
@pytest.mark.parametrize("name", initializers.INITS)
def test_the_network_draws_its_weight_blocks_in_layout_order(name, activation):
    net = Network((3, 5, 4, 2), activation, "sigmoid", seed=7, init=name)
    rng, draw = np.random.default_rng(7), initializers.get(name)
    for block in net.blocks:
        if block.kind in ("W", "W'"):
            np.testing.assert_array_equal(net.block(block.kind, block.layer),
                                          draw(rng, *block.shape))
        elif block.kind in ("b", "b'"):
            assert np.all(net.block(block.kind, block.layer) == initializers.initial_bias(name))


@pytest.mark.parametrize("name", ["glorot", None, 3])
def test_unknown_names_are_refused(name):
    with pytest.raises(ValueError, match="unknown init"):
        initializers.get(name)
    with pytest.raises(ValueError, match="unknown init"):
        initializers.initial_bias(name)
