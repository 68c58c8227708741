"""The error surface over two directions in weight space, with the optimizer's path on it.

The view shows ``f(α, β) = J(θ₀ + α·d1 + β·d2)``: the training cost (mean loss plus the
regularization penalty, what the optimizer minimizes) over a plane through the *anchor* θ₀,
as a rotatable 3-D surface and as a contour map. The learner picks the directions:

- **two weights**: ``d1``, ``d2`` are unit vectors on two parameters, so the surface is the true
  cost as those two change with every other parameter held at its anchor value;
- **two random directions**, filter-normalized (Li et al. 2018), with a new seed on request;
- **the principal directions of the path** trained so far (the plane the path lies closest to).

The anchor is the weights when the view was set up (the first snapshot of a run, so the start
of training) or when the learner presses "Re-centre here"; a new run re-anchors by itself. The
surface stays put while training runs, and the path, projected onto the plane (the
least-squares projection of :func:`core.landscape.project`), moves across it. Path points sit
at the surface's height over their projection, so the marker of the current weights always
rests on the surface drawn; only the part of the path over the plane is drawn. For two weights
the projection is simply how far those two moved; for other directions the real path leaves
the plane, and the panel says so.

The view starts on the principal directions (``DEFAULT_MODE``): the plane in which the ball is
seen rolling down into the valley. Over two weights or random directions the path leaves the
plane, and the cost under it can rise while the real cost falls. With "Follow the path" (on by
default) the principal plane is made again through the current weights each time the step
count has doubled, or when the ball leaves it (at most every ``FOLLOW_MIN_SECONDS``); the other
modes keep their anchor.

Surfaces are computed off the UI thread by a :class:`~gui.threads.LatestRequestRunner`: a
15 × 15 preview first, then the full grid; a newer request replaces a pending one and results
of outdated requests are dropped (a generation counter). Per snapshot the view only projects
the path, moves a few GL items and draws at once (see :class:`_Scene3D` for why at once), and
skips snapshots when drawing is slow. Where OpenGL is not available the contour map is shown
with a one-line explanation instead of the 3-D view.

Public interface: :meth:`SurfaceView.on_snapshot` (also as ``show_snapshot``),
:meth:`~SurfaceView.shutdown`, :meth:`~SurfaceView.set_weight_axes` and
:meth:`~SurfaceView.select_weight_axis` (for a network diagram), and
:meth:`~SurfaceView.export_png`.
"""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import (QCoreApplication, QEvent, QPointF, QRect, QRectF, QSize, Qt,
                            QTimer, Signal, Slot)
from PySide6.QtGui import (QColor, QFont, QFontMetrics, QGuiApplication, QImage, QLinearGradient,
                           QMatrix4x4, QPainter, QSurfaceFormat, QVector3D)
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QHBoxLayout,
                               QLabel, QPushButton, QSizePolicy, QTabWidget,
                               QVBoxLayout, QWidget)

from core import features, landscape, losses
from core.network import Network
from gui.numbers import format_number
from gui.plots.contour_map import (PATH_COLOUR, ContourMap, colour_map, contour_levels,
                                   contour_segments)
from gui.threads import LatestRequestRunner

#: Axis modes, in the order of the "Axes" list.
MODES = ("weights", "random", "pca")
MODE_TITLES = {
    "weights": "Two weights",
    "random": "Two random directions",
    "pca": "Principal directions of the path",
}
#: Grid resolutions offered (points per axis); the preview's comes first whatever is chosen.
RESOLUTIONS = (15, 30, 60, 100)
PREVIEW_RESOLUTION = 15
DEFAULT_RESOLUTION = 60
#: Default half-widths of the plane per mode (weight units for weights, direction units for
#: random directions); None means "fit the path" (principal directions).
DEFAULT_SPANS = {"weights": 3.0, "random": 1.0, "pca": None}
SPAN_MIN, SPAN_MAX = 0.1, 100.0
#: Nice spans the path-fitting rounds up to.
_NICE_SPANS = (0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0, 20.0, 30.0, 50.0, 75.0, 100.0)
#: Path points the principal directions need.
PCA_MIN_POINTS = 3
#: The mode a new view starts in: the plane of the path is the one in which the ball is seen
#: rolling down (over two weights or random directions the path leaves the plane, and the
#: cost under it can rise while the real cost falls).
DEFAULT_MODE = "pca"
#: Following the path, the principal plane is made again once the step count has grown by
#: this factor since the plane was made (or the ball leaves it): a few planes early in
#: training, when the path turns most, and ever fewer later.
FOLLOW_GROWTH = 2.0
#: ... but not more often than this (seconds), nor while the last plane is still being
#: computed: at full speed the step count doubles many times a second early on, and each new
#: plane costs a surface that would take the cores from the views and the training.
FOLLOW_MIN_SECONDS = 2.0
#: Precision of the surface evaluation: float32 is about twice as fast and, for a picture,
#: exact enough (core.landscape.surface documents the error).
SURFACE_DTYPE = np.float32
#: The plane is drawn in a box x, y in [-1, 1], z in [0, BOX_HEIGHT], whatever the units.
BOX_HEIGHT = 1.0
#: Axis titles stand between the middle tick and the far end's (at the middle they covered
#: the middle tick's label).
TITLE_AT = 0.5
#: Path and marker float this fraction of the box height above the surface.
LIFT = 0.012
#: Fewest milliseconds between two path updates (the worker sends about 30 snapshots a second);
#: it grows when drawing is slow so that the UI stays responsive.
MIN_UPDATE_MS = 30
#: When a snapshot was skipped, draw it this late if no newer one comes (ms).
LATE_UPDATE_MS = 150
#: A current point that moved less than this fraction of the span is redrawn only every
#: STILL_REDRAW_S seconds (a converged run costs next to nothing).
STILL_FRACTION = 0.002
STILL_REDRAW_S = 0.5
#: Default cameras: from the front right, above the plane; the principal plane is seen from
#: the end of the path (its low end, in front) looking up the valley towards its start.
CAMERAS = {
    "weights": {"distance": 3.7, "elevation": 32.0, "azimuth": -60.0},
    "random": {"distance": 3.7, "elevation": 32.0, "azimuth": -60.0},
    "pca": {"distance": 4.1, "elevation": 40.0, "azimuth": -155.0},
}


#: What each parameter block holds, for the weight lists' tooltips.
_BLOCK_KINDS = {"W": "weights", "b": "biases", "slope": "PReLU slopes",
                "W'": "second-piece weights", "b'": "second-piece biases"}


# ---------------------------------------------------------------------------- pure helpers
@dataclasses.dataclass(frozen=True, eq=False)
class Plane:
    """Everything that fixes a surface: anchor, directions, extent and how heights are shown.

    ``offsets`` turn plane coordinates into display coordinates: for weight axes the anchor
    values of the two weights (the axes then read as the weights themselves); for the
    principal plane, whose centre is the middle of the path, the centre's coordinates relative
    to the current weights (which are then at (0, 0)); else 0.
    """

    mode: str
    run: int
    anchor: np.ndarray
    anchor_step: int
    d1: np.ndarray
    d2: np.ndarray
    labels: tuple
    offsets: tuple
    span: float
    resolution: int
    log: bool
    l1: float
    l2: float
    weights: tuple = ()
    seed: int = 0
    short_labels: tuple = ()  # axis titles for the 3-D view, where space is short


@dataclasses.dataclass(frozen=True, eq=False)
class SurfaceResult:
    """A computed surface: ``values[j, i]`` is the cost at ``(alphas[i], betas[j])``.

    ``heights`` is what is drawn (``log10(values)`` on the log scale, else ``values`` with any
    non-finite value clipped), spanning ``lo..hi``; ``segments`` are its contour lines as
    ``(α, β, height)`` segment ends (see :func:`gui.plots.contour_map.contour_segments`).
    """

    alphas: np.ndarray
    betas: np.ndarray
    values: np.ndarray
    heights: np.ndarray
    log: bool
    lo: float
    hi: float
    segments: np.ndarray


