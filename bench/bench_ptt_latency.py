"""PTT latency: a mock-pin press to the KEY frame readable at the bridge end of the pty.

The desk runs as at the bench (real pty, pyserial, gpiozero MockFactory, the engine on asyncio);
the bridge simulator runs in a child process on the far end of the pty and stamps the moment each
KEY frame's bytes became readable there (CLOCK_MONOTONIC is shared by both processes). 1,000
presses; p50/p99/max against the wire time of the KEY frame at 115200 baud.

Then the same under load: `stress-ng --cpu N` (N = the machine's cores) keeps every core busy, and
the loop thread runs in the real-time class the service gives it (terminal/realtime.py:
SCHED_FIFO 10), as does the bridge child, which stands for a separate device and must not add its
own scheduling delay to the figure. So are the kernel's workers that deliver the pty's bytes to
its far end (`flush_to_ldisc`, run by the unbound workqueue's `kworker/u*` threads at the normal
class): that is the bridge's receive path, which on the real wire is the bridge device's own UART,
not a thread competing with the desk's CPU hog. For the loaded real-time run they are put in
SCHED_FIFO 5 and put back afterwards (`_pty_workers_realtime`; where that is refused the figure
says so). The same loaded run at the normal class, workers untouched, shows what the classes
buy. CPU per press: the loop thread's CPU time (time.thread_time) inside the press and the
release, i.e. the edge through the engine and the session to KEY (and UNKEY) written to the port.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from bench.pi_budget import pi4_estimate
from bench.report import Figure

PRESSES = 1000
BAUD = 115200


def _bridge_child(master_fd: int, report_fd: int, stop_fd: int, realtime: bool) -> None:
    """Child process: the bridge simulator, stamping each KEY's arrival."""
    from hw.sim.bridge import BridgeSim
    from hw.sim.runner import SimRunner
    from terminal.realtime import raise_loop_thread

    if realtime:
        raise_loop_thread()

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


@dataclass
class Measured:
    """One run of presses: press to KEY readable at the bridge end, and to KEY written (the
    port's write() returned: the bytes are the kernel's), in seconds; the CPU per press."""

    latencies: list[float]
    to_write: list[float]
    frame_bytes: int
    cpu_per_press: float
    note: str


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


async def _measure(workdir: Path, realtime: bool) -> Measured:
    from hw.gpio import mock_press
    from hw.pty import PtyPair
    from hw.wire.codec import Frame, encode
    from terminal.config import bench_config
    from terminal.desk import Desk
    from terminal.realtime import raise_loop_thread, restore_loop_thread

    pty = PtyPair()
    report_r, report_w = os.pipe()
    stop_r, stop_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the bridge
        try:
            _bridge_child(pty.master_fd, report_w, stop_r, realtime)
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
    cpu = 0.0
    scheduling = raise_loop_thread() if realtime else None
    written: list[float] = []  # when each KEY's bytes were handed to the kernel (write returned)
    port = desk.radio.port
    write = port.write

    def stamped(data: bytes) -> bool:
        done = write(data)
        if b",KEY," in data:
            written.append(time.perf_counter())
        return done

    port.write = stamped  # type: ignore[method-assign]
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
            cpu0 = time.thread_time()
            mock_press(desk.panel, True)
            cpu += time.thread_time() - cpu0
            while not desk.engine.core.state.bridge_keyed:
                await asyncio.sleep(0)
            cpu0 = time.thread_time()
            mock_press(desk.panel, False)
            cpu += time.thread_time() - cpu0
            while desk.engine.core.state.bridge_keyed or bridge.pending():
                await asyncio.sleep(0)
    finally:
        load = f"load {os.getloadavg()[0]:.2f}"
        if scheduling is not None:
            restore_loop_thread(scheduling)
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
    to_write = [w - p for p, w in zip(presses, written, strict=False)]
    key_frame = len(encode(Frame(0, "KEY", ("1500",))))
    note = load if scheduling is None else f"{load}; {scheduling.note}"
    return Measured(latencies, to_write, key_frame, cpu / PRESSES, note)


PTY_WORKER_PRIORITY = 5
"""SCHED_FIFO priority of the pty's delivery workers in the model: above every normal process,
below the desk's loop thread (terminal/realtime.py)."""


