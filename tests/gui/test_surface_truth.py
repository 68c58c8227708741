"""Issue 14, "the error surface tells the truth", in the real window: one test per scenario.

The current point is on the surface at the train cost the status bar shows; after a divergence
every tick is finite and distinct; a step activation gets a surface and the reason it is flat;
zero initialization with random directions raises nothing; the plane keeps up with training
(never more than 1 s behind at the default speed, on it within 0.5 s after Pause); a newer
request stops the running computation; the camera shows the path, titles stay clear of ticks
and the box stays in the view at any rotation, at 1366×768 too.
"""
import dataclasses
import math
import time

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QMatrix4x4, QPainter, QVector3D

from core import presets
from core.config import Config
from gui.views.surface import requests as surface_requests
from gui.views.surface.geometry import camera_position, occluded
from gui.views.surface.glview import Labels, clear_offset, draw_labels
from windows import TIMEOUT, close_window, latest, open_window, settings_in, start, train

XOR = "XOR truth table (2-4-1 sigmoid, MSE, SGD)"


@pytest.fixture
def open_(qtbot, tmp_path):
    windows = []

    def make(config=None, size=(1600, 1000)):
        window = open_window(qtbot, settings_in(tmp_path), config=config, restore_layout=False)
        window.resize(*size)
        windows.append(window)
        return window

    yield make
    for window in windows:
        close_window(window)


def settled(qtbot, view, window):
    """Until the view shows the newest snapshot's plane, full grid, and has drawn its path."""
    def done():
        snap = latest(window)
        return (view.is_settled() and view._latest is snap and view.path is not None
                and len(view.path.xy) == len(snap.path))
    qtbot.waitUntil(done, timeout=TIMEOUT)


def status_number(window, key):
    return float(window.status_labels[key].text().split()[-1])


def needs_gl(view):
    if not view.gl_available():
        pytest.skip("no OpenGL here: run the tests under Xvfb (xcb)")


# ------------------------------------------------------------------------------ scenarios
def test_two_weights_picked_after_training_show_the_current_point_at_its_train_cost(
        open_, qtbot):
    window = open_()
    view = window.surface_view
    start(qtbot, window, presets.get(XOR).config)
    train(qtbot, window, 3000)
    layout = latest(window).layout
    i, j = layout.index("W", 1, 0, 0), layout.index("W", 1, 1, 0)
    for index in (i, j):  # two clicks on links of the diagram
        window.network_diagram.weight_clicked.emit(index)
    settled(qtbot, view, window)
    snap, plane = latest(window), view.plane
    assert plane.weights == (i, j) and plane.holds(snap.params)  # around the current weights
    cost = snap.metrics["train_cost"]
    assert view.path.costs[-1] == pytest.approx(cost, rel=1e-9)
    assert view.path_heights[-1] == pytest.approx(cost, rel=1e-9)
    assert status_number(window, "train") == pytest.approx(cost, abs=1e-4)
    # The surface under it is the same cost (to the grid's interpolation), so the path ends
    # on the surface, not above or below it.
    result = view.result
    assert view.path.under[-1] == pytest.approx(cost, abs=0.01 * (result.hi - result.lo))
    if view.gl_available():
        marker = view.scene.marker.pos[0]
        lo, hi = view._zrange
        assert marker[2] == pytest.approx(cost + 0.012 * (hi - lo), rel=1e-6)


def test_after_a_divergence_every_tick_is_finite_and_distinct(open_, qtbot):
    window = open_()
    view = window.surface_view
    needs_gl(view)
    start(qtbot, window, presets.get("Learning rate too large: diverges").config)
    with qtbot.waitSignal(window.controller.diverged, timeout=TIMEOUT):
        window.play_action.trigger()
    qtbot.waitUntil(lambda: not latest(window).running, timeout=TIMEOUT)
    settled(qtbot, view, window)
    plane, result = view.plane, view.result
    assert plane.holds(latest(window).params)  # around the last good weights
    assert "diverged" in view.notice.text() and "learning rate" in view.notice.text()
    assert np.isfinite(result.heights).all() and result.hi > result.lo  # not an empty box
    assert view.scene.surface.visible()
    for axis, labels in view.scene.ticks.items():
        values = [float(label) for label in labels]
        assert len(values) >= 2, axis
        assert np.isfinite(values).all() and len(set(labels)) == len(labels), (axis, labels)
    levels = view.contour.colour_bar.levels()
    assert np.isfinite(levels).all() and levels[1] > levels[0]


