"""Recording the history a batch of steps at a time (core.recording) changes nothing a caller
can see: every column of every row is the plain per-step formula's, the rows are there whenever
anyone looks, and stopping rules and divergence act at exactly the step they did when each step
was scored on its own."""
import numpy as np
import pytest

from core import metrics, recording
from core.config import Config
from core.experiment import history_to_csv
from core.forward import FixedInputForward
from core.history import HISTORY_FIELDS, DecimatedLog
from core.trainer import DivergenceError, Trainer

#: The benchmark's run (bench/train_speed.py): binary, tanh, mini-batches of 10.
BENCH = Config(dataset="xor", n_samples=500, hidden_layers=(8, 8), activation="tanh",
               output_activation="sigmoid", loss="bce", optimizer="sgd", learning_rate=0.03,
               batch_size=10, seed=0)
SOFTMAX_FULL_BATCH = Config(dataset="spiral3", n_samples=150, hidden_layers=(6,),
                            activation="relu", loss="cce", regularization="l2", reg_rate=0.01,
                            lr_schedule="cosine", decay_steps=200, batch_size=1000)
REGRESSION_L1 = Config(dataset="sine", hidden_layers=(5,), loss="mse", regularization="l1",
                       reg_rate=0.001, batch_size=16)
SPARSE_STEP_DECAY = Config(dataset="spiral3", n_samples=150, hidden_layers=(5, 4),
                           loss="sparse_cce", optimizer="adam", learning_rate=0.01,
                           lr_schedule="step", decay_steps=50, decay_rate=0.5)
# 60 noisy training points and a big network: the test cost falls, then rises as it overfits;
# early stopping ends it after a few hundred steps.
EARLY_STOPPING = Config(dataset="moons", n_samples=120, noise=0.45, hidden_layers=(16,),
                        learning_rate=0.3, batch_size=10, patience=5)
# The same with the best weights restored (the last row is of the weights before that).
RESTORES = EARLY_STOPPING.replace(restore_best_weights=True)
TARGET = Config(dataset="circle", hidden_layers=(4,), loss="bce", target_cost=0.3)
DIVERGES = Config(dataset="sine", hidden_layers=(8,), loss="mse", learning_rate=5.0)


def unbatched(monkeypatch):
    """Trainers made from now on score every step on its own, as before batching."""
    monkeypatch.setattr(recording, "BATCH", 1)


def plain_row(trainer, grad) -> dict:
    """The history row of ``trainer``'s current step from the plain formulas: Network.predict,
    the loss's cost and the metric functions of core.metrics, and the norms of ``grad`` (the
    gradient of the update that led here)."""
    net, loss, data, layout = trainer.network, trainer.arrays.loss, trainer.data, \
        trainer.arrays.layout
    row = {"step": trainer.step_count, "epoch": trainer.step_count / trainer.steps_per_epoch,
           "learning_rate": trainer.learning_rate,
           "reg_term": net.regularization(trainer.l1, trainer.l2)}
    for part, X, T, y in (("train", trainer.inputs_train, trainer.targets_train, data.y_train),
                          ("test", trainer.inputs_test, trainer.targets_test, data.y_test)):
        out = net.predict(X)
        row[f"{part}_loss"] = loss.cost(T, out)
        row[f"{part}_cost"] = row[f"{part}_loss"] + row["reg_term"]
        if data.task == "regression":
            row[f"{part}_r2"] = metrics.r2_score(y, out)
            row[f"{part}_rmse"] = metrics.rmse(y, out)
            row[f"{part}_mae"] = metrics.mae(y, out)
        else:
            labels = y[:, 0].astype(int)
            predicted = metrics.predicted_classes(out, data.task, trainer.arrays.threshold)
            row[f"{part}_accuracy"] = float(np.mean(predicted == labels))
            confusion = metrics.confusion_matrix(labels, predicted, data.n_classes)
            row[f"{part}_macro_f1"] = float(np.mean(metrics.precision_recall_f1(confusion)[2]))
    row["norms"] = np.array([np.linalg.norm(np.concatenate(
        [grad[b.start:b.stop] for b in layout.blocks if b.layer == layer]))
        for layer in range(layout.n_layers)])
    return row


def plain_run(config, steps, capacity):
    """Train ``steps`` steps one at a time, the plain row of every step (None where training
    stopped or diverged), and the trainer."""
    trainer = Trainer(config, history_capacity=capacity)
    rows = {0: plain_row(trainer, np.full(trainer.network.n_params, np.nan))}
    for _ in range(steps):
        idx = trainer.next_batch()
        before = trainer.arrays.network_with(trainer.network.params)
        try:
            if trainer.step(1) == 0:
                break
        except DivergenceError:
            break
        grad = before.gradient(trainer.inputs_train[idx], trainer.targets_train[idx],
                               trainer.loss, trainer.l1, trainer.l2)
        rows[trainer.step_count] = plain_row(trainer, grad)
    return rows


