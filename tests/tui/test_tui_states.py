"""What the console shows for every call state, timers, alerts and links (constructed
snapshots through a stand-in desk)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from tui_helpers import NARROW, WIDE, make_app, screen_text

from terminal.core.leds import LedPattern
from terminal.snapshot import NoticeLine
from terminal.tui import bigtext
from terminal.tui.samples import (
    NOW,
    burst_alert,
    call_view,
    critical_alerts,
    link_fault_health,
    snapshot,
)
from terminal.tui.screens.main import LISTS_EVERY_S
from terminal.tui.widgets.alerts import AlertList

STATES = ("IDLE", "RINGING", "CALLING", "CONNECTED", "TRANSMITTING", "RECEIVING")


def shown(snap, size=NARROW, steps=None) -> str:
    """The screen for a snapshot (after optional steps on the app)."""

    async def main() -> str:
        app, desk, _ = make_app(snap)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            if steps is not None:
                await steps(pilot, app, desk)
            return screen_text(app)

    return asyncio.run(main())


@pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "160x48"])
@pytest.mark.parametrize("state", STATES)
def test_every_call_state_in_large_type(state: str, size: tuple[int, int]) -> None:
    text = shown(snapshot(state), size)
    for row in bigtext.render(state):
        assert row in text
    assert ("INCOMING" in text) == (state not in ("IDLE", "CALLING"))
    assert ("OUTGOING" in text) == (state == "CALLING")


def test_call_details_per_state() -> None:
    assert "no call" in shown(snapshot("IDLE"))
    assert "ringing 01:35" in shown(snapshot("RINGING"))
    assert "calling 01:35" in shown(snapshot("CALLING"))
    connected = shown(snapshot("CONNECTED"))
    assert "call 01:23" in connected and "transmissions 2" in connected
    assert "far end talking" in shown(snapshot("RECEIVING"))


def test_time_out_countdown_while_keyed() -> None:
    text = shown(snapshot("TRANSMITTING"))
    assert "TOT 00:47 left" in text  # keyed 13 s ago, 60 s limit

    async def later(pilot, app, desk) -> None:
        desk.now = NOW + 40  # 7 s left: the warning style, still counting
        await pilot.pause(0.3)

    assert "TOT 00:07 left" in shown(snapshot("TRANSMITTING"), steps=later)


def test_release_hint_after_a_time_out() -> None:
    snap = snapshot("CONNECTED")
    snap = replace(snap, call=replace(snap.call, need_release=True))
    assert "release PTT to key again" in shown(snap)


def test_desk_shut_down_is_shown() -> None:
    snap = snapshot("IDLE")
    snap = replace(snap, call=replace(snap.call, closed=True))
    text = shown(snap)
    assert bigtext.render("STOPPED")[0] in text and "DESK SHUT DOWN" in text


def test_link_fault_shows_words_not_only_colour() -> None:
    links = {"radio": False, "coproc": True, "gpio": True, "log": True, "audio": True}
    snap = snapshot("IDLE", links=links, health=link_fault_health(),
                    faults=("radio: no heartbeat from the bridge",))  # fmt: skip
    narrow = shown(snap)
    assert "✖ BRIDGE DOWN" in narrow and "● COPROC up" in narrow
    assert "BRIDGE LINK DOWN" in narrow
    assert "✖ FAULT radio: no heartbeat from the bridge" in narrow
    wide = shown(snap, WIDE)
    assert "last 07:09:41Z" in wide and "no heartbeat" in wide


def test_serial_link_counters_on_the_link_panel() -> None:
    """What went wrong on the line beside the link, before its detail (all the counters, frames
    in and out too, when the row has room); a link that is down says what is wrong first."""
    from terminal.views import LinkCounters, LinkHealth

    health = (
        LinkHealth("radio", True, "2026-11-25T07:09:59.900Z", "radio bridge B-1",
                   LinkCounters(frames_in=1204, frames_out=1187, crc_errors=3,
                                garbage_bytes=120)),
        LinkHealth("coproc", False, "2026-11-25T07:09:59.700Z", "/dev/ttyUSB1: not open",
                   LinkCounters(frames_in=88, frames_out=90)),
    )  # fmt: skip
    links = {"radio": True, "coproc": False, "gpio": True, "log": True, "audio": True}
    wide = shown(snapshot("IDLE", links=links, health=health), WIDE)
    radio = next(line for line in wide.splitlines() if "BRIDGE" in line)
    assert "last 07:09:59Z [crc 3 garbage 120B]" in radio  # all of them would not fit
    coproc = next(line for line in wide.splitlines() if "COPROC" in line)
    assert "last 07:09:59Z /dev/ttyUSB1: not" in coproc


def test_links_not_reported_are_never_shown_up() -> None:
    text = shown(snapshot("IDLE", links={"radio": True, "log": True, "gpio": True}))
    assert "· COPROC n/a" in text and "· AUDIO n/a" in text and "● BRIDGE up" in text


def test_alerts_sorted_labelled_and_counted() -> None:
    text = shown(snapshot(alerts=tuple(reversed(critical_alerts()))), WIDE)
    lines = text.splitlines()
    crit = next(i for i, line in enumerate(lines) if "▲ CRIT" in line)
    warn = next(i for i, line in enumerate(lines) if "◆ WARN" in line)
    adv = next(i for i, line in enumerate(lines) if "● ADVS" in line)
    assert crit < warn < adv
    assert "?SUSPECT" in lines[warn] and "ack JDOE" in lines[adv]
    assert "ALERTS 3 open" in text
    assert "RAF21" in text.split("PICTURE")[1]  # the selected (first) pair is named on the map


def test_alert_list_is_capped() -> None:
    alerts = tuple(burst_alert(i) for i in range(250))

    async def steps(pilot, app, desk) -> None:
        assert len(app.main.query_one(AlertList).rows) == 200

    assert "ALERTS 250 open, first 200 shown" in shown(snapshot(alerts=alerts), steps=steps)


def test_notices_and_console_messages() -> None:
    notice = NoticeLine("2026-11-25T07:09:58.000Z", "warning", "PTT refused: link down.")
    assert "⚠ WARNING 07:09:58Z PTT refused: link down." in shown(snapshot(notices=(notice,)))


def test_a_standing_fault_does_not_hide_the_latest_notice() -> None:
    notice = NoticeLine("2026-11-25T07:09:58.000Z", "info", "Alert P-0107 acknowledged.")
    faults = ("audio: no audio device: ring and alerts on the LEDs and console only",)
    text = shown(snapshot(notices=(notice,), faults=faults))
    line = next(line for line in text.splitlines() if "FAULT" in line)
    assert "✖ FAULT audio: no audio device" in line and "Alert P-0107 acknowledged." in line


def test_operator_and_zulu_clock() -> None:
    text = shown(snapshot(operator="JDOE"))
    assert "OPERATOR JDOE" in text and "2026-11-25 07:10:00Z" in text


def test_every_published_snapshot_is_applied_once_per_pass() -> None:
    async def steps(pilot, app, desk) -> None:
        applied = []
        original = type(app.main).watch_snapshot

        def counting(screen, snap) -> None:
            applied.append(snap.display)
            original(screen, snap)

        type(app.main).watch_snapshot = counting  # type: ignore[method-assign]
        try:
            for i in range(1000):
                desk.publish(snapshot(STATES[i % 6]))
            desk.publish(snapshot("RINGING"))
            await pilot.pause()
        finally:
            type(app.main).watch_snapshot = original  # type: ignore[method-assign]
        assert applied[-1] == "RINGING"
        assert len(applied) < 10  # coalesced: the latest state, not a backlog

    text = shown(snapshot("IDLE"), steps=steps)
    assert bigtext.render("RINGING")[0] in text


def test_a_burst_redraws_the_lists_at_most_five_times_a_second() -> None:
    async def steps(pilot, app, desk) -> None:
        rebuilds = []
        original = app.main.alerts.rebuild

        def counting() -> None:
            rebuilds.append(1)
            original()

        app.main.alerts.rebuild = counting
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i in range(300):  # 300 snapshots over about 0.6 s
            desk.publish(snapshot("CONNECTED", alerts=(burst_alert(i),)))
            await asyncio.sleep(0.002)
        elapsed = loop.time() - start
        await pilot.pause(LISTS_EVERY_S + 0.1)
        assert len(rebuilds) <= elapsed / LISTS_EVERY_S + 2
        assert app.main.alerts.rows[0].pair_id == "B-00299"  # the latest, not a stale one

    shown(snapshot("CONNECTED"), steps=steps)


def test_snapshots_after_exit_are_ignored() -> None:
    async def main() -> None:
        app, desk, _ = make_app()
        async with app.run_test() as pilot:
            await pilot.press("q")
        desk.publish(snapshot("RINGING"))  # the engine outlives the console: no error

    asyncio.run(main())


def test_leds_lamps_follow_the_snapshot() -> None:
    async def main() -> str:
        app, desk, _ = make_app(bench=True)
        async with app.run_test() as pilot:
            desk.publish(snapshot("TRANSMITTING", alerts=critical_alerts()))
            await pilot.pause()
            return screen_text(app)

    text = asyncio.run(main())
    assert "●RING ON" in text and "●TX ON" in text and "◉ALERT FAST" in text
    assert "○FAULT off" in text
    assert snapshot("TRANSMITTING", alerts=critical_alerts()).leds.alert is LedPattern.BLINK_FAST


def test_call_view_samples_cover_every_state() -> None:
    assert [call_view(s).display_state() for s in STATES] == list(STATES)
