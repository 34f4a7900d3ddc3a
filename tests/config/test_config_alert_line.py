"""`[alerts]` line and restart grace: from the file into the alert book's settings."""

from __future__ import annotations

from pathlib import Path

from terminal.config import load_config
from terminal.config.rules import parse_line_points
from terminal.desk import engine_options


def test_a_configured_line_reaches_the_alert_book_and_the_console(tmp_path: Path) -> None:
    path = tmp_path / "desk.toml"
    path.write_text(
        '[alerts]\nrestart_grace_s = 25\nline_id = "DL"\n'
        'line_points = " 49.5, 1.0 ;51.0,1.0; 52.5 ,1.3"\n'
    )
    options = engine_options(load_config(path))
    line = options.alerts.line
    assert line is not None and line.id == "DL"
    assert line.points == ((49.5, 1.0), (51.0, 1.0), (52.5, 1.3))
    assert options.alerts.restart_grace_s == 25


def test_no_line_by_default() -> None:
    from terminal.config import Config

    options = engine_options(Config())
    assert options.alerts.line is None and options.alerts.restart_grace_s == 10.0


def test_points_parse_and_empty_means_none() -> None:
    assert parse_line_points("") == () == parse_line_points("   ")
    assert parse_line_points("-90,-180;90,180") == ((-90.0, -180.0), (90.0, 180.0))
