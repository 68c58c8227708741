"""The main window's parts: run controls, status numbers, tools, menus and dock layout.

:mod:`gui.main_window` builds them and connects them; each part owns its widgets and actions.
"""
