"""Presentation mode (F11): for a teacher at a projector.

Full screen; every text 1.5× larger (widgets, plot axes and ticks, legends, texts in the plots,
formulas, the 3-D view's labels); the menu bar and the status bar hidden, while the run toolbar
(Play, Step, Reset, speed) and the message banner stay. F11 or Esc leaves it, and leaving puts
back exactly the window geometry, the dock layout and the fonts there were before.
"""
from __future__ import annotations

import re

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from shiboken6 import isValid

from gui import style
from gui.theme import restyle_all

#: How much larger text is in presentation mode.
SCALE = 1.5
#: Pixels the pictures need beyond the window's least width, at the larger text, to be read
#: from the back of a room: on a narrower screen the control panels make way. (The least
#: width alone fitted a 1366-pixel projector by 13 pixels, and left the boundary 150 wide.)
ROOM_FOR_PICTURES = 200
TIP = ("Presentation mode (F11): full screen, text 1.5× larger, menu and status bar hidden "
       "(on a narrow screen the control panels too) — for a projector.\n"
       "Press F11 or Esc to leave it; the window comes back as it was.")
_POINTS = re.compile(r"([\d.]+)\s*pt")


def _scaled(font: QFont, scale: float) -> QFont:
    font = QFont(font)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * scale)
    elif font.pixelSize() > 0:
        font.setPixelSize(round(font.pixelSize() * scale))
    return font


