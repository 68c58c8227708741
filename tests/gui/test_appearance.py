"""View → Presentation mode (F11, Esc), View → Theme and the colour-blind-safe colours, on the
real window: what they change, that leaving puts everything back, that the choice is remembered,
and that every view really paints in the dark theme's colours."""
import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from gui import style
from gui.theme import qt_palette, translate
from gui.window import presentation as presentation_module
from gui.window.presentation import SCALE
from windows import TIMEOUT, close_window, latest, open_window


@pytest.fixture(autouse=True)
def _light_again():
    """The palette is the application's: give the next test the light one back."""
    yield
    style.use(style.LIGHT)
    style.set_font_scale(1.0)
    if QApplication.instance() is not None:
        QApplication.instance().setPalette(qt_palette(False))
    pg.setConfigOptions(background=style.LIGHT.BACKGROUND, foreground=style.LIGHT.INK)


pytestmark = pytest.mark.sends_keys  # (the window fixture activates the window)


def _settle(qtbot, window):
    qtbot.waitUntil(lambda: window.frames_shown > 0, timeout=TIMEOUT)
    qtbot.wait(100)


def _axes(widget):
    return [item for view in widget.findChildren(pg.GraphicsView)
            for item in view.scene().items() if isinstance(item, pg.AxisItem)]


def _explicit_font_widget(window):
    """A widget whose font was set by hand (it does not follow the application's font)."""
    return next(w for w in window.findChildren(QWidget)
                if w.testAttribute(Qt.WA_SetFont) and w.font().pointSizeF() > 0)


# ---------------------------------------------------------------------------- presentation
def test_f11_presents_and_leaving_puts_back_geometry_layout_and_fonts(window, qtbot):
    _settle(qtbot, window)
    presentation = window.appearance.presentation
    rect, state = window.geometry(), window.saveState()
    app_size = QApplication.font().pointSizeF()
    widget = _explicit_font_widget(window)
    widget_size = widget.font().pointSizeF()
    axis = window.cost_plot.canvas.cost_item.getAxis("left")
    axis_tick_font, axis_width = axis.style["tickFont"], axis.fixedWidth

    qtbot.keyClick(window, Qt.Key_F11)
    assert presentation.active and window.isFullScreen()
    assert presentation.action.isChecked()
    assert not window.menuBar().isVisible() and not window.statusBar().isVisible()
    assert window.run_toolbar.isVisible() and window.play_action.isEnabled()
    assert QApplication.font().pointSizeF() == pytest.approx(app_size * SCALE)
    assert widget.font().pointSizeF() == pytest.approx(widget_size * SCALE)
    assert axis.style["tickFont"].pointSizeF() == pytest.approx(
        window.cost_plot.canvas.cost_widget.font().pointSizeF())  # the app's, now larger
    assert axis.style["tickFont"].pointSizeF() == pytest.approx(app_size * SCALE)
    assert axis.fixedWidth == pytest.approx(axis_width * SCALE)
    assert style.font_scale() == SCALE
    assert "F11" in presentation.action.toolTip() and "Esc" in presentation.action.toolTip()
    # The menus' shortcuts still work without the menu bar.
    assert window.code_action in window.actions()

    qtbot.keyClick(window, Qt.Key_F11)
    assert not presentation.active and not presentation.action.isChecked()
    qtbot.waitUntil(lambda: window.geometry() == rect, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.saveState() == state, timeout=TIMEOUT)
    assert not window.isFullScreen()
    assert window.menuBar().isVisible() and window.statusBar().isVisible()
    assert QApplication.font().pointSizeF() == app_size
    assert widget.font().pointSizeF() == widget_size
    assert axis.style["tickFont"] == axis_tick_font and axis.fixedWidth == axis_width
    assert style.font_scale() == 1.0
    assert window.code_action not in window.actions()


def test_help_lists_f11_and_esc(window, qtbot):
    from gui.dialogs.shortcuts import ShortcutsDialog

    dialog = ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    text = dialog.browser.toPlainText()
    assert "F11" in text and "Presentation mode" in text and "Esc" in text


@pytest.mark.parametrize("room, controls", [(0, True), (10_000, False)])
def test_the_controls_make_way_on_a_screen_without_room_for_the_pictures(window, qtbot,
                                                                          monkeypatch, room,
                                                                          controls):
    """(The screen here is 1600 wide; a projector's 1366 is as if the pictures needed more.)"""
    _settle(qtbot, window)
    monkeypatch.setattr(presentation_module, "ROOM_FOR_PICTURES", room)
    window.appearance.presentation.action.trigger()
    qtbot.wait(100)
    assert window.controls_dock.isVisible() == controls
    window.appearance.presentation.action.trigger()
    qtbot.waitUntil(lambda: window.controls_dock.isVisible(), timeout=TIMEOUT)


