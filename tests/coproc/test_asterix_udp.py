"""ASTERIX over UDP on loopback: a scenario served as CAT062 and CAT021 datagrams drives the
co-processor to the terminal's alert book over a pty with the same alerts as the same scenario
served as SBS-1; hostile datagrams, a port already taken and a multicast group."""

from __future__ import annotations

import asyncio
import math
import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from coproc_helpers import coproc_rig, exactly_once, until

from hw.sim.tracks.asterix_encode import address_of, picture_datagrams
from hw.sim.tracks.asterix_feed import AsterixFeed
from hw.sim.tracks.asterix_source import AsterixSource
from hw.sim.tracks.sbs import KT, SbsClient, SbsSource
from hw.sim.tracks.scenarios import make
from terminal.kernel.picture import Picture

SCALE = 20.0  # scenario seconds per second, as `hotline coproc --speed 20`
GROUP = "239.255.62.21"


def _sender() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 0)  # never leaves this host
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
    return s


def _sbs_lines(pic: Picture) -> bytes:
    stamp = "2025/03/01,12:00:00.000,2025/03/01,12:00:00.000"
    out = []
    for k, track in enumerate(pic.ids):
        hexid = f"{address_of(track):06X}"
        lat, lon, alt = float(pic.lat[k]), float(pic.lon[k]), float(pic.alt_ft[k])
        vn, ve = float(pic.vn[k]), float(pic.ve[k])
        speed, trk = math.hypot(vn, ve), math.degrees(math.atan2(ve, vn)) % 360.0
        out.append(f"MSG,3,1,1,{hexid},1,{stamp},,{alt:.0f},,,{lat:.6f},{lon:.6f},,,0,0,0,0")
        out.append(f"MSG,4,1,1,{hexid},1,{stamp},,,{speed / KT:.1f},{trk:.2f},,,0,,0,0,0,0")
    return ("\r\n".join(out) + "\r\n").encode()


