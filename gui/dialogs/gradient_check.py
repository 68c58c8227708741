"""The gradient check dialog: is backpropagation's gradient the gradient of the cost?

For the network of the newest snapshot (its weights, its data, its loss and regularization) the
dialog compares backpropagation's gradient with central differences of the cost
(:func:`core.gradcheck.check_gradient`), off the UI thread, and shows the relative error of
every block of parameters with a sentence on what the number means.

The network, its training arrays and the words for each block come from the snapshot
(``snap.network()``, ``snap.arrays``, ``snap.layout``): nothing is rebuilt here.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout,
                               QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from core import gradcheck

#: Finite-difference step and entries checked per block (bigger blocks are sampled).
EPS = 1e-6
MAX_PER_BLOCK = 60

_VERDICT = {
    "correct": ("✓ agrees", "#1e7b34", "#e6f4ea"),
    "unsure": ("? look closer", "#8a5a00", "#fff4e0"),
    "bug": ("✗ disagrees", "#a61b0f", "#fdecea"),
}


# --------------------------------------------------------------------------- from a snapshot
def check_snapshot(snap, eps=EPS, max_per_block=MAX_PER_BLOCK):
    """:func:`core.gradcheck.check_gradient` for the snapshot's network on its training data."""
    arrays = snap.arrays
    # The loss training backpropagates: with the classic mistake switched on, the check must
    # catch that its "gradient" is not the cost's.
    return gradcheck.check_gradient(snap.network(), arrays.inputs_train, arrays.targets_train,
                                    arrays.training_loss, snap.l1, snap.l2, eps=eps,
                                    max_per_block=max_per_block)


# --------------------------------------------------------------------------- words
def format_error(value) -> str:
    if not math.isfinite(value):
        return "not finite"
    if value == 0:
        return "0"
    return f"{value:.1e}"


def explain(result) -> str:
    """The sentence under the table: the overall number and what it means (rich text)."""
    error = result.relative_error
    if not math.isfinite(result.cost):
        return ("<b>The cost is not finite at these weights</b> (training diverged?), so there is "
                "nothing to compare. Reset the run, then check again.")
    rule = ("Anything below 1e-6 is a correct gradient; above 1e-3 means a bug; in between, "
            "look closer. Kinks can raise it without a bug: where ReLU is at 0, MAE or hinge at "
            "their corner, or L1 at w = 0 within ±ε of the weights, the difference quotient "
            "straddles the corner and averages two slopes.")
    round_off = max((b.round_off for b in result.blocks), default=0.0)
    tiny = all(b.gradient_norm <= b.round_off and np.abs(b.finite_difference).max(initial=0.0)
               <= b.round_off for b in result.blocks)
    if error == 0 and tiny:
        head = (f"<b>Relative error 0, but nothing was tested:</b> every gradient checked is 0, "
                f"or smaller than the {round_off:.0e} that finite differences can resolve, "
                f"both ways. (All-zero weights do this: every neuron of a layer is alike.)")
    elif error == 0:
        head = ("<b>Relative error 0:</b> backpropagation and finite differences agree to "
                "within the round-off of the costs.")
    elif math.isfinite(error):
        digits = max(0, math.floor(-math.log10(error)))
        agree = (f"agree to {digits} digit{'s' if digits != 1 else ''}" if digits
                 else "do not agree")
        head = (f"<b>Relative error {error:.0e}:</b> backpropagation and finite differences "
                f"{agree}.")
    else:
        head = "<b>The gradient is not finite.</b>"
    verdict = gradcheck.verdict(error)
    tail = {"correct": " This gradient is correct.",
            "unsure": " Too big for a smooth cost: look for a kink, or a bug.",
            "bug": " Backpropagation is not computing the gradient of this cost."}[verdict]
    if result.n_clipped and verdict != "correct":
        tail += (f" Here {result.n_clipped:,} predictions have saturated: the cost clips them "
                 f"to [1e-7, 1 − 1e-7] and is flat there, while backpropagation uses the fused "
                 f"cross-entropy gradient (ŷ − y)/n, which is not. That alone makes the two "
                 f"differ a little, without a bug.")
    return f"{head}{tail} {rule}"


