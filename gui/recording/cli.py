"""``costscape --record PATH [--seconds S]``: record the window while it trains, then exit.

For slides made from a script (``costscape --config run.costscape --record run.mp4``), and to
check that a packaged app records: the format follows the file's suffix (``.gif``, ``.mp4``,
``.png`` for a PNG sequence); the exit code is 0 once the file is written, 1 otherwise.
"""
from __future__ import annotations

import os
import sys

from gui.recording.writers import FORMATS

FPS = 15
#: Time the window gets to show its first frame before the recording starts (ms).
START_DELAY_MS = 800


def format_of(path) -> str | None:
    suffix = os.path.splitext(str(path))[1].lower()
    return next((key for key, (_, ending) in FORMATS.items() if ending == suffix), None)


def run_recording(app, window, path, seconds, fps=FPS) -> int:
    """Train and record ``window`` for ``seconds`` into ``path``; the exit code."""
    from PySide6.QtCore import QTimer

    from gui.recording.recorder import Recorder

    fmt = format_of(path)
    if fmt is None:
        print(f"--record: the file must end in {', '.join(e for _, e in FORMATS.values())}",
              file=sys.stderr)
        window.close()  # stops the training thread
        return 2
    state = {"code": 1}
    path = os.path.abspath(path)
    recorder = Recorder(window, fmt, path, fps, max(1, round(fps * seconds)), parent=window)

    def done(code, text):
        state["code"] = code
        print(text, file=sys.stdout if code == 0 else sys.stderr)
        window.close_unasked()
        app.quit()

    recorder.finished.connect(lambda p, n, size: done(
        0, f"Recorded {p}: {n} frames of {size[0]}x{size[1]} pixels"))
    recorder.failed.connect(lambda reason: done(1, f"Could not record {path}: {reason}"))

    def start():
        window.controller.play()
        recorder.start()

    QTimer.singleShot(START_DELAY_MS, start)
    app.exec()
    recorder.shutdown()
    return state["code"]
