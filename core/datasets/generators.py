"""The built-in data sets: the Neural Network Playground's problems and a few classics.

Every set comes from ``make(name, n_samples, noise, seed, train_fraction)`` and all its
randomness from one ``np.random.default_rng(seed)``, so the same arguments give the same data.

``noise`` is in [0, 1]; 0.5 is the Playground's maximum ("Noise 50"). As in the Playground, the
binary sets circle and xor and the regression sets plane and gauss_regression jitter the point
used to compute the *label* (so labels near the boundary flip), while gauss, blobs, spiral,
spiral3 and moons jitter the points themselves. Classification labels are class indices
0..k-1 stored as floats in an ``(n, 1)`` column; for the Playground's sets class 1 is its
positive (blue) class.

The generators are plain numpy functions written to be read: :mod:`core.codegen` copies them
(with ``_split`` and ``_add_outliers``) into the scripts it writes, so they use nothing but
numpy, math and this module's own definitions.
"""
from __future__ import annotations

import math

import numpy as np

from core.datasets.dataset import DataError, Dataset, check_number

MIN_SAMPLES, MAX_SAMPLES = 4, 100_000
PLAYGROUND_DOMAIN = ((-6.0, 6.0), (-6.0, 6.0))


# --------------------------------------------------------------------------- generators
# Each takes (rng, n, noise) and returns X (n, d) and y (n,). Formulas follow the Playground's
# dataset.ts; noise there is its slider value / 100, the same scale as ours.

def _halves(n):
    return (n + 1) // 2, n // 2


def _normal_in_box(rng, center, std, n, box=6.0):
    """n points ~ N(center, std²·I) conditioned on lying in [-box, box]² (redraw the others)."""
    points = rng.normal(center, std, (n, 2))
    outside = np.abs(points).max(axis=1) > box
    while outside.any():  # at most a few rounds: centers lie well inside the box
        points[outside] = rng.normal(center, std, (int(outside.sum()), 2))
        outside = np.abs(points).max(axis=1) > box
    return points


def _gauss_std(noise):
    # Playground: variance = linear map of noise [0, 0.5] -> [0.5, 4] (extended to noise 1).
    return math.sqrt(0.5 + 7.0 * noise)


def _circle(rng, n, noise):
    n_in, n_out = _halves(n)
    radius = np.concatenate([rng.uniform(0, 2.5, n_in), rng.uniform(3.5, 5.0, n_out)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    jittered = X + rng.uniform(-5, 5, (n, 2)) * noise
    return X, (np.hypot(*jittered.T) < 2.5).astype(float)


def _xor(rng, n, noise):
    X = rng.uniform(-5, 5, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)  # the Playground's margin: no point within 0.3 of an axis
    jittered = X + rng.uniform(-5, 5, (n, 2)) * noise
    return X, (jittered[:, 0] * jittered[:, 1] >= 0).astype(float)


def _gauss(rng, n, noise):
    """Two Gaussian clusters, class 1 around (2, 2) and class 0 around (−2, −2), each with the
    variance 0.5 + 7·noise per coordinate (the Playground's 0.5 to 4 over its noise 0 to 0.5).

    One difference from the Playground, kept on purpose: a point that falls outside the plotted
    square [−6, 6]² is drawn again (the Playground keeps it, off its picture), so every point
    can be seen and clicked. This trims the tails: at the Playground's noise 0.5 the variance
    of a class per coordinate is about 3.5 instead of 4 (noise 0.25: about 2.17 instead of
    2.25). core.playground says so when a link opens.
    """
    n1, n0 = _halves(n)
    std = _gauss_std(noise)
    X = np.vstack([_normal_in_box(rng, 2.0, std, n1), _normal_in_box(rng, -2.0, std, n0)])
    return X, np.repeat([1.0, 0.0], [n1, n0])


def _spirals(rng, n, noise, arms):
    """``arms`` interleaved spirals (radius 0..5, 1.75 turns); arm j is rotated by 2πj/arms."""
    X, y = [], []
    for arm in range(arms):
        m = n // arms + (arm < n % arms)
        s = np.arange(m) / m
        t = 1.75 * 2 * np.pi * s + 2 * np.pi * arm / arms
        X.append(np.column_stack([5 * s * np.sin(t), 5 * s * np.cos(t)])
                 + rng.uniform(-1, 1, (m, 2)) * noise)
        y.append(np.full(m, float(arm)))
    return np.vstack(X), np.concatenate(y)


def _spiral(rng, n, noise):
    X, arm = _spirals(rng, n, noise, 2)
    return X, 1.0 - arm  # the Playground's first arm is its positive class


def _spiral3(rng, n, noise):
    return _spirals(rng, n, noise, 3)


def _moons(rng, n, noise):
    # scikit-learn's make_moons (outer moon class 0, inner class 1), centred and scaled by 3.5
    # so that it spans about [-5.3, 5.3] x [-2.6, 2.6]; noise 1 is a standard deviation of 1.2.
    n0, n1 = _halves(n)
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    X = np.vstack([np.column_stack([np.cos(t0), np.sin(t0)]),
                   np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])])
    X = (X - [0.5, 0.25]) * 3.5 + rng.normal(0, 1.2 * noise, (n, 2))
    return np.clip(X, -6, 6), np.repeat([0.0, 1.0], [n0, n1])


