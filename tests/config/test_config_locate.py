"""KeyLocator: the line of a dotted key in TOML text, best effort."""

from __future__ import annotations

from terminal.config.locate import KeyLocator

TEXT = """\
# a comment with gpio.ptt_pin = 1 in it
top = 1
[gpio]
ptt_pin = 17
"tx_led_pin" = 23
leds.ring = 22
notes = '''
fake = 1
[fake]
'''
after = 2

[[ radio ]]  # with a comment
port = "/dev/ttyUSB0"
inline = { a = 1 }
"""


def test_keys_under_headers_quoted_and_dotted() -> None:
    locator = KeyLocator(TEXT)
    assert locator.line("top") == 2
    assert locator.line("gpio") == 3
    assert locator.line("gpio.ptt_pin") == 4
    assert locator.line("gpio.tx_led_pin") == 5
    assert locator.line("gpio.leds.ring") == 6
    assert locator.line("radio") == 13
    assert locator.line("radio.port") == 14


def test_multi_line_strings_are_skipped() -> None:
    locator = KeyLocator(TEXT)
    assert locator.line("gpio.fake") == 3  # falls back to [gpio]
    assert locator.line("fake") is None
    assert locator.line("gpio.after") == 11


def test_an_unknown_key_falls_back_to_its_table_or_none() -> None:
    locator = KeyLocator(TEXT)
    assert locator.line("radio.inline.a") == 15
    assert locator.line("gpio.nothing") == 3
    assert locator.line("audio.ring_volume") is None


def test_the_first_key_set_twice_is_noted() -> None:
    assert KeyLocator(TEXT).duplicate is None
    assert KeyLocator("[a]\nx = 1\ny = 2\nx = 3\ny = 4\n").duplicate == ("a.x", 4)


def test_crlf_and_unicode_line_separators_do_not_shift_lines() -> None:
    locator = KeyLocator('[a]\r\nnote = "x\u2028y"\r\nkey = 1\r\n')
    assert locator.line("a.key") == 3
