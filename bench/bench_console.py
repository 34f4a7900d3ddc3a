"""The console under a 10,000-alert burst: key-press-to-screen latency, and memory after.

The console runs as in production (Textual's message loop, the real widgets, 160x48) but
headless, fed by a stand-in desk that publishes what the engine publishes during a 10,000-alert
burst: 10,000 snapshots whose open-alert list grows by one alert each and is capped at the 200
the engine keeps (most severe first, then oldest), at up to 2,000 snapshots a second. (The engine's
own side of the burst — link, book, log — is measured by bench_alert_burst; here the console's.)

During the burst an operator presses Down (select the next alert: the list cursor moves and the
picture highlights the pair) and `k` (acknowledge it: a request to the desk and a line on screen),
one key every 40 ms, through the terminal driver's queue as a real key arrives. Latency is from
the key entering that queue to the first frame composed after the key's action ran, rendered to
terminal bytes as the driver would write them. Goal: p99 under 100 ms.

Memory: Python's heap (tracemalloc) held after the burst, against before it; then two more bursts
of 10,000: the growth over the third shows whether what the console holds is bounded.

Like `run_console`, the benchmark freezes the heap the console starts with (`gc.freeze`): a full
collection then walks only what changed since, which keeps its pause short.
"""

from __future__ import annotations

import asyncio
import gc
import io
import statistics
import time
import tracemalloc
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench.report import Figure

BURST = 10_000
CAP = 200
RATE_PER_S = 2_000
KEY_EVERY_S = 0.040
SIZE = (160, 48)
MIB = 1024 * 1024


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


def _snapshots(offset: int = 0) -> Callable[[int], Any]:
    """The i-th snapshot of a burst (called in order): the newest CAP alerts, ordered as the
    engine orders them. Like the engine, only the open alerts are held."""
    from terminal.tui.format import sort_alerts
    from terminal.tui.samples import burst_alert, snapshot

    window: deque[Any] = deque(maxlen=CAP)
    base = snapshot("CONNECTED")

    def make(i: int) -> Any:
        window.append(burst_alert(offset + i))
        return _replace(base, alerts=tuple(sort_alerts(window)))

    return make


def _replace(snap: Any, **changes: Any) -> Any:
    from dataclasses import replace

    return replace(snap, **changes)


class _Frames:
    """Wraps the app's display hook: stamps each frame and renders it to terminal bytes."""

    def __init__(self, app: Any) -> None:
        from rich.console import Console

        self.app = app
        self.console = Console(width=SIZE[0], height=SIZE[1], file=io.StringIO(),
                               force_terminal=True, color_system="truecolor")  # fmt: skip
        self.waiting: list[float] = []  # when each key whose action ran was pressed
        self.latencies: list[float] = []
        self.frames = 0
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            renderable.render_segments(self.console)  # the bytes a terminal would be sent
            self.frames += 1
            now = time.perf_counter()
            self.latencies.extend(now - pressed for pressed in self.waiting)
            self.waiting.clear()

        app._display = display


async def _burst(feed: Any, make: Callable[[int], Any]) -> float:
    """Publish BURST snapshots at RATE_PER_S; returns the seconds it took."""
    start = time.perf_counter()
    for i in range(BURST):
        feed.publish(make(i))
        due = start + (i + 1) / RATE_PER_S
        delay = due - time.perf_counter()
        await asyncio.sleep(max(0.0, delay))
    return time.perf_counter() - start


async def _latency() -> tuple[list[float], float, int, int]:
    from textual import events

    from terminal.tui.app import ConsoleApp
    from terminal.tui.feed import SnapshotFeed
    from terminal.tui.samples import snapshot
    from terminal.tui.widgets.alerts import AlertList

    make = _snapshots()
    feed = SnapshotFeed(snapshot("CONNECTED"), now=1000.0)
    app = ConsoleApp(feed, utc=lambda: datetime(2026, 11, 25, 7, 10, tzinfo=UTC))
    app.freeze_heap = True  # as `run_console` has it
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        frames = _Frames(app)
        pressed: dict[str, list[float]] = {"down": [], "k": []}
        table = app.main.query_one(AlertList)
        original_down, original_ack = table.action_move, app.action_acknowledge

        def down(delta: int) -> None:
            original_down(delta)
            frames.waiting.append(pressed["down"].pop(0))

        def ack() -> None:
            original_ack()
            frames.waiting.append(pressed["k"].pop(0))

        table.action_move = down  # type: ignore[method-assign]
        app.action_acknowledge = ack  # type: ignore[method-assign]
        burst = asyncio.get_running_loop().create_task(_burst(feed, make))
        keys = 0
        while not burst.done():
            key = "down" if keys % 2 == 0 else "k"
            pressed[key].append(time.perf_counter())
            app._driver.send_message(events.Key(key, None))  # as the terminal driver does
            keys += 1
            await asyncio.sleep(KEY_EVERY_S)
        seconds = await burst
        await pilot.pause()
        return frames.latencies, seconds, keys, frames.frames


async def _memory() -> tuple[float, float, float]:
    from terminal.tui.app import ConsoleApp
    from terminal.tui.feed import SnapshotFeed
    from terminal.tui.samples import snapshot

    feed = SnapshotFeed(snapshot("CONNECTED"), now=1000.0)
    app = ConsoleApp(feed, utc=lambda: datetime(2026, 11, 25, 7, 10, tzinfo=UTC))
    app.freeze_heap = True
    held: list[int] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for n in range(3):
            await _burst(feed, _snapshots(offset=n * BURST))
            await pilot.pause()
            feed.publish(snapshot("CONNECTED"))  # the burst is over: the alerts are closed
            await pilot.pause(0.5)
            gc.collect()
            held.append(tracemalloc.get_traced_memory()[0])
        peak = tracemalloc.get_traced_memory()[1]
    return (held[0] - before) / MIB, (held[2] - held[1]) / MIB, (peak - before) / MIB


def run() -> list[Figure]:
    """Latency during the burst, then memory across two bursts."""
    latencies, seconds, keys, frames = asyncio.run(_latency())
    if len(latencies) < keys * 0.9:
        raise RuntimeError(f"only {len(latencies)} of {keys} key presses reached the screen")
    ms = [x * 1000 for x in latencies]
    tracemalloc.start()
    try:
        held, growth, peak = asyncio.run(_memory())
    finally:
        tracemalloc.stop()
    return [
        Figure("console_key_to_screen_p50", round(statistics.median(ms), 2), "ms", "-"),
        Figure("console_key_to_screen_p99", round(_percentile(ms, 99), 2), "ms", "p99 < 100 ms",
               ratio=round(_percentile(ms, 99) / 100, 3), ratio_of="the 100 ms goal"),
        Figure("console_key_to_screen_max", round(max(ms), 2), "ms", "-"),
        Figure("console_keys_measured", len(ms), "keys", f">= {int(keys * 0.9)} of {keys}"),
        Figure("console_burst_rate", round(BURST / seconds), "snapshots/s",
               f"- (asked {RATE_PER_S}/s; {frames} frames drawn)"),
        Figure("console_heap_held_after_burst", round(held, 2), "MiB",
               "bounded: < 16 MiB held once the burst is over"),
        Figure("console_heap_growth_third_burst", round(growth, 2), "MiB",
               "< 0.5 MiB (nothing accumulates burst over burst)"),
        Figure("console_heap_peak_during_burst", round(peak, 2), "MiB", "-"),
    ]  # fmt: skip
