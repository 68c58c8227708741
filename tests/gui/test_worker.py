"""The training worker: trains off the UI thread, throttles and copies its snapshots, obeys
pause/step/reset/config requests between chunks, pauses on divergence, counts past 2**31, and
shuts down cleanly and quickly."""
import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from core.config import Config
from gui.snapshot import GRID_SIZE_1D, GRID_SIZE_2D
from gui.threads import MAX_SNAPSHOT_RATE, MAX_SPEED, SHUTDOWN_WAIT_MS, TrainingController

TIMEOUT = 20_000  # ms; generous for a loaded 2-core machine
XOR = Config(dataset="xor", hidden_layers=(4,), n_samples=200)


@pytest.fixture
def make_controller(qtbot):
    made = []

    def make(config=XOR, speed=None):
        controller = TrainingController(config)
        made.append(controller)
        qtbot.waitUntil(lambda: controller.latest is not None, timeout=TIMEOUT)
        if speed is not None:
            controller.set_steps_per_frame(speed)
        return controller

    yield make
    for controller in made:
        assert controller.shutdown()
        assert not controller.is_alive()


def test_first_snapshot_is_the_untrained_network(make_controller):
    snap = make_controller().latest
    assert snap.step == 0 and not snap.running
    assert snap.grid.values.shape == (GRID_SIZE_2D, GRID_SIZE_2D, 1)
    assert snap.grid.xs[0] == snap.data.domain[0][0] and snap.grid.ys[-1] == snap.data.domain[1][1]
    assert set(snap.history) >= {"epoch", "train_cost", "test_cost", "reg_term"}
    assert snap.layer_sizes == (2, 4, 1) and snap.threshold == 0.5


def test_snapshots_are_read_only_copies(make_controller, qtbot):
    controller = make_controller(speed=MAX_SPEED)
    first = controller.latest
    controller.play()
    qtbot.waitUntil(lambda: controller.latest.step > 50, timeout=TIMEOUT)
    controller.pause()
    qtbot.waitUntil(lambda: not controller.latest.running, timeout=TIMEOUT)
    later = controller.latest
    # The old snapshot did not change under us while the trainer moved on.
    assert first.step == 0 and not np.array_equal(first.params, later.params)
    for array in (later.params, later.path, later.grid.values, *later.history.values()):
        assert not array.flags.writeable
    np.testing.assert_array_equal(later.path[-1], later.params)


def test_training_runs_off_the_ui_thread_and_snapshots_are_throttled(make_controller, qtbot):
    controller = make_controller(speed=MAX_SPEED)
    emitted, threads = [], set()

    def count(snap):  # a plain callable: runs in the emitting (worker) thread
        emitted.append(time.perf_counter())
        threads.add(threading.get_ident())

    controller._worker.snapshot.connect(count)
    controller.play()
    qtbot.waitUntil(lambda: len(emitted) >= 25, timeout=TIMEOUT)
    controller.pause()
    assert threading.get_ident() not in threads
    span = emitted[-1] - emitted[1]
    rate = (len(emitted) - 2) / span
    assert rate <= MAX_SNAPSHOT_RATE * 1.2, rate
    assert controller.latest.step > 100


def test_cost_drops_while_playing(make_controller, qtbot):
    controller = make_controller(speed=MAX_SPEED)
    start = controller.latest.metrics["train_cost"]
    controller.play()
    qtbot.waitUntil(lambda: controller.latest.metrics["train_cost"] < 0.8 * start, timeout=TIMEOUT)
    assert controller.running


def test_pause_stops_and_step_advances_exactly(make_controller, qtbot):
    controller = make_controller(speed=MAX_SPEED)
    controller.play()
    qtbot.waitUntil(lambda: controller.latest.step > 20, timeout=TIMEOUT)
    with qtbot.waitSignal(controller.running_changed, timeout=TIMEOUT) as blocker:
        controller.pause()
    assert blocker.args == [False]
    qtbot.waitUntil(lambda: not controller.latest.running, timeout=TIMEOUT)
    paused_at = controller.latest.step
    qtbot.wait(150)
    assert controller.latest.step == paused_at
    controller.step(1)
    qtbot.waitUntil(lambda: controller.latest.step == paused_at + 1, timeout=TIMEOUT)
    controller.step(37)
    qtbot.waitUntil(lambda: controller.latest.step == paused_at + 38, timeout=TIMEOUT)
    assert not controller.running


def test_steps_per_frame_paces_training(make_controller, qtbot):
    controller = make_controller(speed=2)
    start = time.perf_counter()
    controller.play()
    qtbot.wait(600)
    controller.pause()
    qtbot.waitUntil(lambda: not controller.latest.running, timeout=TIMEOUT)
    elapsed = time.perf_counter() - start
    # 2 steps a frame at about 30 frames a second: ~40 steps in 0.6 s, never thousands.
    assert 2 <= controller.latest.step <= 2 * MAX_SNAPSHOT_RATE * elapsed + 10


