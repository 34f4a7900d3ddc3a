"""UNKEY jumps the queue: sent at once outside the send window, and a late KEY never keys."""

from __future__ import annotations

from hw.sim.bridge import BridgeSim, FarPhase
from hw.wire.messages import Key, Role, Unkey, UnkeyReason
from hw.wire.session import Delivered, LinkDown, LinkSession, MessageReceived, SendFailed


def linked_pair() -> tuple[LinkSession, BridgeSim, float]:
    term = LinkSession(Role.TERMINAL, "t", "0000000A", ack_timeout_s=0.1)
    sim = BridgeSim(boot_id="0000000B", ack_timeout_s=0.1)
    now = 0.0
    term.start(now)
    sim.start(now)
    for _ in range(4):
        sim.receive(term.data_to_send(), now)
        term.receive(sim.output(now), now)
    assert term.is_up and sim.session.is_up
    return term, sim, now


def test_urgent_unkey_goes_out_while_key_waits_for_its_ack() -> None:
    term = LinkSession(Role.TERMINAL, "t", "0000000A")
    peer = LinkSession(Role.BRIDGE, "b", "0000000B")
    term.start(0.0)
    peer.start(0.0)
    for _ in range(3):
        peer.receive(term.data_to_send(), 0.0)
        term.receive(peer.data_to_send(), 0.0)
    term.send(Key(1500), 0.1)
    term.data_to_send()  # the KEY is lost on the wire
    term.send(Unkey(UnkeyReason.PTT), 0.11)
    assert term.data_to_send() == b"", "a plain send waits behind the KEY in flight"
    term.send_urgent(Unkey(UnkeyReason.EXIT), 0.12)
    events = peer.receive(term.data_to_send(), 0.12)
    got = [e.msg for e in events if isinstance(e, MessageReceived)]
    assert got == [Unkey(UnkeyReason.EXIT)]
    delivered = term.receive(peer.data_to_send(), 0.13)
    assert any(isinstance(e, Delivered) and isinstance(e.msg, Unkey) for e in delivered)


def test_bridge_ignores_a_key_overtaken_by_an_unkey() -> None:
    term, sim, now = linked_pair()
    sim.phase = FarPhase.CONNECTED
    term.send(Key(1500), now)
    lost = term.data_to_send()  # the KEY frame is lost ...
    term.send_urgent(Unkey(UnkeyReason.EXIT), now)
    sim.receive(term.data_to_send(), now)
    assert not sim.keyed
    sim.receive(lost, now + 0.2)  # ... and its retransmission arrives after the UNKEY
    assert not sim.keyed, "a late KEY must not key the transmitter"
    assert any("late KEY" in e for e in sim.log.errors)


def test_urgent_unkey_sent_while_down_is_held_until_the_link_returns() -> None:
    term = LinkSession(Role.TERMINAL, "t", "0000000A", heartbeat_s=0.2, link_timeout_s=0.5,
                       ack_timeout_s=0.1, max_retries=2)
    peer = LinkSession(Role.BRIDGE, "b", "0000000B", heartbeat_s=0.2, link_timeout_s=0.5,
                       ack_timeout_s=0.1, max_retries=2)
    term.start(0.0)
    peer.start(0.0)
    for _ in range(3):
        peer.receive(term.data_to_send(), 0.0)
        term.receive(peer.data_to_send(), 0.0)
    assert term.is_up
    term.poll(1.0)  # the peer fell silent: link timeout
    assert not term.is_up
    term.data_to_send()
    term.send_urgent(Unkey(UnkeyReason.LINK), 1.0)
    assert b"UNKEY" in term.data_to_send(), "tried at once"
    for t in (1.2, 1.4, 1.6, 1.8, 2.0, 2.5):
        term.poll(t)  # no retry storm, and above all not given up while the link is down
    assert [m for _, m in term.pending()] == [Unkey(UnkeyReason.LINK)]
    term.data_to_send()
    peer.reset(3.0)  # the peer is back
    for _ in range(4):
        events = peer.receive(term.data_to_send(), 3.0)
        if any(isinstance(e, MessageReceived) and isinstance(e.msg, Unkey) for e in events):
            break
        term.receive(peer.data_to_send(), 3.0)
        term.poll(3.0)
    else:
        raise AssertionError("UNKEY not delivered after the link returned")


def test_urgent_unkey_is_never_given_up_it_is_held_after_its_last_retry() -> None:
    """docs/protocol.md 4.3.3: an UNKEY that used up its retries is not dropped (no SendFailed);
    the link goes down, the UNKEY is held and delivered once the link is back."""
    timing = dict(heartbeat_s=0.2, link_timeout_s=5.0, ack_timeout_s=0.1, max_retries=2)
    term = LinkSession(Role.TERMINAL, "t", "0000000A", **timing)  # type: ignore[arg-type]
    peer = LinkSession(Role.BRIDGE, "b", "0000000B", **timing)  # type: ignore[arg-type]
    term.start(0.0)
    peer.start(0.0)
    for _ in range(3):
        peer.receive(term.data_to_send(), 0.0)
        term.receive(peer.data_to_send(), 0.0)
    assert term.is_up
    term.send_urgent(Unkey(UnkeyReason.EXIT), 0.1)
    events = []
    for t in (0.1, 0.21, 0.32, 0.43, 0.54):
        events += term.poll(t)
    sent = term.data_to_send()  # the peer hears none of it
    assert sent.count(b"UNKEY,EXIT") == 3, "one transmission and max_retries retries"
    assert not any(isinstance(e, SendFailed) for e in events)
    assert any(isinstance(e, LinkDown) and e.reason == "no_ack" for e in events)
    assert [m for _, m in term.pending()] == [Unkey(UnkeyReason.EXIT)]
    for t in (0.7, 1.0, 2.0):  # held while down: no retry storm
        term.poll(t)
    assert b"UNKEY" not in term.data_to_send()
    got: list[object] = []
    for _ in range(6):  # the peer answers again: the UNKEY goes out once the link is up
        got += [
            e.msg for e in peer.receive(term.data_to_send(), 2.5) if isinstance(e, MessageReceived)
        ]
        term.receive(peer.data_to_send(), 2.5)
        term.poll(2.5)
    assert got == [Unkey(UnkeyReason.EXIT)]
    assert term.pending() == []
