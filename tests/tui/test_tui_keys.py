"""Every key of the console, pressed through Textual's pilot against a stand-in desk."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace

import pytest
from textual.pilot import Pilot
from tui_helpers import NARROW, WIDE, make_app, screen_text

from terminal.tui.app import ConsoleApp
from terminal.tui.feed import HandsLog, SnapshotFeed
from terminal.tui.keys import BENCH_KEYS, OPERATOR_KEYS
from terminal.tui.samples import critical_alerts, snapshot, todays_calls
from terminal.tui.screens.confirm import ConfirmQuit
from terminal.tui.screens.help import HelpScreen
from terminal.tui.screens.main import LISTS_EVERY_S, MainScreen
from terminal.tui.screens.prompt import PromptScreen

Body = Callable[[Pilot[None], ConsoleApp, SnapshotFeed, HandsLog | None], Awaitable[None]]


def drive(
    body: Body,
    state: str = "IDLE",
    *,
    bench: bool = False,
    size: tuple[int, int] = NARROW,
    **snap: object,
) -> None:
    """Run `body` against a console showing `snapshot(state, **snap)`."""

    async def main() -> None:
        app, desk, hands = make_app(snapshot(state, **snap), bench=bench)  # type: ignore[arg-type]
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await body(pilot, app, desk, hands)

    asyncio.run(main())


@pytest.mark.parametrize(
    ("key", "intent"),
    [("a", "answer"), ("c", "call"), ("h", "hangup"), ("r", "reject"), ("space", "ptt_toggle")],
)
def test_call_keys_send_intents(key: str, intent: str) -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press(key)
        assert desk.intents == [intent]

    drive(body, "RINGING")


def test_ptt_key_toggles_each_press() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("space", "space", "space")
        assert desk.intents == ["ptt_toggle"] * 3

    drive(body, "CONNECTED")


def test_acknowledge_sends_the_selected_pair() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("k")
        await pilot.press("down", "k")
        assert desk.acknowledged == ["P-0107", "P-0099"]
        assert "Alert P-0099 acknowledged." in screen_text(app)

    drive(body, alerts=critical_alerts())


def test_acknowledge_with_no_alert_says_so() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("k")
        assert desk.acknowledged == []
        assert "No alert selected to acknowledge." in screen_text(app)

    drive(body)


def test_note_is_typed_into_the_record() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("n")
        assert isinstance(app.screen, PromptScreen) and app.screen.id == "note"
        assert "NOTE ON CALL 12" in screen_text(app)
        await pilot.press(*"GAF43 climbing", "enter")
        assert desk.notes == ["GAF43 climbing"]
        assert isinstance(app.screen, MainScreen)
        await pilot.press("n", *"never mind", "escape")  # Esc drops it
        await pilot.press("n", "enter")  # an empty note is not sent
        assert desk.notes == ["GAF43 climbing"]

    drive(body, "CONNECTED")


def test_operator_keys_do_not_fire_while_typing_a_note() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("n", *"ach", "space", "q", "enter")
        assert desk.notes == ["ach q"]
        assert desk.intents == []
        assert app.is_running

    drive(body, "CONNECTED")


def test_search_filters_calls_and_alerts_and_esc_clears() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("slash", *"gaf43", "enter")
        text = screen_text(app)
        assert "ALERTS 1 matching “gaf43”" in text
        assert "TODAY'S CALLS 1 of 3 matching “gaf43”" in text
        assert "DAN07" not in text and "RAF21" in text
        await pilot.press("escape")
        text = screen_text(app)
        assert "ALERTS 3 open" in text and "DAN07" in text and "TODAY'S CALLS 3" in text

    drive(body, alerts=critical_alerts(), calls=todays_calls())


def test_sign_on_sets_the_operator_on_duty() -> None:
    async def body(pilot, app, desk, hands) -> None:
        assert "NO OPERATOR SIGNED ON" in screen_text(app)
        await pilot.press("o", *"K.Berg 1", "enter")  # the space is not allowed in an id
        assert desk.operators == ["K.Berg1"]
        await pilot.pause()
        assert "OPERATOR K.Berg1" in screen_text(app)

    drive(body, operator="")


def test_lamp_test_key() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("l")
        assert desk.lamp_tests == 1

    drive(body)


def test_help_lists_every_key_and_closes() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for key in (*OPERATOR_KEYS, *BENCH_KEYS):
            assert key.title in text, key.title
        assert "Ctrl+P" in text and "hotline log" in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("q")  # closes help, does not quit
        assert isinstance(app.screen, MainScreen) and app.is_running

    drive(body, bench=True, alerts=critical_alerts(), size=WIDE)


def test_help_scrolls_at_80_columns() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("question_mark")
        assert "Answer the ringing call" in screen_text(app)
        await pilot.press("end")
        text = screen_text(app)
        assert "Ctrl+Q" in text and "hotline log" in text

    drive(body, bench=True)


def test_help_without_bench_has_no_bench_keys() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("question_mark")
        assert "Bench: far end rings" not in screen_text(app)

    drive(body)


def test_quit_when_idle_exits_at_once() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("q")
        assert not app.is_running

    drive(body)


@pytest.mark.parametrize("state", ["RINGING", "CALLING", "CONNECTED", "TRANSMITTING", "RECEIVING"])
def test_quit_during_a_call_asks_first(state: str) -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmQuit)
        assert f"A call is up ({state})" in screen_text(app)
        await pilot.press("n")
        assert app.is_running and isinstance(app.screen, MainScreen)
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmQuit)
        await pilot.press("ctrl+q")  # a second Ctrl+Q does not skip the question
        assert isinstance(app.screen, ConfirmQuit) and app.is_running
        await pilot.press("escape")
        assert app.is_running
        await pilot.press("q", "enter")  # Enter is on "Stay": the safe choice has the focus
        assert app.is_running
        await pilot.press("q", "y")
        await pilot.pause()
        assert not app.is_running
        assert desk.intents == []  # the desk's shutdown hangs up, not the console

    drive(body, state)


@pytest.mark.parametrize(
    ("key", "done"),
    [("1", ["far ring"]), ("2", ["far answer"]), ("3", ["far hangup"]),
     ("4", ["far rx True"]), ("5", ["press True"]), ("6", ["unplug"])],
)  # fmt: skip
def test_bench_keys_move_the_rig(key: str, done: list[str]) -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press(key)
        assert hands.done == done
        assert desk.intents == []

    drive(body, bench=True)


def test_bench_toggles_and_lamps() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("4", "5", "6")
        text = screen_text(app)
        assert "far TALKING" in text and "pin DOWN" in text and "cable OUT" in text
        await pilot.press("4", "5", "6")
        assert hands.done == ["far rx True", "press True", "unplug",
                              "far rx False", "press False", "plug"]  # fmt: skip
        text = screen_text(app)
        assert "far silent" in text and "pin up" in text and "cable in" in text
        assert "◉RING FAST" in text  # ringing: the ring LED blinks fast

    drive(body, "RINGING", bench=True)


def test_bench_keys_do_nothing_at_the_desk() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("1", "2", "3", "4", "5", "6")
        assert desk.intents == [] and hands is None
        assert "BENCH" not in screen_text(app)

    drive(body)


def test_a_failing_bench_hand_is_reported_not_fatal() -> None:
    async def body(pilot, app, desk, hands) -> None:
        def broken(pressed: bool) -> None:
            raise AssertionError("no panel")

        hands.press = broken
        await pilot.press("5")
        assert app.is_running
        assert "bench: PTT pin failed: no panel" in screen_text(app)

    drive(body, bench=True)


def test_palette_offers_every_action() -> None:
    async def body(pilot, app, desk, hands) -> None:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for key in (*OPERATOR_KEYS, *BENCH_KEYS):
            assert titles.count(key.title) == 1, key.title
        assert "Theme" in titles

    drive(body, bench=True)


@pytest.mark.parametrize(
    ("typed", "check"),
    [("Answer", lambda d, h: d.intents == ["answer"]),
     ("Push to talk", lambda d, h: d.intents == ["ptt_toggle"]),
     ("Lamp test", lambda d, h: d.lamp_tests == 1),
     ("Bench: far end rings", lambda d, h: h.done == ["far ring"])],
)  # fmt: skip
def test_palette_runs_actions(typed: str, check: Callable[[SnapshotFeed, HandsLog], bool]) -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("ctrl+p")
        await pilot.press(*typed)
        await pilot.pause(0.3)  # the palette searches in the background
        await pilot.press("enter")
        await pilot.pause()
        assert check(desk, hands)

    drive(body, "RINGING", bench=True)


def test_footer_shows_the_call_keys_and_help_at_80_columns() -> None:
    async def body(pilot, app, desk, hands) -> None:
        for _ in range(50):  # the footer fills in its keys after the first frame
            footer = screen_text(app).splitlines()[-1]
            if "q Quit" in footer:
                break
            await pilot.pause(0.02)
        for shown in ("a Answer", "c Call", "h Hangup", "r Reject", "Spc PTT", "k Ack",
                      "n Note", "? Help", "q Quit"):  # fmt: skip
            assert shown in footer, shown

    drive(body)


def test_note_prompt_names_the_last_call_when_none_is_up() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("n")
        assert "NOTE ON THE LAST CALL" in screen_text(app)

    drive(body)


def test_escape_without_a_filter_does_nothing() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("escape")
        assert app.is_running and app.search_text == ""

    drive(body)


def test_a_new_snapshot_keeps_the_selected_alert() -> None:
    async def body(pilot, app, desk, hands) -> None:
        await pilot.press("down")
        assert app.main.selected_pair() == "P-0099"
        crit, warn, adv = critical_alerts()
        desk.publish(snapshot(alerts=(replace(warn, horizontal_m=4100), adv, crit)))
        await pilot.pause(LISTS_EVERY_S + 0.1)  # the lists redraw at most five times a second
        assert "4.1km" in screen_text(app)
        assert app.main.selected_pair() == "P-0099"
        await pilot.press("k")
        assert desk.acknowledged == ["P-0099"]

    drive(body, alerts=critical_alerts())


def test_docs_list_every_key() -> None:
    from pathlib import Path

    from terminal.tui.screens.help import key_name

    docs = (Path(__file__).resolve().parents[2] / "docs" / "console.md").read_text()
    for key in (*OPERATOR_KEYS, *BENCH_KEYS):
        name = key_name(key).split(" / ")[0]
        assert f"| `{name}` | {key.title} |" in docs, key.title
