"""The Qt side of a theme: light or dark, colour-blind-safe or not.

:mod:`gui.style` owns the palette (plain data). :class:`Theme` picks one (the user's choice, or
the system's light/dark preference), remembers the choice in QSettings, makes it the current
palette, gives the application a matching QPalette and re-colours the open windows at once:

* every pyqtgraph plot: background, axes, legends, curves, lines and text items whose colour is
  one of a palette's roles (a curve drawn in ``style.TRAIN`` becomes the new ``TRAIN``);
* every widget's style sheet, the same way, hex colour by hex colour;
* every widget with a ``restyle()`` method (views that paint by hand: the network diagram, the
  3-D view, formulas) is asked to repaint with the new palette.

So a paused window shows the new colours at once, and views that read ``style.X`` when they paint
a snapshot follow on the next one.
"""
from __future__ import annotations

import re

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from gui import style

#: Choices of View → Theme, as stored in QSettings.
CHOICES = ("system", "light", "dark")
SETTINGS_THEME = "appearance/theme"
SETTINGS_COLOUR_BLIND = "appearance/colour_blind"

#: Greys and tints written into the views by hand, and the palette role each one plays.
_EXTRA_ROLES = {
    "#111111": "INK", "#111": "INK", "#1a1a1a": "INK", "#222222": "INK",
    "#222": "INK", "#333": "INK",
    "#444444": "MUTED", "#444": "MUTED", "#555": "MUTED", "#666666": "MUTED", "#666": "MUTED",
    "#777777": "MUTED",
    "#999999": "FAINT", "#999": "FAINT", "#9a9a9a": "FAINT", "#bbbbbb": "FAINT",
    "#b0b0b0": "FAINT", "#bdbdbd": "FAINT", "#c8c8c8": "FAINT",
    "#fafafa": "PANEL", "#f8f8f8": "PANEL", "#eef3fb": ("BANNER", "info", 0),
    "#dceaf5": ("BANNER", "info", 0), "#ffffff": "BACKGROUND", "#fff": "BACKGROUND",
}
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")


def _roles() -> dict:
    """Every palette colour -> its role (a field name, ``("CLASS", k)`` or a banner slot)."""
    roles = {}
    for palette in (style.LIGHT, style.DARK, style.LIGHT_COLOUR_BLIND, style.DARK_COLOUR_BLIND):
        for name in ("TRAIN", "TEST", "REGULARIZATION", "LEARNING_RATE", "FIT", "BACKGROUND",
                     "INK", "MUTED", "FAINT", "PANEL", "POINT"):
            roles.setdefault(getattr(palette, name).lower(), name)
        for k, colour in enumerate(palette.CLASS_COLOURS):
            roles.setdefault(colour.lower(), ("CLASS", k))
        for level, colours in palette.BANNER.items():
            for i, colour in enumerate(colours):
                roles.setdefault(colour.lower(), ("BANNER", level, i))
    # A palette's own colour keeps its role (the colour-blind train curve is black).
    return {**_EXTRA_ROLES, **roles}


_ROLES = _roles()


def translate(colour: str, palette: style.Palette) -> str:
    """``colour`` (``"#rrggbb"``) in ``palette``: the same role's colour, or itself."""
    role = _ROLES.get(colour.lower())
    if role is None:
        return colour
    if isinstance(role, str):
        return getattr(palette, role)
    if role[0] == "CLASS":
        return palette.CLASS_COLOURS[role[1] % len(palette.CLASS_COLOURS)]
    return palette.BANNER[role[1]][role[2]]


def _qcolour(colour: QColor, palette) -> QColor:
    new = QColor(translate(colour.name(), palette))
    new.setAlpha(colour.alpha())
    return new


def _pen(pen, palette):
    if pen is None:
        return None
    pen = pg.mkPen(pen)
    pen.setColor(_qcolour(pen.color(), palette))
    return pen


#: The application's palette before any theme was applied (the desktop's own).
_system_palette = None


def qt_palette(dark: bool) -> QPalette:
    """The application's QPalette: the desktop's own when it is light (else the style's light
    one), or a dark one made to match the dark plots."""
    app = QApplication.instance()
    system = _system_palette if _system_palette is not None else app.palette()
    light = system.color(QPalette.Window).lightness() >= 128
    result = QPalette(system if light else app.style().standardPalette())
    if dark:
        colours = {QPalette.Window: "#2b2c30", QPalette.WindowText: "#e6e6e6",
                   QPalette.Base: "#1e1f22", QPalette.AlternateBase: "#2f3035",
                   QPalette.ToolTipBase: "#3a3b40", QPalette.ToolTipText: "#f0f0f0",
                   QPalette.Text: "#e6e6e6", QPalette.Button: "#37383d",
                   QPalette.ButtonText: "#e6e6e6", QPalette.BrightText: "#ff6b6b",
                   QPalette.Light: "#4a4b50", QPalette.Midlight: "#3d3e43",
                   QPalette.Mid: "#2a2b2e", QPalette.Dark: "#18181a", QPalette.Shadow: "#0c0c0d",
                   QPalette.Highlight: "#3d8ee0", QPalette.HighlightedText: "#ffffff",
                   QPalette.Link: "#7ab8f5", QPalette.LinkVisited: "#b89cf0",
                   QPalette.PlaceholderText: "#a8a8a8"}
        for role, colour in colours.items():
            result.setColor(role, QColor(colour))
        for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
            result.setColor(QPalette.Disabled, role, QColor("#7d7d7d"))
    return result


