"""hw/clock.py against the real kernel: adjtimex(2) read-only answers on Linux."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from hw.clock import STA_UNSYNC, KernelClock, Timex, state_from_timex


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="adjtimex is Linux's")
def test_the_kernel_answers_with_a_synchronisation_state(tmp_path: Path) -> None:
    state = KernelClock(stamp=tmp_path / "none").read()
    assert state.synchronised in (True, False)
    assert state.source == "adjtimex" and state.detail == ""
    assert state.est_error_ms is not None and state.est_error_ms >= 0
    assert state.max_error_ms is not None and state.max_error_ms >= 0
    assert state.last_sync_utc_ms is None


def test_the_last_sync_is_the_timesyncd_stamp(tmp_path: Path) -> None:
    stamp = tmp_path / "synchronized"
    stamp.write_text("")
    when = time.time() - 120
    os.utime(stamp, (when, when))
    state = KernelClock(stamp=stamp).read()
    if sys.platform.startswith("linux"):
        assert state.last_sync_utc_ms == int(when * 1000)


def test_sta_unsync_and_the_errors_are_read_from_the_struct() -> None:
    tx = Timex()
    tx.status = STA_UNSYNC | 0x0001
    tx.esterror, tx.maxerror = 1500, 16_000_000
    state = state_from_timex(tx, None)
    assert state.synchronised is False
    assert (state.est_error_ms, state.max_error_ms) == (1.5, 16_000.0)
    tx.status = 0x2001  # PLL, nanosecond resolution: synchronised
    assert state_from_timex(tx, 7).synchronised is True


def test_not_linux_is_unknown_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    state = KernelClock().read()
    assert state.synchronised is None and state.detail == "not Linux (darwin)"
