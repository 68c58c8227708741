"""The error surface's pure model, without a display: the plane policy's decisions (modes,
anchors, when following the path makes a new plane), the plane maths, the contour lines and the
shading. Snapshots come straight from a Trainer, as the worker would send them."""
import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from core import landscape
from core.presets import get
from core.trainer import Trainer
from gui.snapshot import Snapshot
from gui.views.surface.geometry import contour_levels, contour_segments, shaded_colours
from gui.views.surface.model import (FOLLOW_MIN_SECONDS, NoPlane, Plane, PlanePolicy,
                                     default_weight_axes)

XOR = "XOR truth table (2-4-1 sigmoid, MSE, SGD)"


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def trainer():
    return Trainer(get(XOR).config)


def snap(trainer, run=0):
    return Snapshot.capture(trainer, run, 0.0, False)


def test_the_model_loads_no_qt():
    code = ("import sys, gui.views.surface.model, gui.views.surface.geometry; "
            "print([m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


# ------------------------------------------------------------------------------ the policy
def test_a_run_anchors_the_weight_plane_at_its_start(trainer):
    policy = PlanePolicy("weights")
    first = snap(trainer)
    assert policy.is_new_run(first)
    policy.start_run(first)
    assert not policy.is_new_run(first)
    assert policy.weight_axes == default_weight_axes(first.layout)
    trainer.step(50)
    later = snap(trainer)
    plane = policy.make_plane(later)
    # Two weights: unit directions, the anchor is still the run's start.
    i, j = policy.weight_axes
    np.testing.assert_array_equal(plane.anchor, first.params)
    assert plane.anchor_step == 0 and plane.weights == (i, j)
    assert plane.labels == (first.layout.label(i), first.layout.label(j))
    assert plane.offsets == (first.params[i], first.params[j])
    assert plane.span == 3.0 and plane.d1[i] == 1.0 and plane.d2[j] == 1.0
    # The snapshot's path in plane coordinates: how far the two weights moved.
    xy = plane.project(later.path)
    np.testing.assert_allclose(xy, later.path[:, [i, j]] - first.params[[i, j]], atol=1e-12)
    np.testing.assert_allclose(xy, landscape.project(later.path, plane.anchor, plane.d1,
                                                     plane.d2), atol=1e-12)
    # Re-centre: the anchor moves to the current weights.
    policy.recentre(later)
    plane = policy.make_plane(later)
    np.testing.assert_array_equal(plane.anchor, later.params)
    assert plane.anchor_step == 50
    # Only the weight-space layout matters: the same run keeps its plane at a snapshot.
    assert policy.next_plane(later, plane, settled=True, current=(0.0, 0.0)) is None


def test_weight_axes_are_checked_and_reset_by_a_new_architecture(trainer):
    policy = PlanePolicy("random")
    policy.start_run(snap(trainer))
    with pytest.raises(ValueError):
        policy.set_weight_axes(3, 3)
    with pytest.raises(IndexError):
        policy.set_weight_axes(0, policy.layout.n_params)
    policy.set_weight_axes(2, 5)
    assert policy.mode == "weights" and policy.weight_axes == (2, 5)
    policy.start_run(snap(trainer, run=1))  # same architecture: the choice stays
    assert policy.weight_axes == (2, 5)
    bigger = Trainer(dataclasses.replace(trainer.config, hidden_layers=(6,)))
    policy.start_run(snap(bigger, run=2))
    assert policy.weight_axes == default_weight_axes(bigger.arrays.layout)


def test_random_directions_and_a_new_seed(trainer):
    policy = PlanePolicy("random")
    first = snap(trainer)
    policy.start_run(first)
    plane = policy.make_plane(first)
    d1, d2 = landscape.random_directions(first.network(), seed=0)
    np.testing.assert_array_equal(plane.d1, d1)
    np.testing.assert_array_equal(plane.d2, d2)
    assert plane.span == 1.0 and plane.offsets == (0.0, 0.0)
    policy.new_directions()
    assert policy.make_plane(first).seed == 1


def test_regularization_changes_keep_the_plane_and_take_the_rates(trainer):
    policy = PlanePolicy("weights")
    policy.start_run(snap(trainer))
    plane = policy.make_plane(snap(trainer))
    trainer.apply_config(dataclasses.replace(trainer.config, regularization="l2",
                                             reg_rate=0.1))
    again = policy.next_plane(snap(trainer), plane, settled=False, current=None)
    assert again.l2 == 0.1 and again.anchor is plane.anchor and again.d1 is plane.d1


def test_the_principal_plane_waits_for_a_path_then_follows_it(trainer):
    clock = Clock()
    policy = PlanePolicy("pca", clock=clock)
    assert policy.follow and policy.follow_min_seconds == FOLLOW_MIN_SECONDS
    first = snap(trainer)
    policy.start_run(first)
    why = policy.make_plane(first)
    assert isinstance(why, NoPlane) and "Train a little first" in why.message
    assert why.headline[0] == "Press Play or Step"
    assert isinstance(policy.next_plane(first, None, False, None), NoPlane)

    trainer.step(20)
    plane = policy.next_plane(snap(trainer), None, False, None)
    assert isinstance(plane, Plane) and plane.anchor_step == 20
    d1, _, _ = landscape.pca_directions(trainer.path_points())
    np.testing.assert_allclose(plane.d1, d1)
    # The current weights are at (0, 0) in display coordinates, and the path fits the span.
    xy = plane.project(trainer.path_points())
    np.testing.assert_allclose(np.asarray(plane.offsets) + xy[-1], 0.0, atol=1e-9)
    assert np.all(np.abs(xy) <= plane.span)

    trainer.step(30)  # more than twice as far, but:
    later = snap(trainer)
    current = plane.project(later.path)[-1]
    assert policy.next_plane(later, plane, settled=False, current=current) is None  # computing
    assert policy.next_plane(later, plane, settled=True, current=current) is None  # too soon
    clock.now += FOLLOW_MIN_SECONDS
    policy.follow = False
    assert policy.next_plane(later, plane, settled=True, current=current) is None  # not following
    policy.follow = True
    new = policy.next_plane(later, plane, settled=True, current=current)
    assert new.anchor_step == 50
    # Not yet twice as far and still on the plane: the same plane.
    trainer.step(10)
    clock.now += FOLLOW_MIN_SECONDS
    later = snap(trainer)
    assert policy.next_plane(later, new, True, new.project(later.path)[-1]) is None
    # ... unless the ball has left it.
    assert policy.next_plane(later, new, True, (2 * new.span, 0.0)).anchor_step == 60


# ------------------------------------------------------------------------------ geometry
def test_contour_segments_lie_on_their_levels():
    alphas, betas = np.linspace(-2, 2, 41), np.linspace(-1, 1, 21)
    A, B = np.meshgrid(alphas, betas)
    Z = A ** 2 + 4 * B ** 2  # ellipses
    levels = contour_levels(Z.min(), Z.max(), 5)
    segments = contour_segments(Z, alphas, betas, levels)
    assert len(segments) % 2 == 0 and len(segments) > 100
    assert set(np.round(segments[:, 2], 12)) <= set(np.round(levels, 12))
    # Each end is on a grid edge, where the level was interpolated linearly: close to the
    # exact ellipse (within the grid's interpolation error).
    exact = segments[:, 0] ** 2 + 4 * segments[:, 1] ** 2
    np.testing.assert_allclose(exact, segments[:, 2], atol=0.02)
    assert contour_segments(np.ones((5, 5)), alphas[:5], betas[:5], [1.0]).shape == (0, 3)


def test_a_saddle_is_resolved_by_its_centre():
    # Corners (0, 0) and (1, 1) high, the others low: one cell, two segments either way.
    Z = np.array([[1.0, 0.0], [0.0, 1.0]])
    axis = np.array([0.0, 1.0])
    low_centre = contour_segments(Z, axis, axis, [0.6])  # centre 0.5 < 0.6: two peaks
    high_centre = contour_segments(Z, axis, axis, [0.4])  # centre 0.5 > 0.4: a ridge
    for segments in (low_centre, high_centre):
        assert segments.shape == (4, 3)
    # The peaks are cut off at their corners; the ridge leaves the two low corners cut off.
    def near(segment, corner):
        return np.all(np.linalg.norm(segment[:, :2] - np.asarray(corner), axis=1) < 0.71)

    assert near(low_centre[:2], (0, 0)) or near(low_centre[:2], (1, 1))
    assert near(high_centre[:2], (1, 0)) or near(high_centre[:2], (0, 1))


def test_shaded_colours_follow_the_colour_map_and_light_a_flat_plane_evenly():
    positions = np.array([0.0, 1.0])
    colours = np.array([[0.0, 0.0, 0.0, 1.0], [1.0, 0.5, 0.0, 1.0]])
    alphas = betas = np.linspace(-1, 1, 3)
    heights = np.array([[0.0, 0.5, 1.0]] * 3)  # rising along α
    rgba = shaded_colours(heights, alphas, betas, 0.0, 1.0, (positions, colours))
    assert rgba.shape == (9, 4) and rgba.dtype == np.float32
    np.testing.assert_array_equal(rgba[:, 3], 1.0)
    flat = shaded_colours(np.full((3, 3), 0.5), alphas, betas, 0.0, 1.0, (positions, colours))
    assert np.ptp(flat[:, 0]) == 0  # a flat surface: one colour, lit evenly
    # Heights in α-major vertex order: red grows with α (rows 0-2 are α = -1).
    assert rgba[0, 0] < rgba[3, 0] < rgba[6, 0]
