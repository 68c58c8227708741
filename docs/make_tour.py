"""Make the pictures of the First five minutes page (Help → First five minutes and README):
``xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/make_tour.py``.

It drives the real main window through the walk the page describes (the toolbar's actions,
the diagram's clicks as the signal a click sends) and saves
``assets/tour/tour-*.png``, scaled so that the in-app page and README show them whole. Every
picture is reproducible: the presets fix every seed.
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))
OUT = ROOT / "assets" / "tour"
#: Widest picture (pixels): the Help page is about 800 px wide.
WIDTH = 1000
XOR = "XOR truth table (2-4-1 sigmoid, MSE, SGD)"


def save(image, name, width=WIDTH):
    from PySide6.QtCore import Qt

    if image.width() > width:
        image = image.scaledToWidth(width, Qt.SmoothTransformation)
    path = OUT / name
    image.save(str(path))
    print(f"saved {path} ({image.width()}x{image.height()})")


def region(window, *docks):
    """The part of the window's picture that holds ``docks``."""
    rect = docks[0].geometry()
    for dock in docks[1:]:
        rect = rect.united(dock.geometry())
    return window.grab(rect)


def main():
    from core import presets
    from gui.app import make_application
    from gui.main_window import MainWindow
    from make_screenshots import settle, train, wait_until

    app = make_application()
    window = MainWindow(restore_layout=False)
    window.resize(1600, 1000)
    window.show()
    controller = window.controller
    OUT.mkdir(parents=True, exist_ok=True)
    # 1. The window as it starts (trained a few steps so every view has drawn).
    train(app, window, 300)
    wait_until(app, window.surface_view.is_settled)
    settle(app)
    save(window.grab(), "tour-1-window.png")
    # 2 and 3. The XOR preset; the code behind the run at section 4; backpropagation.
    window.apply_preset(presets.get(XOR))
    wait_until(app, lambda: controller.latest.step == 0 and controller.latest.config.dataset
               == "xor_table")
    window.tools.show_code_window()  # the toolbar's Code (Ctrl+K)
    code = window.tools.code_window
    code.resize(900, 700)
    settle(app)
    code.jump_to_section(3)
    settle(app)
    save(code.grab(), "tour-2-code.png", 900)
    code.close()
    window.step_through.action.trigger()  # the toolbar's Backprop (Ctrl+B)
    view = window.backprop_view
    wait_until(app, lambda: view.traced is not None)
    keys = [stage.key for stage in view.stages]
    view.go_to(keys.index("output-delta"))
    settle(app)
    save(region(window, window.backprop_dock, window.diagram_dock), "tour-3-backprop.png")
    window.backprop_dock.close()
    window.surface_dock.raise_()  # (the tab beside it would come forward)
    # 4. Trained.
    train(app, window, 3000)
    settle(app)
    save(window.grab(), "tour-4-trained.png")
    # 5. Two weights picked in the diagram (what two clicks on its links send).
    layout = controller.latest.layout
    for index in (layout.index("W", 1, 0, 0), layout.index("W", 1, 1, 0)):
        window.network_diagram.weight_clicked.emit(index)
    wait_until(app, window.surface_view.is_settled)
    settle(app)
    save(region(window, window.surface_dock, window.diagram_dock), "tour-5-surface.png")
    window.close()
    app.processEvents()


if __name__ == "__main__":
    main()
