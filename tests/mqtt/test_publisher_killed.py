"""A publisher killed with SIGKILL mid-stream and started again sends again from the saved cursor:
duplicates at the MQTT level, none after de-duplication, nothing missing. The broker publishes
the killed desk's last will: offline, retained."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from mqtt_helpers import Broker, Collector, retained, until

from terminal.log import LogReader, verify
from terminal.mqtt.outbox import OutboxReader

ROOT = Path(__file__).resolve().parents[2]


async def _child(db: Path, url: str, first: int, count: int) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(Path(__file__).with_name("publisher_child.py")), str(db), url,
        str(first), str(count), "0.002", stdout=asyncio.subprocess.PIPE, cwd=ROOT, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 20)
    assert line == b"up\n", line
    return proc


def test_sigkill_mid_stream_then_restart_resends_from_the_cursor(
    tmp_path: Path, broker: Broker
) -> None:
    db = tmp_path / "hotline.db"
    collector = Collector(broker.port)
    status = "hotline/AOC/CHILD/status"

    async def main() -> tuple[int, int, int]:
        listen = asyncio.create_task(collector.run())
        await until(collector.ready.is_set, what="subscribed")
        first = await _child(db, broker.url, 1, 400)
        await until(lambda: len(collector.ids()) >= 100, timeout_s=20, what="100 records")
        first.send_signal(signal.SIGKILL)
        await first.wait()
        will = await retained(broker.port, status)
        assert (will.body["status"], will.body["reason"]) == ("offline", "connection lost")
        reader = OutboxReader(db)
        saved = reader.cursor()
        reader.close()
        assert saved is not None
        before = len(collector.ids())
        second = await _child(db, broker.url, 10_000, 0)
        with LogReader(db) as log:
            logged = [r.id for r in log.chain() if r.kind == "call_started"]
        resent = len(logged) - saved  # every record above the saved cursor, once more
        await until(lambda: len(collector.ids()) >= before + resent, timeout_s=20, what="resend")
        second.send_signal(signal.SIGTERM)
        await second.wait()
        listen.cancel()
        return saved, before, len(logged)

    saved, before, logged = asyncio.run(main())
    ids = collector.ids()
    assert collector.bad == []
    assert logged >= 100
    assert collector.unique_ids() == list(range(1, logged + 1))  # each once, in order, none lost
    assert ids[before:] == list(range(saved + 1, logged + 1))  # resent from the cursor, in order
    assert saved < max(ids[:before])  # so some records came twice: duplicates at the MQTT level
    assert verify(db).ok
