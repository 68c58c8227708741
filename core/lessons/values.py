"""The numbers a lesson's conditions can name, measured on a run.

:data:`VARIABLES` lists them with how a learner reads them (``describe`` of a condition uses
these labels) and what they mean. :func:`run_values` measures them from the parts of a run (the
app passes a snapshot's, a notebook a trainer's through :func:`trainer_values`); each value is
computed only when a condition asks for it, so a condition on ``step`` costs nothing.

Costs, losses and scores are those of ``Trainer.metrics()`` at the moment (on the whole train
and test sets). ``start_*`` and ``best_*`` read the run's recorded history, which keeps every
step at first and thins out later (``core.history.DecimatedLog``), so "best" is the best
recorded value.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from core import diagnostics
from core.run import penalties

#: Weights closer to 0 than this count as zero (L1 drives weights there; SGD's last step
#: leaves them within about η·λ of it).
ZERO_WEIGHT = 1e-3

#: name -> (label, meaning). The order is the order the README lists them in.
VARIABLES = {
    "step": ("step", "mini-batch updates since the weights were initialized"),
    "epoch": ("epoch", "completed passes over the training data"),
    "train_cost": ("training cost", "mean loss over the training examples + regularization"),
    "test_cost": ("test cost", "the same on the test examples"),
    "train_loss": ("training loss", "mean loss over the training examples (no regularization)"),
    "test_loss": ("test loss", "mean loss over the test examples"),
    "reg_term": ("regularization term", "the penalty added to the mean loss"),
    "train_accuracy": ("training accuracy", "share of training examples classified right, "
                       "0 to 1 (unknown for regression)"),
    "test_accuracy": ("test accuracy", "the same on the test examples"),
    "train_macro_f1": ("training macro-F1", "mean F1 score over the classes"),
    "test_macro_f1": ("test macro-F1", "the same on the test examples"),
    "train_r2": ("training R²", "share of the targets' variance explained (regression)"),
    "test_r2": ("test R²", "the same on the test examples"),
    "train_rmse": ("training RMSE", "root of the mean squared error of the outputs "
                   "(regression)"),
    "test_rmse": ("test RMSE", "the same on the test examples"),
    "train_mae": ("training MAE", "mean absolute error of the outputs (regression)"),
    "test_mae": ("test MAE", "the same on the test examples"),
    "learning_rate": ("learning rate", "η of the next update (after any schedule)"),
    "start_train_cost": ("training cost at the start", "the training cost at step 0 of this "
                         "run"),
    "start_test_cost": ("test cost at the start", "the test cost at step 0 of this run"),
    "best_train_cost": ("lowest training cost so far", "the lowest recorded training cost of "
                        "this run"),
    "best_test_cost": ("lowest test cost so far", "the lowest recorded test cost of this run"),
    "median_train_loss": ("median training loss", "the middle value of the training "
                          "examples' losses"),
    "max_train_loss": ("largest training loss", "the largest loss of one training example"),
    "worst_tenth_share": ("share of the loss carried by the worst tenth", "the share of the "
                          "training examples' total loss that the tenth of them with the "
                          "largest losses carry (0 to 1; as the anatomy of the cost shows)"),
    "gradient_norm": ("gradient length", "length (Euclidean norm) of the gradient of the "
                      "training cost over all the training data"),
    "dead_units": ("share of dead units", "the largest share, over the hidden layers, of "
                   "units that output 0 for every training example (0 to 1)"),
    "distinct_units": ("distinct neurons in hidden layer 1", "neurons of the first hidden "
                       "layer that differ (identical weights and bias count once)"),
    "zero_weights": ("share of zero weights", f"share of the weights (not biases) within "
                     f"{ZERO_WEIGHT:g} of 0"),
    "mean_abs_weight": ("mean weight size", "mean absolute value of the weights (not biases)"),
    "diverged": ("diverged", "yes/no: the run stopped because its cost or weights became "
                 "infinite"),
    "stopped": ("stopped", "yes/no: a stopping rule of the settings (max_steps, patience, "
                "...) ended the run"),
}
#: Names that are yes/no rather than numbers.
BOOLEAN = frozenset({"diverged", "stopped"})
#: Names whose values are shares (0 to 1), which a learner reads as percentages.
PERCENT = frozenset({"train_accuracy", "test_accuracy", "train_macro_f1", "test_macro_f1",
                     "worst_tenth_share", "dead_units", "zero_weights"})
_METRICS = ("step", "epoch", "train_cost", "test_cost", "train_loss", "test_loss", "reg_term",
            "train_accuracy", "test_accuracy", "train_macro_f1", "test_macro_f1", "train_r2",
            "test_r2", "train_rmse", "test_rmse", "train_mae", "test_mae", "learning_rate")


#: Names every recorded history row has: a condition on these alone is checked at every
#: recorded step (:func:`history_rows`), however many steps the app trains between two frames.
HISTORY_NAMES = frozenset(_METRICS) | {"start_train_cost", "start_test_cost",
                                       "best_train_cost", "best_test_cost"}


def history_rows(history, after_step=-1):
    """The :data:`HISTORY_NAMES` values of each recorded row of ``history``
    (``Trainer.history_arrays()``) with a step above ``after_step``, oldest first (dicts).

    ``epoch`` is the completed epochs (the history's fractional epoch, rounded down), as in
    ``Trainer.metrics()``; ``best_*`` are the lowest values up to and including the row.
    """
    steps = np.asarray(history["step"])
    first = int(np.searchsorted(steps, after_step, side="right"))
    if first >= len(steps):
        return
    columns = {name: np.asarray(history[name], dtype=float) for name in _METRICS}
    best = {name: np.fmin.accumulate(columns[name]) for name in ("train_cost", "test_cost")}
    start = {name: columns[name][0] for name in ("train_cost", "test_cost")}
    for i in range(first, len(steps)):
        row = {name: float(columns[name][i]) for name in _METRICS}
        row["step"], row["epoch"] = int(steps[i]), math.floor(columns["epoch"][i])
        for name in ("train_cost", "test_cost"):
            row[f"start_{name}"] = float(start[name])
            row[f"best_{name}"] = float(best[name][i])
        yield row


def first_holding(condition, values, rows=()):
    """The values at which ``condition`` first holds: the first of ``rows`` (recorded history
    rows since the last check, see :func:`history_rows`) when it reads only history names,
    else ``values`` (the run now); None when it does not hold."""
    from collections import ChainMap

    if condition.names <= HISTORY_NAMES:
        for row in rows:
            if condition.evaluate(row):
                return ChainMap(row, values)
    return values if condition.evaluate(values) else None


def label(name) -> str:
    """How a learner reads ``name``, e.g. ``"test accuracy"``."""
    return VARIABLES[name][0]


class RunValues(Mapping):
    """The values of :data:`VARIABLES` for one moment of a run, each computed on first use.

    Unknown values (accuracy in a regression task, a recorded history that is empty) are NaN;
    a condition treats them as unknown.
    """

    def __init__(self, parts):
        self._parts = parts
        self._cache = {}

    def __getitem__(self, name):
        if name not in VARIABLES:
            raise KeyError(name)
        if name not in self._cache:
            self._cache[name] = self._compute(name)
        return self._cache[name]

    def __iter__(self):
        return iter(VARIABLES)

    def __len__(self):
        return len(VARIABLES)

    def _compute(self, name):
        p = self._parts
        if name in BOOLEAN:
            return bool(p[name])
        if name in _METRICS:
            return _float(self._given("metrics").get(name))
        if name.startswith(("start_", "best_")):
            history = self._given("history")
            column = np.asarray(history.get(name.split("_", 1)[1], ()), dtype=float)
            column = column[np.isfinite(column)]
            if not len(column):
                return math.nan
            return float(column[0] if name.startswith("start_") else column.min())
        if name in ("median_train_loss", "max_train_loss"):
            losses = self._train_losses()
            return float(np.median(losses) if name.startswith("median") else losses.max())
        if name == "worst_tenth_share":
            losses = np.sort(self._train_losses())[::-1]
            total = float(losses.sum())
            if not (total > 0 and np.all(losses >= 0)):  # a loss that can be negative (ME)
                return math.nan
            return float(losses[:max(1, round(0.1 * len(losses)))].sum()) / total
        if name == "gradient_norm":
            return float(np.linalg.norm(self._gradient()))
        if name == "dead_units":
            outputs = self._hidden_outputs()
            return max((diagnostics.dead_share(a) for a in outputs), default=math.nan)
        if name == "distinct_units":
            network = self._network()
            if len(network.weights) < 2:
                return math.nan
            twins = diagnostics.identical_units(network, 0)
            return float(network.layer_sizes[1] - sum(len(group) - 1 for group in twins))
        weights = self._weights()
        if not len(weights):
            return math.nan
        if name == "zero_weights":
            return float(np.mean(np.abs(weights) < ZERO_WEIGHT))
        return float(np.mean(np.abs(weights)))  # mean_abs_weight

    # The parts a run is measured from, each computed once.
    def _given(self, key):
        """A part given as a value or as a function that makes it (called once)."""
        if callable(self._parts[key]):
            self._parts[key] = self._parts[key]()
        return self._parts[key]

    def _part(self, key, make):
        if self._parts.get(key) is None:
            self._parts[key] = make()
        return self._parts[key]

    def _network(self):
        return self._part("network", lambda: self._parts["arrays"].network_with(
            self._parts["params"]))

    def _hidden_outputs(self):
        arrays = self._parts["arrays"]
        with np.errstate(all="ignore"):
            return self._part("hidden", lambda: self._network().hidden_outputs(
                arrays.inputs_train)[:-1])

    def _train_losses(self):
        arrays = self._parts["arrays"]

        def make():
            with np.errstate(all="ignore"):
                outputs = self._network().predict(arrays.inputs_train)
                return np.asarray(arrays.loss.per_example(arrays.targets_train, outputs))
        return self._part("train_losses", make)

    def _gradient(self):
        arrays = self._parts["arrays"]

        def make():
            with np.errstate(all="ignore"):
                return self._network().gradient(arrays.inputs_train, arrays.targets_train,
                                                arrays.loss, *penalties(self._parts["config"]))
        return self._part("gradient", make)

    def _weights(self):
        layout, params = self._parts["arrays"].layout, np.asarray(self._parts["params"])
        return np.concatenate([params[b.start:b.stop] for b in layout.blocks if b.is_weight]
                              or [np.empty(0)])


def _float(value) -> float:
    return math.nan if value is None else float(value)


def run_values(arrays, params, metrics, history, config, *, gradient=None, train_losses=None,
               diverged=False, stopped=False) -> RunValues:
    """The :data:`VARIABLES` of a run at one moment.

    Parameters
    ----------
    arrays : core.run.RunArrays
        The run's inputs, targets, loss and parameter layout.
    params : (n_params,) array
        The weights now.
    metrics : dict, or a function that returns it
        ``Trainer.metrics()`` now.
    history : dict of arrays, or a function that returns it
        ``Trainer.history_arrays()``.
    config : Config
        The settings (for the regularization in the gradient).
    gradient, train_losses : arrays, optional
        The full-batch gradient and the training examples' losses, when already computed.
    diverged, stopped : bool
        Whether the run diverged, or a stopping rule ended it.
    """
    return RunValues({"arrays": arrays, "params": params, "metrics": metrics,
                      "history": history, "config": config, "gradient": gradient,
                      "train_losses": train_losses, "diverged": diverged,
                      "stopped": stopped})


def trainer_values(trainer, diverged=False, lazy=False) -> RunValues:
    """:func:`run_values` of a :class:`~core.trainer.Trainer` now (``diverged``: it raised a
    ``DivergenceError``).

    With ``lazy`` the metrics and history are read when a condition first needs them (a
    condition on ``step`` alone then costs nothing), so the values must be used before the
    trainer steps on.
    """
    metrics, history = trainer.metrics, trainer.history_arrays
    if not lazy:
        metrics, history = metrics(), history()
    return run_values(trainer.arrays, trainer.network.params.copy(), metrics, history,
                      trainer.config, diverged=diverged, stopped=trainer.stopped is not None)
