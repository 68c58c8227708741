"""Recording a run: frames grabbed on the UI thread at the recording rate, encoded off it.

:class:`Recorder` grabs a widget (the whole window or one view) with a precise timer, every
``1/fps`` seconds, converts the picture to a numpy array (a copy) and queues it to an
:class:`Encoder` that lives in a thread of its own, the way the training worker does
(gui/threads/worker.py): requests come in as queued signals, answers go out as signals, and
cancelling is a flag the encoder checks between frames. Grabbing is the only work the UI thread
does per frame (a few milliseconds for a view), so it keeps redrawing the views as training
goes on; scaling and encoding, the slow part, happen in the encoder's thread.

The picture's size is fixed by the first frame (scaled by ``scale``, rounded to even sides as
H.264 wants); later frames of another size (a resized window) are scaled to it.
"""
from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QObject, QThread, QTimer, Qt, Signal, Slot
from PySide6.QtGui import QImage

from gui.recording.writers import even_size, open_writer
from gui.threads.parking import SHUTDOWN_WAIT_MS, park

MAX_FPS, MAX_FRAMES = 60, 60 * 600


def image_array(image) -> np.ndarray:
    """A QImage as an ``(h, w, 3)`` uint8 RGB array (a copy)."""
    image = image.convertToFormat(QImage.Format_RGB888)
    width, height = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * height)
    return rows.reshape(height, image.bytesPerLine())[:, :width * 3].reshape(
        height, width, 3).copy()


class Encoder(QObject):
    """Writes the frames it is sent (in its own thread) with a movie writer.

    Signals
    -------
    encoded(int)
        Frames written so far.
    finished(str, int)
        The file is complete: path (for a PNG sequence, its first file) and frame count.
    failed(str)
        Why the file could not be written; nothing was left behind.
    done()
        :meth:`finish` is over (written, failed or cancelled): the thread may end.
    """

    encoded = Signal(int)
    finished = Signal(str, int)
    failed = Signal(str)
    done = Signal()  # after finish(), whatever happened: the thread may end

    def __init__(self, fmt, path, fps, size):
        super().__init__()
        self.fmt, self.path, self.fps, self.size = fmt, path, fps, size
        self._writer = None
        self._failed = False
        self.cancelled = threading.Event()

    @Slot(object)
    def add(self, frame):
        if self.cancelled.is_set() or self._failed:
            return
        try:
            if self._writer is None:
                self._writer = open_writer(self.fmt, self.path, self.fps, self.size)
            width, height = self.size
            if frame.shape[:2] != (height, width):
                from PIL import Image

                frame = np.asarray(Image.fromarray(frame, "RGB").resize(
                    (width, height), Image.Resampling.LANCZOS))
            self._writer.add(frame)
        except Exception as err:  # noqa: BLE001 - the user is told; nothing is left behind
            self._fail(err)
            return
        self.encoded.emit(self._writer.frames)

    @Slot()
    def finish(self):
        try:
            self._close()
        finally:
            self.done.emit()

    def _close(self):
        writer, self._writer = self._writer, None
        if self._failed:
            return
        if self.cancelled.is_set() or writer is None:
            if writer is not None:
                writer.abort()
            if not self.cancelled.is_set():
                self.failed.emit("no frame was recorded")
            return
        try:
            writer.close()
        except Exception as err:  # noqa: BLE001
            self._failed = True
            writer.abort()
            self.failed.emit(_reason(err))
            return
        first = writer.first_file() if hasattr(writer, "first_file") else self.path
        self.finished.emit(first, writer.frames)

    def _fail(self, err):
        self._failed = True
        if self._writer is not None:
            self._writer.abort()
            self._writer = None
        self.failed.emit(_reason(err))


def _reason(err) -> str:
    if isinstance(err, PermissionError):
        return "you may not write to that folder"
    if isinstance(err, OSError) and err.strerror:
        return f"the file could not be written ({err.strerror.lower()})"
    return f"{type(err).__name__}: {err}"


