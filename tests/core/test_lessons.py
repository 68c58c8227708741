"""Lesson files: the format read and checked key by key, conditions evaluated without eval, the
run's values measured independently, steps written back, and every bad file one clear
LessonError (never another exception), fuzzed as the experiment files are."""
import builtins
import os
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import lessons
from core.config import Config
from core.lessons import Condition, ConditionError, LessonError
from core.lessons.files import _string
from core.lessons.values import VARIABLES
from core.trainer import Trainer

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

GOOD = '''
format = "costscape-lesson"
version = 1
title = "A small lesson"
audience = "Tests"

[[steps]]
title = "Start"
text = "Some *text*."
lock = ["loss", "data"]
hide = "stopping"
views = ["cost", "boundary"]
point_at = "cost"
[steps.config]
dataset = "xor_table"
hidden_layers = [2]
learning_rate = 0.3
batch_size = 4
max_steps = 40

[[steps]]
title = "Predict"
text = "Press Play."
change = { learning_rate = 0.5 }
reset = false
next_when = "step >= 60"

[steps.question]
ask = "What will the cost do?"
reveal_when = "stopped"
explain = "It fell."

[[steps.question.choices]]
text = "Fall"
when = "train_cost < start_train_cost"
expected = true

[[steps.question.choices]]
text = "Rise"
when = "train_cost >= start_train_cost"
'''


def _error(text) -> str:
    with pytest.raises(LessonError) as info:
        lessons.loads(text)
    return str(info.value)


# --------------------------------------------------------------------------- reading
def test_a_good_lesson_is_read_into_steps_with_their_settings():
    lesson = lessons.loads(GOOD)
    assert (lesson.title, lesson.audience, len(lesson.steps)) == ("A small lesson", "Tests", 2)
    first, second = lesson.steps
    assert first.config == Config(dataset="xor_table", hidden_layers=(2,), learning_rate=0.3,
                                  batch_size=4, max_steps=40)
    assert first.sets_config and first.reset and first.views == ("cost", "boundary")
    # A field name means that field; a group its fields.
    assert first.lock == {"loss", "dataset", "n_samples", "noise", "train_fraction", "seed"}
    assert first.hide == frozenset(lessons.GROUPS["stopping"])
    # A change applies to the step before's settings, not to the defaults.
    assert second.config == first.config.replace(learning_rate=0.5)
    assert second.sets_config and not second.reset and second.lock == frozenset()
    assert second.next_when.text == "step >= 60"
    question = second.question
    assert question.expected == 0 and [c.text for c in question.choices] == ["Fall", "Rise"]


def test_the_first_step_always_sets_the_settings_even_the_defaults():
    text = GOOD.replace("[steps.config]", "[steps.unused]").replace("[steps.unused]", "", 1)
    lesson = lessons.loads(text.split("[[steps]]")[0] + '[[steps]]\ntitle = "A"\ntext = "B"\n')
    assert lesson.steps[0].sets_config and lesson.steps[0].config == Config()


def test_none_turns_an_optional_setting_off():
    lesson = lessons.loads(GOOD.replace('change = { learning_rate = 0.5 }',
                                        'change = { max_steps = "none" }'))
    assert lesson.steps[0].config.max_steps == 40 and lesson.steps[1].config.max_steps is None


