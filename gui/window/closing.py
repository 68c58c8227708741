"""Closing a main window: every thread stopped within one short budget, the window freed.

:func:`shut_down` asks the training worker to stop first (it stops between two sub-chunks),
then the other parts with threads (run controls, tools, views), and waits for the worker
within what is left of :data:`CLOSE_BUDGET_MS`. A thread still busy then (a big network's
frame takes seconds) is left to end on its own (gui/threads/parking.py), so closing never
waits longer than the budget.

A closed window is deleted (``WA_DeleteOnClose``), so that opening and closing windows does
not pile them up; once it is gone, the memory it held goes back to the system (Python's cycle
collector runs, and on glibc ``malloc_trim`` returns the freed pages, which the allocator
would otherwise keep for the process). Deleting one whose deletion is still pending when the interpreter exits
(after ``QApplication.exec`` returned, or in a script that never ran the event loop again)
crashed in Qt's own teardown when the window held the 3-D view: :func:`shut_down` therefore
makes sure pending deletions run at exit while the QApplication still exists.
"""
from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import gc
import sys
import time

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer

#: The longest a window's close waits for its threads (ms).
CLOSE_BUDGET_MS = 900
#: How long after a close the memory is handed back (ms): the window is deleted by then.
GIVE_BACK_DELAY_MS = 200


def _find_malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


_malloc_trim = _find_malloc_trim()

_exit_hook = []


def shut_down(window, budget_ms=CLOSE_BUDGET_MS):
    """Stop every thread of ``window`` (a MainWindow), waiting at most ``budget_ms`` in all;
    mark the window to be deleted once closed."""
    deadline = time.monotonic() + budget_ms / 1000
    controller = window.controller
    controller.shutdown(timeout_ms=0)  # asks the worker to stop; the wait comes below
    window.run_controls.shutdown()
    window.tools.shutdown()
    # Views with threads of their own (e.g. a surface computed off the UI thread) stop too.
    for dock in window.views:
        widget = dock.widget()
        if hasattr(widget, "shutdown"):
            widget.shutdown()
    controller.shutdown(timeout_ms=max(0, int((deadline - time.monotonic()) * 1000)))
    window.setAttribute(Qt.WA_DeleteOnClose)
    app = QCoreApplication.instance()
    if app is not None:  # after the deletion, which comes at the next turn of the event loop
        QTimer.singleShot(GIVE_BACK_DELAY_MS, app, give_memory_back)
    if not _exit_hook:
        _exit_hook.append(atexit.register(_run_pending_deletions))


def give_memory_back():
    """Free what closed windows left to the cycle collector, and hand freed memory back to the
    operating system where the C library can (glibc's ``malloc_trim``)."""
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)


def _run_pending_deletions():
    # atexit handlers run before the interpreter drops the QApplication: a window still waiting
    # for its deferred deletion is deleted here, with Qt whole.
    app = QCoreApplication.instance()
    if app is None:
        return
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        app.processEvents()
