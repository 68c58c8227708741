"""Training off the UI thread. This is the only module of the app that touches threads.

:class:`TrainingWorker` owns a :class:`core.trainer.Trainer` and lives in its own
:class:`QThread`. It is event-driven: a zero-interval single-shot timer runs a *chunk* of
training (at most ``CHUNK_BUDGET`` seconds), then returns to the thread's event loop, so the
requests queued meanwhile (play/pause, one step, reset, a new config, a speed, saving or opening
an experiment file) are handled between chunks. It hands the UI
:class:`~gui.snapshot.Snapshot`\\ s (copies, at most ``MAX_SNAPSHOT_RATE`` a second), checks a
stop flag between sub-chunks of a few milliseconds, and never touches a widget.

The UI thread talks to it only through :class:`TrainingController`, which queues requests to
the worker and re-emits the worker's snapshots in the UI thread, coalesced: when the UI falls
behind, views skip to the newest snapshot instead of drawing every one.

Why the worker pauses while the UI draws: both threads run Python, and only one of them can
hold the interpreter lock at a time. A UI thread that redraws while the worker computes waits
for the lock at every call into Qt (every few microseconds of drawing), so drawing a frame
that takes 10 ms alone took hundreds of ms, and clicks waited as long. So while running, the
worker hands over a snapshot, then idles in its event loop (not holding the lock) until the
controller reports the frame shown (``frame_shown``), and trains until the next frame is due.
Training and drawing take turns, which is all one interpreter can do anyway.

:class:`LatestRequestRunner` runs a pure function off the UI thread where a newer request
replaces a pending one (the pattern of Qt's Mandelbrot example), for views whose work is too
heavy for the UI thread but only the newest answer matters.
"""
from __future__ import annotations

import collections
import os
import threading
import time
import traceback

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

from core import experiment
from core.trainer import DivergenceError, Trainer
from gui.snapshot import Snapshot

#: Longest stretch of training between two visits to the worker's event loop (seconds).
CHUNK_BUDGET = 0.025
#: Snapshots per second at most ("about 30"); also the frame rate "steps per frame" refers
#: to. A little above 30 so that a busy machine's occasional late frame still leaves 30.
MAX_SNAPSHOT_RATE = 32.0
FRAME = 1.0 / MAX_SNAPSHOT_RATE
#: Share of a frame the worker trains for at least, however long the UI took to draw.
MIN_TRAIN_SHARE = 0.3
#: Length of the sub-chunks between which the stop flag is checked (seconds).
SUB_CHUNK = 0.002
#: ``steps_per_frame`` value meaning "as fast as the machine goes".
MAX_SPEED = 0
#: While running, the worker waits for the UI to show a snapshot before training on (see
#: ``TrainingWorker.frame_shown``); it goes on anyway after this long (seconds).
ACK_TIMEOUT = 0.25



