"""Issue 15, the landscape instruments, in the real window: one test per instrument.

The cost along the line from the start to now (live, through the costs the status bar shows)
and between the final weights of two pinned runs; the sharpness curve with 2/η; the divergence
message of the "learning rate too large" preset; the surface along the two sharpest directions
and the curvature under each picked weight; hovering and clicking the contour map and the 3-D
surface shows that network in the boundary view, "Move the weights here" moves them, Ctrl+Z
puts them back and training goes on.
"""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from core import landscape, presets, stability
from core.config import Config
from gui.views.surface.geometry import to_screen
from gui.views.surface.model import probe_params
from windows import TIMEOUT, close_window, latest, open_window, settings_in, start, train

XOR = "XOR truth table (2-4-1 sigmoid, MSE, SGD)"
CIRCLE = Config(dataset="circle", hidden_layers=(4, 2), activation="tanh", optimizer="sgd",
                learning_rate=0.03, batch_size=10)


@pytest.fixture
def window(qtbot, tmp_path):
    window = open_window(qtbot, settings_in(tmp_path), restore_layout=False, activate=True)
    window.resize(1600, 1000)
    yield window
    close_window(window)


def pin(qtbot, window):
    """Pin run, once the cost view shows the newest step (as a learner sees it)."""
    qtbot.waitUntil(lambda: window.cost_plot.model.step == latest(window).step, timeout=TIMEOUT)
    window.pin_action.trigger()
    return latest(window).params.copy()


def cost(snap, params, test=False):
    a = snap.arrays
    X, y = (a.inputs_test, a.targets_test) if test else (a.inputs_train, a.targets_train)
    return snap.network(params).cost(X, y, a.loss, snap.l1, snap.l2)


def line_for(qtbot, view, snap, keys=("start", "now")):
    qtbot.waitUntil(lambda: view.line is not None and view.line.step == snap.step
                    and view.line.keys == keys and view.line.run == snap.run, timeout=TIMEOUT)
    return view.line


def ends(line):
    return (line.train[np.argmin(np.abs(line.alphas))],
            line.train[np.argmin(np.abs(line.alphas - 1))])


# ------------------------------------------------------------------------------ the line
def test_the_line_from_the_start_to_now_follows_training(window, qtbot):
    view = window.interpolation_view
    window.interpolation_dock.raise_()
    start(qtbot, window, CIRCLE)
    train(qtbot, window, 200)
    snap = latest(window)
    line = line_for(qtbot, view, snap)
    first, last = ends(line)
    assert first == cost(snap, snap.path[0])
    assert last == cost(snap, snap.params)
    # (The trainer scores with its own fused forward pass: equal to a few ulps.)
    assert last == pytest.approx(snap.metrics["train_cost"], rel=1e-13)
    assert float(window.status_labels["train"].text().split()[-1]) == pytest.approx(last,
                                                                                   abs=1e-4)
    assert line.test is not None and len(line.alphas) == 201
    assert "falls all the way" in view.summary.text() or "climbs" in view.summary.text()
    ticks = dict(view.canvas.plot.getAxis("bottom")._tickLevels[0])
    assert ticks[0.0] == "0: start" and ticks[1.0] == "1: now"
    train(qtbot, window, 50)  # live: a new step, a new line
    line_for(qtbot, view, latest(window))


def test_a_line_joins_the_final_weights_of_two_pinned_runs(window, qtbot):
    view = window.interpolation_view
    window.interpolation_dock.raise_()
    start(qtbot, window, CIRCLE)
    train(qtbot, window, 300)
    first = pin(qtbot, window)
    start(qtbot, window, CIRCLE.replace(init="he"))   # another start, the same network
    train(qtbot, window, 300)
    second = pin(qtbot, window)
    keys = [view.to_combo.itemData(k) for k in range(view.to_combo.count())]
    assert keys == ["now", "pin:1", "pin:2"]
    view.set_endpoints("pin:1", "pin:2")
    snap = latest(window)
    line = line_for(qtbot, view, snap, ("pin:1", "pin:2"))
    assert ends(line) == (cost(snap, first), cost(snap, second))
    assert "run 1" in view.summary.text() and "run 2" in view.summary.text()
    # A pinned run of another network cannot be joined: listed, but not choosable.
    start(qtbot, window, CIRCLE.replace(hidden_layers=(3,)))
    qtbot.waitUntil(lambda: view.keys() == ("start", "now"), timeout=TIMEOUT)
    item = view.from_combo.model().item(view.from_combo.findData("pin:1"))
    assert not item.isEnabled() and "another network" in item.toolTip()


