"""The main window's parts: run controls, status numbers, tools, menus, the docks' layout and
the diagnosis in the banner. Each installs itself on the window; gui/main_window.py only builds
and wires them."""
