"""Save and open experiments: settings, data, weights, optimizer state and cost history in one file.

A saved experiment continues exactly where it stopped: :func:`load` returns a new
:class:`~core.trainer.Trainer` whose next step, cost and history are the ones the saved run
would have had::

    from core import experiment
    experiment.save("spiral.costscape", trainer)
    trainer = experiment.load("spiral.costscape")
    experiment.history_to_csv(trainer, "spiral-cost.csv")

Every problem with a file to open (missing, a folder, unreadable, empty, cut off, damaged, from
another program, from a newer Costscape, or contents that do not fit together) raises
:class:`ExperimentError` and nothing else; its message names the file and says what is wrong in
words a learner can act on. :func:`load` builds a new trainer, so a failed open leaves the
current experiment as it was. Writing goes through :func:`core.files.atomic_write` (a temporary
file in the same folder, flushed and fsynced, then renamed over the target), so a crash or a
full disk in the middle of a save leaves the previous file intact; reading through
:func:`core.files.read_zip` and :func:`~core.files.read_array`, which never unpickle and check
every size before allocating.

File format, version 1
----------------------
Suggested extension: ``.costscape`` (:data:`SUFFIX`). The file is a NumPy ``.npz`` archive (an
uncompressed zip of ``.npy`` arrays) that ``np.load(path, allow_pickle=False)`` reads too. It
never holds pickled Python objects, and it is never read with unpickling allowed.

=================  =====================  ===================================================
array              dtype, shape           content
=================  =====================  ===================================================
``header``         uint8 (n,)             UTF-8 JSON, below
``params``         float64 (P,)           the flat parameter vector (``core.network`` layout)
``optimizer.<k>``  float64 (P,)           each optimizer state array, e.g. ``m``, ``v`` (adam)
``order``          int64 (n_train,)       the current epoch's shuffling order (a permutation)
``history``        float64 (m, 9)         cost history, columns ``trainer.HISTORY_FIELDS``
``path``           float64 (k, P)         parameter vectors recorded along the way
``X_train``        float64 (n_train, d)   the data, always stored: CSV or hand-made data need
``y_train``        float64 (n_train, 1)   not be around when the file is opened, and
``X_test``         float64 (n_test, d)    generated data are not generated again
``y_test``         float64 (n_test, 1)
``domain``         float64 (d, 2)         the plotted region, (low, high) per feature
=================  =====================  ===================================================

The header is one JSON object::

    {"format": "costscape-experiment", "version": 1, "app_version": "0.1.0",
     "config": {... Config.to_dict() ...},
     "data": {"name": "spiral", "task": "binary", "n_classes": 2},
     "state": {"step_count": 137, "epoch": 3, "position": 203,
               "rng": {... the shuffling generator's PCG64 state ...},
               "optimizer_t": 137, "optimizer_arrays": ["m", "v"],
               "history_stride": 1, "history_capacity": 2000,
               "path_stride": 1, "path_capacity": 500}}

``app_version`` is for people reading the file; it is left out when unknown. A reader refuses a
``version`` above its :data:`FORMAT_VERSION` with a message asking to update Costscape; a
future reader of version 2 should still read version 1.
"""
from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import math
import os
import re

import numpy as np

from core import datasets
from core.config import Config, ConfigError
from core.files import BadFile, atomic_write, describe_error, read_array, read_zip
from core.trainer import HISTORY_FIELDS, MAX_PARAM_NORM, Trainer

FORMAT = "costscape-experiment"
FORMAT_VERSION = 1
#: Suggested file name extension of saved experiments.
SUFFIX = ".costscape"

DATA_ARRAYS = ("X_train", "y_train", "X_test", "y_test", "domain")
STATE_ARRAYS = ("params", "order", "history", "path")
#: Longest allowed history or path log; far above the trainer's defaults (2000, 500), it only
#: stops a damaged file from asking for a huge allocation.
MAX_LOG_CAPACITY = 1_000_000
#: Largest plausible count (steps, epochs, strides): beyond it a number is damage, not training.
MAX_COUNT = 2**62
MAX_OPTIMIZER_ARRAYS = 16
MAX_HEADER_BYTES = 1_000_000
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


