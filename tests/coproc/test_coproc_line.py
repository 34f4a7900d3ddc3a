"""The co-processor and the deconfliction line (docs/protocol.md 5.5, 7.11-7.15), back to back with
a terminal session on a fake clock: it takes LINE, uses a version from its effective time, says so
in LINEUSE, stamps its alerts; a reboot goes back to its own line; one built before LINE refuses
it and sends 23-field ALERTs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from hw.sim.coproc import CoprocSim
from hw.sim.tracks.scenarios import make
from hw.wire.codec import Decoder, Frame
from hw.wire.messages import ERR_UNKNOWN, Alert, AlertKind, LineMsg, LineUse, Message, Role
from hw.wire.session import LinkSession, MessageReceived, Refused

UTC0 = 1_740_830_400_000
NEAR = ((49.5, 0.7), (52.5, 0.7))  # 9 km ahead of RAF201, which flies east from 0.57 deg


def zulu(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


@dataclass
class Pair:
    """The co-processor and a terminal session; what reached the terminal, in order."""

    sim: CoprocSim
    term: LinkSession = field(
        default_factory=lambda: LinkSession(
            Role.TERMINAL, "desk", "5EED0001", heartbeat_s=0.2, link_timeout_s=0.8,
            ack_timeout_s=0.1, peer_roles={Role.COPROC},
        )
    )
    now: float = 0.0
    got: list[Message] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    frames_in: list[Frame] = field(default_factory=list)

    def start(self) -> None:
        self.sim.start(self.now)
        self.term.start(self.now)

    def step(self, dt: float = 0.02) -> None:
        self.now += dt
        self.sim.poll(self.now)
        down = self.sim.output(self.now)
        self.frames_in += [f for f in Decoder().feed(down) if isinstance(f, Frame)]
        for ev in self.term.receive(down, self.now):
            if isinstance(ev, MessageReceived):
                self.got.append(ev.msg)
            elif isinstance(ev, Refused):
                self.refused.append(ev)
        self.term.poll(self.now)
        self.sim.receive(self.term.data_to_send(), self.now)

    def run(self, seconds: float) -> None:
        for _ in range(round(seconds / 0.02)):
            self.step()

    def utc(self) -> int:
        return self.sim.utc_ms(self.now)

    def uses(self) -> list[int]:
        return [m.version for m in self.got if isinstance(m, LineUse)]

    def line_alerts(self) -> list[Alert]:
        return [m for m in self.got if isinstance(m, Alert) and m.kind is AlertKind.LINE]


def coproc(**kw: object) -> CoprocSim:
    return CoprocSim(make("line-crossing"), heartbeat_s=0.2, link_timeout_s=0.8,
                     ack_timeout_s=0.1, utc0_ms=UTC0, cycle_s=0.5, **kw)  # type: ignore[arg-type]  # fmt: skip


def test_it_starts_on_its_own_line_as_version_0_and_says_so() -> None:
    pair = Pair(coproc())
    pair.start()
    pair.run(1.0)
    first = next(m for m in pair.got if isinstance(m, LineUse))
    assert (first.version, first.name) == (0, "DL")


def test_a_line_given_is_used_from_its_next_cycle_and_its_alerts_carry_the_version() -> None:
    pair = Pair(coproc())
    pair.start()
    pair.run(1.0)
    pair.term.send(LineMsg(1, "NEAR", zulu(pair.utc()), NEAR), pair.now)
    pair.run(2.0)
    assert pair.uses()[-1] == 1
    assert pair.sim.in_use.version == 1 and pair.sim.in_use.line is not None
    assert pair.sim.in_use.line.id == "NEAR"
    pair.run(40.0)
    stamped = [(a.b.id.split("-")[0], a.line_version) for a in pair.line_alerts()]
    assert ("NEAR", 1) in stamped
    assert all(v == 1 for name, v in stamped if name == "NEAR")
    assert all(v == 0 for name, v in stamped if name == "DL")
    assert all(len(f.fields) == 24 for f in pair.frames_in if f.type == "ALERT")


def test_a_version_waits_for_its_effective_time_and_a_lower_one_changes_nothing() -> None:
    pair = Pair(coproc())
    pair.start()
    pair.run(1.0)
    later = pair.utc() + 5_000
    pair.term.send(LineMsg(2, "NEAR", zulu(later), NEAR), pair.now)
    pair.run(2.0)
    assert pair.sim.in_use.version == 0 and 2 in pair.sim.lines_held  # held, not yet in use
    pair.run(4.0)
    assert pair.sim.in_use.version == 2
    assert pair.uses()[-1] == 2
    pair.term.send(LineMsg(1, "OLD", zulu(pair.utc()), NEAR), pair.now)  # superseded already
    pair.run(1.0)
    assert pair.sim.in_use.version == 2 and pair.sim.lines_held == {}
    assert not pair.term.pending()  # acknowledged all the same (7.11)


def test_a_reboot_forgets_the_versions_given_and_reports_its_own_line() -> None:
    pair = Pair(coproc())
    pair.start()
    pair.run(1.0)
    pair.term.send(LineMsg(1, "NEAR", zulu(pair.utc()), NEAR), pair.now)
    pair.run(2.0)
    assert pair.uses()[-1] == 1
    pair.sim.reboot(pair.now)
    pair.run(2.0)
    assert pair.sim.in_use.version == 0
    assert pair.uses()[-1] == 0


def test_a_coprocessor_built_before_line_refuses_it_and_sends_23_fields() -> None:
    pair = Pair(coproc(knows_line=False, time_scale=4.0))  # its own line is 30 km away
    pair.start()
    pair.run(1.0)
    pair.term.send(LineMsg(1, "NEAR", zulu(pair.utc()), NEAR), pair.now)
    pair.run(40.0)
    assert [r.code for r in pair.refused] == [ERR_UNKNOWN]
    assert pair.uses() == [] and pair.sim.in_use.version == 0
    alerts = pair.line_alerts()
    assert alerts and all(a.line_version is None for a in alerts)
    assert all(len(f.fields) == 23 for f in pair.frames_in if f.type == "ALERT")
