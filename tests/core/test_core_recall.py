"""Instant recall's pure rules on a fake clock: which transmission plays, repeat presses, the
list with Zulu times and lengths, and the call states that refuse recall."""

from __future__ import annotations

from dataclasses import replace

import pytest

from terminal.core.calls import CallPhase, CallView
from terminal.core.recall import (
    Play,
    RecallControl,
    RecallSource,
    Refused,
    Stretch,
    recall_items,
    refusal,
)
from terminal.zulu import to_iso

RATE = 16000
T0 = 1000.0
START_MS = 1_796_000_000_000  # 2026-11-29T...Z, frame 0 of the recording

CONNECTED = CallView(phase=CallPhase.CONNECTED, call_id=7, link_up=True)
IDLE = CallView(link_up=True)


def source(*stretches: tuple[int, int | None], live: bool = True, frames: int = 60 * RATE
           ) -> RecallSource:  # fmt: skip
    return RecallSource(
        7, "/rec/call-000007.wav", START_MS, RATE, frames,
        tuple(Stretch(a, b) for a, b in stretches), live,
    )  # fmt: skip


THREE = source((1 * RATE, 3 * RATE), (5 * RATE, 9 * RATE), (12 * RATE, 12 * RATE + 8000))


def played(result: Play | Refused) -> int:
    assert isinstance(result, Play), result
    return result.item.start // RATE


def test_the_list_is_newest_first_with_zulu_times_and_lengths() -> None:
    items = recall_items(THREE)
    assert [i.number for i in items] == [1, 2, 3]
    assert [(i.start, i.end) for i in items] == [
        (12 * RATE, 12 * RATE + 8000), (5 * RATE, 9 * RATE), (1 * RATE, 3 * RATE)
    ]  # fmt: skip
    assert [i.seconds for i in items] == [0.5, 4.0, 2.0]
    assert [i.utc_ms - START_MS for i in items] == [12_000, 5_000, 1_000]
    assert to_iso(items[0].utc_ms) == to_iso(START_MS + 12_000)


def test_a_transmission_still_being_received_is_offered_only_after_the_call() -> None:
    live = source((RATE, 2 * RATE), (4 * RATE, None), frames=6 * RATE)
    assert [i.start for i in recall_items(live)] == [RATE]
    done = replace(live, live=False)
    items = recall_items(done)
    assert [(i.start, i.end) for i in items] == [(4 * RATE, 6 * RATE), (RATE, 2 * RATE)]


def test_empty_and_backwards_stretches_are_left_out() -> None:
    odd = source((RATE, RATE), (3 * RATE, 2 * RATE), (5 * RATE, 6 * RATE))
    assert [i.start for i in recall_items(odd)] == [5 * RATE]
    assert recall_items(None) == ()


def test_the_first_press_plays_the_last_then_repeats_step_back() -> None:
    recall = RecallControl(repeat_s=10.0)
    assert played(recall.press(THREE, CONNECTED, T0)) == 12
    assert recall.is_playing(T0 + 0.4) and not recall.is_playing(T0 + 0.5)
    assert played(recall.press(THREE, CONNECTED, T0 + 0.2)) == 5  # while it plays
    assert played(recall.press(THREE, CONNECTED, T0 + 0.2 + 4.0 + 9.9)) == 1  # soon after it
    refused = recall.press(THREE, CONNECTED, T0 + 17.0)
    assert isinstance(refused, Refused) and "earlier" in refused.reason
    assert not recall.is_playing(T0 + 17.0)


def test_a_press_after_the_repeat_window_starts_from_the_newest_again() -> None:
    recall = RecallControl(repeat_s=10.0)
    assert played(recall.press(THREE, CONNECTED, T0)) == 12
    assert played(recall.press(THREE, CONNECTED, T0 + 0.5 + 10.01)) == 12


def test_a_new_reception_becomes_the_newest() -> None:
    recall = RecallControl()
    assert played(recall.press(THREE, CONNECTED, T0)) == 12
    more = replace(THREE, received=(*THREE.received, Stretch(20 * RATE, 21 * RATE)))
    assert played(recall.press(more, CONNECTED, T0 + 100.0)) == 20


def test_nothing_to_recall_is_refused_clearly() -> None:
    recall = RecallControl()
    for empty in (None, source()):
        result = recall.press(empty, CONNECTED, T0)
        assert isinstance(result, Refused) and "No received transmission" in result.reason


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (replace(CONNECTED, keyed=True, keyed_at=T0), "transmitting"),
        (CallView(phase=CallPhase.RINGING, call_id=8, link_up=True), "rings"),
        (CallView(phase=CallPhase.CALLING, call_id=8, link_up=True), "calling out"),
        (replace(IDLE, closed=True), "shutting down"),
    ],
)
def test_recall_is_refused_while_keyed_ringing_calling_or_closed(call: CallView, words: str
                                                                  ) -> None:  # fmt: skip
    recall = RecallControl()
    for result in (recall.press(THREE, call, T0), recall.pick(1, THREE, call, T0)):
        assert isinstance(result, Refused) and words in result.reason
    assert recall.playing is None
    assert refusal(call) is not None


def test_recall_works_during_a_call_and_after_it() -> None:
    assert refusal(CONNECTED) is None and refusal(IDLE) is None
    assert refusal(replace(CONNECTED, rx=True)) is None  # the far end talking: still allowed
    after = replace(THREE, live=False)
    assert played(RecallControl().press(after, IDLE, T0)) == 12


def test_ptt_stops_the_recall_at_once() -> None:
    recall = RecallControl()
    result = recall.press(THREE, CONNECTED, T0)
    assert isinstance(result, Play)
    assert recall.stop(T0 + 0.1) == result.item
    assert not recall.is_playing(T0 + 0.1) and recall.playing is None
    assert recall.stop(T0 + 0.2) is None  # nothing left to stop


def test_a_stop_keeps_the_walk_back_for_the_repeat_window() -> None:
    recall = RecallControl(repeat_s=10.0)
    recall.press(THREE, CONNECTED, T0)
    recall.stop(T0 + 0.1)
    assert played(recall.press(THREE, CONNECTED, T0 + 10.0)) == 5
    recall.stop(T0 + 10.5)
    assert played(recall.press(THREE, CONNECTED, T0 + 20.6)) == 12


def test_pick_plays_the_numbered_item_and_refuses_an_unknown_one() -> None:
    recall = RecallControl()
    assert played(recall.pick(3, THREE, CONNECTED, T0)) == 1
    missing = recall.pick(4, THREE, CONNECTED, T0)
    assert isinstance(missing, Refused) and "4" in missing.reason


def test_the_view_marks_what_plays_and_finish_forgets_it() -> None:
    recall = RecallControl()
    recall.press(THREE, CONNECTED, T0)
    recall.press(THREE, CONNECTED, T0 + 0.1)  # the 4 s one, item 2
    view = recall.view(THREE, T0 + 1.0)
    assert view.call_id == 7 and view.live and view.playing == 2 and len(view.items) == 3
    assert not recall.finish(T0 + 4.0)
    assert recall.finish(T0 + 4.2)
    assert recall.view(THREE, T0 + 4.2).playing is None
    assert recall.view(None, T0).items == ()
