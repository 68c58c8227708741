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

    A lesson locks and hides settings through :meth:`set_locked`; each panel says which form
    rows show which Config field in :meth:`config_rows`, and re-applies the locks
    (:meth:`_apply_locks`) after it enables or shows rows of its own accord.
    """

    changed = Signal()

    def __init__(self, title, parent=None):
        super().__init__(parent)
        self._title = title
        self._locked = self._hidden = frozenset()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.box = QGroupBox(title)
        outer.addWidget(self.box)
        self.form = QFormLayout(self.box)
        self.form.setContentsMargins(8, 6, 8, 6)
        self.form.setVerticalSpacing(5)
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)

    # ------------------------------------------------------------------ locking
    def config_rows(self) -> dict:
        """{Config field: the widgets of the form rows that show it}: the field widgets as
        added to :attr:`form` (a row's label follows its field)."""
        return {}

    def row_form(self, widget) -> QFormLayout:
        """The form that holds ``widget`` as a row: :attr:`form`, or a form nested in it (a
        panel that folds part of itself away keeps those rows in a form of their own)."""
        for form in (self.form, *self.findChildren(QFormLayout)):
            if form.getWidgetPosition(widget)[0] >= 0:
                return form
        return self.form

    def set_locked(self, locked=(), hidden=()):
        """Grey out the rows of the Config fields in ``locked`` and hide those in ``hidden``
        (fields this panel does not show are ignored); no arguments: everything unlocked and
        shown. A panel with every row hidden hides itself; one with a lock says so in its
        title."""
        rows = self.config_rows()
        self._locked = frozenset(locked) & rows.keys()
        self._hidden = frozenset(hidden) & rows.keys()
        for widgets in rows.values():
            for widget in widgets:
                widget.setEnabled(True)
                form = self.row_form(widget)
                label = form.labelForField(widget)
                if label is not None:
                    label.setEnabled(True)
                form.setRowVisible(widget, True)
        self._refresh_rows()  # the panel's own enabling and visibility first
        self._apply_locks()
        self.setVisible(not rows or self._hidden != rows.keys())
        self.box.setTitle(f"{self._title}  (locked by the lesson)" if self._locked
                          else self._title)

    def is_locked(self, field) -> bool:
        return field in self._locked

    def _refresh_rows(self):
        """Enable and show this panel's rows as its own state wants (subclasses that toggle
        rows override it)."""

    def _apply_locks(self):
        """Disable the locked rows and hide the hidden ones: only ever disables or hides, so it
        can follow any update of the panel's own."""
        if not (self._locked or self._hidden):
            return
        for field, widgets in self.config_rows().items():
            for widget in widgets:
                form = self.row_form(widget)
                if field in self._locked:
                    widget.setEnabled(False)
                    label = form.labelForField(widget)
                    if label is not None:
                        label.setEnabled(False)
                if field in self._hidden:
                    form.setRowVisible(widget, False)

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
