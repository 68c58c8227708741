"""Why a run is not learning: each finding on a run built to show it, none on presets that learn."""
import numpy as np
import pytest

from core import diagnostics, presets
from core.config import Config
from core.trainer import Trainer

#: Presets built to fail (the learning-rate one diverges before there is anything to diagnose).
FAILING = {"Deep sigmoid net: vanishing gradients", "Step activation: no gradient, no learning",
           "Learning rate too large: diverges", "The classic XOR code and its mistake"}


def _kinds(trainer):
    return [finding.kind for finding in diagnostics.diagnose(trainer)]


def _trained(config, steps):
    trainer = Trainer(config)
    trainer.step(steps)
    return trainer


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in presets.names() if n not in FAILING])
def test_no_finding_on_the_presets_that_learn(name):
    trainer = Trainer(presets.get(name).config)
    for steps in (300, 2700):  # early on, and once they have learned
        trainer.step(steps)
        assert diagnostics.diagnose(trainer) == [], trainer.step_count


def test_deep_sigmoid_preset_vanishing_gradients_and_a_plateau_at_ln_2():
    trainer = _trained(presets.get("Deep sigmoid net: vanishing gradients").config, 1000)
    vanishing, plateau = diagnostics.diagnose(trainer)
    assert vanishing.kind == "vanishing_gradients" and vanishing.layers == (0,)
    gradient = trainer.network.gradient(trainer.inputs_train, trainer.targets_train, trainer.loss)
    norms = diagnostics.layer_gradient_norms(gradient, trainer.arrays.layout)
    assert norms[0] < norms[-1] / 1000 and np.all(np.diff(norms) > 0)  # shrinking layer by layer
    assert f"hidden layer 1 {norms[0]:.2g}," in vanishing.evidence
    assert "ReLU" in vanishing.suggestion
    assert plateau.kind == "plateau" and "0.693 (ln 2" in plateau.evidence


def test_step_preset_has_no_gradient_at_all():
    trainer = _trained(presets.get("Step activation: no gradient, no learning").config, 300)
    findings = diagnostics.diagnose(trainer)
    assert [f.kind for f in findings] == ["vanishing_gradients", "plateau"]
    assert findings[0].title == "No gradient" and "exactly 0" in findings[0].evidence


def test_dead_relus_after_a_large_step_with_l2():
    # The example: ReLU, L2 and a large learning rate on the circle: the cost spikes,
    # the first layer dies and the cost sits at ln 2.
    trainer = _trained(Config(dataset="circle", activation="relu", regularization="l2",
                              reg_rate=0.1, learning_rate=1.0), 1500)
    dead = diagnostics.diagnose(trainer)[0]
    assert _kinds(trainer) == ["dead_relus", "vanishing_gradients", "plateau"]
    assert dead.layers == (0, 1) and "100% in hidden layer 1" in dead.evidence
    outputs = trainer.network.hidden_outputs(trainer.inputs_train)[0]
    assert diagnostics.dead_share(outputs) == 1.0 and (outputs == 0).all()


def test_adam_at_learning_rate_10_saturates_and_oscillates():
    trainer = _trained(Config(dataset="xor", optimizer="adam", learning_rate=10.0), 1500)
    findings = {f.kind: f for f in diagnostics.diagnose(trainer)}
    assert set(findings) == {"saturated_units", "vanishing_gradients", "oscillation"}
    assert findings["saturated_units"].layers == (0, 1)
    assert "follows from the saturated tanh units" in findings["vanishing_gradients"].suggestion
    assert "now 10" in findings["oscillation"].suggestion
    costs = trainer.history_arrays()["train_cost"][-250:]
    assert costs.max() > 2 * costs.min()  # the evidence: it really goes up and down


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_zero_initialization_leaves_symmetric_neurons(activation):
    trainer = _trained(Config(dataset="circle", init="zeros", activation=activation), 1000)
    symmetric = diagnostics.diagnose(trainer)[0]
    assert symmetric.kind == "symmetric_neurons" and symmetric.layers == (0, 1)
    assert "all 4 neurons of hidden layer 2 are identical" in symmetric.evidence
    assert 'init "zeros"' in symmetric.evidence
    assert diagnostics.identical_units(trainer.network, 0) == [[0, 1, 2, 3]]
    assert diagnostics.identical_units(Trainer(Config(dataset="circle")).network, 0) == []


