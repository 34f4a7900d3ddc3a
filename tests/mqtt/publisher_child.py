"""A publisher in a process of its own (the test kills it with SIGKILL): writes `count` call
records through the log writer, one every `gap` seconds, publishing them; then runs on."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from terminal.config.model import MqttConfig
from terminal.log import LogWriter, records
from terminal.mqtt.publisher import Publisher


async def main(db: Path, broker: str, first: int, count: int, gap: float) -> None:
    writer = LogWriter.open(db)
    config = MqttConfig(enabled=True, broker=broker, reconnect_min_s=0.1, reconnect_max_s=0.2,
                        max_inflight=20)  # fmt: skip
    publisher = Publisher(config, "AOC", "CHILD", writer)
    task = asyncio.create_task(publisher.run())
    while not publisher.is_up:
        await asyncio.sleep(0.01)
    print("up", flush=True)
    for n in range(first, first + count):
        writer.submit(*records.call_started(f"K-{n}", "outgoing", None))
        await asyncio.sleep(gap)
    print("written", flush=True)
    await task


if __name__ == "__main__":
    db, url, first, count, gap = sys.argv[1:6]
    asyncio.run(main(Path(db), url, int(first), int(count), float(gap)))
