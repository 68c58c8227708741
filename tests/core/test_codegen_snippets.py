"""The functions the generated scripts show (core.codegen.snippets) against core's own.

Independently of any script: every snippet function is called on random float64 inputs and
compared with the registry entry it stands for (values and derivatives), so a change on either
side that the other does not follow fails here, by name.
"""
import inspect

import numpy as np
import pytest

from core import activations, losses, optimizers
from core.codegen import SOURCE_MODULES
from core.codegen.snippets import activations as act_snippets
from core.codegen.snippets import losses as loss_snippets
from core.codegen.snippets import optimizers as opt_snippets
from core.network import Network

RTOL = 1e-12


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=1e-300)


def pre_activations(rng, shape):
    """Normal values, and the places where branches meet: 0, ±tiny, ±large."""
    z = rng.normal(0.0, 3.0, shape)
    flat = z.reshape(-1)
    specials = [0.0, 1e-12, -1e-12, 40.0, -40.0, 700.0, -700.0]
    flat[:len(specials)] = specials
    return z


# --------------------------------------------------------------------------- activations
@pytest.mark.parametrize("name", activations.names())
def test_every_activation_and_its_backward_match_core(name):
    rng = np.random.default_rng(0)
    act = activations.get(name)
    forward, backward = getattr(act_snippets, name), getattr(act_snippets, f"{name}_backward")
    if name == "maxout":
        z = pre_activations(rng, (9, 4, 2))
        z[0, 0] = [1.5, 1.5]  # a tie: the first piece wins, in both
        grad_a = rng.normal(size=(9, 4))
        close(forward(z), act(z))
        mask = act.derivative(z)
        for piece, expected in zip(backward(grad_a, z), (mask[..., 0], mask[..., 1])):
            close(piece, grad_a * expected)
        return
    z = pre_activations(rng, (9, 4))
    grad_a = rng.normal(size=z.shape)
    if name == "prelu":
        slope = rng.uniform(-0.5, 1.0, 4)
        close(forward(z, slope), act(z, slope))
        grad_z, grad_slope = backward(grad_a, z, slope)
        close(grad_z, grad_a * act.derivative(z, slope))
        close(grad_slope, (grad_a * act.slope_derivative(z)).sum(axis=0))
        return
    a = act(z)
    close(forward(z), a)
    close(backward(grad_a, z, a), act.backward(z, a, grad_a))


def test_the_snippets_cover_every_activation_and_nothing_else():
    functions = {name for name, f in vars(act_snippets).items() if inspect.isfunction(f)}
    expected = set(activations.names()) | {f"{n}_backward" for n in activations.names()}
    assert functions == expected


# --------------------------------------------------------------------------- losses
def _targets_and_predictions(name, rng, n=12, k=3):
    """(y, ŷ) a loss of this kind meets, with some predictions where its clipping acts."""
    loss = losses.get(name)
    if loss.sparse:
        labels = rng.integers(0, k, (n, 1)).astype(float)
        p = rng.dirichlet(np.ones(k), n)
        p[0, int(labels[0, 0])] = 0.0  # the true class predicted impossible: clipped
        return labels, p
    if loss.tasks == {"multiclass"}:  # cce, kl_div: one-hot targets, probabilities
        y = np.eye(k)[rng.integers(0, k, n)]
        p = rng.dirichlet(np.ones(k), n)
        p[0] = y[0]  # certain and right: 1 and 0, both clipped
        return y, p
    if loss.tasks == {"binary"}:
        y = rng.integers(0, 2, (n, 1)).astype(float)
        if name == "bce":
            p = rng.uniform(0, 1, (n, 1))
            p[:2, 0] = [0.0, 1.0]
            return y, p
        return y, rng.normal(0, 1.5, (n, 1))  # hinge: raw scores
    y, p = rng.normal(0, 2, (n, 2)), rng.normal(0, 2, (n, 2))
    if name == "msle":
        y, p = np.abs(y), p  # targets of a log error are >= 0; some predictions below ε
    p[0, 0] = y[0, 0]  # an exact fit: where |e|, sign(e) and the like meet
    return y, p


@pytest.mark.parametrize("name", losses.names())
def test_every_loss_and_its_derivative_match_core(name):
    rng = np.random.default_rng(1)
    loss = losses.get(name)
    y, p = _targets_and_predictions(name, rng)
    # The script's RMSE loss is each example's squared error, whose mean the cost roots; core's
    # per_example is each example's own root.
    per_example = losses.get("mse" if name == "rmse" else name).per_example(y, p)
    close(getattr(loss_snippets, f"{name}_loss")(y, p), per_example)
    close(getattr(loss_snippets, f"{name}_cost_derivative")(y, p), loss.gradient(y, p))
    if name == "rmse":
        close(loss_snippets.rmse_cost(y, p), loss.cost(y, p))
        close(loss_snippets.rmse_cost_derivative(y, y), loss.gradient(y, y))  # cost 0


