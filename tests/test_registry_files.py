"""The MCP registry entry (`server.json`) and the desktop extension (`packaging/mcpb/`) describe the released
package truthfully: valid against their published schemas, the same version, settings the server really reads,
every credential marked secret, and a bundle the official `mcpb` tool packs.

tests/schemas/mcp-registry-server.schema.json is a verbatim copy of
https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json (from the modelcontextprotocol/static
repository, commit a9ba437d9fbbe92076a24b20d56449ac7c7786ac); the manifest is checked by `mcpb` itself.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from postmortem_actions.server.cli.main import parser
from postmortem_actions.server.version import VERSION

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "packaging" / "mcpb"
SCHEMA = Path(__file__).parent / "schemas" / "mcp-registry-server.schema.json"
# The official tool, pinned: a new release may change what it accepts.
MCPB = "@anthropic-ai/mcpb@2.1.2"
NPX_TIMEOUT_S = 300
SECRET = re.compile(r"TOKEN|KEY|SECRET|PASSWORD")
# Where the server reads its settings: a variable named in server.json or the manifest must occur in one of them.
SETTINGS_SOURCES = (ROOT / "server" / "settings.py", ROOT / "tools" / "trackers" / "config.py")


def load(path: Path) -> dict[str, Any]:
    value = json.loads(path.read_text())
    assert isinstance(value, dict)
    return value


def read_by_the_server(name: str) -> bool:
    return any(name in source.read_text() for source in SETTINGS_SOURCES)


def test_server_json_is_valid_against_the_published_registry_schema() -> None:
    schema = load(SCHEMA)
    entry = load(ROOT / "server.json")
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(entry)]
    assert errors == []
    assert entry["$schema"] == schema["$id"]


def test_server_json_names_the_released_pypi_package_run_by_uvx() -> None:
    entry = load(ROOT / "server.json")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    [package] = entry["packages"]
    assert entry["version"] == package["version"] == VERSION == project["version"]
    assert (package["registryType"], package["identifier"]) == ("pypi", project["name"])
    assert package["runtimeHint"] == "uvx"
    assert package["transport"] == {"type": "stdio"}
    assert [a["value"] for a in package["packageArguments"]] == ["serve"]
    # The registry proves ownership of a PyPI package by this line in its description (the README).
    assert f"mcp-name: {entry['name']}" in (ROOT / "README.md").read_text()


def test_server_json_lists_only_settings_the_server_reads_and_marks_every_credential_secret() -> None:
    [package] = load(ROOT / "server.json")["packages"]
    variables = package["environmentVariables"]
    assert variables
    for variable in variables:
        assert read_by_the_server(variable["name"]), variable["name"]
        assert variable.get("isSecret", False) == bool(SECRET.search(variable["name"])), variable["name"]
    required = {v["name"] for v in variables if v.get("isRequired")}
    assert required == {"POSTMORTEM_ACTIONS_ALLOWED_DIRS"}


def test_the_desktop_manifest_wires_every_user_setting_and_keeps_tokens_sensitive() -> None:
    manifest = load(BUNDLE / "manifest.json")
    assert manifest["version"] == VERSION
    config = manifest["server"]["mcp_config"]
    used = set(re.findall(r"\$\{user_config\.(\w+)\}", json.dumps(config)))
    assert used == set(manifest["user_config"])
    for variable, value in config["env"].items():
        assert read_by_the_server(variable), variable
        [key] = re.findall(r"\$\{user_config\.(\w+)\}", value)
        assert manifest["user_config"][key].get("sensitive", False) == bool(SECRET.search(variable)), key
    folders = manifest["user_config"]["allowed_directories"]
    assert (folders["type"], folders["multiple"], folders["required"]) == ("directory", True, True)
    assert config["env"]["POSTMORTEM_ACTIONS_DB"] == "${user_config.database}"
    # The host expands several folders into separate arguments after the option; the CLI takes them all.
    args = config["args"][config["args"].index("src/server.py") + 1 :]
    expanded = [
        a for arg in args for a in (["/srv/a", "/srv/b"] if arg == "${user_config.allowed_directories}" else [arg])
    ]
    parsed = parser().parse_args(expanded)
    assert (parsed.command, parsed.allow_dir) == ("serve", ["/srv/a", "/srv/b"])


def test_the_bundle_installs_the_released_version_and_its_entry_point_is_the_command() -> None:
    project = tomllib.loads((BUNDLE / "pyproject.toml").read_text())["project"]
    assert project["dependencies"] == [f"postmortem-actions=={VERSION}"]
    version = subprocess.run(
        [sys.executable, BUNDLE / "src" / "server.py", "--version"], capture_output=True, text=True, timeout=60
    )
    assert version.stdout.strip() == f"postmortem-actions {VERSION}", version.stderr


@pytest.mark.install
def test_the_official_mcpb_tool_validates_and_packs_the_bundle(tmp_path: Path) -> None:
    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("npm is not installed (.ci/run installs it)")
    source = tmp_path / "bundle"
    shutil.copytree(BUNDLE, source, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    packed = tmp_path / f"postmortem-actions-{VERSION}.mcpb"
    result = subprocess.run(
        [npx, "--yes", MCPB, "pack", source, packed], capture_output=True, text=True, timeout=NPX_TIMEOUT_S, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Manifest schema validation passes" in result.stdout  # pack validates before it packs
    with zipfile.ZipFile(packed) as bundle:
        assert sorted(bundle.namelist()) == ["manifest.json", "pyproject.toml", "src/server.py"]
        assert json.loads(bundle.read("manifest.json")) == load(BUNDLE / "manifest.json")
