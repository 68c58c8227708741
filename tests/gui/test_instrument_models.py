"""The landscape instruments' pure models, without a display: the line view (endpoints, when to
compute, what the curve says), the sharpness history, the probed network's lines and scores,
the sharpest plane and the curvature along picked weights, picking a point of the 3-D surface.
Snapshots come straight from a Trainer, as the worker would send them; references are core's
own public functions and numpy."""
import dataclasses

import numpy as np
import pytest

from core import presets, stability
from core.config import Config
from core.metrics import RunScorer
from core.trainer import DivergenceError, Trainer
from gui.selection import Probe
from gui.snapshot import Sharpness, Snapshot
from gui.views.boundary import probe_model
from gui.views.interpolation import model as line_model
from gui.views.sharpness import model as sharp_model
from gui.views.surface import curvature as surface_curvature
from gui.views.surface.geometry import pick_front, to_screen
from gui.views.surface.model import bilinear, compute_surface, probe_params, probe_words
from gui.views.surface.policy import PlanePolicy

XOR = "XOR truth table (2-4-1 sigmoid, MSE, SGD)"
CIRCLE = Config(dataset="circle", hidden_layers=(4, 2), activation="tanh", optimizer="sgd",
                learning_rate=0.03, batch_size=10)


def capture(trainer, run=0, running=False):
    return Snapshot.capture(trainer, run, 0.0, running)


def _cost(snap, params, train=True):
    a = snap.arrays
    X, y = (a.inputs_train, a.targets_train) if train else (a.inputs_test, a.targets_test)
    return snap.network(params).cost(X, y, a.loss, snap.l1, snap.l2)


# ------------------------------------------------------------------------------ the line
def test_the_line_from_start_to_now_passes_through_both_costs_exactly():
    trainer = Trainer(CIRCLE)
    trainer.step(300)
    snap = capture(trainer)
    a, b = (line_model.endpoint_params(snap, key, []) for key in ("start", "now"))
    line = line_model.compute(snap, a, b, ("start", "now"), ("start", "now"))
    assert line.moved and line.alphas[0] == -0.5 and line.alphas[-1] == 1.5
    zero, one = np.argmin(np.abs(line.alphas)), np.argmin(np.abs(line.alphas - 1))
    assert line.train[zero] == _cost(snap, snap.path[0])
    assert line.train[one] == _cost(snap, snap.params) == snap.metrics["train_cost"]
    assert line.test[one] == pytest.approx(snap.metrics["test_cost"], rel=1e-12)
    k = 37
    assert line.train[k] == pytest.approx(
        _cost(snap, a + line.alphas[k] * (b - a)), rel=1e-10)


def test_barrier_climb_and_monotonic_fall():
    alphas = line_model.ALPHAS
    assert line_model.falls_all_the_way(alphas, np.where(alphas <= 1, 2 - alphas, 1 + alphas))
    bump = 1.0 + np.exp(-((alphas - 0.4) / 0.1) ** 2)              # ends at 1, peak 2 at 0.4
    height, where = line_model.barrier(alphas, bump)
    assert height == pytest.approx(1.0, abs=0.01) and where == pytest.approx(0.4, abs=0.011)
    assert not line_model.falls_all_the_way(alphas, bump)
    # A plateau, then a fall: under the chord's straight line, but never rising: no barrier,
    # no climb (the chord is not the criterion).
    plateau = np.where(alphas < 0.3, 1.0, 1.0 - (alphas - 0.3))
    assert line_model.falls_all_the_way(alphas, plateau)
    assert line_model.barrier(alphas, plateau)[0] <= 0.0
    # A dip, then a rise to below the start, then the fall: it climbs 0.3 up to α = 0.5.
    dip = np.interp(alphas, [0, 0.25, 0.5, 1], [1.0, 0.5, 0.8, 0.1])
    height, where = line_model.climb(alphas, dip)
    assert height == pytest.approx(0.3) and where == pytest.approx(0.5)
    assert line_model.barrier(alphas, dip)[0] <= 0  # never above the start


