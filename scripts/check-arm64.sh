#!/usr/bin/env bash
# Prove the desk's locked dependencies install on a Raspberry Pi's platform (arm64, Debian
# bookworm, Python 3.11: what Raspberry Pi OS 64-bit is built on), from this x86_64 machine:
#   1. every package of requirements/coproc.txt (the lock's desk set and SciPy) except PyAudio has
#      a wheel for manylinux aarch64 / CPython 3.11 on PyPI, with the locked hashes (pip download
#      --only-binary; no root needed for this step, it runs on its own with --wheels-only);
#   2. in an arm64 Debian bookworm chroot run under qemu-user (mmdebstrap, binfmt_misc), with
#      portaudio19-dev, gcc and python3-dev from apt, `pip install --require-hashes` of that set
#      builds PyAudio from its sdist and installs everything, then the desk is installed and
#      `hotline --version`, `hotline check-config` and the imports run there.
# Needs root for step 2, and the Debian packages qemu-user-static binfmt-support mmdebstrap arch-test
# (installed through scripts/ensure-deb.sh, with arch-test). The chroot is kept in $ARM64_ROOT (default
# /var/tmp/hotline-arm64) and reused by the next run; remove it to start again.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ARM64_ROOT=${ARM64_ROOT:-/var/tmp/hotline-arm64}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
reqs=$here/requirements/coproc.txt
start=$(date +%s)
say() { echo "arm64-check [$(( $(date +%s) - start )) s]: $*"; }

# --- 1. wheels for manylinux aarch64, cp311, at the locked versions and hashes -------------------
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
# the set without PyAudio (its hash lines follow its name line: they go with it)
python3 - "$reqs" "$wheels/no-pyaudio.txt" <<'EOF'
import sys
out, skip = [], False
for line in open(sys.argv[1]):
    if not line.startswith((" ", "\t")):
        skip = line.startswith("pyaudio==")
    if not skip:
        out.append(line)
open(sys.argv[2], "w").writelines(out)
EOF
# bookworm's glibc is 2.36: every manylinux tag up to 2_36 (pip does not infer the older ones)
platforms=(--platform manylinux2014_aarch64)
for minor in $(seq 17 36); do platforms+=(--platform "manylinux_2_${minor}_aarch64"); done
say "step 1: pip download --only-binary for manylinux_2_17..2_36 aarch64 / cp311"
PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS='' PIP_CONSTRAINT='' python3 -m pip download -q \
    --index-url https://pypi.org/simple --require-hashes --only-binary=:all: --no-deps \
    "${platforms[@]}" --python-version 3.11 --implementation cp --abi cp311 \
    -d "$wheels" -r "$wheels/no-pyaudio.txt"
ls "$wheels"/*.whl | sed 's|.*/|    |'
say "step 1: $(ls "$wheels"/*.whl | wc -l) wheels, every one aarch64 or pure Python"
if [ "${1:-}" = "--wheels-only" ]; then
    exit 0
fi

# --- 2. an arm64 bookworm chroot under qemu-user ---------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
    echo "arm64-check: step 2 needs root (a chroot); run as root, or with --wheels-only" >&2
    exit 1
fi
bash "$here/scripts/ensure-deb.sh" qemu-user-static binfmt-support mmdebstrap arch-test
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
update-binfmts --enable qemu-aarch64 2>/dev/null || true
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    echo "arm64-check: qemu-aarch64 is not registered with binfmt_misc" >&2
    exit 1
fi
if [ ! -x "$ARM64_ROOT/usr/bin/python3" ]; then
    say "step 2: building the arm64 bookworm chroot in $ARM64_ROOT (mmdebstrap)"
    rm -rf "$ARM64_ROOT"
    mmdebstrap -q --arch=arm64 --variant=apt \
        --include=python3,python3-venv,python3-dev,portaudio19-dev,build-essential,ca-certificates \
        bookworm "$ARM64_ROOT" "$MIRROR"
fi
mounts=()
cleanup() {
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[$i]}" 2>/dev/null || true; done
    rm -rf "$wheels"
}
trap cleanup EXIT
for fs in proc sys dev; do
    mountpoint -q "$ARM64_ROOT/$fs" || { mount --rbind "/$fs" "$ARM64_ROOT/$fs"; mounts+=("$ARM64_ROOT/$fs"); }
done
cp -L /etc/resolv.conf "$ARM64_ROOT/etc/resolv.conf"
# this machine's CA bundle (behind a TLS-inspecting proxy the chroot's own would not do)
cp -L /etc/ssl/certs/ca-certificates.crt "$ARM64_ROOT/etc/ssl/host-ca.crt"
rm -rf "$ARM64_ROOT/tmp/hotline" "$ARM64_ROOT/opt/hotline-arm64"
mkdir -p "$ARM64_ROOT/tmp/hotline"
git -C "$here" ls-files -z | (cd "$here" && xargs -0 cp --parents -t "$ARM64_ROOT/tmp/hotline")
say "step 2: in the chroot: $(chroot "$ARM64_ROOT" uname -m), $(chroot "$ARM64_ROOT" python3 --version)," \
    "portaudio19-dev $(chroot "$ARM64_ROOT" dpkg-query -W -f='${Version}' portaudio19-dev)"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root PIP_CERT=/etc/ssl/host-ca.crt \
    PIP_DISABLE_PIP_VERSION_CHECK=1 chroot "$ARM64_ROOT" /bin/bash -euo pipefail -c '
    cd /tmp/hotline
    python3 -m venv /opt/hotline-arm64
    /opt/hotline-arm64/bin/pip install -q --require-hashes -r requirements/coproc.txt
    /opt/hotline-arm64/bin/pip install -q --no-deps .
    /opt/hotline-arm64/bin/pip list --format=freeze | grep -i -E "^(pyaudio|lgpio|numpy|scipy|textual)=="
    /opt/hotline-arm64/bin/hotline --version
    /opt/hotline-arm64/bin/hotline check-config config/hotline.toml
    /opt/hotline-arm64/bin/python -c "
import platform, pyaudio, lgpio, numpy, scipy.spatial, textual, gpiozero.pins.lgpio
print(platform.machine(), \"PortAudio\", pyaudio.get_portaudio_version_text())
"
'
say "done: every locked package installs on arm64, PyAudio built from its sdist"