class Presentation(QObject):
    """``action`` (View → Presentation mode, F11) of ``window``; ``active`` while on."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.active = False
        self._saved = None
        self.action = QAction("&Presentation mode", window)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence(Qt.Key_F11))
        self.action.setShortcutContext(Qt.ApplicationShortcut)
        self.action.setToolTip(TIP)
        self.action.setStatusTip(TIP.split("\n")[0])
        self.action.toggled.connect(self.set_active)
        # On the window itself, so F11 still works once the menu bar is hidden.
        window.addAction(self.action)
        self._escape = QShortcut(QKeySequence(Qt.Key_Escape), window, self.leave)
        self._escape.setEnabled(False)

    @Slot()
    def leave(self):
        self.set_active(False)

    @Slot(bool)
    def set_active(self, on):
        on = bool(on)
        if on != self.active:
            (self._enter if on else self._leave)()
        self.action.setChecked(on)

    # ------------------------------------------------------------------ entering
    def _enter(self):
        window, app = self.window, QApplication.instance()
        self.active = True
        hidden_actions = [a for a in _menu_actions(window.menuBar()) if a not in window.actions()]
        self._saved = {
            "geometry": window.saveGeometry(), "rect": window.geometry(),
            "state": window.saveState(),
            "window_state": window.windowState(), "app_font": QApplication.font(),
            "menu_bar": window.menuBar().isVisible(), "status_bar": window.statusBar().isVisible(),
            # Set on the widgets by hand: they do not follow the application's font.
            "fonts": [(w, w.font()) for w in window.findChildren(QWidget)
                      if w.testAttribute(Qt.WA_SetFont)],
            "plots": [], "actions": hidden_actions,
            # Plots of a fixed width (a colour bar beside the 3-D view) widen with their text.
            "widths": [(v, v.width()) for v in window.findChildren(pg.GraphicsView)
                       if v.minimumWidth() == v.maximumWidth()],
        }
        # Plot texts first: those that follow the application's font would grow twice.
        for view in window.findChildren(pg.GraphicsView):
            for item in view.scene().items():
                self._scale_item(item, view)
        app.setFont(_scaled(QApplication.font(), SCALE))
        for widget, font in self._saved["fonts"]:
            widget.setFont(_scaled(font, SCALE))
        _repolish(window)
        for view, width in self._saved["widths"]:
            view.setFixedWidth(round(width * SCALE))
        style.set_font_scale(SCALE)
        # The menus' shortcuts (Ctrl+G, Ctrl+K, …) keep working without the menu bar.
        window.addActions(hidden_actions)
        window.menuBar().hide()
        window.statusBar().hide()
        self._make_room()
        self._escape.setEnabled(True)
        window.showFullScreen()
        QTimer.singleShot(0, self._fill_screen)  # once the hidden bars left the layout
        restyle_all(window)

    def _fill_screen(self):
        # Also where no window manager makes the window full screen (a bare X server, a
        # projector's kiosk session): it is still the size of the screen.
        if not self.active:
            return
        window = self.window
        geometry = (window.screen() or QApplication.primaryScreen()).geometry()
        window.setGeometry(geometry)
        if self._saved.get("made_room"):
            # The controls' room goes to the decision boundary and the cost below it.
            window.resizeDocks([window.boundary_dock], [int(0.4 * geometry.width())],
                               Qt.Horizontal)
            window.resizeDocks([window.boundary_dock], [int(0.55 * geometry.height())],
                               Qt.Vertical)

    def _make_room(self):
        """On a screen too narrow for every dock at the larger text (1366 px wide, say: see
        ``ROOM_FOR_PICTURES``), the control panels make way for the plots; leaving
        presentation mode brings them back."""
        window = self.window
        screen = window.screen() or QApplication.primaryScreen()
        QApplication.sendPostedEvents()  # the font changes, so that the sizes below are new
        window.layout().activate()
        if window.minimumSizeHint().width() + ROOM_FOR_PICTURES > screen.geometry().width():
            window.controls_dock.hide()
            self._saved["made_room"] = True

    def _scale_item(self, item, view):
        saved = self._saved["plots"]
        if isinstance(item, pg.AxisItem):
            saved.append((item, "axis", (item.style["tickFont"], item.label.font(),
                                         item.fixedWidth, item.fixedHeight)))
            item.setTickFont(_scaled(item.style["tickFont"] or view.font(), SCALE))
            item.label.setFont(_scaled(item.label.font(), SCALE))
            # Fixed sizes (lined-up plots) grow with the text, or the ticks would be cut.
            vertical = item.orientation in ("left", "right")
            if vertical and item.fixedWidth is not None:
                item.setWidth(item.fixedWidth * SCALE)
            if not vertical and item.fixedHeight is not None:
                item.setHeight(item.fixedHeight * SCALE)
            item._updateLabel()
        elif isinstance(item, pg.LegendItem):
            size = item.opts.get("labelTextSize") or "9pt"
            saved.append((item, "legend", item.opts.get("labelTextSize")))
            _set_legend_size(item, _POINTS.sub(lambda m: f"{float(m.group(1)) * SCALE:g}pt", size))
        elif isinstance(item, pg.TextItem):
            saved.append((item, "text", item.textItem.font()))
            item.setFont(_scaled(item.textItem.font(), SCALE))

    # ------------------------------------------------------------------ leaving
    def _leave(self):
        window, saved = self.window, self._saved
        self.active = False
        self._escape.setEnabled(False)
        style.set_font_scale(1.0)
        QApplication.instance().setFont(saved["app_font"])
        # Widgets and plot items made while presenting (a new network's buttons) are gone.
        for widget, font in saved["fonts"]:
            if isValid(widget):
                widget.setFont(font)
        _repolish(window)
        for item, kind, value in saved["plots"]:
            if isValid(item):
                _restore_item(item, kind, value)
        for view, width in saved["widths"]:
            if isValid(view):
                view.setFixedWidth(width)
        for action in saved["actions"]:
            window.removeAction(action)
        window.menuBar().setVisible(saved["menu_bar"])
        window.statusBar().setVisible(saved["status_bar"])
        window.setWindowState(saved["window_state"])
        restyle_all(window)
        # When the font changes have settled: the sizes are those of the smaller text again.
        QTimer.singleShot(0, self._put_back_layout)

    def _put_back_layout(self):
        if self.active or self._saved is None:
            return
        QApplication.sendPostedEvents()
        self.window.layout().activate()
        self.window.restoreGeometry(self._saved["geometry"])
        if self.window.windowState() == Qt.WindowNoState:
            # Exactly where it was (restoreGeometry guesses the frame where no window manager
            # draws one).
            self.window.setGeometry(self._saved["rect"])
        # The docks' sizes last, in the window's own size again.
        QApplication.sendPostedEvents()
        self.window.restoreState(self._saved["state"])


def _repolish(window):
    """Widgets with a style sheet take a new application font only when polished again."""
    for widget in window.findChildren(QWidget):
        if widget.styleSheet():
            widget.setStyleSheet(widget.styleSheet())


def _restore_item(item, kind, value):
    if kind == "axis":
        tick_font, label_font, width, height = value
        item.setTickFont(tick_font)
        item.label.setFont(label_font)
        # Only the size across the axis (setHeight on a left axis would squash it).
        if item.orientation in ("left", "right"):
            item.setWidth(width)
        else:
            item.setHeight(height)
        item._updateLabel()
    elif kind == "legend":
        _set_legend_size(item, value or "9pt")
    else:
        item.setFont(value)


def _set_legend_size(legend, size):
    legend.setLabelTextSize(size)
    for _, label in legend.items:  # a label keeps its picture until its text is set again
        label.setText(label.text, size=size)
    legend.updateSize()


def _menu_actions(menu_bar) -> list:
    """Every action with a shortcut in the menus of ``menu_bar`` (submenus included)."""
    found, menus = [], [a.menu() for a in menu_bar.actions() if a.menu() is not None]
    while menus:
        menu = menus.pop()
        for action in menu.actions():
            if isinstance(action.menu(), QMenu):
                menus.append(action.menu())
            elif not action.shortcut().isEmpty():
                found.append(action)
    return found
