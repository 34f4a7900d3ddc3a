"""The recall keys and the recall list, pressed through Textual's pilot against a stand-in desk."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from textual.pilot import Pilot
from tui_helpers import WIDE, make_app, screen_text

from terminal.core.recall import RecallItem, RecallView
from terminal.snapshot import DeskSnapshot
from terminal.tui.app import ConsoleApp
from terminal.tui.feed import SnapshotFeed
from terminal.tui.samples import snapshot
from terminal.tui.screens.main import MainScreen
from terminal.tui.screens.recall import RecallScreen
from terminal.zulu import parse_when

T = parse_when("2026-11-25T07:05:10Z", 0)
ITEMS = (
    RecallItem(1, 160000, 224000, T + 10_000, 4.0),
    RecallItem(2, 16000, 48000, T + 1_000, 2.0),
)


def with_recall(view: RecallView, state: str = "CONNECTED") -> DeskSnapshot:
    return replace(snapshot(state), recall=view)


def run(body, snap: DeskSnapshot) -> None:  # type: ignore[no-untyped-def]
    async def main() -> None:
        app, desk, _ = make_app(snap)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await body(pilot, app, desk)

    asyncio.run(main())


def test_g_says_again() -> None:
    async def body(pilot: Pilot[None], app: ConsoleApp, desk: SnapshotFeed) -> None:
        await pilot.press("g", "g")
        assert desk.intents == ["recall", "recall"]

    run(body, with_recall(RecallView(7, True, ITEMS)))


def test_the_list_shows_zulu_times_and_lengths_and_plays_the_pick() -> None:
    async def body(pilot: Pilot[None], app: ConsoleApp, desk: SnapshotFeed) -> None:
        await pilot.press("G")
        assert isinstance(app.screen, RecallScreen)
        text = screen_text(app)
        assert "RECALL — CALL 7 (in progress)" in text
        assert " 1  07:05:20Z     4.0 s" in text and " 2  07:05:11Z     2.0 s" in text
        await pilot.press("enter")
        await pilot.press("down", "enter")
        assert desk.recalls == [1, 2]
        desk.publish(with_recall(RecallView(7, True, ITEMS, playing=2)))
        await pilot.pause(0.4)  # the list refreshes four times a second
        assert "2  07:05:11Z     2.0 s  ▶ playing" in screen_text(app)
        await pilot.press("x", "g")
        assert desk.intents == ["recall_stop", "recall"]
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)

    run(body, with_recall(RecallView(7, True, ITEMS)))


def test_space_in_the_list_closes_it_and_keys() -> None:
    async def body(pilot: Pilot[None], app: ConsoleApp, desk: SnapshotFeed) -> None:
        await pilot.press("G")
        await pilot.press("space")
        assert isinstance(app.screen, MainScreen)
        assert desk.intents == ["ptt_toggle"]

    run(body, with_recall(RecallView(7, True, ITEMS)))


def test_an_empty_list_says_so_and_a_finished_call_says_ended() -> None:
    async def body(pilot: Pilot[None], app: ConsoleApp, desk: SnapshotFeed) -> None:
        await pilot.press("G")
        text = screen_text(app)
        assert "No received transmission in this call yet." in text
        assert "RECALL — CALL 3 (ended)" in text
        await pilot.press("enter")
        assert desk.recalls == []

    run(body, with_recall(RecallView(3, False, ()), "IDLE"))
