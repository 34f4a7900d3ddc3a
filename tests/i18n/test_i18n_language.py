"""How the desk's language is chosen: `[desk] language`, else the locale, else English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from terminal import i18n
from terminal.cli import EX_CONFIG, main
from terminal.config import ConfigError, load_config


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    i18n.use("en")


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LC_MESSAGES": "ru_RU.UTF-8", "LANG": "en_US.UTF-8"}, "ru"),
        ({"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "ru_RU.UTF-8"}, "en"),
        ({"LANGUAGE": "ru", "LC_ALL": "en_US.UTF-8"}, "ru"),
        ({"LANGUAGE": "de:ru:en", "LANG": "en_US.UTF-8"}, "ru"),
        ({"LANGUAGE": "", "LANG": "ru_UA.UTF-8@euro"}, "ru"),
    ],
)
def test_the_locale_decides_when_the_config_does_not(
    environ: dict[str, str], language: str
) -> None:
    assert i18n.from_locale(environ) == language
    assert i18n.resolve("", environ) == language


def test_the_configured_language_wins_over_the_locale() -> None:
    assert i18n.resolve("en", {"LANG": "ru_RU.UTF-8"}) == "en"
    assert i18n.resolve("ru", {"LANG": "en_US.UTF-8"}) == "ru"


def test_use_switches_every_string() -> None:
    i18n.use("ru")
    assert i18n.language() == "ru" and i18n._("Answer") == "Ответ"
    i18n.use("en")
    assert i18n.language() == "en" and i18n._("Answer") == "Answer"
    assert i18n._("") == ""  # never the catalogue's header


def test_the_config_key_is_read_and_checked(tmp_path: Path) -> None:
    good = tmp_path / "ru.toml"
    good.write_text('[desk]\nlanguage = "ru"\n', encoding="utf-8")
    assert load_config(good).desk.language == "ru"
    bad = tmp_path / "fr.toml"
    bad.write_text('[desk]\nlanguage = "fr"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r'desk\.language: "fr" is not a language of the desk'):
        load_config(bad)


def test_a_bad_language_stops_the_console_before_any_hardware(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "fr.toml"
    bad.write_text('[desk]\nlanguage = "fr"\n[gpio]\npin_factory = "lgpio"\n', encoding="utf-8")
    assert main(["console", "--config", str(bad)]) == EX_CONFIG
    assert 'desk.language: "fr" is not a language of the desk' in capsys.readouterr().err
