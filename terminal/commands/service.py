"""`hotline service`: the desk with no console, for systemd."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Any

from terminal.cli import EX_CONFIG, EX_FAIL, EX_OK
from terminal.config import INSTALLED_CONFIG, Config, ConfigError, load_config


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `service` to the parser."""
    parser = sub.add_parser(
        "service",
        help="Run the headless service (for systemd).",
        description="Run the desk with no console: the configured pins and links, the control "
        "socket, events logged to stderr. SIGTERM or SIGINT unkey and stop it.",
    )
    parser.add_argument(
        "--config", type=Path, default=INSTALLED_CONFIG, help=f"configuration ({INSTALLED_CONFIG})"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate the configuration before touching anything, then run until a signal."""
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EX_CONFIG
    # NumPy's OpenBLAS starts a worker thread per core at import (with its buffers, ~3 MB); the
    # kernel's cross-check of an alert is element-wise work on two aircraft and needs none.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # The loop thread takes its real-time class when the service starts (terminal/realtime.py),
    # after the imports: a second of imports in SCHED_FIFO would hold a core against everything
    # else on the machine (the suite's simulators timed out behind it).
    from terminal.service import JournalFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JournalFormatter("%(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    try:
        asyncio.run(_main(config, args.config))
    except Exception as exc:
        logging.getLogger("hotline").critical("stopped by a fault: %s", exc)
        return EX_FAIL
    return EX_OK


async def _main(config: Config, path: Path) -> None:
    from terminal.service import Service

    service = Service(config, path)
    log = logging.getLogger("hotline.events")
    service.desk.engine.on_event(
        lambda kind, item: log.info("%s %s", kind, item) if item.get("type") != "Tick" else None
    )
    await service.run()
