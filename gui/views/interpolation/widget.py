"""The cost along the straight line from one set of weights to another (Goodfellow et al. 2015):
from the start of the run to now by default, live; or between the final weights of pinned runs
of the same network (is there a barrier between two solutions?).

:class:`InterpolationView` wires two endpoint lists, a log-scale box, the sentence that reads
the curve (:func:`~gui.views.interpolation.model.summary`) and the plot
(:class:`~gui.views.interpolation.canvas.LineCanvas`). The line is computed off the UI thread
(:class:`gui.threads.LatestRequestRunner`), only while the view is shown.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QCoreApplication, QTimer, Slot
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.threads import LatestRequestRunner
from gui.views.interpolation import model
from gui.views.interpolation.canvas import LineCanvas
from gui.widgets.labels import FixedLabel

_TIP = ("The cost along the straight line θ(α) = θ_a + α·(θ_b − θ_a) in weight space, a little\n"
        "beyond both ends (α from −0.5 to 1.5), on the training and the test set\n"
        "(Goodfellow, Vinyals & Saxe, ICLR 2015). From the start to now, a curve that falls all\n"
        "the way says nothing stood between them; between two runs' final weights, a bump\n"
        "says the solutions lie in different valleys. The first axis of the error surface's\n"
        "start → now plane is this same line.")


class InterpolationView(QWidget):
    """The cost along a line between two weight vectors. Feed it snapshots with
    :meth:`show_snapshot`; :meth:`set_pinned` offers the final weights of pinned runs."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.line = None            # the model.Line shown
        self._snap = None
        self._pins = []
        self._asked_at = -np.inf    # when the last line was asked for (perf_counter)
        self._waiting = False
        self._stopped = False
        self.setToolTip(_TIP)

        self.from_combo, self.to_combo = QComboBox(), QComboBox()
        for combo, tip in ((self.from_combo, "Where the line starts (α = 0)."),
                           (self.to_combo, "Where the line ends (α = 1).")):
            combo.setToolTip(tip + " Pin runs (Run ▸ Pin run) to draw a line between the "
                                   "final weights of two runs of the same network.")
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(3)  # the tab shares its column with the cost
            combo.currentIndexChanged.connect(self._on_combo_changed)
        self.log_box = QCheckBox("Log scale")
        self.log_box.setToolTip("Plot log₁₀(cost): a bump near a low minimum shows too.")
        self.log_box.toggled.connect(self._on_log_box_toggled)
        self.summary = FixedLabel(3, wrap=True)
        self.readout = FixedLabel(1)
        self.readout.setStyleSheet("color: #444;")
        self.canvas = LineCanvas()
        self.canvas.hovered.connect(self._on_canvas_hovered)
        self.canvas.left.connect(lambda: self.readout.setText(" "))

        row = QHBoxLayout()
        row.setContentsMargins(6, 4, 6, 0)
        for widget in (QLabel("From"), self.from_combo, QLabel("to"), self.to_combo):
            row.addWidget(widget, 1 if isinstance(widget, QComboBox) else 0)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(6, 0, 6, 2)
        bottom.addWidget(self.readout, 1)
        bottom.addWidget(self.log_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        self.summary.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(bottom)

        self._runner = LatestRequestRunner(self)
        self._runner.finished.connect(self._on_runner_finished)
        self._runner.failed.connect(self._on_runner_failed)
        self._timer = QTimer(self)  # a snapshot skipped while training: asked for later
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._ask)
        self._fill_combos()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # ------------------------------------------------------------------ public
    def keys(self) -> tuple:
        """The endpoints chosen: ``(from, to)`` keys (``"start"``, ``"now"``, ``"pin:N"``)."""
        return self.from_combo.currentData(), self.to_combo.currentData()

    def set_endpoints(self, a, b):
        """Choose the line's ends by key (as :meth:`keys` gives them)."""
        for combo, key in ((self.from_combo, a), (self.to_combo, b)):
            index = combo.findData(key)
            if index < 0:
                raise KeyError(f"no endpoint {key!r}")
            combo.setCurrentIndex(index)

    def set_pinned(self, pins):
        """The pinned runs' final weights (:class:`~gui.views.interpolation.model
        .PinnedWeights`, oldest first) that the line may join."""
        self._pins = list(pins)
        self._fill_combos()

    @Slot(object)
    def show_snapshot(self, snap):
        """Take the newest snapshot; compute the line if it is due and the view is shown."""
        if self._stopped:
            return
        new_run = self._snap is None or snap.run != self._snap.run \
            or snap.arrays is not self._snap.arrays
        self._snap = snap
        if new_run:
            self._fill_combos()
        self._ask()

    def shutdown(self):
        """Stop the thread (the main window calls this when it closes). Idempotent."""
        self._stopped = True
        self._timer.stop()
        self._runner.shutdown()

    # ------------------------------------------------------------------ computing
    @Slot()
    def _ask(self):
        snap = self._snap
        if snap is None or self._stopped or not self.isVisible():
            return
        keys = self.keys()
        since = time.perf_counter() - self._asked_at
        if not model.due(self.line, keys, snap, snap.running, since):
            return
        if snap.running and (self._waiting or since < model.LIVE_SECONDS):
            self._timer.start(int(1000 * model.LIVE_SECONDS))  # the newest, a little later
            return
        ends = [model.endpoint_params(snap, key, self._pins) for key in keys]
        if any(end is None for end in ends):
            self._fill_combos()  # a pinned run went away or no longer fits
            return
        names = [model.endpoint_name(key, self._pins) for key in keys]
        self._asked_at, self._waiting = time.perf_counter(), True
        self._runner.submit(model.compute, snap, *ends, names, keys, cancellable=True)

    @Slot(int, object)
    def _on_runner_finished(self, _request_id, line):
        self._waiting = False
        if self._snap is None or line.run != self._snap.run or line.keys != self.keys():
            return
        self.line = line
        self._draw()

    @Slot(int, str)
    def _on_runner_failed(self, _request_id, message):
        self._waiting = False
        self.summary.setText(f"The line could not be computed: {message}")

    def _draw(self):
        line = self.line
        if line is None:
            self.canvas.clear_line()
            return
        self.canvas.show_line(line.alphas, line.train, line.test, line.names,
                              self.log_box.isChecked())
        self.summary.setText(model.summary(line))

    # ------------------------------------------------------------------ choices
    def _fill_combos(self):
        arrays = self._snap.arrays if self._snap is not None else None
        for combo, side in ((self.from_combo, "a"), (self.to_combo, "b")):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for key, text, why_not in model.endpoint_choices(
                    self._pins if arrays is not None else [], arrays, side):
                combo.addItem(text, key)
                item = combo.model().item(combo.count() - 1)
                if why_not:
                    item.setEnabled(False)
                    item.setToolTip(f"Cannot be joined by a line: {why_not}.")
            index = combo.findData(chosen)
            if index < 0 or not combo.model().item(index).isEnabled():
                index = 0
            combo.setCurrentIndex(index)
            combo.blockSignals(False)
        self._on_combo_changed()

    @Slot()
    def _on_combo_changed(self, *_):
        if self.line is not None and self.line.keys != self.keys():
            self.line = None
            self.canvas.clear_line()
            self.summary.setText("Computing the line…")
        self._ask()

    @Slot(bool)
    def _on_log_box_toggled(self, on):
        self.canvas.set_log(on)
        self._draw()

    @Slot(float)
    def _on_canvas_hovered(self, alpha):
        line = self.line
        if line is None or not -0.5 <= alpha <= 1.5:
            return
        k = int(np.argmin(np.abs(line.alphas - alpha)))
        self.canvas.show_cursor(line.alphas[k])
        test = "" if line.test is None else f", test cost {line.test[k]:.4g}"
        self.readout.setText(f"α = {line.alphas[k]:.2f}: train cost {line.train[k]:.4g}{test}")

    def showEvent(self, event):
        super().showEvent(event)
        QTimer.singleShot(0, self._ask)  # shown at last (a tab raised): catch up

