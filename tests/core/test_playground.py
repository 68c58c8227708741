"""Neural Network Playground links: read, written, round-tripped, and never a crash."""
from __future__ import annotations

import math
import random
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from core import playground
from core.config import Config
from core.network import Network
from core.playground import PlaygroundError, from_url, read, to_url
from core.presets import get as preset
from core.trainer import Trainer

ISSUE_LINK = (
    "https://playground.tensorflow.org/#activation=tanh&batchSize=10&dataset=circle&regDataset="
    "reg-plane&learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2&seed=0.80593&"
    "showTestData=false&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared="
    "false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem="
    "classification&initZero=false&hideText=false")
# Links as people share them (course notes, READMEs, blog posts), including the regression
# problem, no hidden layer, the features, test data shown, and hidden controls.
SHARED_LINKS = [
    ISSUE_LINK,
    "https://playground.tensorflow.org/#activation=sigmoid&batchSize=10&dataset=gauss&regDataset="
    "reg-plane&learningRate=0.03&regularizationRate=0&noise=0&networkShape=1,1&seed=0.43153&"
    "showTestData=false&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared="
    "false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem="
    "classification&initZero=false&hideText=false",
    "https://playground.tensorflow.org/#activation=tanh&batchSize=10&dataset=spiral&regDataset="
    "reg-plane&learningRate=0.03&regularizationRate=0&noise=0&networkShape=8&seed=0.14370&"
    "showTestData=false&discretize=false&percTrainData=50&x=true&y=true&xTimesY=true&xSquared="
    "true&ySquared=true&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem="
    "classification&initZero=false&hideText=false",
    "https://playground.tensorflow.org/#activation=sigmoid&batchSize=10&dataset=circle&regDataset="
    "reg-plane&learningRate=0.01&regularizationRate=0&noise=0&networkShape=4&seed=0.15031&"
    "showTestData=true&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared="
    "false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem="
    "classification&initZero=false&hideText=false",
    "https://playground.tensorflow.org/#activation=linear&batchSize=10&dataset=circle&regDataset="
    "reg-plane&learningRate=0.001&regularizationRate=0&noise=0&networkShape=&seed=0.08033&"
    "showTestData=false&discretize=false&percTrainData=30&x=true&y=true&xTimesY=false&xSquared="
    "false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem="
    "regression&initZero=false&hideText=false",
    "https://playground.tensorflow.org/#activation=tanh&batchSize=10&dataset=circle&regDataset="
    "reg-plane&learningRate=0.03&regularizationRate=0&noise=25&networkShape=&seed=0.27079&"
    "showTestData=false&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared="
    "false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem="
    "regression&initZero=false&hideText=false&showTestData_hide=false&activation_hide=true",
    "http://playground.tensorflow.org/#activation=relu&regularization=L2&batchSize=25&dataset="
    "xor&regDataset=reg-gauss&learningRate=0.3&regularizationRate=0.001&noise=15&networkShape="
    "6,6,3&seed=0.12345&percTrainData=80&x=true&y=true&sinX=true&sinY=true&problem="
    "classification&tutorial=dp-reducing-loss-learning-rate",
    "https://playground.tensorflow.org/#activation=linear&regularization=L1&batchSize=1&dataset="
    "gauss&regDataset=reg-gauss&learningRate=3&regularizationRate=0.3&noise=50&networkShape=8,8,"
    "8,8,8,8&seed=0.99999&percTrainData=10&x=false&y=true&problem=regression&initZero=true",
]


def test_the_issues_link_is_the_playground_preset():
    config = from_url(ISSUE_LINK)
    assert config == preset("Playground default (circle, tanh 4-2, SGD)").config.replace(
        seed=80593)
    assert (config.output_activation, config.loss, config.signed_targets, config.init) == (
        "tanh", "mse", True, "uniform")
    assert config.learning_rate == 0.015 and config.n_samples == 500


@pytest.mark.parametrize("link", SHARED_LINKS)
def test_shared_links_open_and_round_trip(link):
    found = read(link)
    assert found.unknown == ()
    config = found.config
    Trainer(config).step(3)  # a run that trains
    assert from_url(to_url(config)) == config


