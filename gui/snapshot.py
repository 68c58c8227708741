"""What the training worker hands to the views: one frozen picture of the run.

A :class:`Snapshot` is made in the worker thread and read in the UI thread, so it holds only
copies (or read-only arrays) and immutable values: a view can keep it as long as it likes, and
the trainer can go on changing its own arrays meanwhile. Views subscribe to snapshots and read
what they need; none of them calls the trainer.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import time
import weakref

import numpy as np

from core import diagnostics, features, stability
from core.forward import FixedInputForward

#: Points per axis of the decision-boundary grid (2-D inputs) and of the fitted curve (1-D).
GRID_SIZE_2D = 100
GRID_SIZE_1D = 300
#: Points per axis of the per-neuron pictures (2-D inputs: a 32 × 32 thumbnail per neuron) and
#: along the curve of a 1-D input.
NEURON_GRID_2D = 32
NEURON_GRID_1D = 64
#: Most values (grid points × neurons) in a per-neuron grid: a big network gets coarser
#: pictures (they are drawn small then anyway), so a snapshot stays cheap to make and to copy.
NEURON_GRID_BUDGET = 2 ** 18


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
    def compute(cls, trainer) -> "BoundaryGrid | None":
        """The outputs of ``trainer``'s network on a grid over its data's domain (call it in
        the trainer's thread); None for more than 2 input features."""
        domain = tuple(map(tuple, trainer.data.domain))
        if len(domain) > 2:
            return None
        xs, ys, forward = _grid_pass(trainer, domain, trainer.config.features)
        with np.errstate(all="ignore"):
            values = forward.outputs(trainer.network)
        if ys is None:
            return cls(xs, None, _finite(values))
        return cls(xs, ys, _finite(values.reshape(len(ys), len(xs), values.shape[1])))


#: The grid's fast forward pass of each trainer (each runs in one thread: the pass's buffers
#: are not shared between threads). The grid is the same for a whole run, and
#: :class:`~core.forward.FixedInputForward` runs the 10,000 points in about a third of the time
#: ``Network.predict`` takes (most of it was float64 tanh), which the worker spends at every
#: frame.
_GRID_PASSES = weakref.WeakKeyDictionary()


def _grid_pass(trainer, domain, feature_names):
    """``(xs, ys, FixedInputForward over the grid's network inputs)`` for ``trainer``."""
    key = (domain, feature_names)
    cached = _GRID_PASSES.get(trainer)
    if cached is None or cached[0] != key:
        g = GRID_SIZE_1D if len(domain) == 1 else GRID_SIZE_2D
        xs, ys, inputs = _grid_inputs(domain, g, feature_names)
        cached = _GRID_PASSES[trainer] = (key, xs, ys, FixedInputForward(inputs))
    return cached[1:]


@dataclasses.dataclass(frozen=True, eq=False)
class NeuronGrid:
    """The output of every hidden and output neuron over a coarse grid of the data domain.

    Attributes
    ----------
    xs : (g,) array
        Grid coordinates along the first raw input.
    ys : (g,) array or None
        Along the second raw input; None for one input (then each neuron is a curve).
    layers : tuple of arrays, one per layer of weights (hidden layers, then the output layer)
        ``(g, g, units)`` for two inputs (``layers[l][j, i, u]`` is neuron ``u`` at
        ``(xs[i], ys[j])``, row-major like :class:`BoundaryGrid`), ``(g, units)`` for one.
        float32, finite, read-only.
    """

    xs: np.ndarray
    ys: np.ndarray | None
    layers: tuple

    @classmethod
    def compute(cls, network, feature_names, domain) -> "NeuronGrid | None":
        """Run ``network`` (on the features ``feature_names`` of the raw grid points; None
        feeds them raw) over ``domain`` and keep every layer's activations. None for data with
        more than two raw inputs."""
        if len(domain) > 2:
            return None
        units = sum(network.layer_sizes[1:])
        if len(domain) == 1:
            g = int(np.clip(NEURON_GRID_BUDGET // units, 8, NEURON_GRID_1D))
        else:
            g = int(np.clip(math.isqrt(NEURON_GRID_BUDGET // units), 6, NEURON_GRID_2D))
        xs, ys, inputs = _grid_inputs(tuple(map(tuple, domain)), g, feature_names)
        shape = (g,) if ys is None else (g, g)
        with np.errstate(all="ignore"):
            outputs = network.hidden_outputs(inputs)
        layers = tuple(_finite(a, np.float32).reshape(*shape, a.shape[1]) for a in outputs)
        return cls(xs, ys, layers)


@functools.lru_cache(maxsize=8)
def _grid_inputs(domain, g, feature_names):
    """Coordinates of a ``g``-point grid over ``domain`` (``g × g`` for two inputs) and the
    network's inputs there (read-only): the same for every snapshot of a run, so made once."""
    xs = _frozen(np.linspace(*domain[0], g))
    if len(domain) == 1:
        ys, points = None, xs[:, None]
    else:
        ys = _frozen(np.linspace(*domain[1], g))
        gx, gy = np.meshgrid(xs, ys)
        points = np.column_stack([gx.ravel(), gy.ravel()])
    inputs = _frozen(features.transform(points, feature_names))
    return xs, ys, inputs


def _finite(values, dtype=float) -> np.ndarray:
    """A read-only copy of ``values`` as ``dtype``, NaN made 0 and everything within ±``big``."""
    # After a divergence the restored weights can still overflow on the far side of the grid.
    big = _BIG[np.dtype(dtype)]
    values = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        if np.abs(values).max(initial=0.0) <= big:  # the usual case (False for a NaN): as is
            values = np.array(values, dtype=dtype)
        else:
            values = np.nan_to_num(values, nan=0.0, posinf=big, neginf=-big)
            values = np.clip(values, -big, big, out=values).astype(dtype, copy=False)
    values.setflags(write=False)
    return values


_BIG = {np.dtype(t): np.finfo(t).max / 1e8 for t in (np.float64, np.float32)}


@dataclasses.dataclass(frozen=True)
class Sharpness:
    """The largest eigenvalues of the Hessian of the training cost at a snapshot's weights
    (:func:`core.stability.sharpness`): ``values`` largest first (NaN where they could not be
    found), the Hessian-vector ``products`` used and the ``seconds`` it took.

    Measured by the training worker when the sharpness view asks, between two chunks of
    training: it takes turns with drawing as training does (a thread of its own running Python
    beside the interface slowed every redraw, waiting for the interpreter lock).
    """

    values: tuple
    products: int
    seconds: float

    #: Eigenvalues, relative residual, most Hessian-vector products (each about a gradient).
    K, TOLERANCE, MAX_PRODUCTS = 2, 1e-3, 300

    @classmethod
    def measure(cls, trainer) -> "Sharpness":
        """The sharpness at the trainer's weights (call it in the trainer's thread)."""
        started = time.perf_counter()
        k = min(cls.K, trainer.network.n_params)
        with np.errstate(all="ignore"):
            try:
                pairs = stability.sharpness(trainer.network, trainer.inputs_train,
                                            trainer.targets_train, trainer.loss, k=k,
                                            l1=trainer.l1, l2=trainer.l2, tol=cls.TOLERANCE,
                                            max_products=cls.MAX_PRODUCTS)
            except np.linalg.LinAlgError:  # not finite (weights restored after a divergence)
                return cls((math.nan,) * k, 0, time.perf_counter() - started)
        return cls(tuple(float(v) for v in pairs.values), pairs.n_products,
                   time.perf_counter() - started)


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
    path_rows : (p, n_params) array
        The parameter vectors the trainer recorded along the way, oldest first (shared,
        read-only: snapshots share one copy for as long as the trainer records no new row).
        :attr:`path` is what views draw.
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
    gradient : (n_params,) array
        Full-batch gradient of the training cost (mean loss + regularization) at ``params``,
        laid out like ``params`` (what one plain gradient-descent step on all the training
        data would follow, scaled by −η).
    train_losses : (n_train,) array
        Each training example's loss at ``params`` (the cost's terms before averaging).
    arrays : core.run.RunArrays
        The run's inputs, targets, loss and parameter layout, as the trainer built them (shared,
        read-only): a view that needs them takes them from here and never rebuilds them.
    l1, l2 : float
        The regularization rates in force (one of them is 0).
    path_version : int
        The trainer's ``path.version`` when ``path_rows`` was copied.
    path_stride : int
        Steps between two recorded rows of the path: row ``k`` of ``path_rows`` holds the
        weights of step ``k · path_stride`` (the log keeps evenly spaced steps from 0).
    path_tail : bool
        Whether ``params`` follows the recorded rows in :attr:`path` (the weights move on
        between two recorded rows).
    gradient_norms : (steps, norms)
        ``Trainer.gradient_norm_arrays()``: the recorded steps ``(m,)`` and the norm of each
        layer's mini-batch gradient there ``(m, n_layers)`` (NaN where unknown).
    findings : tuple of core.diagnostics.Finding
        Why the run is not learning, root causes first (empty when nothing is wrong). While
        training runs they may be a little older than the snapshot: the worker diagnoses at a
        modest rate (gui/threads/diagnosis.py).
    sharpness : Sharpness or None
        Measured at these weights when a view asked for it (see :class:`Sharpness`).
    """

    run: int
    step: int
    epoch: int
    metrics: dict
    history: dict
    params: np.ndarray
    path_rows: np.ndarray
    grid: BoundaryGrid | None
    steps_per_second: float
    running: bool
    config: object
    data: object
    layer_sizes: tuple
    threshold: float
    output_range: tuple
    gradient: np.ndarray | None = None
    train_losses: np.ndarray | None = None
    arrays: object = None
    l1: float = 0.0
    l2: float = 0.0
    path_version: int = 0
    path_stride: int = 0
    path_tail: bool = False
    gradient_norms: tuple = ()
    findings: tuple = ()
    sharpness: Sharpness | None = None

    @functools.cached_property
    def path(self) -> np.ndarray:
        """Parameter vectors along the way ``(p, n_params)``, oldest first, ending at
        ``params`` (read-only), as ``Trainer.path_points()`` gives them.

        Made when a view first asks (in its thread, and only if one asks): the recorded rows
        are shared between snapshots, so a frame costs no copy of the whole path unless it is
        drawn (it is at most ``core.history.PATH_BUDGET`` values).
        """
        if not self.path_tail:
            return self.path_rows
        path = np.vstack([self.path_rows, self.params[None, :]])
        path.setflags(write=False)
        return path

    @functools.cached_property
    def neuron_grid(self) -> "NeuronGrid | None":
        """Every neuron's output over a coarse grid of the domain (:class:`NeuronGrid`, for
        the network diagram); None for data with more than two inputs.

        Made when a view first asks (in its thread, and only if one asks), from a private
        network holding ``params``: the very floats the trainer's network gives there. Only
        the diagram reads it, at most 15 times a second, while every capture made it in the
        worker (0.8 ms of spiral3's 5), and a capture's time spaces the frames out.
        """
        return NeuronGrid.compute(self.network(), self.config.features, self.data.domain) \
            if len(self.data.domain) <= 2 else None

    @property
    def task(self) -> str:
        return self.data.task

    @property
    def layout(self):
        """Where each parameter lives in ``params`` (:class:`core.params.ParamLayout`)."""
        return self.arrays.layout

    def network(self, params=None):
        """A private :class:`~core.network.Network` of this run holding ``params`` (default:
        the snapshot's): free to move around weight space in any thread."""
        return self.arrays.network_with(self.params if params is None else params)

    @classmethod
    def capture(cls, trainer, run, steps_per_second, running, previous=None,
                diagnosis=None, sharpness=None) -> "Snapshot":
        """Copy everything a view needs out of ``trainer`` (call it in the trainer's thread).

        ``previous``, the snapshot captured before from the same worker, lends its copy of
        the recorded path when the trainer has recorded no row since. ``diagnosis``
        (``findings(trainer, gradient, run, running) -> tuple``, e.g. a
        :class:`gui.threads.diagnosis.Diagnosis`) decides when to diagnose; without one every
        capture runs :func:`core.diagnostics.find`. ``sharpness`` (a :class:`Sharpness`
        measured at its weights) goes with it.
        """
        net, log = trainer.network, trainer.path
        if previous is not None and previous.path_version == log.version:
            path_rows = previous.path_rows
        else:
            path_rows = log.rows()  # a copy
            path_rows.setflags(write=False)
        metrics = trainer.metrics()
        raw_history = trainer.history_arrays()
        history = {key: _frozen(value) for key, value in raw_history.items()}
        inputs, targets = trainer.inputs_train, trainer.targets_train
        # Weights restored after a divergence can still overflow here: the views get finite
        # numbers (clipped) and no warnings.
        # The cost's own gradient and losses (arrays.loss): with the classic mistake switched
        # on, training follows something else, and the backpropagation view shows what.
        loss = trainer.arrays.loss
        with np.errstate(all="ignore"):
            gradient = net.gradient(inputs, targets, loss, trainer.l1, trainer.l2)
            train_losses = loss.per_example(targets, net.predict(inputs))
        if diagnosis is not None:
            findings = diagnosis.findings(trainer, gradient, run, running)
        else:
            findings = diagnose(trainer, gradient, raw_history)
        steps, norms = trainer.gradient_norm_arrays()
        return cls(
            run=run,
            step=trainer.step_count,
            epoch=trainer.epochs_completed,
            metrics=metrics,
            history=history,
            params=_frozen(net.params),
            path_rows=path_rows,
            grid=BoundaryGrid.compute(trainer),
            steps_per_second=float(steps_per_second),
            running=bool(running),
            config=trainer.config,
            data=trainer.data,
            layer_sizes=net.layer_sizes,
            threshold=float(trainer.arrays.threshold),
            output_range=tuple(float(v) for v in net.output_activation.output_range),
            gradient=_finite(gradient),
            train_losses=_finite(train_losses),
            arrays=trainer.arrays,
            l1=float(trainer.l1),
            l2=float(trainer.l2),
            path_version=log.version,
            path_stride=int(log.stride),
            path_tail=bool(trainer.step_count % log.stride),
            gradient_norms=(_frozen(steps), _frozen(norms)),
            findings=findings,
            sharpness=sharpness,
        )


def diagnose(trainer, gradient, history=None) -> tuple:
    """:func:`core.diagnostics.find` for ``trainer`` with its full-batch ``gradient`` (already
    computed for the snapshot), as a tuple; ``history`` is ``trainer.history_arrays()`` if
    already copied."""
    if history is None:
        history = trainer.history_arrays()
    with np.errstate(all="ignore"):
        return tuple(diagnostics.find(trainer.network, trainer.arrays, history, trainer.config,
                                      trainer.data, gradient))
