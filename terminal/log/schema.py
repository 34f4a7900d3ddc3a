"""The database schema, versioned with PRAGMA user_version, and the migrations between versions.

Each migration runs in its own transaction with the version bump, so a crash leaves the file at
either the old or the new version. Append a new step to MIGRATIONS; never edit a shipped one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from terminal.log.compact import ALERT_WIRE_FIELDS, FORMAT, SUSPECT
from terminal.log.errors import LogSchemaError

Migration = Callable[[sqlite3.Connection], None]

_V1 = """
CREATE TABLE records (
    id        INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL,
    utc_ms    INTEGER NOT NULL,
    payload   TEXT    NOT NULL,
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL,
    entity    TEXT
);
CREATE INDEX records_entity ON records (entity, id) WHERE entity IS NOT NULL;
CREATE TABLE calls (
    rid             INTEGER PRIMARY KEY,
    call_id         TEXT    NOT NULL UNIQUE,
    direction       TEXT    NOT NULL,
    operator        TEXT,
    rung_utc_ms     INTEGER NOT NULL,
    answered_utc_ms INTEGER,
    answered_by     TEXT,
    ended_utc_ms    INTEGER,
    outcome         TEXT,
    ended_by        TEXT,
    transmissions   INTEGER NOT NULL,
    transmit_ms     INTEGER NOT NULL,
    notes           TEXT    NOT NULL,
    recording       TEXT
);
CREATE INDEX calls_rung ON calls (rung_utc_ms);
CREATE TABLE alerts (
    rid             INTEGER PRIMARY KEY,
    alert_id        TEXT    NOT NULL UNIQUE,
    boot_id         TEXT    NOT NULL,
    alert_seq       INTEGER NOT NULL,
    pair_id         TEXT    NOT NULL,
    severity        TEXT    NOT NULL,
    consistent      INTEGER NOT NULL,
    received_utc_ms INTEGER NOT NULL,
    fields          TEXT    NOT NULL,
    acked_utc_ms    INTEGER,
    acked_by        TEXT,
    closed_utc_ms   INTEGER,
    closed_reason   TEXT
);
CREATE INDEX alerts_received ON alerts (received_utc_ms);
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
"""


def _v1(conn: sqlite3.Connection) -> None:
    for statement in _V1.split(";"):
        if statement.strip():
            conn.execute(statement)


_V2 = """
CREATE TABLE outbox (
    name           TEXT    PRIMARY KEY,
    sent_id        INTEGER NOT NULL,
    updated_utc_ms INTEGER NOT NULL
) WITHOUT ROWID
"""


def _v2(conn: sqlite3.Connection) -> None:
    """The outbox: one cursor per consumer (the MQTT publisher is "mqtt"). Every record with an
    id above `sent_id` is still to be sent; the chain covers `records` only, not this table."""
    conn.execute(_V2)


RECORD_COLUMNS: tuple[str, ...] = (
    "boot_id",
    "alert_seq",
    "pair_id",
    "severity",
    "consistent",
    "fields",
)
"""The alerts columns that copy the alert_received record: NULL in a row whose `rid` is that
record (schema 3), read from its payload instead (`ALERT_ROWS`)."""


def _from_record_v3(column: str) -> str:
    arrow = "->" if column == "fields" else "->>"
    return (
        f"CASE WHEN a.{column} IS NOT NULL THEN a.{column} "
        f"WHEN json_valid(r.payload) THEN r.payload {arrow} '$.{column}' END AS {column}"
    )


_ALERT_ROWS_V3 = (
    "SELECT a.rid AS rid, a.alert_id AS alert_id, "
    + ", ".join(_from_record_v3(c) for c in RECORD_COLUMNS[:5])
    + ", a.received_utc_ms AS received_utc_ms, "
    + _from_record_v3("fields")
    + ", a.acked_utc_ms AS acked_utc_ms, a.acked_by AS acked_by, "
    "a.closed_utc_ms AS closed_utc_ms, a.closed_reason AS closed_reason, "
    "a.fields IS NULL AS slim FROM alerts a LEFT JOIN records r ON r.id = a.rid"
)
"""The view `alert_rows` of schema 3 and 4 (object payloads only), as shipped."""

_V3_TABLE = """
CREATE TABLE alerts_v3 (
    rid             INTEGER PRIMARY KEY,
    alert_id        TEXT    NOT NULL UNIQUE,
    boot_id         TEXT,
    alert_seq       INTEGER,
    pair_id         TEXT,
    severity        TEXT,
    consistent      INTEGER,
    received_utc_ms INTEGER NOT NULL,
    fields          TEXT,
    acked_utc_ms    INTEGER,
    acked_by        TEXT,
    closed_utc_ms   INTEGER,
    closed_reason   TEXT
)
"""


def _v3(conn: sqlite3.Connection) -> None:
    """Alerts rows keep what the records do not say (issue 21: no field stored twice): the
    columns an alert_received record says are NULL in its alert's row and read from its
    payload (`ALERT_ROWS`, the view `alert_rows`). A row whose record is gone (carried by
    retention) or says otherwise keeps them all. Records are not touched."""
    conn.execute(_V3_TABLE)
    same = " AND ".join(
        f"+a.{c} IS r.payload {'->' if c == 'fields' else '->>'} '$.{c}'" for c in RECORD_COLUMNS
    )
    slim = (
        "CASE WHEN r.kind IS NOT 'alert_received' OR NOT json_valid(r.payload) THEN 0 "
        f"ELSE {same} END"
    )
    kept = ", ".join(f"CASE WHEN s THEN NULL ELSE {c} END" for c in RECORD_COLUMNS[:5])
    conn.execute(
        f"INSERT INTO alerts_v3 SELECT rid, alert_id, {kept}, received_utc_ms, "
        "CASE WHEN s THEN NULL ELSE fields END, acked_utc_ms, acked_by, closed_utc_ms, "
        f"closed_reason FROM (SELECT a.*, coalesce({slim}, 0) AS s FROM alerts a "
        "LEFT JOIN records r ON r.id = a.rid)"
    )
    conn.execute("DROP TABLE alerts")
    conn.execute("ALTER TABLE alerts_v3 RENAME TO alerts")
    conn.execute("CREATE INDEX alerts_received ON alerts (received_utc_ms)")
    conn.execute(f"CREATE VIEW alert_rows AS {_ALERT_ROWS_V3}")


LINE_VERSIONS_INDEX = "records_line_versions"


def _v4(conn: sqlite3.Connection) -> None:
    """An index of the `line_version` records alone, so the desk finds the line's history at
    start without reading a million alerts (`LogReader.line_version_records`)."""
    conn.execute(
        f"CREATE INDEX {LINE_VERSIONS_INDEX} ON records (id) WHERE kind = 'line_version'"
    )


def _compact_fields(count: int, suspect: bool) -> str:
    """The canonical text of the fields of a format 2 payload with `count` ALERT values (and its
    `_suspect`): a JSON object, keys sorted, each value the payload's own JSON text."""
    pairs = [(name, f"r.payload -> '$[3][{i}]'") for i, name in enumerate(ALERT_WIRE_FIELDS)]
    pairs = pairs[:count] + ([(SUSPECT, "r.payload -> '$[4]'")] if suspect else [])
    return "json_object(" + ", ".join(f"'{k}', {v}" for k, v in sorted(pairs)) + ")"