class TrainingWorker(QObject):
    """Trains in the thread it is moved to; see the module docstring.

    Signals
    -------
    snapshot(Snapshot)
        A new frame, at most ``MAX_SNAPSHOT_RATE`` per second while running, and once after
        every request that changes what the views show.
    running_changed(bool)
    config_applied(Config, bool)
        A config took effect; the flag is True when the weights were re-initialized.
    diverged(str)
        Training diverged and paused; the message is the core's (reason and hint).
    error(str)
        Anything else failed (e.g. a CSV file could not be read); the old run is kept.
    experiment_saved(str, Config, int, int)
        The run was saved to the file: path, the config, run and step saved.
    experiment_opened(str, Config, int, int)
        A saved experiment replaced the run (paused): path, its config, the new run number and
        the step it continues from. ``config_applied(config, True)`` and a snapshot follow.
    history_exported(str)
        The cost history was written to this CSV file.
    file_error(str, str, str)
        A file request failed: what ("open", "save" or "export"), the path, and why (without
        the path). Nothing changed: the run goes on, any earlier file is intact.
    """

    snapshot = Signal(object)
    running_changed = Signal(bool)
    config_applied = Signal(object, bool)
    diverged = Signal(str)
    error = Signal(str)
    experiment_saved = Signal(str, object, int, int)
    experiment_opened = Signal(str, object, int, int)
    history_exported = Signal(str)
    file_error = Signal(str, str, str)

    def __init__(self, config, data=None):
        super().__init__()
        self._config, self._data = config, data
        self._trainer = None
        self._timer = None
        self._stop = threading.Event()
        self._running = False
        self._steps_per_frame = 10
        self._pending_steps = 0
        self._frame_steps = 0          # steps done in the current frame
        self._frame_start = 0.0
        self._last_emit = -1.0
        self._capture_time = 0.0        # running estimate of Snapshot.capture's duration
        self._frame_due = 0.0           # when the next frame should start capturing
        self._min_interval = FRAME      # grows when capturing a snapshot is slow (huge nets)
        self._awaiting_frame = False    # a snapshot is out and not yet shown
        self._resume_at = 0.0           # when the next frame may start (paced speeds)
        self._run = 0
        self._sub_chunk = 1            # steps per sub-chunk, adapted to take ~SUB_CHUNK
        self._rate = collections.deque(maxlen=64)  # (time, step_count) while running

    # ------------------------------------------------------------ thread-safe
    def request_stop(self):
        """Ask the running chunk to end at the next sub-chunk (callable from any thread)."""
        self._stop.set()

    # ------------------------------------------------------------ slots (worker thread)
    @Slot()
    def start(self):
        """Build the trainer and the timer in the worker thread and show the first frame."""
        if self._timer is None:
            self._timer = QTimer(self)
            self._timer.setSingleShot(True)
            self._timer.timeout.connect(self._tick)
        try:
            self._trainer = Trainer(self._config, data=self._data)
        except Exception as err:  # noqa: BLE001 - shown to the user, the app keeps going
            self.error.emit(f"Could not start training: {err}")
            return
        self._data = None
        self._emit_snapshot()

    @Slot(bool)
    def set_running(self, running):
        if self._trainer is None or running == self._running:
            return
        self._running = running
        self._pending_steps = 0
        self._awaiting_frame = False
        self._rate.clear()
        if running:
            self._start_frame(time.perf_counter())
            self._schedule(0)
        self.running_changed.emit(running)
        if not running:
            self._emit_snapshot()

    @Slot(int)
    def step(self, n):
        """Pause and run ``n`` steps (in chunks, so later requests still get through)."""
        if self._trainer is None:
            return
        self.set_running(False)
        self._pending_steps += max(int(n), 0)
        self._schedule(0)

    @Slot()
    def reset(self):
        """Fresh initial weights (same seed), optimizer state and history."""
        if self._trainer is None:
            return
        self._trainer.reset()
        self._run += 1
        self._pending_steps = 0
        self._rate.clear()
        self._emit_snapshot()

    @Slot(object, object)
    def apply_config(self, config, data=None):
        """Switch to ``config`` (and ``data``, a Dataset, if given: a CSV file or drawn points).

        Live settings keep the weights; anything else rebuilds. If the new run cannot be built
        (an unreadable file, say) the old one goes on and ``error`` says why.
        """
        if self._trainer is None:
            self._config, self._data = config, data
            self.start()
            return
        if data is None and config == self._trainer.config:
            return
        try:
            reset = self._trainer.apply_config(config, data)
        except Exception as err:  # noqa: BLE001 - shown to the user; the old run is kept
            self.error.emit(f"{err}")
            return
        if reset:
            self._run += 1
            self._pending_steps = 0
        self._rate.clear()
        self.config_applied.emit(config, reset)
        self._emit_snapshot()

    @Slot(str)
    def save_experiment(self, path):
        """Save the whole run (``core.experiment.save``, atomic) between two chunks of training."""
        if self._trainer is None:
            self.file_error.emit("save", path, "there is no run to save yet.")
            return
        try:
            experiment.save(path, self._trainer)
        except experiment.ExperimentError as err:
            self.file_error.emit("save", path, err.reason)
            return
        except Exception as err:  # noqa: BLE001 - a bug must not kill the thread; shown
            self.file_error.emit("save", path, f"{type(err).__name__}: {err}")
            return
        self.experiment_saved.emit(path, self._trainer.config, self._run,
                                   self._trainer.step_count)

    @Slot(str)
    def open_experiment(self, path):
        """Replace the run by the one saved in ``path`` (paused), or keep it and say why not."""
        try:
            trainer = experiment.load(path)
        except experiment.ExperimentError as err:
            self.file_error.emit("open", path, err.reason)
            return
        except Exception as err:  # noqa: BLE001 - load promises ExperimentError; be safe
            self.file_error.emit("open", path, f"{type(err).__name__}: {err}")
            return
        was_running = self._running
        self._trainer = trainer
        self._running = False
        self._pending_steps = 0
        self._awaiting_frame = False
        self._rate.clear()
        self._run += 1
        if was_running:
            self.running_changed.emit(False)
        self.config_applied.emit(trainer.config, True)
        self.experiment_opened.emit(path, trainer.config, self._run, trainer.step_count)
        self._emit_snapshot()

    @Slot(str)
    def export_history(self, path):
        """Write the cost history as CSV (``core.experiment.history_to_csv``, atomic)."""
        if self._trainer is None:
            self.file_error.emit("export", path, "there is no run yet.")
            return
        try:
            experiment.history_to_csv(self._trainer, path)
        except experiment.ExperimentError as err:
            self.file_error.emit("export", path, err.reason)
            return
        except Exception as err:  # noqa: BLE001 - a bug must not kill the thread; shown
            self.file_error.emit("export", path, f"{type(err).__name__}: {err}")
            return
        self.history_exported.emit(path)

    @Slot(int)
    def set_steps_per_frame(self, n):
        """Steps per frame (about 30 frames a second); ``MAX_SPEED`` (0) trains flat out."""
        self._steps_per_frame = max(int(n), 0)

    @Slot()
    def frame_shown(self):
        """The UI has shown the last snapshot: training may take the interpreter again."""
        if self._awaiting_frame:
            self._awaiting_frame = False
            if self._running:
                self._schedule(max(self._resume_at - time.perf_counter(), 0.0) * 1000.0)

    @Slot()
    def shutdown(self):
        """Stop the timer, hand this object back to the main thread and end the thread."""
        self._stop.set()
        if self._timer is not None:
            self._timer.stop()
        thread = self.thread()
        app = QCoreApplication.instance()
        if app is not None:
            self.moveToThread(app.thread())
        thread.quit()

    # ------------------------------------------------------------ training loop
    def _schedule(self, delay_ms):
        if self._timer is not None and not self._stop.is_set():
            self._timer.start(max(int(delay_ms), 0))

    def _start_frame(self, now):
        self._frame_start, self._frame_steps = now, 0

    @Slot()
    def _tick(self):
        if self._stop.is_set() or self._trainer is None:
            return
        try:
            if self._pending_steps:
                self._pending_steps -= self._train(self._pending_steps)
                if self._pending_steps:
                    self._schedule(0)
                else:
                    self._emit_snapshot()
            elif self._running:
                self._tick_running()
        except DivergenceError as err:
            self._pending_steps = 0
            was_running, self._running = self._running, False
            if was_running:
                self.running_changed.emit(False)
            self._emit_snapshot()
            self.diverged.emit(str(err))
        except Exception as err:  # noqa: BLE001 - a bug must not kill the thread silently
            self._pending_steps = 0
            if self._running:
                self._running = False
                self.running_changed.emit(False)
            self.error.emit(f"Training stopped: {err}\n{traceback.format_exc(limit=3)}")

    def _tick_running(self):
        now = time.perf_counter()
        if self._awaiting_frame:
            if now - self._last_emit < ACK_TIMEOUT:
                # frame_shown() reschedules; this timer only guards against a lost reply.
                self._schedule((ACK_TIMEOUT - (now - self._last_emit)) * 1000.0 + 1)
                return
            self._awaiting_frame = False
        flat_out = self._steps_per_frame == MAX_SPEED
        wanted = 1 << 62 if flat_out else self._steps_per_frame - self._frame_steps
        # Train until the next frame is due, but at least MIN_TRAIN_SHARE of a frame: when the
        # UI takes most of a frame to draw, frames come less often rather than training stall.
        due = self._frame_due - self._capture_time
        budget = min(max(due - now, MIN_TRAIN_SHARE * FRAME), CHUNK_BUDGET)
        self._frame_steps += self._train(wanted, budget)
        now = time.perf_counter()
        self._rate.append((now, self._trainer.step_count))
        if self._stop.is_set():
            return
        if flat_out or self._frame_steps < self._steps_per_frame:
            # Mid-frame (or flat out): keep going, showing a frame when one is due.
            if now >= self._frame_due - self._capture_time - 0.001:
                self._emit_frame()
            else:
                self._schedule(0)
            return
        # Frames are FRAME apart; the slack keeps timer jitter from dropping every other one.
        next_frame = max(self._frame_start + FRAME, now)
        self._start_frame(next_frame)
        if now - self._last_emit >= self._min_interval - 0.005:
            self._emit_frame(delay=next_frame - time.perf_counter())
        else:
            self._schedule((next_frame - time.perf_counter()) * 1000.0)

    def _emit_frame(self, delay=0.0):
        """Emit a snapshot while running, then wait for frame_shown (or ``delay``, if longer)."""
        self._emit_snapshot()
        self._awaiting_frame = True
        self._resume_at = time.perf_counter() + delay
        self._schedule(ACK_TIMEOUT * 1000.0 + 1)

    def _train(self, n, budget=CHUNK_BUDGET) -> int:
        """Run up to ``n`` steps within ``budget`` seconds; return how many ran."""
        trainer, stop = self._trainer, self._stop
        deadline = time.perf_counter() + budget
        done = 0
        while done < n and not stop.is_set():
            m = min(n - done, self._sub_chunk)
            t = time.perf_counter()
            before = trainer.step_count
            try:
                trainer.step(m)
            finally:
                done += trainer.step_count - before
            elapsed = time.perf_counter() - t
            # Size the next sub-chunk to take about SUB_CHUNK seconds.
            self._sub_chunk = max(1, min(4096, int(m * SUB_CHUNK / max(elapsed, 1e-6))))
            if t + elapsed >= deadline:
                break
        return done

    def _steps_per_second(self) -> float:
        if not self._running or len(self._rate) < 2:
            return 0.0
        now = self._rate[-1][0]
        while len(self._rate) > 2 and now - self._rate[0][0] > 1.0:
            self._rate.popleft()
        (t0, s0), (t1, s1) = self._rate[0], self._rate[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0

    def _emit_snapshot(self):
        # Frames are due on a regular schedule, FRAME (or _min_interval) apart, counted from
        # when capturing starts: a frame that comes a little late makes the next one come a
        # little early, so the rate stays at MAX_SNAPSHOT_RATE on a busy machine.
        start = self._last_emit = time.perf_counter()
        late = start - self._frame_due  # negative when capturing starts a little early
        base = self._frame_due if late < 0.5 * self._min_interval else start
        self._frame_due = base + self._min_interval
        snap = Snapshot.capture(self._trainer, self._run, self._steps_per_second(), self._running)
        took = time.perf_counter() - start
        self._capture_time = 0.7 * self._capture_time + 0.3 * took
        # Spend at most about a quarter of the time capturing (a 8x256 network on 100x100 grid
        # points takes a while); small networks stay at the full frame rate.
        self._min_interval = max(FRAME, 4.0 * took)
        self.snapshot.emit(snap)


class TrainingController(QObject):
    """The UI thread's handle on a :class:`TrainingWorker` running in its own thread.

    Every method only queues a request, so none of them blocks the UI. Views connect to
    :attr:`snapshot`; it is emitted in the UI thread with the newest snapshot only, however
    many arrived since the last one was shown.
    """

    snapshot = Signal(object)
    running_changed = Signal(bool)
    config_applied = Signal(object, bool)
    diverged = Signal(str)
    error = Signal(str)
    experiment_saved = Signal(str, object, int, int)
    experiment_opened = Signal(str, object, int, int)
    history_exported = Signal(str)
    file_error = Signal(str, str, str)

    # Requests, queued to the worker thread.
    _request_running = Signal(bool)
    _request_step = Signal(int)
    _request_reset = Signal()
    _request_config = Signal(object, object)
    _request_speed = Signal(int)
    _request_shutdown = Signal()
    _report_frame_shown = Signal()
    _request_save = Signal(str)
    _request_open = Signal(str)
    _request_export_history = Signal(str)

    def __init__(self, config, data=None, parent=None):
        super().__init__(parent)
        self._config = config
        self._running = False
        self._latest = None
        self._flush_queued = False
        #: When True, whoever draws the views calls frame_shown() after they are painted (the
        #: main window does, after its next repaint); otherwise the controller reports the
        #: frame shown as soon as the views have taken it.
        self.defer_frame_ack = False
        self._thread = QThread()
        self._thread.setObjectName("costscape-training")
        self._worker = TrainingWorker(config, data)
        self._worker.moveToThread(self._thread)

        w = self._worker
        self._thread.started.connect(w.start)
        self._request_running.connect(w.set_running)
        self._request_step.connect(w.step)
        self._request_reset.connect(w.reset)
        self._request_config.connect(w.apply_config)
        self._request_speed.connect(w.set_steps_per_frame)
        self._request_shutdown.connect(w.shutdown)
        self._report_frame_shown.connect(w.frame_shown)
        self._request_save.connect(w.save_experiment)
        self._request_open.connect(w.open_experiment)
        self._request_export_history.connect(w.export_history)
        w.snapshot.connect(self._on_worker_snapshot)
        w.running_changed.connect(self._on_worker_running_changed)
        w.config_applied.connect(self._on_worker_config_applied)
        w.diverged.connect(self.diverged)
        w.error.connect(self.error)
        w.experiment_saved.connect(self.experiment_saved)
        w.experiment_opened.connect(self.experiment_opened)
        w.history_exported.connect(self.history_exported)
        w.file_error.connect(self.file_error)
        self._thread.start()

    # ------------------------------------------------------------ requests
    @property
    def running(self) -> bool:
        """Whether training is running, as last reported by the worker."""
        return self._running

    @property
    def latest(self):
        """The newest snapshot received (None before the first)."""
        return self._latest

    @property
    def config(self):
        """The config last applied by the worker (or given at start)."""
        return self._config

    def play(self):
        self._request_running.emit(True)

    def pause(self):
        self._request_running.emit(False)

    def toggle(self):
        self._request_running.emit(not self._running)

    def step(self, n=1):
        self._request_step.emit(int(n))

    def reset(self):
        self._request_reset.emit()

    def apply_config(self, config, data=None):
        """Train with ``config``; ``data`` (a Dataset) replaces the config's own data."""
        self._request_config.emit(config, data)

    def set_steps_per_frame(self, n):
        self._request_speed.emit(int(n))

    def save_experiment(self, path):
        """Save the run to ``path``; ``experiment_saved`` or ``file_error`` answers."""
        self._request_save.emit(os.fspath(path))

    def open_experiment(self, path):
        """Replace the run by the experiment in ``path`` (paused); ``experiment_opened`` (then
        ``config_applied`` and a snapshot) or ``file_error`` answers. On failure nothing changes."""
        self._request_open.emit(os.fspath(path))

    def export_history(self, path):
        """Write the cost history to CSV file ``path``; ``history_exported`` or ``file_error``."""
        self._request_export_history.emit(os.fspath(path))

    def frame_shown(self):
        """Tell the worker the last snapshot is on screen, so it may train on (see module doc)."""
        self._report_frame_shown.emit()

    def is_alive(self) -> bool:
        return self._thread.isRunning()

    def shutdown(self, timeout_ms=10_000) -> bool:
        """Stop training and end the thread; True when it ended within ``timeout_ms``."""
        if not self._thread.isRunning():
            return True
        self._worker.request_stop()
        self._request_shutdown.emit()
        return self._thread.wait(timeout_ms)

    # ------------------------------------------------------------ from the worker
    @Slot(object)
    def _on_worker_snapshot(self, snap):
        self._latest = snap
        if not self._flush_queued:
            self._flush_queued = True
            QTimer.singleShot(0, self._flush_snapshot)

    @Slot()
    def _flush_snapshot(self):
        self._flush_queued = False
        if self._latest is not None:
            self.snapshot.emit(self._latest)
        if not self.defer_frame_ack:
            QTimer.singleShot(0, self.frame_shown)

    @Slot(bool)
    def _on_worker_running_changed(self, running):
        self._running = running
        self.running_changed.emit(running)

    @Slot(object, bool)
    def _on_worker_config_applied(self, config, reset):
        self._config = config
        self.config_applied.emit(config, reset)


class _RequestWorker(QObject):
    finished = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, runner):
        super().__init__()
        self._runner = runner

    @Slot()
    def run_pending(self):
        runner = self._runner
        while True:
            with runner._lock:
                request, runner._pending = runner._pending, None
                if request is None or runner._stopping:
                    runner._scheduled = False
                    return
            request_id, fn, args, kwargs = request
            try:
                result = fn(*args, **kwargs)
            except Exception as err:  # noqa: BLE001 - reported to the view that asked
                self.failed.emit(request_id, str(err))
            else:
                self.finished.emit(request_id, result)

    @Slot()
    def shutdown(self):
        thread = self.thread()
        app = QCoreApplication.instance()
        if app is not None:
            self.moveToThread(app.thread())
        thread.quit()


