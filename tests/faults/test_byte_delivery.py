"""The bridge's bytes reach the desk a byte at a time, and in 64 KiB lumps, with garbage lines
between the frames: every frame is decoded once, every garbage byte is counted, nothing is lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from hw.wire.codec import ERROR_KINDS, encode
from hw.wire.messages import Hb, message_frame
from tests.rigs.bench import assert_log_whole, assert_unkeyed, bench_rig, call_flows, until
from tests.rigs.line import LineToDesk

NOISE = b"AT+RESET noise\r\n"
LUMP = 65536


def frames_of(data: bytes) -> list[bytes]:
    """Split the bridge's output into its frames (each ends with LF)."""
    return [line + b"\n" for line in data.split(b"\n")[:-1]]


def heartbeat(n: int) -> bytes:
    """A made-up HB frame from the bridge (unacknowledged: it only has to be decoded)."""
    return encode(message_frame(60000 + n % 5000, Hb(n)))


async def one_byte_at_a_time(line: LineToDesk, data: bytes) -> None:
    """A garbage line, the bridge's bytes and a heartbeat, each byte in its own write, read by
    the desk before the next."""
    data = NOISE + data + heartbeat(line.written)
    for i in range(len(data)):
        await line.write(data[i : i + 1])
        await line.delivered()
    await asyncio.sleep(0.002)


async def in_lumps(line: LineToDesk, data: bytes) -> None:
    """The bridge's frames and made-up heartbeats, a garbage line between each, padded with
    garbage to exactly 64 KiB, written at once."""
    hbs = [heartbeat(i) for i in range(20)]
    lump = NOISE.join([*frames_of(data), *hbs, b""])
    assert len(lump) < LUMP
    pad = (b"x" * 62 + b"\r\n") * (LUMP // 64 + 1)
    await line.write(lump + pad[: LUMP - len(lump)])
    await asyncio.sleep(0.02)


def run_shaped(
    tmp_path: Path, shape: Callable[[LineToDesk, bytes], Awaitable[None]], enough: int
) -> LineToDesk:
    """A whole call through a line written in `shape`; the three fault checks."""

    async def main() -> LineToDesk:
        async with bench_rig(tmp_path) as bench:
            rig = bench.rig
            line = LineToDesk(rig)
            await line.settle()
            stop = asyncio.Event()

            async def pump() -> None:
                while not stop.is_set() or line.pending:
                    await shape(line, line.take())
                await line.write(b"\n")  # end the last garbage run, so it is counted
                await line.delivered()

            task = asyncio.get_running_loop().create_task(pump())
            try:
                await call_flows(rig)
                await until(lambda: line.written >= enough, 20, f"{enough} bytes written")
            finally:
                stop.set()
                await asyncio.wait_for(task, 10)
            counted = line.desk_counts()
        assert_unkeyed(rig.bridge, {"UNKEY"})
        assert_log_whole(bench.db, bench.commits.committed())
        wrote = line.reference.stats
        assert wrote["frames"] >= 100, wrote
        assert counted["frames"] == wrote["frames"], (counted, wrote)
        assert counted["garbage_bytes"] == wrote["garbage_bytes"] > 0, (counted, wrote)
        assert counted["garbage"] == wrote["garbage"], (counted, wrote)
        assert not [k for k in ERROR_KINDS if k != "garbage" and counted[k]], counted
        return line

    return asyncio.run(main())


def test_bytes_one_at_a_time(tmp_path: Path) -> None:
    line = run_shaped(tmp_path, one_byte_at_a_time, 4000)
    assert line.reads and set(line.reads) == {1}, "each byte read on its own"


def test_bytes_in_64k_lumps(tmp_path: Path) -> None:
    line = run_shaped(tmp_path, in_lumps, 20 * LUMP)
    assert line.written >= 20 * LUMP, line.written
    assert max(line.reads) >= 4000, "the desk read whole tty buffers"
