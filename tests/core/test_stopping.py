"""Stopping rules: each one stops Trainer.step where it should, says why, and raises nothing."""
import numpy as np
import pytest

from core.config import Config, ConfigError
from core.trainer import Trainer

SMALL = Config(dataset="moons", n_samples=100, hidden_layers=(4,), batch_size=15)  # 4 steps/epoch
# 30 noisy training points and a big network: the test cost falls, then rises as it overfits.
OVERFITS = Config(dataset="moons", n_samples=60, noise=0.5, hidden_layers=(32, 32),
                  optimizer="adam", learning_rate=0.03, batch_size=10)


def test_max_steps_stops_and_step_reports_how_many_ran():
    trainer = Trainer(SMALL.replace(max_steps=37))
    assert trainer.step(20) == 20 and trainer.stopped is None
    assert trainer.step(100) == 17
    assert trainer.step_count == 37 and trainer.stopped.rule == "max_steps"
    assert trainer.stopped.step == 37 and "max_steps" in trainer.stopped.message
    assert trainer.step(5) == 0 and trainer.step_count == 37
    trainer.resume()  # the limit still holds: stopped again at once, without an update
    assert trainer.step(5) == 0 and trainer.stopped.rule == "max_steps"
    params = trainer.network.params.copy()
    assert trainer.apply_config(trainer.config.replace(max_steps=50)) is False
    np.testing.assert_array_equal(trainer.network.params, params)
    assert trainer.stopped is None and trainer.step(100) == 13 and trainer.step_count == 50


def test_max_epochs_stops_when_the_last_batch_of_the_epoch_is_taken():
    trainer = Trainer(SMALL.replace(max_epochs=3))
    assert trainer.step(1000) == 12
    assert trainer.epochs_completed == 3 and trainer.stopped.rule == "max_epochs"
    trainer.reset()
    assert trainer.stopped is None and trainer.step_count == 0


def _keras_early_stopping(costs, patience, min_delta=0.0):
    """(epoch that stops, best epoch), epochs counted from 1: Keras's EarlyStopping loop."""
    best, best_epoch, wait = np.inf, None, 0
    for epoch, cost in enumerate(costs, start=1):
        if cost < best - min_delta:
            best, best_epoch, wait = cost, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return None, best_epoch


@pytest.mark.parametrize("restore", [False, True])
@pytest.mark.parametrize("patience,min_delta", [(5, 0.0), (3, 0.02)])
def test_early_stopping_follows_keras_and_can_restore_the_best_weights(patience, min_delta,
                                                                       restore):
    twin = Trainer(OVERFITS)  # the same run without the rule, epoch by epoch
    per_epoch, costs, weights = twin.steps_per_epoch, [], []
    for _ in range(60):
        twin.step(per_epoch)
        costs.append(twin.metrics()["test_cost"])
        weights.append(twin.network.params.copy())
    stop_epoch, best_epoch = _keras_early_stopping(costs, patience, min_delta)
    assert stop_epoch is not None and stop_epoch - best_epoch >= patience

    trainer = Trainer(OVERFITS.replace(patience=patience, min_delta=min_delta,
                                       restore_best_weights=restore))
    assert trainer.step(10_000) == stop_epoch * per_epoch
    stop = trainer.stopped
    assert stop.rule == "early_stopping" and trainer.epochs_completed == stop_epoch
    assert trainer.stop_rules.best_epoch == best_epoch
    assert f"not improved for {patience} epochs" in stop.message
    if restore:
        np.testing.assert_array_equal(trainer.network.params, weights[best_epoch - 1])
        assert stop.restored_step == best_epoch * per_epoch and "restored" in stop.message
        assert trainer.metrics()["test_cost"] == costs[best_epoch - 1]
    else:
        np.testing.assert_array_equal(trainer.network.params, weights[stop_epoch - 1])
        assert stop.restored_step is None


def test_target_cost_stops_at_the_first_step_at_or_below_it():
    trainer = Trainer(Config(dataset="xor_table", hidden_layers=(4,), activation="sigmoid",
                             loss="mse", learning_rate=1.0, batch_size=4, target_cost=0.05))
    ran = trainer.step(20_000)
    costs = trainer.history_arrays()["train_cost"]
    assert ran == trainer.step_count < 20_000 and trainer.stopped.rule == "target_cost"
    # Every step is recorded this early and the rule checks each recorded cost.
    assert costs[-1] <= 0.05 < costs[:-1].min()
    assert trainer.metrics()["train_cost"] == costs[-1]


def test_target_cost_is_checked_at_epoch_ends_once_the_history_thins_out():
    config = SMALL.replace(hidden_layers=(8,), learning_rate=0.3)
    trainer = Trainer(config, history_capacity=4)
    trainer.step(400)
    target = trainer.metrics()["train_cost"] * 0.9
    trainer.apply_config(trainer.config.replace(target_cost=target))
    trainer.step(100_000)
    # 4 steps an epoch; the history records only every `stride` steps by now.
    assert trainer.stopped.rule == "target_cost" and trainer.step_count % 4 == 0
    assert trainer.step_count % trainer.history.stride != 0
    assert trainer.metrics()["train_cost"] <= target


def test_a_stop_is_saved_and_restored_with_the_state():
    trainer = Trainer(OVERFITS.replace(patience=50))
    trainer.step(40)
    state = trainer.state_dict()
    twin = Trainer(trainer.config)
    twin.load_state_dict(state)
    assert twin.stop_rules.best_cost == trainer.stop_rules.best_cost
    np.testing.assert_array_equal(twin.stop_rules.best_params, trainer.stop_rules.best_params)
    stopped = Trainer(SMALL.replace(max_steps=5))
    stopped.step(10)
    again = Trainer(stopped.config)
    again.load_state_dict(stopped.state_dict())
    assert again.stopped == stopped.stopped and again.step(1) == 0


@pytest.mark.parametrize("field,value", [
    ("max_steps", 0), ("max_epochs", 1.5), ("patience", -1), ("min_delta", -0.1),
    ("restore_best_weights", "yes"), ("target_cost", float("nan")), ("target_cost", "low"),
])
def test_config_checks_the_stopping_fields(field, value):
    with pytest.raises(ConfigError, match=field):
        Config(**{field: value})
