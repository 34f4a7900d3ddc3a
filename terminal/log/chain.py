"""The hash chain: canonical payload text and each record's SHA-256 over its predecessor.

hash(n) = SHA-256 of the UTF-8 text  prev_hash_hex "\\n" id "\\n" kind "\\n" utc_ms "\\n" payload
where prev_hash_hex is hash(n-1) in lower-case hex (GENESIS for record 1) and payload is the
canonical JSON text stored in the record. The separator cannot occur inside any part (canonical
JSON escapes newlines, kinds are [a-z_]), so the encoding is unambiguous and can be recomputed
from a shell with sha256sum.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = bytes(32)
"""The prev_hash of record 1."""


def canonical(payload: Any) -> str:
    """The canonical JSON text of a payload: sorted keys, compact, ASCII, no NaN."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False)


def record_hash(prev_hash: bytes, record_id: int, kind: str, utc_ms: int, payload: str) -> bytes:
    """The SHA-256 of one record, chained to `prev_hash`."""
    text = f"{prev_hash.hex()}\n{record_id}\n{kind}\n{utc_ms}\n{payload}"
    return hashlib.sha256(text.encode()).digest()
