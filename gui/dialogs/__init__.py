"""Dialogs and the File menu: importing a CSV file, opening, saving and exporting experiments."""
