"""The SBS-1 (BaseStation) source: parsing, the aircraft table, and a feed served on loopback
driving the co-processor end to end."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest
from coproc_helpers import coproc_rig, exactly_once, until

from hw.sim.tracks.sbs import KT, SbsClient, SbsSource
from terminal.kernel.geodesy import geodesic_direct_azimuth, geodesic_inverse

STAMP = "2025/03/01,12:00:00.000,2025/03/01,12:00:00.000"


def msg3(hexid: str, alt: float | str, lat: float, lon: float, ground: str = "0") -> str:
    return f"MSG,3,1,1,{hexid},1,{STAMP},,{alt},,,{lat:.5f},{lon:.5f},,,0,0,0,{ground}"


def msg4(hexid: str, gs_kt: float, track: float, vr_fpm: float = 0.0) -> str:
    return f"MSG,4,1,1,{hexid},1,{STAMP},,,{gs_kt:.1f},{track:.1f},,,{vr_fpm:.0f},,0,0,0,0"


def test_positions_and_velocities_make_a_picture() -> None:
    src = SbsSource()
    assert src.feed(msg3("4ca2f1", 12000, 51.5, -0.1), 0.0)
    assert src.feed(msg4("4CA2F1", 400.0, 90.0, 640.0), 0.0)
    assert src.feed("MSG,1,1,1,4CA2F1,1," + STAMP + ",BAW123  ,,,,,,,,,,,0", 0.0)
    pic = src.picture(0.0)
    assert pic.ids == ("4CA2F1",)
    assert (pic.lat[0], pic.lon[0], pic.alt_ft[0]) == pytest.approx((51.5, -0.1, 12000))
    assert pic.ve[0] == pytest.approx(400 * KT) and abs(pic.vn[0]) < 1e-9
    assert pic.vu[0] == pytest.approx(640 * 0.3048 / 60)
    # flown on: 10 s later it is 10 s of ground speed further east, and 640/6 ft higher
    later = src.picture(10.0)
    moved = float(geodesic_inverse(51.5, -0.1, later.lat[0], later.lon[0]))
    assert moved == pytest.approx(4000 * KT, rel=1e-6)
    assert later.alt_ft[0] == pytest.approx(12000 + 640 / 6)


def test_what_is_left_out() -> None:
    src = SbsSource(coast_s=30.0)
    src.feed(msg3("AAAAAA", "", 51.0, 0.0), 0.0)  # no altitude yet
    src.feed(msg3("BBBBBB", 0, 51.0, 0.1, ground="-1"), 0.0)  # on the ground
    src.feed(msg3("CCCCCC", 9000, 51.0, 0.2), 0.0)
    assert src.picture(1.0).ids == ("CCCCCC",)
    src.feed("MSG,5,1,1,AAAAAA,1," + STAMP + ",,7000,,,,,,,0,0,0,0", 2.0)
    assert set(src.picture(2.0).ids) == {"AAAAAA", "CCCCCC"}
    assert len(src.picture(40.0)) == 0 and len(src) == 0  # stale and forgotten


@pytest.mark.parametrize(
    "line",
    ["", "hello", "MSG,3,1,1,,1", "STA,3,1,1,4CA2F1,1," + STAMP,
     msg3("4CA2F1", 1000, 95.0, 0.0), "MSG,4,1,1,4CA2F1,1," + STAMP + ",,,x,y,,,,,,,,0"],
)  # fmt: skip
def test_lines_that_are_not_understood_are_counted(line: str) -> None:
    src = SbsSource()
    assert not src.feed(line, 0.0)
    assert len(src.picture(0.0)) == 0
    assert src.stats["lines"] == 1


def _flight(
    start: tuple[float, float], heading: float, speed: float, t: float
) -> tuple[float, ...]:
    lat, lon, az = geodesic_direct_azimuth(*start, heading, speed * t)
    return float(lat), float(lon), float(az) % 360.0


def test_an_sbs_feed_on_loopback_drives_the_coprocessor(tmp_path: Path) -> None:
    a0 = (51.0, -0.1)
    b_lat, b_lon, back = _flight(a0, 90.0, 1.0, 12_000.0)  # B 12 km east of A
    b0, b_heading = (b_lat, b_lon), (back + 180.0) % 360.0
    speed = 240.0

    async def main() -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()

        async def serve(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    t = loop.time() - start
                    for hexid, p0, hdg in (("4CA2F1", a0, 90.0), ("4CA2F2", b0, b_heading)):
                        lat, lon, trk = _flight(p0, hdg, speed, t)
                        lines = [msg3(hexid, 25000, lat, lon), msg4(hexid, speed / KT, trk)]
                        writer.write(("\r\n".join(lines) + "\r\n").encode())
                    await writer.drain()
                    await asyncio.sleep(0.1)
            except (ConnectionError, asyncio.CancelledError):
                writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        source = SbsSource()
        async with coproc_rig(tmp_path, source, cycle_s=0.2) as rig:
            client = SbsClient("127.0.0.1", port, source, lambda: rig.sim.source_time(loop.time()))
            reader = loop.create_task(client.run())
            try:
                await until(lambda: client.connected, what="the feed connected")
                await until(lambda: rig.term.book.highest_open_severity() == "critical",
                            timeout_s=15, what="a critical alert")  # fmt: skip
                (view,) = rig.term.book.views()
                assert view.pair_id == "4CA2F1/4CA2F2" and not view.suspect
                assert view.a.alt_ft == 25000 and math.isclose(view.vertical_ft, 0.0)
                await until(rig.sim.idle, what="all sent")
                exactly_once(rig)
            finally:
                reader.cancel()
                server.close()
                await asyncio.gather(reader, return_exceptions=True)

    asyncio.run(main())


def test_the_client_reconnects() -> None:
    async def main() -> None:
        source = SbsSource()
        served = 0

        async def serve(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal served
            served += 1
            writer.write((msg3(f"00000{served}", 1000, 50.0, 0.0) + "\n").encode())
            await writer.drain()
            writer.close()  # hang up at once: the client must come back

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = SbsClient("127.0.0.1", port, source, lambda: 0.0, reconnect_min_s=0.05)
        task = asyncio.get_running_loop().create_task(client.run())
        try:
            await until(lambda: client.connections >= 3, what="three connections")
            assert {"000001", "000002"} <= set(source.picture(0.0).ids)
        finally:
            task.cancel()
            server.close()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())
