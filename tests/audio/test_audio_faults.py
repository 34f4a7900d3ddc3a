"""Faults no test machine can produce for real — a USB sound card pulled out mid-call, a stream
raising IOError, PortAudio failing — through a stand-in for pyaudio.PyAudio (pytest-mock).

The host is driven one supervisor pass at a time (`service()`), on a fake clock."""

from __future__ import annotations

import errno
import logging
import threading
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from audio_helpers import as_samples
from fake_pyaudio import World
from pytest_mock import MockerFixture

from hw.audio.host import NO_DEVICE, AudioHost
from hw.audio.player import PortAudioTonePlayer
from hw.audio.recorder import CallRecorder

RATE = 16000
USB = "USB Audio Device: - (hw:1,0)"
ONBOARD = "bcm2835 Headphones: - (hw:0,0)"


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


class Desk:
    """A host with a player and a recorder, as the desk builds them, on fake hardware."""

    def __init__(
        self, mocker: MockerFixture, world: World, speaker: str = ONBOARD, mic: str = "USB"
    ) -> None:
        mocker.patch("pyaudio.PyAudio", side_effect=world.make)
        self.world = world
        self.clock = Clock()
        self.cards = "0 bcm2835\n1 USB"
        self.faults: list[str | None] = []
        self.host = AudioHost(
            self.faults.append, cards=lambda: self.cards, clock=self.clock, stall_s=1.0
        )
        self.player = PortAudioTonePlayer(self.host, speaker, RATE, {}, linger_s=0.5,
                                          clock=self.clock)  # fmt: skip
        self.recorder = CallRecorder(self.host, mic, RATE)

    def unplug_usb(self, kernel_noticed: bool = True) -> None:
        self.world.devices = [d for d in self.world.devices if d[0] != USB]
        if kernel_noticed:
            self.cards = "0 bcm2835"

    def plug_usb(self) -> None:
        self.world.devices.append((USB, 1, 2))
        self.cards = "0 bcm2835\n1 USB"

    def close(self) -> None:
        self.recorder.close()
        self.host.close()


@pytest.fixture
def world() -> World:
    return World(devices=[(ONBOARD, 0, 2), (USB, 1, 2)])


@pytest.fixture
def desk(mocker: MockerFixture, world: World) -> Iterator[Desk]:
    made = Desk(mocker, world)
    yield made
    made.close()


def block(value: int) -> bytes:
    return np.full(320, value, dtype="<i2").tobytes()


def test_the_microphone_pulled_out_mid_call(
    desk: Desk, world: World, tmp_path: Path, mocker: MockerFixture
) -> None:
    """The stream raises IOError; the device leaves the list; the call goes on; it comes back and
    the recording carries on in the same file, the join marked."""
    desk.host.service()
    path = desk.recorder.start_recording(9, tmp_path)
    desk.host.service()
    mic = world.live(output=False)
    assert mic.kwargs["input_device_index"] == 1 and mic.kwargs["rate"] == RATE
    for _ in range(50):
        mic.pump(block(100))
    desk.recorder.mark_transmission("start")

    desk.unplug_usb(kernel_noticed=False)  # PortAudio's stream fails first
    mocker.patch.object(mic, "is_active", side_effect=OSError(-9999, "Unanticipated host error"))
    desk.host.service()
    assert desk.faults[0] == (
        'microphone lost (input device "USB"): [Errno -9999] Unanticipated host error'
    )
    assert mic.closed
    assert desk.faults[1] is not None and "would not open" in desk.faults[1]
    desk.unplug_usb()  # then the kernel drops the card: PortAudio rescans
    desk.host.service()
    assert desk.faults[-1] == 'microphone: input device "USB" not found'
    assert desk.recorder.mark_transmission("end") == 50 * 320  # the call goes on
    desk.host.service()
    assert not desk.recorder.slot.running

    desk.plug_usb()
    desk.host.service()
    assert desk.faults[-1] is None
    back = world.live(output=False)
    for _ in range(25):
        back.pump(block(200))
    info = desk.recorder.stop_recording()
    assert desk.recorder.writer.sync() and info is not None
    assert info.path == path and info.frames == 75 * 320
    assert info.resumes == (50 * 320,)
    with wave.open(str(path)) as w:
        samples = as_samples(w.readframes(w.getnframes()))
    assert list(samples[: 50 * 320]) == [100] * 16000
    assert list(samples[50 * 320 :]) == [200] * 8000


