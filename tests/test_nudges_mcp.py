"""Reminders and people at the human and model surfaces: the read-only `preview_reminders` tool and the
`reminders://today` resource, the review prompt that names them, and the decision forms (elicitation on both protocol
eras, and the terminal) that suggest known people for an owner without limiting what is typed."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.types import ElicitRequestFormParams, ElicitRequestParams, ElicitResult
from mcp_results import ok
from nudge_world import AS_OF, World, table_rows
from test_terminal import Terminal

from postmortem_actions.server.mcp.app import build_server
from postmortem_actions.server.settings import Settings
from postmortem_actions.tools.nudges.policy import load_policy

HOOK = "https://hooks.slack.com/services/T0/B0/mcp-secret-token-77"
KNOWN = "Known people: Alice, Bob, Carol; any other name may be typed."


@pytest.fixture
def world(settings: Settings) -> Iterator[World]:
    built = World(settings.db_path).build()
    yield built
    built.close()


@pytest.fixture
def configured(settings: Settings, tmp_path: Path) -> Settings:
    policy = load_policy(
        {"POSTMORTEM_ACTIONS_POLICY": str(tmp_path / "none.toml"), "POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL": HOOK}
    )
    return dataclasses.replace(settings, policy=policy)


@pytest.mark.anyio
async def test_preview_reminders_says_who_hears_about_what_and_sends_or_records_nothing(
    configured: Settings, world: World
) -> None:
    before = table_rows(world.db)
    async with Client(build_server(configured)) as client:
        result = await client.call_tool("preview_reminders", {"as_of": AS_OF.isoformat()})
        plan = ok(result)
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert tools["preview_reminders"].annotations is not None
    assert tools["preview_reminders"].annotations.read_only_hint is True
    assert (plan["as_of"], plan["quiet"], plan["channels"]) == ("2026-03-02", None, ["slack"])
    assert {(m["recipient"], m["audience"], m["total"]) for m in plan["messages"]} == {
        ("Alice", "owner", 3),
        ("Bob", "owner", 1),
        ("Carol", "lead", 2),
        ("team", "team", 3),
    }
    assert [(u["name"], u["role"]) for u in plan["unreachable"]] == [("Dana", "owner"), ("Alise", "owner")]
    assert "## Owners we cannot reach" in plan["markdown"]
    assert "mcp-secret-token-77" not in json.dumps(plan) + json.dumps([c.model_dump() for c in result.content])
    assert world.store.deliveries() == []
    assert table_rows(world.db) == before


@pytest.mark.anyio
async def test_a_quiet_day_and_a_day_out_of_range_are_answered_plainly(configured: Settings, world: World) -> None:
    async with Client(build_server(configured)) as client:
        saturday = ok(await client.call_tool("preview_reminders", {"as_of": "2026-03-07"}))
        far = await client.call_tool("preview_reminders", {"as_of": "3001-01-01"})
    assert (saturday["quiet"], saturday["messages"]) == ("saturday", [])
    assert far.is_error
    assert "as_of must be between 1970-01-01 and 2999-12-31" in far.content[0].text  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_the_resource_and_the_review_prompt_point_at_todays_reminders(configured: Settings, world: World) -> None:
    async with Client(build_server(configured)) as client:
        resource = await client.read_resource("reminders://today")
        prompt = await client.get_prompt("review_meeting", {})
    content = resource.contents[0]
    assert content.mime_type == "text/markdown"
    assert getattr(content, "text", "").startswith(f"# Reminders for {date.today()}\n")
    text = prompt.messages[0].content.text  # type: ignore[union-attr]
    assert "call preview_reminders with as_of" in text


class Human:
    """Answers the form with `owner` typed over its defaults; keeps what it was shown."""

    def __init__(self, **answer: Any) -> None:
        self.answer = answer
        self.asked: list[ElicitRequestFormParams] = []

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        assert isinstance(params, ElicitRequestFormParams)
        self.asked.append(params)
        props: dict[str, Any] = params.requested_schema["properties"]
        defaults = {k: v["default"] for k, v in props.items() if "default" in v}
        return ElicitResult(action="accept", content={**defaults, **self.answer})


@pytest.mark.anyio
async def test_the_decision_form_suggests_known_people_and_still_takes_any_name(
    settings: Settings, world: World, mode: str
) -> None:
    candidate = world.ids["billing_young"]
    human = Human(decision="accept", owner="Dana Okafor", due_date="2027-01-15")
    with anyio.fail_after(20):
        async with Client(build_server(settings), mode=mode, elicitation_callback=human) as client:
            result = ok(await client.call_tool("decide_action", {"action_id": candidate}))
            replan = Human(confirm=True, owner="bob", due_date="2027-02-01")
    (form,) = human.asked
    owner = form.requested_schema["properties"]["owner"]
    assert owner["type"] == "string"
    assert "enum" not in owner
    assert owner["description"] == f"Owner (edit if needed). {KNOWN}"
    assert (result["owner"], result["committed"]) == ("Dana Okafor", True)
    with anyio.fail_after(20):
        async with Client(build_server(settings), mode=mode, elicitation_callback=replan) as client:
            ok(await client.call_tool("replan_action", {"action_id": candidate, "reason": "Dana moved teams"}))
    assert KNOWN in replan.asked[0].requested_schema["properties"]["owner"]["description"]
    assert world.store.get_action(candidate).owner == "bob"  # free text, as typed: not rewritten to "Bob"


@pytest.mark.slow
def test_the_terminal_decision_shows_known_people_before_it_asks_for_an_owner(tmp_path: Path) -> None:
    world = World(tmp_path / "actions.db").build()
    candidate = world.ids["billing_young"]
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_")}
    env = {
        **inherited,
        "POSTMORTEM_ACTIONS_DB": str(world.db),
        "POSTMORTEM_ACTIONS_USER": "carol",
        "POSTMORTEM_ACTIONS_POLICY": str(tmp_path / "none.toml"),
    }
    with Terminal(["decide", str(candidate)], env) as term:
        term.answer("[a]ccept, [k]ill, [d]efer, [r]eword or [s]kip? ", "a")
        shown = term.answer("Owner: ", "Erin")
        assert f"  {KNOWN}\n" in shown
        term.answer("Due date [", "2027-01-15")
        term.answer(f"Accept #{candidate}: owner Erin, due 2027-01-15? [y/n] ", "y")
        term.expect("decision #")
        assert term.exit_status() == 0
    assert world.store.get_action(candidate).owner == "Erin"
    world.close()
