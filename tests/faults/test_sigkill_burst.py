"""SIGKILL of `hotline service` in the middle of an alert burst, while the operator transmits;
then the service is started again (as systemd's Restart= would).

What is asserted about alerts, exactly: the terminal ACKs an ALERT only once its record is
committed (docs/protocol.md 4.2), and the co-processor resends what was not ACKed and re-issues
every pair in alert to a restarted terminal (7). So (a) every record readable in the file just
before the kill is there afterwards, unchanged, and the chain verifies; (b) each (boot id,
alert_seq) is logged at most once; (c) every ALERT the co-processor saw ACKed before the kill is
in the log, with no exception; (d) every pair the co-processor ever alerted is in the log.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from hw.sim.coproc import CoprocSim
from hw.sim.tracks.scenarios import make
from terminal.log import LogReader
from tests.rigs.bench import assert_log_whole, assert_unkeyed, stored, until
from tests.rigs.service_child import service

PAIRS = 80
FAST_KEEPALIVE = "[ptt]\nkeepalive_s = 0.1\nbridge_keepalive_timeout_s = 0.5\n"


def test_sigkill_during_an_alert_burst(tmp_path: Path) -> None:
    async def main() -> None:
        coproc = CoprocSim(make(f"burst:{PAIRS}"), heartbeat_s=0.2, link_timeout_s=0.8,
                           ack_timeout_s=0.1)  # fmt: skip
        async with service(tmp_path, coproc=coproc, extra=FAST_KEEPALIVE) as child:
            sim = child.sim
            await child.ring_and_key()
            child.attach_coproc()
            await until(lambda: coproc.log.acked >= PAIRS // 4, 20, "a quarter of the burst")
            seen = stored(child.db)
            child.signal(signal.SIGKILL)
            assert await child.wait() == -signal.SIGKILL
            # The bridge unkeys by itself: the keepalives stopped with the process.
            await until(lambda: not sim.keyed, 3, "bridge keepalive expiry")
            assert_unkeyed(sim, {"KEEPALIVE"})
            # Every ACK the dead terminal wrote has been read by now.
            acked = {(b.upper(), s) for b, s in coproc.log.delivered}
            assert len(acked) < PAIRS, "the kill must come mid-burst"
            assert_log_whole(child.db, seen=seen)
            await child.start()
            await until(lambda: coproc.log.reissued > 0 and coproc.idle(), 30,
                        "the co-processor re-issued its alerts to the new terminal")  # fmt: skip
            await child.call_flows()
            issued = {pair for _, _, pair, _ in coproc.log.issued}
        assert_unkeyed(sim, {"UNKEY"})
        assert_log_whole(child.db, seen=seen)
        with LogReader(child.db) as reader:
            rows = reader.alerts()
        logged = [(r.boot_id, r.alert_seq) for r in rows]
        assert len(logged) == len(set(logged)), "an alert logged twice"
        assert issued <= {r.pair_id for r in rows}, "a pair's alert is lost"
        missing = acked - set(logged)
        assert not missing, f"ACKed before the kill, not in the log: {sorted(missing)[:5]}"

    asyncio.run(main())
