"""What the benchmark scripts share: timing, verdicts, and a virtual screen for the GUI ones.

The scripts run as ``python bench/NAME.py``, so this folder is on ``sys.path`` and they import
this module by name.
"""
import os
import shutil
import subprocess
import sys
import time


def best_time(run, repeat):
    """Smallest wall time of ``run()`` over ``repeat`` calls, after one warm-up call (the
    machine is shared; the best time is the least disturbed)."""
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def verdict(ok):
    return "ok" if ok else "MISSED"


def ensure_display():
    """Re-run the calling script under xvfb-run when there is no X display."""
    if os.environ.get("DISPLAY") or os.environ.get("COSTSCAPE_BENCH_CHILD"):
        return
    if not shutil.which("xvfb-run"):
        sys.exit("No DISPLAY and no xvfb-run: install xvfb (see docs/headless-qt.md).")
    env = dict(os.environ, COSTSCAPE_BENCH_CHILD="1")
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, *sys.argv]
    sys.exit(subprocess.call(cmd, env=env))


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux: VmRSS in /proc/self/status)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")
