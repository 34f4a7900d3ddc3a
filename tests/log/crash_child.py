"""Crash-test child: writes records through LogWriter as fast as it can, printing each id once
its commit has returned. The parent SIGKILLs it at a random moment.

usage: python crash_child.py DB_PATH RUN [KEY]   (KEY: sign a checkpoint every 10 records)
"""

from __future__ import annotations

import sys
from concurrent.futures import Future
from pathlib import Path

from terminal.log import LogWriter, records
from terminal.log.checkpoint import Checkpointer


def burst(writer: LogWriter, run: int, n: int) -> list[Future[int]]:
    call = f"r{run}-c{n}"
    entries = [
        records.call_started(call, "incoming", "OP"),
        records.journal_event("RingReceived", {"n": n}),
        records.call_answered(call, "OP"),
        records.transmission(call, 1000 + n, "OP", "PTT"),
        records.alert_received(
            {"range_m": n * 1.5, "pad": "x" * (n % 300)},
            boot_id=f"r{run}",
            alert_seq=n,
            pair_id="A/B",
            severity="warning",
            consistent=n % 7 != 0,
        ),
        records.alert_acknowledged(records.alert_key(f"r{run}", n), "OP"),
        records.call_note(call, "OP", "note " * (n % 20)),
        records.call_ended(call, "answered", "OP"),
    ]
    return [writer.submit(kind, payload) for kind, payload in entries]


def main() -> None:
    db_path, run = Path(sys.argv[1]), int(sys.argv[2])
    checkpoints = None
    if len(sys.argv) > 3:
        checkpoints = Checkpointer.from_file(Path(sys.argv[3]), every_records=10, every_s=0.05)
    writer = LogWriter.open(db_path, checkpoints=checkpoints)
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    previous: list[Future[int]] = []
    n = 0
    while True:
        current = burst(writer, run, n)
        n += 1
        if previous:
            out.write("".join(f"{f.result()}\n" for f in previous))
            out.flush()
        previous = current


if __name__ == "__main__":
    main()
