"""The ``--tracks asterix+udp://...`` text: where an ASTERIX feed is heard and how it is read.

``asterix+udp://GROUP_OR_HOST:PORT?cat=062,021&iface=ADDR&ref=LAT,LON&coast_s=12&silence_s=12``

- ``GROUP_OR_HOST``: a multicast group (joined) or a local address to bind (``0.0.0.0``: any);
- ``cat``: the categories read, ``062`` (system tracks) and/or ``021`` (ADS-B); default ``062``;
- ``iface``: the local IPv4 address of the interface a multicast group is joined on;
- ``ref``: the system reference point, for tracks that carry only I062/100 (Cartesian);
- ``coast_s``: a track not updated for this long is dropped (default 12 s: three missed updates
  of a radar system track refreshed every 4 s);
- ``silence_s``: the feed counts as connected while a datagram came within this (default:
  ``coast_s``, after which every track would be gone anyway).

Kept apart from the decoder so parsing ``--tracks`` does not load the ASTERIX tables.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

SCHEME = "asterix+udp://"
CATEGORIES = (62, 21)
DEFAULT_COAST_S = 12.0
KNOWN_QUERY = ("cat", "iface", "ref", "coast_s", "silence_s")


@dataclass(frozen=True, slots=True)
class AsterixOptions:
    """How an ASTERIX feed is read (everything after the address)."""

    cats: tuple[int, ...] = (62,)
    iface: str = ""
    ref: tuple[float, float] | None = None
    coast_s: float = DEFAULT_COAST_S
    silence_s: float | None = None

    @property
    def silence_limit_s(self) -> float:
        """Seconds without a datagram before the feed counts as not connected."""
        return self.coast_s if self.silence_s is None else self.silence_s


def _one(query: dict[str, list[str]], key: str, text: str) -> str | None:
    values = query.get(key)
    if not values:
        return None
    if len(values) > 1:
        raise ValueError(f"{key} is given twice in {text!r}")
    return values[0].strip()


def _seconds(value: str | None, key: str, text: str) -> float | None:
    if value is None:
        return None
    try:
        s = float(value)
    except ValueError:
        s = math.nan
    if not (math.isfinite(s) and s > 0):
        raise ValueError(f"{key} must be a positive number of seconds, got {value!r} in {text!r}")
    return s


def _cats(value: str | None, text: str) -> tuple[int, ...]:
    if value is None:
        return (62,)
    cats: list[int] = []
    for item in value.split(","):
        item = item.strip().lower().removeprefix("cat")
        if not item.isdigit() or int(item) not in CATEGORIES:
            raise ValueError(f"cat must be 062, 021 or 062,021, got {value!r} in {text!r}")
        if int(item) not in cats:
            cats.append(int(item))
    return tuple(cats)


def _ref(value: str | None, text: str) -> tuple[float, float] | None:
    if value is None:
        return None
    lat_s, sep, lon_s = value.partition(",")
    try:
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        lat = lon = math.nan
    if not sep or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"ref must be LAT,LON in degrees, got {value!r} in {text!r}")
    return lat, lon


def parse_asterix(text: str) -> tuple[str, int, AsterixOptions]:
    """(host, port, options) from ``asterix+udp://HOST:PORT?...``; ValueError saying what is
    wrong and what is accepted."""
    usage = f"expected {SCHEME}HOST:PORT[?cat=062,021&iface=ADDR&ref=LAT,LON&coast_s=S]"
    if not text.startswith(SCHEME):
        raise ValueError(f"{usage}, got {text!r}")
    parts = urlsplit(text.strip())
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or not port or parts.path not in ("", "/"):
        raise ValueError(f"{usage}, got {text!r}")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - set(KNOWN_QUERY))
    if unknown:
        known = ", ".join(KNOWN_QUERY)
        raise ValueError(f"unknown option {unknown[0]!r} in {text!r}; known: {known}")
    iface = _one(query, "iface", text) or ""
    if iface:
        try:
            ipaddress.IPv4Address(iface)
        except ValueError:
            raise ValueError(f"iface must be a local IPv4 address, got {iface!r}") from None
    coast = _seconds(_one(query, "coast_s", text), "coast_s", text)
    options = AsterixOptions(
        cats=_cats(_one(query, "cat", text), text),
        iface=iface,
        ref=_ref(_one(query, "ref", text), text),
        coast_s=coast if coast is not None else DEFAULT_COAST_S,
        silence_s=_seconds(_one(query, "silence_s", text), "silence_s", text),
    )
    return host, port, options


__all__ = ["DEFAULT_COAST_S", "SCHEME", "AsterixOptions", "parse_asterix"]
