"""Costscape: watch a neural network learn. Run ``python main.py`` (``--help`` for options).

Kept tiny so ``--version`` answers without loading Qt; everything else is in ``gui.app``.
"""
import os
import sys


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--version" in argv:
        from gui.version import version
        print(f"Costscape {version()}")
        return 0
    # The networks here are small: a BLAS thread pool only competes with the training and UI
    # threads for the cores (measured: a 100x100 boundary grid is faster single-threaded).
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    if sys.platform.startswith("linux"):
        # PyOpenGL must use the GL backend Qt uses (GLX under X11 and XWayland); on Wayland
        # desktops it would pick EGL and the 3-D view would stay black. Users may override it.
        os.environ.setdefault("PYOPENGL_PLATFORM", "glx")
    from gui.app import main as app_main
    return app_main(argv)


if __name__ == "__main__":
    sys.exit(main())
