"""The numbers lesson conditions read, measured on real runs and checked against independent
computations in float64; and the condition language against Python's own arithmetic."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import lessons
from core.config import Config
from core.lessons import Condition
from core.lessons.values import VARIABLES
from core.trainer import Trainer


def _trained(config, steps):
    trainer = Trainer(config)
    trainer.step(steps)
    return trainer


def test_metrics_and_history_values_are_the_trainers():
    trainer = _trained(Config(dataset="circle", hidden_layers=(3,), seed=2), 120)
    values, metrics = lessons.trainer_values(trainer), trainer.metrics()
    for name in ("step", "epoch", "train_cost", "test_cost", "train_accuracy",
                 "test_accuracy", "learning_rate", "reg_term"):
        assert values[name] == metrics[name]
    history = trainer.history_arrays()
    assert values["start_train_cost"] == history["train_cost"][0]
    assert values["best_test_cost"] == np.min(history["test_cost"])
    assert math.isnan(values["train_r2"])  # a classification run has no R²
    assert not values["diverged"] and not values["stopped"]
    assert set(values) == set(VARIABLES) and len(values) == len(VARIABLES)


def test_losses_of_the_examples_by_hand():
    trainer = _trained(Config(dataset="gauss", noise=0.5, hidden_layers=(4,), seed=1), 300)
    values = lessons.trainer_values(trainer)
    p = trainer.network.predict(trainer.arrays.inputs_train)[:, 0]
    y = trainer.data.y_train[:, 0]
    eps = 1e-12  # far below any p here; only guards the log
    losses = -(y * np.log(np.maximum(p, eps)) + (1 - y) * np.log(np.maximum(1 - p, eps)))
    assert values["median_train_loss"] == pytest.approx(np.median(losses), rel=1e-9)
    assert values["max_train_loss"] == pytest.approx(losses.max(), rel=1e-9)
    worst = np.sort(losses)[::-1][:round(len(losses) / 10)]
    assert values["worst_tenth_share"] == pytest.approx(worst.sum() / losses.sum(), rel=1e-9)
    assert np.mean(losses) == pytest.approx(values["train_loss"], rel=1e-9)


def test_gradient_norm_matches_finite_differences():
    trainer = _trained(Config(dataset="xor_table", hidden_layers=(3,), activation="tanh",
                              batch_size=4, regularization="l2", reg_rate=0.01), 50)
    net, arrays = trainer.network, trainer.arrays
    params = net.params.copy()
    grad = np.empty_like(params)
    h = 1e-6
    for i in range(len(params)):
        costs = []
        for sign in (1, -1):
            net.params[:] = params
            net.params[i] += sign * h
            costs.append(net.cost_and_gradient(arrays.inputs_train, arrays.targets_train,
                                               arrays.loss, 0.0, 0.01)[0])
        grad[i] = (costs[0] - costs[1]) / (2 * h)
    net.params[:] = params
    values = lessons.trainer_values(trainer)
    assert values["gradient_norm"] == pytest.approx(np.linalg.norm(grad), rel=1e-6)


def test_dead_and_distinct_units_and_zero_weights():
    trainer = Trainer(Config(dataset="circle", hidden_layers=(4, 3), activation="relu"))
    layout, params = trainer.arrays.layout, trainer.network.params
    b0 = next(b for b in layout.blocks if b.label == "b1")  # hidden layer 1, counted from 1
    params[b0.start] = params[b0.start + 1] = -1e3  # units 0 and 1 of layer 1: z < 0 always
    values = lessons.trainer_values(trainer)
    assert values["dead_units"] == 0.5
    weights = np.concatenate([params[b.start:b.stop] for b in layout.blocks if b.is_weight])
    assert values["zero_weights"] == np.mean(np.abs(weights) < 1e-3)
    assert values["mean_abs_weight"] == pytest.approx(np.abs(weights).mean())
    assert values["distinct_units"] == 4
    zeros = Trainer(Config(dataset="circle", hidden_layers=(4,), activation="sigmoid",
                           init="zeros"))
    zeros.step(30)
    assert lessons.trainer_values(zeros)["distinct_units"] == 1


def test_a_network_without_hidden_layers_has_no_hidden_values():
    values = lessons.trainer_values(Trainer(Config(dataset="xor_table", hidden_layers=())))
    assert math.isnan(values["distinct_units"]) and math.isnan(values["dead_units"])
    assert not Condition("distinct_units == 1").evaluate(values)


# --------------------------------------------------------------------------- the language
_NAMES = ["train_cost", "test_cost", "step"]


@st.composite
def _expressions(draw, depth=0):
    """(condition text, the same in Python) for a random arithmetic expression."""
    if depth > 3 or draw(st.booleans()):
        if draw(st.booleans()):
            name = draw(st.sampled_from(_NAMES))
            return name, f"v[{name!r}]"
        number = draw(st.floats(-100, 100, allow_nan=False).map(lambda x: round(x, 3)))
        return repr(number), repr(number)
    op = draw(st.sampled_from(["+", "-", "*"]))
    (a, pa), (b, pb) = draw(_expressions(depth + 1)), draw(_expressions(depth + 1))
    return f"({a} {op} {b})", f"({pa} {op} {pb})"


@settings(max_examples=300, deadline=None)
@given(_expressions(), _expressions(), st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
       st.lists(st.floats(-50, 50, allow_nan=False), min_size=3, max_size=3),
       st.sampled_from(["and", "or"]), st.booleans())
def test_conditions_agree_with_python(left, right, op, numbers, joiner, negate):
    v = dict(zip(_NAMES, numbers))
    text = f"{left[0]} {op} {right[0]} {joiner} not {left[0]} > 0"
    reference = f"{left[1]} {op} {right[1]} {joiner} not {left[1]} > 0"
    if negate:
        text, reference = f"not ({text})", f"not ({reference})"
    assert Condition(text).evaluate(v) == eval(reference, {"v": v})  # the reference only


@pytest.mark.parametrize("text,values,expected", [
    ("test_accuracy >= 95%", {"test_accuracy": 0.95}, True),
    ("test_accuracy ≥ 0.95", {"test_accuracy": 0.9}, False),
    ("0.2 < train_accuracy ≤ 0.8", {"train_accuracy": 0.8}, True),
    ("0.2 < train_accuracy ≤ 0.8", {"train_accuracy": 0.1}, False),
    ("test_accuracy != 0.5", {"test_accuracy": None}, False),  # unknown: every comparison false
    ("not test_accuracy == 0.5", {"test_accuracy": None}, True),
    ("train_cost / step > 1", {"train_cost": 1.0, "step": 0}, False),  # x/0 is unknown
    ("diverged or step − 3 × 2 ≥ 0", {"diverged": False, "step": 6}, True),
    ("diverged and true", {"diverged": True}, True),
    ("-step < -1", {"step": 2}, True),
])
def test_condition_table(text, values, expected):
    assert Condition(text).evaluate(values) is expected


def test_describe_says_it_in_words():
    assert Condition("test_accuracy >= 95% and not diverged").describe() == \
        "test accuracy ≥ 95 % and not diverged"
    assert Condition("0.5 < train_accuracy").describe() == "50 % < training accuracy"
    assert Condition("train_cost < 0.5 * start_train_cost").describe() == \
        "training cost < 0.5 × training cost at the start"
