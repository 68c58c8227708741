"""When the training worker trains and when it shows a frame: pure decisions, no Qt.

:class:`FramePacer` holds the timing state of :class:`~gui.threads.worker.TrainingWorker` and
answers its questions: how long the next chunk of training may run, how big a sub-chunk is,
whether a frame is due after a chunk, how long to wait for the UI to show a frame, and how
many steps a second the run makes. It reads the time only through ``clock`` (a callable
returning seconds, ``time.perf_counter`` by default), so tests drive it with a fake clock.

Why the worker waits for the UI at all is explained in :mod:`gui.threads.worker`.
"""
from __future__ import annotations

import collections
import time
from typing import Callable, NamedTuple

#: How much sooner than ``capture_gap`` after the last capture a frame may still go out
#: (seconds): timers fire a little early or late.
JITTER = 0.005
#: Longest stretch of training between two visits to the worker's event loop (seconds).
CHUNK_BUDGET = 0.025
#: Snapshots per second at most ("about 30"); also the frame rate "steps per frame" refers
#: to. A little above 30 so that a busy machine's occasional late frame still leaves 30.
MAX_SNAPSHOT_RATE = 32.0
FRAME = 1.0 / MAX_SNAPSHOT_RATE
#: Share of a frame the worker trains for at least, however long the UI took to draw.
MIN_TRAIN_SHARE = 0.3
#: Length of the sub-chunks between which the stop flag is checked (seconds). Long enough
#: that a frame's steps at the default speed run in one call of ``Trainer.step``, which scores
#: the steps it runs together (core/recording.py): four steps a call cost half as much again
#: per step as ten.
SUB_CHUNK = 0.005
#: Most steps in one sub-chunk (a tiny network may take microseconds a step).
MAX_SUB_CHUNK = 4096
#: ``steps_per_frame`` value meaning "as fast as the machine goes".
MAX_SPEED = 0
#: While running, the worker waits for the UI to show a snapshot before training on (see
#: ``FramePacer.frame_shown``); it goes on anyway after this long (seconds).
ACK_TIMEOUT = 0.25
#: How many of the latest snapshot captures set the spacing of frames (their median): one
#: capture slowed by the machine (another program, the surface thread) does not space the
#: next frame out, a network that is slow to capture every time does.
CAPTURES_KEPT = 5
#: Steps wanted per chunk when training flat out: more than any chunk can run.
_FLAT_OUT_STEPS = 1 << 62

#: What the worker does after a chunk of training while running (``Next.action``): train on
#: at once; show a frame now and train on when it is shown, ``Next.delay`` seconds from now at
#: the earliest; or (the frame's steps done, a frame shown recently) train on after the delay.
CONTINUE, EMIT, WAIT = "continue", "emit", "wait"


class Next(NamedTuple):
    """The pacer's answer after a chunk: ``action`` (CONTINUE, EMIT or WAIT) and ``delay`` (s)."""

    action: str
    delay: float = 0.0


