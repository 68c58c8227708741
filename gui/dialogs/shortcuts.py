"""Help → Keyboard shortcuts: every shortcut the window has, read from its actions, so the list
is never out of date."""
from __future__ import annotations

import html

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

#: Keys that work without an action of their own (said here so the list is complete).
EXTRA = (("→", "Step (also Ctrl+→), wherever the focus is except in a text or number field"),
         ("Space", "Play / pause, wherever the focus is except in a text or number field"),
         ("Esc", "Leave presentation mode (as F11 does)"))


def shortcut_rows(window) -> list:
    """``[(menu title, [(keys, action text), ...]), ...]`` for every menu of ``window``'s menu
    bar that has actions with shortcuts (submenus included), in menu order."""
    rows = []

    def walk(menu, title):
        entries = []
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), f"{title} → {action.menu().title().replace('&', '')}")
                continue
            keys = [k.toString(QKeySequence.NativeText) for k in action.shortcuts()]
            if keys:
                entries.append((", ".join(keys), action.text().replace("&", "").rstrip("…")))
        if entries:
            rows.append((title, entries))

    for action in window.menuBar().actions():
        if action.menu() is not None:
            walk(action.menu(), action.menu().title().replace("&", ""))
    return rows


def shortcuts_html(window) -> str:
    parts = ["<h3>Keyboard shortcuts</h3>", "<table cellspacing='0' cellpadding='3'>"]
    for title, entries in [("Anywhere in the window", list(EXTRA))] + shortcut_rows(window):
        parts.append(f"<tr><td colspan='2'><br><b>{html.escape(title)}</b></td></tr>")
        for keys, text in entries:
            parts.append(f"<tr><td style='padding-right:18px'><tt>{html.escape(keys)}</tt>"
                         f"</td><td>{html.escape(text)}</td></tr>")
    parts.append("</table>")
    return "".join(parts)


class ShortcutsDialog(QDialog):
    """A non-modal list of the shortcuts of ``window``."""

    def __init__(self, window):
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts — Costscape")
        self.browser = QTextBrowser()
        self.browser.setHtml(shortcuts_html(window))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(520, 560)
