"""SerialPort on the loop: a pyserial URL port, and the back-off for a port that fails at once."""

from __future__ import annotations

import asyncio
import errno
from typing import Any

import pytest
from pytest_mock import MockerFixture

from hw.pty import PtyPair
from hw.serialport import SerialPort


async def _run_for(port: SerialPort, seconds: float) -> None:
    task = asyncio.create_task(port.run())
    await asyncio.sleep(seconds)
    port.stop()
    await asyncio.wait_for(task, 2)


@pytest.mark.timeout(20)  # the old spin never yields to the loop: only a timeout ends it
def test_a_loop_url_port_reads_back_what_is_written_and_stays_open() -> None:
    received = bytearray()
    states: list[tuple[bool, str]] = []
    port: SerialPort

    def on_state(is_open: bool, reason: str) -> None:
        states.append((is_open, reason))
        if is_open:
            port.write(b"$HELLO*0000\n")

    port = SerialPort("loop://", 115200, on_data=received.extend, on_state=on_state)
    asyncio.run(_run_for(port, 0.3))
    assert bytes(received) == b"$HELLO*0000\n"
    assert port.opens == 1, f"reopened {port.opens} times; last error {port.last_error!r}"
    assert states == [(True, "open"), (False, "stopped")]


@pytest.mark.timeout(20)
def test_a_port_that_fails_right_after_opening_is_reopened_with_back_off(
    mocker: MockerFixture,
) -> None:
    """A device whose every write fails (cannot be made here): reopen paced, not a spin."""

    def failing_write(fd: int, data: Any) -> int:
        raise OSError(errno.EIO, "Input/output error")

    mocker.patch("hw.serialport.os.write", side_effect=failing_write)
    pty = PtyPair()
    try:
        port: SerialPort

        def on_state(is_open: bool, reason: str) -> None:
            if is_open:
                port.write(b"x")

        port = SerialPort(
            pty.path, 115200, on_data=lambda _d: None, on_state=on_state,
            reopen_min_s=0.05, reopen_max_s=0.2,
        )
        asyncio.run(_run_for(port, 0.6))
    finally:
        pty.close()
    # 0.05 + 0.1 + 0.2 + 0.2 ... s between opens: a handful in 0.6 s, not thousands.
    assert 2 <= port.opens <= 6, port.opens
    assert "write failed" in port.last_error