class LatestRequestRunner(QObject):
    """Runs ``fn(*args)`` off the UI thread; a newer request replaces a pending one.

    ``submit`` returns a request id; ``finished(request_id, result)`` (or ``failed(request_id,
    message)``) arrives in the UI thread. A request that was still waiting when a newer one came
    is dropped without running, so a view dragging a slider gets the newest answer quickly
    rather than every intermediate one. ``fn`` must not touch widgets or shared mutable state.
    """

    finished = Signal(int, object)
    failed = Signal(int, str)
    _wake = Signal()
    _request_shutdown = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending = None
        self._scheduled = False
        self._stopping = False
        self._next_id = 0
        self._thread = QThread()
        self._thread.setObjectName("costscape-requests")
        self._worker = _RequestWorker(self)
        self._worker.moveToThread(self._thread)
        self._wake.connect(self._worker.run_pending)
        self._request_shutdown.connect(self._worker.shutdown)
        self._worker.finished.connect(self.finished)
        self._worker.failed.connect(self.failed)
        self._thread.start()

    def submit(self, fn, *args, **kwargs) -> int:
        with self._lock:
            self._next_id += 1
            self._pending = (self._next_id, fn, args, kwargs)
            wake = not self._scheduled
            self._scheduled = True
            request_id = self._next_id
        if wake:
            self._wake.emit()
        return request_id

    def shutdown(self, timeout_ms=10_000) -> bool:
        if not self._thread.isRunning():
            return True
        with self._lock:
            self._stopping = True
            self._pending = None
        self._request_shutdown.emit()
        return self._thread.wait(timeout_ms)
