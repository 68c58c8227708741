"""Speed of the landscape instruments (core.curvature): sharpness and the line interpolation.

Problem: the Playground-sized network, 2 → 8 → 8 → 1, tanh hidden, sigmoid output, binary
cross-entropy, on the 250 training points of ``xor`` (500 samples), at its initial weights and
after 3,000 steps of SGD. Measured:

- λ_max, the largest Hessian eigenvalue, to 1e-4 relative (``top_eigenpairs`` with k = 1,
  tol = 1e-4, building the Hessian operator included), goal ≤ 50 ms; and ``hessian_eigs`` as
  the app calls it (k = 2, its default tolerance 1e-6), each with the number of Hessian-vector
  products used and the error against ``numpy.linalg.eigh`` of the full Hessian;
- the two largest eigenvalues as the sharpness view measures them (``core.stability.sharpness``,
  k = 2, tol = 1e-3);
- one Hessian-vector product;
- ``interpolate`` at 201 points of α in [−0.5, 1.5] from the initial to the trained weights,
  goal ≤ 20 ms, and its largest difference from ``Network.cost`` point by point; beside it,
  for comparison, the same line by ``landscape.surface`` in float32 (which interpolate does
  not use: see its docstring).

Times are the best of several repetitions (the machine is shared; the best is the least
disturbed). Usage: python bench/instruments_speed.py [--repeat 9]
"""
import argparse
import os
import pathlib
import sys

# As main.py does, before numpy is imported: single-threaded BLAS for these small networks (the
# app's condition; OpenBLAS threads spinning beside the other work only slow a 2-core machine).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from benchlib import best_time, verdict  # noqa: E402

from core import curvature, landscape, stability  # noqa: E402
from core.config import Config  # noqa: E402
from core.trainer import Trainer  # noqa: E402


def sharpness(net, X, y, repeat):
    H = curvature.HessianOperator(net, X, y, "bce")(np.eye(net.n_params))
    exact = np.linalg.eigvalsh(0.5 * (H + H.T))
    exact = exact[np.argsort(-np.abs(exact))]

    def largest():
        operator = curvature.HessianOperator(net, X, y, "bce")
        return curvature.top_eigenpairs(operator, net.n_params, k=1, tol=1e-4)

    t = best_time(largest, repeat)
    pairs = largest()
    error = abs(pairs.values[0] - exact[0]) / abs(exact[0])
    print(f"  λ_max = {pairs.values[0]:.6g} to 1e-4:   {t * 1e3:6.2f} ms, {pairs.n_products:3d} "
          f"products, relative error {error:.1e}   goal ≤ 50 ms: {verdict(t <= 0.05)}")

    t = best_time(lambda: curvature.hessian_eigs(net, X, y, "bce", k=2), repeat)
    operator = curvature.HessianOperator(net, X, y, "bce")
    pairs = curvature.top_eigenpairs(operator, net.n_params, k=2)
    error = np.max(np.abs(pairs.values - exact[:2]) / np.abs(exact[0]))
    print(f"  hessian_eigs, k = 2, tol 1e-6:  {t * 1e3:6.2f} ms, {pairs.n_products:3d} "
          f"products, relative error {error:.1e}")
    t = best_time(lambda: stability.sharpness(net, X, y, "bce", k=2, tol=1e-3), repeat)
    pairs = stability.sharpness(net, X, y, "bce", k=2, tol=1e-3)
    error = np.max(np.abs(pairs.values - np.sort(exact)[::-1][:2]) / np.abs(exact[0]))
    print(f"  sharpness view (2 largest, 1e-3): {t * 1e3:5.2f} ms, {pairs.n_products:3d} "
          f"products, relative error {error:.1e}")
    v = np.ones(net.n_params)
    product = best_time(lambda: operator(v), repeat * 5)
    gradient = best_time(lambda: net.gradient(X, y, "bce"), repeat * 5)
    print(f"  one Hessian-vector product:     {product * 1e6:6.0f} µs (a gradient: "
          f"{gradient * 1e6:.0f} µs)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    repeat = parser.parse_args().repeat

    trainer = Trainer(Config(dataset="xor", n_samples=500, hidden_layers=(8, 8),
                             activation="tanh", optimizer="sgd", learning_rate=0.1,
                             batch_size=10, seed=0))
    X, y, net = trainer.inputs_train, trainer.targets_train, trainer.network
    start = net.params.copy()
    print(f"network {net.describe()} tanh/sigmoid, bce, {len(X)} training points, "
          f"{net.n_params} parameters")
    print("at the initial weights")
    sharpness(net, X, y, repeat)
    trainer.step(3000)
    print(f"after 3,000 steps (train cost {trainer.metrics()['train_cost']:.4f})")
    sharpness(net, X, y, repeat)

    alphas = np.linspace(-0.5, 1.5, 201)
    now = net.params.copy()
    t = best_time(lambda: curvature.interpolate(net, X, y, "bce", start, now, alphas), repeat)
    costs = curvature.interpolate(net, X, y, "bce", start, now, alphas)
    twin, reference = net.copy(), []
    for alpha in alphas:
        twin.params[:] = start + alpha * (now - start)
        reference.append(twin.cost(X, y, "bce"))
    error = np.max(np.abs(costs - reference) / np.abs(reference))
    print(f"interpolation, 201 points from the initial to the trained weights: {t * 1e3:6.2f} ms, "
          f"max relative difference from Network.cost {error:.1e}   goal ≤ 20 ms: "
          f"{verdict(t <= 0.02)}")
    twin.params[:] = start
    line, zero = now - start, np.zeros_like(now)

    def float32():
        return landscape.surface(twin, X, y, "bce", line, zero, alphas, [0.0],
                                 dtype=np.float32)[0]

    t = best_time(float32, repeat)
    error = np.max(np.abs(float32() - reference) / np.abs(reference))
    print(f"  (the same line in float32: {t * 1e3:6.2f} ms, max relative difference {error:.1e})")


if __name__ == "__main__":
    main()
