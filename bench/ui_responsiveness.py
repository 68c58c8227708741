"""Is the window smooth and responsive while training, flat out and at the default speed?

Opens the real main window (under Xvfb: the script starts one itself when there is no
display) with every view live (the error surface follows training, making a new plane through
the current weights twice a second), sets the speed ("max", then the window's default of 10
steps per frame), presses play and measures for a few seconds:

- redraws per second: snapshots applied to the views, and paint events of the two plot
  widgets (what the user sees change);
- UI event latency: a 10 ms single-shot timer in the UI thread re-arms itself; how late each
  one fires is how long any user event (a click, a key) would have waited;
- training steps per second, from the worker's own count.

Goal on these 2-core machines: at least 30 redraws per second and a 95th-percentile event
latency under 50 ms.

Usage: python bench/ui_responsiveness.py [--seconds 8] [--only default,spiral3]
[--speeds max,default]
"""
import argparse
import os
import pathlib
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchlib import ensure_display  # noqa: E402
# As main.py does, before numpy is imported: single-threaded BLAS for these small networks.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

GOAL_REDRAWS, GOAL_P95_MS = 30.0, 50.0
PROBE_MS = 10
SCENARIOS = {
    # name: (what, Config keyword arguments)
    "default": ("xor, 2-4-4-1 tanh, SGD (the window's default)", {}),
    "spiral3": ("spiral3, 2-16-16-3 tanh, softmax + cross-entropy, Adam",
                dict(dataset="spiral3", hidden_layers=(16, 16), optimizer="adam",
                     learning_rate=0.01)),
    "sine": ("sine, 1-16-16-1 tanh, Huber, Adam (fitted-curve view)",
             dict(dataset="sine", hidden_layers=(16, 16), loss="huber", optimizer="adam",
                  learning_rate=0.01)),
}


def percentile(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return values[k]


def measure(app, window, seconds, warmup=1.0):
    from PySide6.QtCore import QElapsedTimer, QEvent, QEventLoop, QObject, Qt, QTimer

    def run_event_loop(secs):
        # The real event loop, blocked in exec() as the app's is, for ``secs`` seconds.
        loop = QEventLoop()
        QTimer.singleShot(int(secs * 1000), loop.quit)
        loop.exec()

    class PaintCounter(QObject):
        def __init__(self):
            super().__init__()
            self.count = 0

        def eventFilter(self, watched, event):
            if event.type() == QEvent.Paint:
                self.count += 1
            return False

    painters = []
    for widget in (window.cost_plot.canvas.cost_widget, window.boundary_plot.canvas):
        counter = PaintCounter()
        widget.viewport().installEventFilter(counter)
        painters.append(counter)

    clock = QElapsedTimer()
    clock.start()
    lateness = []
    state = {"armed_at": 0, "measuring": False}
    probe = QTimer()
    probe.setSingleShot(True)
    probe.setTimerType(Qt.PreciseTimer)

    def on_probe():
        now = clock.nsecsElapsed() / 1e6
        if state["measuring"]:
            lateness.append(max(0.0, now - state["armed_at"] - PROBE_MS))
        state["armed_at"] = now
        probe.start(PROBE_MS)

    probe.timeout.connect(on_probe)
    probe.start(PROBE_MS)
    state["armed_at"] = clock.nsecsElapsed() / 1e6

    controller = window.controller
    controller.play()
    run_event_loop(warmup)

    frames0, paints0 = window.frames_shown, [p.count for p in painters]
    step0, t0 = controller.latest.step, time.perf_counter()
    state["measuring"] = True
    run_event_loop(seconds)
    elapsed = time.perf_counter() - t0
    state["measuring"] = False
    probe.stop()
    steps = controller.latest.step - step0
    controller.pause()
    frames = (window.frames_shown - frames0) / elapsed
    paints = [(p.count - c0) / elapsed for p, c0 in zip(painters, paints0)]
    return {
        "snapshots_per_s": frames,
        "paints_per_s": min(paints),
        "p50_ms": percentile(lateness, 50),
        "p95_ms": percentile(lateness, 95),
        "max_ms": max(lateness) if lateness else float("nan"),
        "mean_ms": statistics.fmean(lateness) if lateness else float("nan"),
        "probes": len(lateness),
        "steps_per_s": steps / elapsed,
        "diverged": not controller.running and controller.latest.running is False,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--only", default=",".join(SCENARIOS),
                        help=f"comma-separated scenarios from: {', '.join(SCENARIOS)}")
    parser.add_argument("--speeds", default="max,default",
                        help="comma-separated: max (flat out), default (the window's)")
    args = parser.parse_args(argv)
    ensure_display()
    os.environ.setdefault("PYOPENGL_PLATFORM", "glx")

    from PySide6.QtCore import QSettings

    from core.config import Config
    from gui.app import make_application
    from gui.main_window import MainWindow
    from gui.threads import MAX_SPEED
    from gui.window.run_controls import DEFAULT_SPEED

    app = make_application()
    settings = QSettings(str(pathlib.Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.IniFormat)
    print(f"UI responsiveness while training ({args.seconds:g} s per scenario and speed, "
          f"{os.cpu_count()} CPUs, Qt platform {app.platformName()})")
    print(f"goal: >= {GOAL_REDRAWS:g} redraws/s and p95 event latency < {GOAL_P95_MS:g} ms\n")
    header = (f"{'scenario':<9} {'speed':>7} {'snapshots/s':>11} {'repaints/s':>10} "
              f"{'p50 ms':>7} "
              f"{'p95 ms':>7} {'max ms':>7} {'steps/s':>8}  verdict")
    print(header)
    print("-" * len(header))
    ok_all = True
    speeds = {"max": MAX_SPEED, "default": DEFAULT_SPEED}
    runs = [(n.strip(), s.strip()) for n in args.only.split(",") if n.strip()
            for s in args.speeds.split(",") if s.strip()]
    for name, speed in runs:
        what, kwargs = SCENARIOS[name]
        window = MainWindow(config=Config(**kwargs), settings=settings, restore_layout=False)
        window.show()
        while window.controller.latest is None:
            app.processEvents()
            time.sleep(0.005)
        window.set_speed(speeds[speed])
        r = measure(app, window, args.seconds)
        window.close()
        app.processEvents()
        redraws = min(r["snapshots_per_s"], r["paints_per_s"])
        ok = redraws >= GOAL_REDRAWS and r["p95_ms"] < GOAL_P95_MS
        ok_all &= ok
        print(f"{name:<9} {speed:>7} {r['snapshots_per_s']:>11.1f} {r['paints_per_s']:>10.1f} "
              f"{r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} {r['max_ms']:>7.1f} "
              f"{r['steps_per_s']:>8.0f}  {'ok' if ok else 'MISSED'}   ({what})")
    print("\nredraws/s = snapshots applied to the views (repaints/s: paint events of the "
          "slower of the two plots);\nlatency = how late a 10 ms UI-thread timer fires "
          f"({PROBE_MS} ms probe), i.e. how long a click or key waits.")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
