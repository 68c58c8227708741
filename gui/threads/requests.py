"""Run a function off the UI thread where only the newest request matters.

The pattern of Qt's Mandelbrot example: one thread waits for requests; a request submitted while
another waits replaces it, and the running one is told (``should_stop``) that it is no longer
wanted, so it can stop between chunks.
"""
from __future__ import annotations

import functools
import threading

from PySide6.QtCore import QObject, QThread, Signal, Slot
from shiboken6 import Shiboken

from core.landscape import Cancelled
from gui.threads.parking import SHUTDOWN_WAIT_MS, park


class _Requests:
    """What the UI thread and the request thread share, guarded by ``condition``."""

    def __init__(self):
        self.condition = threading.Condition()
        self.pending = None    # (request_id, fn, args, kwargs) waiting to run
        self.newest = 0        # id of the newest request submitted
        self.stopping = False

    def stale(self, request_id) -> bool:
        """Whether ``request_id``'s answer is no longer wanted (a plain read: no lock needed)."""
        return self.stopping or request_id != self.newest


class _RequestThread(QThread):
    """Runs the newest pending request, one after the other, until shutdown. The object lives
    in the UI thread; its signals, emitted from :meth:`run`, are queued to the runner there."""

    done = Signal(int, object)
    raised = Signal(int, str)

    def __init__(self, requests):
        super().__init__()
        self._requests = requests

    def run(self):
        requests = self._requests
        while True:
            with requests.condition:
                while requests.pending is None and not requests.stopping:
                    requests.condition.wait()
                if requests.stopping:
                    return
                request, requests.pending = requests.pending, None
            request_id, fn, args, kwargs = request
            try:
                result = fn(*args, **kwargs)
            except Cancelled:
                continue  # it stopped because it was no longer wanted: nobody waits for it
            except Exception as err:  # noqa: BLE001 - reported to the view that asked
                if not requests.stale(request_id):
                    self.raised.emit(request_id, str(err))
            else:
                if not requests.stale(request_id):
                    self.done.emit(request_id, result)


def _stop(requests, thread, *_, timeout_ms=SHUTDOWN_WAIT_MS) -> bool:
    with requests.condition:
        requests.stopping = True
        requests.pending = None
        requests.condition.notify_all()
    if thread.wait(timeout_ms):
        return True
    park(thread)
    return False


def _on_owner_gone(requests, thread, *_):
    # At interpreter exit the thread's own wrapper may be gone first: nothing left to stop.
    if Shiboken.isValid(thread):
        _stop(requests, thread)


class LatestRequestRunner(QObject):
    """Runs ``fn(*args, **kwargs)`` off the UI thread; only the newest request is answered.

    ``submit`` returns a request id; ``finished(request_id, result)`` or ``failed(request_id,
    message)`` arrives in the UI thread, **only for the newest request submitted**: a request
    still waiting when a newer one comes is dropped without running, and the answer of one that
    was running is dropped when it arrives. So a view dragging a slider gets the newest answer
    quickly, and needs no counter of its own to tell stale answers from fresh ones.

    ``submit(fn, *args, cancellable=True, **kwargs)`` also passes ``should_stop=<callable>`` to
    ``fn``: ``should_stop()`` returns True once a newer request was submitted (or
    :meth:`cancel` or :meth:`shutdown` was called), so a long computation can stop between
    chunks by raising :class:`core.landscape.Cancelled`. A request that raises ``Cancelled`` is
    dropped silently (no ``failed``). Any other exception is reported by ``failed`` (if the
    request is still the newest).

    ``fn`` must not touch widgets or shared mutable state. Call ``submit``, ``cancel`` and
    ``shutdown`` from the thread the runner lives in (the UI thread).
    """

    finished = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._requests = _Requests()
        self._thread = _RequestThread(self._requests)
        self._thread.setObjectName("costscape-requests")
        self._thread.done.connect(self._on_thread_done)
        self._thread.raised.connect(self._on_thread_raised)
        # An owner deleted without calling shutdown (a dialog garbage-collected, a window
        # deleted) deletes this runner too: its thread stops then, rather than be destroyed
        # while it runs (which aborts the process). Not a method: self is going away.
        self.destroyed.connect(functools.partial(_on_owner_gone, self._requests, self._thread))
        self._thread.start()

    def submit(self, fn, *args, cancellable=False, **kwargs) -> int:
        """Run ``fn(*args, **kwargs)`` (plus ``should_stop=`` if ``cancellable``) as the newest
        request, replacing any still waiting; return its id. After shutdown nothing runs."""
        requests = self._requests
        with requests.condition:
            requests.newest += 1
            request_id = requests.newest
            if cancellable:
                kwargs["should_stop"] = lambda: requests.stale(request_id)
            requests.pending = (request_id, fn, args, kwargs)
            requests.condition.notify()
        return request_id

    def cancel(self):
        """Drop the waiting request and the answer of the running one (a cancellable one is
        told to stop): for a view that no longer wants any answer."""
        requests = self._requests
        with requests.condition:
            requests.newest += 1
            requests.pending = None

    def shutdown(self, timeout_ms=SHUTDOWN_WAIT_MS) -> bool:
        """Stop the thread: the waiting request is dropped and a cancellable running one is told
        to stop. True when the thread ended within ``timeout_ms``; otherwise it is left to end
        on its own (see gui/threads/parking.py) and no answer arrives. Idempotent."""
        return _stop(self._requests, self._thread, timeout_ms=timeout_ms)

    @Slot(int, object)
    def _on_thread_done(self, request_id, result):
        # Checked again here: a newer request may have come while this answer was queued.
        if not self._requests.stale(request_id):
            self.finished.emit(request_id, result)

    @Slot(int, str)
    def _on_thread_raised(self, request_id, message):
        if not self._requests.stale(request_id):
            self.failed.emit(request_id, message)
