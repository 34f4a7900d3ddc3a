"""PTT through rigctld: a mock-pin press until the real rigctld has keyed the radio, and a release
until rigctld reports it unkeyed.

The desk runs as on a Pi keyed through rigctld (gpiozero MockFactory, the engine on asyncio, one
TCP connection on loopback) against the real rigctld with Hamlib's dummy rig (`rigctld -m 1 -P
RIG`). Press: from the pin edge until rigctld's `RPRT 0` to `T 1` is back at the desk (so `T 1`
was carried out; the moment it arrived at rigctld is earlier, this is its upper bound). Release:
from the pin edge until rigctld answers the desk's read-back `t` with 0 (T 0 carried out and the
radio reported off). 500 presses; p50/p99/max. And the figure the goal is for, the press until
`T 1` is at rigctld: from the pin edge until `T 1` is handed to the socket (on loopback the write
puts it in rigctld's receive buffer; the press-to-RPRT figure above bounds it from above).

rigctld 4.5 itself takes about 50 ms to carry out `T 0` (Hamlib's own wait after PTT off), with
no desk involved: the bench measures that too, on a bare connection (`rigctld_t0_round_trip`),
and gives each release figure as a ratio of it.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.report import Figure

PRESSES = 500


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


async def _measure(workdir: Path, port: int) -> tuple[list[float], list[float], list[float]]:
    from gpiozero.pins.mock import MockFactory

    from hw.gpio import mock_press
    from terminal.config import bench_config
    from terminal.desk import Desk

    config = bench_config(workdir)
    config = replace(
        config,
        gpio=replace(config.gpio, lamp_test_ms=0, ptt_bounce_ms=0),
        radio=replace(config.radio, backend="rigctld", rigctld=f"127.0.0.1:{port}", dcd_poll_ms=0),
        coproc=replace(config.coproc, enabled=False),
        audio=replace(config.audio, enabled=False),
    )
    desk = Desk(config, pin_factory=MockFactory())
    await desk.start()
    press: list[float] = []
    release: list[float] = []
    written: list[float] = []
    try:
        while not desk.radio.is_up:
            await asyncio.sleep(0.01)
        assert desk.panel is not None
        writer = desk.radio._writer
        assert writer is not None
        send = writer.write

        def stamped(data: bytes | bytearray | memoryview) -> None:
            if bytes(data).startswith(b"+T 1"):
                written.append(time.perf_counter())
            send(data)

        writer.write = stamped  # type: ignore[method-assign]
        state = lambda: desk.engine.core.state  # noqa: E731
        for _ in range(PRESSES):
            start = time.perf_counter()
            mock_press(desk.panel, True)
            while not state().bridge_keyed:
                await asyncio.sleep(0)
            press.append(time.perf_counter() - start)
            written[-1] -= start
            start = time.perf_counter()
            mock_press(desk.panel, False)
            while state().bridge_keyed:
                await asyncio.sleep(0)
            release.append(time.perf_counter() - start)
    finally:
        desk.stop("bench end")
    return press, release, written


def _bare_round_trips(port: int, rounds: int = 50) -> tuple[list[float], list[float]]:
    """`+T 1` and `+T 0` on a bare blocking connection: rigctld's own times, no desk."""
    on, off = [], []
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(rounds):
            for command, into in ((b"+T 1\n", on), (b"+T 0\n", off)):
                start = time.perf_counter()
                sock.sendall(command)
                data = b""
                while b"RPRT" not in data or not data.endswith(b"\n"):
                    data += sock.recv(4096)
                into.append(time.perf_counter() - start)
    return on, off


def run() -> list[Figure]:
    """Press and release 500 times through the real rigctld; p50, p99 and max of each."""
    rigctld = shutil.which("rigctld")
    if rigctld is None:
        raise RuntimeError("rigctld is missing: apt-get install libhamlib-utils (make setup)")
    port = _free_port()
    proc = subprocess.Popen(
        [rigctld, "-m", "1", "-P", "RIG", "-T", "127.0.0.1", "-t", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 5
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("rigctld did not listen") from None
                time.sleep(0.02)
        bare_on, bare_off = _bare_round_trips(port)
        with tempfile.TemporaryDirectory() as tmp:
            press, release, written = asyncio.run(_measure(Path(tmp), port))
    finally:
        proc.kill()
        proc.wait()
    t0 = statistics.median(bare_off)
    figures = [
        Figure("rigctld_t1_round_trip_p50", round(statistics.median(bare_on) * 1000, 3), "ms",
               "- (rigctld alone, no desk)"),
        Figure("rigctld_t0_round_trip_p50", round(t0 * 1000, 3), "ms",
               "- (rigctld alone, no desk)"),
    ]  # fmt: skip
    for what, values, goal, ratio_of in (
        ("ptt_press_to_t1_written", written,
         "p99 < 5 ms (T 1 at rigctld: on loopback it is in rigctld's socket when the write "
         "returns)", None),
        ("ptt_press_to_rigctld_keyed", press,
         "- (its upper bound: rigctld's RPRT 0 back at the desk)", None),
        ("ptt_release_to_rigctld_unkeyed", release, "p99 < rigctld's own T 0 + 5 ms",
         f"rigctld's own T 0 round trip ({t0 * 1000:.1f} ms)"),
    ):  # fmt: skip
        for name, value in (
            ("p50", statistics.median(values)),
            ("p99", _percentile(values, 99)),
            ("max", max(values)),
        ):
            figures.append(
                Figure(
                    f"{what}_{name}",
                    round(value * 1000, 3),
                    "ms",
                    goal if name == "p99" else "-",
                    ratio=round(value / t0, 3) if ratio_of else None,
                    ratio_of=ratio_of,
                )
            )
    return figures
