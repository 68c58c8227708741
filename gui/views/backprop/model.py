"""The stages of one backpropagation step, as formulas, words and tables (pure, no Qt).

:func:`stages` turns a traced step (:class:`gui.threads.tracing.TracedStep`) into the list of
:class:`Stage`\\ s the view walks through, in the order the code computes them:

1. the mini-batch X and its targets y;
2. each layer forward, z = a·W + b and a = f(z);
3. each example's loss ℓᵢ, and the cost C = (1/n)·Σℓᵢ + penalty;
4. the output delta δᴸ = ∂C/∂ŷ ⊙ f′(zᴸ), where the cost enters (or the fused (ŷ − y)/n, or
   with the classic mistake the loss in place of its derivative, beside the right delta);
5. from the output layer back: each layer's gradients ∂C/∂W = aᵀ·δ, ∂C/∂b = Σᵢδᵢ (plus the
   penalty's), and the delta of the layer below, δˡ = (δˡ⁺¹·Wˡ⁺¹ᵀ) ⊙ f′(zˡ);
6. the optimizer's update of every parameter, with its state.

Layers of weights count from 1, as the parameter labels do (``W1[1→2]``, from
:meth:`core.params.ParamLayout.label`): layer l turns its input (X for layer 1, aˡ⁻¹ above)
into zˡ and aˡ. The code behind the run keeps them in lists that count from 0: W¹ is
``Ws[0]``; the first stage says so once. (In this module ``layer`` is the code's
index, so the symbols show ``layer + 1``.)
"""
from __future__ import annotations

import numpy as np

from core import activations
from gui import formulas
from gui.numbers import format_number
from gui.views.backprop.tables import Stage, cell_text, example_labels, sup, table
from gui.views.backprop.update import update_stage

def _input_symbol(layer, tex=True) -> str:
    """What layer index ``layer`` (from 0) reads: X, else the activation of the layer below,
    numbered as people count layers (from 1: layer index 1 reads a¹)."""
    if layer == 0:
        return "X"
    return f"a^{{{layer}}}" if tex else f"a{sup(layer)}"


def _layer_name(arrays, layer) -> str:
    """"hidden layer 1", "the output layer": what layer of weights ``layer`` feeds."""
    name = arrays.layout.layer_name(layer + 1)
    return "the output layer" if name == "output layer" else name


def _units(arrays, layer) -> str:
    return "output" if layer == len(arrays.layer_sizes) - 2 else "neuron"


def _pieces(values):
    """Maxout's (n, out, 2) arrays as two tables' arrays; anything else as one."""
    values = np.asarray(values)
    return [values[..., 0], values[..., 1]] if values.ndim == 3 else [values]


def _per_example(values, title, traced, layer, mark="", tip="") -> list:
    pieces = _pieces(values)
    word = _units(traced.arrays, layer)
    rows = example_labels(traced.step.trace.inputs)
    if len(pieces) == 1:
        return [table(pieces[0], title, "example", word, rows, mark=mark, tip=tip)]
    return [table(piece, f"{title}, piece {p + 1}", "example", word, rows, mark=mark, tip=tip)
            for p, piece in enumerate(pieces)]


# ------------------------------------------------------------------------------ the stages
def stages(traced) -> list:
    """Every :class:`Stage` of ``traced``'s step, in order."""
    t = traced.step.trace
    n_layers = len(t.layers)
    out = [_inputs_stage(traced), *(_forward_stage(traced, layer) for layer in range(n_layers)),
           _loss_stage(traced), _cost_stage(traced), _output_delta_stage(traced)]
    for layer in range(n_layers - 1, -1, -1):
        out.append(_gradient_stage(traced, layer))
        if layer:
            out.append(_hidden_delta_stage(traced, layer - 1))
    out.append(update_stage(traced))
    return out


