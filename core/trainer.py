"""Mini-batch training of a :class:`~core.network.Network` on a data set, from a :class:`Config`.

The trainer is plain numpy code: a notebook, a test or the app's worker thread drives it the
same way::

    trainer = Trainer(Config(dataset="xor_table", hidden_layers=(4,), activation="sigmoid",
                             loss="mse", learning_rate=1.0, batch_size=4))
    trainer.step(2000)
    trainer.metrics()["train_cost"]

It records a cost history and the path of the parameters through weight space. Both are
:class:`DecimatedLog`s: when full they drop every other row and record half as often, so memory
stays bounded over hours of training while the whole run stays visible.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from core import datasets, features, optimizers
from core.config import Config, ConfigError
from core.network import Network
from core.run import RunArrays, penalties

#: Config fields that change while training without touching the weights.
LIVE_FIELDS = frozenset({"learning_rate", "optimizer", "momentum", "beta1", "beta2", "rho",
                         "epsilon", "regularization", "reg_rate", "batch_size"})

#: Weights beyond this norm count as diverged: the restored last weights must still give finite
#: outputs on the whole data set, and no network that is learning gets anywhere near it.
MAX_PARAM_NORM = 1e15
#: A loss with no minimum stops once the cost falls below −RUNAWAY_FACTOR·(1 + max |target|):
#: by then it has gone far past any error the data could explain. (With bounded hidden units
#: such a cost falls only linearly, so the weights would take hours to leave the floats.)
RUNAWAY_FACTOR = 100.0

#: Config fields that choose the data: changing them makes new data.
DATA_FIELDS = frozenset({"dataset", "n_samples", "noise", "train_fraction", "seed", "data_path",
                         "task"})

HISTORY_FIELDS = ("step", "epoch", "train_cost", "test_cost", "train_loss", "test_loss",
                  "reg_term", "train_accuracy", "test_accuracy")


class DivergenceError(RuntimeError):
    """Training diverged: a non-finite cost or weight (the last finite weights were restored),
    or a loss with no minimum ran away (the cost fell without end; the weights are kept).

    Attributes ``step`` (the step that failed), ``reason`` (what happened) and ``hint`` (what
    to try) let an interface show them separately; ``str()`` joins them.
    """

    def __init__(self, step, reason, hint):
        self.step, self.reason, self.hint = step, reason, hint
        super().__init__(f"{reason} {hint}")


class DecimatedLog:
    """Rows of floats recorded every ``stride`` steps, at most ``capacity`` of them.

    When the log is full it keeps every other row and doubles ``stride``, so the rows stay
    evenly spaced (at multiples of ``stride``) and memory is ``capacity × width`` floats forever.
    """

    def __init__(self, width, capacity=2000):
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number >= 2")
        self._rows = np.empty((capacity, width))
        self._n = 0
        self.stride = 1

    def __len__(self):
        return self._n

    def due(self, step) -> bool:
        return step % self.stride == 0

    def append(self, row):
        if self._n == len(self._rows):
            kept = self._rows[0:self._n:2]
            self._n = len(kept)
            self._rows[:self._n] = kept
            self.stride *= 2
        self._rows[self._n] = row
        self._n += 1

    def rows(self) -> np.ndarray:
        """A copy of the recorded rows, ``(len(self), width)``."""
        return self._rows[:self._n].copy()

    def clear(self):
        self._n, self.stride = 0, 1

    def state_dict(self) -> dict:
        return {"rows": self.rows(), "stride": self.stride}

    def load_state_dict(self, state: dict):
        rows = np.asarray(state["rows"], dtype=float).reshape(-1, self._rows.shape[1])
        if len(rows) > len(self._rows):
            raise ValueError(f"{len(rows)} rows do not fit a log of capacity {len(self._rows)}")
        self._n, self.stride = len(rows), int(state["stride"])
        self._rows[:self._n] = rows


class Trainer:
    """Builds data, network and optimizer from ``config`` and trains by mini-batches.

    Parameters
    ----------
    config : Config
    data : Dataset, optional
        Use these data instead of generating ``config.dataset`` (e.g. a loaded CSV or points a
        learner drew).
    history_capacity, path_capacity : int
        Bounds of :attr:`history` and :attr:`path` (see :class:`DecimatedLog`); kept as
        attributes of the same names.

    Attributes
    ----------
    network : Network
    data : Dataset
    loss : the loss object of ``config.loss``
    arrays : RunArrays
        Inputs (after features), targets and loss of this run, read-only; rebuilt with the run.
    optimizer : Optimizer
    step_count : int
        Mini-batch updates so far.
    history : DecimatedLog
        Rows of ``HISTORY_FIELDS``; read them with :meth:`history_arrays`.
    path : DecimatedLog
        Parameter vectors along the way; read them with :meth:`path_points`.
    """

    def __init__(self, config: Config, data=None, history_capacity=2000, path_capacity=500):
        self.config = config
        self.data = data if data is not None else load_data(config)
        self.history_capacity, self.path_capacity = history_capacity, path_capacity
        self._build()

    # ----------------------------------------------------------------- set-up
    def _build(self):
        cfg, data = self.config, self.data
        if data.task != cfg.task:
            raise ConfigError(f"the data are a {data.task} task but the config is for a "
                              f"{cfg.task} task")
        try:
            features.check(cfg.features, data.n_features)
        except ValueError as err:
            raise ConfigError(f"features: {err}") from None
        # Inputs (after features), targets and loss: built once here, shared by every reader.
        self.arrays = arrays = RunArrays.build(cfg, data)
        self.loss = arrays.loss
        self.inputs_train, self.inputs_test = arrays.inputs_train, arrays.inputs_test
        self.targets_train, self.targets_test = arrays.targets_train, arrays.targets_test
        self._cost_floor = (-math.inf if self.loss.bounded_below else
                            -RUNAWAY_FACTOR * (1.0 + float(np.abs(self.targets_train).max())))
        self.network = Network(arrays.layer_sizes, cfg.activation, cfg.output_activation,
                               seed=cfg.seed, init=cfg.init)
        self.optimizer = make_optimizer(cfg)
        self._grad = np.empty_like(self.network.params)
        self._last_finite = self.network.params.copy()
        # The shuffling has its own stream so that it does not depend on how the data were made.
        self._rng = np.random.default_rng([cfg.seed, 1])
        self._order = self._rng.permutation(len(data.X_train))
        self._position = 0
        self.step_count = 0
        self.epoch = 0
        self.history = DecimatedLog(len(HISTORY_FIELDS), self.history_capacity)
        self.path = DecimatedLog(self.network.n_params, self.path_capacity)
        self._record()

    def reset(self):
        """Start again: fresh initial weights (same seed), optimizer state and history."""
        self._build()

    def apply_config(self, config: Config, data=None) -> bool:
        """Switch to ``config`` (and to ``data``, if given). Returns True when the weights reset.

        Changes to ``LIVE_FIELDS`` (learning rate, optimizer and its settings, regularization,
        batch size) apply at once and training continues from the current weights; a new
        optimizer starts with fresh state. Anything else (data, architecture, activation, loss,
        initialization, seed), or new ``data``, rebuilds the run. Either way it is all or
        nothing: if the new run cannot be built (say, an unreadable CSV file) this raises and
        the trainer is unchanged.
        """
        changed = {f.name for f in dataclasses.fields(Config)
                   if getattr(config, f.name) != getattr(self.config, f.name)}
        if data is None and changed <= LIVE_FIELDS:
            optimizer = self.optimizer
            if config.optimizer != self.config.optimizer:
                optimizer = make_optimizer(config)
            else:
                optimizer.learning_rate = config.learning_rate
                for key in optimizer.defaults:
                    setattr(optimizer, key, getattr(config, key))
            self.config, self.optimizer = config, optimizer
            return False
        if data is None and not changed & DATA_FIELDS:
            data = self.data
        fresh = Trainer(config, data, self.history_capacity, self.path_capacity)
        self.__dict__.update(fresh.__dict__)
        return True

    # ----------------------------------------------------------------- training
    @property
    def l1(self) -> float:
        return penalties(self.config)[0]

    @property
    def l2(self) -> float:
        return penalties(self.config)[1]

    @property
    def epochs_completed(self) -> int:
        """Passes over the training data finished so far.

        ``self.epoch`` counts reshuffles, which happen lazily when the next epoch's first step
        runs; an epoch whose last batch has just been taken is finished all the same.
        """
        return self.epoch + (self._position >= len(self.inputs_train))

    @property
    def steps_per_epoch(self) -> int:
        return -(-len(self.data.X_train) // self.config.batch_size)

    def step(self, n=1):
        """Run ``n`` mini-batch updates, reshuffling the training data at each epoch.

        Raises
        ------
        DivergenceError
            When a cost or weight stops being finite. The weights of the last finite step are
            restored first, so the network is still usable (and plottable).
        """
        net, params, X, T = self.network, self.network.params, self.inputs_train, self.targets_train
        loss, optimizer, l1, l2 = self.loss, self.optimizer, self.l1, self.l2
        batch, n_train = self.config.batch_size, len(X)
        history, path = self.history, self.path
        # Overflow on the way to divergence is expected and detected below: no warnings.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for _ in range(n):
                if self._position >= n_train:
                    self._order = self._rng.permutation(n_train)
                    self._position = 0
                    self.epoch += 1
                idx = self._order[self._position:self._position + batch]
                self._position += batch
                grad = net.gradient(X[idx], T[idx], loss, l1, l2, out=self._grad)
                np.copyto(self._last_finite, params)
                optimizer.step(params, grad)
                # One dot product checks the weights for inf/NaN and runaway size at once. (A
                # non-finite cost always shows up here too: the gradient carries it into the
                # weights, so the mini-batch cost is never evaluated, which halves the work.)
                if not float(params @ params) < MAX_PARAM_NORM ** 2:
                    np.copyto(params, self._last_finite)
                    raise self._divergence(grad)
                self.step_count += 1
                if history.due(self.step_count) or path.due(self.step_count):
                    self._record()

    def _divergence(self, grad) -> DivergenceError:
        step = self.step_count + 1
        if not np.isfinite(grad).all():
            what = "the cost and its gradient became infinite or NaN"
        else:
            what = f"the weights grew beyond {MAX_PARAM_NORM:.0e} in size"
        reason = (f"Training diverged at step {step}: {what}. The weights of step "
                  f"{self.step_count} (the last good ones) are restored.")
        return DivergenceError(step, reason, self._divergence_hint())

    def _divergence_hint(self) -> str:
        if not self.loss.bounded_below:
            return ("The mean error y − ŷ is unbounded below: the network lowers it without end "
                    "by making ŷ huge, so it cannot be minimized. Choose a loss that is bounded "
                    "below, such as MSE or MAE.")
        return (f"Try a smaller learning rate (now {self.config.learning_rate:g}), an "
                f"optimizer that adapts its step (Adam, RMSprop), or a different loss or "
                f"output activation.")

    def state_dict(self) -> dict:
        """Everything needed to continue this run exactly (copies), except config and data.

        Keys: ``params``, ``optimizer``, ``step_count``, ``epoch``, ``position``, ``order``,
        ``rng`` (the shuffling generator's state), ``history``, ``path``.
        """
        return {
            "params": self.network.params.copy(),
            "optimizer": self.optimizer.state_dict(),
            "step_count": self.step_count,
            "epoch": self.epoch,
            "position": self._position,
            "order": self._order.copy(),
            "rng": self._rng.bit_generator.state,
            "history": self.history.state_dict(),
            "path": self.path.state_dict(),
        }

    def load_state_dict(self, state: dict):
        """Continue from :meth:`state_dict`: the next step is the one the saved run would take."""
        params = np.asarray(state["params"], dtype=float)
        if params.shape != self.network.params.shape:
            raise ValueError(f"saved weights have {params.size} values; this network has "
                             f"{self.network.n_params}")
        for key, value in state["optimizer"].items():
            if key != "t" and np.shape(value) != params.shape:
                raise ValueError(f"saved optimizer state {key!r} has shape {np.shape(value)}; "
                                 f"the weights have {params.shape}")
        order = np.asarray(state["order"], dtype=np.int64)
        if sorted(order.tolist()) != list(range(len(self.data.X_train))):
            raise ValueError("saved shuffling order does not match the training data")
        self.network.params[:] = params
        self.optimizer.load_state_dict(state["optimizer"])
        self.step_count, self.epoch = int(state["step_count"]), int(state["epoch"])
        self._position, self._order = int(state["position"]), order
        self._rng.bit_generator.state = state["rng"]
        self.history.load_state_dict(state["history"])
        self.path.load_state_dict(state["path"])

    # ----------------------------------------------------------------- reading
    def metrics(self) -> dict:
        """Costs and accuracies on the whole train and test sets now.

        ``train_cost = train_loss + reg_term`` where ``train_loss`` is the mean per-example loss
        and ``reg_term`` the regularization penalty; ``test_cost`` includes the same penalty (as
        Keras's ``val_loss`` does). Accuracies are None for regression.
        """
        net, data, loss = self.network, self.data, self.loss
        reg = net.regularization(self.l1, self.l2)
        pred_train, pred_test = net.predict(self.inputs_train), net.predict(self.inputs_test)
        train_loss = loss.cost(self.targets_train, pred_train)
        test_loss = loss.cost(self.targets_test, pred_test)
        return {
            "step": self.step_count,
            "epoch": self.epochs_completed,
            "train_cost": train_loss + reg,
            "test_cost": test_loss + reg,
            "train_loss": train_loss,
            "test_loss": test_loss,
            "reg_term": reg,
            "train_accuracy": self.accuracy(pred_train, data.y_train),
            "test_accuracy": self.accuracy(pred_test, data.y_test),
        }

    def accuracy(self, y_pred, labels):
        """Fraction of correctly classified examples, or None for regression."""
        task = self.data.task
        if task == "regression":
            return None
        if task == "multiclass":
            predicted = y_pred.argmax(axis=1)
        else:
            predicted = (y_pred[:, 0] > self.loss.threshold).astype(int)
        return float(np.mean(predicted == labels[:, 0].astype(int)))

    def predict(self, X) -> np.ndarray:
        """Network output for raw inputs ``X`` ``(n, d)`` (input features computed first)."""
        return self.network.predict(features.transform(X, self.config.features))

    def predict_classes(self, X) -> np.ndarray:
        """Class index per row of raw inputs ``X`` (classification tasks)."""
        y = self.predict(X)
        if self.data.task == "multiclass":
            return y.argmax(axis=1)
        return (y[:, 0] > self.loss.threshold).astype(int)

    def _record(self):
        step = self.step_count
        if self.path.due(step):
            self.path.append(self.network.params)
        if self.history.due(step):
            m = self.metrics()
            m["epoch"] = step / self.steps_per_epoch
            self.history.append([np.nan if m[k] is None else m[k] for k in HISTORY_FIELDS])
            if m["train_loss"] < self._cost_floor:
                raise self._runaway(m["train_loss"])

    def _runaway(self, cost) -> DivergenceError:
        reason = (f"Training stopped at step {self.step_count}: the cost has fallen to "
                  f"{cost:.4g}, over {RUNAWAY_FACTOR:g} times the size of the targets, and it "
                  f"keeps falling. The weights are those of step {self.step_count}.")
        return DivergenceError(self.step_count, reason, self._divergence_hint())

    def history_arrays(self) -> dict:
        """The cost history as a dict of 1-D arrays keyed by ``HISTORY_FIELDS`` (copies).

        ``epoch`` is fractional (steps / steps per epoch); accuracies are NaN for regression.
        """
        rows = self.history.rows()
        return {key: rows[:, i] for i, key in enumerate(HISTORY_FIELDS)}

    def path_points(self) -> np.ndarray:
        """Recorded parameter vectors ``(m, n_params)`` (a copy), oldest first, plus the current one."""
        points = self.path.rows()
        if self.step_count % self.path.stride:
            points = np.vstack([points, self.network.params])
        return points


def load_data(config: Config):
    """The data set a config names: generated, or read from ``config.data_path``."""
    if config.dataset == "custom":
        raise ConfigError("custom data (points drawn by hand) must be given to the trainer: "
                          "Trainer(config, data=...)")
    if config.dataset == "csv":
        return datasets.load_csv(config.data_path, task=config.task,
                                 train_fraction=config.train_fraction, seed=config.seed)
    return datasets.make(config.dataset, n_samples=config.n_samples, noise=config.noise,
                         seed=config.seed, train_fraction=config.train_fraction)


def make_optimizer(config: Config):
    """The optimizer a config names, with the config's settings for its hyperparameters."""
    cls = optimizers.optimizer_class(config.optimizer)
    settings = {key: getattr(config, key) for key in cls.defaults if hasattr(config, key)}
    return optimizers.get(config.optimizer, config.learning_rate, **settings)
