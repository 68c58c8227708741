"""Test-wide set-up: Qt attributes before any QApplication, and settings kept out of the user's.

Runs at import, before pytest-qt makes its QApplication:

- ``AA_ShareOpenGLContexts`` (two GL views in one process, docs/headless-qt.md);
- QSettings in a throw-away folder, so tests neither read the user's remembered window layout
  nor write over it, and do not affect one another across runs;
- pyqtgraph's options as the app sets them (row-major images, white plots).
"""
import os
import sys
import tempfile

if sys.platform.startswith("linux"):
    os.environ.setdefault("PYOPENGL_PLATFORM", "glx")

_SETTINGS_DIR = tempfile.mkdtemp(prefix="costscape-test-settings-")
# QSettings on Linux also follows XDG_CONFIG_HOME; point it away as well.
os.environ["XDG_CONFIG_HOME"] = _SETTINGS_DIR

try:
    from PySide6.QtCore import QCoreApplication, QSettings, Qt
except ImportError:  # the core tests run without Qt installed
    pass
else:
    QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
    QSettings.setDefaultFormat(QSettings.IniFormat)
    for scope in (QSettings.UserScope, QSettings.SystemScope):
        QSettings.setPath(QSettings.IniFormat, scope, _SETTINGS_DIR)
        QSettings.setPath(QSettings.NativeFormat, scope, _SETTINGS_DIR)
    QCoreApplication.setOrganizationName("Costscape-tests")
    QCoreApplication.setApplicationName("Costscape-tests")

    try:
        from gui.app import configure_pyqtgraph
    except ImportError:
        pass
    else:
        configure_pyqtgraph()


import pytest  # noqa: E402  (after the Qt set-up above, which must run first)


@pytest.fixture(scope="session", autouse=True)
def _delete_closed_windows_before_qt_exits():
    """Run the deletions pytest-qt schedules for each test's widgets before Qt shuts down.

    pytest-qt closes a test's widgets and calls ``deleteLater``; after the last test no event
    loop runs again, so those windows would outlive the QApplication, and destroying one that
    holds the 3-D view's window container then crashes in ``~QApplication`` (exit code 139
    after every test passed).
    """
    yield
    if "PySide6" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent

    app = QCoreApplication.instance()
    if app is not None:
        for _ in range(3):
            QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
            app.processEvents()
