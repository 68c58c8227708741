"""Recording the cost history a batch of steps at a time.

Scoring the weights of one step on the whole training and test sets is a forward pass over
every example; for a small network numpy's per-call overhead is a large part of it. So the
trainer keeps the weights and gradient of each step whose history row is due
(:class:`Recorder`) and scores up to :data:`BATCH` of them in one stacked pass
(:meth:`core.metrics.RunScorer.score_stack`), which gives each row exactly the floats scoring
it alone gives. The rows reach the history before anyone can read it: ``Trainer.step`` flushes
before it returns (or raises), a stopping rule that needs this step's costs flushes first, and
a row that would thin the history out (and so change which steps are due) is flushed at once.
"""
from __future__ import annotations

import numpy as np

from core import diagnostics, divergence
from core.history import HISTORY_FIELDS

#: Most steps scored in one pass.
BATCH = 32
#: Most values one pass's widest layer or the kept weights may hold (2 MB each): a big network
#: or data set scores fewer steps at once, down to one.
BATCH_VALUES = 2 ** 18

_COLUMN = {key: i for i, key in enumerate(HISTORY_FIELDS)}


class Recorder:
    """The steps of one run whose history rows are due but not yet scored.

    Parameters
    ----------
    network : Network
        The run's network (its architecture sizes the buffers).
    n_examples : int
        Training and test examples together (what one step's scoring runs over).
    """

    def __init__(self, network, n_examples):
        widest = max(network.layer_sizes)
        self.size = max(1, min(BATCH, BATCH_VALUES // (n_examples * widest),
                               BATCH_VALUES // network.n_params))
        self._params = np.empty((self.size, network.n_params))
        self._grads = np.empty((self.size, network.n_params))
        self._steps = np.empty(self.size, dtype=np.int64)
        self._updated = np.empty(self.size, dtype=bool)  # False: no update led here (step 0)
        self._count = 0
        #: ``(step, scores)`` of the newest row flushed: ``scores`` as ``RunScorer.score``
        #: gives them (floats, no reports).
        self.last = None
        self._newest = None  # (scorer, params, l1, l2, one-row stack) of the newest row

    def __len__(self):
        return self._count

    def add(self, step, params, grad):
        """Keep ``step``'s weights and the gradient of the update that led to them (None at
        step 0: its norms are NaN)."""
        i = self._count
        self._steps[i] = step
        self._params[i] = params
        self._updated[i] = grad is not None
        self._grads[i] = np.nan if grad is None else grad
        self._count = i + 1

    def scored(self, scorer, params, l1, l2):
        """The scores ``scorer.score_stack`` gave the newest row flushed (one row, with its
        confusion matrices), if that row's weights are ``params`` (bit for bit) and it was
        scored by ``scorer`` with the rates ``l1`` and ``l2``; else None.

        Scoring the weights again would give the very same floats: a trainer reads its
        current scores from here after a step that took a row (every frame of the app asks
        for them, a forward pass over all the examples saved)."""
        newest = self._newest
        if (newest is None or newest[0] is not scorer or newest[2] != l1 or newest[3] != l2
                or not np.array_equal(newest[1], params)):
            return None
        return newest[4]

    def flush(self, trainer):
        """Score the kept steps and append their rows to ``trainer``'s history and gradient
        norms.

        Raises
        ------
        DivergenceError
            When a loss with no minimum ran away at a step after an update (such a run keeps
            one step at a time, so it is the newest).
        """
        m = self._count
        if not m:
            return
        self._count = 0
        steps, params, grads = self._steps[:m], self._params[:m], self._grads[:m]
        scores = trainer._scorer.score_stack(trainer.network, params, trainer.l1, trainer.l2)
        rows = np.full((m, len(HISTORY_FIELDS)), np.nan)
        for key, values in scores.items():
            column = _COLUMN.get(key)
            if column is not None:
                rows[:, column] = values
        rows[:, _COLUMN["step"]] = steps
        rows[:, _COLUMN["epoch"]] = steps / trainer.steps_per_epoch
        schedule = trainer.schedule
        rows[:, _COLUMN["learning_rate"]] = (
            schedule.rate(0) if schedule.is_constant
            else [schedule.rate(int(step)) for step in steps])
        norms = diagnostics.layer_gradient_norms(grads, trainer.network.layout)
        trainer.history.extend(rows)
        trainer.gradient_norms.extend(np.hstack([steps[:, None], norms]))
        self.last = int(steps[-1]), {key: float(values[-1]) for key, values in scores.items()
                                     if key != "confusion"}
        self._newest = (trainer._scorer, params[-1].copy(), trainer.l1, trainer.l2,
                        {key: values[-1:].copy() for key, values in scores.items()})
        # Only after an update: the weights a run starts from (fresh, or opened from a file)
        # are shown as they are; it is training on that must stop.
        losses = scores["train_loss"]
        ran_away = np.flatnonzero((losses < trainer._cost_floor) & self._updated[:m])
        if len(ran_away):
            raise divergence.runaway(trainer, float(losses[ran_away[0]]))
