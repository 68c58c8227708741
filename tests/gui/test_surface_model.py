"""The error surface's pure model, without a display: the plane policy's decisions (modes,
anchors, when following the path makes a new plane), the plane maths and the heights (the
geometry: test_surface_geometry.py). Snapshots come straight from a Trainer, as the worker
would send them."""
import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from core import landscape
from core.config import Config
from core.presets import get
from core.trainer import Trainer
from gui.snapshot import Snapshot
from gui.views.surface.model import (LIVE_RESOLUTION, REPLAN_SECONDS, NoPlane, Plane,
                                     PathOnPlane, bilinear, diverged, display_heights, fidelity,
                                     height_range, path_heights, visibly_off)
from gui.views.surface.path_costs import PathCosts
from gui.views.surface.policy import PlanePolicy, default_weight_axes

XOR = "XOR truth table (2-4-1 sigmoid, MSE, SGD)"


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def trainer():
    return Trainer(get(XOR).config)


def snap(trainer, run=0, running=False):
    return Snapshot.capture(trainer, run, 0.0, running)


def cost(trainer, params):
    net = trainer.network.copy()
    net.params[:] = params
    return net.cost(trainer.inputs_train, trainer.targets_train, trainer.loss, trainer.l1,
                    trainer.l2)


def test_the_model_loads_no_qt():
    code = ("import sys, gui.views.surface.model, gui.views.surface.policy, "
            "gui.views.surface.geometry, gui.views.surface.path_costs; "
            "print([m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


# ------------------------------------------------------------------------------ the policy
def test_two_weights_around_the_current_weights_or_the_start(trainer):
    policy = PlanePolicy("weights")
    first = snap(trainer)
    assert policy.is_new_run(first)
    policy.start_run(first)
    assert not policy.is_new_run(first)
    assert policy.weight_axes == default_weight_axes(first.layout)
    trainer.step(50)
    later = snap(trainer)
    plane = policy.make_plane(later)
    # Around the current weights (the default): the current point is on the plane.
    i, j = policy.weight_axes
    np.testing.assert_array_equal(plane.anchor, later.params)
    assert plane.anchor_step == 50 and plane.holds(later.params) and plane.weights == (i, j)
    assert plane.labels == (first.layout.label(i), first.layout.label(j))
    assert plane.offsets == (later.params[i], later.params[j])
    assert plane.span == 3.0 and plane.d1[i] == 1.0 and plane.d2[j] == 1.0
    np.testing.assert_allclose(plane.project(later.path)[-1], 0.0, atol=1e-12)
    # Around the start: the classic picture, and the path's plane coordinates are how far the
    # two weights moved.
    policy.set_centre("start")
    plane = policy.make_plane(later)
    np.testing.assert_array_equal(plane.anchor, first.params)
    assert plane.anchor_step == 0 and not plane.holds(later.params)
    xy = plane.project(later.path)
    np.testing.assert_allclose(xy, later.path[:, [i, j]] - first.params[[i, j]], atol=1e-12)
    np.testing.assert_allclose(xy, landscape.project(later.path, plane.anchor, plane.d1,
                                                     plane.d2), atol=1e-12)
    # A plane around the start stays put; picking axes centres on the current weights again.
    trainer.step(10)
    assert policy.next_plane(snap(trainer), plane, settled=True) is None
    policy.set_weight_axes(j, i)
    assert policy.centre == "current" and policy.make_plane(snap(trainer)).anchor_step == 60


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
    assert plane.span == 1.0 and plane.offsets == (0.0, 0.0) and not plane.notice
    policy.new_directions()
    assert policy.make_plane(first).seed == 1


def test_regularization_changes_keep_the_plane_and_take_the_rates(trainer):
    policy = PlanePolicy("weights")
    policy.start_run(snap(trainer))
    plane = policy.make_plane(snap(trainer))
    trainer.apply_config(dataclasses.replace(trainer.config, regularization="l2",
                                             reg_rate=0.1))
    again = policy.next_plane(snap(trainer), plane, settled=False)
    assert again.l2 == 0.1 and again.anchor is plane.anchor and again.d1 is plane.d1


def test_the_start_now_plane_holds_the_start_and_the_current_weights(trainer):
    policy = PlanePolicy()
    assert policy.mode == "start_now"
    policy.start_run(snap(trainer))
    trainer.step(40)
    later = snap(trainer)
    plane = policy.make_plane(later)
    path = later.path
    d1, d2, bend = landscape.start_now_directions(path, later.network())
    np.testing.assert_array_equal(plane.d1, d1)
    assert plane.holds(later.params) and plane.anchor_step == 0 and plane.through_step == 40
    shown = np.asarray(plane.offsets) + plane.project(path)
    np.testing.assert_allclose(shown[[0, -1]], [[0.0, 0.0], [1.0, 0.0]], atol=1e-9)
    assert np.all(np.abs(plane.project(path)) <= plane.span)  # the whole path is over it
    assert plane.labels[0].startswith("start → now")


def test_following_makes_a_plane_through_the_current_weights(trainer):
    clock = Clock()
    policy = PlanePolicy(clock=clock)
    policy.start_run(snap(trainer))
    trainer.step(20)
    plane = policy.next_plane(snap(trainer), None, False)
    assert plane.through_step == 20 and plane.resolution == 60
    # Running: the live grid, once the last plane is on screen and REPLAN_SECONDS went by.
    trainer.step(5)
    live = snap(trainer, running=True)
    assert policy.next_plane(live, plane, settled=False) is None
    assert policy.next_plane(live, plane, settled=True) is None  # too soon
    clock.now += REPLAN_SECONDS
    new = policy.next_plane(live, plane, settled=True)
    assert new.through_step == 25 and new.resolution == LIVE_RESOLUTION
    # Paused or stepped: at once (the current point goes on the plane), then the full grid.
    trainer.step(1)
    paused = snap(trainer)
    stepped = policy.next_plane(paused, new, settled=False)
    assert stepped.holds(paused.params) and stepped.resolution == 60
    # A live plane that holds the paused weights only needs its full grid.
    held = dataclasses.replace(new, through=paused.params)
    finer = policy.next_plane(paused, held, settled=True)
    assert finer.resolution == 60 and finer.anchor is held.anchor
    assert policy.next_plane(paused, stepped, settled=True) is None
    # Running, but the current point is still (visibly) on the plane: no new one.
    clock.now += REPLAN_SECONDS
    trainer.step(1)
    assert policy.next_plane(snap(trainer, running=True), stepped, True,
                             visibly_off=False) is None
    # Not following: nothing new.
    policy.follow = False
    trainer.step(1)
    assert policy.next_plane(snap(trainer), stepped, settled=True) is None


def test_the_principal_plane_waits_for_a_path(trainer):
    policy = PlanePolicy("pca")
    first = snap(trainer)
    policy.start_run(first)
    why = policy.make_plane(first)
    assert isinstance(why, NoPlane) and "Train a little first" in why.message
    assert why.headline[0] == "Press Play or Step"
    trainer.step(20)
    plane = policy.next_plane(snap(trainer), None, False)
    assert isinstance(plane, Plane) and plane.anchor_step == 20
    d1, _, _ = landscape.pca_directions(trainer.path_points())
    np.testing.assert_allclose(plane.d1, d1)
    xy = plane.project(trainer.path_points())
    np.testing.assert_allclose(np.asarray(plane.offsets) + xy[-1], 0.0, atol=1e-9)
    assert np.all(np.abs(xy) <= plane.span)


# ------------------------------------------------------------------------------ fallbacks
def test_weights_that_never_move_get_a_surface_and_the_reason():
    trainer = Trainer(get("Step activation: no gradient, no learning").config)
    trainer.step(30)
    for mode in ("start_now", "pca"):
        policy = PlanePolicy(mode)
        policy.start_run(snap(trainer))
        plane = policy.make_plane(snap(trainer))
        assert isinstance(plane, Plane) and landscape.spans_plane(plane.d1, plane.d2)
        assert "the gradient is zero everywhere here, so the weights never move" in plane.notice
        assert "Press Play" not in plane.notice


def test_zero_weights_get_random_unit_directions():
    config = dataclasses.replace(get(XOR).config, init="zeros")
    trainer = Trainer(config)
    for mode in ("random", "start_now"):
        policy = PlanePolicy(mode)
        policy.start_run(snap(trainer))
        plane = policy.make_plane(snap(trainer))
        assert landscape.spans_plane(plane.d1, plane.d2)
        assert "incoming weights are zero" in plane.notice
        assert plane.labels[0].endswith("(length 1)")
        plane.project(trainer.path_points())  # no LinAlgError


def test_a_diverged_run_gets_its_last_steps_around_the_last_good_weights():
    trainer = Trainer(get("Learning rate too large: diverges").config)
    with pytest.raises(Exception, match="diverged"):
        trainer.step(100)
    last = snap(trainer)
    costs = PathCosts().of(last)
    assert diverged(costs, running=False) and not diverged(costs, running=True)
    policy = PlanePolicy()
    policy.start_run(last)
    plane = policy.make_plane(last, costs)
    assert plane.warn and "diverged" in plane.notice and "learning rate" in plane.notice
    assert plane.log and plane.dtype == np.float64 and plane.holds(last.params)
    assert plane.labels[0].startswith("the last")
    weights = PlanePolicy("weights")
    weights.start_run(last)
    weights.set_centre("start")
    plane = weights.make_plane(last, costs)  # diverged: around the last good weights anyway
    assert plane.holds(last.params) and plane.log and plane.warn


# ------------------------------------------------------------------------------ the path
def test_path_costs_are_the_real_costs_each_computed_once(trainer, monkeypatch):
    cache = PathCosts()
    trainer.step(30)
    first = snap(trainer)
    np.testing.assert_allclose(cache.of(first), [cost(trainer, p) for p in first.path],
                               rtol=1e-12)
    calls = []
    original = landscape.path_costs

    def counting(*args, **kwargs):
        calls.append(len(args[4]))
        return original(*args, **kwargs)

    monkeypatch.setattr(landscape, "path_costs", counting)
    trainer.step(1)
    later = snap(trainer)
    np.testing.assert_allclose(cache.of(later), [cost(trainer, p) for p in later.path],
                               rtol=1e-12)
    assert calls == []  # the new current point's cost is the snapshot's train cost
    trainer.step(3)  # the log records every step: so does the history, which has their costs
    newer = snap(trainer)
    assert trainer.path.stride == 1 and len(newer.path) == len(later.path) + 3
    np.testing.assert_allclose(cache.of(newer), [cost(trainer, p) for p in newer.path],
                               rtol=1e-12)
    assert calls == []
    trainer.apply_config(dataclasses.replace(trainer.config, regularization="l1",
                                             reg_rate=0.01))
    again = snap(trainer)
    np.testing.assert_allclose(cache.of(again), [cost(trainer, p) for p in again.path],
                               rtol=1e-12)  # new rates: every cost again
    assert calls == [len(again.path) - 1]  # (the history scored the old rows without them)


@pytest.mark.parametrize("changes", [
    {},                                                        # the window's default
    {"regularization": "l2", "reg_rate": 0.01, "batch_size": 7},
    {"regularization": "l1", "reg_rate": 0.003, "features": ("x1", "x2", "x1^2", "sin_x2")},
    {"dataset": "spiral3", "task": "multiclass", "output_activation": "softmax", "loss": "cce",
     "hidden_layers": (5,), "batch_size": 16},
    {"dataset": "sine", "task": "regression", "loss": "rmse", "regularization": "l2",
     "reg_rate": 0.02},
    {"dataset": "circle", "output_activation": "sigmoid", "loss": "bce", "optimizer": "adam",
     "learning_rate": 0.05},
])
def test_the_path_costs_are_the_ones_the_worker_scored(changes, monkeypatch):
    """PathCosts takes the current point's cost from ``metrics["train_cost"]`` and a recorded
    row's from the history's ``train_cost`` at its step instead of computing them: they are
    the same numbers (full training set, regularization included), also once the path's log
    and the history have thinned out. The history here thins faster than the path: the rows
    whose step it no longer holds are computed."""
    trainer = Trainer(dataclasses.replace(Config(), **changes), history_capacity=10,
                      path_capacity=40)
    original, calls, expected = landscape.path_costs, [], []

    def counting(*args, **kwargs):
        calls.append(len(args[4]))
        return original(*args, **kwargs)

    for _ in range(4):
        trainer.step(23)
        last = snap(trainer, running=True)
        real = original(trainer.network, trainer.inputs_train, trainer.targets_train,
                        trainer.arrays.loss, last.path, l1=last.l1, l2=last.l2,
                        include_regularization=True)
        assert last.metrics["train_cost"] == pytest.approx(real[-1], rel=1e-12, abs=1e-15)
        monkeypatch.setattr(landscape, "path_costs", counting)
        costs = PathCosts().of(last)
        monkeypatch.setattr(landscape, "path_costs", original)
        np.testing.assert_allclose(costs, real, rtol=1e-12, atol=1e-15)
        assert costs[-1] == last.metrics["train_cost"]
        steps = np.arange(len(last.path_rows)) * last.path_stride
        scored = np.isin(steps, last.history["step"])
        np.testing.assert_array_equal(
            costs[:len(steps)][scored],
            last.history["train_cost"][np.isin(last.history["step"], steps)])
        current_is_a_row = not last.path_tail
        unscored = int((~scored).sum()) - int(current_is_a_row and not scored[-1])
        expected += [unscored] if unscored else []
        assert scored.sum() >= 6
    assert trainer.path.stride == 4 and trainer.history.stride == 16
    assert calls == expected and sum(calls) > 0


def test_heights_range_and_fidelity():
    np.testing.assert_allclose(path_heights([0.01, 1.0, 100.0], True), [-2, 0, 2])
    assert path_heights([-1.0], True)[0] == -np.inf and path_heights([np.nan], False)[0] == np.inf

    class Result:
        lo, hi, log = 0.0, 1.0, False
        alphas = betas = np.linspace(-1, 1, 3)
        values = heights = np.array([[0.0, 0.5, 1.0]] * 3)  # rising along α

    assert height_range(Result, [0.5, 1.5]) == (0.0, 1.5)
    assert height_range(Result, [0.5, 9.0]) == (0.0, 2.0)  # at most HEADROOM × the range
    assert height_range(Result, [np.inf]) == (0.0, 1.0)

    class Flat:
        span = 1.0

    xy = np.array([[-1.0, 0.0], [1.0, 0.0], [5.0, 0.0]])
    f = fidelity(Flat, Result, xy, np.array([0.0, 0.8, 3.0]))  # the last is off the plane
    assert (f.points, f.mean, f.max, f.share) == (2, pytest.approx(0.1), pytest.approx(0.2),
                                                  pytest.approx(0.2))
    assert f.warn and "20% of the surface's range" in f.text()
    assert fidelity(Flat, Result, xy[2:], np.array([1.0])) is None

    class LogResult(Result):
        log = True
        values = np.array([[0.01, 0.1, 1.0]] * 3)
        heights = np.log10(values)

    f = fidelity(Flat, LogResult, xy[:2], np.array([0.1, 1.0]))  # gaps in powers of ten
    assert (f.mean, f.max, f.share) == (pytest.approx(0.5), pytest.approx(1.0),
                                        pytest.approx(0.5))
    assert "(log₁₀)" in f.text()


# ------------------------------------------------------------------------------ heights
def test_log_scale_heights():
    values = np.array([[0.01, 0.1], [1.0, 10.0]])
    heights, log = display_heights(values, True)
    assert log
    np.testing.assert_allclose(heights, [[-2, -1], [0, 1]])
    # The signed mean error can be negative: no logarithm, the heights stay linear.
    heights, log = display_heights(np.array([[-1.0, 2.0]]), True)
    assert not log
    np.testing.assert_array_equal(heights, [[-1.0, 2.0]])


def test_bilinear_is_exact_on_planes_and_at_nodes():
    alphas = np.linspace(-2, 2, 9)
    betas = np.linspace(-1, 3, 5)
    A, B = np.meshgrid(alphas, betas)
    heights = 3 * A - 2 * B + 1
    xy = np.array([[0.3, 0.7], [-2.0, -1.0], [2.0, 3.0], [1.1, 2.9]])
    np.testing.assert_allclose(bilinear(heights, alphas, betas, xy),
                               3 * xy[:, 0] - 2 * xy[:, 1] + 1)
    # Beyond the plane: the height of the nearest edge.
    assert bilinear(heights, alphas, betas, np.array([[5.0, 0.0]]))[0] == pytest.approx(7.0)



def test_the_current_point_is_visibly_off_when_it_leaves_the_surface_or_moves_across():
    plane = Plane(mode="weights", run=0, anchor=np.zeros(3), anchor_step=0, d1=np.eye(3)[0],
                  d2=np.eye(3)[1], labels=("a", "b"), offsets=(0, 0), span=1.0, resolution=15,
                  log=False, l1=0.0, l2=0.0, through=np.zeros(3))

    def drawn(x, real, under):
        return PathOnPlane(np.array([[x, 0.0]]), np.array([real]), np.array([real]),
                           np.array([under]), None)

    assert not visibly_off(plane, drawn(0.0, 0.5, 0.501), (0.0, 1.0))
    assert visibly_off(plane, drawn(0.0, 0.5, 0.6), (0.0, 1.0))  # above the surface
    assert visibly_off(plane, drawn(0.1, 0.5, 0.5), (0.0, 1.0))  # moved across it


@pytest.mark.parametrize("log", [False, True])
def test_the_path_on_a_plane_interpolates_the_surface_once(trainer, log, monkeypatch):
    """The fidelity compares the real costs with the heights under the path, which the path
    already has: the same numbers exactly as interpolating them again, in one interpolation."""
    from gui.views.surface import model

    trainer.step(40)
    last = snap(trainer)
    costs = PathCosts().of(last)
    policy = PlanePolicy("random")
    policy.start_run(last)
    plane = dataclasses.replace(policy.make_plane(last, costs), log=log)
    arrays = last.arrays
    result = model.compute_surface(last.network(plane.anchor), arrays.inputs_train,
                                   arrays.targets_train, arrays.loss, plane, 15)
    assert result.log == log
    calls = []
    original = model.bilinear

    def counting(*args):
        calls.append(len(args[3]))
        return original(*args)

    monkeypatch.setattr(model, "bilinear", counting)
    drawn = model.path_on_plane(plane, result, last.path, costs)
    assert calls == [len(last.path)]
    monkeypatch.setattr(model, "bilinear", original)
    again = fidelity(plane, result, drawn.xy, costs)  # interpolating again
    assert drawn.fidelity == again and drawn.fidelity.points == len(last.path)
