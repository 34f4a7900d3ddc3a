"""Every broken example file gives exactly the issues its `# expect:` comments name, via the API
and via `hotline check-config`; together the files break every key of the schema."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from terminal.cli import EX_CONFIG, main
from terminal.config import Config, ConfigError, load_config

BROKEN = Path(__file__).parent / "broken"
FILES = sorted(BROKEN.glob("*.toml"))


def expectations(path: Path) -> list[str]:
    """The `# expect: LINE: text` comments of a broken file, as the start of an issue line."""
    text = path.read_bytes().decode("utf-8", "replace")
    return [f"{path}:{m[1]}" for m in re.finditer(r"^# expect: (.+)$", text, re.MULTILINE)]


def test_there_are_broken_files_and_each_says_what_is_wrong() -> None:
    assert len(FILES) > 50
    for path in FILES:
        head = path.read_bytes().decode("utf-8", "replace")
        assert head.startswith("# mistake: "), path
        assert expectations(path), path


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_load_config_reports_exactly_the_expected_issues(path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    lines = str(caught.value).splitlines()
    expected = expectations(path)
    assert len(lines) == len(caught.value.issues) == len(expected), lines
    for want, got in zip(expected, lines, strict=True):
        assert got.startswith(want), (got, want)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_check_config_exits_78_naming_the_key(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-config", str(path)]) == EX_CONFIG
    out, err = capsys.readouterr()
    assert out == ""
    for want in expectations(path):
        assert any(line.startswith(want) for line in err.splitlines()), (want, err)


def test_every_key_of_the_schema_has_a_broken_file() -> None:
    named = set()
    for path in FILES:
        for want in expectations(path):
            match = re.match(r".*?:\d+: ([a-z_]+\.[a-z_]+): ", want)
            if match:
                named.add(match[1])
    schema = {
        f"{section.name}.{key.name}"
        for section in fields(Config)
        for key in fields(getattr(Config(), section.name))
    }
    assert schema - named == set()
