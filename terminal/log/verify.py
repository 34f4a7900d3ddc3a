"""Verify the record: the hash chain, and that the calls and alerts tables say what the records say.

The chain walk names the first record that was altered, removed or inserted. The projection check
folds each call's and alert's records again (streaming, merged with the table in key order, so
memory stays flat on a million alerts) and names any row that differs, is missing or has no
records. The head (last id and hash) is also kept in `meta`, so cutting records off the end shows.
On a large log each record's own check runs in worker processes by id range (`verify_pool`,
`verify_range`); the walk here goes past what they vouch for and checks the rest itself.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from terminal.log import db, witness
from terminal.log.archive import read_records
from terminal.log.chain import GENESIS, record_hash
from terminal.log.compact import decode
from terminal.log.records import (
    CHECKPOINT_ENTITY,
    ENTITY_KINDS,
    KINDS,
    SIGNED_CHECKPOINT,
    entity_of,
)
from terminal.log.rows import ALERT_COLUMNS, CALL_COLUMNS, AlertRow, CallRow, Record, Row, fold
from terminal.log.schema import ALERT_ROWS, RECORD_COLUMNS
from terminal.log.seals import SealCheck
from terminal.log.side import SideQuery, begin_together
from terminal.log.verify_pool import RangeWorkers, split, worker_count
from terminal.log.verify_range import (
    ALERT_PREFIX,
    Odd,
    RecordRow,
    intact_plain,
    suspect_alert,
)

MAX_PROBLEMS = 100
VERIFY_CACHE_KIB = 32 * 1024
"""Verify's page cache: the indexes it probes for every alert stay in memory (SQLite's: 2 MiB)."""
ChainRow = tuple[int, str, int, str, bytes, bytes]
"""id, kind, utc_ms, payload text, prev_hash, hash."""


@dataclass(frozen=True)
class Problem:
    """One thing verify found wrong: the record (if one can be named), and what."""

    record_id: int | None
    what: str

    def __str__(self) -> str:
        return self.what if self.record_id is None else f"record {self.record_id}: {self.what}"


@dataclass
class VerifyReport:
    """What verify checked and found; `ok` when nothing is wrong."""

    path: str
    records: int = 0
    first_id: int | None = None
    head_id: int = 0
    head_hash: str = GENESIS.hex()
    calls: int = 0
    alerts: int = 0
    integrity: str = "not checked"
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    notes: list[str] = field(default_factory=list)
    """What the signatures and witnesses proved, and what could not be checked (docs/record.md)."""
    signed: int = 0
    """Signed checkpoints in the log."""
    pending: int = 0
    """Records a retention checkpoint archived that are still in the file (not counted)."""
    base_id: int = 0
    """Where the chain starts: the last retention checkpoint's through_id (0: record 1)."""

    @property
    def ok(self) -> bool:
        """True if the chain, the head, the projections and the file are all intact."""
        return self.problem_count == 0

    @property
    def first(self) -> Problem | None:
        """The first problem: the lowest record id named, else the first row found wrong."""
        return self.problems[0] if self.problems else None

    def add(self, problem: Problem) -> None:
        """Note a problem (keeping the first MAX_PROBLEMS)."""
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


