"""Training steps per second on the Playground-sized problem, and the ratio to PyTorch.

Problem: ``xor``, 500 samples (250 for training), network 2 → 8 → 8 → 1, tanh hidden, sigmoid
output, binary cross-entropy, plain SGD, batch 10, float64. The PyTorch loop (run when torch is
importable; ``pip install torch==2.13.0`` gives the CPU build here) does the same work in float64
on one thread: shuffle each epoch, forward, loss, backward, optimizer step.

Usage: python bench/train_speed.py [--seconds 3]
"""
import argparse
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from core.config import Config  # noqa: E402
from core.trainer import Trainer  # noqa: E402

CONFIG = Config(dataset="xor", n_samples=500, hidden_layers=(8, 8), activation="tanh",
                output_activation="sigmoid", loss="bce", optimizer="sgd", learning_rate=0.03,
                batch_size=10, seed=0)


def rate(run, seconds):
    """Steps per second of ``run(n)``, best of repeated timed chunks."""
    run(200)  # warm caches and lazy buffers
    best, deadline, n = 0.0, time.perf_counter() + seconds, 2000
    while time.perf_counter() < deadline:
        t = time.perf_counter()
        run(n)
        best = max(best, n / (time.perf_counter() - t))
    return best


def costscape_steps(seconds):
    trainer = Trainer(CONFIG)
    cold = time.perf_counter()
    trainer.step(2000)  # includes the early, densely recorded history
    cold = 2000 / (time.perf_counter() - cold)
    return cold, rate(trainer.step, seconds)


def torch_steps(seconds):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.manual_seed(0)
    data = Trainer(CONFIG).data
    X = torch.tensor(data.X_train)
    y = torch.tensor(data.y_train)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8),
                                torch.nn.Tanh(), torch.nn.Linear(8, 1), torch.nn.Sigmoid()).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.03)
    loss_fn = torch.nn.BCELoss()
    state = {"order": torch.randperm(len(X)), "pos": 0}

    def run(n):
        for _ in range(n):
            if state["pos"] >= len(X):
                state["order"], state["pos"] = torch.randperm(len(X)), 0
            idx = state["order"][state["pos"]:state["pos"] + 10]
            state["pos"] += 10
            opt.zero_grad()
            loss_fn(model(X[idx]), y[idx]).backward()
            opt.step()

    return rate(run, seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    args = parser.parse_args()
    cold, ours = costscape_steps(args.seconds)
    print(f"costscape: {ours:,.0f} steps/s steady ({cold:,.0f} steps/s over the first 2,000 "
          f"steps, which record the history densely)   goal >= 8,000")
    theirs = torch_steps(args.seconds)
    if theirs is None:
        print("pytorch:   not installed (pip install torch==2.13.0 for the comparison)")
    else:
        print(f"pytorch:   {theirs:,.0f} steps/s (float64, 1 thread)")
        print(f"ratio:     {ours / theirs:.1f}x   goal >= 5x")


if __name__ == "__main__":
    main()
