"""The learning-rate schedule and the stopping rules of a generated script (sections 7 and 8).

:func:`schedule_code` writes ``learning_rate(k)``, the rate of update k = 0, 1, ...: the same
float operations in the same order as :meth:`core.schedules.Schedule.rate`, so a scheduled run
is repeated exactly. :func:`stopping_code` writes the constants and the lines of the training
loop that end it as :meth:`core.trainer.Trainer.step` would: after N epochs or steps, when the
test cost has not improved for ``PATIENCE`` epochs (going back to the best weights if asked),
when the training cost reaches a target.
"""
from __future__ import annotations

from core.codegen.text import code, constant
from core.schedules import SCHEDULES, Schedule

#: Rows the app's cost history holds before it thins out (the target cost is checked when it
#: records a row, as in the app). ``Trainer``'s default ``history_capacity``.
HISTORY_CAPACITY = 2000

_DECAY = {
    "constant": "return LEARNING_RATE",
    "step": "return LEARNING_RATE * DECAY_RATE ** (d // DECAY_STEPS)   # × γ every D steps",
    "exponential": "return LEARNING_RATE * DECAY_RATE ** (d / DECAY_STEPS)   # × γ per D steps",
    "cosine": ("low = MIN_LR_FRACTION * LEARNING_RATE   # η_min, where the cosine ends\n"
               "cosine = math.cos(math.pi * min(d, DECAY_STEPS) / DECAY_STEPS)   # 1 down to −1\n"
               "return low + (LEARNING_RATE - low) * (1.0 + cosine) / 2.0"),
}


def is_scheduled(config) -> bool:
    """Whether the run's learning rate changes over the steps (else every update uses η)."""
    return not Schedule.from_config(config).is_constant


def schedule_code(config) -> str:
    """Constants and ``learning_rate(k)`` for ``config``'s schedule ("" when constant)."""
    if not is_scheduled(config):
        return ""
    name = config.lr_schedule
    lines = []
    if config.warmup_steps:
        lines.append(constant("WARMUP_STEPS", config.warmup_steps,
                              "W: the rate rises linearly over the first W updates"))
    if name != "constant":
        lines.append(constant("DECAY_STEPS", config.decay_steps, {
            "step": "D: steps between two drops of the rate",
            "exponential": "D: steps over which the rate shrinks by a factor γ",
            "cosine": "D: steps from η down to η_min"}[name]))
    if name in ("step", "exponential"):
        lines.append(constant("DECAY_RATE", float(config.decay_rate), "γ: the factor"))
    if name == "cosine":
        lines.append(constant("MIN_LR_FRACTION", float(config.min_lr_fraction),
                              "η_min / η: where the cosine ends"))
    body = []
    if config.warmup_steps:
        body += ["if k < WARMUP_STEPS:   # warm-up: η·(k + 1)/W, a straight line up to η",
                 "    return LEARNING_RATE * (k + 1) / WARMUP_STEPS",
                 "d = k - WARMUP_STEPS   # steps since the warm-up ended"]
    else:
        body.append("d = k   # steps so far")
    if name == "constant":
        body.pop()  # after the warm-up the rate is η: no d needed
    body += _DECAY[name].split("\n")
    what = SCHEDULES[name].lower() + (f" after a {config.warmup_steps}-step warm-up"
                                      if config.warmup_steps else "")
    function = "\n".join(
        ["def learning_rate(k):",
         '    """The learning rate of update k (k = 0, 1, ...: the updates already made),',
         f'    {what}."""']
        + ["    " + line for line in body])
    return "\n".join(lines) + "\n\n\n" + function


def rate_expression(config) -> str:
    """What the loop passes to ``update`` as this update's rate (the loop's step is t = k + 1)."""
    return "learning_rate(t - 1)" if is_scheduled(config) else "LEARNING_RATE"


# --------------------------------------------------------------------------- stopping
def has_rules(config) -> bool:
    return any(getattr(config, name) is not None
               for name in ("max_epochs", "max_steps", "patience", "target_cost"))


