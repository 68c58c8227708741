"""Help → First five minutes (F1): the walk through the XOR example, with its pictures.

The page is ``assets/tour/first-five-minutes.md``, the same text README.md shows (a test keeps
the two equal), so the app and the README never tell two stories. Its pictures sit beside it
and are made by ``docs/make_tour.py`` from the real window.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QTextCursor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from gui.resources import asset_path

PAGE = "tour/first-five-minutes.md"


class FittingBrowser(QTextBrowser):
    """A text browser whose pictures shrink to its width (never grow past their own size):
    at their own size the tour's 1000-pixel pictures were wider than the window on a
    1366-pixel screen, and the learner scrolled sideways to see them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.folder = None  # where the pictures' files are (their own sizes are read there)
        self._sizes = {}

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.fit_pictures()

    def fit_pictures(self):
        doc = self.document()
        room = self.viewport().width() - 2 * doc.documentMargin() - 2
        block = doc.begin()
        while block.isValid():
            fragments = block.begin()
            while not fragments.atEnd():
                fragment = fragments.fragment()
                image = fragment.charFormat().toImageFormat()
                if fragment.charFormat().isImageFormat() and self._size(image.name()):
                    width, height = self._size(image.name())
                    shown = max(1.0, min(float(width), room))
                    if image.width() != shown:
                        image.setWidth(shown)
                        image.setHeight(height * shown / width)
                        cursor = QTextCursor(doc)
                        cursor.setPosition(fragment.position())
                        cursor.setPosition(fragment.position() + fragment.length(),
                                           QTextCursor.KeepAnchor)
                        cursor.setCharFormat(image)
                fragments += 1
            block = block.next()

    def _size(self, name):
        if name not in self._sizes:
            image = QImage(str(self.folder / name)) if self.folder is not None else QImage()
            self._sizes[name] = None if image.isNull() else (image.width(), image.height())
        return self._sizes[name]


class FirstStepsDialog(QDialog):
    """A non-modal window with the walkthrough; links open in the system's browser."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("First five minutes — Costscape")
        self.browser = FittingBrowser()
        self.browser.setOpenExternalLinks(True)
        try:
            page = asset_path(PAGE)
            # (A few kilobytes of the app's own files, not a user's file: read where it shows.)
            self.browser.setSearchPaths([str(page.parent)])
            self.browser.folder = page.parent
            self.browser.setMarkdown(page.read_text(encoding="utf-8"))
            self.browser.fit_pictures()
        except (OSError, UnicodeDecodeError) as err:
            self.browser.setPlainText(f"The walkthrough could not be read: {err}")
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(820, 720)
        self.setAttribute(Qt.WA_DeleteOnClose)
