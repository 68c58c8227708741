"""What the cost curve shows, and when its axes move: no Qt, so it is tested without a display.

:class:`CurveModel` keeps the newest history, the settings, the pinned runs, the log scale and
whether the axes follow the data; it gives the curves to draw, round-numbered axis ranges that
change rarely, and the words of the readouts:

    train cost 0.2345 = mean loss 0.2301 + regularization 0.0044      test cost 0.2512
"""
from __future__ import annotations

import html
import math

import numpy as np

from core.schedules import SCHEDULES, Schedule
from gui import style
from gui.numbers import format_number
from gui.views.cost.limits import NICE_X, nice_ceil, nice_range
from gui.views.cost.pins import MAX_PINS, PIN_COLOURS, PinnedRun

#: Metrics the readout's size is fitted to (the widest numbers it shows in normal use).
SAMPLE_METRICS = {"train_cost": 1.0, "test_cost": 1.0, "train_loss": 1.0, "test_loss": 1.0,
                  "reg_term": 0.0}
NOTHING_TO_PIN = "Nothing to pin yet: train a few steps first."
#: Points of the schedule drawn ahead of the run.
AHEAD_POINTS = 200


def fmt(value) -> str:
    return format_number(value, 4, fixed=True, true_minus=True)  # as R² writes it


def swatch(colour, dashed=False) -> str:
    """A short line in ``colour`` (rich text): the legend of a curve inside a sentence."""
    line = "┄┄" if dashed else "━━"
    return f"<span style='color:{colour}'>{line}</span>"


#: The scores after the cost's parts, per task: (metrics key, header, how to show it).
SCORE_COLUMNS = {
    "classification": (("accuracy", "accuracy", lambda v: f"{100 * v:.1f}%"),
                       ("macro_f1", "macro F1", lambda v: format_number(v, 3, fixed=True))),
    "regression": (("r2", "R²", lambda v: format_number(v, 3, fixed=True, true_minus=True)),
                   ("rmse", "RMSE", lambda v: format_number(v, 3, fixed=True)),
                   ("mae", "MAE", lambda v: format_number(v, 3, fixed=True))),
}


def name_of_test_curve(same_points=False, penalty=False) -> str:
    """The test cost's name in the plot's legend: it says when the test points are the
    training points (``Dataset.test_is_train``) and when the penalty is part of it."""
    if same_points:
        return "test cost (same points)"
    return "test cost (mean loss + penalty)" if penalty else "test cost"


def readout_html(metrics, regularization="none", same_points=False, n_scores=None) -> str:
    """The cost as its parts, then the scores (accuracy and macro F1, or R², RMSE and MAE),
    for train and test: a small table (rich text). ``same_points``: the test points are the
    training points, and the test row says so. ``n_scores``: show only the first that many
    scores (for a narrow column; the Metrics tab has them all), or all (None)."""
    if metrics is None:
        return "<b>cost</b> = mean loss + regularization"
    reg = metrics["reg_term"]
    scores = SCORE_COLUMNS["regression" if metrics.get("train_r2") is not None
                           else "classification"]
    scores = [column for column in scores
              if metrics.get("train_" + column[0]) is not None][:n_scores]
    # Narrow padding: the table fits the cost's column on a 1366-pixel screen.
    cell = "<td align='right' style='white-space: nowrap; padding: 0 2px'>{}</td>"
    gap = "<td style='padding: 0 2px'></td>"
    rows = ["<tr><td></td>" + cell.format("<b>cost</b>") + cell.format("= mean loss")
            + cell.format("+ regularization") + gap
            + "".join(cell.format(header) for _, header, _ in scores) + "</tr>"]
    for name, colour in (("train", style.TRAIN), ("test", style.TEST)):
        reg_text = fmt(reg) + (" (off)" if regularization == "none" else "")
        shown = "test = train" if name == "test" and same_points else name
        rows.append(
            f"<tr><td style='white-space: nowrap'>{swatch(colour)} {shown}</td>"
            + cell.format(f"<b>{fmt(metrics[name + '_cost'])}</b>")
            + cell.format(fmt(metrics[name + "_loss"])) + cell.format(reg_text) + gap
            + "".join(cell.format(show(metrics[f"{name}_{key}"])) for key, _, show in scores)
            + "</tr>")
    return "<table cellspacing='0'>" + "".join(rows) + "</table>"


def rate_text(metrics, config) -> str:
    """The learning rate now and its schedule (rich text); "" for a constant rate."""
    if metrics is None or config is None or Schedule.from_config(config).is_constant:
        return ""
    what = SCHEDULES[config.lr_schedule].lower().replace(" decay", "")
    if config.lr_schedule == "constant":
        what = "warm-up"
    return (f"{swatch(style.LEARNING_RATE)} η now "
            f"<b>{format_number(metrics['learning_rate'], 3, sci_digits=2)}</b> · {what}")


