"""The shipped files: hotline.toml is the built-in defaults, documented; bench.toml is the bench."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from terminal.cli import EX_OK, main
from terminal.config import Config, bench_config, load_config
from terminal.config.loader import SECTIONS, keys_of
from terminal.config.rules import RULES

ROOT = Path(__file__).resolve().parents[2]
HOTLINE = ROOT / "config" / "hotline.toml"
BENCH = ROOT / "config" / "bench.toml"


def test_hotline_toml_is_the_builtin_defaults() -> None:
    assert load_config(HOTLINE) == Config()


def test_hotline_toml_sets_every_key_explicitly() -> None:
    document = tomllib.loads(HOTLINE.read_text())
    assert list(document) == list(SECTIONS)
    for section in SECTIONS:
        assert sorted(document[section]) == sorted(keys_of(section)), section


def test_hotline_toml_documents_every_key_with_a_comment_above_it() -> None:
    lines = HOTLINE.read_text().split("\n")
    keyed = [i for i, line in enumerate(lines) if re.match(r"[a-z_]+ = ", line)]
    assert len(keyed) == sum(len(keys_of(s)) for s in SECTIONS)
    undocumented = [lines[i] for i in keyed if not lines[i - 1].startswith("# ")]
    assert undocumented == []


def test_bench_toml_is_bench_config_with_the_same_log_dir() -> None:
    expected = bench_config(log_dir=ROOT / ".hotline-bench")
    assert load_config(BENCH) == expected


def test_bench_toml_is_bench_config_run_from_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert load_config(Path("config/bench.toml")) == bench_config()


def test_bench_config_simulates_the_hardware(tmp_path: Path) -> None:
    bench = bench_config(log_dir=tmp_path)
    assert bench.gpio.pin_factory == "mock"
    assert (bench.radio.port, bench.coproc.port) == ("sim://bridge", "sim://coproc")
    assert bench.log.directory == tmp_path
    assert bench.audio.enabled
    assert (
        dataclasses.replace(
            bench,
            gpio=Config().gpio,
            radio=Config().radio,
            coproc=Config().coproc,
            log=Config().log,
        )
        == Config()
    )


def test_bench_config_default_log_dir_is_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert bench_config().log.directory == tmp_path / ".hotline-bench"


@pytest.mark.parametrize("path", [HOTLINE, BENCH], ids=["hotline", "bench"])
def test_check_config_accepts_the_shipped_files(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-config", str(path)]) == EX_OK
    out, err = capsys.readouterr()
    assert (out, err) == (f"{path}: ok\n", "")


def test_check_config_accepts_relative_paths_as_documented(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["check-config", "config/hotline.toml"]) == EX_OK
    assert capsys.readouterr().out == "config/hotline.toml: ok\n"


def test_every_key_but_the_booleans_has_a_rule_and_every_rule_a_key() -> None:
    for section in SECTIONS.values():
        hints = {f.name: f.type for f in dataclasses.fields(section)}
        ruled = set(RULES.get(section, {}))
        assert ruled <= set(hints), section
        unruled = {name for name in set(hints) - ruled if hints[name] != "bool"}
        assert unruled == set(), section


def test_the_configuration_is_frozen() -> None:
    config = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.gpio.ptt_pin = 5  # type: ignore[misc]
