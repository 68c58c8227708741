"""Network panel: the hidden layers (how many, how wide) and how the weights start."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from core.config import MAX_HIDDEN_LAYERS, MAX_LAYER_SIZE
from core.network import INIT_DESCRIPTIONS, INITS
from gui.panels.base import Panel
from gui.widgets.controls import RangeSpinBox, compact_combo
from gui.widgets.labels import formula_label, note_label

#: Neurons per layer the spin boxes offer (the core allows up to MAX_LAYER_SIZE).
MAX_NEURONS = 32
_COLUMNS = 4  # layer spin boxes per row


class NetworkPanel(Panel):
    """Owns Config fields hidden_layers and init.

    ``set_io(n_inputs, n_outputs)`` tells it the input and output sizes (from the data set and
    the task) so it can show the whole shape, e.g. ``2 → 4 → 2 → 1``.
    """

    def __init__(self, parent=None):
        super().__init__("Network", parent)
        self._n_inputs, self._n_outputs = 2, 1
        self._spins = []

        self.add_button = QPushButton("+")
        self.add_button.setToolTip("Add a hidden layer (a copy of the last one): one more "
                                   "z = x·W + b followed by the activation. Deeper networks can "
                                   "bend the boundary more, but gradients must travel further back.")
        self.remove_button = QPushButton("−")
        self.remove_button.setToolTip("Remove the last hidden layer. With none left the network "
                                      "is a single layer: a straight (linear) boundary.")
        self.count_label = QLabel()
        self.count_label.setAlignment(Qt.AlignCenter)
        self.count_label.setMinimumWidth(self.count_label.fontMetrics().horizontalAdvance("8 layers") + 8)
        buttons = QWidget()
        button_layout = QHBoxLayout(buttons)
        button_layout.setContentsMargins(0, 0, 0, 0)
        for button in (self.remove_button, self.add_button):
            button.setFixedWidth(button.fontMetrics().horizontalAdvance("+") + 28)
        button_layout.addWidget(self.remove_button)
        button_layout.addWidget(self.count_label)
        button_layout.addWidget(self.add_button)
        button_layout.addStretch(1)

        self.layers_box = QWidget()
        self.layers_grid = QGridLayout(self.layers_box)
        self.layers_grid.setContentsMargins(0, 0, 0, 0)
        self.layers_grid.setHorizontalSpacing(4)
        self.layers_grid.setVerticalSpacing(2)

        self.shape_label = formula_label()
        self.shape_label.setToolTip("Neurons per layer from the inputs (left) to the outputs "
                                    "(right). Each arrow is a weight matrix W of shape "
                                    "(neurons before, neurons after) plus a bias vector b.")

        self.init = compact_combo()
        for name in INITS:
            self.init.addItem(name, name)
            self.init.setItemData(self.init.count() - 1, INIT_DESCRIPTIONS[name], Qt.ToolTipRole)
        self.init.setToolTip("How the weights W and biases b are drawn before training starts.")
        self.init_note = note_label()

        self.layer_buttons = buttons
        form = self.form
        form.addRow("Hidden layers", buttons)
        form.addRow(self.layers_box)
        form.addRow("Shape", self.shape_label)
        form.addRow("Initialization", self.init)
        form.addRow(self.init_note)

        self.set_values((4, 4), "xavier")

        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.init.currentIndexChanged.connect(self._on_init_changed)

    # ------------------------------------------------------------------ interface
    def values(self) -> dict:
        return {"hidden_layers": self.hidden_layers(), "init": self.init.currentData()}

    def config_rows(self) -> dict:
        return {"hidden_layers": [self.layer_buttons, self.layers_box, self.shape_label],
                "init": [self.init, self.init_note]}

    def _refresh_rows(self):
        self._update_labels()

    def hidden_layers(self) -> tuple:
        return tuple(spin.value() for spin in self._spins)

    def set_config(self, config):
        with self._silenced():
            self.set_values(config.hidden_layers, config.init)

    def set_values(self, hidden_layers, init):
        while len(self._spins) > len(hidden_layers):
            self._pop_layer()
        while len(self._spins) < len(hidden_layers):
            self._push_layer(1)
        for spin, size in zip(self._spins, hidden_layers):
            if size > spin.maximum():
                spin.setMaximum(min(size, MAX_LAYER_SIZE))
            spin.setValue(size)
        self.init.setCurrentIndex(max(self.init.findData(init), 0))
        self._update_labels()

    def set_io(self, n_inputs, n_outputs):
        """The data set's input features and the network's outputs (1, or k classes)."""
        self._n_inputs, self._n_outputs = int(n_inputs), int(n_outputs)
        self._update_labels()

    def shape_text(self) -> str:
        """The layer sizes from input to output, e.g. ``"2 → 4 → 2 → 1"``."""
        sizes = (self._n_inputs, *self.hidden_layers(), self._n_outputs)
        return " → ".join(str(size) for size in sizes)

    def parameter_count(self) -> int:
        """Weights and biases (without prelu slopes or maxout's second pieces)."""
        sizes = (self._n_inputs, *self.hidden_layers(), self._n_outputs)
        return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))

    # ------------------------------------------------------------------ layers
    def _push_layer(self, size):
        index = len(self._spins)
        spin = RangeSpinBox()
        spin.setRange(1, MAX_NEURONS)
        spin.setValue(size)
        spin.setKeyboardTracking(False)
        spin.setPrefix(f"L{index + 1}: ")
        spin.setToolTip(f"Neurons in hidden layer {index + 1}: the width of its weight matrix W. "
                        "Each neuron draws one more line (a ridge) that the next layer combines.")
        spin.valueChanged.connect(self._on_size_changed)
        self.layers_grid.addWidget(spin, index // _COLUMNS, index % _COLUMNS)
        self._spins.append(spin)

    def _pop_layer(self):
        spin = self._spins.pop()
        self.layers_grid.removeWidget(spin)
        # Hidden now: deleteLater waits for the event loop, and a window grabbed before then
        # (a screenshot taken during start-up) still showed the removed layer's box.
        spin.hide()
        spin.deleteLater()

    def _update_labels(self):
        n = len(self._spins)
        self.add_button.setEnabled(n < MAX_HIDDEN_LAYERS)
        self.remove_button.setEnabled(n > 0)
        self.count_label.setText(f"{n} layer{'' if n == 1 else 's'}")
        self.layers_box.setVisible(n > 0)
        self.shape_label.setText(self.shape_text())
        self.shape_label.setToolTip(
            f"{self.parameter_count()} weights and biases. Neurons per layer from the inputs "
            "(left) to the outputs (right); each arrow is a weight matrix W of shape "
            "(neurons before, neurons after) plus a bias vector b.")
        self.init_note.setText(INIT_DESCRIPTIONS[self.init.currentData()])
        self._apply_locks()

    # ------------------------------------------------------------------ slots
    def _on_add_clicked(self):
        if len(self._spins) >= MAX_HIDDEN_LAYERS:
            return
        self._push_layer(self._spins[-1].value() if self._spins else 4)
        self._update_labels()
        self._emit_changed()

    def _on_remove_clicked(self):
        if not self._spins:
            return
        self._pop_layer()
        self._update_labels()
        self._emit_changed()

    def _on_size_changed(self):
        self._update_labels()
        self._emit_changed_soon()

    def _on_init_changed(self):
        self._update_labels()
        self._emit_changed()
