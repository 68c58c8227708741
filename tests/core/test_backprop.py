"""Backpropagation traced stage by stage: the trainer's numbers bit for bit, one step of a
trainer applied exactly, and the classic mistake of the numpy XOR code reproduced."""
import numpy as np
import pytest

from core import activations, datasets, losses, optimizers
from core.backprop import LossInsteadOfDerivative, apply_step, next_step, trace
from core.config import Config
from core.gradcheck import check_gradient
from core.network import Network
from core.run import RunArrays
from core.trainer import Trainer, load_data

HIDDEN = [name for name in activations.names() if activations.get(name).hidden_ok]
DATASET = {"regression": "sine", "binary": "xor", "multiclass": "spiral3"}
#: Every (task, loss) the app offers: core.config accepts a loss for the tasks it fits.
PAIRINGS = [(task, loss) for task in datasets.TASKS for loss in losses.names()
            if task in losses.get(loss).tasks]
PENALTIES = [(0.0, 0.0), (0.01, 0.0), (0.0, 0.05)]


def _run(task, loss, activation="tanh", output=None, seed=0):
    """The network, inputs, targets and loss the app would train with for this choice."""
    config = Config(dataset=DATASET[task], n_samples=40, hidden_layers=(4, 3),
                    activation=activation, output_activation=output, loss=loss, seed=seed)
    arrays = RunArrays.build(config, load_data(config))
    net = Network(arrays.layer_sizes, config.activation, config.output_activation, seed=seed)
    net.params += 0.3 * np.random.default_rng(seed).normal(size=net.n_params)
    return net, arrays.inputs_train, arrays.targets_train, arrays.loss


def _assert_trace_is_the_network_s(net, X, y, loss):
    for l1, l2 in PENALTIES:
        before = net.params.copy()
        with np.errstate(all="ignore"):
            cost, gradient = net.cost_and_gradient(X, y, loss, l1, l2)
            t = trace(net, X, y, loss, l1, l2)
        np.testing.assert_array_equal(net.params, before)
        assert t.cost == cost, (loss.name, l1, l2)
        np.testing.assert_array_equal(t.gradient, gradient, err_msg=f"{loss.name} {l1} {l2}")


@pytest.mark.parametrize("activation", HIDDEN)
def test_trace_is_cost_and_gradient_bit_for_bit_for_every_hidden_activation(activation):
    for task, loss in PAIRINGS:
        _assert_trace_is_the_network_s(*_run(task, loss, activation))


@pytest.mark.parametrize("output", activations.names())
def test_trace_is_cost_and_gradient_bit_for_bit_for_every_output_activation(output):
    for task, loss in PAIRINGS:
        if output == "softmax" and task != "multiclass":
            continue  # Config refuses it: softmax needs several outputs
        _assert_trace_is_the_network_s(*_run(task, loss, "tanh", output, seed=1))


@pytest.mark.parametrize("hidden", ["tanh", "prelu", "maxout"])
def test_each_layer_holds_its_stages(hidden):
    net, X, y, loss = _run("regression", "mse", hidden)
    l1, l2 = 0.01, 0.02
    t = trace(net, X, y, loss, l1, l2)
    assert [layer.layer for layer in t.layers] == [0, 1, 2]
    np.testing.assert_array_equal(t.layers[0].inputs, X)
    np.testing.assert_array_equal(t.predictions, net.predict(X))
    np.testing.assert_array_equal(t.layers[-1].a, t.predictions)
    np.testing.assert_allclose(t.per_example_loss, loss.per_example(y, t.predictions))
    assert t.data_cost == loss.cost(y, t.predictions)
    assert t.penalty == net.regularization(l1, l2) and t.cost == t.data_cost + t.penalty
    for layer in t.layers:
        assert layer.delta.shape == layer.z.shape
        if hidden == "maxout" and layer.layer < 2:
            assert layer.z.shape == (len(X), net.layer_sizes[layer.layer + 1], 2)
            delta = layer.delta[..., 0]
            np.testing.assert_allclose(layer.extra_grads["W'"], layer.inputs.T @ layer.delta[..., 1]
                                       + layer.penalty_grads["W'"], rtol=1e-13)
        else:
            delta = layer.delta
        # ∂C/∂W = aᵀδ + the penalty's gradient, ∂C/∂b = Σδ, laid out as in params.
        np.testing.assert_allclose(layer.grad_W, layer.inputs.T @ delta + layer.penalty_grads["W"],
                                   rtol=1e-13)
        np.testing.assert_allclose(layer.grad_b, delta.sum(axis=0), rtol=1e-13)
        np.testing.assert_array_equal(layer.grad_W.ravel(),
                                      t.gradient[net.layout.slice("W", layer.layer)])
    if hidden == "prelu":
        assert set(t.layers[0].extra_grads) == {"slope"}
    # Below the output, δˡ = (δˡ⁺¹·Wˡ⁺¹ᵀ) ⊙ f′(zˡ); at the output ∂C/∂ŷ ⊙ f′(zᴸ).
    np.testing.assert_allclose(t.layers[1].grad_a, t.layers[2].delta @ net.weights[2].T)
    np.testing.assert_array_equal(t.layers[-1].grad_a, t.output_grad)
    np.testing.assert_allclose(t.layers[-1].delta, t.output_grad * t.layers[-1].f_prime)
    assert not t.fused and not t.mistaken and "no fused form" in t.output_delta_reason


