"""Record and share, in the real window: recordings read back, figures that hold the plot's
data, Playground links (menu, drop, copy), the notebook, and your own numpy weights."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zlib

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from core import playground
from gui.recording.writers import open_writer
from windows import TIMEOUT, latest

av = pytest.importorskip("av")
Image = pytest.importorskip("PIL.Image")

SVG = "{http://www.w3.org/2000/svg}"


def wait_recorded(qtbot, dialog):
    qtbot.waitUntil(lambda: dialog.recorder is not None and not dialog.recorder.active,
                    timeout=3 * TIMEOUT)


def mp4_frames(path):
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        return frames, container.streams.video[0].codec_context.name


# --------------------------------------------------------------------------- writers
@pytest.mark.parametrize("fmt", ["gif", "mp4", "png"])
def test_a_writer_of_n_frames_reads_back_n_frames_of_its_size(tmp_path, fmt):
    size, n = (64, 48), 12
    path = tmp_path / f"movie.{fmt}"
    writer = open_writer(fmt, path, 10, size)
    rng = np.random.default_rng(0)
    frames = [np.full((48, 64, 3), (20 * k, 255 - 20 * k, 128), np.uint8) for k in range(n)]
    frames[3][:10, :10] = rng.integers(0, 255, (10, 10, 3))
    for frame in frames:
        writer.add(frame)
    writer.close()
    if fmt == "gif":
        with Image.open(path) as gif:
            assert (gif.n_frames, gif.size) == (n, size)
            gif.seek(5)
            assert np.abs(np.asarray(gif.convert("RGB"))[30, 30].astype(int)
                          - frames[5][30, 30]).max() <= 8
    elif fmt == "mp4":
        decoded, codec = mp4_frames(path)
        assert codec == "h264" and len(decoded) == n and decoded[0].shape == (48, 64, 3)
        assert np.abs(decoded[7].astype(int) - frames[7]).mean() < 6  # lossy, but the frame
    else:
        files = sorted(tmp_path.glob("movie_*.png"))
        assert [f.name for f in files] == [f"movie_{k:04d}.png" for k in range(1, n + 1)]
        assert np.array_equal(np.asarray(Image.open(files[3])), frames[3])
    assert not list(tmp_path.glob(".*.part"))  # no temporary file left


def test_an_aborted_writer_leaves_nothing(tmp_path):
    for fmt in ("gif", "mp4", "png"):
        writer = open_writer(fmt, tmp_path / f"a.{fmt}", 10, (32, 32))
        writer.add(np.zeros((32, 32, 3), np.uint8))
        writer.abort()
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- recording
@pytest.mark.parametrize("fmt,target,scale", [("gif", "boundary", 1.0), ("mp4", "window", 0.5),
                                              ("png", "cost", 0.75)])
def test_a_recording_has_its_frames_at_the_chosen_size(window, qtbot, tmp_path, fmt, target,
                                                       scale):
    dialog = window.share.show_record_dialog()
    qtbot.addWidget(dialog)
    dialog.target_box.setCurrentIndex(dialog.target_box.findData(target))
    dialog.format_box.setCurrentIndex(dialog.format_box.findData(fmt))
    dialog.scale_box.setCurrentIndex(dialog.scale_box.findData(scale))
    dialog.fps_box.setValue(10)
    dialog.seconds_box.setValue(1)
    widget = dialog.target_widget()
    want = (int(widget.width() * scale) // 2 * 2, int(widget.height() * scale) // 2 * 2)
    step = latest(window).step
    assert dialog.start(str(tmp_path / f"run.{fmt}"))
    assert not dialog.record_button.isEnabled() and dialog.cancel_button.text() == "Cancel"
    wait_recorded(qtbot, dialog)
    assert dialog.status.text().startswith("Saved") and dialog.progress.value() == 10
    if fmt == "gif":
        with Image.open(tmp_path / "run.gif") as gif:
            assert (gif.n_frames, gif.size) == (10, want)
            first = np.asarray(gif.convert("RGB"))
            gif.seek(9)
            assert not np.array_equal(first, np.asarray(gif.convert("RGB")))  # it moved
    elif fmt == "mp4":
        frames, codec = mp4_frames(tmp_path / "run.mp4")
        assert codec == "h264" and len(frames) == 10 and frames[0].shape[1::-1] == want
    else:
        files = sorted(tmp_path.glob("run_*.png"))
        assert len(files) == 10 and all(Image.open(f).size == want for f in files)
    assert latest(window).step > step  # it trained while recording
    window.controller.pause()
    assert "Recorded" in window.statusBar().currentMessage()


def test_cancel_keeps_nothing(window, qtbot, tmp_path):
    dialog = window.share.show_record_dialog()
    qtbot.addWidget(dialog)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("mp4"))
    dialog.target_box.setCurrentIndex(dialog.target_box.findData("cost"))
    dialog.seconds_box.setValue(30)
    dialog.play_box.setChecked(False)
    assert dialog.start(str(tmp_path / "long.mp4"))
    qtbot.waitUntil(lambda: dialog.recorder.grabbed >= 3, timeout=TIMEOUT)
    dialog.cancel_button.click()
    assert dialog.status.text().startswith("Cancelled") and dialog.record_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.recorder._thread.isFinished(), timeout=TIMEOUT)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_does_not_exist_is_said(window, qtbot, tmp_path):
    dialog = window.share.show_record_dialog()
    qtbot.addWidget(dialog)
    assert not dialog.start(str(tmp_path / "no" / "such.gif"))
    assert "does not exist" in dialog.status.text()


# --------------------------------------------------------------------------- figures
def _svg_polylines(path):
    """Every path of the SVG as (stroke colour, (n, 2) points)."""
    out = []
    root = ET.parse(path).getroot()
    for group in root.iter(f"{SVG}g"):
        for element in group.findall(f"{SVG}path"):
            numbers = re.findall(r"[-+]?\d*\.?\d+(?:e[-+]?\d+)?", element.get("d", ""))
            if len(numbers) >= 4:
                points = np.array(numbers, dtype=float).reshape(-1, 2)
                out.append((group.get("stroke"), points))
    return out


def _pdf_polylines(path):
    """The page's line paths (``x y m`` then ``x y l`` ...) as (n, 2) arrays."""
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/Type /Page" in data or b"/Type/Page" in data
    lines = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text = zlib.decompress(stream).decode("latin-1")
        except zlib.error:
            continue
        for run in re.findall(r"(?:[-\d.]+ [-\d.]+ [ml]\n)+", text):
            points = np.array(re.findall(r"([-\d.]+) ([-\d.]+) [ml]", run), dtype=float)
            lines.append(points)
    return lines


