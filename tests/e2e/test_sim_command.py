"""`hotline sim bridge --port DEV` on its own: the documented protocol over a real pty."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from e2e_helpers import until

from hw.pty import PtyPair
from hw.wire.messages import Answer, Key, Ring, Role, Tx
from hw.wire.session import LinkSession, MessageReceived


def test_sim_bridge_speaks_the_protocol_on_a_serial_device(tmp_path: Path) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        pty = PtyPair()
        term = LinkSession(Role.TERMINAL, "test-terminal", "0000C0DE", heartbeat_s=0.2,
                           link_timeout_s=2.0, ack_timeout_s=0.2)
        got: list[object] = []

        def readable() -> None:
            try:
                data = os.read(pty.master_fd, 65536)
            except BlockingIOError:
                return
            for event in term.receive(data, loop.time()):
                if isinstance(event, MessageReceived):
                    got.append(event.msg)
            flush()

        def flush() -> None:
            term.poll(loop.time())
            out = term.data_to_send()
            if out:
                os.write(pty.master_fd, out)

        loop.add_reader(pty.master_fd, readable)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "terminal.cli", "sim", "bridge", "--port", pty.slave_path,
            "--auto-answer", "-1",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        try:
            term.start(loop.time())
            for _ in range(200):
                flush()
                if term.is_up:
                    break
                await asyncio.sleep(0.05)
            assert term.is_up, "HELLO exchanged with the simulator"
            assert proc.stdin is not None
            proc.stdin.write(b"ring\n")
            await proc.stdin.drain()
            await until(lambda: any(isinstance(m, Ring) for m in got), 5, "RING")
            term.send(Answer(), loop.time())
            term.send(Key(1500), loop.time())
            flush()
            await until(lambda: any(isinstance(m, Tx) and m.keyed for m in got), 5, "TX 1")
            # No keepalives: the simulator unkeys by itself, as the protocol demands.
            await until(
                lambda: any(isinstance(m, Tx) and not m.keyed and m.reason == "KEEPALIVE"
                            for m in got),
                5, "keepalive auto-unkey",
            )
            proc.stdin.write(b"launch missiles\nquit\n")
            await proc.stdin.drain()
            out, _ = await asyncio.wait_for(proc.communicate(), 10)
            assert b"unknown command 'launch missiles'" in out
            assert proc.returncode == 0
        finally:
            loop.remove_reader(pty.master_fd)
            if proc.returncode is None:
                proc.kill()
            pty.close()

    asyncio.run(main())
