"""Lessons in the app: a side panel that plays a lesson step by step (text, locked controls,
views pointed at, predictions revealed against the run), and the menus that open and write
lesson files. The format and its checks are :mod:`core.lessons`.

- :mod:`gui.lessons.actions`: :class:`Lessons`, installed by the main window (dock, menus,
  reading and writing files off the UI thread);
- :mod:`gui.lessons.player`: applies each step to the window and watches the run;
- :mod:`gui.lessons.progress`: where the learner is and what the step waits for (no Qt);
- :mod:`gui.lessons.panel`: the side panel's widgets; :mod:`gui.lessons.markdown`: a lesson's
  text as rich text; :mod:`gui.lessons.pointer`: the frame that points at a view;
  :mod:`gui.lessons.save_step`: the "Save as lesson step" dialog.
"""
from gui.lessons.actions import Lessons

__all__ = ["Lessons"]