def test_exploding_gradients_in_a_deep_wide_linear_network():
    trainer = Trainer(Config(dataset="sine", hidden_layers=(64,) * 8, activation="linear",
                             init="uniform"))
    (finding,) = diagnostics.diagnose(trainer)
    assert finding.kind == "exploding_gradients" and finding.layers == tuple(range(9))
    norms = diagnostics.layer_gradient_norms(
        trainer.network.gradient(trainer.inputs_train, trainer.targets_train, trainer.loss),
        trainer.arrays.layout)
    assert norms.min() > diagnostics.EXPLODING_NORM


def test_layer_gradient_norms_cover_each_layer_s_parameters():
    trainer = Trainer(Config(dataset="circle", hidden_layers=(3, 2), activation="prelu"))
    gradient = np.arange(trainer.network.n_params, dtype=float)
    layout = trainer.arrays.layout
    expected = [np.linalg.norm(np.concatenate([gradient[b.start:b.stop] for b in layout.blocks
                                               if b.layer == layer]))
                for layer in range(layout.n_layers)]
    np.testing.assert_allclose(diagnostics.layer_gradient_norms(gradient, layout), expected)


def test_find_works_from_the_parts_a_snapshot_carries():
    trainer = _trained(Config(dataset="circle", init="zeros"), 400)
    gradient = trainer.network.gradient(trainer.inputs_train, trainer.targets_train, trainer.loss)
    parts = diagnostics.find(trainer.arrays.network_with(trainer.network.params), trainer.arrays,
                             trainer.history_arrays(), trainer.config, trainer.data, gradient)
    assert parts == diagnostics.diagnose(trainer) and parts
    assert all(f.message.startswith(f.title) for f in parts)


def test_history_findings_wait_for_enough_history():
    trainer = _trained(Config(dataset="circle", init="zeros"), 50)
    assert "plateau" not in _kinds(trainer)


def test_the_classic_mistake_is_named_first_as_the_root_cause():
    trainer = _trained(presets.get("The classic XOR code and its mistake").config, 3000)
    findings = diagnostics.diagnose(trainer)
    assert [f.kind for f in findings][:1] == ["classic_mistake"]
    assert "derivative" in findings[0].evidence and "Ctrl+B" in findings[0].suggestion
    right = _trained(presets.get("XOR truth table (2-4-1 sigmoid, MSE, SGD)").config, 10)
    assert "classic_mistake" not in _kinds(right)


@pytest.mark.parametrize("config", [
    Config(dataset="circle", activation="arctan", loss="hinge", optimizer="momentum"),
    Config(dataset="xor", activation="sin", loss="hinge", optimizer="rmsprop")])
def test_a_zero_gradient_because_every_loss_is_at_its_lowest_is_no_finding(config):
    # A hinge loss of 0: every example is past its margin, so the gradient is exactly 0.
    # That is success, not "No gradient: use an activation with a slope".
    trainer = _trained(config, 1000)
    assert trainer.metrics()["train_cost"] == 0.0
    gradient = trainer.network.gradient(trainer.inputs_train, trainer.targets_train, trainer.loss)
    assert not gradient.any()
    assert diagnostics.diagnose(trainer) == []


def test_a_step_activation_is_named_where_the_output_layer_still_learns():
    # Softmax on step units: the output layer has a gradient, the layers below none, and the
    # step's flat slope is the cause (not "fewer layers, or He initialization").
    trainer = _trained(Config(dataset="blobs", activation="step", loss="kl_div"), 300)
    vanishing = next(f for f in diagnostics.diagnose(trainer)
                     if f.kind == "vanishing_gradients")
    assert vanishing.title == "Vanishing gradients"
    assert "gets no gradient at all" in vanishing.evidence
    assert "step function" in vanishing.suggestion
    assert "He initialization" not in vanishing.suggestion
