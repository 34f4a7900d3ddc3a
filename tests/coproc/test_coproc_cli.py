"""`hotline coproc` and `hotline sim coproc`: arguments, and the program on a pseudo-terminal
with the test playing the terminal on the far end."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from coproc_helpers import until

from hw.coproc import alert_event
from hw.pty import PtyPair
from hw.sim.fdport import FdPort
from hw.wire.messages import Alert, Clear, Role, random_boot_id
from hw.wire.session import LinkSession, MessageReceived
from terminal.cli import EX_USAGE, main
from terminal.commands.coproc import parse_line
from terminal.core.alert_effects import AlertLogged
from terminal.core.alert_events import AlertCleared
from terminal.core.alerts import AlertBook

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["--tracks", "nope"], "unknown track source"),
        (["--tracks", "missing.csv"], "cannot read"),
        (["--tracks", "head-on", "--line", "51,0 52"], "is not lat,lon"),
        (["--tracks", "head-on", "--line", "51,0"], "at least two points"),
        (["--tracks", "head-on", "--cycle", "0"], "must be positive"),
        (["--tracks", "burst:0"], "positive whole number"),
        (["--tracks", "sbs://host"], "HOST:PORT"),
        (["--tracks", "sbs://h:1?coast_s=0"], "coast_s must be a positive number of seconds"),
        (["--tracks", "sbs://h:1", "--coast", "-1"], "--coast must be a positive"),
        (["--tracks", "head-on", "--coast", "5"], "--coast is for a live feed or a file"),
    ],
)
def test_bad_arguments_say_why(
    argv: list[str], error: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    assert main(["coproc", "--port", str(tmp_path / "none"), *argv]) == EX_USAGE
    assert error in capsys.readouterr().err


def test_a_line_from_the_command_line() -> None:
    line = parse_line("51.0,1.0 52.5,1.3;53,2")
    assert line.points == ((51.0, 1.0), (52.5, 1.3), (53.0, 2.0))


class FarTerminal:
    """The terminal's session on the master side of a pty, feeding an alert book."""

    def __init__(self, fd: int) -> None:
        self.session = LinkSession(Role.TERMINAL, "desk", random_boot_id(), heartbeat_s=0.2,
                                   link_timeout_s=0.8, ack_timeout_s=0.1)  # fmt: skip
        self.book = AlertBook()
        self.severities: list[str] = []  # of every ALERT logged, in order
        self.loop = asyncio.get_running_loop()
        self.port = FdPort(fd, self._data)
        self.session.start(self.loop.time())
        self._flush()

    def _data(self, data: bytes) -> None:
        now = self.loop.time()
        boot = lambda: self.session.peer.boot_id if self.session.peer else ""  # noqa: E731
        for ev in self.session.receive(data, now):
            if isinstance(ev, MessageReceived) and isinstance(ev.msg, Alert):
                effects = self.book.handle(alert_event(ev.msg, boot(), now, 0))
                self.severities += [e.severity for e in effects if isinstance(e, AlertLogged)]
            elif isinstance(ev, MessageReceived) and isinstance(ev.msg, Clear):
                self.book.handle(AlertCleared(now, 0, boot(), ev.msg.pair_id))
        self._flush()

    def _flush(self) -> None:
        self.session.poll(self.loop.time())
        self.port.write(self.session.data_to_send())

    async def keep_alive(self) -> None:
        while True:
            self._flush()
            await asyncio.sleep(0.05)


def _spawn(args: list[str], stdin: int | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "terminal.cli", *args], cwd=ROOT, stdin=stdin,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def test_hotline_coproc_sends_a_scenario_to_the_terminal(tmp_path: Path) -> None:
    pty = PtyPair(tmp_path / "coproc")
    proc = _spawn(["coproc", "--port", pty.path, "--tracks", "head-on", "--speed", "20",
                   "--cycle", "0.05", "--status", "0.5"])  # fmt: skip

    async def far_end() -> tuple[list[str], int]:
        term = FarTerminal(pty.master_fd)
        ticker = asyncio.get_running_loop().create_task(term.keep_alive())

        def done() -> bool:
            return "critical" in term.severities and term.book.stats["closed_cleared"] == 1

        try:
            await until(done, timeout_s=30, what="the head-on alerts, then the clear")
        finally:
            ticker.cancel()
            term.port.close()
        return term.severities, len(term.book)

    try:
        seen, still_open = asyncio.run(far_end())
        # advisory then critical; a slow start may find the advisory already overtaken (the
        # co-processor sends the newest state of a pair it has not sent yet)
        assert seen in (["advisory", "critical"], ["critical"]) and still_open == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=10)
        pty.close()
    assert proc.returncode == 0, out
    assert f"on {pty.path}; tracks ready".encode() in out


def test_hotline_sim_coproc_obeys_its_commands(tmp_path: Path) -> None:
    pty = PtyPair(tmp_path / "coproc")
    read_fd, write_fd = os.pipe()
    proc = _spawn(["sim", "coproc", "--port", pty.path, "--scenario", "burst:20",
                   "--status", "0"], stdin=read_fd)  # fmt: skip
    os.close(read_fd)

    async def far_end() -> int:
        term = FarTerminal(pty.master_fd)
        ticker = asyncio.get_running_loop().create_task(term.keep_alive())
        try:
            await until(lambda: len(term.book) == 20, timeout_s=30, what="the burst")
            os.write(write_fd, b"status\nbogus\nreboot\n")
            await until(lambda: term.book.stats["coproc_restarts"] == 1, what="the reboot")
            os.write(write_fd, b"quit\n")
        finally:
            ticker.cancel()
            term.port.close()
        return len(term.book)

    try:
        assert asyncio.run(far_end()) == 20
        out, _ = proc.communicate(timeout=10)
    finally:
        os.close(write_fd)
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        pty.close()
    assert proc.returncode == 0, out
    text = out.decode()
    assert "unknown command 'bogus'" in text and text.count("link up") >= 2


def test_the_status_line() -> None:
    from hw.sim.coproc import CoprocSim
    from hw.sim.tracks.scenarios import make
    from terminal.commands.coproc import status_line

    sim = CoprocSim(make("burst:3"), boot_id="C0DE0001")
    sim.start(0.0)
    sim.poll(0.0)
    line = status_line(sim, 0.0)
    assert line.startswith("coproc C0DE0001: link down, 1 cycles, 3 in alert, 3 queued")
    assert line.endswith("0 alerts acked, 0 clears; line v0 none; feed scenario:burst: 6 tracks")
