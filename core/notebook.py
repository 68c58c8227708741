"""A Jupyter notebook of a run: the code behind it in cells, with short explanations between.

:func:`build_notebook` takes the script :func:`core.codegen.generate_script` writes (numpy only,
the same arithmetic as the trainer) and splits it at its sections: data, initial weights,
forward pass, cost, its derivative, backpropagation, update and the training loop, each code
cell after a few sentences saying what it does. The loop also keeps the cost after every step,
and two last cells plot the cost curve and an error surface over two weights with matplotlib.
Run top to bottom, the notebook ends by printing ``final train cost: <repr>``, the trainer's
cost after the same number of steps::

    from core import notebook
    notebook.write_notebook("spiral.ipynb", config, steps=2000)

The notebook is built with nbformat (format 4) and validated before it is written.
"""
from __future__ import annotations

import os
import re
import textwrap

from core.codegen import BANNERS, generate_script
from core.files import atomic_write

SUFFIX = ".ipynb"

#: What each section's markdown cell says, in the order of ``core.codegen.BANNERS``.
EXPLANATIONS = (
    "## 1. The data\n"
    "Each row of `X_train` is one example, each column one input; `y_train` holds what the "
    "network should answer for it. The test examples are kept apart: the network never trains "
    "on them, so their cost shows how well it does on points it has not seen.",
    "## 2. The initial weights\n"
    "A layer multiplies its inputs by a weight matrix `W` (inputs × neurons) and adds a bias "
    "`b` per neuron. Training starts from random weights, drawn here exactly as the app drew "
    "them, so the numbers below are the app's.",
    "## 3. The forward pass\n"
    "The network's answer for a batch of examples: layer by layer, `z = a @ W + b`, then the "
    "activation `a = f(z)`. The last layer's output is the prediction ŷ.",
    "## 4. The cost\n"
    "One number for how wrong the network is: the loss of each example, averaged over the "
    "examples (plus the regularization penalty, if any). Training means making this number "
    "small.",
    "## 5. Its derivative\n"
    "How the cost changes when the output layer's pre-activation `z` changes: the *delta* that "
    "backpropagation starts from (the derivative of the cost times that of the output "
    "activation, by the chain rule).",
    "## 6. Backpropagation\n"
    "The chain rule again, layer by layer from the output back to the input: each layer's "
    "delta gives the gradient of its weights and biases, and, through its weights, the delta "
    "of the layer before.",
    "## 7. The update\n"
    "The optimizer moves every weight a small step against its gradient, downhill on the "
    "cost. The learning rate η sets the step's size.",
    "## 8. The training loop\n"
    "Mini-batches in a shuffled order, an update for each. The loop also keeps the cost on the "
    "training data after every step (`costs`), for the plots below. Its last line prints the "
    "same cost as the app after the same number of steps.",
)

_CURVE = '''\
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(range(len(costs)), costs, color="#1f77b4")
ax.set_xlabel("step")
ax.set_ylabel("train cost")
ax.set_title("The cost while training")
if min(costs) > 0:
    ax.set_yscale("log")   # a cost that falls by orders of magnitude stays readable
ax.grid(True, alpha=0.3)
plt.show()'''

_SURFACE = '''\
# The cost as two parameters, {first} and {second}, move around their trained values while
# every other parameter stays where training left it.
SPAN, POINTS = 3.0, 41
centre = ({first}, {second})
alphas = np.linspace(centre[0] - SPAN, centre[0] + SPAN, POINTS)
betas = np.linspace(centre[1] - SPAN, centre[1] + SPAN, POINTS)
surface = np.empty((POINTS, POINTS))
for i, beta in enumerate(betas):
    for j, alpha in enumerate(alphas):
        {first}, {second} = alpha, beta
        surface[i, j] = total_cost(X_train, y_train)
{first}, {second} = centre   # the trained weights back

fig, ax = plt.subplots(figsize=(6, 5))
filled = ax.contourf(alphas, betas, surface, levels=30, cmap="viridis")
fig.colorbar(filled, label="train cost")
ax.plot(*centre, "o", color="white", markeredgecolor="black", label="trained weights")
ax.set_xlabel("{first}")
ax.set_ylabel("{second}")
ax.set_title("The error surface around the trained weights")
ax.legend(loc="upper right")
plt.show()'''