def test_a_stream_that_stops_by_itself_is_reopened(desk: Desk, world: World) -> None:
    desk.player.play("ring")
    desk.host.service()
    speaker = world.live(output=True)
    assert speaker.kwargs["output_device_index"] == 0
    speaker.pump()
    speaker.active = False  # PortAudio ended it (the device errored)
    desk.host.service()
    assert (
        desk.faults[0] == 'speaker lost (output device "bcm2835 Headphones: - (hw:0,0)"): '
        "the stream stopped"
    )
    assert desk.faults[-1] is None and world.live(output=True) is not speaker
    assert desk.player.slot.opens == 2


def test_a_silent_stream_counts_as_lost(desk: Desk, world: World) -> None:
    desk.player.play("ringback")
    desk.host.service()
    world.live(output=True).pump()
    desk.clock.now += 0.9
    desk.host.service()
    assert desk.faults == []
    desk.clock.now += 0.2  # no callback for 1.1 s
    desk.host.service()
    assert desk.faults[0] is not None and "no audio for 1.1 s" in desk.faults[0]


def test_a_device_that_will_not_open_is_retried(desk: Desk, world: World) -> None:
    world.open_error = OSError(-9985, "Device unavailable")
    desk.player.play("ring")
    desk.host.service()
    assert desk.faults == ['speaker: output device "bcm2835 Headphones: - (hw:0,0)" would not '
                           "open: [Errno -9985] Device unavailable"]  # fmt: skip
    world.open_error = None
    desk.host.service()
    assert desk.faults[-1] is None and desk.player.slot.running


def test_no_sound_device_at_all_says_so_once(mocker: MockerFixture) -> None:
    world = World(devices=[])
    desk = Desk(mocker, world, speaker="default", mic="default")
    desk.cards = "--- no soundcards ---"
    desk.player.play("ring")
    desk.host.service()
    assert desk.faults == [NO_DEVICE]
    desk.player.play("alert_critical")  # the desk goes on; LEDs and console carry it
    desk.host.service()
    assert desk.faults == [NO_DEVICE] and world.streams == []
    desk.plug_usb()  # a card appears
    desk.host.service()
    assert desk.faults[-1] is None and desk.player.slot.running
    desk.close()


def test_portaudio_failing_to_start_is_a_fault_retried(mocker: MockerFixture, world: World) -> None:
    world.init_error = OSError("libportaudio: no such host API")
    desk = Desk(mocker, world)
    desk.host.service()
    assert desk.faults == ["PortAudio could not start: libportaudio: no such host API"]
    world.init_error = None
    desk.clock.now += 1.0
    desk.host.service()
    assert world.inits == 0  # not before retry_s
    desk.clock.now += 1.5
    desk.host.service()
    assert world.inits == 1 and desk.faults[-1] is None
    desk.close()


def test_without_a_card_list_portaudio_is_rescanned_only_while_nothing_runs(
    desk: Desk, world: World
) -> None:
    desk.host.cards = lambda: None  # no /proc/asound/cards: rescan every retry_s instead
    desk.unplug_usb()
    desk.host.service()
    desk.player.play("ring")
    desk.recorder.start_recording(1, Path("/nonexistent-never-written"))
    desk.host.service()
    inits = world.inits
    desk.clock.now += 5
    desk.host.service()  # the speaker runs: a rescan would cut the ring, so none
    assert world.inits == inits
    desk.player.stop("ring")
    desk.clock.now += 1
    world.live(output=True).pump()
    desk.host.service()  # the speaker has closed
    desk.clock.now += 5
    desk.plug_usb()
    desk.host.service()
    assert world.inits == inits + 1 and desk.recorder.slot.running
    desk.recorder.stop_recording()


