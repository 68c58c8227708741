"""The code behind the run: the current run as a standalone numpy script, to read, copy and save.

:class:`CodeWindow` is a non-modal window showing :func:`core.codegen.generate_script` for the
newest snapshot's configuration (and its data, when they are a CSV file or drawn points). The
script is read-only, in a monospace font with Python highlighting (pygments' tokens); its
eight section banners (``# ===== 4. The cost function ...``) stand out, and a list jumps to
each. The window regenerates the script whenever the run's configuration changes while it is open.
Bound to the shared :class:`gui.selection.Selection`, it marks the lines that compute the part of
a training step the backpropagation view shows (:func:`core.codegen.anchors.lines_of`).
"""
from __future__ import annotations

import bisect
import functools
import html
import re

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import (QColor, QFont, QFontDatabase, QGuiApplication, QSyntaxHighlighter,
                           QTextCharFormat, QTextCursor, QTextFormat)
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QMessageBox,
                               QPlainTextEdit, QPushButton, QSpinBox, QTextEdit, QVBoxLayout,
                               QWidget)
from pygments.lexers.python import PythonLexer
from pygments.token import Token
from superqt.utils import signals_blocked

from core.codegen import BANNERS, generate_script
from core.codegen.anchors import lines_of
from core.config import OWN_DATA
from gui import style

DEFAULT_STEPS = 1000
DEFAULT_FILE_NAME = "costscape_run.py"
#: Sections 4 and 5 hold the cost function and its derivative: they get the loudest banners.
COST_SECTIONS = (4, 5)
_BANNER_START = re.compile(r"^# ===== (\d)\. ")
_SECTION_SPLIT = re.compile(r"^(?=# ===== \d\. )", re.MULTILINE)
#: Banner backgrounds: the highlighter colours the banner's characters, the editor shades the
#: rest of the line.
BANNER_BACKGROUND, COST_BANNER_BACKGROUND = "#e1ecf7", "#fde3c8"
#: Background of the lines that compute the stage the backpropagation view shows.
PART_BACKGROUND = "#fff1a8"


#: Syntax colours on a light and on a dark editor.
_LIGHT_CODE = {"keyword": "#0b4f9c", "builtin": "#6a3d9a", "string": "#1e7b34",
               "comment": "#7a7a7a", "number": "#b35900", "name": "#000000"}
_DARK_CODE = {"keyword": "#7ab8f5", "builtin": "#c79be0", "string": "#8fd19e",
              "comment": "#9a9a9a", "number": "#f0a35c", "name": "#ffffff"}


def section_titles() -> list:
    """The titles of the script's eight sections, e.g. ``"4. The cost function (…)"``."""
    titles = []
    for banner in BANNERS:
        title = banner.strip("# =").replace(" ({optimizer})", "")
        titles.append(title)
    return titles


def _format(colour, bold=False, italic=False, background=None) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    if bold:
        fmt.setFontWeight(QFont.Bold)
    if italic:
        fmt.setFontItalic(True)
    if background:
        fmt.setBackground(QColor(background))
    return fmt


@functools.lru_cache(maxsize=16)  # two scripts' sections
def _tokens(text) -> tuple:
    """pygments' ``(start, length, token type)`` for the Python ``text``."""
    return tuple((start, len(value), token)
                 for start, token, value in PythonLexer().get_tokens_unprocessed(text))


class PythonHighlighter(QSyntaxHighlighter):
    """Python coloured by pygments' tokens; the section banners stand out, 4 and 5 the most.

    The document is lexed whenever it changes, a section at a time: a docstring spans lines
    (which a lexer fed one line at a time cannot know) but never a banner, and a section whose
    text did not change keeps its tokens (pygments takes ~0.1 s for the data arrays of a
    default script, ~0.5 s for a 4,000-row CSV file's, so a new learning rate must not lex
    them again). Each block then takes its share of the tokens. A token kind without a format
    of its own takes its parent's (``Keyword.Constant`` → ``Keyword``).
    """

    def __init__(self, document):
        super().__init__(None)
        c = _DARK_CODE if style.current().dark else _LIGHT_CODE  # the theme when opened
        self.formats = {
            Token.Keyword: _format(c["keyword"], bold=True),
            Token.Operator.Word: _format(c["keyword"], bold=True),  # and, or, not, in, is
            Token.Name.Builtin: _format(c["builtin"]),
            Token.Literal.String: _format(c["string"]),
            Token.Comment: _format(c["comment"], italic=True),
            Token.Literal.Number: _format(c["number"]),
            Token.Name.Function: _format(c["name"], bold=True),
            Token.Name.Class: _format(c["name"], bold=True),
        }
        self.banner = _format("#0b3d6e", bold=True, background=BANNER_BACKGROUND)
        self.cost_banner = _format("#7a1c12", bold=True, background=COST_BANNER_BACKGROUND)
        self._starts, self._runs = [], []  # (start, length, format) of the formatted tokens
        # Connected before setDocument connects Qt's own re-highlighting, so the tokens are
        # fresh when Qt asks for the changed blocks.
        document.contentsChange.connect(self._on_contents_change)
        self.setDocument(document)

    def _format_of(self, token):
        while token is not None and token not in self.formats:
            token = token.parent
        return self.formats.get(token)

    def _on_contents_change(self, *_):
        self._runs, offset = [], 0
        for section in _SECTION_SPLIT.split(self.document().toPlainText()):
            self._runs.extend((offset + start, length, fmt) for start, length, token
                              in _tokens(section)
                              if (fmt := self._format_of(token)) is not None)
            offset += len(section)
        self._starts = [start for start, _, _ in self._runs]

    def highlightBlock(self, text):
        match = _BANNER_START.match(text)
        if match:
            cost = int(match.group(1)) in COST_SECTIONS
            self.setFormat(0, len(text), self.cost_banner if cost else self.banner)
            return
        begin = self.currentBlock().position()
        end = begin + len(text)
        i = max(bisect.bisect_right(self._starts, begin) - 1, 0)
        while i < len(self._runs) and self._runs[i][0] < end:
            start, length, fmt = self._runs[i]
            low, high = max(start, begin), min(start + length, end)
            if high > low:
                self.setFormat(low - begin, high - low, fmt)
            i += 1


