"""LogReader queries and Zulu time parsing."""

from __future__ import annotations

import dataclasses

import pytest
from log_helpers import T0, sample_session

from terminal.log import LogReader, LogStore, records
from terminal.zulu import parse_when, to_iso


def test_ranges_are_half_open(store: LogStore) -> None:
    sample_session(store)
    with LogReader(store.path) as reader:
        assert [a.alert_id for a in reader.alerts(T0 + 20_000, T0 + 90_000)] == [
            "boot1:1",
            "boot1:2",
        ]
        assert [c.call_id for c in reader.calls(since_ms=T0 + 1)] == ["c2"]
        assert len(reader.alerts()) == 3


def test_the_journal_replays_in_order(store: LogStore) -> None:
    sample_session(store)
    with LogReader(store.path) as reader:
        entries = list(reader.journal())
    assert [(e.stream, e.name) for e in entries] == [
        ("event", "RingReceived"),
        ("effect", "CallEnded"),
    ]
    assert entries[0].data == {"at": 1.5}


def test_the_reader_sees_the_head(store: LogStore) -> None:
    ids = sample_session(store)
    with LogReader(store.path) as reader:
        assert reader.head() == store.tail()
        assert reader.head()[0] == ids[-1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24h", T0 - 86_400_000),
        ("90m", T0 - 5_400_000),
        ("30s", T0 - 30_000),
        ("7d", T0 - 7 * 86_400_000),
        ("2026-05-09", T0 - 7 * 3_600_000),
        ("2026-05-09T07:00Z", T0),
        ("2026-05-09T07:00:00.250", T0 + 250),
        ("2026-05-09T09:00+02:00", T0),
    ],
)
def test_when(text: str, expected: int) -> None:
    assert parse_when(text, T0) == expected


def test_when_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="not a time"):
        parse_when("soon", T0)


def test_zulu_text() -> None:
    assert to_iso(T0 + 7) == "2026-05-09T07:00:00.007Z"
    assert to_iso(None) == ""


@dataclasses.dataclass(frozen=True)
class RingReceived:
    at: float
    caller: str


@dataclasses.dataclass(frozen=True)
class Tick:
    at: float


def test_journalled_events_replay_as_the_same_events(store: LogStore) -> None:
    fed = [RingReceived(1.25, "FAR-1"), Tick(2.0), Tick(2.5), RingReceived(9.0, "FAR-2")]
    for n, event in enumerate(fed):
        store.write(*records.journal_of("event", event), T0 + n)
    store.write(*records.journal_of("effect", Tick(3.0)), T0 + 9)
    types = {cls.__name__: cls for cls in (RingReceived, Tick)}
    with LogReader(store.path) as reader:
        replayed = [types[e.name](**e.data) for e in reader.journal() if e.stream == "event"]
    assert replayed == fed
