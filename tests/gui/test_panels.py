"""The control panels: registries listed, values() build valid Configs, set_config round trips
silently, the loss panel filters by task, the network and optimizer panels keep their limits."""
import ast
import math
import pathlib
import sys
import warnings

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractScrollArea, QAbstractSlider,
                               QAbstractSpinBox, QComboBox, QWidget)

from core import activations, datasets, losses, optimizers
from core.config import Config
from core.network import INITS
from gui import formulas
from gui.panels import (ALL_PANELS, ActivationPanel, DataPanel, LossPanel, NetworkPanel,
                        OptimizerPanel, SchedulePanel)
from gui.panels.base import COALESCE_MS
from gui.panels.activation_panel import curves
from gui.panels.loss_panel import loss_curves
from gui.panels.optimizer_panel import (LR_MAX, LR_MIN, LR_SLIDER_MAX, learning_rate_to_slider,
                                        slider_to_learning_rate)
from gui.widgets.controls import ScientificSpinBox

SETTLE_MS = COALESCE_MS + 150


@pytest.fixture
def panels(qtbot):
    made = {cls: cls() for cls in ALL_PANELS}
    for panel in made.values():
        qtbot.addWidget(panel)
    return made


def combo_data(combo, enabled_only=False):
    model = combo.model()
    return [combo.itemData(i) for i in range(combo.count())
            if combo.itemData(i) is not None and (not enabled_only or model.item(i).isEnabled())]


def merged_config(panels) -> Config:
    values = {}
    for panel in panels.values():
        values.update(panel.values())
    return Config(**values)


def owned_fields(panel):
    return set(panel.values())


# ---------------------------------------------------------------------- the whole set
def test_panels_own_disjoint_config_fields(panels):
    seen = set()
    for panel in panels.values():
        fields = owned_fields(panel)
        assert not fields & seen
        seen |= fields
    assert seen == {"dataset", "n_samples", "noise", "train_fraction", "seed", "hidden_layers",
                    "init", "activation", "loss", "output_activation", "regularization",
                    "reg_rate", "optimizer", "learning_rate", "batch_size", "momentum", "beta1",
                    "beta2", "rho", "epsilon", "lr_schedule", "warmup_steps", "decay_steps",
                    "decay_rate", "min_lr_fraction", "max_epochs", "max_steps", "patience",
                    "min_delta", "restore_best_weights", "target_cost"}


def test_default_panels_give_the_default_config(panels):
    assert merged_config(panels) == Config()


def test_every_registry_entry_is_listed(panels):
    listed = combo_data(panels[DataPanel].dataset)  # grouped by task
    assert sorted(listed) == sorted(datasets.names()) and len(listed) == len(set(listed))
    hidden = [n for n in activations.names() if activations.get(n).hidden_ok]
    assert combo_data(panels[ActivationPanel].activation) == hidden
    assert "softmax" not in hidden and len(hidden) == len(activations.names()) - 1
    assert combo_data(panels[LossPanel].loss) == losses.names()
    assert combo_data(panels[OptimizerPanel].optimizer) == optimizers.names()
    assert combo_data(panels[NetworkPanel].init) == list(INITS)


@pytest.mark.parametrize("cls", ALL_PANELS)
def test_every_control_has_a_tooltip(qtbot, cls):
    panel = cls()
    qtbot.addWidget(panel)
    kinds = (QComboBox, QAbstractSpinBox, QAbstractSlider, QAbstractButton)
    # Scroll bars inside the plots (QGraphicsView) are Qt's, not controls of ours.
    controls = [w for w in panel.findChildren(QWidget) if isinstance(w, kinds)
                and not isinstance(w.parent().parent(), QAbstractScrollArea)]
    assert controls
    for widget in controls:
        assert widget.toolTip().strip(), f"{cls.__name__}: {type(widget).__name__} has no tooltip"


