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
from collections.abc import Mapping
from json.encoder import encode_basestring_ascii
from typing import Any

GENESIS = bytes(32)
"""The prev_hash of record 1."""


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False)


def canonical(payload: Any) -> str:
    """The canonical JSON text of a payload: sorted keys, compact, ASCII, no NaN."""
    return _ENCODER.encode(payload)


def canonical_parts(payload: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """canonical(payload), and the canonical text of each nested (object or array) value.

    Built a key at a time so the writer can keep the nested texts (an alert's fields) instead
    of encoding them twice. Raises TypeError for a non-string key, ValueError for NaN.
    """
    parts: list[str] = []
    nested: dict[str, str] = {}
    for key in sorted(payload):
        if not isinstance(key, str):
            raise TypeError(f"payload keys must be strings, not {key!r}")
        value = payload[key]
        if isinstance(value, str):
            text = encode_basestring_ascii(value)
        elif value is None or value is True or value is False:
            text = "null" if value is None else "true" if value else "false"
        elif type(value) is int:
            text = int.__repr__(value)
        else:
            text = _ENCODER.encode(value)
            if isinstance(value, dict | list | tuple):
                nested[key] = text
        parts.append(f"{encode_basestring_ascii(key)}:{text}")
    return "{" + ",".join(parts) + "}", nested


def record_hash(prev_hash: bytes, record_id: int, kind: str, utc_ms: int, payload: str) -> bytes:
    """The SHA-256 of one record, chained to `prev_hash`."""
    text = f"{prev_hash.hex()}\n{record_id}\n{kind}\n{utc_ms}\n{payload}"
    return hashlib.sha256(text.encode()).digest()
