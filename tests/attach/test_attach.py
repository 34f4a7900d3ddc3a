"""Consoles attached to a running service over its control socket (RemoteEngine)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from terminal.attach.client import RemoteEngine
from terminal.control import request
from terminal.log import LogReader
from tests.rigs.bench import until
from tests.rigs.service_child import service


def test_console_attaches_mid_call_and_shows_it(tmp_path: Path) -> None:
    async def main() -> None:
        async with service(tmp_path) as rig:
            rig.sim.ring(rig.now())
            rig.runner.pump()
            await until(lambda: request(rig.sock, "state")["state"] == "RINGING", 5, "ringing")
            assert request(rig.sock, "intent", name="answer")["ok"]
            await until(lambda: rig.sim.phase.value == "CONNECTED", 5, "connected")
            console = RemoteEngine(rig.sock)
            assert await console.connect()
            assert console.snapshot.display == "CONNECTED"
            assert console.snapshot.call.direction == "incoming"
            console.intent("ptt_toggle")
            await until(lambda: rig.sim.keyed, 5, "keyed from the attached console")
            await until(lambda: console.snapshot.display == "TRANSMITTING", 5, "shown")
            console.intent("ptt_toggle")
            await until(lambda: not rig.sim.keyed, 5, "unkeyed")
            console.close()

    asyncio.run(main())


CONSOLE_PROCESS = """
import asyncio, sys
from pathlib import Path
from terminal.attach.client import RemoteEngine
async def main():
    console = RemoteEngine(Path(sys.argv[1]))
    assert await console.connect()
    print("attached", console.snapshot.display, flush=True)
    await asyncio.sleep(3600)
