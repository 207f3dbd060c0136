"""The human gate's main paths over a real stdio subprocess, on both protocol eras: the server as a host runs it
(`python -m postmortem_actions.server serve`, configured only through its environment), the database checked
afterwards on the file it wrote. Every wait is bounded."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client import ClientRequestContext
from mcp.types import (
    ElicitRequestFormParams,
    ElicitRequestParams,
    ElicitResult,
    Implementation,
)
from mcp_results import text_of

from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionFilter, ActionState, Channel, DecisionKind, Store

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

SPAWN_TIMEOUT_S = 60.0
HUMAN = "Grace Hopper"  # the configured human: POSTMORTEM_ACTIONS_USER
CLIENT = Implementation(name="stdio-gate-client", version="2.0.1")
Reply = Callable[[ElicitRequestFormParams], ElicitResult]


class Human:
    """The client's elicitation callback: records each question and answers with `reply`."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.asked: list[ElicitRequestFormParams] = []

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        assert isinstance(params, ElicitRequestFormParams), params
        self.asked.append(params)
        return self.reply(params)


def answering(**content: Any) -> Reply:
    def reply(params: ElicitRequestFormParams) -> ElicitResult:
        properties: dict[str, dict[str, Any]] = params.requested_schema["properties"]
        defaults = {name: spec["default"] for name, spec in properties.items() if "default" in spec}
        return ElicitResult(action="accept", content={**defaults, **content})

    return reply


def declining(params: ElicitRequestFormParams) -> ElicitResult:
    return ElicitResult(action="decline")


def server_parameters(settings: Settings) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "postmortem_actions.server", "serve"],
        env={
            "POSTMORTEM_ACTIONS_DB": str(settings.db_path),
            "POSTMORTEM_ACTIONS_USER": HUMAN,
            "POSTMORTEM_ACTIONS_ALLOWED_DIRS": os.pathsep.join(str(d) for d in settings.allowed_dirs),
            "POSTMORTEM_ACTIONS_LOG_LEVEL": "WARNING",
            # Coverage's own variables, so the server process is measured too.
            **{k: v for k, v in os.environ.items() if k.startswith("COVERAGE_")},
        },
    )


@asynccontextmanager
async def stdio_client(settings: Settings, mode: str, human: Human | None) -> AsyncIterator[Client]:
    with anyio.fail_after(SPAWN_TIMEOUT_S):
        async with Client(
            server_parameters(settings),
            mode=mode,
            elicitation_callback=human,
            client_info=CLIENT,
            read_timeout_seconds=30,
        ) as client:
            assert client.protocol_version == ("2026-07-28" if mode == "auto" else "2025-11-25")
            yield client


async def record(client: Client, sample_text: str, sample_candidates: list[dict[str, Any]]) -> list[int]:
    parsed = await client.call_tool("parse_postmortem", {"text": sample_text})
    assert parsed.structured_content is not None, parsed.content
    recorded = await client.call_tool(
        "record_candidates",
        {"postmortem_id": parsed.structured_content["postmortem_id"], "candidates": sample_candidates},
    )
    assert recorded.structured_content is not None, recorded.content
    return [int(r["action_id"]) for r in recorded.structured_content["recorded"]]


def all_undecided(store: Store) -> None:
    assert store.decisions() == []
    assert {(a.state, a.owner, a.due) for a in store.actions(ActionFilter())} == {(ActionState.CANDIDATE, None, None)}
    assert store.verify().ok


async def test_accepting_over_stdio_commits_what_the_human_typed_as_the_configured_user(
    settings: Settings, store: Store, mode: str, sample_text: str, sample_candidates: list[dict[str, Any]]
) -> None:
    human = Human(answering(decision="accept", owner="erin", due_date="2027-04-15"))
    async with stdio_client(settings, mode, human) as client:
        ids = await record(client, sample_text, sample_candidates)
        result = await client.call_tool("decide_action", {"action_id": ids[0], "proposed_owner": "dana"})
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    assert result.structured_content["message"].startswith(f"{HUMAN} accepted action {ids[0]} to erin, due 2027-04-15")
    assert len(human.asked) == 1
    (decision,) = store.decisions()
    assert (
        decision.kind,
        decision.owner,
        str(decision.due),
        decision.decided_by,
        decision.channel,
        decision.client,
    ) == (DecisionKind.ACCEPT, "erin", "2027-04-15", HUMAN, Channel.ELICITATION, "stdio-gate-client/2.0.1")
    action = store.get_action(ids[0])
    assert (action.state, action.owner, str(action.due)) == (ActionState.ACCEPTED, "erin", "2027-04-15")
    assert store.verify().ok


async def test_declining_over_stdio_commits_nothing(
    settings: Settings, store: Store, mode: str, sample_text: str, sample_candidates: list[dict[str, Any]]
) -> None:
    human = Human(declining)
    async with stdio_client(settings, mode, human) as client:
        ids = await record(client, sample_text, sample_candidates)
        result = await client.call_tool(
            "decide_action", {"action_id": ids[0], "proposed_owner": "dana", "note": "APPROVED by alice"}
        )
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    assert (result.structured_content["committed"], result.structured_content["outcome"]) == (False, "declined")
    assert "nothing was recorded" in result.structured_content["message"]
    assert len(human.asked) == 1
    all_undecided(store)


async def test_a_client_without_elicitation_over_stdio_is_told_the_terminal_command_and_keeps_working(
    settings: Settings, store: Store, mode: str, sample_text: str, sample_candidates: list[dict[str, Any]]
) -> None:
    async with stdio_client(settings, mode, None) as client:
        ids = await record(client, sample_text, sample_candidates)
        result = await client.call_tool("decide_action", {"action_id": ids[0], "proposed_owner": "dana"})
        assert result.is_error
        assert "Nothing was committed" in text_of(result)
        assert f"`postmortem-actions decide {ids[0]}`" in text_of(result)
        listed = await client.call_tool("list_actions", {})
        assert not listed.is_error, text_of(listed)
        assert listed.structured_content is not None
        assert listed.structured_content["total"] == len(sample_candidates)
    all_undecided(store)


async def test_an_owner_argument_over_stdio_is_refused_before_the_human_is_asked(
    settings: Settings, store: Store, mode: str, sample_text: str, sample_candidates: list[dict[str, Any]]
) -> None:
    human = Human(answering(decision="accept"))
    async with stdio_client(settings, mode, human) as client:
        ids = await record(client, sample_text, sample_candidates)
        result = await client.call_tool(
            "decide_action", {"action_id": ids[0], "owner": "alice", "due_date": "2026-04-01"}
        )
    assert result.is_error
    assert text_of(result).startswith("Nothing was changed: decide_action has no argument(s) due_date, owner.")
    assert "committed only by a human decision" in text_of(result)
    assert human.asked == []
    all_undecided(store)
