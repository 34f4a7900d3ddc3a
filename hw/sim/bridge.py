"""The radio-bridge simulator: the bridge side of docs/protocol.md, as real firmware must behave.

Pure like the session under it (times are passed in): the far end's call state, the transmitter
with its keepalive auto-unkey, and misbehaviour on demand — garbage on the line, silence (the line
stays open but nothing is said or heard), delayed ACKs. A runner (hw/sim/runner.py) puts it on a
pseudo-terminal or a serial port.
"""

from __future__ import annotations

import enum
import os
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, field

from hw.sim.faults import FaultySession, check_faults
from hw.wire.messages import (
    Answer,
    Answered,
    Call,
    Err,
    Hangup,
    Ka,
    Key,
    Message,
    Reject,
    Ring,
    Role,
    Rx,
    Tx,
    TxReason,
    Unkey,
    random_boot_id,
)
from hw.wire.session import (
    LinkDown,
    LinkSession,
    LinkUp,
    MessageReceived,
    PeerHello,
    ProtocolError,
)

LOG_MAX = 10_000


class FarPhase(enum.Enum):
    """The call as the bridge sees it."""

    IDLE = "IDLE"
    RINGING_DESK = "RINGING_DESK"  # the far end calls; the desk is ringing
    RINGING_FAR = "RINGING_FAR"  # the desk calls; the far end is ringing
    CONNECTED = "CONNECTED"


@dataclass
class BridgeLog:
    """What the simulator saw, for tests and the bench display."""

    received: deque[tuple[float, Message]] = field(default_factory=lambda: deque(maxlen=LOG_MAX))
    tx_changes: deque[tuple[float, bool, str]] = field(
        default_factory=lambda: deque(maxlen=LOG_MAX)
    )
    errors: deque[str] = field(default_factory=lambda: deque(maxlen=LOG_MAX))


