"""The soak's resource probe: a thread that lives only for a moment is not counted, one that
stays is."""

from __future__ import annotations

import asyncio
import os
import threading

from bench.soaking.probe import sample, settled_sample


def _threads_while(live_s: float) -> tuple[int, int]:
    """(threads before, settled threads) with one extra thread alive for `live_s`."""
    done = threading.Event()
    before = sample(os.getpid(), "before").threads
    thread = threading.Thread(target=done.wait, args=(live_s,), daemon=True)
    thread.start()
    try:
        settled = asyncio.run(settled_sample(os.getpid(), "settled", readings=4, gap_s=0.1))
    finally:
        done.set()
        thread.join()
    return before, settled.threads


def test_a_thread_gone_before_the_last_reading_is_not_counted() -> None:
    before, settled = _threads_while(0.05)
    assert settled == before


def test_a_thread_that_stays_is_counted() -> None:
    before, settled = _threads_while(30.0)
    assert settled == before + 1
