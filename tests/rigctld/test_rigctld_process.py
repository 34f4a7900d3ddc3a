"""`hotline service` keyed through the real rigctld, as a child process: SIGTERM while keyed
unkeys the radio on the way out; after SIGKILL the radio stays keyed (rigctld has no keepalive)
until the restarted desk unkeys it first thing; `hotline unkey` with and without a running desk."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from rigctld_rig import Rigctld, ask, radio_keyed, until, until_radio

from terminal.control import request


def write_config(tmp: Path, address: str) -> Path:
    cfg = tmp / "desk.toml"
    cfg.write_text(
        '[gpio]\npin_factory = "mock"\nlamp_test_ms = 0\n'
        f'[radio]\nbackend = "rigctld"\nrigctld = "{address}"\ndcd_poll_ms = 0\n'
        "ptt_check_ms = 50\nreopen_min_s = 0.1\nreopen_max_s = 0.5\n"
        "[coproc]\nenabled = false\n[audio]\nenabled = false\n"
        f'[log]\ndirectory = "{tmp / "log"}"\n[service]\nsocket = "{tmp / "c.sock"}"\n'
    )
    return cfg


def state(sock: Path) -> dict[str, Any]:
    try:
        return request(sock, "state")
    except (OSError, ValueError):
        return {}


class Child:
    """`hotline service` on the configuration."""

    def __init__(self, tmp: Path, cfg: Path) -> None:
        self.sock = tmp / "c.sock"
        self.cfg = cfg
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.sock.unlink(missing_ok=True)
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "terminal.cli", "service", "--config", str(self.cfg),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await until(lambda: state(self.sock).get("links", {}).get("radio") is True, 15,
                    "service up, radio link up")  # fmt: skip

    async def intent(self, name: str) -> None:
        loop = asyncio.get_running_loop()
        reply = await loop.run_in_executor(None, lambda: request(self.sock, "intent", name=name))
        assert reply.get("ok"), reply

    async def signal(self, sig: signal.Signals) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        return await asyncio.wait_for(self.proc.wait(), 10)

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


def test_sigterm_while_keyed_unkeys_the_radio(tmp_path: Path, rigctld: Rigctld) -> None:
    async def main() -> None:
        child = Child(tmp_path, write_config(tmp_path, rigctld.address))
        try:
            await child.start()
            await child.intent("ptt_toggle")
            await until_radio(rigctld.port, True)
            assert await child.signal(signal.SIGTERM) == 0
            assert not await radio_keyed(rigctld.port)  # at once: unkeyed before it exited
        finally:
            await child.stop()

    asyncio.run(main())


def test_after_sigkill_while_keyed_the_restarted_desk_unkeys_first_thing(
    tmp_path: Path, rigctld: Rigctld
) -> None:
    async def main() -> None:
        child = Child(tmp_path, write_config(tmp_path, rigctld.address))
        try:
            await child.start()
            await child.intent("ptt_toggle")
            await until_radio(rigctld.port, True)
            assert await child.signal(signal.SIGKILL) == -signal.SIGKILL
            # Nothing ran on the way out: the radio transmits on. This is why a radio's own
            # transmit time-out must be set (docs/radios.md).
            assert await radio_keyed(rigctld.port)
            await child.start()
            assert not await radio_keyed(rigctld.port)  # T 0 went before the link came up
            assert state(child.sock).get("state") == "IDLE"
        finally:
            await child.stop()

    asyncio.run(main())


def unkey_command(cfg: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "terminal.cli", "unkey", "--config", str(cfg), "--timeout", "3",
         *extra],
        capture_output=True, text=True, timeout=30, env=dict(os.environ),
    )  # fmt: skip


def test_hotline_unkey_with_no_desk_running_unkeys_through_rigctld(
    tmp_path: Path, rigctld: Rigctld
) -> None:
    cfg = write_config(tmp_path, rigctld.address)
    ask(rigctld.port, "+T 1")  # a desk gone, the radio left keyed
    assert "PTT: 1" in ask(rigctld.port, "+t")
    done = unkey_command(cfg)
    assert done.returncode == 0, done.stderr
    assert "unkeyed through rigctld" in done.stdout
    assert "PTT: 0" in ask(rigctld.port, "+t")


def test_hotline_unkey_without_rigctld_is_not_confirmed(tmp_path: Path, rigctld: Rigctld) -> None:
    rigctld.kill()
    done = unkey_command(write_config(tmp_path, rigctld.address))
    assert done.returncode != 0
    assert "NOT confirmed" in done.stderr and rigctld.address in done.stderr


def test_hotline_unkey_through_the_running_desk(tmp_path: Path, rigctld: Rigctld) -> None:
    async def main() -> None:
        cfg = write_config(tmp_path, rigctld.address)
        child = Child(tmp_path, cfg)
        try:
            await child.start()
            await child.intent("ptt_toggle")
            await until_radio(rigctld.port, True)
            loop = asyncio.get_running_loop()
            done = await loop.run_in_executor(None, unkey_command, cfg)
            assert done.returncode == 0, done.stderr
            assert "through the running terminal" in done.stdout
            await until_radio(rigctld.port, False)
            await until(lambda: state(child.sock).get("state") == "IDLE", 5, "transmission over")
        finally:
            await child.stop()

    asyncio.run(main())
