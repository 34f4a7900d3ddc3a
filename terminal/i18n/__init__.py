"""The desk's two languages: English (the source text) and Russian (a gettext catalogue).

Only the standard library's `gettext` is used at run time; Babel extracts and compiles the
catalogue at development time (docs/console.md, "Languages"). What is shown to a person is
translated at the edge (console, notices, report, CLI); records written to the log keep their
neutral English and machine words: the record is evidence, not interface.

    from terminal.i18n import _, N_
    _("Answer")          # translated now, in the language in use
    N_("Answer")         # marked for the catalogue, translated later with _()
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "hotline"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "ru")
"""The languages a desk can be worked in; English is the source text."""
DEFAULT_LANGUAGE = "en"
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
"""Looked at in this order, as gettext does: the first one set decides."""

_active: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT_LANGUAGE


def _(message: str) -> str:
    """`message` in the language in use (itself when untranslated or in English)."""
    return _active.gettext(message) if message else message  # gettext("") is the header


def N_(message: str) -> str:
    """Mark `message` for the catalogue without translating it yet (tables built at import)."""
    return message


def language() -> str:
    """The language in use: "en" or "ru"."""
    return _language


def from_locale(environ: Mapping[str, str] | None = None) -> str:
    """The language the locale asks for (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, the first set;
    LANGUAGE may list several, `ru:en`), when it is one of ours; else English."""
    env = os.environ if environ is None else environ
    for variable in LOCALE_VARIABLES:
        value = env.get(variable, "")
        if not value:
            continue
        for entry in value.split(":"):
            code = entry.split(".")[0].split("@")[0].split("_")[0].lower()
            if code in LANGUAGES:
                return code
        return DEFAULT_LANGUAGE  # the first locale set decides ("C", "de_DE": English)
    return DEFAULT_LANGUAGE


def resolve(configured: str, environ: Mapping[str, str] | None = None) -> str:
    """The language to use: `[desk] language` when set, else the locale's."""
    return configured if configured in LANGUAGES else from_locale(environ)


def translation(lang: str) -> gettext.NullTranslations:
    """The catalogue of `lang`; English is the source text itself. A missing catalogue of a
    language we ship is an installation fault and raises (FileNotFoundError)."""
    if lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[lang])


def use(lang: str) -> None:
    """Work in `lang` from now on ("en" or "ru"; anything else: English)."""
    global _active, _language
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    _active, _language = translation(lang), lang


def use_configured(configured: str, environ: Mapping[str, str] | None = None) -> str:
    """Use `[desk] language` (or the locale's when it is ""); the language chosen."""
    lang = resolve(configured, environ)
    use(lang)
    return lang
