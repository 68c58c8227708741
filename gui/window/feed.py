"""Training snapshots for a view, and fewer for a view nobody sees.

Qt moves a dock that is a tab behind another out of sight without hiding it: the view stays
"visible" (``isVisible()``, no hide event) and would redraw, and some would compute, at every
frame for nobody; six of the window's ten views start that way. The dock's
``visibilityChanged`` says when a view is really in sight. :class:`ViewFeed` hands the view
every snapshot while it is, and every one while training is not running (a step, a pause,
a new run: rare, and what the learner then looks at); out of sight while training runs, the
newest at most every :data:`OUT_OF_SIGHT_S` seconds (so an export or a history kept by the
view is never more than that behind), and the newest at once when it comes back into sight.
A view whose work out of sight matters to the views in sight (the anatomy of the cost
colouring the data by loss) says so: its ``wants_every_snapshot()`` returns True while it
does.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Slot

#: The longest a view out of sight goes without the newest snapshot (seconds).
OUT_OF_SIGHT_S = 1.0


class ViewFeed(QObject):
    """Hands ``widget.show_snapshot`` the snapshots given to :meth:`take`, as the module says,
    following the sight of ``dock`` (the QDockWidget holding ``widget``)."""

    def __init__(self, dock, widget):
        super().__init__(dock)
        self._show = widget.show_snapshot
        self._wants_every = getattr(widget, "wants_every_snapshot", None)
        self._in_sight = True  # until the dock says otherwise (it does once it is laid out)
        self._held = None      # the newest snapshot not handed on yet
        self._last = -OUT_OF_SIGHT_S
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._hand_on_held)
        dock.visibilityChanged.connect(self._on_dock_visibility_changed)

    @Slot(object)
    def take(self, snap):
        """A new snapshot: to the view now, or held until it is due."""
        since = time.perf_counter() - self._last
        if self._in_sight or not snap.running or since >= OUT_OF_SIGHT_S or (
                self._wants_every is not None and self._wants_every()):
            self._hand_on(snap)
            return
        self._held = snap
        if not self._timer.isActive():
            self._timer.start(int(1000 * (OUT_OF_SIGHT_S - since)) + 1)

    def _hand_on(self, snap):
        self._held = None
        self._timer.stop()
        self._last = time.perf_counter()
        self._show(snap)

    @Slot()
    def _hand_on_held(self):
        if self._held is not None:
            self._hand_on(self._held)

    @Slot(bool)
    def _on_dock_visibility_changed(self, visible):
        self._in_sight = bool(visible)
        if visible:
            self._hand_on_held()
