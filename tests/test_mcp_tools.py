"""Every tool and resource through the SDK's in-memory client, on both protocol eras (2026-07-28 and
2025-11-25): what the model sends, what it reads back, and what lands in the database file."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import anyio
import pytest
from conftest import ALL_TRACKERS
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult
from mcp_results import ok, refusal

from postmortem_actions.server.mcp.app import build_server
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionFilter, HumanDecision, Store
from postmortem_actions.tools.trackers.config import Trackers

RecordSample = Callable[[Client], Awaitable[tuple[int, list[int]]]]

pytestmark = pytest.mark.anyio


@pytest.fixture
def mode() -> str:
    """What this file checks does not depend on the protocol era: one era here (the gate's suites and the stdio
    tests run both, where the era changes how a question reaches the human)."""
    return "auto"


def error_text(result: CallToolResult, tool: str) -> str:
    """The message the model reads; a bare 'Error executing tool X' tells it nothing and fails here."""
    assert result.is_error
    text = " ".join(getattr(c, "text", "") for c in result.content)
    assert text.strip() != f"Error executing tool {tool}", "the model got no reason"
    assert len(text.removeprefix(f"Error executing tool {tool}: ")) > 15, text
    return text


def all_actions(store: Store) -> list[dict[str, Any]]:
    return [a.model_dump(mode="json") for a in store.actions(ActionFilter())]


def accept(store: Store, action_id: int, owner: str, due: date) -> None:
    store.record_decision(
        action_id,
        HumanDecision(kind="accept", owner=owner, due=due, decided_by=owner, channel="terminal", client="test"),
    )


async def read_json(client: Client, uri: str) -> dict[str, Any]:
    result = await client.read_resource(uri)
    content = result.contents[0]
    assert content.mime_type == "application/json"
    data: dict[str, Any] = json.loads(getattr(content, "text", ""))
    return data


# -- the public contract --------------------------------------------------------------------------------

EXPECTED_TOOLS: dict[str, dict[str, Any]] = {
    "parse_postmortem": {
        "annotations": {
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": True,
            "openWorldHint": False,
        },
        "properties": ["incident_date", "path", "severity", "text", "title"],
        "required": [],
    },
    "record_candidates": {
        "annotations": {
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": True,
            "openWorldHint": False,
        },
        "properties": ["candidates", "postmortem_id"],
        "required": ["candidates", "postmortem_id"],
    },
    "revise_candidate": {
        "annotations": {
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": True,
            "openWorldHint": False,
        },
        "properties": ["action_id", "changes"],
        "required": ["action_id", "changes"],
    },
    "list_actions": {
        "annotations": {"readOnlyHint": True, "openWorldHint": False},
        "properties": ["category", "due_after", "due_before", "limit", "offset", "owner", "postmortem_id", "state"],
        "required": [],
    },
    # The human gate: arguments are proposals; the human's answer is a Resolve dependency, not an argument.
    "decide_action": {
        "annotations": {
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": False,
            "openWorldHint": False,
        },
        "properties": ["action_id", "note", "proposed_due", "proposed_owner"],
        "required": ["action_id"],
    },
    "replan_action": {
        "annotations": {
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": False,
            "openWorldHint": False,
        },
        "properties": ["action_id", "new_due", "new_owner", "reason"],
        "required": ["action_id", "reason"],
    },
    "complete_action": {
        "annotations": {
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": False,
            "openWorldHint": False,
        },
        "properties": ["action_id", "evidence"],
        "required": ["action_id", "evidence"],
    },
    "reopen_action": {
        "annotations": {
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": False,
            "openWorldHint": False,
        },
        "properties": ["action_id", "reason"],
        "required": ["action_id", "reason"],
    },
    "report_status": {
        "annotations": {
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": True,
            "openWorldHint": False,
        },
        "properties": ["action_id", "note", "status"],
        "required": ["action_id", "status"],
    },
    # The review: read-only, every date injectable.
    "list_overdue": {
        "annotations": {"readOnlyHint": True, "openWorldHint": False},
        "properties": ["as_of", "category", "limit", "offset", "owner", "postmortem_id"],
        "required": [],
    },
    "review_agenda": {
        "annotations": {"readOnlyHint": True, "openWorldHint": False},
        "properties": ["as_of", "owner", "postmortem_id"],
        "required": [],
    },
    "draft_status_summary": {
        "annotations": {"readOnlyHint": True, "openWorldHint": False},
        "properties": ["as_of", "audience", "postmortem_id", "since", "until"],
        "required": [],
    },
    "followthrough_report": {
        "annotations": {"readOnlyHint": True, "openWorldHint": False},
        "properties": ["as_of", "group_by", "since", "until"],
        "required": [],
    },
    # Reminders: a preview only; sending is the `remind` command's.
    "preview_reminders": {
        "annotations": {"readOnlyHint": True, "openWorldHint": False},
        "properties": ["as_of"],
        "required": [],
    },
    # Extraction help: read-only, changes nothing.
    "lint_action": {
        "annotations": {"readOnlyHint": True, "openWorldHint": False},
        "properties": ["text"],
        "required": ["text"],
    },
    # Trackers: the preview is read-only; the others reach the outside world (openWorldHint) but never
    # take credentials, targets or owners as arguments.
    "draft_tickets": {
        "annotations": {"readOnlyHint": True, "openWorldHint": False},
        "properties": ["action_ids", "postmortem_id", "tracker"],
        "required": ["tracker"],
    },
    "export_tickets": {
        "annotations": {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True, "openWorldHint": True},
        "properties": ["action_ids", "postmortem_id", "tracker"],
        "required": ["tracker"],
    },
    "link_ticket": {
        "annotations": {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True, "openWorldHint": True},
        "properties": ["action_id", "tracker", "url"],
        "required": ["action_id", "tracker", "url"],
    },
    "sync_tickets": {
        "annotations": {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True, "openWorldHint": True},
        "properties": ["tracker"],
        "required": ["tracker"],
    },
}
CANDIDATE_FIELDS = ["category", "done_when", "problem", "proposed_due", "proposed_owner", "quote", "size", "text"]
REVISION_FIELDS = [
    "category",
    "clear",
    "done_when",
    "problem",
    "proposed_due",
    "proposed_owner",
    "quote",
    "size",
    "text",
]


async def test_the_tool_list_pins_names_annotations_and_argument_names(settings: Settings, mode: str) -> None:
    async with Client(build_server(dataclasses.replace(settings, trackers=ALL_TRACKERS)), mode=mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert list(tools) == list(EXPECTED_TOOLS)
    for name, expected in EXPECTED_TOOLS.items():
        tool = tools[name]
        assert tool.annotations is not None
        assert tool.annotations.model_dump(mode="json", by_alias=True, exclude_none=True) == expected["annotations"]
        assert sorted(tool.input_schema["properties"]) == expected["properties"], name
        assert sorted(tool.input_schema.get("required", [])) == expected["required"], name
        assert tool.output_schema is not None, name
        assert tool.output_schema.get("type") == "object", name
        assert tool.description, name
        assert tool.title, name
    defs = tools["record_candidates"].input_schema["$defs"]
    assert sorted(defs["CandidateIn"]["properties"]) == CANDIDATE_FIELDS
    assert defs["CandidateIn"]["additionalProperties"] is False
    revision = tools["revise_candidate"].input_schema["$defs"]["CandidateRevision"]
    assert sorted(revision["properties"]) == REVISION_FIELDS
    assert revision["additionalProperties"] is False


async def test_without_a_configured_tracker_only_drafting_is_offered_and_with_one_only_it(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        names = [t.name for t in (await client.list_tools()).tools]
    assert [n for n in names if "ticket" in n] == ["draft_tickets"]
    github_only = dataclasses.replace(
        settings, trackers=Trackers(configured={"github": ALL_TRACKERS.configured["github"]})
    )
    async with Client(build_server(github_only)) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert tools["export_tickets"].input_schema["properties"]["tracker"]["enum"] == ["github"]
    assert tools["draft_tickets"].input_schema["properties"]["tracker"]["enum"] == ["github", "jira", "linear"]


async def test_no_tool_argument_can_name_an_owner_due_date_or_state_to_commit(client: Client) -> None:
    gated = {"owner", "due", "due_date", "state", "assignee", "decision", "decided_by", "accepted"}
    tools = {t.name: t for t in (await client.list_tools()).tools}
    for name, tool in tools.items():
        if tool.annotations and tool.annotations.read_only_hint:
            continue  # list_actions filters by owner and state; it writes nothing
        writable = set(tool.input_schema["properties"])
        for definition in tool.input_schema.get("$defs", {}).values():
            writable |= set(definition.get("properties", {}))
        assert not writable & gated, name


async def test_only_the_listing_and_review_tools_are_read_only(client: Client) -> None:
    tools = (await client.list_tools()).tools
    read_only = {t.name for t in tools if t.annotations and t.annotations.read_only_hint}
    assert read_only == {
        "list_actions",
        "list_overdue",
        "review_agenda",
        "draft_status_summary",
        "followthrough_report",
        "preview_reminders",
        "lint_action",
        "draft_tickets",
    }


async def test_the_resource_templates_are_postmortem_its_findings_its_coverage_and_action_by_id(client: Client) -> None:
    templates = (await client.list_resource_templates()).resource_templates
    assert sorted(t.uri_template for t in templates) == [
        "action://{id}",
        "postmortem://{id}",
        "postmortem://{id}/coverage",
        "postmortem://{id}/findings",
    ]


async def test_both_protocol_eras_are_negotiated(client: Client, mode: str) -> None:
    assert client.protocol_version == ("2026-07-28" if mode == "auto" else "2025-11-25")


# -- parse_postmortem ------------------------------------------------------------------------------------


async def test_pasted_text_is_stored_with_the_title_severity_and_date_it_states(
    client: Client, store: Store, sample_text: str
) -> None:
    parsed = ok(await client.call_tool("parse_postmortem", {"text": sample_text}))
    assert parsed["created"] is True
    assert parsed["title"] == "Billing queue backlog"
    assert parsed["severity"] == "SEV2"
    assert parsed["incident_date"] == "2026-03-04"
    assert parsed["source"] == "pasted"
    assert parsed["chars"] == len(sample_text)
    assert parsed["sha256"] == hashlib.sha256(sample_text.encode()).hexdigest()
    assert "record_candidates" in parsed["next_step"]
    stored = store.get_postmortem(parsed["postmortem_id"])
    assert stored.text == sample_text


async def test_given_title_severity_and_date_override_what_the_text_states(client: Client, sample_text: str) -> None:
    parsed = ok(
        await client.call_tool(
            "parse_postmortem",
            {
                "text": sample_text,
                "title": "  Invoices sent twice  ",
                "severity": "sev-1",
                "incident_date": "2026-03-05",
            },
        )
    )
    assert parsed["title"] == "Invoices sent twice"
    assert parsed["severity"] == "SEV1"
    assert parsed["incident_date"] == "2026-03-05"


async def test_a_document_that_states_nothing_gets_its_first_line_as_title_and_no_severity_or_date(
    client: Client,
) -> None:
    parsed = ok(await client.call_tool("parse_postmortem", {"text": "The cache fell over.\nWe restarted it."}))
    assert parsed["title"] == "The cache fell over."
    assert parsed["severity"] is None
    assert parsed["incident_date"] is None


async def test_the_same_text_twice_returns_the_same_postmortem_and_created_false(
    client: Client, store: Store, sample_text: str
) -> None:
    first = ok(await client.call_tool("parse_postmortem", {"text": sample_text}))
    second = ok(await client.call_tool("parse_postmortem", {"text": sample_text, "title": "Another title"}))
    assert second["postmortem_id"] == first["postmortem_id"]
    assert (first["created"], second["created"]) == (True, False)
    assert second["title"] == "Billing queue backlog"
    assert len(store.list_postmortems()) == 1


async def test_a_file_inside_the_allowed_folder_is_read_by_relative_or_absolute_path(
    client: Client, docs_dir: Path, sample_text: str
) -> None:
    doc = docs_dir / "2026-03-04-billing.md"
    doc.write_text(sample_text, encoding="utf-8")
    by_name = ok(await client.call_tool("parse_postmortem", {"path": doc.name}))
    assert by_name["created"] is True
    assert by_name["source"] == str(doc.resolve())
    assert by_name["title"] == "Billing queue backlog"
    by_absolute = ok(await client.call_tool("parse_postmortem", {"path": str(doc)}))
    assert (by_absolute["postmortem_id"], by_absolute["created"]) == (by_name["postmortem_id"], False)


async def test_sections_come_back_with_offsets_that_slice_the_stored_text(
    client: Client, store: Store, sample_text: str
) -> None:
    parsed = ok(await client.call_tool("parse_postmortem", {"text": sample_text}))
    stored = store.get_postmortem(parsed["postmortem_id"]).text
    sections = parsed["sections"]
    assert [s["heading"] for s in sections] == ["Billing queue backlog", "Summary", "Action items"]
    assert [s["level"] for s in sections] == [1, 2, 2]
    assert sections[0]["start"] == 0
    assert sections[-1]["end"] == len(stored)
    for before, after in itertools.pairwise(sections):
        assert before["end"] == after["start"]
    for section in sections:
        assert not section["truncated"]
        assert stored[section["start"] : section["end"]] == section["text"]
        assert section["text"].lstrip("# ").startswith(section["heading"])


async def test_html_sections_also_slice_the_stored_text(client: Client, store: Store) -> None:
    page = (
        "<!doctype html><html><head><title>Wiki export</title></head><body><h1>DNS outage</h1>"
        "<p>Resolvers timed out.</p><h2>Action items</h2><ul><li>We will add a resolver latency alert.</li>"
        "</ul></body></html>"
    )
    parsed = ok(await client.call_tool("parse_postmortem", {"text": page}))
    assert parsed["title"] == "DNS outage"
    assert [s["heading"] for s in parsed["sections"]] == ["", "DNS outage", "Action items"]
    for section in parsed["sections"]:
        assert page[section["start"] : section["end"]] == section["text"]


async def test_a_long_document_has_its_section_texts_cut_and_points_at_the_full_text(
    client: Client, store: Store
) -> None:
    text = "".join(f"## Part {i}\n\n" + "The pager stayed quiet. " * 860 + "\n\n" for i in range(3))
    parsed = ok(await client.call_tool("parse_postmortem", {"text": text}))
    assert parsed["chars"] == len(text)
    sections = parsed["sections"]
    assert sections[-1]["truncated"] is True
    assert sum(len(s["text"]) for s in sections) < len(text)
    assert f"postmortem://{parsed['postmortem_id']}" in parsed["next_step"]
    for section in sections:
        assert text[section["start"] : section["end"]].startswith(section["text"])
    assert store.get_postmortem(parsed["postmortem_id"]).text == text


# -- record_candidates -----------------------------------------------------------------------------------


async def test_candidates_with_evidence_are_recorded_and_one_without_is_rejected_by_name(
    client: Client, store: Store, sample_text: str, sample_candidates: list[dict[str, Any]]
) -> None:
    pm = ok(await client.call_tool("parse_postmortem", {"text": sample_text}))["postmortem_id"]
    invented = {
        **sample_candidates[0],
        "text": "Double the billing database's memory",
        "quote": "we agreed to double the memory of the billing database",
    }
    result = ok(
        await client.call_tool(
            "record_candidates", {"postmortem_id": pm, "candidates": [*sample_candidates[:2], invented]}
        )
    )
    assert [(r["index"], r["status"]) for r in result["recorded"]] == [(0, "recorded"), (1, "recorded")]
    assert [(r["index"], r["text"]) for r in result["rejected"]] == [(2, "Double the billing database's memory")]
    assert "does not occur in the postmortem" in result["rejected"][0]["reason"]
    assert "rejected 1" in result["message"]
    assert [a["text"] for a in all_actions(store)] == [c["text"] for c in sample_candidates[:2]]


async def test_quote_matching_ignores_case_and_whitespace_and_stores_the_documents_own_words(
    client: Client, store: Store, sample_text: str, sample_candidates: list[dict[str, Any]]
) -> None:
    pm = ok(await client.call_tool("parse_postmortem", {"text": sample_text}))["postmortem_id"]
    sloppy = {**sample_candidates[0], "quote": "  ADD an ALERT   on billing\n\tqueue DEPTH  "}
    result = ok(await client.call_tool("record_candidates", {"postmortem_id": pm, "candidates": [sloppy]}))
    assert result["rejected"] == []
    action = store.get_action(result["recorded"][0]["action_id"])
    assert action.quote == "Add an alert on billing queue depth"
    assert sample_text[action.quote_start : action.quote_end] == action.quote


async def test_stored_evidence_offsets_slice_the_document_exactly(
    client: Client, store: Store, record_sample: RecordSample, sample_text: str, sample_candidates: list[dict[str, Any]]
) -> None:
    pm, ids = await record_sample(client)
    stored_text = store.get_postmortem(pm).text
    for action_id, candidate in zip(ids, sample_candidates, strict=True):
        action = store.get_action(action_id)
        assert stored_text[action.quote_start : action.quote_end] == action.quote
        assert action.quote.lower() == candidate["quote"].lower()


async def test_resubmitting_candidates_reports_already_recorded_without_duplicates(
    client: Client, store: Store, record_sample: RecordSample, sample_candidates: list[dict[str, Any]]
) -> None:
    pm, ids = await record_sample(client)
    again = [{**c, "text": c["text"].upper()} if i == 0 else c for i, c in enumerate(sample_candidates)]
    result = ok(await client.call_tool("record_candidates", {"postmortem_id": pm, "candidates": again}))
    assert [r["status"] for r in result["recorded"]] == ["already_recorded"] * len(ids)
    assert [r["action_id"] for r in result["recorded"]] == ids
    assert "Recorded 0 new" in result["message"]
    assert len(all_actions(store)) == len(ids)


async def test_resubmitting_a_candidate_with_different_inner_spacing_is_not_duplicated(
    client: Client, store: Store, record_sample: RecordSample, sample_candidates: list[dict[str, Any]]
) -> None:
    pm, ids = await record_sample(client)
    respaced = {**sample_candidates[0], "text": sample_candidates[0]["text"].replace(" ", "  ")}
    result = ok(await client.call_tool("record_candidates", {"postmortem_id": pm, "candidates": [respaced]}))
    assert len(all_actions(store)) == len(ids)
    assert result["recorded"][0]["status"] == "already_recorded"


async def test_parallel_identical_submissions_record_each_candidate_once(
    client: Client, store: Store, sample_text: str, sample_candidates: list[dict[str, Any]]
) -> None:
    pm = ok(await client.call_tool("parse_postmortem", {"text": sample_text}))["postmortem_id"]
    statuses: list[str] = []

    async def submit(candidate: dict[str, Any]) -> None:
        result = ok(await client.call_tool("record_candidates", {"postmortem_id": pm, "candidates": [candidate]}))
        statuses.append(result["recorded"][0]["status"])

    # One round of 8 parallel calls sometimes happens to serialise; five rounds make the race certain.
    with anyio.fail_after(60):
        for candidate in sample_candidates:
            async with anyio.create_task_group() as group:
                for _ in range(8):
                    group.start_soon(submit, candidate)
    assert len(all_actions(store)) == len(sample_candidates)
    assert statuses.count("recorded") == len(sample_candidates)


async def test_proposed_owner_and_due_are_stored_as_proposals_and_commit_nothing(
    client: Client, store: Store, sample_text: str, sample_candidates: list[dict[str, Any]]
) -> None:
    pm = ok(await client.call_tool("parse_postmortem", {"text": sample_text}))["postmortem_id"]
    proposal = {**sample_candidates[0], "proposed_owner": "dana", "proposed_due": "2026-04-30", "size": "S"}
    result = ok(await client.call_tool("record_candidates", {"postmortem_id": pm, "candidates": [proposal]}))
    action = store.get_action(result["recorded"][0]["action_id"])
    assert (action.proposed_owner, action.proposed_due) == ("dana", date(2026, 4, 30))
    assert (action.state, action.owner, action.due, action.decision_id) == ("candidate", None, None, None)
    assert store.decisions() == []
    assert "committed only by a human decision" in result["message"]
    listed = ok(await client.call_tool("list_actions", {"owner": "dana"}))
    assert listed["total"] == 0  # the owner filter matches committed owners only


# -- revise_candidate ------------------------------------------------------------------------------------


async def test_revising_a_candidate_changes_it_and_the_action_resource_shows_the_audit_entry(
    client: Client, store: Store, record_sample: RecordSample, sample_candidates: list[dict[str, Any]]
) -> None:
    _, ids = await record_sample(client)
    new_text = "Page billing on-call when queue depth exceeds 5,000 messages for 5 minutes"
    revised = ok(
        await client.call_tool(
            "revise_candidate",
            {"action_id": ids[0], "changes": {"text": new_text, "size": "M", "proposed_owner": "lee"}},
        )
    )
    assert (revised["text"], revised["size"], revised["proposed_owner"]) == (new_text, "M", "lee")
    assert (revised["state"], revised["owner"], revised["due"]) == ("candidate", None, None)
    assert store.get_action(ids[0]).text == new_text

    resource = await read_json(client, f"action://{ids[0]}")
    assert resource["action"]["text"] == new_text
    assert resource["decisions"] == []
    ops = [(e["op"], e["actor"]) for e in resource["audit"]]
    assert ops == [("create", "assistant"), ("revise", "assistant")]
    last = resource["audit"][-1]
    assert last["changes"]["text"] == [sample_candidates[0]["text"], new_text]
    assert last["changes"]["proposed_owner"] == [None, "lee"]
    assert "tester" in last["via"]


async def test_revising_the_quote_relocates_the_evidence_in_the_document(
    client: Client, store: Store, record_sample: RecordSample, sample_text: str
) -> None:
    _, ids = await record_sample(client)
    revised = ok(
        await client.call_tool(
            "revise_candidate",
            {"action_id": ids[0], "changes": {"quote": "the billing queue backed up for forty minutes"}},
        )
    )
    assert sample_text[revised["quote_start"] : revised["quote_end"]] == revised["quote"]
    assert revised["quote"] == "The billing queue backed up for forty minutes"


async def test_clearing_a_proposal_empties_it(
    client: Client, store: Store, sample_text: str, sample_candidates: list[dict[str, Any]]
) -> None:
    pm = ok(await client.call_tool("parse_postmortem", {"text": sample_text}))["postmortem_id"]
    proposal = {**sample_candidates[0], "proposed_owner": "dana", "proposed_due": "2026-04-30"}
    action_id = ok(await client.call_tool("record_candidates", {"postmortem_id": pm, "candidates": [proposal]}))[
        "recorded"
    ][0]["action_id"]
    revised = ok(
        await client.call_tool(
            "revise_candidate", {"action_id": action_id, "changes": {"clear": ["proposed_owner", "proposed_due"]}}
        )
    )
    assert (revised["proposed_owner"], revised["proposed_due"]) == (None, None)


async def test_an_accepted_action_cannot_be_revised_and_the_error_says_what_to_do(
    client: Client, store: Store, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(client)
    accept(store, ids[0], "alice", date(2026, 5, 1))
    before = store.get_action(ids[0])
    result = await client.call_tool("revise_candidate", {"action_id": ids[0], "changes": {"text": "Something else"}})
    text = error_text(result, "revise_candidate")
    assert "only candidates can be revised" in text
    assert "human decision" in text
    assert store.get_action(ids[0]) == before

    resource = await read_json(client, f"action://{ids[0]}")
    assert [(d["kind"], d["channel"], d["owner"]) for d in resource["decisions"]] == [("accept", "terminal", "alice")]
    assert [e["op"] for e in resource["audit"]] == ["create"]


# -- list_actions ----------------------------------------------------------------------------------------


@pytest.fixture
async def decided(client: Client, store: Store, record_sample: RecordSample) -> tuple[int, int, list[int]]:
    """Five sample actions (1 accepted by alice due 04-01, 2 accepted by Bob due 06-01, 3 killed, 4-5
    candidates) and a second postmortem with one candidate."""
    pm, ids = await record_sample(client)
    accept(store, ids[0], "alice", date(2026, 4, 1))
    accept(store, ids[1], "Bob", date(2026, 6, 1))
    store.record_decision(
        ids[2], HumanDecision(kind="kill", reason="covered by the retry cap", decided_by="alice", channel="terminal")
    )
    other_text = "# Cache outage\n\nWe will add a cache hit-rate alert to the edge dashboard.\n"
    other = ok(await client.call_tool("parse_postmortem", {"text": other_text}))["postmortem_id"]
    extra = ok(
        await client.call_tool(
            "record_candidates",
            {
                "postmortem_id": other,
                "candidates": [
                    {
                        "text": "Alert when the edge cache hit rate drops below 80%",
                        "done_when": "A drill pages",
                        "problem": "Silent cache failures",
                        "category": "detect",
                        "quote": "add a cache hit-rate alert",
                    }
                ],
            },
        )
    )
    return pm, other, [*ids, extra["recorded"][0]["action_id"]]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [0, 1, 2, 3, 4, 5]),
        ({"state": "accepted"}, [0, 1]),
        ({"state": "killed"}, [2]),
        ({"state": "candidate"}, [3, 4, 5]),
        ({"state": "done"}, []),
        ({"owner": "ALICE"}, [0]),
        ({"owner": "bob"}, [1]),
        ({"category": "mitigate"}, [1, 2]),
        ({"category": "detect"}, [0, 5]),
        ({"due_before": "2026-05-01"}, [0]),
        ({"due_after": "2026-05-01"}, [1]),
        ({"due_after": "2026-04-01"}, [1]),
        ({"due_before": "2026-06-01", "due_after": "2026-03-31"}, [0]),
        ({"state": "candidate", "category": "detect"}, [5]),
    ],
    ids=lambda v: json.dumps(v) if isinstance(v, dict) else None,
)
async def test_list_actions_applies_every_filter_with_the_exact_total(
    client: Client, decided: tuple[int, int, list[int]], filters: dict[str, Any], expected: list[int]
) -> None:
    _, _, ids = decided
    page = ok(await client.call_tool("list_actions", filters))
    assert [a["id"] for a in page["items"]] == [ids[i] for i in expected]
    assert page["total"] == len(expected)
    assert page["next_offset"] is None


async def test_list_actions_filters_by_postmortem(client: Client, decided: tuple[int, int, list[int]]) -> None:
    first, second, ids = decided
    assert [a["id"] for a in ok(await client.call_tool("list_actions", {"postmortem_id": first}))["items"]] == ids[:5]
    assert [a["id"] for a in ok(await client.call_tool("list_actions", {"postmortem_id": second}))["items"]] == ids[5:]
    # An unknown postmortem is refused like everywhere else, not answered with an exact-looking total of 0.
    text = refusal(await client.call_tool("list_actions", {"postmortem_id": second + 1}), "list_actions")
    assert f"no postmortem has id {second + 1}" in text


async def test_list_actions_pages_with_exact_totals_and_next_offsets(
    client: Client, decided: tuple[int, int, list[int]]
) -> None:
    _, _, ids = decided
    seen: list[int] = []
    offsets: list[int | None] = []
    offset: int | None = 0
    while offset is not None:
        page = ok(await client.call_tool("list_actions", {"limit": 4, "offset": offset}))
        assert (page["total"], page["limit"], page["offset"]) == (6, 4, offset)
        seen += [a["id"] for a in page["items"]]
        offset = page["next_offset"]
        offsets.append(offset)
    assert seen == ids
    assert offsets == [4, None]
    beyond = ok(await client.call_tool("list_actions", {"offset": 50}))
    assert (beyond["items"], beyond["total"], beyond["next_offset"]) == ([], 6, None)


async def test_a_page_ending_exactly_at_the_total_has_no_next_offset(
    client: Client, decided: tuple[int, int, list[int]]
) -> None:
    page = ok(await client.call_tool("list_actions", {"limit": 3, "offset": 3}))
    assert (len(page["items"]), page["total"], page["next_offset"]) == (3, 6, None)
    page = ok(await client.call_tool("list_actions", {"limit": 3}))
    assert page["next_offset"] == 3


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": -5}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
async def test_list_actions_refuses_a_limit_or_offset_out_of_bounds(
    client: Client, arguments: dict[str, int], field: str
) -> None:
    text = error_text(await client.call_tool("list_actions", arguments), "list_actions")
    assert field in text


async def test_list_actions_accepts_the_largest_page(client: Client, decided: tuple[int, int, list[int]]) -> None:
    page = ok(await client.call_tool("list_actions", {"limit": 200}))
    assert (page["limit"], page["total"], len(page["items"])) == (200, 6, 6)


async def test_list_actions_shows_committed_owner_and_due_only_from_human_decisions(
    client: Client, decided: tuple[int, int, list[int]], store: Store
) -> None:
    page = ok(await client.call_tool("list_actions", {"state": "accepted"}))
    assert [(a["owner"], a["due"]) for a in page["items"]] == [("alice", "2026-04-01"), ("Bob", "2026-06-01")]
    assert all(a["decision_id"] is not None for a in page["items"])
    assert store.verify().ok


# -- resources -------------------------------------------------------------------------------------------


async def test_the_postmortem_resource_returns_metadata_and_the_full_text(client: Client, sample_text: str) -> None:
    pm = ok(await client.call_tool("parse_postmortem", {"text": sample_text}))["postmortem_id"]
    data = await read_json(client, f"postmortem://{pm}")
    assert (data["id"], data["text"], data["title"], data["severity"]) == (
        pm,
        sample_text,
        "Billing queue backlog",
        "SEV2",
    )
    assert data["created_by"] == "assistant"


async def test_the_action_resource_returns_the_action_its_decisions_and_its_audit_log(
    client: Client, record_sample: RecordSample, sample_candidates: list[dict[str, Any]]
) -> None:
    _, ids = await record_sample(client)
    data = await read_json(client, f"action://{ids[1]}")
    assert set(data) == {"action", "decisions", "audit"}
    assert data["action"]["text"] == sample_candidates[1]["text"]
    assert data["action"]["state"] == "candidate"
    assert [e["op"] for e in data["audit"]] == ["create"]


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("postmortem://999", "no postmortem has id 999"),
        ("action://999", "no action has id 999"),
        ("postmortem://0", "no postmortem has id 0"),
        ("action://0", "no action has id 0"),
        ("postmortem://999/findings", "no postmortem has id 999"),
        ("postmortem://0/findings", "no postmortem has id 0"),
        ("postmortem://abc/findings", "'abc' is not a postmortem id"),
        ("postmortem://-1/findings", "'-1' is not a postmortem id"),
        ("postmortem://999/coverage", "no postmortem has id 999"),
        ("postmortem://0/coverage", "no postmortem has id 0"),
        ("postmortem://abc/coverage", "'abc' is not a postmortem id"),
    ],
)
async def test_an_unknown_id_in_a_resource_is_an_mcp_not_found_error(
    client: Client, record_sample: RecordSample, uri: str, message: str
) -> None:
    await record_sample(client)
    with pytest.raises(MCPError) as caught:
        await client.read_resource(uri)
    assert caught.value.error.code == -32602
    assert caught.value.error.message == message


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "-1",
        "1 OR 1=1",
        "1.0",
        "99999999999999999999",
        "²",
        "\u0663",
    ],
)
async def test_a_resource_id_that_is_not_a_plain_number_is_reported_as_not_found(client: Client, value: str) -> None:
    with pytest.raises(MCPError) as caught:
        await client.read_resource(f"action://{value}")
    assert caught.value.error.code == -32602
    assert "is not an id" in caught.value.error.message


# -- domain errors reach the model as readable text -----------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "arguments", "fragment"),
    [
        ("parse_postmortem", {}, "give exactly one of `text`"),
        ("parse_postmortem", {"text": "# x\n\nbody text", "path": "x.md"}, "give exactly one of `text`"),
        ("parse_postmortem", {"text": "# x\n\nbody text", "severity": "SEV9"}, "not one of SEV0..SEV5"),
        ("parse_postmortem", {"path": "missing.md"}, "does not exist"),
        (
            "record_candidates",
            {
                "postmortem_id": 999,
                "candidates": [
                    {"text": "abc", "done_when": "abc", "problem": "abc", "category": "detect", "quote": "abcdefghijkl"}
                ],
            },
            "no postmortem has id 999",
        ),
        ("revise_candidate", {"action_id": 999, "changes": {"text": "abcd"}}, "no action has id 999"),
        ("record_candidates", {"postmortem_id": 1, "candidates": []}, "candidates"),
        ("list_actions", {"state": "approved"}, "state"),
        ("list_actions", {"category": "blame"}, "category"),
    ],
)
async def test_a_domain_error_is_an_is_error_result_with_a_readable_reason(
    client: Client, tool: str, arguments: dict[str, Any], fragment: str
) -> None:
    text = error_text(await client.call_tool(tool, arguments), tool)
    assert fragment in text


async def test_a_too_short_quote_is_rejected_with_how_to_fix_it(
    client: Client, sample_text: str, sample_candidates: list[dict[str, Any]]
) -> None:
    pm = ok(await client.call_tool("parse_postmortem", {"text": sample_text}))["postmortem_id"]
    result = ok(
        await client.call_tool(
            "record_candidates", {"postmortem_id": pm, "candidates": [{**sample_candidates[0], "quote": "alert"}]}
        )
    )
    assert result["recorded"] == []
    assert "too short to be evidence" in result["rejected"][0]["reason"]


def _list_types(node: object, path: str = "") -> list[str]:
    if isinstance(node, dict):
        found = [path] if isinstance(node.get("type"), list) else []
        return found + [p for key, value in node.items() for p in _list_types(value, f"{path}/{key}")]
    if isinstance(node, list):
        return [p for index, value in enumerate(node) for p in _list_types(value, f"{path}/{index}")]
    return []


async def test_every_tool_schema_writes_nullable_fields_as_portable_anyof_branches(client: Client) -> None:
    # "type": ["string", "null"] is what the MCP Inspector's --strict check flags as non-portable.
    for tool in (await client.list_tools()).tools:
        assert _list_types(tool.input_schema) == [], tool.name
        assert _list_types(tool.output_schema or {}) == [], tool.name
