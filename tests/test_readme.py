"""The README is part of the contract: its tools, commands and configuration snippets are real."""

import json
import re
from pathlib import Path

import pytest
from conftest import ALL_TRACKERS
from mcp import Client

from postmortem_actions.server.cli.main import parser
from postmortem_actions.server.mcp.app import build_server
from postmortem_actions.server.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_the_readme_lists_every_tool_and_resource_with_its_read_only_flag(tmp_path: Path) -> None:
    settings = Settings(
        db_path=tmp_path / "a.db", allowed_dirs=(tmp_path,), max_bytes=1000, user="t", trackers=ALL_TRACKERS
    )
    async with Client(build_server(settings)) as client:
        tools = (await client.list_tools()).tools
        templates = (await client.list_resource_templates()).resource_templates
    rows = dict(re.findall(r"^\| `(\w+)` \|.*\| (yes|no) \|$", README, re.MULTILINE))
    assert set(rows) == {t.name for t in tools}
    for tool in tools:
        read_only = bool(tool.annotations and tool.annotations.read_only_hint)
        assert rows[tool.name] == ("yes" if read_only else "no"), tool.name
    for template in templates:
        assert f"`{template.uri_template}`" in README


def test_the_readme_configuration_snippets_parse_and_run_the_console_script_or_uvx() -> None:
    blocks = re.findall(r"```json\n(.*?)```", README, re.DOTALL)
    assert len(blocks) >= 2
    decoder = json.JSONDecoder()
    commands = []
    for block in blocks:
        position = 0
        while position < len(block.strip()):  # a block may show two forms, one object after the other
            config, end = decoder.raw_decode(block, position)
            position = end + len(block[end:]) - len(block[end:].lstrip())
            servers = config.get("mcpServers") or config["servers"]
            entry = servers["postmortem-actions"]
            if entry["command"] == "uvx":
                assert entry["args"] == ["postmortem-actions", "serve"]
            else:
                assert entry["command"].endswith("/bin/postmortem-actions")
                assert entry["args"] == ["serve"]
            commands.append(entry["command"])
    assert "uvx" in commands
    assert any(command.endswith("/.venv/bin/postmortem-actions") for command in commands)


def test_the_readme_opens_with_the_demo_and_the_test_command_that_ci_runs() -> None:
    first_block = re.search(r"```bash\n(.*?)```", README, re.DOTALL)
    assert first_block is not None
    demo, tests = first_block.group(1).strip().splitlines()
    assert demo.endswith("postmortem-actions demo")
    assert "pytest" in tests
    assert tests in (ROOT / ".ci" / "run").read_text().splitlines()


def test_every_cli_command_is_documented() -> None:
    commands = next(a for a in parser()._actions if a.dest == "command").choices
    assert commands
    for name in commands:
        assert f"`{name}" in README or f"`postmortem-actions {name}" in README, name
