"""The service: start to READY, and its resident memory at idle.

`hotline service` runs as a child with a test NOTIFY_SOCKET and a pty for the radio bridge (the
bridge simulator on the far end), exactly as systemd would start it; READY=1 is timed from the
fork. Resident memory is read from /proc/<pid>/status (VmRSS) after the desk has idled a moment.
The RSS after a 10,000-alert burst is reported by bench_alert_burst once alerts run through the
service.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.report import Figure

RUNS = 5


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def _one(tmp: Path) -> tuple[float, float]:
    from hw.pty import PtyPair
    from hw.sim.bridge import BridgeSim
    from hw.sim.runner import SimRunner

    loop = asyncio.get_running_loop()
    pty = PtyPair()
    runner = SimRunner(BridgeSim(), clock=loop.time)
    runner.attach_fd(pty.master_fd)
    notify = tmp / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify))
    sock.setblocking(False)
    cfg = tmp / "desk.toml"
    cfg.write_text(
        f'[gpio]\npin_factory = "mock"\n[radio]\nport = "{pty.path}"\n[coproc]\nenabled = false\n'
        f'[log]\ndirectory = "{tmp / "log"}"\n[service]\nsocket = "{tmp / "c.sock"}"\n'
    )
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "terminal.cli", "service", "--config", str(cfg),
        env=dict(os.environ, NOTIFY_SOCKET=str(notify)), stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        ready_s = None
        while ready_s is None:
            try:
                data = await loop.sock_recv(sock, 4096)
            except OSError:
                continue
            if b"READY=1" in data.split(b"\n"):
                ready_s = time.perf_counter() - started
        await asyncio.sleep(2.0)
        rss = _rss_mb(proc.pid)
    finally:
        proc.terminate()
        await proc.wait()
        runner.detach()
        pty.close()
        sock.close()
    return ready_s, rss


def run() -> list[Figure]:
    """Start the service five times; report the median time to READY and the idle RSS."""
    readies, rsses = [], []
    for i in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            ready, rss = asyncio.run(_one(Path(tmp)))
        readies.append(ready)
        rsses.append(rss)
        del i
    return [
        Figure("service_start_to_ready_median", round(statistics.median(readies), 3), "s",
               "< 1.5 s"),
        Figure("service_start_to_ready_max", round(max(readies), 3), "s", "< 1.5 s"),
        Figure("service_rss_idle", round(max(rsses), 1), "MB", "< 80 MB"),
    ]