class Recorder(QObject):
    """Records ``frames`` frames of ``widget`` at ``fps`` into ``path`` (format ``fmt``, a key
    of :data:`gui.recording.writers.FORMATS`), ``scale`` times the widget's size.

    Signals
    -------
    progress(int, int, int)
        Frames grabbed, frames encoded, frames wanted.
    finished(str, int, object)
        Path of the file (a PNG sequence's first file), frame count and ``(width, height)``.
    failed(str)
        Why not; the partial file was removed.
    cancelled()
        :meth:`cancel` took effect; the partial file was removed.
    """

    progress = Signal(int, int, int)
    finished = Signal(str, int, object)
    failed = Signal(str)
    cancelled = Signal()
    _frame = Signal(object)
    _finish = Signal()

    def __init__(self, widget, fmt, path, fps, frames, scale=1.0, parent=None):
        super().__init__(parent)
        if not (1 <= fps <= MAX_FPS and 1 <= frames <= MAX_FRAMES and 0.1 <= scale <= 4):
            raise ValueError(f"fps 1 to {MAX_FPS}, 1 to {MAX_FRAMES} frames, scale 0.1 to 4")
        self.widget, self.fmt, self.path = widget, fmt, str(path)
        self.fps, self.total, self.scale = float(fps), int(frames), float(scale)
        self.grabbed = self.encoded = 0
        self.size = None
        self._grab_size = None
        self._thread = self._encoder = None
        self._done = False
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.setInterval(max(1, round(1000 / self.fps)))
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def active(self) -> bool:
        return self._thread is not None and not self._done

    def start(self):
        """Grab the first frame now and the others at the recording rate."""
        first = self.widget.grab().toImage()
        self._grab_size = first.size()
        self.size = even_size(first.width() * self.scale, first.height() * self.scale)
        self._thread = QThread()
        self._thread.setObjectName("costscape-recording")
        self._encoder = Encoder(self.fmt, self.path, self.fps, self.size)
        self._encoder.moveToThread(self._thread)
        self._frame.connect(self._encoder.add)
        self._finish.connect(self._encoder.finish)
        self._encoder.encoded.connect(self._on_encoder_encoded)
        self._encoder.finished.connect(self._on_encoder_finished)
        self._encoder.failed.connect(self._on_encoder_failed)
        # Direct: quit() is thread-safe, and the thread ends right after the last file work.
        self._encoder.done.connect(self._thread.quit, Qt.DirectConnection)
        self._thread.start()
        self._queue(first)
        if self.grabbed < self.total:
            self._timer.start()
        else:
            self._finish.emit()

    def cancel(self):
        """Stop grabbing, drop the frames not yet encoded and remove the partial file."""
        if self._thread is None or self._done:
            return
        self._timer.stop()
        self._encoder.cancelled.set()
        self._finish.emit()  # the encoder removes the partial file, then its thread ends
        self._done = True
        self.cancelled.emit()

    def shutdown(self, timeout_ms=SHUTDOWN_WAIT_MS):
        """Cancel and end the encoder's thread (the window is closing)."""
        self.cancel()
        if self._thread is not None and not self._thread.wait(timeout_ms):
            park(self._thread, self._encoder)

    # ------------------------------------------------------------------ grabbing
    @Slot()
    def _on_timer_timeout(self):
        self._queue(self.widget.grab().toImage())
        if self.grabbed >= self.total:
            self._timer.stop()
            self._finish.emit()

    def _queue(self, image):
        if image.size() != self._grab_size:  # resized while recording: keep the first size
            image = image.scaled(self._grab_size, Qt.IgnoreAspectRatio, Qt.SmoothTransformation)
        self._frame.emit(image_array(image))
        self.grabbed += 1
        self.progress.emit(self.grabbed, self.encoded, self.total)

    # ------------------------------------------------------------------ answers
    @Slot(int)
    def _on_encoder_encoded(self, count):
        self.encoded = count
        self.progress.emit(self.grabbed, count, self.total)

    @Slot(str, int)
    def _on_encoder_finished(self, path, frames):
        if not self._done:
            self._done = True
            self.finished.emit(path, frames, self.size)

    @Slot(str)
    def _on_encoder_failed(self, reason):
        if self._done:
            return
        self._done = True
        if self._timer.isActive():  # failed while grabbing: end the encoder's thread too
            self._timer.stop()
            self._finish.emit()
        self.failed.emit(reason)