class ChainWalker:
    """Walks records in id order from a base (the id and hash the first record must follow)."""

    def __init__(self, base_id: int, base_hash: bytes) -> None:
        self.last_id = base_id
        self.last_hash = base_hash
        self._before_last: bytes | None = None
        self.count = 0

    def advance(self, rid: int, digest: bytes) -> None:
        """Go on past a record already found intact (the next id, chained to the last)."""
        self.count += 1
        self._before_last = self.last_hash
        self.last_id = rid
        self.last_hash = digest

    def advance_run(self, count: int, last_id: int, last_hash: bytes, before_last: bytes) -> None:
        """Go on past `count` records found intact and chained, as `advance` on each would."""
        self.count += count
        self._before_last = before_last
        self.last_id = last_id
        self.last_hash = last_hash

    def feed(self, row: ChainRow) -> list[Problem]:
        """Check one record; afterwards the walk continues from its stored hash."""
        rid, kind, utc_ms, payload, prev_hash, digest = row
        prev_hash, digest = bytes(prev_hash), bytes(digest)
        problems = self._check(rid, kind, utc_ms, payload, prev_hash, digest)
        self.count += 1
        if rid > self.last_id:
            self._before_last = self.last_hash
            self.last_id = rid
            self.last_hash = digest
        return problems

    def _check(
        self, rid: int, kind: str, utc_ms: int, payload: str, prev_hash: bytes, digest: bytes
    ) -> list[Problem]:
        expected_id = self.last_id + 1
        if rid < expected_id:
            return [Problem(rid, f"inserted: it comes before record {expected_id} in the chain")]
        problems: list[Problem] = []
        intact = record_hash(prev_hash, rid, kind, utc_ms, payload) == digest
        if rid > expected_id:
            gone = (
                f"record {expected_id}"
                if rid == expected_id + 1
                else (f"records {expected_id}..{rid - 1}")
            )
            problems.append(Problem(expected_id, f"removed ({gone} missing before {rid})"))
        elif prev_hash != self.last_hash:
            if prev_hash == self._before_last:
                text = f"inserted: record {rid} is chained to the record before it"
                problems.append(Problem(rid - 1, text))
            elif intact:
                text = f"altered (its hash was rewritten): record {rid} is chained to another"
                problems.append(Problem(rid - 1, text))
        if not intact:
            problems.append(Problem(rid, "altered: its content does not match its hash"))
        elif kind not in KINDS:
            problems.append(Problem(rid, f"unknown kind {kind!r}"))
        return problems


@dataclass(frozen=True)
class Trust:
    """What `verify` checks beyond the file: signatures by `keys` (None: not checked), and
    agreement with witness files for `desk` (None: the desk the log's checkpoints name)."""

    keys: Sequence[str] | None = None
    witnesses: Sequence[tuple[str, Sequence[witness.Seen]]] = ()
    desk: str | None = None

    @classmethod
    def of(
        cls, keys: Sequence[str] | None, files: Sequence[Path], desk: str | None = None
    ) -> Trust:
        """Read the witness files (WitnessError for one that cannot be read)."""
        return cls(keys, [(str(p), witness.read(p)) for p in files], desk)


def verify(
    path: Path | str,
    *,
    integrity: bool = True,
    trust: Trust | None = None,
    workers: int | None = None,
) -> VerifyReport:
    """Verify the log database at `path` (read-only; safe while the terminal is writing).
    `workers`: processes checking the records' hashes (None: `verify_pool.worker_count`)."""
    path = Path(path)
    conn = db.connect_ro(path)
    others: list[sqlite3.Connection] = []
    try:
        conn.execute(f"PRAGMA cache_size = -{VERIFY_CACHE_KIB}")
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="verify") as pool:
            try:
                sides = _begin(conn, path, pool, integrity, others)
                return verify_connection(
                    conn, str(path), integrity=integrity, trust=trust, sides=sides, workers=workers
                )
            except sqlite3.DatabaseError as exc:
                raise db.translate(exc, path) from exc
            finally:
                for other in [conn, *others]:
                    if other.in_transaction:
                        other.execute("ROLLBACK")
    finally:
        for other in others:
            other.close()
        conn.close()


@dataclass
class Sides:
    """The checks run beside the chain walk, each on its own connection (None: on the main)."""

    quick: SideQuery | None = None
    """`PRAGMA quick_check`."""
    table: SideQuery | None = None
    """`_UNEXPLAINED`: the alerts whose row the records may not explain."""

    def stop(self) -> None:
        """Wait for both to end (interrupting what still runs)."""
        for side in (self.quick, self.table):
            if side is not None:
                side.stop()


