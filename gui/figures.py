"""Figures for slides and papers: a view as SVG, PDF or PNG at 2× or 3×, the 3-D view at any size.

The 2-D views are drawn with QPainter (pyqtgraph's items, the network diagram's canvas), so
rendering a view into an SVG generator or a PDF writer gives vectors: every curve a path, every
label text; only pictures (the decision boundary's heat map) stay images. A PNG at 2× or 3×
renders the same drawing at that many device pixels per pixel, so lines and text are sharp,
not scaled up. The 3-D view is drawn again by OpenGL into an off-screen buffer of the size asked
for, with its tick labels and titles painted on top.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QMarginsF, QPoint, QRect, QSizeF
from PySide6.QtGui import QColor, QImage, QMatrix4x4, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsView

#: Formats of the 2-D views: key -> (menu text, file filter, suffix, PNG scale or None).
FORMATS = {
    "svg": ("SVG (vector, for papers and the web)…", "SVG images (*.svg)", ".svg", None),
    "pdf": ("PDF (vector, for LaTeX and print)…", "PDF documents (*.pdf)", ".pdf", None),
    "png2": ("PNG at 2× (for slides)…", "PNG images (*.png)", ".png", 2),
    "png3": ("PNG at 3× (for posters)…", "PNG images (*.png)", ".png", 3),
}
#: Largest side of a 3-D picture, in pixels (an off-screen buffer this big still fits in GL).
MAX_3D_SIDE = 8000


def laid_out(widget):
    """``widget`` ready to be drawn off screen: a view in a tab behind another is laid out at
    its own size hint first (a hidden widget may never have been given a size)."""
    if not widget.isVisible():
        widget.ensurePolished()
        widget.resize(widget.size().expandedTo(widget.sizeHint()))
    return widget


def _draw(widget, painter, scale=1.0):
    """Render ``widget`` with ``painter`` in pyqtgraph's export mode: its items then draw for a
    file, not the screen (a scatter plot's markers as shapes, not cached pixmaps)."""
    items = []
    views = widget.findChildren(QGraphicsView)
    if isinstance(widget, QGraphicsView):
        views.append(widget)
    for view in views:
        if view.scene() is not None:
            items += [i for i in view.scene().items() if hasattr(i, "setExportMode")]
    options = {"antialias": True, "background": None, "painter": painter,
               "resolutionScale": float(scale)}
    try:
        for item in items:
            item.setExportMode(True, options)
        widget.render(painter, QPoint(0, 0))
    finally:
        for item in items:
            item.setExportMode(False)
        painter.end()


def save_svg(widget, path, title="Costscape") -> bool:
    """``widget`` as it is drawn, as an SVG file of its size in pixels."""
    widget = laid_out(widget)
    generator = QSvgGenerator()
    generator.setFileName(os.fspath(path))
    generator.setSize(widget.size())
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    generator.setTitle(title)
    generator.setDescription("Made with Costscape")
    painter = QPainter()
    if not painter.begin(generator):
        return False
    _draw(widget, painter)
    return os.path.getsize(path) > 0


def save_pdf(widget, path, title="Costscape") -> bool:
    """``widget`` as a one-page PDF whose page is the widget (one pixel = one point)."""
    widget = laid_out(widget)
    writer = QPdfWriter(os.fspath(path))
    writer.setTitle(title)
    writer.setCreator("Costscape")
    writer.setResolution(72)
    writer.setPageSize(QPageSize(QSizeF(widget.width(), widget.height()), QPageSize.Point,
                                 "", QPageSize.ExactMatch))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    painter = QPainter()
    if not painter.begin(writer):
        return False
    # The page may be a point larger than asked (rounding): draw at the page's own scale.
    page = writer.pageLayout().paintRectPixels(72)
    painter.scale(page.width() / max(widget.width(), 1), page.height() / max(widget.height(), 1))
    _draw(widget, painter)
    return os.path.getsize(path) > 0


def render_png(widget, scale) -> QImage:
    """``widget`` drawn at ``scale`` device pixels per pixel, on white."""
    widget = laid_out(widget)
    image = QImage(widget.width() * scale, widget.height() * scale, QImage.Format_ARGB32)
    image.setDevicePixelRatio(scale)
    image.fill(QColor("white"))
    _draw(widget, QPainter(image), scale)
    return image


def save_png(widget, path, scale) -> bool:
    return render_png(widget, scale).save(os.fspath(path), "PNG")


def save_figure(widget, path, fmt, title="Costscape") -> bool:
    """Save ``widget`` in format ``fmt`` (a key of :data:`FORMATS`)."""
    if fmt == "svg":
        return save_svg(widget, path, title)
    if fmt == "pdf":
        return save_pdf(widget, path, title)
    return save_png(widget, path, FORMATS[fmt][3])


# --------------------------------------------------------------------------- the 3-D view
def render_3d(scene, width, height) -> QImage:
    """The 3-D view of ``scene`` (the surface view's GL scene) drawn at ``width`` × ``height``
    pixels, with its labels."""
    import numpy as np

    from gui.views.surface.glview import draw_labels  # loads OpenGL: only when it is needed

    width, height = int(width), int(height)
    if not (1 <= width <= MAX_3D_SIDE and 1 <= height <= MAX_3D_SIDE):
        raise ValueError(f"a 3-D picture is 1 to {MAX_3D_SIDE} pixels a side")
    view = scene.view
    pixels = np.ascontiguousarray(view.renderToArray((width, height)))  # BGRA rows, top first
    image = QImage(pixels.data, width, height, width * 4, QImage.Format_ARGB32).copy()
    # The labels are painted with QPainter onto the window, not into the buffer: paint them
    # here with the projection of the whole picture.
    viewport = QMatrix4x4()
    viewport.viewport(0.0, float(height), float(width), -float(height))
    project = (viewport * view.projectionMatrix((0, 0, width, height), (0, 0, width, height))
               * view.viewMatrix())
    # Text grows with the picture, but slower: a larger picture is mostly more room for the
    # surface (4 times the screen's size gets labels twice as large).
    grow = max(1.0, min(width / max(view.width(), 1), height / max(view.height(), 1))) ** 0.5
    painter = QPainter(image)
    try:
        draw_labels(painter, project, width, height, scene.labels.entries, grow)
    finally:
        painter.end()  # an image destroyed while a painter is open crashes the process
    image.setText("Software", "Costscape")
    return image.convertToFormat(QImage.Format_RGB32)


def save_3d_png(scene, path, width, height) -> bool:
    return render_3d(scene, width, height).save(os.fspath(path), "PNG")

