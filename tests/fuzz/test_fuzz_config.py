"""Fuzz: valid TOML of every type in the real keys' places (tests/config has the rest)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings

from bench.fuzzing.config import TARGETS, check_config_text
from terminal.config import ConfigError, load_config


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(TARGETS[0].strategy)
def test_typed_toml_gives_a_config_or_located_issues(text: str) -> None:
    check_config_text(text)


def test_a_table_where_a_number_belongs_is_located(tmp_path: Path) -> None:
    path = tmp_path / "desk.toml"
    path.write_text('[radio]\nheartbeat_s = {a = 1}\n[[gpio]]\nptt_pin = 17\n')
    try:
        load_config(path)
    except ConfigError as err:
        assert [(i.line, i.key) for i in err.issues] == [(2, "radio.heartbeat_s"), (3, "gpio")]
    else:
        raise AssertionError("loaded a configuration with a table for a number")
