"""How the window looks: View → Theme (follow the system, light, dark), View → Colour-blind-safe
colours and View → Presentation mode (F11). The theme is remembered in the window's QSettings."""
from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup

from gui import style
from gui.theme import CHOICES, Theme, recolour
from gui.window.presentation import Presentation

THEME_LABELS = {"system": "Follow the &system", "light": "&Light", "dark": "&Dark"}
THEME_TIPS = {
    "system": "Light or dark as the desktop is set (switches when the desktop does).",
    "light": "Dark text on white plots.",
    "dark": "Light text on dark plots: easier on the eyes in a dim room.",
}
COLOUR_BLIND_TIP = ("Okabe–Ito colours, told apart with any common colour-vision deficiency: "
                    "classes orange, blue, bluish green, …;\ntrain and test curves black (white "
                    "on dark) and vermillion, different in lightness as well as hue.")


class Appearance(QObject):
    """The theme (``theme``), its menu actions (``theme_actions`` by choice,
    ``colour_blind_action``) and presentation mode (``presentation``) of ``window``."""

    def __init__(self, window, settings):
        super().__init__(window)
        self.window = window
        self.theme = Theme(settings, self)
        self.presentation = Presentation(window)

        menu = window.view_menu
        menu.addSeparator()
        self.theme_menu = menu.addMenu("&Theme")
        self.theme_menu.setToolTipsVisible(True)
        group = QActionGroup(self)
        self.theme_actions = {}
        for choice in CHOICES:
            action = QAction(THEME_LABELS[choice], self)
            action.setCheckable(True)
            action.setChecked(choice == self.theme.choice)
            action.setToolTip(THEME_TIPS[choice])
            action.triggered.connect(lambda checked=False, c=choice: self.theme.set_choice(c))
            group.addAction(action)
            self.theme_menu.addAction(action)
            self.theme_actions[choice] = action
        self.colour_blind_action = QAction("&Colour-blind-safe colours", self)
        self.colour_blind_action.setCheckable(True)
        self.colour_blind_action.setChecked(self.theme.colour_blind)
        self.colour_blind_action.setToolTip(COLOUR_BLIND_TIP)
        self.colour_blind_action.toggled.connect(self.theme.set_colour_blind)
        menu.addAction(self.colour_blind_action)
        menu.addAction(self.presentation.action)
        self.theme.changed.connect(self._on_theme_changed)
        # The views were made in the current palette: a walk through them only for another.
        if style.palette_for(self.theme.dark, self.theme.colour_blind) is not style.current():
            self.theme.apply()

    def _on_theme_changed(self):
        recolour(self.window, style.current())
        # A paused window shows the new colours at once: the views paint the newest snapshot
        # again (the plots were re-coloured in place; this redraws what a snapshot colours).
        latest = self.window.controller.latest
        if latest is None:
            return
        for dock in self.window.views:
            widget = dock.widget()
            if hasattr(widget, "show_snapshot"):
                widget.show_snapshot(latest)
