#!/usr/bin/env bash
# Export the install sets from uv.lock (never re-resolving it): requirements/desk.txt (what a desk
# needs) and requirements/coproc.txt (the same and SciPy, for the co-processor program). Each pins
# every package to its locked version with its PyPI hashes; scripts/install.sh installs from them.
set -euo pipefail
cd "$(dirname "$0")/.."
uv=${UV:-.venv/bin/uv}
export_set() {  # file, extra uv export arguments
    local out=$1
    shift
    "$uv" export -q --frozen --no-dev --no-emit-project --no-header --format requirements.txt "$@" \
        | sed "1i # Exported from uv.lock by scripts/export-requirements.sh (make lock): do not edit." \
        > "$out"
}
export_set requirements/desk.txt
export_set requirements/coproc.txt --extra coproc
