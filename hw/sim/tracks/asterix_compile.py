"""Compile libasterix's generic parser (``asterix/base.py``), and the project's reader of the
items used and its mapping (`hw.sim.tracks.asterix_read`, `asterix_map`), with mypyc, for
`make setup`.

``python -m hw.sim.tracks.asterix_compile``: copies the installed ``base.py`` to a temporary
directory, makes the few source changes mypyc needs (below), compiles it with mypyc (needs mypy,
a dev dependency, and a C compiler), checks that the compiled module decodes a CAT062 and a
CAT021 picture and hostile datagrams exactly as the pure one does, and only then installs it in
``<venv>/libasterix-mypyc/`` with a stamp naming the ``base.py`` it was built from
(`hw.sim.tracks.asterix_lib` loads it from there). Any failure leaves the pure module in use and
says why; the exit status is 0 either way (the program runs on the pure module), unless
``--strict``.

The source changes, each checked to apply exactly once (a libasterix that changed there is left
pure rather than patched blindly):

- every class gets ``@mypyc_attr(allow_interpreted_subclasses=True)``: the generated classes of
  every category edition (``asterix/generated.py``, 6 MB, left as Python) subclass them;
- ``typing``'s names are put in the module's namespace, as ``from typing import *`` does for
  the pure module: ``generated.py`` takes them from ``from asterix.base import *``;
- in ``Extended._create`` two local variables that hold first a tuple, then a class or an item,
  get other names (mypyc checks a variable's type at run time; the pure module does not).

Then ``hw/sim/tracks/asterix_read.py`` and ``asterix_map.py`` are compiled as they are, other
imports not followed (libasterix and the track report are ``Any`` there), into the same
directory, with the SHA-256 of the sources they were built from in the stamp; if that fails,
libasterix's compiled parser is kept and the reader and mapping stay pure. The check above then
covers all three: compiled, they must decode exactly as the pure modules do.

Only ``base.py`` of libasterix is compiled: it is where the library's time goes
(bench/bench_asterix.py), and compiling ``generated.py`` would take hours on a Raspberry Pi.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hw.sim.tracks.asterix_lib import (
    COMPILED_DIR,
    READER_SOURCES,
    STAMP,
    pure_base_path,
    reader_digest,
    source_digest,
)

HERE = Path(__file__).parent

PATCHES = (
    ("import math\n",
     "import math\nfrom mypy_extensions import mypyc_attr\nimport typing as _typing\n"),
    ("                    a, size = a  # type: ignore\n"
     "                    i = a.create(b)  # type: ignore\n"
     "                    items.append(i)\n"
     "                    bs += i.unparse()\n",
     "                    spec, size = a\n"
     "                    made = spec.create(b)  # type: ignore\n"
     "                    items.append(made)\n"
     "                    bs += made.unparse()\n"),
)  # fmt: skip
EXPORT_TYPING = (
    "\n\nfor _name in _typing.__all__:  # as `from typing import *` does, for generated.py\n"
    "    globals()[_name] = getattr(_typing, _name)\n"
)
CHECK = "hw.sim.tracks.asterix_check"


class Refused(Exception):
    """The compiled module is not made or not kept: why."""


def patched(source: str) -> str:
    """``base.py`` as mypyc compiles it (see the module's docstring)."""
    for old, new in PATCHES:
        if source.count(old) != 1:
            raise Refused(f"base.py has changed: {old.splitlines()[0].strip()!r} is not there once")
        source = source.replace(old, new)
    source, classes = re.subn(
        r"^class ", "@mypyc_attr(allow_interpreted_subclasses=True)\nclass ", source, flags=re.M
    )
    if classes < 10:
        raise Refused(f"base.py has changed: {classes} classes")
    return source + EXPORT_TYPING


def _run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
        raise Refused(f"{' '.join(cmd[:3])} failed:\n{tail}")
    return done.stdout


def build(work: Path) -> list[tuple[str, str]]:
    """Compile in ``work``; the (module name, file) of each extension made."""
    base = pure_base_path()
    package = work / "asterix"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "base.py").write_text(patched(base.read_text()))
    _run([sys.executable, "-m", "mypyc", "asterix/base.py"], cwd=work)
    made = []
    for so in sorted(package.glob("*.so")) + sorted(package.glob("*.pyd")):
        made.append(("asterix." + so.name.split(".", 1)[0], so.name))
    if not any(name == "asterix.base" for name, _ in made):
        raise Refused(f"mypyc made no asterix.base extension ({made})")
    made.sort(key=lambda m: m[0] == "asterix.base")  # the shared library first, then its shim
    return made


