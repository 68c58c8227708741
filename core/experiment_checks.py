"""An opened experiment's contents, each checked against what Costscape itself writes.

:mod:`core.experiment` reads a file's header and arrays (never more than it can hold, see
:data:`MAX_LOAD_BYTES`) and hands them to :func:`build`, which checks every part before it is
used and builds the :class:`~core.trainer.Trainer` that continues the run. Each problem is a
:class:`~core.files.BadFile` whose message says what is wrong; counts and capacities are
range-checked against what the app writes, so a crafted number cannot make the app allocate
or loop without end, and the trainer is built without evaluating anything
(:meth:`Trainer.from_state`), so whatever the data hold, opening never trains or diverges.
"""
from __future__ import annotations

import re

import numpy as np

from core import datasets, features, optimizers
from core.config import MAX_BATCH_SIZE, Config, ConfigError
from core.files import BadFile, describe_error
from core.history import HISTORY_FIELDS, path_rows
from core.params import ParamLayout
from core.trainer import MAX_PARAM_NORM, Trainer

#: Longest history log a file may declare: ten times what the app writes (2000).
MAX_HISTORY_CAPACITY = 20_000
#: Longest path log a file may declare: forty times what the app writes (500). A big network's
#: path keeps fewer rows anyway (``core.history.PATH_BUDGET``).
MAX_PATH_CAPACITY = 20_000
#: Largest plausible count (steps, epochs, strides): beyond it a number is damage, not training.
#: Counts are Python ints, and at most 2**62 they fit any 64-bit integer on the way.
MAX_COUNT = 2**62
#: Most bytes the arrays of one file may claim together: about twice the largest experiment the
#: app writes (a 50 MB CSV file's 25 million values are 200 MB; the biggest network, with
#: Adam's two state arrays and its path, under 60 MB more). Checked before anything is read.
MAX_LOAD_BYTES = 512 * 2**20
MAX_OPTIMIZER_ARRAYS = 16
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
#: Columns of the cost history in files written before the metrics of version 2 (the first
#: nine of HISTORY_FIELDS); such files still open, with NaN in the newer columns.
V1_HISTORY_WIDTH = 9
#: History columns the trainer fills at every record (the others are NaN where the task has
#: no such metric): in a file they must be finite.
ALWAYS_FILLED = ("step", "epoch", "train_cost", "test_cost", "train_loss", "test_loss",
                 "reg_term")


def short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def config_of(settings) -> Config:
    try:
        return Config.from_dict(settings)
    except ConfigError as err:
        raise BadFile(f"the saved settings are not valid: {describe_error(err)}") from None


def optimizer_keys(state, config=None) -> list:
    """The optimizer arrays the header lists, each once: names the optimizer of ``config``
    (when given) keeps."""
    keys = state.get("optimizer_arrays")
    if (not isinstance(keys, list) or len(keys) > MAX_OPTIMIZER_ARRAYS
            or not all(isinstance(k, str) and _KEY.fullmatch(k) for k in keys)
            or len(set(keys)) != len(keys)):
        raise BadFile("the file is damaged (the list of optimizer arrays is unreadable)")
    if config is not None:
        known = _state_keys(config.optimizer)
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise BadFile(f"the file is damaged (the optimizer {config.optimizer} keeps no "
                          f"{short(unknown[0])} array)")
    return keys


def _state_keys(name) -> set:
    # What the optimizer keeps, learnt from one step on one parameter: no list to keep in step.
    optimizer = optimizers.get(name, 0.1)
    optimizer.step(np.zeros(1), np.ones(1))
    return set(optimizer.state_dict()) - {"t"}


def build(header, config, arrays) -> Trainer:
    """The Trainer the header and arrays describe, each part checked before it is used.

    ``arrays`` is emptied on the way, so that each array read from the file can be freed as
    soon as what is built from it holds a copy.
    """
    data = _dataset(header["data"], arrays)
    if data.task != config.task:
        raise BadFile(f"the file is damaged (the settings are for a {config.task} task but the "
                      f"data are a {data.task} task)")
    params = _params(arrays, config, data)
    sizes = _layer_sizes(config, data)
    n_params = ParamLayout(sizes, config.activation, config.output_activation).n_params
    if params.size != n_params:
        raise BadFile(f"the saved weights do not fit the saved network (it is "
                      f"{' → '.join(map(str, sizes))} with {n_params} values; the file has "
                      f"{params.size})")
    state = header["state"]
    capacities = {"history_capacity": _capacity(state, "history", MAX_HISTORY_CAPACITY),
                  "path_capacity": _capacity(state, "path", MAX_PATH_CAPACITY)}
    training = _training_state(state, arrays, params, len(data.X_train), capacities, config)
    try:
        trainer = Trainer.from_state(config, data, training, **capacities)
    except MemoryError:
        raise BadFile("the experiment is too large to open on this computer") from None
    except ValueError as err:  # settings, data and state that passed their checks, not together
        raise BadFile(f"the saved settings, data and training state do not fit together "
                      f"({describe_error(err)})") from None
    return trainer


