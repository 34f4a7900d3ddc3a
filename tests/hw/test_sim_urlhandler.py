"""The simulators as a pyserial URL handler (`sim://bridge`, `sim://coproc`): registered the
pyserial way, opened by `serial_for_url`, a real tty behind it, and a whole desk on it."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path

import pytest
import serial

import hw.serialport  # noqa: F401  registers the handler package, as the desk does
from hw.sim.urlhandler.protocol_sim import parse
from hw.wire.codec import Decoder, Frame
from terminal.config import bench_config
from terminal.desk import Desk
from tests.rigs.bench import until


def test_registered_the_pyserial_way() -> None:
    assert "hw.sim.urlhandler" in serial.protocol_handler_packages


def test_sim_bridge_opens_as_a_tty_and_says_hello() -> None:
    port = serial.serial_for_url("sim://bridge", baudrate=115200, timeout=3)
    try:
        assert os.isatty(port.fileno())
        line = port.read_until(b"\n")
        (frame,) = [f for f in Decoder().feed(line) if isinstance(f, Frame)]
        assert frame.type == "HELLO" and frame.fields[1] == "BRIDGE"
    finally:
        port.close()


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("sim://radio", "the peer is one of bridge, coproc"),
        ("sim://bridge?scenario=x", "unknown option(s) scenario"),
        ("sim://coproc?time_scale=fast", "time_scale='fast' is not a number"),
        ("sim://coproc?time_scale=0", "time_scale must be positive"),
    ],
)
def test_a_bad_url_is_refused_with_what_is_wrong(url: str, error: str) -> None:
    with pytest.raises(serial.SerialException, match=error.replace("(", r"\(").replace(")", r"\)")):
        serial.serial_for_url(url)


def test_parse_reads_the_peer_and_its_options() -> None:
    assert parse("sim://coproc?scenario=burst:20&time_scale=4") == (
        "coproc", {"scenario": "burst:20", "time_scale": "4"}
    )


def test_a_desk_configured_with_sim_urls_calls_out_and_is_answered(tmp_path: Path) -> None:
    """No bench rig: the desk opens sim://bridge and sim://coproc as it opens any port."""
    cfg = bench_config(log_dir=tmp_path / "log")
    cfg = replace(
        cfg,
        gpio=replace(cfg.gpio, lamp_test_ms=0),
        radio=replace(cfg.radio, port="sim://bridge?auto_answer=0.2"),
        coproc=replace(cfg.coproc, port="sim://coproc?scenario=head-on&time_scale=20"),
        audio=replace(cfg.audio, enabled=False),
    )

    async def main() -> None:
        desk = Desk(cfg)
        await desk.start()
        try:
            engine = desk.engine
            await until(lambda: engine.snapshot.links.get("radio", False), 15, "bridge link up")
            await until(lambda: engine.snapshot.links.get("coproc", False), 15, "coproc link up")
            engine.intent("call")
            await until(lambda: engine.snapshot.display == "CONNECTED", 10, "answered")
            await until(lambda: bool(engine.snapshot.alerts), 30, "an alert from the scenario")
        finally:
            desk.stop("test end")

    asyncio.run(main())