class CodeWindow(QWidget):
    """A window with the script that repeats the current run. Feed it snapshots.

    Signals
    -------
    saved(str)
        The script was saved to this path.
    """

    saved = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent, Qt.Window)
        self.setWindowTitle("The code behind the run")
        self.resize(900, 760)
        self._snapshot = None
        self._key = None
        self._section_lines = {}
        self._highlight = None       # the gui.selection.Highlight whose lines are marked
        self.part_lines = []
        self.error = None

        intro = QLabel(
            "A standalone numpy script that repeats this run with its current settings: the same "
            "data, the same initial weights, the same arithmetic. It trains for the steps chosen "
            "here and prints the cost the app shows after as many steps from a Reset. The cost "
            "function is in section 4 and its derivative, where backpropagation starts, in "
            "section 5.")
        intro.setWordWrap(True)
        self.sections = QComboBox()
        self.sections.addItems(section_titles())
        self.sections.setToolTip("Jump to a section of the script.")
        self.sections.activated.connect(self.jump_to_section)
        self.steps_box = QSpinBox()
        self.steps_box.setRange(0, 10_000_000)
        self.steps_box.setSingleStep(100)
        self.steps_box.setValue(DEFAULT_STEPS)
        self.steps_box.setSuffix(" steps")
        self.steps_box.setToolTip(
            "How many mini-batch updates the script runs before printing its final cost (the\n"
            "app's cost after as many steps from a reset is the same number).")
        self.steps_box.valueChanged.connect(self._on_steps_changed)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the whole script to the clipboard.")
        self.copy_button.clicked.connect(self.copy)
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Save the script as a .py file; run it with "
                                    "`python costscape_run.py` (it needs only numpy).")
        self.save_button.clicked.connect(self._on_save_clicked)
        row = QHBoxLayout()
        row.addWidget(QLabel("Jump to:"))
        row.addWidget(self.sections, 1)
        row.addWidget(self.steps_box)
        row.addWidget(self.copy_button)
        row.addWidget(self.save_button)

        self.part_label = QLabel()
        self.part_label.setWordWrap(True)
        self.part_label.setStyleSheet(f"QLabel {{ background: {PART_BACKGROUND}; "
                                      f"border-radius: 4px; padding: 4px; }}")
        self.part_label.setVisible(False)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("QLabel { background: #fff4e0; border: 1px solid #f0b45c; "
                                "border-radius: 4px; padding: 6px; color: #6b3d00; }")
        self.note.setVisible(False)

        self.editor = QPlainTextEdit()
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.NoWrap)
        font = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        font.setPointSize(max(font.pointSize(), 10))
        self.editor.setFont(font)
        self.editor.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
        self.highlighter = PythonHighlighter(self.editor.document())
        self.editor.verticalScrollBar().valueChanged.connect(self._on_scrolled)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.note)
        layout.addWidget(self.part_label)
        layout.addWidget(self.editor, 1)

    # ------------------------------------------------------------------ the marked part
    def bind(self, selection):
        """Mark the lines of the part of a step that ``selection``'s highlight points at."""
        selection.highlight_changed.connect(self.show_part)
        self.show_part(selection.highlight)

    @Slot(object)
    def show_part(self, highlight):
        """Mark the lines that compute ``highlight.part`` (a :class:`gui.selection.Highlight`,
        or None for none) and scroll to them."""
        self._highlight = highlight if highlight is not None and highlight.part else None
        self._shade_banners()
        if self.part_lines:
            line = max(self.part_lines[0] - 1, 0)
            self.editor.verticalScrollBar().setValue(line)
    # ------------------------------------------------------------------ content
    @Slot(object)
    def show_snapshot(self, snap):
        """Follow the run: regenerate when its configuration (or own data) changed."""
        self._snapshot = snap
        if self.isVisible():
            self._refresh()

    def showEvent(self, event):
        super().showEvent(event)
        self._refresh()

    def _refresh(self):
        snap = self._snapshot
        if snap is None:
            return
        data = snap.data if snap.config.dataset in OWN_DATA else None
        self.set_run(snap.config, data)

    def set_run(self, config, data=None):
        """Show the script for ``config`` (and ``data``, for a CSV file or drawn points)."""
        key = (config, id(data) if data is not None else None, self.steps_box.value())
        if key == self._key:
            return
        self._key = key
        section = self.current_section()
        try:
            text = generate_script(config, data=data, steps=self.steps_box.value())
        except Exception as err:  # noqa: BLE001 - shown to the learner, never raised
            message = str(err)
            self.error = message
            self.note.setText(f"<b>This run's code cannot be shown.</b> "
                              f"{html.escape(message[:1].upper() + message[1:])}.")
            self.note.setVisible(True)
            self.editor.setPlainText("")
            self.editor.setExtraSelections([])  # the shaded banners of the last script
            self._section_lines = {}
            for widget in (self.copy_button, self.save_button, self.sections):
                widget.setEnabled(False)
            return
        self.error = None
        self.note.setVisible(False)
        for widget in (self.copy_button, self.save_button, self.sections):
            widget.setEnabled(True)
        self.editor.setPlainText(text)
        self._section_lines = {}
        for number, line in enumerate(text.split("\n")):
            match = _BANNER_START.match(line)
            if match:
                self._section_lines[int(match.group(1))] = number
        self._shade_banners()
        if self.part_lines:
            self.editor.verticalScrollBar().setValue(max(self.part_lines[0] - 1, 0))
        elif section > 1:
            self.jump_to_section(section - 1)

    def text(self) -> str:
        return self.editor.toPlainText()

    def _shade_banners(self):
        # The banner lines' background spans the editor's width (the highlighter colours only
        # the characters); so do the marked lines of the backpropagation view's stage.
        highlight, text = self._highlight, self.text()
        self.part_lines = lines_of(text, highlight.part) if highlight and text else []
        self.part_label.setVisible(bool(self.part_lines))
        if self.part_lines:
            self.part_label.setText(f"Marked: the lines that compute “{highlight.label}”, the "
                                    f"stage the backpropagation view shows.")
        selections = []
        for line in self.part_lines:
            selection = QTextEdit.ExtraSelection()
            selection.format.setBackground(QColor(PART_BACKGROUND))
            selection.format.setProperty(QTextFormat.FullWidthSelection, True)
            selection.cursor = QTextCursor(self.editor.document().findBlockByNumber(line))
            selections.append(selection)
        for number, line in self._section_lines.items():
            selection = QTextEdit.ExtraSelection()
            cost = number in COST_SECTIONS
            selection.format.setBackground(
                QColor(COST_BANNER_BACKGROUND if cost else BANNER_BACKGROUND))
            selection.format.setProperty(QTextFormat.FullWidthSelection, True)
            selection.cursor = QTextCursor(self.editor.document().findBlockByNumber(line))
            selections.append(selection)
        self.editor.setExtraSelections(selections)

    # ------------------------------------------------------------------ sections
    def current_section(self) -> int:
        """The section (1 to 8) at the top of the editor; 0 before the first banner."""
        top = self.editor.verticalScrollBar().value()
        current = 0
        for number, line in sorted(self._section_lines.items()):
            if line <= top:
                current = number
        return current

    @Slot(int)
    def jump_to_section(self, index):
        """Scroll so that section ``index + 1``'s banner is the top line."""
        line = self._section_lines.get(index + 1)
        if line is None:
            return
        block = self.editor.document().findBlockByNumber(line)
        cursor = QTextCursor(block)
        self.editor.setTextCursor(cursor)
        self.editor.verticalScrollBar().setValue(line)

    @Slot(int)
    def _on_scrolled(self, _value):
        section = self.current_section()
        if section and self.sections.currentIndex() != section - 1:
            with signals_blocked(self.sections):
                self.sections.setCurrentIndex(section - 1)

    @Slot(int)
    def _on_steps_changed(self, _steps):
        self._key = None
        self._refresh()

    # ------------------------------------------------------------------ copy and save
    @Slot()
    def copy(self):
        QGuiApplication.clipboard().setText(self.text())

    def save_to(self, path):
        """Write the script to ``path`` (UTF-8). Raises OSError."""
        with open(path, "w", encoding="utf-8") as file:
            file.write(self.text())
        self.saved.emit(str(path))

    @Slot()
    def _on_save_clicked(self):
        path, _ = QFileDialog.getSaveFileName(self, "Save the script", DEFAULT_FILE_NAME,
                                              "Python scripts (*.py);;All files (*)")
        if not path:
            return
        if not path.endswith(".py") and "." not in path.rsplit("/", 1)[-1]:
            path += ".py"
        try:
            self.save_to(path)
        except OSError as err:
            QMessageBox.warning(self, "Could not save the script",
                                f"The script could not be written to {path}:\n{err}")
