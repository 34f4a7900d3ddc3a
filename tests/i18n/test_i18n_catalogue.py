"""The Russian catalogue is whole and current: every string the code marks (_ and N_, found the
way `make i18n` finds them, with babel.cfg) has a Russian translation, none is fuzzy or left
over, the placeholders agree, and the committed .mo is exactly what the .po compiles to — so a
new untranslated string, a stale or a missing .mo fails here."""

from __future__ import annotations

import gettext
import io
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from terminal import i18n

ROOT = Path(__file__).resolve().parents[2]
PO = i18n.LOCALE_DIR / "ru" / "LC_MESSAGES" / "hotline.po"
MO = PO.with_suffix(".mo")
FIELD = re.compile(r"\{(\w*)[^{}]*\}")


def marked() -> set[str]:
    """Every msgid the code marks, extracted as `make i18n` does."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "N_": None}
    found = extract_from_dir(str(ROOT / "terminal"), method_map, options_map, keywords=keywords)
    return {message for _file, _line, message, _comments, _context in found}


def catalogue():
    with PO.open("rb") as f:
        return read_po(f, locale="ru")


def test_the_catalogue_is_a_valid_po_of_russian() -> None:
    cat = catalogue()
    assert str(cat.locale) == "ru"
    assert cat.plural_forms.startswith("nplurals=3;")
    assert len(list(cat)) > 250


def test_every_marked_string_has_a_russian_translation() -> None:
    cat = catalogue()
    ids = marked()
    assert len(ids) > 250  # the extraction found the code's strings at all
    missing = sorted(i for i in ids if i not in cat or not cat[i].string)
    fuzzy = sorted(i for i in ids if i in cat and cat[i].fuzzy)
    assert not missing, f"untranslated (run `make i18n`, translate, `make i18n-compile`): {missing}"
    assert not fuzzy, f"fuzzy translations: {fuzzy}"


def test_the_catalogue_has_nothing_the_code_no_longer_marks() -> None:
    ids = marked()
    extra = sorted(m.id for m in catalogue() if m.id and m.id not in ids)
    assert not extra, f"in the .po but not in the code (run `make i18n`): {extra}"
    assert not catalogue().obsolete


def test_placeholders_agree_between_english_and_russian() -> None:
    for message in catalogue():
        if message.id:
            assert set(FIELD.findall(message.id)) == set(FIELD.findall(message.string)), message.id


def test_the_committed_mo_is_the_compiled_po() -> None:
    assert MO.exists(), "no compiled catalogue: run `make i18n-compile` and commit the .mo"
    compiled = io.BytesIO()
    write_mo(compiled, catalogue())
    assert MO.read_bytes() == compiled.getvalue(), "stale .mo: run `make i18n-compile`"


def test_the_standard_library_reads_the_mo() -> None:
    ru = gettext.translation(i18n.DOMAIN, localedir=str(i18n.LOCALE_DIR), languages=["ru"])
    assert ru.gettext("Answer") == "Ответ"
    assert ru.gettext("Hang up") == "Отбой"


def test_the_desk_needs_no_babel_at_run_time() -> None:
    code = (
        "import sys; import terminal.i18n as i, terminal.i18n.notices; i.use('ru');"
        "print(i._('Answer'), 'babel' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    assert out.split() == ["Ответ", "False"]


def test_the_catalogue_ships_with_the_package() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"i18n/locale/*/LC_MESSAGES/*.mo"' in text
    assert MO.relative_to(ROOT / "terminal").match("i18n/locale/*/LC_MESSAGES/*.mo")


def test_no_marked_string_hides_inside_an_f_string() -> None:
    """Babel does not read inside f-strings (on Python 3.11): a `_("...")` there would never
    reach the catalogue, and the screen would stay English without any test noticing."""
    import ast

    hidden = []
    for path in sorted((ROOT / "terminal").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and getattr(call.func, "id", None) in ("_", "N_")
                    and any(isinstance(a, ast.Constant) for a in call.args)
                ):
                    hidden.append(f"{path.relative_to(ROOT)}:{call.lineno}: {ast.unparse(call)}")
    assert not hidden, hidden
