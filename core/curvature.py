"""The cost along a line in weight space, and its curvature: Hessian-vector products and the
sharpest directions.

Three instruments for reading an error surface (issue 15)::

    costs = interpolate(net, X, y, "bce", theta_start, theta_now, np.linspace(-0.5, 1.5, 201))
    Hv = hessian_vector_product(net, X, y, "bce", v)          # H·v, exact, (n_params,)
    values, vectors = hessian_eigs(net, X, y, "bce", k=2)      # the two sharpest directions

**Interpolation** (Goodfellow et al., "Qualitatively characterizing neural network
optimization problems", ICLR 2015): the cost C(θ(α)) on the line θ(α) = θ_a + α(θ_b − θ_a).
A curve that falls monotonically from the start to the solution says the path had no barrier
to cross; a bump between two solutions says they sit in different valleys.

**Hessian-vector products** by Pearlmutter's R-operator ("Fast exact multiplication by the
Hessian", Neural Computation 1994): backpropagation differentiated once more along v. A forward
pass carries R{z} = d z(θ + εv)/dε at ε = 0 beside z, and a backward pass carries R{δ} beside
δ; the R{∂C/∂θ} they give is H·v exactly (to rounding), without ever forming the
n_params × n_params matrix H. The plain forward and backward pass are done once and kept, so
each further product costs about as much as one gradient. The product is the derivative of the
gradient :meth:`Network.cost_and_gradient` computes, so it follows the same conventions:

- at kinks (ReLU, Leaky ReLU, PReLU, Maxout, the step, MAE, hinge, Huber's switch, the clips of
  the logarithmic losses) the second derivative is taken as 0, the value on either side of the
  kink, as the first derivative is taken from one side (see :mod:`core.second_derivatives`);
- L1 regularization l1·Σ|W| adds nothing (its second derivative is 0 away from W = 0, and
  taken as 0 there); L2 adds l2·v on the weights;
- the fused outputs (sigmoid + binary cross-entropy, softmax + categorical cross-entropy) use
  the derivative of the fused delta (ŷ − y)/n, R{δᴸ} = R{ŷ}/n: the Hessian of the unclipped
  cross-entropy, which is the cost except where a prediction is within 1e-7 of 0 or 1 and the
  cost clips it (there the gradient is the unclipped one too);
- a :class:`core.backprop.LossInsteadOfDerivative` has the curvature of its cost, the wrapped
  loss's (the Hessian is of the cost, whatever the gradient in use).

**Eigenvalues** by block Lanczos (Krylov subspace with full reorthogonalization and
Rayleigh-Ritz): sharpness in the sense of Keskar et al. (ICLR 2017) and of the edge of
stability (Cohen et al., ICLR 2021). Plain gradient descent with learning rate η overshoots
along any direction whose curvature exceeds 2/η.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from core import backprop, losses
from core.second_derivatives import LossHessian, activation_second_derivative

#: Default relative tolerance of :func:`hessian_eigs`: each Ritz pair's residual ‖Hy − θy‖
#: below TOLERANCE·|λ₁|. The eigenvalue is then within that of an exact one (for a symmetric
#: matrix an eigenvalue lies within the residual), and in practice within its square / gap.
TOLERANCE = 1e-6


def _loss(loss):
    loss = losses.get(loss) if isinstance(loss, str) else loss
    return loss.base if isinstance(loss, backprop.LossInsteadOfDerivative) else loss


# ---------------------------------------------------------------------------------------------
# Interpolation
# ---------------------------------------------------------------------------------------------
def interpolate(net, X, y_true, loss, theta_a, theta_b, alphas, *, l1=0.0, l2=0.0):
    """The cost along the line through ``theta_a`` and ``theta_b``.

    ``costs[i] = C(θ(αᵢ))`` with θ(α) = θ_a + α·(θ_b − θ_a) and C = mean ℓ + l1·Σ|W| +
    (l2/2)·ΣW², the cost ``Network.cost`` gives.

    At α = 0 and α = 1 the costs are ``Network.cost`` at θ_a and θ_b themselves, so the curve
    passes exactly through the costs the rest of the app shows. The other points are one row
    of :func:`core.landscape.surface` on the plane through θ_a along θ_b − θ_a (its fast path,
    float64, the penalty in closed form): they agree with ``Network.cost`` to about 1e-12
    relative. (float32 would be about four times faster, but its outputs are rounded to about
    1e-7 of the logits, which near a minimum of cost 1e-3 is already 3e-4 of the cost and
    shows on a logarithmic axis.)

    Parameters
    ----------
    net : Network
        Gives the architecture; left as it was (its weights are not read or written).
    X : (n, inputs) array
    y_true : array
        Targets as the loss reads them.
    loss : str or loss object
    theta_a, theta_b : (n_params,) arrays
    alphas : (m,) array
        E.g. ``np.linspace(-0.5, 1.5, 201)`` (Goodfellow et al.'s range: beyond both ends).
    l1, l2 : float

    Returns
    -------
    (m,) float64 array
    """
    from core.landscape import surface  # here: core.landscape re-exports this module

    theta_a, theta_b = (np.asarray(t, dtype=float) for t in (theta_a, theta_b))
    if theta_a.shape != net.params.shape or theta_b.shape != net.params.shape:
        raise ValueError(f"theta_a and theta_b must be shaped like params {net.params.shape}; "
                         f"got {theta_a.shape} and {theta_b.shape}")
    alphas = np.asarray(alphas, dtype=float)
    if alphas.ndim != 1:
        raise ValueError(f"alphas must be a 1-D sequence; got shape {alphas.shape}")
    twin = net.copy()
    twin.params[:] = theta_a
    line = theta_b - theta_a
    costs = np.empty(len(alphas))
    with np.errstate(all="ignore"):  # far along a line the outputs may overflow: cost inf/nan
        if len(alphas):
            costs[:] = surface(twin, X, y_true, loss, line, np.zeros_like(line), alphas, [0.0],
                               include_regularization=True, l1=l1, l2=l2)[0]
        for alpha, theta in ((0.0, theta_a), (1.0, theta_b)):
            if np.any(alphas == alpha):
                twin.params[:] = theta
                costs[alphas == alpha] = twin.cost(X, y_true, loss, l1, l2)
    return costs


# ---------------------------------------------------------------------------------------------
# Hessian-vector products
# ---------------------------------------------------------------------------------------------
class HessianOperator:
    """v ↦ H·v at fixed weights, H = ∇²C the Hessian of the cost.

    Building it runs the forward and backward pass once (:func:`core.backprop.trace`) and keeps
    every factor that does not depend on v; each product then costs one R-forward and one
    R-backward pass. The weights are copied: later changes to ``net`` do not affect it.

    Parameters
    ----------
    net : Network
    X : (n, inputs) array
    y_true : array
        Targets as the loss reads them.
    loss : str or loss object
    l1, l2 : float
        Regularization rates, as in ``Network.cost``.

    Attributes
    ----------
    n_params : int
    n_products : int
        Directions multiplied so far (a stack of m directions counts m).
    """

    def __init__(self, net, X, y_true, loss, *, l1=0.0, l2=0.0):
        loss = _loss(loss)
        with np.errstate(all="ignore"):
            t = backprop.trace(net, X, y_true, loss)
        self.n_params, self.n_products = net.n_params, 0
        self._l2, self._mask = float(l2), net.layout.weight_mask
        self._layers = [self._layer(net, record) for record in t.layers]
        out = t.layers[-1]
        if t.fused:  # δᴸ = (ŷ − y)/count as in Network.fused_output_delta
            self._fused_count = out.a.size if out.activation == "sigmoid" else len(out.a)
        else:
            self._fused_count = None
            self._loss_hessian = LossHessian(loss, t.targets, t.predictions)

    @staticmethod
    def _layer(net, record):
        """What the R-passes need of one layer (copies of its weights included)."""
        layer, name = record.layer, record.activation
        act = net.layer_activations[layer]
        slices = {b.kind: net.layout.slice(b.kind, layer) for b in net.layout.blocks
                  if b.layer == layer}
        shapes = {b.kind: b.shape for b in net.layout.blocks if b.layer == layer}
        info = dict(name=name, x=record.inputs, z=record.z, a=record.a, g=record.grad_a,
                    fp=record.f_prime, delta=record.delta, slices=slices, shapes=shapes,
                    W=net.block("W", layer).copy())
        if name == "maxout":
            info["W2"] = net.block("W'", layer).copy()
        elif name == "prelu":
            info["slope_d"] = act.slope_derivative(record.z)
            info["negative"] = record.z <= 0
        elif name == "softmax":
            if record.grad_a is not None:
                info["s"] = np.sum(record.grad_a * record.a, axis=-1, keepdims=True)
        elif record.grad_a is not None:
            info["g_fpp"] = record.grad_a * activation_second_derivative(act, record.z)
        return info

    def __call__(self, v):
        """H·v for ``v`` shaped (n_params,) or a stack (m, n_params); same shape back."""
        v = np.asarray(v, dtype=float)
        if v.shape[-1:] != (self.n_params,) or v.ndim > 2:
            raise ValueError(f"v must be shaped (n_params,) or (m, n_params) with n_params = "
                             f"{self.n_params}; got {v.shape}")
        V = v.reshape(-1, self.n_params)
        self.n_products += len(V)
        with np.errstate(all="ignore"):
            out = self._product(V)
        if self._l2:
            out[:, self._mask] += self._l2 * V[:, self._mask]
        return out.reshape(v.shape)

    def _product(self, V):
        m, last = len(V), len(self._layers) - 1

        def part(L, kind):
            return V[:, L["slices"][kind]].reshape(m, *L["shapes"][kind])

        # R-forward: R{z} = R{x}·W + x·V_W + V_b, R{a} = f′(z) ⊙ R{z} (or the layer's own JVP).
        rx, forward = None, []
        for L in self._layers:
            rz = L["x"] @ part(L, "W") + part(L, "b")[:, None, :]
            if rx is not None:
                rz += rx @ L["W"]
            if L["name"] == "maxout":
                rz2 = L["x"] @ part(L, "W'") + part(L, "b'")[:, None, :]
                if rx is not None:
                    rz2 += rx @ L["W2"]
                ra = rz * L["fp"][..., 0] + rz2 * L["fp"][..., 1]
            elif L["name"] == "prelu":
                ra = L["fp"] * rz + L["slope_d"] * part(L, "slope")[:, None, :]
            elif L["name"] == "softmax":
                ra = L["a"] * (rz - np.sum(L["a"] * rz, axis=-1, keepdims=True))
            else:
                ra = L["fp"] * rz
            forward.append((rx, rz, ra))
            rx = ra

        # R-backward: R{δ}, then R{∂C/∂W} = R{x}ᵀδ + xᵀR{δ}, R{∂C/∂b} = Σ R{δ}, and
        # R{∂C/∂a} of the layer below = R{δ}·Wᵀ + δ·V_Wᵀ.
        out = np.empty((m, self.n_params))
        for index in range(last, -1, -1):
            L, (rx, rz, ra) = self._layers[index], forward[index]
            delta, back = L["delta"], 0.0
            if index == last and self._fused_count is not None:
                rdelta = ra / self._fused_count  # the fused δᴸ = (ŷ − y)/count
            else:
                if index == last:
                    rg = self._loss_hessian(ra)
                if L["name"] == "maxout":
                    delta, d2 = delta[..., 0], delta[..., 1]
                    rdelta, rd2 = rg * L["fp"][..., 0], rg * L["fp"][..., 1]
                    grad = L["x"].T @ rd2
                    if rx is not None:
                        grad = grad + np.swapaxes(rx, 1, 2) @ d2
                    self._put(out, L, "W'", grad)
                    self._put(out, L, "b'", rd2.sum(axis=1))
                    back = rd2 @ L["W2"].T + d2 @ np.swapaxes(part(L, "W'"), 1, 2)
                elif L["name"] == "prelu":  # δ = g ⊙ f′(z; s): f′ moves with s where z ≤ 0
                    g, below = L["g"], L["negative"]
                    rdelta = rg * L["fp"] + np.where(below, g * part(L, "slope")[:, None, :], 0.0)
                    rslope = rg * L["slope_d"] + np.where(below, g * rz, 0.0)
                    self._put(out, L, "slope", rslope.sum(axis=1))
                elif L["name"] == "softmax":  # δ = a ⊙ (g − Σ g·a)
                    g, a = L["g"], L["a"]
                    rdelta = ra * (g - L["s"]) + a * (
                        rg - np.sum(rg * a + g * ra, axis=-1, keepdims=True))
                else:  # δ = g ⊙ f′(z)
                    rdelta = rg * L["fp"] + L["g_fpp"] * rz
            grad = L["x"].T @ rdelta
            if rx is not None:
                grad = grad + np.swapaxes(rx, 1, 2) @ delta
            self._put(out, L, "W", grad)
            self._put(out, L, "b", rdelta.sum(axis=1))
            if index:
                rg = rdelta @ L["W"].T + delta @ np.swapaxes(part(L, "W"), 1, 2) + back
        return out

    @staticmethod
    def _put(out, L, kind, value):
        out[:, L["slices"][kind]] = value.reshape(len(out), -1)


def hessian_vector_product(net, X, y_true, loss, v, *, l1=0.0, l2=0.0):
    """H·v, the Hessian of the cost at the network's weights times ``v``, exactly.

    Parameters
    ----------
    net : Network
        Not changed.
    X : (n, inputs) array
    y_true : array
        Targets as the loss reads them.
    loss : str or loss object
    v : (n_params,) array, or a stack (m, n_params)
    l1, l2 : float
        Regularization rates, as in ``Network.cost`` (L1 has no curvature; L2 adds l2·v on the
        weights).

    Returns
    -------
    array shaped like ``v``

    See the module docstring for the conventions at kinks and for the fused outputs; to
    multiply many vectors at the same weights build one :class:`HessianOperator`.
    """
    return HessianOperator(net, X, y_true, loss, l1=l1, l2=l2)(v)


# ---------------------------------------------------------------------------------------------
# Eigenvalues
# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class Eigenpairs:
    """The eigenvalues of largest magnitude of a symmetric operator, and how they were found.

    Attributes
    ----------
    values : (k,) array
        Sorted by magnitude, largest first.
    vectors : (k, n) array
        Unit-norm eigenvectors, row i for ``values[i]``; each signed so that its entry of
        largest magnitude is positive.
    residuals : (k,) array
        ‖A·yᵢ − λᵢ·yᵢ‖: an exact eigenvalue lies within it of λᵢ.
    n_products : int
        Operator-vector products used.
    converged : bool
        Whether every residual is within ``tol``·|λ₁| (False if ``max_products`` ran out).
    """

    values: np.ndarray
    vectors: np.ndarray
    residuals: np.ndarray
    n_products: int
    converged: bool


def top_eigenpairs(operator, n, k=2, *, tol=TOLERANCE, seed=0, max_products=None,
                   should_stop=None) -> Eigenpairs:
    """The k eigenvalues of largest magnitude of a symmetric n × n operator, by block Lanczos.

    A Krylov subspace is grown from k random vectors, k vectors at a time (a block of k finds
    an eigenvalue of multiplicity up to k), each new block orthogonalized twice against all
    the earlier ones. The Rayleigh-Ritz values of ``T = Qᵀ·A·Q`` (Q the basis) approximate the
    eigenvalues at both ends of the spectrum first. Since ``A·Q`` is kept, each Ritz pair's
    residual ‖A·y − θ·y‖ is computed exactly, without further products; the iteration stops
    when those of the top k are all within ``tol``·|θ₁|, or when the subspace stops growing
    (it is then invariant and the values are exact; at the latest when it is the whole space).

    Parameters
    ----------
    operator : callable
        ``operator(V)`` for V (m, n) returns A·V row by row, (m, n), with A symmetric.
    n : int
        Dimension.
    k : int
        1 ≤ k ≤ n.
    tol : float
        Relative residual at which to stop.
    seed : int
        Seed of the starting block (the same seed gives the same result).
    max_products : int, optional
        Stop (``converged=False``) before using more products than this.
    should_stop : callable, optional
        Checked before every block; when it returns True, :class:`core.landscape.Cancelled`
        is raised.

    Returns
    -------
    Eigenpairs
    """
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and {n}; got {k}")
    rng = np.random.default_rng(seed)
    block = _orthonormal_rows(rng.standard_normal((k, n)), None)
    basis, images, T = np.empty((0, n)), np.empty((0, n)), np.empty((0, 0))
    products, invariant = 0, False
    while True:
        if should_stop is not None and should_stop():
            from core.landscape import Cancelled  # here: core.landscape re-exports this module
            raise Cancelled()
        image = np.asarray(operator(block), dtype=float).reshape(len(block), n)
        products += len(block)
        m = len(basis)
        basis, images = np.vstack((basis, block)), np.vstack((images, image))
        # T = Qᵀ·A·Q grows by the new block's rows and columns, kept symmetric.
        new = basis @ image.T  # (m + b, b)
        T = np.block([[T, new[:m]], [new[:m].T, 0.5 * (new[m:] + new[m:].T)]])
        theta, S = np.linalg.eigh(T)
        top = np.argsort(-np.abs(theta), kind="stable")[:k]
        values, ritz = theta[top], S[:, top].T
        vectors = ritz @ basis
        residuals = np.linalg.norm(ritz @ images - values[:, None] * vectors, axis=1)
        converged = bool(np.all(residuals <= tol * abs(values[0])))
        if converged or len(basis) >= n:
            break
        block = _orthonormal_rows(image, basis, np.linalg.norm(image, axis=1).max())
        if len(block) == 0:  # A·Q lies in span(Q): the Ritz values are exact eigenvalues
            invariant = True
            break
        if max_products is not None and products + len(block) > max_products:
            break
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    largest = vectors[np.arange(k), np.argmax(np.abs(vectors), axis=1)]
    vectors *= np.where(largest < 0, -1.0, 1.0)[:, None]
    return Eigenpairs(values=values, vectors=vectors, residuals=residuals, n_products=products,
                      converged=converged or invariant or len(basis) >= n)


def _orthonormal_rows(rows, basis, scale=None):
    """Orthonormal rows spanning ``rows`` minus its part in the span of ``basis`` (orthonormal
    rows, or None), dropping directions below 1e-10·scale (default: the largest direction).
    None left means ``rows`` lay in that span."""
    if basis is not None:
        for _ in range(2):  # twice: once is not enough to stay orthogonal in floating point
            rows = rows - (rows @ basis.T) @ basis
    _, s, vt = np.linalg.svd(rows, full_matrices=False)
    floor = 1e-10 * (s.max(initial=0.0) if scale is None else scale)
    return vt[s > floor]


def hessian_eigs(net, X, y_true, loss, k=2, *, l1=0.0, l2=0.0, seed=0):
    """The k eigenvalues of largest magnitude of the Hessian of the cost, with eigenvectors.

    λ₁ is the sharpness: plain gradient descent with learning rate η overshoots along v₁ when
    λ₁ > 2/η. Computed by :func:`top_eigenpairs` from exact Hessian-vector products
    (:class:`HessianOperator`), to a residual of ``TOLERANCE``·|λ₁|.

    Parameters
    ----------
    net : Network
        Not changed.
    X : (n, inputs) array
    y_true : array
        Targets as the loss reads them.
    loss : str or loss object
    k : int
        How many eigenvalues (1 ≤ k ≤ n_params).
    l1, l2 : float
        Regularization rates, as in ``Network.cost``.
    seed : int
        Seed of the starting vectors.

    Returns
    -------
    eigenvalues : (k,) array
        Sorted by magnitude, largest first (a negative one counts by its size).
    eigenvectors : (k, n_params) array
        Unit norm, laid out like ``net.params``; row i belongs to ``eigenvalues[i]`` and has its
        largest entry positive.
    """
    operator = HessianOperator(net, X, y_true, loss, l1=l1, l2=l2)
    pairs = top_eigenpairs(operator, net.n_params, k, seed=seed)
    return pairs.values, pairs.vectors
