"""Does closing a main window free it? Open, train, close, repeat; print memory and close times.

Opens the real main window (under Xvfb: the script starts one itself when there is no
display), lets it train for ``--seconds`` with every view live (the 3-D error surface too),
closes it as a user would and lets the event loop run, ``--windows`` times. It prints the
process's resident memory (VmRSS) after each close, and how long each close took.

The first window loads what stays loaded for good (Qt's plugins, fonts, the OpenGL driver,
numpy's and pyqtgraph's caches), so memory after it is the baseline: a freed window brings the
process back to it. Goals: memory after the last window within 10 % of the baseline, every
close under 1 s, and a clean exit (code 0) although the last window's deletion may still be
pending when the interpreter exits. Exit code 0 when all are met.

Usage: python bench/windows_memory.py [--windows 5] [--seconds 1.5] [--hidden 4,4]
"""
import argparse
import gc
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
if sys.platform.startswith("linux"):
    os.environ.setdefault("PYOPENGL_PLATFORM", "glx")

GOAL_GROWTH = 0.10
GOAL_CLOSE_S = 1.0


def ensure_display():
    """Re-run this script under xvfb-run when there is no X display."""
    if os.environ.get("DISPLAY") or os.environ.get("COSTSCAPE_BENCH_CHILD"):
        return
    env = dict(os.environ, COSTSCAPE_BENCH_CHILD="1")
    done = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable,
                           *sys.argv], env=env, check=False)
    sys.exit(done.returncode)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--hidden", default="4,4", help="hidden layer sizes, e.g. 64,64")
    parser.add_argument("--collect", action="store_true",
                        help="run Python's cycle collector after each close")
    args = parser.parse_args(argv)
    ensure_display()

    from gui.app import make_application

    app = make_application()
    from PySide6.QtCore import QSettings

    from core.config import Config
    from gui.main_window import MainWindow
    from gui.threads import MAX_SPEED

    def run_loop(seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.002)

    config = Config(hidden_layers=tuple(int(n) for n in args.hidden.split(",") if n))
    folder = tempfile.mkdtemp(prefix="costscape-windows-")
    memory, closes, gl = [], [], []
    print(f"start: {rss_mb():.0f} MB")
    for i in range(args.windows + 1):
        settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.IniFormat)
        window = MainWindow(config=config, settings=settings, restore_layout=False)
        window.show()
        while window.controller.latest is None:
            run_loop(0.01)
        gl.append(window.surface_view.gl_available())
        window.set_speed(MAX_SPEED)
        window.controller.play()
        run_loop(args.seconds)
        start = time.perf_counter()
        window.close()
        closes.append(time.perf_counter() - start)
        del window
        run_loop(0.5)  # the deletion, and whatever the closed window's threads still send
        if args.collect:
            gc.collect()
        memory.append(rss_mb())
        label = "baseline (first window)" if i == 0 else f"window {i}"
        print(f"{label}: closed in {closes[-1]:.3f} s, then {memory[-1]:.0f} MB "
              f"(3-D view {'live' if gl[-1] else 'off'})", flush=True)
    growth = memory[-1] / memory[0] - 1
    ok = growth <= GOAL_GROWTH and max(closes) < GOAL_CLOSE_S
    print(f"after {args.windows} more windows: {growth:+.1%} against the baseline (goal "
          f"<= {GOAL_GROWTH:.0%}); slowest close {max(closes):.3f} s (goal < {GOAL_CLOSE_S} s): "
          f"{'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
