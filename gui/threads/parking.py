"""Threads still busy when their owner shut down: kept alive until they end.

Destroying a QThread that still runs aborts the process ("QThread: Destroyed while thread is
still running"). A shutdown asks its thread to stop and waits a bounded time, so closing the
window never hangs on one long computation; a thread still busy after that is parked here, which
keeps it (and the objects it uses) alive, and the interpreter waits for it when it exits.
"""
from __future__ import annotations

import atexit

#: How long a shutdown waits for its thread to end (ms). Training stops within a sub-chunk
#: and a cancellable request between two chunks, so threads normally end in milliseconds.
SHUTDOWN_WAIT_MS = 1000

_parked = []


def park(thread, *keep):
    """Keep ``thread`` and the objects ``keep`` alive until the thread has finished."""
    release_finished()
    _parked.append((thread, *keep))


def release_finished():
    """Let go of the parked threads that have finished, and of what they kept (a closed
    window's whole run): called on the UI thread, never from the finishing thread itself."""
    _parked[:] = [entry for entry in _parked if not entry[0].isFinished()]


@atexit.register
def _wait_for_parked():
    # Runs before the interpreter tears the Qt wrappers down; every parked thread was asked to
    # stop and only finishes what it is doing.
    for thread, *_ in _parked:
        thread.wait()
    _parked.clear()
