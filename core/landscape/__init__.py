"""The error surface: the cost over a plane in weight space, and the directions that span it.

A network with P parameters has a cost ``J(θ)`` over a P-dimensional weight space, which no one
can draw. What can be drawn is a slice: pick a point ``θ`` (the current weights) and two
directions ``d1``, ``d2`` (each a flat vector shaped like :attr:`Network.params`) and plot

    f(α, β) = J(θ + α·d1 + β·d2)

as a surface over the (α, β) plane, with the optimizer's path projected onto it. This module
gives the usual choices of directions, the surface itself (vectorized over the grid), the
projection of a path and the real cost along it::

    d1, d2 = random_directions(net, seed=0)              # Li et al. (2018), filter-normalized
    d1, d2 = weight_directions(net, i, j)                # the classic "cost against two weights"
    d1, d2, ratios = pca_directions(trainer.path_points())   # the plane the path lies closest to
    Z = surface(net, X, y, "bce", d1, d2, alphas, betas)     # Z[j, i] = f(alphas[i], betas[j])
    xy = project(trainer.path_points(), net.params, d1, d2)  # the path on that plane
    d1, d2, bend = start_now_directions(trainer.path_points(), net)  # θ₀ → θₜ, and the bend
    costs = path_costs(net, X, y, "bce", trainer.path_points())   # the real cost at each point

Parameter indices follow :attr:`Network.params` (``W1, b1, [extra1], W2, b2, ...``); the helpers
:func:`param_index`, :func:`param_location`, :func:`param_label` and :func:`param_choices` turn an
index into ``W2[3→1]`` (the weight of layer 2 from neuron 3 to neuron 1), ``b1[4]``,
``slope1[2]``, ``W'1[2→3]``, ``b'1[4]`` and back. Labels count from 1, as a person reads them;
the arguments of :func:`param_index` count from 0, as the code does.

Nothing here changes the network: the vectorized surface and :func:`path_costs` never write to
``net.params``, and the reference loop (``method="loop"``) puts the exact original values back.

The package: :mod:`~core.landscape.directions` (random, weight and principal directions,
:func:`project`), :mod:`~core.landscape.path` (:func:`path_costs`, the start → now plane and
fallbacks for degenerate planes), :mod:`~core.landscape.surface` (:func:`surface`), its
evaluation in :mod:`~core.landscape.kernels` (a readable batched reference and the fast path)
and :mod:`~core.landscape.labels` (parameter indices and names). Everything public is here.
"""
from core.landscape.directions import (pca_directions, project, random_directions,
                                       weight_directions)
from core.landscape.kernels import Cancelled
from core.landscape.labels import param_choices, param_index, param_label, param_location
from core.landscape.path import (orthonormal_directions, path_costs, spans_plane,
                                 start_now_directions)
from core.landscape.surface import METHODS, surface
# The instruments along lines and on curvature live in core.curvature; they are part of the
# landscape's public face (the 1-D interpolation and the sharpness).
from core.curvature import hessian_eigs, hessian_vector_product, interpolate  # noqa: E402

__all__ = ["param_index", "param_location", "param_label", "param_choices",
           "random_directions", "weight_directions", "pca_directions", "project", "surface",
           "METHODS", "Cancelled", "path_costs", "start_now_directions",
           "orthonormal_directions", "spans_plane", "interpolate", "hessian_vector_product",
           "hessian_eigs"]
