"""Deferred ACKs: the receiver acknowledges an ALERT/CLEAR only once it is safe (committed)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from wire_helpers import Link

from hw.wire.messages import Ack, Clear, Role, decode_message
from hw.wire.session import Delivered, LinkSession, MessageReceived

TIMING = dict(heartbeat_s=1.0, link_timeout_s=3.5, ack_timeout_s=0.3, max_retries=3)


def coproc(boot_id: str = "0000C0C0", **kw: object) -> LinkSession:
    return LinkSession(Role.COPROC, "coproc", boot_id, **{**TIMING, **kw})  # type: ignore[arg-type]


def desk() -> LinkSession:
    return LinkSession(
        Role.TERMINAL, "desk", "0000000A", peer_roles={Role.COPROC},
        deferred_acks=(Clear,), **TIMING,  # type: ignore[arg-type]
    )


def linked() -> Link:
    link = Link(coproc(), desk())
    link.start()
    return link


def acks_sent(link: Link) -> list[int]:
    """The sequence numbers the desk acknowledged on the wire."""
    return [m.ref_seq for f in link.wire_ba if isinstance(m := decode_message(f), Ack)]


def test_a_deferred_message_is_delivered_at_once_and_acknowledged_only_when_told() -> None:
    link = linked()
    seq = link.a.send(Clear("P1"), link.now)
    link.pump()
    (got,) = link.of("b", MessageReceived)
    assert got.msg == Clear("P1") and got.ack_ref is not None
    assert seq not in acks_sent(link) and link.a.pending() == [(seq, Clear("P1"))]
    assert link.b.acknowledge(got.ack_ref, link.now)
    link.pump()
    assert link.of("a", Delivered) == [Delivered(seq, Clear("P1"))]
    assert not link.b.acknowledge(got.ack_ref, link.now), "acknowledged twice"


def test_a_resend_while_the_commit_is_pending_is_neither_redelivered_nor_acknowledged() -> None:
    link = linked()
    seq = link.a.send(Clear("P1"), link.now)
    link.pump()
    link.advance(0.7, step=0.1)  # two retransmits go by
    assert len(link.of("b", MessageReceived)) == 1
    assert seq not in acks_sent(link)
    assert link.b.stats["ack_deferred"] >= 1
    (got,) = link.of("b", MessageReceived)
    assert got.ack_ref is not None
    link.b.acknowledge(got.ack_ref, link.now)
    link.pump()
    assert link.a.pending() == []


def test_a_resend_after_our_ack_was_lost_is_acknowledged_again_not_redelivered() -> None:
    link = linked()
    seq = link.a.send(Clear("P1"), link.now)
    link.pump()
    (got,) = link.of("b", MessageReceived)
    assert got.ack_ref is not None
    link.drop_ba = lambda f: True
    link.b.acknowledge(got.ack_ref, link.now)
    link.pump()
    link.drop_ba = lambda f: False
    link.advance(0.5, step=0.1)
    assert link.a.pending() == [] and len(link.of("b", MessageReceived)) == 1
    assert acks_sent(link).count(seq) >= 2


def test_an_ack_owed_to_a_peer_that_restarted_is_not_sent_to_its_new_boot() -> None:
    link = linked()
    link.a.send(Clear("P1"), link.now)
    link.pump()
    (old,) = link.of("b", MessageReceived)
    assert old.ack_ref is not None
    link.a = coproc("0000C0C1")  # the co-processor reboots: its numbers start again
    link.a.start(link.now)
    link.pump()
    seq = link.a.send(Clear("P2"), link.now)
    link.pump()
    assert not link.b.acknowledge(old.ack_ref, link.now)
    link.pump()
    assert [s for s, _ in link.a.pending()] == [seq], "the new boot's message was not ACKed"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=120), st.integers(1, 10))
def test_every_deferred_message_arrives_once_and_is_delivered_after_acknowledgement(
    losses: list[bool], count: int
) -> None:
    link = Link(coproc(max_retries=50), desk())
    pattern = iter(losses)
    link.drop_ab = link.drop_ba = lambda f: next(pattern, False)
    link.start()
    sent = [Clear(f"P{i}") for i in range(count)]
    for msg in sent:
        link.a.send(msg, link.now)
    for _ in range(400):
        link.pump()
        for event in link.of("b", MessageReceived):
            if event.ack_ref is not None:
                link.b.acknowledge(event.ack_ref, link.now)
        link.advance(0.1, step=0.1)
        if len(link.of("a", Delivered)) == count:
            break
    assert [e.msg for e in link.of("b", MessageReceived)] == sent
    assert [e.msg for e in link.of("a", Delivered)] == sent
