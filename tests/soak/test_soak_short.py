"""A short soak in the suite: the real service under 10 calls, 1,000 alerts and 3 cable pulls.

The same checks as `make soak` (bench/soak.py) with looser limits: memory, descriptors and
threads flat after warm-up, `hotline log verify` passes, every call and every delivered alert is
in the log.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from bench.soak import soak
from bench.soaking.month import Plan
from bench.soaking.probe import Limits, Sample

pytestmark = pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="needs /dev/shm (Linux)")


@pytest.mark.timeout(240)
def test_short_soak_is_flat_and_loses_nothing() -> None:
    # 1,000 alerts, not 2,000: each ALERT is ACKed once its record is committed, about 50 a
    # second on this machine, and the test should stay near half a minute.
    work = Path(tempfile.mkdtemp(prefix="hotline-soak-test-", dir="/dev/shm"))
    try:
        result = soak(Plan(calls=10, alerts=1000, drops=3), Limits(rss_mib=16.0), work=work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert not result.problems, "\n".join(result.problems)
    tally = result.tally
    assert tally.drops == 3 and tally.reboots == 2
    assert sum(tally.outcomes.values()) == 10
    assert {s.label for s in tally.samples} >= {"start", "warm", "end"}


def test_limits_flag_growth_of_each_resource() -> None:
    warm = Sample("warm", 60_000, 20, 6)
    assert Limits().problems(warm, Sample("end", 66_000, 20, 6)) == []
    grown = Limits().problems(warm, Sample("end", 80_000, 21, 7))
    assert len(grown) == 3 and "RSS grew" in grown[0]
