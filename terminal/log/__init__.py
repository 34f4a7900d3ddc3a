"""The record: a durable, tamper-evident SQLite log of every call, alert and core event.

The engine opens a `LogWriter` (one writer thread owning the database), builds records with
`terminal.log.records`, and awaits `asyncio.wrap_future(writer.submit(*entry, utc_ms=t))`
before showing what was recorded. Fronts and `hotline log` read through `LogReader`;
`verify`, `export` and `retain` check, copy out and age the record.
"""

from terminal.log import records
from terminal.log.errors import LogCorruptError, LogError, LogSchemaError, RecordError
from terminal.log.export import ExportSummary, export
from terminal.log.reader import JournalEntry, LogReader, StoredRecord
from terminal.log.retention import Archive, RetentionResult, apply_retention, archive_old, retain
from terminal.log.rows import AlertRow, CallRow
from terminal.log.store import LogStore
from terminal.log.verify import Problem, VerifyReport, verify, verify_archives
from terminal.log.writer import LogWriter

DB_NAME = "hotline.db"
"""The database file inside `log.directory`."""

__all__ = [
    "DB_NAME",
    "AlertRow",
    "Archive",
    "CallRow",
    "ExportSummary",
    "JournalEntry",
    "LogCorruptError",
    "LogError",
    "LogReader",
    "LogSchemaError",
    "LogStore",
    "LogWriter",
    "Problem",
    "RecordError",
    "RetentionResult",
    "StoredRecord",
    "VerifyReport",
    "apply_retention",
    "archive_old",
    "export",
    "records",
    "retain",
    "verify",
    "verify_archives",
]