def test_each_field_lands_where_it_belongs():
    config = from_url(SHARED_LINKS[6])
    assert (config.dataset, config.activation, config.hidden_layers) == ("xor", "relu", (6, 6, 3))
    assert (config.regularization, config.reg_rate) == ("l2", 0.002)
    assert (config.learning_rate, config.batch_size) == (0.15, 25)
    assert (config.noise, config.train_fraction, config.seed) == (0.15, 0.8, 12345)
    assert config.features == ("x1", "x2", "sin_x1", "sin_x2")
    regression = from_url(SHARED_LINKS[7])
    assert (regression.dataset, regression.task, regression.n_samples) == (
        "gauss_regression", "regression", 1200)
    assert (regression.output_activation, regression.signed_targets) == ("linear", False)
    assert (regression.init, regression.features, regression.regularization) == (
        "zeros", ("x2",), "l1")


def test_unknown_fields_are_reported_not_fatal():
    found = read(ISSUE_LINK + "&foo=1&batchSiz=3")
    assert found.unknown == ("foo", "batchSiz")
    assert found.config == from_url(ISSUE_LINK)
    assert "random points" in found.unmatched and found.unmatched.count(". ") == 0


@pytest.mark.parametrize("link,field", [
    ("#activation=swish", "activation"), ("#dataset=moons", "dataset"),
    ("#learningRate=fast", "learningRate"), ("#batchSize=2.5", "batchSize"),
    ("#noise=300", "noise"), ("#networkShape=4,x", "networkShape"), ("#x=yes", "x"),
    ("#problem=ranking", "problem"), ("#percTrainData=0", "percTrainData"),
    ("#regularization=L3", "regularization"), ("#learningRate=0", "learningRate"),
])
def test_a_bad_field_is_named(link, field):
    with pytest.raises(PlaygroundError, match=field):
        from_url(link)


@pytest.mark.parametrize("text", ["", "   ", "https://example.com/page", "#foo=1&bar=2",
                                  "#x=false&y=false", None, 42])
def test_what_is_not_a_link_is_refused(text):
    with pytest.raises(PlaygroundError):
        from_url(text)


def test_the_playground_page_without_settings_is_its_default():
    assert from_url("https://playground.tensorflow.org/") == from_url(
        playground.DEFAULT_LINK).replace(seed=0)


def _mangle(rng, link):
    """A link with a few characters deleted, doubled, swapped or replaced."""
    chars = list(link)
    for _ in range(rng.randint(1, 6)):
        i = rng.randrange(len(chars))
        kind = rng.random()
        if kind < 0.3:
            del chars[i]
        elif kind < 0.5:
            chars.insert(i, chars[i])
        elif kind < 0.7 and i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars[i] = rng.choice("=&#,.-0123456789xyzTRUEfalse%€ \x00")
        if not chars:
            break
    return "".join(chars)


def test_mangled_links_raise_only_playground_errors():
    rng = random.Random(18)
    opened = refused = 0
    for k in range(200):
        link = _mangle(rng, SHARED_LINKS[k % len(SHARED_LINKS)])
        try:
            config = from_url(link)
        except PlaygroundError as err:
            assert str(err)
            refused += 1
        else:
            assert isinstance(config, Config)
            opened += 1
    assert opened > 20 and refused > 20  # both kinds were exercised


@settings(max_examples=150, deadline=None)
@given(dataset=st.sampled_from(["circle", "xor", "gauss", "spiral", "plane",
                                "gauss_regression"]),
       activation=st.sampled_from(playground.ACTIVATIONS),
       layers=st.lists(st.integers(1, 8), max_size=6),
       rate=st.floats(1e-6, 10), reg=st.sampled_from(["none", "l1", "l2"]),
       reg_rate=st.floats(0, 1), noise=st.floats(0, 0.5), share=st.floats(0.01, 0.99),
       batch=st.integers(1, 30), seed=st.integers(0, 2**32 - 1), zeros=st.booleans(),
       features=st.sets(st.sampled_from(list(playground.FEATURES.values())), min_size=1))
def test_every_playground_field_round_trips(dataset, activation, layers, rate, reg, reg_rate,
                                            noise, share, batch, seed, zeros, features):
    regression = dataset in ("plane", "gauss_regression")
    ordered = tuple(f for f in playground.FEATURES.values() if f in features)
    config = Config(dataset=dataset, n_samples=1200 if regression else 500, noise=noise,
                    train_fraction=share, seed=seed, hidden_layers=tuple(layers),
                    activation=activation, output_activation="linear" if regression else "tanh",
                    loss="mse", signed_targets=not regression, learning_rate=rate,
                    batch_size=batch, regularization=reg, reg_rate=reg_rate,
                    init="zeros" if zeros else "uniform",
                    features=None if ordered == ("x1", "x2") else ordered)
    link = to_url(config)
    assert link.startswith(playground.PLAYGROUND + "#") and "e+" not in link and "e-" not in link
    assert from_url(link) == config


