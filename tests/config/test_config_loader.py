"""load_config: what it accepts, what it converts, and how it reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from terminal.cli import EX_CONFIG, EX_OK, main
from terminal.config import Config, ConfigError, ConfigIssue, load_config


def write(tmp_path: Path, text: str, name: str = "desk.toml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def issues(path: Path) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.issues


def test_an_empty_file_is_all_defaults(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")) == Config()


def test_a_string_path_is_accepted_too(tmp_path: Path) -> None:
    assert load_config(str(write(tmp_path, "[desk]\nid = 'D2'\n"))).desk.id == "D2"


def test_an_issue_names_file_line_key_given_and_allowed(tmp_path: Path) -> None:
    path = write(tmp_path, "# desk\n\n[gpio]\nptt_pin = 40\n")
    (issue,) = issues(path)
    assert issue == ConfigIssue(
        file=str(path),
        line=4,
        key="gpio.ptt_pin",
        given="40",
        problem="is not a GPIO pin on the 40-pin header",
        allowed="2..27",
    )
    assert str(issue) == (
        f"{path}:4: gpio.ptt_pin: 40 is not a GPIO pin on the 40-pin header (allowed: 2..27)"
    )


def test_issues_come_in_file_order_whatever_the_section_order(tmp_path: Path) -> None:
    text = "[service]\nsocket_group = ''\n[desk]\nsite = ''\n[audio]\nring_volume = 2\n"
    found = issues(write(tmp_path, text))
    assert [(i.line, i.key) for i in found] == [
        (2, "service.socket_group"),
        (4, "desk.site"),
        (6, "audio.ring_volume"),
    ]


def test_an_integer_is_accepted_where_a_float_is_expected(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[radio]\nheartbeat_s = 1\nlink_timeout_s = 3\n"))
    assert config.radio.link_timeout_s == 3.0
    assert isinstance(config.radio.link_timeout_s, float)


def test_a_boolean_is_not_a_number(tmp_path: Path) -> None:
    (issue,) = issues(write(tmp_path, "[audio]\nring_volume = true\n"))
    assert (issue.key, issue.problem) == ("audio.ring_volume", "is a boolean, not a number")


def test_a_huge_integer_for_a_float_is_out_of_range_not_a_crash(tmp_path: Path) -> None:
    (issue,) = issues(write(tmp_path, f"[audio]\nring_volume = {10**400}\n"))
    assert issue.problem == "is out of range"


def test_relative_paths_are_resolved_against_the_config_files_directory(tmp_path: Path) -> None:
    text = '[log]\ndirectory = "../records"\n[service]\nsocket = "run/ctl.sock"\n'
    config = load_config(write(tmp_path, text, "etc/desk.toml"))
    assert config.log.directory == tmp_path / "records"
    assert config.service.socket == tmp_path / "etc" / "run" / "ctl.sock"


@pytest.mark.parametrize(
    ("spelled", "mode"), [('"0660"', 0o660), ('"640"', 0o640), ("0o600", 0o600), ("432", 432)]
)
def test_socket_mode_is_an_integer_or_an_octal_string(
    tmp_path: Path, spelled: str, mode: int
) -> None:
    config = load_config(write(tmp_path, f"[service]\nsocket_mode = {spelled}\n"))
    assert config.service.socket_mode == mode


@pytest.mark.parametrize("device", ["3", '"USB Audio Device"', "0"])
def test_an_audio_device_is_a_name_or_an_index(tmp_path: Path, device: str) -> None:
    config = load_config(write(tmp_path, f"[audio]\noutput_device = {device}\n"))
    assert str(config.audio.output_device) == device.strip('"')


@pytest.mark.parametrize(
    "port",
    [
        "sim://bridge",
        "sim://coproc?scenario=burst&time_scale=4",
        "/dev/ttyUSB1",
        "/dev/serial/by-id/usb-FTDI-if00",
        "loop://",
        "socket://bridge:7000",
        "rfc2217://10.0.0.2:2217",
        "spy:///dev/ttyUSB1",
    ],
)
def test_serial_ports_that_are_accepted(tmp_path: Path, port: str) -> None:
    config = load_config(write(tmp_path, f'[radio]\nport = "{port}"\n'))
    assert config.radio.port == port


@pytest.mark.parametrize(
    "port",
    ["", "ttyUSB0", "/dev/", "/dev/tty USB0", "http://x", "socket://bridge:0", "rfc2217://", "sim",
     "sim://radio"],
)
def test_serial_ports_that_are_refused(tmp_path: Path, port: str) -> None:
    (issue,) = issues(write(tmp_path, f'[radio]\nport = "{port}"\n'))
    assert issue.key == "radio.port"


def test_both_links_may_use_their_simulators(tmp_path: Path) -> None:
    text = '[radio]\nport = "sim://bridge"\n[coproc]\nport = "sim://coproc"\n'
    config = load_config(write(tmp_path, text))
    assert (config.radio.port, config.coproc.port) == ("sim://bridge", "sim://coproc")


def test_a_disabled_coprocessor_does_not_claim_its_port(tmp_path: Path) -> None:
    text = '[radio]\nport = "/dev/ttyAMA0"\n[coproc]\nenabled = false\n'
    config = load_config(write(tmp_path, text))
    assert not config.coproc.enabled


def test_a_rule_between_keys_waits_until_each_key_is_valid(tmp_path: Path) -> None:
    text = "[gpio]\nptt_pin = 40\ntx_led_pin = 17\n[radio]\nheartbeat_s = 50\n"
    assert [i.key for i in issues(write(tmp_path, text))] == ["gpio.ptt_pin", "radio.heartbeat_s"]


def test_a_path_with_a_nul_is_refused(tmp_path: Path) -> None:
    (issue,) = issues(write(tmp_path, '[service]\nsocket = "/run/\\u0000.sock"\n'))
    assert (issue.key, issue.problem) == ("service.socket", "is not a path")


def test_a_byte_order_mark_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf[desk]\nid = 'BOM'\n")
    assert load_config(path).desk.id == "BOM"


@pytest.mark.parametrize("text", ["x = " + "9" * 5000, "x = " + "[" * 5000 + "]" * 5000])
def test_what_tomllib_cannot_hold_is_a_config_error(tmp_path: Path, text: str) -> None:
    (issue,) = issues(write(tmp_path, text))
    assert issue.problem.startswith("TOML error: ")


def test_odd_key_names_are_quoted_and_stay_on_one_line(tmp_path: Path) -> None:
    (issue,) = issues(write(tmp_path, '[gpio]\n"ptt\\npin\\u2028" = 1\n'))
    assert issue.key == 'gpio."ptt\\npin\\u2028"'
    assert issue.line == 2
    assert len(str(issue).splitlines()) == 1


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    (issue,) = issues(path)
    assert str(issue) == f"{path}: cannot read the file: No such file or directory"


def test_a_directory_is_a_config_error(tmp_path: Path) -> None:
    (issue,) = issues(tmp_path)
    assert issue.problem.startswith("cannot read the file")


def test_check_config_on_a_missing_file_exits_78(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "absent.toml"
    assert main(["check-config", str(path)]) == EX_CONFIG
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{path}: cannot read the file: No such file or directory" in err


def test_check_config_on_a_valid_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "[desk]\nid = 'DESK-7'\n")
    assert main(["check-config", str(path)]) == EX_OK
    assert capsys.readouterr() == (f"{path}: ok\n", "")


def test_check_config_prints_every_issue_and_a_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "[gpio]\nptt_pin = 1\nring_led_pin = 0\n")
    assert main(["check-config", str(path)]) == EX_CONFIG
    assert capsys.readouterr().err.splitlines() == [
        *(str(issue) for issue in issues(path)),
        f"{path}: 2 problems",
    ]


def test_check_config_needs_a_file() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["check-config"])
    assert caught.value.code == 2
