"""The service as systemd runs it: start to READY, memory and CPU at idle, a 10,000-alert burst.

`hotline service` runs as a child with a test NOTIFY_SOCKET and both serial links on pseudo-
terminals: the radio-bridge simulator and the co-processor simulator run in this process on the
far ends, so their work is not counted in the service's. The desk is the deployed one (mock pins,
the log, the control socket, both links) with audio off: this machine has no sound card, and a desk
without one retries PortAudio every 2 s; that case is measured apart (`_audio_no_card`).

- Bytecode: an installed desk has its modules compiled at install (scripts/install.sh), and the
  service, which cannot write there, loads the .pyc files. Here the service's bytecode is written
  to a cache of the benchmark's own (PYTHONPYCACHEPREFIX) by a first start that is not counted,
  and loaded from it by the starts measured; one more start with an empty cache and no writing
  (PYTHONDONTWRITEBYTECODE) is what a desk without its bytecode pays: every module compiled.
- READY=1 is timed from the fork, RUNS times: median and max; the CPU charged to the service by
  then (the last start). The kernel (NumPy) is loaded after READY, in a thread: its import time,
  after what the service holds at READY, in a fresh interpreter, is the most the first alert can
  wait for its cross-check.
- Idle: after READY and a settling pause, resident memory (VmRSS) and the CPU time the kernel
  charged the process (utime + stime in /proc/<pid>/stat) over IDLE_S seconds with the links up
  and nothing happening (the co-processor's picture is empty).
- The console attached: `hotline console` on a pseudo-terminal (160x48), attached to the service
  through its control socket; its CPU and the service's over IDLE_S seconds, idle.
- A burst: the co-processor sends 10,000 CRITICAL alerts, one in flight as the protocol says; each
  goes link -> alert book (the kernel's cross-check) -> durable record (committed before its ACK)
  -> the snapshot published to an attached client (the screen's feed). The service's CPU time over
  the burst divided by the alerts is the CPU per alert; its VmRSS after, against idle.

Each figure carries the 1-minute load average it was measured under: the machine may be shared.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path
from typing import Any

from bench.pi_budget import pi4_estimate
from bench.report import Figure

RUNS = 5
SETTLE_S = 3.0
IDLE_S = 60.0
AUDIO_IDLE_S = 20.0
BURST = 10_000
BURST_TIMEOUT_S = 900.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _cpu_s(pid: int) -> float:
    """CPU time charged to the process (all its threads), user + system, in seconds."""
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(after_name[11]) + int(after_name[12])) / CLK_TCK


def _load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


class _Bytecode:
    """Where the service's children find their bytecode: a cache of the benchmark's own."""

    cache: Path | None = None  # set by _all for its run
    compiled = True

    @classmethod
    def env(cls, **extra: str) -> dict[str, str]:
        env = dict(os.environ, **extra)
        if cls.cache is not None:
            env["PYTHONPYCACHEPREFIX"] = str(cls.cache)
            if cls.compiled:
                env.pop("PYTHONDONTWRITEBYTECODE", None)
            else:
                env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env


def _quiet() -> Any:
    from hw.sim.tracks.scenarios import Scenario

    return Scenario("quiet", (), description="no aircraft: the link up, nothing to report")


class _Rig:
    """The service as a child process, the two simulators here on the far ends of its ports."""

    def __init__(self, tmp: Path, source: Any, audio: bool = False, burst: bool = False) -> None:
        from hw.pty import PtyPair
        from hw.sim.bridge import BridgeSim
        from hw.sim.coproc import CoprocSim
        from hw.sim.runner import SimRunner

        self.tmp = tmp
        self.radio_pty, self.coproc_pty = PtyPair(), PtyPair()
        # A burst: scenario time frozen and one kernel cycle, so the alerts are all there is.
        self.coproc = (
            CoprocSim(source, time_scale=1e-6, cycle_s=3600.0) if burst else CoprocSim(source)
        )
        self.runners = [SimRunner(BridgeSim()), SimRunner(self.coproc)]
        self.config = tmp / "desk.toml"
        self.config.write_text(
            f'[gpio]\npin_factory = "mock"\n[radio]\nport = "{self.radio_pty.path}"\n'
            f'[coproc]\nenabled = true\nport = "{self.coproc_pty.path}"\n'
            f"[audio]\nenabled = {'true' if audio else 'false'}\n"
            f'[log]\ndirectory = "{tmp / "log"}"\n[service]\nsocket = "{tmp / "c.sock"}"\n'
        )
        self.socket = tmp / "c.sock"
        self.proc: asyncio.subprocess.Process | None = None
        self.cpu_at_ready = 0.0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self) -> float:
        """Start the service; seconds from the fork to READY=1."""
        loop = asyncio.get_running_loop()
        for runner, pty in zip(self.runners, (self.radio_pty, self.coproc_pty), strict=True):
            runner.set_clock(loop.time)
            runner.attach_fd(pty.master_fd)
        notify = self.tmp / "notify"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(str(notify))
        sock.setblocking(False)
        try:
            started = time.perf_counter()
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "terminal.cli", "service", "--config", str(self.config),
                env=_Bytecode.env(NOTIFY_SOCKET=str(notify)),
                stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            while True:
                data = await asyncio.wait_for(loop.sock_recv(sock, 4096), 60.0)
                if b"READY=1" in data.split(b"\n"):
                    ready = time.perf_counter() - started
                    self.cpu_at_ready = _cpu_s(self.pid)
                    return ready
        finally:
            sock.close()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            await self.proc.wait()
        for runner in self.runners:
            runner.detach()
        self.radio_pty.close()
        self.coproc_pty.close()


async def _cpu_percent(pids: list[int], seconds: float) -> list[float]:
    """Each process's CPU over `seconds`, in percent of one core."""
    before = [_cpu_s(p) for p in pids]
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    span = time.perf_counter() - started
    return [100 * (_cpu_s(p) - b) / span for p, b in zip(pids, before, strict=True)]


