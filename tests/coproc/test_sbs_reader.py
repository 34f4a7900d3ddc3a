"""The SBS-1 reader's holes found on real traffic (issue 17): each test failed on the old reader.

The table is driven with a fake clock (times passed in); the client against a real TCP server on
loopback."""

from __future__ import annotations

import asyncio

import pytest
from coproc_helpers import until

from hw.sim.tracks import parse_spec
from hw.sim.tracks.sbs import SbsClient, SbsSource

STAMP = "2025/03/01,12:00:00.000,2025/03/01,12:00:00.000"


def msg3(
    hexid: str, alt: float | str, lat: float | str, lon: float | str, ground: str = "0"
) -> str:
    lat_s = f"{lat:.5f}" if isinstance(lat, float) else lat
    lon_s = f"{lon:.5f}" if isinstance(lon, float) else lon
    return f"MSG,3,1,1,{hexid},1,{STAMP},,{alt},,,{lat_s},{lon_s},,,0,0,0,{ground}"


def msg4(hexid: str, gs_kt: float, track: float, vr_fpm: float = 0.0) -> str:
    return f"MSG,4,1,1,{hexid},1,{STAMP},,,{gs_kt:.1f},{track:.1f},,,{vr_fpm:.0f},,0,0,0,"


def msg5(hexid: str, alt: float, ground: str = "") -> str:
    return f"MSG,5,1,1,{hexid},1,{STAMP},,{alt},,,,,,,0,0,0,{ground}"


def msg1(hexid: str, callsign: str) -> str:
    return f"MSG,1,1,1,{hexid},1,{STAMP},{callsign},,,,,,,,,,,"


def test_altitude_is_flown_on_from_the_time_it_was_measured() -> None:
    """Position at 10,000 ft climbing 3,000 ft/min, then MSG,5 of 11,000 ft 20 s later: the
    climb since the position is in the new altitude already, so the picture shows 11,000 ft."""
    src = SbsSource()
    src.feed(msg3("4CA2F1", 10000, 51.5, -0.1), 0.0)
    src.feed(msg4("4CA2F1", 300.0, 90.0, 3000.0), 0.0)
    src.feed(msg5("4CA2F1", 11000), 20.0)
    assert src.picture(20.0).alt_ft[0] == pytest.approx(11000.0)
    assert src.picture(22.0).alt_ft[0] == pytest.approx(11100.0)


def test_a_velocity_before_the_first_position_survives_a_cycle() -> None:
    src = SbsSource()
    assert src.feed(msg4("4CA2F1", 400.0, 0.0), 0.0)
    assert len(src.picture(0.5)) == 0  # a cycle runs: no position yet
    src.feed(msg3("4CA2F1", 12000, 51.5, -0.1), 1.0)
    pic = src.picture(1.0)
    assert pic.ids == ("4CA2F1",) and pic.vn[0] == pytest.approx(400 * 1852 / 3600)


def test_a_callsign_before_the_first_position_survives_a_cycle() -> None:
    src = SbsSource()
    src.feed(msg1("4CA2F1", "BAW123  "), 0.0)
    src.picture(0.5)
    src.feed(msg3("4CA2F1", 12000, 51.5, -0.1), 1.0)
    assert src.callsign("4CA2F1") == "BAW123"


def test_a_position_message_with_altitude_only_keeps_the_altitude() -> None:
    src = SbsSource()
    assert src.feed(msg3("4CA2F1", 9000, "", ""), 0.0)  # altitude, position not decoded yet
    assert src.stats["bad"] == 0
    src.feed(f"MSG,2,1,1,4CA2F1,1,{STAMP},,,,,51.50000,-0.10000,,,0,0,0,0", 1.0)
    src.feed(msg3("4CA2F1", "", 51.5, -0.1), 1.0)
    assert src.picture(1.0).alt_ft[0] == pytest.approx(9000.0)


def test_an_empty_on_ground_field_leaves_the_state_unchanged() -> None:
    """Senders leave the field empty on messages that do not carry it: empty means unchanged."""
    src = SbsSource()
    src.feed(msg3("4CA2F1", 0, 51.5, -0.1, ground="-1"), 0.0)
    src.feed(msg5("4CA2F1", 0, ground=""), 1.0)
    assert len(src.picture(1.0)) == 0  # still on the ground
    src.feed(msg3("4CA2F1", 500, 51.5, -0.1, ground="0"), 2.0)
    src.feed(msg5("4CA2F1", 600, ground=""), 3.0)
    assert src.picture(3.0).ids == ("4CA2F1",)  # airborne stays airborne


def test_the_coast_time_is_a_setting() -> None:
    src = SbsSource(coast_s=5.0)
    src.feed(msg3("4CA2F1", 9000, 51.5, -0.1), 0.0)
    assert src.picture(5.0).ids == ("4CA2F1",)
    assert len(src.picture(5.5)) == 0


