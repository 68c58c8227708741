"""Soak test: does the app stay lean and fast when it trains for a long time with every view live?

Opens the real main window (under Xvfb: the script starts one itself when there is no display),
shows every dock (cost, decision boundary, 3-D error surface and any other view), sets the
speed to "max", presses play and lets it train for ``--minutes`` (default 10). Every
``--interval`` seconds (default 60) it samples:

- memory: the process's resident set size (VmRSS from /proc/self/status) and the number of
  memory blocks Python has allocated (``sys.getallocatedblocks``: growth there is a Python-level
  leak; growth in RSS only is native memory: Qt, OpenGL, numpy);
- redraws per second: snapshots applied to the views, and paint events of the cost and
  boundary plots (the slower of the two), over the interval;
- training steps per second.

It prints RSS at start, after the warm-up (``--warmup`` minutes, default 1) and at the end, the
growth after warm-up, and redraws/s of the first and the last interval. Goal: memory growth
under 10% after warm-up and no slowdown (the last interval's redraw rate at least 90% of the
first's). Exit code 0 when both goals are met.

If training stops (a divergence), the script resets and plays again, and counts it.

Usage: python bench/soak.py [--minutes 10] [--interval 60] [--warmup 1] [--preset NAME]
"""
import argparse
import math
import os
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchlib import ensure_display, rss_mb  # noqa: E402
# As main.py does, before numpy is imported: single-threaded BLAS for these small networks.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
if sys.platform.startswith("linux"):
    os.environ.setdefault("PYOPENGL_PLATFORM", "glx")

GOAL_GROWTH = 0.10      # memory growth after warm-up, at most
GOAL_RATE_KEPT = 0.90   # last interval's redraw rate / first interval's, at least
DEFAULT_PRESET = "Two spirals (tanh 16-16, Adam)"


def run_event_loop(seconds):
    """The real event loop, blocked in exec() as the app's is, for ``seconds`` seconds."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    loop = QEventLoop()
    timer = QTimer()
    timer.setSingleShot(True)
    timer.setTimerType(Qt.PreciseTimer)
    timer.timeout.connect(loop.quit)
    timer.start(max(int(seconds * 1000), 0))
    loop.exec()


def make_paint_counter():
    from PySide6.QtCore import QEvent, QObject

    class PaintCounter(QObject):
        def __init__(self):
            super().__init__()
            self.count = 0

        def eventFilter(self, watched, event):
            if event.type() == QEvent.Paint:
                self.count += 1
            return False

    return PaintCounter()


class Sampler:
    """Counters read at each interval's end; each sample is the change since the last one."""

    def __init__(self, window, painters):
        self.window, self.painters = window, painters
        self.samples = []
        self._last = self._read()

    def _read(self):
        snap = self.window.controller.latest
        return {"t": time.perf_counter(), "frames": self.window.frames_shown,
                "paints": [p.count for p in self.painters],
                "steps": snap.step if snap else 0, "run": snap.run if snap else 0}

    def sample(self, restarts):
        now = self._read()
        last, self._last = self._last, now
        elapsed = max(now["t"] - last["t"], 1e-9)
        # A restart (after a divergence) begins at step 0: count its steps from there.
        steps = now["steps"] - (last["steps"] if now["run"] == last["run"] else 0)
        paints = [(a - b) / elapsed for a, b in zip(now["paints"], last["paints"])]
        sample = {"elapsed": elapsed, "rss": rss_mb(), "blocks": sys.getallocatedblocks(),
                  "snapshots": (now["frames"] - last["frames"]) / elapsed,
                  "paints": min(paints) if paints else float("nan"),
                  "steps": steps / elapsed, "restarts": restarts}
        sample["redraws"] = min(sample["snapshots"], sample["paints"])
        self.samples.append(sample)
        return sample


