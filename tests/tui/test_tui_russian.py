"""The console in Russian: SVG snapshots of the main states at 80x24 and 160x48 (the English
ones are tests/tui/test_tui_snapshots.py), the text of each panel at 80x24, and the language
chosen by the configuration through the console's own start-up path."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from test_tui_snapshots import CASES
from textual._context import active_app
from tui_helpers import NARROW, WIDE, fast_config, frozen_utc, make_app, screen_text

from terminal import i18n
from terminal.benchrig import BenchRig
from terminal.config import load_config
from terminal.core.calls import CallPhase
from terminal.core.lines import CoprocLine, LineView
from terminal.snapshot import NoticeLine
from terminal.tui.app import ConsoleApp
from terminal.tui.run import run_console
from terminal.tui.samples import critical_alerts, snapshot, todays_calls
from terminal.tui.screens.line import LineEntryScreen
from tests.rigs.bench import until


@pytest.fixture
def russian() -> Iterator[None]:
    """The desk worked in Russian for one test, English again after it."""
    i18n.use("ru")
    yield
    i18n.use("en")


@pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "160x48"])
@pytest.mark.parametrize("case", list(CASES))
def test_main_screen_in_russian(
    snap_compare, russian: None, case: str, size: tuple[int, int]
) -> None:
    app, _, _ = make_app(CASES[case]())
    assert snap_compare(app, terminal_size=size)


def test_bench_ringing_in_russian(snap_compare, russian: None) -> None:
    app, _, _ = make_app(snapshot("RINGING", calls=todays_calls()), bench=True)
    assert snap_compare(app, terminal_size=(100, 30))


def test_help_screen_in_russian(snap_compare, russian: None) -> None:
    app, _, _ = make_app(snapshot("IDLE"))
    assert snap_compare(app, terminal_size=NARROW, press=["question_mark"])


NEW_POINTS = "54.88,9.25; 54.92,9.5; 54.9,9.9"


def line_snapshot():
    """A call up with alerts, version 2 of the line in force, the co-processor still on v1 while
    v2 is sent to it."""
    snap = snapshot("CONNECTED", alerts=critical_alerts(), calls=todays_calls())
    coproc = CoprocLine(acked=1, sending=True, in_use=1, in_use_name="DL")
    return replace(snap, line_view=LineView(version=2, name="DL", coproc=coproc))


def test_line_entry_preview_in_russian(snap_compare, russian: None) -> None:
    """The line-entry screen at 80x24 with good points checked: the preview to confirm."""

    async def preview(pilot) -> None:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        pilot.app.screen.query_one("#line-points").value = NEW_POINTS
        await pilot.press("enter")
        await pilot.pause()

    app, _, _ = make_app(line_snapshot())
    assert snap_compare(app, terminal_size=NARROW, run_before=preview)


def test_line_entry_speaks_russian(russian: None) -> None:
    """Its labels, the line in force, the errors point by point, the preview and the picture's
    title are Russian; "сейчас" is taken for "now"; values and protocol words stay as they are."""
    app, desk, _ = make_app(line_snapshot())

    async def main() -> None:
        async with app.run_test(size=NARROW) as pilot:
            await pilot.pause()
            assert app.main.picture.border_title == "ОБСТАНОВКА v2 DL сопр. v1, передача"
            assert "ОБСТАНОВКА v2 DL" in screen_text(app)  # at 80 columns the rest is cut
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, LineEntryScreen)
            text = screen_text(app)
            for word in ("НОВАЯ ВЕРСИЯ ЛИНИИ v3", "Имя", "Начало", "Точки", "сейчас",
                         "Согласовано в вызове", "ПРЕДПРОСМОТР", "шир,долг"):  # fmt: skip
                assert word in text, (word, text)
            for english in ("NEW LINE VERSION", "Name", "From", "Points", "PREVIEW", "Agreed"):
                assert english not in text, (english, text)
            await pilot.press(*"54.88,9.25; 54.92; 95,9.9", "enter")
            await pilot.pause()
            text = screen_text(app)
            assert "Не принято: точка 2 ('54.92'): пишите шир,долг" in text, text
            assert "(95,9.9): широта 95 вне -90..90" in text, text
            app.screen.query_one("#line-points").value = NEW_POINTS  # type: ignore[attr-defined]
            await pilot.press("enter")
            await pilot.pause()
            assert "ПРЕДПРОСМОТР v3 DL: точек: 3, начало: сейчас" in screen_text(app)
            await pilot.press("enter")
            await pilot.pause()
            assert not isinstance(app.screen, LineEntryScreen)
            assert desk.lines == [("DL", NEW_POINTS, "now", True)]

    asyncio.run(main())


def test_line_entry_subtitle_is_the_line_in_force_in_russian(russian: None) -> None:
    app, _, _ = make_app(line_snapshot())

    async def main() -> None:
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("e")
            await pilot.pause()
            text = screen_text(app)
            assert "действует: v2 DL · сопр. v1, передача" in text, text
            assert "in force" not in text
            await pilot.press("escape")
            await pilot.pause()
            assert "ОБСТАНОВКА v2 DL сопр. v1, передача" in screen_text(app)

    asyncio.run(main())


def shown(app, size: tuple[int, int] = NARROW) -> str:
    """The screen's text once the console is up."""

    async def main() -> str:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            return screen_text(app)

    return asyncio.run(main())