def stopping_constants(config, with_test) -> str:
    """The stopping rules' settings, one constant each ("" when the run has none)."""
    out = []
    if config.max_epochs is not None:
        out.append(constant("MAX_EPOCHS", config.max_epochs,
                            "stop once this many passes over the training data are complete"))
    if config.max_steps is not None:
        out.append(constant("MAX_STEPS", config.max_steps, "stop once this many updates are made"))
    if config.patience is not None and with_test:
        out += [constant("PATIENCE", config.patience, "early stopping: epochs without a better "
                         "test cost before stopping"),
                constant("MIN_DELTA", float(config.min_delta),
                         "the least fall of the test cost that counts as better"),
                constant("RESTORE_BEST_WEIGHTS", config.restore_best_weights,
                         "go back to the weights of the best test cost when stopping")]
    if config.target_cost is not None:
        out.append(constant("TARGET_COST", float(config.target_cost),
                            "stop once the training cost is at or below this"))
    return "\n".join(out)


def records_code() -> str:
    """``history_records(t)``: the steps at which the app's history takes a row (when it checks
    the target cost), as :class:`core.history.DecimatedLog` decides."""
    n = HISTORY_CAPACITY
    return code(f'''
        def history_records(t):
            """Whether the app records the costs at step t (and checks the target cost there):
            every step up to {n:,}, then every 2nd step up to {2 * n:,}, every 4th up to {4 * n:,},
            and so on (its cost history keeps at most {n:,} rows)."""
            stride = 1
            while t > {n} * stride:
                stride *= 2
            return t % stride == 0
    ''')


def early_stopping_state() -> str:
    return ("best_cost, best_epoch, best_params, worse_epochs = math.inf, 0, None, 0   "
            "# early stopping")


def stopping_checks(config, with_test) -> str:
    """The lines at the end of the loop's body that stop it, in the app's order: the target
    cost, early stopping (at the end of an epoch), then the epoch and step limits."""
    lines = ["epoch_over = position >= n_train   # this step took the epoch's last batch"]
    if config.max_epochs is not None or (config.patience is not None and with_test):
        lines.append("epochs_done = epoch + epoch_over   # passes over the training data "
                     "completed")
    if config.target_cost is not None:
        lines += ["if (history_records(t) or epoch_over) and "
                  "total_cost(X_train, y_train) <= TARGET_COST:",
                  '    print(f"step {t:6d}   stopped: the training cost reached TARGET_COST")',
                  "    break"]
    if config.patience is not None and with_test:
        lines += ["if epoch_over:   # early stopping looks at the test cost after every epoch",
                  "    test_cost = total_cost(X_test, y_test)",
                  "    if test_cost < best_cost - MIN_DELTA:",
                  "        best_cost, best_epoch, worse_epochs = test_cost, epochs_done, 0",
                  "        best_params = [theta.copy() for theta in params]",
                  "    else:",
                  "        worse_epochs += 1",
                  "        if worse_epochs >= PATIENCE:",
                  '            print(f"step {t:6d}   stopped early: no better test cost for '
                  '{PATIENCE} epochs"',
                  '                  f" (best {best_cost:.6f} after epoch {best_epoch})")',
                  "            if RESTORE_BEST_WEIGHTS and best_params is not None:",
                  "                for theta, best in zip(params, best_params):",
                  "                    theta[...] = best   # in place: Ws and bs change too",
                  "            break"]
    if config.max_epochs is not None:
        lines += ["if epochs_done >= MAX_EPOCHS:",
                  '    print(f"step {t:6d}   stopped: {epochs_done} epochs done")',
                  "    break"]
    if config.max_steps is not None:
        lines += ["if t >= MAX_STEPS:",
                  '    print(f"step {t:6d}   stopped: MAX_STEPS updates made")',
                  "    break"]
    return "\n".join(lines)


def left_out(config, with_test) -> str:
    """A comment for a rule the script cannot repeat ("" when there is none)."""
    if config.patience is not None and not with_test:
        return (f"# The app also stops this run early on its test cost (patience "
                f"{config.patience}); the test examples are not in this script (too many to\n"
                f"# write out), so the script leaves that rule out and may train longer.")
    return ""
