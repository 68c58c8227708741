"""Experiment files, CSV import and exports through the real window and worker.

Saving and opening go through the worker thread; a reopened run continues exactly where it
stopped; a bad file (foreign, cut off, newer, missing) leaves the current run untouched and
says which file and why; the CSV import dialog previews, detects the task and names the row and
column of a bad cell; plots and the history export; drag and drop; ``main.py --config``.
"""
import json
import os
import pathlib
import subprocess
import sys
import zipfile

import numpy as np
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication

from core import experiment
from core.config import Config
from core.trainer import HISTORY_FIELDS, Trainer
from gui.app import is_experiment_file
from gui.dialogs.csv_import import CsvImportDialog
from gui.threads import TrainingController
from windows import TIMEOUT, latest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SPIRAL = Config(dataset="spiral", hidden_layers=(6, 5), optimizer="adam", learning_rate=0.02,
                seed=3)




def saved_run(path, config=SPIRAL, steps=57):
    """A file saved by the core after ``steps`` steps, and that trainer."""
    trainer = Trainer(config)
    trainer.step(steps)
    experiment.save(path, trainer)
    return trainer


def write_csv(path, rows, header="x1,x2,y"):
    path.write_text("\n".join([header, *(",".join(str(v) for v in r) for r in rows)]) + "\n")
    return path


def read(qtbot, dialog):
    """Wait for the dialog's answer: it reads files off the UI thread."""
    qtbot.waitUntil(lambda: not dialog.is_reading(), timeout=TIMEOUT)
    return dialog


def import_dialog(qtbot, config, path):
    """The CSV import dialog on ``path``, once it has read the file."""
    dialog = CsvImportDialog(config, str(path))
    qtbot.addWidget(dialog)
    return read(qtbot, dialog)