def test_reset_reinitializes_the_weights(make_controller, qtbot):
    controller = make_controller()
    initial = controller.latest.params
    controller.step(30)
    qtbot.waitUntil(lambda: controller.latest.step == 30, timeout=TIMEOUT)
    run = controller.latest.run
    controller.reset()
    qtbot.waitUntil(lambda: controller.latest.run == run + 1, timeout=TIMEOUT)
    assert controller.latest.step == 0
    np.testing.assert_array_equal(controller.latest.params, initial)
    assert len(controller.latest.history["epoch"]) == 1


def test_live_setting_keeps_weights_architecture_resets(make_controller, qtbot):
    controller = make_controller()
    controller.step(20)
    qtbot.waitUntil(lambda: controller.latest.step == 20, timeout=TIMEOUT)
    with qtbot.waitSignal(controller.config_applied, timeout=TIMEOUT) as blocker:
        controller.apply_config(XOR.replace(learning_rate=0.3))
    assert blocker.args[1] is False
    qtbot.waitUntil(lambda: controller.latest.config.learning_rate == 0.3, timeout=TIMEOUT)
    assert controller.latest.step == 20

    with qtbot.waitSignal(controller.config_applied, timeout=TIMEOUT) as blocker:
        controller.apply_config(XOR.replace(learning_rate=0.3, hidden_layers=(3, 3)))
    assert blocker.args[1] is True
    qtbot.waitUntil(lambda: controller.latest.layer_sizes == (2, 3, 3, 1), timeout=TIMEOUT)
    assert controller.latest.step == 0


def test_divergence_pauses_with_the_core_message_and_finite_views(make_controller, qtbot):
    controller = make_controller(Config(dataset="plane", hidden_layers=(4,), learning_rate=3.0),
                                 speed=MAX_SPEED)
    with qtbot.waitSignal(controller.diverged, timeout=TIMEOUT) as blocker:
        controller.play()
    assert "diverged" in blocker.args[0].lower() and "learning rate" in blocker.args[0]
    qtbot.waitUntil(lambda: not controller.running, timeout=TIMEOUT)
    snap = controller.latest
    assert not snap.running
    assert np.isfinite(snap.params).all() and np.isfinite(snap.grid.values).all()
    for key in ("train_cost", "test_cost", "epoch"):
        assert np.isfinite(snap.history[key]).all()


def test_a_failing_config_reports_an_error_and_keeps_the_run(make_controller, qtbot, tmp_path):
    controller = make_controller()
    bad = Config(dataset="csv", data_path=str(tmp_path / "missing.csv"), task="binary")
    with qtbot.waitSignal(controller.error, timeout=TIMEOUT) as blocker:
        controller.apply_config(bad)
    assert "missing.csv" in blocker.args[0]
    controller.step(5)
    qtbot.waitUntil(lambda: controller.latest.step == 5, timeout=TIMEOUT)
    assert controller.latest.config.dataset == "xor"


def test_one_input_data_get_a_curve_grid(make_controller):
    snap = make_controller(Config(dataset="sine", hidden_layers=(4,))).latest
    assert snap.grid.ys is None and snap.grid.values.shape == (GRID_SIZE_1D, 1)


def test_shutdown_while_training_ends_the_thread(qtbot, qtlog):
    controller = TrainingController(XOR)
    controller.set_steps_per_frame(MAX_SPEED)
    controller.play()
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step > 10,
                    timeout=TIMEOUT)
    assert controller.shutdown(timeout_ms=TIMEOUT)
    assert not controller.is_alive()
    assert controller.shutdown()  # twice is harmless
    assert not [r for r in qtlog.records if "QThread" in r.message or "Timer" in r.message]


def test_boundary_grid_goes_through_the_input_features(make_controller):
    # A network with no hidden layer on x1², x2² draws a circle: the grid must be computed
    # from the raw coordinates through the features, as the trainer predicts.
    snap = make_controller(Config(dataset="circle", hidden_layers=(),
                                  features=("x1^2", "x2^2"))).latest
    assert snap.layer_sizes == (2, 1)
    assert snap.grid.values.shape == (GRID_SIZE_2D, GRID_SIZE_2D, 1)
    # Symmetric in x1 -> -x1, as only squares enter.
    np.testing.assert_allclose(snap.grid.values, snap.grid.values[:, ::-1], atol=1e-12)


def in_worker_thread(qtbot, controller, fn):
    """Run ``fn()`` in the worker's thread, between two of its chunks, and wait for it."""
    done = threading.Event()
    QTimer.singleShot(0, controller._worker, lambda: (fn(), done.set()))
    qtbot.waitUntil(done.is_set, timeout=TIMEOUT)


