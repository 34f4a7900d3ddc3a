#!/usr/bin/env bash
# `make lab`: the deployment lab. Builds (once; cached under LAB_CACHE) a Debian bookworm image with
# systemd as PID 1 and gpio-sim, boots it under QEMU, installs this source tree into it by the README's
# route (make install, then the unit), and runs the scenarios of lab/test_lab.py against the real unit.
# As root it installs the host's Debian packages itself. docs/deploy.md, "The deployment lab".
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
t_start=$(date +%s)
LAB_CACHE=${LAB_CACHE:-$repo/.lab-cache}
mkdir -p "$LAB_CACHE"
LAB_CACHE=$(cd "$LAB_CACHE" && pwd)

bash scripts/ensure-deb.sh mmdebstrap qemu-system-x86 qemu-utils e2fsprogs socat mosquitto \
    portaudio19-dev build-essential
if [ "$(id -u)" -ne 0 ]; then
    echo "hotline lab: needs root (mmdebstrap builds the image as root): run  sudo make lab" >&2
    exit 1
fi

# The image: keyed by the scripts and guest files that make it.
key=$(cat lab/build-image.sh $(find lab/guest -type f | sort) | sha256sum | cut -c1-16)
image=$LAB_CACHE/image-amd64-$key
if [ ! -e "$image/rootfs.qcow2" ]; then
    echo "hotline lab: building the image (once; cached in $image)"
    t0=$(date +%s)
    rm -rf "$image.tmp"
    bash lab/build-image.sh "$image.tmp"
    mv "$image.tmp" "$image"
    echo "hotline lab: image built in $(( $(date +%s) - t0 )) s"
else
    echo "hotline lab: cached image $image"
fi

# The wheelhouse the guest installs from (it has no route to a package index): scripts/wheelhouse.sh
# makes a wheel of every package of the locked install set (requirements/desk.txt) on this machine,
# which is what the guest is (Debian bookworm amd64, Python 3.11); `make install` in the guest takes
# it through HOTLINE_WHEELS. The package's own wheel is left out (it would be stale in the cache):
# the guest builds it from the source tree, for which setuptools and wheel are added.
wkey=$(cat requirements/desk.txt scripts/wheelhouse.sh | sha256sum | cut -c1-16)
wheels=$LAB_CACHE/wheels-$wkey
if [ ! -e "$wheels/.complete" ]; then
    echo "hotline lab: making the wheelhouse in $wheels"
    rm -rf "$wheels"
    PYTHON=$repo/.venv/bin/python bash scripts/wheelhouse.sh "$wheels" > "$LAB_CACHE/wheels.log" 2>&1 \
        || { cat "$LAB_CACHE/wheels.log" >&2; exit 1; }
    rm -f "$wheels"/hotline_terminal-*
    .venv/bin/python -m pip download -q --disable-pip-version-check -d "$wheels" \
        "setuptools>=68" wheel >> "$LAB_CACHE/wheels.log" 2>&1 || { cat "$LAB_CACHE/wheels.log" >&2; exit 1; }
    touch "$wheels/.complete"
fi

# This run: the source tree as a clone would have it (tracked and untracked-not-ignored files).
run=$(mktemp -d "${TMPDIR:-/var/tmp}/hotline-lab-run.XXXXXX")
mkdir -p "$run/share"
git ls-files -co --exclude-standard -z | tar --null -T - -cf "$run/share/src.tar"
echo "hotline lab: run directory $run"
set +e
LAB_IMAGE=$image LAB_WHEELS=$wheels LAB_RUN=$run LAB_T_START=$t_start \
    .venv/bin/python -m pytest -c lab/pytest.ini lab "$@"
rc=$?
set -e
echo "hotline lab: $(( $(date +%s) - t_start )) s in all; run directory $run"
[ "${LAB_KEEP_RUN:-0}" = 1 ] || [ $rc -ne 0 ] || rm -rf "$run"
exit $rc
