"""The table above the cost curve keeps every row and never cuts a column: in a larger font
(presentation mode) and when its numbers grow wider (a diverging regression). The legend
stays off the curves of a short plot."""
import dataclasses

from core.config import Config
from core.trainer import Trainer
from gui.snapshot import Snapshot
from gui.views.cost.curve_canvas import LEGEND_SHARE, CostCanvas
from gui.views.cost.curve_widget import READOUT_SLACK, CostPlot


def regression_snapshot():
    trainer = Trainer(Config(dataset="sine", n_samples=40, hidden_layers=(3,)))
    trainer.step(5)
    return Snapshot.capture(trainer, 0, 0.0, False)


def fits(plot) -> bool:
    readout = plot.readout
    return (readout.width_for(readout.text()) + READOUT_SLACK <= readout.width()
            and readout.heightForWidth(-1) <= readout.height())


def test_wider_numbers_are_measured_again(qtbot):
    plot = CostPlot()
    qtbot.addWidget(plot)
    snap = regression_snapshot()
    plot.resize(900, 400)
    plot.show()
    plot.show_snapshot(snap)
    assert plot._n_scores is None  # all three scores at first
    # The narrowest width that shows them all.
    width = plot.width()
    while plot._n_scores is None:
        width -= 10
        plot.resize(width, 400)
        qtbot.waitUntil(lambda: plot.readout.width() <= width)
        plot.show_snapshot(snap)
    plot.resize(width + 10, 400)
    qtbot.waitUntil(lambda: plot._n_scores is None)
    assert fits(plot)
    wide = {key: -215.2068 if key.endswith(("cost", "loss")) else value
            for key, value in snap.metrics.items()}
    plot.show_snapshot(dataclasses.replace(snap, metrics=wide))
    assert "−215.2068" in plot.readout.text()
    assert fits(plot) and plot._n_scores is not None


def test_a_larger_font_keeps_both_rows_and_the_columns_that_fit(qtbot):
    plot = CostPlot()
    qtbot.addWidget(plot)
    plot.resize(700, 400)
    plot.show()
    plot.show_snapshot(regression_snapshot())
    font = plot.font()
    font.setPointSizeF(1.5 * font.pointSizeF())
    plot.setFont(font)  # as presentation mode does, to the whole window
    plot.show_snapshot(regression_snapshot())
    assert "test" in plot.readout.text()
    assert fits(plot)


def test_the_legend_hides_where_it_would_cover_half_the_plot(qtbot):
    canvas = CostCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(500, 400)
    canvas.show()
    qtbot.waitExposed(canvas)
    assert canvas.legend.isVisible()
    canvas.resize(500, 100)  # a 768-pixel screen with a banner, in presentation mode
    qtbot.waitUntil(lambda: not canvas.legend.isVisible())
    assert canvas.legend.boundingRect().height() > LEGEND_SHARE * canvas.cost_item.vb.height()
    canvas.resize(500, 400)
    qtbot.waitUntil(canvas.legend.isVisible)
