"""The one owner of PortAudio: opens the streams that are wanted, watches them, reopens them.

PortAudio is not thread-safe and only rescans its devices when it is re-initialised, so every
PortAudio call but the stream callbacks is made on one thread, the audio supervisor. Each pass it
opens each wanted stream (a `StreamSlot`) on its configured device and closes those no longer
wanted; a stream that stops running or goes quiet for `stall_s` is a lost device. PortAudio is
re-initialised (rescanning the devices) when the set of sound cards changes (/proc/asound/cards),
or — where that cannot be read — every `retry_s` while a stream is missing and none is running.

Faults go to `on_fault(text | None)` from the supervisor thread, one line for all slots: None once
every wanted device is back. The stream callbacks themselves only stamp a heartbeat and call the
owner's `process`, which must not block.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hw.audio.devices import DeviceInfo, Direction, choose_device, describe, list_devices

log = logging.getLogger(__name__)

PA_INT16 = 8  # paInt16 in portaudio.h
PA_CONTINUE = 0  # paContinue
NO_DEVICE = "no audio device: ring and alerts on the LEDs and console only"
CARDS = Path("/proc/asound/cards")

Process = Callable[[bytes | None, int], bytes | None]
PaFactory = Callable[[], Any]


def pyaudio_factory() -> Any:
    """A new `pyaudio.PyAudio()` (PortAudio initialised, devices scanned), with what ALSA and JACK
    print about missing cards and servers sent to the debug log (hw.audio.quiet)."""
    import pyaudio

    from hw.audio.quiet import silence_audio_libraries

    silence_audio_libraries()
    return pyaudio.PyAudio()


def alsa_cards() -> str | None:
    """The kernel's list of sound cards, or None where there is none to read."""
    try:
        return CARDS.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


class StreamSlot:
    """One mono 16-bit stream the host keeps open while its owner wants it.

    `process(in_data, frames)` runs on the PortAudio thread: for output it returns the next
    `frames` frames, for input it takes `in_data` and returns None. `wanted()` is asked by the
    supervisor each pass; `on_open()` runs on the supervisor thread each time the stream has
    opened, just before it starts (an exception from it counts as a failure to open).
    """

    def __init__(
        self,
        label: str,
        direction: Direction,
        device: str | int,
        rate: int,
        frames_per_buffer: int,
        process: Process,
        wanted: Callable[[], bool],
        on_open: Callable[[], None] | None = None,
    ) -> None:
        self.label = label
        self.direction = direction
        self.device = device
        self.rate = rate
        self.frames_per_buffer = frames_per_buffer
        self.process = process
        self.wanted = wanted
        self.on_open = on_open
        self.clock: Callable[[], float] = time.monotonic
        self.stream: Any = None
        self.fault: str | None = None
        self.opened_at = 0.0
        self.opens = 0
        self.beat = 0.0  # written by the PortAudio thread
        self.errors = 0  # exceptions from `process` (PortAudio thread)
        self.xruns = 0  # buffers PortAudio flagged as over- or underflowed (PortAudio thread)
        self.xruns_logged = 0
        self.device_info: DeviceInfo | None = None

    @property
    def running(self) -> bool:
        """A stream is open (as far as the supervisor knows)."""
        return self.stream is not None

    def callback(self, in_data: bytes | None, frames: int, _time: Any, status: int) -> Any:
        """The PortAudio callback: never raises, never blocks."""
        self.beat = self.clock()
        if status:
            self.xruns += 1
        try:
            out = self.process(in_data, frames)
        except Exception:  # a broken owner must not kill the stream
            self.errors += 1
            out = bytes(2 * frames) if self.direction == "output" else None
        return (out, PA_CONTINUE)