@pytest.mark.parametrize("task,loss", [("binary", "bce"), ("multiclass", "cce"),
                                       ("multiclass", "sparse_cce")])
def test_the_fused_output_delta_is_named_with_its_reason(task, loss):
    net, X, y, loss = _run(task, loss)
    t = trace(net, X, y, loss)
    assert t.fused and net.has_fused_gradient(loss)
    assert "fused" in t.output_delta_reason and "(ŷ − y)" in t.output_delta_reason
    assert t.layers[-1].grad_a is None and t.output_grad.shape == t.predictions.shape
    if loss.name == "cce":
        np.testing.assert_allclose(t.layers[-1].delta, (t.predictions - y) / len(X))


def test_a_softmax_output_without_the_fused_delta_has_no_elementwise_derivative():
    net, X, y, loss = _run("multiclass", "kl_div")
    t = trace(net, X, y, loss)
    assert not t.fused and t.layers[-1].f_prime is None and "Jacobian" in t.output_delta_reason


# ------------------------------------------------------------------------------ one trainer step


@pytest.mark.parametrize("optimizer", optimizers.names())
def test_applying_traced_steps_equals_trainer_step_bit_for_bit(optimizer):
    config = Config(dataset="circle", n_samples=50, hidden_layers=(5, 3), activation="tanh",
                    optimizer=optimizer, learning_rate=0.05, batch_size=10,
                    regularization="l2", reg_rate=0.01, seed=3)
    traced, reference = Trainer(config), Trainer(config)
    for step in range(1, 8):  # 25 training rows: the epochs end mid-batch and reshuffle
        previewed = next_step(traced)
        assert previewed.step == step
        assert len(previewed.batch) == len(previewed.trace.inputs)
        apply_step(traced, previewed)
        reference.step(1)
        np.testing.assert_array_equal(traced.network.params, reference.network.params)
        np.testing.assert_array_equal(previewed.params_after, reference.network.params)
        state = reference.optimizer.state_dict()
        assert previewed.state_after.keys() == state.keys()
        for key, value in state.items():
            np.testing.assert_array_equal(previewed.state_after[key], value)
        assert traced.step_count == reference.step_count == step
        assert traced.epochs_completed == reference.epochs_completed
    np.testing.assert_array_equal(traced.history_arrays()["train_cost"],
                                  reference.history_arrays()["train_cost"])
    np.testing.assert_array_equal(apply_step(traced).params_after, traced.network.params)


def test_a_step_traced_before_the_trainer_moved_on_is_refused():
    trainer = Trainer(Config(dataset="xor_table", hidden_layers=(4,), activation="sigmoid",
                             loss="mse", learning_rate=1.0, batch_size=4))
    stale = next_step(trainer)
    assert stale.update.shape == trainer.network.params.shape
    np.testing.assert_array_equal(stale.update, stale.params_after - stale.params_before)
    trainer.step(1)
    with pytest.raises(ValueError, match="not the trainer's next step"):
        apply_step(trainer, stale)
    fresh = next_step(trainer)
    trainer.apply_config(trainer.config.replace(learning_rate=0.5))  # a live change
    with pytest.raises(ValueError, match="not the trainer's next step"):
        apply_step(trainer, fresh)
    assert trainer.step_count == 1


# ---------------------------------------------------------------------------- the classic mistake
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=float)


