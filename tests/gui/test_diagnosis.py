"""Why the run is not learning, in the window: the worker diagnoses at a modest rate, the snapshot
carries the findings, and the banner says each one (evidence and suggestion), waits for other
messages, stays closed when closed, and goes when the run recovers."""
import html

import pytest
from PySide6.QtCore import Qt

from core import diagnostics, presets
from core.config import Config
from core.trainer import Trainer
from gui.snapshot import Snapshot
from gui.threads import diagnosis as cadence
from gui.window.diagnosis import TAG, message_html, message_tooltip
from windows import TIMEOUT, close_window, open_window, settings_in

ADAM_10 = Config(dataset="xor", optimizer="adam", learning_rate=10.0)
#: A run built to show each kind of finding (as in tests/core/test_diagnostics.py), and steps.
RUNS = {
    "classic_mistake": (presets.get("The classic XOR code and its mistake").config, 30),
    "symmetric_neurons": (Config(dataset="circle", init="zeros"), 400),
    "dead_relus": (Config(dataset="circle", activation="relu", regularization="l2",
                          reg_rate=0.1, learning_rate=1.0), 1500),
    "saturated_units": (ADAM_10, 1500),
    "exploding_gradients": (Config(dataset="sine", hidden_layers=(64,) * 8,
                                   activation="linear", init="uniform"), 0),
    "vanishing_gradients": (presets.get("Deep sigmoid net: vanishing gradients").config, 1000),
    "oscillation": (ADAM_10, 1500),
    "plateau": (presets.get("Step activation: no gradient, no learning").config, 300),
}


def capture(config, steps, run=1):
    trainer = Trainer(config)
    trainer.step(steps)
    return Snapshot.capture(trainer, run, 0.0, False)


@pytest.fixture(scope="module")
def snapshots():
    """One snapshot per run of RUNS (each trained once for the module)."""
    made = {}
    for kind, (config, steps) in RUNS.items():
        key = (config, steps)
        if key not in made:
            made[key] = capture(config, steps)
    return {kind: made[run] for kind, run in RUNS.items()}


@pytest.fixture
def window(qtbot, tmp_path):
    window = open_window(qtbot, settings_in(tmp_path), restore_layout=False)
    yield window
    close_window(window)


# --------------------------------------------------------------------------- the words
def test_every_kind_has_a_run_that_shows_it(snapshots):
    assert set(RUNS) == set(diagnostics.KINDS)
    for kind, snap in snapshots.items():
        assert kind in [f.kind for f in snap.findings], kind


@pytest.mark.parametrize("kind", diagnostics.KINDS)
def test_each_finding_is_said_with_its_evidence_and_suggestion(kind, snapshots, window):
    snap = snapshots[kind]
    findings = snap.findings
    finding = next(f for f in findings if f.kind == kind)
    text, tip = message_html(findings), message_tooltip(findings)
    assert f"{finding.title}: {finding.evidence}\nTry: {finding.suggestion}" in tip
    if finding is findings[0]:  # the root cause, in full
        assert text.startswith(f"<b>Why it is not learning: {html.escape(finding.title)}.</b> "
                               f"{html.escape(finding.evidence)} <b>Try:</b> "
                               f"{html.escape(finding.suggestion)}")
    else:  # a consequence, by name
        assert "Also found: " in text and html.escape(finding.title) in text
    window.diagnosis_banner.show_snapshot(snap)
    banner = window.banner
    assert banner.isVisible() and banner.tag == TAG and banner.level == "warning"
    assert banner.text() == text and banner.label.toolTip() == tip


def test_the_presets_that_learn_have_nothing_to_say():
    failing = {"Deep sigmoid net: vanishing gradients", "Step activation: no gradient, no "
               "learning", "Learning rate too large: diverges",
               "The classic XOR code and its mistake"}  # learns the wrong thing, and says so
    for preset in presets.PRESETS:
        if preset.name in failing:
            continue
        trainer = Trainer(preset.config)
        for steps in (0, 30, 120, 250):  # what the window diagnoses first (core tests: later)
            trainer.step(steps)
            snap = Snapshot.capture(trainer, 1, 0.0, False)
            assert snap.findings == (), (preset.name, trainer.step_count)


