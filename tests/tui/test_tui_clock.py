"""The clock's trust on the console's top bar and notice line, through Textual's pilot."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from tui_helpers import NARROW, WIDE, make_app, screen_text

from terminal.core.clock_trust import ClockView
from terminal.tui.samples import snapshot
from terminal.tui.widgets.topbar import clock_note

SYNC = ClockView("synchronised", False, 1.2, 30.0, 1_796_626_680_000, 1_796_627_000_000)  # 06:58Z
UNSYNC = ClockView("unsynchronised", True, 16000.0, 16000.0)
HIGH = ClockView("error high", True, 480.0, 900.0)
UNKNOWN = ClockView("unknown", detail="not Linux")


def test_the_words() -> None:
    assert clock_note(None) == ("", False)
    assert clock_note(SYNC) == ("clk ±1.2ms @06:58Z ", False)
    assert clock_note(replace(SYNC, last_sync_utc_ms=None)) == ("clk ±1.2ms ", False)
    assert clock_note(UNSYNC) == ("CLOCK UNSYNC ", True)
    assert clock_note(HIGH) == ("CLOCK ±480.0ms ", True)
    assert clock_note(UNKNOWN) == ("clk ? ", False)


def shown(view: ClockView | None, size: tuple[int, int], **snap: object) -> str:
    async def main() -> str:
        app, _desk, _ = make_app(replace(snapshot("IDLE", **snap), clock=view))  # type: ignore[arg-type]
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            return screen_text(app)

    return asyncio.run(main())


def test_the_top_bar_shows_the_clock_before_the_time() -> None:
    top = shown(SYNC, WIDE).splitlines()[0]
    assert "clk ±1.2ms @06:58Z 2026-11-25 07:10:00Z" in top
    assert "CLOCK UNSYNC 2026-11-25 07:10:00Z" in shown(UNSYNC, NARROW).splitlines()[0]


def test_before_the_first_reading_the_bar_is_as_it_was() -> None:
    top = shown(None, NARROW).splitlines()[0]
    assert "clk" not in top and "CLOCK" not in top and top.rstrip().endswith("07:10:00Z")


def test_a_clock_fault_stands_on_the_notice_line() -> None:
    text = shown(UNSYNC, WIDE, faults=("clock: the system clock is not synchronised",))
    assert "clock: the system clock is not synchronised" in text


def test_the_clock_keeps_a_space_from_the_sign_on_prompt_at_100_columns() -> None:
    """The prompt (no operator) and the clock note meet at 100 columns: the prompt is cut short
    (…), never run into the clock, and the desk's name keeps a space from it at 80."""
    before_the_fault = replace(UNSYNC, fault=False)  # the first reading: 16 s estimated error
    top = shown(before_the_fault, (100, 30), operator="").splitlines()[0]
    assert "NO OPERATOR SIGNED ON" in top and "clk ±16000.0ms" in top
    assert top[top.index("clk ±16000.0ms") - 1] == " ", top
    top = shown(SYNC, NARROW, operator="").splitlines()[0]
    assert top[top.index("NO OPERATOR") - 1] == " ", top
