"""Child process for the crash test: record a call through PortAudio, then wait to be killed.

argv: recordings directory. ALSA_CONFIG_PATH comes from the parent's sandbox. The header is never
rewritten after the first (an update interval longer than the test), so the file left behind
always disagrees with its header, as after a crash between two updates.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from hw.audio.host import AudioHost
from hw.audio.recorder import CallRecorder
from hw.audio.sandbox import MIC

RATE = 16000


def main() -> None:
    host = AudioHost(poll_s=0.01, cards=lambda: None)
    recorder = CallRecorder(host, MIC, RATE)
    recorder.writer.header_every = 10**12
    host.start()
    recorder.start_recording(77, Path(sys.argv[1]))
    recorder.mark_transmission("start")
    while recorder.frames < 2 * RATE:
        time.sleep(0.001)
    recorder.writer.sync()
    print("recording", flush=True)
    time.sleep(60)


if __name__ == "__main__":
    main()
