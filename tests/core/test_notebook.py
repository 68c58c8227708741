"""The notebook of a run: built with nbformat, and executed headless it ends at the trainer's
cost."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from core import datasets, notebook
from core.config import Config
from core.presets import get as preset
from core.trainer import Trainer

nbformat = pytest.importorskip("nbformat")


def _final_cost(executed) -> float:
    text = "".join(output.get("text", "") for cell in executed.cells
                   if cell.cell_type == "code" for output in cell.get("outputs", []))
    return float(re.search(r"final train cost: (\S+)", text).group(1))


@pytest.mark.slow
def test_the_notebook_runs_and_ends_at_the_trainers_cost(tmp_path):
    nbclient = pytest.importorskip("nbclient")
    config = preset("Playground default (circle, tanh 4-2, SGD)").config.replace(n_samples=120)
    path = tmp_path / "run.ipynb"
    notebook.write_notebook(path, config, steps=150)
    written = nbformat.read(path, as_version=4)
    nbformat.validate(written)
    executed = nbclient.NotebookClient(written, timeout=180, kernel_name="python3",
                                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    trainer = Trainer(config)
    trainer.step(150)
    assert abs(_final_cost(executed) - trainer.metrics()["train_cost"]) <= 1e-9
    images = [o for cell in executed.cells if cell.cell_type == "code"
              for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the cost curve and the error surface
    errors = [o for cell in executed.cells for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors


def test_the_cells_follow_the_code_behind_the_run():
    nb = notebook.build_notebook(Config(dataset="xor_table", hidden_layers=(4,), loss="mse"),
                                 steps=10)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    titles = [m.split("\n")[0] for m in markdown]
    assert titles[1:9] == ["## 1. The data", "## 2. The initial weights", "## 3. The forward pass",
                           "## 4. The cost", "## 5. Its derivative", "## 6. Backpropagation",
                           "## 7. The update", "## 8. The training loop"]
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code[0] == "import numpy as np"
    assert "def forward(X):" in code[3] and "def gradients(X, y):" in code[6]
    assert "costs.append(total_cost(X_train, y_train))" in code[8]
    assert "matplotlib" in code[9] and "contourf" in code[10]
    assert json.loads(nbformat.writes(nb))["nbformat"] == 4


def test_a_run_on_given_data_without_hidden_layers_builds():
    data = datasets.make("gauss", n_samples=40, seed=2)
    nb = notebook.build_notebook(Config(dataset="custom", task="binary", hidden_layers=()),
                                 data=data, steps=5)
    assert "Ws[0][1, 0]" in nb.cells[-1].source
    nbformat.validate(nb)
    # The cells, run in order in one namespace, train and plot nothing here (no display).
    namespace = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and "matplotlib" not in cell.source \
                and "plt." not in cell.source:
            exec(compile(cell.source, "<cell>", "exec"), namespace)  # noqa: S102 - our own code
    assert len(namespace["costs"]) == 6 and np.isfinite(namespace["costs"]).all()
