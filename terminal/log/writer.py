"""LogWriter: the single writer, on its own thread, with group commit and fault retry.

`submit` validates a record on the caller's thread and returns a Future resolved with the record
id once its transaction has COMMITTED (durably: WAL + synchronous=FULL). The thread commits
everything queued in one transaction; while a commit's fsync runs, new records pile up and form
the next batch, so bursts batch themselves. Under a burst (more than one record already waiting)
it also waits up to `group_commit_ms` for more; a lone record is committed at once, so a quiet
desk pays one fsync of latency, not the group-commit window.

When SQLite fails (disk full, database locked, I/O error) the batch is kept, `on_fault(message)`
is called, and the same batch is retried with back-off until it commits; then `on_fault(None)`.
Nothing is dropped. A record that makes the store raise anything else (a bug) is failed alone:
its future gets the exception, the rest of its batch is committed.

With `checkpoints` (a `Checkpointer`, docs/record.md) the thread also signs the head: a
`signed_checkpoint` record at the end of the transaction in which N records have gathered, in a
transaction of its own once the oldest unsigned record is T seconds old, and at close.

`on_fault` and the futures' callbacks run on the writer thread: the engine hands them to its
loop (`asyncio.wrap_future` does that for the futures; use `call_soon_threadsafe` for on_fault).
"""

from __future__ import annotations

import ctypes
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from terminal import zulu
from terminal.log import db
from terminal.log.checkpoint import Checkpointer, fingerprint
from terminal.log.errors import LogError
from terminal.log.records import Prepared, prepare
from terminal.log.store import LogStore

T = TypeVar("T")

SHRINK_EVERY_RECORDS = 1000
"""After this many records, when nothing waits to be written, the writer lets go of SQLite's page
cache: a burst would otherwise leave every page it wrote, up to db.WRITER_CACHE_KIB (16 MiB), in
the service's resident memory for good (docs/performance.md)."""

FaultCallback = Callable[[str | None], None]
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Pending:
    entry: Prepared
    future: Future[int]


@dataclass(frozen=True)
class _Call:
    fn: Callable[[LogStore], Any]
    future: Future[Any]


_STOP = object()
_WAKE = object()


def _default_fault(message: str | None) -> None:
    if message is None:
        _log.warning("log fault cleared")
    else:
        _log.error("log fault: %s", message)