def _params(arrays, config, data) -> np.ndarray:
    params = _floats(arrays, "params", (None,), finite=True, what="the weights")
    with np.errstate(over="ignore"):
        # The trainer keeps every weight vector it reaches below this norm (beyond it counts as
        # diverged), so larger weights cannot come from a real run.
        if not float(params @ params) < MAX_PARAM_NORM ** 2:
            raise BadFile("the file is damaged (the weights are larger than training ever "
                          "leaves them)")
    _check_network_size(config, data, params)
    return params


def _layer_sizes(config, data) -> tuple:
    """The network's layer sizes, from its inputs (after the input features) to its outputs."""
    try:
        features.check(config.features, data.n_features)
    except ValueError as err:
        raise BadFile(f"the saved settings do not fit the saved data (features: "
                      f"{describe_error(err)})") from None
    n_inputs = features.transform(data.X_train[:1], config.features).shape[1]
    n_out = data.n_classes if data.task == "multiclass" else 1
    return (n_inputs, *config.hidden_layers, n_out)


def _capacity(state, log, most) -> int:
    capacity = whole(state, f"{log}_capacity", 2, most)
    if capacity % 2:
        raise BadFile(f"the file is damaged (the {log} log's capacity {capacity} is odd)")
    return capacity


def _training_state(state, arrays, params, n_train, capacities, config) -> dict:
    """The state ``Trainer.from_state`` continues, from the header's state and the arrays."""
    step = whole(state, "step_count", 0, MAX_COUNT)
    rows = path_rows(params.size, capacities["path_capacity"])
    return {
        "params": params,
        "optimizer": _optimizer_state(state, arrays, params.size, config),
        "step_count": step,
        # Not bounded by the step: a step that diverges draws its batch but does not count.
        "epoch": whole(state, "epoch", 0, MAX_COUNT),
        # Each step moves the position on by a batch, from below n_train.
        "position": whole(state, "position", 0, n_train + MAX_BATCH_SIZE),
        "order": _order(arrays, n_train),
        "rng": _rng_state(state.get("rng")),
        "history": _history(state, arrays, step, capacities["history_capacity"]),
        "path": _log(state, arrays, "path", params.size, rows, finite=True),
    }


def _dataset(info, arrays) -> datasets.Dataset:
    values = {name: _floats(arrays, name, (None, None), finite=True, what=f"the data {name!r}")
              for name in ("X_train", "y_train", "X_test", "y_test", "domain")}
    name, task = info.get("name"), info.get("task")
    if not isinstance(name, str) or task not in datasets.TASKS:
        raise BadFile("the file is damaged (the data's name or task is unreadable)")
    n_classes = whole(info, "n_classes", 1, datasets.MAX_CLASSES)
    domain = values.pop("domain")
    if domain.shape[1:] != (2,) or not (domain[:, 0] < domain[:, 1]).all():
        raise BadFile("the file is damaged (the data's plotting domain is unreadable)")
    n_features = values["X_train"].shape[1]
    if n_features == 0:
        raise BadFile("the file is damaged (the data have no input features)")
    if n_features > datasets.MAX_CSV_COLUMNS - 1:
        raise BadFile(f"the file is damaged (the data have {n_features} input features; "
                      f"Costscape makes at most {datasets.MAX_CSV_COLUMNS - 1})")
    try:
        data = datasets.Dataset(name, task, n_classes=n_classes, domain=tuple(map(tuple, domain)),
                                **values)
    except ValueError as err:  # DataError: shapes that do not fit together
        raise BadFile(f"the file is damaged (the saved data are inconsistent: "
                      f"{describe_error(err)})") from None
    if task != "regression":
        for labels in (data.y_train, data.y_test):
            if not ((labels == np.round(labels)) & (labels >= 0) & (labels < n_classes)).all():
                raise BadFile(f"the file is damaged (class labels must be whole numbers from 0 "
                              f"to {n_classes - 1})")
    if task == "multiclass" and n_classes < 2:
        raise BadFile("the file is damaged (a multiclass data set needs 2 or more classes)")
    return data


def _check_network_size(config, data, params):
    """Refuse weights too few for the network before building it.

    Every layer's weight matrix is part of ``params``, so a network needs at least
    ``sum(n_in * n_out)`` values, counting one input (the input width depends on the chosen
    input features; one is the least). Checking this first keeps a damaged header from making
    the trainer allocate a network far larger than the file's own weights.
    """
    n_out = data.n_classes if data.task == "multiclass" else 1
    sizes = (1, *config.hidden_layers, n_out)
    needed = sum(a * b for a, b in zip(sizes, sizes[1:]))
    if params.size < needed:
        raise BadFile(f"the saved weights do not fit the saved network (its layers "
                      f"{' → '.join(map(str, sizes[1:]))} need at least {needed} values; the "
                      f"file has {params.size})")


