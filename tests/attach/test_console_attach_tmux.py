"""`hotline console` attaches to a running service (tmux, as an operator would see it); killing it
leaves the call up in the service."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from test_attach import service, until

from terminal.control import request

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="make test installs tmux")


def tmux(server: str, *args: str) -> str:
    done = subprocess.run(["tmux", "-L", server, "-f", "/dev/null", *args],
                          capture_output=True, text=True, timeout=10)
    return done.stdout


def test_console_attaches_answers_and_is_killed_mid_call(tmp_path: Path) -> None:
    server = f"hl-{uuid.uuid4().hex[:8]}"

    async def main() -> None:
        async with service(tmp_path) as rig:
            cfg = tmp_path / "desk.toml"
            console = f"{sys.executable} -m terminal.cli console --config {cfg}"
            tmux(server, "new-session", "-d", "-x", "100", "-y", "30", console)
            try:
                def screen() -> str:
                    return tmux(server, "capture-pane", "-p")

                await until(lambda: "no call" in screen(), 20, "the console, idle")
                await until(lambda: request(rig.sock, "state")["controller"] is not None, 5)
                rig.sim.ring(rig.now())
                rig.runner.pump()
                await until(lambda: "ringing 00:" in screen(), 10, "ringing on screen")
                tmux(server, "send-keys", "a")
                await until(lambda: rig.sim.phase.value == "CONNECTED", 10, "answered")
                await until(lambda: "call 00:" in screen(), 10, "the call timer on screen")
                pid = int(tmux(server, "display-message", "-p", "#{pane_pid}").strip())
                subprocess.run(["kill", "-KILL", str(pid)], check=False)
                await until(lambda: request(rig.sock, "state")["controller"] is None, 10,
                            "controls released by the dead console")
                assert request(rig.sock, "state")["state"] == "CONNECTED", "call still up"
                assert rig.sim.phase.value == "CONNECTED"
            finally:
                tmux(server, "kill-server")
            rig.proc.send_signal(signal.SIGTERM)

    asyncio.run(main())
