"""Frame pacing (:class:`gui.threads.pacing.FramePacer`) driven by a fake clock: no Qt event
loop, no display, no sleeping. ``run`` drives the pacer the way TrainingWorker does."""
import pytest

from gui.threads.pacing import (ACK_TIMEOUT, CHUNK_BUDGET, EMIT, FRAME, MAX_SPEED,
                                MAX_SUB_CHUNK, MIN_TRAIN_SHARE, SUB_CHUNK, WAIT, FramePacer)


class Clock:
    """A clock that moves only when told to."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


def run(pacer, clock, seconds, step_time=1e-4, capture=0.0, draw=0.0):
    """Train for ``seconds`` of fake time as the worker does: each step takes ``step_time``,
    capturing a snapshot ``capture``, and the UI shows a frame ``draw`` after it went out.
    Return (the times capturing started, the steps run, the training time of each chunk)."""
    def step(m):
        clock.advance(m * step_time)
        return m

    emits, chunks, steps = [], [], 0
    end = clock.now + seconds
    pacer.start()
    while clock.now < end:
        began = clock.now
        done = pacer.train(step, pacer.steps_wanted(), pacer.chunk_budget(), lambda: False)
        chunks.append(clock.now - began)
        steps += done
        action, delay = pacer.after_chunk(done, steps)
        if action == EMIT:
            pacer.capture_started()
            emits.append(pacer.last_emit)
            clock.advance(capture)
            pacer.capture_finished()
            pacer.frame_sent(delay)
            clock.advance(draw)
            clock.advance(pacer.frame_shown())
        elif action == WAIT:
            clock.advance(delay)
    return emits, steps, chunks


def gaps(times):
    return [b - a for a, b in zip(times, times[1:])]


def test_paced_frames_are_a_frame_apart():
    clock = Clock()
    pacer = FramePacer(clock, steps_per_frame=10)
    emits, steps, _ = run(pacer, clock, 1.0)
    assert gaps(emits) == pytest.approx([FRAME] * (len(emits) - 1))
    assert steps == 10 * len(emits)


def test_flat_out_frames_come_at_the_frame_rate():
    clock = Clock()
    pacer = FramePacer(clock, steps_per_frame=MAX_SPEED)
    emits, _, chunks = run(pacer, clock, 2.0)
    spacing = gaps(emits)
    # Late frames make the next ones early: the rate holds on average, each gap near a frame.
    assert sum(spacing) / len(spacing) == pytest.approx(FRAME, rel=0.05)
    assert min(spacing) > 0.5 * FRAME and max(spacing) < 1.5 * FRAME
    # A chunk overruns its budget by at most one sub-chunk.
    assert max(chunks) <= CHUNK_BUDGET + 2 * SUB_CHUNK


def test_a_frame_longer_than_a_frame_shows_frames_while_it_trains_not_two_at_once():
    # 100 steps of 1 ms a frame: frames go out mid-frame on the schedule (as flat out), and
    # the end of the frame's steps, soon after one went out, adds no frame of its own.
    clock = Clock()
    pacer = FramePacer(clock, steps_per_frame=100)
    emits, steps, _ = run(pacer, clock, 2.0, step_time=1e-3)
    spacing = gaps(emits)
    assert min(spacing) > 0.5 * FRAME
    assert sum(spacing) / len(spacing) == pytest.approx(FRAME, rel=0.1)


def test_slow_capture_widens_the_interval():
    clock = Clock()
    pacer = FramePacer(clock, steps_per_frame=10)
    emits, _, _ = run(pacer, clock, 3.0, capture=0.05)
    # A quarter of the time capturing at most: frames 4 x 50 ms apart, not FRAME.
    assert pacer.min_interval == pytest.approx(0.2)
    assert min(gaps(emits)[1:]) >= 0.2 - 0.005 - 1e-9

    clock = Clock()
    pacer = FramePacer(clock, steps_per_frame=MAX_SPEED)
    emits, _, _ = run(pacer, clock, 3.0, capture=0.05)
    assert sum(gaps(emits)[1:]) / len(emits[2:]) == pytest.approx(0.2, rel=0.1)


def test_a_slow_ui_still_leaves_training_a_share_of_each_frame():
    clock = Clock()
    pacer = FramePacer(clock, steps_per_frame=MAX_SPEED)
    _, _, chunks = run(pacer, clock, 2.0, draw=0.1)
    assert min(chunks) >= MIN_TRAIN_SHARE * FRAME


def test_steps_per_second_is_measured_over_the_last_second():
    clock = Clock()
    pacer = FramePacer(clock, steps_per_frame=MAX_SPEED)
    assert pacer.steps_per_second() == 0.0
    run(pacer, clock, 2.0, step_time=1e-4)
    assert pacer.steps_per_second() == pytest.approx(10_000, rel=0.01)

    pacer = FramePacer(clock, steps_per_frame=10)
    run(pacer, clock, 2.0, step_time=1e-4)
    assert pacer.steps_per_second() == pytest.approx(10 / FRAME, rel=0.01)

    pacer.stop()
    assert pacer.steps_per_second() == 0.0


@pytest.mark.parametrize("step_time, expected", [
    (1e-5, round(SUB_CHUNK / 1e-5)), (1e-3, round(SUB_CHUNK / 1e-3)), (0.01, 1),
    (1e-8, MAX_SUB_CHUNK)])
def test_sub_chunks_take_about_sub_chunk_seconds(step_time, expected):
    clock = Clock()
    pacer = FramePacer(clock)
    calls = []

    def step(m):
        calls.append(m)
        clock.advance(m * step_time)
        return m

    pacer.train(step, 10**9, 0.05, lambda: False)
    assert calls[0] == 1 and pacer.sub_chunk == expected


def test_train_stops_at_n_steps_and_when_told():
    clock = Clock()
    pacer = FramePacer(clock)

    def step(m):
        clock.advance(m * 1e-5)
        return m

    assert pacer.train(step, 37, CHUNK_BUDGET, lambda: False) == 37
    asked = []
    assert pacer.train(step, 10**9, CHUNK_BUDGET, lambda: len(asked) > 2 or asked.append(1)) > 0
    assert len(asked) == 3
    assert pacer.train(step, 10**9, CHUNK_BUDGET, lambda: True) == 0


def test_waiting_for_the_ui_gives_up_after_the_ack_timeout():
    clock = Clock()
    pacer = FramePacer(clock)
    assert pacer.ack_wait() == 0.0 and pacer.frame_shown() is None
    pacer.capture_started()
    pacer.capture_finished()
    pacer.frame_sent(0.02)
    clock.advance(0.1)
    assert pacer.ack_wait() == pytest.approx(ACK_TIMEOUT - 0.1)
    clock.advance(ACK_TIMEOUT)
    assert pacer.ack_wait() == 0.0
    assert pacer.frame_shown() is None  # a late answer: training already went on

    pacer.frame_sent(0.02)
    clock.advance(0.005)
    assert pacer.frame_shown() == pytest.approx(0.015)
    assert pacer.frame_shown() is None
