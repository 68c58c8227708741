"""Data panel: which data set, how many points, how noisy, how they split, and the seed."""
from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QStandardItemModel
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from core import datasets
from core.config import MAX_SEED
from gui.panels.base import Panel
from gui.widgets.controls import RangeSpinBox, compact_combo
from gui.widgets.labels import note_label

TASK_TITLES = {"binary": "Binary classification", "multiclass": "Multi-class classification",
               "regression": "Regression"}
#: The panel offers up to this many points (the core takes more, e.g. from a saved config).
MAX_PANEL_SAMPLES = 5000
# Sliders are integers: noise in hundredths, the training share in percent.
_NOISE_STEPS = 100
#: Config.dataset of a loaded file.
CSV = "csv"
#: Config.dataset of points drawn by hand (the trainer is given them).
CUSTOM = "custom"
#: Sets whose points are given, not drawn: "New points" has nothing to draw for them.
FIXED_SETS = ("xor_table", CSV, CUSTOM)
#: The split label when the test points are the training points.
SAME_POINTS = "train = test"
NEW_POINTS_TIP = "Draw a fresh sample of the same data set (advances the seed by 1)."
#: Why "New points" is off, per fixed set.
NO_NEW_POINTS = {
    "xor_table": "The XOR truth table has exactly these 4 points: there are no new ones to "
                 "draw. Choose a generated data set to draw new points.",
    CSV: "The points come from a file: there are no new ones to draw. Import another file "
         "(File menu), or choose a generated data set.",
    CUSTOM: "These points were drawn by hand on the plot: there are no new ones to draw. Choose "
            "a generated data set to draw new points.",
}
#: What the point count of a fixed set is.
COUNT_WORDS = {"xor_table": "the truth table's rows", CSV: "rows of the file",
               CUSTOM: "drawn by hand"}


def _slider_row(slider, label):
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(slider, 1)
    label.setMinimumWidth(label.fontMetrics().horizontalAdvance("100% / 100%") + 4)
    layout.addWidget(label)
    return row


