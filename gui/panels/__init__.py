"""The control panels of the left column: one per concept, each a :class:`~gui.panels.base.Panel`.

Every panel has ``changed = Signal()`` (any user change), ``values() -> dict`` (the Config
fields it owns) and ``set_config(config)`` (shows a config, emits nothing). Panels never talk to
each other, nor import each other; the main window wires them. What they share lives in
:mod:`gui.panels.base` (the base class), :mod:`gui.panels.output_reasons` (why the output layer
uses its activation) and :mod:`gui.widgets`.

>>> from gui.panels import ALL_PANELS          # doctest: +SKIP
>>> panels = [cls() for cls in ALL_PANELS]      # Data, ..., Optimizer, Schedule and stopping
"""
from gui.panels.activation_panel import ActivationPanel
from gui.panels.data_panel import DataPanel
from gui.panels.loss_panel import LossPanel
from gui.panels.network_panel import NetworkPanel
from gui.panels.optimizer_panel import OptimizerPanel
from gui.panels.schedule_panel import SchedulePanel

#: In the order of the left column.
ALL_PANELS = (DataPanel, NetworkPanel, ActivationPanel, LossPanel, OptimizerPanel, SchedulePanel)

__all__ = ["ALL_PANELS", "DataPanel", "NetworkPanel", "ActivationPanel", "LossPanel",
           "OptimizerPanel", "SchedulePanel"]