class AudioHost:
    """Owns PortAudio and the streams; runs the supervisor thread (or `service()` by hand)."""

    def __init__(
        self,
        on_fault: Callable[[str | None], None] | None = None,
        *,
        factory: PaFactory = pyaudio_factory,
        cards: Callable[[], str | None] = alsa_cards,
        poll_s: float = 0.5,
        stall_s: float = 1.0,
        retry_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.on_fault = on_fault
        self.factory = factory
        self.cards = cards
        self.poll_s = poll_s
        self.stall_s = stall_s
        self.retry_s = retry_s
        self.clock = clock
        self.slots: list[StreamSlot] = []
        self.fault: str | None = None
        self.scans = 0
        self._pa: Any = None
        self._devices: list[DeviceInfo] = []
        self._init_fault: str | None = None
        self._cards_seen: str | None = None
        self._scanned_at = float("-inf")
        self._other_faults: dict[str, str] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- any thread ---

    def add(self, slot: StreamSlot) -> StreamSlot:
        """Manage `slot` (before `start`)."""
        slot.clock = self.clock
        self.slots.append(slot)
        return slot

    def wake(self) -> None:
        """Have the supervisor look at the slots now rather than at its next poll."""
        self._wake.set()

    def report(self, source: str, text: str | None) -> None:
        """A fault from elsewhere in the audio adapter (the recording writer), merged into one."""
        if text is None:
            self._other_faults.pop(source, None)
        else:
            self._other_faults[source] = text
        self.wake()

    def devices(self) -> list[DeviceInfo]:
        """The devices found at the last scan."""
        return list(self._devices)

    def start(self) -> None:
        """Start the supervisor thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="audio-supervisor", daemon=True)
            self._thread.start()

    def close(self, timeout_s: float = 2.0) -> None:
        """Stop the supervisor, close every stream, release PortAudio."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout_s)
            if thread.is_alive():
                log.error("audio supervisor did not stop in %.1f s; PortAudio left open", timeout_s)
                return
        for slot in self.slots:
            self._close(slot, drain=False)
        self._terminate()

    # --- the supervisor thread ---

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.service()
            except Exception:
                log.exception("audio supervisor pass failed")
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def service(self) -> None:
        """One pass: rescan if the cards changed, then open, check or close each slot."""
        now = self.clock()
        cards = self.cards()
        if self._pa is None and now - self._scanned_at >= self.retry_s:
            self._rescan(cards, now)
        elif cards is not None and cards != self._cards_seen:
            log.info("sound cards changed; rescanning PortAudio devices")
            self._rescan(cards, now)
        elif cards is None and self._retry_due(now):
            self._rescan(cards, now)
        for slot in self.slots:
            self._tend(slot, now)
            self._log_xruns(slot)
        self._publish()

    def _retry_due(self, now: float) -> bool:
        missing = any(s.fault is not None and not s.running for s in self.slots)
        return (
            missing
            and not any(s.running for s in self.slots)
            and (now - self._scanned_at >= self.retry_s)
        )

    def _rescan(self, cards: str | None, now: float) -> None:
        for slot in self.slots:
            self._close(slot, drain=False)
        self._terminate()
        self._cards_seen = cards
        self._scanned_at = now
        self.scans += 1
        try:
            pa = self.factory()
        except Exception as exc:
            text = f"PortAudio could not start: {exc}"
            if text != self._init_fault:
                log.error("%s", text)
            self._init_fault = text
            return
        try:
            self._devices = list_devices(pa)
        except Exception as exc:
            self._devices = []
            log.error("PortAudio could not list devices: %s", exc)
        self._pa = pa
        self._init_fault = None if self._devices else NO_DEVICE

    def _terminate(self) -> None:
        pa, self._pa = self._pa, None
        self._devices = []
        if pa is not None:
            with contextlib.suppress(Exception):
                pa.terminate()

    def _tend(self, slot: StreamSlot, now: float) -> None:
        try:
            want = bool(slot.wanted())
        except Exception:
            log.exception("%s: wanted() failed", slot.label)
            want = False
        if slot.running:
            if not want:
                self._close(slot, drain=True)
                return
            problem = self._check(slot, now)
            if problem is None:
                return
            self._close(slot, drain=False)
            self._set_fault(slot, f"{slot.label} lost ({describe(slot.device, slot.direction)}): "
                            f"{problem}")  # fmt: skip
            self._publish()  # said at once, even if the stream reopens in this same pass
        if want:
            self._open(slot, now)
        else:
            self._set_fault(slot, self._absent(slot))

    def _absent(self, slot: StreamSlot) -> str | None:
        """Why `slot` could not be opened right now, or None if its device is there."""
        if self._pa is None or not self._devices:
            return self._init_fault or NO_DEVICE
        if choose_device(self._devices, slot.device, slot.direction) is None:
            return f"{slot.label}: {describe(slot.device, slot.direction)} not found"
        return None

    def _check(self, slot: StreamSlot, now: float) -> str | None:
        try:
            active = slot.stream.is_active()
        except OSError as exc:
            return str(exc) or type(exc).__name__
        if not active:
            return "the stream stopped"
        quiet = now - max(slot.beat, slot.opened_at)
        if quiet > self.stall_s:
            return f"no audio for {quiet:.1f} s"
        return None

    def _open(self, slot: StreamSlot, now: float) -> None:
        absent = self._absent(slot)
        if absent is not None:
            self._set_fault(slot, absent)
            return
        device = choose_device(self._devices, slot.device, slot.direction)
        assert device is not None
        output = slot.direction == "output"
        stream = None
        try:
            stream = self._pa.open(
                format=PA_INT16,
                channels=1,
                rate=slot.rate,
                output=output,
                input=not output,
                output_device_index=device.index if output else None,
                input_device_index=None if output else device.index,
                frames_per_buffer=slot.frames_per_buffer,
                stream_callback=slot.callback,
                start=False,
            )
            slot.opened_at = now
            slot.beat = now
            if slot.on_open is not None:
                slot.on_open()
            stream.start_stream()
        except Exception as exc:
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.close()
            what = describe(slot.device, slot.direction)
            self._set_fault(slot, f"{slot.label}: {what} would not open: {exc}")
            return
        slot.stream = stream
        slot.device_info = device
        slot.opens += 1
        if slot.fault is not None:
            log.info("%s back on %s", slot.label, device.name)
        slot.fault = None

    def _log_xruns(self, slot: StreamSlot) -> None:
        """Log buffers PortAudio flagged (the device ran dry or overflowed) since the last pass."""
        seen = slot.xruns
        if seen > slot.xruns_logged:
            log.warning("%s: %d buffer(s) over- or underflowed in the device (%d in all)",
                        slot.label, seen - slot.xruns_logged, seen)  # fmt: skip
            slot.xruns_logged = seen

    def _set_fault(self, slot: StreamSlot, text: str | None) -> None:
        """Record the slot's fault, logging it once when it changes (not every pass)."""
        if text is not None and text != slot.fault:
            log.error("%s", text)
        slot.fault = text

    def _close(self, slot: StreamSlot, drain: bool) -> None:
        stream, slot.stream = slot.stream, None
        if stream is None:
            return
        if drain:
            with contextlib.suppress(Exception):
                stream.stop_stream()
        with contextlib.suppress(Exception):
            stream.close()

    def _publish(self) -> None:
        parts: list[str] = []
        for text in [s.fault for s in self.slots] + list(self._other_faults.values()):
            if text is not None and text not in parts:
                parts.append(text)
        text = "; ".join(parts) or None
        if text == self.fault:
            return
        self.fault = text
        if text is None:
            log.info("audio: all devices working")
        if self.on_fault is not None:
            try:
                self.on_fault(text)
            except Exception:
                log.exception("audio on_fault callback failed")
