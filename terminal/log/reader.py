"""LogReader: queries on a read-only connection of its own (never the writer's, never blocking it).

Time ranges are half-open, [since_ms, until_ms), in UTC milliseconds; None means unbounded.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

from terminal.log import db
from terminal.log.compact import decode
from terminal.log.records import CHECKPOINT_ENTITY, JOURNAL
from terminal.log.rows import ALERT_COLUMNS, CALL_COLUMNS, AlertRow, CallRow
from terminal.log.schema import ALERT_ROWS

_FAR_PAST = -(2**62)
_FAR_FUTURE = 2**62
_WITH_ROWS = f"WITH alert_rows AS ({ALERT_ROWS}) "
"""Alerts are read whole through this (a file of schema 2 reads the same; docs/log.md)."""
PAGE_ROWS = 50
"""A page of rows: what a screen shows at once."""
PageKey = tuple[int, int]
"""Where a page ends: (received_utc_ms, rid) of its last alert (`page_key`)."""


def page_key(row: AlertRow) -> PageKey:
    """The key to pass as `after` for the page that follows `row`."""
    return row.received_utc_ms, row.rid


class StoredRecord(NamedTuple):
    """A record as stored: `text` is its canonical payload, hashes are raw SHA-256."""

    id: int
    kind: str
    utc_ms: int
    text: str
    prev_hash: bytes
    hash: bytes

    def payload(self) -> dict[str, Any]:
        """The payload, parsed (an alert_received of the compact format 2 as the object it
        says: terminal/log/compact.py)."""
        parsed: dict[str, Any] = decode(self.kind, self.text)
        return parsed


class JournalEntry(NamedTuple):
    """One journalled input event or effect, for replaying a session through the core."""

    id: int
    utc_ms: int
    stream: str
    name: str
    data: dict[str, Any]


class AlertTotals(NamedTuple):
    """Sums over the alerts of a range (`LogReader.alert_totals`); times in ms."""

    total: int
    by_severity: dict[str, int]
    suspect: int
    acked: int
    ack_ms_total: int
    ack_ms_max: int
    open: int
    closest_hsep_m: float | None


class LogReader:
    """Read-only queries over one log database file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn = db.connect_ro(self.path)

    def __enter__(self) -> LogReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def calls(self, since_ms: int | None = None, until_ms: int | None = None) -> list[CallRow]:
        """Calls that began (rang or were placed) in the range, oldest first."""
        sql = (
            f"SELECT {', '.join(CALL_COLUMNS)} FROM calls "
            "WHERE rung_utc_ms >= ? AND rung_utc_ms < ? ORDER BY rung_utc_ms, rid"
        )
        return [CallRow._make(row) for row in self._query(sql, _bounds(since_ms, until_ms))]

    def alerts(self, since_ms: int | None = None, until_ms: int | None = None) -> list[AlertRow]:
        """Alerts that arrived in the range, oldest first, all in one list: for a screen use
        `alerts_page` and `alert_count`, to go through them all `iter_alerts`."""
        sql = (
            f"{_WITH_ROWS}SELECT {', '.join(ALERT_COLUMNS)} FROM alert_rows "
            "WHERE received_utc_ms >= ? AND received_utc_ms < ? ORDER BY received_utc_ms, rid"
        )
        return [AlertRow._make(row) for row in self._query(sql, _bounds(since_ms, until_ms))]

    def alert_count(self, since_ms: int | None = None, until_ms: int | None = None) -> int:
        """How many alerts arrived in the range (SQLite counts them on the index)."""
        sql = "SELECT count(*) FROM alerts WHERE received_utc_ms >= ? AND received_utc_ms < ?"
        return int(self._query(sql, _bounds(since_ms, until_ms)).fetchone()[0])

    def alerts_page(
        self,
        since_ms: int | None = None,
        until_ms: int | None = None,
        *,
        limit: int = PAGE_ROWS,
        after: PageKey | None = None,
    ) -> list[AlertRow]:
        """At most `limit` alerts of the range, oldest first, after the row keyed `after`
        (`page_key` of the last row of the page before; None: from the start). A keyset page:
        its cost is the page's rows, wherever in the range it is."""
        low, high = _bounds(since_ms, until_ms)
        after_ms, after_rid = (low, -1) if after is None else after
        sql = (
            f"{_WITH_ROWS}SELECT {', '.join(ALERT_COLUMNS)} FROM alert_rows "
            "WHERE received_utc_ms >= ? AND received_utc_ms < ? "
            "AND (received_utc_ms, rid) > (?, ?) ORDER BY received_utc_ms, rid LIMIT ?"
        )
        params = (low, high, after_ms, after_rid, max(0, limit))
        return [AlertRow._make(row) for row in self._query(sql, params)]

    def calls_latest(self, since_ms: int | None = None, limit: int = PAGE_ROWS) -> list[CallRow]:
        """The `limit` calls that began last since `since_ms`, newest first (the console's list)."""
        sql = (
            f"SELECT {', '.join(CALL_COLUMNS)} FROM calls "
            "WHERE rung_utc_ms >= ? ORDER BY rung_utc_ms DESC, rid DESC LIMIT ?"
        )
        params = (_bounds(since_ms, None)[0], max(0, limit))
        return [CallRow._make(row) for row in self._query(sql, params)]

    def open_alerts(self, since_ms: int) -> list[AlertRow]:
        """Alerts received since `since_ms` that the log holds open (not closed), oldest first."""
        sql = (
            f"{_WITH_ROWS}SELECT {', '.join(ALERT_COLUMNS)} FROM alert_rows "
            "WHERE received_utc_ms >= ? AND closed_utc_ms IS NULL ORDER BY received_utc_ms, rid"
        )
        return [AlertRow._make(row) for row in self._query(sql, (since_ms,))]

    def highest_alert_seqs(self, boots: Iterable[str], since_ms: int) -> dict[str, int]:
        """The highest alert_seq of each of `boots` among the alerts received since `since_ms`
        (a boot numbers its alerts upwards, so that is its highest logged)."""
        wanted = sorted(set(boots))
        if not wanted:
            return {}
        sql = (
            f"{_WITH_ROWS}SELECT boot_id, max(alert_seq) FROM alert_rows "
            "WHERE received_utc_ms >= ? "
            f"AND boot_id IN ({', '.join('?' * len(wanted))}) GROUP BY boot_id"
        )
        return {str(b): int(h) for b, h in self._query(sql, (since_ms, *wanted))}

    def iter_calls(
        self, since_ms: int | None = None, until_ms: int | None = None
    ) -> Iterator[CallRow]:
        """As `calls`, one row at a time (a report over a long range holds none of them)."""
        sql = (
            f"SELECT {', '.join(CALL_COLUMNS)} FROM calls "
            "WHERE rung_utc_ms >= ? AND rung_utc_ms < ? ORDER BY rung_utc_ms, rid"
        )
        for row in self._query(sql, _bounds(since_ms, until_ms)):
            yield CallRow._make(row)

    def iter_alerts(
        self, since_ms: int | None = None, until_ms: int | None = None
    ) -> Iterator[AlertRow]:
        """As `alerts`, one row at a time."""
        sql = (
            f"{_WITH_ROWS}SELECT {', '.join(ALERT_COLUMNS)} FROM alert_rows "
            "WHERE received_utc_ms >= ? AND received_utc_ms < ? ORDER BY received_utc_ms, rid"
        )
        for row in self._query(sql, _bounds(since_ms, until_ms)):
            yield AlertRow._make(row)

    def alert_totals(self, since_ms: int, until_ms: int) -> AlertTotals:
        """Sums over the alerts that arrived in [since_ms, until_ms), SQLite doing the work:
        acknowledgements and closes count only if made before `until_ms`."""
        acked = "(acked_utc_ms IS NOT NULL AND acked_utc_ms < :until)"
        delay = "max(0, acked_utc_ms - received_utc_ms)"
        sql = (
            f"{_WITH_ROWS[:-1]}, a AS MATERIALIZED (SELECT consistent, acked_utc_ms, "
            "received_utc_ms, closed_utc_ms, CASE WHEN json_valid(fields) THEN "
            "json_extract(fields, '$.hsep_m') END AS h FROM alert_rows "
            "WHERE received_utc_ms >= :since AND received_utc_ms < :until) "
            f"SELECT count(*), coalesce(sum(consistent = 0), 0), coalesce(sum({acked}), 0), "
            f"coalesce(sum(CASE WHEN {acked} THEN {delay} END), 0), "
            f"coalesce(max(CASE WHEN {acked} THEN {delay} END), 0), "
            "coalesce(sum(closed_utc_ms IS NULL OR closed_utc_ms >= :until), 0), "
            "min(CASE WHEN typeof(h) IN ('integer', 'real') THEN h END) FROM a"
        )
        row = self._query(sql, {"since": since_ms, "until": until_ms}).fetchone()  # type: ignore[arg-type]
        severities = self._query(
            f"{_WITH_ROWS}SELECT severity, count(*) FROM alert_rows WHERE received_utc_ms >= ? "
            "AND received_utc_ms < ? GROUP BY severity",
            (since_ms, until_ms),
        ).fetchall()
        return AlertTotals(
            int(row[0]), {str(k): int(v) for k, v in severities}, int(row[1]), int(row[2]),
            int(row[3]), int(row[4]), int(row[5]), None if row[6] is None else float(row[6]),
        )  # fmt: skip

    def alert_spots(
        self, since_ms: int, until_ms: int, grid_deg: float
    ) -> Iterator[tuple[int, int, str, int]]:
        """Where the alerts of the range were: (lat bin, lon bin, severity, count) on a grid of
        `grid_deg` degrees, of track A and, for a TRACK alert, track B (SQLite bins them; each
        alert's fields are parsed once)."""
        number = "IN ('integer', 'real')"
        sides = []
        for lat, lon, only in (("alat", "alon", ""), ("blat", "blon", "kind = 'TRACK' AND ")):
            sides.append(
                f"SELECT CAST(round({lat} / :g) AS INTEGER) AS y, "
                f"CAST(round({lon} / :g) AS INTEGER) AS x, s FROM q WHERE {only}"
                f"typeof({lat}) {number} AND typeof({lon}) {number} "
                f"AND abs({lat}) <= 90 AND abs({lon}) <= 180"
            )
        sql = (
            f"{_WITH_ROWS[:-1]}, p AS MATERIALIZED (SELECT severity AS s, "
            "json_extract(fields, '$.a_lat', '$.a_lon', '$.b_lat', '$.b_lon', '$.kind') AS v "
            "FROM alert_rows "
            "WHERE received_utc_ms >= :since AND received_utc_ms < :until AND json_valid(fields)), "
            "q AS MATERIALIZED (SELECT s, v ->> 0 AS alat, v ->> 1 AS alon, v ->> 2 AS blat, "
            "v ->> 3 AS blon, v ->> 4 AS kind FROM p) "
            f"SELECT y, x, s, count(*) FROM ({' UNION ALL '.join(sides)}) GROUP BY y, x, s"
        )
        params = {"since": since_ms, "until": until_ms, "g": grid_deg}
        for y, x, severity, count in self._query(sql, params):  # type: ignore[arg-type]
            yield int(y), int(x), str(severity), int(count)

    def alerts_ranked(self, since_ms: int, until_ms: int, limit: int) -> list[AlertRow]:
        """The `limit` most severe alerts of the range, newest first within a severity (an
        unknown severity first of all)."""
        rank = (
            "CASE severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 "
            "WHEN 'advisory' THEN 1 ELSE 4 END"
        )
        sql = (
            f"{_WITH_ROWS}SELECT {', '.join(ALERT_COLUMNS)} FROM alert_rows "
            "WHERE received_utc_ms >= ? AND received_utc_ms < ? "
            f"ORDER BY {rank} DESC, received_utc_ms DESC, rid DESC LIMIT ?"
        )
        return [AlertRow._make(r) for r in self._query(sql, (since_ms, until_ms, limit))]

    def alerts_open_at(self, since_ms: int, until_ms: int, limit: int) -> list[AlertRow]:
        """Alerts of the range not closed before `until_ms`, oldest first, at most `limit`."""
        sql = (
            f"{_WITH_ROWS}SELECT {', '.join(ALERT_COLUMNS)} FROM alert_rows "
            "WHERE received_utc_ms >= ? AND received_utc_ms < ? "
            "AND (closed_utc_ms IS NULL OR closed_utc_ms >= ?) "
            "ORDER BY received_utc_ms, rid LIMIT ?"
        )
        params = (since_ms, until_ms, until_ms, limit)
        return [AlertRow._make(r) for r in self._query(sql, params)]

    def journal_named(
        self, names: tuple[str, ...], since_ms: int | None = None, until_ms: int | None = None
    ) -> Iterator[JournalEntry]:
        """The journal entries of these event or effect names only (SQLite picks them out)."""
        marks = ", ".join("?" * len(names))
        sql = (
            "SELECT id, utc_ms, payload FROM records WHERE utc_ms >= ? AND utc_ms < ? "
            f"AND kind = ? AND json_extract(payload, '$.name') IN ({marks}) ORDER BY id"
        )
        params = (*_bounds(since_ms, until_ms), JOURNAL, *names)
        for rid, utc_ms, text in self._query(sql, params):
            p = json.loads(text)
            yield JournalEntry(rid, utc_ms, p["stream"], p["name"], p["data"])

    def records(
        self, since_ms: int | None = None, until_ms: int | None = None, kind: str | None = None
    ) -> Iterator[StoredRecord]:
        """Records stamped in the range (of one kind if given), in chain order."""
        sql = (
            "SELECT id, kind, utc_ms, payload, prev_hash, hash FROM records "
            "WHERE utc_ms >= ? AND utc_ms < ?"
        )
        params: tuple[Any, ...] = _bounds(since_ms, until_ms)
        if kind is not None:
            sql += " AND kind = ?"
            params += (kind,)
        for row in self._query(sql + " ORDER BY id", params):
            yield StoredRecord(row[0], row[1], row[2], row[3], bytes(row[4]), bytes(row[5]))

    def line_version_records(self, until_ms: int | None = None) -> Iterator[StoredRecord]:
        """The `line_version` records stamped before ``until_ms``, in chain order, through their
        own index (the literal kind lets SQLite use it; a bound one would not)."""
        sql = (
            "SELECT id, kind, utc_ms, payload, prev_hash, hash FROM records "
            "WHERE kind = 'line_version' AND utc_ms >= ? AND utc_ms < ? ORDER BY id"
        )
        for row in self._query(sql, _bounds(None, until_ms)):
            yield StoredRecord(row[0], row[1], row[2], row[3], bytes(row[4]), bytes(row[5]))

    def span(self, since_ms: int | None = None, until_ms: int | None = None) -> tuple[int, int]:
        """(first id, last id) of the records stamped in the range; (1, 0) when none is. The
        ids between them may include a record stamped just outside it: a stamp is taken when
        a thing happens, the id when it commits."""
        row = self._query(
            "SELECT min(id), max(id) FROM records WHERE utc_ms >= ? AND utc_ms < ?",
            _bounds(since_ms, until_ms),
        ).fetchone()
        return (1, 0) if row[0] is None else (int(row[0]), int(row[1]))

    def chain(self, first_id: int = 0, last_id: int = _FAR_FUTURE) -> Iterator[StoredRecord]:
        """Records with ids in [first_id, last_id], in chain order."""
        sql = (
            "SELECT id, kind, utc_ms, payload, prev_hash, hash FROM records "
            "WHERE id BETWEEN ? AND ? ORDER BY id"
        )
        for row in self._query(sql, (first_id, last_id)):
            yield StoredRecord(row[0], row[1], row[2], row[3], bytes(row[4]), bytes(row[5]))

    def journal(
        self, since_ms: int | None = None, until_ms: int | None = None
    ) -> Iterator[JournalEntry]:
        """The event journal in order: what the core was fed and what it did."""
        for record in self.records(since_ms, until_ms, kind=JOURNAL):
            p = record.payload()
            yield JournalEntry(record.id, record.utc_ms, p["stream"], p["name"], p["data"])

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every query inside sees the same state of the file (one read transaction)."""
        self._conn.execute("BEGIN")
        try:
            yield
        finally:
            self._conn.execute("ROLLBACK")

    def chain_base(self) -> tuple[int, bytes]:
        """Where the chain in the file starts: the last retention checkpoint's through_id and
        through_hash, else 0 and the genesis value."""
        row = self._query(
            "SELECT payload FROM records WHERE entity = ? ORDER BY id DESC LIMIT 1",
            (CHECKPOINT_ENTITY,),
        ).fetchone()
        if row is None:
            return 0, bytes(32)
        payload = json.loads(row[0])
        return int(payload["through_id"]), bytes.fromhex(payload["through_hash"])

    def id_span(self) -> tuple[int, int] | None:
        """The first and last record ids, or None for an empty log."""
        row = self._query("SELECT min(id), max(id) FROM records", ()).fetchone()
        return None if row[0] is None else (int(row[0]), int(row[1]))

    def first_id_since(self, utc_ms: int) -> int | None:
        """The id of the first record (in chain order) stamped at or after `utc_ms`."""
        sql = "SELECT id FROM records WHERE utc_ms >= ? ORDER BY id LIMIT 1"
        row = self._query(sql, (utc_ms,)).fetchone()
        return None if row is None else int(row[0])

    def head(self) -> tuple[int, bytes]:
        """The last record's id and hash (0 and zeros when empty)."""
        row = self._query("SELECT id, hash FROM records ORDER BY id DESC LIMIT 1", ()).fetchone()
        return (0, bytes(32)) if row is None else (int(row[0]), bytes(row[1]))

    def outbox(self) -> dict[str, int]:
        """Each outbox cursor's last sent record id (none in a file from before schema 2)."""
        try:
            rows = self._conn.execute("SELECT name, sent_id FROM outbox").fetchall()
        except sqlite3.OperationalError:  # no outbox table: nothing is waiting to be sent
            return {}
        return {str(name): int(sent) for name, sent in rows}

    def _query(self, sql: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise db.translate(exc, self.path) from exc


def _bounds(since_ms: int | None, until_ms: int | None) -> tuple[int, int]:
    return (
        _FAR_PAST if since_ms is None else since_ms,
        _FAR_FUTURE if until_ms is None else until_ms,
    )
