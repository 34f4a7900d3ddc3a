"""Track sources for the co-processor: named scenarios, recorded files, a live SBS-1 feed.

A source gives the air picture at any time t (seconds on its own clock) and may carry the
deconfliction line and reboot times (scenarios do). `parse_spec` reads the ``--tracks`` text:

- ``NAME`` or ``scenario:NAME[:N]``: a named scenario (`hw.sim.tracks.scenarios.SCENARIOS`);
- ``PATH.csv`` / ``PATH.jsonl`` or ``file:PATH``: a recorded track file;
- ``sbs://HOST:PORT`` (also ``tcp://`` or ``sbs:HOST:PORT``): a live SBS-1 feed.
- ``asterix+udp://GROUP_OR_HOST:PORT?cat=062,021&...``: a live ASTERIX feed over UDP
  (`hw.sim.tracks.asterix_spec` says the options, its own ``coast_s`` among them).

A live SBS-1 feed or a file may end in ``?coast_s=S``: how long a track that stops reporting is
flown on (seconds, positive).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, Protocol

from hw.sim.tracks.asterix_spec import SCHEME as ASTERIX_SCHEME
from hw.sim.tracks.asterix_spec import AsterixOptions, parse_asterix
from terminal.kernel.line import Line
from terminal.kernel.picture import Picture


class TrackSource(Protocol):
    """Where the co-processor's tracks come from."""

    line: Line | None
    reboots: tuple[float, ...]

    def picture(self, t: float) -> Picture:
        """The tracks at time t."""
        ...


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """What ``--tracks`` asked for."""

    kind: Literal["scenario", "file", "sbs", "asterix"]
    name: str = ""
    path: Path | None = None
    host: str = ""
    port: int = 0
    coast_s: float | None = None
    """``?coast_s=S``: how long a silent track is flown on; None: the source's default."""
    asterix: AsterixOptions | None = None
    """How an ASTERIX feed is read (kind ``asterix`` only)."""


QUERY_KEYS = ("coast_s",)


def split_query(text: str) -> tuple[str, dict[str, float]]:
    """``text`` without its ``?key=value&...`` part, and that part's numbers; ValueError."""
    base, sep, query = text.partition("?")
    values: dict[str, float] = {}
    for item in filter(None, query.split("&")) if sep else ():
        key, _, raw = item.partition("=")
        if key not in QUERY_KEYS:
            raise ValueError(
                f"unknown setting {key!r} in {text!r}; known: {', '.join(QUERY_KEYS)}"
            )
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{key} must be a positive number of seconds, got {raw!r} in {text!r}")
        values[key] = value
    return base, values


def parse_spec(text: str) -> SourceSpec:
    """The source named by ``text``; ValueError saying what is accepted."""
    t = text.strip()
    if t.startswith(ASTERIX_SCHEME):  # its own settings, coast_s among them
        where, udp_port, options = parse_asterix(t)
        return SourceSpec("asterix", host=where, port=udp_port, asterix=options)
    base, query = split_query(t)
    spec = _parse_base(base, text)
    if query and spec.kind == "scenario":
        raise ValueError(f"coast_s is for a feed or a file, not a scenario: {text!r}")
    return replace(spec, coast_s=query["coast_s"]) if query else spec


def _parse_base(t: str, text: str) -> SourceSpec:
    """The source named by ``t`` (``text`` without its settings)."""
    for prefix in ("sbs://", "tcp://", "sbs:"):
        if t.startswith(prefix):
            host, sep, port = t[len(prefix) :].rstrip("/").rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"expected {prefix}HOST:PORT, got {text!r}")
            return SourceSpec("sbs", host=host.strip("[]"), port=int(port))
    if t.startswith("file:"):
        return SourceSpec("file", path=Path(t[5:]))
    if t.lower().endswith((".csv", ".jsonl", ".ndjson", ".json")):
        return SourceSpec("file", path=Path(t))
    name = t.removeprefix("scenario:")
    from hw.sim.tracks.scenarios import SCENARIOS

    if name.partition(":")[0] in SCENARIOS:
        return SourceSpec("scenario", name=name)
    known = ", ".join(SCENARIOS)
    raise ValueError(
        f"unknown track source {text!r}: give a scenario ({known}), a .csv or .jsonl file, "
        "sbs://HOST:PORT or asterix+udp://HOST:PORT?cat=062"
    )


__all__ = ["SourceSpec", "TrackSource", "parse_spec", "split_query"]
