"""Metrics against scikit-learn's definitions on random data, and as the trainer reports them."""
import numpy as np
import pytest

from core import metrics
from core.config import Config
from core.trainer import Trainer

sk = pytest.importorskip("sklearn.metrics")  # the independent reference (test extra only)


def _labels(rng, n, k, missing=None):
    labels = rng.integers(0, k, n)
    if missing is not None:  # a class absent from the data: its scores divide 0 by 0
        labels[labels == missing] = (missing + 1) % k
    return labels


@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("seed", range(4))
def test_classification_metrics_match_scikit_learn(k, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 300))
    true = _labels(rng, n, k, missing=seed % k if seed >= 2 else None)
    predicted = _labels(rng, n, k, missing=(seed + 1) % k if seed == 3 else None)
    classes = list(range(k))
    confusion = metrics.confusion_matrix(true, predicted, k)
    np.testing.assert_array_equal(confusion, sk.confusion_matrix(true, predicted, labels=classes))
    precision, recall, f1 = metrics.precision_recall_f1(confusion)
    want = sk.precision_recall_fscore_support(true, predicted, labels=classes, zero_division=0)
    for mine, theirs in zip((precision, recall, f1), want[:3]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12)
    report = metrics.ClassificationReport.from_labels(true, predicted, k)
    assert report.support == tuple(want[3])
    assert report.accuracy == pytest.approx(sk.accuracy_score(true, predicted), rel=1e-12)
    assert report.macro_f1 == pytest.approx(
        sk.f1_score(true, predicted, labels=classes, average="macro", zero_division=0), rel=1e-12)
    np.testing.assert_array_equal(report.matrix, confusion)


@pytest.mark.parametrize("shape", [(40,), (40, 1), (25, 3)])
@pytest.mark.parametrize("seed", range(3))
def test_regression_metrics_match_scikit_learn(shape, seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=shape)
    y_hat = y + rng.normal(scale=0.5, size=shape)
    assert metrics.r2_score(y, y_hat) == pytest.approx(sk.r2_score(y, y_hat), rel=1e-12)
    assert metrics.rmse(y, y_hat) == pytest.approx(sk.root_mean_squared_error(y, y_hat), rel=1e-12)
    assert metrics.mae(y, y_hat) == pytest.approx(sk.mean_absolute_error(y, y_hat), rel=1e-12)


def test_r2_of_constant_targets_is_finite_as_in_scikit_learn():
    y = np.full(10, 2.0)
    assert metrics.r2_score(y, y) == sk.r2_score(y, y) == 1.0
    assert metrics.r2_score(y, y + 0.1) == sk.r2_score(y, y + 0.1) == 0.0


def test_predicted_classes_use_the_threshold_or_the_largest_output():
    out = np.array([[0.2], [0.7], [0.5]])
    np.testing.assert_array_equal(metrics.predicted_classes(out, "binary"), [0, 1, 0])
    np.testing.assert_array_equal(metrics.predicted_classes(out - 0.5, "binary", 0.0), [0, 1, 0])
    three = np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])
    np.testing.assert_array_equal(metrics.predicted_classes(three, "multiclass"), [1, 0])


@pytest.mark.parametrize("config", [
    Config(dataset="circle", hidden_layers=(3,)),
    Config(dataset="spiral3", hidden_layers=(6,), optimizer="adam", learning_rate=0.01),
    Config(dataset="circle", hidden_layers=(3,), loss="hinge"),
])
def test_trainer_classification_metrics_are_scikit_learns(config):
    trainer = Trainer(config)
    trainer.step(300)
    m = trainer.metrics()
    for part, X, y in (("train", trainer.data.X_train, trainer.data.y_train),
                       ("test", trainer.data.X_test, trainer.data.y_test)):
        true, predicted = y[:, 0].astype(int), trainer.predict_classes(X)
        report = m[f"{part}_report"]
        k = trainer.data.n_classes
        np.testing.assert_array_equal(report.matrix, sk.confusion_matrix(true, predicted,
                                                                         labels=list(range(k))))
        np.testing.assert_allclose(report.f1, sk.f1_score(true, predicted, average=None,
                                                          labels=list(range(k)), zero_division=0))
        assert m[f"{part}_accuracy"] == sk.accuracy_score(true, predicted)
        assert m[f"{part}_macro_f1"] == pytest.approx(report.macro_f1, rel=1e-12)
        assert m[f"{part}_r2"] is m[f"{part}_rmse"] is m[f"{part}_mae"] is None


def test_trainer_regression_metrics_are_scikit_learns():
    trainer = Trainer(Config(dataset="sine", hidden_layers=(8,), optimizer="adam",
                             learning_rate=0.01))
    trainer.step(500)
    m = trainer.metrics()
    for part, X, y in (("train", trainer.data.X_train, trainer.data.y_train),
                       ("test", trainer.data.X_test, trainer.data.y_test)):
        y_hat = trainer.predict(X)
        assert m[f"{part}_r2"] == pytest.approx(sk.r2_score(y, y_hat), rel=1e-12)
        assert m[f"{part}_rmse"] == pytest.approx(sk.root_mean_squared_error(y, y_hat), rel=1e-12)
        assert m[f"{part}_mae"] == pytest.approx(sk.mean_absolute_error(y, y_hat), rel=1e-12)
        assert m[f"{part}_accuracy"] is m[f"{part}_macro_f1"] is m[f"{part}_report"] is None
    history = trainer.history_arrays()
    assert history["test_r2"][0] < history["test_r2"][-1] == pytest.approx(m["test_r2"])
    assert np.isnan(history["train_macro_f1"]).all()
