"""An id that names nothing, and a command used wrongly, are refused the same way everywhere: a sentence and,
on the command line, exit 2; never an exact-looking empty answer."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp_results import refusal

from postmortem_actions.server.cli.main import main
from postmortem_actions.server.mcp.app import build_server
from postmortem_actions.server.settings import Settings


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("list_actions", {"postmortem_id": 999}),
        ("list_overdue", {"postmortem_id": 999}),
        ("review_agenda", {"postmortem_id": 999}),
        ("draft_status_summary", {"postmortem_id": 999}),
    ],
)
async def test_an_unknown_postmortem_is_refused_by_every_listing_tool(
    settings: Settings, tool: str, arguments: dict[str, int]
) -> None:
    async with Client(build_server(settings)) as client:
        text = refusal(await client.call_tool(tool, arguments), tool)
    assert "no postmortem has id 999" in text


@pytest.mark.parametrize(
    "command",
    [
        ["list", "--postmortem", "999"],
        ["overdue", "--postmortem", "999"],
        ["agenda", "--postmortem", "999"],
        ["summary", "--postmortem", "999"],
    ],
)
def test_an_unknown_postmortem_is_refused_by_every_listing_command(
    settings: Settings, store: object, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(settings.db_path), *command]) == 2
    assert "no postmortem has id 999" in capsys.readouterr().err


def test_export_to_a_tracker_without_a_selector_is_a_usage_error(
    settings: Settings, store: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(settings.db_path), "export", "--tracker", "github"]) == 2
    assert "give --postmortem N or --action ID" in capsys.readouterr().err
