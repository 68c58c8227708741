"""The code behind the run: the exported script runs on its own and repeats the app's training.

The reference is the app's own Trainer (network, losses, optimizers in core), which shares no
code with the generated script: the script is run as a separate Python process, or executed
in a fresh namespace, and its cost compared with ``Trainer.step`` + ``metrics()``.
"""
import ast
import re
import subprocess
import sys

import numpy as np
import pytest

from core import activations, datasets, features, losses, optimizers
from core.codegen import BANNERS, EMBED_LIMIT, generate_script
from core.config import Config
from core.trainer import Trainer

STEPS = 300
FINAL = re.compile(r"^final train cost: (\S+)$", re.MULTILINE)

XOR_TABLE = Config(dataset="xor_table", hidden_layers=(4,), activation="sigmoid",
                   output_activation="sigmoid", loss="mse", optimizer="sgd", learning_rate=1.0,
                   batch_size=4)

CONFIGS = {
    "xor_table sigmoid mse sgd": XOR_TABLE,
    "circle tanh bce adam": Config(dataset="circle", hidden_layers=(6, 4), activation="tanh",
                                   loss="bce", optimizer="adam", learning_rate=0.01,
                                   batch_size=10, noise=0.1, seed=3),
    "spiral3 relu cce momentum l2": Config(dataset="spiral3", hidden_layers=(8, 8),
                                           activation="relu", loss="cce", optimizer="momentum",
                                           learning_rate=0.03, momentum=0.8, batch_size=16,
                                           regularization="l2", reg_rate=0.003, init="he"),
    "sine elu huber rmsprop": Config(dataset="sine", n_samples=300, noise=0.2,
                                     hidden_layers=(8,), activation="elu", loss="huber",
                                     optimizer="rmsprop", learning_rate=0.005, rho=0.8,
                                     batch_size=7),
    "plane gelu mse nesterov l1": Config(dataset="plane", hidden_layers=(5, 3),
                                         activation="gelu", loss="mse", optimizer="nesterov",
                                         learning_rate=0.01, batch_size=10,
                                         regularization="l1", reg_rate=0.001, init="uniform"),
    "moons leaky_relu hinge adagrad": Config(dataset="moons", hidden_layers=(8,),
                                             activation="leaky_relu", loss="hinge",
                                             optimizer="adagrad", learning_rate=0.05,
                                             batch_size=12, noise=0.2, seed=7),
    "spiral3 swish sparse_cce adam": Config(dataset="spiral3", hidden_layers=(10, 6),
                                            activation="swish", loss="sparse_cce",
                                            optimizer="adam", learning_rate=0.02, beta1=0.8,
                                            beta2=0.99, epsilon=1e-7, batch_size=20),
    "gauss logistic regression": Config(dataset="gauss", hidden_layers=(), loss="bce",
                                        optimizer="sgd", learning_rate=0.1, batch_size=9),
    "circle 2000 samples, generated": Config(dataset="circle", n_samples=2000, noise=0.2,
                                             hidden_layers=(4,), optimizer="adam",
                                             learning_rate=0.01, batch_size=32, seed=5),
    "sine 1000 samples, generated (outliers)": Config(dataset="sine", n_samples=1000,
                                                      noise=0.1, hidden_layers=(6,),
                                                      loss="mae", optimizer="sgd",
                                                      learning_rate=0.05, batch_size=25),
    "moons prelu bce adam l2": Config(dataset="moons", n_samples=200, noise=0.2,
                                      hidden_layers=(6, 4), activation="prelu",
                                      optimizer="adam", learning_rate=0.02, batch_size=8,
                                      regularization="l2", reg_rate=0.01),
    "spiral3 maxout cce momentum l1": Config(dataset="spiral3", n_samples=150,
                                             hidden_layers=(6, 5), activation="maxout",
                                             loss="cce", optimizer="momentum",
                                             learning_rate=0.03, regularization="l1",
                                             reg_rate=0.003, init="he"),
    "Playground model: xor, tanh output, squared error on ±1 targets": Config(
        dataset="xor", hidden_layers=(4, 2), activation="tanh", output_activation="tanh",
        loss="mse", signed_targets=True, init="uniform", learning_rate=0.015, batch_size=10,
        noise=0.1, seed=4),
    "Playground model, 700 samples, generated": Config(
        dataset="circle", n_samples=700, hidden_layers=(3,), signed_targets=True,
        init="uniform", regularization="l2", reg_rate=0.002, learning_rate=0.015),
    "blobs 900 samples, generated (one-hot)": Config(dataset="blobs", n_samples=900,
                                                     noise=0.3, hidden_layers=(4,),
                                                     activation="softplus",
                                                     optimizer="momentum", learning_rate=0.01,
                                                     batch_size=30),
}


