"""One experiment's settings: data, network, loss and optimizer, validated in one place.

A :class:`Config` is immutable and always valid: building one checks every field and raises
:class:`ConfigError` (a ``ValueError``) with a message a learner can act on. Two fields choose
themselves when left as None:

- ``loss``: from the data set's task (regression ``mse``, binary ``bce``, multiclass ``cce``);
- ``output_activation``: the activation the loss pairs with (``bce`` -> sigmoid, ``cce`` ->
  softmax, ``hinge`` -> linear) or, when the loss has none, the task's (regression linear,
  binary sigmoid, multiclass softmax).

>>> Config(dataset="circle").loss, Config(dataset="circle").output_activation
('bce', 'sigmoid')
>>> Config.from_json(Config(dataset="sine").to_json()) == Config(dataset="sine")
True
"""
from __future__ import annotations

import dataclasses
import json
import math
import os

import numpy as np

from core import datasets, features, losses

DEFAULT_LOSS = {"regression": "mse", "binary": "bce", "multiclass": "cce"}
TASK_OUTPUT_ACTIVATION = {"regression": "linear", "binary": "sigmoid", "multiclass": "softmax"}


def output_activation_for(loss, task, signed_targets=False) -> str:
    """The output activation a loss pairs with (sigmoid for bce, softmax for cce, ...), else the
    task's usual one (linear, sigmoid, softmax; tanh for binary targets −1/+1). The one rule
    :class:`Config` chooses by."""
    loss = losses.get(loss) if isinstance(loss, str) else loss
    if loss.output_activation is None and signed_targets and task == "binary":
        return "tanh"  # its range (−1, 1) spans the targets, as in the Neural Network Playground
    return loss.output_activation or TASK_OUTPUT_ACTIVATION[task]


def default_loss(task, signed_targets=False) -> str:
    """The loss None chooses: the task's, or squared error for binary targets −1/+1."""
    return "mse" if signed_targets and task == "binary" else DEFAULT_LOSS[task]
REGULARIZATIONS = ("none", "l1", "l2")
#: Data sets that are not generated: "csv" reads ``data_path``; "custom" (points drawn by hand)
#: is handed to the trainer as a Dataset.
OWN_DATA = ("csv", "custom")
INITS = ("xavier", "he", "uniform", "zeros")  # = core.network.INITS (a test checks)
MAX_HIDDEN_LAYERS, MAX_LAYER_SIZE = 8, 256
MAX_SEED = 2**32 - 1
MAX_BATCH_SIZE = 100_000
#: Largest step or epoch count a setting may name (schedule lengths, stopping limits).
MAX_STEPS = 10**12


class ConfigError(ValueError):
    """A setting is invalid; the message names the field and what would be valid."""


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _whole(name, value, low, high) -> int:
    # Integral floats pass (JSON writers may turn 500 into 500.0); bools do not (True is 1).
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        raise ConfigError(f"{name} must be a whole number, not {_show(value)}")
    if isinstance(value, (float, np.floating)):
        if not (math.isfinite(value) and float(value).is_integer()):
            raise ConfigError(f"{name} must be a whole number, not {_show(value)}")
    value = int(value)
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}; got {value}")
    return value