def test_every_panel_speaks_russian_at_80x24(russian: None) -> None:
    notice = NoticeLine("2026-11-25T07:09:58.000Z", "warning", "PTT refused: release PTT first.")
    snap = snapshot("TRANSMITTING", alerts=critical_alerts(), calls=todays_calls(),
                    notices=(notice,))  # fmt: skip
    app, _, _ = make_app(snap)
    text = shown(app)
    for word in ("ОПЕРАТОР", "ВЫЗОВ", "КАНАЛЫ", "ТРЕВОГИ", "КРИТ", "ОБСТАНОВКА", "ВЫЗОВЫ ЗА СУТКИ",
                 "ПРЕДУПР", "PTT отклонено: сначала отпустите PTT.", "Ответ", "Отбой"):  # fmt: skip
        assert word in text, (word, text)
    # Zulu time, units and protocol words are the same in both languages
    for same in ("07:10:00Z", "km", "ft", "PTT"):
        assert same in text, (same, text)
    for english in ("TODAY'S CALLS", "ALERTS", "LINKS", "Answer", "Hangup", "NO OPERATOR"):
        assert english not in text, (english, text)


def test_the_english_console_has_no_russian() -> None:
    i18n.use("en")
    text = shown(make_app(snapshot("IDLE", calls=todays_calls()))[0])
    assert "TODAY'S CALLS" in text and "ВЫЗОВЫ" not in text


def text_of(app: ConsoleApp) -> str:
    """The screen's text, read from outside the app's own tasks."""
    token = active_app.set(app)
    try:
        return screen_text(app)
    finally:
        active_app.reset(token)


def _bench_console_words(tmp_path: Path, language: str) -> tuple[str, str]:
    """The bench desk with `[desk] language` set in its configuration file, run the way the
    commands run it (the language applied from the loaded configuration, then the console
    made): the far end rings and the operator answers. The screen's text ringing, then
    connected."""
    tmp_path.mkdir()
    cfg_file = tmp_path / "hotline.toml"
    cfg_file.write_text(f'[desk]\nlanguage = "{language}"\n', encoding="utf-8")
    chosen = i18n.use_configured(load_config(cfg_file).desk.language, {"LANG": "C.UTF-8"})
    assert chosen == language
    seen: list[str] = []

    async def main() -> None:
        rig = BenchRig(fast_config(tmp_path), workdir=tmp_path)
        made: list[ConsoleApp] = []

        def make_app() -> ConsoleApp:
            made.append(ConsoleApp(rig.desk.engine, hands=rig, utc=frozen_utc))
            return made[0]

        async def operator() -> None:
            await until(lambda: bool(made) and made[0].is_running and rig.desk.radio.is_up)
            app = made[0]
            await asyncio.sleep(0.05)
            app.simulate_key("1")  # the far end rings
            await until(lambda: rig.desk.engine.core.state.phase is CallPhase.RINGING)
            await asyncio.sleep(0.1)
            seen.append(text_of(app))
            app.simulate_key("a")
            await until(lambda: rig.desk.engine.core.state.phase is CallPhase.CONNECTED)
            await asyncio.sleep(0.1)
            seen.append(text_of(app))
            app.simulate_key("h")
            await until(lambda: rig.desk.engine.core.state.phase is CallPhase.IDLE)
            app.simulate_key("q")

        task = asyncio.get_running_loop().create_task(operator())
        reason = await run_console(rig.desk, make_app, engine=rig.desk.engine,
                                   prepare=rig._start_sims, headless=True)  # fmt: skip
        await task
        assert reason == "quit"

    asyncio.run(main())
    return seen[0], seen[1]


def test_the_configured_language_runs_the_real_bench_console(tmp_path: Path) -> None:
    ringing, connected = _bench_console_words(tmp_path / "ru", "ru")
    assert "ВХОДЯЩИЙ" in ringing and "СТЕНД" in ringing and "КАНАЛЫ" in ringing
    assert "▄▀█" in connected or "СВЯЗЬ" in connected  # the state in large type
    assert "КАНАЛЫ" in connected and "ВЫЗОВЫ ЗА СУТКИ" in connected
    assert "INCOMING" not in ringing and "TODAY'S CALLS" not in connected
    ringing, connected = _bench_console_words(tmp_path / "en", "en")
    assert "INCOMING" in ringing and "BENCH" in ringing and "TODAY'S CALLS" in connected
    assert "ВХОДЯЩИЙ" not in ringing and "КАНАЛЫ" not in connected