class ExperimentError(ValueError):
    """An experiment file cannot be opened (or saved); the message names the file.

    Attributes ``path`` (the file as given) and ``reason`` (what is wrong, without the file
    name) let an interface show them separately; ``str()`` is
    ``"Cannot open <path>: <reason>"`` (or ``"Cannot save ..."``).
    """

    def __init__(self, path, reason, action="open"):
        self.path, self.reason = path, reason
        super().__init__(f"Cannot {action} {_shown(path)}: {reason}")


def _shown(path) -> str:
    try:
        return str(os.fspath(path))
    except TypeError:
        return repr(path)


# --------------------------------------------------------------------------- writing

def _write_or_explain(path, write):
    """:func:`atomic_write`, with an OSError (full disk, no permission) as ExperimentError."""
    try:
        atomic_write(path, write)
    except OSError as err:
        reason = err.strerror or str(err)
        raise ExperimentError(path, f"{reason}. Any earlier file there is unchanged.",
                              "save") from err


def save(path, trainer: Trainer):
    """Write ``trainer``'s whole experiment to ``path`` (format in the module docstring).

    Parameters
    ----------
    path : str or path-like
        The file to create or replace; :data:`SUFFIX` is the suggested extension (it is not
        added here).
    trainer : Trainer

    Raises
    ------
    ExperimentError
        When the file cannot be written (no such folder, no permission, disk full). The file
        at ``path``, if any, is then unchanged.
    """
    header, arrays = _pack(trainer)
    blob = np.frombuffer(json.dumps(header, allow_nan=False).encode("utf-8"), dtype=np.uint8)
    _write_or_explain(path, lambda f: np.savez(f, header=blob, **arrays))


def _pack(trainer):
    """(header dict, arrays dict) describing ``trainer`` completely."""
    state, data = trainer.state_dict(), trainer.data
    optimizer = dict(state["optimizer"])
    optimizer_t = int(optimizer.pop("t"))
    header = {"format": FORMAT, "version": FORMAT_VERSION, **_app_version(),
              "config": trainer.config.to_dict(),
              "data": {"name": str(data.name), "task": data.task,
                       "n_classes": int(data.n_classes)},
              "state": {"step_count": int(state["step_count"]), "epoch": int(state["epoch"]),
                        "position": int(state["position"]), "rng": state["rng"],
                        "optimizer_t": optimizer_t, "optimizer_arrays": sorted(optimizer),
                        "history_stride": int(state["history"]["stride"]),
                        "history_capacity": trainer.history_capacity,
                        "path_stride": int(state["path"]["stride"]),
                        "path_capacity": trainer.path_capacity}}
    arrays = {"params": state["params"], "order": state["order"].astype(np.int64),
              "history": state["history"]["rows"], "path": state["path"]["rows"],
              "X_train": data.X_train, "y_train": data.y_train,
              "X_test": data.X_test, "y_test": data.y_test,
              "domain": np.array(data.domain, dtype=float).reshape(-1, 2),
              **{f"optimizer.{key}": np.asarray(value, dtype=float)
                 for key, value in optimizer.items()}}
    return header, arrays



def _app_version() -> dict:
    # Installed package metadata, without importing gui; informational only, so when it is
    # missing the key is simply left out.
    try:
        return {"app_version": importlib.metadata.version("costscape")}
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return {}


def history_to_csv(trainer: Trainer, path):
    """Write the cost history as CSV: a header of ``HISTORY_FIELDS``, then one row per record.

    ``step`` is a whole number; the other columns are written with full precision (Python's
    shortest round-trip form). Accuracies, which regression does not have, are empty cells.
    Written atomically (see :func:`core.files.atomic_write`).

    Raises
    ------
    ExperimentError
        When the file cannot be written; any earlier file at ``path`` is then unchanged.
    """
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(HISTORY_FIELDS)
    for row in trainer.history.rows():
        writer.writerow([_csv_cell(field, value) for field, value in zip(HISTORY_FIELDS, row)])
    data = text.getvalue().encode("utf-8")
    _write_or_explain(path, lambda f: f.write(data))


def _csv_cell(field, value) -> str:
    if math.isnan(value):
        return ""
    return str(int(value)) if field == "step" else repr(float(value))


# --------------------------------------------------------------------------- reading