def _blobs(rng, n, noise):
    angles = np.deg2rad([90, 210, 330])
    centers = 3.5 * np.column_stack([np.cos(angles), np.sin(angles)])
    counts = [n // 3 + (k < n % 3) for k in range(3)]
    std = _gauss_std(noise)
    X = np.vstack([_normal_in_box(rng, c, std, m) for c, m in zip(centers, counts)])
    return X, np.repeat([0.0, 1.0, 2.0], counts)


def _plane(rng, n, noise):
    X = rng.uniform(-6, 6, (n, 2))
    jittered = X + rng.uniform(-6, 6, (n, 2)) * noise
    return X, jittered.sum(axis=1) / 10  # Playground: x1 + x2 mapped [-10, 10] -> [-1, 1]


_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                   [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=float)


def _gauss_regression(rng, n, noise):
    X = rng.uniform(-6, 6, (n, 2))
    jittered = X + rng.uniform(-6, 6, (n, 2)) * noise
    dist = np.hypot(jittered[:, :1] - _BUMPS[:, 0], jittered[:, 1:] - _BUMPS[:, 1])
    # Cone-shaped bumps of radius 2 (the Playground's "Gaussian"): they do not overlap, so the
    # sum equals the Playground's "largest in absolute value".
    return X, (np.clip(1 - dist / 2, 0, 1) * _BUMPS[:, 2]).sum(axis=1)


def _sine(rng, n, noise):
    x = rng.uniform(-3, 3, n)
    return x[:, None], np.sin(x) + rng.normal(0, 0.5 * noise, n)


def _add_outliers(rng, y):
    """Lift ~4% of the points (at least one) 2 to 3.5 above the curve: gross outliers.

    MSE bends towards them, MAE ignores them and Huber sits in between, which is the point of
    the sine set. Only training points get them: the test points stay clean, so the test cost
    measures how well each loss recovers sin(x) despite the outliers.
    """
    y = y.copy()
    rows = rng.choice(len(y), max(1, round(0.04 * len(y))), replace=False)
    y[rows, 0] += rng.uniform(2.0, 3.5, len(rows))
    return y


_SETS = {
    # name: (task, n_classes, generator, domain, description, display name)
    "circle": ("binary", 2, _circle, PLAYGROUND_DOMAIN,
               "A disc of class 1 (radius 2.5) inside a ring of class 0 (radius 3.5 to 5).",
               "Circle"),
    "xor": ("binary", 2, _xor, PLAYGROUND_DOMAIN,
            "Class 1 where x1 and x2 have the same sign, class 0 where they differ (XOR).",
            "XOR quadrants"),
    "gauss": ("binary", 2, _gauss, PLAYGROUND_DOMAIN,
              "Two Gaussian clusters, class 1 around (2, 2) and class 0 around (-2, -2).",
              "Two Gaussians"),
    "spiral": ("binary", 2, _spiral, PLAYGROUND_DOMAIN,
               "Two interleaved spirals, one per class: hard for a straight boundary.",
               "Two spirals"),
    "moons": ("binary", 2, _moons, PLAYGROUND_DOMAIN,
              "Two interleaving half-moons (scikit-learn's make_moons, scaled up).",
              "Two moons"),
    "spiral3": ("multiclass", 3, _spiral3, PLAYGROUND_DOMAIN,
                "Three interleaved spiral arms, one per class.",
                "Three-arm spiral"),
    "blobs": ("multiclass", 3, _blobs, PLAYGROUND_DOMAIN,
              "Three Gaussian blobs, one per class, around a circle of radius 3.5.",
              "Three blobs"),
    "plane": ("regression", 1, _plane, PLAYGROUND_DOMAIN,
              "A tilted plane: y = (x1 + x2) / 10, between -1.2 and 1.2.",
              "Tilted plane"),
    "gauss_regression": ("regression", 1, _gauss_regression, PLAYGROUND_DOMAIN,
                         "Six bumps of height +1 or -1 on a flat floor of 0.",
                         "Gaussian regression"),
    "sine": ("regression", 1, _sine, ((-3.0, 3.0),),
             "One input: y = sin(x) for x in [-3, 3]; a few training points are gross outliers.",
             "Sine with outliers"),
    "xor_table": ("binary", 2, None, ((-0.5, 1.5), (-0.5, 1.5)),
                  "The four rows of the XOR truth table; train and test are the same 4 points.",
                  "XOR truth table"),
}


def names() -> list:
    """Names of the built-in data sets, in menu order."""
    return list(_SETS)


def _entry(name):
    if not isinstance(name, str) or name not in _SETS:
        raise DataError(f"unknown data set {name!r}; choose one of: {', '.join(_SETS)}")
    return _SETS[name]


def task_of(name) -> str:
    """The task ("regression", "binary" or "multiclass") of built-in data set ``name``."""
    return _entry(name)[0]


def input_count(name) -> int:
    """How many input features built-in data set ``name`` has (1 for sine, else 2)."""
    return len(_entry(name)[3])


def display_name(name) -> str:
    """What a person reads for built-in data set ``name`` ("XOR truth table" for
    ``xor_table``); experiment files and :class:`~core.config.Config` keep the name."""
    return _entry(name)[5]


def describe(name) -> str:
    """One sentence describing built-in data set ``name``."""
    return _entry(name)[4]


def generator(name):
    """The function drawing built-in data set ``name``'s points, ``(rng, n, noise) -> (X (n, d),
    y (n,))``, before ``make`` splits them; None for ``xor_table``, which is not drawn."""
    return _entry(name)[2]


def _split(rng, X, y, fraction):
    """Shuffle and cut: round(n·fraction) training rows, at least one row on each side; a
    fraction of 1 trains on every row and tests on the same rows (train = test)."""
    n = len(X)
    order = rng.permutation(n)
    if fraction >= 1:
        return X[order], y[order, None], X[order], y[order, None]
    n_train = min(max(round(n * fraction), 1), n - 1)
    train, test = order[:n_train], order[n_train:]
    return X[train], y[train, None], X[test], y[test, None]


def _check_fraction(train_fraction):
    """The training share must be in (0, 1]: 1 trains and tests on every point."""
    check_number("train_fraction", train_fraction, 0.0, 1.0, low_open=True)


def make(name, n_samples=500, noise=0.0, seed=0, train_fraction=0.5) -> Dataset:
    """Generate built-in data set ``name``.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    n_samples : int
        Total points, train plus test, in [4, 100000]; classes get equal shares (±1).
        Ignored by ``xor_table``, which always has its 4 rows.
    noise : float
        In [0, 1]; 0.5 is the Playground's maximum. Ignored by ``xor_table``.
    seed : int
        Seeds ``np.random.default_rng``: the same arguments give identical data.
    train_fraction : float
        In (0, 1]: share of the shuffled points used for training (at least one point in each
        part below 1). At 1 the test points are the training points (``Dataset.test_is_train``;
        for ``sine`` the test targets stay free of the training outliers). ``xor_table``
        ignores it: train and test are both the 4 rows.
    """
    task, n_classes, generate, domain, *_ = _entry(name)
    check_number("n_samples", n_samples, MIN_SAMPLES, MAX_SAMPLES, integer=True)
    check_number("noise", noise, 0.0, 1.0)
    check_number("seed", seed, 0, math.inf, integer=True)
    _check_fraction(train_fraction)
    if generate is None:  # xor_table
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
        y = np.array([[0], [1], [1], [0]], dtype=float)
        return Dataset(name, task, X, y, X, y, n_classes, domain)
    rng = np.random.default_rng(int(seed))
    X, y = generate(rng, int(n_samples), float(noise))
    X_train, y_train, X_test, y_test = _split(rng, X, y, train_fraction)
    if name == "sine":
        y_train = _add_outliers(rng, y_train)
    return Dataset(name, task, X_train, y_train, X_test, y_test, n_classes, domain)