def assert_rows_are_plain(trainer, plain):
    history, (steps, norms) = trainer.history_arrays(), trainer.gradient_norm_arrays()
    np.testing.assert_array_equal(steps, history["step"])
    for i, step in enumerate(history["step"].astype(int)):
        row = plain[step]
        for key in HISTORY_FIELDS:
            got, want = history[key][i], row.get(key, np.nan)
            if np.isnan(want):  # a value the task does not have
                assert np.isnan(got), (key, step)
            elif key in ("step", "epoch", "learning_rate", "reg_term") or key.endswith(
                    ("accuracy", "macro_f1")):
                assert got == want, (key, step)
            else:  # costs, R², RMSE, MAE: the plain formula's to a few units in the last place
                assert abs(got - want) <= 1e-13 * max(abs(want), 1.0), (key, step, got, want)
        if step:
            np.testing.assert_allclose(norms[i], row["norms"], rtol=1e-13, atol=0)
        else:
            assert np.isnan(norms[i]).all()


def run_in_chunks(config, chunks, capacity):
    trainer, error = Trainer(config, history_capacity=capacity), None
    try:
        for n in chunks:
            trainer.step(n)
    except DivergenceError as err:
        error = str(err)
    return trainer, error


def assert_same_run(a, b):
    """Two trainers in exactly the same state: weights, optimizer, counters, logs, stop."""
    np.testing.assert_array_equal(a.network.params, b.network.params)
    for key, value in a.optimizer.state_dict().items():
        np.testing.assert_array_equal(value, b.optimizer.state_dict()[key])
    assert (a.step_count, a.epoch, a.stopped) == (b.step_count, b.epoch, b.stopped)
    for log in ("history", "gradient_norms", "path"):
        assert getattr(a, log).stride == getattr(b, log).stride
        np.testing.assert_array_equal(getattr(a, log).rows(), getattr(b, log).rows())
    assert a.stop_rules.state_dict()["best_step"] == b.stop_rules.state_dict()["best_step"]


CASES = [  # config, steps, history capacity, chunks the batched run takes them in
    pytest.param(BENCH, 2300, 2000, [2300], id="binary-minibatch-then-thinned"),
    pytest.param(SOFTMAX_FULL_BATCH, 300, 64, [1, 150, 149], id="softmax-full-batch-l2-cosine"),
    pytest.param(REGRESSION_L1, 400, 128, [400], id="regression-l1"),
    pytest.param(SPARSE_STEP_DECAY, 250, 2000, [7, 243], id="sparse-adam-step-decay"),
    pytest.param(EARLY_STOPPING, 3000, 2000, [3000], id="early-stopping-fires"),
    pytest.param(EARLY_STOPPING, 3000, 64, [100, 2900], id="early-stopping-on-thinned-rows"),
    pytest.param(TARGET, 3000, 256, [3000], id="target-cost-fires"),
    pytest.param(DIVERGES, 100, 2000, [100], id="diverges"),
]


@pytest.mark.parametrize("config, steps, capacity, chunks", CASES)
def test_every_row_is_the_plain_per_step_formulas(config, steps, capacity, chunks):
    plain = plain_run(config, steps, capacity)
    trainer, _ = run_in_chunks(config, chunks, capacity)
    assert trainer.step_count == max(plain)  # stopped or diverged at the same step
    assert_rows_are_plain(trainer, plain)


@pytest.mark.parametrize("config, steps, capacity, chunks", CASES + [
    pytest.param(RESTORES, 3000, 2000, [3000], id="early-stopping-restores-the-best")])
def test_batched_recording_ends_in_the_state_of_scoring_each_step_alone(
        config, steps, capacity, chunks, monkeypatch):
    batched, batched_error = run_in_chunks(config, chunks, capacity)
    assert batched._recorder.size > 1
    unbatched(monkeypatch)
    alone, alone_error = run_in_chunks(config, [1] * steps, capacity)
    assert alone._recorder.size == 1
    assert batched_error == alone_error
    assert_same_run(batched, alone)
    assert batched.metrics() == alone.metrics()


def test_the_rules_fire_mid_run_in_the_cases_above():
    # What the cases above rely on: each rule fires well inside the run, not at its edges.
    early, _ = run_in_chunks(RESTORES, [3000], 2000)
    assert early.stopped.rule == "early_stopping" and 100 < early.step_count < 3000
    assert early.stopped.restored_step < early.step_count
    assert early.step_count % recording.BATCH  # inside a batch, not at its end
    target, _ = run_in_chunks(TARGET, [3000], 256)
    assert target.stopped.rule == "target_cost" and 100 < target.step_count < 3000
    assert target.history.stride > 1  # checked on thinned rows too
    diverged, error = run_in_chunks(DIVERGES, [100], 2000)
    assert error is not None and 1 < diverged.step_count < 100


