"""The last stage of a step: the optimizer's update of every parameter, with its state (pure).

One row per parameter (``W1[1→2]``, ``b2[1]``...): its value θ, its gradient g = ∂C/∂θ, the
optimizer's state before and after (velocity, running means), the change Δθ and the new θ.
A second table shows what the step does to this mini-batch: each output before and after.
"""
from __future__ import annotations

import numpy as np

from core import optimizers
from gui import formulas
from gui.numbers import format_number
from gui.views.backprop.tables import Stage, example_labels, table

#: Parameters listed in full (a 2-4-1 network's 17 all fit); a bigger network shows its first.
PARAMETER_ROWS = 24
#: What each state array of an optimizer is called in its formula.
STATE_SYMBOLS = {"velocity": "v", "sum_squares": "s", "mean_squares": "s", "m": "m", "v": "v"}
#: Hyperparameters as the formulas write them.
SETTING_SYMBOLS = {"learning_rate": r"\eta", "momentum": r"\mu", "beta1": r"\beta_{1}",
                   "beta2": r"\beta_{2}", "rho": r"\rho", "epsilon": r"\epsilon"}


def _settings_line(step) -> str:
    parts = [f"{SETTING_SYMBOLS[key]} = {format_number(value, 4)}"
             for key, value in step.hyperparameters.items() if key in SETTING_SYMBOLS]
    return "$" + r",\ ".join(parts) + f"$  (update number {step.step})"


def update_stage(traced) -> Stage:
    step, arrays = traced.step, traced.arrays
    t = step.trace
    cls = optimizers.optimizer_class(step.optimizer)
    layout = arrays.layout
    labels = [layout.label(i) for i in range(layout.n_params)]
    columns = [step.params_before, t.gradient]
    # With the classic mistake, g is what backpropagation computed, not the cost's gradient.
    names = ["θ", "g (as computed)" if t.mistaken else "g = ∂C/∂θ"]
    for key, value in step.state_before.items():
        if key == "t" or key not in STATE_SYMBOLS:
            continue
        symbol = STATE_SYMBOLS[key]
        columns += [value, step.state_after[key]]
        names += [f"{symbol} before", f"{symbol} after"]
    for key, value in step.state_after.items():  # state the first step creates
        if key != "t" and key in STATE_SYMBOLS and key not in step.state_before:
            columns += [np.zeros_like(value), value]
            names += [f"{STATE_SYMBOLS[key]} before", f"{STATE_SYMBOLS[key]} after"]
    columns += [step.update, step.params_after]
    names += ["Δθ", "θ after"]
    parameters = table(np.column_stack(columns), "Every parameter", "parameter", "column",
                       labels, names, tint_by="column", max_rows=PARAMETER_ROWS,
                       max_columns=len(names),
                       tip="One row per weight and bias, named as in the network diagram's "
                           "tooltips, counted from 1 (W1[1→2]: layer 1, from input x₁ to "
                           "neuron 2).")
    n = len(t.inputs)
    targets = np.asarray(t.targets, dtype=float).reshape(n, -1)
    k = t.predictions.shape[1]
    outputs = np.hstack([targets, t.predictions, traced.predictions_after])
    out_names = ([f"y{j if targets.shape[1] > 1 else ''}" for j in range(targets.shape[1])]
                 + [f"ŷ{j if k > 1 else ''} now" for j in range(k)]
                 + [f"ŷ{j if k > 1 else ''} after" for j in range(k)])
    after = table(outputs, "This mini-batch's outputs, before and after the step", "example",
                  "column", example_labels(t.inputs), out_names, tint_by="column")
    change = traced.cost_after - t.cost
    verdict = ("lower" if change < 0 else "higher" if change > 0 else "the same")
    g = ("g, what backpropagation computed (with the mistake, not ∂C/∂θ)" if t.mistaken
         else "g = ∂C/∂θ")
    text = (f"{cls.display_name} changes every parameter at once, using {g} from the "
            f"stages before" + (" and its own memory of earlier steps (its state)"
                                if len(step.state_after) > 1 else "")
            + f". On this mini-batch the cost goes from {format_number(t.cost, 4)} to "
              f"{format_number(traced.cost_after, 4)} ({verdict}).")
    if t.mistaken:
        text += (" <b>With the classic mistake</b> every output moves down, whatever its "
                 "target: compare the columns “now” and “after”.")
    text += (" <b>Apply this step</b> takes exactly this update: the same numbers the trainer "
             "computes when you press Step.")
    lines = (*formulas.OPTIMIZERS[step.optimizer], _settings_line(step))
    return Stage("update", f"The update ({cls.display_name})", lines,
                 f"{cls.formula}", text, (parameters, after),
                 columns=tuple(range(len(arrays.layer_sizes))),
                 layers=tuple(range(len(t.layers))), direction="update", part="update")
