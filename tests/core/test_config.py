"""Config: defaults, automatic loss/output activation, validation messages, dict/JSON round trips."""
import dataclasses
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import activations, datasets, losses, optimizers
from core.config import Config, ConfigError

FIELDS = [f.name for f in dataclasses.fields(Config)]


def test_defaults_are_valid_and_resolved():
    c = Config()
    assert (c.dataset, c.task, c.loss, c.output_activation) == ("xor", "binary", "bce", "sigmoid")
    assert c.hidden_layers == (4, 4) and c.learning_rate == 0.03 and c.rho == 0.9
    assert Config() == c and hash(Config()) == hash(c)


@pytest.mark.parametrize("name", datasets.names())
def test_every_built_in_set_gets_its_task_default_loss(name):
    c = Config(dataset=name)
    expected = {"regression": ("mse", "linear"), "binary": ("bce", "sigmoid"),
                "multiclass": ("cce", "softmax")}[datasets.task_of(name)]
    assert c.task == datasets.task_of(name) and (c.loss, c.output_activation) == expected


def test_output_activation_follows_the_loss_else_the_task():
    assert Config(dataset="circle", loss="hinge").output_activation == "linear"
    assert Config(dataset="circle", loss="mse").output_activation == "sigmoid"
    assert Config(dataset="spiral3", loss="sparse_cce").output_activation == "softmax"
    assert Config(dataset="sine", loss="huber").output_activation == "linear"
    assert Config(dataset="circle", loss="bce", output_activation="tanh").output_activation == "tanh"


def test_every_registered_name_that_fits_is_accepted():
    for name in optimizers.names():
        assert Config(optimizer=name).optimizer == name
    for name in activations.names():
        if activations.get(name).hidden_ok:
            assert Config(activation=name).activation == name
    for task, dataset in (("regression", "sine"), ("binary", "moons"), ("multiclass", "blobs")):
        for name in losses.names():
            if task in losses.get(name).tasks:
                assert Config(dataset=dataset, loss=name).loss == name


def test_normalizes_numbers_and_layers():
    c = Config(hidden_layers=[8, np.int64(3)], n_samples=200.0, noise=0, learning_rate=1)
    assert c.hidden_layers == (8, 3) and type(c.hidden_layers[1]) is int
    assert c.n_samples == 200 and type(c.n_samples) is int
    assert type(c.noise) is float and type(c.learning_rate) is float
    assert Config(hidden_layers=[]).hidden_layers == ()


@pytest.mark.parametrize("field,value", [
    ("dataset", "mnist"), ("dataset", 3), ("n_samples", 3), ("n_samples", 100_001),
    ("n_samples", 10.5), ("n_samples", True), ("n_samples", "500"), ("noise", -0.1),
    ("noise", 1.01), ("noise", float("nan")), ("train_fraction", 0.0), ("train_fraction", -0.5),
    ("train_fraction", 1.0001), ("train_fraction", 1.5),
    ("seed", -1), ("seed", 2**32), ("seed", 1.5), ("hidden_layers", (0,)),
    ("hidden_layers", (257,)), ("hidden_layers", (4,) * 9), ("hidden_layers", "44"),
    ("hidden_layers", 4), ("hidden_layers", (4.5,)), ("hidden_layers", ([4],)),
    ("activation", "softmax"), ("activation", "sigmod"), ("activation", None),
    ("output_activation", "nope"), ("output_activation", "softmax"), ("loss", "cce"),
    ("loss", "msle"), ("loss", "l2"), ("loss", 5), ("optimizer", "lbfgs"),
    ("learning_rate", 0), ("learning_rate", -1e-3), ("learning_rate", float("inf")),
    ("learning_rate", 10**400), ("learning_rate", "0.1"), ("batch_size", 0),
    ("batch_size", 2.5), ("regularization", "l3"), ("reg_rate", -1.0), ("init", "glorot"),
    ("momentum", 1.0), ("momentum", -0.1), ("beta1", 1.0), ("beta2", 2), ("rho", 1.0),
    ("epsilon", 0.0), ("data_path", 5), ("task", "regression"), ("task", "ranking"),
])
def test_each_bad_field_raises_config_error_naming_it(field, value):
    with pytest.raises(ConfigError, match=field):
        Config(**{field: value})


def test_a_training_share_of_one_is_valid():
    assert Config(train_fraction=1.0).train_fraction == 1.0
    assert Config(train_fraction=1).train_fraction == 1.0
    with pytest.raises(ConfigError, match=r"train_fraction must be a finite number in \(0, 1\]"):
        Config(train_fraction=1.2)


def test_error_messages_suggest_what_fits():
    with pytest.raises(ConfigError) as info:
        Config(dataset="circle", loss="cce")
    message = str(info.value)
    assert "loss 'cce' does not fit a binary task; choose one of:" in message
    assert "bce" in message and "hinge" in message and "sparse_cce" not in message
    with pytest.raises(ConfigError, match="output layer"):
        Config(activation="softmax")


def test_csv_needs_a_path_and_a_task():
    with pytest.raises(ConfigError, match="data_path"):
        Config(dataset="csv", task="binary")
    with pytest.raises(ConfigError, match="task"):
        Config(dataset="csv", data_path="points.csv")
    c = Config(dataset="csv", data_path="points.csv", task="regression")
    assert (c.loss, c.output_activation) == ("mse", "linear")
    assert Config.from_json(c.to_json()) == c


