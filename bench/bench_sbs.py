"""The SBS-1 reader: lines per second through a real loopback TCP connection into the aircraft
table, and the cost of the picture of a busy sky each kernel cycle.

A busy dump1090/readsb (300 aircraft in range) serves about 2,000-3,000 lines a second; the goal
is ten times that through the whole reader (socket, line splitting, parsing, the table), so the
feed never backs up on a Raspberry Pi. The picture of 1,000 aircraft, built every cycle, must stay
well inside the one-second cycle. Best of several runs.
"""

from __future__ import annotations

import asyncio
import time

from bench.report import Figure
from hw.sim.tracks.sbs import SbsClient, SbsSource

BUSY_LINES_PER_S = 3000.0
GOAL_RATIO = 10.0
LINES = 200_000
AIRCRAFT = 1000
RUNS = 3
STAMP = "2025/03/01,12:00:00.000,2025/03/01,12:00:00.000"


def _lines(n: int, aircraft: int) -> bytes:
    """A feed: for each aircraft in turn a position, a velocity and an altitude line."""
    out = []
    for k in range(n):
        a, kind = k % aircraft, (k // aircraft) % 3
        hexid = f"{0x400000 + a:06X}"
        lat, lon = 50.0 + a * 0.001, -1.0 + a * 0.001
        if kind == 0:
            out.append(f"MSG,3,1,1,{hexid},1,{STAMP},,{20000 + a},,,{lat:.5f},{lon:.5f},,,0,0,0,0")
        elif kind == 1:
            out.append(f"MSG,4,1,1,{hexid},1,{STAMP},,,420.0,{a % 360}.0,,,-640,,0,0,0,")
        else:
            out.append(f"MSG,5,1,1,{hexid},1,{STAMP},,{20000 + a},,,,,,,0,0,0,")
    return ("\r\n".join(out) + "\r\n").encode()


async def _through_loopback(data: bytes, lines: int) -> float:
    """Seconds from connect to the last line in the table."""
    loop = asyncio.get_running_loop()

    async def serve(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(data)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    source = SbsSource()
    client = SbsClient("127.0.0.1", port, source, loop.time, reconnect_min_s=60.0)
    start = time.perf_counter()
    task = loop.create_task(client.run())
    while source.stats["lines"] < lines:
        await asyncio.sleep(0.001)
    elapsed = time.perf_counter() - start
    task.cancel()
    server.close()
    await asyncio.gather(task, return_exceptions=True)
    assert source.decode_errors == 0 and len(source) == AIRCRAFT
    return elapsed


def _picture_ms() -> float:
    source = SbsSource()
    for line in _lines(3 * AIRCRAFT, AIRCRAFT).decode().splitlines():
        source.feed(line, 0.0)
    best = float("inf")
    for _ in range(RUNS * 3):
        start = time.perf_counter()
        pic = source.picture(1.0)
        best = min(best, time.perf_counter() - start)
    assert len(pic) == AIRCRAFT
    return best * 1000


def run() -> list[Figure]:
    """The reader's throughput and the picture's cost."""
    data = _lines(LINES, AIRCRAFT)
    rate = max(LINES / asyncio.run(_through_loopback(data, LINES)) for _ in range(RUNS))
    ratio = round(rate / BUSY_LINES_PER_S, 1)
    goal = f">= {GOAL_RATIO * BUSY_LINES_PER_S:g} ({GOAL_RATIO:g}x a busy receiver)"
    picture = Figure(f"sbs_picture_{AIRCRAFT}_aircraft", round(_picture_ms(), 2), "ms",
                     "< 100 ms (a tenth of the 1 s cycle)")  # fmt: skip
    reader = Figure("sbs_reader_lines_per_s", round(rate), "lines/s", goal, ratio,
                    "a busy receiver")  # fmt: skip
    return [reader, picture]
