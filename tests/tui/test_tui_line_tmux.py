"""End to end in a real terminal: `hotline bench` on the line-crossing scenario in a private tmux
server. The scenario's line is version 1; the operator presses `e`, types the points of a new
version, sees its preview, confirms; the co-processor simulator, over its pseudo-terminal,
acknowledges it and reports it in use, and `hotline log lines` lists both versions."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from test_tui_tmux import HOTLINE, ROOT, Tmux, pytestmark  # noqa: F401


def test_a_line_entered_in_hotline_bench_is_acknowledged_by_the_coprocessor(
    tmp_path: Path,
) -> None:
    log = tmp_path / "log"
    tmux = Tmux(tmp_path)
    tmux.start(f"{HOTLINE} bench --scenario line-crossing --log-dir {log}")
    try:
        tmux.wait_for(lambda s: "COPROC up" in s, "the co-processor link up")
        tmux.wait_for(lambda s: "PICTURE v1 DL ✓" in s, "the scenario's line in use as v1")
        tmux.keys("e")
        tmux.wait_for(lambda s: "NEW LINE VERSION v2" in s, "the line entry")
        tmux.keys("-l", "51.0,0.7; 52.5,0.7; 53")
        tmux.keys("Enter")
        text = tmux.wait_for(lambda s: "Not taken" in s, "the bad point named")
        assert "point 3" in text
        tmux.keys("BSpace", "BSpace", "BSpace", "BSpace")
        tmux.keys("Enter")
        tmux.wait_for(lambda s: "PREVIEW v2 DL: 2 points" in s, "the preview")
        tmux.keys("Enter")
        tmux.wait_for(lambda s: "PICTURE v2 DL ✓" in s, "the co-processor using v2", 30)
        tmux.keys("q")
        text = tmux.wait_for(lambda s: "HOTLINE-EXIT=" in s, "the process to end")
        assert "HOTLINE-EXIT=0" in text
    finally:
        tmux.close()
    out = subprocess.run(
        [str(HOTLINE), "log", "lines", "--db", str(log / "hotline.db"), "--format", "jsonl"],
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=True,
    ).stdout  # fmt: skip
    rows = [json.loads(line) for line in out.splitlines()]
    assert (rows[0]["version"], rows[0]["name"], rows[0]["entered_by"]) == (1, "DL", "config")
    assert rows[1]["version"] == 2 and rows[1]["state"] == "in force"
    assert rows[1]["points"] == [[51.0, 0.7], [52.5, 0.7]]