def load(path) -> Trainer:
    """Open an experiment saved by :func:`save`: a new Trainer that continues the saved run.

    The trainer is built from the saved settings and the saved data (nothing is generated or
    read from a CSV file), then given the saved weights, optimizer state, step count, epoch,
    shuffling order and generator state, history and path.

    Raises
    ------
    ExperimentError
        And no other exception, for any file: missing, a folder, unreadable, empty, cut off,
        not a zip/npz, a zip or npz from elsewhere, missing arrays, wrong
        shapes or dtypes, weights that do not fit the network or are not finite, settings that
        fail validation, or a newer format version. The message names the file.
    """
    try:
        header, arrays = _read(path)
        return _build(header, arrays)
    except BadFile as err:
        raise ExperimentError(path, str(err)) from None


def _read(path):
    """(header dict, {name: array}) of the file, or BadFile saying why it cannot be read."""
    def read(archive, limit):
        header = _read_header(archive)
        names = STATE_ARRAYS + DATA_ARRAYS + tuple(
            f"optimizer.{key}" for key in _optimizer_keys(header["state"]))
        return header, {name: read_array(archive, name, limit) for name in names}

    return read_zip(path, read, f"it is not a Costscape experiment (a {SUFFIX} file saved by "
                                f"Costscape)")


