"""The cost views' models, without a display: round axis limits, pinned runs and what they
differ in, the curves and readouts of the cost curve, and the anatomy's bins, shares and words."""
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

from core.config import Config
from core.trainer import Trainer
from gui.snapshot import Snapshot
from gui.views.cost.anatomy_model import N_BINS, NOT_FINITE, AnatomyModel, top_share
from gui.views.cost.curve_model import (NOTHING_TO_PIN, CurveModel, pinned_message, rate_text,
                                        readout_html, name_of_test_curve)
from gui.views.cost.limits import NICE_X, nice_ceil, nice_range
from gui.views.cost.pins import MAX_PINS, PIN_COLOURS, PinnedRun

ROOT = pathlib.Path(__file__).resolve().parents[2]


def snapshots(config, steps, chunk=50, run=1):
    """Snapshots of one run every ``chunk`` steps, the way the worker sends them."""
    trainer = Trainer(config)
    out = []
    for _ in range(steps // chunk):
        trainer.step(chunk)
        out.append(Snapshot.capture(trainer, run, 0.0, False))
    return out


def test_models_load_no_qt():
    modules = ("limits", "pins", "curve_model", "anatomy_model")
    code = ("import sys; " + "; ".join(f"import gui.views.cost.{m}" for m in modules)
            + "; print(sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'shiboken6',"
              " 'pyqtgraph', 'OpenGL', 'superqt', 'qtpy'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"


# --------------------------------------------------------------------------- round limits
@pytest.mark.parametrize("x,expected", [(0.87, 1.0), (1.0, 1.0), (1.01, 1.2), (0.0031, 0.004),
                                        (7.0, 8.0), (9.5, 10.0), (250.0, 250.0)])
def test_nice_ceil_is_the_next_round_number(x, expected):
    assert nice_ceil(x) == pytest.approx(expected)


def test_nice_ranges_start_at_zero_and_never_collapse():
    assert nice_range(0.13, 0.87) == (0.0, 1.0)
    assert nice_range(-1.3, 2.2) == (-1.5, 2.5)
    assert nice_range(-2.0, -0.5) == (-2.0, 0.0)
    assert nice_range(0.0, 0.0) == (0.0, 1.0)  # a flat zero still gets an axis
    assert nice_ceil(61.2, NICE_X) == 80.0     # epochs take coarser steps


# --------------------------------------------------------------------------- cost curve
def test_curve_model_follows_the_data_with_round_ranges_that_move_rarely():
    model = CurveModel()
    snaps = snapshots(Config(dataset="circle", hidden_layers=(3,)), 400)
    assert model.update(snaps[0]) == {"config", "run", "task"}
    (x_low, x_high), (y_low, y_high) = model.axis_range()
    assert x_low == 0.0 and x_high == nice_ceil(x_high, NICE_X) and y_low == 0.0
    assert y_high == nice_ceil(y_high) >= snaps[0].history["train_cost"].max()
    assert model.axis_range() is None          # unchanged: the axes are not set again
    moved = [model.axis_range() for snap in snaps[1:] if not model.update(snap)]
    assert 0 < sum(r is not None for r in moved) < len(moved)
    model.stop_following()                     # the user zoomed
    model.update(snaps[-1])
    assert model.axis_range() is None
    model.follow_data()                        # the "A" button
    assert model.axis_range() is not None


def test_curve_model_log_scale_takes_quarter_decades_and_hides_what_has_no_log():
    model = CurveModel()
    model.update(snapshots(Config(dataset="sine", loss="me", hidden_layers=(3,)), 100)[-1])
    model.set_log(True)
    _, (low, high) = model.axis_range()
    assert (4 * low).is_integer() and (4 * high).is_integer() and high > low
    signed = np.array([-1.0, 0.0, 2.0])
    assert np.isnan(model.positive(signed)[:2]).all() and model.positive(signed)[2] == 2.0
    model.set_log(False)
    assert np.array_equal(model.positive(signed), signed)


def test_curves_for_the_task_and_the_penalty():
    model = CurveModel()
    model.update(snapshots(Config(dataset="xor", hidden_layers=(3,)), 100)[-1])
    assert set(model.curves()) == {"train", "test", "train_accuracy", "test_accuracy"}
    assert model.classification and not model.shows_regularization
    model = CurveModel()
    model.update(snapshots(Config(dataset="sine", hidden_layers=(3,), regularization="l2",
                                  reg_rate=0.01), 100)[-1])
    assert set(model.curves()) == {"train", "test", "loss", "reg"}
    x, y = model.curves()["reg"]
    np.testing.assert_array_equal(y, model.history["reg_term"])


def test_a_new_run_follows_the_data_again():
    model = CurveModel()
    config = Config(dataset="circle", hidden_layers=(3,))
    model.update(snapshots(config, 100)[-1])
    model.stop_following()
    assert model.update(snapshots(config, 50, run=2)[-1]) == {"run"}
    assert model.follow


def test_pins_keep_six_numbered_runs_in_distinct_colours():
    model = CurveModel()
    assert model.pin() is None  # nothing trained yet
    config = Config(dataset="circle", hidden_layers=(3,))
    model.update(Snapshot.capture(Trainer(config), 1, 0.0, False))
    assert len(model.history["epoch"]) == 1 and model.pin() is None  # one point is no curve
    runs = snapshots(config, 200)
    model.update(runs[-1])
    pins = [model.pin() for _ in range(MAX_PINS + 2)]
    assert [p.number for p in model.pins] == list(range(3, MAX_PINS + 3))  # the oldest went
    assert sorted(p.colour for p in model.pins) == sorted(PIN_COLOURS)
    np.testing.assert_array_equal(pins[0].train_cost, runs[-1].history["train_cost"])
    assert model.unpin(model.pins[0]) and not model.unpin(pins[0])
    assert model.pin().colour == pins[2].colour  # the freed colour comes back
    model.clear_pins()
    assert model.pins == [] and model.pins_html() == ""


def test_pinned_runs_widen_the_range_and_show_in_the_crosshair():
    model = CurveModel()
    base = Config(dataset="circle", hidden_layers=(3,))
    model.update(snapshots(base.replace(learning_rate=3.0), 200)[-1])
    pin = model.pin()
    model.update(snapshots(base.replace(learning_rate=0.001), 200, run=2)[-1])
    _, (_, y_high) = model.axis_range()
    assert y_high >= pin.train_cost.max()
    epoch, text = model.cursor(float(model.history["epoch"][3]) + 1e-3)
    assert epoch == model.history["epoch"][3]
    assert f"run {pin.number}" in text and "accuracy" in text and "step" in text
    assert "run 1: learning rate: 3 (now 0.001)" in model.pins_html()
    assert "Differs from now in: learning rate: 3 (now 0.001)." in model.pin_tooltip(pin)
    assert pinned_message(pin).startswith("Pinned as run 1")
    assert NOTHING_TO_PIN.startswith("Nothing to pin")
    assert CurveModel().cursor(1.0) is None


def test_pinned_run_labels():
    config = Config()
    pin = PinnedRun(4, config.replace(loss="mse", activation="relu", init="he"),
                    np.array([0.0, 1.0]), np.array([1.0, 0.5]), 10, PIN_COLOURS[0])
    assert pin.label() == "run 4"
    assert pin.label(pin.config) == "run 4: same settings"
    assert pin.label(config) == ("run 4: activation: relu (now tanh), loss: mse (now bce) "
                                 "+1 more")
    assert "Different losses" in pin.tooltip(config)
    assert "Same settings as now." in pin.tooltip(pin.config)


def test_readouts_spell_the_cost_out_then_the_scores():
    metrics = {"train_cost": 0.2345, "test_cost": 0.2512, "train_loss": 0.2301,
               "test_loss": 0.2468, "reg_term": 0.0044, "train_accuracy": 0.972,
               "test_accuracy": 0.928, "train_macro_f1": 0.9711, "test_macro_f1": 0.9266,
               "train_r2": None, "test_r2": None}
    text = readout_html(metrics, "l2")
    for value in ("0.2345", "0.2512", "0.2301", "0.2468", "0.0044"):
        assert value in text
    assert "(off)" not in text and "(off)" in readout_html(metrics, "none")
    assert readout_html(None) == "<b>cost</b> = mean loss + regularization"
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", text)  # the unbolded cells, row by row
    assert cells[-5:] == ["0.2468", "0.0044", "", "92.8%", "0.927"]  # test: ..., acc, F1
    assert "97.2%" in text and "0.971" in text and "RMSE" not in text
    # A narrow column shows the first scores only (the Metrics tab has them all).
    one = readout_html(metrics, "l2", n_scores=1)
    assert "accuracy" in one and "92.8%" in one and "macro F1" not in one
    assert "accuracy" not in readout_html(metrics, "l2", n_scores=0)
    regression = {**metrics, "train_accuracy": None, "test_accuracy": None,
                  "train_macro_f1": None, "test_macro_f1": None, "train_r2": -0.25,
                  "test_r2": 0.5, "train_rmse": 1.5, "test_rmse": 0.25, "train_mae": 1.25,
                  "test_mae": 0.125}
    text = readout_html(regression, "none")
    assert all(h in text for h in ("R²", "RMSE", "MAE")) and "accuracy" not in text
    assert re.findall(r"<td[^>]*>([^<]*)</td>", text)[-4:] == ["", "0.500", "0.250", "0.125"]
    assert "−0.250" in text  # a true minus sign


def test_the_test_cost_says_when_its_points_are_the_training_points_and_has_the_penalty():
    metrics = {"train_cost": 0.2, "test_cost": 0.2, "train_loss": 0.19, "test_loss": 0.19,
               "reg_term": 0.01, "train_accuracy": 1.0, "test_accuracy": 1.0,
               "train_macro_f1": 1.0, "test_macro_f1": 1.0, "train_r2": None}
    assert "test = train" not in readout_html(metrics, "l2")
    assert "test = train" in readout_html(metrics, "l2", same_points=True)
    assert name_of_test_curve() == "test cost"
    assert name_of_test_curve(penalty=True) == "test cost (mean loss + penalty)"
    assert name_of_test_curve(same_points=True, penalty=True) == "test cost (same points)"
    model = CurveModel()
    for config, same in ((Config(dataset="xor_table", hidden_layers=(4,)), True),
                         (Config(dataset="circle", n_samples=40, train_fraction=1.0), True),
                         (Config(dataset="circle", n_samples=40, train_fraction=0.9), False)):
        model.update(snapshots(config, 50)[-1])
        assert model.same_points is same


def test_the_rate_readout_names_the_schedule():
    metrics = {"learning_rate": 0.0123}
    assert rate_text(metrics, Config()) == ""  # constant: the panel says η
    text = rate_text(metrics, Config(lr_schedule="cosine", warmup_steps=200))
    assert text.endswith("η now <b>0.0123</b> · cosine")
    assert text.startswith("<span style='color:")  # the curve's colour, as a legend
    assert rate_text(metrics, Config(lr_schedule="step")).endswith("· step")
    assert rate_text(metrics, Config(lr_schedule="exponential")).endswith("· exponential")
    assert rate_text(metrics, Config(warmup_steps=100)).endswith("· warm-up")


# --------------------------------------------------------------------------- anatomy
def test_anatomy_bins_every_example_by_class_on_round_edges():
    snap = snapshots(Config(dataset="spiral3", noise=0.1, hidden_layers=(6,), loss="cce"),
                     300)[-1]
    model = AnatomyModel()
    model.update(snap, snap.train_losses)
    n = len(snap.data.X_train)
    assert model.counts.shape == (3, N_BINS) and model.counts.sum() == n
    assert model.stacked[-1].sum() == n and model.classification
    assert model.edges[0] == 0.0 and model.edges[-1] == nice_ceil(model.losses.max())
    assert model.mean == pytest.approx(snap.metrics["train_loss"], rel=1e-12)
    # The hover names the bin and its classes.
    x = float(model.edges[0] + model.edges[1]) / 2
    assert model.hover_text(x).startswith("loss 0 to ")
    assert "class 2:" in model.hover_text(x)
    assert model.hover_text(model.edges[-1] + 1) == " "
    assert "of the mean" in model.spread() and "cross-entropy" in model.formula_tooltip().lower()


def test_anatomy_count_axis_grows_at_once_and_shrinks_only_when_far_too_tall():
    snap = snapshots(Config(dataset="sine", hidden_layers=(4,)), 50)[-1]
    model = AnatomyModel()
    model.update(snap, snap.train_losses)
    assert model.axis_range() is not None
    assert model.axis_range() is None  # same bins, same axes

    def count_axis_for(tallest_bar):
        model.counts = np.zeros((1, N_BINS), dtype=int)
        model.counts[0, 0] = tallest_bar
        ranges = model.axis_range()
        return None if ranges is None else ranges[1][1]

    assert count_axis_for(100) == 120.0     # 5% headroom, then a round number
    assert count_axis_for(110) is None      # still fits
    assert count_axis_for(200) == 250.0     # grows at once
    assert count_axis_for(110) is None      # fills 46% of 250: stays
    assert count_axis_for(50) == 60.0       # fills 21%: shrinks


def test_anatomy_of_rmse_and_of_a_diverged_run():
    snap = snapshots(Config(dataset="sine", loss="rmse", hidden_layers=(5,)), 100)[-1]
    model = AnatomyModel()
    model.update(snap, snap.train_losses)
    assert np.sqrt(model.mean) == pytest.approx(snap.metrics["train_loss"], rel=1e-12)
    assert "√(mean squared error" in model.equation()
    assert "squared error of one example" in model.x_label()
    assert "C = √((1/n)" in model.formula()
    model.update(snap, np.full(len(snap.train_losses), np.inf))
    assert model.counts is None and model.axis_range() is None
    assert model.spread() == NOT_FINITE and model.hover_text(0.5) is None


def test_top_share():
    assert top_share([1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]) == (1, 0.5)
    assert top_share(np.arange(20.0))[0] == 2
    assert top_share([-1.0, 2.0])[1] is None  # the signed mean error has no shares
    assert top_share([0.0, 0.0]) == (1, None)
