"""Which plane the error-surface view shows, and when it makes a new one (pure, no Qt).

The modes (the learner picks one):

- **start → now** (the default): the plane through the first weights θ₀ and the current ones
  θₜ (:func:`core.landscape.start_now_directions`). Both lie on it, so their heights are their
  real costs; along the first axis it is the straight line from one to the other;
- **two weights**: the cost as two parameters change, every other one held at its value at
  the plane's centre: the current weights (the default) or the start of training;
- **two random directions**, filter-normalized (Li et al. 2018), centred the same way;
- **the principal directions of the path**, through the current weights;
- **the two sharpest directions**, the top two Hessian eigenvectors at the current weights
  (found in the surface thread: see :mod:`gui.views.surface.curvature`).

A plane through the current weights is made again as training goes on ("Follow training"):
at every snapshot of a paused run (Pause, Step) whose weights are not on the plane, and every
``REPLAN_SECONDS`` while it runs, once the last plane is on screen. So the current point is on
the surface within a fraction of a second. A plane centred on the start stays put.

When no usual plane exists, a fallback says why: a path that has not moved (a step activation,
a zero gradient), weights that are all zero (filter-normalized directions vanish), a run that
diverged (the plane then spans its last steps, around the last good weights, on a log scale).
"""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from core import landscape
from gui.views.surface.model import (CENTRES, DEFAULT_MODE, DEFAULT_RESOLUTION, DEFAULT_SPANS,
                                     DIVERGED_POINTS, FLOAT64_ABOVE, LIVE_RESOLUTION, MODES,
                                     PCA_MIN_POINTS, REPLAN_SECONDS, SURFACE_DTYPE, NoPlane,
                                     Plane, diverged, fit_span)

#: Modes whose span is fitted to the path (until the learner sets one).
FITTED = ("start_now", "pca")
#: Modes whose plane always goes through the current weights.
CURRENT = FITTED + ("sharpest",)


def default_weight_axes(layout):
    """Two weights into the first output neuron (from neurons 0 and 1 of the layer below), the
    classic "cost against two weights" picture; a weight and a bias when there is one input."""
    last = layout.n_layers - 1
    if layout.layer_sizes[last] >= 2:
        return layout.index("W", last, 0, 0), layout.index("W", last, 1, 0)
    return layout.index("W", last, 0, 0), layout.index("b", last, 0)


