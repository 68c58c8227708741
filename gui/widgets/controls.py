"""Input controls of the panels and dialogs: a compact combo box and spin boxes that clamp what
is typed to their range and say so."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox, QToolTip


def compact_combo():
    """A combo box whose width does not grow with its longest entry (the column is narrow)."""
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)
    return combo


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
