"""The backpropagation view's stages, without a display: every number shown is the trainer's,
each stage points at the right layers and code, and the classic mistake is shown beside the
right delta. Also the formulas every panel and the view set as mathematics."""
import numpy as np
import pytest

from core import activations, losses, optimizers, presets
from core.codegen.anchors import PARTS
from core.config import Config
from core.trainer import Trainer
from gui import formulas
from gui.threads.tracing import trace_next_step
from gui.views.backprop.model import stages
from gui.views.backprop.tables import MAX_COLUMNS, MAX_ROWS, example_labels, sup, table

XOR = presets.get("XOR truth table (2-4-1 sigmoid, MSE, SGD)").config


def traced(config, steps=0):
    trainer = Trainer(config)
    trainer.step(steps)
    return trace_next_step(trainer, run=1), trainer


def by_key(stage_list):
    return {stage.key: stage for stage in stage_list}


def test_the_xor_step_has_every_stage_in_the_order_the_code_computes_it():
    t, trainer = traced(XOR)
    found = stages(t)
    assert [s.key for s in found] == ["inputs", "forward-0", "forward-1", "loss", "cost",
                                      "output-delta", "gradients-1", "delta-0", "gradients-0",
                                      "update"]
    for stage in found:
        assert stage.formulas and all(line.count("$") % 2 == 0 for line in stage.formulas)
        assert stage.text and stage.tables and stage.part in PARTS
        assert stage.direction in ("forward", "backward", "update")
        assert set(stage.columns) <= {0, 1, 2} and set(stage.layers) <= {0, 1}
    s = by_key(found)
    assert (s["forward-0"].columns, s["forward-0"].layers) == ((0, 1), (0,))
    assert (s["delta-0"].columns, s["delta-0"].layers, s["delta-0"].direction) == (
        (1, 2), (1,), "backward")
    assert s["output-delta"].columns == (2,) and s["update"].layers == (0, 1)
    assert "Where the cost enters" in s["output-delta"].title
    # Layers count from 1 as the parameters' labels do: the first layer's weights are W¹.
    assert s["forward-0"].plain == "z¹ = X·W¹ + b¹, a¹ = f(z¹)"
    assert s["forward-1"].plain == "z² = a¹·W² + b², a² = f(z²)"
    assert s["output-delta"].title.endswith("δ²") and s["delta-0"].title.endswith("δ¹")
    assert s["delta-0"].plain == "δ¹ = (δ²·W²ᵀ) ⊙ f′(z¹)"
    assert s["gradients-0"].plain.startswith("∂C/∂W¹ = Xᵀ·δ¹")
    assert "count from 1" in s["inputs"].text and "W¹ is Ws[0]" in s["inputs"].text


def test_every_number_shown_is_the_traced_step_s():
    t, trainer = traced(XOR, steps=7)
    step = t.step
    trace = step.trace
    s = by_key(stages(t))
    x, y = s["inputs"].tables
    np.testing.assert_array_equal(x.values, trace.inputs)
    np.testing.assert_array_equal(y.values, trace.targets)
    W, b, z, a = s["forward-0"].tables
    np.testing.assert_array_equal(W.values, trainer.network.weights[0])
    np.testing.assert_array_equal(z.values, trace.layers[0].z)
    np.testing.assert_array_equal(a.values, trace.layers[0].a)
    assert z.shape == "4 examples × 4 neurons" and W.shape == "2 inputs × 4 neurons"
    np.testing.assert_array_equal(s["loss"].tables[0].values[:, -1], trace.per_example_loss)
    assert s["cost"].tables[0].values[0, -1] == trace.cost
    grad_output, f_prime, delta = s["output-delta"].tables
    np.testing.assert_array_equal(grad_output.values, trace.output_grad)
    np.testing.assert_array_equal(delta.values, trace.layers[1].delta)
    np.testing.assert_allclose(delta.values, grad_output.values * f_prime.values, rtol=1e-15)
    back, _, delta0 = s["delta-0"].tables
    np.testing.assert_array_equal(back.values, trace.layers[0].grad_a)
    np.testing.assert_array_equal(delta0.values, trace.layers[0].delta)
    np.testing.assert_array_equal(s["gradients-0"].tables[0].values, trace.layers[0].grad_W)
    parameters, outputs = s["update"].tables
    assert parameters.columns == ("θ", "g = ∂C/∂θ", "Δθ", "θ after")  # plain SGD: no state
    np.testing.assert_array_equal(parameters.values[:, 0], step.params_before)
    np.testing.assert_array_equal(parameters.values[:, 1], trace.gradient)
    np.testing.assert_array_equal(parameters.values[:, -1], step.params_after)
    assert parameters.rows[0] == "W1[1→1]" and len(parameters.rows) == 17  # counted from 1
    np.testing.assert_array_equal(outputs.values[:, -1], t.predictions_after[:, 0])
    trainer.step(1)
    np.testing.assert_array_equal(trainer.network.params, step.params_after)
    # The rows are the mini-batch's examples, named by their inputs on a truth table.
    assert z.rows == tuple(example_labels(trace.inputs))
    assert all(label.startswith("example ") and label.endswith(")") for label in z.rows)


def test_the_optimizer_state_is_shown_before_and_after():
    t, _ = traced(XOR.replace(optimizer="adam", learning_rate=0.1), steps=3)
    parameters = by_key(stages(t))["update"].tables[0]
    assert parameters.columns == ("θ", "g = ∂C/∂θ", "m before", "m after", "v before",
                                  "v after", "Δθ", "θ after")
    np.testing.assert_array_equal(parameters.values[:, 3], t.step.state_after["m"])
    np.testing.assert_array_equal(parameters.values[:, 4], t.step.state_before["v"])
    first, _ = traced(XOR.replace(optimizer="momentum"))  # no velocity before the first step
    parameters = by_key(stages(first))["update"].tables[0]
    assert parameters.columns[2:4] == ("v before", "v after")
    assert not parameters.values[:, 2].any()