class PlanePolicy:
    """Which plane the view shows for a snapshot: the mode, its centre, and when to make a new
    one.

    The widget tells it what the learner chose (:meth:`set_mode`, :meth:`set_centre`,
    :meth:`set_weight_axes`, :meth:`new_directions`, :meth:`recentre`, the span, grid, log and
    follow settings) and asks it, at every snapshot, :meth:`next_plane`: a :class:`Plane` to
    compute, a :class:`NoPlane` to explain, or None to keep the one it has. ``clock``
    (seconds) is injectable for tests.
    """

    def __init__(self, mode=DEFAULT_MODE, clock=time.monotonic):
        self._check_mode(mode)
        self.mode = mode
        self.centre = "current"
        self.weight_axes = None     # (i, j) flat parameter indices
        self._axes_note = ""
        self.seed = 0
        self.spans = dict(DEFAULT_SPANS)
        self.resolution = DEFAULT_RESOLUTION
        self.log = False
        self.follow = True
        self.replan_seconds = REPLAN_SECONDS
        self.run = None             # the run of the snapshots seen
        self.layout = None          # that run's ParamLayout
        self.start = None           # (params, step) where the run started
        self._planned_at = -math.inf
        self._clock = clock

    @staticmethod
    def _check_mode(mode):
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")

    # ------------------------------------------------------------------ the learner's choices
    def set_mode(self, mode):
        self._check_mode(mode)
        self.mode = mode
        if mode in CURRENT:
            self.spans[mode] = None  # fit the path (or the sharpest direction's curvature)

    def set_centre(self, centre):
        """``"current"`` (the current weights) or ``"start"`` (the start of training)."""
        if centre not in CENTRES:
            raise ValueError(f"unknown centre {centre!r}; choose one of {', '.join(CENTRES)}")
        self.centre = centre

    def set_weight_axes(self, i, j, note=""):
        """Parameters ``i`` and ``j`` on the axes (checked against the run's layout), around
        the current weights; ``note`` (why these two) goes with their planes."""
        i, j = int(i), int(j)
        if i == j:
            raise ValueError("the two axes need two different parameters")
        if self.layout is not None:
            for index in (i, j):
                if not 0 <= index < self.layout.n_params:
                    raise IndexError(f"parameter index {index} is outside "
                                     f"0..{self.layout.n_params - 1}")
        self.weight_axes, self._axes_note = (i, j), note
        self.centre = "current"
        self.set_mode("weights")

    def new_directions(self):
        """Two new random directions."""
        self.seed += 1
        self.set_mode("random")

    def set_span(self, span):
        self.spans[self.mode] = float(span)

    def recentre(self):
        """The next plane goes through the current weights."""
        self.centre = "current"

    # ------------------------------------------------------------------ snapshots
    def is_new_run(self, snap) -> bool:
        return (snap.run != self.run or self.layout is None
                or snap.layout.layer_sizes != self.layout.layer_sizes)

    def start_run(self, snap):
        """A new run (or the first snapshot): its start is its first point; weight axes that
        no longer fit (another architecture) go back to the default pair."""
        layout = snap.layout
        same_shape = self.layout is not None and self.layout.layer_sizes == layout.layer_sizes
        self.run, self.layout = snap.run, layout
        if not same_shape or self.weight_axes is None \
                or max(self.weight_axes) >= layout.n_params:
            self.weight_axes = default_weight_axes(layout)
        path = np.asarray(snap.path)
        first = path[0] if len(path) else np.asarray(snap.params)
        self.start = (np.array(first), snap.step if len(path) <= 1 else 0)

    def next_plane(self, snap, plane, settled, costs=None, visibly_off=True):
        """At a snapshot of the same run: the plane to compute now, or None to keep ``plane``.

        ``plane`` is the newest plane asked for (None if none), ``settled`` whether it is on
        screen at its full resolution, ``costs`` the real costs of ``snap.path`` (for
        divergence), ``visibly_off`` whether the current point, drawn, is visibly away from
        the plane (while training runs, a plane it is still on is not made again).
        """
        if plane is None:
            return self.make_plane(snap, costs)
        if (plane.l1, plane.l2) != (snap.l1, snap.l2):
            return dataclasses.replace(plane, l1=snap.l1, l2=snap.l2)
        fixed = plane.centre == "start" or not self.follow
        # (A fallback plane also says how many steps went by: it is remade as they do.)
        if fixed or (plane.holds(snap.params) and (not plane.what
                                                    or plane.through_step == snap.step)):
            if not snap.running and plane.resolution < self.resolution:
                return dataclasses.replace(plane, resolution=self.resolution)  # paused: finer
            return None
        if not snap.running:  # paused or stepped: the current point goes on the plane now
            return self.make_plane(snap, costs)
        if settled and visibly_off and self._clock() - self._planned_at >= self.replan_seconds:
            return self.make_plane(snap, costs)
        return None

    # ------------------------------------------------------------------ planes
    def make_plane(self, snap, costs=None):
        """The plane of the current mode for ``snap`` (a :class:`Plane`), or a
        :class:`NoPlane` saying why there is none yet."""
        self._planned_at = self._clock()
        path = np.asarray(snap.path)
        current = np.asarray(snap.params)
        gone = costs is not None and diverged(costs, snap.running)
        centre = "current" if gone or self.mode in CURRENT else self.centre
        anchor, step = (current, snap.step) if centre == "current" else self.start
        net = snap.network(anchor)
        made = {"offsets": (0.0, 0.0), "weights": (), "notice": "", "warn": False,
                "log": self.log}
        if gone and self.mode in FITTED:
            made.update(self._last_steps(snap, path, costs))
            anchor, step = made.pop("anchor"), made.pop("step")
        elif self.mode == "start_now" or (self.mode == "pca" and len(path) >= PCA_MIN_POINTS):
            found = self._along_path(snap, path)
            if found is None:
                made.update(self._random(net, snap, still=True))
            else:
                made.update(found)
                anchor, step = made.pop("anchor"), made.pop("step")
        elif self.mode == "pca":
            return NoPlane(
                "Train a little first (Play, or Step a few times): the principal directions "
                "are those of the path the weights take, so this surface appears once they "
                "have moved.",
                ("Press Play or Step", "The surface appears once the weights have moved:",
                 "it is the cost over the plane of their path."))
        elif self.mode == "sharpest":  # the surface thread finds them (and fits the span)
            made.update(d1=None, d2=None, labels=("sharpest direction", "second sharpest"),
                        short_labels=("sharpest", "second sharpest"))
        elif self.mode == "weights":
            i, j = self.weight_axes
            made["d1"], made["d2"] = landscape.weight_directions(net, i, j)
            made["labels"] = made["short_labels"] = (snap.layout.label(i), snap.layout.label(j))
            made["offsets"] = (float(anchor[i]), float(anchor[j]))
            made["weights"] = (i, j)
            made["notice"] = self._axes_note
        else:
            made.update(self._random(net, snap))
        if gone:
            made["notice"], made["warn"], made["log"] = self._divergence_note(snap, costs), \
                True, True
        span = self.spans.get(self.mode)
        if span is None:
            span = made.pop("fit", None) or (None if self.mode == "sharpest" else 1.0)
        made.pop("fit", None)
        large = float(np.max(np.abs(anchor), initial=0.0)) > FLOAT64_ABOVE
        running = snap.running and not gone
        return Plane(mode=self.mode, run=snap.run, anchor=anchor, anchor_step=step, span=span,
                     resolution=min(self.resolution, LIVE_RESOLUTION) if running
                     else self.resolution, l1=snap.l1, l2=snap.l2, seed=self.seed,
                     centre=centre, through=current if centre == "current" else self.start[0],
                     through_step=snap.step if centre == "current" else self.start[1],
                     dtype=np.float64 if large or gone else SURFACE_DTYPE, **made)

    def _along_path(self, snap, path):
        """The start → now or principal plane of ``path``, centred on the middle of the path
        (None when the path has not moved)."""
        net = snap.network()
        try:
            if self.mode == "start_now":
                d1, d2, bend = landscape.start_now_directions(path, net, seed=self.seed)
                origin, origin_step = path[0], self.start[1]
            else:
                d1, d2, ratios = landscape.pca_directions(path)
                origin, origin_step = path[-1], snap.step
        except ValueError:
            return None
        # Coordinates from the origin (the start, or the current weights); the grid's centre
        # moves to the middle of the path so that the path fills the picture.
        coords = landscape.project(path, origin, d1, d2)
        centre = (coords.min(axis=0) + coords.max(axis=0)) / 2
        made = {"d1": d1, "d2": d2, "anchor": origin + centre[0] * d1 + centre[1] * d2,
                "step": origin_step, "offsets": (float(centre[0]), float(centre[1])),
                "fit": fit_span(coords - centre)}
        if self.mode == "start_now":
            second = ("bend of the path" if bend > 0
                      else "random direction (the path is straight)")
            made["labels"] = ("start → now (0: start, 1: now)", second)
            made["short_labels"] = ("start → now", "bend of the path" if bend > 0
                                    else "random direction")
        else:
            made["labels"] = (f"principal direction 1 ({100 * ratios[0]:.0f}% of the path)",
                              f"principal direction 2 ({100 * ratios[1]:.0f}% of the path)")
            made["short_labels"] = (f"direction 1 ({100 * ratios[0]:.0f}%)",
                                    f"direction 2 ({100 * ratios[1]:.0f}%)")
        return made

    def _random(self, net, snap, still=False):
        """Two random filter-normalized directions at ``net``'s weights; two random unit ones
        where those vanish (all weights zero). ``still``: in place of a plane of the path,
        which has not moved."""
        d1, d2 = landscape.random_directions(net, seed=self.seed)
        labels = ("random direction 1 (filter-normalized)",
                  "random direction 2 (filter-normalized)")
        notice = ""
        if not landscape.spans_plane(d1, d2):
            d1, d2 = landscape.orthonormal_directions(net.n_params, seed=self.seed)
            labels = ("random direction 1 (length 1)", "random direction 2 (length 1)")
            notice = ("Every neuron's incoming weights are zero, so random directions scaled "
                      "to them (filter normalization) vanish: these two have length 1 instead.")
        made = {"d1": d1, "d2": d2, "labels": labels,
                "short_labels": ("random direction 1", "random direction 2")}
        if still:
            made["what"] = (f"Cost on a plane of two random directions through the weights at "
                            f"step {snap.step}: they have not moved, so their path has no plane "
                            f"yet.")
            if snap.step == 0:
                why = ("Press Play or Step: the plane then runs from the start to the current "
                       "weights. Until then it is over two random directions around them.")
            elif not np.any(np.asarray(snap.gradient)):
                why = (f"After {snap.step} steps the weights are where they started: the "
                       f"gradient is zero everywhere here, so the weights never move. The "
                       f"surface is over two random directions around them (flat where it is "
                       f"flat).")
            else:
                why = (f"After {snap.step} steps the weights are where they started (learning "
                       f"rate {snap.config.learning_rate:g}). The surface is over two random "
                       f"directions around them.")
            notice = f"{why} {notice}".strip()
        made["notice"] = notice
        return made

    def _last_steps(self, snap, path, costs):
        """After a divergence: the start → now plane of the path's last points, around the last
        good weights (which the trainer restored)."""
        last = path[-DIVERGED_POINTS:]
        try:
            d1, d2, _ = landscape.start_now_directions(last, snap.network(), seed=self.seed)
        except ValueError:  # the last points are one: two random directions around it
            made = self._random(snap.network(), snap)
            made.update(anchor=path[-1], step=snap.step)
            return made
        what = (f"Cost around the last good weights (step {snap.step}), which the trainer "
                f"restored, on the plane of the path's last steps (log scale).")
        coords = landscape.project(path[-len(last):], last[0], d1, d2)
        centre = (coords.min(axis=0) + coords.max(axis=0)) / 2
        return {"d1": d1, "d2": d2, "anchor": last[0] + centre[0] * d1 + centre[1] * d2,
                "step": snap.step, "offsets": (float(centre[0]), float(centre[1])),
                "fit": fit_span(coords - centre),
                "labels": (f"the last {len(last) - 1} recorded steps (1: the last good weights)",
                           "bend of those steps"),
                "short_labels": ("last steps", "bend"), "what": what}

    @staticmethod
    def _divergence_note(snap, costs):
        finite = np.asarray(costs)[np.isfinite(costs)]
        low = f"{finite.min():.3g}" if len(finite) else "?"
        return (f"Training diverged: the cost rose from {low} to {costs[-1]:.3g}. Try a smaller "
                f"learning rate (now {snap.config.learning_rate:g}) or an optimizer that adapts "
                f"its step (Adam, RMSprop).")
