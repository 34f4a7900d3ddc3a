"""The desk's cross-check of LINE alerts against the line's versions (docs/protocol.md 5.4.6): an
alert computed against version N is checked against N, never against N+1 in force when it
arrives; one naming no version against the version in force at its computed time, unless a
change is near."""

from __future__ import annotations

from terminal.core.alert_effects import AlertLogged
from terminal.core.alert_events import AlertReceived
from terminal.core.alerts import AlertBook, AlertSettings
from terminal.core.lines import LineHistory, LineVersion
from terminal.kernel.line import Line
from terminal.kernel.report import Member, measure_line

T0 = 1_740_830_400_000
V1 = ((51.5185, -0.2), (51.5185, -0.08))
V2 = ((51.53, -0.2), (51.53, -0.08))  # 1.3 km further north: another hsep, tcpa, miss
A = Member("RAF123", 51.502, -0.142, 12000, 150.2, -20.5, 0.0)


def history() -> LineHistory:
    return LineHistory([
        LineVersion(1, "LINE", V1, T0, "config", None, T0),
        LineVersion(2, "LINE", V2, T0 + 60_000, "alice", "c-1", T0 + 50_000),
    ])  # fmt: skip


def line_alert(seq: int, computed_ms: int, version: int | None) -> AlertReceived:
    """A LINE alert whose numbers are exactly the kernel's against version 1."""
    nums, foot = measure_line(A, Line("LINE", V1))
    return AlertReceived(
        1.0, computed_ms + 20, "C0DE0001", seq, f"RAF123/{seq}", "LINE", "warning", computed_ms,
        A, foot, nums.hsep_m, 0.0, nums.tcpa_s, nums.miss_m, version,
    )  # fmt: skip


def consistent(ev: AlertReceived, lines: LineHistory | None = None) -> bool:
    book = AlertBook(AlertSettings(lines=lines if lines is not None else history()))
    (logged,) = [e for e in book.handle(ev) if isinstance(e, AlertLogged)]
    return logged.consistent


def test_an_alert_of_version_1_is_checked_against_1_after_2_is_in_force() -> None:
    late = T0 + 120_000  # version 2 in force for a minute already
    assert consistent(line_alert(1, late, 1))
    # the check can tell: the same numbers judged against version 2 are wrong
    assert not consistent(line_alert(2, late, 2))


def test_an_alert_naming_no_version_takes_the_one_in_force_when_computed() -> None:
    assert consistent(line_alert(1, T0 + 30_000, None))  # version 1 in force
    assert not consistent(line_alert(2, T0 + 120_000, None))  # version 2 in force


def test_near_a_change_or_of_an_unknown_version_only_the_separations_are_checked() -> None:
    book = AlertBook(AlertSettings(lines=history()))
    near = line_alert(1, T0 + 61_000, None)  # 1 s after version 2 took effect
    unknown = line_alert(2, T0 + 120_000, 7)  # a version this desk never had
    own = line_alert(3, T0 + 120_000, 0)  # the co-processor's own start-up line
    for ev in (near, unknown, own):
        assert book.line_for(ev) is None
        (logged,) = [e for e in book.handle(ev) if isinstance(e, AlertLogged)]
        assert logged.consistent  # hsep to the point given, vsep 0: both right
    assert book.stats["line_unknown"] == 6


def test_with_no_history_the_configured_line_is_used_as_before() -> None:
    book = AlertBook(AlertSettings(line=Line("LINE", V2)))
    assert book.line_for(line_alert(1, T0, 1)) == Line("LINE", V2)


def test_the_alert_record_keeps_the_line_version_and_reads_it_back() -> None:
    import json

    from terminal.desk_records import alert_fields, restored_alert
    from terminal.log.rows import AlertRow

    versioned, old = line_alert(1, T0, 3), line_alert(2, T0, None)
    assert alert_fields(versioned)["line_version"] == 3
    assert "line_version" not in alert_fields(old)  # 23 fields came: none recorded
    fields = json.dumps(alert_fields(versioned))
    row = AlertRow(*([None] * len(AlertRow._fields)))._replace(  # type: ignore[call-arg]
        alert_id="C0DE0001:1", boot_id="C0DE0001", alert_seq=1, pair_id="RAF123/1",
        severity="warning", consistent=True, received_utc_ms=T0, fields=fields,
    )  # fmt: skip
    assert restored_alert(row, 0.0).received.line_version == 3
