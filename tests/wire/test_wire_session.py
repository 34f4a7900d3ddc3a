"""Link session: two sessions back to back on a fake clock, with a wire that loses frames."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wire_helpers import Link, frames_in

from hw.wire.codec import Frame, encode
from hw.wire.messages import (
    Alert,
    Answer,
    Call,
    Clear,
    Err,
    Hello,
    Ka,
    Key,
    Ring,
    Role,
    Rx,
    Unkey,
    UnkeyReason,
    message_frame,
)
from hw.wire.session import (
    Delivered,
    LinkDown,
    LinkSession,
    LinkUp,
    MessageReceived,
    PeerHello,
    ProtocolError,
    Refused,
    SendFailed,
)

TIMING = dict(heartbeat_s=1.0, link_timeout_s=3.5, ack_timeout_s=0.3, max_retries=3)


def terminal(**kw: object) -> LinkSession:
    return LinkSession(Role.TERMINAL, "desk-1", "0000000A", **{**TIMING, **kw})  # type: ignore[arg-type]


def bridge(boot_id: str = "0000000B", **kw: object) -> LinkSession:
    return LinkSession(Role.BRIDGE, "bridge", boot_id, **{**TIMING, **kw})  # type: ignore[arg-type]


def received(link: Link, side: str) -> list[object]:
    return [e.msg for e in link.of(side, MessageReceived)]


def linked(**kw: object) -> Link:
    link = Link(terminal(**kw), bridge(**kw))
    link.start()
    return link


def test_hello_exchange_brings_both_sides_up() -> None:
    link = linked()
    assert link.a.is_up and link.b.is_up
    assert [type(e) for e in link.events_a] == [PeerHello, LinkUp]
    assert link.of("a", PeerHello)[0].hello == Hello(1, Role.BRIDGE, "0000000B", "bridge")
    assert link.b.peer == Hello(1, Role.TERMINAL, "0000000A", "desk-1")
    assert link.a.pending() == []  # both HELLOs acknowledged


def test_message_is_delivered_once_and_acknowledged() -> None:
    link = linked()
    seq = link.a.send(Key(1500), link.now)
    link.pump()
    assert received(link, "b") == [Key(1500)]
    assert link.of("a", Delivered) == [Delivered(seq, Key(1500))]
    assert link.a.pending() == []


def test_lost_frame_is_retransmitted_after_ack_timeout() -> None:
    link = linked()
    lost: list[Frame] = []

    def drop_first_call(frame: Frame) -> bool:
        if frame.type == "CALL" and not lost:
            lost.append(frame)
            return True
        return False

    link.drop_ab = drop_first_call
    link.a.send(Call(), link.now)
    link.pump()
    assert received(link, "b") == []
    assert link.a.next_deadline() == pytest.approx(0.3)
    link.advance(0.25)
    assert received(link, "b") == []
    link.advance(0.1)
    assert received(link, "b") == [Call()]
    assert link.a.stats["retransmits"] == 1
    assert [f.seq for f in link.wire_ab if f.type == "CALL"] == [lost[0].seq] * 2


def test_lost_ack_gives_a_duplicate_that_is_acked_but_not_delivered_again() -> None:
    link = linked()
    acks: list[Frame] = []

    def drop_first_ack(frame: Frame) -> bool:
        if frame.type == "ACK" and not acks:
            acks.append(frame)
            return True
        return False

    link.drop_ba = drop_first_ack
    seq = link.a.send(Answer(), link.now)
    link.pump()
    link.advance(0.5)
    assert received(link, "b") == [Answer()]
    assert link.b.stats["duplicates"] == 1
    assert sum(f == Frame(f.seq, "ACK", (str(seq),)) for f in link.wire_ba) == 2
    assert link.of("a", Delivered) == [Delivered(seq, Answer())]


def test_send_failed_after_retries_then_link_restarts() -> None:
    link = linked()
    link.drop_ab = lambda f: f.type == "UNKEY"
    seq = link.a.send(Unkey(UnkeyReason.PTT), link.now)
    link.pump()
    link.advance(0.3 * 3 + 0.25)
    assert link.of("a", SendFailed) == []
    link.advance(0.1)
    assert link.of("a", SendFailed) == [SendFailed(seq, Unkey(UnkeyReason.PTT))]
    assert sum(f.type == "UNKEY" for f in link.wire_ab) == 1 + 3
    assert link.a.stats["retransmits"] == 3
    # A peer that does not acknowledge: start over with a HELLO exchange.
    assert LinkDown("no_ack") in link.events_a
    assert link.a.is_up and link.a.pending() == []


def test_silence_takes_the_link_down_and_held_messages_go_out_when_it_returns() -> None:
    link = linked()
    link.drop_ba = lambda f: True
    link.advance(3.4)
    assert link.a.is_up
    link.advance(0.2)
    assert not link.a.is_up and link.of("a", LinkDown) == [LinkDown("timeout")]
    link.drop_ab = lambda f: True
    seq = link.a.send(Unkey(UnkeyReason.LINK), link.now)
    link.advance(20.0)
    assert link.of("a", SendFailed) == []  # held, not retried, while down
    assert not any(f.type == "UNKEY" for f in link.wire_ab)
    link.drop_ab = link.drop_ba = lambda f: False
    link.advance(1.0)
    assert link.a.is_up and link.b.is_up
    assert received(link, "b") == [Unkey(UnkeyReason.LINK)]
    assert link.of("a", Delivered) == [Delivered(seq, Unkey(UnkeyReason.LINK))]


def test_heartbeats_keep_an_idle_link_up() -> None:
    link = linked()
    link.advance(30.0)
    assert link.a.is_up and link.b.is_up
    assert link.of("a", LinkDown) == []
    beats = [f for f in link.wire_ab if f.type == "HB"]
    assert 25 <= len(beats) <= 31
    assert int(beats[-1].fields[0]) == pytest.approx(30_000, abs=1_100)
    assert received(link, "b") == []  # heartbeats are the session's business


def test_next_deadline_is_enough_to_drive_the_session() -> None:
    link = linked()
    link.a.send(Call(), 0.0)
    link.drop_ab = lambda f: f.type == "CALL" and link.now < 0.5
    link.pump()
    for _ in range(40):
        deadline = link.a.next_deadline()
        assert deadline is not None and deadline > link.now - 1e-9
        link.now = max(link.now, min(deadline, link.b.next_deadline() or deadline))
        link.poll()
    assert received(link, "b") == [Call()]
    assert link.a.is_up and link.b.is_up


def test_version_mismatch_refuses_hello_and_link_stays_down() -> None:
    link = Link(terminal(), bridge(version=2))
    link.start()
    link.advance(5.0)
    assert not link.a.is_up and not link.b.is_up
    refusals = link.of("b", Refused)
    assert refusals and refusals[0].code == "VERSION" and isinstance(refusals[0].msg, Hello)
    assert "version 2 not supported" in refusals[0].text
    assert any("refused" in e.detail for e in link.of("a", ProtocolError))
    assert link.a.stats["hello_refused"] >= 1


def test_wrong_role_is_refused() -> None:
    link = Link(terminal(peer_roles={Role.COPROC}), bridge())
    link.start()
    assert not link.a.is_up
    assert link.of("b", Refused)[0].code == "ROLE"


def test_peer_restart_resets_dedupe_and_gets_our_hello() -> None:
    link = linked()
    link.b.send(Ring(), link.now)
    link.b.send(Rx(True), link.now)
    link.pump()
    assert received(link, "a") == [Ring(), Rx(True)]
    # The bridge reboots: new boot id, sequence numbers from 0 again.
    link.b = bridge(boot_id="0000B007")
    link.b.start(link.now)
    link.pump()
    assert [e.restarted for e in link.of("a", PeerHello)].count(True) == 1
    assert link.b.is_up  # the terminal answered the new HELLO with its own
    link.b.send(Ring(), link.now)
    link.b.send(Rx(True), link.now)
    link.pump()
    assert received(link, "a") == [Ring(), Rx(True)] * 2


def test_reset_keeps_an_unkey_queued_while_the_port_was_gone() -> None:
    link = linked()
    link.a.send(Key(1500), link.now)
    link.pump()
    link.drop_ab = lambda f: True  # port gone
    seq = link.a.send(Unkey(UnkeyReason.LINK), link.now)
    link.pump()
    link.now += 0.1
    assert link.a.reset(link.now) == [LinkDown("reset")]
    link.drop_ab = lambda f: False  # port back
    link.pump()
    assert link.a.is_up
    assert received(link, "b") == [Key(1500), Unkey(UnkeyReason.LINK)]
    assert link.of("a", Delivered)[-1] == Delivered(seq, Unkey(UnkeyReason.LINK))


def test_messages_before_the_peers_hello_are_not_acknowledged() -> None:
    b = bridge()
    b.start(0.0)
    b.data_to_send()
    events = b.receive(encode(message_frame(7, Key(1500))), 0.0)
    assert events == []
    assert frames_in(b.data_to_send()) == []
    assert b.stats["before_hello"] == 1


def test_unknown_and_malformed_messages_are_refused_with_err() -> None:
    link = linked()
    link.b.receive(encode(Frame(40, "WARP", ("9",))), link.now)
    link.b.receive(encode(Frame(41, "KEY", ("abc",))), link.now)
    link.b.receive(encode(Frame(42, "KA", ("extra",))), link.now)
    sent = frames_in(link.b.data_to_send())
    assert [(f.type, f.fields[:2]) for f in sent] == [
        ("ERR", ("40", "UNKNOWN")),
        ("ERR", ("41", "BADMSG")),
    ]
    assert link.b.stats["bad_messages"] == 3


def test_a_message_the_peer_role_must_not_send_is_refused() -> None:
    link = linked()
    events = link.a.receive(encode(message_frame(50, Key(1500))), link.now)
    assert [type(e) for e in events] == [ProtocolError]
    assert [f.fields[1] for f in frames_in(link.a.data_to_send())] == ["BADDIR"]
    with pytest.raises(ValueError, match="does not send"):
        link.a.send(Ring(), link.now)
    with pytest.raises(ValueError, match="itself"):
        link.a.send(Hello(1, Role.TERMINAL, "0000000A", "x"), link.now)


def test_err_from_the_application_is_reported_as_refused() -> None:
    link = linked()
    seq = link.a.send(Answer(), link.now)
    link.pump()
    link.b.send(Err(seq, "BADSTATE", "not ringing"), link.now)
    link.pump()
    assert link.of("a", Delivered) == [Delivered(seq, Answer())]
    assert link.of("a", Refused) == [Refused(seq, Answer(), "BADSTATE", "not ringing")]


def test_bad_frames_are_counted_and_reported() -> None:
    link = linked()
    events = link.a.receive(b"noise\r\n$1,KA*0000\r\n", link.now)
    assert [type(e) for e in events] == [ProtocolError, ProtocolError]
    assert "garbage" in events[0].detail and "bad_crc" in events[1].detail
    assert link.a.stats["rx_garbage"] == 1 and link.a.stats["rx_bad_crc"] == 1


def test_keepalives_are_delivered_without_ack() -> None:
    link = linked()
    link.a.send(Ka(), link.now)
    link.pump()
    assert received(link, "b") == [Ka()]
    assert not any(f.type == "ACK" for f in link.wire_ba[2:])


def test_send_window_one_keeps_order_after_a_loss() -> None:
    link = linked()
    dropped: list[Frame] = []
    link.drop_ab = lambda f: f.type == "KEY" and not dropped and not dropped.append(f)
    link.a.send(Key(1500), link.now)
    link.a.send(Unkey(UnkeyReason.PTT), link.now)
    link.pump()
    link.advance(1.0)
    assert received(link, "b") == [Key(1500), Unkey(UnkeyReason.PTT)]
    assert not any(e.late for e in link.of("b", MessageReceived))


def test_wider_send_window_flags_overtaken_messages_as_late() -> None:
    link = Link(terminal(send_window=8), bridge())
    link.start()
    dropped: list[Frame] = []
    link.drop_ab = lambda f: f.type == "KEY" and not dropped and not dropped.append(f)
    link.a.send(Key(1500), link.now)
    link.a.send(Unkey(UnkeyReason.PTT), link.now)
    link.pump()
    link.advance(1.0)
    got = link.of("b", MessageReceived)
    assert [(e.msg, e.late) for e in got] == [(Unkey(UnkeyReason.PTT), False), (Key(1500), True)]


def test_cancel_withdraws_a_held_message() -> None:
    link = linked()
    link.drop_ba = lambda f: True
    link.advance(4.0)
    seq = link.a.send(Key(1500), link.now)
    assert link.a.cancel(seq) and not link.a.cancel(seq)
    link.drop_ba = lambda f: False
    link.advance(2.0)
    assert link.a.is_up and received(link, "b") == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=200), st.integers(1, 12))
def test_every_message_arrives_once_in_order_over_a_lossy_wire(
    losses: list[bool], count: int
) -> None:
    link = Link(
        LinkSession(Role.COPROC, "coproc", "0000C0C0", max_retries=50),
        LinkSession(Role.TERMINAL, "desk", "0000000A", max_retries=50),
    )
    pattern = iter(losses)
    link.drop_ab = link.drop_ba = lambda f: next(pattern, False)
    link.start()
    sent = [Clear(f"P{i}") for i in range(count)]
    for msg in sent:
        link.a.send(msg, link.now)
    link.pump()
    link.advance(30.0, step=0.1)
    assert received(link, "b") == sent
    assert [e.msg for e in link.of("a", Delivered)] == sent
    assert link.a.is_up and link.b.is_up


def test_full_size_alert_goes_through() -> None:
    from test_wire_messages import widest_alert

    link = Link(LinkSession(Role.COPROC, "coproc", "0000C0C0"), terminal())
    link.start()
    alert: Alert = widest_alert()
    link.a.send(alert, link.now)
    link.pump()
    assert received(link, "b") == [alert]


def test_a_peer_back_from_a_long_hang_keeps_the_link_and_its_ring() -> None:
    """The bridge stops reading and writing (port open) long enough for many HELLOs of ours to go
    unanswered, then comes back with HELLO (same boot id) and RING. The link comes up and stays
    up: the HELLO still in flight starts a fresh retry count (4.8), so it is not taken for a
    message that failed every retry (which dropped the link and the ringing call)."""
    link = linked(max_retries=5)
    hang_until = link.now + 6.5
    while link.now < hang_until - 1e-9:  # only the desk runs; what it writes is never read
        link.now += 0.05
        link.events_a.extend(link.a.poll(link.now))
        link.a.data_to_send()
    assert link.of("a", LinkDown) == [LinkDown("timeout")]
    assert link.a.stats["hello_out"] + link.a.stats["retransmits"] >= 8
    link.events_b.extend(link.b.poll(link.now))  # the bridge wakes: silence, so HELLO again
    link.b.send(Ring(), link.now)
    link.pump()
    link.advance(5.0)
    assert link.a.is_up and link.b.is_up
    assert link.of("a", LinkDown) == [LinkDown("timeout")], "the link went down after it came up"
    assert received(link, "a") == [Ring()]
