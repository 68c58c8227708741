"""Time from launch to the first painted window, from source and built; size of the build.

Measured from outside, the way a user sees it: this script starts its own X server (Xvfb, via
xvfb-run), grabs the whole screen over and over while the app starts, and stops the clock at
the first grab in which a window with real content is on screen (the screen changed, and the
changed part has many colours, so an unpainted window background does not count). The app is
then killed. Nothing in the app is instrumented, so source and built app are measured alike.

Programs timed (each that exists):
  source   python main.py                  (this interpreter)
  built    dist/costscape/costscape        (make dist)
  onefile  dist/costscape-onefile          (COSTSCAPE_ONEFILE=1 make dist)

Each is launched once to warm the disk cache (reported as "first"), then --runs times,
the programs taking turns; the median is the figure. Goals on these machines: source < 2 s, built < 4 s.

Usage: python bench/startup.py [--runs 5] [--timeout 30] [--only source,built]
"""
import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
GOALS = {"source": 2.0, "built": 4.0, "onefile": 4.0}
SCREEN = "1600x1000x24"


def programs():
    """(label, argv) of every program there is to time."""
    found = [("source", [sys.executable, str(ROOT / "main.py")])]
    for label, path in (("built", ROOT / "dist" / "costscape" / "costscape"),
                        ("onefile", ROOT / "dist" / "costscape-onefile")):
        if path.is_file() and os.access(path, os.X_OK):
            found.append((label, [str(path)]))
    return found


def disk_usage(path):
    """Bytes on disk (allocated blocks, like du) and number of files under ``path``."""
    path = pathlib.Path(path)
    if path.is_file():
        return path.stat().st_blocks * 512, 1
    total, files = 0, 0
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            total += st.st_blocks * 512
            files += name in filenames
    return total, files


class ScreenWatcher:
    """Grabs the X screen this process runs on and tells when a painted window appears."""

    def __init__(self):
        import numpy as np
        from PySide6.QtGui import QGuiApplication

        os.environ["QT_QPA_PLATFORM"] = "xcb"
        self.np = np
        self.app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
        self.screen = self.app.primaryScreen()

    def grab(self):
        """The screen as a (rows, cols) uint32 array, every 4th pixel each way."""
        from PySide6.QtGui import QImage

        image = self.screen.grabWindow(0).toImage().convertToFormat(QImage.Format.Format_RGB32)
        w, h, stride = image.width(), image.height(), image.bytesPerLine()
        pixels = self.np.frombuffer(image.constBits(), dtype=self.np.uint32, count=h * stride // 4)
        return pixels.reshape(h, stride // 4)[::4, :w:4].copy()

    def painted(self, baseline, frame, min_pixels=2000, min_colours=12):
        changed = frame != baseline
        if int(changed.sum()) < min_pixels:
            return False
        return len(self.np.unique(frame[changed])) >= min_colours

    def time_to_paint(self, argv, timeout):
        """Seconds from launching ``argv`` to its first painted window (None on timeout)."""
        baseline = self.grab()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=dict(os.environ, QT_QPA_PLATFORM="xcb"))
        try:
            while time.perf_counter() - start < timeout:
                frame = self.grab()
                elapsed = time.perf_counter() - start
                if self.painted(baseline, frame):
                    return elapsed
                if proc.poll() is not None:
                    err = proc.stderr.read().decode(errors="replace")[-2000:]
                    raise RuntimeError(f"{argv[0]} exited with {proc.returncode} before "
                                       f"painting:\n{err}")
                time.sleep(0.002)
            return None
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            proc.stderr.close()
            # Let the X server drop the window before the next baseline.
            time.sleep(0.3)


def fmt_size(n):
    return f"{n / 2**20:.0f} MiB"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per program (default 5)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a window")
    parser.add_argument("--only", default="", help="comma-separated labels, e.g. source,built")
    parser.add_argument("--own-display", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if not args.own_display:
        # Always measure on a fresh, empty virtual screen: nothing else can change the pixels.
        if not shutil.which("xvfb-run"):
            sys.exit("bench/startup.py needs xvfb-run (apt-get install xvfb xauth)")
        cmd = ["xvfb-run", "-a", "-s", f"-screen 0 {SCREEN}", sys.executable,
               os.path.abspath(__file__), "--own-display", *(argv if argv is not None else sys.argv[1:])]
        return subprocess.call(cmd)

    wanted = set(filter(None, args.only.split(",")))
    todo = [(label, cmd) for label, cmd in programs() if not wanted or label in wanted]
    watcher = ScreenWatcher()
    print(f"Launch to first painted window, {SCREEN} Xvfb, {os.cpu_count()} CPUs "
          f"(median of {args.runs} after one warm-up launch):")
    # Interleave the programs run by run, so a busy moment on a shared machine hits all alike.
    firsts = {label: watcher.time_to_paint(cmd, args.timeout) for label, cmd in todo}
    times = {label: [] for label, _ in todo}
    for _ in range(args.runs):
        for label, cmd in todo:
            times[label].append(watcher.time_to_paint(cmd, args.timeout))
    for label, cmd in todo:
        ok = [t for t in times[label] if t is not None]
        shown = " ".join(os.path.relpath(c, ROOT) if c.startswith(str(ROOT)) else c for c in cmd)
        if not ok:
            print(f"  {label:8s} no window within {args.timeout:.0f} s   {shown}")
            continue
        med = statistics.median(ok)
        goal = GOALS.get(label)
        verdict = f"goal < {goal:.0f} s: {'met' if med < goal else 'MISSED'}" if goal else ""
        first = firsts[label]
        first_s = f"{first:.2f}" if first is not None else "timeout"
        print(f"  {label:8s} {med:5.2f} s  (min {min(ok):.2f}, max {max(ok):.2f}, "
              f"first {first_s})  {verdict}   {shown}")
    print("Package size on disk:")
    for label, path in (("onedir", ROOT / "dist" / "costscape"),
                        ("onefile", ROOT / "dist" / "costscape-onefile")):
        if path.exists():
            size, files = disk_usage(path)
            print(f"  {label:8s} {fmt_size(size):>9s}  {files} files   {path.relative_to(ROOT)}")
    if not (ROOT / "dist" / "costscape").exists():
        print("  (no build: run `make dist`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
