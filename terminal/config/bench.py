"""The bench configuration: the desk defaults with simulated hardware, as in config/bench.toml."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from terminal.config.model import Config

BENCH_LOG_DIR = ".hotline-bench"


def bench_config(log_dir: Path | None = None) -> Config:
    """Mock pins, simulated links, and a log in `log_dir` (default: ./.hotline-bench)."""
    desk = Config()
    return replace(
        desk,
        gpio=replace(desk.gpio, pin_factory="mock"),
        radio=replace(desk.radio, port="sim://bridge"),
        coproc=replace(desk.coproc, port="sim://coproc"),
        log=replace(desk.log, directory=log_dir or Path.cwd() / BENCH_LOG_DIR),
    )