class LogWriter:
    """Owns the LogStore on a dedicated thread; see the module docstring."""

    def __init__(
        self,
        store: LogStore,
        *,
        group_commit_ms: int = 0,
        max_batch: int = 5000,
        on_fault: FaultCallback | None = None,
        retry_initial_s: float = 0.02,
        retry_max_s: float = 1.0,
        clock: Callable[[], int] | None = None,
        checkpoints: Checkpointer | None = None,
    ) -> None:
        self._store = store
        self._checkpoints = checkpoints
        self.head: tuple[int, bytes] = store.tail()
        """The last committed record's id and hash (updated on the writer thread)."""
        if checkpoints is not None:
            checkpoints.resume(self.head[0], store.last_signed())
        self._group_s = max(0, group_commit_ms) / 1000
        self._max_batch = max(1, max_batch)
        self._on_fault = on_fault or _default_fault
        self._retry_initial_s = retry_initial_s
        self._retry_max_s = retry_max_s
        self._clock = clock or _wall_ms
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._calls: queue.SimpleQueue[_Call] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._last: Future[int] | None = None
        self._fault: str | None = None
        self._committed: list[Callable[[int], None]] = []
        self._written = 0  # records committed since the page cache was last let go
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
        self._thread.start()

    @classmethod
    def open(
        cls, path: Path | str, *, busy_timeout_ms: int = 500, check: bool = True, **options: Any
    ) -> LogWriter:  # options: those of __init__, checkpoints= among them
        """Open the store at `path` (raising LogCorruptError etc. here) and start the writer.

        `check` runs SQLite's quick_check first (about 3 s per GB on the bench machine); without
        it, damage is found when first touched and reported through on_fault.
        """
        store = LogStore.open(path, busy_timeout_ms=busy_timeout_ms, check=check)
        return cls(store, **options)

    @property
    def fault(self) -> str | None:
        """The current fault, or None when writes are going through."""
        return self._fault

    @property
    def head_fingerprint(self) -> str:
        """The head as read over the phone (`#<id> <4 hex> <4 hex>`)."""
        return fingerprint(*self.head)

    @property
    def signing_key(self) -> str | None:
        """The public key signing checkpoints now (None: this desk runs unsigned)."""
        return None if self._checkpoints is None else self._checkpoints.signer.public

    @property
    def path(self) -> Path:
        """The database file."""
        return self._store.path

    def submit(self, kind: str, payload: dict[str, Any], utc_ms: int | None = None) -> Future[int]:
        """Queue one record; the future gives its id once committed. Raises RecordError now
        for a malformed record, LogError after close()."""
        entry = prepare(kind, payload, self._clock() if utc_ms is None else utc_ms)
        future: Future[int] = Future()
        future.set_running_or_notify_cancel()  # a record cannot be taken back
        with self._lock:
            if self._closed:
                raise LogError("the log writer is closed")
            self._last = future
            self._queue.put(_Pending(entry, future))
        return future

    def on_commit(self, listener: Callable[[int], None]) -> None:
        """Call `listener(last_id)` on the writer thread after each commit (the MQTT publisher
        wakes on it; hand it to a loop with call_soon_threadsafe, never block)."""
        self._committed.append(listener)

    def _notify(self, last_id: int) -> None:
        for listener in self._committed:
            try:
                listener(last_id)
            except Exception:
                _log.exception("commit listener failed")

    def call(self, fn: Callable[[LogStore], T]) -> Future[T]:
        """Run `fn(store)` on the writer thread between transactions (maintenance, tests)."""
        future: Future[T] = Future()
        future.set_running_or_notify_cancel()
        with self._lock:
            if self._closed:
                raise LogError("the log writer is closed")
            self._calls.put(_Call(fn, future))
            self._queue.put(_WAKE)
        return future

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every record submitted so far is committed; False on timeout."""
        last = self._last
        if last is None:
            return True
        try:
            last.exception(timeout)
        except TimeoutError:
            return False
        return True

    def close(self, timeout: float | None = None) -> bool:
        """Commit what is queued, stop the thread and close the store.

        False if that did not finish within `timeout` (e.g. the disk is still full): the thread
        keeps retrying in the background and unfinished futures stay pending.
        """
        with self._lock:
            if not self._closed:
                self._closed = True
                self._queue.put(_STOP)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # --- the writer thread -------------------------------------------------------------

    def _run(self) -> None:
        try:
            stopping = False
            while not stopping:
                try:
                    item = self._queue.get(timeout=self._seal_wait())
                except queue.Empty:  # the oldest unsigned record is old enough: sign now
                    self._commit([])
                    continue
                self._run_calls()
                if item is _STOP:
                    break
                if not isinstance(item, _Pending):
                    continue
                batch, held = self._gather(item)
                self._commit(batch)
                self._written += len(batch)
                if self._written >= SHRINK_EVERY_RECORDS and self._queue.empty():
                    self._shrink_cache()
                self._run_calls()
                stopping = held is _STOP
            self._run_calls()
            if self._checkpoints is not None and self._checkpoints.unsigned:
                self._commit([], final=True)  # a clean stop leaves a signed head
        finally:
            self._store.close()

    def _shrink_cache(self) -> None:
        """Let go of the connection's page cache (`SHRINK_EVERY_RECORDS`) and give the freed
        heap back; the next batch reads the pages it needs back from the file (the OS's page
        cache). Only memory: nothing committed depends on it."""
        self._written = 0
        try:
            self._store.conn.execute("PRAGMA shrink_memory")
        except sqlite3.Error as exc:  # only memory: the log works on without it
            _log.warning("log: could not release the page cache: %s", exc)
            return
        _trim_heap()

    def _gather(self, first: _Pending) -> tuple[list[_Pending], object]:
        """The batch starting with `first`; also a STOP found while gathering."""
        batch = [first]
        deadline = time.monotonic() + self._group_s
        while len(batch) < self._max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or len(batch) == 1:  # no burst: do not make it wait
                    break
                try:
                    item = self._queue.get(timeout=remaining)
                except queue.Empty:
                    break
            if isinstance(item, _Pending):
                batch.append(item)
            elif item is _STOP:
                return batch, _STOP
        return batch, None

    def _seal_wait(self) -> float | None:
        return None if self._checkpoints is None else self._checkpoints.wait_s()

    def _commit(self, batch: list[_Pending], final: bool = False) -> None:
        delay = self._retry_initial_s
        attempt = 0
        checkpoints = self._checkpoints
        sealed: list[int] = []

        def seal(head_id: int, head_hash: bytes) -> Prepared | None:
            sealed.clear()
            if checkpoints is None or not (final or checkpoints.due(len(batch))):
                return None
            sealed.append(head_id + 1)
            return checkpoints.make(head_id, head_hash)

        while True:
            try:
                entries = [p.entry for p in batch]
                if checkpoints is None:
                    ids = self._store.append(entries)
                else:
                    ids = self._store.append(entries, seal=seal)
            except sqlite3.Error as exc:
                if not _retryable(exc):
                    if not batch:
                        _log.error("could not write a signed checkpoint: %s", exc)
                        if checkpoints is not None:
                            checkpoints.postpone()
                        return
                    self._commit_one_by_one(batch)
                    return
                attempt += 1
                self._set_fault(self._describe(exc, len(batch), attempt))
                self._backoff(delay)
                delay = min(delay * 2, self._retry_max_s)
                continue
            except Exception:
                if not batch:  # the checkpoint itself failed (a bug): say so, try again later
                    _log.exception("could not write a signed checkpoint")
                    if checkpoints is not None:
                        checkpoints.postpone()
                    return
                self._commit_one_by_one(batch)
                return
            self._set_fault(None)
            if checkpoints is not None:
                checkpoints.committed(len(batch), bool(sealed))
            last = sealed[0] if sealed else ids[-1] if ids else None
            if last is not None:
                self.head = self._store.tail()
            for pending, record_id in zip(batch, ids, strict=True):
                pending.future.set_result(record_id)
            if last is not None:
                self._notify(last)
            return

    def _commit_one_by_one(self, batch: Sequence[_Pending]) -> None:
        """Isolate the record(s) the store rejects for a reason other than a fault."""
        for pending in batch:
            delay = self._retry_initial_s
            while True:
                try:
                    record_id = self._store.append([pending.entry])[0]
                except sqlite3.Error as exc:
                    if _retryable(exc):
                        self._set_fault(self._describe(exc, 1, 1))
                        self._backoff(delay)
                        delay = min(delay * 2, self._retry_max_s)
                        continue
                    self._reject(pending, exc)
                except Exception as exc:
                    self._reject(pending, exc)
                else:
                    if self._checkpoints is not None:
                        self._checkpoints.committed(1, False)
                    self.head = self._store.tail()
                    pending.future.set_result(record_id)
                    self._notify(record_id)
                break

    def _reject(self, pending: _Pending, exc: BaseException) -> None:
        self._set_fault(f"log rejected a {pending.entry.kind} record: {exc}")
        pending.future.set_exception(exc)

    def _backoff(self, delay: float) -> None:
        """Sleep `delay`, running maintenance calls meanwhile (they may clear the fault)."""
        end = time.monotonic() + delay
        while (remaining := end - time.monotonic()) > 0:
            try:
                call = self._calls.get(timeout=remaining)
            except queue.Empty:
                return
            self._run_call(call)

    def _run_calls(self) -> None:
        while True:
            try:
                call = self._calls.get_nowait()
            except queue.Empty:
                return
            self._run_call(call)

    def _run_call(self, call: _Call) -> None:
        try:
            result = call.fn(self._store)
        except BaseException as exc:
            call.future.set_exception(exc)
        else:
            call.future.set_result(result)

    def _describe(self, exc: sqlite3.Error, count: int, attempt: int) -> str:
        path = self._store.path
        if db.is_corruption(exc):
            return str(db.translate(exc, path))
        return f"cannot write the log {path}: {exc}; retrying {count} record(s) (attempt {attempt})"

    def _set_fault(self, message: str | None) -> None:
        if message == self._fault:
            return
        was = self._fault
        self._fault = message
        if message is not None and was is not None and message.split(";")[0] == was.split(";")[0]:
            return  # same fault, only the attempt count changed
        try:
            self._on_fault(message)
        except Exception:
            _log.exception("log fault callback failed")


def _trim_heap() -> None:
    """Give the C heap's free pages back to the system (glibc's malloc_trim; elsewhere nothing).

    The pages SQLite let go of lie between the writer thread's other allocations, so free() alone
    keeps them resident."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL(None).malloc_trim
        except (AttributeError, OSError):  # not glibc
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim: Any = None


def _wall_ms() -> int:
    """The record's time when none is given: the desk's wall clock, read at each call."""
    return zulu.now_ms()


def _retryable(exc: sqlite3.Error) -> bool:
    """Faults of the medium or of locking (retry), as opposed to a record the store rejects."""
    return type(exc) in (sqlite3.OperationalError, sqlite3.DatabaseError)