def test_rows_are_complete_whenever_a_caller_looks(tmp_path):
    trainer = Trainer(BENCH)
    assert trainer.step(37) == 37
    assert len(trainer.history) == len(trainer.gradient_norms) == 38  # steps 0..37
    assert len(trainer.state_dict()["history"]["rows"]) == 38
    history_to_csv(trainer, tmp_path / "h.csv")
    assert len((tmp_path / "h.csv").read_text().splitlines()) == 39  # a header and 38 rows
    assert trainer.history_arrays()["train_cost"][-1] == trainer.metrics()["train_cost"]


def test_the_rows_before_a_divergence_are_recorded():
    trainer = Trainer(DIVERGES)
    with pytest.raises(DivergenceError):
        trainer.step(100)
    steps = trainer.history_arrays()["step"]
    np.testing.assert_array_equal(steps, np.arange(trainer.step_count + 1))


def test_a_run_whose_loss_has_no_minimum_stops_where_it_ran_away(monkeypatch):
    config = Config(dataset="sine", hidden_layers=(3,), loss="me", output_activation="linear",
                    learning_rate=0.5)
    batched, error = run_in_chunks(config, [20_000], 2000)
    assert error is not None and "fallen" in error
    unbatched(monkeypatch)
    alone, alone_error = run_in_chunks(config, [20_000], 2000)
    assert error == alone_error
    assert_same_run(batched, alone)


def test_a_big_network_scores_fewer_steps_at_once():
    small = Trainer(BENCH)
    big = Trainer(BENCH.replace(hidden_layers=(256, 256)))
    assert small._recorder.size == recording.BATCH
    assert 1 <= big._recorder.size < recording.BATCH


def test_extend_is_appending_row_by_row():
    rows = np.arange(50.0).reshape(25, 2)
    one_by_one, extended = DecimatedLog(2, 8), DecimatedLog(2, 8)
    for row in rows:
        one_by_one.append(row)
    extended.extend(rows[:3])
    extended.extend(rows[3:20])
    extended.extend(rows[20:])
    assert extended.stride == one_by_one.stride
    np.testing.assert_array_equal(extended.rows(), one_by_one.rows())


def fresh_scores(trainer) -> dict:
    """``Trainer.metrics()``'s scores from a forward pass of their own."""
    return trainer._scorer.score(trainer.network, trainer.l1, trainer.l2, reports=True)


def count_passes(monkeypatch) -> list:
    """A list that gets an entry at every scoring forward pass from now on."""
    passes, real = [], FixedInputForward.outputs_stack

    def counted(self, network, params):
        passes.append(len(params))
        return real(self, network, params)

    monkeypatch.setattr(FixedInputForward, "outputs_stack", counted)
    return passes


@pytest.mark.parametrize("config", [BENCH, SOFTMAX_FULL_BATCH, REGRESSION_L1,
                                    SPARSE_STEP_DECAY], ids=["binary", "softmax-l2",
                                                             "regression-l1", "sparse"])
def test_the_scores_of_the_newest_row_are_not_computed_again(config, monkeypatch):
    # A capacity of 64 thins the history out (every 2nd, 4th... step takes a row), so some
    # steps end on a row and some between two.
    trainer = Trainer(config, history_capacity=64)
    passes = count_passes(monkeypatch)
    reused = 0
    for n in (1, 2, 3, 5, 8, 13, 21, 34, 55):
        trainer.step(n)
        on_a_row = trainer.history.rows()[-1, 0] == trainer.step_count
        del passes[:]
        got = trainer.metrics()
        assert passes == ([] if on_a_row else [1])
        reused += on_a_row
        assert got == {**fresh_scores(trainer), "step": trainer.step_count,
                       "epoch": trainer.epochs_completed,
                       "learning_rate": trainer.learning_rate}  # the very floats and reports
    assert 0 < reused < 9  # both cases ran


def test_weights_moved_without_a_step_are_scored_afresh(monkeypatch):
    trainer = Trainer(SPARSE_STEP_DECAY)
    trainer.step(10)
    passes = count_passes(monkeypatch)
    trainer.metrics()
    assert passes == []
    trainer.network.params[3] += 0.25  # what the app's "move the weights here" does
    moved = trainer.metrics()
    assert passes == [1] and moved == fresh_scores(trainer) | {
        key: moved[key] for key in ("step", "epoch", "learning_rate")}
    trainer.network.params[3] -= 0.25
    trainer.apply_config(trainer.config.replace(regularization="l2", reg_rate=0.1))
    del passes[:]
    assert trainer.metrics()["reg_term"] > 0 and passes == [1]  # other rates: scored again
