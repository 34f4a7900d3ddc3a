"""Run one link target under atheris (libFuzzer, coverage-guided): a process of its own.

`python -m bench.fuzzing.atheris_main <target> [libFuzzer options] [corpus dirs]`, e.g.
`-max_total_time=60 -artifact_prefix=dir/`. With `--seeds DIR` first, the seed corpus and
dictionary of the target are written into DIR and used. bench/fuzz.py starts this and reads
libFuzzer's figures from its output; atheris runs the loop in-process and exits when done.

hw.wire is imported under `atheris.instrument_imports` so that its code feeds the coverage map;
the harness itself (bench.fuzzing.link) and everything else run uninstrumented.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["hw.wire"]):
    import hw.wire.codec
    import hw.wire.fields
    import hw.wire.messages
    import hw.wire.session  # noqa: F401

from bench.fuzzing.link import CHECKS, dictionary, seeds


def _escape(word: bytes) -> str:
    return "".join(f"\\x{b:02x}" for b in word)


def write_seeds(name: str, folder: Path) -> Path:
    """Write the seed corpus of ``name`` into ``folder``; return the dictionary file."""
    folder.mkdir(parents=True, exist_ok=True)
    for data in seeds(name):
        (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
    words = folder.parent / f"{name}.dict"
    words.write_text("".join(f'"{_escape(w)}"\n' for w in dictionary()))
    return words


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in CHECKS:
        sys.exit(f"usage: python -m bench.fuzzing.atheris_main {{{','.join(CHECKS)}}} "
                 "[--seeds DIR] [libFuzzer options]")  # fmt: skip
    name, rest = argv[0], argv[1:]
    if rest[:1] == ["--seeds"]:
        folder = Path(rest[1])
        words = write_seeds(name, folder)
        rest = [f"-dict={words}", *rest[2:], str(folder)]
    check = CHECKS[name]
    atheris.Setup([f"{sys.argv[0]} {name}", *rest], check)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv[1:])