def pinned_message(pin) -> str:
    return f"Pinned as run {pin.number}: change a setting, press Reset, compare."


class CurveModel:
    """The cost curve's state. Feed it snapshots with :meth:`update`.

    Attributes
    ----------
    history : dict of (m,) arrays, or None
        The newest snapshot's history (``epoch``, ``step``, ``train_cost``, ...).
    config, step, run, task
        Of the newest snapshot.
    pins : list of PinnedRun
        Oldest first, at most ``MAX_PINS``.
    log : bool
        Costs on a log scale.
    follow : bool
        The axes follow the data (until the user pans or zooms).
    """

    def __init__(self):
        self.history = None
        self.metrics = None
        self.config = None
        self.step = 0
        self.run = None
        self.task = None
        self.pins = []
        self._pin_count = 0
        self.log = False
        self.follow = True
        self._range_key = None
        self.n_train = 0
        self.same_points = False

    def update(self, snap) -> set:
        """Take ``snap``; returns which of ``{"config", "run", "task"}`` changed."""
        changed = set()
        self.history, self.metrics, self.step = snap.history, snap.metrics, snap.step
        self.n_train = len(snap.data.X_train)
        self.same_points = snap.data.test_is_train
        if snap.config is not self.config:
            self.config = snap.config
            changed.add("config")
        if snap.run != self.run:
            self.run = snap.run
            self.follow_data()
            changed.add("run")
        if snap.task != self.task:
            self.task = snap.task
            changed.add("task")
        return changed

    @property
    def classification(self) -> bool:
        return self.task != "regression"

    @property
    def shows_regularization(self) -> bool:
        """The penalty is on and non-zero: the mean loss and the penalty get curves of their own."""
        return (self.history is not None and self.config.regularization != "none"
                and bool(np.any(self.history["reg_term"] > 0)))

    def positive(self, values):
        """``values`` as the cost axis can show them: costs <= 0 have no logarithm, so in log
        mode they are left out (NaN) rather than let -inf in."""
        return np.where(values > 0, values, np.nan) if self.log else values

    def curves(self) -> dict:
        """``{name: (x, y)}`` of the live curves to draw: "train", "test", and "loss" and "reg"
        with the penalty, "train_accuracy" and "test_accuracy" (in %) for classification."""
        h = self.history
        if h is None:
            return {}
        epoch = h["epoch"]
        out = {"train": (epoch, self.positive(h["train_cost"])),
               "test": (epoch, self.positive(h["test_cost"]))}
        if self.shows_regularization:
            out["loss"] = (epoch, self.positive(h["train_loss"]))
            out["reg"] = (epoch, self.positive(h["reg_term"]))
        if self.classification:
            out["train_accuracy"] = (epoch, 100.0 * h["train_accuracy"])
            out["test_accuracy"] = (epoch, 100.0 * h["test_accuracy"])
        return out

    # ------------------------------------------------------------------ learning rate
    @property
    def shows_rate(self) -> bool:
        """The learning rate gets a curve (right axis): it follows a schedule, or it changed
        during the run."""
        h = self.history
        if h is None or self.config is None:
            return False
        rates = h["learning_rate"][np.isfinite(h["learning_rate"])]
        return (not Schedule.from_config(self.config).is_constant
                or (rates.size > 1 and rates.max() > rates.min()))

    def rate_curves(self) -> dict:
        """``{"rate": (epoch, η), "ahead": (epoch, η)}``: the learning rate of every recorded
        step, and the schedule's rate from now to the end of the epoch axis (what is to come
        if nothing changes); empty when :attr:`shows_rate` is false."""
        if not self.shows_rate:
            return {}
        h = self.history
        out = {"rate": (h["epoch"], h["learning_rate"])}
        per_epoch = -(-self.n_train // self.config.batch_size)
        end = nice_ceil(max(float(h["epoch"][-1]), 0.5) * 1.02, NICE_X) * per_epoch
        if end > self.step:
            steps = np.unique(np.linspace(self.step, end, AHEAD_POINTS).astype(np.int64))
            out["ahead"] = (steps / per_epoch, Schedule.from_config(self.config).rates(steps))
        return out

    def rate_range(self, curves) -> tuple:
        """``(0, high)`` of the learning-rate axis: a round number above every rate drawn."""
        values = np.concatenate([y for _, y in curves.values()]) if curves else np.zeros(0)
        values = values[np.isfinite(values)]
        high = float(values.max()) if values.size else 0.0
        return 0.0, nice_ceil(high * 1.05) if high > 0 else 1.0

    def rate_at(self, i) -> str:
        """`` · η 0.0123`` at history row ``i`` when the rate has a curve, else ""."""
        if not self.shows_rate:
            return ""
        value = float(self.history["learning_rate"][i])
        return f" {swatch(style.LEARNING_RATE)} η {format_number(value, 3, sci_digits=2)}"

    # ------------------------------------------------------------------ axes
    def set_log(self, on):
        self.log = bool(on)
        self.follow_data()

    def follow_data(self):
        """Follow the data again (a new run, the log scale, the plot's "A" button)."""
        self.follow, self._range_key = True, None

    def stop_following(self):
        """The user panned or zoomed: leave the axes where they are."""
        self.follow = False

    def axis_range(self):
        """``((0, x_high), (y_low, y_high))``: round-numbered ranges around the history and the
        pins (y in log10 units in log mode, as the plot's view box takes them), or None when
        they did not move or the axes do not follow the data."""
        history = self.history
        if not self.follow or history is None:
            return None
        x_high = nice_ceil(max(float(history["epoch"][-1]), 0.5) * 1.02, NICE_X)
        keys = ["train_cost", "test_cost"]
        if self.shows_regularization:
            keys += ["train_loss", "reg_term"]
        values = np.concatenate([history[k] for k in keys]
                                + [pin.train_cost[pin.epoch <= x_high] for pin in self.pins])
        values = values[np.isfinite(values)]
        if self.log:
            values = values[values > 0]
        if values.size == 0:
            return None
        low, high = float(values.min()), float(values.max())
        if self.log:
            # Quarter decades.
            y_range = (math.floor(math.log10(low) * 4) / 4, math.ceil(math.log10(high) * 4) / 4)
            if y_range[1] <= y_range[0]:
                y_range = (y_range[0], y_range[0] + 0.25)
        else:
            y_range = nice_range(low, high)
        key = (x_high, y_range)
        if key == self._range_key:
            return None
        self._range_key = key
        return (0.0, x_high), y_range

    # ------------------------------------------------------------------ pinned runs
    def pin(self):
        """Pin the current run's train-cost curve; returns the :class:`PinnedRun`, or None
        when there is nothing to pin yet. With ``MAX_PINS`` pinned, the oldest goes."""
        history = self.history
        if history is None or len(history["epoch"]) < 2 or self.config is None:
            return None
        if len(self.pins) >= MAX_PINS:
            self.pins.pop(0)
        self._pin_count += 1
        used = {pin.colour for pin in self.pins}
        colour = next(c for c in PIN_COLOURS if c not in used)
        pin = PinnedRun(self._pin_count, self.config, np.array(history["epoch"]),
                        np.array(history["train_cost"]), self.step, colour)
        self.pins.append(pin)
        self._range_key = None
        return pin

    def unpin(self, pin) -> bool:
        """Remove one pinned run; False when it was not pinned."""
        if pin not in self.pins:
            return False
        self.pins.remove(pin)
        self._range_key = None
        return True

    def clear_pins(self):
        self.pins.clear()
        self._range_key = None

    def pin_curves(self) -> dict:
        """``{pin: (epoch, train cost)}`` of the pinned runs, as the cost axis shows them."""
        return {pin: (pin.epoch, self.positive(pin.train_cost)) for pin in self.pins}

    def pin_label(self, pin) -> str:
        return pin.label(self.config)

    def pin_tooltip(self, pin) -> str:
        return pin.tooltip(self.config)

    def pins_html(self) -> str:
        """The pinned runs and what each differs in, one swatch and label each (rich text)."""
        return " &nbsp; ".join(f"<span style='white-space: nowrap'>{swatch(pin.colour, True)} "
                               f"{html.escape(self.pin_label(pin))}</span>" for pin in self.pins)

    # ------------------------------------------------------------------ crosshair
    def cursor(self, x):
        """``(epoch, text)`` at the recorded epoch nearest ``x``: the values there, of the
        live curves and the pinned runs; None before there is a history."""
        history = self.history
        if history is None or not len(history["epoch"]):
            return None
        epochs = history["epoch"]
        i = int(np.clip(np.searchsorted(epochs, x), 0, len(epochs) - 1))
        if i > 0 and abs(epochs[i - 1] - x) < abs(epochs[i] - x):
            i -= 1
        text = (f"epoch {epochs[i]:.2f} (step {int(history['step'][i])}): "
                f"{swatch(style.TRAIN)} train {fmt(history['train_cost'][i])} "
                f"{swatch(style.TEST)} test {fmt(history['test_cost'][i])}")
        if history["reg_term"][i] > 0:
            text += (f" (mean loss {fmt(history['train_loss'][i])} + regularization "
                     f"{fmt(history['reg_term'][i])})")
        for pin in self.pins:
            if pin.epoch[0] <= epochs[i] <= pin.epoch[-1]:
                value = float(np.interp(epochs[i], pin.epoch, pin.train_cost))
                text += f" {swatch(pin.colour, True)} run {pin.number} {fmt(value)}"
        acc = history["train_accuracy"][i]
        if np.isfinite(acc):
            text += (f" · accuracy {100 * acc:.1f}% / "
                     f"{100 * history['test_accuracy'][i]:.1f}%")
        return float(epochs[i]), text + self.rate_at(i)
