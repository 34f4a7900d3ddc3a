"""`[radio] backend`: the bridge (default) or a plain radio through rigctld (docs/radios.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from terminal.cli import EX_CONFIG, main
from terminal.config import Config, ConfigError, load_config
from terminal.desk import engine_options


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hotline.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bridge_is_the_default_and_no_open_channel() -> None:
    cfg = Config()
    assert cfg.radio.backend == "bridge"
    assert not engine_options(cfg).call.open_channel


def test_rigctld_backend_loads_and_opens_the_channel(tmp_path: Path) -> None:
    cfg = load_config(config(tmp_path, '[radio]\nbackend = "rigctld"\nrigctld = "[::1]:4533"\n'
                                       "dcd_poll_ms = 0\nptt_check_ms = 100\n"))  # fmt: skip
    assert (cfg.radio.backend, cfg.radio.rigctld) == ("rigctld", "[::1]:4533")
    assert (cfg.radio.dcd_poll_ms, cfg.radio.ptt_check_ms) == (0, 100)
    assert engine_options(cfg).call.open_channel


def test_with_rigctld_the_unused_radio_port_may_equal_the_coprocs(tmp_path: Path) -> None:
    text = '[radio]\nbackend = "rigctld"\nport = "/dev/ttyAMA0"\n[coproc]\nport = "/dev/ttyAMA0"\n'
    assert load_config(config(tmp_path, text)).radio.backend == "rigctld"
    with pytest.raises(ConfigError, match="already used"):
        load_config(config(tmp_path, text.replace('backend = "rigctld"\n', "")))


def test_a_bad_backend_stops_check_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config(tmp_path, '[radio]\nbackend = "rigctl"\n')
    assert main(["check-config", str(path)]) == EX_CONFIG
    assert 'radio.backend: "rigctl" is not a radio backend' in capsys.readouterr().err


def test_coproc_has_no_radio_backend_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"coproc\.backend: unknown key"):
        load_config(config(tmp_path, '[coproc]\nbackend = "rigctld"\n'))
