"""The views: one package per view, each a pure model, a scene that paints and a widget that wires.

A view is a widget with ``show_snapshot(snapshot)``; it may have ``bind(selection)`` (to observe or
write the shared :class:`gui.selection.Selection`) and ``shutdown()`` (to stop threads of its own).
Views never import each other or the dialogs.
"""
