"""Sharpness against the learning rate, live: the largest Hessian eigenvalues of the training
cost as training goes on, under the train cost, with the line 2/η above which plain gradient
descent overshoots (Cohen et al. 2021).

:class:`SharpnessView` asks for a sample (:func:`~gui.views.sharpness.model.measure`) off the UI
thread (:class:`gui.threads.LatestRequestRunner`, cancellable) a couple of times a second while
training runs and at every new step when paused; the history it keeps, and when to measure,
are :class:`~gui.views.sharpness.model.SharpnessHistory`'s. It measures while hidden too (the
curve is a history), but never more than a tenth of the time.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QTimer, Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from core import optimizers
from gui.threads import LatestRequestRunner
from gui.views.sharpness import model
from gui.views.sharpness.canvas import SharpnessCanvas, legend_html, limit_text
from gui.widgets.labels import FixedLabel

_TIP = ("Sharpness: the largest eigenvalue λ_max of the Hessian of the training cost (the whole\n"
        "training set, regularization included) at the current weights, i.e. how sharply the\n"
        "cost curves along its steepest-walled direction; the dotted line is the second\n"
        "largest. Plain gradient descent with learning rate η overshoots along any direction\n"
        "whose curvature exceeds 2/η (with momentum μ: (2 + 2μ)/η), and the error there\n"
        "grows. Full-batch training typically raises λ_max up to 2/η and hovers there: the\n"
        "edge of stability (Cohen et al., ICLR 2021). Mini-batches each have a sharpness of\n"
        "their own, so with small batches the picture is rougher. Computed exactly (Hessian-\n"
        "vector products, block Lanczos), off the interface's thread, about twice a second.")


class SharpnessView(QWidget):
    """λ_max and 2/η over training. Feed it snapshots with :meth:`show_snapshot`; call
    :meth:`shutdown` when the window closes."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.history = model.SharpnessHistory()
        self._snap = None
        self._asked_at = -float("inf")
        self._waiting = False
        self._stopped = False
        self.setToolTip(_TIP)
        self.readout = FixedLabel(2)
        self.readout.label.setWordWrap(True)
        self.readout.setContentsMargins(6, 4, 6, 0)
        # The curves' names under the plots (a plain label as wide as its text would widen the
        # column; a legend in the plot covered the curve in a small dock).
        self.note = FixedLabel(1)
        self.note.setContentsMargins(6, 0, 6, 2)
        self.canvas = SharpnessCanvas()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.readout)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.note)
        self._runner = LatestRequestRunner(self)
        self._runner.finished.connect(self._on_runner_finished)
        self._runner.failed.connect(self._on_runner_failed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._ask)
        self.readout.setText(model.readout(None))
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    @property
    def samples(self) -> list:
        return self.history.samples

    @Slot(object)
    def show_snapshot(self, snap):
        """Take the newest snapshot: the cost is drawn at once, the sharpness when measured."""
        if self._stopped:
            return
        if snap.run != self.history.run:
            self.history.start_run(snap.run)
            self._runner.cancel()
            self._waiting = False
            self.canvas.clear()
            self.readout.setText(model.readout(None))
        self._snap = snap
        if self.isVisible():
            self.canvas.show_cost(snap.history["epoch"], snap.history["train_cost"])
        self._ask()

    def shutdown(self):
        """Stop the thread (idempotent)."""
        self._stopped = True
        self._timer.stop()
        self._runner.shutdown()

    # ------------------------------------------------------------------ measuring
    @Slot()
    def _ask(self):
        snap = self._snap
        if snap is None or self._stopped:
            return
        since = time.perf_counter() - self._asked_at
        if self.history.run == snap.run and not self.history.wants(snap, since):
            if snap.running and not self._timer.isActive():
                self._timer.start(int(1000 * model.SAMPLE_SECONDS))  # the next one, later
            return
        if self._waiting and snap.running:
            return  # one at a time while training runs; the answer asks again
        self._asked_at, self._waiting = time.perf_counter(), True
        self._runner.submit(model.measure, snap, cancellable=True)

    @Slot(int, object)
    def _on_runner_finished(self, _request_id, sample):
        self._waiting = False
        snap = self._snap
        if snap is None or snap.run != self.history.run:
            return
        self.history.add(sample)
        self._draw()
        if snap.running or snap.step != sample.step:
            self._timer.start(int(1000 * model.SAMPLE_SECONDS))

    @Slot(int, str)
    def _on_runner_failed(self, _request_id, message):
        self._waiting = False
        self.note.setText(f"The sharpness could not be computed: {message}")

    def _draw(self):
        samples = self.history.samples
        if not samples:
            return
        last, snap = samples[-1], self._snap
        curves = self.history.curves()
        y_range = model.y_range(curves)
        self.canvas.show_sharpness(curves, y_range)
        name = optimizers.optimizer_class(snap.config.optimizer).display_name
        self.readout.setText(model.readout(last, name))
        limit = limit_text(last.limit.formula if last.limit is not None else "",
                           curves["limit"], y_range[2])
        self.note.setText(legend_html(limit))
        self.note.setToolTip(f"{len(samples)} samples; the last took {last.products} "
                             f"Hessian-vector products ({1000 * last.seconds:.0f} ms), on the "
                             f"whole training set.")

    def showEvent(self, event):
        super().showEvent(event)
        if self._snap is not None:  # the cost was not drawn while hidden
            self.canvas.show_cost(self._snap.history["epoch"], self._snap.history["train_cost"])
            self._draw()
