"""docs/protocol.md agrees with the code: example frames decode, tables match the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hw.wire import session
from hw.wire.codec import Decoder, Frame, FrameError, crc16, encode
from hw.wire.messages import MESSAGE_TYPES, Role, decode_message

DOC = (Path(__file__).parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")
FRAME_RE = re.compile(r"\$\d+,[A-Z0-9]+[^\s`|$]*\*[0-9A-Fa-f]{4}")
ROLES = {"T": Role.TERMINAL, "B": Role.BRIDGE, "C": Role.COPROC}


def blocks(info: str) -> list[str]:
    """The bodies of the fenced blocks whose info string is ``info``."""
    return re.findall(rf"^```{info}\n(.*?)^```", DOC, flags=re.M | re.S)


def section(title: str) -> str:
    """The text under a ``####`` heading, up to the next heading."""
    match = re.search(rf"^#### {title}\n(.*?)(?=^#)", DOC, flags=re.M | re.S)
    assert match, f"no section #### {title}"
    return match.group(1)


def decode_one(text: str) -> Frame:
    items = Decoder().feed(text.encode("ascii") + b"\r\n")
    assert len(items) == 1 and isinstance(items[0], Frame), (text, items)
    assert encode(items[0]).decode().rstrip() == text  # canonical, as a sender writes it
    return items[0]


def good_doc_text() -> str:
    return re.sub(r"^```bad-frames\n.*?^```", "", DOC, flags=re.M | re.S)


def test_doc_has_plenty_of_examples() -> None:
    assert len(FRAME_RE.findall(good_doc_text())) >= 50
    assert len(blocks("frames")) >= 9


@pytest.mark.parametrize("text", sorted(set(FRAME_RE.findall(good_doc_text()))))
def test_every_frame_in_the_doc_is_valid(text: str) -> None:
    frame = decode_one(text)
    if frame.type != "X":  # "X" only illustrates framing
        decode_message(frame)


def test_directions_in_example_blocks_match_the_catalogue() -> None:
    lines = [line for block in blocks("frames") for line in block.splitlines()]
    directed = [line.split(" ", 1) for line in lines if re.match(r"[TBC]>[TBC] ", line)]
    assert len(directed) >= 50
    for arrow, text in directed:
        msg = decode_message(decode_one(text))
        assert ROLES[arrow[0]] in msg.SENT_BY, (arrow, text)
        assert {arrow[0], arrow[2]} in ({"T", "B"}, {"T", "C"}), arrow


def test_bad_frame_examples_fail_the_stated_way() -> None:
    (block,) = blocks("bad-frames")
    rows = [line.rsplit(None, 1) for line in block.splitlines() if line.strip()]
    assert {kind for _, kind in rows} == {"bad_crc", "bad_syntax", "truncated", "garbage"}
    for text, kind in rows:
        items = Decoder().feed(text.encode("ascii") + b"\r\n")
        errors = [i for i in items if isinstance(i, FrameError)]
        assert errors and errors[0].kind == kind, (text, items)


def test_crc_parameters_and_byte_dump() -> None:
    assert crc16(b"123456789") == 0x29B1
    assert "**0x29B1**" in DOC and "0x1021" in DOC and "0xFFFF" in DOC
    dump = re.search(r"these 19 bytes \(hex\):\n`([0-9A-F ]+)`", DOC)
    assert dump and bytes.fromhex(dump.group(1)) == encode(Frame(12, "KEY", ("1500",)))


def test_worst_case_alert_length_is_documented() -> None:
    from test_wire_messages import widest_alert

    from hw.wire.messages import message_frame

    size = len(encode(message_frame(65535, widest_alert())))
    assert f"**{size} bytes**" in DOC
    assert f"is {size} bytes (section 5.4)" in DOC


@pytest.mark.parametrize("name", sorted(MESSAGE_TYPES))
def test_every_message_is_documented_with_its_fields_in_order(name: str) -> None:
    text = section(name)
    documented = re.findall(r"^\| \d+ \| `([a-z_]+)` \|", text, flags=re.M)
    assert documented == [spec.name for spec in MESSAGE_TYPES[name].SPECS]
    if not MESSAGE_TYPES[name].SPECS:
        assert "No fields" in text
    row = re.search(rf"^\| {name} \| [^|]+ \| (yes|no) \|", DOC, flags=re.M)
    assert row, f"{name} missing from the summary table"
    assert (row.group(1) == "yes") == MESSAGE_TYPES[name].NEEDS_ACK


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("ack_timeout_s", session.DEFAULT_ACK_TIMEOUT_S),
        ("max_retries", session.DEFAULT_MAX_RETRIES),
        ("heartbeat_s", session.DEFAULT_HEARTBEAT_S),
        ("link_timeout_s", session.DEFAULT_LINK_TIMEOUT_S),
    ],
)
def test_default_timings_match_the_session(label: str, value: float) -> None:
    match = re.search(rf"\(`{label}`\) \| ([0-9.]+)", DOC)
    assert match and float(match.group(1)) == value