def _read_header(archive) -> dict:
    if "header.npy" not in archive.namelist():
        raise BadFile("it is a zip or NumPy archive, but not a Costscape experiment")
    blob = read_array(archive, "header", MAX_HEADER_BYTES)
    if blob.dtype != np.uint8 or blob.ndim != 1:
        raise BadFile("the file is damaged (its header is not text)")
    try:
        header = json.loads(blob.tobytes().decode("utf-8"))
    except (ValueError, RecursionError) as err:  # bad UTF-8 or JSON are ValueErrors
        raise BadFile(f"the file is damaged (its header is not valid JSON: "
                      f"{describe_error(err)})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BadFile("it is a zip or NumPy archive, but not a Costscape experiment")
    _check_version(header.get("version"))
    for key in ("config", "data", "state"):
        if not isinstance(header.get(key), dict):
            raise BadFile(f"the file is damaged (its header has no {key!r} section)")
    return header


def _check_version(version):
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise BadFile(f"the file is damaged (unknown format version {_short(version)})")
    if version > FORMAT_VERSION:
        raise BadFile(f"this file was written by a newer Costscape (format "
                      f"{_short(version)}); this version reads format {FORMAT_VERSION}. "
                      f"Please update Costscape to open it.")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _optimizer_keys(state) -> list:
    keys = state.get("optimizer_arrays")
    if (not isinstance(keys, list) or len(keys) > MAX_OPTIMIZER_ARRAYS
            or not all(isinstance(k, str) and _KEY.fullmatch(k) for k in keys)
            or len(set(keys)) != len(keys)):
        raise BadFile("the file is damaged (the list of optimizer arrays is unreadable)")
    return keys


# --------------------------------------------------------------------------- checking

def _build(header, arrays) -> Trainer:
    """The Trainer the header and arrays describe, each part checked before it is used."""
    config = _config(header["config"])
    data = _dataset(header["data"], arrays)
    if data.task != config.task:
        raise BadFile(f"the file is damaged (the settings are for a {config.task} task but the "
                      f"data are a {data.task} task)")
    params = _params(arrays, config, data)
    trainer = _new_trainer(config, data, header["state"])
    if params.size != trainer.network.n_params:
        raise BadFile(f"the saved weights do not fit the saved network (it is "
                      f"{trainer.network.describe()} with {trainer.network.n_params} values; "
                      f"the file has {params.size})")
    state = _training_state(header["state"], arrays, params, len(data.X_train))
    try:
        trainer.load_state_dict(state)
    except ValueError as err:  # the trainer's own checks, should any be added later
        raise BadFile(f"the saved training state does not fit the saved network "
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


def _new_trainer(config, data, state) -> Trainer:
    """A fresh trainer with the saved log capacities (decimation depends on them)."""
    capacities = {f"{log}_capacity": _whole(state, f"{log}_capacity", 2, MAX_LOG_CAPACITY)
                  for log in ("history", "path")}
    if any(c % 2 for c in capacities.values()):
        raise BadFile("the file is damaged (a log capacity is odd)")
    try:
        return Trainer(config, data=data, **capacities)
    except MemoryError:
        raise BadFile("the experiment is too large to open on this computer") from None
    except ValueError as err:  # settings and data that passed their checks but not together
        raise BadFile(f"the saved settings do not fit the saved data ({describe_error(err)})") \
            from None


def _training_state(state, arrays, params, n_train) -> dict:
    """The argument of ``Trainer.load_state_dict``, from the header's state and the arrays."""
    return {
        "params": params,
        "optimizer": _optimizer_state(state, arrays, params.size),
        "step_count": _whole(state, "step_count", 0, MAX_COUNT),
        "epoch": _whole(state, "epoch", 0, MAX_COUNT),
        "position": _whole(state, "position", 0, MAX_COUNT),
        "order": _order(arrays, n_train),
        "rng": _rng_state(state.get("rng")),
        "history": _log(state, arrays, "history", len(HISTORY_FIELDS),
                        state["history_capacity"], finite=False),
        "path": _log(state, arrays, "path", params.size, state["path_capacity"], finite=True),
    }


def _config(settings) -> Config:
    try:
        return Config.from_dict(settings)
    except ConfigError as err:
        raise BadFile(f"the saved settings are not valid: {describe_error(err)}") from None


def _dataset(info, arrays) -> datasets.Dataset:
    values = {name: _floats(arrays, name, (None, None), finite=True, what=f"the data {name!r}")
              for name in DATA_ARRAYS}
    name, task, n_classes = info.get("name"), info.get("task"), info.get("n_classes")
    if not isinstance(name, str) or task not in datasets.TASKS:
        raise BadFile("the file is damaged (the data's name or task is unreadable)")
    n_classes = _whole(info, "n_classes", 1, datasets.MAX_CLASSES)
    domain = values.pop("domain")
    if domain.shape[1:] != (2,) or not (domain[:, 0] < domain[:, 1]).all():
        raise BadFile("the file is damaged (the data's plotting domain is unreadable)")
    if values["X_train"].shape[1:] == (0,):
        raise BadFile("the file is damaged (the data have no input features)")
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
    """Float64 array ``name`` whose shape matches ``shape`` (None matches any length)."""
    array = arrays[name]
    if array.dtype.kind != "f" or array.dtype.itemsize != 8:
        raise BadFile(f"the file is damaged ({what} are {array.dtype} values, not float64)")
    if array.ndim != len(shape) or any(want is not None and have != want
                                       for have, want in zip(array.shape, shape)):
        expected = "(" + ", ".join("n" if s is None else str(s) for s in shape) + ")"
        raise BadFile(f"the file is damaged ({what} have shape {array.shape}, expected "
                      f"{expected})")
    if finite and not np.isfinite(array).all():
        raise BadFile(f"the file is damaged ({what} contain NaN or infinite values)")
    return array.astype(np.float64)  # native byte order, a fresh writable copy


def _whole(section, key, low, high) -> int:
    value = section.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadFile(f"the file is damaged ({key} is {_short(value)}, expected a whole number "
                      f"from {low} to {high})")
    return value


def _optimizer_state(state, arrays, n_params) -> dict:
    result = {"t": _whole(state, "optimizer_t", 0, MAX_COUNT)}
    for key in _optimizer_keys(state):
        name = f"optimizer.{key}"
        result[key] = _floats(arrays, name, (n_params,), finite=True,
                              what=f"the optimizer's {key!r} values")
    return result


def _order(arrays, n_train) -> np.ndarray:
    order = arrays["order"]
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


#: Columns of the cost history in files written before the metrics of version 2 (the first
#: nine of HISTORY_FIELDS); such files still open, with NaN in the newer columns.
V1_HISTORY_WIDTH = 9


def _log(state, arrays, log, width, capacity, finite) -> dict:
    if log == "history" and log in arrays and arrays[log].ndim == 2 \
            and arrays[log].shape[1] == V1_HISTORY_WIDTH:
        width = V1_HISTORY_WIDTH
    rows = _floats(arrays, log, (None, width), finite=finite, what=f"the {log} rows")
    if len(rows) > capacity:
        raise BadFile(f"the file is damaged ({len(rows)} {log} rows do not fit its capacity "
                      f"{capacity})")
    return {"rows": rows, "stride": _whole(state, f"{log}_stride", 1, MAX_COUNT)}