class FramePacer:
    """The frame-pacing state of one training worker; see the module docstring.

    Parameters
    ----------
    clock : callable () -> float
        The time in seconds (any origin); ``time.perf_counter`` unless a test fakes it.
    steps_per_frame : int
        Steps per frame; ``MAX_SPEED`` (0) trains flat out and shows a frame whenever one is due.
    """

    def __init__(self, clock: Callable[[], float] = time.perf_counter, steps_per_frame=10):
        self.clock = clock
        self.steps_per_frame = steps_per_frame
        self.frame_steps = 0            # steps done in the current frame
        self.shown_mid_frame = False    # a frame went out while the current frame's steps ran
        self.frame_start = 0.0
        self.last_emit = -1.0           # when capturing the last snapshot started
        self.capture_time = 0.0         # running estimate of a snapshot capture's duration
        self.frame_due = 0.0            # when the next frame should start capturing
        self.min_interval = FRAME       # grows when capturing a snapshot is slow (huge nets)
        self.capture_gap = 0.0          # least time between two captures' starts
        self.awaiting_frame = False     # a snapshot is out and not yet shown
        self.resume_at = 0.0            # when training may go on after a frame (paced speeds)
        self.sub_chunk = 1              # steps per sub-chunk, adapted to take ~SUB_CHUNK
        self._capture_start = 0.0
        self._captures = collections.deque(maxlen=CAPTURES_KEPT)  # the latest durations
        self._rate = collections.deque(maxlen=64)  # (time, step_count) after each chunk

    @property
    def flat_out(self) -> bool:
        return self.steps_per_frame == MAX_SPEED

    # ------------------------------------------------------------ running and stopping
    def start(self):
        """Training starts running now: a fresh frame, no frame awaited, no rate yet."""
        self.stop()
        self.start_frame(self.clock())

    def stop(self):
        """Training paused or got another run: forget the frame out and the rate."""
        self.awaiting_frame = False
        self.clear_rate()

    def clear_rate(self):
        """The step count jumped (a reset or a new config): measure the speed afresh."""
        self._rate.clear()

    def start_frame(self, when: float):
        self.frame_start, self.frame_steps, self.shown_mid_frame = when, 0, False

    # ------------------------------------------------------------ one chunk of training
    def steps_wanted(self) -> int:
        """Steps the next chunk should run: the rest of the frame's, or unbounded flat out."""
        return _FLAT_OUT_STEPS if self.flat_out else self.steps_per_frame - self.frame_steps

    def chunk_budget(self) -> float:
        """Seconds the next chunk may train: until the next frame is due, but at least
        ``MIN_TRAIN_SHARE`` of a frame (when the UI takes most of a frame to draw, frames come
        less often rather than training stall) and at most ``CHUNK_BUDGET``."""
        due = self.frame_due - self.capture_time
        return min(max(due - self.clock(), MIN_TRAIN_SHARE * FRAME), CHUNK_BUDGET)

    def train(self, step: Callable[[int], int], n: int, budget: float,
              should_stop: Callable[[], bool]) -> int:
        """Call ``step(m)`` (which runs ``m`` steps and returns how many ran) in sub-chunks of
        about ``SUB_CHUNK`` seconds until ``n`` steps ran, ``budget`` seconds passed,
        ``should_stop()``, or a sub-chunk ran fewer steps than asked; return how many ran."""
        deadline = self.clock() + budget
        done = 0
        while done < n and not should_stop():
            m = min(n - done, self.sub_chunk)
            t = self.clock()
            ran = step(m)
            done += ran
            elapsed = self.clock() - t
            self.sized(m, elapsed)
            if ran < m or t + elapsed >= deadline:  # fewer: a stopping rule ended training
                break
        return done

    def sized(self, steps: int, elapsed: float):
        """``steps`` took ``elapsed`` seconds: size the next sub-chunk to take ``SUB_CHUNK``."""
        wanted = int(steps * SUB_CHUNK / max(elapsed, 1e-6))
        self.sub_chunk = max(1, min(MAX_SUB_CHUNK, wanted))

    def after_chunk(self, steps: int, step_count: int) -> Next:
        """A chunk of ``steps`` steps ran while running (the trainer is at ``step_count``):
        what next? Mid-frame or flat out, a frame is shown when one is due; when the frame's
        steps are done, the next frame starts ``FRAME`` after this one began, and this one is
        shown unless a frame went out while its steps ran, or less than ``capture_gap`` ago
        (a network slow to capture). The frames' schedule keeps the rate, not the time since
        the last capture: after a frame the UI took long to draw, the next comes early to
        catch up, and measured from the late capture it was skipped (trained, never shown).
        The slack ``JITTER`` keeps timer jitter from dropping every other frame."""
        now = self.clock()
        self.frame_steps += steps
        self._rate.append((now, step_count))
        if self.flat_out or self.frame_steps < self.steps_per_frame:
            if now >= self.frame_due - self.capture_time - 0.001:
                self.shown_mid_frame = True
                return Next(EMIT)
            return Next(CONTINUE)
        shown = self.shown_mid_frame
        next_frame = max(self.frame_start + FRAME, now)
        self.start_frame(next_frame)
        if not shown and now - self.last_emit >= self.capture_gap - JITTER:
            return Next(EMIT, next_frame - now)
        return Next(WAIT, next_frame - now)

    # ------------------------------------------------------------ frames
    def capture_started(self):
        """Capturing a snapshot starts now. Frames are due on a regular schedule,
        ``min_interval`` apart, counted from when capturing starts: a frame that comes a little
        late makes the next one come a little early, so the rate holds on a busy machine."""
        start = self.last_emit = self._capture_start = self.clock()
        late = start - self.frame_due  # negative when capturing starts a little early
        base = self.frame_due if late < 0.5 * self.min_interval else start
        self.frame_due = base + self.min_interval

    def capture_finished(self):
        """The snapshot is captured. Spend at most about a quarter of the time capturing (an
        8x256 network on 100x100 grid points takes a while); small networks keep the full
        frame rate. The usual capture time decides (the median of the latest
        ``CAPTURES_KEPT``): on a busy machine a capture that once took three times as long
        spaced the next frame out to 40 ms, a frame lost every few."""
        took = self.clock() - self._capture_start
        self.capture_time = 0.7 * self.capture_time + 0.3 * took
        self._captures.append(took)
        usual = sorted(self._captures)[(len(self._captures) - 1) // 2]
        self.capture_gap = 4.0 * usual
        self.min_interval = max(FRAME, self.capture_gap)

    def frame_sent(self, delay: float = 0.0, since: float | None = None):
        """A frame went out while running: wait for :meth:`frame_shown`, and train on no
        sooner than ``delay`` seconds after ``since`` (a reading of ``clock``; now by
        default). The worker passes the moment :meth:`after_chunk` gave the delay: counted
        from after the capture instead, every frame started a capture's time (3-5 ms) late,
        and no frame came sooner than ``FRAME`` plus a capture: 28 a second at most."""
        self.awaiting_frame = True
        self.resume_at = (self.clock() if since is None else since) + delay

    def frame_shown(self) -> float | None:
        """The UI showed the frame: seconds until training may go on, or None when no frame
        was awaited (a late or repeated answer)."""
        if not self.awaiting_frame:
            return None
        self.awaiting_frame = False
        return max(self.resume_at - self.clock(), 0.0)

    def ack_wait(self) -> float:
        """Seconds still to wait for the UI to show the frame out (0: train on now). After
        ``ACK_TIMEOUT`` the worker goes on anyway, in case the answer got lost."""
        if not self.awaiting_frame:
            return 0.0
        waited = self.clock() - self.last_emit
        if waited < ACK_TIMEOUT:
            return ACK_TIMEOUT - waited
        self.awaiting_frame = False
        return 0.0

    # ------------------------------------------------------------ speed
    def steps_per_second(self) -> float:
        """Training speed over about the last second of chunks (0 until two chunks ran)."""
        rate = self._rate
        if len(rate) < 2:
            return 0.0
        now = rate[-1][0]
        while len(rate) > 2 and now - rate[0][0] > 1.0:
            rate.popleft()
        (t0, s0), (t1, s1) = rate[0], rate[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0