def _line(train, names=("start", "now"), moved=True):
    alphas = line_model.ALPHAS
    return line_model.Line(alphas, np.asarray(train, dtype=float), None, names, names, 0, 10,
                           moved, np.zeros(3), (0.0, 0.0))


def test_the_summary_says_what_the_curve_shows():
    alphas = line_model.ALPHAS
    text = line_model.summary(_line(1.0 - 0.5 * alphas))
    assert text.startswith("Train cost 1 at start (α = 0), 0.5 at now (α = 1).")
    assert "falls all the way" in text
    bump = 1.0 + np.exp(-((alphas - 0.5) / 0.1) ** 2)
    text = line_model.summary(_line(bump, ("run 1", "run 2")))
    assert "barrier" in text and "different valleys" in text and "α = 0.50" in text
    assert "rises 1 above the higher end" in text
    dip = np.interp(alphas, [0, 0.25, 0.5, 1], [1.0, 0.5, 0.8, 0.1])
    assert "climbs 0.3 (up to α = 0.50)" in line_model.summary(_line(dip))
    assert "No barrier" in line_model.summary(_line(np.ones_like(alphas), ("run 1", "now")))
    assert "press Play" in line_model.summary(_line(np.ones_like(alphas), moved=False))


def test_the_line_is_computed_again_only_when_something_moved():
    trainer = Trainer(CIRCLE)
    snap = capture(trainer)
    keys = ("start", "now")
    assert line_model.due(None, keys, snap, False, 0.0)
    ends = [line_model.endpoint_params(snap, key, []) for key in keys]
    line = line_model.compute(snap, *ends, keys, keys)
    assert not line.moved and not line_model.due(line, keys, snap, False, 0.0)
    assert line_model.due(line, ("start", "pin:1"), snap, False, 0.0)
    trainer.step(5)
    later = capture(trainer)
    assert line_model.due(line, keys, later, False, 0.0)                  # paused: at once
    assert not line_model.due(line, keys, later, True, 0.1)               # running: at most
    assert line_model.due(line, keys, later, True, line_model.LIVE_SECONDS)  # every 0.25 s
    assert line_model.due(line, keys, capture(trainer, run=1), False, 0.0)


def test_pinned_weights_are_offered_only_for_the_same_network():
    trainer = Trainer(CIRCLE)
    trainer.step(20)
    snap = capture(trainer)
    same = line_model.PinnedWeights(1, "#8e44ad", snap.params, 20, snap.arrays)
    other_trainer = Trainer(CIRCLE.replace(hidden_layers=(3,)))
    other = line_model.PinnedWeights(2, "#16a085", other_trainer.network.params, 0,
                                     other_trainer.arrays)
    choices = line_model.endpoint_choices([same, other], snap.arrays, "b")
    assert [key for key, _, _ in choices] == ["now", "pin:1", "pin:2"]
    assert choices[1][2] == "" and "layer sizes" in choices[2][2]
    assert line_model.endpoint_params(snap, "pin:2", [same, other]) is None
    np.testing.assert_array_equal(line_model.endpoint_params(snap, "pin:1", [same]),
                                  snap.params)


# ------------------------------------------------------------------------------ sharpness
def test_a_sample_is_the_sharpness_and_the_limit_of_the_snapshot():
    trainer = Trainer(CIRCLE)
    trainer.step(50)
    snap = Snapshot.capture(trainer, 0, 0.0, False, sharpness=Sharpness.measure(trainer))
    sample = sharp_model.sample_from(snap)
    exact = stability.sharpness(snap.network(), snap.arrays.inputs_train,
                                snap.arrays.targets_train, snap.arrays.loss, k=2, tol=1e-9)
    np.testing.assert_allclose(sample.values, exact.values, rtol=1e-3)
    assert sample.limit.value == pytest.approx(2 / 0.03) and sample.limit.formula == "2/η"
    assert sample.epoch == pytest.approx(50 / 25) and sample.step == 50
    assert sample.products == snap.sharpness.products > 0
    assert "is 1% of 2/η = 66.7" in sharp_model.readout(sample)
    assert capture(trainer).sharpness is None  # measured only when asked