def _unbound_workers() -> list[int]:
    """The kernel's unbound workqueue threads (`kworker/u*`): they run the pty's flip work."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            comm = Path(f"/proc/{entry}/comm").read_text().strip()
        except OSError:
            continue
        if comm.startswith("kworker/u"):
            pids.append(int(entry))
    return pids


@contextlib.contextmanager
def _pty_workers_realtime() -> Iterator[str]:
    """The pty's delivery workers in SCHED_FIFO for the block (the bridge's receive path, in
    the model: its own device); put back at the normal class after. Yields a note."""
    raised: list[int] = []
    refused = ""
    for pid in _unbound_workers():
        try:
            os.sched_setscheduler(pid, os.SCHED_FIFO, os.sched_param(PTY_WORKER_PRIORITY))
            raised.append(pid)
        except OSError as exc:
            refused = exc.strerror or str(exc)
    try:
        if raised:
            yield f"pty workers SCHED_FIFO {PTY_WORKER_PRIORITY}: {len(raised)}"
        else:
            yield f"pty workers at the normal class ({refused or 'none found'})"
    finally:
        for pid in raised:
            with contextlib.suppress(OSError):  # gone meanwhile: the kernel retires idle workers
                os.sched_setscheduler(pid, os.SCHED_OTHER, os.sched_param(0))


def _loaded(realtime: bool) -> Measured:
    """The presses with every core kept busy by stress-ng; with `realtime`, the loop thread,
    the bridge child and the pty's delivery workers in the real-time class."""
    stress = shutil.which("stress-ng")
    if stress is None:
        raise RuntimeError("stress-ng is not installed (make setup installs it: DEB_PACKAGES)")
    hog = subprocess.Popen(
        [stress, "--cpu", str(os.cpu_count() or 1), "--timeout", "600s", "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(1.0)  # the hogs running on every core
        with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
            workers = stack.enter_context(_pty_workers_realtime()) if realtime else ""
            measured = asyncio.run(_measure(Path(tmp), realtime))
            note = f"{measured.note}; {workers}" if workers else measured.note
            return replace(measured, note=note)
    finally:
        hog.terminate()
        hog.wait()


def _figures(prefix: str, latencies: list[float], frame_bytes: int, goal: str, note: str
             ) -> list[Figure]:  # fmt: skip
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
                f"{prefix}_{name}",
                round(value * 1000, 3),
                "ms",
                f"{goal} ({note})" if name == "p99" else "-",
                ratio=round(value / wire_s, 3),
                ratio_of=f"KEY frame wire time at 115200 baud ({wire_s * 1000:.2f} ms)",
            )
        )
    return figures


def _written_p99(prefix: str, m: Measured, goal: str) -> Figure:
    if len(m.to_write) != PRESSES:
        raise RuntimeError(f"only {len(m.to_write)} of {PRESSES} KEY frames were written")
    return Figure(f"{prefix}_p99", round(_percentile(m.to_write, 99) * 1000, 3), "ms", goal)


def run() -> list[Figure]:
    """Press 1,000 times: as the machine is, then with every core busy (real-time class, then
    the normal class); p50, p99 and max latency each; the CPU per press."""
    with tempfile.TemporaryDirectory() as tmp:
        quiet = asyncio.run(_measure(Path(tmp), False))
    frame = quiet.frame_bytes
    figures = _figures("ptt_press_to_key", quiet.latencies, frame, "p99 < 2 ms", quiet.note)
    loaded = _loaded(True)
    figures += _figures("ptt_press_to_key_loaded", loaded.latencies, frame,
                        "p99 < 2 ms with every core busy", f"stress-ng; {loaded.note}")
    figures.append(_written_p99("ptt_press_to_write_loaded", loaded,
                                "- (the desk's part: KEY handed to the kernel)"))
    plain = _loaded(False)
    figures += _figures("ptt_press_to_key_loaded_normal_class", plain.latencies, frame, "-",
                        f"stress-ng, no real-time class; {plain.note}")
    figures.append(_written_p99("ptt_press_to_write_loaded_normal_class", plain, "-"))
    per_press = Figure("ptt_cpu_per_press", round(quiet.cpu_per_press * 1e6, 1), "us",
                       "- (press and release through to KEY and UNKEY written)")
    return [*figures, per_press, pi4_estimate(per_press)]
