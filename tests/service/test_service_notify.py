"""`hotline service` as a child under a test NOTIFY_SOCKET: READY, watchdog, STATUS, STOPPING."""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hw.pty import PtyPair
from tests.rigs.notify import NotifyListener


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[Path, PtyPair]]:
    pty = PtyPair()  # no bridge answers: the link stays "retrying", as at a desk with it off
    cfg = tmp_path / "desk.toml"
    cfg.write_text(
        f'[gpio]\npin_factory = "mock"\nlamp_test_ms = 0\n[radio]\nport = "{pty.path}"\n'
        f'[coproc]\nenabled = false\n[log]\ndirectory = "{tmp_path / "log"}"\n'
        f'[service]\nsocket = "{tmp_path / "c.sock"}"\n'
    )
    yield cfg, pty
    pty.close()


STALLING = "tests.rigs.stalling_service"
"""The service with the test-only `debug-stall` control command (tests/rigs/stalling_service.py)."""


def start_service(
    cfg: Path, notify: Path, watchdog_usec: int | None = None, module: str = "terminal.cli",
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    env = dict(os.environ, NOTIFY_SOCKET=str(notify), **(env or {}))
    if watchdog_usec:
        env["WATCHDOG_USEC"] = str(watchdog_usec)
    return subprocess.Popen(
        [sys.executable, "-m", module, "service", "--config", str(cfg)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def control(sock: Path, request: dict[str, object]) -> dict[str, object]:
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(sock))
        s.sendall(json.dumps(request).encode() + b"\n")
        s.settimeout(5)
        reply = json.loads(s.recv(4096))
    assert isinstance(reply, dict)
    return reply


def test_ready_status_stopping_and_clean_exit(desk: tuple[Path, PtyPair], tmp_path: Path) -> None:
    cfg, _ = desk
    listener = NotifyListener(tmp_path / "notify")
    proc = start_service(cfg, listener.path)
    try:
        listener.wait_for("READY=1", 15)
        assert (tmp_path / "c.sock").exists(), "control socket open before READY"
        ready = next(m for _, m in listener.messages if "READY=1" in m)
        assert "STATUS=IDLE" in ready and "radio=DOWN" in ready
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        listener.wait_for("STOPPING=1", 2)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_watchdog_pings_stop_while_the_loop_is_stalled(
    desk: tuple[Path, PtyPair], tmp_path: Path
) -> None:
    cfg, _ = desk
    listener = NotifyListener(tmp_path / "notify")
    proc = start_service(cfg, listener.path, watchdog_usec=400_000, module=STALLING)  # 0.2 s pings
    try:
        listener.wait_for("READY=1", 15)
        pings = [t for t, m in listener.collect(1.0) if m == "WATCHDOG=1"]
        assert len(pings) >= 4, pings
        gaps = [b - a for a, b in itertools.pairwise(pings)]
        assert max(gaps) < 0.4, gaps
        listener.collect(0.01)  # drain
        assert control(tmp_path / "c.sock", {"cmd": "debug-stall", "seconds": 1.0})["ok"]
        # What was sent during the stall is queued in the socket: at most the one ping that
        # may have left just before the loop blocked (five would have come in 1 s).
        during = [m for _, m in listener.collect(0.01) if m == "WATCHDOG=1"]
        assert len(during) <= 1, during
        later = [t for t, m in listener.collect(0.6) if m == "WATCHDOG=1"]
        assert len(later) >= 2, "pings resume after the stall"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


def test_the_installed_service_has_no_loop_stalling_command(
    desk: tuple[Path, PtyPair], tmp_path: Path
) -> None:
    # Issue 14, item 7: HOTLINE_TEST_HOOKS=1 used to switch `debug-stall` on in production.
    cfg, _ = desk
    listener = NotifyListener(tmp_path / "notify")
    proc = start_service(cfg, listener.path, env={"HOTLINE_TEST_HOOKS": "1"})
    try:
        listener.wait_for("READY=1", 15)
        started = time.monotonic()
        reply = control(tmp_path / "c.sock", {"cmd": "debug-stall", "seconds": 2.0})
        assert time.monotonic() - started < 1.0, "the loop was not stalled"
        assert reply["ok"] is False and "unknown cmd 'debug-stall'" in str(reply["error"])
        assert "debug-stall" not in str(reply["error"]).split("known:")[1]
        assert control(tmp_path / "c.sock", {"cmd": "state"})["ok"] is True
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


def test_sighup_reload_keeps_old_settings_on_error(
    desk: tuple[Path, PtyPair], tmp_path: Path
) -> None:
    cfg, _ = desk
    listener = NotifyListener(tmp_path / "notify")
    proc = start_service(cfg, listener.path)
    try:
        listener.wait_for("READY=1", 15)
        good = cfg.read_text()
        cfg.write_text(good + "[call]\nring_timeout_s = 12\n[desk]\nid = \"DESK-9\"\n")
        proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        cfg.write_text(good + "[call]\nring_timeout_s = -3\n")
        proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        err = proc.stderr.read().decode() if proc.stderr else ""
        # what it applied and what it did not (the effects: test_service_reload.py)
        assert "configuration reloaded; applied: call.ring_timeout_s; NOT applied, these need a " \
               "restart (systemctl restart hotline-terminal): desk.id" in err
        assert "reload refused, keeping the running settings" in err
        assert "call.ring_timeout_s" in err
        assert "<3>" in err and "<6>" in err, "journald priority prefixes"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_bad_config_exits_78_without_ready(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[radio]\nbaud = 12345\n")
    listener = NotifyListener(tmp_path / "notify")
    proc = start_service(cfg, listener.path)
    assert proc.wait(15) == 78
    assert not listener.collect(0.2)
