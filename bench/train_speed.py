"""Training steps per second on the Playground-sized problem, and the ratio to PyTorch.

Problem: ``xor``, 500 samples (250 for training), network 2 → 8 → 8 → 1, tanh hidden, sigmoid
output, binary cross-entropy, plain SGD, batch 10, float64. The PyTorch loop (run when torch is
importable; ``pip install torch==2.13.0`` gives the CPU build here) does the same work in float64
on one thread: shuffle each epoch, forward, loss, backward, optimizer step. It records nothing.

Two phases of Costscape's trainer are timed:

- early: the first 2,000 steps of a new run, where the history records every step (costs,
  accuracies, F1 or R²/RMSE/MAE, the learning rate and the gradient norms, on the whole
  training and test sets);
- steady: 2,000 steps later in the run, once the history has thinned out (a row every 16 steps
  or more).

The three loops take turns, round after round, and each keeps its best round; each is timed in
CPU time of this process (``time.process_time``), so the load of other programs on a shared
machine does not count (on an idle machine it is the wall-clock time).

Usage: python bench/train_speed.py [--rounds 5]
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
STEPS = 2000
#: Where the steady phase is timed: by then the history records one step in 16.
STEADY_FROM = 20_000


def timed(run, n=STEPS) -> float:
    """Steps per CPU second of ``run(n)``."""
    start = time.process_time()
    run(n)
    return n / (time.process_time() - start)


def early_round() -> float:
    trainer = Trainer(CONFIG)  # building the run is not timed, only its first steps
    return timed(trainer.step)


def steady_loop():
    trainer = Trainer(CONFIG)
    trainer.step(STEADY_FROM)
    return trainer.step


def torch_loop():
    """``run(n)``: n steps of the PyTorch equivalent, or None when torch is not installed."""
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

    run(200)  # warm up
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="turns each loop takes")
    args = parser.parse_args()
    steady, theirs = steady_loop(), torch_loop()
    early_rate = steady_rate = torch_rate = 0.0
    for _ in range(args.rounds):
        early_rate = max(early_rate, early_round())
        steady_rate = max(steady_rate, timed(steady))
        if theirs is not None:
            torch_rate = max(torch_rate, timed(theirs))
    print(f"costscape early:  {early_rate:8,.0f} steps/s (first {STEPS:,} steps, every one "
          f"recorded)")
    print(f"costscape steady: {steady_rate:8,.0f} steps/s (after {STEADY_FROM:,} steps)   "
          f"goal >= 8,000")
    if theirs is None:
        print("pytorch:          not installed (pip install torch==2.13.0 for the ratios)")
        return
    print(f"pytorch:          {torch_rate:8,.0f} steps/s (float64, 1 thread, records nothing)")
    print(f"ratio early:      {early_rate / torch_rate:8.1f}x   goal >= 3x")
    print(f"ratio steady:     {steady_rate / torch_rate:8.1f}x   goal >= 5x")


if __name__ == "__main__":
    main()
