"""The UI thread's handle on the training worker: requests queued, snapshots coalesced.

Every method of :class:`TrainingController` only queues a request to the
:class:`~gui.threads.worker.TrainingWorker` in its own thread, so none of them blocks the UI;
the worker's answers come back as signals in the UI thread.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from gui.threads.parking import SHUTDOWN_WAIT_MS, park, release_finished
from gui.threads.worker import TrainingWorker


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
    stopped = Signal(str)
    error = Signal(str)
    experiment_saved = Signal(str, object, object, object)
    experiment_opened = Signal(str, object, object, object)
    run_opened = Signal(str, object, str)
    history_exported = Signal(str)
    file_error = Signal(str, str, str)
    #: The next step traced (a gui.threads.tracing.TracedStep), after trace_step().
    step_traced = Signal(object)
    weights_moved = Signal(object, object, object)

    # Requests, queued to the worker thread.
    _request_running = Signal(bool)
    _request_step = Signal(object)
    _request_reset = Signal()
    _request_config = Signal(object, object)
    _request_speed = Signal(object)
    _request_shutdown = Signal()
    _report_frame_shown = Signal()
    _request_save = Signal(str)
    _request_open = Signal(str)
    _request_open_run = Signal(str, object)
    _request_export_history = Signal(str)
    _request_trace = Signal()
    _request_apply_traced = Signal(object)
    _request_move = Signal(object, object, object, object)
    _request_sharpness = Signal()

    def __init__(self, config, data=None, parent=None):
        super().__init__(parent)
        self._config = config
        self._running = False
        self._latest = None
        self._flush_queued = False
        self._stopping = False
        #: When True, whoever draws the views calls frame_shown() after they are painted (the
        #: main window does, after its next repaint); otherwise the controller reports the
        #: frame shown as soon as the views have taken it.
        self.defer_frame_ack = False
        # Zero-interval timers owned by this controller, not QTimer.singleShot(0, self, bound
        # method): PySide6 6.11 never frees a bound method left pending that way when its
        # context is deleted first, and it held the whole closed window with its run.
        self._flush_timer = _zero_timer(self, self._flush_snapshot)
        self._ack_timer = _zero_timer(self, self.frame_shown)
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
        self._request_open_run.connect(w.open_run)
        self._request_export_history.connect(w.export_history)
        self._request_trace.connect(w.trace_step)
        self._request_apply_traced.connect(w.apply_traced_step)
        self._request_move.connect(w.move_weights)
        self._request_sharpness.connect(w.measure_sharpness)
        w.weights_moved.connect(self.weights_moved)
        w.snapshot.connect(self._on_worker_snapshot)
        w.running_changed.connect(self._on_worker_running_changed)
        w.config_applied.connect(self._on_worker_config_applied)
        w.diverged.connect(self.diverged)
        w.stopped.connect(self.stopped)
        w.error.connect(self.error)
        w.experiment_saved.connect(self.experiment_saved)
        w.experiment_opened.connect(self.experiment_opened)
        w.run_opened.connect(self.run_opened)
        w.history_exported.connect(self.history_exported)
        w.file_error.connect(self.file_error)
        w.step_traced.connect(self.step_traced)
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

    def open_run(self, path, build):
        """Replace the run by ``build()``'s ``(trainer, note)``, called in the worker thread
        (it may read files); ``run_opened`` (then ``config_applied`` and a snapshot) or
        ``file_error("open", path, reason)`` answers. On failure nothing changes."""
        self._request_open_run.emit(os.fspath(path), build)

    def export_history(self, path):
        """Write the cost history to CSV file ``path``; ``history_exported`` or ``file_error``."""
        self._request_export_history.emit(os.fspath(path))

    def trace_step(self):
        """Trace the next training step stage by stage; ``step_traced`` answers."""
        self._request_trace.emit()

    def apply_traced_step(self, traced):
        """Pause and take exactly the step ``traced`` (from ``step_traced``); a snapshot follows,
        or, when the run has moved on since, ``step_traced`` with the step that is next now."""
        self._request_apply_traced.emit(traced)

    def move_weights(self, params, run, token, optimizer_state=None):
        """Move the weights of run ``run`` to ``params``; ``weights_moved(token, before,
        optimizer state before)`` answers (None, None when refused). See
        :meth:`TrainingWorker.move_weights`."""
        self._request_move.emit(params, run, token, optimizer_state)

    def measure_sharpness(self):
        """Ask for the sharpness with the next snapshot (``snapshot.sharpness``; at once when
        paused). See :meth:`TrainingWorker.measure_sharpness`."""
        self._request_sharpness.emit()

    def frame_shown(self):
        """Tell the worker the last snapshot is on screen, so it may train on (see module doc)."""
        self._report_frame_shown.emit()

    def is_alive(self) -> bool:
        return self._thread.isRunning()

    def shutdown(self, timeout_ms=SHUTDOWN_WAIT_MS) -> bool:
        """Stop training and end the thread; True when it ended within ``timeout_ms``. Queued
        requests are dropped (saving and exporting excepted); a thread still busy after
        ``timeout_ms`` ends on its own (gui/threads/parking.py). Idempotent."""
        if self._thread.isRunning():
            if not self._stopping:
                self._stopping = True
                self._worker.request_stop()
                self._request_shutdown.emit()
            if not self._thread.wait(timeout_ms):
                park(self._thread, self._worker)
                return False
        release_finished()  # an earlier call with a shorter wait may have parked this thread
        return True

    # ------------------------------------------------------------ from the worker
    @Slot(object)
    def _on_worker_snapshot(self, snap):
        self._latest = snap
        if not self._flush_queued:
            self._flush_queued = True
            self._flush_timer.start()  # dropped, not fired, once this controller is deleted

    @Slot()
    def _flush_snapshot(self):
        self._flush_queued = False
        if self._latest is not None:
            self.snapshot.emit(self._latest)
        if not self.defer_frame_ack:
            self._ack_timer.start()

    @Slot(bool)
    def _on_worker_running_changed(self, running):
        self._running = running
        self.running_changed.emit(running)

    @Slot(object, bool)
    def _on_worker_config_applied(self, config, reset):
        self._config = config
        self.config_applied.emit(config, reset)


def _zero_timer(owner, slot):
    """A single-shot zero-interval QTimer child of ``owner`` that calls ``slot``."""
    timer = QTimer(owner)
    timer.setSingleShot(True)
    timer.setInterval(0)
    timer.timeout.connect(slot)
    return timer
