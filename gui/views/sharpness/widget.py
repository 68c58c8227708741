"""Sharpness against the learning rate, live: the largest Hessian eigenvalues of the training
cost as training goes on, under the train cost, with the line 2/η above which plain gradient
descent overshoots (Cohen et al. 2021).

:class:`SharpnessView` asks for a measurement (``measure_requested``; the window hands it to the
training worker, which measures between two chunks of training and sends the result with the
next snapshot, :attr:`gui.snapshot.Snapshot.sharpness`) a couple of times a second while
training runs, and at every new step when paused. When to ask, and the samples kept, are
:class:`~gui.views.sharpness.model.SharpnessHistory`'s. It asks while hidden too (the curve is a
history), but never for more than a tenth of the time.
"""
from __future__ import annotations

import time

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from core import optimizers
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
        "vector products, block Lanczos) by the training thread, about twice a second.")


class SharpnessView(QWidget):
    """λ_max and 2/η over training. Feed it snapshots with :meth:`show_snapshot`; connect
    ``measure_requested`` to :meth:`TrainingController.measure_sharpness`.

    Signals
    -------
    measure_requested()
        A measurement is wanted with the next snapshot.
    """

    measure_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.history = model.SharpnessHistory()
        self._snap = None
        self._asked_at = None       # perf_counter of the request not answered yet, or None
        self._last_ask = -float("inf")
        self.setToolTip(_TIP)
        self.readout = FixedLabel(2, wrap=True)
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
        self.readout.setText(model.readout(None))

    @property
    def samples(self) -> list:
        return self.history.samples

    @Slot(object)
    def show_snapshot(self, snap):
        """Take the newest snapshot: its measurement, if it carries one; the cost is drawn at
        once (when shown), the sharpness as it comes; then ask for the next if it is due."""
        if snap.run != self.history.run:
            self.history.start_run(snap.run)
            self._asked_at = None
            self.canvas.clear()
            self.readout.setText(model.readout(None))
        self._snap = snap
        if snap.sharpness is not None:
            self._asked_at = None
            self.history.add(model.sample_from(snap))
            self._draw()
        if self.isVisible():
            self.canvas.show_cost(snap.history["epoch"], snap.history["train_cost"])
        now = time.perf_counter()
        if self._asked_at is not None and now - self._asked_at < model.ANSWER_SECONDS:
            return  # one request at a time
        if self.history.wants(snap, now - self._last_ask):
            self._asked_at = self._last_ask = now
            self.measure_requested.emit()

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
