"""An idle console does only what is visible: the clock ticks once a second, on the second;
the call panel repaints only when its timers' text changes; a call brings the 4 Hz ticks back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from terminal.tui.app import IDLE_TICK_MARGIN_S, TICK_S
from terminal.tui.samples import NOW, snapshot
from terminal.tui.widgets.callpanel import CallPanel
from tests.tui.tui_helpers import make_app


def test_an_idle_console_ticks_just_after_the_next_second_of_the_zulu_clock() -> None:
    asyncio.run(_test_an_idle_console_ticks_just_after_the_next_second_of_the_zulu_clock())


async def _test_an_idle_console_ticks_just_after_the_next_second_of_the_zulu_clock() -> None:
    app, _desk, _ = make_app(snapshot("IDLE"))
    async with app.run_test() as pilot:
        await pilot.pause()
        moment = datetime(2026, 11, 25, 7, 10, 0, 300_000, tzinfo=UTC)
        assert abs(app._next_tick_s(moment) - (0.7 + IDLE_TICK_MARGIN_S)) < 1e-9


def test_a_call_up_ticks_four_times_a_second() -> None:
    asyncio.run(_test_a_call_up_ticks_four_times_a_second())


async def _test_a_call_up_ticks_four_times_a_second() -> None:
    app, desk, _ = make_app(snapshot("IDLE"))
    async with app.run_test() as pilot:
        await pilot.pause()
        desk.publish(snapshot("CONNECTED"))
        await pilot.pause()
        moment = datetime(2026, 11, 25, 7, 10, 0, 300_000, tzinfo=UTC)
        assert app._next_tick_s(moment) == TICK_S


def test_the_call_panel_repaints_only_when_its_timer_text_changes() -> None:
    asyncio.run(_test_the_call_panel_repaints_only_when_its_timer_text_changes())


async def _test_the_call_panel_repaints_only_when_its_timer_text_changes() -> None:
    app, desk, _ = make_app(snapshot("IDLE"))
    async with app.run_test() as pilot:
        await pilot.pause()
        panel = app.main.query_one(CallPanel)
        repaints: list[bool] = []
        original = panel.refresh

        def counted(*args: object, **kwargs: object) -> CallPanel:
            repaints.append(True)
            return original(*args, **kwargs)  # type: ignore[arg-type]

        panel.refresh = counted  # type: ignore[method-assign]
        panel.now = NOW + 0.25  # idle: nothing on the panel counts
        assert repaints == []
        desk.publish(snapshot("CONNECTED"))
        await pilot.pause()
        repaints.clear()
        panel.now = NOW + 0.25
        panel.now = NOW + 0.5  # the call timer still shows the same second
        panel.now = NOW + 5.0  # a new second on the call timer
        assert repaints
