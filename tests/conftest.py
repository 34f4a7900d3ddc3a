"""Settings for the whole suite.

Hypothesis's per-example deadline is a timing assertion, and speed is measured in benchmarks
(bench/), not in tests: on a loaded machine (CI, two cores shared with a VM) a 200 ms deadline
failed examples that take 0.1 ms when the machine is quiet. Examples still run to completion
and every property is still checked."""

import pytest
from hypothesis import settings

settings.register_profile("hotline", deadline=None)
settings.load_profile("hotline")


@pytest.fixture(autouse=True)
def _english_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in English, whatever the machine's locale or an earlier test chose
    (the desk's language is process-wide, and `hotline` takes it from the locale: terminal/i18n).
    A test of Russian sets it itself."""
    from terminal import i18n

    monkeypatch.setenv("LANGUAGE", "en")
    i18n.use("en")