def test_a_step_activation_gets_a_surface_and_the_reason(open_, qtbot):
    window = open_()
    view = window.surface_view
    start(qtbot, window, presets.get("Step activation: no gradient, no learning").config)
    train(qtbot, window, 300)
    settled(qtbot, view, window)
    assert view.result is not None and view.plane.through_step == 300
    words = "the gradient is zero everywhere here, so the weights never move"
    assert words in view.notice.text() and view.notice.isVisible()
    shown = [view.info.text(), view.notice.text(), view.status.text()]
    if view.scene is not None:
        assert view.scene.surface.visible()
        shown += [entry[1] for entry in view.scene.labels.entries]
    assert not any("Press Play" in text for text in shown)


def test_zero_initialization_with_random_directions_raises_nothing(open_, qtbot):
    window = open_()
    view = window.surface_view
    config = window.config.replace(init="zeros")
    start(qtbot, window, config)
    view.set_mode("random")  # every snapshot with zero weights: no LinAlgError in any slot
    for _ in range(3):
        train(qtbot, window, 5)
        settled(qtbot, view, window)
    assert "incoming weights are zero" in view.notice.text()
    assert np.isfinite(view.path_xy).all() and np.isfinite(view.result.heights).all()


def test_two_equal_weights_picked_give_a_plane_and_a_message(open_, qtbot):
    window = open_()
    view = window.surface_view
    settled(qtbot, view, window)
    first, second = view.controls.weight_pickers
    first.set_index(0)
    second.set_index(0)
    second.changed.emit()  # as if the learner picked the same weight on both axes
    settled(qtbot, view, window)
    assert view.plane.weights[0] == 0 and view.plane.weights[1] != 0
    assert "a surface needs two different parameters" in view.notice.text()


# ------------------------------------------------------------------------------ keeping up
def test_the_plane_keeps_up_with_training_and_catches_up_after_pause(open_, qtbot):
    window = open_()
    view = window.surface_view  # start → now, following training, at the default speed
    settled(qtbot, view, window)
    arrived, lags = {}, []

    def on_snapshot(snap):
        arrived.setdefault(snap.step, time.monotonic())
        plane = view.plane
        if plane is not None and plane.through_step in arrived and snap.running:
            lags.append(time.monotonic() - arrived[plane.through_step])

    window.controller.snapshot.connect(on_snapshot)
    window.play_action.trigger()
    qtbot.wait(3000)
    assert lags and max(lags[5:]) < 1.0, max(lags)
    window.play_action.trigger()  # pause
    paused = time.monotonic()
    qtbot.waitUntil(lambda: not latest(window).running
                    and view.plane.holds(latest(window).params), timeout=TIMEOUT)
    assert time.monotonic() - paused < 0.5
    # ... and the full grid follows.
    settled(qtbot, view, window)
    assert view.plane.resolution == 60


def test_a_newer_request_stops_the_running_computation(open_, qtbot, monkeypatch):
    window = open_(config=Config(dataset="circle", n_samples=1000, hidden_layers=(64, 64)))
    view = window.surface_view
    settled(qtbot, view, window)
    outcomes = []
    original = surface_requests.compute_surface

    def recording(*args, **kwargs):
        span = args[4].span  # (net, X, targets, loss, plane, resolution)
        try:
            result = original(*args, **kwargs)
        except Exception as err:
            outcomes.append((span, type(err).__name__))
            raise
        outcomes.append((span, len(result.alphas)))
        return result

    monkeypatch.setattr(surface_requests, "compute_surface", recording)
    slow = dataclasses.replace(view.plane, span=2.0, resolution=100)
    view.requests.want(slow, latest(window), preview=False)  # seconds of work
    qtbot.wait(200)
    started = time.monotonic()
    quick = dataclasses.replace(slow, span=0.5, resolution=15)
    view.requests.want(quick, latest(window))  # another one is wanted meanwhile
    qtbot.waitUntil(lambda: view.plane is quick, timeout=TIMEOUT)
    assert time.monotonic() - started < 3.0
    assert outcomes == [(2.0, "Cancelled"), (0.5, 15)]  # stopped between chunks


