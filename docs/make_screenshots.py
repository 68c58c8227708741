"""Make README's pictures from the real main window: ``python docs/make_screenshots.py``.

Run it under a screen (``xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python
docs/make_screenshots.py``): it applies a preset, trains, turns the error surface to the
principal directions of the path, waits for every view to settle and saves PNGs into
``docs/screenshots/``. Each picture is reproducible: presets fix every seed.
"""
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"


def wait_until(app, condition, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not settle in time")
        app.processEvents()
        time.sleep(0.01)


def shoot(app, window, preset_name, steps, name, surface_mode="pca"):
    from core import presets

    preset = next(p for p in presets.PRESETS if p.name == preset_name)
    window.apply_preset(preset)
    window.clear_message()
    controller = window.controller
    wait_until(app, lambda: controller.latest is not None and controller.latest.step == 0)
    controller.step(steps)
    wait_until(app, lambda: controller.latest.step >= steps)
    window.surface_view.set_mode(surface_mode)
    wait_until(app, window.surface_view.is_settled)
    for _ in range(30):  # let every dock repaint with the final snapshot
        app.processEvents()
        time.sleep(0.02)
    OUT.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(OUT / f"{name}.png"))
    window.surface_view.export_png(str(OUT / f"{name}-surface.png"))
    print(f"saved {OUT / name}.png and {name}-surface.png")


def main():
    from gui.app import make_application
    from gui.main_window import MainWindow

    app = make_application()
    window = MainWindow(restore_layout=False)
    window.show()
    shoot(app, window, "Playground default (circle, tanh 4-2, SGD)", 2000, "main-window")
    shoot(app, window, "XOR truth table (2-4-1 sigmoid, MSE, SGD)", 3000, "xor-table")
    window.close()  # stops the training and surface threads
    app.processEvents()


if __name__ == "__main__":
    main()
