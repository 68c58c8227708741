"""The lesson player's pure parts, without a display: a lesson's text as rich text (escaped,
never HTML from the file) and the progress through a lesson (what Play and Next wait for)."""
import math

import pytest

from core import lessons
from gui.lessons.markdown import inline, maths, to_html
from gui.lessons.progress import LessonProgress, format_value

LESSON = lessons.loads('''
format = "costscape-lesson"
version = 1
title = "T"
audience = "A"

[[steps]]
title = "Look"
text = "Just text."

[[steps]]
title = "Ask"
text = "Predict."
next_when = "train_accuracy >= 0.9"

[steps.question]
ask = "Will it learn?"
reveal_when = "train_accuracy >= 0.75 or step >= 100"

[[steps.question.choices]]
text = "Yes"
when = "train_accuracy >= 0.75"
expected = true

[[steps.question.choices]]
text = "No"
when = "train_accuracy < 0.75"
''')


# --------------------------------------------------------------------------- text
def test_markdown_subset():
    html = to_html("A **bold** and *italic* `code`.\nSame paragraph.\n\n- one\n  more\n- two\n\n"
                   "1. first\n2. second")
    assert html == ("<p>A <b>bold</b> and <i>italic</i> <code>code</code>. Same paragraph.</p>"
                    "<ul><li>one more</li><li>two</li></ul><ol><li>first</li><li>second</li>"
                    "</ol>")


def test_a_list_may_follow_a_paragraph_line():
    assert to_html("Two kinds:\n- L1\n- L2") == "<p>Two kinds:</p><ul><li>L1</li><li>L2</li></ul>"


def test_html_in_a_lesson_is_shown_as_text():
    html = to_html('<img src="http://x/y.png"> <b>not bold</b> <a href="file:///etc">x</a> &')
    assert "<img" not in html and "<a " not in html and "<b>not" not in html
    assert "&lt;img src=\"http://x/y.png\"&gt;" in html and "&amp;" in html
    assert "<script" not in inline("<script>alert(1)</script>")


def test_maths():
    assert maths(r"\sigma(z) = 1/(1 + e^{-z})").endswith("σ(z) = 1/(1 + e<sup>-z</sup>)</span>")
    assert r"p<sub>right</sub>" in maths("p_{right}")
    assert "ŷ" in maths(r"\hat{y}") and "≤" in maths(r"a \le b") and "x<sup>2</sup>" in maths("x^2")
    assert r"\unknown" not in maths(r"\unknown") and "unknown" in maths(r"\unknown")
    # A * inside maths or code is not emphasis.
    assert "<i>" not in inline("$a * b * c$ and `x*y*z`")


def test_nul_characters_cannot_reach_the_placeholders():
    assert inline("a\x000\x00b `c`") == "a0b <code>c</code>"
    assert to_html("\x005\x00") == "<p>5</p>"


# --------------------------------------------------------------------------- progress
def test_play_waits_for_the_prediction_and_next_for_the_reveal_and_next_when():
    progress = LessonProgress(LESSON)
    assert progress.can_play and progress.can_next and progress.waiting_for == ""
    progress.go(1)
    assert progress.is_last and not progress.can_play and not progress.can_next
    assert "Choose your prediction" in progress.waiting_for
    assert progress.observe({"train_accuracy": 1.0, "step": 5}) == []  # nothing locked in
    progress.answer(1)
    progress.answer(0)  # a locked-in prediction does not change
    assert progress.state.answer == 1 and progress.can_play and not progress.can_next
    assert "training accuracy ≥ 75 % or step ≥ 100" in progress.waiting_for
    assert progress.observe({"train_accuracy": 0.5, "step": 50}) == []
    assert progress.observe({"train_accuracy": 0.8, "step": 60}) == ["revealed"]
    state = progress.state
    assert (state.revealed, state.outcome) == (True, 0)
    assert state.evidence == (("step", "60"), ("training accuracy", "80.0 %"))
    assert not progress.can_next and "Next opens when training accuracy ≥ 90 %" in \
        progress.waiting_for
    assert progress.observe({"train_accuracy": 0.95, "step": 90}) == ["opened"]
    assert progress.can_next and progress.waiting_for == "" and not progress.needs_values


def test_the_first_recorded_row_decides_whatever_the_frame_rate():
    progress = LessonProgress(LESSON)
    progress.go(1)
    progress.answer(0)
    rows = [{"train_accuracy": a, "step": s} for s, a in ((10, 0.5), (11, 0.76), (12, 0.95))]
    now = {"train_accuracy": 0.97, "step": 40}
    assert progress.observe(now, rows=rows) == ["revealed", "opened"]
    assert progress.state.evidence[0] == ("step", "11")


def test_a_stop_or_divergence_reveals_even_if_the_condition_never_held():
    progress = LessonProgress(LESSON)
    progress.go(1)
    progress.answer(0)
    assert progress.observe({"train_accuracy": 0.6, "step": 30}, stopped=True) == ["revealed"]
    assert progress.state.outcome == 1


def test_values_read_as_a_learner_reads_them():
    assert format_value("test_accuracy", 0.9041) == "90.4 %"
    assert format_value("step", 1550.0) == "1,550"
    assert format_value("diverged", True) == "yes"
    assert format_value("train_cost", 0.123456) == "0.1235"
    assert format_value("test_r2", math.nan) == "unknown"
    assert format_value("dead_units", 1.0) == "100.0 %"


def test_going_nowhere_is_refused():
    progress = LessonProgress(LESSON)
    with pytest.raises(IndexError):
        progress.go(2)
    with pytest.raises(ValueError):
        progress.answer(0)  # step 1 asks nothing
