"""Fail unless PATH is a real screenshot: a PNG that loads, of a sensible size, and not blank.

Usage: python packaging/check_screenshot.py PATH [--min-colours N]
Exit 0 and one summary line when it passes; exit 1 with the reason otherwise.
"""
import argparse
import pathlib
import sys

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check(path, min_colours=16, min_side=200):
    """Reasons ``path`` is not a usable screenshot (empty list: it is) and a summary."""
    path = pathlib.Path(path)
    if not path.is_file():
        return [f"{path} does not exist"], ""
    data = path.read_bytes()
    if not data:
        return [f"{path} is empty"], ""
    if not data.startswith(PNG_SIGNATURE):
        return [f"{path} is not a PNG"], ""
    from PySide6.QtGui import QImage  # QImage needs no QGuiApplication and no display

    image = QImage(str(path))
    if image.isNull():
        return [f"Qt cannot decode {path}"], ""
    w, h = image.width(), image.height()
    step = max(1, min(w, h) // 100)          # about 10,000 samples
    colours = {image.pixel(x, y) for x in range(0, w, step) for y in range(0, h, step)}
    problems = []
    if min(w, h) < min_side:
        problems.append(f"{w}x{h} is too small for a window")
    if len(colours) < min_colours:
        problems.append(f"only {len(colours)} colours: the window looks blank")
    return problems, f"{path}: {len(data)} bytes, {w}x{h}, {len(colours)}+ colours"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--min-colours", type=int, default=16)
    args = parser.parse_args(argv)
    problems, summary = check(args.path, args.min_colours)
    if problems:
        for p in problems:
            print(f"screenshot check FAILED: {p}", file=sys.stderr)
        return 1
    print(f"screenshot OK: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
