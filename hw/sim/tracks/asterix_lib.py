"""libasterix, with its generic parser (``asterix.base``) compiled by mypyc when that was built.

`make setup` runs `hw.sim.tracks.asterix_compile`, which compiles libasterix's ``base.py`` (the
generic machinery every category's generated classes run on) with mypyc into
``<venv>/libasterix-mypyc/`` and records the SHA-256 of the ``base.py`` it was compiled from.
Importing this module loads that compiled ``asterix.base`` when it was built from the
``base.py`` installed now and for this interpreter; otherwise (not built, no compiler, libasterix
upgraded since, a failed check) the pure ``base.py`` is used, exactly as libasterix ships it.
``HOTLINE_ASTERIX_PURE=1`` in the environment chooses the pure module. Either way the decoding
is libasterix's: the compiled module is its own source, not a rewrite.

The project's own reader of the items used and its mapping to track reports
(`hw.sim.tracks.asterix_read`, `hw.sim.tracks.asterix_map`) are compiled beside it and loaded
here with it (``reader``, ``mapping``): compiled only when ``asterix.base`` is, and when built
from the sources there now.

Import the library through here (before ``asterix.generated``): the choice must be made before
anything imports ``asterix.base``, ``hw.sim.tracks.asterix_read`` or ``asterix_map``.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

COMPILED_DIR = Path(sys.prefix) / "libasterix-mypyc"
STAMP = COMPILED_DIR / "stamp.json"
BASE = "asterix.base"
PURE_ENV = "HOTLINE_ASTERIX_PURE"
"""Set (non-empty): the pure module is used even where the compiled one is built."""


def pure_base_path() -> Path:
    """libasterix's ``base.py`` as installed."""
    spec = importlib.util.find_spec("asterix")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("libasterix is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "base.py"


def source_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _extension(name: str, path: Path) -> ModuleType:
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _load_compiled() -> str | None:
    """Load the compiled ``asterix.base``; why not, or None when loaded."""
    try:
        stamp = json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return "not compiled (make setup compiles it where mypyc and a C compiler are)"
    if stamp.get("python") != sys.implementation.cache_tag:
        return f"compiled for {stamp.get('python')}, not {sys.implementation.cache_tag}"
    if stamp.get("base_sha256") != source_digest(pure_base_path()):
        return "compiled from another libasterix (run make setup again)"
    try:
        for name, file in stamp["modules"]:
            _extension(name, COMPILED_DIR / file)
    except (ImportError, KeyError, OSError, ValueError) as exc:
        for name, _file in stamp.get("modules", []):
            sys.modules.pop(name, None)
        return f"compiled module does not load: {exc}"
    return None


def _choose() -> tuple[str, str]:
    """('compiled' or 'pure', why)."""
    loaded = sys.modules.get(BASE)
    if loaded is not None:  # imported before this module: kept as it is
        kind = "pure" if str(getattr(loaded, "__file__", "")).endswith(".py") else "compiled"
        return kind, "asterix.base was imported first"
    if os.environ.get(PURE_ENV):
        return "pure", f"{PURE_ENV} is set"
    why = _load_compiled()
    if why is None:
        return "compiled", f"mypyc build in {COMPILED_DIR}"
    return "pure", why


KIND, WHY = _choose()
"""Which ``asterix.base`` runs ('compiled' or 'pure'), and why."""

import asterix.base as base  # noqa: E402  (after the choice above)
import asterix.generated as generated  # noqa: E402

READER = "hw.sim.tracks.asterix_read"
MAPPING = "hw.sim.tracks.asterix_map"
READER_SOURCES = ("asterix_read.py", "asterix_map.py")
"""The project's modules compiled beside ``asterix.base``: the reader, then the mapping."""


def reader_digest() -> str:
    """SHA-256 of the reader's and the mapping's sources, as they are now."""
    h = hashlib.sha256()
    for name in READER_SOURCES:
        h.update(Path(__file__).with_name(name).read_bytes())
    return h.hexdigest()


def _choose_reader() -> tuple[str, str]:
    """The project's reader of the items used and its mapping to track reports
    (`hw.sim.tracks.asterix_read`, `hw.sim.tracks.asterix_map`), compiled with mypyc at
    `make setup` beside ``asterix.base`` and loaded only with it, when built from the sources
    there now: ('compiled' or 'pure', why)."""
    if READER in sys.modules or MAPPING in sys.modules:
        return "pure", f"{READER} or {MAPPING} was imported first"
    if KIND != "compiled":
        return "pure", "asterix.base is not compiled"
    loaded: list[str] = []
    try:
        built = json.loads(STAMP.read_text())["reader"]
        if built["sha256"] != reader_digest():
            return "pure", "compiled from another asterix_read.py or asterix_map.py (make setup)"
        for name, file in built["modules"]:
            loaded.append(name)
            _extension(name, COMPILED_DIR / file)
    except (ImportError, KeyError, OSError, TypeError, ValueError) as exc:
        for name in loaded:
            sys.modules.pop(name, None)
        return "pure", f"not compiled ({type(exc).__name__}: {exc})"
    return "compiled", f"mypyc build in {COMPILED_DIR}"


READER_KIND, READER_WHY = _choose_reader()
"""Which reader and mapping run ('compiled' or 'pure'), and why."""

import hw.sim.tracks.asterix_map as mapping  # noqa: E402  (after the choice above)
import hw.sim.tracks.asterix_read as reader  # noqa: E402

__all__ = ["COMPILED_DIR", "KIND", "PURE_ENV", "READER_KIND", "READER_WHY", "STAMP", "WHY", "base",
           "generated", "mapping", "pure_base_path", "reader", "reader_digest",
           "source_digest"]  # fmt: skip
