"""Track sources: the named scenarios, recorded CSV/JSONL files, and the --tracks text."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from hw.sim.tracks import parse_spec
from hw.sim.tracks.motion import track_id
from hw.sim.tracks.recorded import KT, RecordedSource, TrackFileError
from hw.sim.tracks.scenarios import SCENARIOS, Flight, Scenario, Turn, flown, make
from terminal.kernel.geodesy import geodesic_inverse
from terminal.kernel.thresholds import ADVISORY, CRITICAL
from terminal.kernel.watch import Clear, Finding, Watch


def run(scenario: Scenario, step: float = 1.0) -> list[tuple[float, str, int]]:
    """(time, pair, severity or 0 for CLEAR) of every decision over the scenario."""
    w = Watch(line=scenario.line)
    out = []
    t = 0.0
    while t <= scenario.duration_s:
        for d in w.cycle(scenario.picture(t), t, 0):
            out.append((t, d.pair_id, d.severity if isinstance(d, Finding) else 0))
        t += step
    return out


def test_head_on() -> None:
    decisions = run(make("head-on"))
    assert [(p, s) for _, p, s in decisions] == [
        ("4CA2F1/RAF101", ADVISORY), ("4CA2F1/RAF101", CRITICAL), ("4CA2F1/RAF101", 0)
    ]  # fmt: skip
    t_ta = decisions[0][0]
    assert 35 <= t_ta <= 41  # 40 km at 460 m/s: CPA at 87 s, TA at tau 48 s


def test_line_crossing() -> None:
    decisions = run(make("line-crossing"))
    assert {p for _, p, _ in decisions} == {"RAF201/DL"}
    assert [s for *_, s in decisions] == [ADVISORY, CRITICAL, 0]


def test_crowded_sky() -> None:
    sc = make("crowded")
    assert len(sc.flights) >= 300 and sc.line is not None
    decisions = run(sc, step=5.0)
    pairs = {p for _, p, _ in decisions}
    assert len(pairs) > 50
    assert any(p.endswith("/DL") for p in pairs) and any(not p.endswith("/DL") for p in pairs)


def test_burst_is_thousands_of_alerts_at_once() -> None:
    sc = make("burst")
    first = Watch().cycle(sc.picture(0.0), 0.0, 0)
    assert len(first) == 2000 and all(isinstance(d, Finding) and d.severity == CRITICAL
                                      for d in first)  # fmt: skip
    assert len(make("burst:5000").flights) == 10_000


def test_reboot_scenario_reboots_mid_alerts() -> None:
    sc = make("reboot")
    assert sc.reboots == (30.0,)
    decisions = run(sc)
    assert any(t < 30.0 for t, *_ in decisions) and any(t > 30.0 for t, *_ in decisions)


def test_scenario_names() -> None:
    assert set(SCENARIOS) == {"head-on", "line-crossing", "crowded", "burst", "reboot"}
    with pytest.raises(ValueError, match="unknown scenario"):
        make("nope")
    with pytest.raises(ValueError, match="positive whole number"):
        make("burst:x")


def test_a_turn() -> None:
    # 120 s at 3 deg/s: a full circle of radius v/omega, back where it started
    circle = Flight("T", 50.0, 0.0, 10000, 200.0, 0.0, turns=(Turn(10.0, 120.0, 3.0),))
    de, dn, h = flown(circle, 130.0)
    assert math.hypot(de, dn - 2000.0) < 1e-6 and math.degrees(h) == pytest.approx(360.0)
    quarter = Flight("Q", 50.0, 0.0, 10000, 200.0, 0.0, turns=(Turn(0.0, 30.0, 3.0),))
    sc = Scenario("t", (quarter,))
    pic = sc.picture(30.0)
    radius = 200.0 / math.radians(3.0)
    assert pic.ve[0] == pytest.approx(200.0, abs=0.5) and abs(pic.vn[0]) < 0.5
    dist = float(geodesic_inverse(50.0, 0.0, pic.lat[0], pic.lon[0]))
    assert dist == pytest.approx(radius * math.sqrt(2), rel=1e-3)


def test_track_ids_fit_the_wire() -> None:
    assert track_id("BAW 123!") == "BAW_123_"
    assert track_id("x" * 40) == "x" * 24
    assert track_id("  ") == "_"


def _write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    keys = list(rows[0])
    path.write_text(",".join(keys) + "\n" + "".join(
        ",".join(str(r.get(k, "")) for k in keys) + "\n" for r in rows))  # fmt: skip


def test_csv_replays_a_scenario(tmp_path: Path) -> None:
    sc = make("head-on")
    rows = []
    for t in range(0, 60, 2):
        pic = sc.picture(float(t))
        for k, tid in enumerate(pic.ids):
            lat, lon = f"{pic.lat[k]:.7f}", f"{pic.lon[k]:.7f}"
            rows.append({"t": t, "id": tid, "lat": lat, "lon": lon, "alt_ft": pic.alt_ft[k],
                         "vn": pic.vn[k], "ve": pic.ve[k], "vu": 0})  # fmt: skip
    path = tmp_path / "tracks.csv"
    _write_csv(path, rows)
    src = RecordedSource.load(path)
    assert src.duration_s == 58.0
    for t in (0.0, 13.0, 41.5):
        got, want = src.picture(t), sc.picture(t)
        assert got.ids == want.ids
        gap = geodesic_inverse(got.lat, got.lon, want.lat, want.lon)
        assert np.all(gap < 1.0)
    assert run_kinds(src) == run_kinds(sc, until=58.0)


def run_kinds(src: object, until: float = 58.0) -> list[tuple[str, int]]:
    w = Watch(line=getattr(src, "line", None))
    out = []
    for t in np.arange(0.0, until, 1.0):
        out += [(d.pair_id, d.severity if isinstance(d, Finding) else 0)
                for d in w.cycle(src.picture(float(t)), float(t), 0)]  # type: ignore[attr-defined]  # fmt: skip
    return out


def test_jsonl_with_times_and_adsb_velocities(tmp_path: Path) -> None:
    path = tmp_path / "tracks.jsonl"
    lines = [
        {"time": "2025-03-01T12:00:00Z", "id": "4CA2F1", "lat": 51.0, "lon": 0.0, "alt_ft": 9000,
         "gs_kt": 360, "track_deg": 90, "vs_fpm": -600},
        {"time": "2025-03-01T12:00:30Z", "id": "RAF 7", "lat": 51.1, "lon": 0.0, "alt_ft": 5000},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    src = RecordedSource.load(path, stale_s=20.0)
    pic = src.picture(10.0)
    assert pic.ids == ("4CA2F1",)  # RAF 7 has not appeared yet
    assert pic.ve[0] == pytest.approx(360 * KT, rel=1e-3)
    assert pic.alt_ft[0] == pytest.approx(9000 - 100)
    pic = src.picture(35.0)
    assert pic.ids == ("RAF_7",)  # 4CA2F1 went stale; the id was cleaned for the wire
    assert pic.vn[0] == 0.0 and pic.ve[0] == 0.0


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('{"t": 0, "lat": 1, "lon": 1, "alt_ft": 0}', "id is missing"),
        ('{"t": 0, "id": "A", "lat": "x", "lon": 1, "alt_ft": 0}', "lat must be a number"),
        ('{"t": 0, "id": "A", "lat": 91, "lon": 1, "alt_ft": 0}', "not a latitude"),
        (
            '{"time": "2025-03-01T12:00:00", "id": "A", "lat": 1, "lon": 1, "alt_ft": 0}',
            "time zone",
        ),
        ('{"id": "A", "lat": 1, "lon": 1, "alt_ft": 0}', "needs t"),
        ("[1, 2]", "not a JSON object"),
        ("{oops", "not JSON"),
    ],
)
def test_bad_rows_are_named(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(text + "\n")
    with pytest.raises(TrackFileError, match=error) as info:
        RecordedSource.load(path)
    assert "bad.jsonl:1" in str(info.value)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("t,id,lat,lon,alt_ft\n")
    with pytest.raises(TrackFileError, match="no reports"):
        RecordedSource.load(path)


@pytest.mark.parametrize(
    ("text", "kind", "detail"),
    [
        ("head-on", "scenario", "head-on"),
        ("scenario:burst:500", "scenario", "burst:500"),
        ("tracks.csv", "file", "tracks.csv"),
        ("file:/tmp/x.dat", "file", "/tmp/x.dat"),
        ("sbs://127.0.0.1:30003", "sbs", "127.0.0.1:30003"),
        ("tcp://radar.local:30003", "sbs", "radar.local:30003"),
        ("sbs:[::1]:30003", "sbs", "::1:30003"),
    ],
)
def test_track_source_specs(text: str, kind: str, detail: str) -> None:
    spec = parse_spec(text)
    assert spec.kind == kind
    got = {"scenario": spec.name, "file": str(spec.path), "sbs": f"{spec.host}:{spec.port}"}
    assert got[kind] == detail


@pytest.mark.parametrize("text", ["nope", "sbs://host", "sbs://host:99999", "tcp://:1"])
def test_bad_track_source_specs(text: str) -> None:
    with pytest.raises(ValueError):
        parse_spec(text)


def test_clear_decision_carries_the_last_severity() -> None:
    w = Watch(hold_s=0.0)
    sc = make("head-on")
    decisions = []
    for t in range(0, 150):
        decisions += w.cycle(sc.picture(float(t)), float(t), 0)
    clears = [d for d in decisions if isinstance(d, Clear)]
    assert clears == [Clear("4CA2F1/RAF101", CRITICAL)]
