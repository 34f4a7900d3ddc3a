"""Config-loader fuzzing: structurally valid TOML with every TOML type in the real keys' places.

tests/config/test_config_fuzz.py already feeds random text, random bytes and scalars near the
limits. What is added here: every TOML value type (date-times, dates, times, inline tables, arrays
of tables, nested arrays, sub-tables, quoted and dotted keys, multi-line and literal strings) in
the real sections' keys, and the promise about where an issue is: each ConfigError line names the
file, and for a document that parses, a line number or a key.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from bench.fuzzing import Target
from terminal.config import Config, ConfigError, load_config
from terminal.config.loader import SECTIONS, keys_of

KEYS = sorted({k for s in SECTIONS for k in keys_of(s)} | {"enabled", "ptt pin", "é", "a.b"})

scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.datetimes(timezones=st.one_of(st.none(), st.just(dt.UTC))),
    st.dates(),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)
    ),
    max_leaves=6,
)


def _key(key: str) -> str:
    if key.replace("_", "").replace("-", "").isalnum() and key.isascii():
        return key
    return _string(key)


def _string(text: str) -> str:
    out = []
    for c in text:
        if c in '"\\' or ord(c) < 0x20 or ord(c) == 0x7F or 0xD800 <= ord(c) <= 0xDFFF:
            out.append(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def toml_value(value: Any, style: int = 0) -> str:
    """A value in TOML syntax (inline form); `style` picks among the string spellings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str):
        if style == 1 and "'" not in value and value.isprintable():
            return f"'{value}'"
        if style == 2 and '"' not in value and "\\" not in value and value.isprintable():
            return f'"""\n{value}"""'
        return _string(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML for {value!r}")


@st.composite
def toml_documents(draw: st.DrawFn) -> str:
    """Real sections with real keys (and some others), values of any TOML type and shape."""
    lines: list[str] = []
    sections = draw(st.lists(st.sampled_from([*SECTIONS, "gpoi", "radio.extra"]), max_size=6,
                             unique=True))  # fmt: skip
    if draw(st.booleans()):
        lines.append(f"{draw(st.sampled_from(KEYS))} = {toml_value(draw(values))}")
    for section in sections:
        array = draw(st.integers(0, 9)) == 0
        lines.append(f"[[{section}]]" if array else f"[{section}]")
        own = keys_of(section) if section in SECTIONS else KEYS
        names = st.one_of(st.sampled_from(own), st.sampled_from(own), st.sampled_from(KEYS))
        for key, value in draw(st.dictionaries(names, values, max_size=6)).items():
            lines.append(f"{_key(key)} = {toml_value(value, draw(st.integers(0, 2)))}")
    return "\n".join(lines) + "\n"


def check_config_text(text: str) -> None:
    """load_config gives a Config, or a ConfigError whose every line names the file and, for a
    document that parses, the line or the key of the issue; nothing else escapes."""
    import tomllib

    with tempfile.TemporaryDirectory(prefix="hotline-fuzz-") as tmp:
        path = Path(tmp) / "desk.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            config = load_config(path)
        except ConfigError as err:
            assert err.issues, "ConfigError without an issue"
            lines = str(err).splitlines()
            assert len(lines) == len(err.issues), "an issue spans lines or is missing"
            assert all(line.startswith(str(path)) for line in lines), "an issue lacks the file"
            try:
                tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                return
            for issue in err.issues:
                assert issue.line is not None or issue.key, f"issue with no line or key: {issue}"
                assert issue.problem, f"issue without a problem: {issue}"
            return
    assert isinstance(config, Config)
    assert config.log.directory.is_absolute()


TARGETS = [Target("config_typed_toml", toml_documents(), check_config_text)]