def _inputs_stage(traced) -> Stage:
    t, step, config = traced.step.trace, traced.step, traced.config
    n, d = t.inputs.shape
    batch = step.batch
    whole = len(traced.arrays.inputs_train)
    if n == whole:
        which = (f"all {n} training examples (a batch of {config.batch_size} is the whole "
                 f"training set: full-batch gradient descent)" if config.batch_size >= whole
                 else f"all {n} training examples")
    else:
        which = (f"{n} of the {whole:,} training examples, the next mini-batch of this epoch's "
                 f"shuffled order")
    rows = example_labels(t.inputs)
    targets = np.asarray(t.targets, dtype=float)
    if targets.ndim == 1:
        targets = targets[:, None]
    text = (f"Step {step.step} trains on {which}. Each row is one example i: its inputs x "
            f"(the {d} numbers the network sees) and its target y. Every stage below has a "
            f"row per example, in this order (rows {', '.join(str(i + 1) for i in batch[:8])}"
            f"{'…' if n > 8 else ''} of the training set). Examples, inputs, neurons and layers "
            f"count from 1, as the weights' labels do (W1[1→1]); the code behind the run counts "
            f"from 0: there row 1 is X_train[0] and W¹ is Ws[0].")
    return Stage(
        "inputs", "The mini-batch", (r"$X$: the inputs, one row per example;  $y$: the targets",),
        "X: the inputs, one row per example; y: the targets", text,
        (table(t.inputs, "X: inputs", "example", "input", rows,
               tip="The network's inputs, one example per row."),
         table(targets, "y: targets", "example", "target", rows,
               tip="What the loss compares the output with.")),
        columns=(0,), part="inputs")


def _forward_stage(traced, layer) -> Stage:
    t, arrays = traced.step.trace, traced.arrays
    rec = t.layers[layer]
    number = layer + 1  # as people count layers: W¹ is the code's layer 0
    last = layer == len(t.layers) - 1
    act = activations.get(rec.activation)
    x = _input_symbol(layer)
    output = r"\hat{y} = a" if last else "a"
    f = r"\sigma" if act.name == "sigmoid" else r"\tanh" if act.name == "tanh" else "f"
    lines = (f"$z^{{{number}}} = {x}\\, W^{{{number}}} + b^{{{number}}},\\quad "
             f"{output}^{{{number}}} = {f}(z^{{{number}}})$",
             *formulas.activation_equation(act.name))
    name = _layer_name(arrays, layer)
    word = _units(arrays, layer)
    inputs_word = "input" if layer == 0 else "neuron"
    W = arrays.layout.block("W", layer)
    tables = [table(traced.step.params_before[arrays.layout.slice("W", layer)].reshape(W.shape),
                    f"W{sup(number)}: weights", inputs_word, word,
                    tip=f"Row r, column j: the weight from {inputs_word} r to {word} j."),
              table(traced.step.params_before[arrays.layout.slice("b", layer)],
                    f"b{sup(number)}: biases", "", word)]
    forward = f"z{sup(number)} = {_input_symbol(layer, False)}·W{sup(number)} + b{sup(number)}"
    tables += _per_example(rec.z, forward, traced, layer)
    tables += _per_example(rec.a, ("ŷ = " if last else "") + f"a{sup(number)} = "
                           f"f(z{sup(number)})", traced, layer)
    what = "the network's outputs ŷ" if last else f"the outputs of {name}"
    text = (f"{name[0].upper() + name[1:]}: each {word} j adds up its inputs weighted by "
            f"column j of W{sup(number)}, plus its bias: z{sup(number)} = "
            f"{_input_symbol(layer, False)}·W{sup(number)} + b{sup(number)} "
            f"({len(rec.inputs)} × {rec.inputs.shape[1]} times {W.shape[0]} × {W.shape[1]} "
            f"gives {len(rec.inputs)} × {W.shape[1]}: a row per example). Then "
            f"{act.display_name} turns each z into {what}.")
    if act.name == "maxout":
        text += " Maxout computes two affine pieces per neuron and keeps the larger."
    return Stage(f"forward-{layer}", f"Forward: {name}", lines,
                 f"{forward}, a{sup(number)} = f(z{sup(number)})", text, tuple(tables),
                 columns=(layer, layer + 1), layers=(layer,), part="forward")


def _loss_name(t) -> str:
    loss = t.loss.base if t.mistaken else t.loss
    return loss.name


