"""What `hotline service` writes to standard error, which systemd puts in the journal: the desk's
own lines only (issue 14, item 8). With no sound card, ALSA and libjack used to print some eighty
lines at start-up, and more at each PortAudio rescan.

The desk's own lines are those of its journal formatter: each starts with a syslog priority,
`<0>` to `<7>` (terminal.service.JournalFormatter).
"""

from __future__ import annotations

import ctypes.util
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from hw.audio.host import alsa_cards
from hw.audio.quiet import silence_audio_libraries
from hw.pty import PtyPair
from tests.rigs.notify import NotifyListener

DESK_LINE = re.compile(r"^<[0-7]>\S")


def test_service_stderr_has_only_the_desk_s_own_lines(tmp_path: Path) -> None:
    pty = PtyPair()  # no bridge answers: the link keeps retrying
    cfg = tmp_path / "desk.toml"
    cfg.write_text(  # [audio] as at a desk: enabled, the default devices
        f'[gpio]\npin_factory = "mock"\nlamp_test_ms = 0\n[radio]\nport = "{pty.path}"\n'
        f'[coproc]\nenabled = false\n[log]\ndirectory = "{tmp_path / "log"}"\n'
        f'[service]\nsocket = "{tmp_path / "c.sock"}"\n'
    )
    listener = NotifyListener(tmp_path / "notify")
    env = dict(os.environ, NOTIFY_SOCKET=str(listener.path))
    env.pop("ALSA_CONFIG_PATH", None)  # the system's ALSA configuration, as at a desk
    proc = subprocess.Popen(
        [sys.executable, "-m", "terminal.cli", "service", "--config", str(cfg)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        listener.wait_for("READY=1", 15)
        listener.collect(3.0)  # PortAudio starts, finds nothing, rescans
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        pty.close()
    assert proc.returncode == 0
    lines = err.decode("utf-8", "replace").splitlines()
    strangers = [line for line in lines if not DESK_LINE.match(line)]
    assert not strangers, f"{len(strangers)} lines not the desk's, first: {strangers[:5]}"
    assert any("ready" in line for line in lines)
    cards = alsa_cards()
    if cards is None or "no soundcards" in cards:  # as here: PortAudio ran and found nothing
        assert any("no audio device" in line for line in lines), lines


def test_alsa_and_jack_get_the_desk_s_handlers() -> None:
    handled = silence_audio_libraries()
    assert "alsa" in handled  # libasound2 comes with portaudio19-dev (make setup)
    if ctypes.util.find_library("jack"):
        assert "jack" in handled
    assert silence_audio_libraries() == handled, "once per process"