def test_step_counts_past_two_to_the_31_cross_threads(make_controller, qtbot, tmp_path):
    # Counts cross threads as Python ints: a C int signal argument overflows at 2**31.
    controller = make_controller()
    errors = []
    controller.error.connect(errors.append)
    controller.file_error.connect(lambda *args: errors.append(args))
    big = 2**31 + 5

    def jump():
        controller._worker._trainer.step_count = big

    in_worker_thread(qtbot, controller, jump)
    controller.step(1)
    qtbot.waitUntil(lambda: controller.latest.step == big + 1, timeout=TIMEOUT)
    path = str(tmp_path / "big.costscape")
    with qtbot.waitSignal(controller.experiment_saved, timeout=TIMEOUT) as saved:
        controller.save_experiment(path)
    assert saved.args[3] == big + 1
    with qtbot.waitSignal(controller.experiment_opened, timeout=TIMEOUT) as opened:
        controller.open_experiment(path)
    assert opened.args[3] == big + 1
    qtbot.waitUntil(lambda: controller.latest.run == opened.args[2], timeout=TIMEOUT)
    assert controller.latest.step == big + 1
    controller.step(2**31)  # a request for more steps than a C int holds
    pending = []
    in_worker_thread(qtbot, controller, lambda: pending.append(controller._worker._pending_steps))
    assert 2**30 < pending[0] <= 2**31
    assert errors == []


def test_shutdown_is_quick_even_with_requests_queued(qtbot):
    controller = TrainingController(XOR)
    qtbot.waitUntil(lambda: controller.latest is not None, timeout=TIMEOUT)
    controller.set_steps_per_frame(MAX_SPEED)
    controller.play()
    # A backlog the worker has not reached yet: each would rebuild the run and draw a frame.
    for i in range(200):
        controller.apply_config(XOR.replace(hidden_layers=(4 + i % 7, 3), seed=i))
        controller.step(1000)
    begin = time.perf_counter()
    assert controller.shutdown()  # within the default wait
    assert time.perf_counter() - begin < SHUTDOWN_WAIT_MS / 1000
    assert not controller.is_alive()


def test_a_stopping_rule_pauses_with_its_message_and_play_goes_on(make_controller, qtbot):
    controller = make_controller(XOR.replace(max_steps=40), speed=MAX_SPEED)
    with qtbot.waitSignal(controller.stopped, timeout=TIMEOUT) as stopped:
        controller.play()
    assert "40" in stopped.args[0]
    qtbot.waitUntil(lambda: not controller.running and controller.latest.step == 40,
                    timeout=TIMEOUT)
    # The limit is still reached: Play stops again at once, without a step past it.
    with qtbot.waitSignal(controller.stopped, timeout=TIMEOUT):
        controller.play()
    qtbot.waitUntil(lambda: not controller.running, timeout=TIMEOUT)
    assert controller.latest.step == 40
    controller.apply_config(controller.config.replace(max_steps=60))
    with qtbot.waitSignal(controller.stopped, timeout=TIMEOUT):
        controller.play()
    qtbot.waitUntil(lambda: controller.latest.step == 60 and not controller.running,
                    timeout=TIMEOUT)


def test_a_traced_step_is_traced_and_applied_in_the_worker_thread(make_controller, qtbot):
    controller = make_controller(speed=MAX_SPEED)
    traced = []
    controller.step_traced.connect(traced.append)
    controller.play()  # applying pauses first
    qtbot.waitUntil(lambda: controller.latest.step > 5, timeout=TIMEOUT)
    controller.pause()
    qtbot.waitUntil(lambda: not controller.latest.running, timeout=TIMEOUT)
    controller.trace_step()
    qtbot.waitUntil(lambda: len(traced) > 0, timeout=TIMEOUT)
    first = traced[-1]
    step = controller.latest.step
    assert first.step.step == step + 1 and first.note == "" and first.reference is None
    assert first.predictions_after.shape == first.step.trace.predictions.shape
    np.testing.assert_array_equal(first.step.params_before, controller.latest.params)
    controller.apply_traced_step(first)
    qtbot.waitUntil(lambda: controller.latest.step == step + 1, timeout=TIMEOUT)
    np.testing.assert_array_equal(controller.latest.params, first.step.params_after)
    controller.apply_traced_step(first)  # stale now: traced again, nothing applied
    qtbot.waitUntil(lambda: len(traced) == 2, timeout=TIMEOUT)
    assert "moved on" in traced[-1].note and traced[-1].step.step == step + 2
    assert controller.latest.step == step + 1


def test_a_traced_step_with_the_classic_mistake_carries_the_right_delta(make_controller, qtbot):
    controller = make_controller(XOR.replace(classic_mistake=True, loss="mse"))
    traced = []
    controller.step_traced.connect(traced.append)
    controller.trace_step()
    qtbot.waitUntil(lambda: len(traced) > 0, timeout=TIMEOUT)
    t = traced[0]
    assert t.step.trace.mistaken and t.reference is not None and not t.reference.mistaken
    assert t.reference.cost == t.step.trace.cost
    assert not np.allclose(t.reference.gradient, t.step.trace.gradient)