def trainer_cost(config, steps, data=None):
    trainer = Trainer(config, data=data)
    trainer.step(steps)
    m = trainer.metrics()
    assert m["train_cost"] == m["train_loss"] + m["reg_term"]
    return m["train_cost"]


def run_script(text, tmp_path):
    """Run the script as its own process, in a folder where `core` cannot be imported."""
    path = tmp_path / "costscape_run.py"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def final_cost(stdout):
    found = FINAL.findall(stdout)
    assert len(found) == 1, stdout[-2000:]
    return float(found[0])


def exec_script(text):
    """Execute the script in a fresh namespace; return the namespace."""
    namespace = {"__name__": "__main__"}
    exec(compile(text, "<costscape script>", "exec"), namespace)
    return namespace


def sections(text):
    """The script's text between consecutive banners, keyed by banner number 1..8."""
    starts = [text.index(line.split("(")[0] if "{" in line else line) for line in BANNERS]
    assert starts == sorted(starts)
    return {i + 1: text[start:end]
            for i, (start, end) in enumerate(zip(starts, starts[1:] + [len(text)]))}


# --------------------------------------------------------------------------- reproduces the run
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_exported_script_reproduces_the_trainer(config, tmp_path):
    stdout = run_script(generate_script(config, steps=STEPS), tmp_path)
    assert final_cost(stdout) == pytest.approx(trainer_cost(config, STEPS), rel=1e-9, abs=1e-15)


def test_large_data_sets_are_generated_small_ones_embedded():
    small = generate_script(CONFIGS["circle tanh bce adam"], steps=1)
    large = generate_script(CONFIGS["circle 2000 samples, generated"], steps=1)
    assert "X_train = np.array([" in small and "def _circle(" not in small
    assert "def _circle(" in large and "def _split(" in large and "X_train = np.array" not in large
    assert "def _spirals(" not in large  # only the generator this data set needs
    sine = generate_script(CONFIGS["sine 1000 samples, generated (outliers)"], steps=1)
    assert "_add_outliers(rng, y_train)" in sine


def test_embedded_data_are_exact_and_the_generated_data_equal_the_apps():
    for name in ("sine elu huber rmsprop", "circle 2000 samples, generated"):
        config = CONFIGS[name]
        ns = exec_script(generate_script(config, steps=0))
        data = Trainer(config).data
        np.testing.assert_array_equal(ns["X_train"], data.X_train)
        np.testing.assert_array_equal(ns["y_train"], data.y_train)
        np.testing.assert_array_equal(ns["X_test"], data.X_test)
        np.testing.assert_array_equal(ns["y_test"], data.y_test)


@pytest.mark.parametrize("name", [n for n in datasets.names() if n != "xor_table"])
def test_every_generated_data_set_equals_the_apps(name):
    config = Config(dataset=name, n_samples=EMBED_LIMIT + 1, noise=0.3, seed=9,
                    train_fraction=0.7)
    text = generate_script(config, steps=0)
    assert "X_train = np.array" not in text
    ns = exec_script(text)
    data = Trainer(config).data
    labels = "labels" if "labels_train" in ns else "y"  # before one-hot encoding
    np.testing.assert_array_equal(ns["X_train"], data.X_train)
    np.testing.assert_array_equal(ns["X_test"], data.X_test)
    np.testing.assert_array_equal(ns[f"{labels}_train"], data.y_train)
    np.testing.assert_array_equal(ns[f"{labels}_test"], data.y_test)


