"""The layers as the imports show them (docs/architecture.md): entry points on top, then the
fronts, the assembly of a desk, the engine, what fronts are shown, the pure core, and the base;
adapters (hardware, log, MQTT, control socket) beside the engine, never reaching up into it.

Every `import` in terminal/ and hw/ is read (those inside functions too) and checked against
what its layer may import. The test fails naming each import that goes against the direction.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LAYERS: dict[str, tuple[str, ...]] = {
    "entry": ("terminal.cli", "terminal.commands", "terminal.service", "terminal.conformance"),
    "front": ("terminal.tui", "terminal.fronts", "terminal.attach"),
    "assembly": ("terminal.desk", "terminal.benchrig", "terminal.attach.server"),
    "engine": ("terminal.engine", "terminal.link_report"),
    "adapter": (
        "hw", "terminal.log", "terminal.mqtt", "terminal.control", "terminal.desk_records",
        "terminal.sdnotify",
        "terminal.report",
        "terminal.realtime",
        "terminal.line_log",
    ),
    "view": ("terminal.snapshot", "terminal.attach.wire"),
    "core": ("terminal.core", "terminal.kernel"),
    "base": ("terminal.views", "terminal.zulu", "terminal.config", "terminal.i18n", "terminal"),
}
"""Module prefixes of each layer (the longest prefix decides; bare `terminal` is the package).
The control socket's server binds the socket (an adapter) to an engine, as the desk binds the
rest: assembly. Its JSON form of a snapshot is shared by server and client: a view."""

MAY_IMPORT: dict[str, set[str]] = {
    "base": {"base"},
    "core": {"core", "base"},
    "view": {"view", "core", "base"},
    "engine": {"engine", "view", "core", "base"},
    "adapter": {"adapter", "view", "core", "base"},
    "assembly": {"assembly", "engine", "adapter", "view", "core", "base"},
    "front": {"front", "assembly", "engine", "adapter", "view", "core", "base"},
    "entry": set(LAYERS),
}


def layer_of(module: str) -> str | None:
    """The layer of a module of ours (None for anything else)."""
    best: tuple[int, str] | None = None
    for layer, prefixes in LAYERS.items():
        for prefix in prefixes:
            inside = module == prefix or module.startswith(prefix + ".")
            if inside and (best is None or len(prefix) > best[0]):
                best = (len(prefix), layer)
    return best[1] if best else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every absolute import in the file; `from a import b` also as a.b."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
            out += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return out


def violations() -> list[str]:
    found = []
    for package in ("terminal", "hw"):
        for path in sorted((ROOT / package).rglob("*.py")):
            source = layer_of(module_name(path))
            assert source is not None, f"{path} is in no layer: add it to LAYERS"
            for line, target in imports_of(path):
                layer = layer_of(target)
                if layer is None or (target == "terminal" and layer == "base"):
                    continue
                if layer not in MAY_IMPORT[source]:
                    where = path.relative_to(ROOT)
                    found.append(f"{where}:{line}: a {source} module imports {target} ({layer})")
    return sorted(set(found))


def test_imports_go_one_way() -> None:
    found = violations()
    assert not found, "imports against the layers:\n" + "\n".join(found)


def test_the_check_catches_an_import_against_the_direction(tmp_path: Path) -> None:
    """The core reaching up into the engine, or an adapter into the desk, is caught."""
    core = tmp_path / "core.py"
    core.write_text("from terminal.engine import Engine\nimport hw.radio\n", encoding="utf-8")
    targets = [target for _, target in imports_of(core)]
    assert [layer_of(t) for t in targets] == ["engine", "engine", "adapter"]
    assert not {"engine", "adapter"} & MAY_IMPORT["core"]
    assert "assembly" not in MAY_IMPORT["adapter"] and "engine" not in MAY_IMPORT["adapter"]
    assert layer_of("terminal.core.calls") == "core" and layer_of("terminal.coreish") == "base"
