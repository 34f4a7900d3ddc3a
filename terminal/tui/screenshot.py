"""`python -m terminal.tui.screenshot [PATH] [--size WxH]`: the console's main screen as an SVG
(Textual's export), drawn from constructed snapshots with a frozen clock — how docs/console.svg
is made, so it can be made again after the console changes."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path

from terminal.tui.app import ConsoleApp
from terminal.tui.feed import SnapshotFeed
from terminal.tui.samples import NOW, critical_alerts, snapshot, todays_calls
from terminal.views import LinkHealth

HEALTH = (
    LinkHealth("radio", True, "2026-11-25T07:09:59.900Z"),
    LinkHealth("coproc", True, "2026-11-25T07:09:59.700Z"),
    LinkHealth("gpio", True),
    LinkHealth("log", True, "2026-11-25T07:09:59.950Z"),
    LinkHealth("audio", True),
)


async def render(size: tuple[int, int]) -> str:
    """The main screen while transmitting, with three open alerts and today's calls."""
    snap = snapshot("TRANSMITTING", alerts=critical_alerts(), calls=todays_calls(), health=HEALTH)
    app = ConsoleApp(SnapshotFeed(snap, now=NOW), desk_name="AOC/DESK-1",
                     utc=lambda: datetime(2026, 11, 25, 7, 10, tzinfo=UTC))  # fmt: skip
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.3)
        return app.export_screenshot(title="hotline console")


def main(argv: list[str] | None = None) -> int:
    """Write the SVG."""
    parser = argparse.ArgumentParser(prog="python -m terminal.tui.screenshot")
    parser.add_argument("path", nargs="?", type=Path, default=Path("docs/console.svg"))
    parser.add_argument("--size", default="140x42", help="columns x rows (default 140x42)")
    args = parser.parse_args(argv)
    width, _, height = args.size.partition("x")
    svg = asyncio.run(render((int(width), int(height))))
    args.path.write_text(svg, encoding="utf-8")
    print(f"wrote {args.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