def build_reader(work: Path) -> list[tuple[str, str]]:
    """Compile the project's reader of the items used and its mapping
    (`hw.sim.tracks.asterix_read`, `asterix_map`) in ``work``, as they are (other imports not
    followed: libasterix and the track report are ``Any`` there); the (module name, file) of
    each extension made, the shared library first."""
    package = work / "hw" / "sim" / "tracks"
    package.mkdir(parents=True)
    for level in (work / "hw", work / "hw" / "sim", package):
        (level / "__init__.py").write_text("")
    sources = [f"hw/sim/tracks/{name}" for name in READER_SOURCES]
    for name in READER_SOURCES:
        shutil.copy2(HERE / name, package / name)
    _run([sys.executable, "-m", "mypyc", "--follow-imports=skip", "--ignore-missing-imports",
          *sources], cwd=work)  # fmt: skip
    made = []
    for so in sorted(work.rglob("*.so")) + sorted(work.rglob("*.pyd")):
        relative = so.relative_to(work)
        if relative.parts[0] == "build":
            continue
        made.append((".".join([*relative.parts[:-1], so.name.split(".", 1)[0]]), str(relative)))
    shims = [f"hw.sim.tracks.{name.removesuffix('.py')}" for name in READER_SOURCES]
    if not set(shims) <= {name for name, _ in made}:
        raise Refused(f"mypyc did not make {shims} ({made})")
    # the shared library first, then the modules in order (the mapping imports the reader)
    made.sort(key=lambda m: shims.index(m[0]) if m[0] in shims else -1)
    return made


def _reader(staging: Path) -> dict[str, object] | None:
    """The reader and mapping compiled into ``staging`` (their stamp entry), or None (and why,
    said)."""
    try:
        with tempfile.TemporaryDirectory(prefix="asterix-read-mypyc-") as tmp:
            made = build_reader(Path(tmp))
            installed = []
            for name, relative in made:
                file = Path(relative).name
                shutil.copy2(Path(tmp) / relative, staging / file)
                installed.append((name, file))
    except (Refused, OSError) as why:
        print(f"asterix_read: the pure Python reader stays in use: {why}", file=sys.stderr)
        return None
    return {"sha256": reader_digest(), "modules": installed}


def _check_digest(pure: bool) -> str:
    env = dict(os.environ, HOTLINE_ASTERIX_PURE="1" if pure else "")
    return _run([sys.executable, "-m", CHECK], env=env).strip()


def install(strict: bool = False) -> int:
    base = pure_base_path()
    shutil.rmtree(COMPILED_DIR, ignore_errors=True)
    try:
        with tempfile.TemporaryDirectory(prefix="libasterix-mypyc-") as tmp:
            made = build(Path(tmp))
            staging = COMPILED_DIR.with_name(COMPILED_DIR.name + ".new")
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            for _name, file in made:
                shutil.copy2(Path(tmp) / "asterix" / file, staging / file)
            stamp: dict[str, object] = {
                "python": sys.implementation.cache_tag, "base_sha256": source_digest(base),
                "modules": made}  # fmt: skip
            reader = _reader(staging)
            if reader is not None:
                stamp["reader"] = reader
            (staging / STAMP.name).write_text(json.dumps(stamp, indent=1) + "\n")
            staging.rename(COMPILED_DIR)
        expected = _check_digest(pure=True)
        got = _check_digest(pure=False)
        if not got.startswith("compiled "):
            raise Refused(f"the compiled module was not loaded: {got}")
        if got.split()[1] != expected.split()[1]:
            raise Refused("the compiled modules decode differently from the pure ones")
    except Refused as why:
        shutil.rmtree(COMPILED_DIR, ignore_errors=True)
        print(f"libasterix: the pure Python parser stays in use: {why}", file=sys.stderr)
        return 1 if strict else 0
    digest = hashlib.sha256(got.encode()).hexdigest()[:12]
    also = " and the reader (asterix_read, asterix_map)" if got.endswith("reader-compiled") else ""
    print(f"libasterix: asterix.base{also} compiled with mypyc into {COMPILED_DIR} "
          f"(checked {digest})")  # fmt: skip
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when not compiled")
    return install(parser.parse_args(argv).strict)


if __name__ == "__main__":
    sys.exit(main())
