"""The desk at start-up (the bench rig: real log file, real links over pseudo-terminals): the
configured line is written as version 1 once; a start with the same line writes nothing; an edited
config line becomes a new version entered by "config"; a version entered at the console is
recorded, survives a restart and stays in force."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from terminal.line_log import read_history
from tests.rigs.bench import bench_rig, fast_config, until

A = "51.0,-0.2; 51.1,0.2"
B = "52.0,-0.2; 52.1,0.2"


def config(tmp_path: Path, points: str):  # type: ignore[no-untyped-def]
    cfg = fast_config(tmp_path)
    return replace(cfg, alerts=replace(cfg.alerts, line_id="WEST", line_points=points))


def start_and_stop(tmp_path: Path, points: str, entered: tuple[str, str] | None = None) -> None:
    async def main() -> None:
        async with bench_rig(tmp_path, config(tmp_path, points)) as bench:
            engine = bench.rig.desk.engine
            if entered is not None:
                assert engine.enter_line(*entered) is None
            await until(lambda: bench.rig.desk.writer is not None
                        and bench.rig.desk.writer.flush(1), what="flushed")  # fmt: skip

    asyncio.run(main())


def test_the_config_line_is_version_1_once_and_an_edit_adds_a_version(tmp_path: Path) -> None:
    db = tmp_path / "log" / "hotline.db"
    start_and_stop(tmp_path, A)
    (v1,) = read_history(db).versions()
    assert (v1.version, v1.name, v1.entered_by) == (1, "WEST", "config")
    assert v1.points == ((51.0, -0.2), (51.1, 0.2))
    start_and_stop(tmp_path, A)  # the same line: nothing written
    assert [v.version for v in read_history(db).versions()] == [1]
    start_and_stop(tmp_path, A, entered=("EAST", "51.5,0.0; 51.6,0.3"))
    start_and_stop(tmp_path, A)  # unchanged config: the console's version stays in force
    history = read_history(db)
    assert [(v.version, v.entered_by) for v in history.versions()] == [(1, "config"), (2, None)]
    assert history.latest is not None and history.latest.name == "EAST"
    start_and_stop(tmp_path, B)  # the config file was edited: a new version, history kept
    history = read_history(db)
    assert [(v.version, v.name, v.entered_by) for v in history.versions()] == [
        (1, "WEST", "config"), (2, "EAST", None), (3, "WEST", "config"),
    ]  # fmt: skip
    assert history.versions()[2].points == ((52.0, -0.2), (52.1, 0.2))
