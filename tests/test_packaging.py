"""Fast checks of the packaging: spec, icons, desktop entry, install script, version, wheel.

The PyInstaller build itself is not run here (it takes a minute); CI builds it and smoke-runs
the result (packaging/smoke_test.sh).
"""
import ast
import configparser
import importlib.util
import os
import pathlib
import shutil
import struct
import subprocess
import sys
import tomllib
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
SPEC = ROOT / "packaging" / "costscape.spec"
DESKTOP = ROOT / "packaging" / "costscape.desktop"
INSTALL = ROOT / "scripts" / "install_desktop.sh"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph", "OpenGL")


def png_size(data):
    """(width, height) from a PNG's IHDR chunk; fails unless ``data`` starts like a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


# ----------------------------------------------------------------------------- spec
def spec_list(name):
    """The literal list assigned to ``name`` in the spec (first assignment)."""
    tree = ast.parse(SPEC.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            value = node.value
            if isinstance(value, ast.IfExp):      # `[...] if LINUX else []`
                value = value.body
            return ast.literal_eval(value)
    raise AssertionError(f"{name} not assigned in the spec")


def test_spec_is_python_and_targets_main():
    text = SPEC.read_text()
    ast.parse(text)
    assert '"main.py"' in text
    # The version comes from pyproject.toml, bundled beside the gui package (no pip install
    # needed where the app is built).
    assert '(str(ROOT / "pyproject.toml"), ".")' in text


def test_spec_bundles_egl_beside_glx():
    hidden = spec_list("hiddenimports")
    assert {"OpenGL.platform.egl", "OpenGL.platform.glx"} <= set(hidden)


def test_spec_excludes_dev_only_packages():
    excludes = set(spec_list("excludes"))
    assert {"torch", "pytest", "_pytest", "hypothesis", "tests", "pytestqt"} <= excludes
    # Modules the app imports (directly or through pyqtgraph) must never be excluded.
    needed = {"numpy", "pyqtgraph", "OpenGL", "colorama", "PySide6.QtCore", "PySide6.QtGui",
              "PySide6.QtWidgets", "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets",
              "PySide6.QtSvg", "PySide6.QtTest", "core", "gui", "superqt", "qtpy", "pygments",
              # The formulas: matplotlib's mathtext and what importing matplotlib needs
              # (rcsetup imports matplotlib.backends; colors imports PIL.Image).
              "matplotlib", "matplotlib.mathtext", "matplotlib._mathtext", "matplotlib.ft2font",
              "matplotlib.font_manager", "matplotlib.backends", "PIL", "PIL.Image",
              "PIL.PngImagePlugin", "pyparsing", "kiwisolver", "cycler", "dateutil",
              "fontTools", "packaging"}
    assert not needed & excludes


def test_spec_bundles_recording_and_the_notebook_export_not_the_notebook_runner():
    hidden = set()
    for node in ast.walk(ast.parse(SPEC.read_text())):  # every `hiddenimports (+)= [...]`
        target = getattr(node, "target", None) or (node.targets[0] if isinstance(
            node, ast.Assign) else None)
        if isinstance(target, ast.Name) and target.id == "hiddenimports":
            value = node.value.body if isinstance(node.value, ast.IfExp) else node.value
            hidden |= set(ast.literal_eval(value))
    excludes = set(spec_list("excludes"))
    # PyAV (with FFmpeg's libraries) writes MP4 and GIF, Pillow's plug-ins GIF and PNG,
    # nbformat the notebook: imported lazily, so named, and never excluded.
    assert {"av", "PIL.GifImagePlugin", "PIL.PngImagePlugin", "nbformat"} <= hidden
    assert not {"av", "PIL", "nbformat", "jsonschema", "traitlets"} & excludes
    # The tests run the exported notebook with nbclient and ipykernel; the app imports neither
    # (it imports matplotlib's mathtext only: pyplot stays out).
    assert {"nbclient", "ipykernel", "jupyter_client", "zmq", "matplotlib.pyplot"} <= excludes
    dependencies = " ".join(PYPROJECT["project"]["dependencies"])
    assert all(name in dependencies for name in ("av==", "pillow==", "nbformat==", "matplotlib"))
    test_extra = " ".join(PYPROJECT["project"]["optional-dependencies"]["test"])
    assert all(name in test_extra for name in ("nbclient", "ipykernel"))


def test_spec_keeps_the_fonts_the_formulas_are_set_in():
    """The spec leaves out matplotlib data that mathtext never reads; the fonts of the "cm"
    font set, its STIX fallback, DejaVu Sans (the words) and matplotlibrc must stay."""
    from gui.widgets.math import FONTSET
    assert FONTSET == "cm"
    tree = ast.parse(SPEC.read_text())
    unused = next(ast.literal_eval(node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Assign) and any(
                      isinstance(t, ast.Name) and t.id == "MPL_UNUSED" for t in node.targets))
    import matplotlib
    data = pathlib.Path(matplotlib.get_data_path())
    kept = ["matplotlibrc", "fonts/ttf/DejaVuSans.ttf", "fonts/ttf/DejaVuSans-Bold.ttf",
            "fonts/ttf/STIXGeneral.ttf", "fonts/ttf/STIXSizOneSymReg.ttf"]
    kept += [f"fonts/ttf/{path.name}" for path in (data / "fonts" / "ttf").glob("cm*.ttf")]
    assert len(kept) >= 13  # cmb10, cmex10, cmmi10, cmr10, cmss10, cmsy10, cmti10, cmtt10
    for path in kept:
        assert (data / path).is_file(), path
        assert not path.startswith(tuple(unused)), path
    assert "fonts/ttf/DejaVuSansMono.ttf".startswith(tuple(unused))


def spec_dict(name):
    """The literal dict assigned to ``name`` in the spec."""
    for node in ast.walk(ast.parse(SPEC.read_text())):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not assigned in the spec")


def test_spec_bundles_the_sources_the_code_view_copies():
    """core.codegen copies functions with inspect.getsource: in the frozen app their .py files
    must be there too ("pyz+py"), or the code view fails."""
    from core.codegen import SOURCE_MODULES
    modes = spec_dict("module_collection_mode")
    assert {name: modes.get(name) for name in SOURCE_MODULES} == dict.fromkeys(SOURCE_MODULES,
                                                                              "pyz+py")
    assert "module_collection_mode=module_collection_mode" in SPEC.read_text()
    for name in SOURCE_MODULES:
        assert importlib.util.find_spec(name) is not None, name


def test_spec_icon_files_exist():
    text = SPEC.read_text()
    for name in ("costscape.ico", "costscape.icns", "costscape.svg", "costscape-small.svg"):
        assert name in text
        assert (ASSETS / name).is_file()


# ----------------------------------------------------------------------------- icons
@pytest.mark.parametrize("size", SIZES)
def test_png_icon_has_its_size(size):
    data = (ASSETS / "icons" / f"costscape-{size}.png").read_bytes()
    assert png_size(data) == (size, size)


def test_svg_icons_parse():
    import xml.etree.ElementTree as ET
    for name in ("costscape.svg", "costscape-small.svg"):
        root = ET.parse(ASSETS / name).getroot()
        assert root.tag.endswith("svg")
        assert root.get("viewBox") == "0 0 512 512"


def test_ico_holds_windows_sizes_as_pngs():
    data = (ASSETS / "costscape.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = set()
    for i in range(count):
        w, h, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", data[6 + 16 * i:22 + 16 * i])
        w, h = w or 256, h or 256
        assert png_size(data[offset:offset + length]) == (w, h)
        sizes.add(w)
    assert {16, 24, 32, 48, 256} <= sizes


def test_icns_is_well_formed():
    data = (ASSETS / "costscape.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    pos, kinds = 8, {}
    while pos < len(data):
        kind, length = struct.unpack(">4sI", data[pos:pos + 8])
        kinds[kind] = png_size(data[pos + 8:pos + length])
        pos += length
    assert pos == len(data)
    assert kinds[b"ic07"] == (128, 128) and kinds[b"ic09"] == (512, 512)
    assert kinds[b"ic10"] == (1024, 1024) and kinds[b"icp4"] == (16, 16)


# ----------------------------------------------------------------------------- desktop entry
def read_desktop(path):
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str                  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_template_has_required_keys():
    entry = read_desktop(DESKTOP)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Costscape"
    assert entry["Exec"] == "@EXEC@ %f" and entry["TryExec"] == "@TRYEXEC@"
    assert entry["MimeType"] == "application/x-costscape;application/x-costscape-lesson;"
    assert entry["Icon"] == "costscape"
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";") and "Education" in entry["Categories"]
    assert entry["StartupWMClass"] == "Costscape"


@pytest.fixture
def fake_build(tmp_path):
    """A stand-in onedir build: a directory holding an executable ``costscape``."""
    app = tmp_path / "build with space" / "costscape"
    app.mkdir(parents=True)
    exe = app / "costscape"
    exe.write_text("#!/bin/sh\necho fake\n")
    exe.chmod(0o755)
    return app


def test_install_script_installs_and_uninstalls(tmp_path, fake_build):
    data = tmp_path / "data"
    env = dict(os.environ, XDG_DATA_HOME=str(data))
    subprocess.run(["bash", str(INSTALL), "--app-dir", str(fake_build)], env=env, check=True,
                   capture_output=True)
    desktop = data / "applications" / "costscape.desktop"
    entry = read_desktop(desktop)
    exe = data / "costscape" / "app" / "costscape"
    assert entry["Exec"] == f'"{exe}" %f'        # quoted: the path has no characters to escape
    assert entry["TryExec"] == str(exe)
    assert subprocess.run([str(exe)], capture_output=True, text=True).stdout == "fake\n"
    for size in SIZES:
        icon = data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "costscape.png"
        assert png_size(icon.read_bytes()) == (size, size)
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "costscape.svg").is_file()
    mime = data / "mime" / "packages" / "costscape.xml"
    assert '<glob pattern="*.costscape"/>' in mime.read_text()
    assert '<glob pattern="*.costscape-lesson"/>' in mime.read_text()
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(desktop)], check=True)

    subprocess.run(["bash", str(INSTALL), "--uninstall"], env=env, check=True,
                   capture_output=True)
    assert not desktop.exists() and not (data / "costscape").exists() and not mime.exists()
    assert not list((data / "icons").rglob("costscape.*"))


def test_install_script_refuses_without_a_build(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"))
    done = subprocess.run(["bash", str(INSTALL), "--app-dir", str(tmp_path / "nothing")],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 1 and "make dist" in done.stderr
    assert not (tmp_path / "data").exists()


# ----------------------------------------------------------------------------- version
def test_version_is_pyprojects():
    from gui.version import version
    assert version() == PYPROJECT["project"]["version"]


def test_version_parses_pyproject_without_tomllib(monkeypatch, tmp_path):
    """Python 3.10 has no tomllib: the regex fallback must read the same version."""
    from gui import version as v
    monkeypatch.setitem(sys.modules, "tomllib", None)       # makes `import tomllib` fail
    assert v._from_pyproject(ROOT / "pyproject.toml") == PYPROJECT["project"]["version"]
    other = tmp_path / "pyproject.toml"
    other.write_text('[project]\nname = "something-else"\nversion = "9.9"\n')
    assert v._from_pyproject(other) is None


def test_version_falls_back_to_metadata(monkeypatch, tmp_path):
    from gui import version as v
    monkeypatch.setattr(v, "PYPROJECT", tmp_path / "missing.toml")
    v.version.cache_clear()
    monkeypatch.setattr(v.importlib.metadata, "version", lambda name: "1.2.3")
    try:
        assert v.version() == "1.2.3"
    finally:
        v.version.cache_clear()


def test_main_version_prints_without_importing_qt():
    done = subprocess.run([sys.executable, "-X", "importtime", "main.py", "--version"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == f"Costscape {PYPROJECT['project']['version']}"
    imported = {line.split("|")[-1].strip().split(".")[0]
                for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert not imported & set(QT_MODULES)


# ----------------------------------------------------------------------------- resources
def test_asset_path_finds_icons_from_source():
    from gui.resources import asset_path, icon_paths
    assert asset_path("costscape.svg") == ASSETS / "costscape.svg"
    assert len(icon_paths()) == len(SIZES) + 1
    with pytest.raises(FileNotFoundError, match="nope.png"):
        asset_path("nope.png")


def test_asset_path_prefers_the_frozen_bundle(monkeypatch, tmp_path):
    from gui import resources
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "costscape.svg").write_text("<svg/>")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.asset_path("costscape.svg") == tmp_path / "assets" / "costscape.svg"


# ----------------------------------------------------------------------------- pip install .
def test_pyproject_lists_every_package():
    """setuptools is given an explicit package list: a new sub-package must be added to it."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    for top in ("core", "gui"):
        for init in (ROOT / top).rglob("__init__.py"):
            name = ".".join(init.parent.relative_to(ROOT).parts)
            assert name in listed, f"add {name!r} to [tool.setuptools] packages in pyproject.toml"
    assert PYPROJECT["project"]["gui-scripts"]["costscape"] == "main:main"


