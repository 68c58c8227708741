"""One step of backpropagation with every intermediate number kept, and the classic mistake.

:meth:`Network.cost_and_gradient` computes the gradient and throws the intermediate arrays
away. :func:`trace` does the same computation, in the same order with the same numpy calls, and
keeps every stage, so a learner (or the backpropagation view) can look at them::

    t = trace(net, X, y, "mse")
    t.layers[0].z            # (n, hidden): z¹ = X·W¹ + b¹ of the first layer
    t.output_grad            # (n, k): ∂C/∂ŷ, the place where the cost enters
    t.layers[-1].delta       # (n, k): δᴸ = ∂C/∂ŷ ⊙ f′(zᴸ), or the fused (ŷ − y)/n
    t.gradient               # (n_params,): equal, bit for bit, to cost_and_gradient's

Notation (one convention everywhere): ℓᵢ is the loss of example i (a mean or a sum over output
columns, as the loss defines), C = (1/n)·Σᵢ ℓᵢ + penalty is the cost, and for layer l (counting
from 1 at the first layer of weights, as the app's labels W1, b1 do; the code's index of layer l
is l − 1: ``t.layers[l - 1]``, ``net.weights[l - 1]``)

    zˡ = aˡ⁻¹·Wˡ + bˡ,   aˡ = f(zˡ),   a⁰ = X
    δᴸ = ∂C/∂ŷ ⊙ f′(zᴸ)                   (the output layer L; or the fused (ŷ − y)/n)
    δˡ = (δˡ⁺¹·Wˡ⁺¹ᵀ) ⊙ f′(zˡ)             (the layers below)
    ∂C/∂Wˡ = aˡ⁻¹ᵀ·δˡ + l1·sign(Wˡ) + l2·Wˡ,   ∂C/∂bˡ = Σᵢ δˡᵢ

:func:`next_step` traces the mini-batch a :class:`~core.trainer.Trainer` will take next and
previews its optimizer's update; :func:`apply_step` then takes that step through the trainer
itself, so the weights are those ``Trainer.step(1)`` gives, bit for bit.

:class:`LossInsteadOfDerivative` is the mistake in the classic numpy XOR code: backpropagation
started from the loss ℓ itself instead of its derivative ∂ℓ/∂ŷ.
"""
from __future__ import annotations

import copy
import dataclasses

import numpy as np

from core import losses


@dataclasses.dataclass(frozen=True, eq=False)
class LayerTrace:
    """Every number of one layer of weights in one step (shapes for n examples).

    Attributes
    ----------
    layer : int
        0 for the weights from the inputs to the first hidden layer.
    activation : str
        Registry name of the layer's activation.
    inputs : (n, inputs) array
        aˡ⁻¹, what the layer reads (the network's inputs X for the first layer, ``layers[0]``).
    z : (n, outputs) array, or (n, outputs, 2) for maxout
        Pre-activations zˡ = aˡ⁻¹·Wˡ + bˡ (maxout: the two pieces along the last axis).
    a : (n, outputs) array
        Outputs aˡ = f(zˡ); the last layer's are the predictions ŷ.
    grad_a : (n, outputs) array or None
        ∂C/∂aˡ: δˡ⁺¹·Wˡ⁺¹ᵀ below the output, ∂C/∂ŷ at the output; None at an output whose
        fused delta skips it.
    f_prime : array shaped like z, or None
        f′(zˡ) elementwise (maxout: the one-hot mask of the winning piece; PReLU: with its
        slopes); None for softmax, whose derivative is a Jacobian, not elementwise.
    delta : array shaped like z
        δˡ = ∂C/∂zˡ.
    grad_W : (inputs, outputs) array
        ∂C/∂Wˡ, the penalty's gradient included.
    grad_b : (outputs,) array
        ∂C/∂bˡ = Σᵢ δˡᵢ.
    extra_grads : dict
        Gradients of the activation's own blocks, keyed like :class:`core.params.ParamLayout`:
        ``"slope"`` (outputs,) for PReLU; ``"W'"`` (inputs, outputs) and ``"b'"`` (outputs,)
        for maxout's second piece (``"W'"`` with its penalty).
    penalty_grads : dict
        The penalty's part of each weight block's gradient, l1·sign(W) + l2·W, keyed ``"W"``
        (and ``"W'"``); empty without regularization.
    """

    layer: int
    activation: str
    inputs: np.ndarray
    z: np.ndarray
    a: np.ndarray
    grad_a: np.ndarray | None
    f_prime: np.ndarray | None
    delta: np.ndarray
    grad_W: np.ndarray
    grad_b: np.ndarray
    extra_grads: dict
    penalty_grads: dict


