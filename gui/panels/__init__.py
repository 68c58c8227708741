"""The control panels of the left column: one per concept, each a :class:`Panel`.

Every panel has ``changed = Signal()`` (any user change), ``values() -> dict`` (the Config
fields it owns) and ``set_config(config)`` (shows a config, emits nothing). Panels never talk to
each other; the main window wires them.

>>> from gui.panels import ALL_PANELS          # doctest: +SKIP
>>> panels = [cls() for cls in ALL_PANELS]      # Data, Network, Activation, Loss, Optimizer
"""
from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import QEvent, QPoint, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QValidator
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel,
                               QSpinBox, QToolTip, QVBoxLayout, QWidget)

#: Spin boxes and sliders fire on every tick; their changes are merged over this many ms.
COALESCE_MS = 150


class Panel(QWidget):
    """Base of the panels: a titled group box with a form, and the ``changed`` signal.

    Discrete choices (combos, buttons) call :meth:`_emit_changed`; continuous controls (sliders,
    spin boxes) call :meth:`_emit_changed_soon` so a drag emits once, shortly after it stops.
    """

    changed = Signal()

    def __init__(self, title, parent=None):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(self.changed)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.box = QGroupBox(title)
        outer.addWidget(self.box)
        self.form = QFormLayout(self.box)
        self.form.setContentsMargins(8, 6, 8, 6)
        self.form.setVerticalSpacing(5)
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)

    def _emit_changed(self):
        self._timer.stop()
        self.changed.emit()

    def _emit_changed_soon(self):
        self._timer.start()

    @contextmanager
    def _silenced(self):
        """Block the signals of every child widget (and this panel) while showing a config."""
        blockers = [QSignalBlocker(w) for w in (self, *self.findChildren(QWidget))]
        try:
            yield
        finally:
            del blockers
            self._timer.stop()


def formula_label(text=""):
    """A label for a formula: a slightly larger font, selectable so learners can copy it."""
    label = QLabel(text)
    font = QFont(label.font())
    # Serif, as maths is usually set; DejaVu Sans (Linux's default) also drops combining
    # accents such as the hat of Adam's m̂, which DejaVu Serif places correctly.
    font.setFamilies(["DejaVu Serif", "Cambria Math", "Cambria", "Times New Roman"])
    font.setStyleHint(QFont.Serif)
    font.setPointSizeF(font.pointSizeF() * 1.2)
    label.setFont(font)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


class _Clamping:
    """Mixin for spin boxes: a typed value beyond the range becomes the nearest bound, and a
    tooltip at the box says so (a plain spin box refuses the keystrokes, or silently puts the
    old value back); hovering shows the allowed range after the box's own tooltip.

    The class mixed into defines ``_number(text)``: the value a text holds, or None.
    """

    def _bare(self, text):
        """``text`` without the box's prefix and suffix."""
        prefix, suffix = self.prefix(), self.suffix()
        if prefix and text.startswith(prefix):
            text = text[len(prefix):]
        if suffix and text.endswith(suffix):
            text = text[:-len(suffix)]
        return text.strip()

    def range_text(self) -> str:
        low, high = self.textFromValue(self.minimum()), self.textFromValue(self.maximum())
        return f"Allowed: {low} to {high}."

    def fixup(self, text):
        value = self._number(self._bare(text))
        if value is None:
            return text
        clamped = min(max(value, self.minimum()), self.maximum())
        if clamped != value:
            QToolTip.showText(self.mapToGlobal(QPoint(0, self.height())),
                              f"{self._bare(text)} is out of range: {self.range_text()} "
                              f"Set to {self.textFromValue(clamped)}.", self)
        return f"{self.prefix()}{self.textFromValue(clamped)}{self.suffix()}"

    def event(self, event):
        if event.type() == QEvent.ToolTip:
            tip = self.toolTip()
            QToolTip.showText(event.globalPos(), f"{tip}\n{self.range_text()}" if tip
                              else self.range_text(), self)
            return True
        return super().event(event)


class RangeSpinBox(_Clamping, QSpinBox):
    """A whole-number spin box that clamps what is typed to its range and says so."""

    @staticmethod
    def _number(text):
        try:
            return int(text)
        except ValueError:
            return None

    def validate(self, text, pos):
        bare = self._bare(text)
        value = self._number(bare)
        if value is None:
            return QValidator.Intermediate if bare in ("", "-", "+") else QValidator.Invalid
        if self.minimum() <= value <= self.maximum():
            return QValidator.Acceptable
        return QValidator.Intermediate  # fixup clamps it when editing ends


class ScientificSpinBox(_Clamping, QDoubleSpinBox):
    """A spin box for values spanning decades (1e-8, 0.003, 10): shows them like ``%g``, takes
    typed scientific notation, and steps by multiplying with ``factor``.

    From 0 (when allowed) a step up goes to ``first_step``; a step down below ``first_step``
    goes back to 0.
    """

    def __init__(self, minimum, maximum, factor=10.0, first_step=None, parent=None):
        super().__init__(parent)
        self.setDecimals(15)  # QDoubleSpinBox rounds to its decimals; keep values like 1e-10
        self.setRange(minimum, maximum)
        self.setKeyboardTracking(False)
        self._factor = factor
        self._first_step = first_step if first_step is not None else max(minimum, 1e-3)

    def textFromValue(self, value):
        return f"{value:.6g}"

    def valueFromText(self, text):
        value = self._number(text.strip())
        return self.value() if value is None else value

    @staticmethod
    def _number(text):
        try:
            value = float(text)
        except ValueError:
            return None
        return value if value == value else None  # NaN is no number to clamp

    def validate(self, text, pos):
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            # Partial input while typing: "", "1e", "1e-", "-", "." may still become a number.
            partial = stripped == "" or stripped[-1] in "eE-+." or stripped.lower().endswith("e-")
            return QValidator.Intermediate if partial else QValidator.Invalid
        if self.minimum() <= value <= self.maximum():
            return QValidator.Acceptable
        return QValidator.Intermediate

    def stepBy(self, steps):
        value = self.value()
        for _ in range(abs(steps)):
            if steps > 0:
                value = self._first_step if value <= 0 else value * self._factor
            else:
                value = 0.0 if value <= self._first_step and self.minimum() <= 0 else value / self._factor
        self.setValue(min(max(value, self.minimum()), self.maximum()))


def compact_combo():
    """A combo box whose width does not grow with its longest entry (the column is narrow)."""
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)
    return combo


def note_label(text=""):
    """A small grey word-wrapped note (an explanation under a control)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555;")
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 0.92)
    label.setFont(font)
    return label


# Imported after Panel exists: the panel modules build on it.
from gui.panels.data_panel import DataPanel  # noqa: E402
from gui.panels.network_panel import NetworkPanel  # noqa: E402
from gui.panels.activation_panel import ActivationPanel  # noqa: E402
from gui.panels.loss_panel import LossPanel  # noqa: E402
from gui.panels.optimizer_panel import OptimizerPanel  # noqa: E402

#: In the order of the left column.
ALL_PANELS = (DataPanel, NetworkPanel, ActivationPanel, LossPanel, OptimizerPanel)

__all__ = ["Panel", "ALL_PANELS", "DataPanel", "NetworkPanel", "ActivationPanel", "LossPanel",
           "OptimizerPanel"]