@pytest.mark.parametrize("config", [
    Config(),
    Config(dataset="spiral3", hidden_layers=(16, 8, 4), activation="relu", loss="kl_div",
           optimizer="adam", learning_rate=0.001, batch_size=32, regularization="l2",
           reg_rate=1e-4, init="he", seed=12345, noise=0.35, train_fraction=0.8),
    Config(dataset="sine", hidden_layers=(), loss="huber", output_activation="tanh",
           epsilon=1e-12, rho=0.5, data_path="remembered.csv"),
    Config(dataset="csv", data_path="/tmp/x y.csv", task="multiclass"),
])
def test_dict_and_json_round_trip_exactly(config):
    assert Config.from_dict(config.to_dict()) == config
    text = config.to_json()
    assert Config.from_json(text) == config
    assert json.loads(text) == config.to_dict()
    assert set(config.to_dict()) == set(FIELDS)


def test_from_dict_missing_keys_default_and_unknown_keys_are_named():
    assert Config.from_dict({"dataset": "moons"}) == Config(dataset="moons")
    with pytest.raises(ConfigError, match="'lr'.*'layers'"):
        Config.from_dict({"lr": 0.1, "layers": [3], "seed": 1})
    for bad in ([], "xor", None, 3):
        with pytest.raises(ConfigError):
            Config.from_dict(bad)


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", "null", '{"seed": NaN}', b"\xff{}",
                                  '{"hidden_layers": {"a": 1}}', "[" * 100_000, 42])
def test_from_json_bad_text_is_config_error(text):
    with pytest.raises(ConfigError):
        Config.from_json(text)


def test_replace_rechooses_automatic_fields():
    circle = Config(dataset="circle")
    sine = circle.replace(dataset="sine")
    assert (sine.task, sine.loss, sine.output_activation) == ("regression", "mse", "linear")
    # an explicit loss that still fits is kept; the automatic output activation follows the task
    huber = Config(dataset="sine", loss="huber").replace(dataset="moons")
    assert (huber.loss, huber.output_activation) == ("huber", "sigmoid")
    # a loss that no longer fits is re-chosen
    assert Config(dataset="circle", loss="hinge").replace(dataset="blobs").loss == "cce"
    # a new loss brings its own output activation unless one is given
    assert circle.replace(loss="hinge").output_activation == "linear"
    assert circle.replace(loss="hinge", output_activation="tanh").output_activation == "tanh"
    # a hand-picked output activation survives a change of loss
    tanh = Config(dataset="circle", output_activation="tanh")
    assert tanh.replace(loss="mse").output_activation == "tanh"
    assert circle.replace(learning_rate=0.5) == dataclasses.replace(circle, learning_rate=0.5)
    with pytest.raises(ConfigError, match="colour"):
        circle.replace(colour="red")
    with pytest.raises(ConfigError):
        circle.replace(dataset="csv")  # no path, no task


def test_init_names_match_the_network():
    from core import config, network
    assert config.INITS == network.INITS


def test_config_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config().seed = 3


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=8)
PLAUSIBLE = {
    "dataset": st.sampled_from(datasets.names() + ["csv", "nope"]),
    "loss": st.sampled_from(losses.names() + [None]),
    "activation": st.sampled_from(activations.names()),
    "output_activation": st.sampled_from(activations.names() + [None]),
    "optimizer": st.sampled_from(optimizers.names()),
    "task": st.sampled_from([*datasets.TASKS, None]),
    "hidden_layers": st.lists(st.integers(-2, 300), max_size=10),
    "n_samples": st.integers(0, 200_000), "learning_rate": st.floats(),
}


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS + ["bogus"]), JSON_VALUES, max_size=6),
       st.fixed_dictionaries({}, optional=PLAUSIBLE))
def test_from_dict_either_works_or_raises_config_error(random_values, plausible_values):
    try:
        config = Config.from_dict({**random_values, **plausible_values})
    except ConfigError:
        return
    assert Config.from_json(config.to_json()) == config


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.binary(),
                 st.dictionaries(st.text(max_size=8), JSON_VALUES).map(json.dumps)))
def test_from_json_either_works_or_raises_config_error(text):
    try:
        Config.from_json(text)
    except ConfigError:
        pass


# --------------------------------------------------------------------------- targets −1/+1
def test_signed_targets_choose_squared_error_and_tanh():
    config = Config(dataset="circle", signed_targets=True)
    assert (config.loss, config.output_activation) == ("mse", "tanh")
    hinge = Config(dataset="circle", signed_targets=True, loss="hinge")
    assert hinge.output_activation == "linear"
    assert Config.from_json(config.to_json()) == config
    assert Config.from_dict({"dataset": "circle"}).signed_targets is False  # older files


@pytest.mark.parametrize("settings,match", [
    (dict(dataset="sine", signed_targets=True), "binary classification"),
    (dict(dataset="spiral3", signed_targets=True), "binary classification"),
    (dict(dataset="circle", signed_targets=True, loss="bce"), "targets 0 and 1"),
    (dict(dataset="circle", signed_targets="yes"), "true or false"),
])
def test_signed_targets_refuse_what_cannot_be(settings, match):
    with pytest.raises(ConfigError, match=match):
        Config(**settings)


def test_replace_keeps_signed_targets_consistent():
    signed = Config(dataset="circle", signed_targets=True)
    assert signed.replace(dataset="sine").signed_targets is False  # not binary any more
    to_bce = signed.replace(loss="bce")  # a loss of probabilities turns the ±1 targets off
    assert (to_bce.signed_targets, to_bce.output_activation) == (False, "sigmoid")
    on = Config(dataset="circle").replace(signed_targets=True)  # bce was the automatic choice
    assert (on.loss, on.output_activation) == ("mse", "tanh")
    off = on.replace(signed_targets=False)
    assert (off.loss, off.output_activation) == ("bce", "sigmoid")
    kept = Config(dataset="circle", loss="mae", output_activation="tanh").replace(
        signed_targets=True)
    assert (kept.loss, kept.output_activation) == ("mae", "tanh")