def recolour(root: QWidget, palette: style.Palette) -> None:
    """Re-colour ``root`` and every widget in it for ``palette`` (see the module docstring)."""
    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        sheet = widget.styleSheet()
        if sheet:  # set again even if unchanged: palette(...) entries resolve anew
            widget.setStyleSheet(_HEX.sub(lambda m: translate(m.group(0), palette), sheet))
        if isinstance(widget, pg.GraphicsView):
            widget.setBackground(palette.BACKGROUND)
            for item in widget.scene().items():
                _recolour_item(item, palette)
    restyle_all(root)


def restyle_all(root: QWidget) -> None:
    """Ask every widget in ``root`` that paints by hand (has ``restyle()``) to paint again in
    the current palette and font scale."""
    for widget in [root, *root.findChildren(QWidget)]:
        if callable(getattr(widget, "restyle", None)):
            widget.restyle()


def _recolour_item(item, palette):
    if isinstance(item, pg.AxisItem):
        item.setPen(_pen(item.pen(), palette))
        item.setTextPen(_pen(item.textPen(), palette))
    elif isinstance(item, pg.LegendItem):
        brush = QColor(palette.BACKGROUND)
        brush.setAlpha(200)
        item.setBrush(pg.mkBrush(brush))
        item.setLabelTextColor(palette.INK)
        for _, label in item.items:  # a label keeps its picture until its text is set again
            label.setText(label.text, color=palette.INK)
    elif isinstance(item, pg.TextItem):
        item.setColor(_qcolour(item.color, palette))
        if item.fill.style() != Qt.NoBrush:  # a see-through backing in the plot's colour
            fill = QColor(palette.BACKGROUND)
            fill.setAlpha(item.fill.color().alpha())
            item.fill = pg.mkBrush(fill)
            item.update()
    elif isinstance(item, pg.PlotDataItem):
        if item.opts.get("pen") is not None:
            item.setPen(_pen(item.opts["pen"], palette))
        if item.opts.get("symbolBrush") is not None and item.opts.get("symbol") is not None:
            brush = pg.mkBrush(item.opts["symbolBrush"])
            item.setSymbolBrush(pg.mkBrush(_qcolour(brush.color(), palette)))
    elif isinstance(item, pg.InfiniteLine):
        item.setPen(_pen(item.pen, palette))
    elif isinstance(item, pg.PlotCurveItem) and not isinstance(item.parentItem(), pg.PlotDataItem):
        item.setPen(_pen(item.opts["pen"], palette))


class Theme(QObject):
    """The theme the user picked (``choice`` in :data:`CHOICES`; ``colour_blind``), applied to
    the application and remembered in ``settings``.

    Signals
    -------
    changed()
        A new palette is in use (:func:`gui.style.current`): re-colour the windows with
        :func:`recolour`.
    """

    changed = Signal()

    def __init__(self, settings, parent=None):
        super().__init__(parent)
        self._settings = settings
        choice = str(settings.value(SETTINGS_THEME, "system"))
        self.choice = choice if choice in CHOICES else "system"
        self.colour_blind = _as_bool(settings.value(SETTINGS_COLOUR_BLIND, False))
        self._applying = False
        global _system_palette
        if _system_palette is None:
            _system_palette = QPalette(QApplication.palette())
        QApplication.styleHints().colorSchemeChanged.connect(self._on_system_scheme_changed)

    @property
    def dark(self) -> bool:
        """Whether the theme in use is dark (for "system": what the system prefers)."""
        if self.choice != "system":
            return self.choice == "dark"
        scheme = QApplication.styleHints().colorScheme()
        if scheme == Qt.ColorScheme.Unknown:  # no preference known: judge the desktop's palette
            return _system_palette.color(QPalette.Window).lightness() < 128
        return scheme == Qt.ColorScheme.Dark

    def set_choice(self, choice: str):
        if choice not in CHOICES:
            raise ValueError(f"unknown theme {choice!r}; expected one of {CHOICES}")
        self.choice = choice
        self._settings.setValue(SETTINGS_THEME, choice)
        self.apply()

    def set_colour_blind(self, on: bool):
        self.colour_blind = bool(on)
        self._settings.setValue(SETTINGS_COLOUR_BLIND, self.colour_blind)
        self.apply()

    def apply(self):
        """Make the chosen palette current everywhere."""
        hints = QApplication.styleHints()
        # Native dialogs follow too, where the platform lets an application choose (this
        # may announce a scheme change: not one of the desktop's).
        self._applying = True
        try:
            if self.choice == "system":
                hints.unsetColorScheme()
            else:
                hints.setColorScheme(Qt.ColorScheme.Dark if self.choice == "dark"
                                     else Qt.ColorScheme.Light)
        finally:
            self._applying = False
        palette = style.palette_for(self.dark, self.colour_blind)
        style.use(palette)
        app = QApplication.instance()
        app.setPalette(qt_palette(palette.dark))
        pg.setConfigOptions(background=palette.BACKGROUND, foreground=palette.INK)
        self.changed.emit()

    def _on_system_scheme_changed(self, _scheme):
        if self.choice == "system" and not self._applying:
            self.apply()


def _as_bool(value) -> bool:
    # QSettings gives back "true"/"false" strings from some back ends.
    return value in (True, "true", "1", 1)
