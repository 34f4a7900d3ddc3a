"""A log damaged while the service was down: the service refuses it at start-up, before the pins
and the links, writes nothing to it, and says how to recover; once a technician has set the file
aside, it starts on a fresh log and takes calls. (No self-recovery by design: the damaged file
is evidence.)"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.rigs.bench import assert_log_whole, assert_unkeyed, until
from tests.rigs.service_child import ServiceChild, service


async def call_flows(child: ServiceChild) -> None:
    """A call through the service: ring, answer, key, unkey, hang up."""
    await child.ring_and_key()
    await child.intent("ptt_toggle")
    await until(lambda: not child.sim.keyed, 5, "unkeyed")
    await child.intent("hangup")
    await until(lambda: child.sim.phase.value == "IDLE", 5, "hung up")


def test_a_damaged_log_stops_the_service_before_the_links(tmp_path: Path) -> None:
    async def main() -> None:
        async with service(tmp_path, start=False) as child:
            damaged = b"SQLite format 3\x00" + b"\xa5 not pages any more " * 2000
            child.db.parent.mkdir(parents=True)
            child.db.write_bytes(damaged)
            await child.spawn(stderr=asyncio.subprocess.PIPE)
            assert await child.wait(20) == 1
            assert child.proc is not None and child.proc.stderr is not None
            err = (await child.proc.stderr.read()).decode()
            assert "corrupt" in err and ".recover" in err and "hotline log verify" in err, err
            assert child.sim.session.peer is None, "the radio port was opened"
            assert not child.sim.log.tx_changes, "the bridge was keyed"
            assert child.db.read_bytes() == damaged, "the damaged log was written to"
            # The technician keeps the evidence aside; the service starts on a fresh log.
            child.db.rename(child.db.with_name("hotline-damaged.db"))
            await child.start()
            await call_flows(child)
        assert_unkeyed(child.sim, {"UNKEY"})
        assert_log_whole(child.db)

    asyncio.run(main())
