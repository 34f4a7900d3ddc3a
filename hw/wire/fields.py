"""Field codecs: how one typed value is written as, and read back from, one frame field.

Each codec's ``encode`` raises ValueError for a value it cannot write; ``decode`` raises
ValueError whose text says what is allowed. Pure functions, no I/O.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
E = TypeVar("E", bound=StrEnum)

_INT_RE = re.compile(r"0|-?[1-9][0-9]{0,18}")
_FLOAT_RE = re.compile(r"-?(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,9})?")
_HEX8_RE = re.compile(r"[0-9A-Fa-f]{8}")
_TIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")
_TEXT_RE = re.compile(r"[\x20-\x23\x25-\x29\x2B\x2D-\x7E]*")
IDENT_CHARS = "A-Z a-z 0-9 - _ . : /"
_WORD_RE = re.compile(r"[A-Z][A-Z0-9_]{0,15}")
_IDENT_RE = re.compile(r"[A-Za-z0-9._:/-]+")


class Codec(Protocol[T]):
    """Writes one value as field text and reads it back."""

    @property
    def allowed(self) -> str:
        """What the field may hold, in words (for errors and the docs)."""
        ...

    def encode(self, value: T) -> str:
        """Field text for ``value``; ValueError if it is out of range."""
        ...

    def decode(self, text: str) -> T:
        """The value in ``text``; ValueError naming what is allowed."""
        ...


@dataclass(frozen=True, slots=True)
class IntCodec:
    """Decimal integer in [lo, hi], no sign for positives, no leading zeros."""

    lo: int
    hi: int

    @property
    def allowed(self) -> str:
        return f"integer {self.lo}..{self.hi}"

    def encode(self, value: int) -> str:
        if type(value) is not int or not self.lo <= value <= self.hi:
            raise ValueError(f"must be an {self.allowed}; got {value!r}")
        return str(value)

    def decode(self, text: str) -> int:
        if not _INT_RE.fullmatch(text):
            raise ValueError(f"must be an {self.allowed} in plain decimal; got {text!r}")
        value = int(text)
        if not self.lo <= value <= self.hi:
            raise ValueError(f"must be an {self.allowed}; got {value}")
        return value


@dataclass(frozen=True, slots=True)
class FloatCodec:
    """Plain decimal with ``places`` decimals on the way out; 0-9 decimals accepted in."""

    places: int
    lo: float
    hi: float

    @property
    def allowed(self) -> str:
        lo, hi = f"{self.lo:.{self.places}f}", f"{self.hi:.{self.places}f}"
        return f"decimal {lo}..{hi} with {self.places} places"

    def encode(self, value: float) -> str:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not self.lo <= value <= self.hi
        ):
            raise ValueError(f"must be a {self.allowed}; got {value!r}")
        text = f"{value:.{self.places}f}"
        if text.startswith("-") and not text.strip("-0."):
            text = text[1:]  # no "-0.0"
        return text

    def decode(self, text: str) -> float:
        if not _FLOAT_RE.fullmatch(text):
            raise ValueError(f"must be a {self.allowed} (no exponent or NaN or inf); got {text!r}")
        value = float(text)
        if not self.lo <= value <= self.hi:
            raise ValueError(f"must be a {self.allowed}; got {text}")
        return value + 0.0  # -0.0 becomes 0.0


@dataclass(frozen=True, slots=True)
class BoolCodec:
    """``0`` or ``1``."""

    @property
    def allowed(self) -> str:
        return "0 or 1"

    def encode(self, value: bool) -> str:
        if not isinstance(value, bool):
            raise ValueError(f"must be a bool; got {value!r}")
        return "1" if value else "0"

    def decode(self, text: str) -> bool:
        if text == "1":
            return True
        if text == "0":
            return False
        raise ValueError(f"must be 0 or 1; got {text!r}")


class EnumCodec(Generic[E]):
    """One of a StrEnum's values, written as the value itself."""

    __slots__ = ("enum",)

    def __init__(self, enum: type[E]) -> None:
        self.enum = enum

    @property
    def allowed(self) -> str:
        return "|".join(m.value for m in self.enum)

    def encode(self, value: E) -> str:
        if not isinstance(value, self.enum):
            raise ValueError(f"must be one of {self.allowed}; got {value!r}")
        return value.value

    def decode(self, text: str) -> E:
        try:
            return self.enum(text)
        except ValueError:
            raise ValueError(f"must be one of {self.allowed}; got {text!r}") from None