@pytest.mark.parametrize("init", ["xavier", "he", "uniform", "zeros"])
def test_initial_weights_are_the_trainers(init):
    config = Config(dataset="spiral3", hidden_layers=(5, 3, 4), activation="tanh", init=init,
                    seed=11)
    ns = exec_script(generate_script(config, steps=0))
    net = Trainer(config).network
    assert len(ns["Ws"]) == len(net.weights) == 4
    for W, b, W_app, b_app in zip(ns["Ws"], ns["bs"], net.weights, net.biases):
        np.testing.assert_array_equal(W, W_app)
        np.testing.assert_array_equal(b, b_app)
    assert ns["W1"] is ns["Ws"][0] and ns["W1"].shape == (2, 5)  # named from 1, as the app


# --------------------------------------------------------------------------- every registry entry
def _quick(config, steps=40, data=None):
    """Cost after ``steps`` updates: the script (executed in-process) and the trainer."""
    ns = exec_script(generate_script(config, data=data, steps=steps))
    script = ns["total_cost"](ns["X_train"], ns["y_train"])
    return script, trainer_cost(config, steps, data=data)


HIDDEN = [n for n in activations.names() if activations.get(n).hidden_ok]


@pytest.mark.parametrize("activation", HIDDEN)
def test_every_hidden_activation(activation, capsys):
    config = Config(dataset="moons", n_samples=120, noise=0.2, hidden_layers=(5, 4),
                    activation=activation, optimizer="adam", learning_rate=0.02, batch_size=8)
    script, app = _quick(config)
    assert script == pytest.approx(app, rel=1e-9)


@pytest.mark.parametrize("output", [n for n in activations.names()
                                    if n not in ("softmax", "prelu", "maxout")])
def test_every_output_activation(output, capsys):
    config = Config(dataset="circle", n_samples=120, noise=0.1, hidden_layers=(4,),
                    output_activation=output, loss="mse", optimizer="sgd", learning_rate=0.1,
                    batch_size=8)
    script, app = _quick(config)
    assert script == pytest.approx(app, rel=1e-9)


def _dataset_for(loss):
    tasks = losses.get(loss).tasks
    return "moons" if "binary" in tasks else "blobs" if "multiclass" in tasks else "plane"


@pytest.mark.parametrize("loss", losses.names())
def test_every_loss(loss, capsys):
    config = Config(dataset=_dataset_for(loss), n_samples=150, noise=0.2, hidden_layers=(6,),
                    loss=loss, optimizer="sgd", learning_rate=0.05, batch_size=10)
    script, app = _quick(config)
    assert script == pytest.approx(app, rel=1e-9)


@pytest.mark.parametrize("loss,output", [
    ("mse", "softmax"),          # softmax's full Jacobian in the backward pass
    ("cce", "sigmoid"),          # cross-entropies without the fused delta
    ("sparse_cce", "sigmoid"),
    ("bce", "softsign"),
    ("msle", "relu"),
])
def test_losses_with_unusual_output_activations(loss, output, capsys):
    dataset = "blobs" if loss in ("mse", "cce", "sparse_cce") else (
        "circle" if loss == "bce" else "gauss_regression")
    config = Config(dataset=dataset, n_samples=150, noise=0.2, hidden_layers=(6,), loss=loss,
                    output_activation=output, optimizer="adam", learning_rate=0.01,
                    batch_size=10)
    script, app = _quick(config)
    assert script == pytest.approx(app, rel=1e-9)


