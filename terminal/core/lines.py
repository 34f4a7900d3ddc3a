"""The deconfliction line as a negotiated record: its versions, which is in force when, and the
parse of points as an operator types or pastes them.

Pure: no I/O, no clock reads. Times are Zulu milliseconds. docs/log.md (`line_version`) and
docs/protocol.md (LINE, LINEUSE) say the same in words.

Rules:
- Versions are numbered 1, 2, 3 ... by the desk, never reused. A new version supersedes every
  earlier one, pending or not: the version **in force** at time t is the highest-numbered one
  whose effective-from is at or before t (None before the first takes effect).
- An alert that names the version it was computed against is checked against that version and
  no other (never a newer one). One that names none (a co-processor built before LINE) is checked
  against the version in force at its computed-at time, but only when no version took effect
  within `CHANGE_MARGIN_MS` of it; otherwise the line is uncertain and only the separations are
  checked.
- The config line (`[alerts] line_id` / `line_points`) becomes version 1 of an empty history. On a
  later start a config line different from the newest version entered by "config" becomes a new
  version entered by "config", effective at that start: history is never rewritten. An unchanged
  config line writes nothing, so versions entered at the console stay in force.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from terminal.zulu import parse_when

Point = tuple[float, float]

MAX_POINTS = 16
"""Points a line may have: the LINE message carries them in one frame (docs/protocol.md 5.5)."""
MAX_VERSION = 999_999
CHANGE_MARGIN_MS = 10_000
"""An unversioned LINE alert computed this close to a change of version is not checked against
either version (the co-processor may have used the one or the other)."""
CONFIG_ENTRANT = "config"
"""Who entered a version taken from the configuration."""
LOCAL_VERSION = 0
"""The version number a co-processor reports for its own start-up line (`--line`)."""
NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,16}")
NAME_RULE = "1 to 16 characters of A-Z a-z 0-9 _ -"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


@dataclass(frozen=True, slots=True)
class LineVersion:
    """One version of the line as the log holds it."""

    version: int
    name: str
    points: tuple[Point, ...]
    effective_utc_ms: int
    entered_by: str | None
    call_id: str | None
    entered_utc_ms: int
    desk: str = ""


class PointsError(ValueError):
    """Points that cannot be taken; ``errors`` names each bad point (1-based) or the whole."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = tuple(errors)


def parse_points(text: str, max_points: int = MAX_POINTS) -> tuple[Point, ...]:
    """``lat,lon; lat,lon; ...`` (newlines also separate points; spaces anywhere) as points.

    Raises PointsError listing every bad point with its number, and what is wrong overall."""
    parts = [p.strip() for p in re.split(r"[;\n]", text)]
    parts = [p for p in parts if p]  # ";" and a new line together, or a trailing ";": no point
    errors: list[str] = []
    points: list[Point] = []
    for k, part in enumerate(parts, 1):
        pieces = [x.strip() for x in part.split(",")]
        if len(pieces) != 2 or not all(_NUMBER.fullmatch(x) for x in pieces):
            errors.append(f"point {k} ({part!r}): write it as lat,lon in decimal degrees")
            continue
        lat, lon = float(pieces[0]), float(pieces[1])
        if not -90.0 <= lat <= 90.0:
            errors.append(f"point {k} ({part}): latitude {lat:g} is not within -90..90")
        elif not -180.0 <= lon <= 180.0:
            errors.append(f"point {k} ({part}): longitude {lon:g} is not within -180..180")
        else:
            points.append((round(lat, 6), round(lon, 6)))
    if not errors:
        if len(points) < 2:
            errors.append(f"{len(points)} point(s): a line needs at least two")
        elif len(points) > max_points:
            errors.append(f"{len(points)} points: at most {max_points} (one LINE message)")
        else:
            errors += [
                f"point {k + 1} repeats point {k}"
                for k in range(1, len(points))
                if points[k] == points[k - 1]
            ]
    if errors:
        raise PointsError(errors)
    return tuple(points)


def format_points(points: Iterable[Point]) -> str:
    """Points as the operator types them: ``lat,lon; lat,lon``."""
    return "; ".join(f"{_short(lat)},{_short(lon)}" for lat, lon in points)