SNAPSHOT_TRIES = 5
"""Attempts to start the side connections on the main one's snapshot (a commit between two
starts spoils one attempt); after that, every check runs on the main connection."""


def _begin(
    conn: sqlite3.Connection,
    path: Path,
    pool: ThreadPoolExecutor,
    integrity: bool,
    opened: list[sqlite3.Connection],
) -> Sides:
    """Open the side connections and one read transaction on all of them, on one snapshot."""
    quick = db.connect_ro(path) if integrity else None
    table = db.connect_ro(path)
    opened.extend(c for c in (quick, table) if c is not None)
    table.execute(f"PRAGMA cache_size = -{VERIFY_CACHE_KIB}")
    for _ in range(SNAPSHOT_TRIES):
        if begin_together(conn, opened):
            return Sides(None if quick is None else SideQuery(pool, quick), SideQuery(pool, table))
        for other in [conn, *opened]:
            if other.in_transaction:
                other.execute("ROLLBACK")
    conn.execute("BEGIN")  # the desk kept committing: everything in turn, on one connection
    return Sides()


def verify_connection(
    conn: sqlite3.Connection,
    name: str,
    *,
    integrity: bool,
    trust: Trust | None = None,
    sides: Sides | None = None,
    workers: int | None = 1,
) -> VerifyReport:
    """All checks over an open connection (in a read transaction); `sides` run the SQL-only
    ones on other connections of the same snapshot, beside the chain walk. The report is the
    same either way: the integrity problem is put first, as if it had been found first.
    `workers` (None: as many as `verify_pool.worker_count` says) check the records' hashes in
    processes of their own, reading the file `name` (records up to this snapshot's last)."""
    sides = sides or Sides()
    report = VerifyReport(path=name)
    chain_workers: RangeWorkers | None = None
    try:
        if integrity and sides.quick is not None:
            sides.quick.start("PRAGMA quick_check(5)")
        elif integrity:
            _note_integrity(report, conn.execute("PRAGMA quick_check(5)").fetchall())
        base_id, base_hash = _chain_base(conn)
        if workers != 1:
            chain_workers = _start_workers(conn, Path(name), workers, base_id)
        if sides.table is not None:
            sides.table.start(_UNEXPLAINED, {"base": base_id})
        trust = trust or Trust()
        seals = SealCheck(None if trust.keys is None else list(trust.keys))
        suspects: set[str] = set()
        _check_chain(conn, report, seals, suspects, (base_id, base_hash), chain_workers)
        report.signed = seals.count
        report.notes.extend(seals.notes(report.head_id))
        if trust.keys is not None and seals.count == 0 and report.records:
            report.add(Problem(None, "no signed checkpoint in the log: nothing is signed by --key "
                                     "(the desk ran with no [log] checkpoint_key)"))  # fmt: skip
        _check_witnesses(conn, report, trust, seals.desk)
        report.calls = _check_table(conn, report, "calls", CALL_COLUMNS, "call_id", CallRow._make)
        unexplained = None if sides.table is None else sides.table.result()
        report.alerts = _check_alerts(conn, report, suspects, unexplained)
        if sides.quick is not None:
            _note_integrity(report, sides.quick.result())
    except sqlite3.DatabaseError:
        failed = None if sides.quick is None else sides.quick.failed()
        if isinstance(failed, sqlite3.DatabaseError):
            raise failed from None  # quick_check ran first: its error is the one to report
        raise
    finally:
        if chain_workers is not None:
            chain_workers.stop()
        sides.stop()
    report.problems.sort(key=_order)
    return report


def _start_workers(
    conn: sqlite3.Connection, path: Path, workers: int | None, base_id: int
) -> RangeWorkers | None:
    """Start the processes that check the records' hashes, over the ids this snapshot holds
    (a record appended since is past the last range); None for one process (no workers)."""
    lo, hi = conn.execute("SELECT min(id), max(id) FROM records").fetchone()
    if lo is None:
        return None
    count = worker_count(hi - lo + 1, workers)
    if count == 1:
        return None
    return RangeWorkers(path, split(lo, hi, count), base_id)


