"""The database schema, versioned with PRAGMA user_version, and the migrations between versions.

Each migration runs in its own transaction with the version bump, so a crash leaves the file at
either the old or the new version. Append a new step to MIGRATIONS; never edit a shipped one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

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


MIGRATIONS: tuple[Migration, ...] = (_v1, _v2)
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
