"""Backends chosen the ecosystem's way: gpiozero's "auto" (GPIOZERO_PIN_FACTORY), and any serial
URL scheme pyserial has a handler for, including one registered the pyserial way."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import serial
from gpiozero.pins.mock import MockFactory

from hw.gpio import PinFactoryError, close_factory, make_pin_factory
from terminal.config import ConfigError, load_config


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hotline.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_auto_is_the_factory_gpiozero_pin_factory_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    factory = make_pin_factory("auto")
    try:
        assert isinstance(factory, MockFactory)
    finally:
        close_factory(factory)


def test_auto_with_a_factory_that_cannot_start_says_which(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "no-such-factory")
    with pytest.raises(PinFactoryError, match="GPIOZERO_PIN_FACTORY='no-such-factory'"):
        make_pin_factory("auto")


def test_auto_is_a_valid_setting(tmp_path: Path) -> None:
    cfg = load_config(config(tmp_path, '[gpio]\npin_factory = "auto"\n'))
    assert cfg.gpio.pin_factory == "auto"


def test_a_scheme_pyserial_knows_is_taken_an_unknown_one_refused(tmp_path: Path) -> None:
    cfg = load_config(config(tmp_path, '[radio]\nport = "spy://loop://"\n'))
    assert cfg.radio.port == "spy://loop://"
    with pytest.raises(ConfigError, match=r"radio.port: \"bogus://x\" has a URL scheme pyserial"):
        load_config(config(tmp_path, '[radio]\nport = "bogus://x"\n'))


def test_a_handler_registered_the_pyserial_way_is_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site's own transport: a package holding `protocol_<scheme>.py`, appended to
    serial.protocol_handler_packages, as pyserial documents; the config takes its URL."""
    package = tmp_path / "site_serial"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "protocol_radiohub.py").write_text(
        "from serial.urlhandler import protocol_loop\n\n"
        "class Serial(protocol_loop.Serial):\n"
        "    def from_url(self, url):\n"
        "        return None  # a loop-back under another name: nothing to parse\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(serial, "protocol_handler_packages",
                        [*serial.protocol_handler_packages, "site_serial"])  # fmt: skip
    cfg = load_config(config(tmp_path, '[radio]\nport = "radiohub://desk-1"\n'))
    assert cfg.radio.port == "radiohub://desk-1"
    port = serial.serial_for_url("radiohub://", timeout=0)  # pyserial itself opens it
    try:
        port.write(b"$HELLO\r\n")
        assert port.read(8) == b"$HELLO\r\n"
    finally:
        port.close()
    sys.modules.pop("site_serial.protocol_radiohub", None)
    sys.modules.pop("site_serial", None)