class DataPanel(Panel):
    """Owns Config fields dataset, n_samples, noise, train_fraction and seed.

    Signals
    -------
    changed()
        Any of those fields changed (spin boxes and sliders coalesced).
    regenerate_requested()
        "New points" was pressed: the seed has already advanced (so ``values()`` differs and
        ``changed`` fired too); the main window may use this to say "new data" in the status bar.
    show_test_changed(bool)
        Show the test points (hollow markers) or not. Not a Config field, so no ``changed``.
    """

    regenerate_requested = Signal()
    show_test_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__("Data", parent)
        self._own_tasks = {}  # CSV or CUSTOM -> the task of those data
        self._csv_path = None
        self.dataset = compact_combo()
        self._fill_datasets()
        self.dataset.setToolTip("Which points the network learns from. Classification sets give "
                                "each point a class label y; regression sets give it a number y.")
        self.description = note_label()

        self.n_samples = RangeSpinBox()
        self.n_samples.setRange(datasets.MIN_SAMPLES, MAX_PANEL_SAMPLES)
        self.n_samples.setSingleStep(50)
        self.n_samples.setKeyboardTracking(False)
        self.n_samples.setToolTip("Number of points n, training plus test. The training cost is "
                                  "the mean loss over the n·(train share) training points.")
        # A set of given points shows how many it has in place of the spin box (whose value
        # stays the config's, for when a generated set is chosen again).
        self.point_count = QLabel()
        self.point_count.setToolTip("How many points this data set has (training plus test, "
                                    "each point counted once). They are given, not drawn: "
                                    "their number cannot be chosen.")
        self._counts = {}  # fixed set -> (train, test, same points) of the running data
        self.points_row = QWidget()
        points_layout = QHBoxLayout(self.points_row)
        points_layout.setContentsMargins(0, 0, 0, 0)
        points_layout.addWidget(self.n_samples, 1)
        points_layout.addWidget(self.point_count, 1)

        self.noise = QSlider(Qt.Horizontal)
        self.noise.setRange(0, _NOISE_STEPS)
        self.noise.setPageStep(5)
        self.noise_label = QLabel()
        self.noise.setToolTip("How far points are jittered from the clean pattern (0 to 1; 0.5 is "
                              "the Playground's maximum). Noisy labels make a zero training cost a "
                              "sign of overfitting.")

        self.train_share = QSlider(Qt.Horizontal)
        self.train_share.setRange(10, 100)
        self.train_share.setSingleStep(5)
        self.train_share.setPageStep(10)
        self.split_label = QLabel()
        self.train_share.setToolTip("Share of the points used for training; the gradient sees only "
                                    "these. The rest are the test set, scored but never trained on: "
                                    "the gap between the two costs measures overfitting.\nAt 100% "
                                    "every point trains and the test set is the same points "
                                    "(train = test): the test cost then shows the fit, not "
                                    "generalization.")

        self.seed = RangeSpinBox()
        self.seed.setRange(0, min(MAX_SEED, 2**31 - 1))  # QSpinBox holds a C int
        self.seed.setKeyboardTracking(False)
        self.seed.setToolTip("Seed of the random numbers: the same seed gives the same points, the "
                             "same starting weights and the same mini-batch order.")
        self.regenerate = QPushButton("New points")
        self.regenerate.setToolTip(NEW_POINTS_TIP)
        seed_row = QWidget()
        seed_layout = QHBoxLayout(seed_row)
        seed_layout.setContentsMargins(0, 0, 0, 0)
        seed_layout.addWidget(self.seed, 1)
        seed_layout.addWidget(self.regenerate)

        self.show_test = QCheckBox("Show test points (hollow)")
        self.show_test.setChecked(True)
        self.show_test.setToolTip("Draw the test points as hollow markers next to the filled "
                                  "training points. Display only: training never uses them.")

        form = self.form
        form.addRow("Data set", self.dataset)
        form.addRow(self.description)
        form.addRow("Points", self.points_row)
        self.noise_row = _slider_row(self.noise, self.noise_label)
        self.split_row = _slider_row(self.train_share, self.split_label)
        self.seed_row = seed_row
        form.addRow("Noise", self.noise_row)
        form.addRow("Train / test", self.split_row)
        form.addRow("Seed", seed_row)
        form.addRow(self.show_test)

        self.set_values(dataset="xor", n_samples=500, noise=0.0, train_fraction=0.5, seed=0)

        self.dataset.currentIndexChanged.connect(self._on_dataset_changed)
        self.n_samples.valueChanged.connect(self._emit_changed_soon)
        self.noise.valueChanged.connect(self._on_noise_changed)
        self.train_share.valueChanged.connect(self._on_train_share_changed)
        self.seed.valueChanged.connect(self._emit_changed_soon)
        self.regenerate.clicked.connect(self._on_regenerate_clicked)
        self.show_test.toggled.connect(self.show_test_changed)

    # ------------------------------------------------------------------ set-up
    def _fill_datasets(self):
        """Data sets grouped under their task, with unselectable headers."""
        model: QStandardItemModel = self.dataset.model()
        by_task = {task: [n for n in datasets.names() if datasets.task_of(n) == task]
                   for task in ("binary", "multiclass", "regression")}
        bold = self._header_font = QFont(self.dataset.font())
        bold.setBold(True)
        for task, names in by_task.items():
            if not names:
                continue
            self.dataset.addItem(TASK_TITLES[task])
            header = model.item(self.dataset.count() - 1)
            header.setFlags(Qt.NoItemFlags)
            header.setFont(bold)
            for name in names:
                self.dataset.addItem(datasets.display_name(name), name)
                self.dataset.setItemData(self.dataset.count() - 1, datasets.describe(name),
                                         Qt.ToolTipRole)

    # ------------------------------------------------------------------ interface
    def task(self) -> str:
        """The task of the chosen data set: "regression", "binary" or "multiclass"."""
        name = self.dataset.currentData()
        return self._own_tasks[name] if name in self._own_tasks else datasets.task_of(name)

    def set_csv(self, path, task):
        """Offer (and choose) a loaded CSV file as the data set "csv"; emits nothing.

        The main window reads the file (``datasets.load_csv``) and keeps ``data_path``; this
        panel only shows it and reports ``dataset="csv"``.
        """
        with self._silenced():
            self._own_tasks[CSV] = task
            if path != self._csv_path:  # another file: its count comes with its data
                self._csv_path = path
                self._counts.pop(CSV, None)
            index = self._own_entry(CSV, "Loaded file")
            self.dataset.setItemText(index, f"CSV: {os.path.basename(path)}")
            self.dataset.setItemData(index, f"{path} ({TASK_TITLES[task].lower()})",
                                     Qt.ToolTipRole)
            self.dataset.setCurrentIndex(index)
            self._update_labels()

    def _own_entry(self, key, title) -> int:
        """The index of the list's entry for data of one's own (``key``: CSV or CUSTOM), under
        a header ``title``, added at the end if missing."""
        index = self.dataset.findData(key)
        if index < 0:
            self.dataset.addItem(title)
            header = self.dataset.model().item(self.dataset.count() - 1)
            header.setFlags(Qt.NoItemFlags)
            header.setFont(self._header_font)
            self.dataset.addItem("", key)
            index = self.dataset.count() - 1
        return index

    def _show_custom(self, shown):
        """List (and choose) "Points drawn by hand" while the data are drawn, and only then: it
        cannot be chosen again later (the points live in the running trainer only)."""
        index = self.dataset.findData(CUSTOM)
        if shown and index < 0:
            index = self._own_entry(CUSTOM, "Drawn on the plot")
            self.dataset.setItemText(index, "Points drawn by hand")
            self.dataset.setItemData(index, "Points added or removed by clicking on the "
                                     "decision boundary plot.", Qt.ToolTipRole)
        elif not shown and index >= 0:
            self.dataset.removeItem(index)
            self.dataset.removeItem(index - 1)  # its header

    def show_data(self, data, dataset):
        """Show how many points ``data`` (the running Dataset, made for Config.dataset
        ``dataset``) has, when it is a set of given points; emits nothing."""
        if dataset in FIXED_SETS:
            self._counts[dataset] = (len(data.X_train), len(data.X_test), data.test_is_train)
            if dataset == self.dataset.currentData():
                self._update_labels()

    def show_test_points(self) -> bool:
        return self.show_test.isChecked()

    def config_rows(self) -> dict:
        return {"dataset": [self.dataset, self.description], "n_samples": [self.points_row],
                "noise": [self.noise_row], "train_fraction": [self.split_row],
                "seed": [self.seed_row]}

    def _refresh_rows(self):
        self._update_labels()

    def values(self) -> dict:
        return {"dataset": self.dataset.currentData(),
                "n_samples": self.n_samples.value(),
                "noise": self.noise.value() / _NOISE_STEPS,
                "train_fraction": self.train_share.value() / 100,
                "seed": self.seed.value()}

    def set_config(self, config):
        """Show ``config``'s data fields without emitting anything.

        A CSV config (dataset "csv") adds its file to the list (see :meth:`set_csv`); points
        drawn by hand (dataset "custom") are listed while they train.
        """
        if config.dataset == CSV and config.data_path:
            self.set_csv(config.data_path, config.task)
        with self._silenced():
            self._own_tasks[CUSTOM] = config.task
            self._show_custom(config.dataset == CUSTOM)
            self.set_values(dataset=config.dataset, n_samples=config.n_samples,
                            noise=config.noise, train_fraction=config.train_fraction,
                            seed=config.seed)

    def set_values(self, dataset, n_samples, noise, train_fraction, seed):
        index = self.dataset.findData(dataset)
        if index >= 0:
            self.dataset.setCurrentIndex(index)
        if n_samples > self.n_samples.maximum():
            self.n_samples.setMaximum(n_samples)
        self.n_samples.setValue(n_samples)
        self.noise.setValue(round(noise * _NOISE_STEPS))
        self.train_share.setValue(round(train_fraction * 100))
        self.seed.setValue(min(seed, self.seed.maximum()))
        self._update_labels()

    # ------------------------------------------------------------------ slots
    def _update_labels(self):
        name = self.dataset.currentData()
        share = self.train_share.value()
        counts = self._counts.get(name)
        if name == CUSTOM:  # drawn points split as they were drawn, not by the slider
            same = counts is not None and counts[2]
        else:
            same = name == "xor_table" or share == 100
        if name == CSV:
            text = (f"<b>{TASK_TITLES[self.task()]}.</b> Points read from a file: the number of "
                    "points and the noise do not apply.")
        elif name == CUSTOM:
            text = ("<b>Points drawn by hand</b> on the plot (click to add, Ctrl+click to "
                    "remove): the number of points, the noise, the split and the seed do not "
                    "apply.")
        else:
            text = f"<b>{TASK_TITLES[self.task()]}.</b> {datasets.describe(name)}"
            if name == "xor_table":
                text += " Points, noise and split do not apply."
        if same and name != "xor_table":  # the truth table's description says it already
            text += " Training share 100%: the test points are the training points."
        self.description.setText(text)
        fixed = name in FIXED_SETS
        for widget in (self.n_samples, self.noise):
            widget.setEnabled(not fixed)
        self.n_samples.setVisible(not fixed)
        self.point_count.setVisible(fixed)
        if fixed:
            count = 4 if name == "xor_table" else None
            if counts is not None:
                count = counts[0] if counts[2] else counts[0] + counts[1]
            self.point_count.setText("…" if count is None else f"{count:,} ({COUNT_WORDS[name]})")
        self.train_share.setEnabled(name not in ("xor_table", CUSTOM))
        self.seed_row.setEnabled(name != CUSTOM)
        self.regenerate.setEnabled(not fixed)
        self.regenerate.setToolTip(NO_NEW_POINTS[name] if fixed else NEW_POINTS_TIP)
        self.noise_label.setText(f"{self.noise.value() / _NOISE_STEPS:.2f}")
        if same:
            self.split_label.setText(SAME_POINTS)
        elif name == CUSTOM:
            self.split_label.setText("…" if counts is None else f"{counts[0]} / {counts[1]}")
        else:
            self.split_label.setText(f"{share}% / {100 - share}%")
        self.split_label.setToolTip(
            "Every point trains, and the test set is the same points: the test cost measures "
            "the fit, not how well the network generalizes." if same else
            "Training points / test points, as they were drawn." if name == CUSTOM else
            f"{share}% of the points train, {100 - share}% are the test set.")
        self._apply_locks()

    def _on_dataset_changed(self):
        self._update_labels()
        self._emit_changed()

    def _on_noise_changed(self):
        self._update_labels()
        self._emit_changed_soon()

    def _on_train_share_changed(self):
        self._update_labels()
        self._emit_changed_soon()

    def _on_regenerate_clicked(self):
        with self._silenced():
            seed = self.seed.value()
            self.seed.setValue(seed + 1 if seed < self.seed.maximum() else 0)
        self._emit_changed()
        self.regenerate_requested.emit()