@dataclasses.dataclass(frozen=True, eq=False)
class Trace:
    """One forward and backward pass, stage by stage.

    Attributes
    ----------
    inputs : (n, d) array
    targets : array
        As the loss reads them: (n, k), or (n,)/(n, 1) class labels for ``sparse_cce``.
    layers : list of LayerTrace
        One per layer of weights, ``layers[0]`` the first.
    predictions : (n, k) array
        ŷ, the output layer's ``a``.
    per_example_loss : (n,) array
        ℓᵢ.
    data_cost : float
        ``loss.cost``: the mean of ℓ (for ``rmse``, the root of the mean squared error).
    penalty : float
        l1·Σ|W| + (l2/2)·ΣW² over the weights.
    cost : float
        C = data_cost + penalty, equal to ``Network.cost_and_gradient``'s cost.
    output_grad : (n, k) array
        ∂C/∂ŷ as the loss gives it (1/n of the mean included). Computed for reading even where
        the fused delta does not use it.
    fused : bool
        Whether δᴸ is the fused (ŷ − y)/n instead of ∂C/∂ŷ ⊙ f′(zᴸ).
    output_delta_reason : str
        Why δᴸ is computed the way it is, in words a learner reads.
    gradient : (n_params,) array
        ∂C/∂θ laid out like ``Network.params``; bit for bit ``cost_and_gradient``'s.
    loss : loss object
    l1, l2 : float
    """

    inputs: np.ndarray
    targets: np.ndarray
    layers: list
    predictions: np.ndarray
    per_example_loss: np.ndarray
    data_cost: float
    penalty: float
    cost: float
    output_grad: np.ndarray
    fused: bool
    output_delta_reason: str
    gradient: np.ndarray
    loss: object
    l1: float
    l2: float

    @property
    def mistaken(self) -> bool:
        """Whether the output delta used the loss in place of its derivative (the mistake)."""
        return isinstance(self.loss, LossInsteadOfDerivative)


def _output_delta_reason(network, loss) -> str:
    act = network.output_activation
    if isinstance(loss, LossInsteadOfDerivative):
        return ("The mistake in the classic XOR code: δᴸ = ℓ ⊙ f′(zᴸ), the loss ℓ itself "
                "(divided by n, as the cost is a mean) where its derivative ∂ℓ/∂ŷ belongs. ℓ is "
                "never negative, so every step pushes every output down.")
    if network.has_fused_gradient(loss):
        if act.name == "sigmoid":
            return ("Sigmoid output with binary cross-entropy: ∂ℓ/∂ŷ = (ŷ − y)/(ŷ(1 − ŷ)) and "
                    "σ′(z) = ŷ(1 − ŷ) cancel, so δᴸ = (ŷ − y)/(n·k) (k outputs, which the loss "
                    "averages). Backpropagation starts from this fused form: exact, cheaper, "
                    "and finite where ŷ reaches 0 or 1 and the two factors would be 0 · ∞.")
        return (f"Softmax output with {loss.display_name.lower()}: the softmax Jacobian times "
                f"∂ℓ/∂ŷ = −y/ŷ simplifies to δᴸ = (ŷ − y)/n (y one-hot). Backpropagation "
                f"starts from this fused form: exact, cheaper, and finite where a probability "
                f"reaches 0.")
    if act.name == "softmax":
        return (f"Softmax output with {loss.display_name.lower()}: no fused form, so "
                f"δᴸ = (∂ℓ/∂ŷ)·J/n with the softmax Jacobian J = diag(ŷ) − ŷᵀŷ of each row.")
    return (f"{act.display_name} output with {loss.display_name.lower()}: no fused form, so "
            f"δᴸ = ∂C/∂ŷ ⊙ f′(zᴸ), the derivative of the cost times that of the activation.")


