"""Dependencies point inward: server/ -> tools/ -> store/; each folder imports only what its layer may."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "store": {"mcp", "httpx", "httpx2", "starlette", "postmortem_actions.tools", "postmortem_actions.server"},
    "tools": {"mcp", "sqlite3", "sqlite_utils", "httpx", "starlette", "postmortem_actions.server"},
    "server": {"sqlite3", "sqlite_utils", "httpx", "httpx2"},
}
MAX_LINES = 400


def _modules(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_only_what_it_may(layer: str) -> None:
    offending = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in _modules(layer)
        for name in _imports(path)
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[layer])
    }
    assert not offending


def test_the_server_never_prints_to_stdout_outside_the_human_commands() -> None:
    # On stdio, stdout is the protocol; only the CLI's own commands and the demo talk to a terminal.
    printing = {
        str(path.relative_to(ROOT))
        for path in _modules("server")
        if path.name not in {"cli.py", "demo.py", "demo_human.py", "terminal.py", "review_cli.py", "export_cli.py"}
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
    }
    assert not printing


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_modules_stay_small(layer: str) -> None:
    large = {str(p.relative_to(ROOT)): n for p in _modules(layer) if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not large
