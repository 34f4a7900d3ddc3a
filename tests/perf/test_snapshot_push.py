"""Snapshots to an attached client: a burst of them is merged, the latest always arrives, and a
snapshot replaced before its turn is never converted to JSON."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from terminal.control import PUSH_INTERVAL_S, Client, ControlServer


def test_a_burst_of_snapshots_is_merged_and_the_latest_arrives(tmp_path: Path) -> None:
    converted: list[int] = []

    def lazy(n: int) -> Any:
        def make() -> dict[str, int]:
            converted.append(n)
            return {"n": n}

        return make

    async def main() -> list[int]:
        def subscribe(_request: dict[str, Any], client: Client) -> dict[str, Any]:
            client.subscribed = True
            return {"ok": True}

        server = ControlServer(tmp_path / "c.sock", {"subscribe": subscribe}, group="")
        await server.start()
        reader, writer = await asyncio.open_unix_connection(str(tmp_path / "c.sock"))
        writer.write(b'{"cmd":"subscribe"}\n')
        await reader.readline()  # the reply
        got: list[int] = []
        for n in range(1, 201):  # 200 snapshots over about 0.2 s
            server.broadcast(lazy(n))
            if n % 20 == 0:
                await asyncio.sleep(0.02)
        deadline = asyncio.get_running_loop().time() + 5.0
        while (not got or got[-1] != 200) and asyncio.get_running_loop().time() < deadline:
            line = await asyncio.wait_for(reader.readline(), 5.0)
            got.append(json.loads(line)["snapshot"]["n"])
        writer.close()
        server.close()
        return got

    got = asyncio.run(main())
    assert got[-1] == 200  # the latest is never lost
    assert got == sorted(got)  # in order
    assert len(got) <= 0.25 / PUSH_INTERVAL_S + 3  # merged: not 200 lines
    assert converted == got  # only what was sent was converted