@pytest.mark.parametrize("change,reason", [
    ({"optimizer": "adam"}, "SGD"), ({"loss": None, "signed_targets": False}, "squared error"),
    ({"dataset": "moons"}, "moons"), ({"hidden_layers": (16,)}, "8 neurons"),
    ({"n_samples": 200}, "500 points"), ({"init": "xavier"}, "U(−0.5, 0.5)"),
    ({"activation": "elu"}, "elu"), ({"lr_schedule": "cosine"}, "constant"),
])
def test_what_the_playground_cannot_express_is_said(change, reason):
    config = from_url(ISSUE_LINK).replace(**change)
    with pytest.raises(PlaygroundError, match=re.escape(reason)):
        to_url(config)


def _playground_batch_update(layers, X, targets, rate, reg, reg_rate, activation):
    """One update of the Playground's nn.ts, neuron by neuron in plain floats: each example's
    error ½(output − target)² is backpropagated and its derivatives summed; then every bias
    and weight moves by rate/n times the sum, and each weight also by rate·λ·R'(w)."""
    act = {"tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
           "relu": (lambda z: max(0.0, z), lambda z: 0.0 if z <= 0 else 1.0)}[activation]
    out_act = (math.tanh, lambda z: 1 - math.tanh(z) ** 2)
    n_layers = len(layers)
    acc_w = [[[0.0] * len(W[0]) for _ in W] for W, _ in layers]
    acc_b = [[0.0] * len(b) for _, b in layers]
    for x, t in zip(X, targets):
        outs, zs = [list(x)], []
        for k, (W, b) in enumerate(layers):
            f = out_act[0] if k == n_layers - 1 else act[0]
            z = [b[j] + sum(outs[-1][i] * W[i][j] for i in range(len(W)))
                 for j in range(len(b))]
            zs.append(z)
            outs.append([f(v) for v in z])
        output_der = [outs[-1][0] - t]  # d/d output of ½(output − target)²
        for k in reversed(range(n_layers)):
            W, b = layers[k]
            df = out_act[1] if k == n_layers - 1 else act[1]
            input_der = [output_der[j] * df(zs[k][j]) for j in range(len(b))]
            for j in range(len(b)):
                acc_b[k][j] += input_der[j]
                for i in range(len(W)):
                    acc_w[k][i][j] += input_der[j] * outs[k][i]
            output_der = [sum(W[i][j] * input_der[j] for j in range(len(b)))
                          for i in range(len(W))]
    n = len(X)
    der = {"none": lambda w: 0.0, "l2": lambda w: w,
           "l1": lambda w: -1.0 if w < 0 else (1.0 if w > 0 else 0.0)}[reg]
    new = []
    for k, (W, b) in enumerate(layers):
        b2 = [b[j] - rate * acc_b[k][j] / n for j in range(len(b))]
        W2 = [[W[i][j] - rate / n * acc_w[k][i][j] - rate * reg_rate * der(W[i][j])
               for j in range(len(b))] for i in range(len(W))]
        new.append((W2, b2))
    return new


@pytest.mark.parametrize("activation,reg", [("tanh", "none"), ("relu", "l2"), ("tanh", "l2")])
def test_an_update_is_the_playgrounds_update(activation, reg):
    """The converted rates make Costscape's step equal the Playground's, computed independently
    (the L1 case differs only where a weight would cross 0, which the Playground clamps)."""
    link = (f"#activation={activation}&networkShape=3,2&learningRate=0.3&regularization="
            f"{'L2' if reg == 'l2' else 'none'}&regularizationRate=0.01&batchSize=7")
    config = from_url(link)
    net = Network((2, 3, 2, 1), activation, "tanh", seed=5, init="uniform")
    rng = np.random.default_rng(3)
    X = rng.uniform(-6, 6, (7, 2))
    labels = (np.hypot(*X.T) < 2.5).astype(float)
    targets = 2 * labels - 1
    layers = [(net.weights[k].tolist(), net.biases[k].tolist()) for k in range(3)]
    expected = _playground_batch_update(layers, X.tolist(), targets.tolist(), 0.3, reg, 0.01,
                                        activation)
    l2 = config.reg_rate if reg == "l2" else 0.0
    grad = net.gradient(X, targets[:, None], "mse", 0.0, l2)
    net.params -= config.learning_rate * grad
    for k, (W, b) in enumerate(expected):
        np.testing.assert_allclose(net.weights[k], W, rtol=0, atol=1e-13)
        np.testing.assert_allclose(net.biases[k], b, rtol=0, atol=1e-13)
