"""hotline lab agent: runs the host's shell commands as root in this VM, over a virtio-serial port.

One JSON object per line each way. Request: {"id": N, "sh": "...", "timeout": S, "input": "..."}.
Reply: {"id": N, "rc": RC, "out": "...", "err": "...", "s": SECONDS} (rc -9 on time-out).
Lab image only; never on a Pi.
"""

import json
import os
import subprocess
import sys
import time


def main() -> None:
    fd = os.open(sys.argv[1], os.O_RDWR)
    buf = b""
    while True:
        data = os.read(fd, 65536)
        if not data:
            time.sleep(0.1)
            continue
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if not line.strip():
                continue
            req = json.loads(line)
            t0 = time.monotonic()
            try:
                done = subprocess.run(
                    ["/bin/bash", "-c", req["sh"]], input=req.get("input", ""),
                    capture_output=True, text=True, timeout=req.get("timeout", 120),
                    errors="replace",
                )
                rc, out, err = done.returncode, done.stdout, done.stderr
            except subprocess.TimeoutExpired as exc:
                rc = -9
                out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else ""
                err = "agent: timed out"
            reply = {"id": req.get("id"), "rc": rc, "out": out, "err": err,
                     "s": round(time.monotonic() - t0, 3)}
            payload = (json.dumps(reply) + "\n").encode()
            while payload:
                payload = payload[os.write(fd, payload):]


if __name__ == "__main__":
    main()
