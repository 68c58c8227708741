"""Learning-rate schedules: formulas by hand, PyTorch's schedulers, and the trainer using them."""
import dataclasses
import math
import warnings

import numpy as np
import pytest

from core import schedules
from core.config import Config, ConfigError
from core.schedules import Schedule
from core.trainer import Trainer


@pytest.mark.parametrize("schedule,steps,expected", [
    (Schedule("constant", 0.1), [0, 7, 10_000], [0.1, 0.1, 0.1]),
    (Schedule("step", 0.1, decay_steps=10, decay_rate=0.5), [0, 9, 10, 25, 30],
     [0.1, 0.1, 0.05, 0.025, 0.0125]),
    (Schedule("exponential", 0.1, decay_steps=10, decay_rate=0.5), [0, 5, 10, 20],
     [0.1, 0.1 / math.sqrt(2), 0.05, 0.025]),
    (Schedule("cosine", 0.1, decay_steps=100, min_lr_fraction=0.1), [0, 50, 100, 1000],
     [0.1, 0.055, 0.01, 0.01]),
    (Schedule("cosine", 0.2, decay_steps=4), [0, 1, 2, 3, 4],
     [0.2, 0.2 * (1 + math.sqrt(0.5)) / 2, 0.1, 0.2 * (1 - math.sqrt(0.5)) / 2, 0]),
    # Warm-up: η·(k + 1)/W for k < W, then the schedule from its start.
    (Schedule("step", 0.1, warmup_steps=4, decay_steps=2, decay_rate=0.5), [0, 1, 2, 3, 4, 5, 6],
     [0.025, 0.05, 0.075, 0.1, 0.1, 0.1, 0.05]),
    (Schedule("constant", 0.3, warmup_steps=1), [0, 1], [0.3, 0.3]),
])
def test_formulas_evaluated_by_hand(schedule, steps, expected):
    np.testing.assert_allclose(schedule.rates(steps), expected, rtol=1e-14, atol=1e-18)


def _torch_rates(schedule, n):
    """The learning rate PyTorch's schedulers give each of the first n optimizer steps."""
    torch = pytest.importorskip("torch")
    lr_sched = torch.optim.lr_scheduler
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=schedule.learning_rate)
    main = {
        "constant": lambda: lr_sched.LambdaLR(opt, lambda k: 1.0),
        "step": lambda: lr_sched.StepLR(opt, schedule.decay_steps, gamma=schedule.decay_rate),
        "exponential": lambda: lr_sched.ExponentialLR(
            opt, gamma=schedule.decay_rate ** (1 / schedule.decay_steps)),
        "cosine": lambda: lr_sched.CosineAnnealingLR(
            opt, schedule.decay_steps, eta_min=schedule.min_lr_fraction * schedule.learning_rate),
    }[schedule.name]
    W = schedule.warmup_steps
    if W:
        warmup = lr_sched.LinearLR(opt, start_factor=1 / W, end_factor=1.0, total_iters=W - 1)
        sched = lr_sched.SequentialLR(opt, [warmup, main()], milestones=[W])
    else:
        sched = main()
    rates = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SequentialLR's step(0) deprecation notice
        for _ in range(n):
            rates.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
    return np.array(rates)


@pytest.mark.parametrize("warmup", [0, 5])
@pytest.mark.parametrize("schedule", [
    Schedule("constant", 0.05),
    Schedule("step", 0.1, decay_steps=7, decay_rate=0.3),
    Schedule("exponential", 0.1, decay_steps=6, decay_rate=0.4),
    Schedule("cosine", 0.1, decay_steps=40, min_lr_fraction=0.05),
])
def test_schedules_match_pytorch(schedule, warmup):
    schedule = dataclasses.replace(schedule, warmup_steps=warmup)
    # Up to the end of the cosine: after it PyTorch's annealing rises again, ours stays low.
    n = warmup + 40
    np.testing.assert_allclose(schedule.rates(range(n)), _torch_rates(schedule, n), rtol=1e-12)


def test_every_schedule_is_tested_and_named():
    assert schedules.names() == ["constant", "step", "exponential", "cosine"]
    assert set(schedules.FORMULAS) == set(schedules.SCHEDULES)


def test_config_checks_the_schedule_fields():
    for bad in (dict(lr_schedule="linear"), dict(warmup_steps=-1), dict(decay_steps=0),
                dict(decay_rate=0.0), dict(decay_rate=1.5), dict(min_lr_fraction=2.0)):
        with pytest.raises(ConfigError, match=next(iter(bad))):
            Config(**bad)


def test_trainer_updates_with_the_scheduled_rate_and_records_it():
    config = Config(dataset="circle", hidden_layers=(3,), learning_rate=0.2, lr_schedule="cosine",
                    decay_steps=30, warmup_steps=5, min_lr_fraction=0.1)
    trainer = Trainer(config)
    used = []
    original = trainer.optimizer.step

    def spy(params, grad):
        used.append(trainer.optimizer.learning_rate)
        original(params, grad)

    trainer.optimizer.step = spy
    trainer.step(50)
    expected = trainer.schedule.rates(range(50))
    np.testing.assert_array_equal(used, expected)
    history = trainer.history_arrays()
    np.testing.assert_array_equal(history["learning_rate"],
                                  trainer.schedule.rates(history["step"]))
    assert trainer.learning_rate == trainer.metrics()["learning_rate"] == trainer.schedule.rate(50)


def test_live_changes_rescale_the_schedule_and_keep_the_weights():
    trainer = Trainer(Config(dataset="circle", hidden_layers=(3,), lr_schedule="step",
                             decay_steps=10, decay_rate=0.5, learning_rate=0.4))
    trainer.step(25)
    assert trainer.learning_rate == 0.1
    params = trainer.network.params.copy()
    assert trainer.apply_config(trainer.config.replace(learning_rate=0.8)) is False
    np.testing.assert_array_equal(trainer.network.params, params)
    assert trainer.learning_rate == trainer.optimizer.learning_rate == 0.2
    trainer.apply_config(trainer.config.replace(lr_schedule="constant"))
    assert trainer.learning_rate == trainer.optimizer.learning_rate == 0.8
    trainer.step(1)
    assert trainer.optimizer.learning_rate == 0.8 and trainer.step_count == 26
