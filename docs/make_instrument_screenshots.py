"""The landscape instruments of issue 15, from the real main window:
``python docs/make_instrument_screenshots.py [--size 1366x768] [--only sharpness,line]``.

Run it under a screen (``xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python
docs/make_instrument_screenshots.py``). Each scenario trains, waits for the views to settle and
saves the whole window (``instruments-<scenario>-<size>.png``) into ``docs/screenshots/``:

- ``sharpness``: full-batch gradient descent on the two spirals (MSE, η = 0.5): the sharpness
  rises to 2/η = 4 and hovers there (the edge of stability);
- ``line``: the same run, the cost along the line from the start to now;
- ``line-pinned``: the XOR truth table trained twice (two initializations), both pinned, the
  line between their final weights: a barrier;
- ``sharpest``: the XOR truth table trained, the surface along the two sharpest directions;
- ``curvature``: the same, two weights picked in the diagram, their curvature under them;
- ``probe``: the playground default, the pointer on the contour map, that network dashed in
  the boundary view;
- ``probe-3d``: a point of the 3-D surface clicked, "Move here" offered;
- ``diverged``: the learning rate too large, the message naming λ_max and 2/η.
"""
import argparse
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))
from make_surface_screenshots import settle, start, train, wait_until  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
XOR = "XOR truth table (2-4-1 sigmoid, MSE, SGD)"
PLAYGROUND = "Playground default (circle, tanh 4-2, SGD)"


def shoot(app, window, name, size):
    surface = window.surface_view
    wait_until(app, lambda: surface.is_settled() or surface.plane is None)
    settle(app)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"instruments-{name}-{size}.png"
    window.grab().save(str(path))
    print(f"saved {path}")


def sampled(app, window, steps, chunk=150):
    """Train ``steps`` in chunks, each measured by the sharpness view before the next."""
    view = window.sharpness_view
    for _ in range(steps // chunk):
        train(app, window, chunk)
        step = window.controller.latest.step
        wait_until(app, lambda: view.samples and view.samples[-1].step == step)


def point_at_contour(app, window, fx, fy, click=False):
    """Move the pointer (and click) on the contour map at a fraction of the span."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtTest import QTest

    view = window.surface_view
    view.tabs.setCurrentWidget(view.contour)
    settle(app, 10)
    plane = view.plane
    x, y = plane.offsets[0] + fx * plane.span, plane.offsets[1] + fy * plane.span
    plot = view.contour.plot_widget
    pixel = plot.mapFromScene(view.contour.plot.vb.mapViewToScene(QPointF(x, y)))
    QTest.mouseMove(plot.viewport(), pixel)
    if click:
        QTest.mouseClick(plot.viewport(), Qt.LeftButton, Qt.NoModifier, pixel)
    wait_until(app, lambda: window.boundary_plot.overlay.output is not None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1600x1000", help="window size, e.g. 1366x768")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from core import presets
    from core.config import Config
    from gui.app import make_application
    from gui.main_window import MainWindow

    app = make_application()
    window = MainWindow(restore_layout=False)
    window.resize(width, height)
    window.show()
    surface = window.surface_view
    wanted = set(filter(None, args.only.split(",")))

    def scenario(name):
        return not wanted or name in wanted

    if scenario("sharpness") or scenario("line"):
        start(app, window, config=Config(dataset="spiral", hidden_layers=(16, 16),
                                         activation="tanh", loss="mse", optimizer="sgd",
                                         learning_rate=0.5, batch_size=1000))
        window.sharpness_dock.raise_()
        sampled(app, window, 3000)
        if scenario("sharpness"):
            shoot(app, window, "sharpness", args.size)
        window.interpolation_dock.raise_()
        wait_until(app, lambda: window.interpolation_view.line is not None and
                   window.interpolation_view.line.step == window.controller.latest.step)
        if scenario("line"):
            shoot(app, window, "line", args.size)
    if scenario("line-pinned"):
        config = presets.get(XOR).config
        for init in ("xavier", "he"):
            start(app, window, config=config.replace(init=init))
            train(app, window, 3000)
            settle(app, 5)  # the cost view has the last snapshot: its curve is pinned
            window.pin_action.trigger()
        window.interpolation_dock.raise_()
        window.interpolation_view.set_endpoints("pin:1", "pin:2")
        wait_until(app, lambda: window.interpolation_view.line is not None and
                   window.interpolation_view.line.keys == ("pin:1", "pin:2"))
        shoot(app, window, "line-pinned", args.size)
        window.cost_plot.clear_pins()
    window.surface_dock.raise_()  # (the line and sharpness tabs above share its place)
    if scenario("sharpest") or scenario("curvature"):
        start(app, window, preset=XOR)
        train(app, window, 3000)
        if scenario("sharpest"):
            surface.set_mode("sharpest")
            shoot(app, window, "sharpest", args.size)
        layout = window.controller.latest.layout
        for index in (layout.index("W", 1, 0, 0), layout.index("W", 1, 1, 0)):
            window.network_diagram.weight_clicked.emit(index)
        if scenario("curvature"):
            shoot(app, window, "curvature", args.size)
    if scenario("probe") or scenario("probe-3d"):
        start(app, window, preset=PLAYGROUND)
        surface.set_mode("start_now")
        window.cost_dock.raise_()
        train(app, window, 1500)
        wait_until(app, surface.is_settled)
        if scenario("probe"):
            point_at_contour(app, window, 0.55, 0.45)
            shoot(app, window, "probe", args.size)
        if scenario("probe-3d") and surface.gl_available():
            surface.tabs.setCurrentWidget(surface.tabs.gl_container)
            settle(app, 10)
            gl = surface.scene.view
            point = QPoint(int(gl.width() * 0.42), int(gl.height() * 0.62))
            QTest.mouseMove(gl, point)
            QTest.mouseClick(gl, Qt.LeftButton, Qt.NoModifier, point)
            wait_until(app, lambda: window.selection.pinned_probe is not None
                       and window.boundary_plot.overlay.output is not None)
            shoot(app, window, "probe-3d", args.size)
    if scenario("diverged"):
        start(app, window, preset="Learning rate too large: diverges")
        window.controller.play()
        wait_until(app, lambda: window.banner.level == "error"
                   and not window.controller.latest.running)
        shoot(app, window, "diverged", args.size)
    window.close()  # stops the training and every view's thread
    app.processEvents()


if __name__ == "__main__":
    main()
