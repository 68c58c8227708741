"""One parameter chosen by layer and neuron, for an axis of the error surface."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget


class ParamPicker(QWidget):
    """One parameter chosen by layer and neuron: ``[W1 ▾] [from ▾] → [to ▾]``.

    Three short lists instead of one list of every parameter (thousands in a big network).
    Indices come from the run's :class:`core.params.ParamLayout`. ``changed`` is emitted when
    the learner picks another parameter.
    """

    changed = Signal()

    def __init__(self, axis, parent=None):
        super().__init__(parent)
        self._layout = None
        self.block_combo = QComboBox()
        self.from_combo = QComboBox()
        self.arrow = QLabel("→")
        self.to_combo = QComboBox()
        tip = (f"Parameter along axis {axis}: its layer, then the neuron it comes from and the "
               f"neuron it goes to, all counted from 1.\nW2[3→1] is the weight of layer 2 from "
               f"neuron 3 of the layer below to neuron 1; b1[4] is the bias of neuron 4 of "
               f"layer 1\n(W1 connects the inputs to hidden layer 1).")
        for combo, length in ((self.block_combo, 4), (self.from_combo, 2), (self.to_combo, 2)):
            combo.setToolTip(tip)
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(length)
        self.block_combo.currentIndexChanged.connect(self._on_block_combo_changed)
        self.from_combo.currentIndexChanged.connect(self._on_neuron_combo_changed)
        self.to_combo.currentIndexChanged.connect(self._on_neuron_combo_changed)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        for widget in (self.block_combo, self.from_combo, self.arrow, self.to_combo):
            row.addWidget(widget)

    def set_layout(self, layout):
        """List the blocks of ``layout`` (a :class:`~core.params.ParamLayout`)."""
        self._layout = layout
        self.block_combo.blockSignals(True)
        self.block_combo.clear()
        for k, block in enumerate(layout.blocks):
            self.block_combo.addItem(block.label, k)
            self.block_combo.setItemData(k, f"{block.label}: {layout.describe_block(block)}",
                                         Qt.ToolTipRole)
        self.block_combo.blockSignals(False)
        self._fill_neurons(0)

    def _fill_neurons(self, block_index, i=0, j=0):
        block = self._layout.blocks[block_index]
        matrix = block.is_matrix
        for combo, n, value in ((self.from_combo, block.shape[0], i),
                                (self.to_combo, block.shape[1] if matrix else 0, j)):
            combo.blockSignals(True)
            combo.clear()
            for k in range(n):
                combo.addItem(str(k + 1), k)  # counted from 1, as the labels count
            combo.setCurrentIndex(min(value, max(n - 1, 0)))
            combo.blockSignals(False)
        self.to_combo.setVisible(matrix)
        self.arrow.setVisible(matrix)
        self.from_combo.setToolTip("From neuron" if matrix else "Neuron")

    def index(self):
        """The flat parameter index picked (None before a layout is set)."""
        if self._layout is None:
            return None
        block = self._layout.blocks[self.block_combo.currentIndex()]
        i = max(self.from_combo.currentIndex(), 0)
        j = max(self.to_combo.currentIndex(), 0) if block.is_matrix else None
        return self._layout.index(block.kind, block.layer, i, j)

    def set_index(self, index):
        """Show flat parameter ``index`` (no ``changed`` signal)."""
        if self._layout is None:
            return
        kind, layer, i, j = self._layout.location(index)
        k = self._layout.blocks.index(self._layout.block(kind, layer))
        self.block_combo.blockSignals(True)
        self.block_combo.setCurrentIndex(k)
        self.block_combo.blockSignals(False)
        self._fill_neurons(k, i, 0 if j is None else j)

    @Slot(int)
    def _on_block_combo_changed(self, k):
        if k >= 0:
            self._fill_neurons(k)
            self.changed.emit()

    @Slot(int)
    def _on_neuron_combo_changed(self, _k):
        self.changed.emit()