def trace(network, X, y_true, loss, l1=0.0, l2=0.0) -> Trace:
    """Backpropagation on ``X`` with every stage kept.

    The same computation as :meth:`Network.cost_and_gradient`, step for step, so ``cost`` and
    ``gradient`` equal its results bit for bit. The network is not changed.

    Parameters
    ----------
    network : core.network.Network
    X : (n, inputs) array
    y_true : array
        Targets as the loss reads them (:func:`core.losses.targets_for`).
    loss : str or loss object (a :class:`LossInsteadOfDerivative` too)
    l1, l2 : float
        Regularization rates: C = mean ℓ + l1·Σ|W| + (l2/2)·ΣW².

    Returns
    -------
    Trace
    """
    loss = losses.get(loss) if isinstance(loss, str) else loss
    if not loss.sparse:
        y_true = losses.as_2d(y_true)
    n_layers = len(network.weights)
    xs, zs = [np.asarray(X, dtype=float)], []
    for layer in range(n_layers):
        # The network's own forward step: the same numbers as cost_and_gradient's.
        z, a = network.layer_forward(layer, xs[-1])
        zs.append(z)
        xs.append(a)
    y_pred = xs[-1]
    cost = data_cost = loss.cost(y_true, y_pred)
    delta = network.fused_output_delta(loss, y_true, y_pred)
    fused = delta is not None
    with np.errstate(divide="ignore", invalid="ignore"):
        output_grad = loss.gradient(y_true, y_pred)
    grad_a = None if fused else output_grad

    grad = np.empty_like(network.params)
    records = [None] * n_layers
    for layer in range(n_layers - 1, -1, -1):
        # The loop of Network._backpropagate, with the arrays kept instead of dropped.
        act, z, x = network.layer_activations[layer], zs[layer], xs[layer]
        W = network.weights[layer]
        extra, extra_back, f_prime = {}, None, None
        if act.name == "maxout":
            f_prime = act.derivative(z)
            d1, d2 = grad_a * f_prime[..., 0], grad_a * f_prime[..., 1]
            extra["W'"], extra["b'"] = x.T @ d2, d2.sum(axis=0)
            delta, extra_back = d1, d2 @ network.block("W'", layer).T
            kept_delta = np.stack((d1, d2), axis=-1)  # ∂C/∂z of both pieces, shaped like z
        else:
            if act.name == "prelu":
                extra["slope"] = (grad_a * act.slope_derivative(z)).sum(axis=0)
                f_prime = act.derivative(z, network.block("slope", layer))
                delta = grad_a * f_prime
            else:
                if act.name != "softmax":
                    f_prime = act.derivative(z)
                if delta is None:
                    delta = act.backward(z, xs[layer + 1], grad_a)
            kept_delta = delta
        grad_W, grad_b = x.T @ delta, delta.sum(axis=0)
        for kind, value in (("W", grad_W), ("b", grad_b), *extra.items()):
            grad[network.layout.slice(kind, layer)] = value.reshape(-1)
        records[layer] = dict(layer=layer, activation=act.name, inputs=x, z=z, a=xs[layer + 1],
                              grad_a=grad_a, f_prime=f_prime, delta=kept_delta)
        if layer:
            grad_a = delta @ W.T
            if extra_back is not None:
                grad_a += extra_back
            delta = None

    penalty = 0.0
    if l1 or l2:
        penalty = network.regularization(l1, l2)
        cost += penalty
        mask = network.layout.weight_mask
        w = network.params[mask]
        grad[mask] += l1 * np.sign(w) + l2 * w
    layers = [_layer_record(network, grad, l1, l2, **record) for record in records]
    return Trace(inputs=xs[0], targets=y_true, layers=layers, predictions=y_pred,
                 per_example_loss=loss.per_example(y_true, y_pred), data_cost=data_cost,
                 penalty=penalty, cost=cost, output_grad=output_grad, fused=fused,
                 output_delta_reason=_output_delta_reason(network, loss), gradient=grad,
                 loss=loss, l1=float(l1), l2=float(l2))


