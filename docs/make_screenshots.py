"""Make README's pictures from the real main window: ``python docs/make_screenshots.py``.

Run it under a screen (``xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python
docs/make_screenshots.py``): it applies a preset, trains, turns the error surface to the
principal directions of the path, waits for every view to settle and saves PNGs into
``docs/screenshots/``: the main window, its error surface, and the learning aids (compare
runs, the anatomy of the cost, the gradient check, the code behind the run). Each picture is
reproducible: presets fix every seed.
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
    settle(app)
    OUT.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(OUT / f"{name}.png"))
    window.surface_view.export_png(str(OUT / f"{name}-surface.png"))
    print(f"saved {OUT / name}.png and {name}-surface.png")


def settle(app, frames=30):
    for _ in range(frames):  # let every view repaint with the final snapshot
        app.processEvents()
        time.sleep(0.02)


def train(app, window, steps):
    controller = window.controller
    wait_until(app, lambda: controller.latest is not None)
    target = controller.latest.step + steps
    controller.step(steps)
    wait_until(app, lambda: controller.latest.step >= target)


def learning_aids(app, window):
    """The pictures of README's learning aids: anatomy, code, compare runs, gradient check."""
    from core import presets

    window.apply_preset(presets.get("Playground default (circle, tanh 4-2, SGD)"))
    window.clear_message()
    wait_until(app, lambda: window.controller.latest.step == 0)
    # Compare runs: the same start, one setting changed each time.
    plot, baseline = window.cost_plot, window.config
    for change in ({"learning_rate": 0.3}, {"activation": "relu"}, {"loss": "mse"}, {}):
        config = baseline.replace(**change)
        window.apply_config(config, reset=True)
        wait_until(app, lambda: window.controller.latest.step == 0
                   and window.controller.latest.config == config)
        train(app, window, 1500)
        settle(app, 5)
        if change:
            plot.pin()  # the last run, the baseline, stays the live curve
    settle(app)
    window.cost_dock.grab().save(str(OUT / "compare-runs.png"))
    plot.clear_pins()
    # The anatomy of the cost, with the examples' losses on the data.
    window.anatomy_dock.raise_()
    window.cost_anatomy.on_data_box.setChecked(True)
    settle(app)
    window.anatomy_dock.grab().save(str(OUT / "anatomy.png"))
    # The gradient check of this run.
    window.tools.show_gradient_check()
    dialog = window.tools.gradient_check_dialog
    wait_until(app, lambda: dialog.result is not None)
    settle(app)
    dialog.grab().save(str(OUT / "gradient-check.png"))
    dialog.close()
    # The code behind the classic XOR run, at the cost function.
    window.apply_preset(presets.get("XOR truth table (2-4-1 sigmoid, MSE, SGD)"))
    window.clear_message()
    wait_until(app, lambda: window.controller.latest.step == 0)
    window.tools.show_code_window()
    code = window.tools.code_window
    code.resize(900, 760)
    settle(app)
    code.jump_to_section(3)
    settle(app)
    code.grab().save(str(OUT / "code-view.png"))
    code.close()
    print(f"saved {OUT}/compare-runs.png, anatomy.png, gradient-check.png, code-view.png")


def main():
    from gui.app import make_application
    from gui.main_window import MainWindow

    app = make_application()
    window = MainWindow(restore_layout=False)
    window.show()
    shoot(app, window, "Playground default (circle, tanh 4-2, SGD)", 2000, "main-window")
    shoot(app, window, "XOR truth table (2-4-1 sigmoid, MSE, SGD)", 3000, "xor-table")
    learning_aids(app, window)
    window.close()  # stops the training and surface threads
    app.processEvents()


if __name__ == "__main__":
    main()
