"""The menu bar: File (its actions come from FileActions), Run, Presets, View and Help."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from core import presets
from gui.dialogs.about import show_about


def _action(window, text, slot, tip="", shortcut=None, checkable=False) -> QAction:
    action = QAction(text, window)
    if tip:
        action.setToolTip(tip)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setCheckable(checkable)
    (action.toggled if checkable else action.triggered).connect(slot)
    return action


def make_menus(window):
    """Fill ``window``'s menu bar; the menus and their actions become attributes of it."""
    bar = window.menuBar()
    window.file_menu = bar.addMenu("&File")
    # FileActions puts Open/Save/Import/Export before this separator.
    window.file_menu_separator = window.file_menu.addSeparator()
    window.quit_action = _action(window, "&Quit", window.close,
                                 "Stop training and close Costscape.", QKeySequence.Quit)
    window.quit_action.setShortcutContext(Qt.ApplicationShortcut)
    window.file_menu.addAction(window.quit_action)

    window.run_menu = bar.addMenu("&Run")
    for action in (window.play_action, window.step_action, window.reset_action):
        window.run_menu.addAction(action)
    window.run_menu.setToolTipsVisible(True)

    window.presets_menu = menu = bar.addMenu("&Presets")
    window.preset_actions = []
    for preset in presets.PRESETS:
        if preset.name in presets.SECTIONS:
            menu.addSection(presets.SECTIONS[preset.name])
        action = _action(window, preset.name, lambda checked=False, p=preset:
                         window.apply_preset(p), preset.description)
        action.setStatusTip(preset.description)
        menu.addAction(action)
        window.preset_actions.append(action)
    menu.setToolTipsVisible(True)
    window.presets_button.setMenu(menu)

    window.view_menu = view = bar.addMenu("&View")
    view.addAction(window.controls_dock.toggleViewAction())
    for dock in window.views:
        view.addAction(dock.toggleViewAction())
    window.view_menu_separator = view.addSeparator()
    window.log_scale_action = _action(window, "Cost on a &log scale",
                                      window.cost_plot.set_log_scale, checkable=True)
    window.cost_plot.log_box.toggled.connect(window.log_scale_action.setChecked)
    view.addAction(window.log_scale_action)
    view.addAction(_action(window, "&Reset layout", window.reset_layout,
                           "Put the panels and plots back where they started."))
    view.setToolTipsVisible(True)

    window.help_menu = bar.addMenu("&Help")
    window.shortcuts_action = _action(window, "&Keyboard shortcuts…",
                                      lambda: _show_shortcuts(window),
                                      "Every keyboard shortcut of Costscape (Ctrl+/).",
                                      Qt.CTRL | Qt.Key_Slash)
    window.first_steps_action = _action(window, "&First five minutes…",
                                        lambda: _show_first_steps(window),
                                        "A walk through the XOR example, from the preset to the "
                                        "error surface over two weights (F1).", Qt.Key_F1)
    window.about_action = _action(window, "&About Costscape", lambda: show_about(window))
    window.help_menu.addAction(window.first_steps_action)
    window.help_menu.addAction(window.shortcuts_action)
    window.help_menu.addSeparator()
    window.help_menu.addAction(window.about_action)
    window.help_menu.setToolTipsVisible(True)


def _show_first_steps(window):
    from gui.dialogs.first_steps import FirstStepsDialog

    FirstStepsDialog(window).show()


def _show_shortcuts(window):
    from gui.dialogs.shortcuts import ShortcutsDialog

    dialog = ShortcutsDialog(window)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.show()
