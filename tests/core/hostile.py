"""Hostile files for the loaders, and a child process that reports what loading one cost.

The crafted files of issue 20 (compression bombs, huge capacities, named pipes, runaway data,
counts past 2**31, a CSV file of 12 million rows) are made here, small and fast, for
``test_hostile_files.py``; the fuzzers (``fuzzcases.py``) build on the same helpers. A load is
measured in a fresh Python process (:func:`measure`), which reports its outcome, the seconds
the call took and how much its peak memory grew: what one file can cost, free of whatever
the test process holds.
"""
import bz2
import io
import json
import os
import pathlib
import struct
import subprocess
import sys
import zipfile
import zlib

import numpy as np

from core import experiment
from core.config import Config
from core.trainer import Trainer

ROOT = pathlib.Path(__file__).resolve().parents[2]
TINY = Config(dataset="xor_table", hidden_layers=(2,), optimizer="momentum", batch_size=3)
MB = 2**20


# --------------------------------------------------------------------------- experiments

def saved(path, config=TINY, steps=7, **capacities):
    """A real experiment saved after ``steps`` steps; returns the path."""
    trainer = Trainer(config, **capacities)
    trainer.step(steps)
    experiment.save(path, trainer)
    return path


def contents(path):
    """(header dict, {name: array}) of a saved experiment."""
    with np.load(path, allow_pickle=False) as arrays:
        content = {name: arrays[name] for name in arrays.files}
    return json.loads(bytes(content.pop("header")).decode()), content


def write(path, header, arrays):
    """An experiment file as Costscape writes them (uncompressed npz), from its contents."""
    blob = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    with open(path, "wb") as f:
        np.savez(f, header=blob, **arrays)
    return path


def rewritten(source, target, change):
    """``source`` with ``change(header, arrays)`` applied, written to ``target``."""
    header, arrays = contents(source)
    change(header, arrays)
    return write(target, header, arrays)


def npy_header(shape, dtype="<f8") -> bytes:
    """The bytes a .npy file of ``shape`` starts with (version 1.0)."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": dtype, "fortran_order": False, "shape": tuple(shape)})
    return buffer.getvalue()  # numpy writes the magic string and version too


def raw_zip(path, members):
    """A zip file written by hand: ``members`` are (name, method, file_size, crc, payload),
    the payload already compressed, so one compressed payload can serve several members and
    any size can be claimed."""
    local, directory = bytearray(), bytearray()
    for name, method, size, crc, payload in members:
        encoded = name.encode()
        offset = len(local)
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc,
                             len(payload), size, len(encoded), 0) + encoded + payload
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc,
                                 len(payload), size, len(encoded), 0, 0, 0, 0, 0,
                                 offset) + encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members),
                      len(directory), len(local), 0)
    pathlib.Path(path).write_bytes(bytes(local + directory + end))
    return path


def bomb(path, method, source, inflated=64 * MB):
    """A Costscape-looking file whose data arrays are compression bombs: each of X_train,
    X_test, y_train, y_test, the path and the history inflates to ``inflated`` bytes of zeros
    (bzip2 or deflate, one compressed payload shared by them), next to a real header."""
    header, _ = contents(source)
    blob = json.dumps(header).encode()
    head_npy = _npy(np.frombuffer(blob, dtype=np.uint8))
    rows = inflated // 16
    content_header = npy_header((rows, 2))
    size = len(content_header) + rows * 16
    compressor = (zlib.compressobj(9, zlib.DEFLATED, -15) if method == zipfile.ZIP_DEFLATED
                  else bz2.BZ2Compressor(9))
    payload, crc = compressor.compress(content_header), zlib.crc32(content_header)
    zeros = bytes(MB)
    for _ in range((size - len(content_header)) // MB):
        payload += compressor.compress(zeros)
        crc = zlib.crc32(zeros, crc)
    payload += compressor.flush()
    # Padding, so that the file is large enough (a 60th of a member) for the old check of one
    # member's size against the file's (1,100 times) to let each member through.
    padding = _npy(np.zeros(inflated // 1000 // 8))
    members = [("header.npy", 0, len(head_npy), zlib.crc32(head_npy), head_npy),
               ("padding.npy", 0, len(padding), zlib.crc32(padding), padding)]
    for name in ("X_train", "y_train", "X_test", "y_test", "path", "history", "params",
                 "order", "domain"):
        members.append((f"{name}.npy", method, size, crc, payload))
    return raw_zip(path, members)


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def runaway(path):
    """Issue 20's fourth file: loss "me" (unbounded below) on data scaled by 1e9, fed squared
    (x1²), so that the cost of any weights is far beyond the runaway floor of the targets."""
    config = Config(dataset="plane", hidden_layers=(), loss="me", learning_rate=0.01, seed=0,
                    features=("x1^2",))
    saved(path, config, steps=3)

    def scale(header, arrays):
        for name in ("X_train", "y_train", "X_test", "y_test", "domain"):
            arrays[name] = arrays[name] * 1e9
        arrays["params"] = np.abs(arrays["params"]) + 0.5
        arrays["path"] = np.abs(arrays["path"]) + 0.5
    return rewritten(path, path, scale)


def past_int32(path, step=2**31 + 5):
    """A run whose step count (and history) lies past 2**31."""
    saved(path, TINY, steps=12)

    def shift(header, arrays):
        state = header["state"]
        offset = step - state["step_count"]
        state["step_count"] = step
        state["epoch"] += offset // 2
        arrays["history"][:, 0] += offset
        arrays["history"][:, 1] += offset / 2
    return rewritten(path, path, shift)


# --------------------------------------------------------------------------- CSV files

def many_rows_csv(path, rows=12_400_000, bad_row=None):
    """A CSV file of ``rows`` rows ``x,y`` (49.6 MB for 12.4 million, under the 50 MB cap),
    with a cell that is not a number in row ``bad_row`` if given."""
    line = b"1,0\n"
    with open(path, "wb") as f:
        if bad_row is not None:
            f.write(line * (bad_row - 1) + b"1,x\n")
            rows -= bad_row
        f.write(line * rows)
    return path


# --------------------------------------------------------------------------- measuring

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
from core import datasets, experiment

def peak_mb():
    # Linux: VmHWM, the peak of this program alone (ru_maxrss starts from the peak of the
    # process that started it, which is carried across exec).
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) / 1024 for line in f
                        if line.startswith("VmHWM"))
    except (OSError, StopIteration):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 1024

before = peak_mb()
start = time.perf_counter()
try:
    value = {call}
    outcome, message = "loaded", type(value).__name__
except Exception as err:
    outcome, message = type(err).__name__, str(err)
print(json.dumps({{"outcome": outcome, "message": message,
                  "seconds": time.perf_counter() - start, "grew_mb": peak_mb() - before}}))
"""


def measure(call, timeout=120) -> dict:
    """Run ``call`` (Python source, e.g. ``"experiment.load('x')"``) in a fresh process:
    ``{"outcome": "loaded" or the exception's name, "message", "seconds", "grew_mb"}``, where
    ``grew_mb`` is how far the process's peak memory rose during the call."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(ROOT), call=call)],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
