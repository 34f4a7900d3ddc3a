"""The publisher: store-and-forward of committed records from the log's outbox to an MQTT broker.

It runs on the desk's loop and never blocks it: records are read on a thread of its own (a
read-only connection; WAL lets it read while the writer commits), aiomqtt does the network I/O on
the loop's selector, and the cursor is moved by the single log writer. It wakes when the writer
commits (and every second regardless). Up to `max_inflight` records are in flight at once, QoS 1;
the cursor passes a record only when its PUBACK and every earlier one's have come, and is saved at
most every `SAVE_EVERY_S`. After a broker outage, a network loss or a crash it sends again from
the saved cursor: a subscriber may see a record twice (same id), never miss one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import aiomqtt

from terminal.config.model import MqttConfig
from terminal.log import LogError, LogWriter
from terminal.log.reader import StoredRecord
from terminal.mqtt.connect import Settings, settings
from terminal.mqtt.outbox import NAME, OutboxReader, open_cursor, save_cursor
from terminal.mqtt.payload import record_message, state_message, status_message
from terminal.mqtt.state import desk_state
from terminal.mqtt.topics import Topics
from terminal.mqtt.window import AckWindow
from terminal.snapshot import DeskSnapshot
from terminal.views import LinkHealth
from terminal.zulu import now_ms, utc_stamp

log = logging.getLogger(__name__)

SAVE_EVERY_S = 0.2
"""The cursor is written at most this often (each write is a durable commit)."""
POLL_S = 1.0
"""Look for new records at least this often even without a commit signal."""
BATCH = 500
"""Records read from the log at a time."""


class _Broken(Exception):
    """The connection failed under a publish."""


class Publisher:
    """One desk's MQTT publisher; `run()` until cancelled or `stop()`."""

    def __init__(
        self,
        config: MqttConfig,
        site: str,
        desk: str,
        writer: LogWriter,
        *,
        on_change: Callable[[], None] | None = None,
        name: str = NAME,
        timeout_s: float = 10.0,
    ) -> None:
        self.config = config
        self.site = site
        self.desk = desk
        self.topics = Topics(config.topic_prefix, site, desk)
        self.writer = writer
        self.path: Path = writer.path
        self.name = name
        self.timeout_s = timeout_s  # for the CONNACK and each PUBACK
        self._client_log = _ClientLog()
        self._on_change = on_change or (lambda: None)
        self.is_up = False
        self.error = "not connected yet"
        self.sent_id = 0
        self.saved_id = 0
        self.head_id = 0  # the last record id the log writer committed (as it told us)
        self._sent: asyncio.Event | None = None  # set when the cursor moves (a drain waits on it)
        self.published = 0
        self.connects = 0
        self.waiting: int | None = None
        self._last_ack: datetime | None = None
        self.on_ack: Callable[[int], None] | None = None  # benchmarks and tests: each PUBACK
        self._client: aiomqtt.Client | None = None
        self._wake: asyncio.Event | None = None
        self._stopping: asyncio.Event | None = None
        self._dirty: asyncio.Event | None = None
        self._state: dict[str, Any] | None = None
        self._state_changed: asyncio.Event | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="mqtt-outbox")
        self._reader: OutboxReader | None = None
        self._started = False

    # --- what the desk sees -------------------------------------------------------------

    def health(self) -> LinkHealth:
        """The console's "mqtt" row."""
        if self.is_up:
            detail = f"connected to {self.config.broker}"
        else:
            waiting = "" if self.waiting is None else f"; {self.waiting} records waiting"
            detail = f"{self.error}{waiting}"
        last = None if self._last_ack is None else utc_stamp(self._last_ack)
        return LinkHealth("mqtt", self.is_up, last, detail)

    def desk_changed(self, snap: DeskSnapshot) -> None:
        """The engine's new snapshot: publish the state if it changed (rate-limited)."""
        try:
            state = desk_state(snap)
        except Exception:  # never break the engine's other listeners
            log.exception("MQTT: could not describe the desk state")
            return
        if state != self._state:
            self._state = state
            if self._state_changed is not None:
                self._state_changed.set()

    # --- running ------------------------------------------------------------------------

    async def run(self) -> None:
        """Connect, send, reconnect with back-off; until cancelled or stopped."""
        loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._dirty = asyncio.Event()
        self._state_changed = asyncio.Event()

        def committed(last_id: int) -> None:  # the writer's thread
            if not loop.is_closed():
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self._committed, last_id)

        self.writer.on_commit(committed)
        saver: asyncio.Task[None] | None = None
        delay = self.config.reconnect_min_s
        try:
            while not self._stopping.is_set():
                try:
                    if not self._started:
                        await self._open()
                        saver = loop.create_task(self._save_loop(), name="mqtt-cursor")
                    if await self._session():
                        delay = self.config.reconnect_min_s
                    await self._count_waiting()
                except Exception as exc:  # a fault here must never stop the desk: say it, retry
                    log.exception("MQTT publisher fault")
                    self._set_up(False, f"publisher fault: {exc}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay)
                delay = min(delay * 2, self.config.reconnect_max_s)
        finally:
            if saver is not None:
                saver.cancel()
            self._close_reader()

    async def _open(self) -> None:
        """The reader and the cursor (created at the log's head the first time)."""
        loop = asyncio.get_running_loop()
        if self._reader is None:
            self._reader = await loop.run_in_executor(self._executor, OutboxReader, self.path)
        self.sent_id = self.saved_id = await asyncio.wrap_future(
            self.writer.call(open_cursor(self.name))
        )
        self._started = True

    def _committed(self, last_id: int) -> None:
        """The writer committed through ``last_id`` (on the loop): wake the pump."""
        self.head_id = max(self.head_id, last_id)
        if self._wake is not None:
            self._wake.set()

    async def stop(self, timeout_s: float = 1.0) -> None:
        """Clean stop: send what is committed (records the desk wrote as it stopped, too),
        publish "offline" (retained), save the cursor, disconnect; `timeout_s` for each step."""
        if self._stopping is None:
            return
        if self.is_up:
            await self._drain(timeout_s)
        self._stopping.set()
        client = self._client
        if client is not None and self.is_up:
            message = status_message(self.site, self.desk, "offline", now_ms(), "stopped")
            with contextlib.suppress(aiomqtt.MqttError, TimeoutError):
                await asyncio.wait_for(
                    client.publish(self.topics.status, message, qos=1, retain=True), timeout_s
                )
        await self.save_now(timeout_s)

    async def _drain(self, timeout_s: float) -> None:
        """Wait until every record submitted to the log so far is committed and sent (the
        cursor past it), or `timeout_s` passed, or the broker went away."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        if not await loop.run_in_executor(None, self.writer.flush, timeout_s):
            return
        self._sent = self._sent or asyncio.Event()
        while self.is_up and self.sent_id < self.head_id:
            self._sent.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sent.wait(), deadline - loop.time())
            if loop.time() >= deadline:
                return

    async def save_now(self, timeout_s: float = 1.0) -> None:
        """Write the cursor now (it is written in the background otherwise)."""
        if not self._started or self.sent_id <= self.saved_id:
            return
        target = self.sent_id
        with contextlib.suppress(LogError, TimeoutError):
            await asyncio.wait_for(
                asyncio.wrap_future(self.writer.call(save_cursor(target, self.name))), timeout_s
            )
            self.saved_id = max(self.saved_id, target)

    def save_on_close(self) -> None:
        """Queue the last cursor write (the desk is closing; the writer runs it before it
        stops). Safe to call twice, or from a stopped loop."""
        if self._started and self.sent_id > self.saved_id:
            with contextlib.suppress(LogError):
                self.writer.call(save_cursor(self.sent_id, self.name))
                self.saved_id = self.sent_id
        self._close_reader()

    def _close_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            self._executor.submit(reader.close)
        self._executor.shutdown(wait=False)

    # --- one connection -----------------------------------------------------------------

    def _client_for(self, s: Settings) -> aiomqtt.Client:
        will = aiomqtt.Will(
            self.topics.status,
            status_message(self.site, self.desk, "offline", now_ms(), "connection lost"),
            qos=1,
            retain=True,
        )
        client = aiomqtt.Client(
            s.url.host, s.url.port, identifier=s.client_id, username=s.username,
            password=s.password, keepalive=s.keepalive_s, will=will, tls_context=s.tls,
            max_inflight_messages=self.config.max_inflight, clean_session=True,
            timeout=self.timeout_s, logger=cast(logging.Logger, self._client_log),
        )  # fmt: skip
        client.pending_calls_threshold = self.config.max_inflight + 10
        return client

    async def _session(self) -> bool:
        """One connection, until it fails or the publisher stops; True if it connected."""
        loop = asyncio.get_running_loop()
        connected = False
        try:
            # On its own one thread, as the outbox reads: never the loop's default executor.
            s = await loop.run_in_executor(
                self._executor, settings, self.config, self.site, self.desk
            )
            self._client_log.take()
            async with self._client_for(s) as client:
                connected = True
                self._client = client
                self.connects += 1
                online = status_message(self.site, self.desk, "online", now_ms())
                await client.publish(self.topics.status, online, qos=1, retain=True)
                self._set_up(True, "")
                await self._pump(client)
        except (aiomqtt.MqttError, _Broken, OSError, ssl.SSLError, ValueError) as exc:
            text = _describe(exc, self.config.broker)
            cause = self._client_log.take()
            self._set_up(False, f"{text} ({cause})" if cause and cause not in text else text)
        finally:
            self._client = None
            if self.is_up:
                self._set_up(False, "stopped")
        return connected

    async def _pump(self, client: aiomqtt.Client) -> None:
        """Send every record above the cursor, then each new one as it is committed."""
        assert self._wake is not None and self._stopping is not None
        loop = asyncio.get_running_loop()
        window = AckWindow(self.sent_id)
        room = asyncio.Semaphore(self.config.max_inflight)
        broken = asyncio.Event()
        failure: list[BaseException] = []
        sends: set[asyncio.Task[None]] = set()
        watcher = loop.create_task(_watch(client), name="mqtt-watch")
        state = loop.create_task(self._state_loop(client), name="mqtt-state")
        stop = loop.create_task(self._stopping.wait())

        def state_failed(task: asyncio.Task[None]) -> None:
            if not task.cancelled() and task.exception() is not None:
                failure.append(task.exception() or _Broken("state"))
                broken.set()

        state.add_done_callback(state_failed)

        async def send(rec: StoredRecord, topic: str) -> None:
            try:
                await client.publish(topic, record_message(rec, self.site, self.desk), qos=1)
            except Exception as exc:
                failure.append(exc)
                broken.set()
                return
            finally:
                room.release()
            self.published += 1
            self._last_ack = datetime.now(UTC)
            if self.on_ack is not None:
                self.on_ack(rec.id)
            if window.ack(rec.id):
                self._advance(window.sent_id)

        try:
            while True:
                self._wake.clear()
                records, through = await loop.run_in_executor(
                    self._executor, self._read, window.scanned
                )
                for rec in records:
                    if not await _take(room, watcher, broken):
                        break
                    topic = self.topics.for_kind(rec.kind)
                    assert topic is not None
                    window.issue(rec.id)
                    task = loop.create_task(send(rec, topic))
                    sends.add(task)
                    task.add_done_callback(sends.discard)
                else:
                    window.skip_through(through)
                    self._advance(window.sent_id)
                if broken.is_set():
                    raise _Broken(str(failure[0]) if failure else "publish failed")
                if watcher.done():
                    watcher.result()  # raises the disconnection
                    raise _Broken("disconnected")
                if stop.done():
                    return
                if len(records) < BATCH:
                    woken = loop.create_task(self._wake.wait())
                    gone = loop.create_task(broken.wait())
                    await asyncio.wait(
                        {woken, gone, watcher, stop}, timeout=POLL_S,
                        return_when=asyncio.FIRST_COMPLETED,
                    )  # fmt: skip
                    woken.cancel()
                    gone.cancel()
        finally:
            for pending in (*sends, watcher, state, stop):
                pending.cancel()
            await asyncio.gather(*sends, watcher, state, stop, return_exceptions=True)

    def _read(self, after_id: int) -> tuple[list[StoredRecord], int]:
        assert self._reader is not None
        return self._reader.after(after_id, BATCH)

    async def _state_loop(self, client: aiomqtt.Client) -> None:
        """Publish the desk state (retained) on change, at most every state_interval_s."""
        assert self._state_changed is not None
        sent: dict[str, Any] | None = None
        while True:
            state = self._state
            if state is not None and state != sent:
                message = state_message(self.site, self.desk, state, now_ms())
                await client.publish(self.topics.state, message, qos=1, retain=True)
                sent = state
                await asyncio.sleep(self.config.state_interval_s)
                continue
            self._state_changed.clear()
            await self._state_changed.wait()

    # --- the cursor ---------------------------------------------------------------------

    def _advance(self, sent_id: int) -> None:
        if sent_id > self.sent_id:
            self.sent_id = sent_id
            if self._sent is not None:
                self._sent.set()
            if self._dirty is not None:
                self._dirty.set()

    async def _save_loop(self) -> None:
        assert self._dirty is not None
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            try:
                await self.save_now(timeout_s=5.0)
            except Exception as exc:  # the log is closing or faulty: it says so itself
                log.warning("could not save the MQTT outbox cursor: %s", exc)
            await asyncio.sleep(SAVE_EVERY_S)

    async def _count_waiting(self) -> None:
        """How many records wait for the broker (shown on the console while it is away)."""
        loop = asyncio.get_running_loop()
        reader = self._reader
        if reader is None:
            return
        with contextlib.suppress(Exception):
            self.waiting = await loop.run_in_executor(self._executor, reader.waiting, self.sent_id)
            self._on_change()

    def _set_up(self, up: bool, error: str) -> None:
        changed = up != self.is_up
        self.is_up = up
        self.error = error
        if changed:
            if up or error == "stopped":
                log.info("MQTT: %s", f"connected to {self.config.broker}" if up else error)
            else:
                log.warning("MQTT: %s", error)
            self._on_change()


class _ClientLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """The MQTT client's log, remembering its last error: aiomqtt reports a connection the broker
    drops during the handshake (a TLS alert) only as a time-out; paho logs the reason."""

    def __init__(self) -> None:
        super().__init__(log, {})
        self._last = ""

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if level >= logging.ERROR:
            with contextlib.suppress(Exception):
                self._last = str(msg) % args if args else str(msg)
        super().log(level, msg, *args, **kwargs)

    def take(self) -> str:
        """The last error logged since the last call ("" if none)."""
        last, self._last = self._last, ""
        return last


async def _take(
    room: asyncio.Semaphore, watcher: asyncio.Task[None], broken: asyncio.Event
) -> bool:
    """Room for one more record in flight; False if the connection fails first."""
    if broken.is_set() or watcher.done():
        return False
    if not room.locked():
        await room.acquire()
        return True
    loop = asyncio.get_running_loop()
    acquire = loop.create_task(room.acquire())
    gone = loop.create_task(broken.wait())
    await asyncio.wait({acquire, gone, watcher}, return_when=asyncio.FIRST_COMPLETED)
    gone.cancel()
    if acquire.done() and not broken.is_set() and not watcher.done():
        return True
    acquire.cancel()
    await asyncio.gather(acquire, return_exceptions=True)
    if not acquire.cancelled():
        room.release()
    return False


async def _watch(client: aiomqtt.Client) -> None:
    """Returns never; raises MqttError when the connection is lost (aiomqtt's message iterator
    ends that way; nothing is subscribed, so no message comes)."""
    async for _message in client.messages:
        pass
    raise _Broken("disconnected")


def _describe(exc: BaseException, broker: str) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, ssl.SSLError):
        return f"TLS to {broker} failed: {text}"
    if isinstance(exc, OSError) and exc.filename:
        return f"cannot read {exc.filename}: {exc.strerror}"
    return f"broker {broker}: {text}"

