"""Paints the network diagram and says what is under the pointer.

The canvas draws an :class:`~gui.views.network.model.Architecture` laid out by a
:class:`~gui.views.network.model.Geometry`; what the nodes and links look like (pictures, pens,
bias colours) is handed to it. It reports hovers and clicks as *hits* (see the model) and knows
nothing of what they mean.

Cost: the layout is made when the architecture or the size changes. A snapshot only regroups
the links (one pen per sign and strength) and swaps the pictures; what never changes while
training (titles, labels, the input pictures) is one cached pixmap.
"""
from __future__ import annotations

import functools
import time

import numpy as np
from pyqtgraph.functions import create_qpolygonf, ndarray_from_qpolygonf
from PySide6.QtCore import QLineF, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui import style
from gui.views.network import model
from gui.views.network.model import (LINK_LEVELS, MIN_BIAS_NODE, MIN_PICTURE, Geometry,
                                     labels_that_fit)
from gui.widgets.colour_maps import diverging_lut, white_point

#: Up to this many links are drawn antialiased.
MAX_SMOOTH_LINKS = 1500
#: The smallest font of the input names (logical pixels), for inputs packed close together.
MIN_LABEL_PX = 8
#: Networks with at most this many links keep a line object per link (made once per layout).
MAX_LINES_KEPT = 20_000
#: Pictures are a little more saturated than the boundary plot's background.
PICTURE_LIGHTEN = 0.12



def _pen(colour, width, line=Qt.SolidLine, cosmetic=False) -> QPen:
    pen = QPen(QColor(colour), width, line)
    pen.setCosmetic(cosmetic)  # drawn scaled to the node: the width stays in pixels
    return pen


def _pens() -> dict:
    """Pens and fills of the nodes, in the current palette (made per paint: a handful)."""
    faded = QColor(*(int(c) for c in style.lighten(style.FAINT, 0.35)))
    return {"border": _pen(style.FAINT, 1.0), "faded_border": _pen(faded, 1.0, Qt.DashLine),
            "hover": _pen(style.INK, 2.0), "bias": _pen(style.FAINT, 0.8),
            "curve": _pen(style.INK, 1.3, cosmetic=True),
            "faded_curve": _pen(faded, 1.3, cosmetic=True),
            "curve_background": QColor(style.PANEL),
            "plain_node": QColor(*(int(c) for c in style.lighten(style.FAINT, 0.8)))}


#: Colours of what a step-by-step explanation lights up: the forward pass, and the gradient
#: on its way back.
LIT_COLOURS = {"forward": QColor(31, 119, 180), "backward": QColor(214, 39, 40),
               "update": QColor(44, 160, 44)}


@functools.lru_cache(maxsize=2 * (LINK_LEVELS + 1))
def bias_colour(positive, level) -> QColor:
    return QColor(*model.bias_rgb(positive, level))


def images_of(values, levels) -> list:
    """``values`` ``(g, g, units)`` -> one RGBA QImage per unit (y up, as on the plot)."""
    k = model.picture_indices(values, levels)
    lut = diverging_lut(white_point(levels), PICTURE_LIGHTEN)
    # One uint32 per RGBA pixel (bytes in memory order R, G, B, A): a lookup 7× faster.
    rgba = np.ascontiguousarray(lut).view(np.uint32).ravel()[k]  # (units, g, g), contiguous
    h, w = rgba.shape[1:3]
    # copy(): each QImage then owns its pixels and the numpy buffer can go.
    return [QImage(rgba[u].data, w, h, 4 * w, QImage.Format_RGBA8888).copy()
            for u in range(rgba.shape[0])]


def polylines_of(values, levels) -> list:
    """``values`` ``(g, units)`` -> one polyline per unit in unit coordinates ``[0, 1]²``."""
    xs, rows = model.curve_points(values, levels)
    polylines = []
    for row in rows:
        # The points' doubles written straight into the polyline: a QPointF object per
        # point took most of a refresh of a 1-D run's diagram (35 curves of 64 points).
        polyline = create_qpolygonf(len(xs))
        points = ndarray_from_qpolygonf(polyline)
        points[:, 0], points[:, 1] = xs, row
        polylines.append(polyline)
    return polylines


