"""The console's line entry (`e`), pressed through Textual's pilot: points typed with a mistake
are refused point by point; good points are drawn on the picture as a preview before anything is
entered; Enter shows the preview to confirm, a second Enter enters it (with the call in progress);
Esc goes back, then cancels. With the real engine, the confirmed version is recorded in the
history and becomes the line drawn."""

from __future__ import annotations

import asyncio

from tui_helpers import WIDE, frozen_utc, make_app, screen_text

from terminal.core.calls import CallSettings
from terminal.core.lines import LineHistory
from terminal.engine import Engine, EngineOptions
from terminal.tui.app import ConsoleApp
from terminal.tui.samples import snapshot
from terminal.tui.screens.line import LineEntryScreen
from terminal.tui.widgets.picture import PicturePane

GOOD = "51.5185,-0.2; 51.5185,-0.08; 51.55,-0.02"
POINTS = ((51.5185, -0.2), (51.5185, -0.08), (51.55, -0.02))


def preview(app: ConsoleApp) -> tuple[tuple[float, float], ...]:
    return app.screen.query_one("#line-picture", PicturePane).preview


def test_entry_preview_then_confirm() -> None:
    app, desk, _ = make_app(snapshot("CONNECTED"))

    async def main() -> None:
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, LineEntryScreen)
            assert "NEW LINE VERSION v1" in screen_text(app)
            await pilot.press(*"51.5185,-0.2; 51.5185; 95,-0.02")
            await pilot.press("enter")
            await pilot.pause()
            text = screen_text(app)
            assert "point 2 ('51.5185'): write it as lat,lon" in text
            assert "point 3 (95,-0.02): latitude 95 is not within -90..90" in text
            assert preview(app) == () and desk.lines == []
            points = app.screen.query_one("#line-points")
            points.value = GOOD  # type: ignore[attr-defined]
            await pilot.pause()
            assert preview(app) == POINTS  # drawn before anything is confirmed
            assert desk.lines == []
            await pilot.press("enter")
            await pilot.pause()
            said = "PREVIEW v1 LINE: 3 points, in force from now, agreed on call"
            assert said in screen_text(app)
            assert desk.lines == []
            await pilot.press("enter")
            await pilot.pause()
            assert not isinstance(app.screen, LineEntryScreen)
            assert desk.lines == [("LINE", GOOD, "now", True)]

    asyncio.run(main())


def test_escape_goes_back_from_the_preview_then_cancels() -> None:
    app, desk, _ = make_app(snapshot("IDLE"))

    async def main() -> None:
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("e")
            await pilot.pause()
            assert "No call in progress" in screen_text(app)
            await pilot.press(*GOOD, "enter")
            await pilot.pause()
            assert "PREVIEW v1" in screen_text(app)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, LineEntryScreen) and "PREVIEW v1" not in screen_text(app)
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, LineEntryScreen)
            assert desk.lines == []

    asyncio.run(main())


def test_a_refusal_by_the_desk_is_said() -> None:
    app, _, _ = make_app(snapshot("IDLE"), line_refusal="no version numbers left")

    async def main() -> None:
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("e", *GOOD, "enter", "enter")
            await pilot.pause()
            assert "Line not entered: no version numbers left" in screen_text(app)

    asyncio.run(main())


def test_with_the_engine_the_version_is_recorded_and_drawn() -> None:
    from terminal.core.alerts import AlertSettings

    history = LineHistory()
    engine = Engine(EngineOptions(call=CallSettings(), operator="JDOE",
                                  alerts=AlertSettings(lines=history)))  # fmt: skip
    entered = []
    engine.parts.line_sink = entered.append
    app = ConsoleApp(engine, desk_name="NORTH/DESK-1", utc=frozen_utc)

    async def main() -> None:
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("e")
            await pilot.pause()
            name = app.screen.query_one("#line-name")
            name.value = "DL2"  # type: ignore[attr-defined]
            await pilot.press(*GOOD, "enter", "enter")  # the points have the focus
            await pilot.pause()
            assert [v.version for v in entered] == [1]
            (v,) = history.versions()
            assert (v.name, v.points, v.entered_by, v.call_id) == ("DL2", POINTS, "JDOE", None)
            assert engine.snapshot.line == POINTS and engine.snapshot.line_view.version == 1
            assert app.main.picture.line == POINTS
            assert "Line v1 DL2 entered, in force from now." in screen_text(app)

    asyncio.run(main())
