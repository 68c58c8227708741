"""The config model: panels propose fields, it makes the new Config once and announces it."""
from core.config import Config
from gui.config_model import ConfigModel, describe_change, summary_text
from gui.names import dataset_words


def test_propose_announces_the_new_config_once(qtbot):
    model = ConfigModel(Config(dataset="circle"))
    seen = []
    model.changed.connect(lambda new, old, train: seen.append((new, old, train)))
    new = model.propose({"loss": "mse", "learning_rate": model.config.learning_rate})
    assert new is model.config and new.loss == "mse"
    assert seen == [(new, Config(dataset="circle"), True)]
    assert model.propose({"loss": "mse"}) is None  # nothing differs: nothing announced
    assert len(seen) == 1


def test_a_refused_change_changes_nothing(qtbot):
    model = ConfigModel(Config(dataset="circle"))
    refused = []
    model.refused.connect(refused.append)
    assert model.propose({"learning_rate": -1.0}) is None
    assert model.config == Config(dataset="circle") and refused and "learning_rate" in refused[0]


def test_adopt_announces_without_asking_to_train(qtbot):
    model = ConfigModel()
    seen = []
    model.changed.connect(lambda new, old, train: seen.append(train))
    model.adopt(Config(dataset="xor"))
    model.set(Config(dataset="moons"))
    assert seen == [False, True]


def test_change_words():
    old = Config(dataset="circle")
    text, reset = describe_change(old, old.replace(learning_rate=0.1))
    assert not reset and text.startswith("Learning rate 0.03 → 0.1: applied live")
    text, reset = describe_change(old, old.replace(loss="mse"))
    assert reset and "loss Binary cross-entropy → Mean squared error" in text  # display names
    assert describe_change(old, old.replace(optimizer="adam"))[0].startswith(
        "Optimizer SGD → Adam: applied live")
    text, reset = describe_change(old, old.replace(classic_mistake=True))
    assert reset and "the classic mistake" in text and "off → on" in text
    assert reset and describe_change(old, old.replace(dataset="xor"))[0].startswith(
        "New data (XOR quadrants)")
    for dataset, words in (("xor_table", "XOR truth table"), ("spiral3", "Three-arm spiral"),
                           ("gauss_regression", "Gaussian regression")):
        assert describe_change(old, old.replace(dataset=dataset))[0].startswith(
            f"New data ({words})")
    assert dataset_words("csv", "/some/where/mine.csv") == "the file mine.csv"
    assert dataset_words("custom") == "points drawn by hand"
    assert summary_text(old, (2, 4, 2, 1)).startswith("2 → 4 → 2 → 1  ·  Tanh → Sigmoid")


def test_the_summary_has_shorter_forms_for_a_narrow_toolbar():
    from gui.config_model import summary_forms

    config = Config().replace(classic_mistake=True, regularization="l2", reg_rate=0.001)
    full, medium, short = summary_forms(config, (2, 4, 1))
    assert full == summary_text(config, (2, 4, 1)) and "Binary cross-entropy" in full
    assert len(full) > len(medium) > len(short)
    assert "BCE ⚠ classic mistake + L2 λ = 0.001" in medium and "Tanh → Sigmoid" in medium
    assert short == "2 → 4 → 1 · BCE ⚠ · SGD η = 0.03"
