"""The bench rig for end-to-end and fault tests: the desk in this process on a real event loop,
real pseudo-terminals to the simulators, gpiozero's MockFactory, a real SQLite file.

Also the three checks every fault test ends with: nothing committed is lost (`CommitSpy`,
`assert_log_whole`), the transmitter ends unkeyed (`assert_unkeyed`), and the desk works again by
itself (`call_flows`).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hw.sim.bridge import BridgeSim
from terminal.benchrig import BenchRig
from terminal.config import Config, bench_config
from terminal.core.calls import CallPhase
from terminal.log import DB_NAME, LogWriter, verify


def fast_config(tmp_path: Path, **call: Any) -> Config:
    """Bench configuration with timers short enough for tests."""
    cfg = bench_config(log_dir=tmp_path / "log")
    ptt_keys = {"tx_timeout_s", "tx_warning_s", "keepalive_s", "bridge_keepalive_timeout_s"}
    ptt = {k: v for k, v in call.items() if k in ptt_keys}
    rest = {k: v for k, v in call.items() if k not in ptt_keys}
    return replace(
        cfg,
        gpio=replace(cfg.gpio, lamp_test_ms=0, ptt_bounce_ms=0),
        radio=replace(
            cfg.radio, heartbeat_s=0.25, link_timeout_s=2.0, ack_timeout_s=0.1,
            reopen_min_s=0.05, reopen_max_s=0.2,
        ),
        call=replace(cfg.call, **rest),
        # Audio has tests of its own (tests/audio, test_audio_desk.py); with no sound card here an
        # enabled audio would show a (true) fault that the call tests do not look at.
        audio=replace(cfg.audio, enabled=False),
        ptt=replace(cfg.ptt, **ptt),
    )


async def until(predicate: Callable[[], bool], timeout_s: float = 5.0, what: str = "") -> None:
    """Wait (on the loop) until `predicate()` holds; fail the test after `timeout_s`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.005)


async def bridge_caught_up(rig: BenchRig, beats: int = 2) -> None:
    """Wait until the bridge simulator has read everything the desk wrote so far: the desk's
    heartbeats come after it on the same line, so once `beats` more have arrived, what the desk
    wrote before them has been read (and acted on). A test that asserts "nothing happened" waits
    here rather than for a time."""
    seen = rig.bridge.session.stats["hb_in"]
    await until(lambda: rig.bridge.session.stats["hb_in"] >= seen + beats, 5,
                "the bridge simulator caught up with the desk")  # fmt: skip


# --- nothing committed is lost -----------------------------------------------------------------


@dataclass
class CommitSpy:
    """Every record handed to the desk's LogWriter, with the future that reports its commit."""

    submitted: list[tuple[str, Future[int]]] = field(default_factory=list)

    def attach(self, writer: LogWriter) -> None:
        """Watch `writer.submit` (the real writer still does the work)."""
        submit = writer.submit

        def watched(kind: str, payload: dict[str, Any], utc_ms: int | None = None) -> Future[int]:
            future = submit(kind, payload, utc_ms)
            self.submitted.append((kind, future))
            return future

        writer.submit = watched  # type: ignore[method-assign]

    def committed(self) -> dict[int, str]:
        """Record id -> kind of every record the writer reported committed."""
        return {
            f.result(): kind for kind, f in self.submitted if f.done() and f.exception() is None
        }


