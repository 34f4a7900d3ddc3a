#!/usr/bin/env bash
# Install the Debian packages named on the command line if any is missing.
# As root it runs apt-get; otherwise it stops and says which command to run.
set -euo pipefail
missing=()
for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "hotline: these Debian packages are missing: ${missing[*]}" >&2
    echo "hotline: run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "hotline: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
