"""The shift report in Russian: `hotline report` with `[desk] language = "ru"` (or the locale)
writes the headings and labels in Russian with `<html lang="ru">`, and says what it wrote in
Russian; the record's facts (counts, ids, Zulu times, units, fingerprint) are the same as in
English. Rendered in Debian's headless Chromium like the English page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from terminal.cli import EX_OK, main
from tests.report.test_report_renders import CHROMIUM, browser

RANGE = ["--since", "2026-12-07T08:00Z", "--until", "2026-12-07T10:00Z"]


def write(shift_db: Path, tmp_path: Path, language: str, capsys) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    cfg = tmp_path / f"{language}.toml"
    cfg.write_text(f'[desk]\nlanguage = "{language}"\n[log]\ndirectory = "{tmp_path}"\n',
                   encoding="utf-8")  # fmt: skip
    out = tmp_path / f"shift-{language}.html"
    code = main(["report", "--config", str(cfg), "--db", str(shift_db), *RANGE, "--out", str(out)])
    printed = capsys.readouterr()
    assert code == EX_OK, printed.err
    return out.read_text(encoding="utf-8"), printed.out


def facts(page: str) -> list[str]:
    """What the page says of the record, whatever its language."""
    counts = re.findall(r'<dd id="count-[a-z-]+">[^<]*</dd>', page)
    page = re.sub(r'<p id="range">.*?</p>', "", page, flags=re.DOTALL)  # when it was made
    stamps = re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", page)
    return [*counts, *stamps, re.search(r'id="fingerprint">([^<]+)<', page)[1]]  # type: ignore[index]


def test_the_report_speaks_the_desks_language(shift_db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    english, said_en = write(shift_db, tmp_path, "en", capsys)
    russian, said_ru = write(shift_db, tmp_path, "ru", capsys)
    assert '<html lang="en">' in english and '<html lang="ru">' in russian
    for heading in ("Отчёт о сдаче смены", "<h2>Сводка</h2>", "<h2>Вызовы</h2>",
                    "<h2>Открыты при сдаче смены</h2>", "<h2>Тревоги</h2>", "<h2>Карта</h2>",
                    "<th>Уровень</th>", "Вершина журнала", "критическая"):  # fmt: skip
        assert heading in russian, heading
    for english_word in ("<h2>Summary</h2>", "<th>Severity</th>", "Shift handover report"):
        assert english_word not in russian and english_word in english
    assert len(facts(russian)) > 20
    assert facts(russian) == facts(english)  # the record's facts do not change with the language
    assert said_en.startswith("wrote ") and said_ru.startswith("записан ")
    assert said_ru.split(":", 1)[1].count("2026-12-07T") == 2  # Zulu times as they are


def test_the_locale_chooses_when_the_config_does_not(
    shift_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LANGUAGE", "ru")
    out = tmp_path / "shift.html"
    assert main(["report", "--db", str(shift_db), *RANGE, "--out", str(out)]) == EX_OK
    assert capsys.readouterr().out.startswith("записан ")
    assert '<html lang="ru">' in out.read_text(encoding="utf-8")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make setup)")
def test_the_russian_page_renders_in_a_browser(shift_db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    write(shift_db, tmp_path, "ru", capsys)
    done = browser(tmp_path, "--dump-dom", (tmp_path / "shift-ru.html").as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert '<html lang="ru">' in dom and "<h2>Сводка</h2>" in dom
    assert '<dd id="count-calls">2</dd>' in dom and '<dd id="count-alerts">4</dd>' in dom
    assert dom.count('<tr class="alert">') == 5 and dom.count('class="mark"') == 8
