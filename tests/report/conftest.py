"""A shift's log, written by the log's own writer to a temporary file: two calls (one with a
hostile note and a recording), alerts of each severity (one acknowledged, one open at handover,
one hostile pair id), a radio link outage, a desk stop and a clock fault."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from terminal.log import LogWriter, records

T0 = 1_796_630_400_000  # 2026-12-07T08:00:00.000Z
MIN = 60_000
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
LINE = ((51.0, -0.2), (51.0, 0.2))


def fields(seq: int, pair: str, severity: str, lat: float, lon: float) -> dict[str, Any]:
    return {
        "alert_seq": seq, "pair_id": pair, "kind": "TRACK", "severity": severity.upper(),
        "computed_at": "2026-12-07T08:00:00.000Z", "a_id": "A1", "a_lat": lat, "a_lon": lon,
        "a_alt_ft": 20000.0, "a_vn": 0.0, "a_ve": 230.0, "a_vu": 0.0, "b_id": "B1",
        "b_lat": lat + 0.01, "b_lon": lon + 0.05, "b_alt_ft": 20000.0, "b_vn": 0.0,
        "b_ve": -230.0, "b_vu": 0.0, "hsep_m": 3500.0 + seq, "vsep_ft": 0.0, "tcpa_s": 12.5,
        "miss_m": 150.0,
    }  # fmt: skip


def write_shift(path: Path) -> None:
    writer = LogWriter.open(path)
    put = lambda entry, minute: writer.submit(*entry, utc_ms=T0 + int(minute * MIN))  # noqa: E731
    try:
        put(records.journal_event("LinkDown", {"at": 1.0, "reason": "cable out"}), 1)
        put(records.journal_event("LinkUp", {"at": 2.0}), 4)
        c1, c2 = "20261207T080000000Z-1", "20261207T080000000Z-2"
        put(records.call_started(c1, "incoming", "OPS7"), 10)
        put(records.call_answered(c1, "OPS7"), 10.1)
        put(records.transmission(c1, 4200, "OPS7", "PTT"), 11)
        put(records.call_note(c1, "OPS7", HOSTILE), 11.5)
        put(records.call_ended(c1, "answered", "OPS7"), 12)
        put(records.call_recording(c1, str(path.parent / "recordings" / "call-1.wav")), 12)
        put(records.call_started(c2, "outgoing", "OPS7"), 20)
        put(records.call_ended(c2, "no_answer", "OPS7"), 21)
        alerts = [
            (1, "A1/B1", "advisory", 30), (2, "A1/B1", "critical", 31), (3, "C1/D1", "warning", 40),
            (4, HOSTILE, "warning", 50),
        ]  # fmt: skip
        for seq, pair, severity, minute in alerts:
            entry = records.alert_received(
                fields(seq, pair, severity, 51.0 + seq / 100, 0.01 * seq), boot_id="B00T",
                alert_seq=seq, pair_id=pair, severity=severity, consistent=seq != 3,
            )  # fmt: skip
            put(entry, minute)
        put(records.alert_closed("B00T:1", "superseded"), 31)
        put(records.alert_acknowledged("B00T:2", "OPS7"), 31.5)  # 30 s after it arrived
        put(records.alert_closed("B00T:2", "cleared"), 33)
        put(records.alert_closed("B00T:4", "cleared"), 55)
        # B00T:3 stays open: open at handover
        put(records.clock_fault("started", "unsynchronised", "not synchronised", T0 + 60 * MIN,
                                est_error_ms=16000.0), 61)  # fmt: skip
        put(records.clock_fault("ended", "synchronised", "ok", T0 + 90 * MIN, est_error_ms=1.0,
                                started_utc_ms=T0 + 60 * MIN), 91)  # fmt: skip
        put(records.journal_event("Shutdown", {"at": 9.0, "reason": "SIGTERM"}), 100)
        put(records.journal_event("LinkDown", {"at": 9.0, "reason": "EXIT"}), 100)
        assert writer.flush(5)
    finally:
        assert writer.close(5)


@pytest.fixture(scope="session")
def shift_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shift") / "hotline.db"
    write_shift(path)
    return path
