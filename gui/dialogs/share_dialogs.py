"""The small dialogs of sharing: a Playground link to open, your own weights to open, and the
size of a 3-D picture. Each only gathers choices; :mod:`gui.dialogs.share_actions` acts."""
from __future__ import annotations

import os

from PySide6.QtCore import Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QVBoxLayout)

from core import activations, losses
from gui.figures import MAX_3D_SIDE


class OpenLinkDialog(QDialog):
    """Paste a Neural Network Playground link; the clipboard's is filled in when it holds one."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Open a Playground link")
        text = QLabel("Paste a link of the TensorFlow Neural Network Playground "
                      "(playground.tensorflow.org/#activation=…). Costscape opens the same "
                      "experiment: its data, network, features, learning rate and "
                      "regularization, and the Playground's model (a tanh output trained "
                      "towards −1/+1 with the squared error).")
        text.setWordWrap(True)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("https://playground.tensorflow.org/#activation=tanh&…")
        self.edit.setMinimumWidth(520)
        self.edit.setToolTip("The whole link, or only the part after '#'.")
        clipboard = QGuiApplication.clipboard().text().strip()
        if "playground.tensorflow.org" in clipboard or clipboard.startswith("#activation"):
            self.edit.setText(clipboard)
        buttons = QDialogButtonBox(QDialogButtonBox.Open | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.edit)
        layout.addWidget(buttons)

    def url(self) -> str:
        return self.edit.text().strip()


class OpenWeightsDialog(QDialog):
    """Weight files (``.npz`` or ``.npy``), a CSV file of data, and the activations and loss
    the network was made with."""

    def __init__(self, folder, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Open your own weights")
        self._folder = folder
        self.weights = []
        intro = QLabel("Weight matrices saved with np.savez or np.save, in the x @ W + b "
                       "convention or the transposed W @ x one (Costscape tells which from the "
                       "shapes), with biases or without, and the data they were trained on as "
                       "a CSV file (inputs, then the label). Costscape shows the network's "
                       "cost, boundary and error surface around these weights, and trains on "
                       "from them.")
        intro.setWordWrap(True)
        self.weights_edit = QLineEdit()
        self.weights_edit.setReadOnly(True)
        self.weights_edit.setPlaceholderText("syn_0.npy, syn_1.npy — or weights.npz")
        choose_weights = QPushButton("Choose…")
        choose_weights.setToolTip("One .npz archive, or one .npy file per array (biases are "
                                  "the 1-D arrays and those named b… or …bias…).")
        choose_weights.clicked.connect(self._on_choose_weights_clicked)
        self.data_edit = QLineEdit()
        self.data_edit.setPlaceholderText("xor.csv")
        self.data_edit.setToolTip("Every row is used both for training and as the test set.")
        choose_data = QPushButton("Choose…")
        choose_data.clicked.connect(self._on_choose_data_clicked)
        self.hidden_box = QComboBox()
        self.output_box = QComboBox()
        for name in activations.names():
            act = activations.get(name)
            if act.hidden_ok and name != "maxout":
                self.hidden_box.addItem(act.display_name, name)
            if name not in ("maxout", "prelu"):
                self.output_box.addItem(act.display_name, name)
        self.hidden_box.setCurrentIndex(self.hidden_box.findData("sigmoid"))
        self.output_box.setCurrentIndex(self.output_box.findData("sigmoid"))
        self.hidden_box.setToolTip("The activation of every hidden layer, as in your code.")
        self.output_box.setToolTip("The output layer's activation, as in your code.")
        self.loss_box = QComboBox()
        self.loss_box.addItem("The task's usual loss", None)
        for name in losses.names():
            self.loss_box.addItem(losses.get(name).display_name, name)
        self.loss_box.setCurrentIndex(self.loss_box.findData("mse"))
        self.loss_box.setToolTip("The cost to show and train on (the classic small numpy "
                                 "examples use the squared error).")
        self.rate_box = QDoubleSpinBox()
        self.rate_box.setDecimals(4)
        self.rate_box.setRange(0.0001, 100.0)
        self.rate_box.setValue(1.0)
        self.rate_box.setToolTip("The learning rate for training on (plain gradient descent on "
                                 "the full batch).")
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.weights_edit, 1)
        row.addWidget(choose_weights)
        form.addRow("Weights:", row)
        row = QHBoxLayout()
        row.addWidget(self.data_edit, 1)
        row.addWidget(choose_data)
        form.addRow("Data (CSV):", row)
        form.addRow("Hidden activation:", self.hidden_box)
        form.addRow("Output activation:", self.output_box)
        form.addRow("Loss:", self.loss_box)
        form.addRow("Learning rate:", self.rate_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Open | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self._update_open_button()
        self.data_edit.textChanged.connect(self._update_open_button)

    def set_weights(self, paths):
        self.weights = [os.fspath(p) for p in paths]
        self.weights_edit.setText(", ".join(os.path.basename(p) for p in self.weights))
        self._update_open_button()

    def choices(self) -> dict:
        return {"weights": list(self.weights), "data": self.data_edit.text().strip(),
                "activation": self.hidden_box.currentData(),
                "output_activation": self.output_box.currentData(),
                "loss": self.loss_box.currentData(), "learning_rate": self.rate_box.value()}

    @Slot()
    def _update_open_button(self, *_):
        self.buttons.button(QDialogButtonBox.Open).setEnabled(
            bool(self.weights) and bool(self.data_edit.text().strip()))

    @Slot()
    def _on_choose_weights_clicked(self):
        paths, _ = QFileDialog.getOpenFileNames(self, "Weight files", self._folder,
                                                "NumPy arrays (*.npz *.npy);;All files (*)")
        if paths:
            self.set_weights(paths)

    @Slot()
    def _on_choose_data_clicked(self):
        path, _ = QFileDialog.getOpenFileName(self, "Data", self._folder,
                                              "CSV files (*.csv *.tsv *.txt);;All files (*)")
        if path:
            self.data_edit.setText(path)


class PictureSizeDialog(QDialog):
    """The width and height of a 3-D picture, starting at twice the view's size."""

    def __init__(self, width, height, parent=None):
        super().__init__(parent)
        self.setWindowTitle("3-D view as PNG")
        self.width_box, self.height_box = QSpinBox(), QSpinBox()
        for box, value in ((self.width_box, width), (self.height_box, height)):
            box.setRange(16, MAX_3D_SIDE)
            box.setValue(min(max(int(value), 16), MAX_3D_SIDE))
            box.setSuffix(" px")
        form = QFormLayout()
        form.addRow("Width:", self.width_box)
        form.addRow("Height:", self.height_box)
        note = QLabel("OpenGL draws the view again at this size: lines and labels stay sharp.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def picture_size(self) -> tuple:
        return self.width_box.value(), self.height_box.value()