asyncio.run(main())
"""


def test_killing_a_console_leaves_the_call_up_and_the_log_whole(tmp_path: Path) -> None:
    async def main() -> None:
        async with service(tmp_path) as rig:
            rig.sim.ring(rig.now())
            rig.runner.pump()
            await until(lambda: request(rig.sock, "state")["state"] == "RINGING", 5, "ringing")
            console = await asyncio.create_subprocess_exec(
                sys.executable, "-c", CONSOLE_PROCESS, str(rig.sock),
                stdout=asyncio.subprocess.PIPE,
            )
            assert console.stdout is not None
            line = await asyncio.wait_for(console.stdout.readline(), 10)
            assert line.startswith(b"attached RINGING")
            await until(lambda: request(rig.sock, "state")["controller"] is not None, 5, "ctl")
            # A second console watches but cannot act while the first holds the controls.
            second = RemoteEngine(rig.sock, take_control=False)
            assert await second.connect()
            assert second.snapshot.display == "RINGING"
            second.intent("answer")
            await until(
                lambda: any("held by console" in n.text for n in second.snapshot.notices),
                5, "refusal shown",
            )
            assert rig.sim.phase.value == "RINGING_DESK"
            console.kill()  # SIGKILL: the console vanishes mid-call
            await console.wait()
            await until(lambda: request(rig.sock, "state")["controller"] is None, 5, "released")
            assert request(rig.sock, "state")["state"] == "RINGING", "the call is still up"
            second.take_controls()
            await asyncio.sleep(0.1)
            second.intent("answer")
            await until(lambda: rig.sim.phase.value == "CONNECTED", 5, "answered by the second")
            await until(lambda: second.snapshot.display == "CONNECTED", 5, "second sees it")
            second.intent("hangup")
            await until(lambda: rig.sim.phase.value == "IDLE", 5, "hung up")
            second.close()
        db = tmp_path / "log" / "hotline.db"
        with LogReader(db) as reader:
            calls = reader.calls()
        assert [c.outcome for c in calls] == ["answered"]
        verify = subprocess.run(
            [sys.executable, "-m", "terminal.cli", "log", "verify", "--db", str(db)],
            capture_output=True, text=True, timeout=60,
        )
        assert verify.returncode == 0, verify.stdout + verify.stderr

    asyncio.run(main())


def _connect_as_nobody(sock: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import socket,sys,json\n"
        "s=socket.socket(socket.AF_UNIX)\n"
        "try:\n"
        f"    s.connect({str(sock)!r})\n"
        "except OSError as e:\n"
        "    print('connect failed:', e.strerror); sys.exit(3)\n"
        "s.settimeout(5)\n"
        "print(s.recv(4096).decode())\n"  # a refused peer is told at once, unasked
    )
    python = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
    return subprocess.run(  # stdlib only: a system Python another user may run
        [python, "-c", code], capture_output=True, text=True, timeout=20,
        user=65534, group=65534, extra_groups=[], cwd="/",
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a client as another user")
def test_a_user_not_in_the_group_is_refused(tmp_path: Path) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        # A directory every user may traverse (pytest's own temp root is private to root).
        public = Path(tempfile.mkdtemp(prefix="hotline-attach-", dir="/tmp"))
        public.chmod(0o755)
        sock = public / "c.sock"
        try:
            await _refusals(tmp_path, sock, loop)
        finally:
            shutil.rmtree(public, ignore_errors=True)

    async def _refusals(tmp: Path, sock: Path, loop: asyncio.AbstractEventLoop) -> None:
        async with service(tmp, sock=sock) as rig:
            # The socket's mode keeps other users out ...
            done = await loop.run_in_executor(None, _connect_as_nobody, rig.sock)
            assert done.returncode == 3 and "Permission denied" in done.stdout
        async with service(tmp, socket_mode="0666", sock=sock) as rig:
            # ... and with a careless mode, the peer-credential check still refuses them.
            done = await loop.run_in_executor(None, _connect_as_nobody, rig.sock)
            reply = json.loads(done.stdout)
            assert reply["ok"] is False and "refused: uid 65534" in reply["error"]
            assert request(rig.sock, "state")["ok"], "root is still served"

    asyncio.run(main())


def test_garbage_on_the_socket_gets_a_clear_error(tmp_path: Path) -> None:
    async def main() -> None:
        async with service(tmp_path) as rig:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(5)
                s.connect(str(rig.sock))
                s.sendall(b"\xff\xfe not json\n{\"cmd\": 3}\n{\"cmd\": \"launch\"}\n")
                data = b""
                while data.count(b"\n") < 3:
                    data += s.recv(4096)
            replies = [json.loads(x) for x in data.splitlines()]
            assert [r["ok"] for r in replies] == [False, False, False]
            assert "not JSON" in replies[0]["error"]
            assert "string \"cmd\"" in replies[1]["error"]
            assert "unknown cmd 'launch'" in replies[2]["error"]
            assert request(rig.sock, "state")["ok"], "still serving"

    asyncio.run(main())


def documented_replies() -> dict[str, set[str]]:
    """cmd -> the reply keys docs/attach.md lists for it (beside "ok")."""
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "attach.md").read_text()
    table = doc[doc.index("| cmd | fields | reply |"):].split("\n\n")[0]
    out = {}
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        out[cells[0].strip("`")] = set(re.findall(r"`([a-z_]+)`", cells[2]))
    return out


def test_every_reply_has_the_keys_the_document_lists(tmp_path: Path) -> None:
    """docs/attach.md is the specification of the replies: each command's successful reply has
    exactly the keys its table lists, and a failed one exactly "ok" and "error"."""
    documented = documented_replies()
    assert set(documented) == {"state", "subscribe", "control", "intent", "ack", "note",
                               "lamp_test", "operator", "unkey", "recall", "line"}  # fmt: skip

    async def main() -> None:
        async with service(tmp_path) as rig:
            await until(lambda: request(rig.sock, "state")["links"]["radio"], 10, "link up")
            replies = {
                "state": request(rig.sock, "state"),
                "control": request(rig.sock, "control", take=False),
                "intent": request(rig.sock, "intent", name="call"),
                "lamp_test": request(rig.sock, "lamp_test"),
                "operator": request(rig.sock, "operator", id="OPS1"),
            }
            await until(lambda: rig.sim.phase.value == "RINGING_FAR", 5, "calling out")
            request(rig.sock, "intent", name="hangup")
            await until(lambda: request(rig.sock, "state")["state"] == "IDLE", 5, "hung up")
            replies["note"] = request(rig.sock, "note", text="spoke to the far end")
            replies["line"] = request(rig.sock, "line", name="DL2", points="51.0,0.7; 52.5,0.7",
                                      effective="now", on_call=False)  # fmt: skip
            replies["unkey"] = request(rig.sock, "unkey")
            failed = [
                request(rig.sock, "ack", pair_id="NO-SUCH-PAIR"),
                request(rig.sock, "intent", name="launch"),
                request(rig.sock, "note", text=""),
                request(rig.sock, "line", name="DL2", points="51.0,0.7; 95,0.7"),  # point 2 named
                request(rig.sock, "line", name="DL2", points=7),
                request(rig.sock, "recall", number=1),  # nothing recorded: refused, said why
                request(rig.sock, "recall", number="last"),
            ]
            with socket.socket(socket.AF_UNIX) as s:  # subscribe: its reply, then snapshots
                s.settimeout(5)
                s.connect(str(rig.sock))
                s.sendall(b'{"cmd": "subscribe"}\n')
                replies["subscribe"] = json.loads(s.makefile().readline())
        for cmd, reply in replies.items():
            assert reply["ok"] is True, (cmd, reply)
            assert set(reply) - {"ok"} == documented[cmd], cmd
        for reply in failed:
            assert set(reply) == {"ok", "error"} and reply["ok"] is False and reply["error"]
        assert replies["line"]["version"] >= 1
        assert "point 2 (95,0.7): latitude 95" in failed[3]["error"]
        state = replies["state"]
        health = {h["name"]: h for h in state["health"]}
        assert list(health) == list(state["links"])
        radio = health["radio"]["counters"]
        assert radio["frames_in"] > 0 and radio["frames_out"] > 0 and radio["crc_errors"] == 0
        assert health["log"]["counters"] is None

    asyncio.run(main())