def _note_integrity(report: VerifyReport, rows: list[Any]) -> None:
    """Record what quick_check said; its problem goes first among the problems (it is the
    first check: with threads it may finish last)."""
    lines = [str(row[0]) for row in rows]
    report.integrity = "ok" if lines == ["ok"] else "; ".join(lines)
    if report.integrity != "ok":
        report.problem_count += 1
        report.problems.insert(
            0, Problem(None, f"SQLite integrity check failed: {report.integrity}")
        )
        del report.problems[MAX_PROBLEMS:]


def _order(problem: Problem) -> tuple[bool, int]:
    """Records first, by id (the first record altered, removed or inserted); then rows."""
    return problem.record_id is None, problem.record_id or 0


def _chain_base(conn: sqlite3.Connection) -> tuple[int, bytes]:
    """Where the chain starts: after the last retention checkpoint, else at the beginning."""
    row = conn.execute(
        "SELECT payload FROM records WHERE entity = ? ORDER BY id DESC LIMIT 1",
        (CHECKPOINT_ENTITY,),
    ).fetchone()
    if row is None:
        return 0, GENESIS
    payload = json.loads(row[0])
    return int(payload["through_id"]), bytes.fromhex(payload["through_hash"])


def _check_witnesses(
    conn: sqlite3.Connection, report: VerifyReport, trust: Trust, logged_desk: str | None
) -> None:
    """Compare the log with each witness file; note what could not be checked."""
    if not trust.witnesses:
        report.notes.append("witnesses: none given: a rewrite of the whole file by someone "
                            "holding the signing key would not show")  # fmt: skip
        return
    desk = trust.desk or logged_desk
    if desk is None:
        named = set().union(*(witness.desks_in(seen) for _, seen in trust.witnesses))
        if len(named) > 1:
            report.add(Problem(None, f"the witnesses hold checkpoints of {len(named)} desks and "
                                     "the log names none: give --desk SITE/DESK"))  # fmt: skip
            return
        desk = next(iter(named), None)
    for name, seen in trust.witnesses:
        agreement, found = witness.compare(
            conn, Path(name).name, seen, desk, report.head_id, report.first_id
        )
        for record_id, what in found:
            report.add(Problem(record_id, what))
        through = f" through record {agreement.through}" if agreement.through else ""
        parts = [
            f"witness {Path(name).name}: {agreement.agreed} of this desk's heads agree{through}"
        ]
        if agreement.archived:
            parts.append(f"{agreement.archived} older than the database (check the archives)")
        if agreement.other_desks:
            parts.append(f"{agreement.other_desks} of other desks left aside")
        if not agreement.agreed and not found:
            parts.append("nothing in it could be checked against this log")
        report.notes.append("; ".join(parts))


def _check_chain(
    conn: sqlite3.Connection,
    report: VerifyReport,
    seals: SealCheck,
    suspects: set[str],
    base: tuple[int, bytes],
    workers: RangeWorkers | None = None,
) -> None:
    """Walk the chain from its base (`_chain_base`) and check the head; add to `suspects` every
    alert with a record that `_check_alerts` must fold in Python. With `workers`, they have
    checked each record on its own, and the walk goes past their runs in one step each."""
    check = ChainCheck(report, seals, suspects, *base)
    if workers is None:
        check.walk(conn)
    else:
        check.stitch(conn, workers)
    check.finish(conn)


