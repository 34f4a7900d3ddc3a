"""`hotline coproc --tracks asterix+udp://...`: the program itself, fed CAT062 over UDP on
loopback by the test, sends the head-on scenario's alerts to a terminal on a pty."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

import pytest
from coproc_helpers import until
from test_coproc_cli import FarTerminal, _spawn

from hw.pty import PtyPair
from hw.sim.tracks.asterix_encode import picture_datagrams
from hw.sim.tracks.scenarios import make
from terminal.cli import EX_USAGE, main

SPEED = 20.0


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_hotline_coproc_reads_asterix_and_alerts_the_terminal(tmp_path: Path) -> None:
    pty = PtyPair(tmp_path / "coproc")
    port = _free_udp_port()
    feed = f"asterix+udp://127.0.0.1:{port}?cat=062,021&coast_s=30"
    proc = _spawn(["coproc", "--port", pty.path, "--tracks", feed, "--speed", str(SPEED),
                   "--cycle", "0.05", "--status", "0.5"])  # fmt: skip
    scene = make("head-on")

    async def far_end() -> list[str]:
        loop = asyncio.get_running_loop()
        term = FarTerminal(pty.master_fd)
        ticker = loop.create_task(term.keep_alive())
        # the scenario starts once the program is up (it loads the ASTERIX tables first)
        await until(lambda: term.session.is_up, timeout_s=150, what="the co-processor's HELLO")
        start = loop.time()
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

        async def send() -> None:
            while True:
                pic = scene.picture((loop.time() - start) * SPEED)
                for cat in (62, 21):
                    for data in picture_datagrams(pic, cat):
                        sender.sendto(data, ("127.0.0.1", port))
                await asyncio.sleep(0.05)

        sending = loop.create_task(send())

        def done() -> bool:
            return "critical" in term.severities and term.book.stats["closed_cleared"] == 1

        try:
            await until(done, timeout_s=60, what="the head-on alerts over ASTERIX, then the clear")
        finally:
            sending.cancel()
            ticker.cancel()
            await asyncio.gather(sending, ticker, return_exceptions=True)
            sender.close()
            term.port.close()
        return term.severities

    try:
        seen = asyncio.run(far_end())
        assert seen in (["advisory", "critical"], ["critical"])
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)  # tearing down libasterix's classes takes a while
        pty.close()
    assert proc.returncode == 0, out
    assert f"on {pty.path}; tracks from {feed}".encode() in out


@pytest.mark.parametrize(
    ("tracks", "error"),
    [
        ("asterix+udp://239.1.1.1", "HOST:PORT"),
        ("asterix+udp://239.1.1.1:8600?cat=048", "cat must be"),
        ("asterix+udp://239.1.1.1:8600?ref=north", "ref must be"),
    ],
)
def test_bad_asterix_specs_stop_start_up(
    tracks: str, error: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["coproc", "--port", str(tmp_path / "none"), "--tracks", tracks]) == EX_USAGE
    assert error in capsys.readouterr().err