BAD = {
    "wrong format": (GOOD.replace('"costscape-lesson"', '"something-else"'),
                     'not a Costscape lesson (it must start with format = "costscape-lesson")'),
    "no version": (GOOD.replace("version = 1\n", ""), "'version' must be a whole number"),
    "newer version": (GOOD.replace("version = 1", "version = 7"),
                      "written for a newer Costscape (lesson format 7); this version reads "
                      "format 1. Please update Costscape"),
    "version as text": (GOOD.replace("version = 1", 'version = "1"'),
                        "'version' must be a whole number such as 1, not '1'"),
    "unknown top key": (GOOD.replace('audience = "Tests"', 'audience = "Tests"\ntitel = "x"'),
                        "unknown key 'titel' (did you mean 'title'?)"),
    "no title": (GOOD.replace('title = "A small lesson"\n', ""), "'title' is missing"),
    "no steps": (GOOD.split("[[steps]]")[0], "a lesson needs steps"),
    "unknown step key": (GOOD.replace('point_at = "cost"', 'point_at = "cost"\nlok = []'),
                         "step 1 ('Start'): unknown key 'lok' (did you mean 'lock'?)"),
    "text not text": (GOOD.replace('text = "Some *text*."', "text = 3"),
                      "step 1 ('Start'): 'text' must be text (in quotes), not a whole number"),
    "bad setting": (GOOD.replace("learning_rate = 0.3", "learning_rate = -1.0"),
                    "step 1 ('Start'): config: learning_rate must be a finite number"),
    "unknown setting": (GOOD.replace("batch_size = 4", "batch_sise = 4"),
                        "config: unknown setting 'batch_sise'"),
    "unknown change": (GOOD.replace("{ learning_rate = 0.5 }", "{ learning_rat = 0.5 }"),
                       "step 2 ('Predict'): change: unknown setting 'learning_rat' (did you "
                       "mean 'learning_rate'?)"),
    "change that does not fit": (GOOD.replace("{ learning_rate = 0.5 }", '{ loss = "bce", '
                                              'dataset = "spiral3" }'),
                                 "loss 'bce' does not fit a multiclass task"),
    "config and change": (GOOD.replace("reset = false", "reset = false\nconfig = {}"),
                          "either 'config' (all settings) or 'change'"),
    "file data": (GOOD.replace('dataset = "xor_table"', 'dataset = "csv"\ndata_path = "/etc"'),
                  "lessons use the built-in data sets"),
    "unknown lock": (GOOD.replace('["loss", "data"]', '["los"]'),
                     "'lock': unknown name 'los' (did you mean 'loss'?)"),
    "lock not a list": (GOOD.replace('["loss", "data"]', "3"),
                        "'lock' must be a list of names"),
    "unknown view": (GOOD.replace('["cost", "boundary"]', '["costs"]'),
                     "'views': unknown name 'costs' (did you mean 'cost'?)"),
    "no views": (GOOD.replace('["cost", "boundary"]', "[]"), "'views' must name at least one"),
    "unknown target": (GOOD.replace('point_at = "cost"', 'point_at = "the cost"'),
                       "'point_at': unknown target 'the cost'"),
    "reset not a flag": (GOOD.replace("reset = false", 'reset = "no"'),
                         "'reset' must be true or false, not text"),
    "bad condition": (GOOD.replace('"step >= 60"', '"step => 60"'),
                      "step 2 ('Predict'): 'next_when': unexpected '=' (use == to compare) at "
                      "character 6 of 'step => 60'"),
    "condition not text": (GOOD.replace('"step >= 60"', "60"),
                           "'next_when' must be a condition in quotes"),
    "unknown name": (GOOD.replace('"stopped"', '"stoped"'),
                     "question: 'reveal_when': unknown name 'stoped' (did you mean "
                     "'stopped'?)"),
    "no reveal": (GOOD.replace('reveal_when = "stopped"\n', ""),
                  "question: 'reveal_when' is missing"),
    "one choice": (GOOD.split("[[steps.question.choices]]\ntext = \"Rise\"")[0],
                   "a question needs 2 to 8 choices, not 1"),
    "no expected": (GOOD.replace("expected = true\n", ""), "exactly one choice must say "
                                                           "expected = true"),
    "two expected": (GOOD.replace('when = "train_cost >= start_train_cost"',
                                  'when = "train_cost >= start_train_cost"\nexpected = true'),
                     "exactly one choice must say expected = true"),
    "choice without when": (GOOD.replace('when = "train_cost < start_train_cost"\n', ""),
                            "question.choices[1]: 'when' is missing"),
    "unknown choice key": (GOOD.replace('text = "Rise"', 'text = "Rise"\nwhy = "x"'),
                           "question.choices[2]: unknown key 'why'"),
    "not TOML": (GOOD.replace('title = "Start"', "title = Start"),
                 "it is not valid TOML: "),
    "empty text": ("", "it is not a Costscape lesson"),
}


@pytest.mark.parametrize("text,expected", BAD.values(), ids=BAD.keys())
def test_each_problem_gives_a_clear_error_naming_the_key(text, expected):
    assert expected in _error(text)


def test_errors_name_the_line_of_the_step():
    text = GOOD.replace("reset = false", "reset = 3")
    line = text.splitlines().index("[[steps]]", 10) + 1
    assert _error(text).endswith(f"(the [[steps]] table at line {line})")


def test_toml_errors_name_the_line():
    message = _error(GOOD.replace('title = "Start"', 'title = "Start'))
    assert "at line 8" in message


def test_too_many_steps_and_too_long_texts_are_refused():
    one = '[[steps]]\ntitle = "x"\ntext = "y"\n'
    head = GOOD.split("[[steps]]")[0]
    assert "at most 100 steps, not 101" in _error(head + one * 101)
    assert "'text' is longer than 20000 characters" in _error(
        head + one.replace('"y"', '"' + "y" * 20_001 + '"'))


