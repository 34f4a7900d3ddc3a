"""Which records the broker has acknowledged: the cursor may pass a record only when its PUBACK
and every earlier one's have come (pure; acknowledgements may come in any order)."""

from __future__ import annotations

from collections import deque


class AckWindow:
    """Records in flight, in id order, over a cursor `sent_id`.

    `issue(id)` a record as it is published; `skip_through(id)` records read but not published
    (journal ...); `ack(id)` when its PUBACK comes. `sent_id` is the highest id such that every
    record up to it is acknowledged or skipped.
    """

    def __init__(self, sent_id: int) -> None:
        self._scanned = sent_id
        self._flight: deque[int] = deque()
        self._acked: set[int] = set()
        self._waiting: set[int] = set()

    @property
    def sent_id(self) -> int:
        """Everything up to this id is delivered (or not to be published)."""
        return self._flight[0] - 1 if self._flight else self._scanned

    @property
    def in_flight(self) -> int:
        """Published and not yet acknowledged."""
        return len(self._waiting)

    @property
    def scanned(self) -> int:
        """The highest id read so far."""
        return self._scanned

    def issue(self, record_id: int) -> None:
        """`record_id` is being published; ids must rise."""
        if record_id <= self._scanned:
            raise ValueError(f"record {record_id} issued after {self._scanned}")
        self._flight.append(record_id)
        self._waiting.add(record_id)
        self._scanned = record_id

    def skip_through(self, record_id: int) -> None:
        """Every record up to `record_id` not issued is not to be published."""
        self._scanned = max(self._scanned, record_id)

    def ack(self, record_id: int) -> bool:
        """The broker acknowledged `record_id`; True if the cursor moved."""
        before = self.sent_id
        if record_id not in self._waiting:
            return False
        self._waiting.discard(record_id)
        self._acked.add(record_id)
        while self._flight and self._flight[0] in self._acked:
            self._acked.discard(self._flight.popleft())
        return self.sent_id != before
