"""Every shipped lesson, played headless with core's Trainer: its predictions come out as the
lesson expects, every step opens, and what its text claims (numbers included) is what happens.

A lesson must never teach something the app does not do: when a test here fails after a change
to the core, fix the lesson's text (or its settings), not the test's numbers alone.
"""
import functools
import math
import pathlib
import re

import numpy as np
import pytest

from core import lessons
from core.codegen import generate_script
from core.trainer import DivergenceError, Trainer

FOLDER = pathlib.Path(__file__).resolve().parents[2] / "assets" / "lessons"
PATHS = sorted(FOLDER.glob(f"*{lessons.SUFFIX}"))
LN2, LN3 = math.log(2), math.log(3)


@functools.cache
def lesson(number):
    (path,) = FOLDER.glob(f"{number:02d}-*{lessons.SUFFIX}")
    return lessons.load(path)


@functools.cache
def rehearsed(number):
    return lessons.rehearse(lesson(number))


def test_at_least_ten_lessons_ship_and_each_reads():
    assert len(PATHS) >= 10
    titles = set()
    for path in PATHS:
        read = lessons.load(path)
        titles.add(read.title)
        assert read.audience and read.summary
        assert any(step.question for step in read.steps), f"{path.name} asks nothing"
        for step in read.steps:
            # Short steps: a learner reads one at a glance.
            assert len(step.text.split()) <= 160, f"{path.name}: {step.title!r} is long"
    assert len(titles) == len(PATHS)


@pytest.mark.slow
@pytest.mark.parametrize("number", range(1, len(PATHS) + 1))
def test_every_prediction_comes_out_as_expected_and_every_step_opens(number):
    for step, result in zip(lesson(number).steps, rehearsed(number)):
        if step.question is not None:
            assert result.outcome == result.expected, (step.title, result.values["step"])
        if step.next_when is not None:
            assert result.opened_at is not None, step.title


def _values(number, step):
    return rehearsed(number)[step - 1].values


# --------------------------------------------------------------------------- the claims
@pytest.mark.slow
def test_01_loss_and_cost():
    start, end = _values(1, 1), _values(1, 2)
    # "Before training ... all the losses are about the same": the worst tenth carry little
    # more than a tenth.
    assert start["worst_tenth_share"] < 0.15
    # "about three quarters", "more than ten times smaller", the cost is the mean loss.
    assert 0.7 <= end["worst_tenth_share"] <= 0.85
    assert end["median_train_loss"] * 10 < end["train_loss"]
    assert end["train_cost"] == end["train_loss"]  # no penalty here
    assert end["step"] == 2000


@pytest.mark.slow
def test_02_cost_in_the_code():
    start, end = _values(2, 1), _values(2, 3)
    assert 0.06 <= start["gradient_norm"] <= 0.08          # "about 0.07"
    assert 0.0012 <= end["gradient_norm"] <= 0.0016        # "about 0.0014"
    assert 40 <= start["gradient_norm"] / end["gradient_norm"] <= 60  # "fifty-fold"
    config = lesson(2).steps[0].config
    script = generate_script(config)
    sections = _sections(script)
    assert "def cost(y, y_hat)" in sections[4]
    assert "2.0 * (y_hat - y) / y_hat.size" in sections[5]
    assert "delta = output_delta(y, a[-1], z[-1])" in sections[6]
    # "Only sections 4 and 5 change"; with a sigmoid output the delta is (ŷ − y)/n.
    other = _sections(generate_script(config.replace(loss="bce")))
    assert [k for k in sections if sections[k] != other[k]] == [4, 5]
    assert "return (y_hat - y) / y_hat.size" in other[5]


def _sections(script):
    parts = re.split(r"# ===== (\d)\. .*=====", script)
    return {int(parts[i]): parts[i + 1] for i in range(1, len(parts), 2)}


@pytest.mark.slow
def test_03_cross_entropy_reaches_90_percent_in_fewer_steps_than_mse():
    mse, bce = rehearsed(3)[1].opened_at, rehearsed(3)[2].revealed_at
    assert 5300 <= mse <= 5700        # "about 5,500 steps"
    assert 1480 <= bce <= 1580        # "about 1,530 steps"
    assert bce * 3 < mse              # "less than a third"


@pytest.mark.slow
def test_04_outliers():
    mse, mae, huber = (_values(4, k)["test_mae"] for k in (2, 3, 4))
    assert 0.14 <= mse <= 0.18        # "about 0.16"
    assert mae <= 0.04                # "about 0.03"
    assert mse / mae >= 4.5           # "five times better"
    assert 0.07 <= huber <= 0.09      # "about 0.08"
    assert 0.4 <= huber / mse <= 0.6  # "half of MSE's error"
    # The test points are clean; only the training points carry the outliers.
    data = rehearsed(4)[1].trainer.data
    assert np.abs(data.y_test[:, 0] - np.sin(data.X_test[:, 0])).max() < 0.5
    assert (data.y_train[:, 0] - np.sin(data.X_train[:, 0])).max() >= 2.0


