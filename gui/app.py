"""Start the app: arguments, the QApplication, the main window; and the screenshot mode.

``python main.py [FILE | --config FILE] [--screenshot PATH [--steps N]]
[--record PATH [--seconds S]] [--version]``

``--config FILE`` starts from a saved experiment (``.costscape``: settings, data, weights,
optimizer state and history; training continues where it stopped) or from a Config JSON file
(settings only). A file that cannot be read is explained and the app starts with the defaults.
A lesson file (``.costscape-lesson``) starts the app playing that lesson.

``--screenshot PATH`` opens the real window, trains ``--steps`` steps, lets every view render,
saves a PNG of the whole window and exits 0 (1 if it could not). Tests and the README's
pictures use it; it ignores the remembered window layout so pictures are reproducible.

``--record PATH`` trains and records the window for ``--seconds`` into a GIF, an MP4 or PNG
files (by PATH's suffix), then exits (gui/recording/cli.py).
"""
from __future__ import annotations

import argparse
import pathlib
import sys

APP_NAME = "Costscape"
ORGANIZATION = "Costscape"
#: How long the screenshot mode waits for training before it gives up (seconds).
SCREENSHOT_TIMEOUT = 300
#: Time the views get to render after the last snapshot, before the window is grabbed (ms).
SCREENSHOT_SETTLE_MS = 400
#: Largest Config JSON file read (a config is a few kilobytes).
MAX_CONFIG_BYTES = 1_000_000


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="costscape", description="Watch a neural network learn: live cost curve, "
        "decision boundary and error surface.")
    parser.add_argument("file", nargs="?", metavar="FILE",
                        help="the same as --config FILE (what a file manager passes when a "
                             ".costscape file is double-clicked); a .costscape-lesson file "
                             "starts that lesson")
    parser.add_argument("--config", metavar="FILE",
                        help="start from this file: a saved experiment (.costscape) or a "
                             "Config JSON file")
    parser.add_argument("--screenshot", metavar="PATH",
                        help="train, save a PNG of the whole window to PATH and exit")
    parser.add_argument("--steps", type=int, default=300, metavar="N",
                        help="training steps before the screenshot (default 300)")
    parser.add_argument("--record", metavar="PATH",
                        help="train, record the window to PATH (.gif, .mp4 or .png) and exit")
    parser.add_argument("--seconds", type=float, default=5.0, metavar="S",
                        help="length of --record in seconds (default 5)")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    args = parser.parse_args(argv)
    if args.steps < 0:
        parser.error("--steps must be 0 or more")
    if args.file and args.config:
        parser.error("give the file once: either FILE or --config FILE")
    args.config = args.config or args.file
    args.lesson = None
    if args.config and is_lesson_file(args.config):
        args.lesson, args.config = args.config, None
    return args


def is_lesson_file(path) -> bool:
    """Whether ``path`` names a lesson (its name ends in ``.costscape-lesson``)."""
    from core.lessons import SUFFIX

    return str(path).lower().endswith(SUFFIX)


def configure_pyqtgraph():
    """White plots with dark text; numpy arrays shown the natural way round (row-major)."""
    import pyqtgraph as pg

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True, background="w",
                        foreground="#333333")


def make_application(argv=None):
    """The QApplication, set up as Costscape needs it (created once per process)."""
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    # The training thread and this one share one interpreter lock; when the UI thread wants it,
    # make the worker hand it over within 0.5 ms instead of the default 5 ms
    # (gui/threads/worker.py).
    sys.setswitchinterval(0.0005)
    app = QApplication.instance()
    if app is None:
        # Before the QApplication exists: lets several OpenGL views share shaders (see
        # docs/headless-qt.md, pitfall 1).
        QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
        app = QApplication([sys.argv[0] if sys.argv else APP_NAME, *(argv or [])])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    try:
        from gui.resources import app_icon
    except ImportError:
        pass
    else:
        icon = app_icon()
        if not icon.isNull():
            app.setWindowIcon(icon)
    configure_pyqtgraph()
    return app


