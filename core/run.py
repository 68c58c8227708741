"""The arrays of one run, built once: what the network sees, what it is scored against, by what.

A :class:`~core.trainer.Trainer` builds a :class:`RunArrays` when it builds a run (new data, a
new architecture, a new loss) and keeps it until the next rebuild. Everything else that needs
the training inputs, the targets or the loss (the error surface, the gradient check, the cost
anatomy, the backpropagation view) takes them from here instead of recomputing them::

    arrays = trainer.arrays
    net = arrays.network_with(trainer.network.params)     # a private copy to move around
    net.cost(arrays.inputs_train, arrays.targets_train, arrays.loss, *arrays.penalties(cfg))

The arrays are read-only, so one object can be shared by threads and kept by views.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from core import features, losses
from core.backprop import LossInsteadOfDerivative
from core.network import Network
from core.params import ParamLayout


def _read_only(array) -> np.ndarray:
    array = np.array(array, dtype=float)  # a copy: the caller's array may change later
    array.setflags(write=False)
    return array


def penalties(config) -> tuple:
    """``(l1, l2)``: the regularization rates a config asks for (one of them is 0)."""
    rate = float(config.reg_rate)
    return (rate if config.regularization == "l1" else 0.0,
            rate if config.regularization == "l2" else 0.0)


@dataclasses.dataclass(frozen=True, eq=False)
class RunArrays:
    """Inputs, targets and loss of one run (read-only), and the network's architecture.

    Attributes
    ----------
    inputs_train, inputs_test : (n, d) arrays
        What the network sees: the raw inputs, or the input features computed from them.
    targets_train, targets_test : arrays
        What the loss compares with: ``(n, k)`` (one-hot for the cross-entropies of multi-class
        data, ±1 for the hinge losses), or ``(n, 1)`` class labels for ``sparse_cce``.
    loss : loss object of :mod:`core.losses`
        The config's loss: what the cost is made of (the cost views, the error surface and the
        curvature read it).
    training_loss : loss object
        What training backpropagates: ``loss`` itself, or with ``Config.classic_mistake`` a
        :class:`core.backprop.LossInsteadOfDerivative` of it (the same cost, the loss where
        its derivative belongs). The trainer and the gradient check use it.
    features : tuple of str or None
        ``Config.features``: the inputs the network is fed (None: the raw inputs).
    layer_sizes : tuple of int
        From the network's inputs to its outputs.
    activation, output_activation : str
        Names of the hidden and output activations.
    layout : ParamLayout
        Where each parameter lives in the flat vector.
    threshold : float
        Where a single binary output turns from class 0 to class 1: the loss's (0.5 for
        probabilities, 0 for the hinge losses' scores), or 0 for targets −1/+1.
    """

    inputs_train: np.ndarray
    targets_train: np.ndarray
    inputs_test: np.ndarray
    targets_test: np.ndarray
    loss: object
    features: tuple | None
    layer_sizes: tuple
    activation: str
    output_activation: str
    layout: ParamLayout
    threshold: float = 0.5
    training_loss: object = None

    def __post_init__(self):
        if self.training_loss is None:  # no mistake asked for: training uses the loss itself
            object.__setattr__(self, "training_loss", self.loss)

    @classmethod
    def build(cls, config, data) -> "RunArrays":
        """The arrays a trainer with ``config`` trains on ``data`` with."""
        loss = losses.get(config.loss)
        n_out = data.n_classes if data.task == "multiclass" else 1
        inputs_train = features.transform(data.X_train, config.features)
        layer_sizes = (inputs_train.shape[1], *config.hidden_layers, n_out)
        signed = bool(getattr(config, "signed_targets", False))
        return cls(
            inputs_train=_read_only(inputs_train),
            targets_train=_read_only(losses.targets_for(loss, data.y_train, data.task,
                                                        data.n_classes, signed)),
            inputs_test=_read_only(features.transform(data.X_test, config.features)),
            targets_test=_read_only(losses.targets_for(loss, data.y_test, data.task,
                                                       data.n_classes, signed)),
            loss=loss,
            features=config.features,
            layer_sizes=tuple(int(n) for n in layer_sizes),
            activation=config.activation,
            output_activation=config.output_activation,
            layout=ParamLayout(layer_sizes, config.activation, config.output_activation),
            threshold=0.0 if signed else float(loss.threshold),
            training_loss=LossInsteadOfDerivative(loss) if config.classic_mistake else loss,
        )

    def network_with(self, params, seed=0, init="zeros") -> Network:
        """A new :class:`Network` of this run's architecture holding a copy of ``params``.

        Each caller gets its own network, so moving it around weight space (the error surface,
        a gradient check) never touches the trainer's or another thread's.
        """
        net = Network(self.layer_sizes, self.activation, self.output_activation, seed=seed,
                      init=init)
        params = np.asarray(params, dtype=float)
        if params.shape != net.params.shape:
            raise ValueError(f"{params.size} parameters given; this network has "
                             f"{net.n_params}")
        net.params[:] = params
        return net
