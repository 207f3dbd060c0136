"""The human gate's positive paths on both protocol eras: what the human answers is exactly what is recorded.

Accept records the owner and due date the human typed (not the proposal) and says so; the default due date
comes from the severity table unless a date was proposed; kill needs a reason; defer leaves a candidate;
re-plan, complete (with evidence) and reopen go through the same form; report_status commits no one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.server import MCPServer
from mcp.types import CallToolResult, ElicitRequestFormParams, ElicitRequestParams, ElicitResult, Implementation

from postmortem_actions.server.mcp.app import build_server
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionFilter, ActionState, Actor, Channel, DecisionKind, Store, WorkStatus
from postmortem_actions.tools.decisions import DueTable

RecordSample = Callable[[Client], Awaitable[tuple[int, list[int]]]]
Reply = Callable[[ElicitRequestFormParams], ElicitResult]

pytestmark = pytest.mark.anyio

WAIT_S = 20.0
CLIENT = Implementation(name="flow-test-client", version="1.2.3")
ASSISTANT = Actor(actor="assistant", via="mcp:test for tester")


class Human:
    """The client's elicitation callback: records each question and answers with `reply`."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.asked: list[ElicitRequestFormParams] = []

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        assert isinstance(params, ElicitRequestFormParams), params
        self.asked.append(params)
        return self.reply(params)


def form_defaults(params: ElicitRequestFormParams) -> dict[str, Any]:
    properties: dict[str, dict[str, Any]] = params.requested_schema["properties"]
    return {name: spec["default"] for name, spec in properties.items() if "default" in spec}


def answering(**content: Any) -> Reply:
    """Submit the form as pre-filled, with `content` typed over it."""
    return lambda params: ElicitResult(action="accept", content={**form_defaults(params), **content})


@pytest.fixture
def server(settings: Settings) -> MCPServer:
    return build_server(settings)


@pytest.fixture
async def ids(server: MCPServer, record_sample: RecordSample) -> list[int]:
    async with Client(server) as plain:
        return (await record_sample(plain))[1]


async def call(
    server: MCPServer, mode: str, tool: str, arguments: dict[str, Any], human: Human | None = None
) -> CallToolResult:
    with anyio.fail_after(WAIT_S):
        async with Client(server, mode=mode, elicitation_callback=human, client_info=CLIENT) as client:
            return await client.call_tool(tool, arguments)