def _layer_record(network, grad, l1, l2, layer, **arrays) -> LayerTrace:
    """The layer's gradients read back from the flat gradient (so they include the penalty)."""
    layout = network.layout

    def block(kind):
        return grad[layout.slice(kind, layer)].reshape(layout.block(kind, layer).shape).copy()

    kinds = [b.kind for b in layout.blocks if b.layer == layer and b.kind not in ("W", "b")]
    penalties = {}
    if l1 or l2:
        for kind in ("W", "W'"):
            if layout.has_block(kind, layer):
                w = network.block(kind, layer)
                penalties[kind] = l1 * np.sign(w) + l2 * w
    return LayerTrace(layer=layer, grad_W=block("W"), grad_b=block("b"),
                      extra_grads={kind: block(kind) for kind in kinds},
                      penalty_grads=penalties, **arrays)


# ---------------------------------------------------------------------------------------------
# One step of a trainer
# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class StepTrace:
    """The step a trainer takes next: its backpropagation and its optimizer's update.

    Attributes
    ----------
    trace : Trace
        Backpropagation on the mini-batch.
    batch : (b,) int array
        Rows of the training set in the mini-batch, in the order the trainer takes them.
    step : int
        The number the step will have (``trainer.step_count + 1``).
    optimizer : str
        The optimizer's registry name; ``hyperparameters`` its settings (η and the rest).
    hyperparameters : dict
    state_before, state_after : dict
        ``Optimizer.state_dict()`` before and after the update: ``t`` and the velocity or the
        moments, each (n_params,) and laid out like the parameters.
    params_before, params_after : (n_params,) arrays
        θ before and after; ``update = params_after − params_before``.
    """

    trace: Trace
    batch: np.ndarray
    step: int
    optimizer: str
    hyperparameters: dict
    state_before: dict
    state_after: dict
    params_before: np.ndarray
    params_after: np.ndarray

    @property
    def update(self) -> np.ndarray:
        return self.params_after - self.params_before


def next_step(trainer) -> StepTrace:
    """Trace the mini-batch ``trainer`` takes next and preview its optimizer's update.

    The trainer is not advanced (``Trainer.next_batch`` may start the next epoch's shuffle,
    which its next step would do anyway). The update is computed by a copy of the trainer's
    optimizer from the traced gradient: the same code on the same numbers as the step.
    """
    batch = np.array(trainer.next_batch())
    net = trainer.network
    t = trace(net, trainer.inputs_train[batch], trainer.targets_train[batch], trainer.loss,
              trainer.l1, trainer.l2)
    optimizer = _next_optimizer(trainer)
    before = net.params.copy()
    after = before.copy()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        optimizer.step(after, t.gradient.copy())
    return StepTrace(trace=t, batch=batch, step=trainer.step_count + 1,
                     optimizer=optimizer.name, hyperparameters=optimizer.hyperparameters(),
                     state_before=trainer.optimizer.state_dict(),
                     state_after=optimizer.state_dict(), params_before=before,
                     params_after=after)


def _next_optimizer(trainer):
    """A copy of the trainer's optimizer as its next step will use it: with a learning-rate
    schedule, ``Trainer.step`` sets the rate of the step first."""
    optimizer = copy.deepcopy(trainer.optimizer)
    if not trainer.schedule.is_constant:
        optimizer.learning_rate = trainer.schedule.rate(trainer.step_count)
    return optimizer