@pytest.mark.parametrize("labels", [[0.0, 1.0, 1.0, 0.0], [-1.0, 1.0, 1.0, -1.0]])
def test_hinge_labels_match_core(labels):
    y = np.array(labels)[:, None]
    scores = np.array([[0.3], [-2.0], [1.0], [-0.5]])
    for name in ("hinge", "squared_hinge"):
        close(getattr(loss_snippets, f"{name}_loss")(y, scores),
              losses.get(name).per_example(y, scores))


@pytest.mark.parametrize("output,name", sorted(Network.FUSED))
def test_fused_output_deltas_are_the_chain_rule(output, name):
    """(ŷ − y)/n equals d cost/d ŷ through the output activation's Jacobian, where no clip acts."""
    rng = np.random.default_rng(2)
    act, loss = activations.get(output), losses.get(name)
    z = rng.normal(0, 1.5, (10, 1 if output == "sigmoid" else 4))
    y_hat = act(z)
    k = z.shape[1]
    y = (rng.integers(0, 2, (10, 1)).astype(float) if output == "sigmoid"
         else rng.integers(0, k, (10, 1)).astype(float) if loss.sparse
         else np.eye(k)[rng.integers(0, k, 10)])
    delta = getattr(loss_snippets, f"{output}_{name}_output_delta")(y, y_hat, z)
    np.testing.assert_allclose(delta, act.backward(z, y_hat, loss.gradient(y, y_hat)),
                               rtol=1e-9, atol=1e-15)


def test_the_snippets_cover_every_loss_and_fused_pair():
    functions = {name for name, f in vars(loss_snippets).items() if inspect.isfunction(f)}
    per_loss = {f"{n}_{part}" for n in losses.names() for part in ("loss", "cost_derivative")}
    fused = {f"{a}_{n}_output_delta" for a, n in Network.FUSED}
    assert functions == per_loss | fused | {"rmse_cost", "signs", "log_difference"}


# --------------------------------------------------------------------------- optimizers
SETTINGS = {"learning_rate": 0.05, "momentum": 0.7, "rho": 0.85, "beta1": 0.8, "beta2": 0.99,
            "epsilon": 1e-6}


@pytest.mark.parametrize("name", optimizers.names())
def test_every_optimizer_update_matches_core(name, monkeypatch):
    rng = np.random.default_rng(3)
    core = optimizers.get(name, SETTINGS["learning_rate"],
                          **{k: SETTINGS[k] for k in optimizers.optimizer_class(name).defaults})
    for key, value in SETTINGS.items():
        if key != "learning_rate":  # the rate is the update's argument lr
            monkeypatch.setattr(opt_snippets, key.upper(), value)
    update = getattr(opt_snippets, f"{name}_update")
    state_names = [p for p in inspect.signature(update).parameters
                   if p not in ("params", "grads", "t", "lr")]
    shapes = [(3, 4), (4,), (4, 2)]
    flat = rng.normal(size=sum(int(np.prod(s)) for s in shapes))
    params = [a.reshape(s) for a, s in
              zip(np.split(flat.copy(), np.cumsum([np.prod(s) for s in shapes])[:-1]), shapes)]
    state = {key: [np.zeros_like(p) for p in params] for key in state_names}
    for t in range(1, 6):
        grads = [rng.normal(size=p.shape) for p in params]
        core.step(flat, np.concatenate([g.reshape(-1) for g in grads]))
        extra = (t,) if "t" in inspect.signature(update).parameters else ()
        update(params, grads, *state.values(), *extra, SETTINGS["learning_rate"])
        close(np.concatenate([p.reshape(-1) for p in params]), flat)


def test_the_constants_a_script_sets_are_the_optimizers_settings():
    """Each update reads its optimizer's hyperparameters, upper-cased (the names core.codegen
    writes with the run's values), and takes the learning rate as its last argument lr (the
    script's LEARNING_RATE, or its schedule's rate of this update)."""
    constants = {name for name, value in vars(opt_snippets).items() if isinstance(value, float)}
    assert "LEARNING_RATE" not in constants
    for name in optimizers.names():
        update = getattr(opt_snippets, f"{name}_update")
        source = inspect.getsource(update)
        used = {c for c in constants if c in source}
        assert used == {k.upper() for k in optimizers.optimizer_class(name).defaults}, name
        assert list(inspect.signature(update).parameters)[-1] == "lr"


def test_every_module_the_scripts_copy_from_is_listed_for_packaging(monkeypatch):
    """The frozen app bundles the sources of SOURCE_MODULES (packaging/costscape.spec): every
    module whose source a script copies must be one of them."""
    from core.codegen import generate_script, text
    from core.config import Config
    read, real = [], text._definitions
    monkeypatch.setattr(text, "_definitions", lambda m: read.append(m.__name__) or real(m))
    generate_script(Config(dataset="circle", n_samples=700, hidden_layers=(3,)), steps=1)
    assert len(set(read)) == 5  # data, weights, activations, losses, optimizers
    assert all(any(name == s or name.startswith(s + ".") for s in SOURCE_MODULES)
               for name in read), read