@pytest.mark.slow
def test_05_step_function():
    end = _values(5, 2)
    assert end["train_cost"] == end["start_train_cost"]  # "not even in the last digit"
    assert end["gradient_norm"] == 0.0                     # "exactly 0"
    assert rehearsed(5)[2].opened_at is not None


@pytest.mark.slow
def test_06_learning_rate():
    small, larger, largest = rehearsed(6)[0], rehearsed(6)[1], rehearsed(6)[2]
    assert 440 <= small.opened_at <= 480                   # "about 460 steps"
    assert 60 <= larger.revealed_at <= 80                   # "about 70 steps"
    assert 6 <= small.opened_at / larger.revealed_at <= 7.5  # "nearly seven times sooner"
    assert largest.values["diverged"] and largest.revealed_at <= 20  # "about 15 steps"


@pytest.mark.slow
def test_07_zero_initialization():
    end = _values(7, 2)
    assert end["distinct_units"] == 1
    assert 0.6 <= end["train_accuracy"] <= 0.7             # "around 65 %"
    trainer = Trainer(lesson(7).steps[0].config)
    assert not trainer.network.params.any()               # every weight and bias starts at 0
    assert rehearsed(7)[2].opened_at is not None


@pytest.mark.slow
def test_08_xor_needs_a_hidden_layer():
    line, hidden = _values(8, 1), _values(8, 2)
    assert line["train_accuracy"] <= 0.75 and abs(line["train_cost"] - LN2) < 1e-3
    assert hidden["train_accuracy"] == 1 and hidden["train_cost"] < 0.05


@pytest.mark.slow
def test_09_dying_relus():
    dead = _values(9, 2)
    assert dead["dead_units"] == 1.0                          # "a whole layer died"
    assert abs(dead["train_cost"] - LN2) < 0.02                # "sits at ln 2"
    assert rehearsed(9)[2].opened_at is not None              # Leaky ReLU learns at η = 3
    # "Even with Leaky ReLU, η = 3 is a gamble here: other seeds diverge."
    leaky = lesson(9).steps[2].config
    with pytest.raises(DivergenceError):
        Trainer(leaky.replace(seed=1)).step(2000)


@pytest.mark.slow
def test_10_softmax():
    flat, deep = _values(10, 1), _values(10, 2)
    assert flat["train_accuracy"] < 0.5 and abs(flat["train_cost"] - LN3) < 0.1
    assert deep["train_accuracy"] > 0.85
    outputs = rehearsed(10)[1].trainer.network.predict(rehearsed(10)[1].trainer.arrays
                                                       .inputs_train)
    assert np.allclose(outputs.sum(axis=1), 1) and (outputs > 0).all()  # "sum to 1"


@pytest.mark.slow
def test_11_l1_and_l2():
    l2, l1 = _values(11, 1), _values(11, 2)
    plain = Trainer(lesson(11).steps[0].config.replace(regularization="none", reg_rate=0.0))
    plain.step(4000)
    plain_size = lessons.trainer_values(plain)["mean_abs_weight"]
    assert l2["zero_weights"] < 0.05
    assert 0.6 <= l2["mean_abs_weight"] / plain_size <= 0.72  # "about a third smaller"
    assert l1["zero_weights"] > 0.5 and l1["train_accuracy"] == 1  # "more than half"


@pytest.mark.slow
def test_12_overfitting():
    end, early = rehearsed(12)[1], rehearsed(12)[2]
    assert end.values["train_cost"] < 1e-3 and end.values["step"] == 2000
    assert end.values["test_cost"] > 2 * end.values["best_test_cost"]  # "more than twice"
    trainer = Trainer(lesson(12).steps[1].config)
    trainer.step(2000)
    history = trainer.history_arrays()
    best = int(history["step"][np.argmin(history["test_cost"])])
    assert 60 <= best <= 100                                   # "the first 80 or so steps"
    stop = early.trainer.stopped
    assert stop.rule == "early_stopping" and 100 <= stop.step <= 140  # "about 120 steps"
    assert stop.restored_step == 82 and early.values["test_accuracy"] == 0.9
    config = lesson(12).steps[0].config
    weights = sum(a * b for a, b in zip((2, *config.hidden_layers), (*config.hidden_layers, 1)))
    assert weights > 1100 and config.n_samples * config.train_fraction == 20
