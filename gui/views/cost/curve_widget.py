"""The cost curve: train and test cost against epoch, live, with its parts and the scores.

The readout above the plot spells the cost out as its parts for the newest step, then the
scores (accuracy and macro F1, or R², RMSE and MAE)::

                cost   = mean loss   + regularization     accuracy   macro F1
    ━━ train  0.2345        0.2301             0.0044        97.2%      0.971
    ━━ test   0.2512        0.2468             0.0044        92.8%      0.927

A dashed line shows the regularization term over time when it is non-zero. For classification
a second, smaller plot below (sharing the epoch axis) shows train and test accuracy. When the
learning rate follows a schedule (or was changed while training) its curve is drawn on a
right-hand axis, with the schedule still to come dotted. Hovering shows the values at the epoch
under the mouse.

Compare runs: "Pin run" keeps the current train-cost curve (dashed, in a colour of its own; up to
``MAX_PINS``) across resets and changes of settings. A line above the plot names what each one
differs in from the current settings (``run 1: loss: mse (now bce)``), so a learner can change one
thing, press Reset (the initial weights are drawn again from the same seed) and watch the runs
race. (Listed above the plot rather than in its legend, where long names would hide the curves.)

:class:`CostPlot` wires the controls to a :class:`~gui.views.cost.curve_model.CurveModel` (what
to show) and a :class:`~gui.views.cost.curve_canvas.CostCanvas` (which paints it).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout,
                               QWidget)

from gui.views.cost.curve_canvas import CostCanvas
from gui.views.cost.curve_model import (NOTHING_TO_PIN, SAMPLE_METRICS, SCORE_COLUMNS,
                                        CurveModel,
                                        pinned_message, rate_text, readout_html,
                                        name_of_test_curve)
from gui.widgets.labels import FixedLabel, ReadoutPace

#: Pixels kept free beside the readout's table when choosing how many scores it shows: a
#: number that grows a digit later still fits.
READOUT_SLACK = 8


class CostPlot(QWidget):
    """Cost (and accuracy) against epoch. Feed it snapshots with :meth:`show_snapshot`.

    Signals
    -------
    pins_changed()
        A run was pinned or a pin removed (:attr:`pins` holds them, oldest first).
    pinned(PinnedRun)
        :meth:`pin` pinned this run.
    """

    pins_changed = Signal()
    pinned = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = CurveModel()
        self.canvas = CostCanvas()
        self._readout_pace = ReadoutPace()

        self.readout = FixedLabel(3)
        self.readout.setToolTip(
            "The cost the optimizer minimizes, split into its parts:\n"
            "cost = mean over the examples of the per-example loss + regularization penalty\n"
            "(L1: λ·Σ|w|, L2: λ/2·Σw²; biases are not penalized).\n"
            "The test cost is the mean loss on the test examples plus the same penalty (it\n"
            "depends on the weights, not on the examples): the two costs differ only by their\n"
            "mean loss. When the test points are the training points (the XOR truth table, a\n"
            "training share of 100%) the test row reads \"test = train\".\n"
            "Then the scores: accuracy (share classified right) and macro F1 (the mean of the\n"
            "classes' F1 = 2·TP/(2·TP + FP + FN)); for regression R² = 1 − Σ(y − ŷ)²/Σ(y − ȳ)²,\n"
            "RMSE = √mean (y − ŷ)² and MAE = mean |y − ŷ|. The Metrics tab has them per class.")
        self.log_box = QCheckBox("Log scale")
        self.log_box.setToolTip(
            "Plot log₁₀(cost): equal ratios look equal, so the slow late decrease and the fast\n"
            "early drop are both visible. Costs ≤ 0 (the signed mean error can go negative)\n"
            "have no logarithm and are left out.")
        self.rate_readout = FixedLabel(1)
        self.rate_readout.setToolTip(
            "The learning rate η of the next update, as the schedule sets it (Optimizer panel,\n"
            "Schedule and stopping). Its curve is on the plot, on the right-hand axis; the\n"
            "dotted part is the schedule still to come.")
        self.pin_button = QToolButton()
        self.pin_button.setText("Pin run")
        self.pin_button.setToolTip(
            "Pin run (Ctrl+P): keep this run's train-cost curve (dashed) to compare with the next.\n"
            "Then change one setting (loss, activation, optimizer, learning rate, initialization)\n"
            "and press Reset: the initial weights are drawn again from the same seed, so both runs\n"
            "start from the same weights (unless the layer sizes or the initialization changed).")
        self.pins_menu = QMenu(self)
        self.pins_menu.setToolTipsVisible(True)
        self.pins_button = QToolButton()
        self.pins_button.setText("Pinned")
        self.pins_button.setToolTip("The pinned runs: remove one, or all of them.")
        self.pins_button.setMenu(self.pins_menu)
        self.pins_button.setPopupMode(QToolButton.InstantPopup)
        self.pins_button.setEnabled(False)
        # Pinned runs and what differs: changes only when a pin or the settings change.
        self.pins_label = QLabel()
        self.pins_label.setTextFormat(Qt.RichText)
        self.pins_label.setWordWrap(True)
        self.pins_label.setVisible(False)
        self.cursor_readout = FixedLabel(1)
        self.cursor_readout.setStyleSheet("color: #444;")
        self.cursor_readout.setToolTip("Values at the epoch under the mouse pointer.")

        header = QVBoxLayout()
        header.setContentsMargins(6, 2, 6, 0)
        header.setSpacing(2)
        header.addWidget(self.readout)
        second = QHBoxLayout()
        second.addWidget(self.rate_readout, 1)
        second.addWidget(self.pin_button)
        second.addWidget(self.pins_button)
        second.addWidget(self.log_box)
        header.addLayout(second)
        header.addWidget(self.pins_label)
        cursor_row = QHBoxLayout()
        cursor_row.setContentsMargins(6, 0, 6, 0)
        cursor_row.addWidget(self.cursor_readout)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(cursor_row)

        self._readout_key, self._n_scores = (None,), None
        # A fixed height: a label whose size followed its text would relayout the window at
        # every frame (and make it repaint everything).
        self.readout.fit_height(readout_html(SAMPLE_METRICS))
        self._set_readout()

        self.log_box.toggled.connect(self.set_log_scale)
        self.pin_button.clicked.connect(self.pin)
        self.canvas.range_changed_manually.connect(self.model.stop_following)
        self.canvas.auto_range_requested.connect(self._on_auto_range_requested)
        self.canvas.hovered.connect(self._on_canvas_hovered)
        self.canvas.left.connect(self._on_canvas_left)

    @property
    def pins(self) -> list:
        """The pinned runs (:class:`~gui.views.cost.pins.PinnedRun`), oldest first."""
        return self.model.pins

    # ------------------------------------------------------------------ updates
    @Slot(object)
    def show_snapshot(self, snap):
        """Show the history and the newest metrics of ``snap``."""
        changed = self.model.update(snap)
        if "config" in changed:
            self._update_pin_labels()
        if "run" in changed:
            self.cursor_readout.setText(" ")  # e.g. "Pinned as run 2: ..." is about the last run
        if "task" in changed:
            self.canvas.set_classification(self.model.classification)
        self.canvas.show_curves(self.model.curves())
        self.canvas.set_test_name(name_of_test_curve(self.model.same_points,
                                                  self.model.shows_regularization))
        self._show_rates()
        if self._readout_pace.due(snap.running):
            self._set_readout()
        self._follow_data()

    def _show_rates(self):
        curves = self.model.rate_curves()
        self.canvas.show_rates(curves, self.model.rate_range(curves))

    def _follow_data(self):
        ranges = self.model.axis_range()
        if ranges is not None:
            self.canvas.set_range(*ranges)

    def _set_readout(self):
        model = self.model
        regularization = model.config.regularization if model.config is not None else "none"
        # How many scores fit is measured when the width, the font, the columns or the
        # numbers' length change, not at every frame (laying out a rich-text table 30 times a
        # second costs). Digits are all one width; a diverging regression's "−215.2068" is
        # wider than "0.1834", and the last column was cut.
        full = readout_html(model.metrics, regularization, model.same_points)
        key = (self.readout.width(), self.readout.font().key(), len(full), model.task,
               regularization, model.same_points, model.metrics is None)
        if key != self._readout_key:
            self._readout_key = key
            self._n_scores = self._scores_that_fit(regularization)
        self.readout.setText(full if self._n_scores is None else readout_html(
            model.metrics, regularization, model.same_points, self._n_scores))
        self.rate_readout.setText(rate_text(model.metrics, model.config))

    def _scores_that_fit(self, regularization):
        """All the scores, or as many as fit the readout's width (at least none: the cost's
        parts come first). A 1280-pixel-wide window cut the table's last column."""
        model = self.model
        if model.metrics is None:
            return None
        n = len(SCORE_COLUMNS["classification" if model.classification else "regression"])
        for shown in (None, *range(n - 1, -1, -1)):
            html = readout_html(model.metrics, regularization, model.same_points, shown)
            if self.readout.width_for(html) + READOUT_SLACK <= self.readout.width():
                return shown
        return 0

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if self.readout.width() != self._readout_key[0]:
            self._set_readout()

    @Slot()
    def _on_auto_range_requested(self):
        # The plot's own "A" button turned pyqtgraph's auto-range on; follow the data instead.
        self.canvas.reset_ranges()
        self.model.follow_data()
        self._follow_data()

    @Slot(bool)
    def set_log_scale(self, on):
        """Plot the costs on a log scale (or not); the "Log scale" box follows."""
        self.model.set_log(on)
        if self.log_box.isChecked() != self.model.log:
            self.log_box.setChecked(self.model.log)
        self.canvas.set_log(self.model.log)
        self.canvas.show_curves(self.model.curves())
        self.canvas.show_pins(self.model.pin_curves())
        self._follow_data()

    # ------------------------------------------------------------------ pinned runs
    def pin_current(self):
        """Pin the current run's train-cost curve; returns the :class:`PinnedRun`, or None
        when there is nothing to pin yet. With ``MAX_PINS`` pinned, the oldest goes."""
        pin = self.model.pin()
        if pin is not None:
            self._after_pins_changed()
        return pin

    def remove_pin(self, pin):
        """Remove one pinned run (a :class:`PinnedRun` from :attr:`pins`)."""
        if self.model.unpin(pin):
            self._after_pins_changed()

    @Slot()
    def clear_pins(self):
        """Remove every pinned run."""
        self.model.clear_pins()
        self._after_pins_changed()

    def pin_tooltip(self, pin) -> str:
        """What the pinned run was and how it differs from the current settings."""
        return self.model.pin_tooltip(pin)

    def _after_pins_changed(self):
        self.canvas.show_pins(self.model.pin_curves())
        self.pins_menu.clear()
        for pin in self.pins:
            action = self.pins_menu.addAction(f"Remove {self.model.pin_label(pin)}")
            action.setToolTip(self.pin_tooltip(pin))
            action.triggered.connect(lambda checked=False, p=pin: self.remove_pin(p))
        if self.pins:
            self.pins_menu.addSeparator()
            clear = self.pins_menu.addAction("Clear pins", self.clear_pins)
            clear.setToolTip("Remove every pinned cost curve.")
        self.pins_button.setEnabled(bool(self.pins))
        self.pins_button.setText(f"Pinned ({len(self.pins)})" if self.pins else "Pinned")
        self._update_pin_labels()
        self._follow_data()
        self.pins_changed.emit()

    def _update_pin_labels(self):
        text = self.model.pins_html()
        if self.pins_label.text() != text:
            self.pins_label.setText(text)
        self.pins_label.setToolTip("\n\n".join(self.pin_tooltip(pin) for pin in self.pins))
        if self.pins_label.isVisible() != bool(self.pins):
            self.pins_label.setVisible(bool(self.pins))
        for action, pin in zip(self.pins_menu.actions(), self.pins):
            action.setText(f"Remove {self.model.pin_label(pin)}")

    @Slot()
    def pin(self):
        """Pin the current run (the "Pin run" button, Ctrl+P), or say why it cannot be."""
        pin = self.pin_current()
        if pin is None:
            self.cursor_readout.setText(NOTHING_TO_PIN)
        else:
            self.cursor_readout.setText(pinned_message(pin))
            self.pinned.emit(pin)
        return pin

    # ------------------------------------------------------------------ crosshair
    @Slot(float)
    def _on_canvas_hovered(self, x):
        cursor = self.model.cursor(x)
        if cursor is not None:
            epoch, text = cursor
            self.canvas.show_cursor(epoch)
            self.cursor_readout.setText(text)

    @Slot()
    def _on_canvas_left(self):
        self.cursor_readout.setText(" ")