async def _alerts_of(tmp_path: Path, feed: str, scenario: str = "head-on") -> dict[str, object]:
    """Serve ``scenario`` (SCALE times fast) as ``sbs`` or ``asterix:CATS``; what reached the
    terminal once the first pair went critical and everything sent was acknowledged."""
    loop = asyncio.get_running_loop()
    scene = make(scenario)
    start = loop.time()

    def now_picture() -> Picture:
        return scene.picture((loop.time() - start) * SCALE)

    tasks: list[asyncio.Task[None]] = []
    cleanup: list[Callable[[], None]] = []
    source: SbsSource | AsterixSource
    if feed == "sbs":
        source = SbsSource()
    else:
        cats = tuple(int(c) for c in feed.split(":")[1].split(","))
        source = AsterixSource(cats=cats, name=f"asterix+udp://{GROUP}:0")
    where = tmp_path / feed.replace(":", "-").replace(",", "-")
    where.mkdir()
    async with coproc_rig(where, source, cycle_s=0.1, time_scale=SCALE) as rig:
        clock = lambda: rig.sim.source_time(loop.time())  # noqa: E731
        if isinstance(source, SbsSource):

            async def serve(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                try:
                    while True:
                        writer.write(_sbs_lines(now_picture()))
                        await writer.drain()
                        await asyncio.sleep(0.05)
                except (ConnectionError, asyncio.CancelledError):
                    writer.close()

            server = await asyncio.start_server(serve, "127.0.0.1", 0)
            cleanup.append(server.close)
            client = SbsClient("127.0.0.1", server.sockets[0].getsockname()[1], source, clock)
            tasks.append(loop.create_task(client.run()))
        else:
            asterix = AsterixFeed(GROUP, 0, source, clock, iface="127.0.0.1")
            tasks.append(loop.create_task(asterix.run()))
            await until(lambda: asterix.receiver.local_address is not None, what="bound")
            assert asterix.receiver.local_address is not None
            port = asterix.receiver.local_address[1]
            sender = _sender()
            cleanup.append(sender.close)

            async def send() -> None:
                while True:
                    pic = now_picture()
                    for cat in cats:
                        for data in picture_datagrams(pic, cat):
                            sender.sendto(data, (GROUP, port))
                    await asyncio.sleep(0.05)

            tasks.append(loop.create_task(send()))
        try:
            book = rig.term.book
            await until(lambda: book.highest_open_severity() == "critical", timeout_s=30,
                        what=f"a critical alert over {feed}")  # fmt: skip
            await until(rig.sim.idle, what="all sent")
            exactly_once(rig)
            (view,) = book.views()
            return {
                "pairs": sorted(rig.term.in_alert()),
                "tracks": sorted((view.a.id, view.b.id)),
                "alt_ft": (view.a.alt_ft, view.b.alt_ft),
                "in_picture": len(source.picture(clock())),
                "health": source.health(clock()) if isinstance(source, AsterixSource) else None,
            }
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for close in cleanup:
                close()


@pytest.mark.parametrize("cats", ["62", "21", "62,21"])
def test_a_scenario_over_asterix_gives_the_alerts_it_gives_over_sbs(
    tmp_path: Path, cats: str
) -> None:
    async def main() -> tuple[dict[str, object], dict[str, object]]:
        over_sbs = await _alerts_of(tmp_path, "sbs")
        over_asterix = await _alerts_of(tmp_path, f"asterix:{cats}")
        return over_sbs, over_asterix

    over_sbs, over_asterix = asyncio.run(main())
    health = over_asterix.pop("health")
    over_sbs.pop("health")
    assert over_asterix == over_sbs
    assert over_sbs["tracks"] == sorted(f"{address_of(f.id):06X}" for f in make("head-on").flights)
    assert health is not None and health.connected and health.decode_errors == 0  # type: ignore[attr-defined]
    assert health.tracks_held == 2 * len(cats.split(","))  # type: ignore[attr-defined]
    assert health.messages_per_s > 0  # type: ignore[attr-defined]


def _send_to(port: int, *datagrams: bytes) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for data in datagrams:
            s.sendto(data, ("127.0.0.1", port))


def test_hostile_datagrams_are_counted_and_the_receiver_keeps_running() -> None:
    pic = make("head-on").picture(0.0)
    good = picture_datagrams(pic, 62)[0]
    hostile = [
        good[:-5],  # truncated
        picture_datagrams(pic, 21)[0],  # a category not asked for
        b"\x3e\x00\x0a" + b"\xff" * 6 + b"\x01",  # FSPEC claiming items that are not there
        b"\x3e\x00\x03" * 21_835,  # 64 KiB of empty datablocks (65,505 bytes)
        os.urandom(65_507),  # the largest UDP datagram, random
    ]

    async def main() -> None:
        loop = asyncio.get_running_loop()
        source = AsterixSource(cats=(62,))
        feed = AsterixFeed("127.0.0.1", 0, source, loop.time)
        task = loop.create_task(feed.run())
        try:
            await until(lambda: feed.receiver.local_address is not None, what="bound")
            assert feed.receiver.local_address is not None
            port = feed.receiver.local_address[1]
            _send_to(port, *hostile)
            await until(lambda: source.stats["datagrams"] == len(hostile), what="all read")
            assert source.stats["decode_errors"] == 4 and source.stats["other_category"] == 1
            assert len(source) == 0
            _send_to(port, good)  # still listening, still decoding
            await until(lambda: len(source) == 2, what="the good datagram's two tracks")
            health = source.health(loop.time())
            assert health.connected and health.decode_errors == 4 and health.tracks_held == 2
            assert not task.done()
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())


def test_a_port_already_taken_is_reported_and_bound_once_free() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        squatter = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        squatter.bind(("127.0.0.1", 0))
        port = squatter.getsockname()[1]
        source = AsterixSource(cats=(62,))
        feed = AsterixFeed("127.0.0.1", port, source, loop.time, rebind_s=0.05)
        task = loop.create_task(feed.run())
        try:
            await until(lambda: "cannot listen" in source.last_error, what="the bind error")
            health = source.health(loop.time())
            assert not health.connected and "in use" in health.last_error
            squatter.close()
            await until(lambda: feed.bound, what="bound once the port is free")
            _send_to(port, picture_datagrams(make("head-on").picture(0.0), 62)[0])
            await until(lambda: len(source) == 2, what="tracks")
            assert source.health(loop.time()).connected
        finally:
            squatter.close()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())
