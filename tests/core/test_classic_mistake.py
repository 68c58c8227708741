"""The classic mistake as a setting of a run: Config.classic_mistake trains as the classic numpy
XOR code did (δᴸ = ℓ ⊙ f′), the cost stays the loss's, the gradient check flags it, the code
behind the run writes it, and a preset opens it. Also: where each part of a step is in the
generated script."""
import numpy as np
import pytest

from core import presets
from core.backprop import LossInsteadOfDerivative, apply_step, next_step
from core.codegen import generate_script
from core.codegen.anchors import PARTS, lines_of
from core.config import Config, ConfigError
from core.experiment import load, save
from core.gradcheck import check_gradient
from core.trainer import Trainer
from tests.core.test_backprop import XOR_X, XOR_Y, _classic_xor_code
from tests.core.test_codegen import exec_script

PRESET = "The classic XOR code and its mistake"
XOR = presets.get("XOR truth table (2-4-1 sigmoid, MSE, SGD)").config


def test_the_setting_is_off_by_default_validated_and_saved():
    assert Config().classic_mistake is False and XOR.classic_mistake is False
    assert Config(classic_mistake=np.bool_(True)).classic_mistake is True
    for bad in (1, "yes", None):
        with pytest.raises(ConfigError, match="classic_mistake must be true or false"):
            Config(classic_mistake=bad)
    on = XOR.replace(classic_mistake=True)
    assert Config.from_json(on.to_json()) == on
    assert Config.from_dict({k: v for k, v in XOR.to_dict().items()
                             if k != "classic_mistake"}) == XOR  # files from before it


def test_the_trainer_backpropagates_the_mistake_and_scores_the_real_cost():
    trainer = Trainer(XOR.replace(classic_mistake=True))
    arrays = trainer.arrays
    assert isinstance(arrays.training_loss, LossInsteadOfDerivative)
    assert trainer.loss is arrays.training_loss and arrays.loss.name == "mse"
    right = Trainer(XOR).arrays
    assert right.training_loss is right.loss
    net = trainer.network
    start = [net.block(kind, layer).copy() for kind, layer in (("W", 0), ("b", 0), ("W", 1),
                                                                ("b", 1))]
    trainer.step(300)
    # The app's learning rate 1 with ℓ/n = (ŷ − y)²/4 is the classic code's 0.5 with 0.5·(ŷ − y)².
    # The trainer takes the four rows shuffled, so the sums add up in another order: not bits.
    np.testing.assert_allclose(net.predict(XOR_X), _classic_xor_code(*start, 0.5, 300),
                               rtol=1e-10)
    assert np.all(net.predict(XOR_X) < 0.1)
    m = trainer.metrics()
    predictions = net.predict(trainer.inputs_train)
    assert m["train_cost"] == pytest.approx(np.mean((predictions - trainer.targets_train) ** 2))


def test_switching_it_rebuilds_the_run_like_a_new_loss():
    trainer = Trainer(XOR)
    trainer.step(5)
    assert trainer.apply_config(XOR.replace(classic_mistake=True)) is True
    assert trainer.step_count == 0 and isinstance(trainer.loss, LossInsteadOfDerivative)
    assert trainer.apply_config(XOR) is True and trainer.loss.name == "mse"


def test_the_gradient_check_flags_the_training_loss_and_passes_the_real_one():
    trainer = Trainer(XOR.replace(classic_mistake=True))
    arrays, net = trainer.arrays, trainer.network
    X, y = arrays.inputs_train, arrays.targets_train
    assert check_gradient(net, X, y, arrays.training_loss).verdict == "bug"
    assert check_gradient(net, X, y, arrays.loss).verdict == "correct"


def test_a_traced_step_with_the_mistake_is_the_trainer_s_step():
    config = XOR.replace(classic_mistake=True)
    traced, reference = Trainer(config), Trainer(config)
    for _ in range(3):
        step = next_step(traced)
        assert step.trace.mistaken
        apply_step(traced, step)
        reference.step(1)
        np.testing.assert_array_equal(traced.network.params, reference.network.params)