def _sections(script):
    """The script's header (its docstring and imports) and its 8 sections' code, in order."""
    starts = []
    for banner in BANNERS:
        pattern = re.escape(banner).replace(re.escape("{optimizer}"), ".*?")
        match = re.search("^" + pattern + "$", script, re.MULTILINE)
        if match is None:
            raise ValueError(f"the generated script has no section {banner!r}")
        starts.append(match)
    header = script[:starts[0].start()].strip()
    bodies = [script[m.end():(starts[k + 1].start() if k + 1 < len(starts) else len(script))]
              .strip("\n") for k, m in enumerate(starts)]
    return header, bodies


def _recording_loop(loop) -> str:
    """The loop section with ``costs``: the training cost before and after every step."""
    lines = loop.split("\n")
    start = next(k for k, line in enumerate(lines) if line.startswith("for t in range("))
    update = next(k for k, line in enumerate(lines) if k > start and re.match(
        r"    update\(", line))
    lines.insert(update + 1, "    costs.append(total_cost(X_train, y_train))")
    lines.insert(start, "costs = [total_cost(X_train, y_train)]   # the cost after every step")
    return "\n".join(lines)


def _surface_axes(sizes):
    """Two parameters for the error-surface plot: the first weight of the first and of the last
    layer (two weights of the same layer when there is only one)."""
    if len(sizes) > 2:
        return "Ws[0][0, 0]", f"Ws[{len(sizes) - 2}][0, 0]"
    if sizes[0] > 1:
        return "Ws[0][0, 0]", "Ws[0][1, 0]"
    return "Ws[0][0, 0]", "bs[0][0]"


def build_notebook(config, data=None, steps=1000):
    """The run ``config`` describes as a validated nbformat (v4) notebook.

    Parameters are those of :func:`core.codegen.generate_script`: ``data`` when the run trains
    on data given to it (a CSV file, drawn points), ``steps`` the updates the loop makes.
    """
    import nbformat
    from nbformat import v4

    from core.codegen.plan import Plan

    script = generate_script(config, data, steps)
    header, bodies = _sections(script)
    docstring, _, imports = header.partition('"""\n')
    docstring = docstring.strip().strip('"').strip()
    title, _, rest = docstring.partition("\n")
    # The header's table (data, network, cost, optimizer, weights), not its script advice.
    description = textwrap.dedent("\n".join(line for line in rest.split("\n")
                                             if line.startswith("    ")))
    sizes = Plan(config, data, steps).sizes
    cells = [v4.new_markdown_cell(
        f"# {title.strip().rstrip('.')}\n\n"
        f"This notebook repeats one training run of Costscape with numpy alone, step by step. "
        f"Run the cells from top to bottom.\n\n```\n{description.strip()}\n```"),
        v4.new_code_cell(imports.strip() or "import numpy as np")]
    for k, (text, body) in enumerate(zip(EXPLANATIONS, bodies)):
        cells.append(v4.new_markdown_cell(text))
        cells.append(v4.new_code_cell(_recording_loop(body) if k == 7 else body))
    first, second = _surface_axes(sizes)
    cells += [
        v4.new_markdown_cell("## The cost curve\nThe cost after every step of the loop above."),
        v4.new_code_cell(_CURVE),
        v4.new_markdown_cell(
            f"## An error surface\nThe cost over a plane of weight space: `{first}` and "
            f"`{second}` move, every other parameter stays at its trained value. The dot is "
            f"where training ended."),
        v4.new_code_cell(_SURFACE.format(first=first, second=second)),
    ]
    notebook = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "costscape": {"steps": int(steps)},
    })
    nbformat.validate(notebook)
    return notebook


def notebook_text(config, data=None, steps=1000) -> str:
    """:func:`build_notebook`'s notebook as the JSON text of a ``.ipynb`` file."""
    import nbformat

    return nbformat.writes(build_notebook(config, data, steps))


def write_notebook(path, config, data=None, steps=1000):
    """Write the run's notebook to ``path`` (atomically: a crash leaves no half file)."""
    text = notebook_text(config, data, steps).encode("utf-8")
    atomic_write(os.fspath(path), lambda f: f.write(text))