# --------------------------------------------------------------------------- dialog
class GradientCheckDialog(QDialog):
    """Non-modal dialog: :meth:`check` a snapshot, see the table and the sentence.

    The work runs on a :class:`~gui.threads.LatestRequestRunner` (created on first use); call
    :meth:`shutdown` before the application quits (also done on ``aboutToQuit``).
    """

    COLUMNS = ("block", "what it is", "entries checked", "relative error", "")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Gradient check")
        self.setModal(False)
        self.resize(760, 440)
        self._runner = None
        self._request = None
        self._snapshot = None
        self.result = None
        self.get_snapshot = None  # optional callable giving the newest snapshot ("Check again")

        intro = QLabel(
            "Backpropagation computes ∂C/∂θ for every weight at once; the definition of a "
            "derivative gives it one weight at a time:<br>"
            "&nbsp;&nbsp;&nbsp;g<sub>fd</sub>[i] = (C(θ + ε·e<sub>i</sub>) − C(θ − ε·e<sub>i</sub>)) "
            "/ 2ε, &nbsp;ε = 10<sup>−6</sup>.<br>"
            "Per block of parameters, the relative error ‖g<sub>bp</sub> − g<sub>fd</sub>‖ / "
            "(‖g<sub>bp</sub>‖ + ‖g<sub>fd</sub>‖) says how well they agree.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.RichText)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        self.table.setToolTip(
            "One row per block of parameters: W = weights, b = biases (PReLU slopes and the second\n"
            "Maxout piece W', b' when the network has them). Blocks with more than "
            f"{MAX_PER_BLOCK} entries\nare checked at {MAX_PER_BLOCK} of them, drawn at random.")
        self.summary_label = QLabel("")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.RichText)
        self.summary_label.setTextInteractionFlags(Qt.TextSelectableByMouse)

        self.again_button = QPushButton("Check again")
        self.again_button.setToolTip(
            "Compare the two gradients again at the newest weights (training may have moved "
            "them).")
        self.again_button.clicked.connect(self._on_again_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        row = QHBoxLayout()
        row.addWidget(self.again_button)
        row.addStretch(1)
        row.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.status_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary_label)
        layout.addLayout(row)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # ------------------------------------------------------------------ public
    def check(self, snap):
        """Start checking the gradient at ``snap``'s weights (the answer arrives later)."""
        if snap is None:
            self.status_label.setText("No run yet: start training, then check.")
            return
        from gui.threads import LatestRequestRunner

        if self._runner is None:
            self._runner = LatestRequestRunner(self)
            self._runner.finished.connect(self._on_runner_finished)
            self._runner.failed.connect(self._on_runner_failed)
        self._snapshot = snap
        self.result = None
        n = len(snap.data.X_train)
        self.status_label.setText(
            f"Checking at step {snap.step:,} on the {n} training examples…")
        self.again_button.setEnabled(False)
        self._request = self._runner.submit(check_snapshot, snap)

    @property
    def busy(self) -> bool:
        return self._request is not None

    def shutdown(self):
        """Stop the checking thread. Idempotent."""
        if self._runner is not None:
            self._runner.shutdown()

    # ------------------------------------------------------------------ results
    @Slot(int, object)
    def _on_runner_finished(self, request_id, result):
        self._request = None
        self.again_button.setEnabled(True)
        self.result = result
        snap = self._snapshot
        layout = snap.layout
        blocks = {block.label: block for block in layout.blocks}
        self.table.setRowCount(len(result.blocks))
        for row, block in enumerate(result.blocks):
            text, colour, background = _VERDICT[gradcheck.verdict(block.relative_error)]
            cells = (block.label, layout.describe_block(blocks[block.label]),
                     f"{block.n_checked} of {block.n_total}", format_error(block.relative_error),
                     text)
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column in (2, 3):
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if column == 4:
                    item.setForeground(QColor(colour))
                    item.setBackground(QColor(background))
                item.setToolTip(
                    f"{block.label} {'×'.join(map(str, block.shape))}: ‖g_bp‖ = "
                    f"{block.gradient_norm:.3e}, largest |g_bp − g_fd| = "
                    f"{block.max_difference:.1e}")
                self.table.setItem(row, column, item)
        sampled = " (big blocks sampled)" if result.n_checked < result.n_total else ""
        self.status_label.setText(
            f"At step {snap.step:,} (cost {result.cost:.4g}, "
            f"{snap.arrays.loss.display_name}, on "
            f"{result.n_examples} training examples): {result.n_checked} of {result.n_total} "
            f"parameters checked{sampled}.")
        text = explain(result)
        if snap.arrays.training_loss is not snap.arrays.loss:
            text += ("<br><b>This run keeps the classic mistake:</b> backpropagation starts from "
                     "the loss ℓ itself where its derivative ∂ℓ/∂ŷ belongs, so what it computes "
                     "is not the gradient of the cost. Switch the mistake off in the "
                     "backpropagation view (Ctrl+B).")
        self.summary_label.setText(text)

    @Slot(int, str)
    def _on_runner_failed(self, request_id, message):
        self._request = None
        self.again_button.setEnabled(True)
        self.table.setRowCount(0)
        self.summary_label.setText("")
        self.status_label.setText(f"The check could not run: {message}")

    @Slot()
    def _on_again_clicked(self):
        snap = self.get_snapshot() if self.get_snapshot is not None else self._snapshot
        self.check(snap)