def test_an_exception_in_the_callback_is_counted_and_the_stream_goes_on(
    desk: Desk, world: World
) -> None:
    desk.player.play("ring")
    desk.host.service()
    speaker = world.live(output=True)
    desk.player.mixer.render = None  # type: ignore[assignment]  # broken: not callable
    out, flag = speaker.pump(frames=160)
    assert out == bytes(320) and flag == 0 and desk.player.slot.errors == 1


def test_overruns_are_counted_logged_and_filled_with_silence(
    desk: Desk,
    world: World,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    mocker: MockerFixture,
) -> None:
    """The writer stalls (a slow SD card): the callback never waits; what it cannot queue is
    counted and becomes silence of the same length, so the file keeps time."""
    recorder = CallRecorder(desk.host, "USB", RATE, queue_blocks=4)
    stall = threading.Event()
    writing = recorder.writer._data

    def slow_data(generation: int, gap: int, data: bytes) -> None:
        stall.wait(10)
        writing(generation, gap, data)

    mocker.patch.object(recorder.writer, "_data", side_effect=slow_data)
    desk.recorder.slot.wanted = lambda: False  # only the new recorder's input here
    path = recorder.start_recording(4, tmp_path)
    desk.host.service()
    mic = world.live(output=False)
    caplog.set_level(logging.WARNING, "hw.audio.writer")
    for i in range(20):
        mic.pump(block(i + 1))  # at most one is taken (and stalls), four wait, the rest drop
    assert 15 <= recorder.overruns <= 16
    stall.set()
    info = recorder.stop_recording()
    assert recorder.writer.sync() and info is not None and info.frames == 20 * 320
    with wave.open(str(path)) as w:
        blocks = as_samples(w.readframes(w.getnframes())).reshape(20, 320)
    kept = [int(b[0]) for b in blocks]
    assert all(k in (0, i + 1) for i, k in enumerate(kept))  # in place, or silence
    assert kept.count(0) == recorder.overruns
    assert "recording overrun" in caplog.text
    recorder.close()


def test_a_recording_that_cannot_be_written_is_a_fault_and_the_next_clears_it(
    desk: Desk, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    desk.recorder.start_recording(1, blocker)
    assert desk.recorder.writer.sync()
    desk.host.service()
    assert desk.faults[-1] is not None and desk.faults[-1].startswith("recording failed")
    desk.recorder.stop_recording()
    desk.recorder.start_recording(2, tmp_path / "ok")
    assert desk.recorder.writer.sync()
    desk.host.service()
    assert desk.faults[-1] is None


def test_disk_full_mid_recording_is_a_fault(
    desk: Desk, world: World, tmp_path: Path, mocker: MockerFixture
) -> None:
    desk.recorder.start_recording(1, tmp_path)
    desk.host.service()
    mocker.patch("hw.audio.writer.os.pwrite", side_effect=OSError(errno.ENOSPC, "No space left"))
    mic = world.live(output=False)
    for _ in range(60):  # past a second: the header is rewritten, and fails
        mic.pump()
    assert desk.recorder.writer.sync()
    desk.host.service()
    assert desk.faults[-1] is not None and "No space left" in desk.faults[-1]


def test_device_xruns_are_counted_and_logged_once(
    desk: Desk, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    desk.player.play("ring")
    desk.host.service()
    speaker = world.live(output=True)
    caplog.set_level(logging.WARNING, "hw.audio.host")
    for _ in range(3):
        speaker.pump(status=4)  # paOutputUnderflow
    desk.host.service()
    desk.host.service()
    assert desk.player.slot.xruns == 3
    assert caplog.text.count("over- or underflowed") == 1
