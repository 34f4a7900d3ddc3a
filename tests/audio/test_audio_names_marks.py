"""Recording names, marks files and the retention plan (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hw.audio.marks import (
    MarkKind,
    RecordingInfo,
    Transmission,
    mark_line,
    parse_marks,
    resumes,
    transmissions,
)
from hw.audio.naming import parse_stem, recording_stem
from hw.audio.retention import Stored, plan_removals

T = datetime(2025, 3, 1, 12, 0, 5, tzinfo=UTC)


def test_names_sort_by_start_and_say_the_call() -> None:
    stem = recording_stem(42, T)
    assert stem == "call-000042-20250301T120005Z"
    name = parse_stem(stem)
    assert name is not None and (name.call_id, name.repeat) == (42, 1)
    assert parse_stem(recording_stem(42, T, 3)) == parse_stem("call-000042-20250301T120005Z-3")


def test_a_local_time_is_named_in_zulu() -> None:
    local = T.astimezone(timezone(timedelta(hours=2)))
    assert recording_stem(1, local) == recording_stem(1, T)


@pytest.mark.parametrize(
    "stem", ["notes", "call-12", "call-000001-2025", "xcall-000001-20250301T120005Z"]
)
def test_other_names_are_not_recordings(stem: str) -> None:
    assert parse_stem(stem) is None


def test_negative_call_ids_are_refused() -> None:
    with pytest.raises(ValueError):
        recording_stem(-1, T)


def test_marks_read_back_skipping_a_torn_line() -> None:
    text = mark_line("tx_start", 100) + mark_line("tx_end", 900) + mark_line("resume", 950)
    text += "garbage here\ntx_end\n" + mark_line("tx_start", 1000)
    text += "tx_end 12"  # cut by a crash before its newline: it may have been tx_end 1234
    marks = parse_marks(text)
    assert marks == [("tx_start", 100), ("tx_end", 900), ("resume", 950), ("tx_start", 1000)]
    assert transmissions(marks) == (Transmission(100, 900), Transmission(1000, None))
    assert resumes(marks) == (950,)


def test_transmissions_pair_up_and_ignore_a_stray_end() -> None:
    marks: list[tuple[MarkKind, int]] = [
        ("tx_end", 5), ("tx_start", 10), ("tx_start", 20), ("tx_end", 30), ("tx_end", 40)
    ]  # fmt: skip
    assert transmissions(marks) == (Transmission(10, None), Transmission(20, 30))


def test_recording_info_seconds() -> None:
    assert RecordingInfo(Path("x.wav"), 24000, 16000).seconds == 1.5


def stored(call_id: int, minute: int, size: int) -> Stored:
    name = parse_stem(recording_stem(call_id, T + timedelta(minutes=minute)))
    assert name is not None
    return Stored(name, size)


def test_oldest_go_first_until_under_the_cap() -> None:
    items = [stored(3, 2, 100), stored(1, 0, 100), stored(2, 1, 100), stored(4, 3, 100)]
    removed = plan_removals(items, 250)
    assert [s.name.call_id for s in removed] == [1, 2]


def test_an_open_call_is_never_removed() -> None:
    items = [stored(1, 0, 100), stored(2, 1, 100), stored(3, 2, 100)]
    assert [s.name.call_id for s in plan_removals(items, 150, {1})] == [2, 3]
    assert plan_removals([stored(1, 0, 500)], 10, {1}) == []


recordings = st.lists(
    st.tuples(st.integers(0, 50), st.integers(0, 10_000), st.integers(0, 1000)),
    max_size=30,
    unique_by=lambda t: t[0],
)


@given(recordings, st.integers(0, 20_000), st.sets(st.integers(0, 50), max_size=5))
def test_retention_plan_properties(
    items: list[tuple[int, int, int]], cap: int, open_calls: set[int]
) -> None:
    files = [stored(call, minute, size) for call, minute, size in items]
    removed = plan_removals(files, cap, open_calls)
    kept = [f for f in files if f not in removed]
    assert not any(f.name.call_id in open_calls for f in removed)
    closed_kept = [f for f in kept if f.name.call_id not in open_calls]
    total = sum(f.size for f in kept)
    # under the cap, or nothing closed left to remove
    assert total <= cap or not closed_kept
    # oldest first: every removed one is older than every closed one kept
    if removed and closed_kept:
        assert max(f.name for f in removed) < min(f.name for f in closed_kept)
    # no more than needed: putting back the newest removed one would break the cap
    if removed:
        assert total + removed[-1].size > cap
