"""The code behind the run follows the learning-rate schedule and the stopping rules exactly.

The reference is the app's Trainer (core.schedules, core.stopping): the script is run as its
own process or executed in a fresh namespace, and its costs, its rates and the step it stops at
are compared with the trainer's.
"""
import math
import re
import subprocess
import sys

import numpy as np
import pytest

from core.codegen import generate_script
from core.codegen.rules import HISTORY_CAPACITY, schedule_code
from core.config import Config
from core.history import DecimatedLog
from core.schedules import Schedule
from core.trainer import Trainer

FINAL = re.compile(r"^final train cost: (\S+)$", re.MULTILINE)
STOPPED = re.compile(r"^step +(\d+) +stopped", re.MULTILINE)

BASE = dict(dataset="circle", n_samples=200, noise=0.2, hidden_layers=(6,), batch_size=10)
SCHEDULED = {
    "step, sgd": Config(**BASE, optimizer="sgd", learning_rate=0.3, lr_schedule="step",
                        decay_steps=70, decay_rate=0.5),
    "exponential with warm-up, momentum": Config(**BASE, optimizer="momentum",
                                                 learning_rate=0.05, lr_schedule="exponential",
                                                 warmup_steps=25, decay_steps=60,
                                                 decay_rate=0.3),
    "cosine with warm-up, adam": Config(**BASE, optimizer="adam", learning_rate=0.05,
                                        lr_schedule="cosine", warmup_steps=40, decay_steps=150,
                                        min_lr_fraction=0.1),
    "constant with warm-up, rmsprop, l2": Config(**BASE, optimizer="rmsprop",
                                                 learning_rate=0.01, warmup_steps=100,
                                                 regularization="l2", reg_rate=0.01),
}


def run_script(text, tmp_path):
    path = tmp_path / "costscape_run.py"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def trained(config, steps):
    trainer = Trainer(config)
    trainer.step(steps)
    return trainer


# --------------------------------------------------------------------------- schedules
@pytest.mark.parametrize("config", SCHEDULED.values(), ids=SCHEDULED.keys())
def test_a_scheduled_run_is_reproduced(config, tmp_path):
    stdout = run_script(generate_script(config, steps=300), tmp_path)
    (final,) = FINAL.findall(stdout)
    app = trained(config, 300).metrics()["train_cost"]
    assert float(final) == pytest.approx(app, rel=1e-9, abs=1e-15)
    assert "def learning_rate(k):" in generate_script(config, steps=1)


@pytest.mark.parametrize("name", ["constant", "step", "exponential", "cosine"])
@pytest.mark.parametrize("warmup", [0, 7])
def test_the_scripts_learning_rate_is_the_schedules_bit_for_bit(name, warmup):
    config = Config(learning_rate=0.037, lr_schedule=name, warmup_steps=warmup, decay_steps=13,
                    decay_rate=0.61, min_lr_fraction=0.07)
    text = schedule_code(config)
    if name == "constant" and not warmup:
        assert text == ""
        return
    namespace = {"math": math, "LEARNING_RATE": 0.037}
    exec(compile(text, "<schedule>", "exec"), namespace)
    schedule = Schedule.from_config(config)
    for k in range(200):
        assert namespace["learning_rate"](k) == schedule.rate(k), k  # the same float


def test_a_constant_rate_needs_no_schedule():
    text = generate_script(Config(**BASE), steps=5)
    assert "def learning_rate" not in text and "LEARNING_RATE)" in text
    assert "import math" not in text


def test_the_rates_the_trainer_recorded_are_the_scripts():
    """The rates of the updates the trainer took (its history's learning_rate column is the
    rate of the next update) are the script's learning_rate(k)."""
    config = SCHEDULED["cosine with warm-up, adam"]
    namespace = {"__name__": "__main__"}
    exec(compile(generate_script(config, steps=0), "<script>", "exec"), namespace)
    history = trained(config, 250).history_arrays()
    rates = [namespace["learning_rate"](int(k)) for k in history["step"]]
    np.testing.assert_array_equal(rates, history["learning_rate"])


# --------------------------------------------------------------------------- stopping rules
STOPPING = {
    "max_epochs": Config(**BASE, optimizer="adam", learning_rate=0.02, max_epochs=3),
    "max_steps": Config(**BASE, optimizer="sgd", learning_rate=0.1, max_steps=57),
    "target_cost": Config(dataset="circle", n_samples=200, noise=0.1, hidden_layers=(6,),
                          optimizer="adam", learning_rate=0.05, target_cost=0.2),
    "early stopping, restored": Config(dataset="circle", n_samples=200, noise=0.4,
                                       hidden_layers=(8,), optimizer="adam", learning_rate=0.1,
                                       patience=3, restore_best_weights=True),
    "early stopping with min_delta, kept": Config(dataset="circle", n_samples=200, noise=0.4,
                                                  hidden_layers=(8,), optimizer="adam",
                                                  learning_rate=0.1, patience=2,
                                                  min_delta=0.01),
    "every rule and a schedule": Config(**BASE, optimizer="adam", learning_rate=0.05,
                                        lr_schedule="step", decay_steps=50, max_epochs=30,
                                        max_steps=5000, patience=4, target_cost=0.01),
}


@pytest.mark.parametrize("config", STOPPING.values(), ids=STOPPING.keys())
def test_the_script_stops_where_the_trainer_stops(config, tmp_path):
    trainer = trained(config, 3000)
    assert trainer.stopped is not None and trainer.step_count < 3000
    stdout = run_script(generate_script(config, steps=3000), tmp_path)
    assert [int(s) for s in STOPPED.findall(stdout)] == [trainer.step_count]
    (final,) = FINAL.findall(stdout)
    # After early stopping with restore_best_weights both went back to the best epoch's weights.
    assert float(final) == pytest.approx(trainer.metrics()["train_cost"], rel=1e-9, abs=1e-15)


def test_history_records_is_the_history_logs_rule():
    namespace = {}
    text = generate_script(STOPPING["target_cost"], steps=1)
    start = text.index("def history_records(t):")
    exec(text[start:text.index("\n\n\n", start)], namespace)
    log = DecimatedLog(1, HISTORY_CAPACITY)
    log.append([0.0])
    for t in range(1, 9 * HISTORY_CAPACITY):
        due = log.due(t)
        assert namespace["history_records"](t) == due, t
        if due:
            log.append([t])


def test_early_stopping_without_the_test_rows_is_said_to_be_left_out():
    from core import datasets
    rng = np.random.default_rng(0)
    X = rng.normal(size=(700, 2))
    y = (X[:, :1] > 0).astype(float)
    data = datasets.Dataset("drawn", "binary", X[:600], y[:600], X[600:], y[600:], 2,
                            ((-3, 3),) * 2)
    config = Config(dataset="circle", hidden_layers=(3,), patience=4, max_epochs=9)
    text = generate_script(config, data=data, steps=10)
    assert "leaves that rule out" in text and "PATIENCE" not in text
    assert "MAX_EPOCHS = 9" in text
