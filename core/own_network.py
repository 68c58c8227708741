"""Your own numpy network: weight files read, their convention detected, a run built on them.

A learner who trained a network with numpy saved its weight matrices (and maybe biases) with
``np.savez`` or ``np.save``. :func:`read_arrays` reads them (never unpickling), :func:`orient`
decides from the shapes whether they are in the ``x @ W + b`` convention or the transposed
``W @ x`` one and says which, and :func:`open_run` builds a :class:`~core.trainer.Trainer` on
data from a CSV file, starting from exactly those weights::

    run = open_run(["syn_0.npy", "syn_1.npy"], "xor.csv", activation="sigmoid",
                   output_activation="sigmoid", loss="mse")
    run.note        # 'Read 2 weight matrices in the x @ W + b convention (...); biases start at 0.'
    run.trainer.predict(run.trainer.data.X_train)   # the same outputs as the learner's code

Which array is which: in a ``.npz`` archive, in its order, and for ``.npy`` files, in the
natural order of their names (``W2`` before ``W10``). An array is a bias when it is 1-D or its
name starts with ``b`` or contains ``bias``; the others are weights. Every problem raises
:class:`OwnNetworkError` (a ``ValueError``) saying what is wrong.
"""
from __future__ import annotations

import dataclasses
import io
import math
import os
import re
import zipfile

import numpy as np

from core import datasets
from core.config import Config, ConfigError
from core.files import BadFile, read_array, read_zip

#: Largest weights file read (bytes): far beyond any network the app can show.
MAX_FILE_BYTES = 200 * 1024 * 1024


class OwnNetworkError(ValueError):
    """Weights or data that cannot make a run; the message says why in a learner's words."""


@dataclasses.dataclass(frozen=True)
class Oriented:
    """Weights and biases in the ``x @ W + b`` convention, and how they were read."""

    weights: list
    biases: list | None
    convention: str  # "x @ W + b" or "W @ x + b"
    note: str


@dataclasses.dataclass(frozen=True)
class OwnRun:
    """A trainer that starts at the learner's weights, and a sentence saying how they were
    read (convention, biases)."""

    trainer: object
    note: str


def _natural(name):
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def _is_bias(name, array) -> bool:
    stem = name.lower()
    return array.ndim == 1 or stem.startswith("b") or "bias" in stem


def _read_npy(path) -> np.ndarray:
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise OwnNetworkError(f"{os.path.basename(path)} is {size / 2**20:.0f} MB, too "
                                  f"large for a network's weights")
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as err:
        raise OwnNetworkError(f"{os.path.basename(path)} cannot be read "
                              f"({err.strerror or err})") from None
    # The same checks as inside an archive: read as a one-member zip would be.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("array.npy", raw)
    with zipfile.ZipFile(buffer) as archive:
        try:
            return read_array(archive, "array", len(raw))
        except BadFile as err:
            raise OwnNetworkError(f"{os.path.basename(path)}: {err}") from None
        except (ValueError, OSError, EOFError) as err:
            raise OwnNetworkError(f"{os.path.basename(path)} is not a .npy array file "
                                  f"({err})") from None


def _read_npz(path) -> list:
    def read(archive, limit):
        names = [n[:-4] for n in archive.namelist() if n.endswith(".npy")]
        return [(name, read_array(archive, name, limit)) for name in names]

    try:
        return read_zip(path, read, "it is not a .npz archive (np.savez writes one)")
    except BadFile as err:
        raise OwnNetworkError(f"{os.path.basename(path)}: {err}") from None