@pytest.mark.parametrize("optimizer", optimizers.names())
@pytest.mark.parametrize("regularization", ["none", "l1", "l2"])
def test_every_optimizer_and_regularization(optimizer, regularization, capsys):
    config = Config(dataset="xor", n_samples=100, hidden_layers=(4, 4), optimizer=optimizer,
                    learning_rate=0.02, momentum=0.7, rho=0.85, beta1=0.85, beta2=0.995,
                    epsilon=1e-6, regularization=regularization, reg_rate=0.01, batch_size=6)
    script, app = _quick(config)
    assert script == pytest.approx(app, rel=1e-9)


def test_deep_network(capsys):
    config = Config(dataset="spiral", hidden_layers=(6, 5, 4, 3, 2), activation="mish",
                    optimizer="adam", learning_rate=0.01, batch_size=10)
    script, app = _quick(config, steps=100)
    assert script == pytest.approx(app, rel=1e-9)


# --------------------------------------------------------------------------- data passed in
def test_data_passed_in_are_embedded(tmp_path):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 3))
    y = (X @ [0.5, -1.0, 2.0] > 0).astype(float)[:, None]
    data = datasets.Dataset("drawn", "binary", X[:30], y[:30], X[30:], y[30:], 2,
                            ((-3, 3),) * 3)
    config = Config(dataset="circle", hidden_layers=(3,), optimizer="rmsprop",
                    learning_rate=0.01, batch_size=4)
    text = generate_script(config, data=data, steps=STEPS)
    assert repr(float(X[0, 0])) in text and repr(float(X[35, 2])) in text
    assert "custom data" in text and "def _circle" not in text
    stdout = run_script(text, tmp_path)
    assert final_cost(stdout) == pytest.approx(trainer_cost(config, STEPS, data), rel=1e-9)


def test_csv_config_embeds_the_file(tmp_path, capsys):
    rng = np.random.default_rng(2)
    rows = rng.uniform(-2, 2, (50, 2))
    labels = rng.integers(0, 3, 50)
    path = tmp_path / "points.csv"
    path.write_text("x1,x2,label\n" + "".join(f"{a!r},{b!r},{c}\n" for (a, b), c in
                                              zip(rows.tolist(), labels)))
    config = Config(dataset="csv", data_path=str(path), task="multiclass", hidden_layers=(4,),
                    optimizer="adam", learning_rate=0.01, batch_size=5)
    text = generate_script(config, steps=60)
    assert "custom data" in text and "X_train = np.array([" in text
    assert repr(float(rows[0, 0])) in text
    script, app = _quick(config, steps=60)
    assert script == pytest.approx(app, rel=1e-9)


def test_large_data_passed_in_leave_out_the_test_rows(capsys):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (EMBED_LIMIT + 100, 1))
    y = np.sin(3 * X)
    data = datasets.Dataset("big", "regression", X[:300], y[:300], X[300:], y[300:], 1,
                            ((-1, 1),))
    config = Config(dataset="sine", hidden_layers=(5,), optimizer="adam", learning_rate=0.01)
    text = generate_script(config, data=data, steps=20)
    assert "X_test =" not in text and "final test cost" not in text
    assert "test examples are left out" in text
    script, app = _quick(config, steps=20, data=data)
    assert script == pytest.approx(app, rel=1e-9)


# --------------------------------------------------------------------------- what a learner reads
def test_script_has_every_banner_in_order_and_compiles():
    for config in CONFIGS.values():
        text = generate_script(config, steps=10)
        compile(text, "<costscape script>", "exec")
        parts = sections(text)
        opt = optimizers.optimizer_class(config.optimizer).display_name
        assert f"# ===== 7. The update ({opt}) =====" in parts[7]
        assert BANNERS[3] in parts[4] and BANNERS[4] in parts[5]


def test_script_imports_only_numpy():
    for config in CONFIGS.values():
        tree = ast.parse(generate_script(config))
        imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert imported <= {"numpy", "math"}, imported