@dataclass(frozen=True, slots=True)
class TextCodec:
    """Free text: printable ASCII except ``$ , *``, length lo..hi."""

    lo: int
    hi: int

    @property
    def allowed(self) -> str:
        return f"{self.lo}-{self.hi} printable ASCII characters except dollar comma asterisk"

    def encode(self, value: str) -> str:
        return self.decode(value) if isinstance(value, str) else self._bad(value)

    def decode(self, text: str) -> str:
        if not self.lo <= len(text) <= self.hi or not _TEXT_RE.fullmatch(text):
            self._bad(text)
        return text

    def _bad(self, value: Any) -> str:
        raise ValueError(f"must be {self.allowed}; got {value!r}")


@dataclass(frozen=True, slots=True)
class IdentCodec:
    """An identifier (track, pair, line segment): 1..hi of ``A-Z a-z 0-9 - _ . : /``."""

    hi: int

    @property
    def allowed(self) -> str:
        return f"1-{self.hi} characters of {IDENT_CHARS}"

    def encode(self, value: str) -> str:
        return self.decode(value) if isinstance(value, str) else self._bad(value)

    def decode(self, text: str) -> str:
        if len(text) > self.hi or not _IDENT_RE.fullmatch(text):
            self._bad(text)
        return text

    def _bad(self, value: Any) -> str:
        raise ValueError(f"must be {self.allowed}; got {value!r}")


@dataclass(frozen=True, slots=True)
class WordCodec:
    """An open-ended code word such as an ERR code: ``[A-Z][A-Z0-9_]{0,15}``."""

    @property
    def allowed(self) -> str:
        return "1-16 characters A-Z 0-9 _ starting with a letter"

    def encode(self, value: str) -> str:
        if not isinstance(value, str):
            raise ValueError(f"must be {self.allowed}; got {value!r}")
        return self.decode(value)

    def decode(self, text: str) -> str:
        if not _WORD_RE.fullmatch(text):
            raise ValueError(f"must be {self.allowed}; got {text!r}")
        return text


@dataclass(frozen=True, slots=True)
class Hex8Codec:
    """Eight hex digits, upper case on the way out; either case accepted, normalised up."""

    @property
    def allowed(self) -> str:
        return "8 hex digits"

    def encode(self, value: str) -> str:
        if not isinstance(value, str):
            raise ValueError(f"must be {self.allowed}; got {value!r}")
        return self.decode(value)

    def decode(self, text: str) -> str:
        if not _HEX8_RE.fullmatch(text):
            raise ValueError(f"must be {self.allowed}; got {text!r}")
        return text.upper()


@dataclass(frozen=True, slots=True)
class UtcMillisCodec:
    """UTC time as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (24 characters, milliseconds, Zulu)."""

    @property
    def allowed(self) -> str:
        return "UTC time YYYY-MM-DDTHH:MM:SS.mmmZ"

    def encode(self, value: datetime) -> str:
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise ValueError(f"must be a timezone-aware datetime; got {value!r}")
        utc = value.astimezone(UTC)
        if not 1 <= utc.year <= 9999:
            raise ValueError(f"year out of range: {value!r}")
        return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"

    def decode(self, text: str) -> datetime:
        if not _TIME_RE.fullmatch(text):
            raise ValueError(f"must be {self.allowed}; got {text!r}")
        try:
            return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        except ValueError:
            raise ValueError(f"not a real date and time: {text!r}") from None


@dataclass(frozen=True, slots=True)
class PointsCodec:
    """A polyline in one field: ``lat lon`` pairs (6 decimals each) joined by ``;``.

    ``lo``..``hi`` points; latitudes -90..90, longitudes -180..180, in the decimal form of
    `FloatCodec` (no exponent, 0 to 9 decimals in)."""

    lo: int
    hi: int

    @property
    def allowed(self) -> str:
        return f"{self.lo} to {self.hi} points written lat lon (6 decimals) joined by ;"

    def encode(self, value: tuple[tuple[float, float], ...]) -> str:
        if not isinstance(value, tuple) or not self.lo <= len(value) <= self.hi:
            raise ValueError(f"must be {self.allowed}; got {value!r}")
        return ";".join(f"{_LAT.encode(lat)} {_LON.encode(lon)}" for lat, lon in value)

    def decode(self, text: str) -> tuple[tuple[float, float], ...]:
        parts = text.split(";")
        if not self.lo <= len(parts) <= self.hi:
            raise ValueError(f"must be {self.allowed}; got {len(parts)} point(s)")
        out = []
        for k, part in enumerate(parts, 1):
            pair = part.split(" ")
            if len(pair) != 2:
                raise ValueError(f"point {k} must be written lat lon; got {part!r}")
            try:
                out.append((_LAT.decode(pair[0]), _LON.decode(pair[1])))
            except ValueError as exc:
                raise ValueError(f"point {k} {exc}") from None
        return tuple(out)


_LAT = FloatCodec(6, -90.0, 90.0)
_LON = FloatCodec(6, -180.0, 180.0)
