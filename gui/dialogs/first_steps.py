"""Help → First five minutes (F1): the walk through the XOR example, with its pictures.

The page is ``assets/tour/first-five-minutes.md``, the same text README.md shows (a test keeps
the two equal), so the app and the README never tell two stories. Its pictures sit beside it
and are made by ``docs/make_tour.py`` from the real window.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from gui.resources import asset_path

PAGE = "tour/first-five-minutes.md"


class FirstStepsDialog(QDialog):
    """A non-modal window with the walkthrough; links open in the system's browser."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("First five minutes — Costscape")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        try:
            page = asset_path(PAGE)
            # (A few kilobytes of the app's own files, not a user's file: read where it shows.)
            self.browser.setSearchPaths([str(page.parent)])
            self.browser.setMarkdown(page.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as err:
            self.browser.setPlainText(f"The walkthrough could not be read: {err}")
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(820, 720)
        self.setAttribute(Qt.WA_DeleteOnClose)
