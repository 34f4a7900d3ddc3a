"""A 10,000-alert burst through a pseudo-terminal into the terminal's side: CoprocLink -> AlertBook.

The co-processor runs in a child process on the far end of the pty: the `burst` scenario with
10,000 pairs, all CRITICAL in its first cycle (scenario time frozen, so nothing else happens), sent
as the protocol says: one ALERT in flight, each resent until acknowledged. The terminal side is
this process: pyserial on the pty, the link session (ACK, dedupe), CoprocLink turning each ALERT
into an event, and the alert book (dedupe by boot and alert_seq, the kernel's recomputation, open
alerts by pair, records as effects). The figure is alerts per second from the first to the last,
against what a saturated 115200-baud line can carry (the average ALERT frame measured); plus the
alerts lost (goal 0) and the book's own cost per alert. A second run adds the durable log as the
desk has it: each ALERT's record committed (SQLite file, WAL, synchronous=FULL) before its ACK goes
back, so the co-processor's next ALERT waits for the commit — the price of losing nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import time

from bench.report import Figure

ALERTS = 10_000
BAUD = 115200
BYTES_PER_S = BAUD / 10  # 8N1: 10 bits a byte
TIMEOUT_S = 300.0
GOAL_RATIO = 2.0


def _coproc_child(master_fd: int, report_fd: int, stop_fd: int, alerts: int) -> None:
    """Child process: the co-processor on the burst scenario; reports what it sent."""
    from hw.sim.coproc import CoprocSim
    from hw.sim.runner import SimRunner
    from hw.sim.tracks.scenarios import make
    from hw.wire.codec import encode
    from hw.wire.messages import Alert, message_frame

    async def main() -> None:
        loop = asyncio.get_running_loop()
        sim = CoprocSim(make(f"burst:{alerts}"), time_scale=1e-6, cycle_s=3600.0)
        sizes: list[int] = []
        send = sim.session.send

        def sized(msg: object, now: float) -> int:
            seq = send(msg, now)  # type: ignore[arg-type]
            if isinstance(msg, Alert):
                sizes.append(len(encode(message_frame(seq, msg))))
            return seq

        sim.session.send = sized  # type: ignore[method-assign]
        runner = SimRunner(sim, clock=loop.time)
        runner.attach_fd(master_fd)
        stopped = asyncio.Event()
        loop.add_reader(stop_fd, stopped.set)
        await stopped.wait()
        runner.detach()
        report = {
            "issued": len(sim.log.issued), "delivered": len(sim.log.delivered),
            "frame_bytes": sum(sizes) / max(1, len(sizes)),
            "retransmits": sim.session.stats["retransmits"],
        }  # fmt: skip
        os.write(report_fd, (json.dumps(report) + "\n").encode())

    asyncio.run(main())


async def _terminal(path: str, alerts: int, log_dir: str | None) -> dict[str, float]:
    """This process: the terminal's link and book (and log, with `log_dir`); times the burst."""
    from pathlib import Path

    from hw.coproc import CoprocLink
    from terminal.config.model import LinkConfig
    from terminal.core.alert_effects import RECORD_TYPES, AlertLogged
    from terminal.core.alerts import AlertBook
    from terminal.desk_records import DeskRecords
    from terminal.log import LogWriter

    loop = asyncio.get_running_loop()
    book = AlertBook()
    logged: set[tuple[str, int]] = set()
    stamps: list[float] = []
    writer = None if log_dir is None else LogWriter.open(Path(log_dir) / "burst.db")
    sink = None if writer is None else DeskRecords(writer, on_calls=lambda _c: None)

    def feed(event: object) -> asyncio.Future[int] | None:
        last = None
        for effect in book.handle(event):  # type: ignore[arg-type]
            if sink is not None and isinstance(effect, RECORD_TYPES):
                last = sink.record_alert(effect) or last  # type: ignore[arg-type]
            if isinstance(effect, AlertLogged):
                logged.add((effect.boot_id, effect.alert_seq))
                stamps.append(time.perf_counter())
        return last

    link = CoprocLink(LinkConfig(port=path), on_alert=feed, on_clear=feed, on_link=feed,
                      clock=loop.time)  # fmt: skip
    task = loop.create_task(link.run())
    deadline = loop.time() + TIMEOUT_S
    try:
        while len(logged) < alerts and loop.time() < deadline:
            await asyncio.sleep(0.05)
    finally:
        link.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        if writer is not None:
            writer.close()
    span = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
    return {"logged": len(logged), "records": len(stamps), "span_s": span,
            "suspect": book.stats["suspect"], "open": len(book)}  # fmt: skip


