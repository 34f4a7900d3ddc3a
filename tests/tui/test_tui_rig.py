"""The console on the real bench rig: real engine, ptys, bridge simulator and mock pins. Every
call state is reached with the console's own keys (and the bench keys for the far end)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from tui_helpers import fast_config, frozen_utc, screen_text

from hw.wire.messages import Answer, Hangup, Key, Reject, Unkey
from terminal.benchrig import BenchRig
from terminal.tui import bigtext
from terminal.tui.app import ConsoleApp
from tests.rigs.bench import until

Body = Callable[[Pilot[None], ConsoleApp, BenchRig], Awaitable[None]]


def on_rig(tmp_path: Path, body: Body, **call: object) -> None:
    """Run `body` with the console on a started bench rig; always stop the desk."""

    async def main() -> None:
        rig = BenchRig(fast_config(tmp_path, **call), workdir=tmp_path)
        await rig.start()
        try:
            await until(lambda: rig.desk.radio.is_up, what="radio link up")
            app = ConsoleApp(rig.desk.engine, hands=rig, desk_name="BENCH", utc=frozen_utc)
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.pause()
                await body(pilot, app, rig)
        finally:
            rig.desk.stop("test end")

    asyncio.run(main())


async def shows(pilot: Pilot[None], app: ConsoleApp, state: str) -> None:
    """Wait until the call panel shows `state` in large type."""
    row = bigtext.render(state)[0]

    async def check() -> bool:
        await pilot.pause()
        return row in screen_text(app)

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while not await check():
        assert loop.time() < deadline, f"{state} not shown:\n{screen_text(app)}"
        await asyncio.sleep(0.02)


def sent(rig: BenchRig, kind: type) -> list:
    return [m for _, m in rig.bridge.log.received if isinstance(m, kind)]


def test_incoming_call_answer_talk_receive_hang_up(tmp_path: Path) -> None:
    async def body(pilot, app, rig) -> None:
        await shows(pilot, app, "IDLE")
        await pilot.press("1")  # the far end rings
        await shows(pilot, app, "RINGING")
        await pilot.press("a")
        await shows(pilot, app, "CONNECTED")
        await until(lambda: bool(sent(rig, Answer)), what="ANSWER at the bridge")
        await pilot.press("space")
        await shows(pilot, app, "TRANSMITTING")
        await until(lambda: rig.bridge.keyed, what="bridge keyed")
        assert re.search(r"TOT \d\d:\d\d left", screen_text(app))
        await pilot.press("space")
        await until(lambda: not rig.bridge.keyed, what="bridge unkeyed")
        await pilot.press("4")  # the far end talks
        await shows(pilot, app, "RECEIVING")
        await pilot.press("4")
        await shows(pilot, app, "CONNECTED")
        await pilot.press("h")
        await shows(pilot, app, "IDLE")
        await until(lambda: bool(sent(rig, Hangup)), what="HANGUP at the bridge")

    on_rig(tmp_path, body)


def test_call_out_far_answers_far_hangs_up(tmp_path: Path) -> None:
    async def body(pilot, app, rig) -> None:
        rig.bridge.auto_answer_s = None  # the far end answers when the test says (key 2)
        await pilot.press("c")
        await shows(pilot, app, "CALLING")
        assert "OUTGOING" in screen_text(app)
        await pilot.press("2")  # the far end answers
        await shows(pilot, app, "CONNECTED")
        await pilot.press("3")  # the far end hangs up
        await shows(pilot, app, "IDLE")

    on_rig(tmp_path, body)


def test_reject_a_ringing_call(tmp_path: Path) -> None:
    async def body(pilot, app, rig) -> None:
        await pilot.press("1")
        await shows(pilot, app, "RINGING")
        await pilot.press("r")
        await shows(pilot, app, "IDLE")
        await until(lambda: bool(sent(rig, Reject)), what="REJECT at the bridge")

    on_rig(tmp_path, body)


def test_physical_ptt_pin_answers_and_keys(tmp_path: Path) -> None:
    async def body(pilot, app, rig) -> None:
        await pilot.press("1")
        await shows(pilot, app, "RINGING")
        await pilot.press("5")  # press the PTT button: answers, then keys
        await shows(pilot, app, "TRANSMITTING")
        assert "pin DOWN" in screen_text(app)
        await pilot.press("5")
        await shows(pilot, app, "CONNECTED")
        await until(lambda: sent(rig, Unkey)[-1].reason == "PTT", what="UNKEY(PTT)")

    on_rig(tmp_path, body)


def test_time_out_timer_ends_a_toggled_transmission(tmp_path: Path) -> None:
    async def body(pilot, app, rig) -> None:
        await pilot.press("1", "a", "space")
        await until(lambda: bool(sent(rig, Key)), what="keyed")
        await until(lambda: sent(rig, Unkey)[-1:] != [] and not rig.bridge.keyed, what="TOT")
        await shows(pilot, app, "CONNECTED")  # the TOT unkeys a PTT left toggled on
        assert "release PTT to key again" in screen_text(app)
        assert sent(rig, Unkey)[-1].reason == "TOT"

    on_rig(tmp_path, body, tx_timeout_s=1.0, tx_warning_s=0.3)


def test_unplug_and_plug_the_bridge_cable(tmp_path: Path) -> None:
    async def body(pilot, app, rig) -> None:
        await pilot.press("6")
        await until(lambda: not rig.desk.radio.is_up, what="link down")
        await pilot.pause()
        text = screen_text(app)
        assert "✖ BRIDGE DOWN" in text and "cable OUT" in text and "BRIDGE LINK DOWN" in text
        await pilot.press("6")
        await until(lambda: rig.desk.radio.is_up, what="link up again")
        await pilot.pause()
        assert "● BRIDGE up" in screen_text(app)

    on_rig(tmp_path, body)


def test_sign_on_reaches_the_engine(tmp_path: Path) -> None:
    async def body(pilot, app, rig) -> None:
        await pilot.press("o", *"KBERG", "enter")
        await pilot.pause()
        assert rig.desk.engine.operator == "KBERG"
        assert "OPERATOR KBERG" in screen_text(app)

    on_rig(tmp_path, body)