def outcome(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    out: dict[str, Any] | None = result.structured_content
    assert out is not None
    return out


async def accept(server: MCPServer, mode: str, action_id: int, owner: str, due: str) -> dict[str, Any]:
    human = Human(answering(decision="accept", owner=owner, due_date=due))
    return outcome(await call(server, mode, "decide_action", {"action_id": action_id}, human))


async def test_accepting_records_exactly_the_owner_and_due_date_the_human_typed_not_the_proposal(
    server: MCPServer, store: Store, ids: list[int], mode: str
) -> None:
    human = Human(answering(decision="accept", owner="erin", due_date="2027-04-15"))
    result = outcome(
        await call(
            server,
            mode,
            "decide_action",
            {
                "action_id": ids[0],
                "proposed_owner": "dana",
                "proposed_due": "2027-03-01",
                "note": "Dana owns the queue",
            },
            human,
        )
    )
    (question,) = human.asked
    assert (form_defaults(question)["owner"], form_defaults(question)["due_date"]) == ("dana", "2027-03-01")
    assert "Proposed: owner dana, due 2027-03-01. Assistant's note: Dana owns the queue" in question.message
    assert set(question.requested_schema["properties"]) == {"decision", "owner", "due_date", "reason", "item_version"}

    (decision,) = store.decisions()
    assert {k: result[k] for k in ("committed", "outcome", "owner", "due", "state", "decided_by", "channel")} == {
        "committed": True,
        "outcome": "accepted",
        "owner": "erin",
        "due": "2027-04-15",
        "state": "accepted",
        "decided_by": "tester",
        "channel": "elicitation",
    }
    assert result["decision_id"] == decision.id
    assert result["message"] == (
        f"tester accepted action {ids[0]} to erin, due 2027-04-15 (decision #{decision.id}, via elicitation)."
    )
    action = store.get_action(ids[0])
    assert (action.state, action.owner, action.due, action.decision_id) == (
        ActionState.ACCEPTED,
        "erin",
        date(2027, 4, 15),
        decision.id,
    )
    assert (action.proposed_owner, action.proposed_due) == (None, None)  # the proposal was never stored as one
    assert (decision.kind, decision.owner, decision.due, decision.decided_by, decision.channel, decision.client) == (
        DecisionKind.ACCEPT,
        "erin",
        date(2027, 4, 15),
        "tester",
        Channel.ELICITATION,
        "flow-test-client/1.2.3",
    )
    assert store.verify().ok


async def test_the_default_due_date_comes_from_the_severity_table(
    server: MCPServer, store: Store, ids: list[int], mode: str
) -> None:
    human = Human(answering(decision="accept", owner="dana"))  # the human keeps the pre-filled date
    result = outcome(await call(server, mode, "decide_action", {"action_id": ids[0]}, human))
    expected = date.today() + timedelta(days=30)  # the sample postmortem is SEV2
    assert form_defaults(human.asked[0])["due_date"] == expected.isoformat()
    assert "(SEV2)" in human.asked[0].message
    assert result["due"] == expected.isoformat()
    assert store.get_action(ids[0]).due == expected


async def test_a_proposed_due_date_replaces_the_severity_default(
    server: MCPServer, store: Store, ids: list[int], mode: str
) -> None:
    human = Human(answering(decision="defer"))
    await call(server, mode, "decide_action", {"action_id": ids[0], "proposed_due": "2026-12-24"}, human)
    store.revise_candidate(ids[1], {"proposed_owner": "lee", "proposed_due": date(2027, 6, 30)}, ASSISTANT)
    await call(server, mode, "decide_action", {"action_id": ids[1]}, human)
    assert form_defaults(human.asked[0])["due_date"] == "2026-12-24"
    assert (form_defaults(human.asked[1])["owner"], form_defaults(human.asked[1])["due_date"]) == ("lee", "2027-06-30")


async def test_a_configured_due_table_sets_the_default_due_date(settings: Settings, ids: list[int], mode: str) -> None:
    custom = build_server(dataclasses.replace(settings, due_table=DueTable.parse("SEV2=45")))
    human = Human(answering(decision="defer"))
    await call(custom, mode, "decide_action", {"action_id": ids[0]}, human)
    assert form_defaults(human.asked[0])["due_date"] == (date.today() + timedelta(days=45)).isoformat()


async def test_killing_a_candidate_records_the_reason(
    server: MCPServer, store: Store, ids: list[int], mode: str
) -> None:
    human = Human(answering(decision="kill", reason="Covered by the paging work"))
    result = outcome(await call(server, mode, "decide_action", {"action_id": ids[0], "proposed_owner": "dana"}, human))
    assert (result["committed"], result["outcome"], result["state"], result["owner"]) == (
        True,
        "killed",
        "killed",
        None,
    )
    assert result["message"].startswith(f"tester killed action {ids[0]} (decision #")
    (decision,) = store.decisions()
    assert (decision.kind, decision.reason, decision.owner, decision.due) == (
        DecisionKind.KILL,
        "Covered by the paging work",
        None,
        None,
    )
    assert store.get_action(ids[0]).state is ActionState.KILLED


async def test_deferring_records_a_defer_decision_and_leaves_the_item_a_candidate(
    server: MCPServer, store: Store, ids: list[int], mode: str
) -> None:
    human = Human(answering(decision="defer", reason="Ask again after the re-org"))
    result = outcome(await call(server, mode, "decide_action", {"action_id": ids[0], "proposed_owner": "dana"}, human))
    assert (result["committed"], result["outcome"], result["state"], result["owner"], result["due"]) == (
        True,
        "deferred",
        "candidate",
        None,
        None,
    )
    (decision,) = store.decisions()
    assert (decision.kind, decision.from_state, decision.to_state, decision.owner) == (
        DecisionKind.DEFER,
        ActionState.CANDIDATE,
        ActionState.CANDIDATE,
        None,
    )
    action = store.get_action(ids[0])
    assert (action.state, action.owner, action.due, action.decision_id) == (
        ActionState.CANDIDATE,
        None,
        None,
        decision.id,
    )
    # Still undecided: it can be put to the human again.
    again = outcome(
        await call(
            server, mode, "decide_action", {"action_id": ids[0]}, Human(answering(decision="accept", owner="dana"))
        )
    )
    assert again["outcome"] == "accepted"
    assert store.verify().ok


async def test_replanning_records_the_new_owner_due_date_and_reason_the_human_confirmed(
    server: MCPServer, store: Store, ids: list[int], mode: str
) -> None:
    await accept(server, mode, ids[0], "dana", "2027-01-15")
    human = Human(answering(confirm=True, due_date="2027-03-31"))  # the human moves the date further out
    result = outcome(
        await call(
            server,
            mode,
            "replan_action",
            {"action_id": ids[0], "new_owner": "lee", "new_due": "2027-02-28", "reason": "Dana moved to payments"},
            human,
        )
    )
    (question,) = human.asked
    assert "Now: owner dana, due 2027-01-15." in question.message
    assert "Re-plan to owner lee, due 2027-02-28? Reason given: Dana moved to payments" in question.message
    assert (result["outcome"], result["owner"], result["due"], result["state"]) == (
        "replanned",
        "lee",
        "2027-03-31",
        "accepted",
    )
    assert result["message"].startswith(f"tester replanned action {ids[0]} to lee, due 2027-03-31")
    decision = store.decisions()[-1]
    assert (decision.kind, decision.owner, decision.due, decision.reason) == (
        DecisionKind.REPLAN,
        "lee",
        date(2027, 3, 31),
        "Dana moved to payments",
    )
    assert store.verify().ok


async def test_completing_records_the_evidence_and_keeps_the_owner_and_due_date(
    server: MCPServer, store: Store, ids: list[int], mode: str
) -> None:
    await accept(server, mode, ids[0], "dana", "2027-01-15")
    human = Human(answering(confirm=True))
    result = outcome(
        await call(
            server,
            mode,
            "complete_action",
            {"action_id": ids[0], "evidence": "https://git.example/billing/pull/42"},
            human,
        )
    )
    assert "Evidence offered: https://git.example/billing/pull/42" in human.asked[0].message
    assert (result["outcome"], result["state"], result["owner"], result["due"]) == (
        "completed",
        "done",
        "dana",
        "2027-01-15",
    )
    decision = store.decisions()[-1]
    assert (decision.kind, decision.evidence, decision.owner) == (
        DecisionKind.COMPLETE,
        "https://git.example/billing/pull/42",
        "dana",
    )
    assert store.get_action(ids[0]).state is ActionState.DONE


async def test_reopening_a_done_item_returns_it_to_accepted_with_its_owner_and_due_date(
    server: MCPServer, store: Store, ids: list[int], mode: str
) -> None:
    await accept(server, mode, ids[0], "dana", "2027-01-15")
    outcome(
        await call(
            server, mode, "complete_action", {"action_id": ids[0], "evidence": "PR #42"}, Human(answering(confirm=True))
        )
    )
    result = outcome(
        await call(
            server,
            mode,
            "reopen_action",
            {"action_id": ids[0], "reason": "The alert did not fire in the game day"},
            Human(answering(confirm=True)),
        )
    )
    assert (result["outcome"], result["state"], result["owner"], result["due"]) == (
        "reopened",
        "accepted",
        "dana",
        "2027-01-15",
    )
    assert [d.kind for d in store.decisions()] == [DecisionKind.ACCEPT, DecisionKind.COMPLETE, DecisionKind.REOPEN]
    assert store.decisions()[-1].reason == "The alert did not fire in the game day"
    assert store.verify().ok


async def test_report_status_records_in_progress_and_blocked_without_a_decision(
    server: MCPServer, store: Store, ids: list[int], mode: str
) -> None:
    await accept(server, mode, ids[0], "dana", "2027-01-15")
    decisions = store.decisions()
    started = await call(server, mode, "report_status", {"action_id": ids[0], "status": "in_progress"})
    assert not started.is_error, started.content
    assert store.get_action(ids[0]).work_status is WorkStatus.IN_PROGRESS
    blocked = await call(
        server, mode, "report_status", {"action_id": ids[0], "status": "blocked", "note": "Waiting on the infra ticket"}
    )
    assert blocked.structured_content is not None
    assert (blocked.structured_content["work_status"], blocked.structured_content["status_note"]) == (
        "blocked",
        "Waiting on the infra ticket",
    )
    action = store.get_action(ids[0])
    assert (action.state, action.owner, action.due, action.work_status, action.status_note) == (
        ActionState.ACCEPTED,
        "dana",
        date(2027, 1, 15),
        WorkStatus.BLOCKED,
        "Waiting on the infra ticket",
    )
    assert store.decisions() == decisions  # it commits no one
    entries = [e for e in store.audit_log("action", ids[0]) if e.op == "status"]
    assert [e.actor for e in entries] == ["assistant", "assistant"]
    assert entries[-1].via == "mcp:flow-test-client/1.2.3 for tester"
    assert store.verify().ok


async def test_every_question_shows_the_item_its_evidence_and_the_version_it_is_about(
    server: MCPServer, store: Store, ids: list[int], mode: str
) -> None:
    human = Human(answering(decision="defer"))
    await call(server, mode, "decide_action", {"action_id": ids[0]}, human)
    action = store.actions(ActionFilter())[0]
    message = human.asked[0].message
    assert message.startswith(f'Action #{ids[0]} from "Billing queue backlog" (SEV2): ')
    assert f"Done when: {action.done_when}" in message
    assert 'Evidence: "Add an alert on billing queue depth above 10,000 messages"' in message
    version = form_defaults(human.asked[0])["item_version"]
    assert message.endswith(f"[item {version}]")
    assert human.asked[0].requested_schema["properties"]["item_version"]["enum"] == [version]
