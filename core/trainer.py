"""Mini-batch training of a :class:`~core.network.Network` on a data set, from a :class:`Config`.

The trainer is plain numpy code: a notebook, a test or the app's worker thread drives it the
same way::

    trainer = Trainer(Config(dataset="xor_table", hidden_layers=(4,), activation="sigmoid",
                             loss="mse", learning_rate=1.0, batch_size=4, max_epochs=2000))
    trainer.step(10_000)        # stops after 2000 epochs: trainer.stopped says so
    trainer.metrics()["train_cost"]

It records a cost history (rows of ``HISTORY_FIELDS``), the norms of each layer's gradient and
the path of the parameters through weight space. All are :class:`DecimatedLog` objects: when full
they drop every other row and record half as often, so memory stays bounded over hours of
training while the whole run stays visible. The learning rate follows the config's schedule
(:mod:`core.schedules`); the config's stopping rules (:mod:`core.stopping`) end a run early.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from core import datasets, divergence, features, metrics, optimizers
from core.config import Config, ConfigError
from core.divergence import (MAX_PARAM_NORM, RUNAWAY_FACTOR,  # noqa: F401 - public here
                             DivergenceError)
from core.history import (HISTORY_FIELDS, MIN_PATH_ROWS, PATH_BUDGET,  # noqa: F401 - public here
                          DecimatedLog, path_rows)
from core.network import Network
from core.recording import Recorder
from core.run import RunArrays, penalties
from core.schedules import Schedule
from core.stopping import Stop, StopRules  # noqa: F401 - Stop is what ``stopped`` holds

#: Config fields that change while training without touching the weights.
LIVE_FIELDS = frozenset({"learning_rate", "optimizer", "momentum", "beta1", "beta2", "rho",
                         "epsilon", "regularization", "reg_rate", "batch_size",
                         "lr_schedule", "warmup_steps", "decay_steps", "decay_rate",
                         "min_lr_fraction", "max_epochs", "max_steps", "patience", "min_delta",
                         "restore_best_weights", "target_cost"})

#: Config fields that choose the data: changing them makes new data.
DATA_FIELDS = frozenset({"dataset", "n_samples", "noise", "train_fraction", "seed", "data_path",
                         "task"})


class Trainer:
    """Builds data, network and optimizer from ``config`` and trains by mini-batches.

    Parameters
    ----------
    config : Config
    data : Dataset, optional
        Use these data instead of generating ``config.dataset`` (e.g. a loaded CSV or points a
        learner drew).
    history_capacity, path_capacity : int
        Bounds of :attr:`history` (and :attr:`gradient_norms`) and :attr:`path` (see
        :class:`DecimatedLog`); kept as attributes of the same names. The path keeps at most
        :data:`PATH_BUDGET` values in all (see :func:`path_rows`).

    Attributes
    ----------
    network : Network
    data : Dataset
    loss : loss object
        What training backpropagates: ``arrays.training_loss`` (the loss of ``config.loss``, or
        with ``config.classic_mistake`` that loss standing in for its own derivative). The cost
        is the same either way.
    arrays : RunArrays
        Inputs (after features), targets and loss of this run, read-only; rebuilt with the run.
    optimizer : Optimizer
    schedule : Schedule
        The config's learning-rate schedule; :attr:`learning_rate` is its rate now.
    step_count : int
        Mini-batch updates so far.
    stopped : Stop or None
        Set when a stopping rule of the config ended training (see :meth:`step`).
    stop_rules : StopRules
        Early stopping's state: best test cost so far, its step and weights.
    history : DecimatedLog
        Rows of ``HISTORY_FIELDS``; read them with :meth:`history_arrays`. They are scored a
        batch of steps at a time (:mod:`core.recording`) and complete whenever :meth:`step`
        has returned or raised.
    gradient_norms : DecimatedLog
        Recorded with the history: the step, then the norm of each layer's mini-batch gradient
        in the update that led to it (NaN at step 0); read them with
        :meth:`gradient_norm_arrays`.
    path : DecimatedLog
        Parameter vectors along the way; read them with :meth:`path_points`.
    """

    def __init__(self, config: Config, data=None, history_capacity=2000, path_capacity=500):
        self.config = config
        self.data = data if data is not None else load_data(config)
        self.history_capacity, self.path_capacity = history_capacity, path_capacity
        self._build()

    @classmethod
    def from_state(cls, config: Config, data, state: dict, history_capacity=2000,
                   path_capacity=500) -> "Trainer":
        """A trainer on ``data`` that continues ``state`` (a :meth:`state_dict`).

        Unlike ``Trainer(...)`` then :meth:`load_state_dict`, nothing is evaluated: the cost of
        the initial weights is not computed (the state's history replaces it) and no cost is
        checked for running away until :meth:`step` trains, so opening a saved run costs no
        pass over the data and raises no :class:`DivergenceError`, whatever the state holds.

        Raises
        ------
        ConfigError, ValueError
            As ``Trainer(...)`` and :meth:`load_state_dict` do.
        """
        trainer = cls.__new__(cls)
        trainer.config, trainer.data = config, data
        trainer.history_capacity, trainer.path_capacity = history_capacity, path_capacity
        trainer._build(record=False)
        trainer.load_state_dict(state)
        return trainer

    # ----------------------------------------------------------------- set-up
    def _build(self, record=True):
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
        self.loss = arrays.training_loss
        self.inputs_train, self.inputs_test = arrays.inputs_train, arrays.inputs_test
        self.targets_train, self.targets_test = arrays.targets_train, arrays.targets_test
        self._scorer = metrics.RunScorer(arrays, data)
        self._cost_floor = (-math.inf if self.loss.bounded_below else
                            -RUNAWAY_FACTOR * (1.0 + float(np.abs(self.targets_train).max())))
        self.network = Network(arrays.layer_sizes, cfg.activation, cfg.output_activation,
                               seed=cfg.seed, init=cfg.init)
        self.optimizer = make_optimizer(cfg)
        self.schedule = Schedule.from_config(cfg)
        self._grad = np.empty_like(self.network.params)
        self._last_finite = self.network.params.copy()
        # The shuffling has its own stream so that it does not depend on how the data were made.
        self._rng = np.random.default_rng([cfg.seed, 1])
        self._order = self._rng.permutation(len(data.X_train))
        self._position = 0
        self.step_count = 0
        self.epoch = 0
        self.stopped = None
        self.stop_rules = StopRules(self.network.n_params)
        self.history = DecimatedLog(len(HISTORY_FIELDS), self.history_capacity)
        self.gradient_norms = DecimatedLog(1 + arrays.layout.n_layers, self.history_capacity)
        self.path = DecimatedLog(self.network.n_params,
                                 path_rows(self.network.n_params, self.path_capacity))
        self._recorder = Recorder(self.network, len(self.inputs_train) + len(self.inputs_test))
        if record:
            self._record_start()

    def reset(self):
        """Start again: fresh initial weights (same seed), optimizer state and history."""
        self._build()

    def start_from(self, params):
        """Start again from the parameters ``params`` ``(n_params,)`` instead of fresh initial
        weights (say, weights a learner trained elsewhere): step 0, fresh optimizer state, and
        the history and path start at these parameters."""
        params = np.asarray(params, dtype=float)
        if params.shape != self.network.params.shape:
            raise ValueError(f"{params.size} parameters given; this network has "
                             f"{self.network.n_params}")
        self._build()
        self.network.params[:] = params
        np.copyto(self._last_finite, params)
        self.history = DecimatedLog(len(HISTORY_FIELDS), self.history_capacity)
        self.gradient_norms = DecimatedLog(1 + self.arrays.layout.n_layers, self.history_capacity)
        self.path = DecimatedLog(self.network.n_params, self.path_capacity)
        self._record_start()

    def apply_config(self, config: Config, data=None) -> bool:
        """Switch to ``config`` (and to ``data``, if given). Returns True when the weights reset.

        Changes to ``LIVE_FIELDS`` (learning rate and its schedule, optimizer and its settings,
        regularization, batch size, stopping rules) apply at once and training continues from
        the current weights (and after a stop: see :meth:`resume`); a new optimizer starts with
        fresh state. Anything else (data, architecture, activation, loss, initialization,
        seed), or new ``data``, rebuilds the run. Either way it is all or nothing: if the new
        run cannot be built (say, an unreadable CSV file) this raises and the trainer is
        unchanged.
        """
        changed = {f.name for f in dataclasses.fields(Config)
                   if getattr(config, f.name) != getattr(self.config, f.name)}
        if data is None and changed <= LIVE_FIELDS:
            optimizer = self.optimizer
            if config.optimizer != self.config.optimizer:
                optimizer = make_optimizer(config)
            else:
                for key in optimizer.defaults:
                    setattr(optimizer, key, getattr(config, key))
            self.config, self.optimizer = config, optimizer
            self.schedule = Schedule.from_config(config)
            optimizer.learning_rate = self.learning_rate
            self.resume()
            return False
        if data is None and not changed & DATA_FIELDS:
            data = self.data
        fresh = Trainer(config, data, self.history_capacity, self.path_capacity)
        self.__dict__.update(fresh.__dict__)
        return True

    def resume(self):
        """Clear :attr:`stopped` so that :meth:`step` trains again; early stopping counts its
        epochs without improvement afresh. A limit that is still reached stops it at once."""
        self.stopped = None
        self.stop_rules.resume()

    # ----------------------------------------------------------------- training
    @property
    def l1(self) -> float:
        return penalties(self.config)[0]

    @property
    def l2(self) -> float:
        return penalties(self.config)[1]

    @property
    def learning_rate(self) -> float:
        """The rate of the next update: the schedule's ``rate(step_count)``."""
        return self.schedule.rate(self.step_count)

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

    def next_batch(self) -> np.ndarray:
        """Rows of the training set (indices) the next step will train on, in its order.

        A new epoch's shuffle is drawn here, when its first batch is asked for (by the step or
        before it, e.g. by ``core.backprop.next_step``); asking again gives the same rows until
        a step takes them.
        """
        n_train = len(self.inputs_train)
        if self._position >= n_train:
            self._order = self._rng.permutation(n_train)
            self._position = 0
            self.epoch += 1
        return self._order[self._position:self._position + self.config.batch_size]

    def step(self, n=1) -> int:
        """Run up to ``n`` mini-batch updates, reshuffling the training data at each epoch.

        Returns the number of updates made: fewer than ``n`` when a stopping rule of the config
        ends training (``max_steps``, ``max_epochs``, ``patience``, ``target_cost``; see
        :class:`Config`). :attr:`stopped` then says which and why, and later calls make no
        update (and return 0) until :meth:`resume`, :meth:`reset` or :meth:`apply_config`.
        A stop is not an error: nothing is raised.

        Raises
        ------
        DivergenceError
            When a cost or weight stops being finite. The weights of the last finite step are
            restored first, so the network is still usable (and plottable).
        """
        cfg = self.config
        if self.stopped is None:
            self.stopped = StopRules.limit(cfg, self.step_count, self.epochs_completed)
        if self.stopped is not None:
            return 0
        net, params, X, T = self.network, self.network.params, self.inputs_train, self.targets_train
        loss, optimizer, l1, l2 = self.loss, self.optimizer, self.l1, self.l2
        batch = cfg.batch_size
        history, path = self.history, self.path
        rate = None if self.schedule.is_constant else self.schedule.rate
        rules = (cfg.max_steps is not None or cfg.max_epochs is not None
                 or StopRules.watches_costs(cfg))
        # The history's rows are scored a batch of steps at a time (core.recording), and one
        # at a time when every row decides at once whether training goes on: a target cost,
        # or a loss with no minimum whose cost may run away.
        batch_rows = (1 if cfg.target_cost is not None or not loss.bounded_below
                      else self._recorder.size)
        recorder = self._recorder
        try:
            # Overflow on the way to divergence is expected and detected below: no warnings.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                for done in range(n):
                    idx = self.next_batch()
                    self._position += batch
                    if rate is not None:
                        optimizer.learning_rate = rate(self.step_count)
                    grad = net.gradient(X[idx], T[idx], loss, l1, l2, out=self._grad)
                    np.copyto(self._last_finite, params)
                    optimizer.step(params, grad)
                    # One dot product checks the weights for inf/NaN and runaway size at once.
                    # (A non-finite cost always shows up here too: the gradient carries it into
                    # the weights, so the mini-batch cost is never evaluated, halving the work.)
                    if not float(params @ params) < MAX_PARAM_NORM ** 2:
                        np.copyto(params, self._last_finite)
                        raise divergence.diverged(self, grad)
                    step = self.step_count = self.step_count + 1
                    if path.due(step):
                        path.append(params)
                    recorded = history.due(step)
                    if recorded:
                        recorder.add(step, params, grad)
                        # A row that thins the history out changes which steps are due next.
                        if (len(recorder) >= batch_rows
                                or len(history) + len(recorder) > history.capacity):
                            recorder.flush(self)
                    if rules:
                        self.stopped = self._check_rules(recorded)
                        if self.stopped is not None:
                            return done + 1
        finally:
            recorder.flush(self)  # the history is complete whenever anyone can read it
        return n

    def _check_rules(self, recorded):
        """The stopping rule that ends training after this step, if any. ``recorded``: the
        history took a row at this step (its scores are then the ones the rules read)."""
        cfg, step, rules = self.config, self.step_count, self.stop_rules
        epoch_end = self._position >= len(self.inputs_train)
        stop = None
        scores = None
        if cfg.target_cost is not None and (recorded or epoch_end):
            scores = self._scores_now(recorded)
            stop = rules.target(cfg, step, scores["train_cost"])
        if stop is None and epoch_end and cfg.patience is not None:
            scores = scores or self._scores_now(recorded)
            stop = rules.epoch_end(cfg, step, self.epochs_completed, scores["test_cost"],
                                   self.network.params)
        return stop or StopRules.limit(cfg, step, self.epochs_completed)

    def _scores_now(self, recorded) -> dict:
        """This step's scores: those of its history row when it has one (flushed first)."""
        if not recorded:
            return self._score()
        self._recorder.flush(self)
        return self._recorder.last[1]

    def state_dict(self) -> dict:
        """Everything needed to continue this run exactly (copies), except config and data.

        Keys: ``params``, ``optimizer``, ``step_count``, ``epoch``, ``position``, ``order``,
        ``rng`` (the shuffling generator's state), ``history``, ``path``, and (optional in
        :meth:`load_state_dict`, for states saved before they existed) ``gradient_norms``,
        ``stop_rules`` (early stopping's best cost, step and weights) and ``stopped`` (None,
        or the fields of the :class:`Stop` as a dict).
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
            "gradient_norms": self.gradient_norms.state_dict(),
            "stop_rules": self.stop_rules.state_dict(),
            "stopped": None if self.stopped is None else dataclasses.asdict(self.stopped),
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
        if state.get("stop_rules") is not None:
            self.stop_rules.load_state_dict(state["stop_rules"])
        self.network.params[:] = params
        self.optimizer.load_state_dict(state["optimizer"])
        self.step_count, self.epoch = int(state["step_count"]), int(state["epoch"])
        self._position, self._order = int(state["position"]), order
        self._rng.bit_generator.state = state["rng"]
        self.history.load_state_dict(state["history"])
        self.path.load_state_dict(state["path"])
        norms = state.get("gradient_norms")
        if norms is None:  # not saved: unknown (NaN) at the history's steps
            steps = self.history.rows()[:, :1]
            norms = {"rows": np.hstack([steps, np.full((len(steps), self.gradient_norms.width
                                                        - 1), np.nan)]),
                     "stride": self.history.stride}
        self.gradient_norms.load_state_dict(norms)
        stopped = state.get("stopped")
        self.stopped = None if stopped is None else Stop(**stopped)

    # ----------------------------------------------------------------- reading
    def metrics(self) -> dict:
        """Costs and scores on the whole train and test sets now.

        Keys: ``step``, ``epoch`` (completed), ``learning_rate`` (of the next update),
        ``reg_term``, and for each of ``train_`` and ``test_``: ``cost``, ``loss``,
        ``accuracy``, ``macro_f1``, ``report`` (a :class:`~core.metrics.ClassificationReport`:
        confusion matrix, precision, recall and F1 per class), ``r2``, ``rmse``, ``mae``.

        ``train_cost = train_loss + reg_term`` where ``train_loss`` is the mean per-example loss
        and ``reg_term`` the regularization penalty; ``test_cost`` includes the same penalty (as
        Keras's ``val_loss`` does). Accuracy, F1 and the report are None for regression; R²,
        RMSE and MAE (of the network's outputs against the targets) are None for
        classification.
        """
        return {"step": self.step_count, "epoch": self.epochs_completed,
                "learning_rate": self.learning_rate, **self._score(reports=True)}

    def _score(self, reports=False) -> dict:
        # Weights the newest history row holds were scored when it was recorded.
        stack = self._recorder.scored(self._scorer, self.network.params, self.l1, self.l2)
        if stack is not None:
            return self._scorer.row(stack, 0, reports)
        return self._scorer.score(self.network, self.l1, self.l2, reports)

    def accuracy(self, y_pred, labels):
        """Fraction of correctly classified examples, or None for regression."""
        if self.data.task == "regression":
            return None
        predicted = metrics.predicted_classes(y_pred, self.data.task, self.arrays.threshold)
        return float(np.mean(predicted == labels[:, 0].astype(int)))

    def predict(self, X) -> np.ndarray:
        """Network output for raw inputs ``X`` ``(n, d)`` (input features computed first)."""
        return self.network.predict(features.transform(X, self.config.features))

    def predict_classes(self, X) -> np.ndarray:
        """Class index per row of raw inputs ``X`` (classification tasks)."""
        return metrics.predicted_classes(self.predict(X), self.data.task,
                                         self.arrays.threshold)

    def _record_start(self):
        """Record the weights a run starts from (step 0, no update led here)."""
        self.path.append(self.network.params)
        self._recorder.add(0, self.network.params, None)
        self._recorder.flush(self)

    def history_arrays(self) -> dict:
        """The cost history as a dict of 1-D arrays keyed by ``HISTORY_FIELDS`` (copies).

        ``epoch`` is fractional (steps / steps per epoch); metrics the task does not have are
        NaN (accuracy and F1 for regression; R², RMSE, MAE for classification).
        """
        rows = self.history.rows()
        return {key: rows[:, i] for i, key in enumerate(HISTORY_FIELDS)}

    def gradient_norm_arrays(self) -> tuple:
        """``(steps, norms)``: the recorded steps ``(m,)`` and each layer's gradient norm
        ``(m, n_layers)`` (copies; NaN where unknown). See :attr:`gradient_norms`."""
        rows = self.gradient_norms.rows()
        return rows[:, 0], rows[:, 1:]

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