@pytest.mark.parametrize(
    ("text", "coast"),
    [("sbs://127.0.0.1:30003?coast_s=20", 20.0), ("sbs://127.0.0.1:30003", None),
     ("tcp://h:1?coast_s=2.5", 2.5)],
)  # fmt: skip
def test_the_spec_takes_a_coast_time(text: str, coast: float | None) -> None:
    spec = parse_spec(text)
    assert spec.kind == "sbs" and spec.coast_s == coast and spec.port in (30003, 1)


@pytest.mark.parametrize(
    ("text", "says"),
    [("sbs://h:1?coast_s=x", "coast_s"), ("sbs://h:1?coast_s=0", "coast_s"),
     ("sbs://h:1?coast_s=-3", "coast_s"), ("sbs://h:1?coast_s=nan", "coast_s"),
     ("sbs://h:1?speed=2", "unknown"), ("head-on?coast_s=5", "coast_s")],
)  # fmt: skip
def test_a_bad_coast_time_is_a_clear_error(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_spec(text)


def test_a_line_over_64_kib_is_counted_and_the_reader_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A port that is not SBS may send anything: the reader must stay alive and say so."""

    async def main() -> None:
        source = SbsSource()

        async def serve(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"x" * 100_000 + b"\n")
            writer.write(b"\xff\xfe" * 40_000)  # no newline for a while, and not ASCII
            writer.write(b"\n" + (msg3("4CA2F1", 9000, 51.5, -0.1) + "\r\n").encode())
            await writer.drain()
            await asyncio.sleep(30)

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = SbsClient("127.0.0.1", port, source, lambda: 0.0)
        task = asyncio.get_running_loop().create_task(client.run())
        try:
            await until(lambda: "4CA2F1" in source.picture(0.0).ids or task.done(),
                        what="the good line after the long ones")  # fmt: skip
            assert not task.done()
            assert client.health(0.0).decode_errors >= 2
            assert "too long" in client.last_error
            assert "line too long, is this an SBS port?" in caplog.text  # logged, not only counted
        finally:
            task.cancel()
            server.close()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())


def test_health_of_a_feed_on_a_wrong_port_then_a_live_one() -> None:
    """Nothing listens: not connected, "connection refused"; then a server on that port serves
    ten lines a second: connected, fresh, about ten messages a second, the aircraft held."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = probe.sockets[0].getsockname()[1]
        probe.close()
        await probe.wait_closed()
        source = SbsSource()
        client = SbsClient("127.0.0.1", port, source, lambda: loop.time() - start,
                           reconnect_min_s=0.05, reconnect_max_s=0.1)  # fmt: skip
        task = loop.create_task(client.run())

        async def serve(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    writer.write((msg3("4CA2F1", 9000, 51.5, -0.1) + "\r\n").encode())
                    await writer.drain()
                    await asyncio.sleep(0.1)
            except (ConnectionError, asyncio.CancelledError):
                writer.close()

        server = None
        try:
            await until(lambda: client.failures >= 2, what="connections refused")
            h = client.health(loop.time() - start)
            assert not h.connected and h.last_error == "connection refused"
            assert h.last_message_age_s is None and h.name == f"sbs://127.0.0.1:{port}"
            server = await asyncio.start_server(serve, "127.0.0.1", port)
            await until(lambda: client.connected, what="connected once the port listens")
            await asyncio.sleep(2.0)
            h = client.health(loop.time() - start)
            assert h.connected and h.tracks_held == 1 and h.decode_errors == 0
            assert h.last_message_age_s is not None and h.last_message_age_s < 0.5
            assert 5.0 < h.messages_per_s < 12.0
            assert h.last_error == ""
        finally:
            task.cancel()
            if server is not None:
                server.close()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())


def test_lines_cut_anywhere_by_the_network_are_read_whole() -> None:
    async def main() -> None:
        source = SbsSource()
        data = "".join(msg3(f"00000{k}", 1000 + k, 50.0, 0.1 * k) + "\r\n" for k in range(5))

        async def serve(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            for k in range(0, len(data), 37):  # cut inside lines, inside the CR LF too
                writer.write(data[k : k + 37].encode())
                await writer.drain()
                await asyncio.sleep(0.01)
            await asyncio.sleep(30)

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = SbsClient("127.0.0.1", port, source, lambda: 0.0)
        task = asyncio.get_running_loop().create_task(client.run())
        try:
            await until(lambda: source.stats["lines"] == 5, what="five lines")
            assert len(source.picture(0.0)) == 5 and source.decode_errors == 0
            assert list(source.picture(0.0).alt_ft) == [1000, 1001, 1002, 1003, 1004]
        finally:
            task.cancel()
            server.close()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())
