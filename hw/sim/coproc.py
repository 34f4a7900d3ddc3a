"""The co-processor: tracks in, the distance kernel every cycle, ALERT and CLEAR out.

The co-processor side of docs/protocol.md (section 7), pure like the bridge simulator (times
passed in) so a runner (hw/sim/runner.py) can put it on a pseudo-terminal or a serial port. The
same object is the program (`hotline coproc`) and the simulator (`hotline sim coproc`).

Every `cycle_s` it takes the picture from its track source at source time
``(now - start) * time_scale``, runs the kernel (`Watch`) and queues what changed in an `Outbox`.
While the link is up, ALERTs and CLEARs go out one at a time (send window 1) and are resent until
acknowledged; a message that failed all its retries goes back to the head of the queue, so
nothing is lost. When the terminal restarts (a new terminal boot id), what it has not acknowledged
is still sent, and every pair still in alert is sent again, numbered anew. A reboot (scenario
time, or `reboot`) starts over with a new boot id.
Every `feed_s` while the link is up, and at once when its feed connects or disconnects, it sends
its track feed's health in a FEED message (docs/protocol.md 5.4); a terminal that answers FEED
with ERR UNKNOWN does not know it and gets no more until it restarts.
For tests and the bench it can misbehave: garbage between frames, damaged ALERT frames.

The deconfliction line (docs/protocol.md 5.5, 7.11-7.15): it starts on its own start-up line
(``line``, version 0, or none), takes each LINE the terminal sends, uses the highest-numbered
version whose effective time has come (by its own clock, `utc_ms`) from its next cycle on, says
which in LINEUSE (on every change, when the link comes up, to a restarted terminal), and stamps
every ALERT with the version it was computed against. A reboot forgets the versions given.
``knows_line=False`` makes it a co-processor built before LINE: LINE is refused with ERR UNKNOWN
and ALERTs have 23 fields.
"""

from __future__ import annotations

import math
import os
import time
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hw.sim.faults import FaultySession, check_faults
from hw.sim.tracks import TrackSource
from hw.sim.tracks.health import FeedHealth, HasFeedHealth
from hw.wire.messages import (
    ERR_UNKNOWN,
    Alert,
    AlertKind,
    Clear,
    Feed,
    LineMsg,
    LineUse,
    Message,
    Role,
    Severity,
    TrackState,
    random_boot_id,
)
from hw.wire.session import (
    Delivered,
    Event,
    LinkSession,
    LinkUp,
    MessageReceived,
    PeerHello,
    ProtocolError,
    Refused,
    SendFailed,
)
from terminal.kernel.line import Line
from terminal.kernel.report import Member
from terminal.kernel.thresholds import DEFAULT_TABLE, Table
from terminal.kernel.watch import DEFAULT_HOLD_S, Issue, Outbox, Watch
from terminal.kernel.watch import Clear as ClearDecision

LOG_MAX = 100_000
DEFAULT_FEED_S = 5.0
FEED_CHECK_S = 0.1
"""How often, at most, the feed's health is looked at between FEEDs (for a change of state)."""
_WIRE_TEXT = str.maketrans({"$": "_", ",": ";", "*": "_"})
_SEVERITY = {1: Severity.ADVISORY, 2: Severity.WARNING, 3: Severity.CRITICAL}


def track_state(m: Member) -> TrackState:
    """A pair member as the wire carries it."""
    return TrackState(m.id, m.lat, m.lon, round(m.alt_ft), m.vn_ms, m.ve_ms, m.vu_ms)


def alert_message(issue: Issue, line_version: int | None = None) -> Alert:
    """The ALERT for a numbered finding, computed against line version ``line_version``."""
    f = issue.finding
    n = f.numbers
    computed = datetime.fromtimestamp(f.computed_utc_ms / 1000, UTC)
    return Alert(
        issue.alert_seq, f.pair_id, AlertKind(f.kind), _SEVERITY[f.severity], computed,
        track_state(f.a), track_state(f.b), n.hsep_m, round(n.vsep_ft), n.tcpa_s, n.miss_m,
        line_version,
    )  # fmt: skip


def wire_text(text: str, limit: int) -> str:
    """``text`` as a wire text field: printable ASCII without ``$ , *``, at most ``limit``."""
    clean = "".join(c if " " <= c <= "~" else "?" for c in text).translate(_WIRE_TEXT)
    return clean[:limit]


