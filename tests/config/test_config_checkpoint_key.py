"""[log] checkpoint_key: a key file that is missing or readable by others stops start-up (78)."""

from __future__ import annotations

from pathlib import Path

import pytest

from terminal.cli import EX_CONFIG, EX_OK, main
from terminal.config import ConfigError, load_config
from terminal.log.signing import generate

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "hotline.toml"


def config_with_key(tmp_path: Path, key: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('checkpoint_key = ""', f'checkpoint_key = "{key}"')
    text = text.replace('directory = "/var/lib/hotline-terminal"', f'directory = "{tmp_path}"')
    path = tmp_path / "hotline.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_default_runs_unsigned() -> None:
    assert load_config(EXAMPLE).log.checkpoint_key is None
    assert load_config(EXAMPLE).log.checkpoint_records == 100
    assert load_config(EXAMPLE).log.checkpoint_s == 60


def test_a_missing_key_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(config_with_key(tmp_path, "desk.key"))
    text = str(caught.value)
    assert "log.checkpoint_key" in text and "cannot be read" in text and "keygen" in text


def test_a_key_readable_by_others_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generate(tmp_path / "desk.key")
    (tmp_path / "desk.key").chmod(0o644)
    assert main(["check-config", str(config_with_key(tmp_path, "desk.key"))]) == EX_CONFIG
    assert "readable by others (mode 644); chmod 600 it" in capsys.readouterr().err


def test_a_key_made_by_keygen_is_accepted_relative_to_the_file(tmp_path: Path) -> None:
    generate(tmp_path / "desk.key")
    config = load_config(config_with_key(tmp_path, "desk.key"))
    assert config.log.checkpoint_key == tmp_path / "desk.key"
    assert main(["check-config", str(config_with_key(tmp_path, "desk.key"))]) == EX_OK


def test_keygen_makes_the_configured_key_the_config_was_refused_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_with_key(tmp_path, "desk.key")
    assert main(["check-config", str(config)]) == EX_CONFIG
    assert main(["log", "keygen", "--config", str(config)]) == EX_OK
    assert (tmp_path / "desk.key").is_file() and (tmp_path / "desk.key.pub").is_file()
    assert main(["check-config", str(config)]) == EX_OK
    capsys.readouterr()


def test_keygen_does_not_hide_other_config_mistakes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_with_key(tmp_path, "desk.key")
    config.write_text(
        config.read_text().replace("checkpoint_records = 100", "checkpoint_records = 0")
    )
    assert main(["log", "keygen", "--config", str(config)]) == EX_CONFIG
    assert "log.checkpoint_records" in capsys.readouterr().err
    assert not (tmp_path / "desk.key").exists()
