"""Why the run is not learning, said in the banner: the root cause with its evidence and what to
try, live, as the worker's diagnosis (``Snapshot.findings``, from :mod:`core.diagnostics`)
changes.

The diagnosis never pushes another message aside (an error, a stopping rule, a preset's
description): it waits until the banner is free. When the learner closes it, it stays away
until something new is found or a new run starts; when the run recovers, it goes by itself.
"""
from __future__ import annotations

import html

from PySide6.QtCore import QObject, Slot

TAG = "diagnosis"


def message_html(findings) -> str:
    """The banner's text (rich text): the first finding in full, the others by title."""
    first, rest = findings[0], findings[1:]
    text = (f"<b>Why it is not learning: {html.escape(first.title)}.</b> "
            f"{html.escape(first.evidence)} <b>Try:</b> {html.escape(first.suggestion)}")
    if rest:
        titles = "; ".join(html.escape(f.title) for f in rest)
        text += f"<br><i>Also found: {titles} (hover for the details).</i>"
    return text


def message_tooltip(findings) -> str:
    """Every finding in full, one paragraph each (the banner's tooltip)."""
    return "\n\n".join(f"{f.title}: {f.evidence}\nTry: {f.suggestion}" for f in findings)


class DiagnosisBanner(QObject):
    """Shows ``Snapshot.findings`` in ``window.message_bar`` (a MainWindow with ``controller``)."""

    def __init__(self, window):
        super().__init__(window)
        self.bar = window.message_bar
        self._run = None
        self._dismissed = frozenset()  # kinds the learner closed the message on
        self._shown = frozenset()
        self.bar.banner.closed.connect(self._on_banner_closed)
        window.controller.snapshot.connect(self.show_snapshot)

    @property
    def showing(self) -> bool:
        """Whether the banner shows the diagnosis now."""
        banner = self.bar.banner
        return banner.tag == TAG and banner.isVisible()

    @Slot(object)
    def show_snapshot(self, snap):
        if snap.run != self._run:
            self._run, self._dismissed = snap.run, frozenset()
        findings = snap.findings
        kinds = frozenset(f.kind for f in findings)
        if not findings:
            self._dismissed = frozenset()
            if self.showing:
                self.bar.clear_message()
            return
        if kinds <= self._dismissed:
            return
        banner = self.bar.banner
        if banner.isVisible() and banner.tag != TAG:
            return  # another message has the banner: wait
        text = message_html(findings)
        if not self.showing or banner.label.text() != text:
            self._shown = kinds
            self.bar.show_message(text, "warning", tag=TAG, tooltip=message_tooltip(findings))

    @Slot()
    def _on_banner_closed(self):
        if self.bar.banner.tag == TAG:
            self._dismissed = self._shown
