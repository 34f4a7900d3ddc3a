"""The co-processor reboots in the middle of an alert burst (a new boot id, its queue lost),
while the operator transmits on a call."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from terminal.log import LogReader
from tests.rigs.bench import (
    assert_log_whole,
    assert_unkeyed,
    bench_rig,
    call_flows,
    connect_call,
    key,
    until,
)

PAIRS = 60


def test_coproc_reboots_mid_burst(tmp_path: Path) -> None:
    """Every alert the desk acknowledged (either boot) is in the log once; the desk sees the new
    boot, the new boot's burst is logged and shown in full, the old boot's alerts are closed
    after the grace period; the keyed call is untouched and ends with UNKEY."""

    async def main() -> None:
        async with bench_rig(tmp_path, scenario=f"burst:{PAIRS}") as bench:
            rig, engine = bench.rig, bench.rig.desk.engine
            coproc, link = rig.coproc, rig.desk.coproc
            assert coproc is not None and rig.coproc_runner is not None and link is not None
            engine.alerts.settings = replace(engine.alerts.settings, restart_grace_s=1.0)
            await connect_call(rig)
            await key(rig)
            await until(lambda: coproc.log.acked >= PAIRS // 4, 20, "a quarter of the burst")
            old_boot = coproc.boot_id
            assert coproc.log.acked < PAIRS, "the reboot must come mid-burst"
            coproc.reboot(rig.clock)
            rig.coproc_runner.pump()
            new_boot = coproc.boot_id
            assert new_boot != old_boot
            await until(lambda: link.peer_boot_id == new_boot.upper() and link.is_up, 5,
                        "the desk knows the new boot")  # fmt: skip
            await until(lambda: coproc.idle() and len(coproc.in_alert()) == PAIRS, 30,
                        "the new boot's burst delivered")  # fmt: skip
            await until(lambda: len(engine.alerts) == PAIRS, 10, "one open alert per pair")
            shown = min(PAIRS, engine.options.alerts_shown)
            await until(lambda: len(engine.snapshot.alerts) == shown, 5, "shown")
            assert rig.bridge.keyed, "the radio is untouched by the co-processor's reboot"
            rig.press(False)
            await until(lambda: not rig.bridge.keyed, what="unkeyed on release")
            engine.intent("hangup")
            await until(lambda: not [st for st in engine.alerts._open.values() if st.stale], 10,
                        "old boot's alerts closed after the grace period")  # fmt: skip
            await call_flows(rig)
            acked = set(coproc.log.delivered)
        assert_unkeyed(rig.bridge, {"UNKEY"})
        assert_log_whole(bench.db, bench.commits.committed())
        with LogReader(bench.db) as reader:
            rows = reader.alerts()
        logged = [(r.boot_id, r.alert_seq) for r in rows]
        assert len(logged) == len(set(logged)), "each alert logged once"
        missing = {(b.upper(), s) for b, s in acked} - set(logged)
        assert not missing, f"acknowledged alerts not in the log: {sorted(missing)[:5]}"
        new = {r.pair_id for r in rows if r.boot_id == new_boot.upper()}
        assert len(new) == PAIRS, "the new boot's burst is in the log in full"
        old = [r for r in rows if r.boot_id == old_boot.upper()]
        assert old and all(r.closed_reason is not None for r in old), "old boot's alerts closed"

    asyncio.run(main())
