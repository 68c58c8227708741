"""Recording a run as a GIF, an MP4 or a PNG sequence (File → Record…).

- :mod:`gui.recording.writers`: the movie writers (Pillow, PyAV), no Qt;
- :mod:`gui.recording.recorder`: :class:`Recorder` grabs frames on the UI thread at the
  recording rate and an :class:`Encoder` in its own thread writes them;
- :mod:`gui.recording.dialog`: :class:`RecordDialog`, what to record, how, and the progress.
"""
from gui.recording.recorder import Encoder, Recorder
from gui.recording.writers import FORMATS

__all__ = ["FORMATS", "Encoder", "Recorder"]
