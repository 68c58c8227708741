"""Plots of the main window: one view per module, each fed Snapshots."""
