"""Speed and memory of the error surface (core.landscape.surface), against the naive loop.

Problem: ``xor``, 500 samples, network 2 → 8 → 8 → 1, tanh hidden, sigmoid output, binary
cross-entropy, two random filter-normalized directions, α and β in [−1, 1]. Measured in one run:

- the naive float64 loop (write params, predict, cost, for each of the 60×60 grid points);
- the fast path in float64 and float32, on 1 and 2 threads, on the same grid (goal: ≤ 0.15 s
  and ≥ 6× the loop), with its largest difference from the loop;
- a 15×15 preview (goal: ≤ 20 ms);
- the extra memory of a 2 → 64 → 64 → 1 network on 1,000 samples over a 100×100 grid
  (goal: < 500 MB), measured with tracemalloc (numpy reports its array allocations to it).

Times are the best of several repetitions (the machine is shared; the best is the least
disturbed). Usage: python bench/surface_speed.py [--repeat 7]
"""
import argparse
import pathlib
import sys
import time
import tracemalloc

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from benchlib import best_time, verdict  # noqa: E402

from core import datasets, landscape  # noqa: E402
from core.network import Network  # noqa: E402


def speed(repeat):
    data = datasets.make("xor", n_samples=500, seed=0)
    X, y = data.X, data.y
    net = Network((2, 8, 8, 1), "tanh", "sigmoid", seed=0)
    d1, d2 = landscape.random_directions(net, seed=0)
    grid = np.linspace(-1.0, 1.0, 60)
    preview = np.linspace(-1.0, 1.0, 15)

    def surf(axis, **kw):
        return lambda: landscape.surface(net, X, y, "bce", d1, d2, axis, axis, **kw)

    print(f"60×60 grid, {len(X)} samples, network {net.describe()} tanh/sigmoid, bce")
    reference = surf(grid, method="loop")()
    loop = best_time(surf(grid, method="loop"), max(3, repeat // 2))
    print(f"  naive loop, float64         {loop * 1e3:8.1f} ms")
    general = best_time(surf(grid, method="general"), max(1, repeat // 3))
    print(f"  general batched, float64    {general * 1e3:8.1f} ms   "
          f"({loop / general:4.1f}× the loop)")
    for workers in (1, 2):
        for dtype in (np.float64, np.float32):
            t = best_time(surf(grid, dtype=dtype, workers=workers), repeat)
            Z = surf(grid, dtype=dtype, workers=workers)()
            err = np.max(np.abs(Z - reference) / np.abs(reference))
            goal = t <= 0.15 and loop / t >= 6
            name = f"{np.dtype(dtype).name}, {workers} thread{'s' if workers > 1 else ''}"
            print(f"  fast, {name:<20s} {t * 1e3:8.1f} ms   ({loop / t:4.1f}× the loop; max "
                  f"relative difference {err:.1e})   goal ≤ 150 ms and ≥ 6×: {verdict(goal)}")
    for dtype in (np.float64, np.float32):
        t = best_time(surf(preview, dtype=dtype), repeat * 3)
        print(f"  15×15 preview, {np.dtype(dtype).name:<12s} {t * 1e3:8.2f} ms   "
              f"goal ≤ 20 ms: {verdict(t <= 0.02)}")


def memory():
    rng = np.random.default_rng(0)
    X = rng.uniform(-6, 6, (1000, 2))
    y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    net = Network((2, 64, 64, 1), "tanh", "sigmoid", seed=0)
    d1, d2 = landscape.random_directions(net, seed=0)
    grid = np.linspace(-1.0, 1.0, 100)
    print(f"100×100 grid, {len(X)} samples, network {net.describe()} tanh/sigmoid, bce")
    for dtype in (np.float64, np.float32):
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        start = time.perf_counter()
        landscape.surface(net, X, y, "bce", d1, d2, grid, grid, dtype=dtype)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        print(f"  fast, {np.dtype(dtype).name:<8s} peak extra memory {peak / 2**20:7.1f} MB "
              f"(in {elapsed:5.2f} s)   goal < 500 MB: {verdict(peak < 500 * 2**20)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed repetitions per figure")
    args = parser.parse_args()
    speed(args.repeat)
    memory()


if __name__ == "__main__":
    main()
