"""A generated script, put together: its header, then sections 1 to 8."""
from __future__ import annotations

from core import activations, datasets, features, initializers, optimizers, schedules
from core.codegen import rules
from core.codegen.data import data_section
from core.codegen.model import forward_section, weights_section
from core.codegen.plan import Plan
from core.codegen.text import code
from core.codegen.training import backprop_section, cost_sections, loop_section, update_section
from core.config import Config


def _header(run: Plan, imports=("numpy as np",)) -> str:
    cfg, data = run.config, run.data
    opt = optimizers.optimizer_class(cfg.optimizer)
    settings = ", ".join(f"{key} {getattr(cfg, key):g}" for key in opt.defaults)
    source = "custom data" if run.custom else datasets.display_name(data.name)
    reg = ("none" if run.regularization == "none"
           else f"{run.regularization.upper()}, rate {cfg.reg_rate:g}")
    hidden = (f"hidden activation {activations.get(cfg.activation).display_name}, "
              if run.hidden else "no hidden layer, ")
    extra = _schedule_line(cfg) + _stopping_line(cfg)
    inputs = ("" if not run.features else
              "\n            inputs      the input features "
              + ", ".join(features.label(name) for name in run.features)
              + ", computed from the raw inputs")
    targets = " on the targets −1/+1" if cfg.signed_targets else ""
    mistake = ("\n            backprop    WITH THE CLASSIC MISTAKE: it starts from the loss, not its "
               "derivative (section 5)" if run.mistake else "")
    return code(f'''
        """Costscape: the code behind the run.

        This script repeats one training run of the app with numpy alone, step by step:

            data        {source} ({len(data.X_train)} training examples, {data.n_features} input{"s" if data.n_features > 1 else ""}, {data.task}){inputs}
            network     {" → ".join(map(str, run.sizes))}, {hidden}output {activations.get(run.output).display_name}
            cost        {run.loss.display_name}{targets}, regularization: {reg}{mistake}
            optimizer   {opt.display_name}, learning rate {cfg.learning_rate:g}{", " + settings if settings else ""}, batch size {cfg.batch_size}{extra}
            weights     {initializers.INIT_DESCRIPTIONS[cfg.init].split(":")[0]}, seed {cfg.seed}

        The cost function is in section 4 and its derivative, where backpropagation starts, in
        section 5. Run it with `python <this file>`: it prints the cost on the training data as it
        trains, and the same numbers as the app.
        """
    ''') + "".join(f"\nimport {module}" for module in imports)


def _schedule_line(cfg) -> str:
    if not rules.is_scheduled(cfg):
        return ""
    parts = [schedules.SCHEDULES[cfg.lr_schedule].lower()]
    if cfg.warmup_steps:
        parts.append(f"warm-up {cfg.warmup_steps} steps")
    if cfg.lr_schedule != "constant":
        parts.append(f"D = {cfg.decay_steps}")
    if cfg.lr_schedule in ("step", "exponential"):
        parts.append(f"γ = {cfg.decay_rate:g}")
    if cfg.lr_schedule == "cosine":
        parts.append(f"η_min = {cfg.min_lr_fraction:g}·η")
    return "\n            schedule    " + ", ".join(parts)


def _stopping_line(cfg) -> str:
    parts = []
    if cfg.max_epochs is not None:
        parts.append(f"after {cfg.max_epochs} epochs")
    if cfg.max_steps is not None:
        parts.append(f"after {cfg.max_steps} steps")
    if cfg.patience is not None:
        parts.append(f"early stopping (patience {cfg.patience})")
    if cfg.target_cost is not None:
        parts.append(f"at training cost <= {cfg.target_cost:g}")
    return "\n            stops       " + ", ".join(parts) if parts else ""


def generate_script(config: Config, data=None, steps=1000) -> str:
    """The text of a standalone numpy script that repeats the run ``config`` describes.

    Parameters
    ----------
    config : Config
    data : Dataset, optional
        The data the run trains on when it is not ``config``'s own (as for
        :class:`~core.trainer.Trainer`); always written into the script.
    steps : int >= 0
        Mini-batch updates the script runs.

    Returns
    -------
    str
        Python source that imports only numpy (and math when it generates a large built-in data
        set, follows a cosine schedule or stops early), prints the training cost every ``steps // 10`` steps and ends with
        ``final train cost: <repr>``: after ``n`` steps, the value of
        ``Trainer(config).step(n); metrics()["train_cost"]``. The learning rate follows the
        config's schedule, and the config's stopping rules end the loop where the trainer
        would stop (early stopping only when the test examples are in the script).

    Raises
    ------
    ValueError
        For an output activation PReLU or Maxout (the script shows them in hidden layers),
        input features the data cannot have, or a negative ``steps``.
    """
    run = Plan(config, data, steps)
    body = [data_section(run), weights_section(run), forward_section(run), *cost_sections(run),
            backprop_section(run), update_section(run), loop_section(run)]
    imports = (("math", "numpy as np") if any("math." in section for section in body)
               else ("numpy as np",))
    return "\n\n\n".join([_header(run, imports), *body]) + "\n"
