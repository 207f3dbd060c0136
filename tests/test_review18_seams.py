"""Review 18: seams between the merged branches (the stdio server, the team server, the board and the card)."""

from __future__ import annotations

import dataclasses

import pytest
from board_fixtures import Seeded, seed, url_only  # noqa: F401 -- url_only is a fixture
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.types import ElicitRequestParams, ElicitRequestURLParams, ElicitResult
from test_decide_anywhere import _human_answers

from postmortem_actions.server.mcp.app import build_server
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Store

pytestmark = pytest.mark.anyio


@pytest.mark.usefixtures("url_only")
async def test_a_local_server_with_the_team_address_in_its_environment_links_its_own_board(
    settings: Settings, store: Store
) -> None:
    # POSTMORTEM_ACTIONS_PUBLIC_URL is read by every Settings.load, so a person who also runs (or uses) a team
    # server may have it set for their local stdio server too. That server's codes are in its own database:
    # a link to the team's address would send the human, and the one-time code, to a server that cannot use it.
    seeded: Seeded = seed(store)
    local = dataclasses.replace(settings, public_url="https://actions.example.com")
    seen: list[str] = []

    async def human(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        assert isinstance(params, ElicitRequestURLParams)
        seen.append(params.url)
        if params.url.startswith("http://127.0.0.1"):
            assert await _human_answers(params.url, choice="accept", owner="erin", due="2030-05-05") == 200
        return ElicitResult(action="accept")

    async with Client(build_server(local), mode="auto", elicitation_callback=human) as client:
        result = await client.call_tool("decide_action", {"action_id": seeded.candidate})
    assert not seen[0].startswith("https://actions.example.com"), seen
    assert result.structured_content is not None
    assert result.structured_content["committed"] is True
    [decision] = store.decisions(seeded.candidate)
    assert (decision.channel, decision.owner, decision.decided_by) == ("web", "erin", "tester")
