"""Input features computed from the raw inputs, as in the Neural Network Playground.

A network on the 2-D data sets sees the raw coordinates ``x1, x2`` by default. Giving it
``x1², x2², x1·x2, sin x1, sin x2`` as extra inputs lets even a network without hidden layers draw
curved boundaries (a circle is linear in ``x1²`` and ``x2²``), which is the point the
Playground makes with them.

>>> transform(np.array([[1.0, 2.0]]), ("x1", "x1^2", "x1*x2"))   # doctest: +SKIP
array([[1., 1., 2.]])
"""
from __future__ import annotations

import numpy as np

#: name -> (label a learner reads, raw input columns it needs, function of X (n, d) -> (n,))
FEATURES = {
    "x1": ("x₁", 1, lambda X: X[:, 0]),
    "x2": ("x₂", 2, lambda X: X[:, 1]),
    "x1^2": ("x₁²", 1, lambda X: X[:, 0] ** 2),
    "x2^2": ("x₂²", 2, lambda X: X[:, 1] ** 2),
    "x1*x2": ("x₁x₂", 2, lambda X: X[:, 0] * X[:, 1]),
    "sin_x1": ("sin x₁", 1, lambda X: np.sin(X[:, 0])),
    "sin_x2": ("sin x₂", 2, lambda X: np.sin(X[:, 1])),
}


def names(n_inputs=2) -> list:
    """The features that can be computed from ``n_inputs`` raw inputs (1 or 2), in menu order."""
    return [name for name, (_, needs, _) in FEATURES.items() if needs <= n_inputs]


def label(name) -> str:
    return FEATURES[name][0]


def check(features, n_inputs) -> None:
    """Raise ValueError unless ``features`` is None or a valid choice for ``n_inputs`` inputs."""
    if features is None:
        return
    available = names(n_inputs) if n_inputs <= 2 else []
    if n_inputs > 2:
        raise ValueError(f"extra input features need 1 or 2 raw inputs; these data have "
                         f"{n_inputs} (use features=None)")
    if not features:
        raise ValueError("choose at least one input feature")
    for name in features:
        if name not in available:
            raise ValueError(f"unknown input feature {name!r} for {n_inputs}-D data; choose "
                             f"from: {', '.join(available)}")
    if len(set(features)) != len(features):
        raise ValueError(f"input features repeat: {', '.join(features)}")


def transform(X, features) -> np.ndarray:
    """The network's inputs ``(n, len(features))`` from raw inputs ``X`` ``(n, d)``.

    ``features=None`` means the raw inputs themselves (``X`` is returned unchanged).
    """
    if features is None:
        return X
    X = np.asarray(X, dtype=float)
    return np.column_stack([FEATURES[name][2](X) for name in features])