@pytest.mark.parametrize("cls", ALL_PANELS)
def test_group_box_titles(qtbot, cls):
    panel = cls()
    qtbot.addWidget(panel)
    titles = {DataPanel: "Data", NetworkPanel: "Network", ActivationPanel: "Activation", LossPanel:
              "Loss and cost", OptimizerPanel: "Optimizer", SchedulePanel: "Schedule and stopping"}
    assert panel.box.title() == titles[cls]


def test_panels_import_no_other_panel():
    # Panels talk through the main window; they share only the base, the output-layer words
    # and gui.widgets.
    shared = {"gui.panels.base", "gui.panels.output_reasons"}
    for cls in ALL_PANELS:
        tree = ast.parse(pathlib.Path(sys.modules[cls.__module__].__file__).read_text())
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        panels = {name for name in imported if name.split(".")[:2] == ["gui", "panels"]}
        assert panels <= shared, f"{cls.__name__} imports {panels - shared}"


# ---------------------------------------------------------------------- every choice is valid
@pytest.mark.parametrize("dataset", datasets.names())
def test_every_dataset_and_fitting_loss_builds_a_config(panels, dataset):
    data, loss_panel = panels[DataPanel], panels[LossPanel]
    data.dataset.setCurrentIndex(data.dataset.findData(dataset))
    assert data.task() == datasets.task_of(dataset)
    loss_panel.set_task(data.task())
    offered = combo_data(loss_panel.loss, enabled_only=True)
    assert offered == [n for n in losses.names() if data.task() in losses.get(n).tasks]
    for name in offered:
        loss_panel.loss.setCurrentIndex(loss_panel.loss.findData(name))
        config = merged_config(panels)
        assert config.dataset == dataset and config.loss == name


def test_every_activation_optimizer_and_init_builds_a_config(panels):
    for combo, field in ((panels[ActivationPanel].activation, "activation"),
                         (panels[OptimizerPanel].optimizer, "optimizer"),
                         (panels[NetworkPanel].init, "init")):
        for name in combo_data(combo):
            combo.setCurrentIndex(combo.findData(name))
            assert getattr(merged_config(panels), field) == name


# ---------------------------------------------------------------------- set_config round trips
ROUND_TRIP_CONFIGS = [
    Config(),
    Config(dataset="spiral3", n_samples=740, noise=0.35, train_fraction=0.7, seed=42,
           hidden_layers=(8, 6, 4, 3, 2, 1), activation="maxout", loss="sparse_cce",
           optimizer="adam", learning_rate=0.0012, batch_size=32, regularization="l2",
           reg_rate=0.003, init="he", beta1=0.85, beta2=0.9995, epsilon=1e-7),
    Config(dataset="sine", hidden_layers=(), activation="prelu", loss="huber",
           optimizer="rmsprop", learning_rate=0.01, rho=0.95, regularization="l1", reg_rate=0.01),
    Config(dataset="circle", loss="hinge", optimizer="nesterov", momentum=0.5, init="zeros",
           hidden_layers=(16, 16)),
    # An output activation other than the loss's own choice survives the round trip.
    Config(dataset="xor", loss="mse", output_activation="tanh", activation="relu",
           optimizer="adagrad", epsilon=1e-10),
    Config(dataset="xor_table", hidden_layers=(2,), activation="sigmoid", loss="mse",
           learning_rate=1.0, batch_size=4),
]


@pytest.mark.parametrize("config", ROUND_TRIP_CONFIGS, ids=lambda c: f"{c.dataset}-{c.loss}")
def test_set_config_round_trip_without_emitting(qtbot, panels, config):
    emitted = []
    for panel in panels.values():
        panel.changed.connect(lambda panel=panel: emitted.append(panel))
        panel.set_config(config)
    qtbot.wait(SETTLE_MS)  # a coalesced change would fire by now
    assert emitted == []
    panels[NetworkPanel].set_io(2, 1)
    assert merged_config(panels) == config
    for panel in panels.values():  # and each panel's own fields alone
        assert all(getattr(config, key) == value for key, value in panel.values().items())


