"""Training off the UI thread.

:class:`TrainingWorker` owns a :class:`core.trainer.Trainer` and lives in its own
:class:`QThread`. It is event-driven: a zero-interval single-shot timer runs a *chunk* of
training (at most ``CHUNK_BUDGET`` seconds), then returns to the thread's event loop, so the
requests queued meanwhile (play/pause, one step, reset, a new config, a speed, saving or opening
an experiment file) are handled between chunks. It hands the UI
:class:`~gui.snapshot.Snapshot`\\ s (copies, at most ``MAX_SNAPSHOT_RATE`` a second), checks a
stop flag between sub-chunks of a few milliseconds, and never touches a widget. When to train
and when to show a frame is decided by a :class:`~gui.threads.pacing.FramePacer`.

The UI thread talks to it only through :class:`~gui.threads.controller.TrainingController`, which queues requests to
the worker and re-emits the worker's snapshots in the UI thread, coalesced: when the UI falls
behind, views skip to the newest snapshot instead of drawing every one.

Why the worker pauses while the UI draws: both threads run Python, and only one of them can
hold the interpreter lock at a time. A UI thread that redraws while the worker computes waits
for the lock at every call into Qt (every few microseconds of drawing), so drawing a frame
that takes 10 ms alone took hundreds of ms, and clicks waited as long. So while running, the
worker hands over a snapshot, then idles in its event loop (not holding the lock) until the
controller reports the frame shown (``frame_shown``), and trains until the next frame is due.
Training and drawing take turns, which is all one interpreter can do anyway.

Counts (steps, runs) cross threads as Python ints (``object``): a C int overflows at 2**31.
"""
from __future__ import annotations

import threading
import traceback

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

import numpy as np

from core import experiment
from core.backprop import apply_step
from core.trainer import DivergenceError, Trainer, make_optimizer
from gui.snapshot import Sharpness, Snapshot
from gui.threads.diagnosis import Diagnosis
from gui.threads.pacing import ACK_TIMEOUT, CHUNK_BUDGET, EMIT, WAIT, FramePacer
from gui.threads.tracing import trace_next_step