def read_arrays(paths) -> tuple:
    """``(weights, biases)`` from ``.npz`` and ``.npy`` files: lists of arrays in file order
    (biases None when there are none). See the module docstring for which array is which."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    named = []
    for path in sorted((os.fspath(p) for p in paths), key=lambda p: _natural(os.path.basename(p))):
        if path.lower().endswith(".npz"):
            named += _read_npz(path)
        else:
            named.append((os.path.splitext(os.path.basename(path))[0], _read_npy(path)))
    if not named:
        raise OwnNetworkError("no weight files were given")
    weights = [a for name, a in named if not _is_bias(name, a)]
    biases = [a for name, a in named if _is_bias(name, a)]
    for name, array in named:
        if array.ndim not in (1, 2) or array.size == 0:
            raise OwnNetworkError(f"array {name!r} has shape {array.shape}: weights are 2-D "
                                  f"matrices and biases vectors")
        if not np.all(np.isfinite(array)):
            raise OwnNetworkError(f"array {name!r} holds NaN or infinite values")
    if not weights:
        raise OwnNetworkError(f"no weight matrix among {', '.join(n for n, _ in named)} (2-D "
                              f"arrays not named like a bias)")
    return [w.astype(float) for w in weights], ([b.astype(float) for b in biases] or None)


def _chains(weights, biases, n_inputs, transposed) -> bool:
    shapes = [W.shape[::-1] if transposed else W.shape for W in weights]
    if n_inputs is not None and shapes[0][0] != n_inputs:
        return False
    if any(a[1] != b[0] for a, b in zip(shapes, shapes[1:])):
        return False
    return biases is None or (len(biases) == len(weights) and all(
        b.size == s[1] for b, s in zip(biases, shapes)))


def orient(weights, biases=None, n_inputs=None) -> Oriented:
    """The weights in the ``x @ W + b`` convention, detected from the shapes.

    Parameters
    ----------
    weights : list of 2-D arrays
        ``(inputs, neurons)`` each (``x @ W``) or ``(neurons, inputs)`` each (``W @ x``).
    biases : list of arrays or None
    n_inputs : int or None
        The data's input count, when known: it settles square matrices.
    """
    if biases is not None and len(biases) != len(weights):
        raise OwnNetworkError(f"{len(biases)} bias arrays for {len(weights)} weight matrices: "
                              f"give one bias per layer, or none")
    plain = _chains(weights, biases, n_inputs, transposed=False)
    flipped = _chains(weights, biases, n_inputs, transposed=True)
    shapes = " → ".join("×".join(map(str, W.shape)) for W in weights)
    if not (plain or flipped):
        wanted = f" and take {n_inputs} inputs" if n_inputs is not None else ""
        raise OwnNetworkError(
            f"the weight shapes {shapes} do not chain in either convention{wanted}: in "
            f"x @ W + b each matrix is (inputs, neurons) and its columns are the next one's "
            f"rows; in W @ x + b it is (neurons, inputs)")
    convention = "x @ W + b" if plain else "W @ x + b"
    why = ("both conventions fit these shapes, so they were read as x @ W + b"
           if plain and flipped else f"their shapes {shapes} chain only that way")
    if not plain:
        weights = [W.T.copy() for W in weights]
    sizes = [weights[0].shape[0], *(W.shape[1] for W in weights)]
    biases_text = ("with their biases" if biases is not None
                   else "without biases, which start at 0")
    note = (f"Read {len(weights)} weight matri{'ces' if len(weights) > 1 else 'x'} in the "
            f"{convention} convention ({why}): a {' → '.join(map(str, sizes))} network, "
            f"{biases_text}.")
    flat = None if biases is None else [np.asarray(b, dtype=float).reshape(-1) for b in biases]
    return Oriented(weights, flat, convention, note)


def _read_data(csv_path) -> datasets.Dataset:
    """The CSV file's rows, every one both trained on and tested (as the learner's code
    trained on all of them)."""
    try:
        read = datasets.load_csv(csv_path)
    except datasets.DataError as err:
        raise OwnNetworkError(f"the data file: {err}") from None
    X, y = read.X, read.y
    return datasets.Dataset(read.name, read.task, X, y, X, y, read.n_classes, read.domain)


def _check_outputs(read, n_outputs):
    task = read.task
    if n_outputs == 1 and task == "multiclass":
        raise OwnNetworkError(f"the data have {read.n_classes} classes but the network has one "
                              f"output (it fits two classes, or a number)")
    if n_outputs > 1 and (task != "multiclass" or read.n_classes != n_outputs):
        raise OwnNetworkError(f"the network has {n_outputs} outputs; the data would need "
                              f"{n_outputs} classes")


def open_run(weight_paths, csv_path, activation="sigmoid", output_activation="sigmoid",
             loss=None, learning_rate=0.1, seed=0) -> OwnRun:
    """A trainer on the CSV file's data that starts at the weights in ``weight_paths``.

    The run's config is ``dataset="custom"`` (the data are given to the trainer), with the
    network's hidden layer sizes, the activations chosen, ``loss`` (None: the task's default)
    and plain SGD on the full batch; its Reset draws fresh random weights.
    """
    from core.network import Network
    from core.trainer import Trainer

    weights, biases = read_arrays(weight_paths)
    data = _read_data(csv_path)
    oriented = orient(weights, biases, n_inputs=data.n_features)
    _check_outputs(data, oriented.weights[-1].shape[1])
    try:
        config = Config(dataset="custom", task=data.task,
                        hidden_layers=tuple(W.shape[1] for W in oriented.weights[:-1]),
                        activation=activation, output_activation=output_activation, loss=loss,
                        optimizer="sgd", learning_rate=learning_rate,
                        batch_size=max(len(data.X_train), 1), seed=seed, init="xavier")
        net = Network.from_arrays(oriented.weights, oriented.biases, activation,
                                  output_activation)
        trainer = Trainer(config, data=data)
    except (ConfigError, ValueError) as err:
        raise OwnNetworkError(str(err)) from None
    trainer.start_from(net.params)
    if not math.isfinite(trainer.metrics()["train_cost"]):
        raise OwnNetworkError("the network's cost on these data is not finite")
    return OwnRun(trainer, oriented.note)
