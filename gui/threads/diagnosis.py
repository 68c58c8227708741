"""When the training worker asks why the run is not learning: often enough to be live, rarely
enough not to slow training.

:func:`core.diagnostics.find` runs a forward pass over the training set and looks at the cost
history: cheap next to a snapshot, but not free. While training runs, :class:`Diagnosis`
diagnoses at most every ``INTERVAL`` seconds, and never spends more than ``BUDGET`` of the
time on it (a big network's diagnosis takes longer, so it runs less often); in between, the
snapshots carry the newest findings. A new run, or a snapshot while paused (after a step, a
reset, a change of settings, a stop), is diagnosed at once.
"""
from __future__ import annotations

import time

from gui.snapshot import diagnose

#: Seconds between two diagnoses while training runs, at least.
INTERVAL = 0.5
#: Largest share of the time the diagnosis may take while training runs.
BUDGET = 0.03


class Diagnosis:
    """The worker's diagnosis and when it is due. ``clock`` returns seconds (tests fake it)."""

    def __init__(self, clock=time.perf_counter):
        self.clock = clock
        self._run = None
        self._findings = ()
        self._next = 0.0
        self.count = 0  # diagnoses run (tests read it)

    def findings(self, trainer, gradient, run, running) -> tuple:
        """The findings for ``trainer`` now (``gradient``: its full-batch gradient), or the
        last ones while training runs and a new diagnosis is not yet due."""
        now = self.clock()
        if running and run == self._run and now < self._next:
            return self._findings
        self._findings = diagnose(trainer, gradient)
        took = self.clock() - now
        self._run, self._next = run, now + max(INTERVAL, took / BUDGET)
        self.count += 1
        return self._findings
