"""What "reads at a glance" means, measured on the live widget tree (issue 19).

:func:`elided` lists every visible text that does not fit the room it has; :func:`small_plots`
lists every main picture smaller than :data:`MIN_PLOT` pixels. Both return strings naming the
widget by its object path, so a failing test says where to look.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import (QAbstractButton, QComboBox, QDockWidget, QLabel, QPushButton,
                               QStyle, QStyleOptionComboBox, QTabBar, QToolBar, QWidget)

from gui.widgets.labels import FixedLabel

#: Smallest side of a main picture, in pixels (issue 19: "a plot under 250 px" fails).
MIN_PLOT = 250
#: Smallest height of a line plot (the cost curve...), in pixels: see :func:`main_pictures`.
MIN_CURVE_HEIGHT = 85
#: Rounding: Qt lays text out in fractional pixels; one pixel over is not a cut letter.
SLACK = 1


def path(widget) -> str:
    """``MainWindow/cost_dock/CostPlot/QLabel``: the widget's ancestry, by object name where
    it has one, else by class."""
    parts = []
    while widget is not None:
        parts.append(widget.objectName() or type(widget).__name__)
        widget = widget.parentWidget()
    return "/".join(reversed(parts))


def _shown(widget, window) -> bool:
    """On screen: visible, with some area inside the window."""
    if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
        return False
    top_left = widget.mapTo(window, widget.rect().topLeft())
    return window.rect().intersects(widget.rect().translated(top_left))


def _label_problem(label):
    text = label.text()
    pixmap = label.pixmap() if isinstance(label, QLabel) else None
    if not text.strip() or pixmap is not None and not pixmap.isNull():
        return None
    if label.wordWrap():
        # Wrapped text may take lines but not more height than the label has.
        need = label.heightForWidth(label.width())
        if need > label.height() + SLACK:
            return f"wrapped text needs {need} px of height, has {label.height()}"
        return None
    # The label's own measure of its text (plain or rich), margins and indent included.
    need = label.sizeHint().width()
    if need > label.width() + SLACK:
        return f"text needs {need} px, has {label.width()}"
    return None


def _button_problem(button):
    if isinstance(button, QPushButton):
        # A push button's size hint has a style minimum (80 px) wider than its text needs:
        # measure the text and icon, with the frame's padding.
        need = QFontMetrics(button.font()).horizontalAdvance(button.text()) + 8
        if not button.icon().isNull():
            need += button.iconSize().width() + 4
    else:
        need = button.sizeHint().width()
    if button.text().strip() and need > button.width() + SLACK:
        return f"needs {need} px, has {button.width()}"
    return None


def _combo_problem(combo):
    if not combo.currentText():
        return None
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QStyle.CC_ComboBox, option,
                                         QStyle.SC_ComboBoxEditField, combo)
    need = QFontMetrics(combo.font()).horizontalAdvance(combo.currentText())
    if not combo.itemIcon(combo.currentIndex()).isNull():
        need += combo.iconSize().width() + 4
    if need > field.width() + SLACK:
        return f"text needs {need} px, has {field.width()}"
    return None


def _tab_problems(bar):
    for i in range(bar.count()):
        rect = bar.tabRect(i)
        if not bar.rect().contains(rect):
            yield f"tab {bar.tabText(i)!r} is scrolled out of sight"
        elif rect.width() + SLACK < bar.tabSizeHint(i).width():
            yield f"tab {bar.tabText(i)!r} is elided ({rect.width()} of " \
                  f"{bar.tabSizeHint(i).width()} px)"


def _dock_title_problem(dock):
    if dock.titleBarWidget() is not None or not dock.windowTitle():
        return None
    # The title bar keeps room for the float and close buttons (two, about 20 px each).
    room = dock.width() - 2 * 20 - 12
    need = QFontMetrics(dock.font()).horizontalAdvance(dock.windowTitle())
    return f"title needs {need} px, has {room}" if need > room + SLACK else None


def _axis_problems(view):
    """pyqtgraph axes of a plot widget: a label longer than its axis ("accurac"), or a tick
    label drawn past the edge of the widget (the colour bar's top value cut in half)."""
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    image = QImage(4, 4, QImage.Format_ARGB32)
    painter = QPainter(image)
    try:
        for item in view.scene().items():
            if not isinstance(item, pg.AxisItem) or not item.isVisible():
                continue
            vertical = item.orientation in ("left", "right")
            length = item.geometry().height() if vertical else item.geometry().width()
            if item.label.isVisible() and item.label.toPlainText().strip():
                need = item.label.boundingRect().width()
                if need > length + SLACK:
                    yield (f"{item.orientation} axis label {item.label.toPlainText()!r} needs "
                           f"{need:.0f} px, the axis is {length:.0f}")
            specs = item.generateDrawSpecs(painter)
            if not specs:
                continue
            for rect, _flags, text in specs[2]:
                scene = item.mapRectToScene(QRectF(rect))
                if not visible.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(scene):
                    yield f"{item.orientation} tick label {text!r} is cut by the edge"
    finally:
        painter.end()


def elided(window) -> list[str]:
    """Every text of ``window`` on screen that does not fit: labels without word wrap whose
    text is wider than the label, wrapped labels shorter than their text, buttons, check boxes
    and combo boxes narrower than their text, elided or hidden tabs, dock titles, a toolbar
    that hides buttons behind its » menu, pyqtgraph axis labels longer than the axis and tick
    labels cut by the plot's edge."""
    found = []
    for widget in [window, *window.findChildren(QWidget)]:
        if not _shown(widget, window):
            continue
        if isinstance(widget, (QLabel, FixedLabel)):
            problems = [_label_problem(widget)]
        elif isinstance(widget, QAbstractButton):
            problems = [_button_problem(widget)]
        elif isinstance(widget, QComboBox):
            problems = [_combo_problem(widget)]
        elif isinstance(widget, QTabBar):
            problems = list(_tab_problems(widget))
        elif isinstance(widget, QDockWidget):
            problems = [_dock_title_problem(widget)]
        elif isinstance(widget, QToolBar):
            extension = widget.findChild(QAbstractButton, "qt_toolbar_ext_button")
            problems = ["buttons hidden behind its » menu"] if extension is not None and \
                extension.isVisible() else []
        elif isinstance(widget, pg.GraphicsView):
            problems = list(_axis_problems(widget))
        else:
            continue
        text = widget.text() if hasattr(widget, "text") and callable(widget.text) else \
            widget.windowTitle()
        found += [f"{path(widget)} {text[:60]!r}: {p}" for p in problems if p]
    return found


def main_pictures(window):
    """``(name, widget, (width, height))``: the pictures that must keep :data:`MIN_PLOT`
    pixels on their smaller side, with the size of the part that draws data:

    - the decision boundary's data area (its ViewBox: the heatmap and the points, without the
      axes and the colour bar, which are captions of the picture);
    - the error surface's 3-D view (the whole GL widget: the box and its axes are drawn in
      it), or the contour map's data area when that tab is chosen.

    These two are maps whose shape is the message (where the boundary runs, the bowl of the
    surface): below about 250 pixels a learner cannot see it. The line plots are in
    :func:`line_plots`, with a lower height: a curve is read along its axis, and on a
    768-pixel screen the middle column cannot give 250 pixels to the boundary and to the cost
    curve under it (686 pixels for two docks: the boundary takes about 420 with its legend,
    axes and draw buttons; the cost dock's title, table, buttons and tabs take 150 more).
    """
    out = []
    boundary = window.boundary_plot.canvas
    if _shown(boundary, window):
        rect = boundary.view.sceneBoundingRect()
        out.append(("decision boundary (data area)", boundary, (rect.width(), rect.height())))
    tabs = window.surface_view.tabs
    if tabs.gl_container is not None and _shown(tabs.gl_container, window):
        size = tabs.gl_container.size()
        out.append(("error surface 3-D view", tabs.gl_container,
                    (size.width(), size.height())))
    contour = tabs.contour.plot_widget
    if _shown(contour, window):
        rect = tabs.contour.plot.getViewBox().sceneBoundingRect()
        out.append(("error surface contour map (data area)", contour,
                    (rect.width(), rect.height())))
    return out


def line_plots(window):
    """``(name, widget, (width, height))``: the main curve of each other view on screen (the
    cost, the gradient norms, the sharpness, the cost along a line), as whole widgets. Left
    out: the accuracy strip under the cost curve (a band by design, on the cost's epoch
    axis) and the function plots of the controls column (pictures of a formula)."""
    out = []
    for name, widget in (("cost curve", window.cost_plot.canvas.cost_widget),
                         ("gradient norms", window.gradient_view.canvas),
                         ("sharpness", window.sharpness_view.canvas),
                         ("cost along a line", window.interpolation_view.canvas)):
        if _shown(widget, window):
            out.append((name, widget, (widget.width(), widget.height())))
    return out


def small_plots(window, least=MIN_PLOT, curve_height=MIN_CURVE_HEIGHT) -> list[str]:
    """The main pictures (:func:`main_pictures`) whose smaller side is under ``least``, and
    the line plots (:func:`line_plots`) narrower than ``least`` or lower than
    ``curve_height``."""
    found = [f"{name} ({path(widget)}) is {w:.0f} × {h:.0f} px"
             for name, widget, (w, h) in main_pictures(window) if min(w, h) + SLACK < least]
    found += [f"{name} ({path(widget)}) is {w:.0f} × {h:.0f} px"
              for name, widget, (w, h) in line_plots(window)
              if w + SLACK < least or h + SLACK < curve_height]
    return found
