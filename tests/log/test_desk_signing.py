"""The real desk (bench rig: real ptys, mock pins, the SQLite log) with a signing key: its log is
signed at the clean stop, the snapshot carries the head fingerprint, and an unusable key stops
start-up before the pins are claimed."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path

import pytest

from terminal.benchrig import BenchRig
from terminal.config import Config, bench_config
from terminal.core.calls import CallPhase
from terminal.log import verify
from terminal.log.checkpoint import fingerprint
from terminal.log.signing import KeyFileError, generate
from terminal.log.verify import Trust


def signed_config(tmp_path: Path, key: Path) -> Config:
    cfg = bench_config(log_dir=tmp_path / "log")
    return replace(
        cfg,
        gpio=replace(cfg.gpio, lamp_test_ms=0, ptt_bounce_ms=0),
        audio=replace(cfg.audio, enabled=False),
        log=replace(cfg.log, checkpoint_key=key, checkpoint_records=1000, checkpoint_s=3600),
    )


async def until(predicate, timeout_s: float = 10.0, what: str = "") -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def test_the_desk_signs_its_log_and_shows_the_head(tmp_path: Path) -> None:
    key = tmp_path / "desk.key"
    signer = generate(key)
    db = tmp_path / "log" / "hotline.db"

    async def main() -> None:
        rig = BenchRig(signed_config(tmp_path, key), workdir=tmp_path)
        await rig.start()
        engine = rig.desk.engine
        writer = rig.desk.writer
        assert writer is not None and writer.signing_key == signer.public
        try:
            await until(lambda: rig.desk.radio.is_up, what="radio up")
            rig.far("ring")
            await until(lambda: engine.core.state.phase is CallPhase.RINGING, what="ringing")
            rig.far("hangup")
            await until(lambda: engine.core.state.phase is CallPhase.IDLE, what="idle")
            assert writer.flush(5)
            engine.refresh()
            assert engine.snapshot.log_head == fingerprint(*writer.head)
            assert engine.snapshot.log_head.startswith(f"#{writer.head[0]} ")
            await rig.desk.shutdown("test end")
        finally:
            rig.desk.stop("test end")

    asyncio.run(main())
    report = verify(db, trust=Trust([signer.public]))
    assert report.ok, report.first
    assert report.signed >= 1 and not any(n.startswith("unsigned") for n in report.notes)


def test_a_key_that_is_not_a_key_stops_start_up_before_the_pins(tmp_path: Path) -> None:
    key = tmp_path / "desk.key"
    key.write_text("not a key\n")
    key.chmod(0o600)

    async def main() -> None:
        rig = BenchRig(signed_config(tmp_path, key), workdir=tmp_path)
        try:
            with pytest.raises(KeyFileError, match="cannot be loaded"):
                await rig.start()
            assert rig.desk.panel is None  # no pin was claimed
        finally:
            rig.desk.stop("test end")

    asyncio.run(main())