def _classic_xor_code(W0, b0, W1, b1, learning_rate, steps):
    """The classic 2-4-1 numpy XOR network, with the mistake: the loss where its derivative
    belongs. Written as that code is (l0, l1, l2 the layers), independently of core."""
    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    W0, b0, W1, b1 = (np.array(w, dtype=float) for w in (W0, b0, W1, b1))
    l0, y = XOR_X, XOR_Y
    for _ in range(steps):
        l1 = sigmoid(l0 @ W0 + b0)
        l2 = sigmoid(l1 @ W1 + b1)
        l2_error = 0.5 * (l2 - y) ** 2     # the mistake; the derivative would be (l2 - y)
        l2_delta = l2_error * l2 * (1 - l2)
        l1_error = l2_delta @ W1.T
        l1_delta = l1_error * l1 * (1 - l1)
        W1 -= learning_rate * l1.T @ l2_delta
        b1 -= learning_rate * l2_delta.sum(axis=0)
        W0 -= learning_rate * l0.T @ l1_delta
        b0 -= learning_rate * l1_delta.sum(axis=0)
    return sigmoid(sigmoid(l0 @ W0 + b0) @ W1 + b1)


def test_the_mistaken_delta_reproduces_the_classic_code_and_drifts_to_zero():
    net = Network((2, 4, 1), "sigmoid", "sigmoid", seed=0)
    start = [net.block(kind, layer).copy() for kind, layer in (("W", 0), ("b", 0), ("W", 1),
                                                                ("b", 1))]
    mistaken = LossInsteadOfDerivative("mse")
    # The app's δᴸ = (ℓ/n)·σ′ with ℓ = (ŷ − y)² and n = 4 is the classic 0.5·(ŷ − y)²·σ′ / 2,
    # so the app's learning rate 1 is the classic code's 0.5.
    sgd = optimizers.get("sgd", learning_rate=1.0)
    first = net.predict(XOR_X)
    outputs = []
    for steps in (1, 99, 900):
        for _ in range(steps):
            sgd.step(net.params, net.gradient(XOR_X, XOR_Y, mistaken))
        outputs.append(net.predict(XOR_X))
        np.testing.assert_allclose(outputs[-1], _classic_xor_code(*start, 0.5, sgd.t),
                                   rtol=1e-12)
    # Every output falls towards 0, the targets 1 as much as the targets 0.
    assert np.all(first > 0.3) and np.all(np.diff(np.hstack([first, *outputs]), axis=1) < 0)
    assert np.all(outputs[-1] < 0.002)


def test_the_mistaken_delta_is_the_loss_times_the_derivative_and_the_check_flags_it():
    net = Network((2, 4, 1), "sigmoid", "sigmoid", seed=1)
    for name in ("mse", "bce"):
        mistaken = LossInsteadOfDerivative(name)
        assert not net.has_fused_gradient(mistaken)  # bce: not the fused (ŷ − y)/n either
        t = trace(net, XOR_X, XOR_Y, mistaken)
        ell = losses.get(name).per_example(XOR_Y, t.predictions)
        assert t.mistaken and not t.fused and "mistake" in t.output_delta_reason
        assert t.cost == losses.get(name).cost(XOR_Y, t.predictions)
        np.testing.assert_array_equal(t.output_grad, (ell / 4)[:, None])
        np.testing.assert_allclose(t.layers[-1].delta,
                                   (ell / 4)[:, None] * t.predictions * (1 - t.predictions))
        right = trace(net, XOR_X, XOR_Y, name)
        assert right.cost == t.cost and not np.allclose(right.gradient, t.gradient)
        assert check_gradient(net, XOR_X, XOR_Y, mistaken).verdict == "bug"
        assert check_gradient(net, XOR_X, XOR_Y, name).verdict == "correct"


def test_the_mistaken_loss_passes_the_rest_through():
    mistaken = LossInsteadOfDerivative("sparse_cce")
    assert mistaken.sparse and mistaken.tasks == losses.get("sparse_cce").tasks
    assert mistaken.name != "sparse_cce" and "derivative" in mistaken.display_name
    assert mistaken.gradient([0, 2], [[0.5, 0.2, 0.3], [0.1, 0.1, 0.8]]).shape == (2, 3)
    with pytest.raises(ValueError):
        LossInsteadOfDerivative(mistaken)
    import copy
    assert copy.deepcopy(mistaken).base.name == "sparse_cce"


@pytest.mark.parametrize("schedule", [dict(lr_schedule="cosine", decay_steps=5),
                                      dict(lr_schedule="step", decay_steps=2, warmup_steps=3)])
def test_a_step_under_a_learning_rate_schedule_is_previewed_with_its_own_rate(schedule):
    config = Config(dataset="xor_table", hidden_layers=(4,), activation="sigmoid", loss="mse",
                    optimizer="momentum", learning_rate=0.5, batch_size=2, **schedule)
    traced, reference = Trainer(config), Trainer(config)
    for step in range(8):
        previewed = next_step(traced)
        assert previewed.hyperparameters["learning_rate"] == reference.learning_rate
        apply_step(traced, previewed)
        reference.step(1)
        np.testing.assert_array_equal(traced.network.params, reference.network.params)
