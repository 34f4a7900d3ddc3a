"""Witness files: heads remembered outside the database, and checking the log against them.

A witness file is text, one entry a line (docs/record.md):

- a JSON object with at least `id` (integer) and `hash` (hex): a record as `hotline tail
  --witness` or `hotline log witness` writes it (a signed checkpoint, with `desk`, `kind`,
  `utc_ms`, `payload` and `prev_hash`), or a line of an export's `records.jsonl`;
- `<id> <hex>`: a head read over the phone (the console's fingerprint `#1234 3c7a 5afb` is
  accepted too: the `#` and the spaces in the hex are dropped); at least 8 hex digits.

Blank lines and lines starting with `;` are skipped. Each entry says "record <id> had this hash";
the log agrees with the witness when its record <id> has a hash starting with those digits.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from terminal.log import db
from terminal.log.errors import LogError
from terminal.log.records import SIGNED_ENTITY
from terminal.zulu import to_iso

_PHONE = re.compile(r"^#?(\d+)\s+([0-9a-fA-F][0-9a-fA-F ]{7,})$")
_HEX = re.compile(r"^[0-9a-f]{8,64}$")


@dataclass(frozen=True)
class Seen:
    """One witnessed head: record `id` had a hash starting with `hash`."""

    source: str
    """The witness file's name and line, for messages."""
    id: int
    hash: str
    desk: str | None = None
    kind: str | None = None
    utc: str | None = None


class WitnessError(LogError):
    """A witness file that cannot be read; names the file and line."""


def read(path: Path) -> list[Seen]:
    """Every entry of a witness file (WitnessError for a line that is none of the forms)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise WitnessError(f"witness {path} cannot be read: {exc}") from None
    found = []
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith(";"):
            continue
        where = f"{path.name}:{number}"
        entry = _entry(text, where)
        if entry is None:
            expected = "expected a JSON record or '<id> <hex>'"
            raise WitnessError(f"witness {path} line {number}: not a witness entry "
                               f"({text[:60]!r}); {expected}")  # fmt: skip
        found.append(entry)
    return found


def _entry(text: str, where: str) -> Seen | None:
    if text.startswith("{"):
        try:
            body = json.loads(text)
        except ValueError:
            return None
        rid, digest = body.get("id"), body.get("hash")
        if not isinstance(rid, int) or isinstance(rid, bool) or rid < 1:
            return None
        if not isinstance(digest, str) or not _HEX.match(digest.lower()):
            return None
        desk = body.get("desk") if isinstance(body.get("desk"), str) else None
        kind = body.get("kind") if isinstance(body.get("kind"), str) else None
        utc = body.get("utc") if isinstance(body.get("utc"), str) else None
        return Seen(where, rid, digest.lower(), desk, kind, utc)
    match = _PHONE.match(text)
    if match is None:
        return None
    digits = match[2].replace(" ", "").lower()
    if not _HEX.match(digits):
        return None
    return Seen(where, int(match[1]), digits)


def line_of(desk: str, rid: int, kind: str, utc_ms: int, prev_hash: str, digest: str,
            payload_text: str) -> str:  # fmt: skip
    """One witness line: the record as the chain holds it (its payload text verbatim), with the
    desk it came from."""
    head = json.dumps(
        {"desk": desk, "id": rid, "kind": kind, "utc_ms": utc_ms, "utc": to_iso(utc_ms),
         "prev_hash": prev_hash, "hash": digest},
        ensure_ascii=True, separators=(",", ":"),
    )  # fmt: skip
    return head[:-1] + ',"payload":' + payload_text + "}"


def append_line(out: TextIO, line: str) -> None:
    """Append a line durably (the file is the witness: it must survive a crash)."""
    out.write(line + "\n")
    out.flush()
    os.fsync(out.fileno())


@dataclass
class Agreement:
    """What one witness file said about the log."""

    name: str
    agreed: int = 0
    through: int = 0
    other_desks: int = 0
    archived: int = 0


Found = tuple[int | None, str]
"""A problem: the record id it names (None: none), and what."""


def compare(
    conn: sqlite3.Connection,
    name: str,
    entries: Sequence[Seen],
    desk: str | None,
    head_id: int,
    first_id: int | None,
) -> tuple[Agreement, list[Found]]:
    """Check the log (an open snapshot) against one witness file's entries for `desk`."""
    result = Agreement(name)
    problems: list[Found] = []
    mine = []
    for seen in entries:
        if seen.desk is not None and desk is not None and seen.desk != desk:
            result.other_desks += 1
        else:
            mine.append(seen)
    mine.sort(key=lambda s: s.id)
    beyond = [s for s in mine if s.id > head_id]
    agreed_below = 0
    for seen in mine:
        if seen.id > head_id:
            break
        if first_id is None or seen.id < first_id:
            result.archived += 1
            continue
        row = conn.execute("SELECT hash FROM records WHERE id = ?", (seen.id,)).fetchone()
        if row is None:
            continue  # a gap: the chain walk names it
        have = bytes(row[0]).hex()
        if have.startswith(seen.hash):
            result.agreed += 1
            result.through = seen.id
            agreed_below = seen.id
            continue
        if agreed_below >= seen.id:
            span = "; another line of the witness for this record agrees: it contradicts itself"
        elif agreed_below:
            span = (f"; the log agrees with it through record {agreed_below}, so the change is "
                    f"in records {agreed_below + 1}..{seen.id}")  # fmt: skip
        else:
            span = f"; the change is in records 1..{seen.id}"
        what = f"{seen.kind} " if seen.kind else ""
        saw = f"it saw this {what}record with hash {seen.hash[:16]}…"
        problems.append((seen.id, f"differs from witness {seen.source}: {saw}, "
                                  f"the log has {have[:16]}…{span}"))  # fmt: skip
    if beyond:
        last = beyond[-1]
        when = f" ({last.utc})" if last.utc else ""
        cut = f"records {head_id + 1}..{last.id} at least were cut off the end"
        saw = f"witness {last.source} saw record {last.id}{when}"
        problems.append(
            (head_id + 1, f"removed: the log ends at record {head_id}, but {saw}: {cut}")
        )
    return result, problems


def desks_in(entries: Iterable[Seen]) -> set[str]:
    """The desks a witness file names."""
    return {s.desk for s in entries if s.desk is not None}


def checkpoint_lines(path: Path) -> tuple[list[str], tuple[int, bytes], str | None]:
    """The witness lines of every signed checkpoint in the log at `path`, its head, and the desk
    its last checkpoint names (None: it has none)."""
    conn = db.connect_ro(path)
    try:
        conn.execute("BEGIN")
        try:
            rows = conn.execute(
                "SELECT id, kind, utc_ms, payload, prev_hash, hash FROM records "
                "WHERE entity = ? ORDER BY id",
                (SIGNED_ENTITY,),
            ).fetchall()
            last = conn.execute("SELECT id, hash FROM records ORDER BY id DESC LIMIT 1").fetchone()
        finally:
            conn.execute("ROLLBACK")
    except sqlite3.DatabaseError as exc:
        raise db.translate(exc, path) from exc
    finally:
        conn.close()
    lines = []
    desk: str | None = None
    for rid, kind, utc_ms, text, prev_hash, digest in rows:
        try:
            desk = str(json.loads(text).get("desk", ""))
        except (ValueError, AttributeError):
            desk = ""
        lines.append(line_of(desk, rid, kind, utc_ms, bytes(prev_hash).hex(), bytes(digest).hex(),
                             text))  # fmt: skip
    head = (0, bytes(32)) if last is None else (int(last[0]), bytes(last[1]))
    return lines, head, desk