def test_weights_with_no_finite_hessian_get_a_sample_that_says_so():
    trainer = Trainer(presets.get("Learning rate too large: diverges").config)
    trainer.network.params[:] = 1e200  # overflows everywhere: inf and NaN in the Hessian
    measured = Sharpness.measure(trainer)
    assert len(measured.values) == 2 and np.isnan(measured.values).all()
    with np.errstate(all="ignore"):  # (the snapshot's own metrics overflow too)
        snap = Snapshot.capture(trainer, 0, 0.0, False, sharpness=measured)
    assert "the Hessian is not finite" in sharp_model.readout(sharp_model.sample_from(snap))


def test_the_history_decides_when_to_measure_and_stays_bounded(monkeypatch):
    trainer = Trainer(CIRCLE)
    history = sharp_model.SharpnessHistory()
    snap = capture(trainer)
    assert history.wants(snap, 0.0)
    history.start_run(0)
    sample = sharp_model.Sample(0, 0.0, (1.0, 0.5), 0.03, None, 10, 0.01, snap.params)
    history.add(sample)
    assert not history.wants(snap, 100.0)                    # these weights are measured
    trainer.step(1)
    assert history.wants(capture(trainer), 0.0)              # paused: at once
    running = capture(trainer, running=True)
    assert not history.wants(running, 0.1) and history.wants(running, 0.5)
    slow = dataclasses.replace(sample, seconds=0.2)          # 0.2 s a sample: every 2 s
    history.add(slow)
    assert not history.wants(running, 1.0) and history.wants(running, 2.0)
    monkeypatch.setattr(sharp_model, "CAPACITY", 8)
    for step in range(1, 40):
        history.add(dataclasses.replace(sample, step=step, epoch=float(step)))
    assert len(history.samples) <= 8 and history.stride > 1
    steps = [s.step for s in history.samples]
    assert steps == sorted(steps) and steps[-1] >= 30


def test_the_plot_takes_in_the_limit_only_when_it_is_near():
    curves = {"epoch": np.arange(3.0), "first": np.array([1.0, 2.0, 3.0]),
              "second": np.array([0.5, 1.0, np.nan]), "limit": np.array([4.0, 4.0, 4.0])}
    low, high, shown = sharp_model.y_range(curves)
    assert shown and low == 0.0 and high >= 4.0
    far = dict(curves, limit=np.full(3, 60.0))
    low, high, shown = sharp_model.y_range(far)
    assert not shown and high < 60.0


def test_the_readout_names_the_edge_of_stability_and_overshooting():
    limit = stability.stability_limit("sgd", 0.5)
    def words(value):
        return sharp_model.readout(sharp_model.Sample(9, 1.0, (value, 0.0), 0.5, limit, 5, 0))
    assert "edge of stability" in words(4.1)
    assert "above 2/η = 4" in words(6.0) and "overshoots" in words(6.0)
    assert "25% of 2/η" in words(1.0)
    adaptive = sharp_model.Sample(9, 1.0, (2.0, 1.0), 0.01, None, 5, 0)
    assert "no single 2/η" in sharp_model.readout(adaptive, "Adam")


# ------------------------------------------------------------------------------ the probe
@pytest.mark.parametrize("config", [CIRCLE, presets.get("Three spirals (softmax + "
                                                        "cross-entropy)").config,
                                    presets.get("Sine with outliers: MSE is pulled up").config])