def test_the_fused_delta_says_why_and_the_mistake_shows_both_deltas():
    t, _ = traced(XOR.replace(loss="bce"))
    fused = by_key(stages(t))["output-delta"]
    assert "fused" in fused.formulas[0] and "cancel" in fused.text
    np.testing.assert_allclose(fused.tables[0].values,
                               t.step.trace.predictions - t.step.trace.targets)

    t, _ = traced(XOR.replace(classic_mistake=True), steps=50)
    stage = by_key(stages(t))["output-delta"]
    marks = [table_.mark for table_ in stage.tables]
    assert marks == ["wrong", "right", "", "wrong", "right"]
    wrong, right = stage.tables[3].values, stage.tables[4].values
    np.testing.assert_array_equal(wrong, t.step.trace.layers[-1].delta)
    np.testing.assert_array_equal(right, t.reference.layers[-1].delta)
    assert np.all(wrong > 0)  # the loss is never negative: every output pushed down
    ones = t.step.trace.targets[:, 0] == 1
    assert np.all(right[ones] < 0)  # the right delta raises an output whose target is 1
    assert "✗" in stage.formulas[0] and "✓" in stage.formulas[1]
    update = by_key(stages(t))["update"]
    assert update.tables[0].columns[1] == "g (as computed)" and "mistake" in update.text


@pytest.mark.parametrize("config", [
    Config(dataset="spiral3", n_samples=60, hidden_layers=(6, 5), activation="maxout",
           optimizer="rmsprop", regularization="l2", reg_rate=0.01, batch_size=20),
    Config(dataset="circle", n_samples=60, hidden_layers=(4, 2), activation="prelu",
           optimizer="nesterov", regularization="l1", reg_rate=0.01),
    Config(dataset="spiral3", n_samples=60, loss="kl_div", hidden_layers=(3,)),
    Config(dataset="spiral3", n_samples=60, loss="sparse_cce", hidden_layers=()),
    Config(dataset="sine", n_samples=300, loss="rmse", hidden_layers=(40,), batch_size=30),
], ids=["maxout", "prelu", "kl-softmax", "no hidden layer", "rmse, big layer"])
def test_stages_of_other_networks(config):
    t, _ = traced(config, steps=2)
    found = stages(t)
    n_layers = len(t.step.trace.layers)
    assert len(found) == 5 + n_layers + n_layers + (n_layers - 1)
    for stage in found:
        for table_ in stage.tables:
            assert table_.values.ndim == 2
            assert table_.values.shape[0] <= max(MAX_ROWS, 24)
            assert table_.values.shape[1] <= (8 if stage.key == "update" else MAX_COLUMNS)
            assert len(table_.rows) == table_.values.shape[0]
            assert len(table_.columns) == table_.values.shape[1]
    s = by_key(found)
    if config.activation == "maxout":
        titles = [table_.title for table_ in s["forward-0"].tables]
        assert any("piece 1" in title for title in titles) and any("piece 2" in title
                                                                   for title in titles)
        assert any("W'" in table_.title for table_ in s["gradients-0"].tables)
    if config.activation == "prelu":
        assert any("slope" in table_.title for table_ in s["gradients-0"].tables)
    if config.regularization != "none":
        assert any("penalty" in table_.title for table_ in s["gradients-0"].tables)
        assert r"\lambda" in s["gradients-0"].formulas[0]
    if config.loss == "kl_div":
        assert "J" in s["output-delta"].formulas[0]  # softmax's Jacobian, not elementwise
    if config.loss == "rmse":
        z = s["forward-0"].tables[2]
        assert "Showing the first 8 of 30 examples and the first 6 of 40 neurons" in z.summary
        assert r"\sqrt" in s["cost"].formulas[0]


def test_tables_show_a_corner_and_summarize_the_rest():
    values = np.arange(200.0).reshape(20, 10) - 50
    t = table(values, "z⁰", "example", "neuron")
    assert t.values.shape == (MAX_ROWS, MAX_COLUMNS) and t.shape == "20 examples × 10 neurons"
    assert "from −50 to 149" in t.summary and t.rows[0] == "example 1" and t.columns[0] == "1"
    whole = table(values[:3, :2], "z", "example", "neuron")
    assert whole.summary == "" and whole.cell(0, 0) == "−50"
    assert table(np.zeros(4), "b", "", "neuron").shape == "4 neurons"
    assert sup(12) == "¹²"
    assert example_labels(np.array([[0.5, 1.0]])) == ["example 1"]
    assert example_labels(np.array([[0.0, 1.0]])) == ["example 1  (0, 1)"]


# --------------------------------------------------------------------------- the formulas
def test_every_activation_loss_and_optimizer_has_its_formulas():
    assert set(formulas.ACTIVATIONS) == set(activations.names())
    assert set(formulas.LOSSES) == set(losses.names())
    assert set(formulas.OPTIMIZERS) == set(optimizers.names())
    for name in losses.names():
        assert formulas.loss_equation(name)[0].startswith(r"$\ell")
        assert r"\partial" in formulas.loss_derivative(name)[0]
    assert r"\sqrt" in formulas.cost("rmse") and r"\lambda" in formulas.cost("mse", "l1")