class ChainCheck:
    """The chain walk's state; `row` checks the next record in id order (the walk as it was in
    one process), `stitch` goes past the workers' runs and checks the rest with `row`."""

    def __init__(
        self,
        report: VerifyReport,
        seals: SealCheck,
        suspects: set[str],
        base_id: int,
        base_hash: bytes,
    ) -> None:
        self.report = report
        self.seals = seals
        self.suspects = suspects
        self.base_id = base_id
        self.base_hash = base_hash
        self.walker = ChainWalker(base_id, base_hash)
        self.pending = 0
        report.base_id = base_id

    def walk(self, conn: sqlite3.Connection, after: int | None = None, upto: int = 0) -> None:
        """Check every record, or those with after < id <= upto, in id order."""
        query = "SELECT id, kind, utc_ms, payload, prev_hash, hash, entity FROM records"
        if after is None:
            cursor = conn.execute(f"{query} ORDER BY id")
        elif upto > after:
            cursor = conn.execute(f"{query} WHERE id > ? AND id <= ? ORDER BY id", (after, upto))
        else:
            return
        for row in cursor:
            self.row(row)

    def follows(self, rid: int, prev_hash: bytes) -> bool:
        """Whether a record found intact and plain on its own takes the common case here."""
        walker = self.walker
        return (
            rid == walker.last_id + 1
            and rid > self.base_id
            and prev_hash == walker.last_hash
            and self.report.first_id is not None
        )

    def stitch(self, conn: sqlite3.Connection, workers: RangeWorkers) -> None:
        """Go through the workers' results in id order. A run that follows the walk is passed
        in one step; anything else (an odd record, a run that does not follow, ids the worker
        did not see) is checked here with `row`, on this connection's snapshot."""
        covered = workers.ranges[0][0] - 1  # every record with an id <= covered is checked
        for result in workers.results():
            self.suspects |= result.suspects
            for item in result.items:
                if isinstance(item, Odd):
                    rid = item.row[0]
                    if rid == covered + 1:
                        self.row(item.row)
                    else:
                        self.walk(conn, covered, rid)
                    covered = rid
                    continue
                if item.first_id == covered + 1 and self.follows(item.first_id, item.first_prev):
                    self.walker.advance_run(item.length, item.last_id, item.last_hash,
                                            item.before_last)  # fmt: skip
                elif item.length > 1:
                    self.walk(conn, covered, item.first_id)
                    if self.follows(item.first_id + 1, item.first_hash):
                        self.walker.advance_run(item.length - 1, item.last_id, item.last_hash,
                                                item.before_last)  # fmt: skip
                    else:
                        self.walk(conn, item.first_id, item.last_id)
                else:
                    self.walk(conn, covered, item.first_id)
                covered = item.last_id
        self.walk(conn, covered, workers.ranges[-1][1])

    def row(self, row: RecordRow) -> None:
        """Check the next record in id order."""
        rid, kind, utc_ms, payload, prev_hash, digest, entity = row
        walker, report, base_id = self.walker, self.report, self.base_id
        if (  # the common case: the record follows, is intact and plain (as a worker's test)
            rid == walker.last_id + 1
            and prev_hash == walker.last_hash
            and report.first_id is not None
            and intact_plain(row, base_id)
        ):
            walker.advance(rid, digest)
            if (suspect := suspect_alert(kind, payload, entity)) is not None:
                self.suspects.add(suspect)
            return
        if rid <= base_id:  # archived, not yet removed (retention was interrupted)
            if self.pending == 0:
                self.walker = walker = ChainWalker(rid - 1, bytes(prev_hash))
            self.pending += 1
            problems = walker.feed(row[:6])
            if rid == base_id and walker.last_hash != self.base_hash:
                problems.append(Problem(rid, "altered: it is not the record the retention "
                                             "checkpoint archived"))  # fmt: skip
                walker.last_hash = self.base_hash  # the chain goes on from the checkpoint
            for problem in problems:
                report.add(problem)
            return
        if self.pending and walker.last_id < base_id:
            gone = f"records {walker.last_id + 1}..{base_id} missing before {rid}"
            report.add(Problem(walker.last_id + 1, f"removed ({gone})"))
            walker.last_id, walker.last_hash = base_id, self.base_hash
        if report.first_id is None:
            report.first_id = rid
        if entity is not None and entity.startswith(ALERT_PREFIX):  # not intact, or the first
            self.suspects.add(entity[len(ALERT_PREFIX) :])
        problems = walker.feed(row[:6])
        if not problems and (kind in ENTITY_KINDS) != (entity is not None):
            problems.append(Problem(rid, "altered: its entity column does not match its kind"))
        if not problems and kind == SIGNED_CHECKPOINT:
            for found in self.seals.feed(rid, utc_ms, payload, bytes(prev_hash)):
                problems.append(Problem(found.record_id, found.what))
        for problem in problems:
            report.add(problem)

    def finish(self, conn: sqlite3.Connection) -> None:
        """Fill in the report's count and head, and check the head kept in `meta`."""
        report, walker, pending, base_id = self.report, self.walker, self.pending, self.base_id
        report.pending = pending
        report.records = walker.count - pending
        report.head_id, report.head_hash = walker.last_id, walker.last_hash.hex()
        if pending:
            report.notes.append(
                f"retention: {pending} records at or before record {base_id} are archived and "
                "not yet removed (an interrupted `hotline log retain`; its next run removes "
                "them); they chain into its checkpoint"
            )
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        head_id = int(meta.get("head_id", 0))
        head_hash = bytes(meta.get("head_hash", GENESIS))
        if head_id > walker.last_id:
            gone = "record" if head_id == walker.last_id + 1 else f"records {walker.last_id + 1}..."
            ended = f"removed: the log ended at record {head_id} ({gone} gone)"
            report.add(Problem(walker.last_id + 1, ended))
        elif head_id < walker.last_id:
            report.add(Problem(head_id + 1, f"inserted after the last committed record {head_id}"))
        elif head_hash != walker.last_hash:
            report.add(Problem(head_id, "altered: it is not the head that was committed"))