def display_heights(values, log):
    """Heights to draw and whether they are on the log scale.

    The log scale needs positive costs (the signed mean error can be negative): if any is not,
    the heights stay linear. Non-finite costs (far from the anchor after a divergence) are
    clipped to the largest finite one so that they cannot break the drawing.
    """
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    if not finite.all():
        top = values[finite].max() if finite.any() else 0.0
        values = np.where(finite, values, top)
    if log and values.min() > 0:
        return np.log10(values), True
    return values, False


def compute_surface(net, X, targets, loss, d1, d2, span, resolution, log, l1=0.0, l2=0.0):
    """The surface of one request (runs in the surface thread; touches no shared state).

    ``net`` must be the caller's private copy with its parameters at the anchor. The cost is
    :func:`core.landscape.surface` with the regularization included, so the heights are the
    "train cost" the cost plot shows.
    """
    alphas = np.linspace(-span, span, resolution)
    betas = np.linspace(-span, span, resolution)
    values = landscape.surface(net, X, targets, loss, d1, d2, alphas, betas,
                               include_regularization=True, l1=l1, l2=l2, dtype=SURFACE_DTYPE)
    heights, log_used = display_heights(values, log)
    lo, hi = float(heights.min()), float(heights.max())
    segments = contour_segments(heights, alphas, betas, contour_levels(lo, hi))
    return SurfaceResult(alphas, betas, values, heights, log_used, lo, hi, segments)


def bilinear(heights, alphas, betas, xy) -> np.ndarray:
    """Heights at points ``xy`` (p, 2) by bilinear interpolation on the grid (clamped at the
    edges, so points beyond the plane take the height of its nearest edge)."""
    xy = np.atleast_2d(xy)
    na, nb = len(alphas), len(betas)
    fa = np.clip((xy[:, 0] - alphas[0]) / (alphas[-1] - alphas[0]) * (na - 1), 0, na - 1)
    fb = np.clip((xy[:, 1] - betas[0]) / (betas[-1] - betas[0]) * (nb - 1), 0, nb - 1)
    i0 = np.minimum(fa.astype(int), na - 2)
    j0 = np.minimum(fb.astype(int), nb - 2)
    ta, tb = fa - i0, fb - j0
    h = heights
    return ((1 - tb) * ((1 - ta) * h[j0, i0] + ta * h[j0, i0 + 1])
            + tb * ((1 - ta) * h[j0 + 1, i0] + ta * h[j0 + 1, i0 + 1]))


def fit_span(coords) -> float:
    """A round span that shows every point of ``coords`` (p, 2) with a margin."""
    reach = 1.2 * float(np.max(np.abs(coords))) if len(coords) else 0.0
    for span in _NICE_SPANS:
        if span >= reach:
            return span
    return _NICE_SPANS[-1]


def shaded_colours(heights, alphas, betas, lo, hi) -> np.ndarray:
    """Per-vertex RGBA (w·h, 4) for ``GLSurfacePlotItem``: viridis by height, lit from the
    front left so that slopes facing away darken (the valley's shape reads without a shader).

    Vertex order follows the item's ``z`` = ``heights.T`` (alpha-major).
    """
    t = (heights - lo) / (hi - lo) if hi > lo else np.zeros_like(heights)
    rgba = colour_map().map(t.T.reshape(-1), mode="float")
    # Normals in box coordinates: x = α/span, y = β/span, z = BOX_HEIGHT·t.
    z = BOX_HEIGHT * t
    dx = 2.0 / max(len(alphas) - 1, 1)
    dy = 2.0 / max(len(betas) - 1, 1)
    gz_b, gz_a = np.gradient(z, dy, dx)
    normal = np.stack([-gz_a, -gz_b, np.ones_like(z)])
    normal /= np.linalg.norm(normal, axis=0)
    light = np.array([-0.45, -0.65, 0.62])
    light /= np.linalg.norm(light)
    lambert = np.clip(np.tensordot(light, normal, axes=1), 0.0, 1.0)
    shade = (0.5 + 0.5 * lambert).T.reshape(-1, 1)
    rgba[:, :3] = np.clip(rgba[:, :3] * shade, 0.0, 1.0)
    rgba[:, 3] = 1.0
    return np.ascontiguousarray(rgba, dtype=np.float32)


def _fmt(value) -> str:
    return format_number(value, 4, sci_digits=2)


def _layer_name(layer_sizes, layer) -> str:
    """"inputs → hidden layer 1" style names of the weights of ``layer``."""
    last = len(layer_sizes) - 2

    def name(k):
        if k == 0:
            return "inputs"
        return "output" if k == last + 1 else f"hidden layer {k}"

    return f"{name(layer)} → {name(layer + 1)}"


def default_weight_axes(net):
    """Two weights into the first output neuron (from hidden neurons 0 and 1), the classic
    "cost against two weights" picture; falls back to a weight and a bias."""
    last = len(net.layer_sizes) - 2
    rows = net.layer_sizes[last]
    if rows >= 2:
        return (landscape.param_index(net, "W", last, 0, 0),
                landscape.param_index(net, "W", last, 1, 0))
    return landscape.param_index(net, "W", last, 0, 0), landscape.param_index(net, "b", last, 0)


# ---------------------------------------------------------------------------- OpenGL
def _opengl_problem(use_opengl):
    """Why the 3-D view cannot be shown here, or None when it can be tried."""
    if use_opengl is False:
        return "the 3-D view is turned off"
    platform = QGuiApplication.platformName()
    if platform in ("offscreen", "minimal"):
        return f"the Qt platform '{platform}' has no OpenGL"
    try:
        import pyqtgraph.opengl  # noqa: F401
        from OpenGL import GL  # noqa: F401
    except Exception as err:  # noqa: BLE001 - any failure means: no 3-D view
        return f"OpenGL could not be loaded ({err})"
    return None