async def _console(config: Path) -> tuple[asyncio.subprocess.Process, int]:
    """`hotline console` attached to the service, on a 160x48 pseudo-terminal drained here."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "terminal.cli", "console", "--config", str(config),
        stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
        env=dict(os.environ, TERM="xterm-256color", COLUMNS="160", LINES="48"),
    )  # fmt: skip
    os.close(slave)

    def drain() -> None:
        try:
            os.read(master, 65536)
        except OSError:
            asyncio.get_running_loop().remove_reader(master)

    asyncio.get_running_loop().add_reader(master, drain)
    return proc, master


async def _end_console(proc: asyncio.subprocess.Process, master: int) -> None:
    asyncio.get_running_loop().remove_reader(master)
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 10.0)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    os.close(master)


async def _idle(tmp: Path, figures: dict[str, Any]) -> float:
    """One start with the idle and console measurements; returns its READY time."""
    rig = _Rig(tmp, _quiet())
    try:
        ready = await rig.start()
        figures["cpu_at_ready"] = rig.cpu_at_ready
        await asyncio.sleep(SETTLE_S)
        figures["rss_idle"] = (_rss_mb(rig.pid), _load())
        (cpu,) = await _cpu_percent([rig.pid], IDLE_S)
        figures["cpu_idle"] = (cpu, _load())
        console, master = await _console(rig.config)
        try:
            await asyncio.sleep(2 * SETTLE_S)
            if console.returncode is not None:
                raise RuntimeError(f"the console exited with {console.returncode}")
            console_cpu, service_cpu = await _cpu_percent([console.pid, rig.pid], IDLE_S)
            figures["console_cpu_idle"] = (console_cpu, _load())
            figures["console_rss_idle"] = (_rss_mb(console.pid), _load())
            figures["cpu_idle_console_attached"] = (service_cpu, _load())
        finally:
            await _end_console(console, master)
        return ready
    finally:
        await rig.stop()


async def _ready_and_rss(tmp: Path) -> tuple[float, float]:
    rig = _Rig(tmp, _quiet())
    try:
        ready = await rig.start()
        await asyncio.sleep(SETTLE_S)
        return ready, _rss_mb(rig.pid)
    finally:
        await rig.stop()


_KERNEL_LOAD = """
import time
from terminal.cli import build_parser
build_parser(["service"])
import terminal.commands.service, terminal.service
started = time.perf_counter()
import terminal.kernel.report
print(time.perf_counter() - started)
"""


def _kernel_load_s() -> list[float]:
    """The kernel's import (NumPy with it) after what the service holds at READY, in a fresh
    interpreter, RUNS times: the longest an alert arriving right at READY waits for its check."""
    env = _Bytecode.env(OPENBLAS_NUM_THREADS="1")  # as `hotline service` sets it
    out = []
    for _ in range(RUNS):
        done = subprocess.run([sys.executable, "-c", _KERNEL_LOAD], capture_output=True,
                              text=True, check=True, env=env, timeout=120)  # fmt: skip
        out.append(float(done.stdout.strip().splitlines()[-1]))
    return out


async def _audio_no_card(tmp: Path) -> tuple[float, float, str]:
    """Audio on, with no sound card (this machine): RSS and CPU while PortAudio is retried."""
    rig = _Rig(tmp, _quiet(), audio=True)
    try:
        await rig.start()
        await asyncio.sleep(SETTLE_S)
        rss = _rss_mb(rig.pid)
        (cpu,) = await _cpu_percent([rig.pid], AUDIO_IDLE_S)
        return rss, cpu, _load()
    finally:
        await rig.stop()


async def _burst(tmp: Path, cpu_at_ready: float) -> dict[str, Any]:
    """10,000 alerts through the service with a client attached; its CPU and memory."""
    from hw.sim.tracks.scenarios import make
    from terminal.attach.client import RemoteEngine

    rig = _Rig(tmp, make(f"burst:{BURST}"), burst=True)
    remote = None
    try:
        await rig.start()
        remote = RemoteEngine(rig.socket, take_control=False)
        snapshots = 0

        def seen(_snap: object) -> None:
            nonlocal snapshots
            snapshots += 1

        remote.subscribe(seen)
        await remote.connect()
        started = time.perf_counter()
        deadline = started + BURST_TIMEOUT_S
        while rig.coproc.log.acked < BURST and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        span = time.perf_counter() - started
        cpu = _cpu_s(rig.pid) - cpu_at_ready  # from the fork, less what start-up costs
        load = _load()
        await asyncio.sleep(SETTLE_S)
        return {"acked": rig.coproc.log.acked, "cpu_s": cpu, "span_s": span, "load": load,
                "rss": _rss_mb(rig.pid), "snapshots": snapshots}  # fmt: skip
    finally:
        if remote is not None:
            remote.close()
        await rig.stop()


async def _from_source(tmp: Path) -> tuple[float, float, str]:
    """One start with no bytecode (an empty cache, none written): READY and CPU to READY."""
    cache, _Bytecode.cache = _Bytecode.cache, tmp / "empty-cache"
    _Bytecode.compiled = False
    try:
        rig = _Rig(tmp, _quiet())
        try:
            return await rig.start(), rig.cpu_at_ready, _load()
        finally:
            await rig.stop()
    finally:
        _Bytecode.cache, _Bytecode.compiled = cache, True


async def _all() -> list[Figure]:
    with tempfile.TemporaryDirectory() as cache:
        _Bytecode.cache = Path(cache)
        try:
            return await _measured()
        finally:
            _Bytecode.cache = None


async def _measured() -> list[Figure]:
    readies: list[float] = []
    rsses: list[tuple[float, str]] = []
    idle: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:  # writes the bytecode; the kernel's too
        await _ready_and_rss(Path(tmp))
    for run in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            if run == RUNS - 1:
                readies.append(await _idle(Path(tmp), idle))
                rsses.append(idle["rss_idle"])
            else:
                ready, rss = await _ready_and_rss(Path(tmp))
                readies.append(ready)
                rsses.append((rss, _load()))
    starts_load = _load()  # just after the starts
    with tempfile.TemporaryDirectory() as tmp:
        source_ready, source_cpu, source_load = await _from_source(Path(tmp))
    kernel_load = _kernel_load_s()
    kernel_load_note = _load()
    with tempfile.TemporaryDirectory() as tmp:
        burst = await _burst(Path(tmp), idle["cpu_at_ready"])
    with tempfile.TemporaryDirectory() as tmp:
        audio_rss, audio_cpu, audio_load = await _audio_no_card(Path(tmp))
    acked = burst["acked"]
    if acked == 0:
        raise RuntimeError("no alert was acknowledged")
    rss_idle, rss_load = max(rsses)
    growth = burst["rss"] - rss_idle  # the open alerts (all kept) and what they left behind
    per_alert = Figure("service_cpu_per_alert", round(burst["cpu_s"] / acked * 1e6, 1), "us",
                       f"- (link -> book -> record -> snapshot to a client; {burst['load']})")
    return [
        Figure("service_start_to_ready_median", round(statistics.median(readies), 3), "s",
               f"< 0.7 s ({starts_load} after the starts)"),
        Figure("service_start_to_ready_max", round(max(readies), 3), "s", "< 1.2 s"),
        Figure("service_cpu_to_ready", round(idle["cpu_at_ready"], 3), "s",
               "- (CPU charged to the service at READY, the last start)"),
        Figure("service_start_to_ready_from_source", round(source_ready, 3), "s",
               f"- (one start with no bytecode: every module compiled; CPU to READY "
               f"{source_cpu:.2f} s; {source_load})"),
        Figure("service_kernel_load_after_ready_max", round(1000 * max(kernel_load), 1), "ms",
               f"- (the kernel's import after READY: the most an alert at READY waits for its "
               f"cross-check; median {1000 * statistics.median(kernel_load):.0f} ms; "
               f"{kernel_load_note})"),
        Figure("service_rss_idle", round(rss_idle, 1), "MB", f"< 60 MB ({rss_load})"),
        Figure("service_cpu_idle", round(idle["cpu_idle"][0], 2), "% of a core",
               f"< 0.5 % ({IDLE_S:g} s, links up; {idle['cpu_idle'][1]})"),
        Figure("console_cpu_idle_attached", round(idle["console_cpu_idle"][0], 2), "% of a core",
               f"< 2 % ({IDLE_S:g} s; {idle['console_cpu_idle'][1]})"),
        Figure("service_cpu_idle_console_attached", round(idle["cpu_idle_console_attached"][0], 2),
               "% of a core", f"- ({idle['cpu_idle_console_attached'][1]})"),
        Figure("console_rss_idle_attached", round(idle["console_rss_idle"][0], 1), "MB", "-"),
        Figure("service_rss_after_burst", round(burst["rss"], 1), "MB",
               f"< {rss_idle + 10:.1f} MB (idle + 10 MB; grew {growth:.1f} MB, "
               f"{growth * 2**20 / acked:.0f} B per alert; {burst['load']})"),
        Figure("service_burst_acked", acked, "alerts",
               f"{BURST} (within {BURST_TIMEOUT_S:g} s; the figures below are over these)"),
        Figure("service_burst_rate", round(acked / burst["span_s"], 1), "alerts/s",
               f"- ({burst['snapshots']} snapshots to the attached client)"),
        per_alert,
        pi4_estimate(per_alert),
        Figure("service_rss_idle_audio_no_card", round(audio_rss, 1), "MB",
               f"- (audio on, no sound card: PortAudio probed; {audio_load})"),
        Figure("service_cpu_idle_audio_no_card", round(audio_cpu, 2), "% of a core",
               f"- (PortAudio retried every 2 s; {AUDIO_IDLE_S:g} s; {audio_load})"),
    ]  # fmt: skip


def run() -> list[Figure]:
    """Start the service five times and measure it idle, with a console, and in a burst."""
    return asyncio.run(_all())
