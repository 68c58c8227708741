"""Every thread of the app: the training worker, its frame pacing, and a latest-request runner.

- :mod:`gui.threads.worker`: :class:`TrainingWorker` (trains in its own thread);
  :mod:`gui.threads.controller`: :class:`TrainingController` (the UI thread's handle on it).
- :mod:`gui.threads.pacing`: :class:`FramePacer`, when to train and when to show a frame (pure,
  no Qt).
- :mod:`gui.threads.requests`: :class:`LatestRequestRunner`, runs a function off the UI thread
  where only the newest request is answered.
- :mod:`gui.threads.parking`: threads still busy after a shutdown are kept until they end.
"""
from gui.threads.pacing import FRAME, MAX_SNAPSHOT_RATE, MAX_SPEED, FramePacer
from gui.threads.parking import SHUTDOWN_WAIT_MS
from gui.threads.requests import LatestRequestRunner
from gui.threads.controller import TrainingController
from gui.threads.worker import TrainingWorker

__all__ = ["FRAME", "MAX_SNAPSHOT_RATE", "MAX_SPEED", "SHUTDOWN_WAIT_MS", "FramePacer",
           "LatestRequestRunner", "TrainingController", "TrainingWorker"]
