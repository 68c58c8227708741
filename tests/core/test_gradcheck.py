"""The gradient check agrees with correct backpropagation, catches a broken one, explains kinks."""
import dataclasses

import numpy as np
import pytest

from core import activations, losses
from core.gradcheck import (BUG_ABOVE, CORRECT_BELOW, check_gradient, relative_error,
                            verdict)
from core.network import Network


def _data(n=40, d=2, seed=0, task="binary", k=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    if task == "regression":
        return X, np.sin(X[:, :1]) + 0.1 * rng.normal(size=(n, 1))
    if task == "binary":
        return X, (X[:, :1] * X[:, 1:2] > 0).astype(float)
    labels = rng.integers(0, k, n)
    return X, labels


def _targets(loss, y, task, k=3):
    return losses.targets_for(losses.get(loss), np.asarray(y, dtype=float).reshape(-1, 1), task, k)


HIDDEN = [name for name in activations.names() if activations.get(name).hidden_ok]


@pytest.mark.parametrize("activation", HIDDEN)
def test_a_correct_network_agrees_for_every_hidden_activation(activation):
    X, y = _data(seed=1)
    net = Network((2, 5, 3, 1), activation, "sigmoid", seed=2)
    result = check_gradient(net, X, y, "bce")
    assert result.relative_error < CORRECT_BELOW, [(b.label, b.relative_error)
                                                    for b in result.blocks]
    assert result.verdict == "correct"
    assert [b.label for b in result.blocks] == [b.label for b in net.blocks]


@pytest.mark.parametrize("loss", losses.names())
def test_a_correct_network_agrees_for_every_loss(loss):
    tasks = losses.get(loss).tasks
    task = next((t for t in ("binary", "multiclass") if t in tasks), "regression")
    X, y = _data(seed=3, task=task)
    k = 3 if task == "multiclass" else 1
    output = losses.get(loss).output_activation or {"regression": "linear", "binary": "sigmoid",
                                                     "multiclass": "softmax"}[task]
    if loss == "msle":
        output = "softplus"  # positive predictions, away from MSLE's clip at 0
    net = Network((2, 4, k), "tanh", output, seed=4)
    result = check_gradient(net, X, _targets(loss, y, task), loss)
    assert result.relative_error < CORRECT_BELOW


@pytest.mark.parametrize("l1,l2", [(0.01, 0.0), (0.0, 0.05), (0.003, 0.02)])
def test_regularization_is_part_of_the_checked_cost(l1, l2):
    X, y = _data(seed=5, task="regression")
    net = Network((2, 6, 1), "softplus", "linear", seed=6)
    result = check_gradient(net, X, y, "mse", l1=l1, l2=l2)
    assert result.relative_error < CORRECT_BELOW
    # Against the unregularized cost's gradient, the same numbers disagree: the penalty counts.
    grad = net.gradient(X, y, "mse")
    w = result.blocks[0]
    assert relative_error(grad[w.indices], w.finite_difference) > BUG_ABOVE


class _WrongTanh(activations.get("tanh").__class__):
    """tanh with a classic slip in its derivative: 1 − a instead of 1 − a²."""

    def backward(self, z, a, grad_a):
        return grad_a * (1.0 - a)


def test_a_broken_activation_derivative_is_caught_in_the_layers_it_affects():
    X, y = _data(seed=7)
    net = Network((2, 4, 1), _WrongTanh(), "sigmoid", seed=8)
    result = check_gradient(net, X, y, "bce")
    errors = {b.label: b.relative_error for b in result.blocks}
    assert errors["W1"] > BUG_ABOVE and errors["b1"] > BUG_ABOVE  # before the broken tanh
    assert errors["W2"] < CORRECT_BELOW and errors["b2"] < CORRECT_BELOW  # after it: fine
    assert result.verdict == "bug"


class _ForgotTheMean(Network):
    """Backpropagation that forgets the 1/n of the mean: every gradient n times too big."""

    def cost_and_gradient(self, X, y_true, loss, l1=0.0, l2=0.0, out=None):
        cost, grad = super().cost_and_gradient(X, y_true, loss, l1, l2, out)
        return cost, grad * len(X)


def test_a_broken_backpropagation_is_caught_in_every_block():
    X, y = _data(seed=9)
    net = _ForgotTheMean((2, 3, 1), "tanh", "sigmoid", seed=1)
    result = check_gradient(net, X, y, "bce")
    assert all(b.relative_error > 0.5 for b in result.blocks)
    assert result.verdict == "bug"


def test_a_kink_within_eps_raises_the_error_without_a_bug():
    # One ReLU neuron whose pre-activation is exactly 0 at the one example: the central
    # difference averages the slopes 0 and 1 on either side, backpropagation takes 0.
    net = Network((1, 1, 1), "relu", "linear", seed=0)
    net.weights[0][...] = 1.0
    net.biases[0][...] = 0.0
    net.weights[1][...] = 1.0
    result = check_gradient(net, np.zeros((1, 1)), np.ones((1, 1)), "mse")
    b0 = next(b for b in result.blocks if b.label == "b1")  # layers counted from 1
    assert b0.backprop[0] == 0.0 and b0.finite_difference[0] == pytest.approx(-1.0)
    assert result.verdict != "correct"


def test_parameters_are_restored_exactly_and_big_blocks_sampled():
    X, y = _data(n=30, d=2, seed=2, task="multiclass")
    T = _targets("cce", y, "multiclass")
    net = Network((2, 30, 20, 3), "gelu", "softmax", seed=3)
    before = net.params.copy()
    result = check_gradient(net, X, T, "cce", max_per_block=25, seed=11)
    np.testing.assert_array_equal(net.params, before)
    w1 = next(b for b in result.blocks if b.label == "W2")  # 30 → 20: the second layer
    assert (w1.n_checked, w1.n_total, w1.shape) == (25, 600, (30, 20))
    assert len(set(w1.indices.tolist())) == 25 and np.all(np.diff(w1.indices) > 0)
    b2 = next(b for b in result.blocks if b.label == "b3")  # the output layer's
    assert b2.n_checked == b2.n_total == 3
    assert result.n_total == net.n_params and result.n_checked < net.n_params
    assert result.relative_error < CORRECT_BELOW
    again = check_gradient(net, X, T, "cce", max_per_block=25, seed=11)
    np.testing.assert_array_equal(again.blocks[2].indices, w1.indices)


def test_extra_parameter_blocks_prelu_and_maxout():
    X, y = _data(seed=4)
    for activation, extra in (("prelu", "slope1"), ("maxout", "W'1")):
        net = Network((2, 3, 1), activation, "sigmoid", seed=5)
        result = check_gradient(net, X, y, "bce")
        assert extra in [b.label for b in result.blocks]
        assert result.relative_error < CORRECT_BELOW


def test_the_cost_is_reported_and_bad_arguments_refused():
    X, y = _data(seed=6)
    net = Network((2, 2, 1), "tanh", "sigmoid", seed=0)
    result = check_gradient(net, X, y, "bce")
    assert result.cost == pytest.approx(net.cost(X, y, "bce")) and result.n_examples == 40
    with pytest.raises(ValueError, match="eps"):
        check_gradient(net, X, y, "bce", eps=0.0)
    with pytest.raises(ValueError, match="max_per_block"):
        check_gradient(net, X, y, "bce", max_per_block=0)
    assert dataclasses.is_dataclass(result.blocks[0])


def test_relative_error_and_verdict():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([0.0], [0.0]) == 0.0
    assert relative_error([1.0], [-1.0]) == 1.0
    assert relative_error([1.0], [0.0]) == 1.0
    assert verdict(3e-10) == "correct" and verdict(1e-5) == "unsure"
    assert verdict(0.2) == "bug" and verdict(float("nan")) == "bug"
    # Entries where both are within the tolerance (the round-off of the costs) of 0 count as
    # agreeing; everywhere else the difference counts in full.
    assert relative_error([0.0], [5e-11], tolerance=1e-9) == 0.0
    assert relative_error([1e-10, 1.0], [5e-10, 1.0], tolerance=1e-9) == 0.0
    assert relative_error([1.0], [1.5], tolerance=0.25) == pytest.approx(0.5 / 2.5)
    assert relative_error([0.0], [2e-9], tolerance=1e-9) == 1.0


def test_a_zero_gradient_is_not_wrong_by_the_round_off_of_the_costs():
    # Zero initialization on balanced classes: every gradient is exactly 0 (the output bias's
    # because mean(ŷ − y) = 0.5 − 0.5), while C₊ − C₋ keeps a one-ulp round-off that, divided
    # by 2ε, reads as a gradient of ~5e-11. Without the round-off bound that was "relative
    # error 1: a bug".
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = np.tile([[0.0], [1.0]], (20, 1))
    net = Network((2, 4, 1), "tanh", "sigmoid", init="zeros")
    result = check_gradient(net, X, y, "bce")
    assert np.all(net.gradient(X, y, "bce") == 0)
    assert result.verdict == "correct"
    for block in result.blocks:
        assert block.relative_error == 0.0 and block.gradient_norm == 0.0
        assert np.abs(block.finite_difference).max() <= block.round_off < 1e-8


def test_a_correct_gradient_still_shows_how_many_digits_agree():
    X, y = _data()
    net = Network((2, 5, 1), "tanh", "sigmoid", seed=1)
    result = check_gradient(net, X, y, "bce")
    assert 0 < result.relative_error < CORRECT_BELOW  # not rounded to 0 by the tolerance


def test_a_small_wrong_gradient_is_still_caught():
    # Far below the gradient of a fresh network, far above the round-off bound.
    X, y = _data()
    net = Network((2, 3, 1), "tanh", "linear", seed=0)
    net.params *= 1e-3
    result = check_gradient(net, X, 0.0 * y, "mse")
    assert result.verdict == "correct" and result.blocks[0].gradient_norm < 1e-4
    wrong = result.blocks[0].backprop * 1.5
    assert relative_error(wrong, result.blocks[0].finite_difference,
                          result.blocks[0].round_off) > BUG_ABOVE


def test_saturated_cross_entropy_predictions_are_counted():
    X, y = _data()
    net = Network((2, 3, 1), "tanh", "sigmoid", seed=0)
    net.weights[1][:] *= 100.0  # the output sigmoid saturates on most examples
    saturated = check_gradient(net, X, y, "bce")
    assert saturated.n_clipped > 0
    # Without the fused gradient the clipped cost and its gradient agree: nothing to count.
    assert check_gradient(net, X, y, "mse").n_clipped == 0
