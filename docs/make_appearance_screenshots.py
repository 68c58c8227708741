"""Pictures of presentation mode and the dark theme from the real window:
``python docs/make_appearance_screenshots.py``.

Run it under a screen the size of the picture wanted: presentation mode fills the screen.
``xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/make_appearance_screenshots.py
presentation`` saves ``docs/screenshots/presentation.png`` (a projector's 1366 × 768);
``xvfb-run -a -s "-screen 0 1600x1000x24" … dark`` saves ``docs/screenshots/dark.png``. Each
trains the XOR preset 170 steps first, so the pictures are reproducible.
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))
OUT = ROOT / "docs" / "screenshots"
PRESET = "XOR truth table (2-4-1 sigmoid, MSE, SGD)"


def main(which):
    from make_screenshots import settle, train, wait_until
    from PySide6.QtCore import QSettings, QTemporaryDir

    from core import presets
    from gui.app import make_application
    from gui.main_window import MainWindow

    app = make_application()
    folder = QTemporaryDir()  # the user's remembered theme and layout play no part
    settings = QSettings(folder.filePath("settings.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings, restore_layout=False)
    screen = app.primaryScreen().geometry()
    window.resize(screen.width(), screen.height())
    window.show()
    window.apply_preset(next(p for p in presets.PRESETS if p.name == PRESET))
    window.clear_message()
    train(app, window, 170)
    wait_until(app, window.surface_view.is_settled)
    if which == "dark":
        window.appearance.theme_actions["dark"].trigger()
    else:
        window.appearance.presentation.action.trigger()
    settle(app, 60)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{which}.png"
    (app.primaryScreen().grabWindow(0) if which == "presentation" else window.grab()).save(
        str(path))
    print(f"saved {path}")
    window.close()


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("presentation", "dark"):
        sys.exit("usage: make_appearance_screenshots.py presentation|dark")
    main(sys.argv[1])
