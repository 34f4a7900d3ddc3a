"""`--speed X` runs the source clock X times faster for every source: the co-processor program
(build and serve, as `hotline coproc` runs them) on a pty, reading a real SBS-1 feed on loopback
at --speed 10, stamps the feed's lines in source seconds; a file and a scenario replay on the
same clock; ``?coast_s`` and ``--coast`` reach the source."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest
from coproc_helpers import until

from hw.pty import PtyPair
from terminal.commands.coproc import build, serve

STAMP = "2025/03/01,12:00:00.000,2025/03/01,12:00:00.000"
LINES = (
    f"MSG,3,1,1,4CA2F1,1,{STAMP},,9000,,,51.50000,-0.10000,,,0,0,0,0\r\n"
    f"MSG,4,1,1,4CA2F1,1,{STAMP},,,400.0,90.0,,,0,,0,0,0,\r\n"
)


def options(**kw: object) -> argparse.Namespace:
    base = dict(baud=115200, cycle=0.2, speed=1.0, line=None, name="coproc", coast=None,
                command="coproc")  # fmt: skip
    return argparse.Namespace(**{**base, **kw})


def test_a_feed_at_speed_ten_is_stamped_in_source_seconds(tmp_path: Path) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        sent_at: list[float] = []

        async def serve_sbs(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(LINES.encode())
            await writer.drain()
            sent_at.append(loop.time())
            await asyncio.sleep(30)

        server = await asyncio.start_server(serve_sbs, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        sim, spec = build(options(speed=10.0), f"sbs://127.0.0.1:{port}?coast_s=600")
        assert sim.source.coast_s == 600.0 and sim.time_scale == 10.0
        pty = PtyPair(tmp_path / "coproc")
        task = loop.create_task(serve(sim, pty.path, 115200, sbs=spec, status_s=0))
        try:
            await until(lambda: len(sim.source) == 1, what="the aircraft read")
            await asyncio.sleep(0.5)
            now = loop.time()
            health = sim.feed_health(now)
            assert health.connected and health.tracks_held == 1
            age = health.last_message_age_s
            assert age is not None and age == pytest.approx(10 * (now - sent_at[0]), abs=0.5)
            # flown on in source seconds too: 400 kt for `age` seconds east of where it was
            pic = sim.source.picture(sim.source_time(now))
            assert pic.ids == ("4CA2F1",) and pic.lon[0] > -0.1
        finally:
            task.cancel()
            server.close()
            await asyncio.gather(task, return_exceptions=True)
            pty.close()

    asyncio.run(main())


def test_files_and_scenarios_run_on_the_same_source_clock(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("t,id,lat,lon,alt_ft\n0,A,51,0,1000\n100,A,51,0.1,1000\n")
    sim, spec = build(options(speed=10.0), f"{path}?coast_s=5")
    assert spec is None and sim.source.stale_s == 5.0
    sim.start(1000.0)
    assert sim.source_time(1002.0) == 20.0  # two wall seconds: twenty of the file's
    assert sim.feed_health(1000.4).tracks_held == 1  # 4 s into the file: A reported at 0
    assert sim.feed_health(1000.6).tracks_held == 0  # 6 s: silent for more than 5 s
    scenario, _ = build(options(speed=10.0), "head-on")
    scenario.start(1000.0)
    assert scenario.source_time(1002.0) == 20.0


@pytest.mark.parametrize(
    ("tracks", "coast", "says"),
    [("head-on", 5.0, "--coast is for a live feed or a file"),
     ("sbs://h:1", 0.0, "--coast must be a positive"),
     ("sbs://h:1", float("nan"), "--coast must be a positive")],
)  # fmt: skip
def test_a_bad_coast_option_is_a_clear_error(tracks: str, coast: float, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        build(options(coast=coast), tracks)


def test_the_coast_option_reaches_the_feed_and_the_spec_wins() -> None:
    sim, _ = build(options(coast=12.0), "sbs://h:1")
    assert sim.source.coast_s == 12.0
    sim, _ = build(options(coast=12.0), "sbs://h:1?coast_s=3")
    assert sim.source.coast_s == 3.0