_COMPACT = {
    "boot_id": "substr(r.payload ->> '$[1]', 1, "
    "length(r.payload ->> '$[1]') - length(r.payload ->> '$[3][0]') - 1)",
    "alert_seq": "r.payload ->> '$[3][0]'",
    "pair_id": "r.payload ->> '$[3][1]'",
    "severity": "lower(r.payload ->> '$[3][3]')",
    "consistent": "r.payload ->> '$[2]'",
    "fields": "CASE json_array_length(r.payload, '$[3]') * 10 + json_array_length(r.payload) "
    + " ".join(
        f"WHEN {count * 10 + 4 + suspect} THEN {_compact_fields(count, bool(suspect))}"
        for count in (23, 24)
        for suspect in (0, 1)
    )
    + " END",
}
"""Each record column of an alerts row, read from an alert_received payload of format 2
(terminal/log/compact.py, docs/log.md section 2)."""


def _from_record(column: str) -> str:
    arrow = "->" if column == "fields" else "->>"
    return (
        f"CASE WHEN a.{column} IS NOT NULL THEN a.{column} "
        "WHEN NOT json_valid(r.payload) THEN NULL "
        f"WHEN substr(r.payload, 1, 3) = '[{FORMAT},' THEN {_COMPACT[column]} "
        f"ELSE r.payload {arrow} '$.{column}' END AS {column}"
    )


ALERT_ROWS = (
    "SELECT a.rid AS rid, a.alert_id AS alert_id, "
    + ", ".join(_from_record(c) for c in RECORD_COLUMNS[:5])
    + ", a.received_utc_ms AS received_utc_ms, "
    + _from_record("fields")
    + ", a.acked_utc_ms AS acked_utc_ms, a.acked_by AS acked_by, "
    "a.closed_utc_ms AS closed_utc_ms, a.closed_reason AS closed_reason, "
    "a.fields IS NULL AS slim FROM alerts a LEFT JOIN records r ON r.id = a.rid"
)
"""Every alert's whole row (the columns of `AlertRow`, then `slim`: 1 when the row reads its
record's fields from the record), from an alert_received payload of either format: the view
`alert_rows` from schema 5, and what the code reads as a common table expression
(`WITH alert_rows AS (...)`), so a file of an older schema reads the same."""


def _v5(conn: sqlite3.Connection) -> None:
    """`alert_rows` reads the compact alert_received payload (format 2) as well as the object
    (format 1): the records are not touched, old ones keep their format."""
    conn.execute("DROP VIEW IF EXISTS alert_rows")
    conn.execute(f"CREATE VIEW alert_rows AS {ALERT_ROWS}")


MIGRATIONS: tuple[Migration, ...] = (_v1, _v2, _v3, _v4, _v5)
"""MIGRATIONS[n] takes a database from version n to n + 1."""


def version(conn: sqlite3.Connection) -> int:
    """The schema version of an open database (0 = empty)."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database up to the latest version; return that version.

    `conn` must be in autocommit mode (isolation_level=None). Raises LogSchemaError for a file
    newer than this program.
    """
    current = version(conn)
    if current > len(migrations):
        raise LogSchemaError(
            f"the log database is at schema version {current}, but this hotline knows only up to "
            f"{len(migrations)}: it was written by a newer hotline"
        )
    while current < len(migrations):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if version(conn) == current:  # another process may have migrated meanwhile
                migrations[current](conn)
                conn.execute(f"PRAGMA user_version = {current + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        current = version(conn)
    return current
