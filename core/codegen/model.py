"""Sections 2 and 3 of a generated script: the initial weights and the forward pass."""
from __future__ import annotations

import textwrap

from core import initializers, network
from core.codegen.plan import Plan
from core.codegen.text import BANNERS, LINE_WIDTH, Copier, code, number
from core.codegen.snippets import activations


def weights_section(run: Plan) -> str:
    """Section 2: every layer's weights and biases, drawn as the app draws them."""
    cfg, sizes, init = run.config, run.sizes, run.config.init
    comment = ("Layer l turns its inputs a (n, inputs) into z = a @ Wl + bl (n, neurons), then "
               "applies its activation. The weights start random, drawn from one generator "
               "layer after layer by the function below. "
               f"{initializers.INIT_DESCRIPTIONS[init]}. The layers are named from 1, as the "
               "app names them (W1 feeds hidden layer 1); the lists Ws and bs count from 0, as "
               "Python does: Ws[0] is W1.")
    out = [BANNERS[1],
           textwrap.fill(comment, LINE_WIDTH, initial_indent="# ", subsequent_indent="# "),
           "", Copier(initializers).copy(init), "", "",
           f"rng = np.random.default_rng({cfg.seed})"]
    start = initializers.initial_bias(init)
    n_layers = len(sizes) - 1
    for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        where = "the output layer" if layer == n_layers - 1 else f"hidden layer {layer + 1}"
        shape = f"({n_in}, {n_out})"
        draw = f"{init}(rng, {n_in}, {n_out})"
        bias = f"np.full({n_out}, {number(start)})" if start else f"np.zeros({n_out})"
        neurons = f"{n_out} neuron{'s' if n_out > 1 else ''}"
        name = layer + 1  # named from 1, as the app's labels are (W1[1→1], b1[1])
        out.append(f"W{name} = {draw}   # {shape}: {n_in} inputs → {neurons} of {where}")
        out.append(f"b{name} = {bias}   # ({n_out},)")
        if layer == n_layers - 1:
            continue
        if run.hidden == "prelu":
            out.append(f"s{name} = np.full({n_out}, {network.PRELU_INITIAL_SLOPE!r})   # "
                       f"({n_out},): the PReLU slopes of {where}, learned too")
        elif run.hidden == "maxout":
            out.append(f"W{name}_2 = {draw}   # {shape}: the second maxout piece's weights")
            out.append(f"b{name}_2 = {bias}   # ({n_out},): and its biases")
    names, hidden = range(1, n_layers + 1), range(1, n_layers)
    out.append(f"Ws = [{', '.join(f'W{i}' for i in names)}]   # the weights of every layer")
    out.append(f"bs = [{', '.join(f'b{i}' for i in names)}]   # the biases of every layer")
    if run.hidden == "prelu":
        out.append(f"slopes = [{', '.join(f's{i}' for i in hidden)}]   # the PReLU slopes of "
                   f"every hidden layer")
    elif run.hidden == "maxout":
        out.append(f"Ws_2 = [{', '.join(f'W{i}_2' for i in hidden)}]   # the second pieces of "
                   f"every hidden layer")
        out.append(f"bs_2 = [{', '.join(f'b{i}_2' for i in hidden)}]")
    return "\n".join(out)


def _activation_code(run: Plan) -> str:
    """The activations' functions, and the backward ones that backpropagation uses (the output
    layer's only when its delta is not the fused one)."""
    used = [run.hidden] if run.hidden else []
    if run.output not in used:
        used.append(run.output)
    names = []
    for name in used:
        names.append(name)
        if name == run.hidden or not run.fused:
            names.append(name + "_backward")
    return Copier(activations).copy(*names)


def forward_section(run: Plan) -> str:
    """Section 3: the activations this run uses and the forward pass."""
    if run.hidden == run.output or run.hidden is None:
        apply = f"{run.output}(z[-1])"
        layers = f"every layer uses {run.output}" if run.hidden else f"the layer uses {run.output}"
    else:
        hidden = "prelu(z[-1], slopes[l])" if run.hidden == "prelu" else f"{run.hidden}(z[-1])"
        apply = f"{hidden} if l < len(Ws) - 1 else {run.output}(z[-1])"
        layers = f"hidden layers use {run.hidden}, the output layer {run.output}"
    n_in, n_out = run.sizes[0], run.sizes[-1]
    if run.hidden == "maxout":
        layer_code = f"""
                if l < len(Ws) - 1:   # a maxout layer: two affine pieces, stacked on a last axis
                    z.append(np.stack([a[l] @ Ws[l] + bs[l], a[l] @ Ws_2[l] + bs_2[l]], axis=-1))
                    a.append(maxout(z[-1]))
                else:
                    z.append(a[l] @ Ws[l] + bs[l])
                    a.append({run.output}(z[-1]))"""
        shapes = ("pre-activation z[l] = a[l] @ Ws[l] + bs[l] and its output a[l + 1] = f(z[l])\n"
                  "            (a maxout layer's z[l] holds both pieces: (n, neurons, 2)).")
    else:
        layer_code = f"""
                z.append(a[l] @ Ws[l] + bs[l])
                a.append({apply})"""
        shapes = "pre-activation z[l] = a[l] @ Ws[l] + bs[l] and its output a[l + 1] = f(z[l])."
    return "\n".join([BANNERS[2], f"# The activations ({layers}) and their derivatives,",
                      "# the *_backward functions that backpropagation uses (section 6).", "",
                      _activation_code(run), "", "", code(f'''
        def forward(X):
            """Run the examples X (n, {n_in}) through the network, layer by layer.

            Returns the lists a and z: a[0] = X is the input, and layer l turns a[l] into the
            {shapes}
            a[-1] = ŷ (n, {n_out}) is the prediction.
            """
            a, z = [X], []
            for l in range(len(Ws)):{layer_code}
            return a, z


        def predict(X):
            """The network's prediction ŷ for the examples X."""
            return forward(X)[0][-1]
    ''')])
