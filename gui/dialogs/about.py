"""Help > About: the app's icon, name, version, what it is for, its licence, and the versions
of the libraries it runs on (what a bug report needs)."""
import platform

import numpy
import pyqtgraph
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QMessageBox

from gui.resources import app_icon
from gui.version import version

DESCRIPTION = ("Watch a neural network learn: live cost curve, decision boundary and a "
               "rotatable 3-D error surface over weight space.")
LICENCE = "MIT"


def library_versions():
    """(name, version) of Python and the libraries that draw and compute."""
    try:
        import OpenGL
        opengl = OpenGL.__version__
    except ImportError:  # the app still runs its 2-D views without PyOpenGL
        opengl = "not installed"
    return [("Python", platform.python_version()), ("Qt", qVersion()),
            ("PySide6", pyside_version), ("pyqtgraph", pyqtgraph.__version__),
            ("PyOpenGL", opengl), ("numpy", numpy.__version__)]


def about_text():
    """The dialog's rich text."""
    rows = "".join(f"<tr><td>{name}</td><td>&nbsp;{ver}</td></tr>"
                   for name, ver in library_versions())
    return (f"<h3>Costscape {version()}</h3>"
            f"<p>{DESCRIPTION}</p>"
            f"<p>Licence: {LICENCE}</p>"
            f"<p><small>Running on</small></p><table>{rows}</table>")


def make_about_box(parent=None):
    """The About box, built but not shown (tests inspect it; :func:`show_about` runs it)."""
    box = QMessageBox(parent)
    box.setWindowTitle("About Costscape")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text())
    icon = app_icon()
    if not icon.isNull():
        box.setIconPixmap(icon.pixmap(96, 96))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return box


def show_about(parent=None):
    """Show the About box modally over ``parent`` until the user closes it."""
    make_about_box(parent).exec()