def _floats(arrays, name, shape, finite, what) -> np.ndarray:
    """Float64 array ``name`` (taken out of ``arrays``) whose shape matches ``shape`` (None
    matches any length)."""
    array = arrays.pop(name)
    if array.dtype.kind != "f" or array.dtype.itemsize != 8:
        raise BadFile(f"the file is damaged ({what} are {array.dtype} values, not float64)")
    if array.ndim != len(shape) or any(want is not None and have != want
                                       for have, want in zip(array.shape, shape)):
        expected = "(" + ", ".join("n" if s is None else str(s) for s in shape) + ")"
        raise BadFile(f"the file is damaged ({what} have shape {array.shape}, expected "
                      f"{expected})")
    if finite and not np.isfinite(array).all():
        raise BadFile(f"the file is damaged ({what} contain NaN or infinite values)")
    # Native byte order; the array read from the file is already a private, writable one.
    return array.astype(np.float64, copy=False)


def whole(section, key, low, high) -> int:
    value = section.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadFile(f"the file is damaged ({key} is {short(value)}, expected a whole number "
                      f"from {low} to {high})")
    return value


def _stride(state, log, step) -> int:
    # Strides start at 1 and double each time a log is full: powers of two, never past the step.
    stride = whole(state, f"{log}_stride", 1, max(step, 1))
    if stride & (stride - 1):
        raise BadFile(f"the file is damaged ({log}_stride is {stride}, not a power of two)")
    return stride


def _optimizer_state(state, arrays, n_params, config) -> dict:
    # The optimizer counts its own steps (from 0 again when it is changed mid-run, and a step
    # that diverges counts there but not in the run's step count).
    result = {"t": whole(state, "optimizer_t", 0, MAX_COUNT)}
    for key in optimizer_keys(state, config):
        name = f"optimizer.{key}"
        result[key] = _floats(arrays, name, (n_params,), finite=True,
                              what=f"the optimizer's {key!r} values")
    return result


def _order(arrays, n_train) -> np.ndarray:
    order = arrays.pop("order")
    if order.dtype.kind not in "iu" or order.shape != (n_train,):
        raise BadFile(f"the file is damaged (the shuffling order is {order.dtype} {order.shape}, "
                      f"expected {n_train} whole numbers)")
    if not np.array_equal(np.sort(order), np.arange(n_train)):
        raise BadFile("the file is damaged (the shuffling order is not a permutation of the "
                      "training points)")
    return order.astype(np.int64)


def _rng_state(rng) -> dict:
    """The shuffling generator's state, checked field by field (PCG64, as default_rng uses)."""
    expected = type(np.random.default_rng(0).bit_generator).__name__
    inner = rng.get("state") if isinstance(rng, dict) else None
    ok = (isinstance(rng, dict) and set(rng) == {"bit_generator", "state", "has_uint32",
                                                 "uinteger"}
          and rng["bit_generator"] == expected and isinstance(inner, dict)
          and set(inner) == {"state", "inc"}
          and all(_is_int(inner[k], 2**128) for k in ("state", "inc"))
          and _is_int(rng["has_uint32"], 2) and _is_int(rng["uinteger"], 2**32))
    if not ok:
        raise BadFile("the file is damaged (the shuffling generator's state is unreadable)")
    return rng


def _is_int(value, bound) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and 0 <= value < bound


def _history(state, arrays, step, capacity) -> dict:
    """The cost history: rows whose steps count up to the run's step, with no infinities and
    no gaps where the trainer always writes a number (what the cost plot draws)."""
    history = arrays.get("history")
    width = len(HISTORY_FIELDS)
    if history is not None and history.ndim == 2 and history.shape[1] == V1_HISTORY_WIDTH:
        width = V1_HISTORY_WIDTH
    log = _log(state, arrays, "history", width, capacity, finite=False)
    rows = log["rows"]
    filled = rows[:, [HISTORY_FIELDS.index(k) for k in ALWAYS_FILLED]]
    if np.isinf(rows).any() or not np.isfinite(filled).all():
        raise BadFile("the file is damaged (the cost history has infinite values, or gaps in "
                      "its steps, epochs or costs)")
    steps = rows[:, 0]
    if len(steps) and not ((steps == np.round(steps)).all() and steps[0] >= 0
                           and (np.diff(steps) > 0).all() and steps[-1] <= step
                           and (rows[:, 1] >= 0).all()):
        raise BadFile("the file is damaged (the cost history's steps do not count up to the "
                      "run's step)")
    return log


def _log(state, arrays, log, width, capacity, finite) -> dict:
    rows = _floats(arrays, log, (None, width), finite=finite, what=f"the {log} rows")
    if len(rows) > capacity:
        raise BadFile(f"the file is damaged ({len(rows)} {log} rows do not fit its capacity "
                      f"{capacity})")
    step = whole(state, "step_count", 0, MAX_COUNT)
    return {"rows": rows, "stride": _stride(state, log, step)}