# --------------------------------------------------------------------------- the banner
def test_the_banner_waits_for_other_messages_and_stays_closed_when_closed(window, snapshots):
    banner, shown = window.banner, window.diagnosis_banner
    window.show_message("<b>Training diverged and paused.</b> ...", "error")
    shown.show_snapshot(snapshots["dead_relus"])
    assert banner.level == "error" and not shown.showing  # an error is not pushed aside
    window.clear_message()
    shown.show_snapshot(snapshots["dead_relus"])
    assert shown.showing and "Dead ReLUs" in banner.text()
    banner.close_button.click()
    assert not banner.isVisible()
    shown.show_snapshot(snapshots["dead_relus"])
    assert not banner.isVisible()  # closed: the same findings do not come back
    shown.show_snapshot(snapshots["symmetric_neurons"])
    assert shown.showing and "Symmetric neurons" in banner.text()  # something new does
    healthy = capture(Config(), 0)
    shown.show_snapshot(healthy)
    assert not banner.isVisible()  # the run recovered: the diagnosis goes by itself
    window.show_message("A preset's description", "info")
    shown.show_snapshot(healthy)
    assert banner.text() == "A preset's description"  # not ours to clear


def test_adam_at_learning_rate_10_is_diagnosed_live_and_recovers(window, qtbot):
    window.apply_config(ADAM_10, reset=True)
    qtbot.waitUntil(lambda: window.controller.latest.config == ADAM_10, timeout=TIMEOUT)
    window.clear_message()
    window.controller.step(1500)
    qtbot.waitUntil(lambda: window.diagnosis_banner.showing, timeout=TIMEOUT)
    text = window.banner.text()
    assert text.startswith("<b>Why it is not learning: Saturated tanh units.</b>")
    assert "The cost goes up and down" in text and "Vanishing gradients" in text
    assert "now 10" in window.banner.label.toolTip()
    # Lower the rate and start again: nothing is wrong any more, and the banner says nothing.
    calm = ADAM_10.replace(learning_rate=0.01)
    window.apply_config(calm, reset=True)
    qtbot.waitUntil(lambda: window.controller.latest.config == calm
                    and window.controller.latest.step == 0, timeout=TIMEOUT)
    window.controller.step(300)
    qtbot.waitUntil(lambda: window.controller.latest.step == 300, timeout=TIMEOUT)
    assert window.controller.latest.findings == ()
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=TIMEOUT)


def test_the_banners_close_button_is_the_learners_only(window, qtbot, snapshots):
    window.diagnosis_banner.show_snapshot(snapshots["plateau"])
    with qtbot.waitSignal(window.banner.closed, timeout=TIMEOUT):
        qtbot.mouseClick(window.banner.close_button, Qt.LeftButton)
    assert window.banner.tag is None and window.banner.label.toolTip() == ""


# --------------------------------------------------------------------------- the cadence
class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_worker_diagnoses_at_a_modest_rate(monkeypatch):
    clock = FakeClock()
    calls = []

    def fake_diagnose(trainer, gradient):
        calls.append(clock.now)
        clock.now += slow[0]  # the diagnosis itself takes this long
        return (f"finding {len(calls)}",)

    slow = [0.001]
    monkeypatch.setattr(cadence, "diagnose", fake_diagnose)
    d = cadence.Diagnosis(clock)
    assert d.findings(None, None, run=1, running=True) == ("finding 1",)
    clock.now += 0.2
    assert d.findings(None, None, run=1, running=True) == ("finding 1",)  # not due yet
    assert d.findings(None, None, run=1, running=False) == ("finding 2",)  # paused: at once
    assert d.findings(None, None, run=2, running=True) == ("finding 3",)  # a new run: at once
    clock.now += cadence.INTERVAL
    assert d.findings(None, None, run=2, running=True) == ("finding 4",)  # due again
    slow[0] = 0.1  # a big network: 0.1 s a diagnosis -> at most BUDGET of the time
    clock.now += cadence.INTERVAL
    d.findings(None, None, run=2, running=True)
    clock.now += cadence.INTERVAL * 2
    assert d.findings(None, None, run=2, running=True) == ("finding 5",)  # still not due
    clock.now += 0.1 / cadence.BUDGET
    assert d.findings(None, None, run=2, running=True) == ("finding 6",)
    assert d.count == 6


def test_the_snapshot_carries_findings_and_gradient_norms():
    trainer = Trainer(Config(dataset="circle", init="zeros"))
    trainer.step(100)
    snap = Snapshot.capture(trainer, 1, 0.0, False)
    assert snap.findings == tuple(diagnostics.diagnose(trainer))
    steps, norms = snap.gradient_norms
    expected_steps, expected_norms = trainer.gradient_norm_arrays()
    assert (steps == expected_steps).all() and norms.shape == expected_norms.shape
    assert not steps.flags.writeable and not norms.flags.writeable
