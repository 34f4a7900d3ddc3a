"""Property tests: whatever the file holds, load_config returns a Config that keeps every rule, or
raises ConfigError with one line per issue; nothing else escapes."""

from __future__ import annotations

import dataclasses
import math
import os.path
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terminal.config import Config, ConfigError, load_config
from terminal.config.cross import PIN_KEYS
from terminal.config.loader import SECTIONS, keys_of
from terminal.config.rules import rule_for

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

SCALARS = st.one_of(
    st.booleans(),
    st.integers(-10, 70),
    st.sampled_from([5, 17, 22, 23, 24, 27, 16000, 115200]),
    st.integers(),
    st.sampled_from([0.0, 0.05, 0.5, 1.0, 1.5, 3.5, 10.0, 1e400, -1e400]),
    st.floats(allow_nan=True),
    st.sampled_from(
        ['"sim://bridge"', '"/dev/ttyUSB0"', '"/dev/ttyAMA0"', '"0660"', '"mock"', '""']
    ),
    st.sampled_from(['"\\ud800"', '"/run/\\u0000"', '"\\u2028"', '"' + "x" * 120 + '"']),
    st.text(st.characters(blacklist_categories=["Cc", "Cs"]), max_size=12).map(
        lambda s: '"' + s.replace("\\", "/").replace('"', "'") + '"'
    ),
)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    return str(value)


KEY_NAMES = sorted({key for section in SECTIONS for key in keys_of(section)} | {"enabled", "x"})
VALUES = st.one_of(
    SCALARS.map(toml_value),
    st.lists(SCALARS, max_size=3).map(lambda vs: f"[{', '.join(toml_value(v) for v in vs)}]"),
)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, dict[str, str]]:
    """Sections with mostly their own keys (now and then a stranger), values near the limits."""
    document: dict[str, dict[str, str]] = {}
    for section in draw(st.lists(st.sampled_from([*SECTIONS, "gpoi"]), max_size=6, unique=True)):
        own = keys_of(section) if section in SECTIONS else KEY_NAMES
        names = st.one_of(*[st.sampled_from(own)] * 4, st.sampled_from(KEY_NAMES))
        document[section] = draw(st.dictionaries(names, VALUES, max_size=8))
    return document


def render(document: dict[str, dict[str, str]]) -> str:
    return "\n".join(
        f"[{section}]\n" + "".join(f"{key} = {value}\n" for key, value in table.items())
        for section, table in document.items()
    )


@st.composite
def tomlish(draw: st.DrawFn) -> str:
    """A well-formed document of known and unknown keys, now and then with a garbage line."""
    lines = render(draw(documents())).split("\n")
    if draw(st.integers(0, 4)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), draw(st.text(max_size=20)))
    return "\n".join(lines)


def load(path: Path, data: bytes) -> Config | ConfigError:
    path.write_bytes(data)
    try:
        return load_config(path)
    except ConfigError as err:
        lines = str(err).splitlines()
        assert len(lines) == len(err.issues) >= 1
        assert all(line.startswith(f"{path}") for line in lines)
        return err


def assert_keeps_every_rule(config: Config) -> None:
    for section in SECTIONS:
        values = getattr(config, section)
        for field in dataclasses.fields(values):
            rule_for(type(values), field.name).check(getattr(values, field.name))
    pins = [getattr(config.gpio, key) for key in PIN_KEYS]
    assert len(set(pins)) == len(pins)
    for link in (config.radio, config.coproc):
        assert link.link_timeout_s > 2 * link.heartbeat_s
        assert link.reopen_max_s >= link.reopen_min_s
    assert config.radio.enabled
    if config.coproc.enabled:
        assert os.path.normpath(config.radio.port) != os.path.normpath(config.coproc.port)
    assert 0 <= config.ptt.tx_warning_s < config.ptt.tx_timeout_s
    assert config.ptt.bridge_keepalive_timeout_s >= 2 * config.ptt.keepalive_s
    assert config.log.directory.is_absolute()


@FUZZ
@given(text=tomlish())
def test_tomlish_text_gives_a_valid_config_or_a_config_error(tmp_path: Path, text: str) -> None:
    result = load(tmp_path / "fuzz.toml", text.encode("utf-8", "surrogatepass"))
    if isinstance(result, Config):
        assert_keeps_every_rule(result)


@FUZZ
@given(text=st.text())
def test_any_text_gives_a_config_or_a_config_error(tmp_path: Path, text: str) -> None:
    load(tmp_path / "fuzz.toml", text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(data=st.binary())
def test_any_bytes_give_a_config_or_a_config_error(tmp_path: Path, data: bytes) -> None:
    load(tmp_path / "fuzz.toml", data)


def some(*values: object) -> st.SearchStrategy[object]:
    return st.sampled_from(values)


LINK_TIMERS = {
    "heartbeat_s": some(0.1, 0.5, 1, 2.5, 5, 10),
    "link_timeout_s": some(0.2, 1, 2, 3.5, 10, 60),
    "reopen_min_s": some(0.1, 0.5, 5, 60),
    "reopen_max_s": some(0.1, 0.5, 10, 60),
}
Group = dict[str, dict[str, st.SearchStrategy[object]]]
GROUPS: dict[str, Group] = {
    "pins": {"gpio": {key: st.integers(2, 27) for key in PIN_KEYS}},
    "link timers": {"radio": LINK_TIMERS, "coproc": LINK_TIMERS},
    "ports": {
        "radio": {"port": some('"sim://bridge"', '"/dev/ttyUSB0"', '"/dev/ttyAMA0"')},
        "coproc": {
            "port": some('"sim://coproc"', '"/dev/ttyAMA0"', '"/dev//ttyUSB0"'),
            "enabled": st.booleans(),
        },
    },
    "ptt timers": {
        "ptt": {
            "tx_timeout_s": some(5, 10, 60),
            "tx_warning_s": some(0, 5, 10, 59.5, 60),
            "keepalive_s": some(0.05, 0.5, 1, 5),
            "bridge_keepalive_timeout_s": some(0.1, 1, 1.5, 10),
        }
    },
}


@st.composite
def crowded(draw: st.DrawFn, group: Group) -> str:
    """Keys that a rule between keys looks at, each valid alone, often clashing together."""
    document = {
        section: {
            key: toml_value(draw(values)) for key, values in keys.items() if draw(st.booleans())
        }
        for section, keys in group.items()
    }
    return render(document)


@pytest.mark.parametrize("group", GROUPS)
@FUZZ
@given(data=st.data())
def test_rules_between_keys_hold_in_every_config_loaded(
    tmp_path: Path, group: str, data: st.DataObject
) -> None:
    text = data.draw(crowded(GROUPS[group]))
    result = load(tmp_path / "fuzz.toml", text.encode())
    if isinstance(result, Config):
        assert_keeps_every_rule(result)
