"""Fuzz the experiment and CSV readers for minutes: random hostile files, outcomes counted.

The cases are those of the fast fuzz test (``tests/core/fuzzcases.py``): experiment files cut,
bit-flipped, with damaged headers and arrays, counts and capacities at and past their limits,
compressed or oddly zipped; CSV files of random tokens, tables with quirks (quoted headers,
decimal commas, CR line ends), random and re-encoded bytes, and cases at the row, column and
row-length limits. Each is opened as the app would (an experiment is then stepped), under a
clock and a memory tracer. The script prints the cases tried and the outcomes by kind; any
exception other than the documented ones, a case over the time bound or over the memory bound
is a failure, listed with its seed, and the exit code is 1.

Usage: python bench/fuzz_files.py [--minutes 3] [--seed 1] [--replay SEED]
"""
import argparse
import os
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "core"))  # the case generators, shared with the test
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

import fuzzcases  # noqa: E402


def replay(seed, folder):
    """Run the one case of ``seed`` (as printed with a failure) and show its outcome."""
    rng = np.random.default_rng(seed)
    index = seed % 1_000_003
    bases = fuzzcases.make_bases(folder)
    if index % 2 == 0:
        path = folder / "case.costscape"
        kind = fuzzcases.experiment_case(rng, bases, path)
        result = fuzzcases.run_case(fuzzcases.open_experiment, path)
    else:
        path = folder / "case.csv"
        kind = fuzzcases.csv_case(rng, path)
        result = fuzzcases.run_case(fuzzcases.open_csv, path)
    print(f"case {seed} ({kind}, kept in {path}): {result[0]} in {result[1]:.2f} s, "
          f"{result[2] / 2**20:.1f} MB traced")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--replay", type=int, metavar="SEED",
                        help="run one case again (the seed printed with a failure)")
    args = parser.parse_args(argv)
    folder = pathlib.Path(tempfile.mkdtemp(prefix="costscape-fuzz-"))
    if args.replay is not None:
        replay(args.replay, folder)
        return 0
    start = time.monotonic()
    tally = fuzzcases.run(args.seed, 10**9, folder, deadline=start + 60 * args.minutes)
    minutes = (time.monotonic() - start) / 60
    print(f"fuzzed for {minutes:.1f} minutes from seed {args.seed} "
          f"({tally.cases / max(minutes, 1e-9) / 60:.1f} cases/s)")
    print(tally.report())
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