def _short(x: float) -> str:
    """Degrees with up to 6 decimals, no trailing zeros: ``51.6``, ``-0.08``, ``51.0``."""
    text = f"{x:.6f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def check_name(name: str) -> str | None:
    """What is wrong with a line name (None: fine)."""
    return None if NAME_RE.fullmatch(name) else f"name {name!r}: {NAME_RULE}"


_HHMM = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?Z?")


def parse_effective(text: str, now_ms: int) -> int:
    """When a version takes effect, as typed: empty or ``now`` (now), ``HH:MM[:SS][Z]`` (that Zulu
    time today), or an ISO date-time (Zulu unless it says otherwise). ValueError saying how."""
    text = text.strip()
    if text.lower() in ("", "now"):
        return now_ms
    hhmm = _HHMM.fullmatch(text)
    if hhmm:
        h, m, sec = int(hhmm[1]), int(hhmm[2]), int(hhmm[3] or 0)
        if h > 23 or m > 59 or sec > 59:
            raise ValueError(f"effective from {text!r}: not a time of day (HH:MM Zulu)")
        day = now_ms - now_ms % 86_400_000
        return day + ((h * 60 + m) * 60 + sec) * 1000
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ][0-9:.]+Z?", text):
        raise ValueError(f"effective from {text!r}: write now, HH:MM (Zulu) or 2026-05-09T07:30Z")
    try:
        return parse_when(text.replace("Z", "+00:00") if text.endswith("Z") else text, now_ms)
    except ValueError:
        raise ValueError(
            f"effective from {text!r}: write now, HH:MM (Zulu) or 2026-05-09T07:30Z"
        ) from None


def new_version(
    history: LineHistory,
    name: str,
    points_text: str,
    effective: str,
    *,
    entered_by: str | None,
    call_id: str | None,
    now_ms: int,
    desk: str = "",
) -> LineVersion:
    """The next version as the operator typed it; PointsError or ValueError listing what is
    wrong (every bad point, the name, the time)."""
    errors: list[str] = []
    bad_name = check_name(name.strip())
    if bad_name:
        errors.append(bad_name)
    points: tuple[Point, ...] = ()
    try:
        points = parse_points(points_text)
    except PointsError as exc:
        errors += exc.errors
    when = now_ms
    try:
        when = parse_effective(effective, now_ms)
    except ValueError as exc:
        errors.append(str(exc))
    if history.next_number() > MAX_VERSION:
        errors.append(f"no version numbers left (at most {MAX_VERSION})")
    if errors:
        raise PointsError(errors)
    return LineVersion(
        history.next_number(), name.strip(), points, when, entered_by, call_id, now_ms, desk
    )