# --------------------------------------------------------------------------- files
BAD_FILES = {
    "missing": (lambda p: None, "the file does not exist"),
    "folder": (lambda p: p.mkdir(), "it is a folder"),
    "empty": (lambda p: p.write_bytes(b""), "the file is empty"),
    "huge": (lambda p: p.write_bytes(b"#" * (lessons.MAX_BYTES + 1)), "larger than 1 MB"),
    "binary": (lambda p: p.write_bytes(b"\xff\xfe\x00\x01" * 10), "not UTF-8"),
    "experiment": (lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 40), "not valid TOML"),
    "json": (lambda p: p.write_text('{"format": "costscape-lesson"}'), "not valid TOML"),
}


@pytest.mark.parametrize("make,expected", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_each_kind_of_bad_file_gives_a_clear_error(tmp_path, make, expected):
    path = tmp_path / "bad.costscape-lesson"
    make(path)
    with pytest.raises(LessonError) as info:
        lessons.load(path)
    assert str(info.value).startswith(f"Cannot open {path}: ")
    assert expected in info.value.reason


def test_a_good_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.costscape-lesson"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert lessons.load(path).path == os.fspath(path)


@pytest.mark.parametrize("keep", [0.1, 0.3, 0.5, 0.7, 0.9, 0.97])
def test_truncated_file(tmp_path, keep):
    path = tmp_path / "cut.costscape-lesson"
    path.write_text(GOOD[:int(len(GOOD) * keep)])
    with pytest.raises(LessonError):
        lessons.load(path)


def test_a_path_that_is_not_a_path():
    with pytest.raises(LessonError, match="must be text or a path"):
        lessons.load(42)


def test_nothing_is_ever_evaluated(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("eval or exec was called")

    trainer = Trainer(lessons.loads(GOOD).steps[0].config)  # imports (which exec) done here
    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    lesson = lessons.loads(GOOD.replace('"Fall"', '"__import__(\'os\').system(\'x\')"'))
    values = lessons.trainer_values(trainer)
    assert lesson.steps[1].question.choices[0].text.startswith("__import__")
    assert lesson.steps[1].question.outcome(values) == 1  # the cost has not fallen yet


# --------------------------------------------------------------------------- fuzzing
@FUZZ
@given(st.data())
def test_random_damage_to_a_good_file_never_raises_anything_else(data):
    raw = bytearray(GOOD.encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(raw) - 1))
        kind = data.draw(st.sampled_from(["flip", "delete", "insert"]))
        if kind == "flip":
            raw[i] = data.draw(st.integers(0, 255))
        elif kind == "delete":
            del raw[i:i + data.draw(st.integers(1, 20))]
        else:
            raw[i:i] = data.draw(st.sampled_from([b"[", b"]", b'"', b"=", b"\n", b"{", b"'''",
                                                  b"[[steps]]\n", b"0", b"#"]))
    try:
        text = bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return
    try:
        lessons.loads(text)
    except LessonError:
        pass


# What tomllib can give: text, numbers, booleans, dates and times (and None, which it cannot).
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                     st.floats(allow_nan=True), st.text(max_size=30), st.datetimes(),
                     st.dates(), st.times())
_KEYS = st.sampled_from(["format", "version", "title", "audience", "steps", "text", "config",
                         "change", "lock", "hide", "views", "point_at", "question", "choices",
                         "when", "expected", "ask", "reveal_when", "next_when", "reset", "pin",
                         "learning_rate", "dataset", "hidden_layers", "x"])
_TREES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=6)), max_leaves=30)


@FUZZ
@given(_TREES)
def test_random_parsed_documents_are_lessons_or_lesson_errors(tree):
    document = {"format": "costscape-lesson", "version": 1, "title": "t", "audience": "a",
                "steps": tree}
    for data in (tree, document):
        try:
            lessons.from_dict(data)
        except LessonError:
            pass


_PIECES = st.sampled_from(list("stepodivrgn_ac<>=!()+-*/%.0123456789 ≤≥") +
                          ["and ", "or ", "not ", "step", "train_cost", "diverged", "1e400",
                           "true", " / 0"])


@FUZZ
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_random_conditions_parse_or_raise_condition_errors(text):
    try:
        condition = Condition(text)
    except ConditionError:
        return
    values = {name: 0.5 for name in VARIABLES}
    assert condition.evaluate(values) in (True, False)
    assert condition.describe()