class BridgeSim:
    """The bridge end of the radio link."""

    def __init__(
        self,
        *,
        name: str = "bridge-sim",
        auto_answer_s: float | None = 2.0,
        heartbeat_s: float = 1.0,
        link_timeout_s: float = 3.5,
        ack_timeout_s: float = 0.3,
        max_retries: int = 5,
        boot_id: str | None = None,
        faults: Collection[str] = (),
    ) -> None:
        self.name = name
        self.timing = {
            "heartbeat_s": heartbeat_s,
            "link_timeout_s": link_timeout_s,
            "ack_timeout_s": ack_timeout_s,
            "max_retries": max_retries,
        }
        self.faults = check_faults(faults, "bridge")
        self.session = self._new_session(boot_id or random_boot_id())
        self.auto_answer_s = auto_answer_s
        self.phase = FarPhase.IDLE
        self.keyed = False
        self.rx = False
        self.keepalive_deadline: float | None = None
        self.keepalive_window_s = 1.5
        self.answer_at: float | None = None
        self.silent = False
        self.ack_delay_s = 0.0
        self.log = BridgeLog()
        self._out = bytearray()
        self._delayed: list[tuple[float, bytes]] = []
        self._started = False

    def _new_session(self, boot_id: str) -> LinkSession:
        if self.faults:
            return FaultySession(Role.BRIDGE, self.name, boot_id, faults=self.faults,
                                 **self.timing)  # fmt: skip
        return LinkSession(Role.BRIDGE, self.name, boot_id, **self.timing)  # type: ignore[arg-type]

    # --- the wire ---

    def start(self, now: float) -> None:
        """Begin (or begin again after the cable returns): HELLO."""
        self._started = True
        self.session.start(now)

    def receive(self, data: bytes, now: float) -> None:
        """Bytes from the terminal."""
        if self.silent:
            return
        for event in self.session.receive(data, now):
            self._on_session_event(event, now)
        self._run_timers(now)

    def poll(self, now: float) -> None:
        """Run timers: session heartbeats and retransmits, keepalive expiry, auto-answer."""
        if self.silent:
            # Deaf and mute, but the keepalive auto-unkey is the bridge's own safety timer: it
            # runs whatever the line does (docs/protocol.md 6).
            self._run_timers(now)
            return
        for event in self.session.poll(now):
            self._on_session_event(event, now)
        self._run_timers(now)

    def output(self, now: float) -> bytes:
        """Bytes for the terminal now (delayed ACKs held back until their time)."""
        data = self.session.data_to_send()
        if self.silent:
            return b""
        if self.ack_delay_s > 0 and data:
            self._delayed.append((now + self.ack_delay_s, data))
            data = b""
        due = [d for t, d in self._delayed if t <= now]
        self._delayed = [(t, d) for t, d in self._delayed if t > now]
        out = bytes(self._out) + b"".join(due) + data
        self._out.clear()
        return out

    def next_deadline(self) -> float | None:
        """When `poll` must next run."""
        times = [
            t
            for t in (
                self.session.next_deadline(),
                self.keepalive_deadline,
                self.answer_at,
                *(t for t, _ in self._delayed),
            )
            if t is not None
        ]
        return min(times) if times else None

    # --- the far end (operator of the other desk) ---

    def ring(self, now: float) -> bool:
        """The far end calls the desk."""
        if self.phase is not FarPhase.IDLE:
            return False
        self.phase = FarPhase.RINGING_DESK
        self._send(Ring(), now)
        return True

    def far_answer(self, now: float) -> bool:
        """The far end picks up the desk's call."""
        if self.phase is not FarPhase.RINGING_FAR:
            return False
        self.phase = FarPhase.CONNECTED
        self.answer_at = None
        self._send(Answered(), now)
        return True

    def far_hangup(self, now: float) -> bool:
        """The far end hangs up (or stops ringing the desk)."""
        if self.phase is FarPhase.IDLE:
            return False
        self._to_idle(now)
        self._send(Hangup(), now)
        return True

    def far_rx(self, active: bool, now: float) -> None:
        """The far end starts or stops transmitting."""
        if self.rx != active:
            self.rx = active
            self._send(Rx(active), now)

    def reboot(self, now: float) -> None:
        """Restart the bridge: a new boot id, transmitter off, no call, nothing queued."""
        self.session = self._new_session(random_boot_id())
        self.phase = FarPhase.IDLE
        self.keyed = self.rx = False
        self.keepalive_deadline = self.answer_at = None
        self._delayed.clear()
        self.session.start(now)

    # --- misbehaviour ---

    def send_garbage(self, nbytes: int = 64) -> None:
        """Put random bytes on the line (a noisy cable)."""
        self._out += os.urandom(nbytes).replace(b"$", b"#")

    def set_silent(self, silent: bool, now: float) -> None:
        """Stop (or resume) talking and listening while the port stays open."""
        self.silent = silent
        if not silent:
            self.session.start(now)

    # --- internals ---

    def _send(self, msg: Message, now: float) -> None:
        if not self.silent:
            self.session.send(msg, now)

    def _set_tx(self, keyed: bool, reason: TxReason, now: float) -> None:
        if self.keyed == keyed:
            return
        self.keyed = keyed
        self.keepalive_deadline = None if not keyed else self.keepalive_deadline
        self.log.tx_changes.append((now, keyed, reason.value))
        self._send(Tx(keyed, reason), now)

    def _to_idle(self, now: float) -> None:
        self.phase = FarPhase.IDLE
        self.answer_at = None
        if self.keyed:
            self._set_tx(False, TxReason.UNKEY, now)
        if self.rx:
            self.far_rx(False, now)

    def _run_timers(self, now: float) -> None:
        if self.keyed and self.keepalive_deadline is not None and now >= self.keepalive_deadline:
            if "no_auto_unkey" in self.faults:  # a deliberate fault (hw/sim/faults.py)
                self.keepalive_deadline = None
                return
            self._set_tx(False, TxReason.KEEPALIVE, now)
        if self.answer_at is not None and now >= self.answer_at:
            self.far_answer(now)

    def _on_session_event(self, event: object, now: float) -> None:
        match event:
            case MessageReceived(msg=msg, seq=seq, late=late):
                self.log.received.append((now, msg))
                if "dup_acts_twice" in self.faults:  # a deliberate fault: forget it was seen
                    self.session._seen.discard(seq)
                if late and isinstance(msg, Key):
                    self.log.errors.append(f"late KEY {seq} ignored (overtaken by a later message)")
                    return
                self._on_message(msg, seq, now)
            case PeerHello(restarted=True):
                # A new terminal boot: whatever it keyed is void; tell it the far end still rings.
                if self.keyed:
                    self._set_tx(False, TxReason.LINK, now)
                if self.phase is FarPhase.RINGING_DESK:
                    self._send(Ring(), now)
            case LinkDown():
                if self.keyed:
                    self._set_tx(False, TxReason.LINK, now)
                if self.phase in (FarPhase.CONNECTED, FarPhase.RINGING_FAR):
                    # The terminal ends its call when the link falls (link_lost): so does the
                    # bridge, toward the far end, and says so (HANGUP, delivered once the link
                    # is back: a terminal that never saw the link fall ends its call then).
                    # A far end still calling keeps ringing.
                    self.far_hangup(now)
            case LinkUp():
                # The terminal ended the call it was ringing with when the link fell: ring it
                # again if the far end still calls (unless a RING is already on its way).
                ringing = self.phase is FarPhase.RINGING_DESK
                if ringing and not any(isinstance(m, Ring) for _, m in self.session.pending()):
                    self._send(Ring(), now)
            case ProtocolError(detail=detail):
                self.log.errors.append(detail)
            case PeerHello():
                pass

    def _refuse(self, seq: int, text: str, now: float) -> None:
        self._send(Err(seq, "BADSTATE", text), now)

    def _on_message(self, msg: Message, seq: int, now: float) -> None:
        match msg:
            case Call():
                if self.phase is not FarPhase.IDLE:
                    self._refuse(seq, f"cannot call while {self.phase.value}", now)
                    return
                self.phase = FarPhase.RINGING_FAR
                if self.auto_answer_s is not None:
                    self.answer_at = now + self.auto_answer_s
            case Answer():
                if self.phase is not FarPhase.RINGING_DESK:
                    self._refuse(seq, f"nothing to answer while {self.phase.value}", now)
                    return
                self.phase = FarPhase.CONNECTED
            case Reject():
                if self.phase is FarPhase.RINGING_DESK:
                    self._to_idle(now)
            case Hangup():
                self._to_idle(now)
            case Key() if self.phase is not FarPhase.CONNECTED:
                self._refuse(seq, f"no call connected ({self.phase.value})", now)
            case Key(keepalive_ms=keepalive_ms):
                self.keepalive_window_s = keepalive_ms / 1000.0
                self.keepalive_deadline = now + self.keepalive_window_s
                self._set_tx(True, TxReason.KEY, now)
            case Ka():
                if self.keyed and self.keepalive_deadline is not None:
                    # KA extends by the keepalive window announced in the last KEY.
                    self.keepalive_deadline = now + self.keepalive_window_s
            case Unkey():
                self._set_tx(False, TxReason.UNKEY, now)
            case _:
                pass

