"""The error-surface view's controls: what the learner can ask of the surface, as signals.

:class:`SurfaceControls` holds the rows above the surface (the axis mode and its options, the
two weight pickers, span, grid and log scale) and the buttons that sit in the tab bar (reset
view, export). It decides nothing: it says what was asked (``mode_chosen``, ``axes_chosen``,
...) and shows what the view tells it (:meth:`show_mode`, :meth:`show_axes`, :meth:`show_span`).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal, Slot
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QGridLayout, QHBoxLayout,
                               QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget)

from gui import style
from gui.views.surface.model import (CENTRE_TITLES, CENTRES, DEFAULT_RESOLUTION,
                                     DEFAULT_SPANS, LIVE_RESOLUTION, MODE_TITLES, MODES,
                                     PREVIEW_RESOLUTION, REPLAN_SECONDS, RESOLUTIONS, SPAN_MAX,
                                     SPAN_MIN)
from gui.views.surface.picker import ParamPicker


class SurfaceControls(QWidget):
    """The controls above the surface, and ``view_buttons`` for the tab bar's corner.

    Signals
    -------
    mode_chosen(str), centre_chosen(str), axes_chosen(int, int) (possibly twice the same
    parameter: the view says what it does then), new_directions_asked(), follow_toggled(bool),
    recentre_asked(),
    span_changed(float), resolution_changed(int), log_toggled(bool), reset_view_asked(),
    export_asked().
    """

    mode_chosen = Signal(str)
    centre_chosen = Signal(str)
    axes_chosen = Signal(int, int)
    new_directions_asked = Signal()
    follow_toggled = Signal(bool)
    recentre_asked = Signal()
    span_changed = Signal(float)
    resolution_changed = Signal(int)
    log_toggled = Signal(bool)
    reset_view_asked = Signal()
    export_asked = Signal()

    def __init__(self, mode, parent=None):
        super().__init__(parent)
        self.mode_combo = QComboBox()
        for name in MODES:
            self.mode_combo.addItem(MODE_TITLES[name], name)
        self.mode_combo.setToolTip(
            "What the two horizontal axes are:\n"
            "• Start → now: the plane through the first and the current weights. Along the first\n"
            "  axis the straight line from one to the other, along the second the way the path\n"
            "  bends. Both points lie on it at their real costs.\n"
            "• Two weights: the cost as two chosen weights (or biases) change, every other\n"
            "  parameter held at its value at the centre.\n"
            "• Two random directions: random directions through all weights, each neuron's\n"
            "  part scaled to that neuron's weights (filter normalization, Li et al. 2018).\n"
            "• Principal directions of the path: the plane the path so far lies closest to.\n"
            "• Two sharpest directions: the two directions in which the cost curves most at\n"
            "  the current weights (the top eigenvectors of the Hessian, with their λ).")
        self.mode_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.mode_combo.setMinimumContentsLength(30)
        self.mode_combo.currentIndexChanged.connect(self._on_mode_combo_changed)
        self.centre_label = QLabel("around")
        self.centre_combo = QComboBox()
        for name in CENTRES:
            self.centre_combo.addItem(CENTRE_TITLES[name], name)
        self.centre_combo.setToolTip(
            "Where the plane of two weights or two random directions is centred: the current\n"
            "weights (the current point is then on the surface) or the weights at the start of\n"
            "training (the plane stays put and the path is drawn at its real cost).")
        self.centre_combo.currentIndexChanged.connect(self._on_centre_combo_changed)
        self.follow_box = QCheckBox("Follow training")
        self.follow_box.setChecked(True)
        self.follow_box.setToolTip(
            "Make the plane again through the current weights as training goes on (every\n"
            f"{REPLAN_SECONDS:g} s while it runs, on a {LIVE_RESOLUTION} × {LIVE_RESOLUTION} "
            "grid, and at once after Pause or Step),\nso that the current point stays on the "
            "surface. Off: the plane stays until you centre it again.")
        self.follow_box.toggled.connect(self.follow_toggled)
        self.weight_pickers = (ParamPicker(1), ParamPicker(2))
        for picker in self.weight_pickers:
            picker.changed.connect(self._on_weight_picker_changed)
        self.seed_button = QPushButton("New directions")
        self.seed_button.setToolTip("Draw two new random directions (a new seed).")
        self.seed_button.clicked.connect(self.new_directions_asked)
        # "Recentre", not "Centre on the current weights": the tab bar's row holds it with the
        # tabs and two buttons, and the longer text set the error surface's column 100 px
        # wider than it needs, taken from the decision boundary beside it (at 1280 × 720 its
        # data area was 244 px wide).
        self.recentre_button = QPushButton("Recentre")
        self.recentre_button.setToolTip(
            "Centre on the current weights: make the plane again now, through them (a plane of\n"
            "two weights or two random directions is then centred there too).")
        self.recentre_button.clicked.connect(self.recentre_asked)
        # The two weights get a row of their own, shown in that mode only.
        self.weights_row = QWidget()
        weights = QGridLayout(self.weights_row)
        weights.setContentsMargins(0, 0, 0, 0)
        weights.setVerticalSpacing(0)
        self.axis_labels = (QLabel("Axis 1:"), QLabel("Axis 2:"))
        # Under each weight, how sharply the cost curves along it (∂²C/∂w² at the centre).
        self.curvature_labels = (QLabel(), QLabel())
        for k, (label, picker, curvature) in enumerate(zip(self.axis_labels, self.weight_pickers,
                                                           self.curvature_labels)):
            curvature.setStyleSheet(style.status_sheet(False))
            weights.addWidget(label, 0, 2 * k)
            weights.addWidget(picker, 0, 2 * k + 1)
            weights.addWidget(curvature, 1, 2 * k + 1)
        weights.setColumnMinimumWidth(2, 60)
        weights.setColumnStretch(4, 1)

        self.span_spin = QDoubleSpinBox()
        self.span_spin.setRange(SPAN_MIN, SPAN_MAX)
        self.span_spin.setDecimals(1)
        self.span_spin.setSingleStep(0.5)
        self.span_spin.setPrefix("± ")
        self.span_spin.setKeyboardTracking(False)
        self.span_spin.setValue(DEFAULT_SPANS["weights"])
        self.span_spin.setToolTip(
            "Half-width of the plane around the anchor: in weight units for two weights, in\n"
            "direction units for random directions (1 = each neuron moved by its own size),\n"
            "in weight-space distance for the principal directions.")
        self.span_spin.valueChanged.connect(self.span_changed)
        self.resolution_combo = QComboBox()
        for n in RESOLUTIONS:
            self.resolution_combo.addItem(f"{n} × {n}", n)
        self.resolution_combo.setCurrentIndex(RESOLUTIONS.index(DEFAULT_RESOLUTION))
        self.resolution_combo.setToolTip(
            f"Grid points per axis. A {PREVIEW_RESOLUTION} × {PREVIEW_RESOLUTION} preview "
            f"appears first; finer grids take longer.")
        self.resolution_combo.currentIndexChanged.connect(self._on_resolution_combo_changed)
        self.log_box = QCheckBox("Log cost")
        self.log_box.setToolTip(
            "Heights and colours by log₁₀(cost): cross-entropy surfaces span decades, and the\n"
            "log scale shows the shape of the valley floor as well as the walls.")
        self.log_box.toggled.connect(self.log_toggled)
        self.reset_view_button = QPushButton("Reset view")
        self.reset_view_button.setToolTip("Back to the default camera (drag to rotate, wheel "
                                          "to zoom, middle-drag to pan).")
        self.reset_view_button.clicked.connect(self.reset_view_asked)
        self.export_button = QPushButton("Export PNG…")
        self.export_button.setToolTip("Save the view as shown (3-D or contour map) as a PNG.")
        self.export_button.clicked.connect(self.export_asked)
        # The view buttons sit at the right end of the tab bar, over what they act on; the
        # recentre button with them, so that the row above fits a 1366-pixel screen's column.
        self.view_buttons = QWidget()
        buttons = _row(self.recentre_button, self.reset_view_button, self.export_button)
        buttons.setContentsMargins(0, 0, 0, 2)
        buttons.setSpacing(2)
        self.view_buttons.setLayout(buttons)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addLayout(_row(QLabel("Axes:"), self.mode_combo, self.centre_label,
                              self.centre_combo, self.seed_button, 1))
        column.addWidget(self.weights_row)
        column.addLayout(_row(QLabel("Span:"), self.span_spin, QLabel("Grid:"),
                              self.resolution_combo, self.log_box, self.follow_box, 1))
        self.show_mode(mode)

    # ------------------------------------------------------------------ what the view shows
    def show_mode(self, mode, centre="current"):
        """Select ``mode`` and ``centre`` in their lists and show the options that belong to
        them (no signal)."""
        for combo, value in ((self.mode_combo, mode), (self.centre_combo, centre)):
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(value))
            combo.blockSignals(False)
        centred = mode in ("weights", "random")
        self.centre_label.setVisible(centred)
        self.centre_combo.setVisible(centred)
        self.weights_row.setVisible(mode == "weights")
        self.seed_button.setVisible(mode == "random")
        self.follow_box.setVisible(not (centred and centre == "start"))

    def set_layout(self, layout):
        """The run's :class:`~core.params.ParamLayout`, for the weight pickers."""
        for picker in self.weight_pickers:
            picker.set_layout(layout)

    def show_axes(self, axes):
        """Show parameters ``(i, j)`` in the pickers (no signal)."""
        for picker, index in zip(self.weight_pickers, axes):
            picker.set_index(index)

    def show_curvatures(self, values, limit=None):
        """Under each weight picker, the cost's curvature ∂²C/∂w² along it (``values``, two
        floats, or empty); ``limit`` (a :class:`core.stability.Limit`, or None) is the largest
        curvature the optimizer's steps stay stable along, for the words and the warning."""
        for label, value in zip(self.curvature_labels, tuple(values) or (None, None)):
            if value is None:
                label.setText("")
                label.setToolTip("")
                continue
            over = limit is not None and value > limit.value
            label.setText(f"∂²C/∂w² = {value:.3g}" + (" ⚠" if over else ""))
            label.setStyleSheet(style.status_sheet(over))
            tip = ("How sharply the cost curves along this weight alone, at the plane's centre:"
                   "\nthe second derivative ∂²C/∂w², a diagonal entry of the Hessian. Near the "
                   "centre\nthe cost along it is the parabola C + ½·(∂²C/∂w²)·Δw².")
            if limit is not None:
                tip += (f"\nGradient descent's steps along this weight alone overshoot and grow"
                        f" when it is above\n{limit.formula} = {limit.value:.3g}"
                        + (": here it is." if over else "; here it is below."))
            label.setToolTip(tip)

    def show_span(self, span):
        """Show ``span`` in the spin box (no signal). The same value again leaves it alone:
        setValue repaints the box even then, and every new plane shows its span (twice a
        second while training)."""
        spin = self.span_spin
        if spin.value() == spin.valueFromText(spin.textFromValue(span)):
            return
        spin.blockSignals(True)
        spin.setValue(span)
        spin.blockSignals(False)

    # ------------------------------------------------------------------ slots
    @Slot(int)
    def _on_mode_combo_changed(self, index):
        self.mode_chosen.emit(self.mode_combo.itemData(index))

    @Slot(int)
    def _on_centre_combo_changed(self, index):
        self.centre_chosen.emit(self.centre_combo.itemData(index))

    @Slot()
    def _on_weight_picker_changed(self):
        i, j = (picker.index() for picker in self.weight_pickers)
        if i is not None and j is not None:
            self.axes_chosen.emit(i, j)

    @Slot(int)
    def _on_resolution_combo_changed(self, index):
        self.resolution_changed.emit(int(self.resolution_combo.itemData(index)))


