"""ASTERIX decode rate on one core, against the largest realistic feed: a national CAT062 picture
of 5,000 system tracks each updated every 4 s (1,250 records/s). Goal: 20x that (25,000
records/s), room for bursts, CAT021 beside it and the kernel on the same small computer.

The records are what a tracker such as ARTAS sends per track (I062/010, 015, 040, 060, 070, 080,
100, 105, 130, 136, 185, 200, 220, 380 ADR+ID), packed into datagrams of at most 1,400
bytes. Measured in CPU time of this process (``time.process_time``: one core, whatever else the
machine is doing), best of RUNS (other work on a shared machine slows a run down through the
caches and the core it shares, by as much as half here, so the best run is the figure).

Measured on the development machine (2 x86 cores shared with four test suites; load average
beside each; more in docs/tracks.md, "Speed"): decode rate 28,654 to 50,694 records/s (5.8 to
10.0, eight runs, median about 40,000) compiled, 25,013 to 29,248 (7.8 to 10.3) pure
(``HOTLINE_ASTERIX_PURE=1``), against 6,978 and 14,411 (8.4) for the code before side by side
(each item read parsed whole by libasterix); every item 3,300 to 6,100; libasterix's parse
alone 1,500 to 2,000; C++ 32,000 to 57,000.

- ``asterix_cat062_decode_rate``: `hw.sim.tracks.asterix.decode`, what the co-processor runs:
  only the items read found (libasterix parses each FSPEC and each extended item, fixed-length
  items are stepped over by the length its tables give, a subitem read is libasterix's content
  class on its bits), mapped to track reports; the reader and the mapping compiled with mypyc
  at `make setup` beside libasterix's parser (`hw.sim.tracks.asterix_compile`), else pure;
- ``asterix_cat062_every_item_rate``: the same with libasterix's strict parse of every item;
- ``asterix_cat062_parse_rate``: libasterix's strict parse alone, nothing mapped;
- ``asterix_cat062_cxx_rate``: the C++ asterix-decoder on the same datagrams, for comparison
  only (it is the tests' oracle, not a run-time dependency).
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from bench.report import Figure
from hw.sim.tracks.asterix import Bits, Cat062, RawDatablock, decode
from hw.sim.tracks.asterix_encode import datagrams

TRACKS = 5_000
UPDATE_S = 4.0
FEED_RATE = TRACKS / UPDATE_S  # records/s
GOAL_RATIO = 20.0
GOAL = f">= {GOAL_RATIO * FEED_RATE:,.0f} records/s ({GOAL_RATIO:g}x the feed)"
RECORDS = 1_500  # decoded per run (the rate does not depend on how many)
RUNS = 5
OF = f"a national CAT062 feed ({TRACKS:,} tracks / {UPDATE_S:g} s)"


def track_record(k: int) -> Any:
    """A system track record as a tracker sends it."""
    lat, lon = 44.0 + (k % 100) * 0.08, -4.0 + (k // 100) * 0.2
    return Cat062.cv_record.create(cast(Any, {
        "010": (("SAC", 25), ("SIC", 100)), "015": 4, "070": (float(k % 86_400), "s"),
        "105": (("LAT", (lat, "°")), ("LON", (lon, "°"))),
        "100": (("X", (1000.0 * (k % 300), "m")), ("Y", (-500.0 * (k % 700), "m"))),
        "185": (("VX", (210.0, "m/s")), ("VY", (-35.0, "m/s"))),
        "060": (("V", 0), ("G", 0), ("CH", 0), 0, ("MODE3A", f"{k % 4096:04o}")),
        "200": (("TRANS", 0), ("LONG", 0), ("VERT", 2), ("ADF", 0), 0),
        "380": {"ADR": 0x300000 + k, "ID": f"AFR{k:04d}"[:8]},
        "040": k, "136": (350.0, "FL"), "130": (36_125.0, "ft"), "220": (-640.0, "ft/min"),
        "080": (
            (("MON", 0), ("SPI", 0), ("MRH", 0), ("SRC", 2), ("CNF", 0), None),
            (("SIM", 0), ("TSE", 0), ("TSB", 0), ("FPC", 1), ("AFF", 0), ("STP", 0),
             ("KOS", 1), None),
        ),
    }))  # fmt: skip


def national_picture(n: int = RECORDS) -> list[bytes]:
    """``n`` track records as the datagrams they travel in."""
    return datagrams([track_record(k) for k in range(n)], 62)


def _best_rate(work: Callable[[], int]) -> float:
    """Records per CPU second of ``work`` (which returns how many it did), best of RUNS."""
    best = 0.0
    for _ in range(RUNS):
        t0 = time.process_time()
        n = work()
        spent = time.process_time() - t0
        best = max(best, n / max(spent, 1e-9))
    return best


def run() -> list[Figure]:
    """The rates; the first against the feed."""
    grams = national_picture()

    def ours() -> int:
        n = 0
        for g in grams:
            decoded = decode(g, (62,))
            assert not decoded.errors, decoded.errors
            n += len(decoded.reports)
        return n

    def every_item() -> int:
        return sum(len(decode(g, (62,), every_item=True).reports) for g in grams)

    def parse_only() -> int:
        n = 0
        for g in grams:
            blocks = RawDatablock.parse(Bits.from_bytes(g))
            assert not isinstance(blocks, ValueError)
            for b in blocks:
                records = Cat062.cv_uap.parse(b.get_raw_records())
                assert not isinstance(records, ValueError)
                n += len(records)
        return n

    rate = _best_rate(ours)
    figures = [
        Figure("asterix_cat062_decode_rate", round(rate), "records/s", GOAL,
               round(rate / FEED_RATE, 2), OF),
        Figure("asterix_cat062_every_item_rate", round(_best_rate(every_item)), "records/s",
               "none (every item parsed, for comparison)"),
        Figure("asterix_cat062_parse_rate", round(_best_rate(parse_only)), "records/s",
               "none (libasterix alone, for comparison)"),
    ]  # fmt: skip
    try:
        import _asterix  # the test extra's oracle: absent where only the co-processor is installed
    except ModuleNotFoundError:
        return figures
    spec = importlib.util.find_spec("_asterix")
    assert spec is not None and spec.origin is not None
    config = Path(spec.origin).parent / "asterix" / "config"
    for name in ("asterix_bds.xml", "asterix_cat062_1_18.xml"):
        _asterix.init(str(config / name))

    def cxx() -> int:
        return sum(len(_asterix.parse(g, False)) for g in grams)

    figures.append(Figure("asterix_cat062_cxx_rate", round(_best_rate(cxx)), "records/s",
                          "none (C++ asterix-decoder, for comparison)"))  # fmt: skip
    return figures