def test_the_surface_status_keeps_two_whole_lines_at_the_larger_text(window, qtbot):
    """(Its height was fixed for the font it was made with: presenting cut its second line.)"""
    _settle(qtbot, window)
    status = window.surface_view.status
    small = status.height()
    window.appearance.presentation.action.trigger()
    qtbot.waitUntil(lambda: status.height() >= 2 * status.fontMetrics().lineSpacing(),
                    timeout=TIMEOUT)
    assert status.height() > small and status.parent().height() == status.height()
    window.appearance.presentation.action.trigger()
    qtbot.waitUntil(lambda: status.height() == small, timeout=TIMEOUT)
    assert status.parent().height() == small


def test_escape_leaves_presentation_mode(window, qtbot):
    presentation = window.appearance.presentation
    rect = window.geometry()
    qtbot.keyClick(window, Qt.Key_Escape)  # nothing to leave: nothing happens
    assert not presentation.active
    window.appearance.presentation.action.trigger()
    assert presentation.active
    qtbot.keyClick(window, Qt.Key_Escape)
    assert not presentation.active and not presentation.action.isChecked()
    qtbot.waitUntil(lambda: window.geometry() == rect, timeout=TIMEOUT)


def test_leaving_after_the_views_rebuilt_their_widgets(window, qtbot):
    """Widgets made and deleted while presenting (a new network's input buttons, the
    backpropagation view's tables) do not stop the window from coming back."""
    _settle(qtbot, window)
    rect = window.geometry()
    window.backprop_dock.show()
    window.appearance.presentation.action.trigger()
    window.apply_config(window.config.replace(hidden_layers=(3,), dataset="spiral"), reset=True)
    qtbot.waitUntil(lambda: latest(window).layer_sizes[1:-1] == (3,), timeout=TIMEOUT)
    window.step_action.trigger()
    qtbot.wait(200)
    window.appearance.presentation.action.trigger()
    qtbot.waitUntil(lambda: window.geometry() == rect, timeout=TIMEOUT)
    assert window.menuBar().isVisible() and style.font_scale() == 1.0


def test_presentation_grows_the_3d_labels_and_formulas(window, qtbot):
    _settle(qtbot, window)
    scene = window.surface_view.scene
    if scene is None:
        pytest.skip("no OpenGL here")
    qtbot.waitUntil(lambda: bool(scene.labels.entries), timeout=TIMEOUT)
    before = max(entry[2].pointSizeF() for entry in scene.labels.entries)
    formula = next(w for w in window.findChildren(QWidget)
                   if type(w).__name__ == "MathLabel" and w.pixmap() is not None
                   and not w.pixmap().isNull())
    height = formula.pixmap().height()
    window.appearance.presentation.action.trigger()
    after = max(entry[2].pointSizeF() for entry in scene.labels.entries)
    assert after == pytest.approx(before * SCALE)
    qtbot.waitUntil(lambda: formula.pixmap().height() > 1.3 * height, timeout=TIMEOUT)
    window.appearance.presentation.action.trigger()
    assert max(entry[2].pointSizeF() for entry in scene.labels.entries) == pytest.approx(before)


# ---------------------------------------------------------------------------- theme
def test_the_theme_menu_has_three_choices_and_follows_the_system_by_default(window):
    actions = window.appearance.theme_actions
    assert set(actions) == {"system", "light", "dark"}
    assert actions["system"].isChecked()
    assert all(action.toolTip() for action in actions.values())
    assert not window.appearance.colour_blind_action.isChecked()


def test_the_theme_is_remembered_for_the_next_window(qtbot, settings):
    first = open_window(qtbot, settings)
    first.appearance.theme_actions["dark"].trigger()
    first.appearance.colour_blind_action.setChecked(True)
    close_window(first)
    style.use(style.LIGHT)  # as a new process would start
    second = open_window(qtbot, settings)
    try:
        assert second.appearance.theme_actions["dark"].isChecked()
        assert second.appearance.colour_blind_action.isChecked()
        assert style.current() is style.DARK_COLOUR_BLIND
        background = QApplication.palette().color(QPalette.Window)
        assert background.lightness() < 80
    finally:
        close_window(second)


def _lightness(colour) -> int:
    return QColor(colour).lightness()


def _views_with_plots(window):
    return [dock for dock in window.views if dock.widget().findChildren(pg.GraphicsView)]


