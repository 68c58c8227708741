"""Section 1 of a generated script: the data, embedded as literals or made by the app's code."""
from __future__ import annotations

import textwrap

from core import datasets, features
from core.codegen.plan import Plan
from core.codegen.text import BANNERS, LINE_WIDTH, Copier, code, column, matrix, number
from core.datasets import generators


def data_section(run: Plan) -> str:
    """Section 1: the examples, embedded or generated, as the network sees them."""
    data, cfg = run.data, run.config
    label = "labels" if run.one_hot else "y"
    if data.task == "regression":
        what = "target"
    else:
        what = ("class label (0 or 1)" if data.n_classes == 2
                else f"class label (0 to {data.n_classes - 1})")
    out = [BANNERS[0]]
    if not run.custom:
        out += textwrap.wrap(f"{datasets.display_name(cfg.dataset)} (\"{cfg.dataset}\"): "
                             f"{datasets.describe(cfg.dataset)}", LINE_WIDTH,
                             initial_indent="# ", subsequent_indent="# ")
    if run.generated:
        out.append(_generated_data(run, label))
    else:
        n_train = len(data.X_train)
        made = "" if run.custom or cfg.dataset == "xor_table" else (
            f", as the app made them (seed {cfg.seed}, noise {cfg.noise:g})")
        inputs = f"{data.n_features} input{'s' if data.n_features > 1 else ''}"
        out.append(f"# The {n_train} training examples{made}.")
        out.append(f"# X_train: one example per row ({inputs}); {label}_train: the {what} of "
                   f"each row.")
        out.append(matrix("X_train", data.X_train, f"({n_train}, {data.n_features})"))
        out.append(column(f"{label}_train", data.y_train, f"({n_train}, 1)"))
        if not run.with_test:
            out.append("# The test examples are left out to keep this script short: training "
                       "uses only the training examples.")
        elif data.test_is_train:
            out.append(f"X_test, {label}_test = X_train, {label}_train   "
                       f"# the test examples are the same rows")
        else:
            n_test = len(data.X_test)
            out.append(f"# The {n_test} test examples: not used for training; the cost on them "
                       f"is printed at the end.")
            out.append(matrix("X_test", data.X_test, f"({n_test}, {data.n_features})"))
            out.append(column(f"{label}_test", data.y_test, f"({n_test}, 1)"))
    if cfg.signed_targets:
        parts = ["train", "test"] if run.with_test else ["train"]
        out.append("# The network is trained towards −1 for class 0 and +1 for class 1 (the "
                   "Neural Network Playground's")
        out.append("# labels), and it decides class 1 where its output is above 0.")
        out.extend(f"y_{part} = 2.0 * y_{part} - 1.0   # class 1 → +1, class 0 → −1"
                   for part in parts)
    if run.one_hot:
        k = data.n_classes
        parts = ["train", "test"] if run.with_test else ["train"]
        out.append(f"# One-hot targets for the network's {k} outputs: each row has a 1 in the "
                   f"column of its class.")
        out.extend(f"y_{part} = np.eye({k})[labels_{part}[:, 0].astype(int)]   # (n, {k})"
                   for part in parts)
    elif data.task == "multiclass":
        out.append("# The loss reads the class labels directly (no one-hot targets needed).")
    if run.features:
        out += ["", "", _features_code(run)]
        out.append(f"X_train = input_features(X_train)   # (n, {run.n_inputs}): from here on the "
                   f"network's inputs")
        if run.with_test:
            out.append("X_test = input_features(X_test)")
    return "\n".join(out)


#: Input feature (core.features) -> the numpy expression the script computes it with, from the
#: raw input columns x1 = X[:, 0] and x2 = X[:, 1] (the same arithmetic as core.features).
_FEATURE_CODE = {
    "x1": "x1", "x2": "x2", "x1^2": "x1 ** 2", "x2^2": "x2 ** 2", "x1*x2": "x1 * x2",
    "sin_x1": "np.sin(x1)", "sin_x2": "np.sin(x2)",
}


def _features_code(run: Plan) -> str:
    """The input features: a function from raw inputs to the network's inputs."""
    names, d = run.features, run.data.n_features
    labels = ", ".join(features.label(name) for name in names)
    raw = "x₁" if d == 1 else "x₁, x₂"
    columns = "x1 = X[:, 0]" if d == 1 else "x1, x2 = X[:, 0], X[:, 1]"
    n = len(names)
    comment = (f"Input features: the network does not see the raw input{'s' if d > 1 else ''} "
               f"({raw}) but {n} number{'s' if n > 1 else ''} computed from "
               f"{'them' if d > 1 else 'it'}: {labels}. As in the Neural Network Playground, what "
               f"is curved in the raw inputs can be linear in these features, so even a network "
               f"without hidden layers can fit it.")
    return "\n".join([
        textwrap.fill(comment, LINE_WIDTH, initial_indent="# ", subsequent_indent="# "),
        code(f'''
            def input_features(X):
                """The network's inputs (n, {n}) from the raw inputs X (n, {d}): {labels}."""
                {columns}
                return np.column_stack([{", ".join(_FEATURE_CODE[name] for name in names)}])
        '''),
        "",
        "",
    ])


def _generated_data(run: Plan, label) -> str:
    cfg, name = run.config, run.config.dataset
    draw = generators.generator(name).__name__
    source = Copier(generators).copy(draw, "_split",
                                     *(["_add_outliers"] if name == "sine" else []))
    lines = [
        f"# The {name} data set has {cfg.n_samples} examples, too many to list here, so the "
        f"script makes",
        "# them with the app's own code (core/datasets/generators.py) and the same seed: the same",
        "# numbers.",
    ]
    lines += ["", source, "", "",
              f"N_SAMPLES, NOISE, SEED, TRAIN_FRACTION = {cfg.n_samples}, {number(cfg.noise)}, "
              f"{cfg.seed}, {number(cfg.train_fraction)}",
              "rng = np.random.default_rng(SEED)",
              f"X, y = {draw}(rng, N_SAMPLES, NOISE)",
              f"X_train, {label}_train, X_test, {label}_test = _split(rng, X, y, TRAIN_FRACTION)"]
    if name == "sine":
        lines.append(f"{label}_train = _add_outliers(rng, {label}_train)   "
                     f"# outliers in the training examples only")
    return "\n".join(lines)