def _check_table(
    conn: sqlite3.Connection,
    report: VerifyReport,
    table: str,
    columns: tuple[str, ...],
    key_column: str,
    make: Any,
) -> int:
    """Merge the table (in key order) with what the records fold to; return the row count."""
    prefix = "call:" if table == "calls" else "alert:"
    upper = prefix[:-1] + ";"  # ';' sorts right after ':'
    records = conn.execute(
        "SELECT entity, id, kind, utc_ms, payload FROM records "
        "WHERE entity >= ? AND entity < ? AND id > ? ORDER BY entity, id",
        (prefix, upper, report.base_id),
    )
    rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {key_column}")
    expected = _fold_entities(records, prefix, report)
    table_rows = ((row[1], make(row)) for row in rows)
    count = 0
    for key, want, have in _merge(expected, table_rows):
        count += have is not None
        derived, ids = want if want is not None else (None, None)
        _compare(report, table, key, derived, ids, have)
    return count


def _check_alerts(
    conn: sqlite3.Connection,
    report: VerifyReport,
    suspects: set[str],
    unexplained: list[Any] | None = None,
) -> int:
    """The alerts table against its records, a million rows in seconds. SQLite does the
    comparing (in C, each payload parsed by its JSON1 functions): the chain walk has marked the
    alerts with a record out of the ordinary (`verify_range.suspect_alert`), `_UNEXPLAINED`
    adds the alerts with records and no row and the rows that differ from their records. Only those
    alerts are folded again in Python (`fold`, the one definition) to say what is wrong, with
    the messages of `_check_table`. `unexplained`: `_UNEXPLAINED`'s rows when a side
    connection ran it (else it runs here). Return the row count."""
    count = int(conn.execute("SELECT count(*) FROM alerts").fetchone()[0])
    if unexplained is None:
        unexplained = conn.execute(_UNEXPLAINED, {"base": report.base_id}).fetchall()
    suspects = suspects | {str(row[0]) for row in unexplained}
    for key in sorted(suspects):
        records = conn.execute(
            "SELECT entity, id, kind, utc_ms, payload FROM records WHERE entity = ? AND id > ? "
            "ORDER BY id",
            (ALERT_PREFIX + key, report.base_id),
        )
        rows = conn.execute(
            f"WITH alert_rows AS ({ALERT_ROWS}) "
            f"SELECT {', '.join(ALERT_COLUMNS)} FROM alert_rows WHERE alert_id = ?",
            (key,),
        )
        expected = _fold_entities(records, ALERT_PREFIX, report)
        table_rows = ((row[1], AlertRow._make(row)) for row in rows)
        for found, want, have in _merge(expected, table_rows):
            derived, ids = want if want is not None else (None, None)
            _compare(report, "alerts", found, derived, ids, have)
    return count


