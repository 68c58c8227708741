"""The window's side of frame pacing: say when a snapshot is on screen, in one repaint.

While training runs, the worker waits for each snapshot to be shown before it trains on
(gui/threads/worker.py says why: painting while the worker computes waits for the
interpreter lock at every call). :class:`FrameAck` tells the controller once the window's next
repaint after a snapshot is done, or after :data:`FALLBACK_MS` when no repaint comes.

"Done" must mean done. pyqtgraph defers part of a plot's update to the moment before it paints
(a new range becomes the view's transform there, and items clipped to the view are recomputed
then), and ``QGraphicsScene`` hands its changed items to the widget in a queued call of its own.
So a plot changed by a snapshot used to paint over three or four repaints of the window, each
with its own pass over the widgets and its own flush to the screen: about 13 ms a frame where
one repaint takes 7. :meth:`FrameAck.settle` runs those deferred steps before the repaint,
which then draws every plot once.
"""
from __future__ import annotations

import math
import time

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Slot
from PySide6.QtWidgets import QGraphicsView

#: Longest wait for the window to repaint after a snapshot before training goes on anyway (ms).
FALLBACK_MS = 60
#: How often the list of the window's plots is made again (seconds).
FIND_EVERY_S = 1.0


class FrameAck(QObject):
    """Calls ``report()`` once ``window`` has repainted after :meth:`arm` (see the module)."""

    def __init__(self, window, report):
        super().__init__(window)
        self._window = window
        self._report = report
        self._pending = False
        self._views, self._found_at = [], -math.inf
        # Timers of its own: QTimer.singleShot(0, obj, bound method) pending when the window
        # is deleted is never freed by PySide6 6.11, and kept the closed window alive.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._done)
        window.installEventFilter(self)

    def arm(self):
        """A snapshot went to the views: report after the next repaint of the window."""
        handle = self._window.windowHandle()
        if (handle is None or not self._window.isVisible() or self._window.isMinimized()
                or not handle.isExposed()):
            self._done()  # nothing will be painted: do not hold training up
            return
        self._pending = True
        self._timer.start(FALLBACK_MS)

    def eventFilter(self, watched, event):
        if self._pending and event.type() == QEvent.UpdateRequest:
            # This event repaints every dirty widget of the window; the zero timer fires after.
            self._pending = False
            self.settle()
            self._timer.start(0)
        return False

    def settle(self):
        """Run the plots' deferred updates now, so that the coming repaint draws them whole."""
        now = time.monotonic()
        if now - self._found_at > FIND_EVERY_S:
            # Finding them walks every widget of the window (1-2 ms): at most once a second,
            # and a plot made since is painted as before (whole, in more repaints) meanwhile.
            self._views, self._found_at = self._window.findChildren(QGraphicsView), now
        for view in self._views:
            if shiboken6.isValid(view) and view.isVisible():
                scene = view.scene()
                prepare = getattr(scene, "prepareForPaint", None)  # pyqtgraph's scenes
                if prepare is not None:
                    prepare()
                QCoreApplication.sendPostedEvents(scene, QEvent.MetaCall)

    @Slot()
    def _done(self):
        self._pending = False
        self._timer.stop()
        self._report()
