"""RemoteEngine: a console's view of a desk run by the service, over the control socket.

It offers what a front uses of the Engine — `snapshot`, `subscribe`, `intent`, `acknowledge`,
`add_note`, `lamp_test`, `set_operator`, `clock` — so the console cannot tell the difference.
Operator actions are sent as requests; a refusal (another console holds the controls, the link is
down) comes back as a notice on the console. If the service goes away the console says so and
reconnects by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from terminal.attach.wire import snapshot_from_json
from terminal.core.calls import CallControl
from terminal.core.leds import led_patterns
from terminal.snapshot import DeskSnapshot, NoticeLine
from terminal.zulu import utc_stamp

log = logging.getLogger(__name__)

RECONNECT_S = 1.0


def _detached_snapshot(reason: str) -> DeskSnapshot:
    state = CallControl().state
    return DeskSnapshot(
        call=state,
        display=state.display_state(),
        links={"service": False},
        leds=led_patterns(state, links_down=True, alert_level=None),
        operator="",
        faults=(f"service: {reason}",),
    )


class RemoteEngine:
    """The engine of a running service, seen through its control socket."""

    def __init__(self, path: Path, take_control: bool = True) -> None:
        self.path = path
        self.take_control = take_control
        self.snapshot = _detached_snapshot("not connected yet")
        self.connected = False
        self.client_id: int | None = None
        self.holds_controls = False
        self._listeners: list[Callable[[DeskSnapshot], None]] = []
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._local_notices: list[NoticeLine] = []
        self._first = asyncio.Event()
        self.clock: Callable[[], float] = time.monotonic  # the service's loop clock is monotonic
        self.snapshots = 0

    # --- lifecycle ---

    async def connect(self, timeout_s: float = 2.0) -> bool:
        """Connect and wait for the first snapshot; False if no service answers."""
        self._task = asyncio.get_running_loop().create_task(self._run())
        try:
            await asyncio.wait_for(self._first.wait(), timeout_s)
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        """Detach (the service and the call go on)."""
        if self._task is not None:
            self._task.cancel()
        if self._writer is not None:
            self._writer.close()

    async def _run(self) -> None:
        while True:
            try:
                reader, writer = await asyncio.open_unix_connection(str(self.path), limit=2**24)
            except OSError as exc:
                self._detached(f"cannot reach the service: {exc.strerror or exc}")
                await asyncio.sleep(RECONNECT_S)
                continue
            self._writer = writer
            self.connected = True
            self._send({"cmd": "subscribe"})
            if self.take_control:
                self._send({"cmd": "control", "take": True})
            try:
                await self._read(reader)
            except (ConnectionError, OSError, ValueError) as exc:
                log.warning("attach: %s", exc)
            self.connected = False
            self.holds_controls = False
            self._writer = None
            self._detached("connection to the service lost; reconnecting")
            await asyncio.sleep(RECONNECT_S)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while line := await reader.readline():
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(message, dict):
                continue
            if message.get("event") == "snapshot":
                self._on_snapshot(message.get("snapshot"))
            elif message.get("ok") is False:
                self._local_notice("error", str(message.get("error", "refused")))
                if "refused" in str(message.get("error", "")):
                    self._first.set()
            elif "controller" in message:
                self.holds_controls = message.get("controller") == self.client_id
            elif "client" in message:
                self.client_id = message.get("client")

    def _on_snapshot(self, data: Any) -> None:
        try:
            snap = snapshot_from_json(data)
        except (TypeError, ValueError, KeyError) as exc:
            self._local_notice("error", f"unreadable state from the service: {exc}")
            return
        self.snapshots += 1
        self._publish(snap)
        self._first.set()

    def _detached(self, reason: str) -> None:
        self._publish(_detached_snapshot(reason))

    def _local_notice(self, level: str, text: str) -> None:
        self._local_notices = [*self._local_notices[-9:], NoticeLine(utc_stamp(), level, text)]
        self._publish(self.snapshot)

    def _publish(self, snap: DeskSnapshot) -> None:
        if self._local_notices:
            merged = tuple(sorted((*snap.notices, *self._local_notices), key=lambda n: n.utc))
            snap = dataclasses.replace(snap, notices=merged[-50:])
        self.snapshot = snap
        for listener in self._listeners:
            listener(snap)

    def _send(self, request: dict[str, Any]) -> None:
        if self._writer is None:
            self._local_notice("error", "not connected to the service")
            return
        with contextlib.suppress(ConnectionError, OSError):
            self._writer.write(json.dumps(request).encode() + b"\n")

    # --- what the console runner uses (terminal.tui.run.Startable) ---

    async def start(self) -> None:
        """Attach; raises ConnectionError when the service does not answer."""
        if not await self.connect():
            self.close()
            raise ConnectionError(f"no service answered on {self.path}")

    async def shutdown(self, reason: str, settle_s: float = 0.5) -> None:
        """Detach. The service keeps the call; a keyboard PTT this console keyed is released
        first, so a console that leaves never leaves the transmitter keyed."""
        if self.holds_controls and self.snapshot.call.keyed:
            self.intent("ptt_release")
            writer = self._writer
            if writer is not None:
                with contextlib.suppress(ConnectionError, OSError, TimeoutError):
                    await asyncio.wait_for(writer.drain(), settle_s)
        self.close()

    def fail_safe(self, reason: str) -> None:
        """The console crashed: release a keyboard PTT if we hold the controls."""
        if self.holds_controls and self.snapshot.call.keyed:
            self.intent("ptt_release")

    # --- what a front uses ---

    def subscribe(self, listener: Callable[[DeskSnapshot], None]) -> None:
        """Call `listener` with every new snapshot."""
        self._listeners.append(listener)

    def intent(self, name: str) -> None:
        """answer, call, hangup, reject, ptt_press, ptt_release, ptt_toggle."""
        self._send({"cmd": "intent", "name": name})

    def acknowledge(self, pair_id: str) -> bool:
        """Acknowledge an alert (the outcome arrives with the next snapshot)."""
        self._send({"cmd": "ack", "pair_id": pair_id})
        return True

    def recall_pick(self, number: int | None) -> bool:
        """Replay a received transmission on the desk's headset (None: the recall key's choice)."""
        self._send({"cmd": "recall", "number": number})
        return True

    def add_note(self, text: str) -> bool:
        """A note on the current call."""
        self._send({"cmd": "note", "text": text})
        return True

    def enter_line(
        self, name: str, points: str, effective: str = "", *, on_call: bool = True
    ) -> str | None:
        """A new version of the line (the desk checks it again; a refusal comes as a notice)."""
        self._send({"cmd": "line", "name": name, "points": points, "effective": effective,
                    "on_call": on_call})  # fmt: skip
        return None

    def lamp_test(self) -> None:
        """Test the LEDs at the desk."""
        self._send({"cmd": "lamp_test"})

    def set_operator(self, operator: str) -> None:
        """Sign on."""
        self._send({"cmd": "operator", "id": operator})

    def take_controls(self, force: bool = False) -> None:
        """Take the controls (from another console, with force)."""
        self._send({"cmd": "control", "take": True, "force": force})
