"""Checking the signed checkpoints during verify's chain walk (docs/record.md).

Each checkpoint must name the record just before it as its head (id and hash): a rewrite of the
records before a checkpoint shows here even without a key, unless the checkpoint was rewritten
too. With trusted keys (`--key`), each must also carry a valid signature by a trusted key; a
checkpoint that announces a new key (rotation) makes that key trusted and retires the old one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from terminal.log.checkpoint import signature_ok
from terminal.log.signing import key_id
from terminal.zulu import to_iso


@dataclass(frozen=True)
class SealProblem:
    """What is wrong with one checkpoint (record id, what)."""

    record_id: int
    what: str


@dataclass
class SealCheck:
    """Fed every signed checkpoint in chain order; keeps what verify reports about them."""

    keys: Sequence[str] | None = None
    """Trusted public keys; None: signatures are not checked."""
    count: int = 0
    last_id: int = 0
    """The last signed checkpoint's record id (0: none)."""
    last_good: int = 0
    """The last checkpoint that checked out (its record id; 0: none yet)."""
    last_utc_ms: int | None = None
    desk: str | None = None
    signers: dict[str, int] = field(default_factory=dict)
    rotations: list[tuple[int, str, str]] = field(default_factory=list)
    _trusted: set[str] = field(default_factory=set)
    _retired: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._trusted = set(self.keys or ())

    @property
    def checking(self) -> bool:
        """True when signatures are checked."""
        return self.keys is not None

    def feed(self, rid: int, utc_ms: int, text: str, prev_hash: bytes) -> list[SealProblem]:
        """Check one checkpoint record (already found intact in the chain)."""
        self.count += 1
        self.last_id = rid
        try:
            payload = json.loads(text)
            head_id, head_hash = int(payload["head_id"]), str(payload["head_hash"])
            key, next_key = str(payload["key"]), payload.get("next_key")
            self.desk = str(payload["desk"])
        except (ValueError, KeyError, TypeError) as exc:
            return [SealProblem(rid, f"signed checkpoint cannot be read ({exc!r})")]
        since = f"records {self.last_good + 1}..{rid - 1}"
        self.signers[key] = self.signers.get(key, 0) + 1
        if head_id != rid - 1 or head_hash != prev_hash.hex():
            was = f"{head_id} {head_hash[:16]}…"
            now = f"{rid - 1} {prev_hash.hex()[:16]}…"
            what = f"rewritten after it was signed: this signed checkpoint sealed head {was}"
            return [SealProblem(rid, f"{what}, the chain now has record {now}; "
                                     f"the change is in {since}")]  # fmt: skip
        if not self.checking:
            self.last_good = rid
            self.last_utc_ms = utc_ms
            return []
        problem = self._trust_problem(key, payload, utc_ms)
        if problem:
            return [SealProblem(rid, f"{problem}; the records it seals ({since}) are not proven")]
        self.last_good = rid
        self.last_utc_ms = utc_ms
        if isinstance(next_key, str) and next_key:
            self._trusted.add(next_key)
            self._trusted.discard(key)
            self._retired[key] = rid
            self.rotations.append((rid, key, next_key))
        return []

    def _trust_problem(self, key: str, payload: dict[str, object], utc_ms: int) -> str:
        if key in self._retired:
            return (f"signed by key {key_id(key)}, which checkpoint record "
                    f"{self._retired[key]} had replaced")  # fmt: skip
        if key not in self._trusted:
            return f"signed by key {key_id(key)}, which is not a trusted key (--key): forged?"
        if not signature_ok(payload, utc_ms):
            return "its signature does not verify: forged or altered"
        return ""

    def notes(self, head_id: int) -> list[str]:
        """What the signatures proved and did not, for the report."""
        if self.count == 0:
            none = "signatures: none in the log: this desk ran unsigned (no [log] checkpoint_key)"
            return [f"{none}; the chain alone does not show a rewrite of the file"]
        when = "" if self.last_utc_ms is None else f" ({to_iso(self.last_utc_ms)})"
        keys = ", ".join(f"{key_id(k)} ({n})" for k, n in self.signers.items())
        if self.checking and self.last_good:
            good = f"record {self.last_good}{when}"
            lines = [f"signatures: {self.count} signed checkpoints checked, by keys {keys}; "
                     f"the last good one, {good}, proves records 1..{self.last_good}"]  # fmt: skip
        elif self.checking:
            lines = [f"signatures: {self.count} signed checkpoints checked, by keys {keys}; "
                     "none of them checks out"]  # fmt: skip
        else:
            lines = [f"signatures: NOT checked (no --key): {self.count} signed checkpoints, by "
                     f"keys {keys}"]  # fmt: skip
        lines.extend(f"key rotation at record {rid}: {key_id(old)} announced {key_id(new)}"
                     for rid, old, new in self.rotations)  # fmt: skip
        unsigned = head_id - self.last_id
        if unsigned > 0:
            lines.append(f"unsigned: records {self.last_id + 1}..{head_id} ({unsigned}) come after "
                         "the last signed checkpoint: a change to them, or their removal, is "
                         "shown only by a witness")  # fmt: skip
        return lines
