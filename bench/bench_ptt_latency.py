"""PTT latency: a mock-pin press to the KEY frame readable at the bridge end of the pty.

The desk runs as at the bench (real pty, pyserial, gpiozero MockFactory, the engine on asyncio);
the bridge simulator runs in a child process on the far end of the pty and stamps the moment each
KEY frame's bytes became readable there (CLOCK_MONOTONIC is shared by both processes). 1,000
presses; p50/p99/max against the wire time of the KEY frame at 115200 baud.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.report import Figure

PRESSES = 1000
BAUD = 115200


def _bridge_child(master_fd: int, report_fd: int, stop_fd: int) -> None:
    """Child process: the bridge simulator, stamping each KEY's arrival."""
    from hw.sim.bridge import BridgeSim
    from hw.sim.runner import SimRunner

    async def main() -> None:
        loop = asyncio.get_running_loop()
        sim = BridgeSim()
        stamps: list[float] = []
        original = sim.receive

        def receive(data: bytes, now: float) -> None:
            arrived = time.perf_counter()
            if b",KEY," in data:
                stamps.append(arrived)
            original(data, now)

        sim.receive = receive  # type: ignore[method-assign]
        runner = SimRunner(sim, clock=loop.time)
        runner.attach_fd(master_fd)
        stopped = asyncio.Event()
        loop.add_reader(stop_fd, stopped.set)
        await stopped.wait()
        runner.detach()
        os.write(report_fd, ("\n".join(f"{t:.9f}" for t in stamps) + "\n").encode())

    asyncio.run(main())


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


async def _measure(workdir: Path) -> tuple[list[float], int]:
    from hw.gpio import mock_press
    from hw.pty import PtyPair
    from hw.wire.codec import Frame, encode
    from terminal.config import bench_config
    from terminal.desk import Desk

    pty = PtyPair()
    report_r, report_w = os.pipe()
    stop_r, stop_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the bridge
        try:
            _bridge_child(pty.master_fd, report_w, stop_r)
        finally:
            os._exit(0)
    config = bench_config(workdir)
    config = replace(
        config,
        gpio=replace(config.gpio, lamp_test_ms=0, ptt_bounce_ms=0),
        radio=replace(config.radio, port=pty.slave_path),
    )
    desk = Desk(config)
    await desk.start()
    loop = asyncio.get_running_loop()
    presses: list[float] = []
    try:
        while not desk.radio.is_up:
            await asyncio.sleep(0.01)
        bridge = desk.radio.session
        desk.engine.intent("call")
        while desk.engine.core.state.phase.name != "CONNECTED":
            await asyncio.sleep(0.01)
        assert desk.panel is not None
        for _ in range(PRESSES):
            presses.append(time.perf_counter())
            mock_press(desk.panel, True)
            while not desk.engine.core.state.bridge_keyed:
                await asyncio.sleep(0)
            mock_press(desk.panel, False)
            while desk.engine.core.state.bridge_keyed or bridge.pending():
                await asyncio.sleep(0)
    finally:
        desk.stop("bench end")
        os.write(stop_w, b"x")
        data = b""
        while not data.endswith(b"\n"):
            chunk = await loop.run_in_executor(None, os.read, report_r, 65536)
            if not chunk:
                break
            data += chunk
        os.waitpid(pid, 0)
        pty.close()
    stamps = [float(x) for x in data.split()]
    latencies = [k - p for p, k in zip(presses, stamps, strict=False)]
    key_frame = len(encode(Frame(0, "KEY", ("1500",))))
    return latencies, key_frame


def run() -> list[Figure]:
    """Press 1,000 times; report p50, p99 and max latency."""
    with tempfile.TemporaryDirectory() as tmp:
        latencies, frame_bytes = asyncio.run(_measure(Path(tmp)))
    if len(latencies) != PRESSES:
        raise RuntimeError(f"only {len(latencies)} of {PRESSES} KEY frames reached the bridge")
    wire_s = frame_bytes * 10 / BAUD
    figures = []
    for name, value in (
        ("p50", statistics.median(latencies)),
        ("p99", _percentile(latencies, 99)),
        ("max", max(latencies)),
    ):
        figures.append(
            Figure(
                f"ptt_press_to_key_{name}",
                round(value * 1000, 3),
                "ms",
                "p99 < 2 ms" if name == "p99" else "-",
                ratio=round(value / wire_s, 3),
                ratio_of=f"KEY frame wire time at 115200 baud ({wire_s * 1000:.2f} ms)",
            )
        )
    return figures
