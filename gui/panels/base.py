"""The base of the control panels: a titled group box with a form, and the ``changed`` signal."""
from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QVBoxLayout, QWidget
from superqt.utils import qdebounced, signals_blocked

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
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.box = QGroupBox(title)
        outer.addWidget(self.box)
        self.form = QFormLayout(self.box)
        self.form.setContentsMargins(8, 6, 8, 6)
        self.form.setVerticalSpacing(5)
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)

    def _emit_changed(self):
        self._emit_changed_soon.cancel()
        self.changed.emit()

    @qdebounced(timeout=COALESCE_MS)
    def _emit_changed_soon(self):
        self.changed.emit()

    @contextmanager
    def _silenced(self):
        """Block the signals of every child widget (and this panel) while showing a config."""
        with signals_blocked(self, *self.findChildren(QWidget)):
            try:
                yield
            finally:
                # A change pending from before would only repeat what is shown now.
                self._emit_changed_soon.cancel()