def test_set_config_then_default_again(panels):
    for panel in panels.values():
        panel.set_config(ROUND_TRIP_CONFIGS[1])
    for panel in panels.values():
        panel.set_config(Config())
    assert merged_config(panels) == Config()


# ---------------------------------------------------------------------- data panel
def test_a_csv_config_round_trips(qtbot, panels):
    config = Config(dataset="csv", data_path="/data/iris.csv", task="multiclass",
                    train_fraction=0.6, hidden_layers=(5,))
    for panel in panels.values():
        panel.set_config(config)
    data = panels[DataPanel]
    assert data.task() == "multiclass" and "iris.csv" in data.dataset.currentText()
    assert not data.noise.isEnabled() and data.train_share.isEnabled()
    values = {"data_path": config.data_path, "task": data.task()}
    for panel in panels.values():
        values.update(panel.values())
    assert Config(**values) == config
    # Back to a built-in set and to the file again: one entry for the file.
    data.dataset.setCurrentIndex(data.dataset.findData("circle"))
    data.set_csv("/data/other.csv", "regression")
    assert data.values()["dataset"] == "csv" and data.task() == "regression"
    assert combo_data(data.dataset).count("csv") == 1


def test_data_panel_regenerate_advances_the_seed(qtbot, panels):
    data = panels[DataPanel]
    seed = data.values()["seed"]
    with qtbot.waitSignals([data.changed, data.regenerate_requested], timeout=1000):
        qtbot.mouseClick(data.regenerate, Qt.LeftButton)
    assert data.values()["seed"] == seed + 1


def test_data_panel_show_test_is_not_a_config_change(qtbot, panels):
    data = panels[DataPanel]
    with qtbot.assertNotEmitted(data.changed, wait=SETTLE_MS):
        with qtbot.waitSignal(data.show_test_changed, check_params_cb=lambda on: on is False):
            data.show_test.setChecked(False)
    assert not data.show_test_points()


def test_data_panel_sliders_map_to_config_values(qtbot, panels):
    data = panels[DataPanel]
    with qtbot.waitSignal(data.changed, timeout=1000):
        data.noise.setValue(25)
        data.train_share.setValue(80)
    assert data.values()["noise"] == 0.25
    assert data.values()["train_fraction"] == 0.8
    assert data.noise_label.text() == "0.25"
    assert data.split_label.text() == "80% / 20%"


def test_rapid_changes_coalesce_into_one_signal(qtbot, panels):
    data = panels[DataPanel]
    count = []
    data.changed.connect(lambda: count.append(1))
    for value in range(1, 30):
        data.noise.setValue(value)
    qtbot.wait(SETTLE_MS)
    assert len(count) == 1


def test_xor_table_disables_what_it_ignores(panels):
    data = panels[DataPanel]
    data.dataset.setCurrentIndex(data.dataset.findData("xor_table"))
    assert not data.n_samples.isEnabled() and not data.noise.isEnabled()
    data.dataset.setCurrentIndex(data.dataset.findData("circle"))
    assert data.n_samples.isEnabled() and data.noise.isEnabled()


def test_task_headers_cannot_be_chosen(panels):
    combo = panels[DataPanel].dataset
    headers = [i for i in range(combo.count()) if combo.itemData(i) is None]
    assert len(headers) == len({datasets.task_of(n) for n in datasets.names()})
    assert all(not combo.model().item(i).isEnabled() for i in headers)