#: What TrainingWorker._file_request returns when the request failed.
_FAILED = object()


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
    stopped(str)
        A stopping rule of the config ended training (a step or epoch limit, early stopping,
        a target cost) and it paused; the message says which and why. Play goes on.
    error(str)
        Anything else failed (e.g. a CSV file could not be read); the old run is kept.
    experiment_saved(str, Config, int, int)
        The run was saved: path, the config, run and step saved.
    experiment_opened(str, Config, int, int)
        A saved experiment replaced the run (paused): path, its config, the new run number and
        the step it continues from. ``config_applied(config, True)`` and a snapshot follow.
    run_opened(str, Config, str)
        A run built from files (say, a learner's own weights) replaced the run (paused): the
        file, its config and a sentence on how it was read. ``config_applied`` and a snapshot
        follow.
    history_exported(str)
        The cost history was written to this CSV file.
    file_error(str, str, str)
        A file request failed: what ("open", "save" or "export"), the path, and why (without
        the path). Nothing changed: the run goes on, any earlier file is intact.
    step_traced(TracedStep)
        The next step, traced stage by stage (:mod:`gui.threads.tracing`), as asked for by
        :meth:`trace_step`, or again after :meth:`apply_traced_step` found its step stale.
    weights_moved(object, object, object)
        :meth:`move_weights` answered: its token, the weights before and the optimizer's state
        before (both None when the move was refused: another run, another network).

    After :meth:`request_stop`, queued requests are ignored but saving and exporting (a file
    the user asked for is still written).
    """

    snapshot = Signal(object)
    running_changed = Signal(bool)
    config_applied = Signal(object, bool)
    diverged = Signal(str)
    stopped = Signal(str)
    error = Signal(str)
    experiment_saved = Signal(str, object, object, object)
    experiment_opened = Signal(str, object, object, object)
    run_opened = Signal(str, object, str)
    history_exported = Signal(str)
    file_error = Signal(str, str, str)
    step_traced = Signal(object)
    weights_moved = Signal(object, object, object)

    def __init__(self, config, data=None):
        super().__init__()
        self._config, self._data = config, data
        self._trainer = None
        self._timer = None
        self._stop = threading.Event()
        self._running = False
        self._pending_steps = 0
        self._run = 0
        self._pacer = FramePacer()
        self._last = None  # the last snapshot: it lends its copy of the path to the next
        self._diagnosis = Diagnosis()
        self._sharpness_wanted = False

    # ------------------------------------------------------------ thread-safe
    def request_stop(self):
        """Ask the running chunk to end at the next sub-chunk (callable from any thread)."""
        self._stop.set()

    # ------------------------------------------------------------ slots (worker thread)
    @Slot()
    def start(self):
        """Build the trainer and the timer in the worker thread and show the first frame."""
        if self._stop.is_set():
            return
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
        if self._trainer is None or running == self._running or self._stop.is_set():
            return
        self._running = running
        self._pending_steps = 0
        if running:
            self._trainer.resume()  # Play after a stopping rule: train on
            self._pacer.start()
            self._schedule(0)
        else:
            self._pacer.stop()
        self.running_changed.emit(running)
        if not running:
            self._emit_snapshot()

    @Slot(object)
    def step(self, n):
        """Pause and run ``n`` steps (in chunks, so later requests still get through)."""
        if self._trainer is None or self._stop.is_set():
            return
        self.set_running(False)
        self._trainer.resume()  # a step after a stopping rule is asked for: take it
        self._pending_steps += max(int(n), 0)
        self._schedule(0)

    @Slot()
    def reset(self):
        """Fresh initial weights (same seed), optimizer state and history."""
        if self._trainer is None or self._stop.is_set():
            return
        self._trainer.reset()
        self._run += 1
        self._pending_steps = 0
        self._pacer.clear_rate()
        self._emit_snapshot()

    @Slot(object, object)
    def apply_config(self, config, data=None):
        """Switch to ``config`` (and ``data``, a Dataset, if given: a CSV file or drawn points).

        Live settings keep the weights; anything else rebuilds. If the new run cannot be built
        (an unreadable file, say) the old one goes on and ``error`` says why.
        """
        if self._stop.is_set():
            return
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
        self._pacer.clear_rate()
        self.config_applied.emit(config, reset)
        self._emit_snapshot()

    @Slot(str)
    def save_experiment(self, path):
        """Save the whole run (``core.experiment.save``, atomic) between two chunks of training."""
        if self._trainer is None:
            self.file_error.emit("save", path, "there is no run to save yet.")
            return
        if self._file_request("save", path, experiment.save, path, self._trainer) is _FAILED:
            return
        self.experiment_saved.emit(path, self._trainer.config, self._run,
                                   self._trainer.step_count)

    @Slot(str)
    def open_experiment(self, path):
        """Replace the run by the one saved in ``path`` (paused), or keep it and say why not."""
        if self._stop.is_set():
            return
        trainer = self._file_request("open", path, experiment.load, path)
        if trainer is _FAILED:
            return
        self._replace_trainer(trainer)
        self.experiment_opened.emit(path, trainer.config, self._run, trainer.step_count)
        self._emit_snapshot()

    @Slot(str, object)
    def open_run(self, path, build):
        """Replace the run by the trainer ``build()`` returns with a note, ``(trainer, note)``,
        reading its files here, off the UI thread; ``run_opened`` or ``file_error`` answers
        (a ValueError's message is the reason). On failure nothing changes."""
        if self._stop.is_set():
            return
        try:
            trainer, note = build()
        except Exception as err:  # noqa: BLE001 - shown to the user; the old run is kept
            reason = str(err) if isinstance(err, ValueError) else f"{type(err).__name__}: {err}"
            self.file_error.emit("open", path, reason)
            return
        self._replace_trainer(trainer)
        self.run_opened.emit(path, trainer.config, note)
        self._emit_snapshot()

    def _replace_trainer(self, trainer):
        """A new run, paused, in place of the current one."""
        was_running = self._running
        self._trainer = trainer
        self._running = False
        self._pending_steps = 0
        self._pacer.stop()
        self._run += 1
        if was_running:
            self.running_changed.emit(False)
        self.config_applied.emit(trainer.config, True)

    @Slot(str)
    def export_history(self, path):
        """Write the cost history as CSV (``core.experiment.history_to_csv``, atomic)."""
        if self._trainer is None:
            self.file_error.emit("export", path, "there is no run yet.")
            return
        if self._file_request("export", path, experiment.history_to_csv, self._trainer,
                              path) is not _FAILED:
            self.history_exported.emit(path)

    def _file_request(self, what, path, action, *args):
        """``action(*args)``'s result, or ``_FAILED`` after ``file_error`` said why not."""
        try:
            return action(*args)
        except experiment.ExperimentError as err:
            reason = err.reason
        except Exception as err:  # noqa: BLE001 - a bug must not kill the thread; shown
            reason = f"{type(err).__name__}: {err}"
        self.file_error.emit(what, path, reason)
        return _FAILED

    @Slot()
    def trace_step(self):
        """Trace the trainer's next step; ``step_traced`` answers."""
        if self._trainer is None or self._stop.is_set():
            return
        try:
            self.step_traced.emit(trace_next_step(self._trainer, self._run))
        except Exception as err:  # noqa: BLE001 - shown to the user; training is unharmed
            self.error.emit(f"The step could not be traced: {err}")

    @Slot(object)
    def apply_traced_step(self, traced):
        """Pause, then take exactly the step ``traced`` (a TracedStep) traced. If the run has
        moved on since, take none and trace the step that is next now."""
        if self._trainer is None or self._stop.is_set():
            return
        self.set_running(False)
        self._pending_steps = 0
        try:
            if traced.run != self._run:
                raise ValueError("the run was rebuilt")
            apply_step(self._trainer, traced.step)
        except ValueError:
            self.step_traced.emit(trace_next_step(
                self._trainer, self._run, "The run moved on since that step was traced: this "
                "is the step it takes next now."))
            return
        except DivergenceError as err:
            self._emit_snapshot()
            self.diverged.emit(str(err))
            return
        self._emit_snapshot()

    @Slot(object, object, object, object)
    def move_weights(self, params, run, token, optimizer_state=None):
        """Put the weights at ``params`` (training, running or not, goes on from there) if run
        ``run`` is still the one training; answer with ``weights_moved``.

        The optimizer starts afresh (a velocity or step sizes gathered elsewhere would carry
        the weights away from the chosen point), unless ``optimizer_state`` is given (an undo
        puts back the state it had).
        """
        if self._trainer is None or self._stop.is_set():
            return
        trainer = self._trainer
        params = np.asarray(params, dtype=float)
        if run != self._run or params.shape != trainer.network.params.shape:
            self.weights_moved.emit(token, None, None)
            return
        before, state = trainer.network.params.copy(), trainer.optimizer.state_dict()
        trainer.network.params[:] = params
        fresh = make_optimizer(trainer.config)
        fresh.learning_rate = trainer.learning_rate
        if optimizer_state is not None:
            try:
                fresh.load_state_dict(optimizer_state)
            except (KeyError, ValueError):  # another optimizer since: it starts afresh
                fresh.reset()
        trainer.optimizer = fresh
        self.weights_moved.emit(token, before, state)
        self._emit_snapshot()

    @Slot()
    def measure_sharpness(self):
        """Measure the sharpness (:class:`~gui.snapshot.Sharpness`) for the next snapshot,
        which comes at once if training is paused."""
        if self._trainer is None or self._stop.is_set():
            return
        self._sharpness_wanted = True
        if not self._running and not self._pending_steps:
            self._emit_snapshot()

    @Slot(object)
    def set_steps_per_frame(self, n):
        """Steps per frame (about 30 frames a second); ``MAX_SPEED`` (0) trains flat out."""
        self._pacer.steps_per_frame = max(int(n), 0)

    @Slot()
    def frame_shown(self):
        """The UI has shown the last snapshot: training may take the interpreter again."""
        delay = self._pacer.frame_shown()
        if delay is not None and self._running:
            self._schedule(delay * 1000.0)

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
            if self._trainer.stopped is not None and (self._running or self._pending_steps):
                self._on_rule_stopped()
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

    def _on_rule_stopped(self):
        self._pending_steps = 0
        if self._running:
            self._running = False
            self._pacer.stop()
            self.running_changed.emit(False)
        self._emit_snapshot()
        self.stopped.emit(self._trainer.stopped.message)

    def _tick_running(self):
        pacer = self._pacer
        wait = pacer.ack_wait()
        if wait > 0:
            # frame_shown() reschedules; this timer only guards against a lost reply.
            self._schedule(wait * 1000.0 + 1)
            return
        done = self._train(pacer.steps_wanted(), pacer.chunk_budget())
        if self._stop.is_set():
            return
        action, delay = pacer.after_chunk(done, self._trainer.step_count)
        if action == EMIT:
            self._emit_frame(delay)
        elif action == WAIT:
            self._schedule(delay * 1000.0)
        else:
            self._schedule(0)

    def _emit_frame(self, delay):
        """Emit a snapshot while running, then wait for frame_shown (or ``delay`` from now,
        if longer: the capture's time counts in it)."""
        decided = self._pacer.clock()
        self._emit_snapshot()
        self._pacer.frame_sent(delay, since=decided)
        self._schedule(ACK_TIMEOUT * 1000.0 + 1)

    def _train(self, n, budget=CHUNK_BUDGET) -> int:
        """Run up to ``n`` steps within ``budget`` seconds (a chunk); return how many ran."""
        trainer = self._trainer

        def step(m):
            return trainer.step(m)

        return self._pacer.train(step, n, budget, self._stop.is_set)

    def _emit_snapshot(self):
        pacer = self._pacer
        rate = pacer.steps_per_second() if self._running else 0.0
        sharpness = None
        if self._sharpness_wanted:  # (before the capture's clock: not part of its cost)
            self._sharpness_wanted = False
            sharpness = Sharpness.measure(self._trainer)
        pacer.capture_started()
        snap = Snapshot.capture(self._trainer, self._run, rate, self._running, self._last,
                                self._diagnosis, sharpness)
        pacer.capture_finished()
        self._last = snap
        self.snapshot.emit(snap)
