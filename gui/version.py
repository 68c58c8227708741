"""Costscape's version, the one in ``pyproject.toml``, wherever the code runs from.

Imports nothing from Qt, so ``main.py --version`` answers at once.

- From a source checkout (``python main.py``, an editable install): ``pyproject.toml`` beside
  the sources is read, so the answer cannot go stale when the version is bumped and the
  environment has not been reinstalled yet.
- From an installed wheel: the package metadata (``importlib.metadata``).
- Inside the PyInstaller app: the spec bundles ``pyproject.toml`` where the first rule finds it.
"""
import functools
import importlib.metadata
import pathlib
import re

DIST_NAME = "costscape"
PYPROJECT = pathlib.Path(__file__).resolve().parents[1] / "pyproject.toml"


def _from_pyproject(path):
    """The ``[project] version`` of ``path`` if it is Costscape's pyproject, else None."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    try:
        import tomllib  # Python 3.11+
    except ModuleNotFoundError:  # 3.10: the two keys are simple strings, a regex is enough
        section = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
        if not section:
            return None
        fields = dict(re.findall(r'^(name|version)\s*=\s*"([^"]*)"', section.group(1), re.M))
    else:
        try:
            fields = tomllib.loads(text).get("project", {})
        except tomllib.TOMLDecodeError:
            return None
    if fields.get("name") != DIST_NAME or not fields.get("version"):
        return None
    return str(fields["version"])


@functools.lru_cache(maxsize=None)
def version() -> str:
    """Costscape's version string, e.g. ``"0.1.0"``; ``"unknown"`` if nothing says."""
    found = _from_pyproject(PYPROJECT)
    if found:
        return found
    try:
        return importlib.metadata.version(DIST_NAME)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
