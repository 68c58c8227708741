"""Every view reads at a glance (issue 19): the real window at a laptop's 1366 × 768, at
1600 × 1000 and at 1280 × 720, trained a few steps, walked widget by widget (tests/gui/glance.py
says what is measured and why). A text cut short or a picture under 250 pixels fails, naming
the widget.

1280 × 720 is a 2560 × 1440 screen at a device pixel ratio of 2, in Qt's logical pixels (what
every layout here is measured in). The ratio is fixed once per process (QT_SCALE_FACTOR before
the QApplication exists), so the test takes a window of that logical size on the test screen;
the same window under ``QT_SCALE_FACTOR=2`` on a 2560 × 1440 Xvfb screen has
``devicePixelRatio() == 2`` and an available area of 1280 × 720 and lays out the same."""
import pytest
from PySide6.QtCore import QRect

import glance
from core.config import Config
from windows import TIMEOUT, close_window, latest, open_window, settings_in

SCREENS = [(1366, 768), (1600, 1000), (1280, 720)]
STEPS = 30


def open_on_screen(qtbot, tmp_path, screen, config=None):
    """The window as ``main()`` opens it on a screen of ``screen`` pixels (its available area:
    sized for it, then shown, :func:`gui.app.show_fitted`), with the default layout, trained
    :data:`STEPS` steps."""
    window = open_window(qtbot, settings_in(tmp_path), config=config, restore_layout=False,
                         area=QRect(0, 0, *screen))
    start = latest(window).step
    window.controller.step(STEPS)
    qtbot.waitUntil(lambda: latest(window).step >= start + STEPS, timeout=TIMEOUT)
    qtbot.wait(300)  # the views paint the last snapshot; the late tabs are placed
    return window


@pytest.fixture(params=SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def screen(request):
    return request.param


@pytest.fixture
def on_screen(qtbot, tmp_path, screen):
    window = open_on_screen(qtbot, tmp_path, screen)
    yield window
    close_window(window)


def test_the_window_fits_the_screen(on_screen, screen):
    width, height = screen
    assert on_screen.minimumSizeHint().width() <= width
    assert on_screen.minimumSizeHint().height() <= height
    assert on_screen.width() <= width and on_screen.height() <= height


@pytest.mark.parametrize("dataset", ["xor", "spiral3", "gauss_regression"])
def test_every_tab_reads_when_chosen(qtbot, tmp_path, screen, dataset):
    """The window of a two-class, a three-class (the tallest legend, three draw buttons) and
    a regression run (a colour bar; the metrics tab's parity plot), then each view behind a
    tab brought to the front in turn: its texts fit, its curve is as large as a line plot
    must be, and the two maps keep 250 pixels."""
    window = open_on_screen(qtbot, tmp_path, screen, Config(dataset=dataset))
    try:
        assert glance.elided(window) == []
        assert glance.small_plots(window) == []
        for dock in (window.metrics_dock, window.gradient_dock, window.anatomy_dock,
                     window.backprop_dock, window.sharpness_dock, window.interpolation_dock):
            dock.raise_()
            qtbot.waitUntil(lambda d=dock: d.widget().isVisible(), timeout=TIMEOUT)
            qtbot.wait(100)
            assert glance.elided(window) == [], dock.objectName()
            assert glance.small_plots(window) == [], dock.objectName()
        window.surface_dock.raise_()
        window.surface_view.tabs.setCurrentWidget(window.surface_view.tabs.contour)
        qtbot.wait(100)
        assert glance.elided(window) == []
        assert glance.small_plots(window) == []
    finally:
        close_window(window)


def test_the_views_are_tabbed_where_they_fit_and_all_named_in_the_view_menu(on_screen):
    window = on_screen
    behind_cost = {d.windowTitle() for d in window.tabifiedDockWidgets(window.cost_dock)}
    assert behind_cost == {"Metrics", "Gradient norms", "Anatomy"}
    behind_surface = {d.windowTitle() for d in window.tabifiedDockWidgets(window.surface_dock)}
    assert behind_surface == {"Backpropagation", "Sharpness", "Cost along a line"}
    listed = {a.text() for a in window.view_menu.actions()}
    assert {"Anatomy of the cost", "Sharpness", "Cost along a line", "Gradient norms",
            "Metrics", "Backpropagation"} <= listed


@pytest.mark.parametrize("dataset", ["spiral3", "gauss_regression", "sine"])
def test_other_tasks_read_at_a_glance_on_a_laptop(qtbot, tmp_path, dataset):
    """Three classes, a regression heatmap and a fitted curve at 1366 × 768: other legends,
    colour bars and draw buttons; the boundary's picture fills its plot."""
    window = open_on_screen(qtbot, tmp_path, SCREENS[0], Config(dataset=dataset))
    try:
        assert glance.elided(window) == []
        assert glance.small_plots(window) == []
        if dataset != "sine":
            assert_background_fills_the_plot(window.boundary_plot.canvas)
    finally:
        close_window(window)


def test_a_banner_keeps_the_pictures_and_the_window_on_the_screen(on_screen, qtbot, screen):
    """A two-line message takes its height from the cost curve and the network diagram: the
    boundary and the error surface keep theirs, and the window stays on the screen."""
    window = on_screen
    pictures = [size for _, _, size in glance.main_pictures(window)]
    window.show_message("<b>Why it is not learning: Plateau.</b> " + "The training cost has "
                        "stayed at 1.07 for the last 250 steps. " * 4, "warning")
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=TIMEOUT)
    qtbot.wait(200)
    label = window.banner.label
    assert label.height() >= 2 * label.fontMetrics().lineSpacing()  # (two lines at least)
    assert window.height() <= screen[1]
    assert window.minimumSizeHint().height() <= screen[1]
    assert glance.elided(window) == []
    if screen != (1280, 720):  # (there the columns' other docks are at their minimum)
        assert glance.small_plots(window) == []
    window.banner.clear()
    qtbot.waitUntil(lambda: not window.message_bar.isVisible(), timeout=TIMEOUT)
    qtbot.wait(200)
    assert [size for _, _, size in glance.main_pictures(window)] == pictures


def assert_background_fills_the_plot(canvas):
    """The view shows the network's output image edge to edge: no white bands beside it
    (issue 19: three-class plots had an x axis of −7…8 for data in −6…6)."""
    image = canvas.rgb_image if canvas.rgb_image.isVisible() else canvas.scalar_image
    assert image.isVisible()
    extent = image.mapRectToView(image.boundingRect())
    (x0, x1), (y0, y1) = canvas.view.viewRange()
    px, py = canvas.view.viewPixelSize()
    assert extent.left() <= x0 + px and extent.right() >= x1 - px
    assert extent.top() <= y0 + py and extent.bottom() >= y1 - py


def test_a_banner_takes_room_without_cutting_anything(on_screen, qtbot):
    window = on_screen
    window.show_message("<b>Training diverged and paused.</b> The cost became infinite: try a "
                        "smaller learning rate.", "error")
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=TIMEOUT)
    qtbot.wait(200)
    assert glance.elided(window) == []


def test_the_run_summary_stays_in_sight_and_says_it_all_in_its_tooltip(on_screen):
    """The toolbar keeps every button out of its » menu and shows a form of the summary that
    fits (at 1280 × 720 a shorter one); its tooltip has the whole sentence."""
    label = on_screen.summary_label
    assert label.isVisible() and label.text() in label.forms()
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
    assert label.forms()[0] in label.toolTip()
