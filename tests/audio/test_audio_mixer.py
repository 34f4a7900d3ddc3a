"""The mixer: priorities, continuous tones against cues, and its lock-free hand-over."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hw.audio.mixer import BYTES_PER_FRAME, Rendered, ToneMixer, render_tones
from hw.audio.tones import TONES

RATE = 8000
BUF = 160


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def rendered() -> dict[str, Rendered]:
    return render_tones(RATE, {})


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def mixer(rendered: dict[str, Rendered], clock: Clock) -> ToneMixer:
    return ToneMixer(rendered, clock=clock)


def cycle_at(tone: Rendered, start: int, frames: int) -> bytes:
    """`frames` frames of a continuous tone's cycle from frame `start` (wrapping)."""
    pcm = tone.pcm * (2 + (start + frames) // tone.frames)
    offset = (start % tone.frames) * BYTES_PER_FRAME
    return pcm[offset : offset + frames * BYTES_PER_FRAME]


def test_silence_when_nothing_is_asked(mixer: ToneMixer) -> None:
    assert mixer.render(BUF) == bytes(BUF * BYTES_PER_FRAME)
    assert mixer.current is None and not mixer.busy()


def test_a_continuous_tone_loops_its_cadence(
    mixer: ToneMixer, rendered: dict[str, Rendered]
) -> None:
    mixer.request("ring")
    ring = rendered["ring"]
    out = b"".join(mixer.render(BUF) for _ in range(ring.frames // BUF * 2 + 3))
    assert out == cycle_at(ring, 0, len(out) // BYTES_PER_FRAME)
    assert mixer.current == "ring" and mixer.busy()


def test_a_cue_plays_once_then_silence(mixer: ToneMixer, rendered: dict[str, Rendered]) -> None:
    mixer.request("denied")
    cue = rendered["denied"]
    out = b"".join(mixer.render(BUF) for _ in range(cue.frames // BUF + 10))
    assert out[: len(cue.pcm)] == cue.pcm
    assert out[len(cue.pcm) :] == bytes(len(out) - len(cue.pcm))
    assert mixer.current is None and not mixer.busy()
    assert mixer.requested() == {"denied"}  # asked for, and done


def test_asking_again_restarts_a_cue(mixer: ToneMixer, rendered: dict[str, Rendered]) -> None:
    cue = rendered["tot_warning"]
    mixer.request("tot_warning")
    mixer.render(BUF * 3)
    mixer.request("tot_warning")
    assert mixer.render(BUF) == cue.pcm[: BUF * BYTES_PER_FRAME]


def test_critical_alert_masks_the_ring_which_keeps_its_cadence(
    mixer: ToneMixer, rendered: dict[str, Rendered]
) -> None:
    mixer.request("ring")
    mixer.render(BUF * 10)
    mixer.request("alert_critical")
    critical = rendered["alert_critical"]
    assert mixer.render(BUF) == critical.pcm[: BUF * BYTES_PER_FRAME]
    assert mixer.current == "alert_critical"
    mixer.render(BUF * 5)
    mixer.cancel("alert_critical")
    # the ring comes back where its cadence has got to, not from the top
    assert mixer.render(BUF) == cycle_at(rendered["ring"], BUF * 16, BUF)
    assert mixer.current == "ring"


def test_a_cue_interrupts_an_alert_which_then_resumes(
    mixer: ToneMixer, rendered: dict[str, Rendered]
) -> None:
    mixer.request("alert_warning")
    mixer.render(BUF)
    mixer.request("tot_warning")
    cue = rendered["tot_warning"]
    frames = cue.frames + (-cue.frames % BUF)
    out = mixer.render(frames)
    assert out[: len(cue.pcm)] == cue.pcm
    assert mixer.render(BUF) == cycle_at(rendered["alert_warning"], BUF + frames, BUF)
    assert mixer.current == "alert_warning"


def test_stop_silences_at_once(mixer: ToneMixer) -> None:
    mixer.request("ringback")
    mixer.render(BUF)
    mixer.cancel("ringback")
    mixer.cancel("ringback")  # twice is harmless
    assert mixer.render(BUF) == bytes(BUF * BYTES_PER_FRAME)
    assert not mixer.busy()


def test_a_cue_that_could_not_start_in_time_is_dropped(mixer: ToneMixer, clock: Clock) -> None:
    mixer.request("denied")
    assert mixer.busy()
    clock.now += mixer.cue_expiry_s + 0.1  # no device all this time
    assert not mixer.busy()
    assert mixer.render(BUF) == bytes(BUF * BYTES_PER_FRAME)


def test_a_continuous_tone_waits_for_the_device(
    mixer: ToneMixer, clock: Clock, rendered: dict[str, Rendered]
) -> None:
    mixer.request("ring")
    clock.now += 60.0
    assert mixer.busy()
    assert mixer.render(BUF) == rendered["ring"].pcm[: BUF * BYTES_PER_FRAME]


def test_unknown_tone_is_refused(mixer: ToneMixer) -> None:
    with pytest.raises(KeyError):
        mixer.request("klaxon")


def test_a_burst_of_requests_leaves_only_the_last_word(
    mixer: ToneMixer, rendered: dict[str, Rendered]
) -> None:
    alerts = ["alert_advisory", "alert_warning", "alert_critical"]
    for i in range(10_000):
        mixer.request(alerts[i % 3])
        mixer.cancel(alerts[(i + 1) % 3])
    # i = 9998 asked for critical (cancelling advisory), i = 9999 for advisory (cancelling warning)
    assert mixer.requested() == {"alert_critical", "alert_advisory"}
    assert mixer.render(BUF) == rendered["alert_critical"].pcm[: BUF * BYTES_PER_FRAME]


def test_last_sound_tracks_when_a_tone_was_heard(mixer: ToneMixer, clock: Clock) -> None:
    mixer.request("denied")
    mixer.render(BUF)
    assert mixer.last_sound == clock.now
    mixer.cancel("denied")
    clock.now += 1
    mixer.render(BUF)
    assert mixer.last_sound == clock.now - 1


names = st.sampled_from(sorted(TONES))
steps = st.lists(
    st.tuples(st.sampled_from(["request", "cancel", "render"]), names, st.integers(1, 4000)),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_what_is_heard_is_always_the_top_live_tone_at_its_own_position(
    script: list[tuple[str, str, int]],
) -> None:
    """A model of the mixer: per tone, a position since its request; the highest-priority tone
    not yet finished is the one heard, from its position."""
    rendered = render_tones(RATE, {})
    mixer = ToneMixer(rendered, clock=lambda: 0.0)
    model: dict[str, int] = {}
    for action, name, frames in script:
        if action == "request":
            mixer.request(name)
            model[name] = 0
        elif action == "cancel":
            mixer.cancel(name)
            model.pop(name, None)
        else:
            tone_of = {n: rendered[n] for n in model}
            live = [n for n in model if tone_of[n].spec.continuous or model[n] < tone_of[n].frames]
            out = mixer.render(frames)
            if not live:
                assert out == bytes(frames * BYTES_PER_FRAME)
            else:
                top = max(live, key=lambda n: tone_of[n].spec.priority)
                tone = tone_of[top]
                if tone.spec.continuous:
                    expected = cycle_at(tone, model[top], frames)
                else:
                    piece = tone.pcm[model[top] * BYTES_PER_FRAME : (model[top] + frames) * 2]
                    expected = piece + bytes(frames * BYTES_PER_FRAME - len(piece))
                assert out == expected
                assert mixer.current == top
            for n in model:
                model[n] += frames
                if tone_of[n].spec.continuous:
                    model[n] %= tone_of[n].frames