def feed_message(h: FeedHealth) -> Feed:
    """The FEED message for a feed's health."""
    kind = "".join(c for c in h.kind.upper() if c.isalnum() or c == "_")[:16] or "UNKNOWN"
    if not kind[0].isalpha():
        kind = "X" + kind[:15]
    age_s = h.last_message_age_s
    age = -1 if age_s is None else min(max(round(age_s * 1000), 0), 10**12)
    return Feed(
        kind, h.connected, age,
        min(max(round(h.messages_per_s, 1), 0.0), 1_000_000.0), min(h.tracks_held, 1_000_000),
        min(h.decode_errors, 10**15), wire_text(h.name, 64), wire_text(h.last_error, 80),
    )  # fmt: skip


def wire_message(item: Issue | ClearDecision, line_version: int | None = None) -> Message:
    """The wire message for an outgoing item."""
    if isinstance(item, Issue):
        return alert_message(item, line_version)
    return Clear(item.pair_id)


def zulu(utc_ms: int) -> datetime:
    """Zulu milliseconds as a wire time."""
    return datetime.fromtimestamp(utc_ms / 1000, UTC)


@dataclass(frozen=True, slots=True)
class LineInUse:
    """The line the co-processor computes against: version (0: its own), line, since when."""

    version: int
    line: Line | None
    since_ms: int


class BeforeLineSession(LinkSession):
    """The link of a co-processor built before LINE: a LINE is an unknown type to it (4.6.1)."""

    def _handle(self, seq: int, msg: Message, now: float, events: list[Event]) -> None:
        if isinstance(msg, LineMsg) and self.peer is not None:
            self.stats["bad_messages"] += 1
            self._send_err(seq, ERR_UNKNOWN, "unknown message type LINE", now)
            return
        super()._handle(seq, msg, now, events)


@dataclass
class CoprocLog:
    """What the co-processor did, for tests, the bench and its console."""

    issued: deque[tuple[str, int, str, int]] = field(default_factory=lambda: deque(maxlen=LOG_MAX))
    delivered: set[tuple[str, int]] = field(default_factory=set)  # the latest LOG_MAX
    clears_sent: int = 0
    clears_delivered: int = 0
    requeued: int = 0
    reissued: int = 0
    cycles: int = 0
    reboots: int = 0
    feeds_sent: int = 0
    lines_received: int = 0
    lineuse_sent: int = 0
    errors: deque[str] = field(default_factory=lambda: deque(maxlen=1000))
    acked: int = 0
    _order: deque[tuple[str, int]] = field(default_factory=deque)

    def note_delivered(self, key: tuple[str, int]) -> None:
        """An ALERT was acknowledged (the set keeps the latest LOG_MAX, the count all)."""
        self.acked += 1
        self.delivered.add(key)
        self._order.append(key)
        if len(self._order) > LOG_MAX:
            self.delivered.discard(self._order.popleft())


