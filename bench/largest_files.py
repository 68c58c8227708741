"""Time and peak memory of loading the largest files Costscape accepts: a CSV and an experiment.

Each file is made in a temporary folder, then loaded in a fresh Python process that reports how
long the call took and how far its peak memory (Linux: ``VmHWM``) rose during it:

- the largest legal CSV files: 50 MB (the size cap) of 100,000 rows (the row cap) and 250
  columns, 25 million cells, the most a file can hold; and 100,000 rows of 3 columns written
  as a spreadsheet would, the largest ordinary one;
- the largest legal experiment: those 25 million values as its data, with the largest network
  on them (8 hidden layers of 256 on 249 inputs, 524,801 weights), Adam's two state arrays, a
  full path (``core.history.PATH_BUDGET``) and a full history. It is built without training
  (``Trainer.from_state``), as training it for real would take hours.

Usage: python bench/largest_files.py [--keep]  (--keep leaves the files in the folder printed)
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

ROWS, WIDE = 100_000, 250

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
value = {call}
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "grew_mb": peak_mb() - before, "peak_mb": peak_mb(),
                  "what": {describe}}}))
"""


def measure(call, describe):
    """Run ``call`` in a fresh process: seconds, peak memory growth and peak, and a text."""
    done = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(ROOT), call=call,
                                                               describe=describe)],
                          capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def widest_csv(path):
    """100,000 rows of 250 one-digit cells: exactly 50,000,000 bytes, the most cells a legal
    file holds (labels 0 to 9, so it reads as a multi-class task)."""
    row = b"0," * (WIDE - 1)
    with open(path, "wb") as f:
        for i in range(ROWS):
            f.write(row + b"%d\n" % (i % 10))
    return path


def ordinary_csv(path):
    rng = np.random.default_rng(0)
    values = np.column_stack([rng.normal(size=(ROWS, 2)), rng.integers(0, 2, ROWS)])
    np.savetxt(path, values, delimiter=",", fmt="%.6f", header="x1,x2,y", comments="")
    return path


def largest_experiment(path, csv_path):
    """The largest experiment the app writes, built without training (see the docstring)."""
    from core import datasets, experiment
    from core.config import Config
    from core.history import HISTORY_FIELDS
    from core.params import ParamLayout
    from core.trainer import Trainer, path_rows

    data = datasets.load_csv(csv_path)
    config = Config(dataset="csv", data_path=str(csv_path), task=data.task,
                    hidden_layers=(256,) * 8, activation="relu", output_activation="softmax",
                    loss="cce", optimizer="adam", batch_size=32)
    n_train = len(data.X_train)
    sizes = (data.n_features, *config.hidden_layers, data.n_classes)
    n = ParamLayout(sizes, config.activation, config.output_activation).n_params
    rng = np.random.default_rng(1)
    rows = path_rows(n, 500)
    history = np.zeros((2000, len(HISTORY_FIELDS)))
    history[:, 0] = np.arange(2000) * 2**20
    history[:, 1] = history[:, 0] / (n_train // 32)
    state = {"params": rng.normal(size=n) * 0.01,
             "optimizer": {"t": 2**31, "m": rng.normal(size=n), "v": rng.random(n)},
             "step_count": 2000 * 2**20, "epoch": 2000 * 2**20 // (n_train // 32),
             "position": 0, "order": rng.permutation(n_train),
             "rng": np.random.default_rng([config.seed, 1]).bit_generator.state,
             "history": {"rows": history, "stride": 2**20},
             "path": {"rows": rng.normal(size=(rows, n)) * 0.01, "stride": 2**30}}
    trainer = Trainer.from_state(config, data, state)
    experiment.save(path, trainer)
    return n, rows


def report(name, size, result):
    print(f"{name:<44} {size / 1e6:>8.1f} MB  {result['seconds']:>7.2f} s  "
          f"peak +{result['grew_mb']:>6.0f} MB (process {result['peak_mb']:.0f} MB)  "
          f"{result['what']}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    folder = pathlib.Path(tempfile.mkdtemp(prefix="costscape-largest-"))
    print(f"files in {folder}")
    print(f"{'file':<44} {'size':>11}  {'time':>9}  memory")
    try:
        wide = widest_csv(folder / "widest.csv")
        result = measure(f"datasets.load_csv({str(wide)!r})",
                         "f'{len(value.X):,} rows x {value.n_features} inputs, {value.task}'")
        report("CSV, 100,000 rows x 250 columns (cap)", wide.stat().st_size, result)
        plain = ordinary_csv(folder / "ordinary.csv")
        result = measure(f"datasets.load_csv({str(plain)!r})",
                         "f'{len(value.X):,} rows x {value.n_features} inputs, {value.task}'")
        report("CSV, 100,000 rows x 3 columns", plain.stat().st_size, result)
        start = time.perf_counter()
        path = folder / "largest.costscape"
        n, rows = largest_experiment(path, wide)
        print(f"(made the experiment in {time.perf_counter() - start:.0f} s: {n:,} weights, "
              f"{rows} path rows)")
        result = measure(f"experiment.load({str(path)!r})",
                         "f'{value.network.n_params:,} weights, step {value.step_count:,}'")
        report("experiment, the largest legal", path.stat().st_size, result)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