class _ColourLegend(QWidget):
    """A vertical viridis bar with the cost at five heights (beside the 3-D view)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._ticks = []
        self._title = "cost"
        self.setMinimumWidth(78)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), QColor("white"))
        self.setPalette(palette)
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Expanding)
        cmap = colour_map()
        self._stops = [(float(p), QColor(*[int(c) for c in cmap.map(float(p), mode="byte")]))
                       for p in np.linspace(0, 1, 9)]

    def sizeHint(self):
        return QSize(84, 200)

    def set_range(self, lo, hi, log, title):
        """Label the bar for heights ``lo..hi`` (log10 of the cost when ``log``)."""
        self._title = title
        heights = np.linspace(lo, hi, 5)
        self._ticks = [(k / 4, _fmt(10.0 ** h if log else h)) for k, h in enumerate(heights)]
        self.update()

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        painter.setFont(font)
        top, bottom = 26, self.height() - 12
        bar = QRectF(6, top, 14, max(bottom - top, 10))
        gradient = QLinearGradient(0, bar.bottom(), 0, bar.top())
        for pos, colour in self._stops:
            gradient.setColorAt(pos, colour)
        painter.fillRect(bar, gradient)
        painter.setPen(QColor("#555555"))
        painter.drawRect(bar)
        painter.drawText(QRectF(0, 2, self.width(), 20), Qt.AlignLeft | Qt.AlignVCenter,
                         self._title)
        for frac, text in self._ticks:
            y = bar.bottom() - frac * bar.height()
            painter.drawLine(int(bar.right()), int(y), int(bar.right()) + 4, int(y))
            painter.drawText(QRectF(bar.right() + 6, y - 8, self.width() - bar.right() - 6, 16),
                             Qt.AlignLeft | Qt.AlignVCenter, text)
        painter.end()


class ParamPicker(QWidget):
    """One parameter chosen by layer and neuron: ``[W1 ▾] [from ▾] → [to ▾]``.

    Three short lists instead of one list of every parameter (thousands in a big network).
    ``changed`` is emitted when the learner picks another parameter.
    """

    changed = Signal()

    def __init__(self, axis, parent=None):
        super().__init__(parent)
        self._net = None
        self.block_combo = QComboBox()
        self.from_combo = QComboBox()
        self.arrow = QLabel("→")
        self.to_combo = QComboBox()
        tip = (f"Parameter along axis {axis}: its layer, then the neuron it comes from and the "
               f"neuron it goes to.\nW1[2→0] is the weight of layer 1 from neuron 2 of the layer "
               f"below to neuron 0; b0[3] is the bias of neuron 3 of layer 0\n(layer 0 connects "
               f"the inputs to the first hidden layer).")
        for combo, length in ((self.block_combo, 4), (self.from_combo, 2), (self.to_combo, 2)):
            combo.setToolTip(tip)
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(length)
        self.block_combo.currentIndexChanged.connect(self._on_block_combo_changed)
        self.from_combo.currentIndexChanged.connect(self._on_neuron_combo_changed)
        self.to_combo.currentIndexChanged.connect(self._on_neuron_combo_changed)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        for widget in (self.block_combo, self.from_combo, self.arrow, self.to_combo):
            row.addWidget(widget)

    def set_network(self, net):
        """List ``net``'s parameter blocks (keeps nothing of the previous network)."""
        self._net = net
        self.block_combo.blockSignals(True)
        self.block_combo.clear()
        for k, block in enumerate(net.blocks):
            self.block_combo.addItem(block.label, k)
            self.block_combo.setItemData(
                k, f"{block.label}: {_BLOCK_KINDS[block.kind]}, "
                   f"{_layer_name(net.layer_sizes, block.layer)}", Qt.ToolTipRole)
        self.block_combo.blockSignals(False)
        self._fill_neurons(0)

    def _fill_neurons(self, block_index, i=0, j=0):
        block = self._net.blocks[block_index]
        matrix = len(block.shape) == 2
        for combo, n, value in ((self.from_combo, block.shape[0], i),
                                (self.to_combo, block.shape[1] if matrix else 0, j)):
            combo.blockSignals(True)
            combo.clear()
            for k in range(n):
                combo.addItem(str(k), k)
            combo.setCurrentIndex(min(value, max(n - 1, 0)))
            combo.blockSignals(False)
        self.to_combo.setVisible(matrix)
        self.arrow.setVisible(matrix)
        self.from_combo.setToolTip("From neuron" if matrix else "Neuron")

    def index(self):
        """The flat parameter index picked (None before a network is set)."""
        if self._net is None:
            return None
        block = self._net.blocks[self.block_combo.currentIndex()]
        i = max(self.from_combo.currentIndex(), 0)
        if len(block.shape) == 2:
            return block.start + i * block.shape[1] + max(self.to_combo.currentIndex(), 0)
        return block.start + i

    def set_index(self, index):
        """Show flat parameter ``index`` (no ``changed`` signal)."""
        if self._net is None:
            return
        start = [block.start for block in self._net.blocks]
        k = int(np.searchsorted(start, index, side="right") - 1)
        block = self._net.blocks[k]
        offset = index - block.start
        i, j = divmod(offset, block.shape[1]) if len(block.shape) == 2 else (offset, 0)
        self.block_combo.blockSignals(True)
        self.block_combo.setCurrentIndex(k)
        self.block_combo.blockSignals(False)
        self._fill_neurons(k, i, j)

    @Slot(int)
    def _on_block_combo_changed(self, k):
        if k >= 0:
            self._fill_neurons(k)
            self.changed.emit()

    @Slot(int)
    def _on_neuron_combo_changed(self, _k):
        self.changed.emit()


class _GLHost(QWidget):
    """Holds the GL window's container; when the widget tree is rendered into an image
    (``QWidget.grab`` of the main window, for screenshots) it paints the GL frame, which a
    window container cannot give. On screen the GL window covers this painting."""

    def __init__(self, scene):
        super().__init__()
        self._scene = scene
        self.container = QWidget.createWindowContainer(scene.view, self)
        self.container.setMinimumSize(200, 160)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.container)
        self.setToolTip("Drag to rotate, wheel to zoom, middle-drag to pan.")

    def paintEvent(self, event):
        if not self._scene.is_valid():
            return
        painter = QPainter(self)
        frame = self._scene.view.grabFramebuffer()
        painter.drawImage(QRectF(self.container.geometry()), frame)
        painter.end()