@pytest.mark.parametrize("loss,code", [
    ("mse", "(y - y_hat) ** 2"),
    ("bce", "-(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))"),
    ("hinge", "np.maximum(1.0 - signs(y) * y_hat, 0.0)"),
    ("rmse", "np.sqrt(np.mean(loss(y, y_hat)))"),
    ("cce", "-y * np.log(np.clip(y_hat, EPS_CLIP, 1.0 - EPS_CLIP))"),
])
def test_cost_function_section_holds_the_loss_and_only_it(loss, code):
    config = Config(dataset=_dataset_for(loss), loss=loss)
    parts = sections(generate_script(config))
    assert "def cost(y, y_hat):" in parts[4] and code in parts[4]
    assert "def loss(y, y_hat):" in parts[4]
    assert "def output_delta(y, y_hat, z):" in parts[5]
    assert code not in parts[3] + parts[5] + parts[6]
    assert "loss(" not in parts[6]  # backpropagation starts from section 5's delta


def test_only_this_runs_functions_are_emitted():
    text = generate_script(CONFIGS["spiral3 relu cce momentum l2"])
    for absent in ("def tanh(", "def sigmoid(", "def cost_derivative(", "BETA1", "L1_RATE"):
        assert absent not in text
    assert "def relu(" in text and "def softmax(" in text and "L2_RATE" in text
    assert "def softmax_backward" not in text  # the fused delta does not need it
    assert "(y_hat - y) / len(y_hat)" in sections(text)[5]
    plain = generate_script(XOR_TABLE)
    assert "def cost_derivative(y, y_hat):" in sections(plain)[5]
    assert "regularization()" not in plain and "EPS_CLIP" not in plain


def test_logistic_regression_has_no_hidden_activation():
    text = generate_script(CONFIGS["gauss logistic regression"])
    assert "Ws = [W1]" in text and "W2" not in text and "def tanh" not in text


@pytest.mark.parametrize("name", ["prelu", "maxout"])
def test_learnable_output_activations_are_refused_clearly(name):
    config = Config(dataset="circle", output_activation=name)
    with pytest.raises(ValueError, match="in hidden layers, not as the output layer's"):
        generate_script(config)


@pytest.mark.parametrize("init", ["xavier", "he", "uniform", "zeros"])
@pytest.mark.parametrize("name", ["prelu", "maxout"])
def test_learnable_activations_start_from_the_trainers_parameters(name, init):
    config = Config(dataset="moons", n_samples=60, hidden_layers=(5, 3), activation=name,
                    init=init)
    ns = exec_script(generate_script(config, steps=0))
    net = Trainer(config).network
    extra = {"prelu": [("slopes", "slope")], "maxout": [("Ws_2", "W'"), ("bs_2", "b'")]}[name]
    for script_name, kind in extra:
        assert len(ns[script_name]) == 2
        for layer, array in enumerate(ns[script_name]):
            np.testing.assert_array_equal(array, net.block(kind, layer))


@pytest.mark.parametrize("steps", [-1, 2.5, True, "10"])
def test_bad_steps_are_refused(steps):
    with pytest.raises(ValueError, match="steps"):
        generate_script(XOR_TABLE, steps=steps)


def test_steps_zero_prints_the_initial_cost(capsys):
    exec_script(generate_script(XOR_TABLE, steps=0))
    out = capsys.readouterr().out
    assert final_cost(out) == trainer_cost(XOR_TABLE, 0)


# --------------------------------------------------------------------------- input features
FEATURE_CONFIGS = {
    "circle, no hidden layer, squares": Config(dataset="circle", noise=0.1, hidden_layers=(),
                                               features=("x1^2", "x2^2", "x1*x2"),
                                               learning_rate=0.1),
    "spiral, every 2-D feature, adam": Config(dataset="spiral", hidden_layers=(6, 4),
                                              features=tuple(features.names(2)),
                                              optimizer="adam", learning_rate=0.01),
    "sine, 1-D features, l2": Config(dataset="sine", hidden_layers=(5,), activation="relu",
                                     features=("x1", "sin_x1", "x1^2"), loss="huber",
                                     regularization="l2", reg_rate=0.001, learning_rate=0.02),
    "circle 2000 samples, generated": Config(dataset="circle", n_samples=2000, noise=0.2,
                                             hidden_layers=(3,), features=("x1", "x2^2"),
                                             optimizer="momentum", batch_size=32),
}


