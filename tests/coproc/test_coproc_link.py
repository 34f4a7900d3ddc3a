"""The co-processor and the terminal's session back to back on a fake clock (no I/O): frame loss,
retries exhausted, a terminal restart; and the conversion of ALERT messages into book events."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hw.coproc import alert_event
from hw.sim.coproc import CoprocSim, alert_message
from hw.sim.tracks.scenarios import make
from hw.wire.codec import Decoder, Frame, encode
from hw.wire.messages import Alert, Clear, Role, random_boot_id
from hw.wire.session import LinkSession, MessageReceived
from terminal.core.alert_effects import AlertLogged
from terminal.core.alert_events import AlertCleared
from terminal.core.alerts import AlertBook
from terminal.kernel.report import Member, Separation
from terminal.kernel.watch import Finding, Issue

Drop = Callable[[Frame], bool]


def _keep(frame: Frame) -> bool:
    return False


@dataclass
class Wire:
    """The co-processor and a terminal session, frames carried (or dropped) in between."""

    sim: CoprocSim
    term: LinkSession = field(default_factory=lambda: Wire.terminal())
    book: AlertBook = field(default_factory=AlertBook)
    now: float = 0.0
    drop_down: Drop = _keep  # co-processor -> terminal
    drop_up: Drop = _keep  # terminal -> co-processor
    logged: list[tuple[str, int]] = field(default_factory=list)

    @staticmethod
    def terminal() -> LinkSession:
        timing = {"heartbeat_s": 0.2, "link_timeout_s": 0.8, "ack_timeout_s": 0.1}
        return LinkSession(Role.TERMINAL, "desk", random_boot_id(), peer_roles={Role.COPROC},
                           **timing)  # fmt: skip

    def start(self) -> None:
        self.sim.start(self.now)
        self.term.start(self.now)

    def _carry(self, data: bytes, drop: Drop) -> bytes:
        return b"".join(encode(f) for f in Decoder().feed(data)
                        if isinstance(f, Frame) and not drop(f))  # fmt: skip

    def step(self, dt: float = 0.02) -> None:
        self.now += dt
        self.sim.poll(self.now)
        down = self._carry(self.sim.output(self.now), self.drop_down)
        for ev in self.term.receive(down, self.now):
            if isinstance(ev, MessageReceived):
                self._deliver(ev.msg)
        self.term.poll(self.now)
        up = self._carry(self.term.data_to_send(), self.drop_up)
        self.sim.receive(up, self.now)

    def _deliver(self, msg: object) -> None:
        boot = self.term.peer.boot_id if self.term.peer else ""
        if isinstance(msg, Alert):
            effects = self.book.handle(alert_event(msg, boot, self.now, 0))
        elif isinstance(msg, Clear):
            effects = self.book.handle(AlertCleared(self.now, 0, boot, msg.pair_id))
        else:
            return
        self.logged += [(e.boot_id, e.alert_seq) for e in effects if isinstance(e, AlertLogged)]

    def run(self, seconds: float) -> None:
        for _ in range(round(seconds / 0.02)):
            self.step()

    def settled(self) -> bool:
        return self.sim.idle()

    def in_alert(self) -> dict[str, int]:
        rank = {"advisory": 1, "warning": 2, "critical": 3}
        return {v.pair_id: rank[v.severity] for v in self.book.views()}


def sim(name: str, **kw: float) -> CoprocSim:
    return CoprocSim(make(name), heartbeat_s=0.2, link_timeout_s=0.8, ack_timeout_s=0.1,
                     utc0_ms=1_740_830_400_000, **kw)  # type: ignore[arg-type]  # fmt: skip


def issued(s: CoprocSim) -> list[tuple[str, int]]:
    return [(b, q) for b, q, *_ in s.log.issued]


def test_random_loss_both_ways_loses_nothing() -> None:
    rng = random.Random(5)
    wire = Wire(
        sim("burst:200", cycle_s=0.2, time_scale=2.0),
        drop_down=lambda f: rng.random() < 0.25,
        drop_up=lambda f: rng.random() < 0.25,
    )
    wire.start()
    wire.run(30.0)
    wire.drop_down = wire.drop_up = _keep
    wire.run(5.0)
    assert wire.settled()
    assert len(wire.logged) == len(set(wire.logged))
    assert set(wire.logged) == set(issued(wire.sim)) == wire.sim.log.delivered
    assert wire.in_alert() == wire.sim.in_alert()
    assert wire.sim.session.stats["retransmits"] > 0


def test_a_message_that_fails_every_retry_goes_back_to_the_head_of_the_queue() -> None:
    wire = Wire(sim("burst:50", cycle_s=0.2))
    wire.start()
    wire.run(0.5)
    assert wire.sim.log.delivered
    wire.drop_up = lambda f: f.type == "ACK"  # the terminal hears, its ACKs are lost
    wire.run(2.0)
    assert wire.sim.log.requeued >= 1  # retries ran out: given back, link down
    wire.drop_up = _keep
    wire.run(5.0)
    assert wire.settled()
    assert len(wire.logged) == len(set(wire.logged))  # the repeats were recognised
    assert set(wire.logged) == set(issued(wire.sim)) == wire.sim.log.delivered
    assert [q for _, q in issued(wire.sim)] == list(range(1, 51))  # no number skipped


def test_a_restarted_terminal_gets_every_open_alert_again() -> None:
    wire = Wire(sim("burst:40", cycle_s=0.2, time_scale=0.5))
    wire.start()
    wire.run(2.0)
    assert len(wire.book) == 40
    # the terminal restarts: new session (new boot id), empty book
    wire.term, wire.book, wire.logged = Wire.terminal(), AlertBook(), []
    wire.term.start(wire.now)
    wire.run(3.0)
    assert wire.sim.log.reissued == 40
    assert wire.in_alert() == wire.sim.in_alert() and len(wire.book) == 40
    assert wire.book.stats["gaps"] == 0


def test_alert_messages_become_book_events() -> None:
    when = datetime(2025, 3, 1, 12, 0, 5, 123000, tzinfo=UTC)
    a = Member("RAF123", 51.501234, -0.141234, 12000, 150.2, -20.5, 0.0)
    b = Member("4CA2F1", 51.6, -0.2, 12500, -140.0, 10.0, -5.1)
    finding = Finding("RAF123/4CA2F1", "TRACK", 2, round(when.timestamp() * 1000), a, b,
                      Separation(9260.0, 500, 42.5, 1200.0))  # fmt: skip
    msg = alert_message(Issue(812, finding))
    assert msg.severity.value == "WARNING" and msg.computed_at == when and msg.a.alt_ft == 12000
    ev = alert_event(msg, "c0ffee01", 7.5, 1_740_830_405_500)
    assert (ev.boot_id, ev.alert_seq, ev.pair_id, ev.kind, ev.severity) == (
        "C0FFEE01",
        812,
        "RAF123/4CA2F1",
        "TRACK",
        "warning",
    )
    assert ev.computed_utc_ms == round(when.timestamp() * 1000) and ev.at == 7.5
    assert ev.a == a and ev.b == b
    assert (ev.hsep_m, ev.vsep_ft, ev.tcpa_s, ev.miss_m) == (9260.0, 500.0, 42.5, 1200.0)
