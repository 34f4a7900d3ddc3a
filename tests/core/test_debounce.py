"""Debounce: leading edge accepted at once, bounces ignored, a hidden release never lost."""

from hypothesis import given
from hypothesis import strategies as st

from terminal.core.debounce import Change, Debouncer


def test_first_edge_is_accepted_without_delay() -> None:
    d = Debouncer(0.03)
    assert d.edge(True, 10.0) == [Change(True, 10.0)]
    assert d.pressed


def test_bounces_inside_window_are_ignored() -> None:
    d = Debouncer(0.03)
    d.edge(True, 10.0)
    assert d.edge(False, 10.005) == []
    assert d.edge(True, 10.010) == []
    assert d.poll(10.031) == []
    assert d.pressed


def test_release_hidden_in_window_is_emitted_when_window_ends() -> None:
    d = Debouncer(0.03)
    d.edge(True, 10.0)
    assert d.edge(False, 10.01) == []
    assert d.next_deadline() == 10.03
    assert d.poll(10.02) == []
    assert d.poll(10.03) == [Change(False, 10.03)]
    assert not d.pressed


def test_zero_bounce_passes_every_change() -> None:
    d = Debouncer(0.0)
    assert d.edge(True, 1.0) == [Change(True, 1.0)]
    assert d.edge(False, 1.0) == [Change(False, 1.0)]
    assert d.next_deadline() is None


@given(st.lists(st.tuples(st.booleans(), st.floats(0.0, 0.1)), max_size=60))
def test_accepted_state_always_settles_on_the_raw_level(edges: list[tuple[bool, float]]) -> None:
    d = Debouncer(0.03)
    t = 0.0
    last = False
    for level, gap in edges:
        t += gap
        d.edge(level, t)
        last = level
    deadline = d.next_deadline()
    if deadline is not None:
        d.poll(deadline)
    assert d.pressed == last