class DiagramCanvas(QWidget):
    """The drawing of the diagram.

    Signals: ``hover_changed(hit)`` and ``clicked(hit)`` (a hit, see the model, or None);
    ``relaid_out()`` after the geometry changed (a resize), so the links' widths follow.
    """

    hover_changed = Signal(object)
    clicked = Signal(object)
    relaid_out = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        # It paints every pixel (a background pixmap first): the dock and window beneath need
        # no repaint when it changes, which they otherwise got at every frame.
        self.setAttribute(Qt.WA_OpaquePaintEvent)
        self.setMouseTracking(True)
        # (100 high: on a 720-pixel screen the error surface above needs the rest, for its
        # contour map's 250 pixels and axes.)
        self.setMinimumSize(240, 100)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.arch = None
        self.geom = None             # model.Geometry of the current size
        self.hover = None
        self.marks = {}              # flat index -> "1"/"2" (error-surface axes)
        self.rects = []              # per column: the nodes' QRectFs
        self.bias_rects = []
        self._qlines = None
        self.link_key = None         # what the link pens were made from (skip when unchanged)
        self.drawn = np.zeros(0, dtype=int)   # links drawn (indices into the links)
        self.buckets = []            # (QPen, [QLineF]) in drawing order
        self.pictures = {}           # column -> list of QImage
        self.curves = {}             # column -> list of QPolygonF
        self.bias_colours = {}       # column -> list of QColor
        self.scaled_inputs = None    # the input pictures at node size (they never change)
        self.paint_time = 0.0
        self._static, self._static_key = None, None
        #: Lit up by a step-by-step explanation: ({column: [unit, ...]}, link indices, colour).
        self.lit = None

    # ------------------------------------------------------------------ geometry
    @property
    def node(self) -> float:
        """The smallest node's size (pixels)."""
        return self.geom.node if self.geom is not None else 0.0

    @property
    def endpoints(self) -> np.ndarray:
        return self.geom.endpoints if self.geom is not None else np.zeros((0, 4))

    def set_architecture(self, arch):
        self.arch = arch
        self.hover = None
        self.marks = {}
        self.pictures, self.curves, self.bias_colours = {}, {}, {}
        self.buckets, self.drawn = [], np.zeros(0, dtype=int)
        self.relayout()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.relayout()
        self.relaid_out.emit()

    def relayout(self):
        if self.arch is None:
            return
        # Room on the right for the output labels ("p(class 2)" is wider than "ŷ").
        metrics = QFontMetrics(self._small_font())
        widest = max((metrics.horizontalAdvance(label) for label in self.arch.output_labels),
                     default=0)
        geometry = self.geom = Geometry.of(self.arch, self.width(), self.height(), widest)
        self.rects = [[self.node_rect(c, u) for u in range(n)]
                      for c, n in enumerate(self.arch.columns)]
        self.bias_rects = [[self._bias_rect(c, u) for u in range(n)] if c else []
                           for c, n in enumerate(self.arch.columns)]
        self._qlines = None
        self.link_key = None
        self.scaled_inputs = None
        if len(geometry.endpoints) <= MAX_LINES_KEPT:
            self._qlines = [QLineF(*row) for row in geometry.endpoints.tolist()]
        self.update()

    def node_rect(self, column, unit) -> QRectF:
        left, top, s = self.geom.node_box(column, unit)
        return QRectF(left, top, s, s)

    def bias_centre(self, column, unit) -> QPointF:
        return QPointF(*self.geom.bias_centre(column, unit))

    def _bias_rect(self, column, unit) -> QRectF:
        c, b = self.bias_centre(column, unit), self.geom.bias_size(column)
        return QRectF(c.x() - b / 2, c.y() - b / 2, b, b)

    def link_midpoint(self, k) -> QPointF:
        return QPointF(*self.geom.link_midpoint(k))

    # ------------------------------------------------------------------ links' pens
    def set_link_style(self, link_style):
        """Draw the links as ``link_style`` (a :class:`model.LinkStyle`) says. Nothing to do
        (and no repaint) when no link changed group."""
        key = link_style.key()
        if key == self.link_key:
            return
        self.link_key = key
        self.drawn = link_style.drawn
        qlines = self._qlines
        if qlines is None:
            endpoints = self.geom.endpoints
            qlines = {k: QLineF(*endpoints[k]) for k in self.drawn.tolist()}
        buckets = []
        for rgb, width, members in model.link_groups(link_style):
            pen = QPen(QColor(*rgb))
            pen.setWidthF(width)
            pen.setCapStyle(Qt.FlatCap)
            buckets.append((pen, [qlines[k] for k in members.tolist()]))
        self.buckets = buckets
        self.update()

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event):
        start = time.perf_counter()
        painter = QPainter(self)
        if self.arch is None or not self.rects:
            painter.fillRect(self.rect(), QColor(style.BACKGROUND))
            painter.end()
            return
        # What does not change while training (titles, labels, the inputs) is one pixmap.
        painter.drawPixmap(0, 0, self._static_layer())
        # Thousands of hairlines: smoothing them costs more than it shows.
        painter.setRenderHint(QPainter.Antialiasing, len(self.drawn) <= MAX_SMOOTH_LINKS)
        painter.setRenderHint(QPainter.SmoothPixmapTransform)
        for pen, lines in self.buckets:
            painter.setPen(pen)
            painter.drawLines(lines)
        painter.setRenderHint(QPainter.Antialiasing)
        self._paint_lit_links(painter)
        self._paint_marked_links(painter)
        for column in range(1, len(self.rects)):
            self._paint_column(painter, column)
        self._paint_lit_nodes(painter)
        self._paint_hover(painter)
        painter.end()
        self.paint_time = time.perf_counter() - start

    def set_lit(self, nodes, links, direction):
        """Light up ``nodes`` ({column: [unit, ...]}) and the links ``links`` (indices into
        the links) in the colour of ``direction``; ``set_lit(None, None, None)`` for none."""
        self.lit = None if nodes is None else (nodes, np.asarray(links, dtype=int),
                                               LIT_COLOURS[direction])
        self.update()

    def _paint_lit_links(self, painter):
        if self.lit is None or self.geom is None:
            return
        _, links, colour = self.lit
        # Only links that are drawn at all (a big network draws its strongest ones).
        links = links[np.isin(links, self.drawn)] if len(self.drawn) < len(self.endpoints) \
            else links
        if not len(links):
            return
        glow = QColor(colour)
        glow.setAlpha(150)
        pen = QPen(glow)
        pen.setWidthF(3.0 if len(links) <= 200 else 1.5)
        pen.setCapStyle(Qt.RoundCap)
        painter.setPen(pen)
        endpoints = self.endpoints
        painter.drawLines([QLineF(*endpoints[k]) for k in links.tolist()])

    def _paint_lit_nodes(self, painter):
        if self.lit is None or not self.rects:
            return
        nodes, _, colour = self.lit
        pen = QPen(colour, 3.0)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        for column, units in nodes.items():
            if column < len(self.rects):
                painter.drawRects([self.rects[column][u].adjusted(-2, -2, 2, 2) for u in units
                                   if u < len(self.rects[column])])

    def _paint_marked_links(self, painter):
        hover, links = self.hover, self.arch.links
        highlight = []
        if hover is not None and hover[0] == "link":
            highlight.append(hover[1])
        highlight += [k for k in map(links.link_of, self.marks) if k is not None]
        endpoints = self.geom.endpoints
        for k in highlight:
            pen = QPen(QColor(style.INK))
            pen.setWidthF(2.0)
            pen.setStyle(Qt.DashLine if k != (hover or (None, None))[1] else Qt.SolidLine)
            painter.setPen(pen)
            painter.drawLine(QLineF(*endpoints[k]))
        painter.setFont(self._small_font())
        for i, text in self.marks.items():
            k = links.link_of(i)
            if k is not None:
                self._badge(painter, self.link_midpoint(k), text)
            else:
                spot = self.arch.bias_spot(i)
                if spot is not None:
                    self._badge(painter, self.bias_centre(*spot) + QPointF(-8, 8), text)

    @staticmethod
    def _badge(painter, centre, text):
        r = 7.0
        painter.setPen(QPen(QColor(style.INK), 1.0))
        painter.setBrush(QColor(style.BACKGROUND))
        painter.drawEllipse(centre, r, r)
        painter.drawText(QRectF(centre.x() - r, centre.y() - r, 2 * r, 2 * r), Qt.AlignCenter,
                         text)

    def restyle(self):
        """Forget every picture made in the old palette; the next paint uses the current one."""
        bias_colour.cache_clear()
        self._static_key = self.scaled_inputs = self.link_key = None
        self.update()

    def _small_font(self):
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1.5))
        return font

    def _static_layer(self) -> QPixmap:
        dpr = self.devicePixelRatioF()
        key = (self.width(), self.height(), dpr, self.geom.sizes, self.arch.input_active,
               id(self.pictures.get(0)), id(self.curves.get(0)))
        if key != self._static_key:
            pixmap = QPixmap(max(1, round(self.width() * dpr)), max(1, round(self.height() * dpr)))
            pixmap.setDevicePixelRatio(dpr)
            pixmap.fill(QColor(style.BACKGROUND))
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.Antialiasing)
            painter.setRenderHint(QPainter.SmoothPixmapTransform)
            self._paint_column(painter, 0)
            self._paint_labels(painter)
            painter.end()
            self._static, self._static_key = pixmap, key
        return self._static

    def _paint_column(self, painter, column):
        # Batched: one call draws every border of a column, so big networks paint quickly.
        rects = self.rects[column]
        s = self.geom.sizes[column]
        pictures = self.pictures.get(column)
        curves = self.curves.get(column)
        input_active = self.arch.input_active
        pens = _pens()
        painter.setBrush(Qt.NoBrush)
        if pictures is not None and s >= MIN_PICTURE:
            if column == 0:
                for rect, image in zip(rects, self._scaled_inputs(s)):
                    painter.drawImage(rect.topLeft(), image)
            else:
                # Smooth scaling is slow and invisible on tiny nodes.
                painter.setRenderHint(QPainter.SmoothPixmapTransform, s >= 12)
                for rect, image in zip(rects, pictures):
                    painter.drawImage(rect, image)
        elif curves is not None and s >= MIN_PICTURE:
            for unit, (rect, curve) in enumerate(zip(rects, curves)):
                faded = column == 0 and not input_active[unit]
                painter.fillRect(rect, pens["curve_background"])
                painter.setPen(pens["faded_curve"] if faded else pens["curve"])
                painter.save()
                painter.translate(rect.topLeft())
                painter.scale(s, s)
                painter.drawPolyline(curve)
                painter.restore()
        else:
            painter.setPen(Qt.NoPen)
            painter.setBrush(pens["plain_node"])
            painter.drawRects(rects)
            painter.setBrush(Qt.NoBrush)
        if s >= 3:
            if column == 0:
                active = [r for r, on in zip(rects, input_active) if on]
                painter.setPen(pens["faded_border"])
                painter.drawRects([r for r, on in zip(rects, input_active) if not on])
            else:
                active = rects
            painter.setPen(pens["border"])
            painter.drawRects(active)
        colours = self.bias_colours.get(column)
        if colours is not None and s >= MIN_BIAS_NODE:
            painter.setPen(pens["bias"])
            for rect, colour in zip(self.bias_rects[column], colours):
                painter.setBrush(colour)
                painter.drawRect(rect)
            painter.setBrush(Qt.NoBrush)

    def _paint_hover(self, painter):
        hover = self.hover
        if hover is not None and hover[0] in ("neuron", "bias", "input"):
            column, unit = (0, hover[1]) if hover[0] == "input" else hover[1:]
            painter.setPen(_pens()["hover"])
            painter.setBrush(Qt.NoBrush)
            painter.drawRect(self.rects[column][unit])
            if hover[0] == "bias":
                painter.drawRect(self.bias_rects[column][unit])

    def _scaled_inputs(self, s) -> list:
        """The input pictures at node size, the unused ones faded: drawn unscaled, an image is
        a plain copy, and these never change, so they are scaled once."""
        size = max(int(round(s)), 1)
        key = (size, id(self.pictures[0]), self.arch.input_active)
        if self.scaled_inputs is None or self.scaled_inputs[0] != key:
            images = []
            for image, on in zip(self.pictures[0], self.arch.input_active):
                image = image.scaled(size, size, Qt.IgnoreAspectRatio, Qt.SmoothTransformation)
                if not on:
                    faded = QImage(image.size(), QImage.Format_ARGB32_Premultiplied)
                    faded.fill(QColor(style.BACKGROUND))
                    p = QPainter(faded)
                    p.setOpacity(0.3)
                    p.drawImage(0, 0, image)
                    p.end()
                    image = faded
                images.append(image)
            self.scaled_inputs = (key, images)
        return self.scaled_inputs[1]

    def _paint_labels(self, painter):
        painter.setPen(QColor(style.MUTED))
        painter.setFont(self._small_font())
        metrics = painter.fontMetrics()
        arch, centres, sizes = self.arch, self.geom.centres, self.geom.sizes
        for column, title in enumerate(arch.titles):
            x = centres[column][0, 0] if len(centres[column]) else 0
            painter.drawText(QRectF(x - 60, 4, 120, 18), Qt.AlignCenter, title)
        labels, ys = arch.input_labels, centres[0][:, 1]
        if labels and len(ys) > 1:
            # Inputs closer than a line: a smaller font, down to MIN_LABEL_PX, before labels
            # are left out (the used inputs' first).
            font, step = painter.font(), float(np.min(np.diff(ys)))
            px = painter.fontInfo().pixelSize()
            while metrics.height() - 2 > step and px > MIN_LABEL_PX:
                px -= 1
                font.setPixelSize(px)
                painter.setFont(font)
                metrics = painter.fontMetrics()
        line = metrics.height() - 2  # (a line's leading may touch the next)
        fit = labels_that_fit(ys, arch.input_active, line) if labels else ()
        for unit in fit:
            x, y = centres[0][unit]
            label = labels[unit]
            painter.setOpacity(1.0 if arch.input_active[unit] else 0.45)
            painter.drawText(QRectF(0, y - 9, x - sizes[0] / 2 - 4, 18),
                             Qt.AlignRight | Qt.AlignVCenter, label)
        painter.setOpacity(1.0)
        painter.setFont(self._small_font())
        metrics = painter.fontMetrics()
        s = sizes[-1]
        if s >= 7:
            for unit, label in enumerate(arch.output_labels):
                x, y = centres[-1][unit]
                painter.drawText(QRectF(x + s / 2 + 4, y - 9,
                                        metrics.horizontalAdvance(label) + 4, 18),
                                 Qt.AlignLeft | Qt.AlignVCenter, label)

    # ------------------------------------------------------------------ picking and events
    def hit(self, pos):
        """What is at widget position ``pos`` (a hit, see the model), or None."""
        if self.geom is None:
            return None
        return self.geom.hit(pos.x(), pos.y(), self.drawn)

    def mouseMoveEvent(self, event):
        hit = self.hit(event.position())
        if hit != self.hover:
            self.hover = hit
            self.setCursor(Qt.PointingHandCursor if hit is not None and hit[0] in (
                "link", "bias", "input") else Qt.ArrowCursor)
            self.update()
            self.hover_changed.emit(hit)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event):
        if self.hover is not None:
            self.hover = None
            self.update()
            self.hover_changed.emit(None)
        super().leaveEvent(event)

    def mousePressEvent(self, event):
        if event.button() == Qt.LeftButton:
            hit = self.hit(event.position())
            if hit is not None:
                self.clicked.emit(hit)
                event.accept()
                return
        super().mousePressEvent(event)

    def sizeHint(self):
        return QSize(520, 380)
