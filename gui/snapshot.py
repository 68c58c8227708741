"""What the training worker hands to the views: one frozen picture of the run.

A :class:`Snapshot` is made in the worker thread and read in the UI thread, so it holds only
copies (or read-only arrays) and immutable values: a view can keep it as long as it likes, and
the trainer can go on changing its own arrays meanwhile. Views subscribe to snapshots and read
what they need; none of them calls the trainer.
"""
from __future__ import annotations

import dataclasses

import numpy as np

#: Points per axis of the decision-boundary grid (2-D inputs) and of the fitted curve (1-D).
GRID_SIZE_2D = 100
GRID_SIZE_1D = 300


def _frozen(array) -> np.ndarray:
    array = np.array(array, dtype=float)  # a copy, always
    array.setflags(write=False)
    return array


@dataclasses.dataclass(frozen=True, eq=False)
class BoundaryGrid:
    """The network's output over the data domain.

    Attributes
    ----------
    xs : (nx,) array
        Grid coordinates along the first input feature.
    ys : (ny,) array or None
        Along the second feature; None when the data have one input feature.
    values : (ny, nx, k) or (nx, k) array
        Network outputs at every grid point (row-major: ``values[j, i]`` is at ``(xs[i], ys[j])``),
        finite (non-finite outputs are clipped so no view ever draws a NaN).
    """

    xs: np.ndarray
    ys: np.ndarray | None
    values: np.ndarray

    @classmethod
    def compute(cls, predict, domain) -> "BoundaryGrid | None":
        """Evaluate ``predict`` (raw inputs ``(n, d)`` -> outputs ``(n, k)``, e.g.
        ``Trainer.predict``) on a grid over ``domain``; None for more than 2 input features."""
        if len(domain) == 1:
            xs = np.linspace(*domain[0], GRID_SIZE_1D)
            values = predict(xs[:, None])
            return cls(_frozen(xs), None, _finite(values))
        if len(domain) == 2:
            xs = np.linspace(*domain[0], GRID_SIZE_2D)
            ys = np.linspace(*domain[1], GRID_SIZE_2D)
            gx, gy = np.meshgrid(xs, ys)
            values = predict(np.column_stack([gx.ravel(), gy.ravel()]))
            return cls(_frozen(xs), _frozen(ys),
                       _finite(values.reshape(len(ys), len(xs), values.shape[1])))
        return None


def _finite(values) -> np.ndarray:
    # After a divergence the restored weights can still overflow on the far side of the grid.
    with np.errstate(all="ignore"):
        values = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0, posinf=1e300,
                               neginf=-1e300)
    return _frozen(values)


@dataclasses.dataclass(frozen=True, eq=False)
class Snapshot:
    """One frame of a training run, safe to read from any thread.

    Attributes
    ----------
    run : int
        Increases whenever the weights are (re)initialized: a view that accumulates anything
        starts afresh when it changes.
    step, epoch : int
        Mini-batch updates and completed passes over the training data.
    metrics : dict
        ``Trainer.metrics()``: train/test cost, loss and regularization term, accuracies (None
        for regression).
    history : dict of str -> (m,) array
        ``Trainer.history_arrays()`` (fractional ``epoch``; NaN accuracies for regression).
    params : (n_params,) array
        The flat parameter vector.
    path : (p, n_params) array
        Parameter vectors along the way, oldest first, ending at ``params``.
    grid : BoundaryGrid or None
    steps_per_second : float
        Measured over the last second or so of running; 0 when paused.
    running : bool
    config : core.config.Config
    data : core.datasets.Dataset
        Immutable (its arrays are read-only), shared rather than copied.
    layer_sizes : tuple of int
        The network's, from its inputs (the input features, when the config adds any).
    threshold : float
        Decision threshold of a single binary output (0.5, or 0 for the hinge losses).
    output_range : (low, high)
        Range of the output activation (may be infinite).
    """

    run: int
    step: int
    epoch: int
    metrics: dict
    history: dict
    params: np.ndarray
    path: np.ndarray
    grid: BoundaryGrid | None
    steps_per_second: float
    running: bool
    config: object
    data: object
    layer_sizes: tuple
    threshold: float
    output_range: tuple

    @property
    def task(self) -> str:
        return self.data.task

    @classmethod
    def capture(cls, trainer, run, steps_per_second, running) -> "Snapshot":
        """Copy everything a view needs out of ``trainer`` (call it in the trainer's thread)."""
        net = trainer.network
        metrics = trainer.metrics()
        history = {key: _frozen(value) for key, value in trainer.history_arrays().items()}
        return cls(
            run=run,
            step=trainer.step_count,
            epoch=trainer.epoch,
            metrics=metrics,
            history=history,
            params=_frozen(net.params),
            path=_frozen(trainer.path_points()),
            grid=BoundaryGrid.compute(trainer.predict, trainer.data.domain),
            steps_per_second=float(steps_per_second),
            running=bool(running),
            config=trainer.config,
            data=trainer.data,
            layer_sizes=net.layer_sizes,
            threshold=float(trainer.loss.threshold),
            output_range=tuple(float(v) for v in net.output_activation.output_range),
        )