def stored(db: Path) -> dict[int, tuple[str, bytes]]:
    """Record id -> (kind, hash) as the file holds them now (a plain reader beside the writer)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        rows = conn.execute("SELECT id, kind, hash FROM records").fetchall()
    finally:
        conn.close()
    return {rid: (kind, digest) for rid, kind, digest in rows}


def assert_log_whole(
    db: Path,
    committed: dict[int, str] | None = None,
    seen: dict[int, tuple[str, bytes]] | None = None,
) -> None:
    """Every record reported committed (`committed`: id -> kind) or read from the file earlier
    (`seen`: id -> (kind, hash)) is in the file, unchanged, and the hash chain verifies."""
    now = stored(db)
    for rid, kind in (committed or {}).items():
        assert rid in now, f"committed record {rid} ({kind}) is missing"
        assert now[rid][0] == kind, f"record {rid}: {now[rid][0]} stored, {kind} committed"
    for rid, row in (seen or {}).items():
        assert now.get(rid) == row, f"record {rid} seen earlier is missing or changed"
    report = verify(db)
    assert report.ok, f"log verify failed: {report.first}"


# --- the transmitter ends unkeyed ----------------------------------------------------------------


def assert_unkeyed(sim: BridgeSim, by: set[str] | None = None) -> str:
    """The bridge's transmitter is off; if it was ever keyed, its last change was an unkey by one
    of `by` (UNKEY: the terminal said so; KEEPALIVE: the keepalives stopped; LINK: the link fell).
    Returns that reason ("" if never keyed)."""
    assert not sim.keyed, "the bridge is still keyed"
    if not sim.log.tx_changes:
        return ""
    _, keyed, reason = sim.log.tx_changes[-1]
    assert not keyed
    if by is not None:
        assert reason in by, f"unkeyed by {reason}, expected one of {sorted(by)}"
    return reason


# --- the desk works again by itself --------------------------------------------------------------


async def connect_call(rig: BenchRig) -> None:
    """The far end rings, the desk answers: a connected call."""
    engine = rig.desk.engine
    assert rig.far("ring"), f"the bridge cannot ring now ({rig.bridge.phase.value})"
    await until(lambda: engine.core.state.phase is CallPhase.RINGING, what="desk ringing")
    engine.intent("answer")
    await until(lambda: rig.bridge.phase.value == "CONNECTED", what="connected at the bridge")


async def key(rig: BenchRig) -> None:
    """Press the PTT button (its mock pin) until the bridge is keyed."""
    rig.press(True)
    await until(lambda: rig.bridge.keyed, what="keyed at the bridge")


async def call_flows(rig: BenchRig, timeout_s: float = 10.0) -> None:
    """A whole call with a transmission goes through and is committed: the desk has recovered."""
    engine = rig.desk.engine
    await until(lambda: rig.desk.radio.is_up, timeout_s, "radio link up again")
    ended = sum(1 for c in engine.snapshot.calls_today if c.outcome == "answered")
    await until(lambda: rig.bridge.phase.value == "IDLE", timeout_s, "bridge idle")
    await connect_call(rig)
    await key(rig)
    rig.press(False)
    await until(lambda: not rig.bridge.keyed, what="unkeyed on release")
    assert rig.bridge.log.tx_changes[-1][2] == "UNKEY"
    engine.intent("hangup")
    await until(lambda: rig.bridge.phase.value == "IDLE", what="hung up at the bridge")
    await until(
        lambda: sum(1 for c in engine.snapshot.calls_today if c.outcome == "answered") > ended,
        timeout_s, "the call committed and shown",
    )


@dataclass
class Bench:
    """A started rig and the spy on its log writer."""

    rig: BenchRig
    commits: CommitSpy

    @property
    def db(self) -> Path:
        """The desk's database file."""
        return self.rig.desk.config.log.directory / DB_NAME


@asynccontextmanager
async def bench_rig(
    tmp_path: Path,
    config: Config | None = None,
    *,
    scenario: str | None = None,
    time_scale: float = 1.0,
    **call: Any,
) -> AsyncIterator[Bench]:
    """A started bench rig with its radio link up; always stopped (fail safe) afterwards."""
    rig = BenchRig(
        config or fast_config(tmp_path, **call), workdir=tmp_path, scenario=scenario,
        time_scale=time_scale,
    )
    await rig.start()
    spy = CommitSpy()
    assert rig.desk.writer is not None
    spy.attach(rig.desk.writer)
    try:
        await until(lambda: rig.desk.radio.is_up, what="radio link up")
        yield Bench(rig, spy)
    finally:
        rig.desk.stop("test end")
