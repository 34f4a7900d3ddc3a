"""Hostile input on the radio line: garbage at full speed for 10 s, and frames longer than any
limit. The desk stays responsive, counts what it discards, and decodes every valid frame."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import Counter
from pathlib import Path

from hw.wire.codec import ERROR_KINDS, MAX_FRAME_BYTES, crc16, encode
from hw.wire.messages import Hb, message_frame
from terminal.log import LogReader
from tests.rigs.bench import (
    assert_log_whole,
    assert_unkeyed,
    bench_rig,
    call_flows,
    connect_call,
    until,
)
from tests.rigs.line import LineToDesk

GARBAGE_S = 10.0
"""As issue 9 says: a line of garbage at full speed for 10 s."""


def noise(nbytes: int) -> bytes:
    """Random bytes, never a '$' (so every one of them is garbage to the decoder)."""
    return os.urandom(nbytes).replace(b"$", b"#")


async def loop_lag(lags: list[float], period_s: float = 0.01) -> None:
    """How late the loop wakes a 10 ms sleeper, over and over (its responsiveness)."""
    loop = asyncio.get_running_loop()
    while True:
        start = loop.time()
        await asyncio.sleep(period_s)
        lags.append(loop.time() - start - period_s)


def test_garbage_at_full_speed_for_10_s(tmp_path: Path) -> None:
    """The bridge's frames go out between chunks of random bytes written as fast as the pty
    takes them, for 10 s, during a connected call. PTT presses still key the bridge quickly, the
    loop is not starved, every frame is decoded, every discarded byte counted, the link never
    drops; afterwards calls flow."""

    async def main() -> None:
        async with bench_rig(tmp_path) as bench:
            rig = bench.rig
            loop = asyncio.get_running_loop()
            await connect_call(rig)
            line = LineToDesk(rig)
            await line.settle()
            downs = rig.desk.radio.session.stats["link_down_timeout"]
            chunk = noise(1 << 20)
            lags: list[float] = []
            keyed_in: list[float] = []
            end = loop.time() + GARBAGE_S

            async def flood() -> None:
                at = 0
                while loop.time() < end:
                    await line.write(line.take() + chunk[at : at + 16384])
                    at = (at + 16384) % len(chunk)
                await line.write(line.take() + b"\n")

            flooding = loop.create_task(flood())
            lagging = loop.create_task(loop_lag(lags))
            try:
                while loop.time() < end - 1.5:
                    pressed = loop.time()
                    rig.press(True)
                    await until(lambda: rig.bridge.keyed, 5, "keyed through the flood")
                    keyed_in.append(loop.time() - pressed)
                    rig.press(False)
                    await until(lambda: not rig.bridge.keyed, 5, "unkeyed through the flood")
                    await asyncio.sleep(0.3)  # spacing between presses, not a wait for state
                await asyncio.wait_for(flooding, GARBAGE_S + 10)
            finally:
                lagging.cancel()
                flooding.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await lagging
                with contextlib.suppress(asyncio.CancelledError):
                    await flooding
            await line.delivered()
            counted, wrote = line.desk_counts(), Counter(line.reference.stats)
            # Give the line back to the bridge simulator, then the desk must work as before.
            await line.write(line.take())
            rig.bridge_runner.attach_fd(rig.radio_pty.master_fd)
            assert rig.desk.radio.session.stats["link_down_timeout"] == downs, "link dropped"
            rig.desk.engine.intent("hangup")
            await call_flows(rig)
        print(f"garbage: {counted['garbage_bytes']} bytes discarded in {GARBAGE_S:g} s; "
              f"PTT to keyed max {max(keyed_in) * 1000:.0f} ms; loop lag max "
              f"{max(lags) * 1000:.0f} ms")  # fmt: skip
        assert counted["garbage_bytes"] == wrote["garbage_bytes"] > 10 * len(chunk), counted
        assert counted["frames"] == wrote["frames"] > 0, (counted, wrote)
        assert not [k for k in ERROR_KINDS if k != "garbage" and counted[k]], counted
        assert len(keyed_in) >= 5 and max(keyed_in) < 0.5, keyed_in
        assert max(lags) < 0.25, f"the loop stalled {max(lags):.3f} s"
        assert_unkeyed(rig.bridge, {"UNKEY"})
        assert_log_whole(bench.db, bench.commits.committed())
        with LogReader(bench.db) as reader:
            calls = reader.calls()
        assert [c.outcome for c in calls] == ["answered", "answered"]
        assert calls[0].transmissions == len(keyed_in)

    asyncio.run(main())


def test_frames_longer_than_any_limit(tmp_path: Path) -> None:
    """A 1 MiB frame with no end, a frame one byte over the limit, a frame of 41 fields: each
    dropped and counted, the decoder's buffer never over the limit, and the valid frame right
    after each one decoded; the keyed call goes on and ends normally."""

    async def main() -> None:
        async with bench_rig(tmp_path) as bench:
            rig = bench.rig
            await connect_call(rig)
            rig.press(True)
            await until(lambda: rig.bridge.keyed, what="keyed")
            line = LineToDesk(rig)
            await line.settle()
            decoder = rig.desk.radio.session.decoder
            hb_before = rig.desk.radio.session.stats["hb_in"]
            good = encode(message_frame(61000, Hb(1)))
            body = b"1,HB," + b"9" * (MAX_FRAME_BYTES - 12)  # '$' + body + '*XXXX\r\n' = 513
            over = b"$%s*%04X\r\n" % (body, crc16(body))
            assert len(over) == MAX_FRAME_BYTES + 1
            fields = b"2,HB" + b",1" * 41  # a good CRC: refused for its 41 fields
            many = b"$%s*%04X\r\n" % (fields, crc16(fields))
            endless = b"$3,HB," + b"7" * (1 << 20)
            for bad in (endless, over, many):
                await line.write(line.take() + bad + good, broken=True)
                await line.delivered()
                assert len(decoder._buf) < MAX_FRAME_BYTES, "decoder buffer over the limit"
            counted = line.desk_counts()
            assert counted["too_long"] == 2 and counted["bad_syntax"] == 1, counted
            assert rig.desk.radio.session.stats["hb_in"] - hb_before >= 3
            assert counted["frames"] == line.reference.stats["frames"], counted
            await line.write(line.take())
            rig.bridge_runner.attach_fd(rig.radio_pty.master_fd)
            assert rig.bridge.keyed and rig.desk.radio.is_up, "the call went on"
            rig.press(False)
            await until(lambda: not rig.bridge.keyed, what="unkeyed on release")
            rig.desk.engine.intent("hangup")
            await call_flows(rig)
        assert_unkeyed(rig.bridge, {"UNKEY"})
        assert_log_whole(bench.db, bench.commits.committed())

    asyncio.run(main())