def _loss_stage(traced) -> Stage:
    t = traced.step.trace
    loss = t.loss.base if t.mistaken else t.loss
    n = len(t.inputs)
    targets = np.asarray(t.targets, dtype=float).reshape(n, -1)
    columns = np.hstack([t.predictions, targets, t.per_example_loss[:, None]])
    k, m = t.predictions.shape[1], targets.shape[1]
    labels = ([f"ŷ{_sub(j, k)}" for j in range(k)] + [f"y{_sub(j, m)}" for j in range(m)]
              + ["ℓ"])
    text = (f"The loss ℓᵢ scores example i alone: {loss.display_name.lower()} compares its "
            f"output ŷ with its target y. One number per example"
            + (f", a mean over the {k} output columns" if k > 1 and loss.reduce == "mean" else
               f", a sum over the {k} classes" if k > 1 else " (k = 1 output here)")
            + ". The larger ℓᵢ, the worse the network does on that example.")
    rows = example_labels(t.inputs)
    return Stage("loss", "The loss of each example", formulas.loss_equation(loss.name),
                 f"ℓ = {loss.formula}", text,
                 (table(columns, "ŷ, y and ℓ of each example", "example", "column", rows,
                        labels),),
                 columns=(len(t.layers),), part="loss")


def _sub(j, count) -> str:
    """Output j's subscript (none for a single output), counted from 1 as neurons are."""
    return "" if count == 1 else str(j + 1).translate(str.maketrans("0123456789",
                                                                    "₀₁₂₃₄₅₆₇₈₉"))


def _cost_stage(traced) -> Stage:
    t, config = traced.step.trace, traced.config
    name, n = _loss_name(t), len(t.inputs)
    ell = t.per_example_loss
    if n <= 6:
        terms = " + ".join(format_number(v, 4, true_minus=True) for v in ell)
        mean = rf"\dfrac{{1}}{{{n}}}\,({terms})"
    else:
        mean = rf"\mathrm{{mean\ of\ the\ {n}\ losses}}"
    if name == "rmse":
        mean = rf"\sqrt{{{mean}}}"
    penalty = (rf" + {format_number(t.penalty, 4)}" if config.regularization != "none"
               and config.reg_rate > 0 else "")
    numbers = f"$C = {mean}{penalty} = {format_number(t.cost, 4, true_minus=True)}$"
    lines = (formulas.cost(name, config.regularization if config.reg_rate > 0 else "none"),
             numbers.replace("−", "-"))
    text = ("The cost C is what training lowers: the mean of the n losses"
            + (" (for RMSE, the root of that mean)" if name == "rmse" else "")
            + (f", plus the penalty on the weights, {format_number(t.penalty, 4)}"
               if penalty else "")
            + f". This batch's C = {format_number(t.cost, 4)}. Every weight will move to lower "
              "it: the next stages find how C changes with each weight, starting at the output.")
    values = np.array([t.data_cost, t.penalty, t.cost])
    return Stage("cost", "The cost", lines, f"C = mean ℓ + penalty = {cell_text(t.cost)}", text,
                 (table(values, "C = mean loss + penalty", "", "term", ("",),
                        ("mean loss", "penalty", "C")),),
                 columns=(len(t.layers),), part="cost")