# ---------------------------------------------------------------------- network panel
def test_network_layers_within_limits(qtbot, panels):
    net = panels[NetworkPanel]
    while net.remove_button.isEnabled():
        with qtbot.waitSignal(net.changed, timeout=1000):
            qtbot.mouseClick(net.remove_button, Qt.LeftButton)
    assert net.values()["hidden_layers"] == ()
    net.set_io(2, 1)
    assert net.shape_text() == "2 → 1"
    while net.add_button.isEnabled():
        qtbot.mouseClick(net.add_button, Qt.LeftButton)
    n_max = len(net.values()["hidden_layers"])
    assert n_max >= 6
    qtbot.mouseClick(net.add_button, Qt.LeftButton)  # disabled: nothing happens
    assert len(net.values()["hidden_layers"]) == n_max
    Config(hidden_layers=net.values()["hidden_layers"])
    spin = net._spins[0]
    assert spin.minimum() == 1 and spin.maximum() >= 16
    spin.setValue(spin.maximum())
    Config(hidden_layers=net.values()["hidden_layers"])


def test_network_shows_the_arrow_string(qtbot, panels):
    net = panels[NetworkPanel]
    net.set_config(Config(hidden_layers=(4, 2)))
    net.set_io(2, 1)
    assert net.shape_text() == "2 → 4 → 2 → 1"
    assert net.shape_label.text() == "2 → 4 → 2 → 1"
    net.set_io(2, 3)
    with qtbot.waitSignal(net.changed, timeout=1000):
        qtbot.mouseClick(net.add_button, Qt.LeftButton)  # a copy of the last layer
    assert net.shape_label.text() == "2 → 4 → 2 → 2 → 3"
    assert net.parameter_count() == 3 * 4 + 5 * 2 + 3 * 2 + 3 * 3


# ---------------------------------------------------------------------- activation panel
@pytest.mark.parametrize("name", [n for n in activations.names() if activations.get(n).hidden_ok])
def test_activation_plot_is_finite(qtbot, name):
    panel = ActivationPanel()
    qtbot.addWidget(panel)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f, df = curves(activations.get(name))
        panel.set_values(name)
    assert np.all(np.isfinite(f)) and np.all(np.isfinite(df))
    assert len(panel.plot.curve_data()) == 2
    assert panel.formula.plain_text() and not panel.formula.pixmap().isNull()  # set as maths


def test_prelu_and_maxout_are_drawn_as_described():
    z = np.array([-2.0, 3.0])
    f, df = curves(activations.get("prelu"), z)
    assert np.allclose(f, [-0.5, 3.0]) and np.allclose(df, [0.25, 1.0])
    f, df = curves(activations.get("maxout"), z)  # max(z, 0.5 z)
    assert np.allclose(f, [-1.0, 3.0]) and np.allclose(df, [0.5, 1.0])


def test_activation_panel_says_output_follows_the_loss(panels):
    act = panels[ActivationPanel]
    act.set_output_activation("softmax", "cce needs one probability per class")
    assert act.output_note.text() == ("Output layer: Softmax — cce needs one probability per "
                                      "class.")
    act.set_config(Config(dataset="circle", loss="hinge"))
    assert "Linear" in act.output_note.text() and "Hinge" in act.output_note.text()
    loss_panel = panels[LossPanel]
    loss_panel.set_config(Config(dataset="blobs"))
    act.set_output_activation(loss_panel.output_activation(), loss_panel.output_reason())
    assert "Softmax" in act.output_note.text() and "cross-entropy" in act.output_note.text()


# ---------------------------------------------------------------------- loss panel
@pytest.mark.parametrize("task", datasets.TASKS)
def test_loss_panel_filters_by_task(qtbot, task):
    panel = LossPanel()
    qtbot.addWidget(panel)
    with qtbot.assertNotEmitted(panel.changed, wait=SETTLE_MS):
        panel.set_task(task)
    fitting = [n for n in losses.names() if task in losses.get(n).tasks]
    assert combo_data(panel.loss, enabled_only=True) == fitting
    assert panel.loss.currentData() in fitting
    for row in range(panel.loss.count()):
        name = panel.loss.itemData(row)
        if name not in fitting:
            assert "Not for" in panel.loss.itemData(row, Qt.ToolTipRole)
            assert losses.get(name).display_name in panel.unfit_note.text()  # never code names


