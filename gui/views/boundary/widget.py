"""The network's output over the data domain, with the data points on top.

- Binary classification: a heatmap of the output with a diverging colour map that is white at
  the decision threshold (0.5 for a sigmoid output, 0 for the hinge losses' raw score), orange
  towards class 0 and blue towards class 1, and a colour bar.
- Multi-class: each grid point's colour is the class colours blended by the predicted
  probabilities, so uncertain regions look mixed.
- Regression with two inputs: a heatmap of the predicted value (same colours as the points).
- One input (e.g. ``sine``): the fitted curve over the points.

Training points are filled, test points hollow. The heatmap (about 100 × 100 outputs) is
computed in the training worker; this view only colours it.

Also:

- :meth:`BoundaryPlot.show_neuron` shows one neuron's output large in place of the network's
  (:meth:`BoundaryPlot.bind` calls it while the pointer rests on a neuron of the diagram);
- :meth:`BoundaryPlot.set_point_losses` sizes the training points by their loss;
- the network at a point of the error surface (the selection's probe) is drawn over it, dashed,
  with its cost and accuracy; for a clicked point, "Move here" asks the selection
  to move the training weights there (:mod:`gui.views.boundary.overlay`);
- drawing: with a class (or "point", for regression) chosen under the plot, a click adds a
  training point there and Ctrl+click removes the nearest point. The view emits
  :attr:`BoundaryPlot.data_edited` with the new "custom" :class:`~core.datasets.Dataset`; the
  main window hands it to the trainer (which starts a new run on it).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QButtonGroup, QDoubleSpinBox, QHBoxLayout, QLabel, QSizePolicy,
                               QToolButton, QVBoxLayout, QWidget)

from core import datasets
from gui.views.boundary import model
from gui.views.boundary.canvas import BoundaryCanvas, neutral_edge, point_colours
from gui.views.boundary.holder import SquareHolder
from gui.views.boundary.overlay import ProbeOverlay

_DRAW_TIP = ("Draw your own data: choose what a click adds, then click in the plot to add a "
             "training point there;\nCtrl+click removes the nearest point. The data set "
             "becomes 'custom' (the points shown, plus yours)\nand training starts again on "
             "it with fresh weights. Save it with the experiment (File menu).")


def _dot_icon(colour, size=12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(QColor("white"))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


class BoundaryPlot(QWidget):
    """Decision boundary / fitted function view. Feed it snapshots with :meth:`show_snapshot`.

    Signals
    -------
    data_edited(Dataset, str)
        The learner added or removed a point: the new data (named "custom": all the old points
        kept, new ones in the training set) and a sentence saying what changed.
    draw_refused(str)
        A click could not edit the data (outside the domain, the last test point...): why.
    """

    data_edited = Signal(object, str)
    draw_refused = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._data = None
        self._grid = None
        self._mode = None           # model.mode_for: "binary", "multiclass", ..., "none"
        self._show_test = True
        self._threshold = 0.5
        self._task = None
        self._legend_key = None
        self._point_losses = None   # set_point_losses
        self._train_size = 8
        self._pending = None        # data of an edit not yet seen in a snapshot
        self._pending_run = None
        self._run = None
        self._draw_key = None

        self.legend_label = QLabel()
        self.legend_label.setTextFormat(Qt.RichText)
        self.legend_label.setWordWrap(True)
        self.canvas = BoundaryCanvas()
        self.hover_label = QLabel(" ")
        self.hover_label.setStyleSheet("color: #444;")
        # (Ignored: a long line is cut rather than widening the column; its tooltip has it all.)
        self.hover_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self._probe_text = ""
        self.hover_label.setToolTip("The network's output at the point under the mouse pointer.")
        self.canvas.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.canvas.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self.overlay = ProbeOverlay(self.canvas.plot, self)
        self.overlay.text_changed.connect(self._on_overlay_text_changed)
        self._make_draw_bar()

        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.setSpacing(2)
        # The hover line is one line of text; the buttons of a point picked on the error
        # surface sit at the end of the draw row (they come and go without moving the plot,
        # and a row of their own cost the plot 28 pixels of a 768-pixel screen).
        below_layout.addWidget(self.hover_label)
        self._draw_row.addWidget(self.overlay.move_button)
        self._draw_row.addWidget(self.overlay.forget_button)
        self.draw_bar.setMinimumHeight(self.overlay.move_button.sizeHint().height())
        below_layout.addWidget(self.draw_bar)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.holder = SquareHolder(self.canvas, self.legend_label, below)
        layout.addWidget(self.holder, 1)
        self._set_mode("none")

    def _make_draw_bar(self):
        self.draw_bar = QWidget()
        row = QHBoxLayout(self.draw_bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(3)
        title = QLabel("Draw:")
        title.setToolTip(_DRAW_TIP)
        self.draw_group = QButtonGroup(self)
        self.draw_group.setExclusive(True)
        self.draw_off = QToolButton()
        self.draw_off.setText("Off")
        self.draw_off.setCheckable(True)
        self.draw_off.setChecked(True)
        self.draw_off.setToolTip("Clicks in the plot do not change the data.")
        self.draw_group.addButton(self.draw_off, -1)
        self.draw_value = QDoubleSpinBox()
        self.draw_value.setRange(-1e4, 1e4)
        self.draw_value.setDecimals(2)
        self.draw_value.setSingleStep(0.1)
        self.draw_value.setValue(1.0)
        self.draw_value.setPrefix("y = ")
        self.draw_value.setToolTip("The target value y of the points a click adds (regression).")
        self.draw_hint = QLabel("")
        self.draw_hint.setStyleSheet("color: #666;")
        self.draw_hint.setToolTip(_DRAW_TIP)
        self._draw_row = row
        for widget in (title, self.draw_off, self.draw_value, self.draw_hint):
            row.addWidget(widget)
        row.addStretch(1)
        self._draw_buttons = []
        self.draw_group.idToggled.connect(self._on_draw_group_toggled)

    def _set_draw_choices(self, data):
        """Offer a button per class (classification) or one "point" button (regression)."""
        key = (data.task, data.n_classes, self._mode)
        if key == self._draw_key:
            return
        self._draw_key = key
        chosen = self.draw_group.checkedId()
        for button in self._draw_buttons:
            self.draw_group.removeButton(button)
            button.deleteLater()
        self._draw_buttons = []
        for k, (text, colour, tip) in enumerate(model.draw_choices(*key)):
            button = QToolButton()
            button.setText(text)
            button.setIcon(_dot_icon(colour))
            button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
            button.setCheckable(True)
            button.setToolTip(tip + " Ctrl+click removes the nearest point.")
            self.draw_group.addButton(button, k)
            self._draw_row.insertWidget(2 + k, button)
            self._draw_buttons.append(button)
        if 0 <= chosen < len(self._draw_buttons):
            self._draw_buttons[chosen].setChecked(True)
        else:
            self.draw_off.setChecked(True)
        self.draw_value.setVisible(self._mode == "regression2d")
        self._on_draw_group_toggled(self.draw_group.checkedId(), True)

    @Slot(int, bool)
    def _on_draw_group_toggled(self, _id, checked):
        if not checked:
            return
        drawing = self.draw_target() is not None
        self.draw_hint.setText("click: add · Ctrl+click: remove nearest" if drawing else "")
        self.canvas.setCursor(Qt.CrossCursor if drawing else Qt.ArrowCursor)

    # ------------------------------------------------------------------ public
    def height_for_side(self, side):
        """The height this view needs for a data area ``side`` pixels high (the legend, the
        axes and the rows under the plot around it), at its present width."""
        return self.height() - self.holder.height() + self.holder.height_for_side(side)

    def bind(self, selection):
        """Observe ``selection`` (a :class:`gui.selection.Selection`): the neuron it says the
        pointer is on is shown large (:meth:`show_neuron`); the weights it probes on the error
        surface are drawn over the network's output (:class:`ProbeOverlay`)."""
        selection.hovered_changed.connect(self.show_neuron)
        self.show_neuron(selection.hovered)
        self.overlay.bind(selection)

    def shutdown(self):
        """Stop the overlay's thread (the main window calls this when it closes)."""
        self.overlay.shutdown()

    @Slot(bool)
    def set_show_test(self, show):
        """Draw the test points (hollow) or only the training points."""
        self._show_test = bool(show)
        self.canvas.test_points.setVisible(self._show_test)

    def draw_target(self):
        """What a click adds: a class index (classification), "value" (regression), or None
        when drawing is off."""
        k = self.draw_group.checkedId()
        if not 0 <= k < len(self._draw_buttons) or not self.draw_bar.isVisibleTo(self):
            return None
        return k if self._task in ("binary", "multiclass") else "value"

    def set_draw_target(self, k):
        """Choose what a click adds: class ``k`` (for regression any int: a point), or None."""
        if k is None or not 0 <= k < len(self._draw_buttons):
            self.draw_off.setChecked(True)
        else:
            self._draw_buttons[k].setChecked(True)

    @Slot(object)
    def set_point_losses(self, values):
        """Size each training point by its loss (``(n_train,)``, e.g. ``Snapshot.train_losses``):
        points with more than the median loss grow, the worst-fit one to twice the size. None:
        all the same size. Hovering a training point shows its loss."""
        self._point_losses = None if values is None else np.asarray(values, dtype=float)
        self._apply_point_sizes()

    @Slot(object)
    def show_neuron(self, picture):
        """Show one neuron's output (a :class:`~gui.selection.NeuronPicture`) over the
        network's, or go back to the network's output (None)."""
        if picture is None or self._mode == "none" or (picture.ys is None) != (
                self._mode == "curve"):
            self.canvas.show_neuron_items(False)
        else:
            self.canvas.show_neuron(picture)

    def restyle(self):
        """The points again in the current palette (the window then shows the snapshot again,
        which repaints the network's output)."""
        self.canvas.restyle()
        self._legend_key = None  # its words and dots are in the palette's colours
        if self._data is not None:
            self._set_points(self._data)

    @Slot(object)
    def show_snapshot(self, snap):
        data, grid = snap.data, snap.grid
        if self._pending is not None and (data is self._pending or snap.run != self._pending_run):
            self._pending = None  # the edit took effect (or a newer run replaced it)
        self._run = snap.run
        mode = model.mode_for(data, grid)
        if mode != self._mode:
            self._set_mode(mode)
        self._grid, self._threshold, self._task = grid, snap.threshold, data.task
        self.overlay.set_snapshot(snap, mode)
        new_data = data is not self._data and self._pending is None
        if new_data:
            self._data = data
            self._set_points(data)
            self.canvas.set_view_range(model.view_range(mode, data, snap.output_range))
            if mode != "none":
                self._set_draw_choices(data)
        if mode in model.SCALAR_MODES:
            values = grid.values[..., 0]
            if mode == "binary":
                levels, centre = model.binary_levels(values, snap.threshold, snap.output_range)
            else:
                levels, centre = model.regression_levels(data), model.regression_centre(data)
            self.canvas.show_scalar(values, levels, centre, model.rect_of(grid.xs, grid.ys),
                                    model.BACKGROUND_FADE[mode])
        elif mode == "multiclass":
            self.canvas.show_multiclass(grid.values, model.rect_of(grid.xs, grid.ys))
        elif mode == "curve":
            self.canvas.show_curve(grid.xs, model.fitted_curve(grid.values[:, 0], data))
        legend_key = (mode, data.n_classes, snap.threshold)
        if new_data or legend_key != self._legend_key:
            self._legend_key = legend_key
            self.legend_label.setText(model.legend_html(mode, data, snap.threshold))
            self.holder.place()

    # ------------------------------------------------------------------ modes and points
    def _set_mode(self, mode):
        self._mode = mode
        self.draw_bar.setVisible(mode != "none")
        self._draw_key = None
        self.canvas.set_mode(mode)
        # Sized before the axes change, from the decorations laid out now: placed after,
        # the first picture of a plane clipped its top tick label.
        self.holder.set_square(mode in model.PLANE_MODES)
        self.canvas.set_axes(mode)
        if mode == "none":
            self._data = None

    def _set_points(self, data):
        if self._mode != "none":
            xy = model.plotted(data.X_train, data.y_train, self._mode)
            self._train_size = model.point_size(len(xy))
            # Regression dots at the neutral value are the background's colour: grey edges.
            edge = neutral_edge() if self._mode == "regression2d" else "w"
            self.canvas.set_train_points(xy[:, 0], xy[:, 1],
                                         point_colours(data, data.y_train[:, 0], self._mode),
                                         self._train_size, edge)
            self._apply_point_sizes()
            xy = model.plotted(data.X_test, data.y_test, self._mode)
            self.canvas.set_test_points(xy[:, 0], xy[:, 1],
                                        point_colours(data, data.y_test[:, 0], self._mode,
                                                      filled=False),
                                        model.ring_size(len(xy)))
        self.canvas.test_points.setVisible(self._show_test)

    def _apply_point_sizes(self):
        n = self.canvas.train_count
        if n == 0:
            return
        # An edit not yet trained on has new points and no losses for them.
        losses = self._point_losses if self._data is not None and self._pending is None \
            else None
        self.canvas.set_train_sizes(model.loss_sizes(losses, self._train_size, n))

    # ------------------------------------------------------------------ hover
    def _on_mouse_moved(self, pos):
        grid = self._grid
        if grid is None or not self.canvas.view.sceneBoundingRect().contains(pos):
            self._show_probe_text()
            return
        p = self.canvas.view.mapSceneToView(pos)
        x, y = p.x(), p.y()
        self.hover_label.setText(model.output_text(grid, x, y, self._task, self._threshold)
                                 + self._point_text(x, y))

    @Slot(str)
    def _on_overlay_text_changed(self, text):
        # The line under the plot says what the dashed network is, except while the pointer
        # is on the plot (then it reads the output there).
        self._probe_text = text
        if not self.canvas.underMouse():
            self._show_probe_text()

    def _show_probe_text(self):
        self.hover_label.setText(self._probe_text or " ")
        self.hover_label.setToolTip(self._probe_text or
                                    "The network's output at the point under the mouse pointer.")

    def leaveEvent(self, event):
        super().leaveEvent(event)
        self._show_probe_text()

    def _point_text(self, x, y) -> str:
        """" · training point 12: class 1, loss 0.123" for a training point under the pointer."""
        return model.point_text(self._data, self._mode, x, y, self.canvas.pixels_per_unit(),
                                self._train_size, self._point_losses)

    # ------------------------------------------------------------------ drawing
    def _edit_base(self):
        return self._pending if self._pending is not None else self._data

    def _on_mouse_clicked(self, event):
        if (self.draw_target() is None or self._edit_base() is None
                or event.button() != Qt.LeftButton or event.double()):
            return
        pos = event.scenePos()
        if not self.canvas.view.sceneBoundingRect().contains(pos):
            return
        event.accept()
        p = self.canvas.view.mapSceneToView(pos)
        if event.modifiers() & Qt.ControlModifier:
            self.remove_point_near(p.x(), p.y())
        else:
            self.add_point(p.x(), p.y())

    def add_point(self, x, y):
        """Add a training point at plot position ``(x, y)`` as the draw buttons say (what a
        click does). Returns the new data set, or None when nothing was added."""
        target, data = self.draw_target(), self._edit_base()
        if target is None or data is None or self._mode == "none":
            return None
        point = model.point_to_add(data, self._mode, target, x, y, self.draw_value.value())
        if point is None:
            self.draw_refused.emit("Points go inside the data's domain (the plotted square).")
            return None
        inputs, value, what = point
        new = datasets.with_point(data, inputs, value)
        self._emit_edit(new, f"Added {what}")
        return new

    def remove_point_near(self, x, y):
        """Remove the point (training or test) nearest to plot position ``(x, y)``, if it is
        within ``REMOVE_RADIUS_PX`` on screen. Returns the new data set, or None."""
        data = self._edit_base()
        if data is None or self._mode == "none":
            return None
        k, dist = datasets.nearest_point(model.plotted(data.X, data.y, self._mode), x, y,
                                      *self.canvas.pixels_per_unit())
        if dist > model.REMOVE_RADIUS_PX:
            self.draw_refused.emit("No point near there to remove (Ctrl+click on a point).")
            return None
        try:
            new = datasets.without_point(data, k)
        except datasets.DataError as err:
            self.draw_refused.emit(f"Cannot remove that point: {err}.")
            return None
        part = "training" if k < len(data.X_train) else "test"
        self._emit_edit(new, f"Removed a {part} point")
        return new

    def _emit_edit(self, data, text):
        # Shown at once; the heatmap follows when the trainer has started on the new data.
        self._pending, self._pending_run = data, self._run
        self._set_points(data)
        self.data_edited.emit(data, text)
