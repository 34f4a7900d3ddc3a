"""The radio-bridge link: the wire session over a serial port, in terms of call-control events.

Bridge reports become core events (RING -> RingReceived, TX -> BridgeTx, ...); the core's bridge
commands become acknowledged messages. While keyed, KA keepalives go out every keepalive_s, so the
bridge unkeys by itself if this process dies. A vanished device (USB adapter pulled) is reported as
a link loss at once and the port is reopened with back-off; the session re-HELLOs when it returns.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from hw.link import SerialLink
from hw.wire.messages import (
    Answer,
    Answered,
    Call,
    Hangup,
    Ka,
    Key,
    Message,
    Reject,
    Ring,
    Role,
    Rx,
    Tx,
    Unkey,
    UnkeyReason,
)
from hw.wire.session import (
    Delivered,
    LinkDown,
    LinkUp,
    MessageReceived,
    PeerHello,
    ProtocolError,
    Refused,
    SendFailed,
)
from terminal.config import LinkConfig
from terminal.core import events

log = logging.getLogger(__name__)

NoticeCallback = Callable[[str, str], None]


def _unkey_reason(reason: str) -> UnkeyReason:
    """The wire reason for a core reason (they share names; anything unknown is sent as FORCE)."""
    try:
        return UnkeyReason(reason)
    except ValueError:
        return UnkeyReason.FORCE


def bridge_message(command: str, reason: str, keepalive_ms: int) -> Message:
    """The wire message for a core bridge command."""
    match command:
        case "CALL":
            return Call()
        case "ANSWER":
            return Answer()
        case "REJECT":
            return Reject()
        case "HANGUP":
            return Hangup()
        case "KEY":
            return Key(keepalive_ms)
        case "UNKEY":
            return Unkey(_unkey_reason(reason))
    raise ValueError(f"unknown bridge command {command!r}")


def core_event(msg: Message, at: float) -> events.Event | None:
    """The core event for a message from the bridge, or None for link-level messages."""
    match msg:
        case Ring():
            return events.RingReceived(at)
        case Answered():
            return events.FarAnswered(at)
        case Hangup():
            return events.FarHungUp(at)
        case Rx(active=active):
            return events.RxChanged(at, active)
        case Tx(keyed=keyed, reason=reason):
            return events.BridgeTx(at, keyed, str(reason))
    return None


class RadioLink(SerialLink):
    """The terminal end of the radio-bridge link, on the running asyncio loop."""

    peer_role = Role.BRIDGE
    kind = "radio"
    label = "radio bridge"

    def __init__(
        self,
        cfg: LinkConfig,
        *,
        keepalive_s: float,
        bridge_keepalive_ms: int,
        on_event: Callable[[events.Event], None],
        on_notice: NoticeCallback,
        clock: Callable[[], float] = time.monotonic,
        name: str = "hotline-terminal",
        port: str | None = None,
    ) -> None:
        super().__init__(cfg, clock=clock, name=name, port=port)
        self._on_event = on_event
        self._on_notice = on_notice
        self.keepalive_s = keepalive_s
        self.bridge_keepalive_ms = bridge_keepalive_ms
        self.keyed = False
        self._next_ka: float | None = None

    # --- commands from the core ---

    def send_command(self, command: str, reason: str) -> None:
        """Send a core bridge command as an acknowledged message."""
        now = self._clock()
        msg = bridge_message(command, reason, self.bridge_keepalive_ms)
        if isinstance(msg, Key):
            self.keyed = True
            self._next_ka = now + self.keepalive_s
        elif isinstance(msg, Unkey):
            self.keyed = False
            self._next_ka = None
            self.session.send_urgent(msg, now)
            self._pump(now)
            return
        self.session.send(msg, now)
        self._pump(now)

    def force_unkey(self) -> None:
        """A technician's forced unkey (`hotline unkey` through the running terminal)."""
        now = self._clock()
        self.keyed = False
        self._next_ka = None
        self.session.send_urgent(Unkey(UnkeyReason.FORCE), now)
        self._pump(now)

    def fail_safe_unkey(self, reason: str, timeout_s: float) -> bool:
        """Exit path: put an UNKEY on the wire before returning (blocks up to timeout_s)."""
        now = self._clock()
        self.keyed = False
        self._next_ka = None
        self.session.send_urgent(Unkey(_unkey_reason(reason)), now)
        self.port.write(self.session.data_to_send())
        return self.port.drain_sync(timeout_s)

    async def settle(self, timeout_s: float) -> bool:
        """Wait until every command sent was acknowledged (or the link is down, or timeout)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self.session.pending() and self.is_up and loop.time() < deadline:
            await asyncio.sleep(0.005)
        return not self.session.pending()

    # --- the link's events ---

    def _port_closed(self, now: float) -> None:
        if self.keyed:
            self._next_ka = None

    def _link_changed(self, up: bool, reason: str, now: float) -> None:
        if up:
            self._on_event(events.LinkUp(now))
        else:
            self.keyed = False
            self._next_ka = None
            self._drop_stale_commands()
            self._on_event(events.LinkDown(now, reason))

    def _drop_stale_commands(self) -> None:
        """On link loss, forget queued call commands (the call is over); keep UNKEYs."""
        for seq, msg in self.session.pending():
            if not isinstance(msg, Unkey):
                self.session.cancel(seq)

    def _session_event(self, event: object, now: float) -> None:
        match event:
            case MessageReceived(msg=msg):
                core = core_event(msg, now)
                if core is not None:
                    self._on_event(core)
            case PeerHello(hello=hello):
                self.peer_name = hello.name
            case LinkUp():
                self._set_up(True, "", now)
            case LinkDown(reason=reason):
                self._set_up(False, f"radio bridge link down: {reason}", now)
            case Refused(msg=Key(), code=code, text=text):
                self._on_event(events.KeyRefused(now, str(code), text))
            case Refused(msg=msg, code=code, text=text):
                what = msg.TYPE if msg is not None else "a message"
                self._on_notice("warning", f"Radio bridge refused {what}: {code} {text}")
            case SendFailed(msg=msg):
                self._on_notice("error", f"Radio bridge did not acknowledge {msg.TYPE}.")
            case ProtocolError(detail=detail):
                log.debug("radio link: %s", detail)
            case Delivered():
                pass

    def _extra_due(self, now: float) -> float | None:
        """KA keepalives while keyed, every keepalive_s."""
        if self.keyed and self._next_ka is not None and now >= self._next_ka:
            self.session.send(Ka(), now)
            self._next_ka = now + self.keepalive_s
        return self._next_ka