def test_loss_panel_switches_an_unfit_loss_to_the_task_default(panels):
    panel = panels[LossPanel]
    assert panel.values()["loss"] == "bce"
    panel.set_task("regression")
    assert panel.values()["loss"] == "mse"
    assert panel.values()["output_activation"] == "linear"
    panel.set_task("multiclass")
    assert panel.values()["loss"] == "mse"  # mse fits every task: kept
    assert panel.values()["output_activation"] == "softmax"


@pytest.mark.parametrize("task,loss,output", [
    ("binary", "bce", "sigmoid"), ("binary", "hinge", "linear"), ("binary", "squared_hinge", "linear"),
    ("multiclass", "cce", "softmax"), ("multiclass", "kl_div", "softmax"),
    ("regression", "mae", "linear"), ("regression", "msle", "linear")])
def test_output_activation_follows_the_loss(qtbot, task, loss, output):
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.set_task(task)
    panel.loss.setCurrentIndex(panel.loss.findData("mse"))
    with qtbot.waitSignal(panel.changed, timeout=1000):
        panel.loss.setCurrentIndex(panel.loss.findData(loss))
    assert panel.values()["output_activation"] == output
    assert activations.get(output).display_name in panel.output_label.text()


def test_loss_panel_explains_the_pairing(panels):
    panel = panels[LossPanel]
    text = panel.output_label.text()
    assert "Sigmoid" in text and "Binary cross-entropy" in text and "(0, 1)" in text


@pytest.mark.parametrize("name", losses.names())
def test_loss_plots_are_finite(qtbot, name):
    loss = losses.get(name)
    task = sorted(loss.tasks)[0]
    output = loss.output_activation or {"regression": "linear", "binary": "sigmoid",
                                        "multiclass": "softmax"}[task]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x, result = loss_curves(loss, output)
    for values, slopes in result.values():
        assert np.all(np.isfinite(values)) and np.all(np.isfinite(slopes))
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.set_task(task)
    panel.loss.setCurrentIndex(panel.loss.findData(name))
    assert len(panel.loss_plot.curve_data()) == 2 and len(panel.slope_plot.curve_data()) == 2


def test_loss_curves_match_hand_formulas():
    x, result = loss_curves(losses.get("mse"), "linear")
    assert np.allclose(result[1][0], (1 - x) ** 2) and np.allclose(result[1][1], 2 * (x - 1))
    x, result = loss_curves(losses.get("bce"), "sigmoid")
    assert np.allclose(result[1][0], -np.log(x)) and np.allclose(result[0][0], -np.log(1 - x))
    x, result = loss_curves(losses.get("cce"), "softmax")  # two classes: -ln of the true one
    assert np.allclose(result[1][0], -np.log(x)) and np.allclose(result[1][1], -1 / x)


def test_regularization_turns_on_with_a_rate(qtbot, panels):
    panel = panels[LossPanel]
    assert not panel.reg_rate.isEnabled()
    with qtbot.waitSignal(panel.changed, timeout=1000):
        panel.regularization.setCurrentIndex(panel.regularization.findData("l2"))
    assert panel.values()["regularization"] == "l2" and panel.values()["reg_rate"] > 0
    assert panel.reg_rate.isEnabled() and panel.cost_formula.tex() == (formulas.cost("bce", "l2"),)
    merged_config(panels)


# ---------------------------------------------------------------------- optimizer panel
@pytest.mark.parametrize("name", optimizers.names())
def test_optimizer_shows_only_its_settings(qtbot, name):
    panel = OptimizerPanel()
    qtbot.addWidget(panel)
    panel.optimizer.setCurrentIndex(panel.optimizer.findData(name))
    cls = optimizers.optimizer_class(name)
    assert set(panel.visible_settings()) == set(cls.defaults)
    assert panel.formula.plain_text() == cls.formula
    for key in cls.defaults:
        assert cls.descriptions[key] in panel.settings[key].toolTip()


