"""Snapshots for views out of sight (gui/window/feed.py): fewer of them, the newest at once when
the view comes back, and every one for a view that asks for them."""
import time
from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

from gui.window import feed
from gui.window.feed import ViewFeed


def live(step):
    return SimpleNamespace(step=step, running=True)


class FakeView(QLabel):
    def __init__(self, every=False):
        super().__init__("view")
        self.shown, self.every = [], every

    def show_snapshot(self, snap):
        self.shown.append(snap)

    def wants_every_snapshot(self):
        return self.every


def window_with_two_tabs(qtbot, every=False):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(QLabel("centre"))
    views, feeds, docks = [], [], []
    for title in ("front", "behind"):
        view = FakeView(every)
        dock = QDockWidget(title, window)
        dock.setWidget(view)
        window.addDockWidget(Qt.RightDockWidgetArea, dock)
        views.append(view)
        docks.append(dock)
        feeds.append(ViewFeed(dock, view))
    window.tabifyDockWidget(docks[0], docks[1])
    docks[0].raise_()
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not docks[1].visibleRegion().isEmpty()
                    or not feeds[1]._in_sight)
    return window, views, feeds, docks


def test_a_view_behind_another_tab_gets_the_newest_snapshot_when_raised(qtbot, monkeypatch):
    monkeypatch.setattr(feed, "OUT_OF_SIGHT_S", 60.0)  # nothing comes by the clock here
    window, (front, behind), (front_feed, behind_feed), docks = window_with_two_tabs(qtbot)
    assert behind.isVisible()  # Qt's own word: "visible", though out of sight
    snaps = [live(step) for step in range(6)]
    for snap in snaps[:5]:
        front_feed.take(snap)
        behind_feed.take(snap)
    assert front.shown == snaps[:5]
    assert behind.shown == snaps[:1]  # the first, then none while out of sight
    docks[1].raise_()
    qtbot.waitUntil(lambda: behind.shown == [snaps[0], snaps[4]])  # the newest, at once
    behind_feed.take(snaps[5])
    assert behind.shown == [snaps[0], snaps[4], snaps[5]]


def test_a_view_out_of_sight_gets_every_snapshot_while_training_is_not_running(qtbot,
                                                                                monkeypatch):
    monkeypatch.setattr(feed, "OUT_OF_SIGHT_S", 60.0)
    window, (front, behind), (front_feed, behind_feed), docks = window_with_two_tabs(qtbot)
    stepped = [SimpleNamespace(step=step, running=False) for step in range(3)]
    for snap in stepped:
        behind_feed.take(snap)
    assert behind.shown == stepped


def test_a_view_out_of_sight_is_never_longer_behind_than_the_limit(qtbot, monkeypatch):
    monkeypatch.setattr(feed, "OUT_OF_SIGHT_S", 0.2)
    window, (front, behind), (front_feed, behind_feed), docks = window_with_two_tabs(qtbot)
    first, second = live(1), live(2)
    behind_feed.take(first)
    behind_feed.take(second)
    assert behind.shown == [first]
    start = time.perf_counter()
    qtbot.waitUntil(lambda: behind.shown == [first, second], timeout=2000)  # no third comes
    assert time.perf_counter() - start < 1.0


def test_a_view_that_wants_every_snapshot_gets_them_out_of_sight(qtbot, monkeypatch):
    monkeypatch.setattr(feed, "OUT_OF_SIGHT_S", 60.0)
    window, (front, behind), (front_feed, behind_feed), docks = window_with_two_tabs(
        qtbot, every=True)
    snaps = [live(step) for step in range(3)]
    for snap in snaps:
        behind_feed.take(snap)
    assert behind.shown == snaps