def _train_curve(window):
    curve = window.cost_plot.canvas.train_curve.curve  # the points as drawn (after downsampling)
    x, y = curve.getData()
    return np.column_stack([x, y])


def test_svg_and_pdf_hold_the_cost_curves_data(window, qtbot, tmp_path):
    window.controller.step(300)
    qtbot.waitUntil(lambda: latest(window).step == 300, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: len(_train_curve(window)) > 20, timeout=TIMEOUT)
    data = _train_curve(window)
    assert window.share.export_figure("cost", "svg", tmp_path / "cost.svg")
    polylines = [points for _, points in _svg_polylines(tmp_path / "cost.svg")]
    match = [p for p in polylines if p.shape == data.shape]
    assert match and np.allclose(match[0], data, rtol=1e-5, atol=1e-6)
    root = ET.parse(tmp_path / "cost.svg").getroot()
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "train cost" in texts and "epoch" in texts  # labels are text, not pixels
    assert window.share.export_figure("cost", "pdf", tmp_path / "cost.pdf")
    # In the PDF the curve is drawn in page coordinates: an affine image of the data.
    found = False
    for points in _pdf_polylines(tmp_path / "cost.pdf"):
        if len(points) != len(data):
            continue
        for axis in (0, 1):
            A = np.column_stack([data[:, axis], np.ones(len(data))])
            fit, *_ = np.linalg.lstsq(A, points[:, axis], rcond=None)
            if np.abs(A @ fit - points[:, axis]).max() > 1e-3 or abs(fit[0]) < 1e-6:
                break
        else:
            found = True
    assert found


