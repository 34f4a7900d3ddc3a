"""The book's memory layout: every open alert kept, but a view only for those shown."""

from __future__ import annotations

from alerts_helpers import alert

from terminal.core.alert_events import AlertAcknowledged
from terminal.core.alerts import AlertBook


def _book(n: int) -> AlertBook:
    book = AlertBook()
    for i in range(n):
        book.handle(alert(f"RAF{i}/4CA{i:03d}", i + 1, "warning", at=float(i)))
    return book


def test_views_are_built_for_the_alerts_shown_and_kept_while_unchanged() -> None:
    book = _book(30)
    shown = book.views(10)
    assert len(book) == 30 and len(shown) == 10
    assert len(book._views) == 10  # the other 20 are open, with no view built
    again = book.views(10)
    assert all(a is b for a, b in zip(shown, again, strict=True))  # the same objects
    assert [v.pair_id for v in book.views()] == [v.pair_id for v in _book(30).views()]
    assert len(book.views()) == 30  # every open alert still there to show


def test_an_acknowledged_alert_is_shown_with_its_acknowledgement() -> None:
    book = _book(3)
    first = book.views(3)[0]
    book.handle(AlertAcknowledged(10.0, 1_000, first.pair_id, "OPS-7"))
    after = {v.pair_id: v for v in book.views(3)}
    assert after[first.pair_id].acknowledged_by == "OPS-7"
    assert after[first.pair_id] is not first


def test_one_boot_id_string_is_shared_by_the_alerts_of_a_boot() -> None:
    parsed = ["".join(["b1c0", "ffee"]) for _ in range(2)]  # two strings, as two frames parse
    assert parsed[0] is not parsed[1]
    one = alert("RAF1/4CA001", 1, "warning", boot=parsed[0])
    two = alert("RAF2/4CA002", 2, "warning", boot=parsed[1])
    assert one.boot_id is two.boot_id
