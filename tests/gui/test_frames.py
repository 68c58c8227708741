"""A frame is painted in one repaint: the plots' deferred updates run before it, the 3-D view is
painted once per change, and readouts are rewritten at a readable pace while training runs."""
import numpy as np
import pytest
from PySide6.QtCore import QEvent

from gui.widgets.labels import FixedLabel, ReadoutPace
from windows import TIMEOUT, EventLog


def test_readout_pace_rewrites_always_when_paused_and_ten_times_a_second_when_running():
    now = [0.0]
    pace = ReadoutPace(per_second=10, clock=lambda: now[0])
    assert pace.due(running=True)
    now[0] = 0.05
    assert not pace.due(running=True)
    assert pace.due(running=False)  # a step or a pause: the exact numbers, at once
    now[0] = 0.12
    assert not pace.due(running=True)  # 0.07 s after the last rewrite
    now[0] = 0.151
    assert pace.due(running=True)


def test_a_frame_paints_each_plot_once(window, qtbot):
    """While training runs, the cost plot's range and curves and the decision boundary change
    at every frame. pyqtgraph defers part of that to the moment before a paint, and the scene
    hands changes to its widget in a queued call, so each plot painted in two to four
    repaints a frame; the frame's acknowledgement runs the deferred work first, and each plot
    paints once between two snapshots."""
    events = []
    window.controller.snapshot.connect(lambda snap: events.append("snapshot"))

    plots = (window.cost_plot.canvas.cost_widget.viewport(),
             window.boundary_plot.canvas.viewport())
    EventLog({QEvent.Paint}, *plots, into=events)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: events.count("snapshot") >= 20, timeout=TIMEOUT)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=TIMEOUT)
    qtbot.wait(200)
    frames = " ".join("s" if e == "snapshot" else str(plots.index(e)) for e in events)
    per_frame = [frame.split() for frame in frames.split("s")[1:]]
    assert sum(map(len, per_frame)) >= 20, frames  # the plots were repainted again and again
    for painted in per_frame:
        assert painted.count("0") <= 1 and painted.count("1") <= 1, frames


def test_fixed_label_paints_once_per_new_text_and_measures_like_a_label(qtbot):
    label = FixedLabel(2)
    qtbot.addWidget(label)
    label.resize(300, label.height())
    label.show()
    qtbot.waitExposed(label)
    counter = EventLog({QEvent.Paint}, label)
    label.setText("<b>cost</b> 0.25<br>test 0.5")
    qtbot.waitUntil(lambda: len(counter.seen) >= 1, timeout=TIMEOUT)
    qtbot.wait(100)  # a QLabel laid rich text out again 10 ms later and painted a second time
    assert len(counter.seen) == 1
    label.setText("<b>cost</b> 0.25<br>test 0.5")  # the same text: no repaint
    qtbot.wait(50)
    assert len(counter.seen) == 1
    assert label.sizeHint().width() > 40 and label.sizeHint().height() <= label.height() + 1
    long = FixedLabel(1, wrap=True)
    qtbot.addWidget(long)
    long.setText("word " * 40)
    assert long.wordWrap() and long.heightForWidth(100) > long.heightForWidth(1000)
    label.close()  # a top-level window of its own: gone before the next test's window


def test_fixed_label_keeps_room_for_its_lines_in_a_larger_font(qtbot):
    # Presentation mode sets a 1.5x font: the cost table's height, fixed for the old font,
    # kept two of its three lines (the test row was gone).
    label = FixedLabel(3)
    qtbot.addWidget(label)
    three = "<b>cost</b><br>train 0.25<br>test 0.5"
    label.fit_height(three)
    label.setText(three)
    before = label.height()
    font = label.font()
    font.setPointSizeF(1.5 * font.pointSizeF())
    label.setFont(font)
    assert label.height() >= label.heightForWidth(1000) and label.height() > 1.3 * before
    assert label.text() == three


def test_the_3d_view_paints_only_when_the_scene_paints_it(window, qtbot):
    """After a snapshot the scene paints the 3-D view at once; the update requests its items
    posted on the way must not paint the same picture again (they did, every time). Only a
    new size or exposure (the window system's asking) paints it otherwise."""
    surface = window.surface_view
    scene = surface.tabs.scene
    if scene is None:
        pytest.skip("no OpenGL here")
    qtbot.waitUntil(surface.is_settled, timeout=TIMEOUT)
    inside, log = [False], []
    paint_now, paint_gl = scene.paint_now, scene.view.paintGL

    def counted_paint_now():
        inside[0] = True
        try:
            paint_now()
        finally:
            inside[0] = False

    events = EventLog({QEvent.Resize, QEvent.Expose}, scene.view, into=log,
                      entry=lambda view: "resized")
    scene.paint_now = counted_paint_now
    scene.view.paintGL = lambda: (log.append("scene" if inside[0] else "other"), paint_gl())
    try:
        for _ in range(4):
            window.step_action.trigger()
            qtbot.wait(250)
        qtbot.waitUntil(surface.is_settled, timeout=TIMEOUT)
        qtbot.wait(200)
    finally:
        scene.paint_now, scene.view.paintGL = paint_now, paint_gl
        scene.view.removeEventFilter(events)
    assert log.count("scene") >= 4, log
    for before, paint in zip(["scene", *log], log):
        assert paint != "other" or before == "resized", f"painted twice: {log}"


def test_the_contour_map_out_of_sight_gets_new_planes_when_shown_or_paused(window, qtbot):
    """While training runs with the 3-D view in front, new planes (twice a second) skip the
    contour map; choosing its tab, or pausing, shows it the newest plane's surface."""
    surface = window.surface_view
    tabs = surface.tabs
    if tabs.scene is None:
        pytest.skip("no OpenGL here")
    qtbot.waitUntil(surface.is_settled, timeout=TIMEOUT)
    drawn = []
    set_surface = tabs.contour.set_surface
    tabs.contour.set_surface = lambda *args: (drawn.append(args[2].copy()), set_surface(*args))
    planes = []
    surface.requests.ready.connect(lambda result: planes.append(result))
    running = []  # frames of the running run the views were given (the surface's among them)
    window.controller.snapshot.connect(lambda snap: running.append(snap) if snap.running else None)
    window.play_action.trigger()
    # From the first running frame on (a plane that comes before it is drawn as it was).
    qtbot.waitUntil(lambda: bool(running), timeout=TIMEOUT)
    drawn.clear()
    planes.clear()
    qtbot.waitUntil(lambda: len(planes) >= 2, timeout=TIMEOUT)
    assert not drawn  # running, the map out of sight: not drawn
    tabs.setCurrentWidget(tabs.contour)  # shown: the newest surface at once
    assert len(drawn) == 1
    np.testing.assert_array_equal(drawn[-1], surface.result.heights)
    tabs.setCurrentWidget(tabs.gl_container)
    window.play_action.trigger()  # pause: the plane made for the paused weights goes on both
    qtbot.waitUntil(lambda: not window.controller.running, timeout=TIMEOUT)
    qtbot.waitUntil(surface.is_settled, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: drawn and np.array_equal(drawn[-1], surface.result.heights),
                    timeout=TIMEOUT)