@pytest.mark.parametrize("which", ["boundary", "anatomy", "network", "contour"])
def test_every_2d_view_exports_svg_pdf_and_sharp_pngs(window, tmp_path, which):
    widget = window.share.figure_widget(which)
    for fmt in ("svg", "pdf", "png2", "png3"):
        path = tmp_path / f"{which}-{fmt}.{fmt[:3]}"
        assert window.share.export_figure(which, fmt, path)
    ET.parse(tmp_path / f"{which}-svg.svg")  # well-formed
    assert _pdf_polylines(tmp_path / f"{which}-pdf.pdf") is not None
    for scale in (2, 3):
        with Image.open(tmp_path / f"{which}-png{scale}.png") as image:
            assert image.size == (widget.width() * scale, widget.height() * scale)


def test_the_boundary_svg_has_its_points_and_its_picture(window, tmp_path):
    window.share.export_figure("boundary", "svg", tmp_path / "b.svg")
    root = ET.parse(tmp_path / "b.svg").getroot()
    assert list(root.iter(f"{SVG}image"))  # the heat map
    n_points = len(latest(window).data.X_train)
    drawn = sum(len(points) for _, points in _svg_polylines(tmp_path / "b.svg"))
    assert drawn >= n_points  # every point's marker is a vector path


def test_the_3d_view_exports_at_any_size(window, qtbot, tmp_path):
    if not window.surface_view.gl_available():
        pytest.skip("no OpenGL here")
    window.surface_view.tabs.setCurrentIndex(0)
    window.controller.step(100)  # a path: the default plane follows it
    qtbot.waitUntil(lambda: latest(window).step == 100, timeout=TIMEOUT)
    qtbot.waitUntil(window.surface_view.scene.surface.visible, timeout=TIMEOUT)
    assert window.share.export_3d(tmp_path / "s.png", (1234, 777))
    image = np.asarray(Image.open(tmp_path / "s.png").convert("RGB"))
    assert image.shape == (777, 1234, 3)
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 200  # a surface, not a blank
    assert (image[..., 0] < 80).mean() > 0.001  # dark label text is painted on it


def test_the_export_menu_lists_the_figures(window):
    titles = [a.text() for a in window.files.export_menu.actions()]
    assert "Figures for slides and papers" in titles
    for which in ("cost", "boundary", "anatomy", "network", "contour"):
        for fmt in ("svg", "pdf", "png2", "png3"):
            assert (which, fmt) in window.share.figure_actions
    window.files.export_menu.aboutToShow.emit()
    assert window.share.export_3d_action.isEnabled() == window.surface_view.gl_available()


# --------------------------------------------------------------------------- Playground
LINK = ("https://playground.tensorflow.org/#activation=relu&batchSize=5&dataset=xor&"
        "learningRate=0.1&networkShape=3&seed=0.00042&x=true&y=true&xTimesY=true")


def test_open_link_starts_the_playgrounds_experiment(window, qtbot):
    assert window.share.open_link(LINK + "&unknownField=1")
    qtbot.waitUntil(lambda: latest(window).config == playground.from_url(LINK)
                    and latest(window).step == 0, timeout=TIMEOUT)
    text = window.message_bar.banner.text()
    assert "unknownField" in text and "random points" in text and "0.1" in text
    snap = latest(window)
    assert snap.threshold == 0.0 and snap.output_range == (-1.0, 1.0)
    assert window.data_panel.values()["dataset"] == "xor"


def test_a_bad_link_is_explained_and_changes_nothing(window):
    before = window.config
    assert not window.share.open_link("https://playground.tensorflow.org/#activation=swish")
    assert window.config == before and "activation" in window.message_bar.banner.text()


def test_copy_link_round_trips_or_says_why_not(window, qtbot):
    window.share.open_link(LINK)
    url = window.share.copy_link()
    assert QGuiApplication.clipboard().text() == url
    assert playground.from_url(url) == window.config
    window.apply_config(window.config.replace(optimizer="adam"))
    assert window.share.copy_link() is None
    assert "SGD" in window.message_bar.banner.text()


