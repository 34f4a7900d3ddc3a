"""The console's pure text: timers, severities, rows, the search filter, link order."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from terminal.tui import format as fmt
from terminal.tui.samples import burst_alert, critical_alerts, todays_calls, track
from terminal.views import LinkHealth


def test_clock_and_countdown() -> None:
    assert fmt.clock_text(0) == "00:00"
    assert fmt.clock_text(83.9) == "01:23"
    assert fmt.clock_text(3725) == "1:02:05"
    assert fmt.clock_text(-5) == "00:00"
    assert fmt.clock_text(None) == "--:--"
    assert fmt.clock_text(float("nan")) == "--:--"
    # A countdown rounds up: it reads 00:00 only once the time is really up.
    assert fmt.countdown_text(0.2) == "00:01"
    assert fmt.countdown_text(0.0) == "00:00"
    assert fmt.countdown_text(-3) == "00:00"
    assert fmt.countdown_text(47.0) == "00:47"


def test_severity_words_and_symbols_never_colour_alone() -> None:
    assert fmt.severity_label("critical") == "▲ CRIT"
    assert fmt.severity_label("warning") == "◆ WARN"
    assert fmt.severity_label("advisory") == "● ADVS"
    # A severity the console does not know ranks above critical and is styled as critical.
    assert fmt.severity_rank("emergency") > fmt.severity_rank("critical")
    assert fmt.severity_key("emergency") == "critical"
    assert fmt.severity_label("emergency") == "▲ EMER"


def test_alerts_sorted_by_severity_then_age() -> None:
    crit, warn, adv = critical_alerts()
    older_crit = replace(crit, pair_id="P-0001", first_seen_utc="2026-11-25T06:00:00.000Z")
    ordered = fmt.sort_alerts([adv, warn, crit, older_crit])
    assert [a.pair_id for a in ordered] == ["P-0001", "P-0107", "P-0099", "L-0031"]


@given(st.lists(st.integers(min_value=0, max_value=5000), max_size=60))
def test_sort_alerts_is_an_ordered_permutation(indices: list[int]) -> None:
    alerts = [burst_alert(i) for i in indices]
    ordered = fmt.sort_alerts(alerts)
    assert sorted(map(id, ordered)) == sorted(map(id, alerts))
    keys = [(-fmt.severity_rank(a.severity), a.first_seen_utc) for a in ordered]
    assert keys == sorted(keys)


def test_alert_row_shows_suspect_and_acknowledgement() -> None:
    crit, warn, adv = critical_alerts()
    row = fmt.alert_row(warn)
    assert row.label == "◆ WARN" and row.pair == "DAN07/GAF12"
    assert row.horizontal == "5.2km" and row.vertical == "900ft" and row.cpa == "2m10s"
    assert fmt.SUSPECT_MARK in row.flags
    assert fmt.alert_row(adv).pair == "RAF09/LINE"
    assert fmt.alert_row(adv).flags == "ack JDOE"
    assert fmt.alert_row(crit).first_seen == "07:09:12Z"


def test_distances_and_times() -> None:
    assert fmt.distance_text(850) == "850m"
    assert fmt.distance_text(1850) == "1.9km"
    assert fmt.distance_text(250_000) == "250km"
    assert fmt.seconds_text(42) == "42s"
    assert fmt.seconds_text(185) == "3m05s"
    assert fmt.seconds_text(-1) == "past"
    assert fmt.zulu_time("2026-11-25T07:10:00.123Z") == "07:10:00Z"
    assert fmt.zulu_time(None) == "—"


def test_search_matches_alerts_and_calls() -> None:
    crit, warn, _ = critical_alerts()
    assert fmt.alert_matches(crit, "gaf43") and fmt.alert_matches(crit, "CRIT")
    assert not fmt.alert_matches(warn, "gaf43")
    assert fmt.alert_matches(warn, "suspect")
    assert fmt.alert_matches(warn, "  ")
    newest, missed, _ = todays_calls()
    assert fmt.call_matches(missed, "missed") and not fmt.call_matches(newest, "missed")
    assert fmt.call_matches(newest, "fl120")
    assert fmt.call_matches(newest, "20261125T052201000Z-11")
    assert fmt.call_row(newest).short_id == "11"
    assert fmt.call_row(missed).outcome == "MISSED" and fmt.call_row(missed).duration == "--:--"


def test_links_from_health_or_from_the_links_dict() -> None:
    health = (LinkHealth("radio", False, "2026-11-25T07:09:41.000Z", "no heartbeat"),)
    assert fmt.links_of(health, {"radio": True}) == health
    assert fmt.links_of((), {"radio": True, "log": False}) == (
        LinkHealth("radio", True), LinkHealth("log", False),
    )  # fmt: skip
    assert fmt.link_name("radio") == "BRIDGE" and fmt.link_name("modem") == "MODEM"


def test_track_heading_gives_velocity() -> None:
    east = track("X", 0, 0, 90, 100)
    assert abs(east.ve_ms - 100) < 1e-9 and abs(east.vn_ms) < 1e-9