def test_wheel_carries_code_assets_and_launcher(tmp_path):
    """Build the wheel from a copy of the sources, as `pip install .` does, and look in it.

    With build isolation, like a user's install: the venv's own setuptools may be older than
    the one pyproject asks for (a fresh venv has 65, which cannot read `license = "MIT"`)."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "main.py"):
        shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("core", "gui", "assets"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "-w", str(tmp_path / "wheel"), str(src)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = (tmp_path / "wheel").glob("costscape-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "main.py" in names and "gui/version.py" in names and "gui/resources.py" in names
    assert {"core/datasets/csv.py", "core/codegen/snippets/losses.py"} <= names
    assert "gui/assets/costscape.svg" in names
    assert {f"gui/assets/icons/costscape-{s}.png" for s in SIZES} <= names
    lessons = {f"gui/assets/lessons/{p.name}" for p in (ASSETS / "lessons").glob("*-lesson")}
    assert len(lessons) >= 10 and lessons <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[gui_scripts]" in text and "costscape = main:main" in text


def test_spec_bundles_the_lessons():
    datas = spec_list_of_tuples("datas")
    assert ("ASSETS/lessons", "assets/lessons") in datas


def spec_list_of_tuples(name):
    """The list assigned to ``name``, with each ``str(ASSETS / "x")`` shown as ``ASSETS/x``."""
    for node in ast.walk(ast.parse(SPEC.read_text())):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return [tuple(_shown(element) for element in item.elts) for item in node.value.elts]
    raise AssertionError(f"{name} not assigned in the spec")


def _shown(node):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Call):  # str(ROOT / "x")
        node = node.args[0]
    if isinstance(node, ast.BinOp):
        return f"{_shown(node.left)}/{_shown(node.right)}"
    return node.id if isinstance(node, ast.Name) else ast.dump(node)


def test_a_lesson_file_given_alone_starts_the_lesson():
    from gui.app import parse_args

    args = parse_args(["intro.costscape-lesson"])
    assert (args.lesson, args.config) == ("intro.costscape-lesson", None)
    assert parse_args(["--config", "x.Costscape-Lesson"]).lesson == "x.Costscape-Lesson"
    assert parse_args(["run.costscape"]).lesson is None


def test_a_file_given_alone_is_the_config_file():
    # A file manager runs `costscape /path/run.costscape` (the desktop entry's %f).
    from gui.app import parse_args

    assert parse_args(["run.costscape"]).config == "run.costscape"
    assert parse_args(["--config", "run.costscape"]).config == "run.costscape"
    assert parse_args([]).config is None
    with pytest.raises(SystemExit):
        parse_args(["a.costscape", "--config", "b.costscape"])