def test_experiments_keep_the_setting(tmp_path):
    trainer = Trainer(XOR.replace(classic_mistake=True))
    trainer.step(3)
    save(tmp_path / "mistake.costscape", trainer)
    loaded = load(tmp_path / "mistake.costscape")
    assert loaded.config.classic_mistake and isinstance(loaded.loss, LossInsteadOfDerivative)
    loaded.step(2)
    trainer.step(2)
    np.testing.assert_array_equal(loaded.network.params, trainer.network.params)


def test_the_preset_opens_the_mistake_on_the_xor_network():
    preset = presets.get(PRESET)
    assert preset.config == XOR.replace(classic_mistake=True)
    assert "mistake" in preset.description and "Ctrl+B" in preset.description
    # Right after the XOR network it differs from in this one setting.
    names = presets.names()
    assert names.index(PRESET) == names.index("XOR truth table (2-4-1 sigmoid, MSE, SGD)") + 1
    assert presets.SECTIONS["Sigmoid output + MSE: slow start"] == "Why the choices matter"


# ------------------------------------------------------------------------- the code behind it
@pytest.mark.parametrize("loss,dataset,output", [("mse", "xor_table", "sigmoid"),
                                                  ("bce", "xor_table", "sigmoid"),
                                                  ("cce", "blobs", "softmax"),
                                                  ("huber", "sine", "linear")])
def test_the_script_writes_the_wrong_delta_and_repeats_the_trainer(loss, dataset, output, capsys):
    config = Config(dataset=dataset, n_samples=60, hidden_layers=(4,), activation="tanh",
                    output_activation=output, loss=loss, optimizer="sgd", learning_rate=0.3,
                    batch_size=8, classic_mistake=True)
    text = generate_script(config, steps=40)
    assert "WITH THE CLASSIC MISTAKE" in text and "wrong = np.repeat((loss(y, y_hat)" in text
    namespace = exec_script(text)
    trainer = Trainer(config)
    trainer.step(40)
    assert namespace["total_cost"](namespace["X_train"], namespace["y_train"]) == \
        pytest.approx(trainer.metrics()["train_cost"], rel=1e-9)
    right = generate_script(config.replace(classic_mistake=False), steps=40)
    assert "wrong =" not in right and "CLASSIC MISTAKE" not in right


CONFIGS = [XOR, XOR.replace(classic_mistake=True),
           Config(dataset="spiral3", n_samples=90, hidden_layers=(6, 5), activation="maxout",
                  loss="cce", optimizer="momentum", regularization="l1", reg_rate=0.003),
           Config(dataset="moons", n_samples=90, hidden_layers=(6, 4), activation="prelu",
                  optimizer="adam", regularization="l2", reg_rate=0.01),
           Config(dataset="sine", n_samples=90, hidden_layers=(), loss="rmse")]
#: A line that must be among each part's lines (for a network with hidden layers).
EXPECTED = {"inputs": "batch = order[", "forward": "def forward(X):", "loss": "def loss(",
            "cost": "def total_cost(", "output_delta": "= output_delta(",
            "hidden_delta": "if l > 0:", "gradients": "dbs[", "update": "update(params"}


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.dataset}-{c.activation}")
def test_every_part_of_a_step_is_found_in_the_script(config):
    text = generate_script(config, steps=5)
    lines = text.split("\n")
    for part in PARTS:
        found = lines_of(text, part)
        if part == "hidden_delta" and not config.hidden_layers:
            assert found == []
            continue
        assert found, part
        assert found == sorted(set(found)) and 0 <= found[0] and found[-1] < len(lines)
        assert any(EXPECTED[part] in lines[n] for n in found), (part, [lines[n] for n in found])
        assert not any(lines[n].startswith("# =====") for n in found), part
    if config.regularization != "none":
        assert any("_RATE * " in lines[n] for n in lines_of(text, "gradients"))
    with pytest.raises(ValueError, match="unknown part"):
        lines_of(text, "backward")
