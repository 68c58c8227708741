"""The network at a point of the error surface, drawn over the boundary view: its decision
boundary (or fitted curve) dashed, its cost and accuracy in a line of text (``text_changed``:
the view puts it under the plot, where a small plot has room for it), and for a clicked point
the buttons "Move here" (the weights) and "Forget".

The probe comes from the shared selection (the error surface writes it); the outputs are
computed off the UI thread (:class:`gui.threads.LatestRequestRunner`: the pointer moves faster
than a 100 × 100 grid is evaluated, and only the newest point matters).
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QToolButton

from core.metrics import RunScorer
from gui.threads import LatestRequestRunner
from gui.views.boundary import model, probe_model

LINE_COLOUR = "#111111"


class ProbeOverlay(QObject):
    """Draws the selection's probe on ``plot`` (the boundary canvas's PlotItem); its buttons
    (``move_button``, ``forget_button``) and its line of text (``text_changed(str)``, "" when
    nothing is shown) go wherever the view puts them."""

    text_changed = Signal(str)

    def __init__(self, plot, parent=None):
        super().__init__(parent)
        self.plot = plot
        self.selection = None
        self.output = None          # the ProbeOutput drawn (None: nothing)
        self._snap = self._scorer = None
        self._mode = "none"
        self.line = pg.PlotDataItem(pen=pg.mkPen(LINE_COLOUR, width=2.5, style=Qt.DashLine))
        self.line.setZValue(8)
        self.caption = pg.TextItem("", color="#222222", anchor=(0, 0),
                                   fill=pg.mkBrush(255, 255, 255, 205))
        self.caption.setZValue(31)
        for item in (self.line, self.caption):
            plot.addItem(item)
        self.move_button = QToolButton()
        self.move_button.setText("Move here")  # (short: a small plot leaves little room)
        self.move_button.setToolTip(
            "Set the network's weights to the point you clicked on the error surface; training\n"
            "goes on from there (the optimizer starts afresh). Undo with Ctrl+Z.")
        self.forget_button = QToolButton()
        self.forget_button.setText("✕")
        self.forget_button.setToolTip("Forget the clicked point: the view shows the network "
                                      "being trained only.")
        self.move_button.clicked.connect(self._on_move_button_clicked)
        self.forget_button.clicked.connect(self._on_forget_button_clicked)
        self._runner = LatestRequestRunner(self)
        self._runner.finished.connect(self._on_runner_finished)
        self._show(None)

    def bind(self, selection):
        self.selection = selection
        selection.probed_changed.connect(self.show_probe)
        self.show_probe(selection.probed)

    def set_snapshot(self, snap, mode):
        """The newest snapshot and the view's mode: a new run (or data) ends the overlay."""
        same_run = self._snap is not None and snap.run == self._snap.run \
            and snap.data is self._snap.data
        self._snap, self._mode = snap, mode
        if not same_run:
            self._scorer = RunScorer(snap.arrays, snap.data)
            self._show(None)
            if self.selection is not None:
                self.show_probe(self.selection.probed)

    @Slot(object)
    def show_probe(self, probe):
        """Compute and draw ``probe`` (a :class:`gui.selection.Probe`), or hide (None)."""
        snap = self._snap
        if probe is None or snap is None or snap.grid is None or probe.run != snap.run \
                or probe.params.shape != snap.params.shape:
            self._runner.cancel()
            self._show(None)
        elif self.output is not None and self.output.probe is probe:
            self._show(self.output)  # (back to the pinned point: computed already)
        else:
            self._runner.submit(probe_model.compute, snap, probe, self._scorer)

    def shutdown(self):
        self._runner.shutdown()

    # ------------------------------------------------------------------ drawing
    @Slot(int, object)
    def _on_runner_finished(self, _request_id, output):
        current = self.selection.probed if self.selection is not None else None
        if current is output.probe and self._snap is not None:
            self._show(output)

    def _show(self, output):
        self.output = output
        pinned = output is not None and output.probe.pinned
        self.move_button.setVisible(pinned)
        self.forget_button.setVisible(pinned)
        if output is None:
            self.line.setData([], [])
            self.line.setVisible(False)
            self.caption.setVisible(False)
            self.text_changed.emit("")
            return
        snap, mode = self._snap, self._mode
        levels = model.regression_levels(snap.data) if mode == "regression2d" else None
        xs, ys = probe_model.lines(mode, output.values, snap.grid.xs, snap.grid.ys,
                                   snap.threshold, levels)
        if mode == "curve":
            ys = model.fitted_curve(ys, snap.data)
        self.line.setData(xs, ys, connect="all" if mode == "curve" else "pairs")
        self.line.setVisible(True)
        self.caption.setHtml(probe_model.caption_html(output, mode))
        view = self.plot.getViewBox()
        (x0, _), (_, y1) = view.viewRange()
        # As wide as the plot at most: it wraps rather than runs off the edge.
        self.caption.setTextWidth(max(view.width() - 4, 80))
        self.caption.setPos(x0, y1)
        self.caption.setVisible(True)
        self.text_changed.emit(probe_model.summary(output, snap.task))

    # ------------------------------------------------------------------ buttons
    @Slot()
    def _on_move_button_clicked(self):
        if self.selection is not None:
            self.selection.request_move()

    @Slot()
    def _on_forget_button_clicked(self):
        if self.selection is not None:
            self.selection.unprobe(pinned=True)
