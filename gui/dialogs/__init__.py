"""Dialogs and windows beside the main window: the File menu's (importing a CSV file, opening,
saving and exporting experiments), the code behind the run, the gradient check, and About."""