class LineHistory:
    """Every version of the line, by number; which is in force when."""

    def __init__(self, versions: Iterable[LineVersion] = ()) -> None:
        self._by_number: dict[int, LineVersion] = {}
        for v in versions:
            self.add(v)

    def add(self, v: LineVersion) -> None:
        """Take a version (a repeat of a number replaces nothing: the first stands)."""
        self._by_number.setdefault(v.version, v)

    def __len__(self) -> int:
        return len(self._by_number)

    def versions(self) -> list[LineVersion]:
        """Oldest number first."""
        return [self._by_number[k] for k in sorted(self._by_number)]

    def get(self, version: int) -> LineVersion | None:
        """That version, or None when this desk never had it."""
        return self._by_number.get(version)

    @property
    def latest(self) -> LineVersion | None:
        """The highest-numbered version (maybe not yet in force)."""
        return self._by_number[max(self._by_number)] if self._by_number else None

    def next_number(self) -> int:
        """The number the next version gets."""
        return max(self._by_number, default=0) + 1

    def in_force(self, utc_ms: int) -> LineVersion | None:
        """The highest-numbered version effective at or before ``utc_ms``."""
        best: LineVersion | None = None
        for v in self._by_number.values():
            if v.effective_utc_ms <= utc_ms and (best is None or v.version > best.version):
                best = v
        return best

    def changes_near(self, utc_ms: int, margin_ms: int = CHANGE_MARGIN_MS) -> bool:
        """Whether the version in force changes within ``margin_ms`` of ``utc_ms``."""
        before = self.in_force(utc_ms - margin_ms)
        after = self.in_force(utc_ms + margin_ms)
        return (before and before.version) != (after and after.version)

    def for_alert(self, version: int | None, computed_utc_ms: int) -> LineVersion | None:
        """The version to check a LINE alert against (None: check the separations only).

        Named version: exactly that one (None if unknown here, e.g. 0, the co-processor's own).
        No version named: the one in force at ``computed_utc_ms`` unless a change is near."""
        if version is not None:
            return self.get(version)
        if self.changes_near(computed_utc_ms):
            return None
        return self.in_force(computed_utc_ms)

    def to_send(self, utc_ms: int) -> list[LineVersion]:
        """What a co-processor needs at ``utc_ms``: the version in force and every higher one
        still to take effect, oldest number first."""
        now = self.in_force(utc_ms)
        floor = now.version if now is not None else 0
        return [v for v in self.versions() if v.version >= floor]

    def config_version(
        self, name: str, points: tuple[Point, ...], utc_ms: int, desk: str = ""
    ) -> LineVersion | None:
        """The version to write for the configured line at start-up (None: nothing to write).

        A config line unlike the newest version entered by "config" (or the first one) is a new
        version, effective ``utc_ms`` (the start), entered by "config"; an unchanged one is not.
        So an empty history gets version 1, and editing the config adds a version on top."""
        if len(points) < 2:
            return None
        from_config = [v for v in self.versions() if v.entered_by == CONFIG_ENTRANT]
        if from_config and (from_config[-1].name, from_config[-1].points) == (name, points):
            return None
        return LineVersion(
            self.next_number(), name, points, utc_ms, CONFIG_ENTRANT, None, utc_ms, desk
        )


@dataclass(frozen=True, slots=True)
class CoprocLine:
    """What the co-processor link knows of the line: the highest version the current boot
    acknowledged, whether LINEs are on their way, and what it reports in use (LINEUSE)."""

    acked: int | None = None
    sending: bool = False
    in_use: int | None = None  # None: not reported yet (0: its own start-up line)
    in_use_name: str = ""
    since_utc_ms: int | None = None
    refused: bool = False  # it answered LINE with ERR UNKNOWN: built before LINE


@dataclass(frozen=True, slots=True)
class LineView:
    """The line for the console: the version in force, what is still to take effect, and what
    the co-processor uses."""

    version: int | None = None
    name: str = ""
    effective_utc: str = ""
    entered_by: str | None = None
    call_id: str | None = None
    pending: tuple[int, ...] = ()  # later versions not yet in force
    coproc: CoprocLine = CoprocLine()

    def coproc_text(self) -> str:
        """The co-processor's side in a few characters: ``✓`` when it uses the version in
        force, else ``coproc v1``, ``coproc own`` (its start-up line), ``coproc ?``, with
        ``sending`` while a LINE is on its way; ``coproc: no LINE`` for one built before it."""
        c = self.coproc
        if c.refused:
            return "coproc: no LINE"
        if self.version is not None and c.in_use == self.version and not c.sending:
            return "✓"
        used = "?" if c.in_use is None else "own" if c.in_use == 0 else f"v{c.in_use}"
        return f"coproc {used}" + (" sending" if c.sending else "")


def periods(
    history: LineHistory, since_ms: int, until_ms: int
) -> list[tuple[LineVersion, int, int]]:
    """The versions in force over [since_ms, until_ms), each with the part of the range it was in
    force for (from, to), in time order (the shift report's table)."""
    changes = sorted({since_ms} | {
        v.effective_utc_ms for v in history.versions() if since_ms < v.effective_utc_ms < until_ms
    })  # fmt: skip
    out: list[tuple[LineVersion, int, int]] = []
    for k, start in enumerate(changes):
        end = changes[k + 1] if k + 1 < len(changes) else until_ms
        v = history.in_force(start)
        if v is None:
            continue
        if out and out[-1][0].version == v.version:
            out[-1] = (v, out[-1][1], end)
        else:
            out.append((v, start, end))
    return out
