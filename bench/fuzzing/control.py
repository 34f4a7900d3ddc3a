"""Control-socket fuzzing: request lines into ControlServer.answer bound to a real DeskControl.

Lines are raw bytes (binary, partial, over-long, deeply nested JSON, lone surrogates, huge
numbers), any JSON value, and request objects of the real commands with hostile field values.
The server must answer every line with one JSON object, `ok` false with a clear error for what
it refuses, and a refused line must leave the desk as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from bench.fuzzing import Target
from terminal.attach.server import DeskControl
from terminal.config import Config
from terminal.control import MAX_REQUEST_BYTES, READ_LIMIT_BYTES, Client, ControlServer, Peer
from terminal.desk import engine_options
from terminal.engine import OPERATOR_INTENTS, Engine

COMMANDS = ["state", "subscribe", "control", "intent", "ack", "note", "lamp_test", "operator",
            "unkey", "debug-stall", "", "STATE", "launch", "state "]  # fmt: skip
FIELDS = ["cmd", "name", "take", "force", "pair_id", "text", "id", "seconds"]

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
    st.sampled_from([10**300, -(10**300), 1e308, "\ud800", "\x00", "x" * 2001, " ", "\n"]),
)  # fmt: skip
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)


def requests(intents: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Objects of the real commands with field values of any type; `intents` False leaves out
    the valid operator intents (a desk under test must not start calls on its own)."""
    names = st.one_of(json_values, st.sampled_from(OPERATOR_INTENTS)) if intents else json_values
    return st.fixed_dictionaries(
        {"cmd": st.one_of(st.sampled_from(COMMANDS), json_values)},
        optional={"name": names, **{f: json_values for f in FIELDS[2:]}},
    )


def _dump(value: Any, ascii_only: bool) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def lines(intents: bool = True) -> st.SearchStrategy[bytes]:
    """One request line (no LF) of any kind."""
    nest = st.integers(1, 3000)
    return st.one_of(
        st.builds(_dump, requests(intents), st.booleans()),
        st.builds(_dump, json_values, st.booleans()),
        st.binary(max_size=200),
        nest.map(lambda n: b"[" * n),
        nest.map(lambda n: b'{"cmd":' * n + b'"state"' + b"}" * n),
        nest.map(lambda n: b'{"cmd":"note","text":' + b"[" * n + b"]" * n + b"}"),
        st.integers(MAX_REQUEST_BYTES - 2, MAX_REQUEST_BYTES + 200).map(lambda n: b"x" * n),
        st.integers(READ_LIMIT_BYTES - 2, READ_LIMIT_BYTES + 2).map(lambda n: b"x" * n),
        st.sampled_from([b"", b"\r", b"{", b'{"cmd":"state"', b"\x00" * 10, b"\xff\xfe"]),
    )


def desk_state(desk: DeskControl) -> tuple[Any, ...]:
    """What an operator would notice changing."""
    snap = desk.engine.snapshot
    held = desk.controller.id if desk.controller is not None else None
    return snap.display, snap.call.call_id, snap.call.keyed, snap.operator, held


def check_reply(reply: Any) -> None:
    """One reply: a JSON-serialisable object with a boolean `ok`, an error text when refused."""
    assert isinstance(reply, dict), f"reply is not an object: {reply!r}"
    assert isinstance(reply.get("ok"), bool), f"reply without a boolean ok: {reply!r}"
    json.dumps(reply)
    if reply["ok"] is False and "error" in reply:
        assert isinstance(reply["error"], str) and reply["error"], f"empty error: {reply!r}"


_CACHE: dict[str, Any] = {}


def _desk() -> tuple[DeskControl, list[Client]]:
    """One engine and DeskControl for the whole run (as in a long-running service)."""
    if "desk" not in _CACHE:
        engine = Engine(engine_options(Config()))
        desk = DeskControl(
            engine, lambda: False,
            lambda handlers, gone: ControlServer(Path("/nonexistent/fuzz.sock"), handlers,
                                                 on_disconnect=gone),
        )  # fmt: skip
        clients = [Client(k, Peer(1000 + k, 0, 0), None) for k in (1, 2, 3)]  # type: ignore[arg-type]
        _CACHE["desk"] = (desk, clients)
    desk, clients = _CACHE["desk"]
    return desk, clients


def check_lines(case: list[tuple[int, bytes]]) -> None:
    """Each line, from one of three clients: answered with one object, never an exception; a
    refused line leaves the desk as it was; the refusal is counted when the line is not even
    a request."""
    desk, clients = _desk()
    server = desk.server
    for who, line in case:
        client = clients[who % len(clients)]
        before, rejected = desk_state(desk), server.rejected
        reply = server.answer(line.strip(), client)
        check_reply(reply)
        if reply["ok"] is False:
            assert desk_state(desk) == before, f"refused {line[:80]!r} changed the desk"
            assert "error" in reply or reply == {"ok": False}, f"refusal unexplained: {reply}"
        if server.rejected > rejected:
            assert reply["ok"] is False
    for client in clients:
        desk._disconnected(client)
    assert desk.controller is None


TARGETS = [
    Target(
        "control_request_lines",
        st.lists(st.tuples(st.integers(0, 2), lines()), max_size=12),
        check_lines,
    ),
]
