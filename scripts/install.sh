#!/usr/bin/env bash
# Install hotline-terminal on a Raspberry Pi OS (Debian) system, as root:
#   the package in a virtual environment under $PREFIX, the configuration under /etc/hotline-terminal
#   (an existing file is kept), the systemd unit, and the `hotline` system user.
# With DESTDIR set, everything is staged below DESTDIR instead (packaging, tests): no user is created
# and systemd is not touched.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/opt/hotline-terminal}
CONFDIR=${CONFDIR:-/etc/hotline-terminal}
UNITDIR=${UNITDIR:-/etc/systemd/system}
PYTHON=${PYTHON:-python3}

if [ -z "$DESTDIR" ] && [ "$(id -u)" -ne 0 ]; then
    echo "hotline: make install needs root: run  sudo make install" >&2
    exit 1
fi

venv="$DESTDIR$PREFIX"
echo "hotline: installing the package into $venv"
"$PYTHON" -m venv "$venv"
if command -v uv >/dev/null 2>&1; then
    uv pip install -q --python "$venv/bin/python" "$here"
else
    "$venv/bin/pip" install -q "$here"
fi

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
