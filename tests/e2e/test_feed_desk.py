"""The co-processor's track feed at the desk: the co-processor simulator reads a real SBS-1 feed
over loopback TCP and talks to the real desk over a pty; the desk's snapshot, attach state,
service STATUS line and notices say how the feed is."""

from __future__ import annotations

import asyncio
from pathlib import Path

from e2e_helpers import fast_config, until

from hw.sim.tracks.sbs import SbsClient, SbsSource
from terminal.attach.wire import to_json
from terminal.benchrig import BenchRig
from terminal.service import status_line
from terminal.views import FeedView

SBS_LINE = "MSG,3,1,1,4CA2F1,1,2025/03/01,12:00:00.000,2025/03/01,12:00:00.000,,9000,,,51.50000,-0.10000,,,0,0,0,0\r\n"  # noqa: E501


def coproc_feed(rig: BenchRig) -> FeedView | None:
    """The feed the desk shows on its co-processor link."""
    item = next(h for h in rig.desk.engine.snapshot.health if h.name == "coproc")
    return item.feed


async def free_port() -> int:
    """A loopback port nothing listens on (now)."""
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port: int = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    return port


def test_a_wrong_port_shows_feed_down_then_up_when_the_feed_comes(tmp_path: Path) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        rig = BenchRig(fast_config(tmp_path), workdir=tmp_path, scenario="head-on")
        sim = rig.coproc
        assert sim is not None
        port = await free_port()
        sim.source = SbsSource()
        sim.report_feed(0.5)
        client = SbsClient("127.0.0.1", port, sim.source, lambda: sim.source_time(loop.time()),
                           reconnect_min_s=0.05, reconnect_max_s=0.2)  # fmt: skip
        sim.feed = client
        reader = loop.create_task(client.run())

        async def serve(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    writer.write(SBS_LINE.encode())
                    await writer.drain()
                    await asyncio.sleep(0.1)
            except (ConnectionError, asyncio.CancelledError):
                writer.close()

        server = None
        await rig.start()
        try:
            await until(lambda: rig.desk.coproc is not None and rig.desk.coproc.is_up, 10,
                        "co-processor link up")  # fmt: skip
            await until(lambda: getattr(coproc_feed(rig), "state", "") == "DOWN", 10,
                        "feed DOWN at the desk")  # fmt: skip
            snap = rig.desk.engine.snapshot
            feed = coproc_feed(rig)
            assert feed is not None and feed.kind == "SBS" and feed.source.endswith(f":{port}")
            assert feed.error == "connection refused"
            assert snap.links["coproc"] is True  # the link itself is fine
            assert "coproc=up feed=DOWN" in status_line(snap)
            state = next(h for h in to_json(snap.health) if h["name"] == "coproc")
            assert state["feed"]["state"] == "DOWN" and state["feed"]["tracks"] == 0
            assert any("track feed" in n.text and "DOWN" in n.text for n in snap.notices)

            server = await asyncio.start_server(serve, "127.0.0.1", port)
            await until(lambda: getattr(coproc_feed(rig), "tracks", 0) == 1, 10,
                        "feed up with the aircraft")  # fmt: skip
            feed = coproc_feed(rig)
            assert feed is not None and feed.state == "up" and feed.error == ""
            assert "coproc=up feed=up" in status_line(rig.desk.engine.snapshot)
            assert any("is up again" in n.text for n in rig.desk.engine.snapshot.notices)
        finally:
            reader.cancel()
            if server is not None:
                server.close()
            await asyncio.gather(reader, return_exceptions=True)
            rig.desk.stop("test end")

    asyncio.run(main())


def test_a_coprocessor_that_does_not_report_its_feed_shows_it_unknown(tmp_path: Path) -> None:
    async def main() -> None:
        rig = BenchRig(fast_config(tmp_path), workdir=tmp_path, scenario="head-on",
                       time_scale=20.0)  # fmt: skip
        assert rig.coproc is not None
        rig.coproc.report_feed(None)
        await rig.start()
        try:
            await until(lambda: rig.desk.coproc is not None and rig.desk.coproc.is_up, 10,
                        "co-processor link up")  # fmt: skip
            await until(lambda: bool(rig.desk.engine.snapshot.alerts), 20, "alerts still work")
            assert coproc_feed(rig) == FeedView("unknown")
            assert "coproc=up feed=unknown" in status_line(rig.desk.engine.snapshot)
            assert rig.desk.coproc is not None and rig.desk.coproc.feeds_in == 0
        finally:
            rig.desk.stop("test end")

    asyncio.run(main())
