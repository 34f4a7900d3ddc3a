#!/usr/bin/env bash
# Install hotline-terminal on a Raspberry Pi OS (Debian) system, as root:
#   the package in a virtual environment under $PREFIX, the configuration under /etc/hotline-terminal
#   (an existing file is kept), the systemd unit, and the `hotline` system user.
# With DESTDIR set, everything is staged below DESTDIR instead (packaging, tests): no user is created,
# systemd is not touched and no Debian package is installed.
#
# The Python packages are the locked ones: requirements/desk.txt, exported from uv.lock (every
# version pinned, every file's hash checked). Without DESTDIR it first installs, through apt-get
# (scripts/ensure-deb.sh), what building PyAudio needs, which has no wheel for arm64 or armv7:
# portaudio19-dev, gcc (build-essential), python3-dev, and python3-venv.
#
# Environment:
#   DESTDIR=/dir            stage below /dir (see above)
#   PREFIX, CONFDIR, UNITDIR  where the venv, the configuration and the unit go
#   PYTHON=python3          the interpreter the venv is made from (3.11 or later)
#   HOTLINE_REQUIREMENTS=F  the install set (default requirements/desk.txt; requirements/coproc.txt
#                           adds SciPy for a machine that runs the co-processor program)
#   HOTLINE_WHEELS=/dir     install offline from a wheelhouse: no index is contacted (pip/uv
#                           --no-index --find-links /dir). /dir must hold a wheel of every package
#                           of the install set at its locked version (built for the target), and
#                           hotline-terminal's own wheel, or setuptools and wheel to build it.
#                           `scripts/wheelhouse.sh /dir` makes one on a machine of the target's
#                           architecture. The versions are enforced, the hashes are not (a wheel
#                           built from an sdist, as PyAudio's, never has the sdist's hash).
# With HOTLINE_WHEELS (and no DESTDIR) the Debian packages are only python3-venv and libportaudio2,
# since nothing is compiled; apt-get runs only for those missing (an offline guest needs them in its
# image).
# It uses uv when it is on PATH (`make install` puts .venv/bin there), else the venv's pip.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/opt/hotline-terminal}
CONFDIR=${CONFDIR:-/etc/hotline-terminal}
UNITDIR=${UNITDIR:-/etc/systemd/system}
PYTHON=${PYTHON:-python3}
HOTLINE_REQUIREMENTS=${HOTLINE_REQUIREMENTS:-$here/requirements/desk.txt}
HOTLINE_WHEELS=${HOTLINE_WHEELS:-}

if [ -z "$DESTDIR" ] && [ "$(id -u)" -ne 0 ]; then
    echo "hotline: make install needs root: run  sudo make install" >&2
    exit 1
fi

BUILD_DEBS=(python3-venv python3-dev build-essential portaudio19-dev)
WHEELHOUSE_DEBS=(python3-venv libportaudio2)  # nothing to build: PyAudio's library only
if [ -z "$DESTDIR" ]; then
    if [ -n "$HOTLINE_WHEELS" ]; then
        bash "$here/scripts/ensure-deb.sh" "${WHEELHOUSE_DEBS[@]}"
    else
        bash "$here/scripts/ensure-deb.sh" "${BUILD_DEBS[@]}"
    fi
fi

venv="$DESTDIR$PREFIX"
echo "hotline: installing the package into $venv"
"$PYTHON" -m venv "$venv"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
reqs=$HOTLINE_REQUIREMENTS
source_args=()
if [ -n "$HOTLINE_WHEELS" ]; then
    if [ ! -d "$HOTLINE_WHEELS" ]; then
        echo "hotline: HOTLINE_WHEELS=$HOTLINE_WHEELS is not a directory" >&2
        exit 1
    fi
    echo "hotline: offline, from the wheelhouse $HOTLINE_WHEELS"
    source_args=(--no-index --find-links "$HOTLINE_WHEELS")
    # the same pins without the hashes (a wheel built from an sdist has another hash)
    reqs=$work/requirements.txt
    sed -e '/^ *--hash=/d' -e 's/ *\\$//' "$HOTLINE_REQUIREMENTS" > "$reqs"
    hash_args=()
else
    hash_args=(--require-hashes)
fi
if command -v uv >/dev/null 2>&1; then
    # --compile-bytecode: the .pyc files written now (pip writes them by default, uv does not); the
    # service cannot write them (ProtectSystem=strict), so without them it compiles every module
    # from source at every start (docs/performance.md, start-up)
    install=(uv pip install -q --compile-bytecode --python "$venv/bin/python")
else
    install=("$venv/bin/pip" install -q --disable-pip-version-check)
fi
"${install[@]}" "${source_args[@]}" "${hash_args[@]}" -r "$reqs"
# built from a copy of what the package is made of: a build in the tree would leave build/ there,
# and two at once (tests) would share it
src=$work/src
mkdir "$src"
cp -r "$here/pyproject.toml" "$here/README.md" "$here/terminal" "$here/hw" "$src"
project=$src
if [ -n "$HOTLINE_WHEELS" ]; then
    own=$(find "$HOTLINE_WHEELS" -maxdepth 1 -name 'hotline_terminal-*.whl' | sort -V | tail -n 1)
    project=${own:-$src}
fi
"${install[@]}" "${source_args[@]}" --no-deps "$project"

install -d -m 0755 "$DESTDIR$CONFDIR"
if [ -e "$DESTDIR$CONFDIR/hotline.toml" ]; then
    echo "hotline: keeping the existing $CONFDIR/hotline.toml"
else
    install -m 0644 "$here/config/hotline.toml" "$DESTDIR$CONFDIR/hotline.toml"
fi

install -d -m 0755 "$DESTDIR$UNITDIR"
sed -e "s|@BINDIR@|$PREFIX/bin|g" -e "s|@CONFDIR@|$CONFDIR|g" \
    "$here/systemd/hotline-terminal.service.in" > "$DESTDIR$UNITDIR/hotline-terminal.service"
chmod 0644 "$DESTDIR$UNITDIR/hotline-terminal.service"

if [ -z "$DESTDIR" ]; then
    for group in gpio dialout audio; do
        getent group "$group" >/dev/null || groupadd --system "$group"
    done
    if ! id hotline >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/hotline-terminal --shell /usr/sbin/nologin \
            --groups gpio,dialout,audio hotline
    fi
    "$venv/bin/hotline" check-config "$CONFDIR/hotline.toml"
    systemctl daemon-reload 2>/dev/null || true
    echo "hotline: installed. Edit $CONFDIR/hotline.toml, then: systemctl enable --now hotline-terminal"
else
    echo "hotline: staged below $DESTDIR"
fi
