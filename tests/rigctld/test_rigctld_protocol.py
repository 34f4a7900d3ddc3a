"""rigctld's Extended Response protocol, sans I/O (replies as the real rigctld 4.5 sends them),
and the PTT watchdog's decisions on a fake clock."""

from __future__ import annotations

import pytest

from hw.rig.protocol import ProtocolFault, ReplyParser, channel_text, error_text
from hw.rig.watch import PttWatch, Verdict
from terminal.config.rules import host_port


def test_replies_split_at_rprt_whatever_the_chunks() -> None:
    stream = (
        b"set_ptt: 1\nRPRT 0\nget_ptt:\nPTT: 1\nRPRT 0\nget_dcd:\nDCD: 0\nRPRT 0\n"
        b"get_freq:\nFrequency: 145000000\nRPRT 0\nget_mode:\nMode: FM\nPassband: 15000\nRPRT 0\n"
        b"set_ptt: 5\nRPRT -1\n"
    )
    for size in (1, 3, 7, len(stream)):
        parser = ReplyParser()
        replies = []
        for i in range(0, len(stream), size):
            replies += parser.feed(stream[i : i + size])
        assert [r.code for r in replies] == [0, 0, 0, 0, 0, -1]
        assert replies[1].flag("PTT") and not replies[2].flag("DCD")
        assert channel_text(replies[3], replies[4]) == "145.000000 MHz FM"
        assert not replies[5].ok


def test_an_error_reply_has_no_values_and_says_what_went_wrong() -> None:
    (reply,) = ReplyParser().feed(b"get_dcd:\nRPRT -11\n")
    assert reply.code == -11 and reply.values == {}
    assert error_text(-11) == "RPRT -11 (feature not available)"
    assert error_text(-99) == "RPRT -99 (unknown Hamlib error)"
    with pytest.raises(ProtocolFault):
        reply.flag("DCD")


@pytest.mark.parametrize(
    "garbage", [b"get_ptt:\nno colon here\nRPRT 0\n", b"x" * 5000, b"get_ptt:\nPTT: yes\nRPRT 0\n"]
)
def test_what_rigctld_never_sends_is_a_protocol_fault(garbage: bytes) -> None:
    with pytest.raises(ProtocolFault):
        for reply in ReplyParser().feed(garbage):
            reply.flag("PTT")


def test_channel_text_is_empty_when_unknown() -> None:
    (bad,) = ReplyParser().feed(b"get_freq:\nRPRT -4\n")
    assert channel_text(bad, None) == "" and channel_text(None, None) == ""


@pytest.mark.parametrize(
    ("text", "want"),
    [("127.0.0.1:4532", ("127.0.0.1", 4532)), ("radio-pi.local:4532", ("radio-pi.local", 4532)),
     ("[::1]:4532", ("::1", 4532))],
)  # fmt: skip
def test_host_port(text: str, want: tuple[str, int]) -> None:
    assert host_port(text) == want


@pytest.mark.parametrize("text", ["localhost", ":4532", "host:0", "host:65536", "::1:4532",
                                  "a b:1", "host:123456"])  # fmt: skip
def test_host_port_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        host_port(text)


def test_watchdog_reads_back_while_keyed_and_after_unkey_until_off() -> None:
    watch = PttWatch(check_s=0.25)
    assert watch.next_check() is None
    watch.commanded(True, 10.0)
    assert watch.due(10.0)
    g = watch.ask(10.0)
    assert not watch.due(10.1) and watch.due(10.25)  # unanswered: ask again after check_s
    assert watch.reading(g, True, 10.01) is Verdict.AGREES
    assert watch.next_check() == pytest.approx(10.26)
    watch.commanded(False, 11.0)
    g = watch.ask(11.0)
    assert watch.reading(g, False, 11.01) is Verdict.AGREES
    assert watch.next_check() is None  # verified off: no more reading


def test_watchdog_still_keyed_after_unkey_is_a_fault_until_it_reads_off() -> None:
    watch = PttWatch(check_s=0.25)
    watch.commanded(True, 0.0)
    watch.commanded(False, 1.0)
    g = watch.ask(1.0)
    assert watch.reading(g, True, 1.01) is Verdict.STILL_KEYED
    assert watch.faulted and watch.due(1.26)
    g = watch.ask(1.26)
    assert watch.reading(g, True, 1.27) is Verdict.STILL_KEYED
    g = watch.ask(1.52)
    assert watch.reading(g, False, 1.53) is Verdict.RECOVERED
    assert not watch.faulted and watch.next_check() is None


def test_watchdog_radio_unkeying_by_itself_is_dropped() -> None:
    watch = PttWatch(check_s=0.25)
    watch.commanded(True, 0.0)
    g = watch.ask(0.5)
    assert watch.reading(g, False, 0.51) is Verdict.DROPPED
    watch.dropped_handled()
    assert not watch.wanted


def test_watchdog_ignores_a_reading_asked_before_a_later_command() -> None:
    watch = PttWatch(check_s=0.25)
    g = watch.ask(0.0)  # asked while unkeyed ...
    watch.commanded(True, 0.01)  # ... then T 1 went out
    assert watch.reading(g, False, 0.02) is Verdict.STALE  # not a dropped transmission
    g = watch.ask(0.02)
    assert watch.reading(g, True, 0.03) is Verdict.AGREES


def test_watchdog_after_reconnection_checks_at_once() -> None:
    watch = PttWatch(check_s=1.0)
    watch.unverified(5.0)
    assert watch.due(5.0)
    g = watch.ask(5.0)
    assert watch.reading(g, False, 5.01) is Verdict.AGREES
    assert watch.next_check() is None
