"""The console shows the log's head fingerprint beside today's calls (docs/record.md section 5),
the line an operator reads over the phone at shift change."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from tui_helpers import WIDE, make_app, screen_text

from terminal.tui.samples import snapshot, todays_calls


def shown(log_head: str) -> str:
    async def main() -> str:
        snap = replace(snapshot("IDLE", calls=todays_calls()), log_head=log_head)
        app, _desk, _hands = make_app(snap)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            return screen_text(app)

    return asyncio.run(main())


def test_the_head_fingerprint_is_in_the_calls_title() -> None:
    assert "TODAY'S CALLS 3 · LOG #1234 3c7a 5afb" in shown("#1234 3c7a 5afb")


def test_no_head_no_fingerprint() -> None:
    text = shown("")
    assert "TODAY'S CALLS 3" in text and "· LOG" not in text
