"""The lesson side panel: a list of lessons to choose from, and the player of one lesson.

It only shows and reports: :meth:`LessonPanel.show_step` and :meth:`show_state` draw what the
:class:`~gui.lessons.progress.LessonProgress` holds; the buttons are signals the player
(:mod:`gui.lessons.player`) answers. Colours come from :data:`COLOURS`, in one place, so a
theme can change them.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QButtonGroup, QFrame, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QRadioButton, QScrollArea, QSizePolicy,
                               QStackedWidget, QTextBrowser, QToolButton, QVBoxLayout, QWidget)

from gui import style
from gui.lessons.markdown import inline, to_html

#: Text is this much larger than the app's: read at arm's length, and from the back of a room.
TEXT_SCALE = 1.15
COLOURS = {
    "question": style.BANNER["info"],      # (background, border, text)
    "right": ("#e6f4ea", "#7cc48b", "#1e5631"),
    "wrong": style.BANNER["warning"],
    "departed": style.BANNER["warning"],
    "muted": "#555555",
    "card": "#c8ccd2",
}


def _scaled(widget, factor, bold=False):
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    widget.setFont(font)
    return widget


def _wrapped(text="", factor=TEXT_SCALE, bold=False):
    label = _scaled(QLabel(text), factor, bold)
    label.setWordWrap(True)
    label.setTextFormat(Qt.RichText)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


def _box(colours):
    background, border, text = colours
    return (f"background: {background}; border: 1px solid {border}; border-radius: 6px; "
            f"color: {text};")


class ChoiceRow(QWidget):
    """A radio button with a word-wrapped label (a QRadioButton cannot wrap); a click anywhere
    on the row chooses it."""

    def __init__(self, text, parent=None):
        super().__init__(parent)
        self.radio = QRadioButton()
        self.label = _wrapped(inline(text))
        self.label.setTextInteractionFlags(Qt.NoTextInteraction)
        self.tag = QLabel()
        self.tag.setVisible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.addWidget(self.radio, 0, Qt.AlignTop)
        column = QVBoxLayout()
        column.setSpacing(1)
        column.addWidget(self.label)
        column.addWidget(self.tag)
        layout.addLayout(column, 1)
        self.setObjectName("choice")

    def mousePressEvent(self, event):
        if self.radio.isEnabled():
            self.radio.setChecked(True)
        super().mousePressEvent(event)

    def mark(self, text="", colours=None):
        """Tag the row (``"✔ What happened"``) in ``colours``, or clear it."""
        self.tag.setText(f"<b>{text}</b>")
        self.tag.setVisible(bool(text))
        self.setStyleSheet(f"QWidget#choice {{ {_box(colours)} }}" if colours else "")
        self.setAttribute(Qt.WA_StyledBackground, bool(colours))


class LessonCard(QFrame):
    """One lesson of the list: its title, who it is for, and a Start button."""

    def __init__(self, number, path, lesson, parent=None):
        super().__init__(parent)
        self.path = str(path)
        self.setObjectName("card")
        self.setStyleSheet(f"QFrame#card {{ border: 1px solid {COLOURS['card']}; "
                           f"border-radius: 6px; }}")
        title = _wrapped(f"<b>{number}. {inline(lesson.title)}</b>", 1.05)
        audience = _wrapped(inline(lesson.audience), 0.92)
        audience.setStyleSheet(f"color: {COLOURS['muted']};")
        self.start_button = QPushButton("Start ▶")
        self.start_button.setToolTip(f"Start this lesson ({len(lesson.steps)} steps).")
        self.setToolTip(lesson.summary)
        column = QVBoxLayout()
        column.setSpacing(1)
        column.addWidget(title)
        column.addWidget(audience)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 5, 6, 5)
        layout.addLayout(column, 1)
        layout.addWidget(self.start_button, 0, Qt.AlignVCenter)


class LessonPanel(QWidget):
    """The lesson dock's content: page 0 lists lessons, page 1 plays one.

    Signals
    -------
    open_requested(str)
        A lesson of the list was chosen (its path).
    open_file_requested()
        "Open a lesson file…".
    next_requested, back_requested, restart_requested, close_requested
        The player's buttons.
    answered(int)
        The learner locked in a prediction (choice index).
    """

    open_requested = Signal(str)
    open_file_requested = Signal()
    next_requested = Signal()
    back_requested = Signal()
    restart_requested = Signal()
    close_requested = Signal()
    answered = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._make_chooser())
        self.pages.addWidget(self._make_player())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._choices = []

    # ------------------------------------------------------------------ the list
    def _make_chooser(self):
        page = QWidget()
        title = _wrapped("<b>Lessons</b>", 1.3)
        intro = _wrapped("Short guided experiments. Each one sets up the app, asks you to "
                         "predict what will happen, and then shows you.", 1.0)
        self.cards = []
        self.card_column = QVBoxLayout()
        self.card_column.setSpacing(6)
        self.card_column.setContentsMargins(0, 0, 4, 0)
        cards = QWidget()
        outer = QVBoxLayout(cards)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(self.card_column)
        outer.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(cards)
        self.file_button = QPushButton("Open a lesson file…")
        self.file_button.setToolTip("Open a .costscape-lesson file, from a teacher or "
                                    "written by you (Ctrl+Shift+L).")
        self.file_button.clicked.connect(self.open_file_requested)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.file_button, 0, Qt.AlignLeft)
        return page

    def set_catalog(self, entries):
        """List the ``(path, lesson)`` pairs, numbered, each with a Start button (lessons that
        could not be read are left out by the caller)."""
        for card in self.cards:
            card.deleteLater()
        self.cards = []
        for number, (path, lesson) in enumerate(entries, start=1):
            card = LessonCard(number, path, lesson)
            card.start_button.clicked.connect(
                lambda checked=False, p=card.path: self.open_requested.emit(p))
            self.card_column.addWidget(card)
            self.cards.append(card)

    def show_chooser(self):
        self.pages.setCurrentIndex(0)

    # ------------------------------------------------------------------ the player
    def _make_player(self):
        page = QWidget()
        self.lesson_title = _wrapped("", 1.0)
        self.lesson_title.setStyleSheet(f"color: {COLOURS['muted']};")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Close the lesson: the controls unlock and the views come "
                                     "back; the settings stay as they are.")
        self.close_button.clicked.connect(self.close_requested)
        header = QHBoxLayout()
        header.addWidget(self.lesson_title, 1)
        header.addWidget(self.close_button, 0, Qt.AlignTop)
        self.progress_label = _scaled(QLabel(), 0.95)
        self.progress_label.setStyleSheet(f"color: {COLOURS['muted']};")
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setFixedHeight(6)
        self.step_title = _wrapped("", 1.35, bold=True)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setOpenExternalLinks(False)
        self.text.setFrameShape(QFrame.NoFrame)
        self.text.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.text.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.text.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Minimum)
        self.text.viewport().setAutoFillBackground(False)
        self.text.setStyleSheet("QTextBrowser { background: transparent; }")
        _scaled(self.text, TEXT_SCALE)
        self.text.document().setDocumentMargin(2)
        self.text.document().contentsChanged.connect(self._fit_text)

        self.question_box = self._make_question()
        self.reveal_box = QFrame()
        self.reveal_box.setObjectName("reveal")
        self.reveal_headline = _wrapped("", TEXT_SCALE, bold=True)
        self.reveal_text = _wrapped("", TEXT_SCALE)
        self.evidence = _wrapped("", 0.95)
        reveal_layout = QVBoxLayout(self.reveal_box)
        for widget in (self.reveal_headline, self.reveal_text, self.evidence):
            reveal_layout.addWidget(widget)
        self.departed = _wrapped("", 1.0)
        self.departed.setStyleSheet(f"QLabel {{ {_box(COLOURS['departed'])} padding: 6px; }}")
        self.departed.setVisible(False)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 4, 0)
        for widget in (self.step_title, self.text, self.question_box, self.reveal_box,
                       self.departed):
            column.addWidget(widget)
        column.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.setWidget(body)

        self.hint = _wrapped("", 1.0)
        self.hint.setStyleSheet(f"color: {COLOURS['muted']};")
        self.back_button = QPushButton("◀ Back")
        self.back_button.setToolTip("The step before (Page Up)")
        self.restart_button = QPushButton("Start again")
        self.restart_button.setToolTip("Start this step again: its settings and fresh "
                                       "weights.")
        self.next_button = QPushButton("Next ▶")
        self.next_button.setToolTip("The next step (Page Down)")
        self.next_button.setDefault(True)
        for button, signal in ((self.back_button, self.back_requested),
                               (self.restart_button, self.restart_requested),
                               (self.next_button, self.next_requested)):
            _scaled(button, 1.05)
            button.setFocusPolicy(Qt.NoFocus)  # Space stays Play, → stays Step
            button.clicked.connect(signal)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.restart_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.addLayout(header)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        return page

    def _make_question(self):
        box = QFrame()
        box.setObjectName("question")
        box.setStyleSheet(f"QFrame#question {{ {_box(COLOURS['question'])} }}")
        self.question_title = _wrapped("", 0.95)
        self.question_title.setText("<b>Your prediction</b>")
        self.question_text = _wrapped("", TEXT_SCALE, bold=True)
        self.choice_group = QButtonGroup(self)
        self.choice_group.idToggled.connect(self._on_choice_toggled)
        self.choice_column = QVBoxLayout()
        self.choice_column.setSpacing(2)
        self.lock_button = QPushButton("Lock in my prediction")
        self.lock_button.setToolTip("Once locked in, the prediction cannot change; then Play "
                                    "runs the experiment.")
        self.lock_button.setFocusPolicy(Qt.NoFocus)
        self.lock_button.clicked.connect(
            lambda: self.answered.emit(self.choice_group.checkedId()))
        layout = QVBoxLayout(box)
        layout.addWidget(self.question_title)
        layout.addWidget(self.question_text)
        layout.addLayout(self.choice_column)
        layout.addWidget(self.lock_button, 0, Qt.AlignRight)
        return box

    def _fit_text(self):
        # A text browser has no height of its own: make it as tall as its text, and let the
        # scroll area around everything scroll.
        doc = self.text.document()
        doc.setTextWidth(self.text.viewport().width() or 300)
        self.text.setFixedHeight(int(doc.size().height()) + 6)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._fit_text()

    def _on_choice_toggled(self, _id, checked):
        if checked:
            self.lock_button.setEnabled(True)

    # ------------------------------------------------------------------ showing
    def show_step(self, progress):
        """Show the current step of ``progress`` from its start (text, question, buttons)."""
        self.pages.setCurrentIndex(1)
        lesson, step = progress.lesson, progress.step
        self.lesson_title.setText(inline(lesson.title))
        self.progress_label.setText(f"Step {progress.index + 1} of {progress.count}")
        self.progress_bar.setRange(0, progress.count)
        self.progress_bar.setValue(progress.index + 1)
        self.step_title.setText(inline(step.title))
        self.text.setHtml(to_html(step.text))
        self._fit_text()
        for row in self._choices:
            self.choice_group.removeButton(row.radio)
            row.deleteLater()
        self._choices = []
        question = step.question
        self.question_box.setVisible(question is not None)
        if question is not None:
            self.question_text.setText(inline(question.ask))
            for i, choice in enumerate(question.choices):
                row = ChoiceRow(choice.text)
                self.choice_group.addButton(row.radio, i)
                self.choice_column.addWidget(row)
                self._choices.append(row)
        self.scroll.verticalScrollBar().setValue(0)
        self.show_state(progress)

    def show_state(self, progress):
        """Show what has happened in the current step: the prediction, the reveal, the
        buttons that may be pressed and what the step waits for."""
        step, state = progress.step, progress.state
        question = step.question
        if question is not None:
            answered = state.answer is not None
            if answered:
                self.choice_group.button(state.answer).setChecked(True)
            for i, row in enumerate(self._choices):
                row.radio.setEnabled(not answered)
                row.mark()
                if state.revealed and i == state.outcome:
                    row.mark("✔ What happened" + ("  ·  your prediction" if i == state.answer
                                                   else ""), COLOURS["right"])
                elif answered and i == state.answer:
                    row.mark("Your prediction", COLOURS["wrong"] if state.revealed
                             else COLOURS["question"])
            self.lock_button.setVisible(not answered)
            self.lock_button.setEnabled(self.choice_group.checkedId() >= 0 and not answered)
        self._show_reveal(question, state)
        self.back_button.setEnabled(progress.index > 0)
        self.next_button.setText("Finish ✔" if progress.is_last else "Next ▶")
        self.next_button.setEnabled(progress.can_next)
        waiting = progress.waiting_for
        self.hint.setText(waiting)
        self.hint.setVisible(bool(waiting))

    def _show_reveal(self, question, state):
        revealed = question is not None and state.revealed
        newly = revealed and self.reveal_box.isHidden()
        self.reveal_box.setVisible(revealed)
        if not revealed:
            return
        if state.outcome is None:
            headline, colours = "None of the choices describes what happened.", "wrong"
        elif state.outcome == state.answer:
            headline, colours = "Your prediction was right.", "right"
        else:
            headline = (f"What happened: {inline(question.choices[state.outcome].text)}. "
                        f"<br>Your prediction: {inline(question.choices[state.answer].text)}.")
            colours = "wrong"
        self.reveal_box.setStyleSheet(f"QFrame#reveal {{ {_box(COLOURS[colours])} }}")
        self.reveal_headline.setText(headline)
        self.reveal_text.setText(to_html(question.explain))
        self.reveal_text.setVisible(bool(question.explain))
        self.evidence.setText("Measured at the reveal: " + " · ".join(
            f"{name} {value}" for name, value in state.evidence))
        if newly:  # bring the answer into view, once the layout knows its size
            QTimer.singleShot(0, lambda: self.scroll.ensureWidgetVisible(self.reveal_box, 0, 0))

    def show_departed(self, text):
        """Say that the settings no longer are the step's (``text``), or hide the note."""
        self.departed.setText(text)
        self.departed.setVisible(bool(text))
