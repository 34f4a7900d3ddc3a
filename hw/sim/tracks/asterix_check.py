"""A digest of how libasterix (compiled or pure, `hw.sim.tracks.asterix_lib`) reads a fixed set
of datagrams, for `hw.sim.tracks.asterix_compile` to compare the two.

``python -m hw.sim.tracks.asterix_check`` prints ``KIND SHA256 reader-KIND`` (libasterix's
parser, then the project's reader of the items used, each ``compiled`` or ``pure``): the
datagrams are encoded here with the library (CAT062 with WGS-84 and Cartesian positions,
measured and geometric altitude, coasted and terminated tracks; CAT021 in the air and on the
ground), then decoded whole, cut short at every length, and mixed with seeded random bytes; the
digest covers every report and every error message.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from hw.sim.tracks.asterix import decode
from hw.sim.tracks.asterix_encode import cat021_record, cat062_record, datagrams
from hw.sim.tracks.asterix_lib import KIND, READER_KIND


def sample() -> list[bytes]:
    """The datagrams read."""
    rng = random.Random(17)
    r062, r021 = [], []
    for k in range(40):
        track: dict[str, Any] = {"lat": rng.uniform(-80, 80), "lon": rng.uniform(-179, 179),
                 "alt_ft": rng.uniform(0, 45_000), "vn": rng.uniform(-300, 300),
                 "ve": rng.uniform(-300, 300), "vu": rng.uniform(-30, 30),
                 "callsign": f"T{k:04d}"}  # fmt: skip
        r062.append(cat062_record(
            track_number=k, address=rng.randrange(1 << 24) if k % 3 else None,
            coasted=k % 5 == 1, terminated=k % 7 == 2, geometric=k % 4 == 3,
            cartesian=(rng.uniform(-2e5, 2e5), rng.uniform(-2e5, 2e5)) if k % 6 == 5 else None,
            **track))  # fmt: skip
        r021.append(cat021_record(address=rng.randrange(1 << 24), on_ground=k % 9 == 4, **track))
    grams = datagrams(r062, 62, max_bytes=600) + datagrams(r021, 21, max_bytes=600)
    hostile = [g[:n] for g in grams[:2] for n in range(len(g))]
    hostile += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) for _ in range(200)]
    hostile += [bytes([62]) + g[1:] for g in grams if g[0] == 21]  # wrong category
    return grams + hostile


def digest() -> str:
    h = hashlib.sha256()
    for data in sample():
        decoded = decode(data, (62, 21), ref=(50.0, 4.0))
        h.update(repr((decoded.reports, decoded.records, decoded.errors, decoded.other_category,
                       decoded.no_position)).encode())  # fmt: skip
    return h.hexdigest()


if __name__ == "__main__":
    print(KIND, digest(), f"reader-{READER_KIND}")