# ------------------------------------------------------------------------------ sharpness
def test_the_sharpness_follows_training_beside_the_cost_with_2_over_eta(window, qtbot):
    view = window.sharpness_view
    window.sharpness_dock.raise_()
    start(qtbot, window, CIRCLE.replace(learning_rate=0.5, batch_size=250))
    window.play_action.trigger()
    qtbot.waitUntil(lambda: len(view.samples) >= 3, timeout=TIMEOUT)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: not latest(window).running, timeout=TIMEOUT)
    snap = latest(window)
    qtbot.waitUntil(lambda: view.samples[-1].step == snap.step, timeout=TIMEOUT)
    sample = view.samples[-1]
    exact = stability.sharpness(snap.network(), snap.arrays.inputs_train,
                                snap.arrays.targets_train, snap.arrays.loss, k=2, tol=1e-9)
    np.testing.assert_allclose(sample.values, exact.values, rtol=2e-3)
    steps = [s.step for s in view.samples]
    assert steps == sorted(steps) and len(set(steps)) == len(steps)
    _, limit = view.canvas.limit.getData()
    assert limit[-1] == pytest.approx(2 / 0.5)
    assert "2/η = 4" in view.readout.text() and "λ_max" in view.readout.text()
    assert "╌ 2/η = 4" in view.note.text()  # the curves named under the plots
    _, costs = view.canvas.cost.getData()
    assert len(costs) > 1  # the train cost above it


def test_the_divergence_message_names_lambda_max_and_2_over_eta(window, qtbot):
    preset = presets.get("Learning rate too large: diverges")
    window.apply_preset(preset)
    qtbot.waitUntil(lambda: latest(window).config == preset.config, timeout=TIMEOUT)
    with qtbot.waitSignal(window.controller.diverged, timeout=TIMEOUT):
        window.play_action.trigger()
    qtbot.waitUntil(lambda: window.banner.level == "error", timeout=TIMEOUT)
    text = window.banner.text()
    assert "λ_max = " in text and "is above 2/η = 0.667" in text
    assert "smaller learning rate, below 0.43" in text


# ------------------------------------------------------------------------------ the surface
def test_the_surface_along_the_two_sharpest_directions_and_the_curvature_of_picked_weights(
        window, qtbot):
    view = window.surface_view
    start(qtbot, window, presets.get(XOR).config)
    train(qtbot, window, 1000)
    combo = view.controls.mode_combo
    combo.setCurrentIndex(combo.findData("sharpest"))
    snap = latest(window)
    qtbot.waitUntil(lambda: view.is_settled() and view.plane.mode == "sharpest"
                    and view.plane.holds(snap.params), timeout=TIMEOUT)
    plane, a = view.plane, snap.arrays
    values, vectors = landscape.hessian_eigs(snap.network(), a.inputs_train, a.targets_train,
                                             a.loss, k=2)
    np.testing.assert_allclose(plane.eigenvalues, values, rtol=2e-3)
    for d, v in zip((plane.d1, plane.d2), vectors):
        assert abs(d @ v) == pytest.approx(1.0, abs=2e-3)
    assert f"λ₁ = {plane.eigenvalues[0]:.3g}" in plane.labels[0]
    assert "Hessian" in view.info.text() and view.controls.span_spin.value() == plane.span
    # Two links of the diagram picked: beside each weight, its curvature ∂²C/∂w².
    layout = snap.layout
    i, j = layout.index("W", 1, 0, 0), layout.index("W", 1, 1, 0)
    for index in (i, j):
        window.network_diagram.weight_clicked.emit(index)
    qtbot.waitUntil(lambda: view.is_settled() and view.plane.weights == (i, j), timeout=TIMEOUT)
    units = np.eye(snap.layout.n_params)[[i, j]]
    diagonal = [u @ landscape.hessian_vector_product(snap.network(), a.inputs_train,
                                                     a.targets_train, a.loss, u)
                for u in units]
    texts = [label.text() for label in view.controls.curvature_labels]
    assert texts == [f"∂²C/∂w² = {value:.3g}" for value in diagonal]


def _contour_pixel(view, x, y):
    plot = view.contour.plot_widget
    scene = view.contour.plot.vb.mapViewToScene(QPointF(x, y))
    return plot.viewport(), plot.mapFromScene(scene)