def _real(name, value, low, high, low_open=False, high_open=False) -> float:
    """``value`` as a finite float in the interval; brackets say which ends are excluded."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        raise ConfigError(f"{name} must be a number, not {_show(value)}")
    try:
        value = float(value)
    except OverflowError:  # a huge int
        value = math.inf
    inside = ((low < value) if low_open else (low <= value)) and (
        (value < high) if high_open else (value <= high))
    if not (math.isfinite(value) and inside):
        interval = (f"{'(' if low_open else '['}{low:g}, "
                    f"{'∞)' if high == math.inf else f'{high:g}' + (')' if high_open else ']')}")
        raise ConfigError(f"{name} must be a finite number in {interval}; got {_show(value)}")
    return value


def _choice(name, value, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ConfigError(f"unknown {name} {_show(value)}; choose one of: "
                          f"{', '.join(choices)}")
    return value


@dataclasses.dataclass(frozen=True)
class Config:
    """Settings of one experiment (all fields have defaults; see the module docstring).

    Attributes
    ----------
    dataset : str
        A name from ``core.datasets.names()``, "csv" to read ``data_path``, or "custom" for
        points drawn by hand (given to the trainer as a Dataset).
    n_samples : int in [4, 100000]
    noise : float in [0, 1]
    train_fraction : float in (0, 1]
        Share of the points used for training; 1 trains on all and tests on the same points.
    seed : int in [0, 2**32 - 1]
        Seeds the data, the initial weights and the shuffling.
    hidden_layers : tuple of int
        Up to 8 sizes in [1, 256]; () is a network without hidden layers.
    activation : str
        Hidden activation from ``core.activations.names()`` (not softmax).
    output_activation : str or None
        None chooses it from the loss, else the task.
    loss : str or None
        A loss from ``core.losses.names()`` that fits the task; None chooses the task's default.
    optimizer : str
        From ``core.optimizers.names()``.
    learning_rate : float > 0
    batch_size : int in [1, 100000]
    regularization : {"none", "l1", "l2"}
    reg_rate : float >= 0
    init : {"xavier", "he", "uniform", "zeros"}
    momentum, beta1, beta2, rho : float in [0, 1)
        Optimizer settings (momentum/nesterov, adam, rmsprop); others ignore them.
    epsilon : float > 0
    data_path : str or None
        The CSV file when ``dataset == "csv"`` (required then; kept otherwise, so the app
        remembers the last file).
    task : str or None
        For a built-in set None becomes its task (a different value is an error); for "csv" and
        "custom" it is required, since the file has not been read yet: use ``datasets.load_csv(path).task``.
    features : tuple of str or None
        The network's inputs computed from the raw ones (``core.features``: x1, x2, x1^2,
        x2^2, x1*x2, sin_x1, sin_x2); None feeds the raw inputs.

    Learning-rate schedule (``core.schedules``; every field may change while training):

    lr_schedule : {"constant", "step", "exponential", "cosine"}
        How the rate changes from ``learning_rate`` over the steps.
    warmup_steps : int >= 0
        Linear warm-up: update k (k = 0, 1, ...) uses ``learning_rate·(k + 1)/warmup_steps``
        until the schedule starts at step ``warmup_steps``; 0 for none.
    decay_steps : int >= 1
        Step decay: steps between two drops; exponential: steps per factor ``decay_rate``;
        cosine: steps from ``learning_rate`` down to its floor.
    decay_rate : float in (0, 1]
        The factor of step and exponential decay.
    min_lr_fraction : float in [0, 1]
        Where the cosine ends, as a fraction of ``learning_rate``.

    Stopping rules (``Trainer.step`` stops early and ``Trainer.stopped`` says why; None turns a
    rule off; every field may change while training):

    max_epochs : int >= 1 or None
        Stop once this many passes over the training data are complete.
    max_steps : int >= 1 or None
        Stop once this many updates are made.
    patience : int >= 1 or None
        Early stopping: at the end of every epoch, stop when the test cost has not improved
        (fallen by more than ``min_delta``) for this many epochs.
    min_delta : float >= 0
        The least fall of the test cost that counts as an improvement.
    restore_best_weights : bool
        When early stopping stops, go back to the weights of the epoch with the lowest test cost.
    target_cost : float or None
        Stop once the training cost is at or below this (checked at the end of every epoch and
        whenever the history records a row).

    signed_targets : bool
        Binary tasks only: the network is trained towards −1 for class 0 and +1 for class 1
        (the Neural Network Playground's labels) instead of 0 and 1, and decides class 1 where
        its output is above 0. Needs a loss that compares values (squared error by default,
        with a tanh output), not the cross-entropy, whose targets are probabilities.
    classic_mistake : bool
        Train as the classic numpy XOR code did, with its mistake: backpropagation starts from
        the loss ℓ itself instead of its derivative, δᴸ = ℓ ⊙ f′(zᴸ)
        (:class:`core.backprop.LossInsteadOfDerivative`). The cost is still the loss's. Off
        unless asked for; changing it rebuilds the run, as a new loss does.
    """

    dataset: str = "xor"
    n_samples: int = 500
    noise: float = 0.0
    train_fraction: float = 0.5
    seed: int = 0
    hidden_layers: tuple = (4, 4)
    activation: str = "tanh"
    output_activation: str | None = None
    loss: str | None = None
    optimizer: str = "sgd"
    learning_rate: float = 0.03
    batch_size: int = 10
    regularization: str = "none"
    reg_rate: float = 0.0
    init: str = "xavier"
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    data_path: str | None = None
    # Not in the first contract: rho is RMSprop's decay (the optimizer panel owns it) and task
    # lets a CSV config say what it is before the file is read.
    rho: float = 0.9
    task: str | None = None
    features: tuple | None = None
    lr_schedule: str = "constant"
    warmup_steps: int = 0
    decay_steps: int = 1000
    decay_rate: float = 0.5
    min_lr_fraction: float = 0.0
    max_epochs: int | None = None
    max_steps: int | None = None
    patience: int | None = None
    min_delta: float = 0.0
    restore_best_weights: bool = False
    target_cost: float | None = None
    signed_targets: bool = False
    classic_mistake: bool = False

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen)
        self._check_data(set_)
        set_("n_samples", _whole("n_samples", self.n_samples, datasets.MIN_SAMPLES,
                                 datasets.MAX_SAMPLES))
        set_("noise", _real("noise", self.noise, 0, 1))
        set_("train_fraction", _real("train_fraction", self.train_fraction, 0, 1, True))
        set_("seed", _whole("seed", self.seed, 0, MAX_SEED))
        set_("hidden_layers", _layers(self.hidden_layers))
        set_("learning_rate", _real("learning_rate", self.learning_rate, 0, math.inf, True))
        set_("batch_size", _whole("batch_size", self.batch_size, 1, MAX_BATCH_SIZE))
        _choice("regularization", self.regularization, REGULARIZATIONS)
        set_("reg_rate", _real("reg_rate", self.reg_rate, 0, math.inf))
        _choice("init", self.init, INITS)
        for name in ("momentum", "beta1", "beta2", "rho"):
            set_(name, _real(name, getattr(self, name), 0, 1, high_open=True))
        set_("epsilon", _real("epsilon", self.epsilon, 0, math.inf, True))
        self._check_functions(set_)
        self._check_features(set_)
        self._check_schedule(set_)
        self._check_stopping(set_)
        if not isinstance(self.classic_mistake, (bool, np.bool_)):
            raise ConfigError(f"classic_mistake must be true or false, not "
                              f"{_show(self.classic_mistake)}")
        set_("classic_mistake", bool(self.classic_mistake))

    def _check_schedule(self, set_):
        from core import schedules

        _choice("lr_schedule", self.lr_schedule, schedules.names())
        set_("warmup_steps", _whole("warmup_steps", self.warmup_steps, 0, MAX_STEPS))
        set_("decay_steps", _whole("decay_steps", self.decay_steps, 1, MAX_STEPS))
        set_("decay_rate", _real("decay_rate", self.decay_rate, 0, 1, low_open=True))
        set_("min_lr_fraction", _real("min_lr_fraction", self.min_lr_fraction, 0, 1))

    def _check_stopping(self, set_):
        for name in ("max_epochs", "max_steps", "patience"):
            if getattr(self, name) is not None:
                set_(name, _whole(name, getattr(self, name), 1, MAX_STEPS))
        set_("min_delta", _real("min_delta", self.min_delta, 0, math.inf))
        if not isinstance(self.restore_best_weights, (bool, np.bool_)):
            raise ConfigError(f"restore_best_weights must be true or false, not "
                              f"{_show(self.restore_best_weights)}")
        set_("restore_best_weights", bool(self.restore_best_weights))
        if self.target_cost is not None:
            try:
                set_("target_cost", _real("target_cost", self.target_cost, -math.inf, math.inf))
            except ConfigError:  # the interval would read "[-inf, ∞)"
                raise ConfigError(f"target_cost must be a finite number or None, not "
                                  f"{_show(self.target_cost)}") from None

    def _check_features(self, set_):
        if self.features is None:
            return
        if isinstance(self.features, str) or not isinstance(self.features, (list, tuple)):
            raise ConfigError(f"features must be a list of feature names or None, not "
                              f"{_show(self.features)}")
        set_("features", tuple(self.features))
        # A CSV file's column count is known only once it is read; the trainer checks then.
        n_inputs = 2 if self.dataset in OWN_DATA else datasets.input_count(self.dataset)
        try:
            features.check(self.features, n_inputs)
        except (ValueError, TypeError) as err:
            raise ConfigError(f"features: {err}") from None

    def _check_data(self, set_):
        dataset = _choice("dataset", self.dataset, datasets.names() + list(OWN_DATA))
        if self.task is not None:
            _choice("task", self.task, datasets.TASKS)
        path = self.data_path
        if isinstance(path, os.PathLike):
            path = os.fspath(path)
        if path is not None and not isinstance(path, str):
            raise ConfigError(f"data_path must be a file path (text), not {_show(path)}")
        set_("data_path", path)
        if dataset in OWN_DATA:
            if dataset == "csv" and not path:
                raise ConfigError("data_path is required when dataset is 'csv'")
            if self.task is None:
                raise ConfigError(f"task is required when dataset is {dataset!r} (regression, "
                                  f"binary or multiclass): it is the task of the data given to "
                                  f"the trainer (for a file, core.datasets.load_csv(path).task)")
        else:
            task = datasets.task_of(dataset)
            if self.task not in (None, task):
                raise ConfigError(f"task {self.task!r} does not match data set {dataset!r}, "
                                  f"which is a {task} task")
            set_("task", task)

    def _check_functions(self, set_):
        # Imported here so that importing core.config (e.g. to read a saved experiment) does not
        # load every registry.
        from core import activations, losses, optimizers

        _choice("optimizer", self.optimizer, optimizers.names())
        act_names = activations.names()
        _choice("activation", self.activation, act_names)
        if not activations.get(self.activation).hidden_ok:
            hidden = [n for n in act_names if activations.get(n).hidden_ok]
            raise ConfigError(f"activation {self.activation!r} works only in the output layer; "
                              f"choose a hidden activation from: {', '.join(hidden)}")
        task = self.task
        if not isinstance(self.signed_targets, (bool, np.bool_)):
            raise ConfigError(f"signed_targets must be true or false, not "
                              f"{_show(self.signed_targets)}")
        set_("signed_targets", signed := bool(self.signed_targets))
        if signed and task != "binary":
            raise ConfigError(f"signed_targets (labels −1/+1) is for binary classification; a "
                              f"{task} task has no such labels")
        if self.loss is None:
            set_("loss", default_loss(task, signed))
        _choice("loss", self.loss, losses.names())
        loss = losses.get(self.loss)
        if task not in loss.tasks:
            fitting = [n for n in losses.names() if task in losses.get(n).tasks]
            raise ConfigError(f"loss {self.loss!r} does not fit a {task} task; choose one of: "
                              f"{', '.join(fitting)}")
        if signed and loss.output_activation in ("sigmoid", "softmax"):
            raise ConfigError(f"loss {self.loss!r} needs targets 0 and 1 (probabilities); with "
                              f"signed_targets (−1/+1) choose a loss that compares values, such "
                              f"as mse, or the hinge")
        if self.output_activation is None:
            set_("output_activation", output_activation_for(loss, task, signed))
        _choice("output_activation", self.output_activation, act_names)
        # softmax normalizes across output columns; binary and regression have only one, where
        # it would output the constant 1.
        if self.output_activation == "softmax" and task != "multiclass":
            raise ConfigError(f"output_activation 'softmax' needs several outputs; a {task} "
                              f"task has one (try sigmoid or linear)")

    # ------------------------------------------------------------------ conversions
    def to_dict(self) -> dict:
        """All fields as a plain dict (``hidden_layers`` as a list, as JSON has it)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["hidden_layers"] = list(self.hidden_layers)
        if self.features is not None:
            d["features"] = list(self.features)
        return d

    @classmethod
    def from_dict(cls, d) -> "Config":
        """A Config from a dict such as :meth:`to_dict` gives; missing keys take defaults.

        Raises ConfigError, naming them, for keys that are not fields.
        """
        if not isinstance(d, dict):
            raise ConfigError(f"a config must be a dict of settings, not {type(d).__name__}")
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = [key for key in d if key not in fields]
        if unknown:
            raise ConfigError(f"unknown setting{'s' if len(unknown) > 1 else ''} "
                              f"{', '.join(_show(k) for k in unknown)}; known: "
                              f"{', '.join(f.name for f in dataclasses.fields(cls))}")
        return cls(**d)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text) -> "Config":
        """A Config from :meth:`to_json`'s text; any malformed text raises ConfigError."""
        if not isinstance(text, (str, bytes, bytearray)):
            raise ConfigError(f"config JSON must be text, not {type(text).__name__}")
        try:
            d = json.loads(text)
        except (ValueError, RecursionError) as err:  # JSONDecodeError and bad bytes are ValueErrors
            raise ConfigError(f"not valid config JSON: {err}") from None
        return cls.from_dict(d)

    def replace(self, **changes) -> "Config":
        """A copy with ``changes``, re-choosing the automatic fields that depend on them.

        Unlike ``dataclasses.replace``: when the data set (or task) changes, ``task`` is
        re-derived, and ``loss`` is re-chosen if it was the old task's default or does not fit
        the new task; when the loss changes, ``output_activation`` is re-chosen if it was the
        automatic choice for the old loss. A value counts as automatic when it equals what None
        would give. Pass ``loss=None`` or ``output_activation=None`` to force a new choice.
        """
        from core import losses

        fields = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - fields)
        if unknown:
            raise ConfigError(f"unknown setting(s) {', '.join(unknown)}")
        d = {**self.to_dict(), **changes}
        dataset, task = d["dataset"], d["task"]
        if "task" not in changes and not (isinstance(dataset, str) and dataset == self.dataset):
            d["task"] = task = None
        if task is None and isinstance(dataset, str) and dataset in datasets.names():
            task = datasets.task_of(dataset)
        # Anything odd (a wrong type, an unknown name) is left for Config() to report.
        new_task = task if isinstance(task, str) and task in datasets.TASKS else self.task
        signed = self._signed_after(changes, d, new_task)
        if "loss" not in changes and (new_task != self.task or signed != self.signed_targets):
            old = losses.get(self.loss)
            if (self.loss == default_loss(self.task, self.signed_targets)
                    or new_task not in old.tasks
                    or (signed and old.output_activation in ("sigmoid", "softmax"))):
                d["loss"] = None
        if ("features" not in changes and self.features is not None and dataset != self.dataset
                and isinstance(dataset, str) and dataset in datasets.names()):
            try:  # keep the chosen features where the new data can have them
                features.check(self.features, datasets.input_count(dataset))
            except ValueError:
                d["features"] = None
        auto_output = output_activation_for(self.loss, self.task, self.signed_targets)
        if ("output_activation" not in changes and self.output_activation == auto_output
                and not (isinstance(d["loss"], str) and d["loss"] == self.loss
                         and new_task == self.task and signed == self.signed_targets)):
            d["output_activation"] = None
        return Config(**d)

    def _signed_after(self, changes, d, new_task):
        """``signed_targets`` after ``changes`` (written into ``d``): it turns itself off when
        the task stops being binary or a loss of probabilities (cross-entropy) is chosen."""
        from core import losses

        if "signed_targets" in changes:
            return d["signed_targets"]
        loss = d["loss"]
        probabilities = (isinstance(loss, str) and loss in losses.names()
                         and losses.get(loss).output_activation in ("sigmoid", "softmax"))
        if self.signed_targets and (new_task != "binary" or ("loss" in changes and probabilities)):
            d["signed_targets"] = False
        return d["signed_targets"]


def _layers(value) -> tuple:
    if not isinstance(value, (list, tuple, np.ndarray)) or getattr(value, "ndim", 1) != 1:
        raise ConfigError(f"hidden_layers must be a list of layer sizes, e.g. [4, 4], not "
                          f"{_show(value)}")
    if len(value) > MAX_HIDDEN_LAYERS:
        raise ConfigError(f"hidden_layers: at most {MAX_HIDDEN_LAYERS} hidden layers; "
                          f"got {len(value)}")
    return tuple(_whole(f"hidden_layers[{i}]", size, 1, MAX_LAYER_SIZE)
                 for i, size in enumerate(value))