def is_experiment_file(path) -> bool:
    """Whether ``path`` is (meant to be) a saved experiment rather than a Config JSON file: its
    name ends in ``.costscape`` or it starts like one (a zip archive). Only a regular file is
    looked into (a named pipe would never answer)."""
    from core.experiment import SUFFIX
    from core.files import open_regular

    if str(path).lower().endswith(SUFFIX):
        return True
    try:
        with open_regular(path) as f:
            return f.read(4) == b"PK\x03\x04"
    except (OSError, ValueError, TypeError):  # NotRegularFile is an OSError too
        return False


def load_config(path):
    """``(config, error)``: the Config in JSON file ``path``, or the defaults and why not.

    Only a regular file of at most :data:`MAX_CONFIG_BYTES` is read: a named pipe or a device
    is refused at once, never waited on."""
    from core.config import Config, ConfigError
    from core.files import NotRegularFile, open_regular

    try:
        with open_regular(path) as f:
            raw = f.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            reason = (f"it is larger than {MAX_CONFIG_BYTES // 1_000_000} MB, which no settings "
                      f"file is")
        else:
            return Config.from_json(raw.decode("utf-8")), None
    except NotRegularFile as err:
        reason = f"{err}: Costscape opens only ordinary files"
    except (OSError, ValueError, TypeError, ConfigError) as err:  # UnicodeDecodeError too
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
    return Config(), f"Could not load {path}: {reason}. Starting with the default settings."


def show_on_screen(window, app):
    """Fit the window to the primary screen and show it (:func:`show_fitted`)."""
    screen = app.primaryScreen()
    if screen is None:
        window.show()
    else:
        show_fitted(window, screen.availableGeometry())


def show_fitted(window, area):
    """Size ``window`` for a screen whose available geometry is ``area`` (a QRect,
    :func:`fit_to_area`), then show it: how :func:`main` opens the window, and how the tests
    that measure the layout on a screen of a given size open it (the size is set before the
    first show, so the docks are first laid out at that size, as at a real start)."""
    fit_to_area(window, area)
    window.show()


def fit_to_area(window, area):
    """Fit ``window`` into ``area`` (a screen's available geometry, a QRect).

    Where the default size fits, keep it. On a smaller screen (a 1366 × 768 laptop) take the
    whole area and ask for the window maximized: every pixel of height goes to the plots, and
    the window manager's title bar and panels are its own business. The docks are sized again
    for the new size (``window.dock_layout``), as they would be at the default size.
    """
    from PySide6.QtCore import Qt

    size = window.size()
    # A frame the window manager adds (title bar, borders): known once the window was shown.
    frame = window.frameGeometry().size() - window.geometry().size()
    if (size.width() + frame.width() <= area.width()
            and size.height() + frame.height() <= area.height()):
        return
    width = max(min(size.width(), area.width() - frame.width()), window.minimumWidth())
    height = max(area.height() - frame.height(), window.minimumHeight())
    window.resize(width, height)
    window.setWindowState(window.windowState() | Qt.WindowMaximized)
    layout = getattr(window, "dock_layout", None)
    if layout is not None:
        layout.set_defaults()


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.version:
        from gui.version import version
        print(f"{APP_NAME} {version()}")
        return 0
    app = make_application()

    from gui.main_window import MainWindow

    config, problem, experiment_path = None, None, None
    if args.config and is_experiment_file(args.config):
        experiment_path = str(args.config)
    elif args.config:
        config, problem = load_config(args.config)
        if problem:
            print(problem, file=sys.stderr)
    screenshot = args.screenshot is not None or args.record is not None
    # Importing matplotlib to set the formulas takes about a second: the window comes first.
    from gui.widgets import math as formulas_math
    formulas_math.defer()
    window = MainWindow(config=config, restore_layout=not screenshot)
    if problem:
        window.show_message(problem, "warning")
    if experiment_path:
        open_at_start(window, experiment_path)
    if args.lesson:
        open_lesson_at_start(window, args.lesson)
    app.aboutToQuit.connect(window.controller.shutdown)
    formulas_math.render_after_first_paint(window)
    show_on_screen(window, app)
    if args.record is not None:
        from gui.recording.cli import run_recording
        return run_recording(app, window, args.record, args.seconds)
    if screenshot:
        return run_screenshot(app, window, args.screenshot, args.steps,
                              opening=experiment_path is not None,
                              lesson=args.lesson is not None)
    close_on_interrupt(window)
    return app.exec()