def soak(args, window, painters, state):
    """Train for ``args.minutes``, printing a sample every ``args.interval`` seconds; returns
    the samples (the warm-up sample gets ``"warm": True``)."""
    sampler = Sampler(window, painters)
    state["playing"] = True
    window.controller.play()
    t0 = time.perf_counter()
    total = args.minutes * 60.0
    ends = [min((i + 1) * args.interval, total) for i in range(math.ceil(total / args.interval))]
    warm = False
    for end in ends:
        run_event_loop(t0 + end - time.perf_counter())
        s = sampler.sample(state["restarts"])
        if not warm and end >= args.warmup * 60.0:
            s["warm"] = warm = True
        minute = (time.perf_counter() - t0) / 60.0
        print(f"{minute:>7.2f} {s['rss']:>8.1f} {s['blocks']:>10,} {s['snapshots']:>11.1f} "
              f"{s['paints']:>10.1f} {s['steps']:>8.0f} {s['restarts']:>8}", flush=True)
    state["playing"] = False
    window.controller.pause()
    return sampler.samples


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0,
                        help="how long to train (default 10)")
    parser.add_argument("--interval", type=float, default=60.0,
                        help="seconds between samples (default 60)")
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="minutes of warm-up before memory growth is counted (default 1)")
    parser.add_argument("--preset", default=DEFAULT_PRESET,
                        help=f"preset to train (default {DEFAULT_PRESET!r})")
    args = parser.parse_args(argv)
    if args.minutes <= 0 or args.interval <= 0 or not 0 <= args.warmup < args.minutes:
        parser.error("need --minutes > 0, --interval > 0 and 0 <= --warmup < --minutes")
    ensure_display()

    from PySide6.QtCore import QSettings, Qt

    from core import presets
    from gui.app import make_application
    from gui.main_window import MainWindow
    from gui.threads import MAX_SPEED

    preset = presets.get(args.preset)
    app = make_application()
    settings = QSettings(str(pathlib.Path(tempfile.mkdtemp()) / "soak.ini"), QSettings.IniFormat)
    window = MainWindow(config=preset.config, settings=settings, restore_layout=False)
    window.show()
    for dock in (window.controls_dock, *window.views):
        dock.setVisible(True)
    # The anatomy shares a tab with the cost curve, and a view behind a tab is not redrawn:
    # side by side, both are live.
    window.splitDockWidget(window.cost_dock, window.anatomy_dock, Qt.Horizontal)
    while window.controller.latest is None:
        app.processEvents()
        time.sleep(0.005)
    window.set_speed(MAX_SPEED)
    painters = []
    for widget in (window.cost_plot.cost_widget, window.boundary_plot.canvas):
        counter = make_paint_counter()
        widget.viewport().installEventFilter(counter)
        painters.append(counter)
    views = ", ".join(d.windowTitle() for d in window.views if d.isVisible())
    gl = getattr(getattr(window, "surface_view", None), "gl_available", lambda: False)()

    print(f"Soak: {args.minutes:g} min training flat out, sampled every {args.interval:g} s; "
          f"{os.cpu_count()} CPUs, Qt platform {app.platformName()}")
    print(f"preset: {preset.name}")
    print(f"views live: {views} (3-D OpenGL: {'yes' if gl else 'NO'})")
    print(f"goal: memory growth < {GOAL_GROWTH:.0%} after {args.warmup:g} min warm-up; last "
          f"interval's redraws/s >= {GOAL_RATE_KEPT:.0%} of the first's\n")
    header = (f"{'minute':>7} {'RSS MB':>8} {'py blocks':>10} {'snapshots/s':>11} "
              f"{'repaints/s':>10} {'steps/s':>8} {'restarts':>8}")
    print(header)
    print("-" * len(header), flush=True)

    app.processEvents()
    start_rss = rss_mb()
    start_blocks = sys.getallocatedblocks()
    print(f"{0:>7.2f} {start_rss:>8.1f} {start_blocks:>10,}", flush=True)
    state = {"restarts": 0}

    def on_running_changed(running):
        # A divergence pauses training; start again so the soak keeps training.
        if not running and state.get("playing"):
            state["restarts"] += 1
            window.controller.reset()
            window.controller.play()

    window.controller.running_changed.connect(on_running_changed)
    try:
        samples = soak(args, window, painters, state)
    finally:
        # Close whatever happened, so the training thread ends before the interpreter does.
        state["playing"] = False
        window.close()
        app.processEvents()

    end_rss, end_blocks = samples[-1]["rss"], samples[-1]["blocks"]
    warm_sample = next((x for x in samples if x.get("warm")), samples[0])
    warm_rss, warm_blocks = warm_sample["rss"], warm_sample["blocks"]
    growth = (end_rss - warm_rss) / warm_rss
    first, last = samples[0]["redraws"], samples[-1]["redraws"]
    kept = last / first if first > 0 else float("nan")
    ok_memory = growth < GOAL_GROWTH
    ok_speed = kept >= GOAL_RATE_KEPT
    print()
    print(f"RSS: start {start_rss:.1f} MB, after warm-up {warm_rss:.1f} MB, end {end_rss:.1f} MB;"
          f" growth after warm-up {growth:+.1%} (goal < {GOAL_GROWTH:.0%}): "
          f"{'ok' if ok_memory else 'MISSED'}")
    print(f"Python blocks: start {start_blocks:,}, after warm-up {warm_blocks:,}, end "
          f"{end_blocks:,} ({(end_blocks - warm_blocks) / warm_blocks:+.1%} after warm-up)")
    print(f"redraws/s: first interval {first:.1f}, last interval {last:.1f} "
          f"(last/first {kept:.2f}, goal >= {GOAL_RATE_KEPT:.2f}): "
          f"{'ok' if ok_speed else 'MISSED'}")
    print(f"steps/s: first interval {samples[0]['steps']:.0f}, last interval "
          f"{samples[-1]['steps']:.0f}; restarts after divergence: {state['restarts']}")
    print("\nredraws/s = the lower of snapshots applied to the views and paint events of the "
          "slower of the cost and boundary plots.")
    return 0 if ok_memory and ok_speed else 1


if __name__ == "__main__":
    sys.exit(main())
