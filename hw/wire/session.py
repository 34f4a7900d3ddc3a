"""Link session, sans-I/O: HELLO, ACK and retransmit, dedupe, heartbeats, link timeout.

The caller owns the port and the clock: it passes received bytes to ``receive``, calls
``poll`` at ``next_deadline()`` (or more often), and writes out ``data_to_send()``. Every
method takes ``now`` in monotonic seconds; nothing here reads a clock or touches I/O.
The rules are those of docs/protocol.md ("Link rules").
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Collection
from dataclasses import dataclass

from hw.wire.codec import MAX_SEQ, Decoder, FrameError, encode
from hw.wire.fields import Hex8Codec, TextCodec
from hw.wire.messages import (
    ERR_BADDIR,
    ERR_BADMSG,
    ERR_ROLE,
    ERR_UNKNOWN,
    ERR_VERSION,
    MESSAGE_TYPES,
    PROTOCOL_VERSION,
    Ack,
    Err,
    Hb,
    Hello,
    Message,
    MessageError,
    Role,
    decode_message,
    message_frame,
)

DEFAULT_HEARTBEAT_S = 1.0
DEFAULT_LINK_TIMEOUT_S = 3.5
DEFAULT_ACK_TIMEOUT_S = 0.3
DEFAULT_MAX_RETRIES = 5
DEFAULT_WINDOW = 64
"""Dedupe window: how many recent acked sequence numbers per peer boot are remembered."""
DEFAULT_SEND_WINDOW = 1
"""Acked messages in flight at once; 1 keeps delivery in send order even after a loss."""

_ERR_TEXT_MAX = 120
_ERR_TEXT_OK = frozenset(chr(c) for c in range(0x20, 0x7F)) - {"$", ",", "*"}


# -- events ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessageReceived:
    """A new message from the peer (never HELLO, ACK, ERR or HB; duplicates are dropped).

    ``late`` is True when a newer acked message was already delivered: this one was
    retransmitted after a loss and overtaken (only possible if the peer's send window > 1).
    """

    msg: Message
    seq: int
    late: bool = False
    ack_ref: tuple[int, int] | None = None
    """For a message whose ACK the receiver gives itself (``deferred_acks``): pass it to
    ``LinkSession.acknowledge`` once the message is safe (for an ALERT: committed to the log)."""


@dataclass(frozen=True, slots=True)
class PeerHello:
    """The peer introduced itself; ``restarted`` when its boot_id differs from before."""

    hello: Hello
    restarted: bool = False


@dataclass(frozen=True, slots=True)
class Delivered:
    """The peer acknowledged our message ``seq``."""

    seq: int
    msg: Message


@dataclass(frozen=True, slots=True)
class SendFailed:
    """Our message ``seq`` was not acknowledged after every retry while the link was up."""

    seq: int
    msg: Message


@dataclass(frozen=True, slots=True)
class Refused:
    """The peer answered our message ``seq`` with ERR (``msg`` None if no longer known)."""

    seq: int
    msg: Message | None
    code: str
    text: str


@dataclass(frozen=True, slots=True)
class LinkUp:
    """The link is up: a compatible HELLO arrived from ``peer``."""

    peer: Hello


@dataclass(frozen=True, slots=True)
class LinkDown:
    """The link is down: ``timeout`` (silence), ``no_ack`` (a message failed), ``reset``
    (port reopened), ``version`` or ``role`` (the peer's new HELLO was refused)."""

    reason: str


@dataclass(frozen=True, slots=True)
class ProtocolError:
    """A bad frame or message from the peer (already counted in ``stats``)."""

    detail: str


Event = (
    MessageReceived | PeerHello | Delivered | SendFailed | Refused | LinkUp | LinkDown
    | ProtocolError
)  # fmt: skip


@dataclass(slots=True)
class _Pending:
    """An acked message of ours awaiting ACK; ``due`` None while held (link down, window)."""

    seq: int
    msg: Message
    data: bytes
    sends: int = 0
    due: float | None = None


def _seq_newer(a: int, b: int) -> bool:
    """Serial-number arithmetic (RFC 1982) over 16 bits: is ``a`` after ``b``?"""
    return 0 < ((a - b) & MAX_SEQ) < 0x8000


def _err_text(text: str) -> str:
    """``text`` made fit for an ERR text field."""
    clean = "".join(c if c in _ERR_TEXT_OK else "?" for c in text)
    return clean[:_ERR_TEXT_MAX]


class LinkSession:
    """One end of a link: a pure state machine from (bytes, now) to (events, bytes)."""

    def __init__(
        self,
        role: Role,
        name: str,
        boot_id: str,
        *,
        heartbeat_s: float = DEFAULT_HEARTBEAT_S,
        link_timeout_s: float = DEFAULT_LINK_TIMEOUT_S,
        ack_timeout_s: float = DEFAULT_ACK_TIMEOUT_S,
        max_retries: int = DEFAULT_MAX_RETRIES,
        window: int = DEFAULT_WINDOW,
        send_window: int = DEFAULT_SEND_WINDOW,
        peer_roles: Collection[Role] | None = None,
        version: int = PROTOCOL_VERSION,
        deferred_acks: Collection[type[Message]] = (),
    ) -> None:
        if not 0 < heartbeat_s < link_timeout_s:
            raise ValueError("need 0 < heartbeat_s < link_timeout_s")
        if ack_timeout_s <= 0 or max_retries < 0 or window < 1 or send_window < 1:
            raise ValueError("need ack_timeout_s > 0, max_retries >= 0, windows >= 1")
        self.role = Role(role)
        self.name = TextCodec(0, 32).encode(name)
        self.boot_id = Hex8Codec().encode(boot_id)
        self.heartbeat_s = heartbeat_s
        self.link_timeout_s = link_timeout_s
        self.ack_timeout_s = ack_timeout_s
        self.max_retries = max_retries
        self.window = window
        self.send_window = send_window
        self.peer_roles = frozenset(peer_roles) if peer_roles is not None else None
        self.version = version
        self.deferred_acks = frozenset(deferred_acks)
        self.decoder = Decoder()
        self.stats: Counter[str] = Counter()
        self._out = bytearray()
        self._next_seq = 0
        self._pending: dict[int, _Pending] = {}
        self._in_flight = 0
        self._hello_seq: int | None = None
        self._recent: deque[tuple[int, Message]] = deque(maxlen=window)
        self._peer: Hello | None = None
        self._seen: set[int] = set()
        self._seen_order: deque[int] = deque()
        self._ack_owed: set[int] = set()  # deferred-ACK messages delivered, not yet acknowledged
        self._peer_generation = 0  # bumped when the peer's sequence numbers start again
        self._newest: int | None = None
        self._up = False
        self._started_at: float | None = None
        self._last_heard = 0.0
        self._last_tx = 0.0
        self._last_hello_tx = 0.0

    # -- state ----------------------------------------------------------------------------

    @property
    def is_up(self) -> bool:
        """True between LinkUp and LinkDown."""
        return self._up

    @property
    def peer(self) -> Hello | None:
        """The peer's latest HELLO, if any arrived."""
        return self._peer

    def pending(self) -> list[tuple[int, Message]]:
        """Our acked messages not yet acknowledged (held or in flight), oldest first."""
        return [(p.seq, p.msg) for p in self._pending.values() if p.seq != self._hello_seq]

    # -- the caller's side ----------------------------------------------------------------

    def start(self, now: float) -> None:
        """Begin: queue our HELLO."""
        self._started_at = now
        self._last_tx = now
        self._send_hello(now)

    def reset(self, now: float) -> list[Event]:
        """The port was reopened: drop unsent bytes and partial input, say HELLO again.

        Acked messages not yet acknowledged stay queued and go out once the link is up again.
        """
        events: list[Event] = []
        if self._started_at is None:
            self.start(now)
            return events
        self._out.clear()
        self.decoder.reset()
        if self._up:
            self._up = False
            events.append(LinkDown("reset"))
        self._hold_all()
        self._send_hello(now)
        return events

    def send(self, msg: Message, now: float) -> int:
        """Queue ``msg``; return its sequence number. Acked messages are kept until ACKed."""
        if isinstance(msg, Hello | Ack | Hb):
            raise ValueError(f"the session sends {msg.TYPE} itself")
        if self.role not in msg.SENT_BY:
            raise ValueError(f"a {self.role} does not send {msg.TYPE}")
        frame = message_frame(self._next_seq, msg)  # validates before a seq is used
        data = encode(frame)
        seq = self._take_seq()
        if msg.NEEDS_ACK:
            self._pending[seq] = _Pending(seq, msg, data)
            self._recent.append((seq, msg))
            self._fill_window(now)
        else:
            self._write(data, now)
        return seq

    def send_urgent(self, msg: Message, now: float) -> int:
        """Transmit an acked message at once, outside the send window (the fail-safe UNKEY must
        not wait behind a KEY in flight). It is kept for retransmission until ACKed; the peer
        sees any message it overtakes as *late* (docs/protocol.md 4.3, 6)."""
        if not msg.NEEDS_ACK:
            self.send(msg, now)
            return (self._next_seq - 1) & MAX_SEQ
        if self.role not in msg.SENT_BY:
            raise ValueError(f"a {self.role} does not send {msg.TYPE}")
        data = encode(message_frame(self._next_seq, msg))
        seq = self._take_seq()
        if self._up:
            self._pending[seq] = _Pending(seq, msg, data, 1, now + self.ack_timeout_s)
            self._in_flight += 1
        else:
            # Link down: try once now (the peer may still hear us), and hold it for delivery
            # with fresh retries as soon as the link is back (4.8).
            self._pending[seq] = _Pending(seq, msg, data)
        self._recent.append((seq, msg))
        self.stats["urgent"] += 1
        self._write(data, now)
        return seq

    def cancel(self, seq: int) -> bool:
        """Stop (re)sending our message ``seq``; True if it was pending. It may still arrive."""
        if seq == self._hello_seq:
            return False
        p = self._pending.pop(seq, None)
        if p is None:
            return False
        if p.due is not None:
            self._in_flight -= 1
        self.stats["cancelled"] += 1
        return True

    def data_to_send(self) -> bytes:
        """Drain the bytes queued for the port."""
        data = bytes(self._out)
        self._out.clear()
        self.stats["bytes_out"] += len(data)
        return data

    def next_deadline(self) -> float | None:
        """When ``poll`` next has work to do (None before ``start``)."""
        if self._started_at is None:
            return None
        times = [p.due for p in self._pending.values() if p.due is not None]
        if self._up:
            times.append(self._last_heard + self.link_timeout_s)
            times.append(self._last_tx + self.heartbeat_s)
        elif self._hello_seq is None:
            times.append(self._last_hello_tx + self.heartbeat_s)
        return min(times) if times else None

    def receive(self, data: bytes, now: float) -> list[Event]:
        """Handle bytes from the port; return what happened."""
        events: list[Event] = []
        self.stats["bytes_in"] += len(data)
        for item in self.decoder.feed(data):
            if isinstance(item, FrameError):
                self.stats[f"rx_{item.kind}"] += 1
                events.append(ProtocolError(str(item)))
                continue
            self._last_heard = now
            self.stats["frames_in"] += 1
            try:
                msg = decode_message(item)
            except MessageError as exc:
                self.stats["bad_messages"] += 1
                events.append(ProtocolError(str(exc)))
                cls = MESSAGE_TYPES.get(item.type)
                if cls is None or cls.NEEDS_ACK:
                    code = ERR_BADMSG if cls else ERR_UNKNOWN
                    self._send_err(item.seq, code, exc.detail, now)
                continue
            self._handle(item.seq, msg, now, events)
        return events

    def poll(self, now: float) -> list[Event]:
        """Run the timers: link timeout, retransmits, heartbeat, HELLO while down."""
        events: list[Event] = []
        if self._started_at is None:
            return events
        if self._up and now - self._last_heard >= self.link_timeout_s:
            self._go_down("timeout", now, events)
        failed = False
        for p in list(self._pending.values()):
            if p.due is None or now < p.due:
                continue
            is_hello = p.seq == self._hello_seq
            if p.sends > self.max_retries and (self._up or not is_hello):
                del self._pending[p.seq]
                self._in_flight -= 1
                if is_hello:
                    self._hello_seq = None
                    self.stats["hello_unanswered"] += 1
                else:
                    self.stats["send_failed"] += 1
                    events.append(SendFailed(p.seq, p.msg))
                failed = True
                continue
            p.sends += 1
            p.due = now + self.ack_timeout_s
            self.stats["retransmits"] += 1
            self._write(p.data, now)
        if failed and self._up:
            # A peer that does not acknowledge may not know us (it lost our HELLO): go down,
            # which sends HELLO until the peer answers.
            self._go_down("no_ack", now, events)
        self._fill_window(now)
        if self._up and now - self._last_tx >= self.heartbeat_s:
            uptime_ms = max(0, int((now - self._started_at) * 1000))
            self._write(encode(message_frame(self._take_seq(), Hb(uptime_ms))), now)
        if (
            not self._up
            and self._hello_seq is None
            and now - self._last_hello_tx >= self.heartbeat_s
        ):
            self._send_hello(now)
        return events

    # -- inside -----------------------------------------------------------------------------

    def _take_seq(self) -> int:
        seq = self._next_seq
        self._next_seq = (seq + 1) & MAX_SEQ
        return seq

    def _write(self, data: bytes, now: float) -> None:
        self._out += data
        self._last_tx = now
        self.stats["frames_out"] += 1

    def _send_now(self, msg: Message, now: float) -> None:
        """Transmit a session message (ACK, ERR) at once, whatever the link state."""
        self._write(encode(message_frame(self._take_seq(), msg)), now)

    def _send_err(self, ref_seq: int, code: str, text: str, now: float) -> None:
        self.stats["err_out"] += 1
        self._send_now(Err(ref_seq, code, _err_text(text)), now)

    def _send_hello(self, now: float) -> None:
        """Send a new HELLO (replacing any unanswered one); it goes out even while down."""
        if self._hello_seq is not None:
            old = self._pending.pop(self._hello_seq, None)
            if old is not None and old.due is not None:
                self._in_flight -= 1
        seq = self._take_seq()
        hello = Hello(self.version, self.role, self.boot_id, self.name)
        p = _Pending(seq, hello, encode(message_frame(seq, hello)), 1, now + self.ack_timeout_s)
        self._pending[seq] = p
        self._in_flight += 1
        self._hello_seq = seq
        self._last_hello_tx = now
        self.stats["hello_out"] += 1
        self._write(p.data, now)

    def _fill_window(self, now: float) -> None:
        """While up, transmit held messages in order until the send window is full."""
        if not self._up:
            return
        for p in self._pending.values():
            if self._in_flight >= self.send_window + (self._hello_seq is not None):
                return
            if p.due is None:
                p.sends = 1
                p.due = now + self.ack_timeout_s
                self._in_flight += 1
                self._write(p.data, now)

    def _hold_all(self) -> None:
        """Stop retransmitting (link down): held messages restart their retries later."""
        for p in self._pending.values():
            if p.due is not None and p.seq != self._hello_seq:
                p.due = None
                p.sends = 0
                self._in_flight -= 1

    def _go_down(self, reason: str, now: float, events: list[Event]) -> None:
        self._up = False
        self.stats[f"link_down_{reason}"] += 1
        events.append(LinkDown(reason))
        self._hold_all()
        if self._hello_seq is None:
            self._send_hello(now)

    def _remember(self, seq: int) -> None:
        if len(self._seen_order) >= self.window:
            oldest = self._seen_order.popleft()
            self._seen.discard(oldest)
            self._ack_owed.discard(oldest)  # a resend now counts as new; the receiver dedupes
        self._seen_order.append(seq)
        self._seen.add(seq)

    def _forget_peer_seqs(self) -> None:
        self._seen.clear()
        self._seen_order.clear()
        self._newest = None
        self._ack_owed.clear()
        self._peer_generation += 1

    def acknowledge(self, ack_ref: tuple[int, int], now: float) -> bool:
        """ACK a deferred-ACK message now (``MessageReceived.ack_ref``); False if it is moot.

        Moot when the peer restarted since (its numbers started again) or it was acknowledged.
        """
        generation, seq = ack_ref
        if generation != self._peer_generation or seq not in self._ack_owed:
            return False
        self._ack_owed.discard(seq)
        self._send_now(Ack(seq), now)
        return True

    def _link_up(self, now: float, events: list[Event]) -> None:
        if self._peer is None:
            return
        self._up = True
        self.stats["link_up"] += 1
        events.append(LinkUp(self._peer))
        hello = self._pending.get(self._hello_seq) if self._hello_seq is not None else None
        if hello is not None:
            # Sent over and over while the link was down: from now on it is capped like any
            # message, so it starts a fresh retry count (4.8), the copy in flight its first.
            hello.sends = 1
        self._fill_window(now)

    def _handle(self, seq: int, msg: Message, now: float, events: list[Event]) -> None:
        if isinstance(msg, Hello):
            self._on_hello(seq, msg, now, events)
            return
        if not self._up and self._peer is not None and not isinstance(msg, Err):
            # Traffic from a peer that knows us (it sends nothing but HELLO until it does).
            self._link_up(now, events)
        if isinstance(msg, Ack):
            self._on_ack(msg.ref_seq, now, events)
        elif isinstance(msg, Err):
            self._on_err(msg, events)
        elif self._peer is None:
            # No HELLO yet: not acknowledged, so the peer sends it again after the exchange.
            self.stats["before_hello"] += 1
        elif self._peer.role not in msg.SENT_BY:
            self.stats["bad_direction"] += 1
            detail = f"a {self._peer.role} must not send {msg.TYPE}"
            events.append(ProtocolError(detail))
            if msg.NEEDS_ACK:
                self._send_err(seq, ERR_BADDIR, detail, now)
        elif not msg.NEEDS_ACK:
            if isinstance(msg, Hb):
                self.stats["hb_in"] += 1
            else:
                events.append(MessageReceived(msg, seq))
        else:
            deferred = type(msg) in self.deferred_acks
            if seq in self._seen:
                self.stats["duplicates"] += 1
                if seq in self._ack_owed:
                    self.stats["ack_deferred"] += 1  # still being made safe: the ACK follows
                else:
                    self._send_now(Ack(seq), now)  # our ACK was lost: say it again
                return
            self._remember(seq)
            ack_ref = None
            if deferred:
                self._ack_owed.add(seq)
                ack_ref = (self._peer_generation, seq)
            else:
                self._send_now(Ack(seq), now)
            late = self._newest is not None and not _seq_newer(seq, self._newest)
            if not late:
                self._newest = seq
            else:
                self.stats["late"] += 1
            events.append(MessageReceived(msg, seq, late, ack_ref))

    def _on_ack(self, ref: int, now: float, events: list[Event]) -> None:
        p = self._pending.pop(ref, None)
        if p is None:
            self.stats["ack_unmatched"] += 1
            return
        self.stats["acked"] += 1
        if p.due is not None:
            self._in_flight -= 1
        if ref == self._hello_seq:
            self._hello_seq = None
        else:
            events.append(Delivered(ref, p.msg))
        self._fill_window(now)

    def _on_err(self, err: Err, events: list[Event]) -> None:
        self.stats["refused"] += 1
        p = self._pending.pop(err.ref_seq, None)
        msg: Message | None = None
        if p is not None:
            msg = p.msg
            if p.due is not None:
                self._in_flight -= 1
            if err.ref_seq == self._hello_seq:
                self._hello_seq = None
        else:
            msg = next((m for s, m in reversed(self._recent) if s == err.ref_seq), None)
        events.append(Refused(err.ref_seq, msg, err.code, err.text))

    def _on_hello(self, seq: int, hello: Hello, now: float, events: list[Event]) -> None:
        refusal = None
        if hello.version != self.version:
            refusal = (ERR_VERSION, f"version {hello.version} not supported; need {self.version}")
        elif self.peer_roles is not None and hello.role not in self.peer_roles:
            roles = "|".join(sorted(self.peer_roles))
            refusal = (ERR_ROLE, f"role {hello.role} not expected on this port; need {roles}")
        if refusal is not None:
            code, text = refusal
            self.stats["hello_refused"] += 1
            events.append(ProtocolError(f"HELLO from {hello.name!r} refused: {text}"))
            self._send_err(seq, code, text, now)
            if self._up:
                self._go_down(code.lower(), now, events)
            return
        self._send_now(Ack(seq), now)
        prev = self._peer
        new_boot = prev is None or prev.boot_id != hello.boot_id
        if new_boot:
            self._forget_peer_seqs()
        if seq in self._seen:
            self.stats["duplicates"] += 1
        else:
            self._remember(seq)
            self._peer = hello
            events.append(PeerHello(hello, restarted=prev is not None and new_boot))
        if not self._up:
            self._link_up(now, events)
        if new_boot and self._hello_seq is None:
            # A peer boot we have not introduced ourselves to, and no HELLO of ours on its way.
            # Only a new boot id triggers this, so two sessions can never ping-pong HELLOs.
            self._send_hello(now)
