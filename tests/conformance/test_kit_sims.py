"""The conformance kit against the project's simulators over real pseudo-terminals: a faithful
simulator passes every clause; each deliberate fault (hw/sim/faults.py) fails exactly its clause.

The runs of one device go concurrently on one loop (each on its own pty), so the whole matrix takes
about as long as one run."""

from __future__ import annotations

import asyncio

import pytest
from kit_helpers import bridge, coproc, failed, run_kit, verdicts

from hw.sim.faults import FAULTS
from terminal.conformance.checks import clauses
from terminal.conformance.report import passed


def _matrix(device: str) -> list[str]:
    make = bridge if device == "bridge" else coproc
    names = [n for n, f in FAULTS.items() if device in f.devices]

    async def all_runs() -> list[tuple[str | None, dict[str, str], dict[str, str]]]:
        async def one(name: str | None) -> tuple[str | None, dict[str, str], dict[str, str]]:
            results = await run_kit(device, make([name] if name else []))
            return name, verdicts(results), failed(results)

        return await asyncio.gather(*(one(n) for n in [None, *names]))

    problems = []
    for name, got, fails in asyncio.run(all_runs()):
        assert set(got) == {c.clause for c in clauses(device)}, "every clause reported"
        skipped = sorted(c for c, v in got.items() if v == "skip")
        if name is None:
            if fails or skipped:
                problems.append(f"faithful {device}: failed {fails}, skipped {skipped}")
            continue
        want = FAULTS[name].clause
        if set(fails) != {want} or skipped:
            problems.append(f"fault {name}: want only {want} failed, got failed {fails}, "
                            f"skipped {skipped}")  # fmt: skip
    return problems


@pytest.mark.parametrize("device", ["bridge", "coproc"])
def test_the_simulator_passes_and_each_fault_fails_exactly_its_clause(device: str) -> None:
    problems = _matrix(device)
    assert not problems, "\n".join(problems)


def test_every_fault_of_a_device_is_checked() -> None:
    for device in ("bridge", "coproc"):
        kit = {c.clause for c in clauses(device)}
        for f in FAULTS.values():
            if device in f.devices:
                assert f.clause in kit, (device, f.name)


def test_without_a_person_the_interactive_clauses_are_skipped_never_passed() -> None:
    only = ("2.3.1", "6.7", "6.8", "4.1.3", "4.5.7")
    results = asyncio.run(run_kit("bridge", bridge(), interactive=False, only=only))
    got = verdicts(results)
    assert got == {"2.3.1": "pass", "6.7": "skip", "6.8": "skip", "4.1.3": "skip",
                   "4.5.7": "skip"}  # fmt: skip
    assert all("--interactive" in r.detail for r in results if r.result == "skip")
    assert passed(results), "skips do not fail a run ..."
    assert not passed([r for r in results if r.result == "skip"]), "... nor make it pass"
