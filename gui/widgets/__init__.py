"""Small widgets shared by panels, views and dialogs: :mod:`~gui.widgets.controls` (a compact
combo box, spin boxes that clamp what is typed), :mod:`~gui.widgets.labels` (formula and note
labels, :class:`~gui.widgets.labels.FixedLabel`) and :mod:`~gui.widgets.function_plot`."""
