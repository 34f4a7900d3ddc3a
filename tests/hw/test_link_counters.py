"""Link counters: reported in the service log at a sane rate, in the STATUS line, on the console."""

from __future__ import annotations

from terminal.link_report import LinkReporter
from terminal.service import status_line
from terminal.tui.format import link_counters
from terminal.tui.samples import snapshot
from terminal.views import LinkCounters, LinkHealth


def radio(**counts: int) -> tuple[LinkHealth, ...]:
    return (LinkHealth("radio", True, None, "", LinkCounters(**counts)), LinkHealth("log", True))


def test_a_clean_line_is_never_reported() -> None:
    reporter = LinkReporter(interval_s=60)
    assert reporter.lines(radio(frames_in=100, frames_out=90), 0.0) == []
    assert reporter.lines(radio(frames_in=5000, frames_out=4900), 1000.0) == []


def test_faults_are_reported_at_most_once_per_interval_with_what_grew() -> None:
    reporter = LinkReporter(interval_s=60)
    first = reporter.lines(radio(frames_in=10, crc_errors=2, garbage_bytes=300), 0.0)
    assert first == [
        "link radio: crc 2 garbage 300B since the last report; totals frames_in=10 frames_out=0"
        " crc_errors=2 garbage_bytes=300 bad_frames=0 retransmits=0 duplicates=0 errs_out=0"
    ]
    assert reporter.lines(radio(frames_in=20, crc_errors=50, garbage_bytes=900), 59.0) == []
    later = reporter.lines(radio(frames_in=30, crc_errors=51, garbage_bytes=900, errs_out=1), 61.0)
    assert len(later) == 1  # what grew since the line at 0 s, the suppressed minute included
    assert later[0].startswith("link radio: crc 49 garbage 600B err 1 since the last report")
    assert reporter.lines(radio(frames_in=40, crc_errors=51, garbage_bytes=900, errs_out=1),
                          200.0) == []  # fmt: skip


def test_status_line_names_a_links_faults_only() -> None:
    snap = snapshot(links={"radio": True, "coproc": False, "log": True},
                    health=(*radio(frames_in=7, retransmits=3),
                            LinkHealth("coproc", False, None, "", LinkCounters(frames_in=9))))
    assert status_line(snap) == "IDLE radio=up[rtx 3] coproc=DOWN log=up"


def test_console_shows_frames_and_faults() -> None:
    assert link_counters(None) == ""
    assert link_counters(LinkCounters(frames_in=12, frames_out=11)) == "[in 12 out 11]"
    shown = link_counters(LinkCounters(3, 4, crc_errors=1, bad_frames=2, duplicates=5))
    assert shown == "[in 3 out 4 crc 1 bad 2 dup 5]"


def test_console_short_form_shows_faults_alone_when_there_are_any() -> None:
    assert link_counters(LinkCounters(3, 4, crc_errors=1), short=True) == "[crc 1]"
    assert link_counters(LinkCounters(3, 4), short=True) == "[in 3 out 4]"