def _book_rate(alerts: int) -> float:
    """Alerts per second the book takes on its own (no link, no pty): the terminal's headroom."""
    from hw.coproc import alert_event
    from hw.sim.coproc import alert_message
    from hw.sim.tracks.scenarios import make
    from terminal.core.alerts import AlertBook
    from terminal.kernel.watch import Issue, Watch

    found = Watch().cycle(make(f"burst:{alerts}").picture(0.0), 0.0, 0)
    events = [alert_event(alert_message(Issue(k + 1, f)), "B0070001", 0.0, 0)  # type: ignore[arg-type]
              for k, f in enumerate(found)]  # fmt: skip
    book = AlertBook()
    start = time.perf_counter()
    for ev in events:
        book.handle(ev)
    return len(events) / (time.perf_counter() - start)


def measure(alerts: int, log_dir: str | None = None) -> dict[str, float]:
    """Run the burst; the terminal's figures and the co-processor's report."""
    from hw.pty import PtyPair

    pty = PtyPair()
    report_r, report_w = os.pipe()
    stop_r, stop_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the co-processor
        try:
            _coproc_child(pty.master_fd, report_w, stop_r, alerts)
        finally:
            os._exit(0)
    try:
        result = asyncio.run(_terminal(pty.slave_path, alerts, log_dir))
    finally:
        os.write(stop_w, b"x")
        data = b""
        while not data.endswith(b"\n"):
            chunk = os.read(report_r, 65536)
            if not chunk:
                break
            data += chunk
        os.waitpid(pid, 0)
        pty.close()
        for fd in (report_r, report_w, stop_r, stop_w):
            os.close(fd)
    return {**result, **json.loads(data or b"{}")}


def run() -> list[Figure]:
    """10,000 alerts: rate against the line, lost, and the book's own rate."""
    import tempfile

    m = measure(ALERTS)
    with tempfile.TemporaryDirectory() as tmp:
        durable = measure(ALERTS, tmp)
    line_rate = BYTES_PER_S / m["frame_bytes"]
    durable_rate = (durable["logged"] - 1) / durable["span_s"]
    rate = (m["logged"] - 1) / m["span_s"]
    lost = ALERTS - m["logged"]
    book = _book_rate(ALERTS)
    of = f"a saturated {BAUD}-baud line ({line_rate:.1f} ALERTs/s of {m['frame_bytes']:.0f} B)"
    return [
        Figure(
            "alert_burst_rate",
            round(rate, 1),
            "alerts/s",
            f">= {GOAL_RATIO:g}x line rate",
            round(rate / line_rate, 2),
            of,
        ),
        Figure("alert_burst_lost", lost, "alerts", "0"),
        Figure(
            "alert_burst_rate_durable",
            round(durable_rate, 1),
            "alerts/s",
            ">= 1x line rate (each ALERT committed before its ACK)",
            round(durable_rate / line_rate, 2),
            of,
        ),
        Figure("alert_burst_lost_durable", ALERTS - durable["logged"], "alerts", "0"),
        Figure("alert_burst_retransmits", m["retransmits"], "frames", "-"),
        Figure(
            "alert_book_rate",
            round(book, 1),
            "alerts/s",
            "-",
            round(book / line_rate, 1),
            "line rate (the book alone: dedupe, kernel check, records)",
        ),
    ]
