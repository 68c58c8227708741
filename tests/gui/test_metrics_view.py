"""The metrics view: confusion matrices (binary and multi-class, train and test) with precision,
recall and F1 per class, R², RMSE and MAE for regression; its model without a display, then the
widget and its painter."""
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from core.config import Config
from core.trainer import Trainer
from gui.snapshot import Snapshot
from gui.views.metrics.model import RIGHT, WRONG, MetricsModel, class_label

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def snapshot(config, steps, run=1):
    trainer = Trainer(config)
    trainer.step(steps)
    return Snapshot.capture(trainer, run, 0.0, False), trainer


def confusion_by_hand(trainer, part):
    """Count (true, predicted) pairs directly from the network's outputs."""
    inputs = trainer.inputs_train if part == "train" else trainer.inputs_test
    labels = (trainer.data.y_train if part == "train" else trainer.data.y_test)[:, 0]
    predicted = trainer.network.predict(inputs)
    if trainer.data.task == "multiclass":
        predicted = predicted.argmax(axis=1)
    else:
        predicted = (predicted[:, 0] > trainer.loss.threshold).astype(int)
    k = max(trainer.data.n_classes, 2)
    counts = np.zeros((k, k), dtype=int)
    for true, guess in zip(labels.astype(int), predicted):
        counts[true, guess] += 1
    return counts


