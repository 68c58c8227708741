"""Where Costscape's files (icons) are, whether it runs from source, installed, or frozen.

The files live in ``assets/`` at the top of the repository. Each way of running puts them
somewhere else, so every lookup goes through :func:`asset_path`:

- source checkout and editable install: ``<repo>/assets`` (the parent of this package);
- installed wheel: ``gui/assets`` inside site-packages (pyproject maps the package
  ``gui.assets`` onto ``assets/`` and lists the files as package data);
- PyInstaller app: ``<bundle>/assets`` (``sys._MEIPASS``; the spec copies ``assets/`` there).

Qt is imported only by :func:`app_icon`, so the path helpers work without a display.
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
ICON_NAME = "costscape"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def asset_dirs():
    """Folders that may hold the assets, in the order they are searched."""
    dirs = []
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        dirs.append(pathlib.Path(bundle) / "assets")
    dirs += [HERE / "assets", HERE.parent / "assets"]
    return dirs


def asset_path(name: str) -> pathlib.Path:
    """Absolute path of asset ``name`` (e.g. ``"costscape.svg"``, ``"icons/costscape-48.png"``).

    Raises FileNotFoundError naming the places searched when no copy exists.
    """
    for folder in asset_dirs():
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"asset {name!r} not found in: " +
                            ", ".join(str(d) for d in asset_dirs()))


def icon_paths():
    """The application icon's PNG files, smallest first, and the SVG, as far as they exist."""
    names = [f"icons/{ICON_NAME}-{size}.png" for size in ICON_SIZES] + [f"{ICON_NAME}.svg"]
    found = []
    for name in names:
        try:
            found.append(asset_path(name))
        except FileNotFoundError:
            pass
    return found


def app_icon():
    """A QIcon with every size of the application icon (empty if none can be found).

    Pixel sizes come from the PNGs, drawn for small sizes, rather than from scaling the SVG.
    """
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for path in icon_paths():
        if path.suffix == ".png":
            icon.addFile(str(path))
    return icon