def apply_step(trainer, step: StepTrace | None = None) -> StepTrace:
    """Take one step of ``trainer`` (``trainer.step(1)``): the one ``step`` traced.

    The trainer's own step does the work (its mini-batch bookkeeping, optimizer, divergence
    check and history), so the weights are exactly those ``Trainer.step(1)`` gives.

    Parameters
    ----------
    trainer : core.trainer.Trainer
    step : StepTrace, optional
        From :func:`next_step`; traced now if omitted.

    Returns
    -------
    StepTrace
        The step taken.

    Raises
    ------
    ValueError
        When ``step`` is not the trainer's next step any more: the trainer has trained, or its
        weights, optimizer settings, loss, regularization or mini-batch changed since.
    core.trainer.DivergenceError
        As ``Trainer.step`` raises it.
    """
    if step is None:
        step = next_step(trainer)
    elif (step.step != trainer.step_count + 1 or step.optimizer != trainer.optimizer.name
          or step.hyperparameters != _next_optimizer(trainer).hyperparameters()
          or (step.trace.loss, step.trace.l1, step.trace.l2) != (trainer.loss, trainer.l1,
                                                                  trainer.l2)
          or not np.array_equal(step.params_before, trainer.network.params)
          or not np.array_equal(step.batch, trainer.next_batch())):
        raise ValueError(f"the traced step {step.step} is not the trainer's next step any "
                         f"more; trace it again")
    trainer.step(1)
    if not np.array_equal(trainer.network.params, step.params_after):
        # Everything the update depends on was checked above: this would be a bug.
        raise RuntimeError("the trainer's update differs from the traced one")
    return step


# ---------------------------------------------------------------------------------------------
# The classic mistake
# ---------------------------------------------------------------------------------------------
class LossInsteadOfDerivative:
    """A loss whose "derivative" is the loss itself: the mistake in the classic XOR code.

    The cost is the wrapped loss's (``cost``, ``per_example`` and everything else are passed
    through), but :meth:`gradient` returns ℓᵢ/n in every output column of example i instead of
    ∂C/∂ŷ. Backpropagation then starts from

        δᴸ = (ℓ/n) ⊙ f′(zᴸ)        instead of   δᴸ = ∂C/∂ŷ ⊙ f′(zᴸ),

    as the code that wrote ``delta = 0.5 * (y_hat - y) ** 2 * sigmoid_prime(z)`` did. ℓ ≥ 0
    and a sigmoid's f′ > 0, so every output delta is positive and gradient descent lowers every
    output towards 0 whatever its target. The gradient check catches it: the cost's finite
    differences disagree with this "gradient". Its ``name`` is not the wrapped loss's, so the
    network never takes the fused cross-entropy delta for it.
    """

    def __init__(self, loss):
        loss = losses.get(loss) if isinstance(loss, str) else loss
        if isinstance(loss, LossInsteadOfDerivative):
            raise ValueError("this loss already stands in for its derivative")
        self.base = loss
        self.name = f"{loss.name}_instead_of_derivative"
        self.display_name = f"{loss.display_name}, used in place of its derivative"

    def __getattr__(self, attribute):
        # Called only for what the wrapper lacks: everything but the gradient is the loss's.
        # (Dunder look-ups and "base" itself, e.g. while copy builds a new object, must fail.)
        if attribute == "base" or attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(self.base, attribute)

    def gradient(self, y_true, y_pred):
        """ℓᵢ/n in every column of row i: shaped like ``y_pred``, (n, k)."""
        shape = np.shape(y_pred)
        ell = self.base.per_example(y_true, y_pred)
        columns = losses.as_2d(y_pred).shape[1]
        return np.repeat((ell / len(ell))[:, None], columns, axis=1).reshape(shape)

    def __repr__(self):
        return f"<loss {self.name}: {self.base.formula}, used as its own derivative>"
