"""End to end in Russian, as an operator sees it: `hotline bench` in a real terminal (a private
tmux server, 100x30) with `LANGUAGE=ru`, and `hotline console` with `[desk] language = "ru"`
under an English locale: Russian words on screen, Zulu time and units as they are."""

from __future__ import annotations

import re
from pathlib import Path

from test_tui_tmux import CONSOLE_CONFIG, HOTLINE, Tmux, pytestmark  # noqa: F401

# The big-type rows of the Russian call states (terminal/tui/bigtext.py)
RINGING = "█▀▄ █   █ ▀▀▄ █▀█ █▀▄"  # ВЫЗОВ
CONNECTED = "█▀▀ █▀▄ ▄▀█ ▀▀▄ █"  # СВЯЗЬ


def test_hotline_bench_in_russian_rings_answers_and_quits(tmp_path: Path) -> None:
    tmux = Tmux(tmp_path)
    tmux.start(f"LANGUAGE=ru {HOTLINE} bench --log-dir {tmp_path / 'log'}")
    try:
        text = tmux.wait_for(lambda s: "СТЕНД" in s and "Ответ" in s, "the console in Russian")
        assert "1 вызов" in text and "1 ring" not in text  # the bench keys, in Russian
        tmux.wait_for(lambda s: "BRIDGE норм" in s, "the bridge link up")
        tmux.keys("1")  # the far end rings
        text = tmux.wait_for(lambda s: RINGING in s, "ВЫЗОВ in large type")
        assert "ВХОДЯЩИЙ" in text and "INCOMING" not in text
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", text)  # the Zulu clock as it is
        tmux.keys("a")  # answer
        text = tmux.wait_for(lambda s: CONNECTED in s, "СВЯЗЬ in large type")
        assert "вызов 00:0" in text
        tmux.keys("q")  # a call is up: the console asks first, in Russian
        tmux.wait_for(lambda s: "Дать отбой и выйти?" in s, "the quit question")
        tmux.keys("y")
        text = tmux.wait_for(lambda s: "HOTLINE-EXIT=" in s, "the process to end")
        assert "HOTLINE-EXIT=0" in text
        assert "остановлен (quit); передатчик выключен" in text
    finally:
        tmux.close()


def test_hotline_console_takes_russian_from_the_config(tmp_path: Path) -> None:
    config = tmp_path / "hotline.toml"
    text = CONSOLE_CONFIG.format(port="/dev/ttyNOSUCHHOTLINE0")
    config.write_text('[desk]\nlanguage = "ru"\n' + text, encoding="utf-8")
    tmux = Tmux(tmp_path)
    tmux.start(f"LANGUAGE=en LANG=en_US.UTF-8 {HOTLINE} console --standalone --config {config}")
    try:
        text = tmux.wait_for(lambda s: "ЛИНИЯ" in s and "Ответ" in s, "the console in Russian")
        assert "✖ BRIDGE ОТКАЗ" in text and "НЕТ СВЯЗИ С МОСТОМ" in text
        assert "Answer" not in text and "LINKS" not in text
        tmux.keys("q")  # no call up: quits at once
        text = tmux.wait_for(lambda s: "HOTLINE-EXIT=" in s, "the process to end")
        assert "HOTLINE-EXIT=0" in text
    finally:
        tmux.close()
