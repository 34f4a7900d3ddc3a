"""Signed checkpoints: what is signed, and when the writer signs (docs/record.md).

A signed checkpoint is a record of kind `signed_checkpoint` appended to the chain like any other.
Its payload names the head it follows (`head_id`, `head_hash`: the record just before it) and
carries an Ed25519 signature, by the desk's key, of the text

    hotline signed checkpoint 1 "\\n" head_id "\\n" head_hash "\\n" utc_ms "\\n" desk "\\n" key
    "\\n" next_key

(`utc_ms` the checkpoint record's own time, `next_key` "" unless the checkpoint announces a new
key). The chain then covers the checkpoint itself; the signature covers every record up to it.

`Checkpointer` is the writer's policy: a checkpoint after every `every_records` records or when
the oldest unsigned record is `every_s` old, whichever comes first, and at a clean stop. Key
rotation: `hotline log keygen --rotate` leaves the new key in `<key>.next`; the next checkpoint is
signed with the current key and announces the new one, and once it has committed the new key
replaces the old file. Everything here runs on the writer's thread; nothing sleeps.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from terminal import zulu
from terminal.log.records import SIGNED_CHECKPOINT, Prepared, prepare
from terminal.log.signing import KeyFileError, Signer, check_signature, load_signer, public_path

_log = logging.getLogger(__name__)

MESSAGE_HEAD = "hotline signed checkpoint 1"


def message(
    head_id: int, head_hash: str, utc_ms: int, desk: str, key: str, next_key: str | None
) -> bytes:
    """The bytes a checkpoint's signature is made over."""
    text = f"{MESSAGE_HEAD}\n{head_id}\n{head_hash}\n{utc_ms}\n{desk}\n{key}\n{next_key or ''}"
    return text.encode("utf-8")


def message_of(payload: Mapping[str, Any], utc_ms: int) -> bytes:
    """The signed bytes of a stored checkpoint's payload."""
    return message(
        int(payload["head_id"]),
        str(payload["head_hash"]),
        utc_ms,
        str(payload["desk"]),
        str(payload["key"]),
        payload.get("next_key"),
    )


def signature_ok(payload: Mapping[str, Any], utc_ms: int) -> bool:
    """True if the payload's signature is its stated key's signature (trust is another matter)."""
    try:
        return check_signature(str(payload["key"]), str(payload["signature"]),
                               message_of(payload, utc_ms))  # fmt: skip
    except (KeyError, TypeError, ValueError):
        return False


def make(
    signer: Signer,
    head_id: int,
    head_hash: bytes,
    utc_ms: int,
    desk: str = "",
    next_key: str | None = None,
) -> Prepared:
    """The checkpoint record that seals head (`head_id`, `head_hash`)."""
    digest = head_hash.hex()
    signed = message(head_id, digest, utc_ms, desk, signer.public, next_key)
    payload = {
        "head_id": head_id,
        "head_hash": digest,
        "desk": desk,
        "key": signer.public,
        "next_key": next_key,
        "signature": signer.sign(signed),
    }
    return prepare(SIGNED_CHECKPOINT, payload, utc_ms)


def next_key_path(path: Path) -> Path:
    """Where `keygen --rotate` leaves the key that is to replace `path`."""
    return path.with_name(path.name + ".next")


def fingerprint(head_id: int, head_hash: bytes | str) -> str:
    """The head as read over the phone: `#<id> <4 hex> <4 hex>` (the hash's first 8 digits)."""
    digits = head_hash.hex() if isinstance(head_hash, bytes) else head_hash
    return f"#{head_id} {digits[:4]} {digits[4:8]}"


@dataclass
class Checkpointer:
    """When to sign, and the key to sign with (see the module docstring)."""

    signer: Signer
    every_records: int = 100
    every_s: float = 60.0
    desk: str = ""
    clock: Callable[[], int] = zulu.now_ms
    monotonic: Callable[[], float] = time.monotonic
    unsigned: int = 0
    """Records committed since the last checkpoint."""
    oldest: float | None = None
    """monotonic() when the oldest unsigned record was committed."""
    _next: Signer | None = field(default=None, repr=False)

    @classmethod
    def from_file(cls, path: Path, **options: Any) -> Checkpointer:
        """A checkpointer signing with the key file at `path` (KeyFileError if unusable)."""
        return cls(load_signer(path), **options)

    def resume(self, head_id: int, last: tuple[int, Mapping[str, Any]] | None) -> None:
        """Start from a log whose head is `head_id` and whose last checkpoint is `last`: count
        the unsigned records, and finish a rotation a crash interrupted."""
        last_id = 0 if last is None else last[0]
        self.unsigned = max(0, head_id - last_id)
        self.oldest = self.monotonic() if self.unsigned else None
        if last is not None:
            announced = last[1].get("next_key")
            pending = self._pending()
            if announced and pending is not None and pending.public == announced:
                self._install(pending)

    def due(self, adding: int, now: float | None = None) -> bool:
        """Whether a checkpoint goes after a batch of `adding` records."""
        pending = self.unsigned + adding
        if pending == 0:
            return False
        if pending >= self.every_records:
            return True
        started = self.oldest if self.oldest is not None else None
        clock = self.monotonic() if now is None else now
        return started is not None and clock - started >= self.every_s

    def wait_s(self) -> float | None:
        """Seconds until the time rule asks for a checkpoint; None while nothing is unsigned."""
        if not self.unsigned or self.oldest is None:
            return None
        return max(0.0, self.oldest + self.every_s - self.monotonic())

    def make(self, head_id: int, head_hash: bytes) -> Prepared:
        """The checkpoint of this head, announcing a pending new key if there is one."""
        self._next = self._pending()
        announce = None if self._next is None else self._next.public
        return make(self.signer, head_id, head_hash, self.clock(), self.desk, announce)

    def committed(self, records: int, signed: bool) -> None:
        """A transaction of `records` records (and a checkpoint if `signed`) has committed."""
        if signed:
            self.unsigned = 0
            self.oldest = None
            if self._next is not None:
                self._install(self._next)
            return
        if records:
            if not self.unsigned:
                self.oldest = self.monotonic()
            self.unsigned += records

    def postpone(self) -> None:
        """A checkpoint could not be written: try again `every_s` from now."""
        self.oldest = self.monotonic()

    def _pending(self) -> Signer | None:
        """The key waiting in `<key>.next`, if one is there and usable."""
        if self.signer.path is None:
            return None
        path = next_key_path(self.signer.path)
        if not path.exists():
            return None
        try:
            return load_signer(path)
        except KeyFileError as exc:
            _log.error("key rotation not done: %s", exc)
            return None

    def _install(self, new: Signer) -> None:
        """The announced key replaces the old one, on disk and here."""
        self._next = None
        old = self.signer.path
        if old is None or new.path is None:
            self.signer = new
            return
        try:
            os.replace(new.path, old)
            if public_path(new.path).exists():
                os.replace(public_path(new.path), public_path(old))
        except OSError as exc:  # the announced key signs from now on; the next start retries
            _log.error("key rotation: cannot move %s to %s: %s", new.path, old, exc)
            self.signer = new
            return
        self.signer = Signer(new.key, new.public, old)
        _log.warning("log signing key rotated: now %s", new.public)
