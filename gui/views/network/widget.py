"""The network as a live diagram: what every neuron computes, and every weight.

Columns of nodes, left to right: the input features, each hidden layer, the outputs (as in the
Neural Network Playground).

- **Inputs**: for 1-D and 2-D data every feature the network could be given (x₁, x₂, x₁², x₂²,
  x₁x₂, sin x₁, sin x₂); the ones it is given are solid, the others faint. Clicking one (or its
  button above the diagram) adds it to the network's inputs or takes it away; the input layer
  follows, which rebuilds the network (:attr:`NetworkDiagram.features_changed`).
- **Neurons**: each hidden and output neuron is a small picture of its own output over the
  input plane (orange negative, white zero, blue positive; for sigmoid-like outputs white is
  0.5), computed in the training worker (:class:`gui.snapshot.NeuronGrid`). With one input it
  is the neuron's output as a curve. The small square at a neuron's lower left is its bias.
- **Links**: one line per weight, width growing with ``|w|``, blue for positive and orange for
  negative weights, faint when small.

Hovering a link, a bias or a neuron shows its value and the gradient of the training cost with
respect to it (``∂C/∂w`` over the whole training set, :attr:`Snapshot.gradient`); hovering a
neuron also emits its picture (:attr:`NetworkDiagram.neuron_hovered`), which the boundary view
shows large. Clicking a link or a bias emits :attr:`NetworkDiagram.weight_clicked` with the
parameter's flat index, to put on an axis of the error surface. :meth:`NetworkDiagram.bind`
connects both to a :class:`gui.selection.Selection` and marks the axes it holds.

Redraws follow snapshots at most about 15 times a second while training, less often when a
redraw takes long (a big network); the model (:mod:`gui.views.network.model`) says what to
draw, the canvas (:mod:`gui.views.network.canvas`) draws it. Each column's nodes are as large
as its height allows (so a big network's inputs and output stay readable pictures); in a very
big network only the strongest ``MAX_LINKS_DRAWN`` weights are drawn, neurons too small for a
picture are plain squares and their biases are left out.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QTimer, Signal, Slot
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QSizePolicy, QToolButton, QToolTip,
                               QVBoxLayout, QWidget)

from core import features
from gui import style
from gui.selection import NeuronPicture
from gui.views.network import model
from gui.views.network.canvas import DiagramCanvas, bias_colour, images_of, polylines_of
from gui.views.network.model import Architecture

#: Fastest and slowest redraw while training (seconds between redraws): pictures and links
#: change smoothly, and 15 redraws a second leave the interpreter to training and the plots.
MIN_INTERVAL, MAX_INTERVAL = 1.0 / 15.0, 0.5
#: A snapshot skipped while training is drawn after this long if no newer one comes (s).
FALLBACK_DELAY = 0.25

def _feature_button_style() -> str:
    """Input buttons: faint when off, tinted in class 1's colour when on (current palette)."""
    return (f"QToolButton {{ padding: 1px 5px; border: 1px solid {style.FAINT}; "
            f"border-radius: 3px; color: {style.FAINT}; background: {style.PANEL}; }}"
            f"QToolButton:checked {{ color: {style.INK}; background: {style.BANNER['info'][0]}; "
            f"border-color: {style.CLASS_1}; }}"
            f"QToolButton:hover {{ border-color: {style.MUTED}; }}")


def lit_parts(arch, highlight):
    """What a :class:`~gui.selection.Highlight` lights up in the diagram of ``arch``:
    ``({diagram column: [unit, ...]}, link indices)``, or None. The network's inputs are the
    diagram's input nodes they come from (the diagram shows every feature it could take)."""
    if highlight is None or arch is None:
        return None
    nodes = {}
    for column in highlight.columns:
        if column == 0:
            nodes[0] = arch.input_rows.tolist()
        elif 0 < column < len(arch.columns):
            nodes[column] = list(range(arch.columns[column]))
    links = np.flatnonzero(np.isin(arch.links.layer, list(highlight.layers)))
    return nodes, links


