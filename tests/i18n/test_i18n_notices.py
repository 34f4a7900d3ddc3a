"""Notices and faults are translated where they are shown, from templates
(terminal/i18n/notices.py): each notice the code words has one, values are carried over, and a
line no template knows is shown in English rather than lost."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from terminal import i18n
from terminal.i18n.notices import TEMPLATES, translate_notice

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((ROOT / "terminal" / "core").glob("*.py")),
    ROOT / "terminal" / "engine.py",
    ROOT / "terminal" / "desk.py",
    ROOT / "terminal" / "service.py",
    *sorted((ROOT / "terminal" / "attach").glob("*.py")),
    ROOT / "hw" / "radio.py",
    ROOT / "hw" / "coproc.py",
    ROOT / "hw" / "link.py",
]
CALLS = {"Notice": 1, "notice": 1, "_notice": 1, "_local_notice": 1, "_on_notice": 1,
         "Refused": 0, "_set_up": 1}  # fmt: skip
"""Calls that word a notice or a fault, and which argument is the text."""
FILLS = ("7", "x", "RADAR1", ": x", " (x)")
WORDED_BY_PARTS = {"terminal/core/alerts.py": {"7 (raised) 7", "7 7"}}
"""f-strings of values only, each a phrase worded elsewhere (the alert's severity and its
description): the templates of the whole line are checked with real lines below."""


@pytest.fixture(autouse=True)
def russian() -> Iterator[None]:
    i18n.use("ru")
    yield
    i18n.use("en")


def _samples(node: ast.expr) -> list[str] | None:
    """The text as it could be written (each value filled a few ways); None for a text that is
    not written here (a variable, or values only)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if node.value else None
    if isinstance(node, ast.JoinedStr):
        fixed = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        if sum(c.isalpha() for c in fixed) < 4:
            return None
        return [
            "".join(v.value if isinstance(v, ast.Constant) else fill for v in node.values)
            for fill in FILLS
        ]
    return None


def worded() -> Iterator[tuple[str, int, list[str]]]:
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in CALLS or len(node.args) <= CALLS[name]:
                continue
            samples = _samples(node.args[CALLS[name]])
            if samples:
                yield str(path.relative_to(ROOT)), node.lineno, samples


def test_every_notice_the_code_words_has_a_template() -> None:
    found = list(worded())
    assert len(found) > 60
    untranslated = [
        f"{where}:{line}: {samples[0]!r}"
        for where, line, samples in found
        if all(translate_notice(s) == s for s in samples)
        and samples[0] not in WORDED_BY_PARTS.get(where, set())
    ]
    assert not untranslated, "add these to terminal/i18n/notices.py:\n" + "\n".join(untranslated)


def test_a_template_carries_its_values_over() -> None:
    assert translate_notice("Missed call 12: not answered in time.") == (
        "Пропущен вызов 12: нет ответа вовремя."
    )
    assert translate_notice("PTT does not key: no call.") == "PTT не включает передачу: нет вызова."
    assert translate_notice("clock: the system clock is not synchronised (kernel STA_UNSYNC)") == (
        "часы: системные часы не синхронизированы (ядро: STA_UNSYNC)"
    )
    text = "CRITICAL RAF21 and GAF43: 1900 m, 300 ft apart; CPA in 42 s, miss 150 m."
    assert translate_notice(text) == (
        "КРИТИЧ RAF21 и GAF43: 1900 m, 300 ft; CPA через 42 s, промах 150 m."
    )
    raised = "WARNING (raised) RAF09 and the line: 2400 m, 0 ft apart; CPA in 210 s, miss 90 m."
    assert translate_notice(raised) == (
        "ПРЕДУПР (повышена) RAF09 и линия: 2400 m, 0 ft; CPA через 210 s, промах 90 m."
    )
    assert translate_notice("Co-processor 3a: alerts 4 to 9 never arrived.") == (
        "Сопроцессор 3a: не получены: тревоги с 4 по 9."
    )


def test_a_line_no_template_knows_is_shown_as_it_is() -> None:
    assert translate_notice("something new happened") == "something new happened"
    assert translate_notice("") == ""


def test_english_is_never_touched() -> None:
    i18n.use("en")
    assert translate_notice("Missed call 12: not answered in time.") == (
        "Missed call 12: not answered in time."
    )


def test_every_template_is_in_the_catalogue() -> None:
    same = {t for t in TEMPLATES if i18n._(t) == t}
    assert same == {"{source}: {text}", "gpio"}  # the same words in Russian


def _errors(name: str, points: str, effective: str) -> list[str]:
    """What the core says is wrong with a line as typed (terminal/core/lines.py)."""
    from terminal.core.lines import LineHistory, PointsError, new_version

    with pytest.raises(PointsError) as refused:
        new_version(LineHistory(), name, points, effective, entered_by=None, call_id=None,
                    now_ms=0)  # fmt: skip
    return list(refused.value.errors)


def test_every_error_of_a_line_as_typed_is_translated() -> None:
    """The core's words for a bad line (each point, the count, the name, the time) are shown
    translated: made by the core itself, so new wording there fails here."""
    errors = [
        *_errors("", "51.5,-0.2; 51.5; 95,0; 1,200", "25:00"),
        *_errors("DL", "1,1", "2026-13-99T"),
        *_errors("DL", "1,1; 1,1", "now"),
        *_errors("DL", "; ".join(f"{k},1" for k in range(20)), "now"),
    ]
    assert len(errors) == 9
    for error in errors:
        said = translate_notice(error)
        assert said != error and any("а" <= c <= "я" for c in said), error
    joined = "Line not entered: " + "; ".join(errors[:3])
    assert translate_notice(joined) == (
        "Линия не введена: имя '': от 1 до 16 знаков из A-Z a-z 0-9 _ -; "
        "точка 2 ('51.5'): пишите шир,долг в десятичных градусах; "
        "точка 3 (95,0): широта 95 вне -90..90"
    )
    # a list with one line no template knows stays whole, in English
    assert translate_notice("Line not entered: " + errors[0] + "; new words") == (
        "Линия не введена: " + errors[0] + "; new words"
    )


def test_the_coprocessors_side_of_the_line_is_translated() -> None:
    from terminal.core.lines import CoprocLine, LineView

    sides = {
        CoprocLine(refused=True): "сопр.: нет LINE",
        CoprocLine(in_use=3): "✓",
        CoprocLine(in_use=0): "сопр. своя",
        CoprocLine(): "сопр. ?",
        CoprocLine(in_use=2, sending=True): "сопр. v2, передача",
    }
    for coproc, said in sides.items():
        assert translate_notice(LineView(version=3, name="DL", coproc=coproc).coproc_text()) == said


def test_line_notices_carry_their_values_and_keep_names() -> None:
    entered = "Line v4 DL2 entered (call 12), in force from 2026-12-07T21:30:00Z."
    assert translate_notice(entered) == (
        "Линия v4 DL2 введена (вызов 12); начало: 2026-12-07T21:30:00Z."
    )
    assert translate_notice("Line v1 own entered, in force from now.") == (
        "Линия v1 own введена; начало: сейчас."  # a name is never translated
    )
    # hw/coproc.py words LINEUSE's notice in parts (not found by the scan above)
    assert translate_notice("Line v2 DL in use by the co-processor.") == (
        "Сопроцессор работает по линии v2 DL."
    )
    assert translate_notice("Line v0 DL in use by the co-processor (its own).") == (
        "Сопроцессор работает по линии v0 DL (своей)."
    )
    assert translate_notice("No line in use by the co-processor.") == (
        "Сопроцессор не работает ни по какой линии."
    )
