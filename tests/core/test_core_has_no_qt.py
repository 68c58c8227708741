"""core is a plain numpy library: importing all of it must not pull in Qt or plotting code."""
import pathlib
import subprocess
import sys

CORE = pathlib.Path(__file__).resolve().parents[2] / "core"


def test_importing_core_loads_no_qt():
    # Every module, those of subpackages (core/landscape/) included.
    modules = sorted(".".join(p.relative_to(CORE.parent).with_suffix("").parts)
                     for p in CORE.rglob("*.py"))
    code = ("import sys; " + "; ".join(f"import {m}" for m in modules) +
            "; bad = [m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'shiboken6', 'pyqtgraph', 'OpenGL', 'PyQt5', 'PyQt6')]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=CORE.parent, check=True).stdout
    assert out.strip() == "[]"


def test_core_sources_do_not_mention_qt_imports():
    for path in CORE.rglob("*.py"):
        text = path.read_text()
        for name in ("PySide6", "pyqtgraph", "PyQt"):
            assert f"import {name}" not in text and f"from {name}" not in text, path