@pytest.mark.parametrize("config", FEATURE_CONFIGS.values(), ids=FEATURE_CONFIGS.keys())
def test_input_features_reproduce_the_trainer(config, tmp_path):
    text = generate_script(config, steps=STEPS)
    assert "def input_features(X):" in sections(text)[1]
    stdout = run_script(text, tmp_path)
    assert final_cost(stdout) == pytest.approx(trainer_cost(config, STEPS), rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("name", features.names(2))
def test_every_input_feature_is_the_apps(name):
    config = Config(dataset="xor", n_samples=60, hidden_layers=(2,), features=(name,))
    ns = exec_script(generate_script(config, steps=0))
    trainer = Trainer(config)
    np.testing.assert_array_equal(ns["X_train"], trainer.inputs_train)
    np.testing.assert_array_equal(ns["X_test"], trainer.inputs_test)
    assert ns["W1"].shape == (1, 2)


def test_features_with_drawn_data_and_the_header_names_them(tmp_path):
    rng = np.random.default_rng(8)
    X = rng.uniform(-3, 3, (60, 2))
    y = (X[:, :1] ** 2 + X[:, 1:] ** 2 < 4).astype(float)
    data = datasets.Dataset("drawn", "binary", X[:40], y[:40], X[40:], y[40:], 2,
                            ((-3, 3),) * 2)
    config = Config(dataset="custom", task="binary", hidden_layers=(),
                    features=("x1^2", "x2^2"), learning_rate=0.2, batch_size=5)
    text = generate_script(config, data=data, steps=STEPS)
    assert "inputs      the input features x₁², x₂²" in text
    assert "network     2 → 1" in text
    stdout = run_script(text, tmp_path)
    assert final_cost(stdout) == pytest.approx(trainer_cost(config, STEPS, data), rel=1e-9)


def test_features_the_data_cannot_have_are_refused():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(20, 3))
    y = (X[:, :1] > 0).astype(float)
    data = datasets.Dataset("wide", "binary", X[:10], y[:10], X[10:], y[10:], 2, ((-3, 3),) * 3)
    with pytest.raises(ValueError, match="features"):
        generate_script(Config(dataset="circle", features=("x1^2",)), data=data)


# --------------------------------------------------------------------------- copying real code
def test_copier_takes_what_a_function_uses_once_in_order_and_renames_it():
    from core.codegen.snippets import losses as snippets
    from core.codegen.text import Copier
    copier = Copier(snippets, {"rmse_loss": "loss", "rmse_cost": "cost",
                               "rmse_cost_derivative": "cost_derivative"})
    text = copier.copy("rmse_cost_derivative")
    assert "rmse" not in text
    assert text.index("def loss(") < text.index("def cost(") < text.index("def cost_derivative(")
    assert "root = cost(y, y_hat)" in text and "np.mean(loss(y, y_hat))" in text
    assert copier.copy("rmse_loss", "rmse_cost") == ""  # already in the script
    clipped = Copier(snippets).copy("bce_loss", "cce_loss")
    assert clipped.count("EPS_CLIP = 1e-7") == 1 and clipped.startswith("EPS_CLIP = 1e-7   # ε")


def test_copier_leaves_strings_comments_and_given_names_alone():
    from core.codegen.snippets import optimizers as snippets
    from core.codegen.text import Copier, _renamed
    text = 'loss = "loss"  # loss\nprint(loss, """loss""", closs)'
    assert _renamed(text, {"loss": "mse"}) == 'mse = "loss"  # loss\nprint(mse, """loss""", closs)'
    given = ("MOMENTUM",)
    update = Copier(snippets, {"momentum_update": "update"}, given).copy("momentum_update")
    assert update.startswith("def update(params, grads, velocity, lr):")
    assert "MOMENTUM =" not in update and "MOMENTUM" in update
