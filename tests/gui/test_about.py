"""Help > About shows the icon, name, version (pyproject's), licence and library versions."""
import tomllib
import pathlib

import numpy
import pyqtgraph
from PySide6.QtCore import qVersion

from gui.dialogs.about import make_about_box

PYPROJECT = tomllib.loads((pathlib.Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())


def test_about_box_says_what_and_which_version(qtbot):
    box = make_about_box()
    qtbot.addWidget(box)
    text = box.text()
    assert f"Costscape {PYPROJECT['project']['version']}" in text
    assert "MIT" in text
    for version in (qVersion(), pyqtgraph.__version__, numpy.__version__):
        assert version in text
    assert box.windowTitle() == "About Costscape"
    assert not box.iconPixmap().isNull()
