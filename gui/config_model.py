"""The configuration the window shows and trains with: one owner of "what is set now".

A panel proposes the fields it owns; the model makes the new :class:`~core.config.Config`
(``Config.replace`` re-chooses what depends on a change, such as the loss's output activation)
and announces it once. Panels show it, the training controller trains with it, and the status
bar says what changed; nobody carries a config from one panel to another::

    panel.changed -> model.propose(panel.values()) -> model.changed(new, old)
        -> every panel.set_config(new), controller.apply_config(new), status text
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from core import activations, losses, optimizers
from core.config import Config, ConfigError
from core.trainer import DATA_FIELDS, LIVE_FIELDS
from gui.names import dataset_words

# What each setting is called when a change is described.
_FIELD_NAMES = {
    "hidden_layers": "hidden layers", "activation": "hidden activation",
    "output_activation": "output activation", "loss": "loss", "init": "initialization",
    "features": "input features", "signed_targets": "targets −1/+1",
    "learning_rate": "learning rate", "optimizer": "optimizer", "batch_size": "batch size",
    "regularization": "regularization", "reg_rate": "regularization rate λ",
    "momentum": "momentum", "beta1": "β₁", "beta2": "β₂", "rho": "ρ", "epsilon": "ε",
    "classic_mistake": "the classic mistake (the loss in place of its derivative)",
    "lr_schedule": "schedule", "warmup_steps": "warm-up steps", "decay_steps": "decay steps D",
    "decay_rate": "decay factor γ", "min_lr_fraction": "cosine floor η_min/η",
    "max_epochs": "stop after epochs", "max_steps": "stop after steps",
    "patience": "early-stopping patience", "min_delta": "early-stopping min Δ",
    "restore_best_weights": "restore best weights", "target_cost": "target cost",
}


#: Fields whose values are registry names: a person reads their display names.
_DISPLAY = {"dataset": dataset_words,
            "loss": lambda name: losses.get(name).display_name,
            "activation": lambda name: activations.get(name).display_name,
            "output_activation": lambda name: activations.get(name).display_name,
            "optimizer": lambda name: optimizers.optimizer_class(name).display_name}


def _show_field(field, value) -> str:
    """A setting's value as a person reads it (display names, never code names)."""
    try:
        return _DISPLAY[field](value) if field in _DISPLAY else _show(value)
    except (KeyError, ValueError):
        return _show(value)


def _show(value) -> str:
    if value is None:
        return "off"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(str(v) for v in value) + ")" if value else "none"
    return str(value)


def describe_change(old: Config, new: Config) -> tuple[str, bool]:
    """What changed from ``old`` to ``new``, as a learner reads it, and whether it resets.

    It resets exactly when the trainer rebuilds: when anything outside ``LIVE_FIELDS`` changed.
    """
    changed = [f for f in new.to_dict() if getattr(old, f) != getattr(new, f)]
    if not set(changed) <= LIVE_FIELDS:
        if any(f in DATA_FIELDS for f in changed):
            what = (f"New data ({dataset_words(new.dataset, new.data_path)})"
                    if old.dataset != new.dataset else "New data")
            return f"{what}: the weights were re-initialized.", True
        parts = ", ".join(f"{_FIELD_NAMES.get(f, f)} {_show_field(f, getattr(old, f))} → "
                          f"{_show_field(f, getattr(new, f))}" for f in changed
                          if f not in LIVE_FIELDS)
        return f"Network changed ({parts}): the weights were re-initialized.", True
    parts = ", ".join(f"{_FIELD_NAMES.get(f, f)} {_show_field(f, getattr(old, f))} → "
                      f"{_show_field(f, getattr(new, f))}" for f in changed)
    return (f"{parts[:1].upper() + parts[1:]}: applied live; training continues from the "
            f"current weights.", False)


#: The usual short names of the losses with long names, for the toolbar's shorter summaries.
SHORT_LOSS_NAMES = {"me": "ME", "mse": "MSE", "mae": "MAE", "rmse": "RMSE", "msle": "MSLE",
                    "bce": "BCE", "cce": "CCE", "sparse_cce": "sparse CCE", "kl_div": "KL"}


def summary_text(config, layer_sizes) -> str:
    """One line saying what trains, e.g. ``2 → 4 → 1  ·  Tanh → Sigmoid  ·  Binary
    cross-entropy  ·  SGD η = 0.03``."""
    return summary_forms(config, layer_sizes)[0]


def summary_forms(config, layer_sizes) -> list[str]:
    """:func:`summary_text`, then two shorter forms of it for a narrow toolbar: the loss by its
    short name (BCE, MSE) and single spaces, then only the layer sizes, the loss and the
    optimizer (the activations are in the controls column and the diagram)."""
    hidden = activations.get(config.activation).display_name
    output = activations.get(config.output_activation).display_name
    optimizer = optimizers.optimizer_class(config.optimizer).display_name
    loss = losses.get(config.loss).display_name
    short_loss = SHORT_LOSS_NAMES.get(config.loss, loss)
    reg = "" if config.regularization == "none" else \
        f" + {config.regularization.upper()} λ = {config.reg_rate:g}"
    sizes = " → ".join(str(n) for n in layer_sizes)
    step = f"{optimizer} η = {config.learning_rate:g}"
    mistake = " (⚠ the classic mistake)" if config.classic_mistake else ""
    short_mistake = " ⚠ classic mistake" if config.classic_mistake else ""
    return [f"{sizes}  ·  {hidden} → {output}  ·  {loss}{mistake}{reg}  ·  {step}",
            f"{sizes} · {hidden} → {output} · {short_loss}{short_mistake}{reg} · {step}",
            f"{sizes} · {short_loss}{' ⚠' if config.classic_mistake else ''} · {step}"]


class ConfigModel(QObject):
    """Holds the current :class:`Config` and turns proposed changes into new configs.

    Signals
    -------
    changed(Config, Config, bool)
        The new config, the one before, and whether the trainer must be told (False when it
        already trains with it, see :meth:`adopt`); emitted once per accepted change.
    refused(str)
        A proposed change does not make a valid config; nothing changed. The text says why.
    """

    changed = Signal(object, object, bool)
    refused = Signal(str)

    def __init__(self, config=None, parent=None):
        super().__init__(parent)
        self._config = config if config is not None else Config()

    @property
    def config(self) -> Config:
        return self._config

    def propose(self, values: dict) -> Config | None:
        """Change the fields in ``values`` that differ from the current config.

        Returns the new config, or None when nothing changed or the change was refused.
        """
        changes = {k: v for k, v in values.items() if getattr(self._config, k) != v}
        if not changes:
            return None
        try:
            config = self._config.replace(**changes)
        except ConfigError as err:
            self.refused.emit(str(err))
            return None
        self._set(config)
        return config

    def set(self, config: Config):
        """Show ``config`` and train with it (a preset, drawn points, a lesson step)."""
        self._set(config)

    def adopt(self, config: Config):
        """Show ``config``, which the trainer already trains with (an opened experiment, an
        imported file, a change the trainer refused)."""
        self._set(config, train=False)

    def _set(self, config, train=True):
        old, self._config = self._config, config
        if old != config or not train:
            self.changed.emit(config, old, train)