def _doc_line() -> object:
    """The deconfliction line the LINE example is measured against, as the document states it."""
    from terminal.kernel.line import Line

    match = re.search(
        r"the line is `(\w+)`,\nthe geodesic from "
        r"\(([-\d.]+), ([-\d.]+)\) to \(([-\d.]+), ([-\d.]+)\)",
        DOC,
    )
    assert match, "the LINE example must name its line and points"
    name, *xs = match.groups()
    lat1, lon1, lat2, lon2 = map(float, xs)
    return Line(name, ((lat1, lon1), (lat2, lon2)))


ALERT_EXAMPLES = sorted(
    {t for t in FRAME_RE.findall(good_doc_text()) if re.match(r"\$\d+,ALERT,", t)}
)


def test_the_doc_has_alert_examples_of_both_kinds() -> None:
    kinds = {decode_message(decode_one(t)).kind.value for t in ALERT_EXAMPLES}  # type: ignore[attr-defined]
    assert kinds == {"TRACK", "LINE"}


@pytest.mark.parametrize("text", ALERT_EXAMPLES)
def test_every_alert_example_passes_the_desks_check_to_the_last_digit(text: str) -> None:
    """5.4: the numbers of each example ALERT are the kernel's, and the desk does not call them
    suspect (terminal/core/alerts.py runs the same `disagreements`)."""
    import numpy as np

    from hw.wire.messages import Alert
    from terminal.core.alerts import AlertSettings
    from terminal.kernel.assess import line_severity
    from terminal.kernel.line import Line, line_metrics
    from terminal.kernel.pairs import pair_metrics, pair_severity
    from terminal.kernel.picture import Geometry, Picture
    from terminal.kernel.report import Member, Separation, measure_line, measure_pair
    from terminal.kernel.thresholds import DEFAULT_TABLE
    from terminal.kernel.verify import disagreements

    msg = decode_message(decode_one(text))
    assert isinstance(msg, Alert)
    a, b = (Member(t.id, t.lat, t.lon, t.alt_ft, t.vn_ms, t.ve_ms, t.vu_ms) for t in (msg.a, msg.b))
    reported = Separation(msg.hsep_m, msg.vsep_ft, msg.tcpa_s, msg.miss_m)
    settings = AlertSettings()
    line = _doc_line()
    assert isinstance(line, Line)
    for known in (None, line):  # a desk without the line checks hsep and vsep; with it, all four
        found = disagreements(msg.kind.value, a, b, reported,  # type: ignore[arg-type]
                              tolerance_pct=settings.suspect_tolerance_pct, line=known)  # fmt: skip
        assert found == (), (text, found)
    pic = Picture.from_rows([("a", a.lat, a.lon, a.alt_ft, a.vn_ms, a.ve_ms, a.vu_ms),
                             ("b", b.lat, b.lon, b.alt_ft, b.vn_ms, b.ve_ms, b.vu_ms)])  # fmt: skip
    geo = Geometry.of(pic)
    if msg.kind.value == "TRACK":
        want = measure_pair(a, b)
        sev = int(pair_severity(DEFAULT_TABLE, pair_metrics(pic, geo, [0], [1]), geo)[0])
    else:
        want, foot = measure_line(a, line)
        assert (foot.id, foot.lat, foot.lon) == (b.id, b.lat, b.lon)
        m = line_metrics(pic, geo, line, np.array([0], dtype=np.intp))
        sev = int(line_severity(DEFAULT_TABLE, geo, m)[0])
    exact = (round(want.hsep_m, 1), round(want.vsep_ft),
             round(want.tcpa_s, 1), round(want.miss_m, 1))  # fmt: skip
    assert (msg.hsep_m, msg.vsep_ft, msg.tcpa_s, msg.miss_m) == exact, text
    assert msg.severity.value == ("", "ADVISORY", "WARNING", "CRITICAL")[sev], text
