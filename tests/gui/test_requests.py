"""LatestRequestRunner: only the newest request is answered; a running cancellable request
stops between chunks when a newer one comes; shutdown never waits long.

Threads are ordered with events, never with sleeps: ``started`` tells the test a request is
running. Answers of one runner arrive in the order its thread sent them, so once the newest
answer is in, any stale answer sent before it would already be in too.
"""
import threading
import time

import pytest
from PySide6.QtCore import QCoreApplication

from core.landscape import Cancelled
from gui.threads import SHUTDOWN_WAIT_MS, LatestRequestRunner

TIMEOUT = 20_000  # ms; generous for a loaded 2-core machine


@pytest.fixture
def runner():
    runner = LatestRequestRunner()
    runner.answers = []
    runner.finished.connect(lambda request_id, result: runner.answers.append((request_id, result)))
    runner.failed.connect(lambda request_id, message: runner.answers.append((request_id, message)))
    yield runner
    assert runner.shutdown()


def wait_for(qtbot, runner, request_id):
    qtbot.waitUntil(lambda: any(a[0] == request_id for a in runner.answers), timeout=TIMEOUT)


def until_stopped(started, stopped, should_stop):
    """A long cancellable computation: chunks until ``should_stop()`` (or a minute)."""
    started.set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if should_stop():
            stopped.set()
            raise Cancelled
        sum(range(1000))  # a chunk of work
    return "ran to the end"


def test_waiting_requests_are_replaced_and_stale_answers_dropped(qtbot, runner):
    started, gate, calls = threading.Event(), threading.Event(), []

    def slow(x):
        calls.append(x)
        started.set()
        gate.wait(TIMEOUT / 1000)
        return x * x

    runner.submit(slow, 2)
    assert started.wait(TIMEOUT / 1000)  # 2 is running
    ids = [runner.submit(slow, x) for x in (3, 4, 5)]
    gate.set()
    wait_for(qtbot, runner, ids[-1])
    # 2 ran but a newer request came meanwhile: its answer is dropped; 3 and 4 never ran.
    assert runner.answers == [(ids[-1], 25)]
    assert calls == [2, 5]


def test_a_newer_request_stops_a_running_cancellable_one(qtbot, runner):
    started, stopped = threading.Event(), threading.Event()
    runner.submit(until_stopped, started, stopped, cancellable=True)
    assert started.wait(TIMEOUT / 1000)
    newest = runner.submit(lambda **kwargs: sorted(kwargs), cancellable=True)
    assert stopped.wait(TIMEOUT / 1000)
    wait_for(qtbot, runner, newest)
    # Cancelled is dropped silently: no `failed`; and should_stop was passed as asked.
    assert runner.answers == [(newest, ["should_stop"])]
    plain = runner.submit(lambda **kwargs: kwargs)
    wait_for(qtbot, runner, plain)
    assert runner.answers[-1] == (plain, {})


def test_cancel_drops_the_running_request(qtbot, runner):
    started, stopped = threading.Event(), threading.Event()
    runner.submit(until_stopped, started, stopped, cancellable=True)
    assert started.wait(TIMEOUT / 1000)
    runner.cancel()
    assert stopped.wait(TIMEOUT / 1000)
    after = runner.submit(int, "7")
    wait_for(qtbot, runner, after)
    assert runner.answers == [(after, 7)]


def test_a_failure_is_reported_only_for_the_newest_request(qtbot, runner):
    started, gate = threading.Event(), threading.Event()

    def fails_later():
        started.set()
        gate.wait(TIMEOUT / 1000)
        return 1 / 0

    runner.submit(fails_later)
    assert started.wait(TIMEOUT / 1000)
    newest = runner.submit(str, 5)
    gate.set()
    wait_for(qtbot, runner, newest)
    assert runner.answers == [(newest, "5")]  # the stale failure was dropped

    with qtbot.waitSignal(runner.failed, timeout=TIMEOUT) as blocker:
        failing = runner.submit(lambda: 1 / 0)
    assert blocker.args[0] == failing and "division" in blocker.args[1]


def test_shutdown_stops_a_cancellable_request_at_once(qtbot):
    runner = LatestRequestRunner()
    started, stopped = threading.Event(), threading.Event()
    runner.submit(until_stopped, started, stopped, cancellable=True)
    assert started.wait(TIMEOUT / 1000)
    begin = time.monotonic()
    assert runner.shutdown()
    assert time.monotonic() - begin < SHUTDOWN_WAIT_MS / 1000
    assert stopped.is_set()
    assert runner.shutdown()  # twice is harmless
    runner.submit(int, "1")  # after shutdown nothing runs


def test_shutdown_does_not_wait_for_a_long_request(qtbot):
    runner = LatestRequestRunner()
    answers = []
    runner.finished.connect(lambda *args: answers.append(args))
    started, gate = threading.Event(), threading.Event()

    def not_cancellable():
        started.set()
        gate.wait(TIMEOUT / 1000)
        return "late"

    runner.submit(not_cancellable)
    assert started.wait(TIMEOUT / 1000)
    assert not runner.shutdown(timeout_ms=50)  # still busy: left to end on its own
    gate.set()
    assert runner._thread.wait(TIMEOUT)
    QCoreApplication.processEvents()  # deliver any answer the thread sent: none may come
    assert answers == [] and runner.shutdown()