# ------------------------------------------------------------------------------ the picture
def ndc(view, point):
    """Normalized device coordinates of a box point in the GL view (x, y in [-1, 1] inside)."""
    gl = view.scene.view
    w, h = gl.width(), gl.height()
    matrix = gl.projectionMatrix((0, 0, w, h), (0, 0, w, h)) * gl.viewMatrix()
    p = matrix.map(QVector3D(*point))
    return p.x(), p.y()


@pytest.mark.parametrize("size", [(1366, 768), (1600, 1000)])
def test_the_box_stays_in_view_and_titles_clear_of_ticks_at_any_rotation(open_, qtbot, size):
    window = open_(size=size)
    view = window.surface_view
    needs_gl(view)
    train(qtbot, window, 500)
    settled(qtbot, view, window)
    gl = view.scene.view
    assert gl.width() >= 320 and gl.height() >= 150, (gl.width(), gl.height())
    # The default camera shows the current point (the surface does not hide it).
    plane, result = view.plane, view.result
    lo, hi = view._zrange
    current = np.array([*view.path_xy[-1] / plane.span,
                        (view.path_heights[-1] - lo) / (hi - lo) + 0.012])
    azimuth, elevation = view.scene.angles()
    camera = camera_position(azimuth, elevation, gl.opts["distance"], (0, 0, 0.5))
    heights = (np.clip(result.heights, lo, hi) - lo) / (hi - lo)
    assert not occluded(heights, result.alphas / plane.span, result.betas / plane.span,
                        current[None], camera)[0]
    corners = [(x, y, z) for x in (-1, 1) for y in (-1, 1) for z in (0, 1)]
    for azimuth in range(-180, 180, 45):
        for elevation in (5, 35, 60, 90):
            gl.setCameraPosition(azimuth=azimuth, elevation=elevation)
            assert gl.opts["elevation"] <= 80  # never straight down: the labels would pile up
            for corner in corners:
                x, y = ndc(view, corner)
                assert abs(x) <= 1 and abs(y) <= 1, (azimuth, elevation, corner)
            gl.grabFramebuffer()  # paints the labels
            drawn = view.scene.labels.drawn
            frame = QRect(0, 0, gl.width(), gl.height())
            titles = [rect for _, rect, bold in drawn if bold]
            ticks = [rect for _, rect, bold in drawn if not bold]
            assert len(titles) == 3 and len(ticks) >= 4
            for rect in titles:
                assert not any(rect.intersects(tick) for tick in ticks)
            for _, rect, _ in drawn:
                assert frame.adjusted(-1, -1, 1, 1).contains(rect.toAlignedRect())
    view.reset_view()
    assert not math.isclose(gl.opts["elevation"], 80.0)


def test_a_title_at_the_edge_finds_room_beside_the_ticks_it_would_be_pushed_back_onto(qtbot):
    # Presentation mode: "start → now" at the left edge moved left, away from the middle,
    # until clear of the cost axis' "0.5", then was pushed back inside onto it.
    font = QFont()
    font.setPointSizeF(1.5 * font.pointSizeF())
    bold = QFont(font)
    bold.setBold(True)
    labels = Labels()
    project = QMatrix4x4()
    project.translate(200, 150, 0)  # the middle of the view, (0, 0, 0.5), at (200, 150)
    labels.set_entries([((-192, -4, 0), "0.5", font, QColor("black"), Qt.AlignLeft),
                        ((-190, 0, 0), "start → now", bold, QColor("black"), Qt.AlignLeft)])
    image = QImage(400, 300, QImage.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    drawn = draw_labels(painter, project, 400, 300, labels.entries)
    painter.end()
    (_, tick, _), (_, title, _) = drawn
    assert not title.intersects(tick)
    assert QRectF(0, 0, 400, 300).contains(title)
    assert abs(title.center().y() - tick.center().y()) < 60  # nearby, not far off


def test_a_title_moves_away_from_the_middle_first():
    # Past a column of text it keeps to its side of it.
    offset = clear_offset(QRectF(200, 92, 50, 20), QPointF(1, 0), [QRectF(190, 0, 40, 300)],
                          400, 300)
    assert (offset.x(), offset.y()) == (30, 0)