def test_the_probed_network_is_scored_and_drawn_like_the_real_one(config):
    trainer = Trainer(config)
    trainer.step(30)
    snap = capture(trainer)
    params = snap.params + 0.3 * np.random.default_rng(0).normal(size=snap.params.shape)
    probe = Probe(params, "here", snap.run, True)
    out = probe_model.compute(snap, probe, RunScorer(snap.arrays, snap.data))
    assert out.values.shape == snap.grid.values.shape
    assert out.scores["train_cost"] == pytest.approx(_cost(snap, params), rel=1e-12)
    assert out.scores["test_cost"] == pytest.approx(_cost(snap, params, train=False),
                                                    rel=1e-12)
    # At the snapshot's own weights the grid is the snapshot's grid.
    same = probe_model.compute(snap, Probe(snap.params, "", 0), RunScorer(snap.arrays,
                                                                           snap.data))
    np.testing.assert_allclose(same.values, snap.grid.values, rtol=1e-12, atol=1e-12)
    mode = {"binary": "binary", "multiclass": "multiclass"}.get(snap.task, "curve")
    xs, ys = probe_model.lines(mode, out.values, snap.grid.xs, snap.grid.ys, snap.threshold)
    assert len(xs) and np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))
    assert "the point you clicked" in probe_model.caption_html(out, mode)
    text = probe_model.summary(out, snap.task)
    assert text.startswith(f"┅ cost {out.scores['train_cost']:.3g}, ") and text.endswith("here")


def test_the_decision_boundary_lies_where_the_output_is_at_the_threshold():
    xs = np.linspace(-1, 1, 41)
    gx, gy = np.meshgrid(xs, xs)
    values = (1 / (1 + np.exp(-(3 * gx - 2 * gy + 0.5))))[..., None]   # boundary 3x − 2y = −0.5
    bx, by = probe_model.lines("binary", values, xs, xs, 0.5)
    assert len(bx) > 20
    np.testing.assert_allclose(3 * bx - 2 * by, -0.5, atol=0.01)
    probs = np.stack([gx > 0.2, (gx <= 0.2) & (gy > 0), (gx <= 0.2) & (gy <= 0)], -1) * 0.8 + 0.1
    mx, my = probe_model.lines("multiclass", probs, xs, xs, 0.5)
    on_a_boundary = (np.abs(mx - 0.2) < 0.06) | ((np.abs(my) < 0.06) & (mx <= 0.26))
    assert len(mx) and on_a_boundary.all()


# ------------------------------------------------------------------------------ curvature
def _gradient_difference_column(net, X, y, loss, i, eps=1e-5):
    theta = net.params.copy()
    net.params[i] += eps
    plus = net.gradient(X, y, loss).copy()
    net.params[:] = theta
    net.params[i] -= eps
    minus = net.gradient(X, y, loss).copy()
    net.params[:] = theta
    return (plus - minus) / (2 * eps)


def test_the_sharpest_plane_is_the_top_of_the_hessian_and_weights_have_their_curvature():
    trainer = Trainer(presets.get(XOR).config)
    trainer.step(800)
    snap = capture(trainer)
    policy = PlanePolicy("sharpest")
    policy.start_run(snap)
    plane = policy.make_plane(snap)
    assert plane.d1 is None and plane.span is None and plane.centre == "current"
    a = snap.arrays
    net = snap.network(plane.anchor)
    result = compute_surface(net, a.inputs_train, a.targets_train, a.loss, plane, 9)
    done = result.plane
    assert done.origin is plane and done.d1 is not None and done.span > 0
    H = np.column_stack([_gradient_difference_column(net, a.inputs_train, a.targets_train,
                                                     a.loss, i) for i in range(net.n_params)])
    values, vectors = np.linalg.eigh(0.5 * (H + H.T))
    top = np.argsort(-np.abs(values))[:2]
    np.testing.assert_allclose(done.eigenvalues, values[top], rtol=1e-3)
    for d, v in zip((done.d1, done.d2), vectors[:, top].T):
        assert abs(d @ v) == pytest.approx(1.0, abs=1e-3)
    assert result.curvatures == done.eigenvalues and "λ₁" in done.labels[0]
    # The curvature along two picked weights: diagonal entries of that Hessian.
    policy.set_weight_axes(3, 7)
    plane = policy.make_plane(snap)
    result = compute_surface(snap.network(plane.anchor), a.inputs_train, a.targets_train,
                             a.loss, plane, 5)
    np.testing.assert_allclose(result.curvatures, [H[3, 3], H[7, 7]], rtol=1e-6)


