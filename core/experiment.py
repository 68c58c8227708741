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

A reader also refuses what Costscape never writes, before it costs anything: a compressed
member, more than 64 members, arrays that claim more than :data:`MAX_LOAD_BYTES` (512 MB) in
all, capacities above :data:`MAX_HISTORY_CAPACITY` and :data:`MAX_PATH_CAPACITY` (20,000),
counts past :data:`MAX_COUNT` (2**62), strides that are not powers of two, a history with
infinities or gaps (see :mod:`core.experiment_checks`).
"""
from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import math
import os

import numpy as np

from core import experiment_checks as checks
from core.experiment_checks import (MAX_COUNT, MAX_HISTORY_CAPACITY,  # noqa: F401 - public
                                    MAX_LOAD_BYTES, MAX_PATH_CAPACITY)
from core.files import BadFile, atomic_write, check_total, describe_error, read_array, read_zip
from core.trainer import HISTORY_FIELDS, Trainer

FORMAT = "costscape-experiment"
FORMAT_VERSION = 1
#: Suggested file name extension of saved experiments.
SUFFIX = ".costscape"

DATA_ARRAYS = ("X_train", "y_train", "X_test", "y_test", "domain")
STATE_ARRAYS = ("params", "order", "history", "path")
MAX_HEADER_BYTES = 1_000_000


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
    shuffling order and generator state, history and path. Nothing is evaluated on the way
    (:meth:`Trainer.from_state`): the run goes on when it is stepped.

    Only regular files are read (a named pipe or a device is refused at once, never waited
    on); sizes are checked before anything is inflated, and the arrays of one file may claim
    at most :data:`MAX_LOAD_BYTES` together; every count and capacity is range-checked against
    what Costscape writes (:mod:`core.experiment_checks`).

    Raises
    ------
    ExperimentError
        And no other exception, for any file: missing, a folder, a pipe or device, unreadable,
        empty, cut off, not a zip/npz, a zip or npz from elsewhere or compressed otherwise
        than Costscape or NumPy do, too large, missing arrays, wrong shapes or dtypes, weights
        that do not fit the network or are not finite, counts out of range, settings that fail
        validation, or a newer format version. The message names the file.
    """
    try:
        header, config, arrays = _read(path)
        return checks.build(header, config, arrays)
    except BadFile as err:
        raise ExperimentError(path, str(err)) from None
    except MemoryError:
        raise ExperimentError(path, "the experiment is too large to open on this computer") \
            from None
    except Exception as err:  # noqa: BLE001 - the promise is ExperimentError for any file
        # Not reached by any file the tests and fuzzers make; should one get here, the user
        # still gets a message (and the cause stays attached for whoever debugs it).
        raise ExperimentError(path, f"it could not be read (an unexpected "
                                    f"{type(err).__name__}: {describe_error(err)})") from err


def _read(path):
    """(header dict, Config, {name: array}) of the file, or BadFile saying why it cannot be
    read. The header comes first; the arrays only once their total size is known to fit."""
    def read(archive, limit):
        header = _read_header(archive)
        config = checks.config_of(header["config"])
        keys = checks.optimizer_keys(header["state"])
        names = STATE_ARRAYS + DATA_ARRAYS + tuple(f"optimizer.{key}" for key in keys)
        check_total(archive, names, MAX_LOAD_BYTES, "the largest experiment Costscape opens")
        return header, config, {name: read_array(archive, name, limit) for name in names}

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
        raise BadFile(f"the file is damaged (unknown format version {checks.short(version)})")
    if version > FORMAT_VERSION:
        raise BadFile(f"this file was written by a newer Costscape (format "
                      f"{checks.short(version)}); this version reads format {FORMAT_VERSION}. "
                      f"Please update Costscape to open it.")