def test_a_link_dropped_on_the_window_opens(window, qtbot):
    mime = QMimeData()
    mime.setUrls([QUrl(LINK)])
    enter = QDragEnterEvent(QPoint(200, 200), Qt.CopyAction, mime, Qt.LeftButton,
                            Qt.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(200, 200), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window, event)
    assert event.isAccepted()
    qtbot.waitUntil(lambda: window.config == playground.from_url(LINK), timeout=TIMEOUT)


# --------------------------------------------------------------------------- notebook, weights
def test_export_notebook_writes_a_valid_notebook_off_the_ui_thread(window, qtbot, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    window.controller.step(20)
    qtbot.waitUntil(lambda: latest(window).step == 20, timeout=TIMEOUT)
    window.share.export_notebook(tmp_path / "run.ipynb")
    qtbot.waitUntil(lambda: "run.ipynb" in window.statusBar().currentMessage(),
                    timeout=TIMEOUT)
    notebook = nbformat.read(tmp_path / "run.ipynb", as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["costscape"]["steps"] == 20


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_your_own_xor_weights_open_show_their_outputs_and_train_on(window, qtbot, tmp_path):
    rng = np.random.default_rng(1)
    syn_0, syn_1 = 2 * rng.random((3, 4)) - 1, 2 * rng.random((4, 1)) - 1
    np.save(tmp_path / "syn_0.npy", syn_0)
    np.save(tmp_path / "syn_1.npy", syn_1)
    (tmp_path / "xor.csv").write_text("x1,x2,one,y\n0,0,1,0\n0,1,1,1\n1,0,1,1\n1,1,1,0\n")
    window.share.open_weights([tmp_path / "syn_0.npy", tmp_path / "syn_1.npy"],
                              tmp_path / "xor.csv", "sigmoid", "sigmoid", "mse", 1.0)
    qtbot.waitUntil(lambda: latest(window).config.dataset == "custom", timeout=TIMEOUT)
    snap = latest(window)
    assert snap.config.hidden_layers == (4,) and snap.step == 0
    X = np.asarray(snap.data.X_train)
    np.testing.assert_allclose(snap.network(snap.params).predict(X),
                               _sigmoid(_sigmoid(X @ syn_0) @ syn_1), atol=1e-14)
    assert "x @ W + b" in window.message_bar.banner.text()
    assert window.network_panel.values()["hidden_layers"] == (4,)
    window.controller.step(5)
    qtbot.waitUntil(lambda: latest(window).step == 5, timeout=TIMEOUT)


def test_weights_that_do_not_fit_leave_the_run(window, qtbot, tmp_path):
    np.save(tmp_path / "W.npy", np.ones((5, 7)))
    (tmp_path / "d.csv").write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    before = latest(window).config
    window.share.open_weights([tmp_path / "W.npy"], tmp_path / "d.csv")
    qtbot.waitUntil(lambda: "Could not open" in window.message_bar.banner.text(),
                    timeout=TIMEOUT)
    assert "do not chain" in window.message_bar.banner.text()
    assert latest(window).config == before


def test_the_file_menu_has_the_share_actions(window):
    texts = [a.text() for a in window.file_menu.actions()]
    for text in ("&Record…", "Open Playground &link…", "&Copy Playground link",
                 "Export &notebook…", "Open your own &weights…"):
        assert text in texts
    share = window.share
    assert share.record_action.shortcut().toString() == "Ctrl+Shift+R"
    assert share.open_link_action.shortcut().toString() == "Ctrl+L"
    for action in (share.record_action, share.open_link_action, share.copy_link_action,
                   share.export_notebook_action, share.open_weights_action):
        assert len(action.toolTip()) > 40
    assert texts.index("&Record…") < texts.index("&Quit")


def test_the_command_line_records_and_exits(tmp_path):
    import subprocess
    import sys

    main = str(__import__("pathlib").Path(__file__).resolve().parents[2] / "main.py")
    done = subprocess.run([sys.executable, main, "--record", str(tmp_path / "cli.gif"),
                           "--seconds", "1"], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Recorded" in done.stdout
    with Image.open(tmp_path / "cli.gif") as gif:
        assert gif.n_frames == 15
    wrong = subprocess.run([sys.executable, main, "--record", str(tmp_path / "x.avi")],
                           capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert wrong.returncode == 2 and ".gif" in wrong.stderr
