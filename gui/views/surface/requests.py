"""Surfaces computed off the UI thread: the newest plane wanted, a preview first, then the full
grid, and nothing of a plane no longer wanted."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from gui.views.surface.model import PREVIEW_RESOLUTION, compute_surface
from gui.threads import LatestRequestRunner


class SurfaceRequests(QObject):
    """Computes the surface of the plane the view wants, in a thread of its own.

    :meth:`want` a plane: a ``PREVIEW_RESOLUTION``² preview is computed first, then the full
    grid, and each arrives as ``ready(result)`` (a
    :class:`~gui.views.surface.model.SurfaceResult`, ``result.plane`` the plane; for a plane
    made without its directions, the complete one, which :attr:`wanted` becomes). Wanting another
    plane (or :meth:`withdraw`) stops the running computation between chunks, and a result that
    is not for the wanted plane never comes out.

    Signals
    -------
    ready(object)
        A result for the wanted plane (the preview, then the full grid).
    computing(int)
        The grid size now being computed.
    failed(str)
        The wanted plane's surface could not be computed (the message says why).
    """

    ready = Signal(object)
    computing = Signal(int)
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.wanted = None          # the plane whose surface is wanted (None: none)
        self._snapshot = None       # where the network and the arrays come from
        self._runner = LatestRequestRunner(self)
        self._runner.finished.connect(self._on_runner_finished)
        self._runner.failed.connect(self._on_runner_failed)

    def want(self, plane, snapshot, preview=True):
        """Compute ``plane``'s surface with ``snapshot``'s network and arrays (a preview first
        unless ``preview`` is False)."""
        self.wanted, self._snapshot = plane, snapshot
        self._submit(plane, min(PREVIEW_RESOLUTION, plane.resolution) if preview
                     else plane.resolution)

    def withdraw(self):
        """No plane is wanted any more: stop what is running, show nothing of it."""
        self.wanted = None
        self._runner.cancel()

    def shutdown(self):
        """Stop the thread (idempotent)."""
        self.wanted = None
        self._runner.shutdown()

    def _submit(self, plane, resolution):
        arrays = self._snapshot.arrays
        # cancellable: the runner stops this computation between chunks once a newer request
        # (another plane, or the full grid after the preview) or withdraw() comes.
        self._runner.submit(
            compute_surface, self._snapshot.network(plane.anchor), arrays.inputs_train,
            arrays.targets_train, arrays.loss, plane, resolution, cancellable=True)
        self.computing.emit(resolution)

    @Slot(int, object)
    def _on_runner_finished(self, _request_id, result):
        plane = result.plane
        if self.wanted is None or (plane is not self.wanted and plane.origin is not self.wanted):
            return  # computed for a plane no longer wanted
        # A plane of the sharpest directions comes back complete (its directions found): the
        # full grid and every later change use that one.
        self.wanted = plane
        self.ready.emit(result)
        if plane is self.wanted and len(result.alphas) < plane.resolution:
            self._submit(plane, plane.resolution)  # the preview is in: now the full grid

    @Slot(int, str)
    def _on_runner_failed(self, _request_id, message):
        # The runner reports only the newest request: it is the wanted plane's, if any.
        if self.wanted is not None:
            self.failed.emit(message)
