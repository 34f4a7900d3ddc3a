"""End to end, as a new user sees it: `hotline bench` in a real terminal (a private tmux server,
100x30), the far end rings, the operator answers with a key, then quits and the process ends."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOTLINE = ROOT / ".venv" / "bin" / "hotline"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(not HOTLINE.exists(), reason="no .venv/bin/hotline"),
]


class Tmux:
    """A private tmux server (its own socket, no user config) with one 100x30 window."""

    def __init__(self, tmp_path: Path) -> None:
        self.base = ["tmux", "-L", f"hotline-test-{uuid.uuid4().hex[:12]}", "-f", "/dev/null"]
        self.tmp_path = tmp_path

    def __call__(self, *args: str) -> str:
        result = subprocess.run([*self.base, *args], capture_output=True, text=True, timeout=10)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start(self, command: str) -> None:
        env = {"TERM": "xterm-256color", "COLORTERM": "truecolor"}
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        self("new-session", "-d", "-s", "desk", "-x", "100", "-y", "30",
             f"cd {ROOT} && {exports} {command}; echo HOTLINE-EXIT=$?; sleep 600")  # fmt: skip

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "desk")

    def keys(self, *keys: str) -> None:
        self("send-keys", "-t", "desk", *keys)

    def wait_for(self, check: Callable[[str], bool], what: str, timeout_s: float = 20) -> str:
        deadline = time.monotonic() + timeout_s
        while True:
            text = self.screen()
            if check(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen:\n{text}")
            time.sleep(0.1)

    def pane_pid(self) -> int:
        return int(self("display-message", "-p", "-t", "desk", "#{pane_pid}").strip())

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=10)


def children(pid: int) -> list[int]:
    """Child processes of `pid` (Linux /proc)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


# The big-type rows of the call state, as the panel draws them (see terminal/tui/bigtext.py).
RINGING = "█▀▄ ▀█▀ █▄ █ █▀▀ ▀█▀ █▄ █ █▀▀"
CONNECTED = "█▀▀ █▀█ █▄ █ █▄ █ █▀▀ █▀▀ ▀█▀ █▀▀ █▀▄"


def test_hotline_bench_rings_answers_and_quits(tmp_path: Path) -> None:
    tmux = Tmux(tmp_path)
    tmux.start(f"{HOTLINE} bench --log-dir {tmp_path / 'log'}")
    try:
        text = tmux.wait_for(lambda s: "BENCH" in s and "Answer" in s, "the console")
        assert "1 ring" in text  # the bench keys are on screen for a new user
        tmux.wait_for(lambda s: "BRIDGE up" in s, "the bridge link up")
        (hotline,) = children(tmux.pane_pid())  # the shell runs `hotline bench`
        tmux.keys("1")  # the far end rings
        text = tmux.wait_for(lambda s: RINGING in s, "RINGING")
        assert "INCOMING" in text
        assert "ALSA lib" not in text and "jack" not in text.lower()  # C stderr kept off screen
        tmux.keys("a")  # answer
        text = tmux.wait_for(lambda s: CONNECTED in s, "CONNECTED")
        assert RINGING not in text and "call 00:0" in text
        tmux.keys("q")  # a call is up: the console asks first
        tmux.wait_for(lambda s: "Hang up and quit?" in s, "the quit question")
        tmux.keys("y")
        text = tmux.wait_for(lambda s: "HOTLINE-EXIT=" in s, "the process to end")
        assert "HOTLINE-EXIT=0" in text
        assert "stopped (quit); transmitter unkeyed" in text
        assert not Path(f"/proc/{hotline}").exists()  # ended and reaped
    finally:
        tmux.close()


CONSOLE_CONFIG = """
[gpio]
pin_factory = "mock"
[radio]
port = "{port}"
[coproc]
enabled = false
[log]
directory = "log"
[audio]
enabled = false
[service]
socket = "control.sock"
"""



def _gone(pid: int, timeout_s: float = 10) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.1)
    return False


def test_hotline_console_shows_the_desk_and_quits(tmp_path: Path) -> None:
    config = tmp_path / "hotline.toml"
    config.write_text(CONSOLE_CONFIG.format(port="/dev/ttyNOSUCHHOTLINE0"), encoding="utf-8")
    tmux = Tmux(tmp_path)
    tmux.start(f"{HOTLINE} console --standalone --config {config}")
    try:
        text = tmux.wait_for(lambda s: "HOTLINE" in s and "Answer" in s, "the console")
        assert "✖ BRIDGE DOWN" in text and "BRIDGE LINK DOWN" in text  # no bridge on that port
        assert "BENCH" not in text  # the desk's console has no bench keys
        tmux.keys("q")  # idle: quits at once
        text = tmux.wait_for(lambda s: "HOTLINE-EXIT=" in s, "the process to end")
        assert "HOTLINE-EXIT=0" in text
        assert (tmp_path / "log" / "console.log").exists()
    finally:
        tmux.close()


def test_closing_the_terminal_stops_the_bench(tmp_path: Path) -> None:
    """SIGHUP (the terminal went away) ends the console and shuts the desk down."""
    tmux = Tmux(tmp_path)
    tmux.start(f"{HOTLINE} bench --scenario none --log-dir {tmp_path / 'log'}")
    try:
        tmux.wait_for(lambda s: "BRIDGE up" in s, "the console")
        (shell_child,) = children(tmux.pane_pid())
        tmux.keys("1")
        tmux.wait_for(lambda s: RINGING in s, "RINGING")
        tmux.keys("a")  # a call is up when the terminal goes
        tmux.wait_for(lambda s: CONNECTED in s, "CONNECTED")
    finally:
        tmux.close()
    assert _gone(shell_child), "hotline bench still running after its terminal closed"
    # The desk shut down on the way out: the call is in the record, ended (hung up), not open.
    result = subprocess.run(
        [str(HOTLINE), "log", "calls", "--db", str(tmp_path / "log" / "hotline.db"),
         "--since", "24h", "--format", "jsonl"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (call,) = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert call["outcome"] == "answered" and call["ended_utc"], call
