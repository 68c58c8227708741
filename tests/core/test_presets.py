"""Presets: every one is a valid Config that trains, and each lesson shows what it claims."""
import numpy as np
import pytest

from core import presets
from core.config import Config
from core.trainer import DivergenceError, Trainer


def test_presets_have_unique_names_descriptions_and_valid_configs():
    names = presets.names()
    assert len(names) == len(set(names)) >= 6
    assert "XOR truth table (2-4-1 sigmoid, MSE, SGD)" in names
    for preset in presets.PRESETS:
        assert isinstance(preset.config, Config)
        assert len(preset.description) > 40
        # Valid means it survives a JSON round trip too (how experiments are saved).
        assert Config.from_json(preset.config.to_json()) == preset.config
    assert set(presets.SECTIONS) <= set(names)


@pytest.mark.parametrize("preset", presets.PRESETS, ids=lambda p: p.name)
def test_every_preset_builds_and_takes_steps(preset):
    trainer = Trainer(preset.config)
    try:
        trainer.step(20)
    except DivergenceError:
        assert "diverges" in preset.name
    assert np.isfinite(trainer.network.params).all()


def test_xor_truth_table_preset_is_the_classic_network():
    config = presets.get("XOR truth table (2-4-1 sigmoid, MSE, SGD)").config
    trainer = Trainer(config)
    assert trainer.network.describe() == "2 → 4 → 1"
    assert (config.activation, config.output_activation, config.loss, config.optimizer) == (
        "sigmoid", "sigmoid", "mse", "sgd")


def test_step_preset_loss_never_moves():
    trainer = Trainer(presets.get("Step activation: no gradient, no learning").config)
    start = trainer.metrics()["train_cost"]
    initial = trainer.network.params.copy()
    trainer.step(500)
    np.testing.assert_array_equal(trainer.network.params, initial)
    costs = trainer.history_arrays()["train_cost"]
    assert np.all(costs == start)


def test_cross_entropy_learns_faster_than_mse_on_a_sigmoid_output():
    def steps_to_90(name):
        trainer = Trainer(presets.get(name).config)
        while trainer.step_count < 8000:
            trainer.step(50)
            if trainer.metrics()["train_accuracy"] >= 0.9:
                return trainer.step_count
        return trainer.step_count

    mse = steps_to_90("Sigmoid output + MSE: slow start")
    bce = steps_to_90("Sigmoid output + cross-entropy: fast start")
    assert bce * 2 <= mse


def test_deep_relu_learns_where_deep_sigmoid_does_not():
    sigmoid = Trainer(presets.get("Deep sigmoid net: vanishing gradients").config)
    relu = Trainer(presets.get("Deep ReLU net: learns").config)
    sigmoid.step(1000)
    relu.step(1000)
    assert sigmoid.metrics()["train_cost"] > 0.68
    assert relu.metrics()["train_accuracy"] > 0.95


def test_large_learning_rate_preset_diverges():
    trainer = Trainer(presets.get("Learning rate too large: diverges").config)
    with pytest.raises(DivergenceError):
        trainer.step(2000)


def test_unknown_preset_names_the_presets():
    with pytest.raises(KeyError, match="XOR truth table"):
        presets.get("nope")