def test_momentum_and_betas_appear_per_optimizer(panels):
    panel = panels[OptimizerPanel]
    for name, shown in (("sgd", set()), ("momentum", {"momentum"}), ("nesterov", {"momentum"}),
                        ("adam", {"beta1", "beta2", "epsilon"}), ("rmsprop", {"rho", "epsilon"})):
        panel.optimizer.setCurrentIndex(panel.optimizer.findData(name))
        assert set(panel.visible_settings()) == shown


def test_learning_rate_slider_is_logarithmic():
    assert slider_to_learning_rate(0) == LR_MIN
    assert slider_to_learning_rate(LR_SLIDER_MAX) == LR_MAX
    rates = [slider_to_learning_rate(p) for p in range(LR_SLIDER_MAX + 1)]
    assert all(a < b for a, b in zip(rates, rates[1:]))
    for position, rate in enumerate(rates):
        # Equal slider steps are equal ratios, up to rounding to two significant digits.
        assert abs(math.log10(rate) - (-5 + position / 20)) < 0.03
        assert learning_rate_to_slider(rate) == position
    assert learning_rate_to_slider(0.1) == 80 and learning_rate_to_slider(1e-3) == 40


def test_learning_rate_slider_and_box_agree(qtbot, panels):
    panel = panels[OptimizerPanel]
    with qtbot.waitSignal(panel.changed, timeout=1000):
        panel.lr_slider.setValue(learning_rate_to_slider(0.1))
    assert panel.values()["learning_rate"] == 0.1
    with qtbot.waitSignal(panel.changed, timeout=1000):
        panel.lr_spin.setValue(0.03)  # between slider steps: kept exactly
    assert panel.values()["learning_rate"] == 0.03
    assert panel.lr_slider.value() == learning_rate_to_slider(0.03)


def test_scientific_spin_box_takes_typed_exponents(qtbot):
    box = ScientificSpinBox(1e-12, 1.0)
    qtbot.addWidget(box)
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "3e-9")
    qtbot.keyClick(box.lineEdit(), Qt.Key_Return)
    assert box.value() == pytest.approx(3e-9)
    assert box.text() == "3e-09"
    box.stepBy(1)
    assert box.value() == pytest.approx(3e-8)


def test_batch_size_and_settings_reach_the_config(panels):
    panel = panels[OptimizerPanel]
    panel.optimizer.setCurrentIndex(panel.optimizer.findData("momentum"))
    panel.batch_size.setValue(1)
    panel.settings["momentum"].setValue(0.5)
    config = merged_config(panels)
    assert (config.optimizer, config.batch_size, config.momentum) == ("momentum", 1, 0.5)


def type_into(qtbot, spin, text):
    """Select the spin box's text, type ``text`` and press Enter, as a learner would."""
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key_Return)


@pytest.mark.parametrize("which,text,expected", [
    ("layer", "50", 32), ("batch", "0", 1), ("points", "3", None), ("lr", "50", LR_MAX),
    ("lr", "-1", LR_MIN), ("lr", "1e-9", LR_MIN), ("lr", "0.5", 0.5),
])
def test_typed_values_beyond_the_range_become_the_nearest_bound(qtbot, panels, which, text,
                                                                 expected):
    spin = {"layer": lambda: panels[NetworkPanel]._spins[0],
            "batch": lambda: panels[OptimizerPanel].batch_size,
            "points": lambda: panels[DataPanel].n_samples,
            "lr": lambda: panels[OptimizerPanel].lr_spin}[which]()
    panels_shown = spin.window()
    panels_shown.show()
    qtbot.waitExposed(panels_shown)
    type_into(qtbot, spin, text)
    assert spin.value() == (spin.minimum() if expected is None else expected)
    assert spin.range_text().startswith("Allowed: ")
