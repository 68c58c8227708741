"""The status bar's permanent numbers: step, epoch, train and test cost, accuracy, speed."""
from __future__ import annotations

import math

from PySide6.QtWidgets import QLabel

from gui.numbers import format_number
from gui.widgets.labels import ReadoutPace

TIPS = {
    "step": "Mini-batch updates since the weights were initialized.",
    "epoch": "Completed passes over the training set.",
    "train": "Training cost: mean loss over the training examples + regularization.",
    "test": "Test cost: mean loss over the test examples (never trained on) + the same "
            "regularization penalty as the training cost.",
    "accuracy": "Share of examples classified correctly: train / test.",
    "speed": "Mini-batch updates per second (while running).",
}
# Fixed widths: a label that resized with its text would relayout (and repaint) the whole
# window at every frame.
SAMPLES = {"step": "step 10,000,000", "epoch": "epoch 1,000,000",
           "train": "train cost 0.0000e+00", "test": "test cost 0.0000e+00",
           "accuracy": "accuracy 100.0% / 100.0%", "speed": "100,000 steps/s"}


def _fmt(value, percent=False) -> str:
    if percent and value is not None and math.isfinite(value):
        return f"{100 * value:.1f}%"
    return format_number(value, 4, fixed=True)


class StatusNumbers:
    """Labels added to ``status_bar`` as permanent widgets; :meth:`show_snapshot` fills them."""

    def __init__(self, status_bar):
        self.labels = {}
        self._pace = ReadoutPace()
        for key in TIPS:
            label = QLabel()
            label.setToolTip(TIPS[key])
            label.setContentsMargins(6, 0, 6, 0)
            label.setFixedSize(label.fontMetrics().horizontalAdvance(SAMPLES[key]) + 14,
                               label.sizeHint().height())
            status_bar.addPermanentWidget(label)
            self.labels[key] = label

    def show_snapshot(self, snap):
        if not self._pace.due(snap.running):
            return
        m, labels = snap.metrics, self.labels
        self._set("step", f"step {snap.step:,}")
        self._set("epoch", f"epoch {snap.epoch:,}")
        self._set("train", f"train cost {_fmt(m['train_cost'])}")
        self._set("test", f"test cost {_fmt(m['test_cost'])}")
        classification = m.get("train_accuracy") is not None
        if labels["accuracy"].isVisible() != classification:
            labels["accuracy"].setVisible(classification)
        if classification:
            self._set("accuracy", f"accuracy {_fmt(m['train_accuracy'], True)} / "
                                  f"{_fmt(m['test_accuracy'], True)}")
        self._set("speed", f"{snap.steps_per_second:,.0f} steps/s" if snap.running
                  else "paused")

    def _set(self, key, text):
        label = self.labels[key]
        if label.text() != text:  # an unchanged label need not repaint
            width = label.fontMetrics().horizontalAdvance(text) + 14
            if width > label.width():  # a count past the sample (2**31 steps...): grow, once
                label.setFixedWidth(width)
            label.setText(text)