def two_class_rows(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return [(round(a, 4), round(b, 4), int(a + b > 0)) for a, b in X]


# ----------------------------------------------------------------------------- the worker
def test_worker_round_trip_continues_exactly(qtbot, tmp_path):
    """Save in one controller, open in another: same step, same cost, same next steps."""
    path = str(tmp_path / "run.costscape")
    first = TrainingController(SPIRAL)
    second = TrainingController(Config())
    try:
        qtbot.waitUntil(lambda: first.latest is not None and second.latest is not None,
                        timeout=TIMEOUT)
        first.step(123)
        qtbot.waitUntil(lambda: first.latest.step == 123, timeout=TIMEOUT)
        with qtbot.waitSignal(first.experiment_saved, timeout=TIMEOUT) as saved:
            first.save_experiment(path)
        assert saved.args[0] == path and saved.args[3] == 123
        with qtbot.waitSignal(second.experiment_opened, timeout=TIMEOUT) as opened:
            second.open_experiment(path)
        assert opened.args[1] == SPIRAL and opened.args[3] == 123
        qtbot.waitUntil(lambda: second.latest.config == SPIRAL, timeout=TIMEOUT)
        a, b = first.latest, second.latest
        assert b.step == 123 and b.run != 0
        assert b.metrics["train_cost"] == a.metrics["train_cost"]
        np.testing.assert_array_equal(a.params, b.params)
        np.testing.assert_array_equal(a.history["train_cost"], b.history["train_cost"])
        first.step(40)
        second.step(40)
        qtbot.waitUntil(lambda: first.latest.step == 163 and second.latest.step == 163,
                        timeout=TIMEOUT)
        np.testing.assert_array_equal(first.latest.params, second.latest.params)
        assert first.latest.metrics == second.latest.metrics
    finally:
        assert first.shutdown() and second.shutdown()


def test_worker_refuses_bad_files_and_keeps_training(qtbot, tmp_path):
    controller = TrainingController(SPIRAL)
    try:
        qtbot.waitUntil(lambda: controller.latest is not None, timeout=TIMEOUT)
        controller.step(5)
        qtbot.waitUntil(lambda: controller.latest.step == 5, timeout=TIMEOUT)
        bad = tmp_path / "notes.costscape"
        bad.write_text("just some text")
        with qtbot.waitSignal(controller.file_error, timeout=TIMEOUT) as failed:
            controller.open_experiment(bad)
        assert failed.args[:2] == ["open", str(bad)]
        assert failed.args[2]
        with qtbot.waitSignal(controller.file_error, timeout=TIMEOUT) as failed:
            controller.save_experiment(tmp_path / "no-such-folder" / "x.costscape")
        assert failed.args[0] == "save"
        controller.step(1)
        qtbot.waitUntil(lambda: controller.latest.step == 6, timeout=TIMEOUT)
        assert controller.latest.config == SPIRAL and controller.latest.run == 0
    finally:
        assert controller.shutdown()


# ----------------------------------------------------------------------------- the window
def test_save_sets_the_title_and_steps_mark_it_modified(window, qtbot, tmp_path):
    path = tmp_path / "first.costscape"
    window.controller.step(10)
    qtbot.waitUntil(lambda: latest(window).step == 10, timeout=TIMEOUT)
    with qtbot.waitSignal(window.files.saved, timeout=TIMEOUT):
        window.files.save_experiment(path)
    assert path.exists() and experiment.load(path).step_count == 10
    assert window.windowTitle() == "Costscape — first.costscape[*]"
    assert not window.isWindowModified()
    assert "Saved first.costscape" in window.statusBar().currentMessage()
    assert window.files.recent_files()[0] == str(path)
    window.step_action.trigger()
    qtbot.waitUntil(window.isWindowModified, timeout=TIMEOUT)
    # Ctrl+S saves to the same file again, which clears the mark.
    with qtbot.waitSignal(window.files.saved, timeout=TIMEOUT):
        window.files.save_action.trigger()
    assert not window.isWindowModified()
    assert experiment.load(path).step_count == 11
    # A changed setting (live) also counts as a change.
    window.optimizer_panel.set_config(window.config.replace(learning_rate=0.3))
    window.optimizer_panel.changed.emit()
    qtbot.waitUntil(window.isWindowModified, timeout=TIMEOUT)


def test_open_shows_the_saved_run_and_continues(window, qtbot, tmp_path):
    path = tmp_path / "spiral.costscape"
    trainer = saved_run(path)
    with qtbot.waitSignal(window.files.opened, timeout=TIMEOUT):
        window.files.open_experiment(path)
    qtbot.waitUntil(lambda: latest(window).config == SPIRAL, timeout=TIMEOUT)
    snap = latest(window)
    assert snap.step == 57 and not snap.running
    assert snap.metrics["train_cost"] == trainer.metrics()["train_cost"]
    # The panels show the opened settings; the window adopted them.
    assert window.config == SPIRAL
    assert window.data_panel.values()["dataset"] == "spiral"
    assert window.network_panel.values()["hidden_layers"] == (6, 5)
    assert window.optimizer_panel.values()["optimizer"] == "adam"
    assert window.windowTitle() == "Costscape — spiral.costscape[*]"
    assert not window.isWindowModified()
    assert "Opened spiral.costscape" in window.statusBar().currentMessage()
    # Continue: the next step is the one the saved run would take.
    trainer.step(1)
    window.step_action.trigger()
    qtbot.waitUntil(lambda: latest(window).step == 58, timeout=TIMEOUT)
    np.testing.assert_array_equal(latest(window).params, trainer.network.params)
    # The controller holds the snapshot before the views get it (the next event loop turn).
    qtbot.waitUntil(window.isWindowModified, timeout=TIMEOUT)
    # A setting changed after opening keeps the opened data and rebuilds only the network.
    window.network_panel.set_config(SPIRAL.replace(hidden_layers=(3,)))
    window.network_panel.changed.emit()
    qtbot.waitUntil(lambda: latest(window).layer_sizes == (2, 3, 1), timeout=TIMEOUT)
    assert latest(window).data.name == "spiral"


def test_open_while_training_pauses(window, qtbot, tmp_path):
    path = tmp_path / "spiral.costscape"
    saved_run(path)
    window.controller.play()
    qtbot.waitUntil(lambda: window.controller.running, timeout=TIMEOUT)
    with qtbot.waitSignal(window.files.opened, timeout=TIMEOUT):
        window.files.open_experiment(path)
    qtbot.waitUntil(lambda: not window.controller.running, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: latest(window).step == 57, timeout=TIMEOUT)
    assert window.play_action.text() == "Play"


def damaged_files(tmp_path):
    good = tmp_path / "good.costscape"
    saved_run(good)
    blob = good.read_bytes()
    cut = tmp_path / "cut.costscape"
    cut.write_bytes(blob[:len(blob) // 2])
    foreign = tmp_path / "foreign.costscape"
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("hello.txt", "not an experiment")
    newer = tmp_path / "newer.costscape"
    with np.load(good, allow_pickle=False) as arrays:
        content = {name: arrays[name] for name in arrays.files}
    header = json.loads(bytes(content["header"]).decode())
    header["version"] = experiment.FORMAT_VERSION + 1
    content["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    with open(newer, "wb") as f:
        np.savez(f, **content)
    text = tmp_path / "text.costscape"
    text.write_text("hello")
    return {"cut": cut, "foreign": foreign, "newer": newer, "text": text,
            "missing": tmp_path / "missing.costscape"}


def test_bad_files_leave_the_current_run_untouched(window, qtbot, tmp_path):
    window.controller.step(7)
    qtbot.waitUntil(lambda: latest(window).step == 7, timeout=TIMEOUT)
    before = latest(window)
    config = window.config
    for kind, path in damaged_files(tmp_path).items():
        with qtbot.waitSignal(window.files.failed, timeout=TIMEOUT) as failed:
            window.files.open_experiment(path)
        assert failed.args[0] == "open", kind
        text = window.banner.text()
        assert window.banner.level == "error", kind
        assert f"Could not open {path.name}" in text, kind
        assert "unchanged" in text, kind
        if kind == "newer":
            assert "newer" in text.lower() or "update" in text.lower(), text
        if kind == "missing":
            assert "not" in failed.args[2].lower()
    assert window.config == config and window.windowTitle() == "Costscape"
    window.step_action.trigger()
    qtbot.waitUntil(lambda: latest(window).step == 8, timeout=TIMEOUT)
    assert latest(window).run == before.run and latest(window).config == config


def test_failed_save_says_why_and_keeps_the_old_file(window, qtbot, tmp_path):
    with qtbot.waitSignal(window.files.failed, timeout=TIMEOUT) as failed:
        window.files.save_experiment(tmp_path / "absent" / "x.costscape")
    assert failed.args[0] == "save"
    assert "Could not save x.costscape" in window.banner.text()
    assert window.windowTitle() == "Costscape"


def test_recent_files_menu_opens_and_forgets_missing_files(window, qtbot, tmp_path):
    path = tmp_path / "spiral.costscape"
    saved_run(path)
    with qtbot.waitSignal(window.files.opened, timeout=TIMEOUT):
        window.files.open_experiment(path)
    window.files._fill_recent_menu()
    actions = [a for a in window.files.recent_menu.actions() if a.text() == "spiral.costscape"]
    assert len(actions) == 1
    path.unlink()
    with qtbot.waitSignal(window.files.failed, timeout=TIMEOUT):
        actions[0].trigger()
    assert str(path) not in window.files.recent_files()


def test_file_menu_has_the_actions_with_shortcuts(window):
    files = window.files
    texts = [a.text().replace("&", "") for a in window.file_menu.actions()]
    for text in ("Open experiment…", "Open recent", "Save experiment", "Save experiment as…",
                 "Import data from CSV…", "Export", "Quit"):
        assert text in texts, texts
    assert files.open_action.shortcut().toString() == "Ctrl+O"
    assert files.save_action.shortcut().toString() == "Ctrl+S"
    assert files.save_as_action.shortcut().toString() == "Ctrl+Shift+S"
    assert files.import_action.shortcut().toString() == "Ctrl+I"
    exports = [a.text() for a in files.export_menu.actions() if a.text()]
    assert exports == ["Cost plot as PNG…", "Decision boundary as PNG…",
                       "Error surface as PNG…", "Anatomy of the cost as PNG…",
                       "Network diagram as PNG…", "Cost history as CSV…",
                       # added by gui/dialogs/share_actions.py (tests/gui/test_share.py)
                       "Figures for slides and papers", "Cost plot", "Decision boundary",
                       "Anatomy of the cost", "Network diagram", "Error surface (contour map)",
                       "Error surface, 3-D view, as PNG of any size…"]
    for action in (files.open_action, files.save_action, files.import_action,
                   *files.export_menu.actions()):
        assert action.isSeparator() or len(action.toolTip()) > 20


def test_exports_write_pngs_and_the_history(window, qtbot, tmp_path):
    window.controller.step(30)
    qtbot.waitUntil(lambda: latest(window).step == 30, timeout=TIMEOUT)
    # Every view has its menu entry, and a closed view exports all the same.
    assert set(window.files.export_actions) == {"cost", "boundary", "surface", "anatomy",
                                                "network"}
    window.anatomy_dock.close()
    assert not window.cost_anatomy.isVisible()
    for which in window.files.export_actions:
        path = tmp_path / f"{which}.png"
        assert window.files.export_plot(which, path)
        image = QImage(str(path))
        assert not image.isNull() and image.width() > 100 and image.height() > 100, which
    csv_path = tmp_path / "history.csv"
    with qtbot.waitSignal(window.controller.history_exported, timeout=TIMEOUT):
        window.files.export_history(csv_path)
    lines = csv_path.read_text().splitlines()
    assert lines[0].split(",") == list(HISTORY_FIELDS)
    assert len(lines) - 1 == len(latest(window).history["step"])
    assert lines[-1].split(",")[0] == "30"
    assert not window.files.export_plot("cost", tmp_path / "absent" / "x.png")
    assert window.banner.level == "error" and "x.png" in window.banner.text()


# ----------------------------------------------------------------------------- CSV import
def test_import_dialog_previews_detects_and_changes_the_task(qtbot, tmp_path):
    path = write_csv(tmp_path / "points.csv", two_class_rows(40))
    dialog = import_dialog(qtbot, Config(), path)
    assert dialog.table.rowCount() == 10 and dialog.table.columnCount() == 3
    assert dialog.table.horizontalHeaderItem(2).text() == "y (label)"
    assert dialog.error() is None and dialog.ok_button.isEnabled()
    assert dialog.data().task == "binary"
    assert "binary" in dialog.task_box.itemText(0).lower()
    assert "40 rows" in dialog.summary.text() and "binary" in dialog.summary.text()
    config = dialog.config()
    assert (config.dataset, config.task, config.data_path) == ("csv", "binary", str(path))
    assert config.hidden_layers == Config().hidden_layers and config.loss == "bce"
    dialog.set_task("regression")
    assert read(qtbot, dialog).data().task == "regression" and dialog.config().loss == "mse"
    dialog.train_share.setValue(75)
    assert len(read(qtbot, dialog).data().X_train) == 30
    dialog.set_task("multiclass")  # 2 classes are also a (small) multi-class task
    assert read(qtbot, dialog).ok_button.isEnabled() and dialog.config().loss == "cce"


def test_import_dialog_names_row_and_column_of_a_bad_cell(qtbot, tmp_path):
    rows = two_class_rows(20)
    rows[3] = (rows[3][0], "abc", rows[3][2])  # data row 4 = line 5 of the file
    path = write_csv(tmp_path / "bad.csv", rows)
    dialog = import_dialog(qtbot, Config(), path)
    assert not dialog.ok_button.isEnabled() and dialog.data() is None
    assert "row 5, column 2" in dialog.error()
    assert dialog.error().startswith("bad.csv")  # the long path shortened to the name
    assert "cannot be used" in dialog.summary.text()
    assert dialog.table.rowCount() == 10  # the preview still shows the file...
    # ...numbered as in the file, with the bad cell marked.
    assert dialog.table.verticalHeaderItem(3).text() == "5"
    assert dialog.bad_cell() == (3, 1)
    assert dialog.table.item(3, 1).text() == "abc"
    assert dialog.table.item(3, 1).background().color().name() == "#f6c4bd"
    # Real-valued labels cannot be binary; the message says so and Import stays off.
    real = write_csv(tmp_path / "real.csv", [(i, i * 0.5, i * 0.37) for i in range(12)])
    dialog.set_path(str(real))
    assert read(qtbot, dialog).data().task == "regression"
    dialog.set_task("binary")
    assert not read(qtbot, dialog).ok_button.isEnabled() and "whole number" in dialog.error()
    dialog.set_path(str(tmp_path / "nothing.csv"))
    assert "not found" in read(qtbot, dialog).error() and not dialog.ok_button.isEnabled()
    # A file the core refuses as a whole (core.datasets.preview_csv raises too): no preview.
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\x00\xff\xfe garbage")
    dialog.set_path(str(binary))
    assert read(qtbot, dialog).error() == "b.csv: not a text file (it contains binary data)"
    assert dialog.table.rowCount() == 0 and dialog.bad_cell() is None


def test_import_dialog_marks_a_short_row_and_the_row_the_preview_leaves_out(qtbot, tmp_path):
    rows = two_class_rows(20)
    rows[2] = rows[2][:2]  # data row 3 = line 4 has 2 cells: column 3 is missing
    dialog = import_dialog(qtbot, Config(), write_csv(tmp_path / "short.csv", rows))
    assert "row 4, column 3" in dialog.error() and dialog.bad_cell() == (2, 2)
    assert dialog.table.item(2, 2).background().color().name() == "#f6c4bd"
    rows = two_class_rows(20)
    rows[15] = (rows[15][0], "x", rows[15][2])  # line 17: beyond the 10 rows shown
    dialog.set_path(str(write_csv(tmp_path / "late.csv", rows)))
    assert "row 17, column 2" in read(qtbot, dialog).error() and dialog.bad_cell() is None


def test_import_trains_on_the_file_and_the_panel_shows_it(window, qtbot, tmp_path):
    path = write_csv(tmp_path / "mine.csv", two_class_rows(60))
    dialog = import_dialog(qtbot, window.config, path)
    window.files.apply_import(dialog.config(), dialog.data())
    qtbot.waitUntil(lambda: latest(window).data.name == "mine", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.config.dataset == "csv", timeout=TIMEOUT)
    assert window.data_panel.dataset.currentText() == "CSV: mine.csv"
    assert window.data_panel.task() == "binary"
    assert "Imported mine.csv" in window.statusBar().currentMessage()
    window.controller.step(20)
    qtbot.waitUntil(lambda: latest(window).step == 20, timeout=TIMEOUT)
    # The imported data are saved inside the experiment: they open without the CSV file.
    saved = tmp_path / "mine.costscape"
    with qtbot.waitSignal(window.files.saved, timeout=TIMEOUT):
        window.files.save_experiment(saved)
    path.unlink()
    window.reset_action.trigger()
    with qtbot.waitSignal(window.files.opened, timeout=TIMEOUT):
        window.files.open_experiment(saved)
    qtbot.waitUntil(lambda: latest(window).step == 20, timeout=TIMEOUT)
    assert latest(window).data.name == "mine"


def test_a_failed_import_keeps_the_current_data(window, qtbot, tmp_path):
    path = write_csv(tmp_path / "mine.csv", two_class_rows(30))
    dialog = import_dialog(qtbot, window.config, path)
    wrong = dialog.config().replace(task="regression")  # data are binary: the worker refuses
    with qtbot.waitSignal(window.files.failed, timeout=TIMEOUT) as failed:
        window.files.apply_import(wrong, dialog.data())
    assert failed.args[0] == "import"
    assert window.banner.level == "error"
    assert window.config.dataset == "xor" and latest(window).data.name == "xor"
    assert window.data_panel.values()["dataset"] == "xor"
    # A good import afterwards takes the failure's message away.
    window.files.apply_import(dialog.config(), dialog.data())
    qtbot.waitUntil(lambda: window.config.dataset == "csv", timeout=TIMEOUT)
    assert window.banner.level is None and not window.message_bar.isVisible()


def drop(window, path):
    """Drag ``path`` over the window and drop it, as a file manager would; True if taken."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(200, 200), Qt.CopyAction, mime, Qt.LeftButton,
                            Qt.NoModifier)
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(QPointF(200, 200), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window, event)
    return event.isAccepted()


def test_drag_and_drop_opens_experiments_and_imports_csv(window, qtbot, tmp_path):
    path = tmp_path / "spiral.costscape"
    saved_run(path)
    with qtbot.waitSignal(window.files.opened, timeout=TIMEOUT):
        assert drop(window, path)
    qtbot.waitUntil(lambda: latest(window).data.name == "spiral", timeout=TIMEOUT)

    csv_path = write_csv(tmp_path / "dropped.csv", two_class_rows(30))
    seen = {}

    def accept_dialog():
        dialog = window.files.import_dialog
        if dialog is None or not dialog.isVisible() or not dialog.ok_button.isEnabled():
            QTimer.singleShot(20, accept_dialog)  # shown, and the file read: Import is on
            return
        seen["path"] = dialog.path()
        dialog.ok_button.click()

    QTimer.singleShot(0, accept_dialog)
    assert drop(window, csv_path)
    qtbot.waitUntil(lambda: latest(window).data.name == "dropped", timeout=TIMEOUT)
    assert seen["path"] == str(csv_path)
    assert not drop(window, tmp_path / "picture.png")


# ----------------------------------------------------------------------------- start-up
def test_experiment_files_are_told_from_config_json(tmp_path):
    path = tmp_path / "run.costscape"
    saved_run(path, steps=1)
    renamed = tmp_path / "run.bin"
    renamed.write_bytes(path.read_bytes())
    config_json = tmp_path / "c.json"
    config_json.write_text(Config().to_json())
    assert is_experiment_file(path) and is_experiment_file(renamed)
    assert not is_experiment_file(config_json)
    assert is_experiment_file(tmp_path / "absent.costscape")
    assert not is_experiment_file(tmp_path / "absent.json")


def run_main(*args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], check=False,
                          cwd=ROOT,
                          env=dict(os.environ), capture_output=True, text=True, timeout=120)


def test_main_config_opens_an_experiment_and_continues(tmp_path):
    path = tmp_path / "spiral.costscape"
    saved_run(path, steps=57)
    shot = tmp_path / "shot.png"
    proc = run_main("--config", path, "--screenshot", shot, "--steps", 5)
    assert proc.returncode == 0, proc.stderr
    assert "step 62" in proc.stdout, proc.stdout
    # A damaged experiment: a message, then the defaults.
    bad = tmp_path / "bad.costscape"
    bad.write_bytes(path.read_bytes()[:300])
    proc = run_main("--config", bad, "--screenshot", shot, "--steps", 3)
    assert proc.returncode == 0, proc.stderr
    assert "Could not load" in proc.stderr and "bad.costscape" in proc.stderr
    assert "default settings" in proc.stderr and "step 3" in proc.stdout
