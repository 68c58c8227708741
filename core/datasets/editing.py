"""Editing a data set point by point, as a learner drawing on the decision boundary does.

The edits return new :class:`~core.datasets.Dataset` objects (data sets are read-only) named
:data:`CUSTOM`, the data set name of points drawn by hand (``core.config.OWN_DATA``).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from core.datasets.dataset import DataError

#: The name edited data take.
CUSTOM = "custom"


def with_point(data, x, target):
    """``data`` with one more *training* point: raw inputs ``x`` ``(d,)``, target ``target``
    (a class index, or a value for regression). The result is named "custom"."""
    X_train = np.vstack([data.X_train, np.asarray(x, dtype=float).reshape(1, -1)])
    y_train = np.vstack([data.y_train, [[float(target)]]])
    return dataclasses.replace(data, name=CUSTOM, X_train=X_train, y_train=y_train)


def without_point(data, index):
    """``data`` without point ``index`` (counting training points first, then test points, as
    ``data.X`` stacks them), named "custom". Raises ``DataError`` rather than leave the training
    or the test set empty."""
    n_train = len(data.X_train)
    part, i = ("train", index) if index < n_train else ("test", index - n_train)
    X, y = getattr(data, f"X_{part}"), getattr(data, f"y_{part}")
    if len(X) <= 1:
        what = "training" if part == "train" else "test"
        raise DataError(f"that is the last {what} point: the {what} set cannot be empty")
    keep = np.arange(len(X)) != i
    return dataclasses.replace(data, name=CUSTOM, **{f"X_{part}": X[keep], f"y_{part}": y[keep]})


def nearest_point(points, x, y, px_per_x, px_per_y):
    """Index of the row of ``points`` ``(n, 2)`` nearest to ``(x, y)`` on screen, and its
    distance in pixels (``px_per_x``, ``px_per_y``: pixels per data unit along each axis)."""
    d = np.hypot((points[:, 0] - x) * px_per_x, (points[:, 1] - y) * px_per_y)
    k = int(np.argmin(d))
    return k, float(d[k])