_IS_ALERT = "entity >= 'alert:' AND entity < 'alert;'"  # ';' sorts right after ':'


_FIRST = (
    "(SELECT id FROM records WHERE entity = r.entity AND kind = '{kind}' AND id > a.rid "
    "ORDER BY id LIMIT 1)"
)


def _json(column: str, path: str, arrow: str = "->>") -> str:
    """`column arrow path`, NULL (not an error) when the column is not JSON."""
    return f"CASE WHEN json_valid({column}) THEN {column} {arrow} '{path}' END"


def _same(column: str, path: str, arrow: str = "->>") -> str:
    """The table's column is NULL (it is what the alert's record says: docs/log.md) or holds
    what the record says (compared without SQLite's type affinity, as Python compares)."""
    return f"CASE WHEN a.{column} IS NULL THEN 1 ELSE +a.{column} IS r.payload {arrow} '{path}' END"


def _later(kind: str, columns: tuple[tuple[str, str], ...]) -> str:
    """1 if the row's columns differ from the alert's first record of `kind` after its
    alert_received (columns NULL when there is none)."""
    differs = " OR ".join(
        f"+a.{column} IS NOT " + (f"k.{path}" if path == "utc_ms" else _json("k.payload", path))
        for column, path in columns
    )
    empty = " OR ".join(f"a.{column} IS NOT NULL" for column, _ in columns)
    first = _FIRST.format(kind=kind)
    return f"coalesce((SELECT {differs} FROM records k WHERE k.id = {first}), {empty})"


_ACKED = (("acked_utc_ms", "utc_ms"), ("acked_by", "$.operator"))
_CLOSED = (("closed_utc_ms", "utc_ms"), ("closed_reason", "$.reason"))

_UNEXPLAINED = f"""
SELECT substr(entity, 7) FROM records WHERE {_IS_ALERT} AND id > :base GROUP BY entity
HAVING NOT EXISTS (SELECT 1 FROM alerts WHERE alert_id = substr(entity, 7))
UNION ALL
SELECT a.alert_id FROM alerts a
LEFT JOIN records r ON r.id = a.rid
WHERE CASE
    WHEN r.kind IS NOT 'alert_received' OR r.entity IS NOT 'alert:' || a.alert_id
        OR +a.received_utc_ms IS NOT r.utc_ms THEN 1
    WHEN coalesce({", ".join("a." + c for c in RECORD_COLUMNS)}) IS NOT NULL
        AND NOT json_valid(r.payload) THEN 1
    WHEN NOT ({_same("boot_id", "$.boot_id")} AND {_same("alert_seq", "$.alert_seq")}
        AND {_same("pair_id", "$.pair_id")} AND {_same("severity", "$.severity")}
        AND {_same("consistent", "$.consistent")} AND {_same("fields", "$.fields", "->")}) THEN 1
    WHEN NOT EXISTS (SELECT 1 FROM records WHERE entity = r.entity AND id <> a.rid) THEN
        a.acked_utc_ms IS NOT NULL OR a.acked_by IS NOT NULL OR a.closed_utc_ms IS NOT NULL
        OR a.closed_reason IS NOT NULL
    WHEN {_later("alert_acknowledged", _ACKED)} THEN 1
    WHEN {_later("alert_closed", _CLOSED)} THEN 1
    ELSE EXISTS (SELECT 1 FROM records WHERE entity = r.entity AND kind = 'alert_received'
                 AND id < a.rid)
END
"""
"""The alerts whose row the records may not explain: records and no row (read off the entity
index alone: an alert with only strays, acknowledgements of nothing, is folded for nothing); a
row whose `rid` is not its alert's first alert_received, or whose columns differ from that
record, its first acknowledgement and its first close after it (looked up only when the alert
has records besides its alert_received)."""

