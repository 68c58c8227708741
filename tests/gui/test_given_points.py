"""Sets of given points: a training share of 100 % (train = test) from a CSV file end to end,
"New points" off where there is nothing to draw, and the real point count of such a set."""
import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog

from core import datasets
from core.presets import PRESETS
from gui.panels import DataPanel
from gui.panels.data_panel import NO_NEW_POINTS, SAME_POINTS
from windows import TIMEOUT, latest

XOR_ROWS = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"
#: The XOR 2-4-1 preset ("The classic small numpy example…").
XOR_PRESET = next(p for p in PRESETS if p.config.dataset == "xor_table"
                  and not p.config.classic_mistake)


@pytest.fixture
def panel(qtbot):
    made = DataPanel()
    qtbot.addWidget(made)
    return made


def choose(combo, data):
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def test_the_preset_is_the_xor_2_4_1_network():
    config = XOR_PRESET.config
    assert XOR_PRESET.description.startswith("The classic small numpy example")
    assert config.hidden_layers == (4,) and config.activation == "sigmoid"


def test_a_four_row_csv_at_a_training_share_of_100_trains_on_all_four(window, qtbot, tmp_path):
    window.apply_preset(XOR_PRESET)
    qtbot.waitUntil(lambda: latest(window).config == XOR_PRESET.config, timeout=TIMEOUT)
    path = tmp_path / "xor4.csv"
    path.write_text(XOR_ROWS)
    seen = {}

    def in_the_dialog():
        # File → Import data shows the dialog modally: choose 100 % in it and press Import.
        dialog = window.files.import_dialog
        qtbot.waitUntil(lambda: not dialog.is_reading() and dialog.data() is not None,
                        timeout=TIMEOUT)
        dialog.train_share.setValue(100)
        qtbot.waitUntil(lambda: not dialog.is_reading() and dialog.data() is not None
                        and len(dialog.data().X_train) == 4, timeout=TIMEOUT)
        seen["summary"] = dialog.summary.text()
        qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)

    QTimer.singleShot(0, in_the_dialog)
    assert window.files.import_csv(str(path)) == QDialog.Accepted
    assert "All 4 rows train" in seen["summary"] and "train = test" in seen["summary"]
    qtbot.waitUntil(lambda: latest(window).data.name == "xor4", timeout=TIMEOUT)
    data = latest(window).data
    assert window.config.train_fraction == 1.0 and window.config.hidden_layers == (4,)
    assert len(data.X_train) == 4 and data.test_is_train
    rows = sorted(map(tuple, np.hstack([data.X_train, data.y_train]).tolist()))
    assert rows == [(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)]

    # The data panel, the cost table, the cost plot's legend and the boundary plot say so.
    panel = window.data_panel
    qtbot.waitUntil(lambda: panel.point_count.text() == "4 (rows of the file)", timeout=TIMEOUT)
    assert panel.split_label.text() == SAME_POINTS and panel.train_share.value() == 100
    assert not panel.regenerate.isEnabled()
    assert panel.regenerate.toolTip() == NO_NEW_POINTS["csv"]
    window.controller.step(1500)
    qtbot.waitUntil(lambda: latest(window).step == 1500, timeout=TIMEOUT)
    metrics = latest(window).metrics
    assert metrics["train_cost"] < 0.01 and metrics["train_accuracy"] == 1.0
    assert metrics["test_cost"] == metrics["train_cost"]
    # A live change (no new run, no new data) keeps the count shown.
    window.apply_config(window.config.replace(learning_rate=0.9))
    qtbot.waitUntil(lambda: latest(window).config.learning_rate == 0.9, timeout=TIMEOUT)
    assert panel.point_count.text() == "4 (rows of the file)"
    qtbot.waitUntil(lambda: "test = train" in window.cost_plot.readout.text(), timeout=TIMEOUT)
    legend = window.cost_plot.canvas.legend.getLabel(window.cost_plot.canvas.test_curve)
    assert legend.text == "test cost (same points)"
    assert "train = test" in window.boundary_plot.legend_label.text()


def test_the_training_share_slider_reaches_100_and_says_train_is_test(qtbot, panel):
    choose(panel.dataset, "circle")
    with qtbot.waitSignal(panel.changed, timeout=1000):
        panel.train_share.setValue(panel.train_share.maximum())
    assert panel.values()["train_fraction"] == 1.0
    assert panel.split_label.text() == SAME_POINTS
    assert "the test points are the training points" in panel.description.text()
    panel.train_share.setValue(90)
    assert panel.split_label.text() == "90% / 10%"
    assert "training points" not in panel.description.text()


@pytest.mark.parametrize("name", ["circle", "spiral3", "gauss_regression", "sine"])
def test_new_points_is_on_for_generated_sets(panel, name):
    choose(panel.dataset, name)
    assert panel.regenerate.isEnabled() and panel.n_samples.isVisibleTo(panel)
    assert not panel.point_count.isVisibleTo(panel)
    assert "advances the seed" in panel.regenerate.toolTip()


def test_the_xor_table_has_no_new_points_and_shows_its_4(qtbot, panel):
    panel.n_samples.setValue(500)
    choose(panel.dataset, "xor_table")
    assert not panel.regenerate.isEnabled()
    assert panel.regenerate.toolTip() == NO_NEW_POINTS["xor_table"]
    assert "exactly these 4 points" in panel.regenerate.toolTip()
    assert not panel.n_samples.isVisibleTo(panel) and panel.point_count.isVisibleTo(panel)
    assert panel.point_count.text() == "4 (the truth table's rows)"
    assert panel.split_label.text() == SAME_POINTS
    assert panel.values()["n_samples"] == 500  # kept for the next generated set
    choose(panel.dataset, "xor")
    assert panel.regenerate.isEnabled() and panel.n_samples.value() == 500


def test_drawn_points_are_listed_and_cannot_be_redrawn(window, qtbot):
    data = latest(window).data
    edited = datasets.with_point(data, (1.0, 1.0), 1)
    window.boundary_plot.data_edited.emit(edited, "Added a point")
    qtbot.waitUntil(lambda: window.config.dataset == "custom", timeout=TIMEOUT)
    panel = window.data_panel
    assert panel.dataset.currentData() == "custom"
    assert panel.dataset.currentText() == "Points drawn by hand"
    assert not panel.regenerate.isEnabled() and not panel.seed.isEnabled()
    assert panel.regenerate.toolTip() == NO_NEW_POINTS["custom"]
    count = len(edited.X_train) + len(edited.X_test)
    qtbot.waitUntil(lambda: panel.point_count.text() == f"{count:,} (drawn by hand)",
                    timeout=TIMEOUT)
    # Drawn points split as they were drawn: the label counts them, the slider is off.
    assert panel.split_label.text() == f"{len(edited.X_train)} / {len(edited.X_test)}"
    assert not panel.train_share.isEnabled()
    # Choosing a generated set again takes the drawn points (and their entry) away.
    choose(panel.dataset, "circle")
    qtbot.waitUntil(lambda: latest(window).data.name == "circle", timeout=TIMEOUT)
    assert panel.dataset.findData("custom") < 0 and panel.regenerate.isEnabled()


def test_the_data_set_list_shows_display_names(panel):
    combo = panel.dataset
    shown = {combo.itemData(i): combo.itemText(i) for i in range(combo.count())
             if combo.itemData(i) is not None}
    assert shown == {name: datasets.display_name(name) for name in datasets.names()}
    assert shown["xor_table"] == "XOR truth table" and shown["spiral3"] == "Three-arm spiral"
    assert shown["gauss_regression"] == "Gaussian regression"