def test_a_fitted_span_lets_the_sharpest_parabola_rise_about_twice_the_cost():
    # ½·8·s² = 2·0.5 at s = 0.5; ½·2·s² = 2·0.1 (the floor) at s = 0.447, rounded up to 0.5.
    assert surface_curvature.span_for(8.0, 0.5) == 0.5
    assert surface_curvature.span_for(-2.0, 0.01) == 0.5
    assert surface_curvature.span_for(0.0, 0.5) == 1.0
    assert surface_curvature.span_for(1e-9, 0.5) == 100.0


def test_probe_params_and_words_read_like_the_axes():
    trainer = Trainer(presets.get(XOR).config)
    trainer.step(10)
    snap = capture(trainer)
    policy = PlanePolicy("weights")
    policy.start_run(snap)
    plane = policy.make_plane(snap)
    params = probe_params(plane, 0.5, -0.25)
    i, j = plane.weights
    assert params[i] == pytest.approx(snap.params[i] + 0.5)
    assert params[j] == pytest.approx(snap.params[j] - 0.25)
    assert probe_words(plane, 0.5, -0.25) == (f"{plane.labels[0]} = {snap.params[i] + 0.5:.3g}"
                                              f", {plane.labels[1]} = "
                                              f"{snap.params[j] - 0.25:.3g}")
    policy.set_mode("start_now")
    trainer.step(10)
    plane = policy.make_plane(capture(trainer))
    words = probe_words(plane, 0.0, 0.0)
    assert words.endswith("on the start → now plane") and words.startswith("α = ")
    np.testing.assert_allclose(plane.project(probe_params(plane, 0.2, 0.1)[None])[0],
                               [0.2, 0.1], atol=1e-9)


def test_picking_takes_the_front_point_under_the_pointer():
    # A camera looking down the z axis from z = 5 (perspective): x right, y up.
    f, near, far = 2.0, 0.1, 100.0
    projection = np.array([[f, 0, 0, 0], [0, f, 0, 0],
                           [0, 0, -(far + near) / (far - near), -2 * far * near / (far - near)],
                           [0, 0, -1, 0]])
    view = np.eye(4)
    view[2, 3] = -5.0
    points = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, -1.0], [0.5, 0.5, 0.0], [0, 0, 9.0]])
    x, y, depth = to_screen(points, projection @ view, 200, 200)
    assert (x[0], y[0]) == pytest.approx((100.0, 100.0))
    assert depth[0] == pytest.approx(4.0) and depth[3] < 0           # the last is behind
    assert x[2] > 100 and y[2] < 100                                 # right and up on screen
    assert pick_front(x, y, depth, 101, 99, 5, 0.5) == 0             # the nearer of two
    assert pick_front(x, y, depth, 10, 10, 5, 0.5) is None
    assert bilinear(np.array([[0.0, 1.0], [2.0, 3.0]]), np.array([0.0, 1.0]),
                    np.array([0.0, 1.0]), [(0.5, 0.5)])[0] == pytest.approx(1.5)


def test_after_a_divergence_the_sharpest_plane_is_made_around_the_restored_weights():
    trainer = Trainer(presets.get("Learning rate too large: diverges").config)
    with pytest.raises(DivergenceError):
        trainer.step(1000)
    snap = capture(trainer)
    policy = PlanePolicy("sharpest")
    policy.start_run(snap)
    plane = policy.make_plane(snap)
    np.testing.assert_array_equal(plane.anchor, snap.params)
    a = snap.arrays
    result = compute_surface(snap.network(plane.anchor), a.inputs_train, a.targets_train,
                             a.loss, plane, 5)
    assert np.all(np.isfinite(result.heights)) and np.all(np.isfinite(result.plane.d1))