Folded = tuple[Row | None, tuple[int, int]]


def _fold_entities(
    records: Iterable[tuple[str, int, str, int, str]], prefix: str, report: VerifyReport
) -> Iterator[tuple[str, Folded]]:
    """(key, (row the records fold to, (first id, last id))) per call or alert, in key order."""
    for entity, group in itertools.groupby(records, key=lambda rec: rec[0]):
        row: Row | None = None
        first = last = 0
        for _, rid, kind, utc_ms, text in group:
            first, last = first or rid, rid
            try:
                payload = decode(kind, text)
                if entity_of(kind, payload) != entity:
                    report.add(Problem(rid, "altered: its entity column does not match it"))
                    continue
                row = fold(row, Record(rid, kind, utc_ms, payload))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                report.add(Problem(rid, f"payload does not fit its kind {kind!r} ({exc!r})"))
        yield entity[len(prefix) :], (row, (first, last))


def _merge(
    left: Iterator[tuple[str, Folded]], right: Iterator[tuple[str, Row]]
) -> Iterator[tuple[str, Folded | None, Row | None]]:
    """Full outer join of two key-ordered streams."""
    a = next(left, None)
    b = next(right, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            assert a is not None
            yield a[0], a[1], None
            a = next(left, None)
        elif a is None or b[0] < a[0]:
            yield b[0], None, b[1]
            b = next(right, None)
        else:
            yield a[0], a[1], b[1]
            a, b = next(left, None), next(right, None)


def _compare(
    report: VerifyReport,
    table: str,
    key: str,
    derived: Row | None,
    ids: tuple[int, int] | None,
    have: Row | None,
) -> None:
    what = "call" if table == "calls" else "alert"
    if derived is None and have is None:
        return
    span = f" (records {ids[0]}..{ids[1]})" if ids else ""
    if derived is None and have is not None and report.pending and have.rid <= report.base_id:
        return  # its records are archived and being removed: the row goes first
    if have is None:
        report.add(Problem(None, f"{table}: {what} {key!r} is missing from the table{span}"))
        return
    if derived is None:
        report.add(Problem(None, f"{table}: row {key!r} was inserted: no record says so{span}"))
        return
    diffs = [
        f"{name} is {theirs!r} in the table but {ours!r} in the records"
        for name, ours, theirs in zip(derived._fields, derived, have, strict=True)
        if ours != theirs
    ]
    if diffs:
        report.add(Problem(None, f"{table}: row {key!r} was altered: {'; '.join(diffs)}{span}"))


def verify_archives(paths: Sequence[Path]) -> VerifyReport:
    """Verify the chain through archive files (JSON lines) taken in the order given.

    The first record is trusted as the start unless it is record 1 (then it must follow GENESIS).
    """
    report = VerifyReport(path=", ".join(str(p) for p in paths))
    walker: ChainWalker | None = None
    for path in paths:
        try:
            for record in read_records(path):
                if walker is None:
                    start = record.id - 1
                    walker = ChainWalker(start, GENESIS if start == 0 else record.prev_hash)
                    report.first_id = record.id
                for problem in walker.feed(record):
                    report.add(Problem(problem.record_id, f"{path.name}: {problem.what}"))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            report.add(Problem(None, f"{path}: cannot be read as an archive ({exc})"))
    if walker is not None:
        report.records = walker.count
        report.head_id, report.head_hash = walker.last_id, walker.last_hash.hex()
    return report