def test_dark_theme_changes_every_plots_background_and_text(window, qtbot):
    _settle(qtbot, window)
    for dock in window.views:
        dock.show()
    for dock in _views_with_plots(window):
        for view in dock.widget().findChildren(pg.GraphicsView):
            assert _lightness(view.backgroundBrush().color()) > 200, dock.objectName()
    window.appearance.theme_actions["dark"].trigger()
    qtbot.wait(50)
    assert style.current().dark
    checked = set()
    for dock in _views_with_plots(window):
        for view in dock.widget().findChildren(pg.GraphicsView):
            assert _lightness(view.backgroundBrush().color()) < 60, dock.objectName()
        for axis in _axes(dock.widget()):
            if axis.isVisible():
                assert _lightness(axis.textPen().color()) > 150, dock.objectName()
                checked.add(dock.objectName())
    assert {"cost_dock", "boundary_dock", "metrics_dock", "gradient_dock", "anatomy_dock",
            "surface_dock", "interpolation_dock", "sharpness_dock"} <= checked
    # The legend's text follows, and so does each painted view.
    legend = window.cost_plot.canvas.legend
    assert all(_lightness(label.opts["color"]) > 150 for _, label in legend.items)
    assert "dark grey at the threshold" in window.boundary_plot.legend_label.text()
    canvas = window.network_diagram.canvas
    corner = canvas.grab().toImage().pixelColor(2, canvas.height() - 3)
    assert corner.lightness() < 60
    scene = window.surface_view.scene
    if scene is not None:
        assert _lightness(scene.view.opts["bgcolor"]) < 60 if isinstance(
            scene.view.opts["bgcolor"], str) else True
        assert all(entry[3].lightness() > 150 for entry in scene.labels.entries)
    # Back to light: the same checks the other way round.
    window.appearance.theme_actions["light"].trigger()
    for dock in _views_with_plots(window):
        for view in dock.widget().findChildren(pg.GraphicsView):
            assert _lightness(view.backgroundBrush().color()) > 200, dock.objectName()
        for axis in _axes(dock.widget()):
            if axis.isVisible():
                assert _lightness(axis.textPen().color()) < 120, dock.objectName()
    corner = canvas.grab().toImage().pixelColor(2, canvas.height() - 3)
    assert corner.lightness() > 200


def test_dark_theme_recolours_the_backprop_and_metrics_views(window, qtbot):
    _settle(qtbot, window)
    window.backprop_dock.show()
    window.backprop_dock.raise_()
    window.metrics_dock.show()
    window.metrics_dock.raise_()
    qtbot.wait(100)
    window.appearance.theme_actions["dark"].trigger()
    qtbot.wait(100)
    metrics = window.metrics_view.canvas
    assert metrics.grab().toImage().pixelColor(2, 2).lightness() < 60
    from gui.views.backprop.table_widget import TableCard
    cards = window.backprop_view.findChildren(TableCard)
    assert cards and all(style.BACKGROUND in card.styleSheet() for card in cards)


def test_colour_blind_colours_change_classes_and_curves(window, qtbot):
    _settle(qtbot, window)
    canvas = window.cost_plot.canvas
    light_train = canvas.train_curve.opts["pen"].color().name()
    assert light_train == style.LIGHT.TRAIN
    window.appearance.colour_blind_action.setChecked(True)
    palette = style.current()
    assert palette.colour_blind and not palette.dark
    assert canvas.train_curve.opts["pen"].color().name() == palette.TRAIN
    assert canvas.test_curve.opts["pen"].color().name() == palette.TEST
    assert style.class_colour(2) == "#009e73"  # Okabe–Ito's bluish green, not plain green
    assert style.TRAIN != style.LIGHT.TRAIN and style.TEST != style.LIGHT.TEST
    assert style.class_colour(3) != style.LIGHT.CLASS_COLOURS[3]  # no red beside green
    window.appearance.colour_blind_action.setChecked(False)
    assert canvas.train_curve.opts["pen"].color().name() == light_train


def test_translate_maps_each_role_between_palettes():
    for name in ("TRAIN", "TEST", "INK", "BACKGROUND", "MUTED", "FAINT"):
        for source in (style.LIGHT, style.DARK, style.LIGHT_COLOUR_BLIND):
            for target in (style.LIGHT, style.DARK, style.DARK_COLOUR_BLIND):
                assert translate(getattr(source, name), target) == getattr(target, name)
    for k in range(4):
        assert translate(style.LIGHT.CLASS_COLOURS[k], style.DARK) == style.DARK.CLASS_COLOURS[k]
    assert translate("#123456", style.DARK) == "#123456"  # not a role: left alone


def test_palettes_keep_text_readable_on_their_background():
    for palette in (style.LIGHT, style.DARK, style.LIGHT_COLOUR_BLIND, style.DARK_COLOUR_BLIND):
        background = _lightness(palette.BACKGROUND)
        for name in ("INK", "MUTED", "TRAIN", "TEST", "POINT"):
            gap = abs(_lightness(getattr(palette, name)) - background)
            assert gap > 90, (palette.dark, palette.colour_blind, name)
        assert len(set(palette.CLASS_COLOURS)) == len(palette.CLASS_COLOURS)
    assert np.isclose(style.lighten(style.LIGHT.CLASS_0, 1.0), 255).all()
