"""The scoring forward pass (core.forward): its tanh against extended precision over the whole
float range, and its outputs against Network.predict for every activation."""
import warnings

import numpy as np
import pytest

from core import activations
from core.config import Config, ConfigError
from core.forward import TANH_ABS_ERROR, FixedInputForward, tanh_from_doubled
from core.trainer import Trainer


def test_tanh_is_within_its_bound_of_extended_precision_everywhere():
    rng = np.random.default_rng(0)
    z = np.concatenate([
        np.linspace(-25.0, 25.0, 1_000_001),                        # where tanh bends
        rng.normal(0.0, 3.0, 200_000),
        10.0 ** rng.uniform(-320, 308, 200_000) * rng.choice([-1.0, 1.0], 200_000),
        [0.0, -0.0, 5e-324, -5e-324, 1e-300, 1000.0, -1000.0, 1.7e308, -1.7e308, 19.06, 0.55],
    ])
    reference = np.tanh(z.astype(np.longdouble))  # tanhl: 64-bit mantissa
    # The doubling is exact: the forward pass doubles a layer's weights and bias, not z.
    with np.errstate(over="ignore"):  # ±1.7e308 doubled: ±inf, whose tanh is ±1 as well
        doubled = np.ldexp(z, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing else than e^2z overflows
        with np.errstate(over="ignore"):
            got = tanh_from_doubled(doubled)
    error = np.abs(got.astype(np.longdouble) - reference)
    assert float(error.max()) <= TANH_ABS_ERROR
    # Where tanh is not small the error is a few units in the last place.
    large = np.abs(reference) >= 0.5
    ulps = error[large] / np.spacing(np.abs(got[large])).astype(np.longdouble)
    assert float(ulps.max()) <= 4
    np.testing.assert_array_equal(got[np.abs(z) >= 20], np.sign(z[np.abs(z) >= 20]))


def test_tanh_of_the_special_values():
    z = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0])
    with np.errstate(over="ignore"):
        got = tanh_from_doubled(z.copy())
    np.testing.assert_array_equal(got[:2], [1.0, -1.0])
    assert np.isnan(got[2]) and got[3] == 0.0 and got[4] == 0.0


HIDDEN = [n for n in activations.names() if activations.get(n).hidden_ok]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output", ["sigmoid", "softmax", "linear", "tanh"])
def test_outputs_are_predicts_for_every_activation(hidden, output):
    dataset = "spiral3" if output == "softmax" else "circle"
    try:
        config = Config(dataset=dataset, hidden_layers=(5, 3), activation=hidden,
                        output_activation=output, loss="mse")
    except ConfigError:
        pytest.skip(f"{output} does not fit {dataset}")
    trainer = Trainer(config)
    trainer.step(30)
    X = np.vstack([trainer.inputs_train, trainer.inputs_test])
    forward = FixedInputForward(X)
    expected = trainer.network.predict(X)
    got = forward.outputs(trainer.network)
    assert got.shape == expected.shape
    if hidden in ("tanh", "relu", "linear"):  # in place: tanh from exp, the others exact
        np.testing.assert_allclose(got, expected, rtol=0, atol=20 * TANH_ABS_ERROR)
    else:  # the activation objects themselves
        np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)


def test_one_forward_serves_networks_of_other_widths():
    X = np.random.default_rng(1).normal(size=(40, 2))
    forward = FixedInputForward(X)
    for layers in ((4,), (6, 3), (4,)):
        network = Trainer(Config(dataset="circle", hidden_layers=layers)).network
        np.testing.assert_allclose(forward.outputs(network), network.predict(X),
                                   rtol=0, atol=20 * TANH_ABS_ERROR)


def test_the_output_sigmoid_is_the_activations_to_three_ulps():
    from core.forward import sigmoid_from_negated
    z = np.concatenate([np.linspace(-40.0, 40.0, 400_001), [0.0, 1e-300, -1e-300, 800.0,
                                                          -800.0, np.inf, -np.inf]])
    expected = activations.get("sigmoid")(z)
    with np.errstate(over="ignore"):
        got = sigmoid_from_negated(-z)
    positive = z >= 0
    np.testing.assert_array_equal(got[positive], expected[positive])
    ulps = np.abs(got - expected)[~positive] / np.spacing(expected[~positive])
    assert float(ulps.max()) <= 3


@pytest.mark.parametrize("hidden, output, dataset", [
    ("tanh", "sigmoid", "circle"), ("relu", "softmax", "spiral3"), ("linear", "linear", "sine"),
    ("elu", "tanh", "circle"), ("prelu", "sigmoid", "circle"), ("maxout", "softmax", "spiral3"),
    ("tanh", "prelu", "circle"), ("relu", "maxout", "circle")])
def test_a_stack_gives_each_row_the_floats_of_its_weights_alone(hidden, output, dataset):
    trainer = Trainer(Config(dataset=dataset, hidden_layers=(5, 3), activation=hidden,
                             output_activation=output, loss="mse"))
    rows = []
    for _ in range(7):
        trainer.step(3)
        rows.append(trainer.network.params.copy())
    forward = FixedInputForward(np.vstack([trainer.inputs_train, trainer.inputs_test]))
    stack = forward.outputs_stack(trainer.network, np.array(rows))
    for params, got in zip(rows, stack):
        alone = forward.outputs(trainer.arrays.network_with(params))
        np.testing.assert_array_equal(got, alone)
