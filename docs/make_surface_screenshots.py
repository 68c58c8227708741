"""The error surface in the situations of issue 14, from the real main window:
``python docs/make_surface_screenshots.py [--size 1366x768]``.

Run it under a screen (``xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python
docs/make_surface_screenshots.py``). For each scenario it trains, waits for every view to
settle and saves the whole window (``surface-<scenario>-<size>.png``) into
``docs/screenshots/``:

- ``start-now``: the default plane, start → now, after training the playground default;
- ``xor-weights``: the XOR truth table trained, then two weights picked in the diagram;
- ``plane-pca``: data set ``plane``, 2,000 steps, principal directions (fidelity warning);
- ``diverged``: the learning rate too large, after the divergence;
- ``step``: a step activation after 300 steps;
- ``zero-init``: zero initialization with two random directions.
"""
import argparse
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


def settle(app, frames=40):
    for _ in range(frames):  # let every view repaint with the final snapshot
        app.processEvents()
        time.sleep(0.02)


def start(app, window, config=None, preset=None):
    """A fresh run of ``preset`` (by name) or ``config``, at step 0."""
    from core import presets

    if preset is not None:
        window.apply_preset(presets.get(preset))
        config = presets.get(preset).config
    else:
        window.apply_config(config, reset=True)
    window.clear_message()
    controller = window.controller
    wait_until(app, lambda: controller.latest is not None and controller.latest.step == 0
               and controller.latest.config == config)


def train(app, window, steps):
    controller = window.controller
    target = controller.latest.step + steps
    controller.step(steps)
    wait_until(app, lambda: controller.latest.step >= target
               or (window.banner.level == "error" and not controller.latest.running))


def shoot(app, window, name, size):
    surface = window.surface_view
    wait_until(app, surface.is_settled)
    settle(app)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"surface-{name}-{size}.png"
    window.grab().save(str(path))
    print(f"saved {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1600x1000", help="window size, e.g. 1366x768")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    from core import presets
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

    if scenario("start-now"):
        start(app, window, preset="Playground default (circle, tanh 4-2, SGD)")
        surface.set_mode("start_now")
        train(app, window, 2000)
        shoot(app, window, "start-now", args.size)
    if scenario("xor-weights"):
        start(app, window, preset="XOR truth table (2-4-1 sigmoid, MSE, SGD)")
        train(app, window, 3000)
        layout = window.controller.latest.layout
        for index in (layout.index("W", 1, 0, 0), layout.index("W", 1, 1, 0)):
            window.network_diagram.weight_clicked.emit(index)  # two clicks on the diagram
        shoot(app, window, "xor-weights", args.size)
    if scenario("plane-pca"):
        config = presets.get("Learning rate too large: diverges").config.replace(
            learning_rate=0.03)
        start(app, window, config=config)
        surface.set_mode("pca")
        train(app, window, 2000)
        shoot(app, window, "plane-pca", args.size)
    if scenario("diverged"):
        start(app, window, preset="Learning rate too large: diverges")
        surface.set_mode("start_now")
        window.controller.play()
        wait_until(app, lambda: window.banner.level == "error"
                   and not window.controller.latest.running)
        shoot(app, window, "diverged", args.size)
    if scenario("step"):
        start(app, window, preset="Step activation: no gradient, no learning")
        surface.set_mode("start_now")
        train(app, window, 300)
        shoot(app, window, "step", args.size)
    if scenario("zero-init"):
        config = presets.get("Playground default (circle, tanh 4-2, SGD)").config.replace(
            init="zeros")
        start(app, window, config=config)
        surface.set_mode("random")
        train(app, window, 10)
        shoot(app, window, "zero-init", args.size)
    window.close()  # stops the training and surface threads
    app.processEvents()


if __name__ == "__main__":
    main()
