"""The boundary grid of a snapshot is the network's output, point for point.

The grid is computed with the fast fixed-input pass (core/forward.py) rather than
``Trainer.predict``; these check the two agree on the grid's own points."""
import numpy as np
import pytest

from core.config import Config
from core.trainer import Trainer
from gui.snapshot import GRID_SIZE_1D, GRID_SIZE_2D, BoundaryGrid

CONFIGS = {
    "xor tanh": Config(),
    "spiral3 relu softmax": Config(dataset="spiral3", hidden_layers=(8, 8), activation="relu"),
    "circle features sigmoid": Config(dataset="circle", features=("x1", "x2", "x1^2", "x2^2"),
                                      activation="sigmoid"),
    "sine 1-D tanh": Config(dataset="sine", hidden_layers=(6,)),
    "gauss regression prelu": Config(dataset="gauss_regression", activation="prelu"),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_the_grid_is_the_networks_output_at_every_grid_point(name):
    trainer = Trainer(CONFIGS[name])
    trainer.step(30)
    grid = BoundaryGrid.compute(trainer)
    if grid.ys is None:
        points = grid.xs[:, None]
        assert grid.values.shape[0] == GRID_SIZE_1D
    else:
        gx, gy = np.meshgrid(grid.xs, grid.ys)
        points = np.column_stack([gx.ravel(), gy.ravel()])
        assert grid.values.shape[:2] == (GRID_SIZE_2D, GRID_SIZE_2D)
    expected = trainer.predict(points).reshape(grid.values.shape)
    np.testing.assert_allclose(grid.values, expected, rtol=1e-12, atol=1e-14)
    lo, hi = trainer.data.domain[0]
    assert grid.xs[0] == lo and grid.xs[-1] == hi


def test_the_grid_follows_the_weights_and_a_new_domain():
    trainer = Trainer(Config())
    before = BoundaryGrid.compute(trainer).values.copy()
    trainer.step(200)
    after = BoundaryGrid.compute(trainer)
    assert not np.allclose(before, after.values)
    other = Trainer(Config(dataset="circle"))  # another trainer: its own grid and domain
    grid = BoundaryGrid.compute(other)
    assert grid.xs[0] == other.data.domain[0][0]


@pytest.mark.parametrize("dtype", [float, np.float32])
def test_finite_copies_are_the_values_made_finite(dtype):
    """What the views get: a read-only copy, NaN as 0, ±inf and overflow at ±max/1e8 (the
    usual all-finite array takes a shortcut that must give the very same numbers)."""
    from gui.snapshot import _finite

    big = np.finfo(dtype).max / 1e8
    rng = np.random.default_rng(3)
    usual = rng.standard_normal((40, 3)) * 10.0 ** rng.integers(-30, 30, (40, 3))
    for values, expected in [
            (usual, usual.astype(dtype)),
            (np.array([1.5, np.nan, np.inf, -np.inf, 1e306, -2.0]),
             np.array([1.5, 0.0, big, -big, big, -2.0], dtype=dtype)),
            (np.empty((0, 2)), np.empty((0, 2), dtype=dtype))]:
        out = _finite(values, dtype)
        assert out.dtype == np.dtype(dtype) and not out.flags.writeable
        assert not np.shares_memory(out, values)
        np.testing.assert_array_equal(out, expected)
