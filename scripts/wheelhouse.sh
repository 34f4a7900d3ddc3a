#!/usr/bin/env bash
# Make a wheelhouse for an offline `make install` (HOTLINE_WHEELS=DIR, see scripts/install.sh):
# a wheel of every package of the install set at its locked version (hashes checked on download;
# PyAudio built from its sdist, so this machine needs portaudio19-dev, gcc and python3-dev) and
# hotline-terminal's own wheel. Build it on the target's architecture and Python (amd64 Debian
# bookworm for the lab's VM; on a Pi for a Pi).
#   usage: scripts/wheelhouse.sh DIR [REQUIREMENTS]   (default requirements/desk.txt)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: scripts/wheelhouse.sh DIR [REQUIREMENTS]}
reqs=${2:-$here/requirements/desk.txt}
PYTHON=${PYTHON:-python3}
mkdir -p "$dir"
"$PYTHON" -m pip wheel -q --disable-pip-version-check --require-hashes -r "$reqs" -w "$dir"
src=$(mktemp -d)  # built from a copy: a build in the tree would leave build/ there
trap 'rm -rf "$src"' EXIT
cp -r "$here/pyproject.toml" "$here/README.md" "$here/terminal" "$here/hw" "$src"
"$PYTHON" -m pip wheel -q --disable-pip-version-check --no-deps "$src" -w "$dir"
echo "hotline: $(find "$dir" -maxdepth 1 -name '*.whl' | wc -l) wheels in $dir"