def test_pointing_at_the_contour_map_shows_that_network_and_moving_there_is_undoable(
        window, qtbot):
    view, boundary = window.surface_view, window.boundary_plot
    start(qtbot, window, CIRCLE)
    train(qtbot, window, 200)
    view.tabs.setCurrentWidget(view.contour)
    snap = latest(window)
    qtbot.waitUntil(lambda: view.is_settled() and view.plane.holds(snap.params),
                    timeout=TIMEOUT)
    plane = view.plane
    x, y = plane.offsets[0] + 0.4 * plane.span, plane.offsets[1] - 0.3 * plane.span
    viewport, pixel = _contour_pixel(view, x, y)
    QTest.mouseMove(viewport, pixel)
    qtbot.waitUntil(lambda: boundary.overlay.output is not None, timeout=TIMEOUT)
    probe = window.selection.probed
    assert not probe.pinned and probe.run == snap.run
    alpha, beta = plane.project(probe.params[None])[0]
    assert alpha == pytest.approx(0.4 * plane.span, abs=0.02 * plane.span)
    assert beta == pytest.approx(-0.3 * plane.span, abs=0.02 * plane.span)
    scores = boundary.overlay.output.scores
    assert scores["train_cost"] == pytest.approx(cost(snap, probe.params), rel=1e-12)
    assert boundary.overlay.line.isVisible() and boundary.overlay.caption.isVisible()
    assert boundary.hover_label.text().startswith(f"┅ cost {scores['train_cost']:.3g}, accuracy")
    assert probe.words in boundary.hover_label.text()
    assert not boundary.overlay.move_button.isVisible()
    # A click pins it: the button to move there appears (and the menu action is enabled).
    QTest.mouseClick(viewport, Qt.LeftButton, Qt.NoModifier, pixel)
    qtbot.waitUntil(lambda: window.selection.pinned_probe is not None
                    and boundary.overlay.output.probe.pinned, timeout=TIMEOUT)
    pinned = window.selection.pinned_probe
    assert boundary.overlay.move_button.isVisible() and window.instruments.move_action.isEnabled()
    qtbot.mouseClick(boundary.overlay.move_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: np.array_equal(latest(window).params, pinned.params),
                    timeout=TIMEOUT)
    assert window.selection.pinned_probe is None and not boundary.overlay.line.isVisible()
    assert "Weights moved to" in window.statusBar().currentMessage()
    QTest.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    qtbot.waitUntil(lambda: np.array_equal(latest(window).params, snap.params), timeout=TIMEOUT)
    QTest.keyClick(window, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.waitUntil(lambda: np.array_equal(latest(window).params, pinned.params),
                    timeout=TIMEOUT)
    train(qtbot, window, 10)  # and training goes on from there
    assert latest(window).step == snap.step + 10
    assert not np.array_equal(latest(window).params, pinned.params)


def test_clicking_the_3d_surface_picks_the_point_under_the_pointer(window, qtbot):
    view = window.surface_view
    if not view.gl_available():
        pytest.skip("no OpenGL here: run the tests under Xvfb (xcb)")
    start(qtbot, window, presets.get(XOR).config)
    train(qtbot, window, 500)
    snap = latest(window)
    qtbot.waitUntil(lambda: view.is_settled() and view.plane.holds(snap.params),
                    timeout=TIMEOUT)
    scene, plane, result = view.scene, view.plane, view.result
    # The grid point nearest the camera, among those in the view, cannot be hidden.
    lo, hi = view._zrange
    A, B = (g.ravel() for g in np.meshgrid(result.alphas, result.betas))
    box = np.column_stack([A / plane.span, B / plane.span,
                           (np.clip(result.heights.ravel(), lo, hi) - lo) / (hi - lo)])
    gl = scene.view
    w, h = gl.width(), gl.height()
    mvp = (np.array(gl.projectionMatrix((0, 0, w, h), (0, 0, w, h)).copyDataTo()).reshape(4, 4)
           @ np.array(gl.viewMatrix().copyDataTo()).reshape(4, 4))
    sx, sy, depth = to_screen(box, mvp, w, h)
    inside = np.flatnonzero((sx > 20) & (sx < w - 20) & (sy > 20) & (sy < h - 20))
    k = inside[np.argmin(depth[inside])]
    QTest.mouseClick(gl, Qt.LeftButton, Qt.NoModifier, QPoint(round(sx[k]), round(sy[k])))
    qtbot.waitUntil(lambda: window.selection.pinned_probe is not None, timeout=TIMEOUT)
    step = result.alphas[1] - result.alphas[0]
    got = plane.project(window.selection.pinned_probe.params[None])[0]
    np.testing.assert_allclose(got, [A[k], B[k]], atol=1.01 * step)
    np.testing.assert_allclose(window.selection.pinned_probe.params,
                               probe_params(plane, *got), atol=1e-9)
    assert scene.probe_dot.visible()
    qtbot.waitUntil(lambda: window.boundary_plot.overlay.output is not None, timeout=TIMEOUT)