class NetworkDiagram(QWidget):
    """The network diagram view (see the module docstring). Feed it snapshots.

    Signals
    -------
    weight_clicked(int)
        A link or a bias was clicked: its flat index into the parameters.
    features_changed(object)
        The learner chose other input features: a tuple of names from
        :data:`core.features.FEATURES`, or None for the raw inputs.
    neuron_hovered(object)
        A :class:`~gui.selection.NeuronPicture` of the neuron or input under the pointer
        (again after each redraw while it stays there), or None when the pointer leaves it.
    """

    weight_clicked = Signal(int)
    features_changed = Signal(object)
    neuron_hovered = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = None         # newest snapshot received
        self._shown = None        # snapshot drawn
        self._arch_key = None
        self._arch = None         # model.Architecture of the newest snapshot
        self._selection = None
        self._highlight = None    # what a step-by-step explanation points at (Selection)
        self._requested = None    # features asked for and not yet trained with
        self._requested_run = None
        self._levels = {}         # column -> colour levels of its pictures, as last drawn
        self._last_refresh = -1.0
        self._interval = MIN_INTERVAL
        self._feature_key = None
        self._feature_images = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._refresh)

        self.feature_bar = QWidget()
        self._feature_row = QHBoxLayout(self.feature_bar)
        self._feature_row.setContentsMargins(4, 2, 4, 2)
        self._feature_row.setSpacing(3)
        self.features_title = QLabel("Inputs:")
        self.features_title.setToolTip(
            "Which features of the data the network gets as inputs. Extra features such as "
            "x₁² and x₂² let even a network\nwithout hidden layers draw curved boundaries (a "
            "circle is linear in x₁² and x₂²). Changing them rebuilds the network.")
        self._feature_row.addWidget(self.features_title)
        self._feature_buttons = {}
        self._feature_row.addStretch(1)
        self.canvas = DiagramCanvas()
        self.readout = QLabel(model.IDLE_TEXT)
        self.readout.setStyleSheet("color: #444;")
        self.readout.setWordWrap(False)
        self.readout.setMinimumWidth(50)
        self.readout.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.readout.setToolTip("The value and the cost's gradient of what the pointer is on.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.feature_bar)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.readout)
        self.canvas.hover_changed.connect(self._on_canvas_hover_changed)
        self.canvas.clicked.connect(self._on_canvas_clicked)
        self.canvas.relaid_out.connect(self._on_canvas_relaid_out)
        self.canvas.installEventFilter(self)  # its tooltips say what is under the pointer

    # ------------------------------------------------------------------ public
    def bind(self, selection):
        """Write to ``selection`` (a :class:`gui.selection.Selection`): a click on a link or a
        bias picks an error-surface axis, hovering a neuron shows it; mark the axes it holds."""
        self._selection = selection
        self.weight_clicked.connect(selection.pick_weight)
        self.neuron_hovered.connect(selection.hover)
        selection.axes_changed.connect(self.set_axis_marks)
        selection.highlight_changed.connect(self.set_highlight)
        self.set_axis_marks(selection.axes)
        self.set_highlight(selection.highlight)

    @Slot(object)
    def set_highlight(self, highlight):
        """Light up the neurons and links ``highlight`` (a :class:`~gui.selection.Highlight`)
        points at, in blue going forward and red going back; None for none."""
        self._highlight = highlight
        lit = lit_parts(self._arch, highlight)
        if lit is None:
            self.canvas.set_lit(None, None, None)
        else:
            self.canvas.set_lit(*lit, highlight.direction)

    @property
    def links(self) -> model.Links | None:
        """The links drawn for the current network (all of them, in ``params`` order)."""
        return self._arch.links if self._arch is not None else None

    def link_weights(self) -> np.ndarray:
        """The weight of every link, as the diagram shows it now."""
        return np.asarray(self._shown.params)[self._arch.links.index]

    def link_position(self, k) -> QPointF:
        """Where link ``k``'s midpoint is, in the canvas's coordinates."""
        return self.canvas.link_midpoint(k)

    def bias_position(self, column, unit) -> QPointF:
        return self.canvas.bias_centre(column, unit)

    def neuron_position(self, column, unit) -> QPointF:
        return self.canvas.node_rect(column, unit).center()

    def input_position(self, node) -> QPointF:
        return self.canvas.node_rect(0, node).center()

    def bias_index(self, column, unit) -> int:
        """Flat parameter index of the bias of neuron ``unit`` in ``column`` (1 = first hidden)."""
        return self._arch.bias_index(column, unit)

    def parameter_label(self, index) -> str:
        """``W2[3→1]``, ``b1[4]``...: the parameter's name (:meth:`ParamLayout.label`)."""
        return self._arch.layout.label(index)

    def input_features(self) -> list:
        """The input nodes' feature names, in the diagram's order (empty for > 2 raw inputs)."""
        arch = self._arch
        return list(arch.candidates) if arch is not None and arch.features_editable else []

    @Slot(object)
    def set_axis_marks(self, indices):
        """Mark parameters ``indices`` (flat; the error surface's axes) with ①, ②."""
        self.canvas.marks = {int(i): str(n + 1) for n, i in enumerate(indices or ())
                             if i is not None}
        self.canvas.update()

    def describe(self, hit, rich=False) -> str:
        """A sentence about ``hit`` (what the canvas reports under the pointer)."""
        return model.describe(hit, self._shown, self._arch, rich)

    @Slot(object)
    def show_snapshot(self, snap):
        """Take the newest snapshot; redraw now or soon (at most every ``self._interval``)."""
        self._snap = snap
        if self._requested is not None and snap.run != self._requested_run:
            self._requested = None  # the new inputs took effect (or something newer did)
        key = Architecture.key(snap)
        if key != self._arch_key:
            self._arch_key = key
            self._set_architecture(snap)
            self._refresh()
            return
        if not self.isVisible():
            return  # drawn when shown again (showEvent)
        wait = self._last_refresh + self._interval - time.perf_counter()
        if wait <= 0 or not snap.running:
            self._refresh()
        elif not self._timer.isActive():
            # Redraw with a later snapshot, in the same window repaint as the other views (a
            # repaint of its own costs more than drawing the diagram); the timer only makes
            # sure the newest state is drawn if no further snapshot comes.
            self._timer.start(int((wait + FALLBACK_DELAY) * 1000))

    def showEvent(self, event):
        super().showEvent(event)
        if self._snap is not None and self._snap is not self._shown:
            QTimer.singleShot(0, self._refresh)

    def eventFilter(self, watched, event):
        if watched is self.canvas and event.type() == QEvent.ToolTip:
            text = self.describe(self.canvas.hit(QPointF(event.pos())), rich=True)
            if text:
                QToolTip.showText(event.globalPos(), text, self.canvas)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ set-up per network
    def _set_architecture(self, snap):
        self._arch = Architecture.of(snap)
        self.canvas.set_architecture(self._arch)
        if self._selection is not None:
            self.set_axis_marks(self._selection.axes)
        self.set_highlight(self._highlight)
        self._update_feature_buttons()
        self._feature_key = None
        self._shown = None
        self.neuron_hovered.emit(None)
        self.readout.setText(model.IDLE_TEXT)

    def _update_feature_buttons(self):
        arch = self._arch
        names = list(arch.candidates) if arch.features_editable else []
        if list(self._feature_buttons) != names:
            for button in self._feature_buttons.values():
                self._feature_row.removeWidget(button)
                button.deleteLater()
            self._feature_buttons = {}
            for k, name in enumerate(names):
                button = QToolButton()
                button.setText(features.label(name))
                button.setCheckable(True)
                button.setAutoRaise(False)
                button.setStyleSheet(_feature_button_style())
                button.setToolTip(model.feature_tip(name))
                button.clicked.connect(lambda checked=False, n=name: self._toggle_feature(n))
                self._feature_row.insertWidget(1 + k, button)
                self._feature_buttons[name] = button
        chosen = self._requested if self._requested is not None else arch.active
        for name, button in self._feature_buttons.items():
            button.blockSignals(True)
            button.setChecked(name in chosen)
            button.blockSignals(False)
        self.features_title.setVisible(arch.features_editable)
        self.feature_bar.setVisible(arch.features_editable)

    def _toggle_feature(self, name):
        arch = self._arch
        if arch is None or not arch.features_editable:
            return
        # Toggles made before the network is rebuilt build on each other.
        current = self._requested if self._requested is not None else arch.active
        chosen = [n for n in arch.candidates if (n in current) != (n == name)]
        if not chosen:
            self._update_feature_buttons()  # undo the button's own toggle
            self.readout.setText("The network needs at least one input.")
            return
        self._requested, self._requested_run = chosen, self._snap.run
        self._update_feature_buttons()
        n_raw = self._snap.data.n_features
        raw = features.names(n_raw)[:n_raw]
        self.features_changed.emit(None if chosen == raw else tuple(chosen))

    # ------------------------------------------------------------------ per snapshot
    def restyle(self):
        """Draw the shown snapshot again in the current palette (called on a theme change)."""
        self.canvas.restyle()
        self._refresh()

    def _refresh(self):
        self._timer.stop()
        snap = self._snap
        if snap is None:
            return
        start = time.perf_counter()
        self._shown = snap
        self._restyle_links()
        self._recolour_nodes(snap)
        hover = self.canvas.hover
        if hover is not None:
            self.readout.setText(self.describe(hover))
            if hover[0] == "neuron":
                self.neuron_hovered.emit(self._neuron_picture(hover[1], hover[2]))
        self.canvas.update()
        took = time.perf_counter() - start + self.canvas.paint_time
        self._interval = float(np.clip(4.0 * took, MIN_INTERVAL, MAX_INTERVAL))
        self._last_refresh = time.perf_counter()

    def _restyle_links(self):
        links = self.links
        if self._shown is None or links is None or not len(links) or \
                len(self.canvas.endpoints) != len(links):
            return
        weights = np.asarray(self._shown.params)[links.index]
        self.canvas.set_link_style(model.link_style(weights, self.canvas.node))

    def _recolour_nodes(self, snap):
        grid, canvas, arch = snap.neuron_grid, self.canvas, self._arch
        n_cols = len(arch.columns)
        canvas.pictures, canvas.curves = {}, {}
        if grid is not None:
            self._input_pictures(grid)
            for column in range(1, n_cols):
                values = grid.layers[column - 1]
                levels = model.layer_levels(arch.activations[column - 1], values)
                self._levels[column] = levels
                if grid.ys is None:
                    canvas.curves[column] = polylines_of(values, levels)
                else:
                    canvas.pictures[column] = images_of(values, levels)
        params = np.asarray(snap.params)
        canvas.bias_colours = {
            column: [bias_colour(positive, level) for positive, level in
                     model.bias_levels(params[arch.layout.slice("b", column - 1)])]
            for column in range(1, n_cols)}

    def _input_pictures(self, grid):
        """Pictures of the input features (fixed for a domain: made once per grid)."""
        candidates = self._arch.candidates
        key = (candidates, grid.xs.tobytes(), None if grid.ys is None else grid.ys.tobytes())
        if key != self._feature_key:
            self._feature_key = key
            pictures, curves = [], []
            for name in candidates:
                values = model.feature_values(name, grid.xs, grid.ys)
                levels = model.symmetric_levels(values)
                if grid.ys is None:
                    curves += polylines_of(values, levels)
                else:
                    pictures += images_of(values, levels)
            self._feature_images = {"pictures": pictures, "curves": curves}
        if grid.ys is None:
            self.canvas.curves[0] = self._feature_images["curves"]
        else:
            self.canvas.pictures[0] = self._feature_images["pictures"]

    def _neuron_picture(self, column, unit):
        values = model.neuron_values(self._shown, column, unit)
        if values is None:
            return None
        grid = self._shown.neuron_grid
        levels = self._levels.get(column, (-1.0, 1.0))
        return NeuronPicture(self._arch.neuron_title(column, unit), grid.xs, grid.ys,
                             np.asarray(values, dtype=float), levels)

    def _input_picture(self, node):
        """The input feature of input node ``node`` over the plot (what that input "sees")."""
        grid = self._shown.neuron_grid if self._shown is not None else None
        name = self._arch.candidates[node] if self._arch is not None else None
        if grid is None or name is None:
            return None
        values = model.feature_values(name, grid.xs, grid.ys)[..., 0]
        return NeuronPicture(f"input {features.label(name)}", grid.xs, grid.ys, values,
                             model.symmetric_levels(values))

    # ------------------------------------------------------------------ slots
    @Slot()
    def _on_canvas_relaid_out(self):
        self._restyle_links()

    @Slot(object)
    def _on_canvas_hover_changed(self, hit):
        self.readout.setText(self.describe(hit) or model.IDLE_TEXT)
        if hit is not None and hit[0] == "neuron":
            self.neuron_hovered.emit(self._neuron_picture(hit[1], hit[2]))
        elif hit is not None and hit[0] == "input":
            self.neuron_hovered.emit(self._input_picture(hit[1]))
        else:
            self.neuron_hovered.emit(None)

    @Slot(object)
    def _on_canvas_clicked(self, hit):
        kind = hit[0]
        if kind == "link":
            self.weight_clicked.emit(int(self._arch.links.index[hit[1]]))
        elif kind == "bias":
            self.weight_clicked.emit(self.bias_index(hit[1], hit[2]))
        elif kind == "input" and self._arch.candidates[hit[1]] is not None:
            self._toggle_feature(self._arch.candidates[hit[1]])
