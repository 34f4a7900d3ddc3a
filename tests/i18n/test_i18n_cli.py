"""`hotline` speaks the desk's language: the configuration's `[desk] language`, else the
locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG). Paths, options and numbers stay as they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from terminal.cli import EX_CONFIG, EX_OK, EX_USAGE, main


def config(tmp_path: Path, language: str) -> Path:
    path = tmp_path / f"{language or 'locale'}.toml"
    path.write_text(f'[desk]\nlanguage = "{language}"\n', encoding="utf-8")
    return path


def test_check_config_says_ok_in_the_configured_language(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    ru = config(tmp_path, "ru")
    assert main(["check-config", str(ru)]) == EX_OK
    assert capsys.readouterr().out == f"{ru}: в порядке\n"
    en = config(tmp_path, "en")
    assert main(["check-config", str(en)]) == EX_OK
    assert capsys.readouterr().out == f"{en}: ok\n"


def test_the_locale_chooses_when_the_config_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    path = config(tmp_path, "")
    monkeypatch.setenv("LANGUAGE", "ru_RU")
    assert main(["check-config", str(path)]) == EX_OK
    assert capsys.readouterr().out == f"{path}: в порядке\n"
    monkeypatch.setenv("LANGUAGE", "")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert main(["check-config", str(path)]) == EX_OK
    assert capsys.readouterr().out == f"{path}: ok\n"


def test_a_broken_file_is_counted_in_the_locales_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.toml"
    bad.write_text("[desk]\nid = 'A B'\nsite = ''\n", encoding="utf-8")
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    monkeypatch.delenv("LANGUAGE")
    assert main(["check-config", str(bad)]) == EX_CONFIG
    err = capsys.readouterr().err
    assert err.endswith(f"{bad}: ошибок: 2\n")
    assert 'desk.id: "A B" is not a valid name' in err  # the issue itself: see docs/console.md


def test_usage_errors_in_russian(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LANGUAGE", "ru")
    assert main(["unkey", "--timeout", "0"]) == EX_USAGE
    assert capsys.readouterr().err == (
        "hotline unkey: --timeout должен быть в пределах (0, 60], задано 0.0\n"
    )
    assert main(["bench", "--headless", "--time-scale", "500"]) == EX_USAGE
    assert "--time-scale должен быть в пределах 0.1..100, задано 500.0" in capsys.readouterr().err
