"""One serial port on the asyncio loop: non-blocking reads and writes, reopened with back-off.

pyserial opens and configures the port (termios, baud rate, exclusive lock) from a device path or a
pyserial URL. For a port with a file descriptor, reads and writes then go straight through that
descriptor with `loop.add_reader` / `add_writer`: nothing ever blocks the loop, and reading what is
waiting (not a byte at a time) lets the codec split lines fast. A URL without a descriptor
(`loop://`, for unit tests of one side) is polled instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
from collections.abc import Callable
from typing import Any

import serial

log = logging.getLogger(__name__)

SIM_HANDLERS = "hw.sim.urlhandler"
"""Where the `sim://` handler lives; added to pyserial's handler packages, as pyserial documents."""
if SIM_HANDLERS not in serial.protocol_handler_packages:
    serial.protocol_handler_packages.append(SIM_HANDLERS)

READ_CHUNK = 65536
POLL_INTERVAL_S = 0.002


def open_serial(port: str, baud: int, *, exclusive: bool = True) -> Any:
    """Open a device path or pyserial URL, non-blocking; raises serial.SerialException."""
    kwargs: dict[str, Any] = {"baudrate": baud, "timeout": 0, "write_timeout": 0}
    if "://" not in port:
        kwargs["exclusive"] = exclusive
    else:
        # A URL port without a descriptor is written through pyserial, whose loop:// raises
        # "Write timeout" on any write with write_timeout=0; its writes do not block anyway.
        kwargs["write_timeout"] = None
    return serial.serial_for_url(port, **kwargs)


def _fileno(ser: Any) -> int | None:
    try:
        fd = ser.fileno()
    except Exception:
        return None
    return fd if isinstance(fd, int) and fd >= 0 else None


class SerialPort:
    """Keeps one port open while running; reports data and up/down changes through callbacks.

    `on_data(bytes)` gets whatever arrived; `on_state(is_open, reason)` is called on every open and
    close. When the device vanishes the port is closed, and reopened with exponential back-off
    (reopen_min_s doubling up to reopen_max_s) until it returns.
    """

    def __init__(
        self,
        port: str,
        baud: int,
        *,
        on_data: Callable[[bytes], None],
        on_state: Callable[[bool, str], None],
        reopen_min_s: float = 0.5,
        reopen_max_s: float = 10.0,
        exclusive: bool = True,
    ) -> None:
        self.port = port
        self.baud = baud
        self._on_data = on_data
        self._on_state = on_state
        self._reopen_min_s = reopen_min_s
        self._reopen_max_s = reopen_max_s
        self._exclusive = exclusive
        self._ser: Any = None
        self._fd: int | None = None
        self._pending = bytearray()
        self._closed_event = asyncio.Event()
        self._stopping = False
        self._poller: asyncio.Task[None] | None = None
        self.bytes_in = 0
        self.bytes_out = 0
        self.opens = 0
        self.last_error = ""

    @property
    def is_open(self) -> bool:
        """Whether the port is open now."""
        return self._ser is not None

    async def run(self) -> None:
        """Open the port, keep it open, reopen after loss; returns when `stop` is called.

        The back-off also applies to a port that opens but fails at once (a write error, a device
        that hangs up): it is reopened after the delay, never in a tight loop. The delay starts
        again from `reopen_min_s` once the port has stayed open for `reopen_max_s`.
        """
        loop = asyncio.get_running_loop()
        delay = self._reopen_min_s
        while not self._stopping:
            try:
                self._open()
            except (serial.SerialException, OSError, ValueError) as exc:
                self.last_error = str(exc)
                log.debug("cannot open %s: %s", self.port, exc)
                await self._sleep_unless_stopped(delay)
                delay = min(delay * 2, self._reopen_max_s)
                continue
            opened_at = loop.time()
            await self._closed_event.wait()
            if self._stopping:
                break
            if loop.time() - opened_at >= self._reopen_max_s:
                delay = self._reopen_min_s
            await self._sleep_unless_stopped(delay)
            delay = min(delay * 2, self._reopen_max_s)

    async def _sleep_unless_stopped(self, delay: float) -> None:
        self._closed_event.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closed_event.wait(), delay)

    def _open(self) -> None:
        ser = open_serial(self.port, self.baud, exclusive=self._exclusive)
        loop = asyncio.get_running_loop()
        self._ser = ser
        self._fd = _fileno(ser)
        self._closed_event.clear()
        self.opens += 1
        if self._fd is not None:
            loop.add_reader(self._fd, self._readable)
        else:
            self._poller = loop.create_task(self._poll_url_port())
        self._on_state(True, "open")
        if self._pending:
            self._flush()

    async def _poll_url_port(self) -> None:
        while self._ser is not None:
            self._readable()
            self._flush()
            await asyncio.sleep(POLL_INTERVAL_S)

    def _readable(self) -> None:
        ser = self._ser
        if ser is None:
            return
        try:
            if self._fd is not None:
                data = os.read(self._fd, READ_CHUNK)
                if not data:
                    raise OSError(errno.EIO, "device disconnected")
            else:
                data = ser.read(ser.in_waiting or 0) if ser.in_waiting else b""
        except BlockingIOError:
            return
        except (OSError, serial.SerialException) as exc:
            self._lost(f"read failed: {exc}")
            return
        if data:
            self.bytes_in += len(data)
            self._on_data(data)

    def write(self, data: bytes) -> bool:
        """Queue bytes for the port; False when the port is closed (the bytes are kept)."""
        self._pending += data
        if self._ser is None:
            return False
        self._flush()
        return self._ser is not None

    def discard_pending(self) -> None:
        """Forget bytes queued while the port was closed (the link layer resends what matters)."""
        self._pending.clear()

    def _flush(self) -> None:
        ser = self._ser
        if ser is None or not self._pending:
            return
        try:
            if self._fd is not None:
                n = os.write(self._fd, self._pending)
            else:
                n = ser.write(bytes(self._pending)) or 0
        except BlockingIOError:
            n = 0
        except (OSError, serial.SerialException) as exc:
            self._lost(f"write failed: {exc}")
            return
        self.bytes_out += n
        del self._pending[:n]
        if self._fd is not None:
            loop = asyncio.get_running_loop()
            if self._pending:
                loop.add_writer(self._fd, self._flush)
            else:
                loop.remove_writer(self._fd)

    def _lost(self, reason: str) -> None:
        self.last_error = reason
        self._close()
        self._on_state(False, reason)

    def _close(self) -> None:
        ser, fd = self._ser, self._fd
        self._ser = None
        self._fd = None
        if fd is not None:
            loop = asyncio.get_running_loop()
            loop.remove_reader(fd)
            loop.remove_writer(fd)
        if ser is not None:
            with contextlib.suppress(Exception):
                ser.close()
        self._closed_event.set()

    def drain_sync(self, timeout_s: float = 0.5) -> bool:
        """Write what is queued, waiting up to `timeout_s` (exit paths only; blocks)."""
        import select
        import time

        deadline = time.monotonic() + timeout_s
        while self._pending and self._fd is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            _, ready, _ = select.select([], [self._fd], [], left)
            if ready:
                try:
                    n = os.write(self._fd, self._pending)
                except BlockingIOError:
                    continue
                except OSError:
                    return False
                del self._pending[:n]
        return not self._pending

    def stop(self) -> None:
        """Close the port and end `run`."""
        self._stopping = True
        was_open = self._ser is not None
        self._close()
        if was_open:
            self._on_state(False, "stopped")
        self._closed_event.set()
