"""The co-processor simulator over a real pty into the desk: alerts logged, shown, acknowledged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from e2e_helpers import until

from terminal.benchrig import BenchRig
from terminal.core.leds import LedPattern
from terminal.log import LogReader

Run = Callable[..., None]


def test_head_on_scenario_alerts_reach_the_desk_and_the_log(tmp_path: Path) -> None:
    import asyncio

    from e2e_helpers import fast_config

    async def main() -> None:
        rig = BenchRig(fast_config(tmp_path), workdir=tmp_path, scenario="head-on",
                       time_scale=20.0)
        await rig.start()
        try:
            engine = rig.desk.engine
            await until(lambda: rig.desk.coproc is not None and rig.desk.coproc.is_up, 10,
                        "co-processor link up")
            await until(lambda: bool(engine.snapshot.alerts), 20, "an alert shown")
            view = engine.snapshot.alerts[0]
            assert view.kind == "TRACK" and view.a.id and view.b.id
            panel = rig.desk.panel
            assert panel is not None
            await until(lambda: panel.led_pattern("alert") is not LedPattern.OFF, 5, "alert LED")
            engine.set_operator("OPS1")
            assert engine.acknowledge(view.pair_id)
            await until(
                lambda: any(a.acknowledged_by == "OPS1" for a in engine.snapshot.alerts)
                or not engine.snapshot.alerts, 5, "acknowledged",
            )
            assert rig.coproc is not None
            delivered = set(rig.coproc.log.delivered)  # ACKed by the terminal
        finally:
            rig.desk.stop("test end")  # flushes the log: what was ACKed was committed before
        with LogReader(tmp_path / "log" / "hotline.db") as reader:
            rows = reader.alerts()
        logged = [(r.boot_id, r.alert_seq) for r in rows]
        assert len(logged) == len(set(logged)), "each alert logged once"
        assert delivered and delivered <= set(logged), "every ACKed alert is in the log"

    asyncio.run(main())


def test_an_alert_is_acknowledged_to_the_coprocessor_only_once_committed(tmp_path: Path) -> None:
    """The database held by another process: the ALERT arrives but is not ACKed (the co-processor
    keeps it and resends); once the lock goes it is committed, then ACKed, then shown."""
    import asyncio
    import sqlite3

    from e2e_helpers import fast_config

    async def main() -> None:
        rig = BenchRig(fast_config(tmp_path), workdir=tmp_path, scenario="head-on",
                       time_scale=20.0)
        await rig.start()
        blocker = sqlite3.connect(tmp_path / "log" / "hotline.db", timeout=10)
        try:
            coproc = rig.coproc
            assert coproc is not None and rig.desk.coproc is not None
            await until(lambda: rig.desk.coproc is not None and rig.desk.coproc.is_up, 10,
                        "co-processor link up")
            blocker.execute("BEGIN EXCLUSIVE")
            locked_from = len(coproc.log.issued)
            await until(lambda: len(coproc.log.issued) > locked_from, 20, "an alert issued")
            first = coproc.log.issued[locked_from]
            key = (first[0], first[1])
            sent = coproc.session.stats["retransmits"]
            await until(lambda: coproc.session.stats["retransmits"] >= sent + 3, 10,
                        "several ACK time-outs gone by with the log still held")  # fmt: skip
            assert key not in coproc.log.delivered, "ACKed before it was committed"
            assert rig.desk.engine.snapshot.alerts == (), "shown before it was committed"
            blocker.rollback()
            await until(lambda: key in coproc.log.delivered, 20, "ACKed once committed")
            with LogReader(tmp_path / "log" / "hotline.db") as reader:
                logged = {(r.boot_id, r.alert_seq) for r in reader.alerts()}
            assert key in logged
            await until(lambda: bool(rig.desk.engine.snapshot.alerts), 5, "shown")
        finally:
            blocker.close()
            rig.desk.stop("test end")

    asyncio.run(main())


def test_an_alert_resent_in_a_new_frame_is_not_acknowledged_before_its_commit(
    tmp_path: Path,
) -> None:
    """The log held: the co-processor's retransmissions of an ALERT run out, it says HELLO again
    and resends the same ALERT (same boot id and alert_seq) in a new frame with a new seq. That
    repeat is not ACKed while the first arrival's record is still uncommitted (an ACK means
    committed); once the log is free both are answered and the alert is in the log once."""
    import asyncio
    import sqlite3

    from e2e_helpers import fast_config

    async def main() -> None:
        rig = BenchRig(fast_config(tmp_path), workdir=tmp_path, scenario="head-on",
                       time_scale=20.0)
        await rig.start()
        blocker = sqlite3.connect(tmp_path / "log" / "hotline.db", timeout=10)
        try:
            coproc, link = rig.coproc, rig.desk.coproc
            assert coproc is not None and link is not None
            book = rig.desk.engine.alerts
            await until(lambda: link.is_up, 10, "co-processor link up")
            blocker.execute("BEGIN EXCLUSIVE")
            locked_from = len(coproc.log.issued)
            await until(lambda: len(coproc.log.issued) > locked_from, 20, "an alert issued")
            first = coproc.log.issued[locked_from]
            key = (first[0], first[1])
            await until(lambda: book.stats["duplicates"] >= 1, 20,
                        "the same ALERT resent in a new frame and seen by the desk")
            # Whatever the desk answered to that repeat is on the wire before the heartbeats
            # it sends later: once two more have reached the simulator, an ACK would have too.
            beats = coproc.session.stats["hb_in"]
            await until(lambda: coproc.session.stats["hb_in"] >= beats + 2, 5, "two heartbeats")
            assert key not in coproc.log.delivered, "ACKed before it was committed"
            blocker.rollback()
            await until(lambda: key in coproc.log.delivered, 20, "ACKed once committed")
            with LogReader(tmp_path / "log" / "hotline.db") as reader:
                logged = [(r.boot_id, r.alert_seq) for r in reader.alerts()]
            assert logged.count(key) == 1
        finally:
            blocker.close()
            rig.desk.stop("test end")

    asyncio.run(main())


def test_a_commit_that_ends_after_the_desk_stopped_is_not_shown(tmp_path: Path) -> None:
    """The desk stops while an alert's commit waits on a held log: when that commit ends, its
    effects are not shown nor journalled into a log writer already closed (it raised in a loop
    callback)."""
    import asyncio
    import sqlite3
    import threading

    from e2e_helpers import fast_config

    async def main() -> None:
        loop = asyncio.get_running_loop()
        errors: list[dict[str, object]] = []
        loop.set_exception_handler(lambda _loop, context: errors.append(context))
        rig = BenchRig(fast_config(tmp_path), workdir=tmp_path, scenario="head-on",
                       time_scale=20.0)
        await rig.start()
        blocker = sqlite3.connect(tmp_path / "log" / "hotline.db", timeout=10,
                                  check_same_thread=False)
        try:
            coproc, link = rig.coproc, rig.desk.coproc
            assert coproc is not None and link is not None
            await until(lambda: link.is_up, 10, "co-processor link up")
            blocker.execute("BEGIN EXCLUSIVE")
            issued = len(coproc.log.issued)
            await until(lambda: len(coproc.log.issued) > issued, 20, "an alert issued")
            book = rig.desk.engine.alerts
            await until(lambda: book.stats["received"] >= 1, 5, "the alert reached the book")
            # The stop waits for the log to flush (on the loop, as the service's does); the
            # log is let go from another thread meanwhile.
            threading.Timer(0.3, blocker.rollback).start()
            rig.desk.stop("test end")
            # The writer's thread queued each commit's result on the loop before the stop
            # returned (it joins that thread); a result reaches its callbacks in two hops
            # (concurrent future -> asyncio future -> done callback): three turns run them.
            for _ in range(3):
                await asyncio.sleep(0)
        finally:
            blocker.close()
        assert errors == []

    asyncio.run(main())