def _output_delta_stage(traced) -> Stage:
    t = traced.step.trace
    L = len(t.layers) - 1
    top = L + 1  # the output layer's number, counted from 1 (δᴸ)
    rec = t.layers[L]
    n = len(t.inputs)
    loss = t.loss.base if t.mistaken else t.loss
    act = activations.get(rec.activation)
    word = _units(traced.arrays, L)
    tables = []
    if t.mistaken:
        right = traced.reference.layers[L]
        lines = (rf"$\delta^{{{top}}} = \dfrac{{\ell}}{{n}} \odot f^{{\prime}}(z^{{{top}}})$"
                 r"   ✗ the mistake: the loss itself",
                 rf"$\delta^{{{top}}} = \dfrac{{\partial C}}{{\partial \hat{{y}}}} \odot "
                 rf"f^{{\prime}}(z^{{{top}}})$   ✓ right: its derivative")
        tables += _per_example(t.output_grad, "ℓ/n: used where ∂C/∂ŷ belongs", traced, L,
                               "wrong")
        tables += _per_example(traced.reference.output_grad, "∂C/∂ŷ: what belongs there",
                               traced, L, "right")
        if rec.f_prime is not None:
            tables += _per_example(rec.f_prime, f"f′(z{sup(top)})", traced, L)
        tables += _per_example(rec.delta, f"δ{sup(top)} as trained: wrong", traced, L,
                               "wrong")
        tables += _per_example(right.delta, f"δ{sup(top)} as it should be", traced, L,
                               "right")
        text = (f"<b>The classic mistake is switched on.</b> {t.output_delta_reason} Compare "
                f"the columns: where a target is 1 the right δ is negative (raise the output), "
                f"the wrong one is positive (lower it). Switch the mistake off above to train "
                f"right.")
    elif t.fused:
        sigmoid = act.name == "sigmoid"
        divisor = "n\\,k" if sigmoid and t.predictions.shape[1] > 1 else "n"
        lines = (rf"$\delta^{{{top}}} = \dfrac{{\hat{{y}} - y}}{{{divisor}}}$  (fused: "
                 rf"$\dfrac{{\partial C}}{{\partial \hat{{y}}}}$ and "
                 rf"$f^{{\prime}}(z^{{{top}}})$ simplify together)",
                 *formulas.loss_derivative(loss.name))
        targets = _targets_like(t)
        tables += _per_example(t.predictions - targets, "ŷ − y", traced, L)
        tables += _per_example(t.output_grad, "∂C/∂ŷ (for reading; not used)", traced, L)
        tables += _per_example(rec.delta, f"δ{sup(top)} = ∂C/∂z{sup(top)}", traced, L)
        text = t.output_delta_reason
    else:
        product = (r"\dfrac{\partial C}{\partial \hat{y}}\,J" if rec.f_prime is None else
                   rf"\dfrac{{\partial C}}{{\partial \hat{{y}}}} \odot f^{{\prime}}(z^{{{top}}})")
        lines = (rf"$\delta^{{{top}}} = {product},\quad \dfrac{{\partial C}}{{\partial "
                 rf"\hat{{y}}_{{ij}}}} = \dfrac{{1}}{{n}}\,\dfrac{{\partial \ell_{{i}}}}"
                 rf"{{\partial \hat{{y}}_{{ij}}}}$",
                 *formulas.loss_derivative(loss.name))
        tables += _per_example(t.output_grad, "∂C/∂ŷ", traced, L)
        if rec.f_prime is not None:
            tables += _per_example(rec.f_prime, f"f′(z{sup(top)})", traced, L)
        tables += _per_example(rec.delta, f"δ{sup(top)} = ∂C/∂z{sup(top)}", traced, L)
        text = (f"<b>Here the cost enters backpropagation.</b> {t.output_delta_reason} Its "
                f"derivative ∂C/∂ŷ says how the cost changes as each output moves (1/n of "
                f"∂ℓ/∂ŷ, as C is a mean over the {n} examples); times the slope f′ of the output "
                f"activation, it gives δ{sup(top)} = ∂C/∂z{sup(top)}, one number per example and "
                f"{word}.")
    return Stage("output-delta", f"Where the cost enters: the output delta δ{sup(top)}", lines,
                 f"δ{sup(top)} = ∂C/∂ŷ ⊙ f′(z{sup(top)})", text, tuple(tables),
                 columns=(L + 1,), direction="backward", part="output_delta")


def _targets_like(t) -> np.ndarray:
    """The targets as the predictions' columns (one-hot for class labels)."""
    y = np.asarray(t.targets, dtype=float)
    if t.loss.sparse:
        one_hot = np.zeros_like(t.predictions)
        one_hot[np.arange(len(y)), y.reshape(-1).astype(int)] = 1.0
        return one_hot
    return y.reshape(t.predictions.shape)


