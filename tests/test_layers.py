"""Dependencies point inward: server/ -> tools/ -> store/; each folder imports only what its layer may, and the
rules follow folders, not lists of file names."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("server", "tools", "store")
# Folder -> what no module under it may import (anywhere, also inside functions).
FORBIDDEN = {
    "store": {
        "mcp",
        "httpx",
        "httpx2",
        "starlette",
        "uvicorn",
        "postmortem_actions.tools",
        "postmortem_actions.server",
    },
    "tools": {"mcp", "sqlite3", "sqlite_utils", "httpx", "starlette", "uvicorn", "postmortem_actions.server"},
    "server": {"sqlite3", "sqlite_utils", "httpx", "httpx2"},
}
# The adapters, the webhook poster, and the sign-on provider's key set.
HTTP_CLIENT_ONLY_IN = ("tools/trackers/", "tools/nudges/http.py", "tools/oidc.py")
MAX_LINES = 400


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _imports(path: Path, *, module_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _hits(name: str, banned: set[str]) -> bool:
    return any(name == b or name.startswith(b + ".") for b in banned)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_only_what_it_may(layer: str) -> None:
    offending = {
        f"{p.relative_to(ROOT)}: {n}" for p in _modules(layer) for n in _imports(p) if _hits(n, FORBIDDEN[layer])
    }
    assert not offending


def test_only_the_tracker_adapters_and_the_webhook_poster_import_the_http_client() -> None:
    offending = {
        str(p.relative_to(ROOT))
        for p in _modules("tools")
        if _hits("httpx2", set())
        or ("httpx2" in _imports(p) and not str(p.relative_to(ROOT)).startswith(HTTP_CLIENT_ONLY_IN))
    }
    assert not offending


def test_no_command_module_imports_the_sdk_at_module_level() -> None:
    # The human CLI starts fast: the SDK (about a second to import) loads only in the commands that speak MCP.
    offending = {
        str(p.relative_to(ROOT))
        for p in [*_modules("server/cli"), *(ROOT / "server").glob("*.py")]
        if any(_hits(n, {"mcp", "postmortem_actions.server.mcp"}) for n in _imports(p, module_level_only=True))
    }
    assert not offending


def test_the_server_never_prints_to_stdout_outside_the_human_commands() -> None:
    # On stdio, stdout is the protocol; only the CLI's own commands (and the demo) talk to a terminal.
    printing = {
        str(path.relative_to(ROOT))
        for path in _modules("server")
        if "cli" not in path.relative_to(ROOT / "server").parts
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
    }
    assert not printing


@pytest.mark.parametrize("layer", PACKAGES)
def test_modules_stay_small(layer: str) -> None:
    large = {str(p.relative_to(ROOT)): n for p in _modules(layer) if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not large


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return "postmortem_actions." + ".".join(parts)


def test_no_import_cycle_among_our_modules() -> None:
    modules = {_module_name(p): p for folder in PACKAGES for p in _modules(folder)}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        targets: set[str] = set()
        for node in ast.parse(path.read_text()).body:  # module level: what runs when the module is imported
            if isinstance(node, ast.ImportFrom):
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = (node.module or "") if node.level == 0 else ".".join(filter(None, [base, node.module]))
                submodules = {f"{source}.{a.name}" for a in node.names} & modules.keys()
                # `from package import module` depends on that module; the package is the one being imported
                targets |= submodules or ({source} & modules.keys())
            elif isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name in modules}
        edges[name] = targets - {name}
    seen: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        seen[name] = 1
        for target in edges[name]:
            assert seen.get(target) != 1, " -> ".join([*trail, name, target])
            if target not in seen:
                visit(target, [*trail, name])
        seen[name] = 2

    for name in sorted(edges):
        if name not in seen:
            visit(name, [])


def test_the_tracker_adapters_and_the_error_tree_import_without_sqlite_or_the_sdk() -> None:
    code = (
        "import sys, postmortem_actions.tools.trackers.github, postmortem_actions.tools.trackers.jira, "
        "postmortem_actions.tools.trackers.linear; "
        "print(sorted(m for m in ('sqlite3', 'mcp', 'postmortem_actions.store.store') if m in sys.modules))"
    )
    bare = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}  # coverage itself loads sqlite3
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=bare
    ).stdout.strip()
    assert found == "[]"
