"""Message catalogue: round trips, field validation, limits of the largest ALERT."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from wire_helpers import any_message, messages_of

from hw.wire.codec import MAX_FIELDS, MAX_FRAME_BYTES, Decoder, Frame, encode
from hw.wire.messages import (
    LINE_MAX_POINTS,
    MESSAGE_TYPES,
    Alert,
    AlertKind,
    Clear,
    Hangup,
    Hello,
    Ka,
    Key,
    LineMsg,
    Message,
    MessageError,
    Role,
    Rx,
    Severity,
    TrackState,
    Tx,
    TxReason,
    Unkey,
    UnkeyReason,
    decode_message,
    message_frame,
    random_boot_id,
)
from hw.wire.session import _err_text

T0 = datetime(2025, 3, 1, 12, 0, 5, 123000, tzinfo=UTC)


def widest_alert() -> Alert:
    """The longest ALERT the catalogue allows: every field at its widest."""
    a = TrackState("A" * 24, -89.999999, -179.999999, -1999, -1999.9, -1999.9, -1999.9)
    b = TrackState("B" * 24, -89.999999, -179.999999, -1999, -1999.9, -1999.9, -1999.9)
    return Alert(
        2**32 - 1, "P" * 32, AlertKind.TRACK, Severity.CRITICAL,
        T0, a, b, 1_000_000.0, 101_999, 86_399.9, 1_000_000.0, 999_999,
    )  # fmt: skip


def sample_alert(**changes: object) -> Alert:
    a = TrackState("RAF123", 51.501234, -0.141234, 12000, 150.2, -20.5, 0.0)
    b = TrackState("4CA2F1", 51.6, -0.2, 12500, -140.0, 10.0, -5.1)
    fields = dict(
        alert_seq=17, pair_id="RAF123/4CA2F1", kind=AlertKind.TRACK,
        severity=Severity.WARNING, computed_at=T0, a=a, b=b,
        hsep_m=9260.0, vsep_ft=500, tcpa_s=42.5, miss_m=1200.0,
    )  # fmt: skip
    fields.update(changes)
    return Alert(**fields)  # type: ignore[arg-type]


@given(any_message)
def test_every_message_round_trips_through_the_wire(msg: Message) -> None:
    frame = message_frame(65535, msg)
    data = encode(frame)
    assert Decoder().feed(data) == [frame]
    assert decode_message(frame) == msg
    assert type(msg).from_fields(msg.to_fields()) == msg


@pytest.mark.parametrize("name", sorted(MESSAGE_TYPES))
def test_each_type_round_trips(name: str) -> None:
    @given(messages_of(MESSAGE_TYPES[name]))
    def check(msg: Message) -> None:
        assert decode_message(message_frame(0, msg)) == msg

    check()


def test_catalogue_flags() -> None:
    unacked = {name for name, cls in MESSAGE_TYPES.items() if not cls.NEEDS_ACK}
    assert unacked == {"ACK", "ERR", "HB", "KA", "FEED"}
    assert Role.BRIDGE in Hangup.SENT_BY and Role.TERMINAL in Hangup.SENT_BY
    assert sorted(Alert.SENT_BY) == [Role.COPROC] and sorted(Ka.SENT_BY) == [Role.TERMINAL]
    assert all(len(cls.SPECS) <= MAX_FIELDS for cls in MESSAGE_TYPES.values())


def test_widest_alert_fits_in_a_frame() -> None:
    data = encode(message_frame(65535, widest_alert()))
    assert len(data) == 301  # as documented in docs/protocol.md
    assert len(data) <= MAX_FRAME_BYTES
    assert len(widest_alert().to_fields()) == 24
    # No field can be written wider than in widest_alert().
    for spec, text in zip(Alert.SPECS, widest_alert().to_fields(), strict=True):
        codec = spec.codec
        if hasattr(codec, "lo") and not isinstance(codec.lo, str):
            widths = [len(codec.encode(codec.lo)), len(codec.encode(codec.hi))]
            assert len(text) >= max(widths), spec.name


def test_alert_fields_on_the_wire() -> None:
    assert sample_alert().to_fields() == (
        "17", "RAF123/4CA2F1", "TRACK", "WARNING", "2025-03-01T12:00:05.123Z",
        "RAF123", "51.501234", "-0.141234", "12000", "150.2", "-20.5", "0.0",
        "4CA2F1", "51.600000", "-0.200000", "12500", "-140.0", "10.0", "-5.1",
        "9260.0", "500", "42.5", "1200.0",
    )  # fmt: skip


def test_alert_time_is_written_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    alert = sample_alert(computed_at=datetime(2025, 3, 1, 14, 0, 5, 123456, tzinfo=plus_two))
    assert alert.to_fields()[4] == "2025-03-01T12:00:05.123Z"
    with pytest.raises(MessageError, match="computed_at"):
        sample_alert(computed_at=datetime(2025, 3, 1)).to_fields()


def test_line_alert_needs_a_point_at_rest() -> None:
    point = TrackState("LINE-7", 51.0, 0.5, 0, 0.0, 0.0, 0.0)
    line = sample_alert(kind=AlertKind.LINE, b=point, vsep_ft=0)
    assert decode_message(message_frame(1, line)) == line
    moving = sample_alert(kind=AlertKind.LINE)
    with pytest.raises(MessageError, match="LINE"):
        moving.to_fields()
    fields = list(line.to_fields())
    fields[16] = "3.0"
    with pytest.raises(MessageError, match="LINE"):
        Alert.from_fields(fields)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(bad: float) -> None:
    with pytest.raises(MessageError, match="hsep_m"):
        sample_alert(hsep_m=bad).to_fields()


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e3", "+1.0", "1.", ".5", "0x10", " 1"])
def test_float_fields_accept_plain_decimal_only(text: str) -> None:
    fields = list(sample_alert().to_fields())
    fields[19] = text
    with pytest.raises(MessageError, match=r"field 20 hsep_m .*no exponent"):
        Alert.from_fields(fields)


def test_float_fields_accept_other_precisions_and_write_fixed_ones() -> None:
    fields = list(sample_alert().to_fields())
    fields[6], fields[19] = "51.5", "9260"
    alert = Alert.from_fields(fields)
    assert alert.a.lat == 51.5 and alert.hsep_m == 9260.0
    assert alert.to_fields()[6] == "51.500000"
    assert sample_alert(tcpa_s=-0.0).to_fields()[21] == "0.0"


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (Frame(1, "NOPE"), "unknown message type"),
        (Frame(1, "KEY"), r"expected 1 field\(s\) \(keepalive_ms\) but got 0"),
        (Frame(1, "KEY", ("50",)), r"field 1 keepalive_ms must be an integer 100\.\.60000"),
        (Frame(1, "KEY", ("0100",)), "plain decimal"),
        (Frame(1, "KEY", ("1_000",)), "plain decimal"),
        (Frame(1, "UNKEY", ("OOPS",)), "PTT|TOT|EXIT|LINK|FORCE|LOCKOUT"),
        (Frame(1, "RX", ("2",)), "must be 0 or 1"),
        (Frame(1, "TX", ("1", "TOT")), "does not go with reason TOT"),
        (Frame(1, "HELLO", ("1", "BRIDGE", "XYZ", "b")), "boot_id must be 8 hex digits"),
        (Frame(1, "HELLO", ("1", "MODEM", "0000ABCD", "b")), "TERMINAL|BRIDGE|COPROC"),
        (Frame(1, "CLEAR", ("a b",)), "pair_id must be 1-32 characters"),
        (Frame(1, "ERR", ("1", "bad", "x")), "code must be"),
        (Frame(1, "CALL", ("",)), "expected 0 field"),
        (Frame(1, "ERR", ("1", "BADMSG", "x" * 121)), "printable ASCII"),
        (Frame(1, "HB", ("1e3",)), "plain decimal"),
        (Frame(1, "ALERT", ("1",) * 23), "field 3 kind"),
        (Frame(1, "ALERT", ("1", "P", "TRACK", "ADVISORY", "x", *("1",) * 18)), "UTC time"),
        (
            Frame(
                1,
                "ALERT",
                (
                    "1",
                    "P",
                    "TRACK",
                    "ADVISORY",
                    "2025-03-01T12:00:05.123Z",
                    "A",
                    "1e1",
                    *("1",) * 16,
                ),
            ),
            "decimal",
        ),
    ],
)
def test_decode_errors_name_the_field_and_what_is_allowed(frame: Frame, match: str) -> None:
    with pytest.raises(MessageError, match=match) as info:
        decode_message(frame)
    assert info.value.type == frame.type
    # The detail becomes an ERR text as it is: nothing in it needs replacing ('$' ',' '*').
    assert _err_text(info.value.detail) == info.value.detail[:120], info.value.detail
    assert isinstance(info.value, ValueError)


def test_unencodable_messages_raise_value_error() -> None:
    with pytest.raises(ValueError, match="keepalive_ms"):
        message_frame(1, Key(10))
    with pytest.raises(ValueError, match="reason"):
        Unkey("PTT").to_fields()  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name"):
        Hello(1, Role.TERMINAL, "0000ABCD", "x" * 33).to_fields()
    with pytest.raises(ValueError, match="active"):
        Rx(1).to_fields()  # type: ignore[arg-type]


def test_small_messages_on_the_wire() -> None:
    assert message_frame(3, Tx(True, TxReason.KEY)) == Frame(3, "TX", ("1", "KEY"))
    assert message_frame(4, Unkey(UnkeyReason.TOT)) == Frame(4, "UNKEY", ("TOT",))
    assert message_frame(5, Clear("P1")) == Frame(5, "CLEAR", ("P1",))
    hello = Hello(1, Role.BRIDGE, "00c0ffee", "bridge")
    assert Hello.from_fields(hello.to_fields()).boot_id == "00C0FFEE"


def test_random_boot_ids_are_valid_and_differ() -> None:
    ids = {random_boot_id() for _ in range(20)}
    assert len(ids) > 1
    for boot_id in ids:
        Hello(1, Role.TERMINAL, boot_id, "t").to_fields()


def widest_line() -> LineMsg:
    """The longest LINE the catalogue allows."""
    far = (-89.999999, -179.999999)
    return LineMsg(999_999, "N" * 32, T0, (far,) * LINE_MAX_POINTS)


def test_widest_line_fits_in_a_frame() -> None:
    data = encode(message_frame(65535, widest_line()))
    assert len(data) == 451  # as documented in docs/protocol.md 5.5
    assert len(data) <= MAX_FRAME_BYTES


def test_line_points_on_the_wire() -> None:
    msg = LineMsg(3, "LINE", T0, ((51.5185, -0.2), (51.5185, -0.08)))
    assert msg.to_fields() == (
        "3", "LINE", "2025-03-01T12:00:05.123Z", "51.518500 -0.200000;51.518500 -0.080000",
    )  # fmt: skip
    with pytest.raises(MessageError, match="points"):
        LineMsg(3, "LINE", T0, ((51.5, -0.2),)).to_fields()
    with pytest.raises(MessageError, match="point 2"):
        LineMsg.from_fields(("3", "LINE", "2025-03-01T12:00:05.123Z", "51.5 -0.2;51.5,-0.08"))
    with pytest.raises(MessageError, match="point 1"):
        LineMsg.from_fields(("3", "LINE", "2025-03-01T12:00:05.123Z", "91.0 -0.2;51.5 -0.08"))
    too_many = ";".join(["1.0 2.0"] * (LINE_MAX_POINTS + 1))
    with pytest.raises(MessageError, match="17 point"):
        LineMsg.from_fields(("3", "LINE", "2025-03-01T12:00:05.123Z", too_many))


def test_an_alert_from_a_coprocessor_before_line_has_23_fields_and_no_version() -> None:
    old = sample_alert()
    assert old.line_version is None and len(old.to_fields()) == 23
    assert Alert.from_fields(old.to_fields()) == old
    new = sample_alert(line_version=4)
    assert new.to_fields()[:23] == old.to_fields() and new.to_fields()[23] == "4"
    assert Alert.from_fields(new.to_fields()) == new
    with pytest.raises(MessageError, match="expected 24 field"):
        Alert.from_fields(old.to_fields()[:22])
    with pytest.raises(MessageError, match="expected 24 field"):
        Alert.from_fields((*new.to_fields(), "1"))