def _gradient_stage(traced, layer) -> Stage:
    t, arrays = traced.step.trace, traced.arrays
    rec = t.layers[layer]
    number = layer + 1  # as people count layers
    x, xt = _input_symbol(layer), _input_symbol(layer, False)
    x = x if layer == 0 else f"({x})"  # one superscript at a time: (a¹)ᵀ
    name = _layer_name(arrays, layer)
    penalty = {"l1": rf" + \lambda\,\mathrm{{sign}}(W^{{{number}}})",
               "l2": rf" + \lambda\,W^{{{number}}}"}.get(
        traced.config.regularization if rec.penalty_grads else "none", "")
    lines = (rf"$\dfrac{{\partial C}}{{\partial W^{{{number}}}}} = "
             rf"{x}^{{\top}}\,\delta^{{{number}}}{penalty},\qquad "
             rf"\dfrac{{\partial C}}{{\partial b^{{{number}}}}} = \sum_{{i}}\, "
             rf"\delta^{{{number}}}_{{i}}$",)
    inputs_word = "input" if layer == 0 else "neuron"
    word = _units(arrays, layer)
    tables = [table(rec.grad_W, f"∂C/∂W{sup(number)}", inputs_word, word,
                    tip=f"Row r, column j: how C changes with the weight from {inputs_word} r "
                        f"to {word} j."),
              table(rec.grad_b, f"∂C/∂b{sup(number)}", "", word)]
    if "W" in rec.penalty_grads:
        tables.append(table(rec.penalty_grads["W"], "of which the penalty's part", inputs_word,
                            word))
    for kind, grad in rec.extra_grads.items():
        tables.append(table(grad, f"∂C/∂{kind}{sup(number)}", inputs_word if np.ndim(grad) == 2
                            else "", word))
    text = (f"The gradient of the weights into {name}: each weight's ∂C/∂w sums, over the "
            f"examples, what enters it ({xt}) times the delta it feeds (δ{sup(number)}); "
            f"{xt}ᵀ·δ{sup(number)} does all of them at once ({rec.inputs.shape[1]} × "
            f"{len(rec.inputs)} times {len(rec.inputs)} × {rec.grad_W.shape[1]}). A bias enters "
            f"with 1, so its gradient is the sum of its column of δ{sup(number)}."
            + (" The penalty adds its own gradient to every weight." if penalty else ""))
    return Stage(f"gradients-{layer}", f"Gradients of the weights into {name}", lines,
                 f"∂C/∂W{sup(number)} = {xt}ᵀ·δ{sup(number)}, "
                 f"∂C/∂b{sup(number)} = Σᵢ δ{sup(number)}ᵢ",
                 text, tuple(tables), columns=(layer, layer + 1), layers=(layer,),
                 direction="backward", part="gradients")


def _hidden_delta_stage(traced, layer) -> Stage:
    t, arrays = traced.step.trace, traced.arrays
    rec = t.layers[layer]
    act = activations.get(rec.activation)
    up = layer + 1
    number, above = layer + 1, up + 1  # as people count layers
    lines = (rf"$\delta^{{{number}}} = (\delta^{{{above}}}\, W^{{{above}\top}}) \odot "
             rf"f^{{\prime}}(z^{{{number}}})$", *formulas.activation_derivative(act.name))
    tables = _per_example(rec.grad_a, f"δ{sup(above)}·W{sup(above)}ᵀ = ∂C/∂a{sup(number)}",
                          traced, layer)
    if rec.f_prime is not None:
        tables += _per_example(rec.f_prime, f"f′(z{sup(number)})", traced, layer)
    tables += _per_example(rec.delta, f"δ{sup(number)} = ∂C/∂z{sup(number)}", traced, layer)
    name = _layer_name(arrays, layer)
    text = (f"Back one layer, to {name}. Each of its neurons fed every neuron above through "
            f"W{sup(above)}, so its share of the blame is δ{sup(above)} weighted by those "
            f"weights: δ{sup(above)}·W{sup(above)}ᵀ (the forward pass's weights, transposed: the "
            f"signal runs backwards). Times the slope f′(z{sup(number)}) of {act.display_name} "
            f"at each z gives δ{sup(number)}. Where f′ is near 0 (a saturated neuron) the gradient fades.")
    return Stage(f"delta-{layer}", f"Back to {name}: δ{sup(number)}", lines,
                 f"δ{sup(number)} = (δ{sup(above)}·W{sup(above)}ᵀ) ⊙ f′(z{sup(number)})", text,
                 tuple(tables), columns=(layer + 1, layer + 2), layers=(up,),
                 direction="backward", part="hidden_delta")