class StatusLines(QLabel):
    """Two lines of text that keep their height: wrapped at the width, cut with "…" only
    where even two lines are too short (the whole text in its tooltip). Under the 3-D view a
    label whose height followed its text resized the view, and the GL window with it, at every
    change of its text; one line was too short for the fidelity sentence on a 1366-pixel
    screen."""

    LINES = 2

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.setWordWrap(True)
        self.setFixedHeight(self.wanted_height())

    def wanted_height(self) -> int:
        """Two lines' height in the current font."""
        margins = self.contentsMargins()
        return (self.LINES * self.fontMetrics().lineSpacing() + margins.top() + margins.bottom()
                + 2)

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:
            # A larger text (presentation mode) needs taller lines: the fixed height made for
            # the old font cut the second line in half. The holding box follows.
            height = self.wanted_height()
            self.setFixedHeight(height)
            if isinstance(self.parent(), StatusBox):
                self.parent().setFixedHeight(height)

    def setText(self, text):
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self):
        return QSize(0, self.height())

    def paintEvent(self, event):
        rect = self.contentsRect()
        metrics = self.fontMetrics()
        text = self.text()
        flags = Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap
        if metrics.boundingRect(rect, flags, text).height() > rect.height():
            # Too long for two lines: keep the first line whole, elide the second.
            words, line = text.split(" "), ""
            for i, word in enumerate(words):
                if metrics.horizontalAdvance((line + " " + word).strip()) > rect.width():
                    first, rest = line, " ".join(words[i:])
                    break
                line = (line + " " + word).strip()
            else:
                first, rest = text, ""
            text = first + "\n" + metrics.elidedText(rest, Qt.ElideRight, rect.width())
        painter = QPainter(self)
        self.style().drawItemText(painter, rect, flags, self.palette(), True, text,
                                  self.foregroundRole())
        painter.end()


class StatusBox(QWidget):
    """Holds :class:`StatusLines` at its own size, with no layout.

    A QLabel asks its parent's layout to recompute at every new text (unless its size is fixed
    both ways), and the request climbs to the main window, which lays every dock out again:
    about 3 ms, at every other frame while training runs, where the fidelity numbers change.
    The height here is fixed and the width the dock's, so the text never changes the layout;
    the request stops at this box, which has no layout to recompute.
    """

    def __init__(self, lines, parent=None):
        super().__init__(parent)
        self.lines = lines
        lines.setParent(self)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.setFixedHeight(lines.height())

    def minimumSizeHint(self):
        return QSize(0, self.height())

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.lines.setGeometry(self.rect())


def _row(*items) -> QHBoxLayout:
    """A row of widgets; an int item is a stretch of that factor."""
    row = QHBoxLayout()
    for item in items:
        if isinstance(item, int):
            row.addStretch(item)
        else:
            row.addWidget(item)
    return row