class CoprocSim:
    """The co-processor end of the link, with its track source and kernel."""

    def __init__(
        self,
        source: TrackSource,
        *,
        line: Line | None = None,
        table: Table = DEFAULT_TABLE,
        cycle_s: float = 1.0,
        hold_s: float = DEFAULT_HOLD_S,
        time_scale: float = 1.0,
        name: str = "coproc-sim",
        boot_id: str | None = None,
        heartbeat_s: float = 1.0,
        link_timeout_s: float = 3.5,
        ack_timeout_s: float = 0.3,
        max_retries: int = 5,
        utc0_ms: int | None = None,
        faults: Collection[str] = (),
        feed_s: float | None = DEFAULT_FEED_S,
        knows_line: bool = True,
    ) -> None:
        if cycle_s <= 0 or time_scale <= 0 or (feed_s is not None and feed_s <= 0):
            raise ValueError("cycle_s, time_scale and feed_s must be positive")
        try:  # the kernel's k-d tree: loaded now, not in a cycle
            import scipy.spatial  # noqa: F401
        except ModuleNotFoundError as exc:
            raise ModuleNotFoundError(
                "SciPy is not installed: the co-processor program and the bench need it, a desk "
                "does not (install requirements/coproc.txt, or hotline-terminal[coproc])",
                name="scipy",
            ) from exc
        self.source = source
        self.line = line if line is not None else source.line
        """The start-up line (version 0), used until the terminal gives one."""
        self.knows_line = knows_line
        self.table = table
        self.cycle_s = cycle_s
        self.hold_s = hold_s
        self.time_scale = time_scale
        self.name = name
        self.heartbeat_s, self.link_timeout_s = heartbeat_s, link_timeout_s
        self.ack_timeout_s, self.max_retries = ack_timeout_s, max_retries
        self.utc0_ms = utc0_ms if utc0_ms is not None else time.time_ns() // 1_000_000
        self.log = CoprocLog()
        self.faults = check_faults(faults, "coproc")
        self._pending_reboots = sorted(source.reboots)
        self._t0: float | None = None
        self._next_cycle = 0.0
        self._out = bytearray()
        self._damage = 0
        self.feed_s = feed_s if feed_s is not None else math.inf
        """Seconds between FEED messages; None given: none sent (a co-processor from before)."""
        self.feed: HasFeedHealth | None = None
        """Who reports the feed's health (the SBS client, ...); None: the source itself."""
        self._feed_on = feed_s is not None
        self._feed_wanted = feed_s is not None
        self._next_feed = self._next_feed_check = 0.0
        self._feed_connected: bool | None = None
        self._feed_seqs: deque[int] = deque(maxlen=16)
        self._fresh(boot_id)

    def _fresh(self, boot_id: str | None = None) -> None:
        """A new boot: new id, empty queue and memory of pairs."""
        args = (Role.COPROC, self.name, boot_id or random_boot_id())
        kw: dict[str, Any] = {
            "heartbeat_s": self.heartbeat_s, "link_timeout_s": self.link_timeout_s,
            "ack_timeout_s": self.ack_timeout_s, "max_retries": self.max_retries,
            "peer_roles": {Role.TERMINAL},
        }  # fmt: skip
        if self.faults:
            self.session: LinkSession = FaultySession(*args, faults=self.faults, **kw)
        elif not self.knows_line:
            self.session = BeforeLineSession(*args, **kw)
        else:
            self.session = LinkSession(*args, **kw)
        self.watch = Watch(self.line, self.table, self.hold_s)
        self.in_use = LineInUse(0, self.line, self.utc_ms(self._t0 or 0.0))
        self.lines_held: dict[int, LineMsg] = {}  # received, not yet in use
        self._computed_on: dict[tuple[str, int], int] = {}  # (pair, computed ms) -> version
        self.outbox = Outbox()
        self._inflight: dict[int, Issue | ClearDecision] = {}
        self._given_back: list[Issue | ClearDecision] = []  # sent again: logged once already

    @property
    def boot_id(self) -> str:
        """This boot's id."""
        return self.session.boot_id

    def source_time(self, now: float) -> float:
        """The track source's time at monotonic ``now``."""
        return 0.0 if self._t0 is None else (now - self._t0) * self.time_scale

    def report_feed(self, every_s: float | None) -> None:
        """Send FEED every ``every_s`` from now on; None: never (a co-processor from before)."""
        if every_s is not None and every_s <= 0:
            raise ValueError("every_s must be positive")
        self.feed_s = every_s if every_s is not None else math.inf
        self._feed_on = self._feed_wanted = every_s is not None
        self._next_feed = 0.0

    def feed_health(self, now: float) -> FeedHealth:
        """The track feed's health at monotonic ``now`` (the source's, or its reader's)."""
        provider = self.feed if self.feed is not None else self.source
        health = getattr(provider, "health", None)
        if health is None:
            return FeedHealth(type(self.source).__name__, "scenario", True, 0.0, 0.0, 0, 0)
        result: FeedHealth = health(self.source_time(now))
        return result

    def utc_ms(self, now: float) -> int:
        """Zulu milliseconds at monotonic ``now``."""
        return self.utc0_ms + round(self.source_time(now) / self.time_scale * 1000)

    # --- the runner's side ----------------------------------------------------------------

    def start(self, now: float) -> None:
        """Begin, or begin again after the cable returns: HELLO; the first cycle at once."""
        if self._t0 is None:
            self._t0 = now
            self._next_cycle = now
        self.session.start(now)

    def receive(self, data: bytes, now: float) -> None:
        """Bytes from the terminal."""
        for event in self.session.receive(data, now):
            self._on_event(event, now)
        self._feed(now)

    def poll(self, now: float) -> None:
        """Run the link's timers, the kernel when a cycle is due, and send what is queued."""
        for event in self.session.poll(now):
            self._on_event(event, now)
        if self._t0 is not None and now >= self._next_cycle:
            self._cycle(now)
            self._next_cycle = max(self._next_cycle + self.cycle_s, now)
        self._report_feed(now)
        self._feed(now)

    def output(self, now: float) -> bytes:
        """Bytes for the terminal now."""
        data = self.session.data_to_send()
        if self._damage and data:
            data = self._mangle(data)
        out = bytes(self._out) + data
        self._out.clear()
        return out

    def next_deadline(self) -> float | None:
        """When `poll` must next run."""
        times = [t for t in (self.session.next_deadline(), self._next_cycle) if t is not None]
        if self._t0 is None:
            return self.session.next_deadline()
        if self._feed_on and self.session.is_up:
            times.append(self._next_feed)
        return min(times)

    # --- control and misbehaviour ---------------------------------------------------------------

    def reboot(self, now: float) -> None:
        """Restart the co-processor: a new boot id; queue and pair memory are lost."""
        self.log.reboots += 1
        self._fresh()
        self.in_use = LineInUse(0, self.line, self.utc_ms(now))
        self.session.start(now)
        self._next_cycle = now

    def send_garbage(self, nbytes: int = 64) -> None:
        """Noise on the line between frames."""
        self._out += os.urandom(nbytes).replace(b"$", b"#")

    def damage_alerts(self, count: int) -> None:
        """Corrupt the next ``count`` ALERT frames on the wire (one byte each): the terminal drops
        them on their CRC and they are resent."""
        self._damage += count

    def in_alert(self) -> dict[str, int]:
        """Pair id -> severity of every pair this boot holds in alert."""
        return {f.pair_id: f.severity for f in self.watch.open_findings()}

    def idle(self) -> bool:
        """Nothing waiting to be sent or acknowledged."""
        return not self.outbox and not self._inflight

    # --- inside -----------------------------------------------------------------------------

    def _cycle(self, now: float) -> None:
        t = self.source_time(now)
        while self._pending_reboots and self._pending_reboots[0] <= t:
            self._pending_reboots.pop(0)
            self.reboot(now)
        self._apply_lines(now)
        utc = self.utc_ms(now)
        for decision in self.watch.cycle(self.source.picture(t), t, utc):
            if not isinstance(decision, ClearDecision):
                self._computed_on[(decision.pair_id, utc)] = self.in_use.version
            self.outbox.put(decision)
        while len(self._computed_on) > LOG_MAX:
            del self._computed_on[next(iter(self._computed_on))]
        self.log.cycles += 1

    # --- the deconfliction line (docs/protocol.md 5.5, 7.11-7.15) ----------------------------

    def _take_line(self, msg: LineMsg, now: float) -> None:
        """A LINE (already acknowledged): kept unless superseded or a repeat (7.11)."""
        if msg.version <= self.in_use.version or msg.version in self.lines_held:
            return
        self.lines_held[msg.version] = msg
        self.log.lines_received += 1
        self._apply_lines(now)

    def _apply_lines(self, now: float) -> None:
        """Use the highest-numbered version whose time has come (7.12); LINEUSE if it changed."""
        utc = self.utc_ms(now)
        due = [v for v, m in self.lines_held.items() if m.effective_from.timestamp() * 1000 <= utc]
        if not due:
            return
        msg = self.lines_held[max(due)]
        self.lines_held = {v: m for v, m in self.lines_held.items() if v > msg.version}
        line = Line(msg.name, msg.points)
        self.watch.line = line
        self.in_use = LineInUse(msg.version, line, utc)
        self._report_line(now)

    def _report_line(self, now: float) -> None:
        """LINEUSE: the version in use (7.13)."""
        if not self.knows_line:
            return
        use = self.in_use
        name = use.line.id if use.line is not None else ""
        self.session.send(LineUse(use.version, name[:32], zulu(use.since_ms)), now)
        self.log.lineuse_sent += 1

    def _version_of(self, item: Issue | ClearDecision) -> int | None:
        """The line version an outgoing ALERT was computed against (None: before LINE)."""
        if not self.knows_line or not isinstance(item, Issue):
            return None
        f = item.finding
        version = self._computed_on.get((f.pair_id, f.computed_utc_ms), self.in_use.version)
        if "wrong_line_version" in self.faults:  # a deliberate fault (hw/sim/faults.py)
            return version + 1
        return version

    def _report_feed(self, now: float) -> None:
        """FEED every feed_s while the link is up, and at once when the feed (dis)connects."""
        if not self._feed_on or not self.session.is_up:
            return
        if now < self._next_feed and now < self._next_feed_check:
            return  # a change of `connected` is looked for FEED_CHECK_S apart, not every poll
        self._next_feed_check = now + FEED_CHECK_S
        health = self.feed_health(now)
        if now < self._next_feed and health.connected == self._feed_connected:
            return
        self._feed_connected = health.connected
        self._next_feed = now + self.feed_s
        self._feed_seqs.append(self.session.send(feed_message(health), now))
        self.log.feeds_sent += 1

    def _feed(self, now: float) -> None:
        while self.session.is_up and not self._inflight and self.outbox:
            item = self.outbox.pop()
            if item is None:
                return
            seq = self.session.send(wire_message(item, self._version_of(item)), now)
            self._inflight[seq] = item
            if any(item is back for back in self._given_back):
                self._given_back = [b for b in self._given_back if b is not item]
            elif isinstance(item, Issue):
                self.log.issued.append((self.boot_id, item.alert_seq, item.pair_id,
                                        item.finding.severity))  # fmt: skip
            else:
                self.log.clears_sent += 1

    def _on_event(self, event: object, now: float) -> None:
        match event:
            case Delivered(seq=seq):
                item = self._inflight.pop(seq, None)
                if isinstance(item, Issue):
                    self.log.note_delivered((self.boot_id, item.alert_seq))
                elif item is not None:
                    self.log.clears_delivered += 1
            case SendFailed(seq=seq):
                self._give_back(seq)
            case LinkUp():
                self._next_feed = now  # the terminal learns the feed's state at once
                self._report_line(now)
            case PeerHello(restarted=True):
                self._feed_on, self._next_feed = self._feed_wanted, now
                self._terminal_restarted()
                if self.session.is_up:
                    self._report_line(now)
            case MessageReceived(msg=LineMsg() as line_msg):
                self._take_line(line_msg, now)
            case Refused(seq=seq, code=code) if code == ERR_UNKNOWN and seq in self._feed_seqs:
                if "feed_ignores_unknown" in self.faults:  # a deliberate fault (hw/sim/faults.py)
                    return
                self._feed_on = False  # a terminal that does not know FEED: stop until it restarts
                self.log.errors.append("the terminal does not know FEED: feed health not sent")
            case ProtocolError(detail=detail):
                self.log.errors.append(detail)

    def _give_back(self, failed: int) -> None:
        """A message failed every retry: it, and anything else unacknowledged, go back first."""
        items = []
        item = self._inflight.pop(failed, None)
        if item is not None:
            items.append(item)
        for seq in sorted(self._inflight):
            self.session.cancel(seq)
            items.append(self._inflight.pop(seq))
        if "no_alert_resend" in self.faults:  # a deliberate fault (hw/sim/faults.py): lost
            return
        self.outbox.give_back(items)
        self._given_back += items
        self.log.requeued += len(items)

    def _terminal_restarted(self) -> None:
        """A new terminal: what it has not acknowledged stays queued, unchanged (it never reached
        its log, 4.2), and every pair still in alert is sent again, numbered anew (7.5)."""
        for finding in self.watch.open_findings():
            self.outbox.put(finding)
            self.log.reissued += 1

    def _mangle(self, data: bytes) -> bytes:
        """Flip one byte inside ALERT frames (after the type, before the CRC)."""
        out = bytearray(data)
        start = 0
        while self._damage:
            k = out.find(b",ALERT,", start)
            if k < 0:
                break
            pos = k + 12
            out[pos] = ord("#") if out[pos] != ord("#") else ord("%")
            self._damage -= 1
            start = pos
        return bytes(out)