# --------------------------------------------------------------------------- model, no display
def test_the_model_loads_without_qt():
    code = ("import sys; import gui.views.metrics.model; "
            "assert not any(m.startswith('PySide6') for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


@pytest.mark.parametrize("config", [
    Config(dataset="circle", noise=0.2, hidden_layers=(3,)),                   # binary
    Config(dataset="spiral3", hidden_layers=(8,), optimizer="adam", learning_rate=0.02),
], ids=["binary", "three classes"])
def test_cells_are_the_confusion_matrix_of_each_set(config):
    snap, trainer = snapshot(config, 300)
    model = MetricsModel()
    assert model.update(snap) == {"task", "classes", "run"}
    assert model.classification and model.update(snap) == set()
    for part in ("train", "test"):
        counts = confusion_by_hand(trainer, part)
        cells = model.cells(part)
        k = len(counts)
        assert [(c.row, c.column) for c in cells] == [(i, j) for i in range(k) for j in range(k)]
        assert [c.count for c in cells] == counts.ravel().tolist()
        for cell in cells:
            assert cell.share == pytest.approx(counts[cell.row, cell.column]
                                               / counts[cell.row].sum())
            assert cell.text == f"{cell.count}\n{100 * cell.share:.0f}%"
        n = counts.sum()
        assert model.part_title(part) == f"{'training' if part == 'train' else 'test'} set " \
                                          f"({n:,} examples)"


def test_cell_colours_grow_with_the_share_and_tell_right_from_wrong():
    snap, _ = snapshot(Config(dataset="circle", noise=0.2, hidden_layers=(4,)), 600)
    model = MetricsModel()
    model.update(snap)
    cells = model.cells("train")

    def rgb(colour):
        return [int(colour[i:i + 2], 16) for i in (1, 3, 5)]

    for cell in cells:
        r, g, b = rgb(cell.colour)
        if cell.share == 0:
            assert (r, g, b) == (255, 255, 255)
        elif cell.row == cell.column:  # right answers: green (RIGHT mixed with white)
            assert g > r and g > b
        else:  # mistakes: red (WRONG mixed with white)
            assert r > g and r > b
    right = sorted((c for c in cells if c.row == c.column), key=lambda c: c.share)
    assert sum(rgb(right[0].colour)) >= sum(rgb(right[-1].colour))  # more, stronger
    assert rgb(RIGHT)[1] > rgb(RIGHT)[0] and rgb(WRONG)[0] > rgb(WRONG)[1]
    model.shares = True
    assert all(c.text.startswith(f"{100 * c.share:.0f}%") for c in model.cells("train"))


def test_class_rows_are_the_reports_precision_recall_f1_and_support():
    snap, trainer = snapshot(Config(dataset="spiral3", hidden_layers=(8,), optimizer="adam",
                                    learning_rate=0.02), 300)
    model = MetricsModel()
    model.update(snap)
    rows = model.class_rows()
    assert len(rows) == 4 and rows[-1][0] == "macro average"
    train, test = (confusion_by_hand(trainer, part) for part in ("train", "test"))
    for k, row in enumerate(rows[:3]):
        assert row[0] == class_label(k) == f"class {k}"
        precision = [m[k, k] / m[:, k].sum() if m[:, k].sum() else 0.0 for m in (train, test)]
        recall = [m[k, k] / m[k].sum() for m in (train, test)]
        f1 = [2 * m[k, k] / (m[:, k].sum() + m[k].sum()) for m in (train, test)]
        assert row[1] == f"{precision[0]:.3f} / {precision[1]:.3f}"
        assert row[2] == f"{recall[0]:.3f} / {recall[1]:.3f}"
        assert row[3] == f"{f1[0]:.3f} / {f1[1]:.3f}"
        assert row[4] == f"{train[k].sum()} / {test[k].sum()}"
    m = snap.metrics
    assert rows[-1][3] == f"{m['train_macro_f1']:.3f} / {m['test_macro_f1']:.3f}"
    assert model.summary_html() == (f"accuracy: train <b>{100 * m['train_accuracy']:.1f}%</b>, "
                                    f"test <b>{100 * m['test_accuracy']:.1f}%</b>")
    assert model.regression_rows() == [] and model.parity() == {}


def test_regression_rows_and_parity_points():
    snap, trainer = snapshot(Config(dataset="sine", hidden_layers=(8,), optimizer="adam",
                                    learning_rate=0.01), 400)
    model = MetricsModel()
    model.update(snap)
    assert not model.classification and model.cells("train") == [] and model.class_rows() == []
    rows = model.regression_rows()
    assert [r[0] for r in rows] == ["R²", "RMSE", "MAE"]
    y, predicted = trainer.data.y_test[:, 0], trainer.network.predict(trainer.inputs_test)[:, 0]
    r2 = 1 - ((y - predicted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert rows[0][2] == f"{r2:.3f}".replace("-", "−")
    assert rows[1][2] == f"{np.sqrt(((y - predicted) ** 2).mean()):.3f}"
    assert rows[2][2] == f"{np.abs(y - predicted).mean():.3f}"
    assert all(tip for *_, tip in rows)
    points = model.parity()
    np.testing.assert_array_equal(points["test"][0], y)
    np.testing.assert_allclose(points["test"][1], predicted, rtol=1e-12)
    low, high = model.parity_range()
    everything = np.concatenate([v for pair in points.values() for v in pair])
    assert low <= everything.min() and high >= everything.max() and high > low
    assert "R²: train" in model.summary_html()


# --------------------------------------------------------------------------- the widget
def test_view_switches_between_the_matrix_and_the_regression_page(qtbot):
    from gui.views.metrics.widget import MetricsView
    view = MetricsView()
    qtbot.addWidget(view)
    view.resize(520, 460)
    view.show()
    snap, _ = snapshot(Config(dataset="spiral3", hidden_layers=(8,)), 100)
    view.show_snapshot(snap)
    assert view.pages.currentIndex() == 0 and view.shares_box.isVisible()
    assert view.class_table.rowCount() == 4
    assert view.class_table.item(3, 0).text() == "macro average"
    assert view.class_table.horizontalHeaderItem(1).toolTip().startswith("Precision = TP")
    image = view.canvas.grab().toImage()
    assert image.width() > 0 and len({image.pixel(x, image.height() // 2)
                                      for x in range(0, image.width(), 7)}) > 3  # painted
    view.show_snapshot(snapshot(Config(dataset="sine", hidden_layers=(4,)), 50)[0])
    assert view.pages.currentIndex() == 1 and not view.shares_box.isVisible()
    assert view.regression_table.rowCount() == 3
    assert view.regression_table.item(0, 0).text() == "R²"
    assert "1 − Σ(y − ŷ)²" in view.regression_table.item(0, 0).toolTip()
    x, y = view.parity_plot.points["train"].getData()
    assert len(x) == 250 and np.isfinite(y).all()


def test_shares_box_and_cell_tooltips(qtbot):
    from gui.views.metrics.widget import MetricsView
    view = MetricsView()
    qtbot.addWidget(view)
    view.resize(520, 460)
    view.show()
    snap, trainer = snapshot(Config(dataset="circle", noise=0.2, hidden_layers=(3,)), 200)
    view.show_snapshot(snap)
    view.canvas.grab()  # paint, so the cells have their places
    counts = confusion_by_hand(trainer, "train")
    tips = [tip for _, tip in view.canvas._hit]
    assert len(tips) == 8 and tips[1].startswith(f"training set (250 examples): {counts[0, 1]} "
                                                 f"example")
    assert "predicted as class 1" in tips[1] and tips[1].endswith("wrong)")
    assert tips[0].endswith("right)") and tips[4].startswith("test set")
    rect = view.canvas._hit[3][0]
    assert view.canvas.cell_at(rect.center()) == tips[3]
    assert view.canvas.cell_at(QPointF(-5, -5)) is None
    view.shares_box.setChecked(True)
    assert view.model.shares and all(c.text.endswith(str(c.count))
                                     for c in view.model.cells("test"))