def open_at_start(window, path):
    """Open the experiment ``path`` through the worker; if it fails, say so (the banner does
    too) and go on with the default settings."""
    def on_failed(action, failed_path, reason):
        if action == "open":
            print(f"Could not load {failed_path}: {reason.rstrip('.')}. Starting with the "
                  f"default settings.",
                  file=sys.stderr)

    window.files.failed.connect(on_failed)
    window.files.open_experiment(path)


def open_lesson_at_start(window, path):
    """Start the lesson ``path`` (read off the UI thread); if it cannot be used, say so (the
    banner does too) and go on without it."""
    window.lessons.failed.connect(
        lambda failed_path, reason: print(f"Could not open lesson {failed_path}: {reason}",
                                          file=sys.stderr))
    window.lessons.open_lesson(path)


def close_on_interrupt(window):
    """Ctrl+C in the terminal closes the window cleanly (stopping training) instead of nothing.

    Python only sees the signal when it runs, and Qt's event loop is C++: a short idle timer
    lets Python look now and then.
    """
    import signal

    from PySide6.QtCore import QTimer

    signal.signal(signal.SIGINT, lambda *_: window.close())
    timer = QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(250)


def run_screenshot(app, window, path, steps, opening=False, lesson=False) -> int:
    """Train ``steps`` steps, let the views settle, grab the window to ``path``; exit code.

    With ``opening``, an experiment file is being opened: the steps start from where it stopped
    (or from the defaults, if it cannot be opened). With ``lesson``, a lesson is being opened:
    the steps start once its first step is set up (or without it, if it cannot be opened).
    """
    from PySide6.QtCore import QTimer

    state = {"code": 1, "done": False, "target": None}
    controller = window.controller

    def finish(reason=None):
        if state["done"]:
            return
        state["done"] = True
        if reason:
            print(reason, file=sys.stderr)
        QTimer.singleShot(SCREENSHOT_SETTLE_MS, grab)

    def grab():
        app.processEvents()
        image = window.grab()
        target = pathlib.Path(path)
        if target.parent and not target.parent.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
        if not image.isNull() and image.save(str(target), "PNG") and target.stat().st_size:
            state["code"] = 0
            print(f"Saved {target} ({image.width()}x{image.height()}, step "
                  f"{controller.latest.step if controller.latest else 0})")
        else:
            print(f"Could not save a screenshot to {target}", file=sys.stderr)
        window.close_unasked()
        app.quit()

    def on_snapshot(snap):
        if state["target"] is None:
            return
        run, goal = state["target"]
        if (run is None or snap.run == run) and snap.step >= goal:
            finish()

    def on_failure(message):
        finish(f"Training stopped before step {steps}: {message.splitlines()[0]}")

    def start(run=None, step=0):
        if state["target"] is not None:
            return
        state["target"] = (run, step + steps)
        if steps:
            controller.step(steps)
        if controller.latest is not None:
            on_snapshot(controller.latest)

    controller.snapshot.connect(on_snapshot)
    controller.diverged.connect(on_failure)
    controller.error.connect(on_failure)
    if opening:
        controller.experiment_opened.connect(lambda p, c, run, step: start(run, step))
        window.files.failed.connect(lambda action, p, reason: start())
    elif lesson:
        window.lessons.opened.connect(lambda p: start())
        window.lessons.failed.connect(lambda p, reason: start())
    else:
        start()
    QTimer.singleShot(SCREENSHOT_TIMEOUT * 1000,
                      lambda: finish(f"Gave up waiting for {steps} steps; saving what there is."))
    app.exec()
    return state["code"]