class _Scene3D:
    """The GL view and its items. Data items share one transform from plane units (α, β,
    height) into the box; frame and labels are placed in box units.

    The view is a ``QOpenGLWindow`` in a window container rather than pyqtgraph's
    ``GLViewWidget`` (a ``QOpenGLWidget``): a ``QOpenGLWidget`` turns on OpenGL composition of
    the *whole* main window, so every repaint of any plot went through (software) OpenGL. And
    it is drawn at once with :meth:`paint_now` after each snapshot: pyqtgraph's GL items call
    OpenGL through ctypes, which lets go of the interpreter lock at every call, so a paint that
    ran while the training thread computes would wait for the lock hundreds of times. Right
    after a snapshot the training worker is idle, waiting for the frame to be shown.
    """

    def __init__(self):
        import pyqtgraph.opengl as gl
        from OpenGL import GL


        from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem
        from pyqtgraph.opengl.GLViewWidget import GLViewMixin
        from PySide6.QtOpenGL import QOpenGLWindow

        class _View(GLViewMixin, QOpenGLWindow):
            """pyqtgraph's GL view as a window of its own (see the class docstring)."""

            paint_seconds = 0.0

            def __init__(self):
                super().__init__(QOpenGLWindow.UpdateBehavior.NoPartialUpdate)
                fmt = QSurfaceFormat.defaultFormat()
                fmt.setDepthBufferSize(24)
                self.setFormat(fmt)

            # What GLViewMixin and GLTextItem ask of a QWidget.
            def devicePixelRatioF(self):
                return self.devicePixelRatio()

            def rect(self):
                return QRect(0, 0, self.width(), self.height())

            def paintGL(self):
                start = time.perf_counter()
                super().paintGL()
                self.paint_seconds = time.perf_counter() - start

            camera_changed = None

            def setCameraPosition(self, *args, **kwargs):
                super().setCameraPosition(*args, **kwargs)
                if self.camera_changed is not None:
                    self.camera_changed()

            def orbit(self, azim, elev):
                super().orbit(azim, elev)
                if self.camera_changed is not None:
                    self.camera_changed()

        class _Labels(GLGraphicsItem):
            """Texts at 3-D points, all drawn with one QPainter (a GLTextItem opens one per
            text, which costs about half a millisecond each in software OpenGL)."""

            def __init__(self):
                super().__init__()
                self.entries = []

            def set_entries(self, entries):
                """``(pos, text, font, colour, alignment)`` tuples."""
                self.entries = []
                for pos, text, font, colour, align in entries:
                    box = QFontMetrics(font).tightBoundingRect(text)
                    dx = box.width() if align & Qt.AlignRight else (
                        box.width() / 2 if align & Qt.AlignHCenter else 0.0)
                    dy = box.height() / 2 if align & Qt.AlignVCenter else (
                        box.height() if align & Qt.AlignTop else 0.0)
                    self.entries.append((QVector3D(*map(float, pos)), text, font, colour,
                                         -dx, dy))
                self.update()

            def paint(self):
                if not self.entries:
                    return
                self.setupGLState()
                view = self.view()
                viewport = QMatrix4x4()
                viewport.viewport(0.0, float(view.height()), float(view.width()),
                                  -float(view.height()))
                project = viewport * self.mvpMatrix()
                painter = QPainter(view)
                painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
                halo = QColor(255, 255, 255, 200)
                for pos, text, font, colour, dx, dy in self.entries:
                    point = project.map(pos).toPointF()
                    at = QPointF(point.x() + dx, point.y() + dy)
                    painter.setFont(font)
                    if font.bold():
                        # Titles can lie over the surface: a white halo keeps them readable.
                        painter.setPen(halo)
                        for ox, oy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                            painter.drawText(at + QPointF(ox, oy), text)
                    painter.setPen(colour)
                    painter.drawText(at, text)
                painter.end()

        on_top = {GL.GL_DEPTH_TEST: False, GL.GL_BLEND: True, GL.GL_CULL_FACE: False,
                  "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA)}
        self.view = _View()
        self.view.setBackgroundColor("w")
        self.widget = _GLHost(self)
        self._frame_args = self._frame_key = None
        self.view.camera_changed = self._on_camera_changed
        self.reset_camera()

        path_rgba = pg.mkColor(PATH_COLOUR).getRgbF()
        self.surface = gl.GLSurfacePlotItem(computeNormals=False, smooth=False, shader=None,
                                            glOptions="opaque")
        self.contours = gl.GLLinePlotItem(mode="lines", color=(1, 1, 1, 0.5), width=1,
                                          antialias=True, glOptions="translucent")
        self.frame = gl.GLLinePlotItem(mode="lines", color=(0.35, 0.35, 0.35, 1), width=1,
                                       antialias=True, glOptions="translucent")
        # Path, ghost and shadow are drawn as separate segments ("lines"), so that the parts of
        # the path beyond the plane's edge can be left out.
        self.shadow = gl.GLLinePlotItem(mode="lines", color=(0.2, 0.2, 0.2, 0.35), width=2,
                                        antialias=True, glOptions="translucent")
        self.drop = gl.GLLinePlotItem(mode="lines", color=(0.2, 0.2, 0.2, 0.6), width=1,
                                      antialias=True, glOptions="translucent")
        self.ghost = gl.GLLinePlotItem(mode="lines", color=(*path_rgba[:3], 0.35), width=2,
                                       antialias=True, glOptions=on_top)
        self.path = gl.GLLinePlotItem(mode="lines", color=path_rgba, width=3.5, antialias=True,
                                      glOptions="translucent")
        # Markers are hidden by hills in front of them (so that they read as lying on the
        # surface), and drawn again faintly on top (so that a hidden one is still found). The
        # fill is drawn over its outline at the same depth: hence GL_LEQUAL.
        on_surface = {GL.GL_DEPTH_TEST: True, GL.GL_BLEND: True, GL.GL_CULL_FACE: False,
                      "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA),
                      "glDepthFunc": (GL.GL_LEQUAL,)}
        self.start = gl.GLScatterPlotItem(color=(1, 1, 1, 1), size=9, pxMode=True,
                                          glOptions=on_surface)
        self.marker_outline = gl.GLScatterPlotItem(color=(1, 1, 1, 1), size=19, pxMode=True,
                                                   glOptions=on_surface)
        self.marker = gl.GLScatterPlotItem(color=path_rgba, size=13, pxMode=True,
                                           glOptions=on_surface)
        self.start_ghost = gl.GLScatterPlotItem(color=(1, 1, 1, 0.5), size=9, pxMode=True,
                                                glOptions=on_top)
        self.marker_ghost = gl.GLScatterPlotItem(color=(*path_rgba[:3], 0.45), size=13,
                                                 pxMode=True, glOptions=on_top)
        self._path_items = (self.path, self.ghost, self.shadow, self.drop, self.start,
                            self.marker_outline, self.marker, self.start_ghost,
                            self.marker_ghost)
        self.data_items = [self.surface, self.contours, *self._path_items]
        # Drawing order: opaque first, then translucent, then what stays on top.
        for depth, item in enumerate([self.surface, self.frame, self.contours, self.shadow,
                                      self.drop, self.path, self.start, self.marker_outline,
                                      self.marker, self.ghost, self.start_ghost,
                                      self.marker_ghost]):
            item.setDepthValue(depth)
            item.setVisible(False)
            self.view.addItem(item)
        self.frame.setVisible(True)
        self.labels = _Labels()
        self.labels.setDepthValue(20)
        self.view.addItem(self.labels)
        self._label_entries = []

    # ------------------------------------------------------------------ set-up
    def reset_camera(self, mode="weights"):
        """The default camera of ``mode`` (the principal plane is seen along the path)."""
        self.view.setCameraPosition(pos=pg.Vector(0, 0, 0.35 * BOX_HEIGHT), **CAMERAS[mode])

    def is_valid(self) -> bool:
        return self.view.isValid()

    def paint_now(self):
        """Draw now rather than at the window system's next update (see the class docstring)."""
        if self.view.isExposed():
            QCoreApplication.sendEvent(self.view, QEvent(QEvent.UpdateRequest))

    def _text(self, pos, text, colour="#333333", size=9, bold=False,
              align=Qt.AlignHCenter | Qt.AlignVCenter):
        font = QFont()
        font.setPointSizeF(size)
        font.setBold(bold)
        self._label_entries.append((pos, text, font, QColor(colour), align))

    def set_surface(self, plane, result, height_title):
        """Show ``result`` for ``plane``: the mesh, its contours, the frame and the labels."""
        span, lo, hi = plane.span, result.lo, result.hi
        height = (hi - lo) if hi > lo else 1.0
        transform = pg.Transform3D()
        transform.scale(1.0 / span, 1.0 / span, BOX_HEIGHT / height)
        transform.translate(0.0, 0.0, -lo)
        for item in self.data_items:
            item.setTransform(transform)
        self._lo, self._lift = lo, LIFT * height
        self.surface.setData(x=result.alphas, y=result.betas, z=result.heights.T,
                             colors=shaded_colours(result.heights, result.alphas, result.betas,
                                                   lo, hi))
        segments = result.segments.copy()
        segments[:, 2] += 0.3 * self._lift
        self.contours.setData(pos=segments if len(segments) else np.zeros((2, 3)))
        self.contours.setVisible(len(segments) > 0)
        self.surface.setVisible(True)
        self._draw_frame(plane, result, height_title)

    def clear_frame(self, lines=()):
        """No box, ticks or axis titles (until the next surface); ``lines`` of text in the
        middle of the view instead, if given."""
        self._frame_args = self._frame_key = None
        self.frame.setVisible(False)
        self._label_entries = []
        for k, line in enumerate(lines):
            self._text((0.0, 0.0, 0.5 * BOX_HEIGHT - 0.12 * k), line, colour="#555555",
                       size=11, bold=k == 0)
        self.labels.set_entries(self._label_entries)

    def _draw_frame(self, plane, result, height_title):
        self._frame_args = (plane, result, height_title)
        self._frame_key = None
        self._on_camera_changed()

    def _corners(self):
        """The floor corner nearest the camera and the one leftmost on screen, as (x, y) signs.

        Tick labels go along the two edges at the near corner and the height axis stands at
        the leftmost corner, so that no label lies over the surface from any side.
        """
        azimuth = math.radians(self.view.opts["azimuth"])
        c, s = math.cos(azimuth), math.sin(azimuth)
        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
        near = max(corners, key=lambda p: p[0] * c + p[1] * s)
        left = min(corners, key=lambda p: -p[0] * s + p[1] * c)
        return near, left

    def _on_camera_changed(self):
        if self._frame_args is None:
            return
        key = self._corners()
        if key != self._frame_key:
            self._frame_key = key
            self._layout_frame(*key)

    def _layout_frame(self, near, left):
        plane, result, height_title = self._frame_args
        xn, yn = near
        xl, yl = left
        self._label_entries = []
        H = BOX_HEIGHT
        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)]
        lines = [(x, y, 0) for a, b in zip(corners, corners[1:]) for x, y in (a, b)]
        for t in (-1, 0, 1):
            lines += [(t, yn, 0), (t, 1.06 * yn, 0), (xn, t, 0), (1.06 * xn, t, 0)]
        lines += [(xl, yl, 0), (xl, yl, H)]
        for k in range(5):
            lines += [(xl, yl, k / 4 * H), (1.04 * xl, 1.04 * yl, k / 4 * H)]
        self.frame.setData(pos=np.array(lines, dtype=float))
        self.frame.setVisible(True)

        span = plane.span
        off_a, off_b = plane.offsets
        for t in (-1, 0, 1):
            self._text((t, 1.16 * yn, 0), _fmt(off_a + t * span))
            self._text((1.17 * xn, t, 0), _fmt(off_b + t * span))
        short = plane.short_labels or plane.labels
        # Titles on the half of their edge away from the near corner, where labels crowd.
        self._text((-TITLE_AT * xn, 1.38 * yn, 0), short[0], colour="#111111", size=10,
                   bold=True)
        self._text((1.42 * xn, -TITLE_AT * yn, 0), short[1], colour="#111111", size=10,
                   bold=True)
        # The lowest tick goes unlabelled: at the floor it stood on a floor tick's label, and
        # the colour bar beside the view gives the lowest cost anyway.
        for k in range(1, 5):
            h = result.lo + k / 4 * (result.hi - result.lo)
            self._text((1.07 * xl, 1.07 * yl, k / 4 * H),
                       _fmt(10 ** h if result.log else h) + " ",
                       align=Qt.AlignRight | Qt.AlignVCenter)
        self._text((xl, yl, H * 1.1), height_title, colour="#111111", size=10, bold=True)
        self.labels.set_entries(self._label_entries)

    def set_path(self, xy, heights, lo, span):
        """The path over ``xy`` (p, 2) at ``heights`` (p,), in plane units; only what lies over
        the plane (|x|, |y| ≤ ``span``) is drawn, so nothing floats beyond the box."""
        if xy is None or not len(xy):
            for item in self._path_items:
                item.setVisible(False)
            return
        inside = np.all(np.abs(xy) <= span * (1.0 + 1e-9), axis=1)
        pos = np.column_stack([xy, heights + self._lift])
        floor = np.column_stack([xy, np.full(len(xy), lo)])
        kept = inside[:-1] & inside[1:]
        for item, points in ((self.path, pos), (self.ghost, pos), (self.shadow, floor)):
            segments = np.stack([points[:-1], points[1:]], axis=1)[kept].reshape(-1, 3)
            if len(segments):
                item.setData(pos=segments)
            item.setVisible(len(segments) > 0)
        ends = [(self.start, inside[0], pos[:1]), (self.start_ghost, inside[0], pos[:1]),
                (self.drop, inside[-1], np.vstack([pos[-1], floor[-1]]))]
        ends += [(item, inside[-1], pos[-1:])
                 for item in (self.marker_outline, self.marker, self.marker_ghost)]
        for item, shown, points in ends:
            if shown:
                item.setData(pos=points)
            item.setVisible(bool(shown))