# --------------------------------------------------------------------------- writing
@FUZZ
@given(st.text(max_size=80))
def test_any_text_survives_the_toml_writer(text):
    assert tomllib.loads("v = " + _string(text))["v"] == text.replace("\r\n", "\n").replace(
        "\r", "\n")


_CONFIGS = st.builds(
    Config, dataset=st.sampled_from(["circle", "spiral3", "sine", "xor_table"]),
    hidden_layers=st.lists(st.integers(1, 8), max_size=3).map(tuple),
    learning_rate=st.floats(1e-5, 10), seed=st.integers(0, 2**32 - 1),
    regularization=st.sampled_from(["none", "l1", "l2"]), reg_rate=st.floats(0, 1),
    max_steps=st.one_of(st.none(), st.integers(1, 10**6)),
    init=st.sampled_from(["xavier", "he", "zeros"]))


@FUZZ
@given(_CONFIGS)
def test_a_written_config_reads_back_equal(config):
    assert Config.from_dict(lessons.config_table(config)) == config


def test_written_config_spells_out_an_output_activation_the_loss_would_not_choose():
    config = Config(dataset="circle", loss="hinge", output_activation="sigmoid")
    table = lessons.config_table(config)
    assert table["output_activation"] == "sigmoid" and Config.from_dict(table) == config


def test_save_as_step_creates_then_appends(tmp_path):
    path = tmp_path / "new.costscape-lesson"
    first = Config(dataset="sine", loss="huber", hidden_layers=(8,))
    block = lessons.step_toml(first, 'A "quoted" title', "Line one.\nLine two with $ŷ$.\n",
                              views=["boundary", "cost"], point_at="cost", lock=["loss"])
    lesson = lessons.append_step(path, block, title="My lesson", audience="Class 3")
    assert (lesson.title, lesson.audience, len(lesson.steps)) == ("My lesson", "Class 3", 1)
    step = lesson.steps[0]
    assert step.config == first and step.title == 'A "quoted" title'
    assert step.text == "Line one.\nLine two with $ŷ$.\n" and step.views == ("boundary", "cost")
    assert step.point_at == "cost" and step.lock == {"loss"}
    second = Config(dataset="circle", optimizer="adam")
    lesson = lessons.append_step(path, lessons.step_toml(second, "Two", "More."))
    assert [s.config for s in lesson.steps] == [first, second]
    assert lessons.load(path) == lesson


def test_a_step_is_not_added_to_a_file_that_is_not_a_lesson(tmp_path):
    path = tmp_path / "notes.costscape-lesson"
    path.write_text("just some notes = \n")
    with pytest.raises(LessonError, match="^Cannot save .*The file is unchanged"):
        lessons.append_step(path, lessons.step_toml(Config(), "A", "B"))
    assert path.read_text() == "just some notes = \n"
    assert os.listdir(tmp_path) == ["notes.costscape-lesson"]


def test_a_failed_write_is_a_lesson_error(tmp_path):
    with pytest.raises(LessonError, match="^Cannot save"):
        lessons.append_step(tmp_path / "no such folder" / "x.costscape-lesson",
                            lessons.step_toml(Config(), "A", "B"))


# --------------------------------------------------------------------------- rehearsal
def test_rehearsal_reveals_on_stop_and_continues_a_run_without_reset():
    lesson = lessons.loads(GOOD)
    first, second = lessons.rehearse(lesson)
    # Step 1 asks nothing: it does not train. Step 2 continues its run (reset = false) with
    # the new rate until max_steps stops it at 40; then the prediction is revealed, and
    # next_when (step 60) can never hold.
    assert first.outcome is None and first.opened_at is None and first.values["step"] == 0
    assert second.trainer is first.trainer and second.trainer.config.learning_rate == 0.5
    assert second.revealed_at == 40 and second.outcome == 0 and second.opened_at is None


DIVERGING = GOOD.split("[[steps]]")[0] + '''
[[steps]]
title = "Too large"
text = "Predict."
config = { dataset = "plane", hidden_layers = [2], learning_rate = 30.0 }

[steps.question]
ask = "?"
reveal_when = "step >= 5000"

[[steps.question.choices]]
text = "It diverges"
when = "diverged"
expected = true

[[steps.question.choices]]
text = "It does not"
when = "not diverged"
'''


def test_rehearsal_reveals_on_divergence_before_the_condition_holds():
    (result,) = lessons.rehearse(lessons.loads(DIVERGING), max_steps=5000)
    assert result.outcome == 0 and result.values["diverged"] and result.revealed_at < 100
