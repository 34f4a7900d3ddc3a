"""Verify's SQL-only checks on their own read-only connections, in threads beside the chain walk.

SQLite releases the GIL while a statement runs, so `PRAGMA quick_check` and the alerts row
check go on in C on other cores while Python walks the chain. Each side connection reads the
same snapshot as the main one (`begin_together`), so every check still sees one state of the file.
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

_READ = "SELECT count(*) FROM sqlite_schema"  # any read starts the snapshot (WAL)


def _data_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def begin_together(main: sqlite3.Connection, sides: list[sqlite3.Connection]) -> bool:
    """Open a read transaction on each connection; True if all read one snapshot.

    `main` reads once (a first snapshot), then each side starts its own, then `main` starts
    again: its `data_version` moves only if another connection committed between its two
    starts, and the sides started inside that span. On False (a commit came between), the
    transactions are left open: the caller rolls them back and tries again.
    """
    main.execute("BEGIN")
    main.execute(_READ).fetchone()
    before = _data_version(main)
    main.execute("ROLLBACK")
    for conn in sides:
        conn.execute("BEGIN")
        conn.execute(_READ).fetchone()
    main.execute("BEGIN")
    main.execute(_READ).fetchone()
    return _data_version(main) == before


class SideQuery:
    """One statement run to its end on its own connection in a thread; `result()` joins it."""

    def __init__(self, pool: ThreadPoolExecutor, conn: sqlite3.Connection) -> None:
        self._pool = pool
        self.conn = conn
        self._future: Future[list[Any]] | None = None

    def start(self, statement: str, params: Any = ()) -> None:
        """Begin running `statement` (every row fetched in the thread)."""
        self._future = self._pool.submit(self._run, statement, params)

    def _run(self, statement: str, params: Any) -> list[Any]:
        return self.conn.execute(statement, params).fetchall()

    def result(self) -> list[Any]:
        """Its rows, once it ends (its exception, if it raised one)."""
        assert self._future is not None, "result() before start()"
        return self._future.result()

    def failed(self) -> BaseException | None:
        """Wait for it to end; the exception it raised, if any (None if never started)."""
        if self._future is None:
            return None
        return self._future.exception()

    def stop(self) -> None:
        """Interrupt it if it still runs and wait for it (its connection can then close)."""
        if self._future is not None and not self._future.done():
            self.conn.interrupt()
        if self._future is not None:
            self._future.exception()