# ---------------------------------------------------------------------------- the view
class SurfaceView(QWidget):
    """The error surface with the optimizer's path. Feed it snapshots with :meth:`on_snapshot`;
    call :meth:`shutdown` before the application ends (it stops the surface thread).

    Parameters
    ----------
    use_opengl : bool or None
        None (default): use the 3-D view where OpenGL works; False: contour map only.
    """

    def __init__(self, parent=None, use_opengl=None, mode=DEFAULT_MODE):
        super().__init__(parent)
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        self._latest = None         # newest snapshot
        self._run = None            # run of the network set-up below
        self._net = None            # a Network of the run's architecture (labels, directions)
        self._X = self._targets = self._loss = None
        self._mode = mode
        self._weight_axes = None    # (i, j) flat parameter indices
        self._next_axis = 0         # which axis select_weight_axis fills next
        self._seed = 0
        self._spans = dict(DEFAULT_SPANS)
        self._resolution = DEFAULT_RESOLUTION
        self._log = False
        self._anchor = None         # (params, step) of the current anchor
        self._followed_at = -math.inf  # time.monotonic() when a principal plane was last made
        self.follow_min_seconds = FOLLOW_MIN_SECONDS
        self._pending_plane = None  # the plane being computed (or shown)
        self._generation = 0
        self._requests = {}         # request id -> (generation, plane, resolution)
        self._shown = None          # (plane, result) on screen
        self._path_xy = None
        self._path_heights = None
        self._projector_plane = self._projector_matrix = None
        self._drawn_at = None       # (plane, current point, time) of the last drawn path
        self._path_dirty = False
        self._last_update = 0.0
        self._min_interval_ms = MIN_UPDATE_MS
        self._gl_checks = 0
        self._stopped = False

        self.runner = LatestRequestRunner(self)
        # The main window calls shutdown(); this is the safety net if nobody does.
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self._update_timer = QTimer(self)
        self._update_timer.setSingleShot(True)
        self._update_timer.timeout.connect(self._on_update_timer_timeout)

        self._build_controls()
        self.contour = ContourMap()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.scene = None
        self.legend = None
        problem = _opengl_problem(use_opengl)
        if problem is None:
            try:
                self.scene = _Scene3D()
            except Exception as err:  # noqa: BLE001 - fall back to the contour map
                problem = f"the 3-D view could not be created ({err})"
        if self.scene is not None:
            self.legend = _ColourLegend()
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(2)
            row.addWidget(self.scene.widget, 1)
            row.addWidget(self.legend)
            self.gl_container = box
            self.tabs.addTab(box, "3-D surface")
        else:
            self.gl_container = None
            self.contour.set_notice(f"3-D view unavailable: {problem}. Showing the contour map.")
        self.tabs.addTab(self.contour, "Contour map")
        self.tabs.setCornerWidget(self.view_buttons, Qt.TopRightCorner)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addLayout(self._axes_row)
        layout.addWidget(self.weights_row)
        layout.addLayout(self._options_row)
        layout.addWidget(self.info)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        self._show_mode_controls()
        self._set_status("Waiting for the first training snapshot…")

    # ------------------------------------------------------------------ controls
    def _build_controls(self):
        self.mode_combo = QComboBox()
        for mode in MODES:
            self.mode_combo.addItem(MODE_TITLES[mode], mode)
        self.mode_combo.setToolTip(
            "What the two horizontal axes are:\n"
            "• Two weights: the cost as two chosen weights (or biases) change, every other\n"
            "  parameter held at the anchor.\n"
            "• Two random directions: random directions through all weights, each neuron's\n"
            "  part scaled to that neuron's weights (filter normalization, Li et al. 2018).\n"
            "• Principal directions of the path: the plane the path so far lies closest to.")
        self.mode_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.mode_combo.setMinimumContentsLength(30)
        self.mode_combo.setCurrentIndex(MODES.index(self._mode))
        self.mode_combo.currentIndexChanged.connect(self._on_mode_combo_changed)
        self.follow_box = QCheckBox("Follow the path")
        self.follow_box.setChecked(True)
        self.follow_box.setToolTip(
            "Make the principal plane again, through the current weights, as training goes on:\n"
            f"each time the step count has grown {FOLLOW_GROWTH:g}-fold, or when the ball leaves "
            f"the plane\n(at most every {FOLLOW_MIN_SECONDS:g} s). Off: the plane stays where it "
            "was made until you press Re-centre here.")
        self.follow_box.toggled.connect(self._on_follow_box_toggled)
        self.weight_pickers = (ParamPicker(1), ParamPicker(2))
        for picker in self.weight_pickers:
            picker.changed.connect(self._on_weight_picker_changed)
        self.seed_button = QPushButton("New directions")
        self.seed_button.setToolTip("Draw two new random directions (a new seed).")
        self.seed_button.clicked.connect(self._on_seed_button_clicked)
        self._axes_row = QHBoxLayout()
        self._axes_row.addWidget(QLabel("Axes:"))
        self._axes_row.addWidget(self.mode_combo)
        self._axes_row.addWidget(self.seed_button)
        self._axes_row.addWidget(self.follow_box)
        self._axes_row.addStretch(1)
        # The two weights get a row of their own, shown in that mode only.
        self.weights_row = QWidget()
        weights = QHBoxLayout(self.weights_row)
        weights.setContentsMargins(0, 0, 0, 0)
        self.axis_labels = (QLabel("Axis 1:"), QLabel("Axis 2:"))
        for label, picker in zip(self.axis_labels, self.weight_pickers):
            weights.addWidget(label)
            weights.addWidget(picker)
            weights.addSpacing(8)
        weights.addStretch(1)

        self.span_spin = QDoubleSpinBox()
        self.span_spin.setRange(SPAN_MIN, SPAN_MAX)
        self.span_spin.setDecimals(1)
        self.span_spin.setSingleStep(0.5)
        self.span_spin.setPrefix("± ")
        self.span_spin.setKeyboardTracking(False)
        self.span_spin.setValue(DEFAULT_SPANS["weights"])
        self.span_spin.setToolTip(
            "Half-width of the plane around the anchor: in weight units for two weights, in\n"
            "direction units for random directions (1 = each neuron moved by its own size),\n"
            "in weight-space distance for the principal directions.")
        self.span_spin.valueChanged.connect(self._on_span_spin_changed)
        self.resolution_combo = QComboBox()
        for n in RESOLUTIONS:
            self.resolution_combo.addItem(f"{n} × {n}", n)
        self.resolution_combo.setCurrentIndex(RESOLUTIONS.index(DEFAULT_RESOLUTION))
        self.resolution_combo.setToolTip(
            f"Grid points per axis. A {PREVIEW_RESOLUTION} × {PREVIEW_RESOLUTION} preview "
            f"appears first; finer grids take longer.")
        self.resolution_combo.currentIndexChanged.connect(self._on_resolution_combo_changed)
        self.log_box = QCheckBox("Log cost")
        self.log_box.setToolTip(
            "Heights and colours by log₁₀(cost): cross-entropy surfaces span decades, and the\n"
            "log scale shows the shape of the valley floor as well as the walls.")
        self.log_box.toggled.connect(self._on_log_box_toggled)
        self.recentre_button = QPushButton("Re-centre here")
        self.recentre_button.setToolTip(
            "Move the anchor (the centre of the plane) to the current weights and compute the\n"
            "surface again there.")
        self.recentre_button.clicked.connect(self.recentre)
        self.reset_view_button = QPushButton("Reset view")
        self.reset_view_button.setToolTip("Back to the default camera (drag to rotate, wheel "
                                          "to zoom, middle-drag to pan).")
        self.reset_view_button.clicked.connect(self.reset_view)
        self.export_button = QPushButton("Export PNG…")
        self.export_button.setToolTip("Save the view as shown (3-D or contour map) as a PNG.")
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self._options_row = QHBoxLayout()
        self._options_row.addWidget(QLabel("Span:"))
        self._options_row.addWidget(self.span_spin)
        self._options_row.addWidget(QLabel("Grid:"))
        self._options_row.addWidget(self.resolution_combo)
        self._options_row.addWidget(self.log_box)
        self._options_row.addStretch(1)
        self._axes_row.addWidget(self.recentre_button)
        # The view buttons sit at the right end of the tab bar, over what they act on.
        self.view_buttons = QWidget()
        buttons = QHBoxLayout(self.view_buttons)
        buttons.setContentsMargins(0, 0, 0, 2)
        buttons.setSpacing(2)
        for button in (self.reset_view_button, self.export_button):
            buttons.addWidget(button)

        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setStyleSheet("color: #333333;")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #666666;")

    def _show_mode_controls(self):
        weights = self._mode == "weights"
        self.weights_row.setVisible(weights)
        self.seed_button.setVisible(self._mode == "random")
        self.follow_box.setVisible(self._mode == "pca")

    def _set_status(self, text):
        self.status.setText(text)

    # ------------------------------------------------------------------ public API
    @property
    def mode(self) -> str:
        return self._mode

    @property
    def plane(self):
        """The plane on screen (None before the first surface arrives)."""
        return self._shown[0] if self._shown else None

    @property
    def result(self):
        """The :class:`SurfaceResult` on screen (None before the first one)."""
        return self._shown[1] if self._shown else None

    @property
    def path_xy(self):
        """The path's plane coordinates ``(p, 2)`` as last drawn (None before)."""
        return self._path_xy

    @property
    def path_heights(self):
        """The drawn heights of the path points (the surface under each), ``(p,)``."""
        return self._path_heights

    @property
    def weight_axes(self):
        return self._weight_axes

    def is_settled(self) -> bool:
        """Whether the full grid of the newest plane is on screen (nothing left to compute)."""
        plane = self._pending_plane
        return (plane is not None and self._shown is not None and self._shown[0] is plane
                and len(self._shown[1].alphas) == plane.resolution)

    def gl_available(self) -> bool:
        """Whether the 3-D view is live (OpenGL started)."""
        return self.scene is not None and self.scene.is_valid()

    @Slot(object)
    def on_snapshot(self, snapshot):
        """Take the newest training snapshot (cheap unless the run changed)."""
        if self._stopped:
            return
        self._latest = snapshot
        if snapshot.run != self._run or self._net is None \
                or tuple(snapshot.layer_sizes) != self._net.layer_sizes:
            self._start_run(snapshot)
            return
        l1, l2 = self._rates(snapshot.config)
        plane = self._pending_plane
        if plane is not None and (plane.l1, plane.l2) != (l1, l2):
            self._replan(l1=l1, l2=l2)
        elif self._mode == "pca" and (plane is None or self._plane_left_behind(plane)):
            self._spans["pca"] = None  # fit the longer path
            self._build_plane()
        self._schedule_path_update()

    def _plane_left_behind(self, plane) -> bool:
        """Following the path: has training gone far enough to make the principal plane again?"""
        if not self.follow_box.isChecked() or plane.mode != "pca" or not self.is_settled() \
                or time.monotonic() - self._followed_at < self.follow_min_seconds:
            return False
        step = self._latest.step
        grown = step >= FOLLOW_GROWTH * max(plane.anchor_step, 1)
        shown = self._shown is not None and self._shown[0] is plane
        outside = (shown and self._path_xy is not None
                   and np.max(np.abs(self._path_xy[-1])) > plane.span)
        return step > plane.anchor_step and (grown or outside)

    #: The name the main window's ``add_view`` subscribes to snapshots.
    show_snapshot = on_snapshot

    def set_weight_axes(self, i, j):
        """Show the cost against parameters ``i`` and ``j`` (flat indices into the params)."""
        i, j = int(i), int(j)
        if i == j:
            raise ValueError("the two axes need two different parameters")
        if self._net is not None:
            for index in (i, j):
                if not 0 <= index < self._net.n_params:
                    raise IndexError(f"parameter index {index} is outside "
                                     f"0..{self._net.n_params - 1}")
        self._weight_axes = (i, j)
        self._select_weight_pickers()
        self._set_mode("weights")

    def select_weight_axis(self, index) -> int:
        """Put parameter ``index`` on axis 1, then on axis 2 at the next call, and so on (for a
        network diagram where the learner clicks links). Returns the axis filled (0 or 1)."""
        axis = self._next_axis
        self._next_axis = 1 - axis
        current = list(self._weight_axes or (None, None))
        current[axis] = int(index)
        other = current[1 - axis]
        if other is None or other == current[axis]:
            # No partner yet (or the same one): pick a neighbour so that the pair is valid.
            n = self._net.n_params if self._net is not None else int(index) + 2
            current[1 - axis] = (int(index) + 1) % n if n > 1 else 0
        self.set_weight_axes(*current)
        return axis

    def set_mode(self, mode):
        """``"weights"``, ``"random"`` or ``"pca"``."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        self._set_mode(mode)

    def set_span(self, span):
        self.span_spin.setValue(float(span))

    def set_resolution(self, n):
        self.resolution_combo.setCurrentIndex(RESOLUTIONS.index(int(n)))

    def set_log_scale(self, on):
        self.log_box.setChecked(bool(on))

    def new_directions(self):
        """Two new random directions (switches to that mode)."""
        self._seed += 1
        if self._mode == "random":
            self._build_plane()
        else:
            self._set_mode("random")

    @Slot()
    def recentre(self):
        """Move the anchor to the current weights and compute the surface there."""
        if self._latest is None:
            return
        self._anchor = (np.array(self._latest.params), self._latest.step)
        if self._mode == "pca":
            self._spans["pca"] = None  # fit the path seen from the new anchor
        self._build_plane()

    @Slot()
    def reset_view(self):
        """Default camera in 3-D and the whole surface in the contour map."""
        if self.scene is not None:
            self.scene.reset_camera(self._mode)
        self.contour.reset_view()

    def export_png(self, path) -> bool:
        """Save the view on screen (3-D view with its legend, or the contour map) as a PNG."""
        if self.tabs.currentWidget() is self.gl_container and self.gl_available():
            image = self.grab_3d()
        else:
            image = self.tabs.currentWidget().grab().toImage()
        return bool(image.save(str(path), "PNG"))

    def grab_3d(self) -> QImage:
        """The 3-D view as rendered (labels included) with its colour legend beside it."""
        frame = self.scene.view.grabFramebuffer()
        legend = self.legend.grab().toImage()
        legend.setDevicePixelRatio(frame.devicePixelRatio())
        image = QImage(frame.width() + legend.width(), max(frame.height(), legend.height()),
                       QImage.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.drawImage(0, 0, frame)
        painter.drawImage(frame.width(), 0, legend)
        painter.end()
        return image

    def shutdown(self):
        """Stop the surface thread (the main window calls this when it closes). Idempotent."""
        self._stopped = True
        self._update_timer.stop()
        self.runner.shutdown()

    # ------------------------------------------------------------------ runs and planes
    @staticmethod
    def _rates(config):
        rate = float(config.reg_rate)
        return (rate if config.regularization == "l1" else 0.0,
                rate if config.regularization == "l2" else 0.0)

    def _start_run(self, snap):
        """A new run (or the first snapshot): rebuild the network and anchor at its weights."""
        cfg, data = snap.config, snap.data
        self._run = snap.run
        same_shape = self._net is not None and self._net.layer_sizes == tuple(snap.layer_sizes)
        self._net = Network(snap.layer_sizes, cfg.activation, cfg.output_activation, seed=0)
        self._loss = losses.get(cfg.loss)
        # The network's inputs: the raw training inputs or the features computed from them.
        self._X = np.asarray(features.transform(data.X_train, getattr(cfg, "features", None)))
        self._targets = snap.arrays.targets_train  # as the trainer built them (±1 or one-hot)
        if not same_shape or self._weight_axes is None \
                or max(self._weight_axes) >= self._net.n_params:
            self._weight_axes = default_weight_axes(self._net)
        for picker in self.weight_pickers:
            picker.set_network(self._net)
        self._select_weight_pickers()
        self._anchor = (np.array(snap.params), snap.step)
        self._path_xy = None
        if self._mode == "pca":
            self._spans["pca"] = None
        self._build_plane()

    def _set_mode(self, mode):
        if mode != self._mode:
            self._mode = mode
            self.mode_combo.blockSignals(True)
            self.mode_combo.setCurrentIndex(MODES.index(mode))
            self.mode_combo.blockSignals(False)
            self._show_mode_controls()
        if mode == "pca":
            self._spans["pca"] = None
        self._build_plane()

    def _span_for(self, mode, coords=None):
        span = self._spans.get(mode)
        if span is None:
            span = fit_span(coords) if coords is not None else 1.0
            self._spans[mode] = span
        self.span_spin.blockSignals(True)
        self.span_spin.setValue(span)
        self.span_spin.blockSignals(False)
        return span

    def _build_plane(self):
        """The plane of the current mode through the anchor, then request its surface."""
        snap, net = self._latest, self._net
        if snap is None or net is None or self._anchor is None:
            return
        anchor, step = self._anchor
        np.copyto(net.params, anchor)
        l1, l2 = self._rates(snap.config)
        mode = self._mode
        offsets = (0.0, 0.0)
        weights = ()
        if mode == "weights":
            i, j = self._weight_axes
            d1, d2 = landscape.weight_directions(net, i, j)
            labels = short = (landscape.param_label(net, i), landscape.param_label(net, j))
            offsets = (float(anchor[i]), float(anchor[j]))
            weights = (i, j)
            span = self._span_for(mode)
        elif mode == "random":
            d1, d2 = landscape.random_directions(net, seed=self._seed)
            labels = ("random direction 1 (filter-normalized)",
                      "random direction 2 (filter-normalized)")
            short = ("random direction 1", "random direction 2")
            span = self._span_for(mode)
        else:
            path = np.asarray(snap.path)
            wait = ("Train a little first (Play, or Step a few times): the principal "
                    "directions are those of the path the weights take, so this surface "
                    "appears once they have moved.")
            headline = ("Press Play or Step", "The surface appears once the weights have moved:",
                        "it is the cost over the plane of their path.")
            if len(path) < PCA_MIN_POINTS:
                self._no_plane(wait, headline)
                return
            try:
                d1, d2, ratios = landscape.pca_directions(path)
            except ValueError:
                self._no_plane(wait, headline)
                return
            # The principal plane passes through the path's last point (the current weights,
            # coordinates (0, 0)); its centre moves to the middle of the path so that the path
            # fills the picture instead of one half of it.
            coords = landscape.project(path, path[-1], d1, d2)
            centre = (coords.min(axis=0) + coords.max(axis=0)) / 2
            self._followed_at = time.monotonic()
            # (The other modes keep their own anchor: this plane moves with the path.)
            anchor = path[-1] + centre[0] * d1 + centre[1] * d2
            step = snap.step
            offsets = (float(centre[0]), float(centre[1]))
            labels = (f"principal direction 1 ({100 * ratios[0]:.0f}% of the path)",
                      f"principal direction 2 ({100 * ratios[1]:.0f}% of the path)")
            # The 3-D view's titles are short (the Axes list names the directions in full).
            short = (f"direction 1 ({100 * ratios[0]:.0f}%)",
                     f"direction 2 ({100 * ratios[1]:.0f}%)")
            span = self._span_for(mode, coords - centre)
        plane = Plane(mode=mode, run=snap.run, anchor=anchor, anchor_step=step, d1=d1, d2=d2,
                      labels=labels, short_labels=short, offsets=offsets, span=span,
                      resolution=self._resolution,
                      log=self._log, l1=l1, l2=l2, weights=weights, seed=self._seed)
        self._request(plane)

    def _no_plane(self, message, headline=()):
        self._pending_plane = None
        self._generation += 1
        self._shown = None
        self.contour.clear()
        if self.scene is not None:
            for item in self.scene.data_items:
                item.setVisible(False)
            self.scene.clear_frame(headline)  # no box, ticks or titles of the last plane
            self.legend.setVisible(False)
        self.info.setText("")
        self._set_status(message)

    def _request(self, plane):
        """Ask for ``plane``'s surface: a preview now, the full grid when the preview is in."""
        self._pending_plane = plane
        self._generation += 1
        self._submit(plane, min(PREVIEW_RESOLUTION, plane.resolution))

    def _submit(self, plane, resolution):
        net = self._net.copy()
        net.params[:] = plane.anchor
        request_id = self.runner.submit(
            compute_surface, net, self._X, self._targets, self._loss, plane.d1, plane.d2,
            plane.span, resolution, plane.log, plane.l1, plane.l2)
        self._requests[request_id] = (self._generation, plane, resolution)
        self._set_status(f"Computing the surface ({resolution} × {resolution})…")

    @Slot(int, object)
    def _on_runner_finished(self, request_id, result):
        generation, plane, resolution = self._requests.pop(request_id, (None, None, None))
        if generation != self._generation or self._stopped:
            return  # an outdated request: a newer one is on its way
        self._show_surface(plane, result)
        if resolution < plane.resolution:
            self._submit(plane, plane.resolution)
        else:
            self._set_status("")

    @Slot(int, str)
    def _on_runner_failed(self, request_id, message):
        generation, _, _ = self._requests.pop(request_id, (None, None, None))
        if generation == self._generation:
            self._set_status(f"The surface could not be computed: {message}")

    # ------------------------------------------------------------------ drawing
    @staticmethod
    def _height_title(result):
        # The 3-D axis and the legend label their ticks with costs (10**height on the log scale).
        return "cost (log scale)" if result.log else "cost"

    def _show_surface(self, plane, result):
        previous = self._shown[0] if self._shown else None
        self._shown = (plane, result)
        self._drawn_at = None  # new heights under the path: draw it whatever it did
        title = self._height_title(result)
        off_a, off_b = plane.offsets
        xs, ys = result.alphas + off_a, result.betas + off_b
        segments = result.segments.copy()
        if len(segments):
            segments[:, 0] += off_a
            segments[:, 1] += off_b
        self.contour.set_surface(xs, ys, result.heights, segments, plane.labels,
                                 "log₁₀ cost" if result.log else "cost")
        if self.scene is not None:
            if previous is None or previous.mode != plane.mode:
                self.scene.reset_camera(plane.mode)  # a new kind of picture: its own view
            self.scene.set_surface(plane, result, title)
            self.legend.set_range(result.lo, result.hi, result.log, title)
            self.legend.setVisible(True)
        self.info.setText(self._explanation(plane, result))
        self._update_path()

    def _explanation(self, plane, result):
        at = f"the weights at step {plane.anchor_step}"
        if plane.mode == "weights":
            text = (f"Height: training cost as {plane.labels[0]} and {plane.labels[1]} change, "
                    f"every other parameter held at its anchor value ({at}). The path shows how "
                    f"these two moved; the true cost also depends on the others.")
        else:
            text = (f"Height: training cost on a plane through {at}. The path is the real path "
                    f"projected onto this plane; the true cost off the plane can differ.")
        if self._log and not result.log:
            text += " (Log scale off: some costs are not positive.)"
        return text

    def _schedule_path_update(self):
        """Draw the new path now, or skip this snapshot when drawing is slow.

        Drawing now (not on a timer) matters: right after a snapshot the training worker waits
        for the frame to be shown, so the UI has the interpreter to itself. A skipped snapshot
        is drawn by the next one, or by a late timer when no next one comes (training paused).
        """
        if not self.isVisible():
            self._path_dirty = True
            return
        if (time.perf_counter() - self._last_update) * 1000.0 >= self._min_interval_ms:
            self._update_path()
        else:
            self._update_timer.start(LATE_UPDATE_MS)

    @Slot()
    def _on_update_timer_timeout(self):
        self._update_path(force=True)

    def _update_path(self, force=False):
        """Project the newest path onto the shown plane and move the path and marker."""
        self._update_timer.stop()
        self._path_dirty = False
        self._last_update = time.perf_counter()
        snap, shown = self._latest, self._shown
        if snap is None or shown is None:
            return
        plane, result = shown
        path = np.asarray(snap.path)
        if snap.run != plane.run or path.ndim != 2 or path.shape[1] != plane.anchor.size:
            return
        xy = (path - plane.anchor) @ self._projector(plane)
        heights = np.clip(bilinear(result.heights, result.alphas, result.betas, xy),
                          result.lo, result.hi)
        # A ball that has (nearly) stopped need not be drawn at every snapshot.
        still = (not force and self._drawn_at is not None and self._drawn_at[0] is plane
                 and np.max(np.abs(xy[-1] - self._drawn_at[1])) < STILL_FRACTION * plane.span
                 and self._last_update - self._drawn_at[2] < STILL_REDRAW_S)
        self._path_xy, self._path_heights = xy, heights
        if still:
            # Drawn later unless a newer snapshot comes first (training may have paused).
            self._update_timer.start(int(STILL_REDRAW_S * 1000))
        else:
            self._drawn_at = (plane, xy[-1].copy(), self._last_update)
            self._draw_path()
        self._report_position(plane, xy[-1])

    def _projector(self, plane):
        """The (n_params, 2) matrix ``M`` with ``project(p) = (p − anchor) @ M``, once per plane.

        ``M = B·(BᵀB)⁻¹`` for ``B = [d1 d2]`` is the least-squares solution
        :func:`core.landscape.project` computes, made once: per snapshot the path then costs
        one small product instead of a LAPACK solve (which, on a busy machine, waited for
        BLAS threads and took milliseconds).
        """
        if self._projector_plane is not plane:
            basis = np.column_stack([plane.d1, plane.d2])
            self._projector_matrix = basis @ np.linalg.inv(basis.T @ basis)
            self._projector_plane = plane
        return self._projector_matrix

    def _draw_path(self):
        """Move the path and marker of the tab on screen (the other tab catches up when shown)."""
        if self._shown is None or self._path_xy is None:
            return
        plane, result = self._shown
        if self.scene is not None and self.tabs.currentWidget() is self.gl_container:
            self.scene.set_path(self._path_xy, self._path_heights, result.lo, plane.span)
            start = time.perf_counter()
            self.scene.paint_now()
            # Slow down when drawing is slow (software OpenGL, a big window, a busy machine):
            # the other views share the frame.
            paint_ms = 1000.0 * (time.perf_counter() - start)
            self._min_interval_ms = max(MIN_UPDATE_MS, 5.0 * paint_ms)
        else:
            self.contour.set_path(self._path_xy + np.asarray(plane.offsets))

    def _report_position(self, plane, current):
        outside = np.max(np.abs(current)) > plane.span
        if outside:
            self._set_status(f"The weights have moved beyond this surface (± {plane.span:g}): "
                             f"press Re-centre here or widen the span.")
        elif self.status.text().startswith("The weights have moved"):
            self._set_status("")

    def _select_weight_pickers(self):
        if self._weight_axes is not None:
            for picker, index in zip(self.weight_pickers, self._weight_axes):
                picker.set_index(index)

    # ------------------------------------------------------------------ events
    def showEvent(self, event):
        super().showEvent(event)
        if self._path_dirty:
            QTimer.singleShot(0, self._on_update_timer_timeout)
        if self.scene is not None and self._gl_checks == 0:
            QTimer.singleShot(50, self._check_gl)

    @Slot()
    def _check_gl(self):
        """Fall back to the contour map if OpenGL did not start (a grey box helps no one)."""
        if self.scene is None or self.scene.is_valid() or self._stopped:
            return
        self._gl_checks += 1
        if not self.scene.widget.isVisible() or self._gl_checks < 30:
            if self._gl_checks < 100:
                QTimer.singleShot(100, self._check_gl)
            return
        self.tabs.removeTab(self.tabs.indexOf(self.gl_container))
        self.gl_container.hide()
        self.scene = None
        self.contour.set_notice("3-D view unavailable: OpenGL did not start on this display. "
                                "Showing the contour map.")

    @Slot(int)
    def _on_tabs_current_changed(self, _index):
        self._draw_path()

    @Slot(int)
    def _on_mode_combo_changed(self, index):
        self._set_mode(self.mode_combo.itemData(index))

    @Slot()
    def _on_weight_picker_changed(self):
        i, j = (picker.index() for picker in self.weight_pickers)
        if i is None or j is None:
            return
        if i == j:
            self._set_status("Pick two different parameters.")
            return
        self._weight_axes = (i, j)
        self._set_mode("weights")

    @Slot()
    def _on_seed_button_clicked(self):
        self.new_directions()

    @Slot(bool)
    def _on_follow_box_toggled(self, _checked):
        if self._latest is not None:
            self.on_snapshot(self._latest)  # catch up at once if the plane is behind

    def _replan(self, **changes):
        """The same plane (anchor and directions) with another extent or height scale."""
        plane = self._pending_plane
        if plane is not None:
            self._request(dataclasses.replace(plane, **changes))

    @Slot(float)
    def _on_span_spin_changed(self, value):
        self._spans[self._mode] = float(value)
        self._replan(span=float(value))

    @Slot(int)
    def _on_resolution_combo_changed(self, index):
        self._resolution = int(self.resolution_combo.itemData(index))
        self._replan(resolution=self._resolution)

    @Slot(bool)
    def _on_log_box_toggled(self, checked):
        self._log = bool(checked)
        self._replan(log=self._log)

    @Slot()
    def _on_export_button_clicked(self):
        path, _ = QFileDialog.getSaveFileName(self, "Export the view as PNG",
                                              "costscape-surface.png", "PNG images (*.png)")
        if path:
            if not path.lower().endswith(".png"):
                path += ".png"
            if not self.export_png(path):
                self._set_status(f"Could not write {path}.")


__all__ = ["SurfaceView", "Plane", "SurfaceResult", "compute_surface", "display_heights",
           "bilinear", "fit_span", "MODES", "RESOLUTIONS", "PREVIEW_RESOLUTION",
           "SURFACE_DTYPE"]
