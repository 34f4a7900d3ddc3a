"""The console's link panel on the real bench rig says "co-processor up, feed DOWN" when the
co-processor's SBS-1 feed is on a port where nothing listens (a real loopback socket)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tui_helpers import NARROW, WIDE, fast_config, frozen_utc, screen_text

from hw.sim.tracks.sbs import SbsClient, SbsSource
from terminal.benchrig import BenchRig
from terminal.tui.app import ConsoleApp
from tests.rigs.bench import until


def test_the_link_panel_shows_the_coprocessor_up_and_its_feed_down(tmp_path: Path) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = probe.sockets[0].getsockname()[1]
        probe.close()
        await probe.wait_closed()
        rig = BenchRig(fast_config(tmp_path), workdir=tmp_path, scenario="head-on")
        sim = rig.coproc
        assert sim is not None
        sim.source = SbsSource()
        sim.report_feed(0.5)
        sim.feed = client = SbsClient(
            "127.0.0.1", port, sim.source, lambda: sim.source_time(loop.time()),
            reconnect_min_s=0.05, reconnect_max_s=0.2,
        )  # fmt: skip
        reader = loop.create_task(client.run())
        await rig.start()
        try:
            await until(lambda: rig.desk.coproc is not None and rig.desk.coproc.is_up, 10,
                        "co-processor link up")  # fmt: skip
            for size in (WIDE, NARROW):
                app = ConsoleApp(rig.desk.engine, hands=rig, desk_name="BENCH", utc=frozen_utc)
                async with app.run_test(size=size) as pilot:
                    deadline = loop.time() + 10
                    while "feed DOWN" not in (text := screen_text(app)):
                        assert loop.time() < deadline, f"feed DOWN not shown:\n{text}"
                        await pilot.pause(0.1)
                    row = next(line for line in text.splitlines() if "COPROC" in line)
                    assert "COPROC up" in row and "feed DOWN" in row, row
                    if size == WIDE:  # a row per link: the reason after it, as room allows
                        assert "feed DOWN: connection" in row, row
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
            rig.desk.stop("test end")

    asyncio.run(main())
