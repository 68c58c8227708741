"""The pictures of training you can steer and diagnose (issue 21), from the real main window:
``xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/make_steering_screenshots.py``.

Saves into ``docs/screenshots/``: ``metrics.png`` (the confusion matrices of the three spirals
preset), ``gradient-norms.png`` (the deep sigmoid network's vanishing gradients) and
``diagnosis.png`` (the whole window with the banner saying why a run is not learning: Adam at
learning rate 10 on ``xor``). Presets and configs fix every seed.
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))
OUT = ROOT / "docs" / "screenshots"


def main():
    from core import presets
    from core.config import Config
    from gui.app import make_application
    from gui.main_window import MainWindow
    from make_screenshots import settle, train, wait_until

    app = make_application()
    window = MainWindow(restore_layout=False)
    window.resize(1600, 1000)
    window.show()
    controller = window.controller

    def start(config):
        window.apply_config(config, reset=True)
        wait_until(app, lambda: controller.latest is not None and controller.latest.step == 0
                   and controller.latest.config == config)

    start(presets.get("Three spirals (softmax + cross-entropy)").config)
    train(app, window, 3000)
    window.metrics_dock.raise_()
    settle(app)
    window.metrics_dock.grab().save(str(OUT / "metrics.png"))
    start(presets.get("Deep sigmoid net: vanishing gradients").config)
    train(app, window, 1000)
    window.gradient_dock.raise_()
    settle(app)
    window.gradient_dock.grab().save(str(OUT / "gradient-norms.png"))
    window.cost_dock.raise_()
    start(Config(dataset="xor", optimizer="adam", learning_rate=10.0))
    train(app, window, 1500)
    wait_until(app, lambda: window.diagnosis_banner.showing)
    settle(app)
    window.grab().save(str(OUT / "diagnosis.png"))
    print(f"saved {OUT}/metrics.png, gradient-norms.png, diagnosis.png")
    window.close()
    app.processEvents()


if __name__ == "__main__":
    main()
