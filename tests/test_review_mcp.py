"""The review over MCP, on both protocol eras (2026-07-28 and 2025-11-25): list_overdue, review_agenda,
draft_status_summary and followthrough_report with an explicit `as_of`, what they refuse, the
actions://overdue and actions://agenda resources, and the review_meeting prompt.

The data is written through the Store API on the server's own database file, and the moments things
happened are moved to chosen days with raw SQL (the store stamps the real clock). The resources and the
prompt compute for today; their figures are checked against the tool answered for the day they name.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from mcp import Client
from mcp.types import CallToolResult, TextContent
from mcp_results import ok

from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Actor, HumanDecision, NewAction, NewPostmortem, Store, WorkStatus
from postmortem_actions.tools import followthrough as ft

pytestmark = pytest.mark.anyio


@pytest.fixture
def mode() -> str:
    """What this file checks does not depend on the protocol era: one era here (the gate's suites and the stdio
    tests run both, where the era changes how a question reaches the human)."""
    return "auto"


AS_OF = date(2025, 6, 16)
BY = Actor(actor="assistant", via="test")
QUOTE = "Add an alert on queue depth"
REVIEW_TOOLS = ("list_overdue", "review_agenda", "draft_status_summary", "followthrough_report")


def ago(days: int) -> date:
    return AS_OF - timedelta(days=days)


def ahead(days: int) -> date:
    return AS_OF + timedelta(days=days)


RECORDED = ago(100)  # when a candidate was recorded, unless said otherwise
ACCEPTED = ago(5)  # when an item was accepted, unless said otherwise


def refusal(result: CallToolResult) -> str:
    assert result.is_error
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))


class Seed:
    """Writes through the Store API on the server's file, then moves timestamps with raw SQL."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.raw = sqlite3.connect(settings.db_path, isolation_level=None)
        self.raw.execute("PRAGMA synchronous = OFF")  # test data only

    def set(self, action_id: int, column: str, moment: date) -> None:
        assert column in ("accepted_at", "completed_at", "status_at", "created_at")
        value = datetime.combine(moment, time(10, 0)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.raw.execute(f"UPDATE actions SET {column} = ? WHERE id = ?", (value, action_id))

    def postmortem(self, title: str, severity: str) -> int:
        text = f"# {title}\n\nSeverity: {severity}\n\n- {QUOTE} above 10,000 messages.\n"
        stored, _ = self.store.add_postmortem(
            NewPostmortem(
                title=title,
                source="pasted",
                text=text,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                severity=severity,
            ),
            BY,
        )
        return stored.id

    def candidate(self, postmortem_id: int, text: str, category: str = "prevent", created: date = RECORDED) -> int:
        start = self.store.get_postmortem(postmortem_id).text.index(QUOTE)
        [(action, _)] = self.store.add_actions(
            postmortem_id,
            [
                NewAction(
                    text=text,
                    done_when="It is verified",
                    problem="The incident",
                    category=category,
                    quote=QUOTE,
                    quote_start=start,
                    quote_end=start + len(QUOTE),
                )
            ],
            BY,
        )
        self.set(action.id, "created_at", created)
        return action.id

    def decide(self, action_id: int, kind: str, **values: Any) -> None:
        self.store.record_decision(
            action_id, HumanDecision(kind=kind, decided_by="alice", channel="terminal", **values)
        )

    def accepted(
        self, postmortem_id: int, text: str, owner: str, due: date, category: str = "prevent", accepted: date = ACCEPTED
    ) -> int:
        action_id = self.candidate(postmortem_id, text, category)
        self.decide(action_id, "accept", owner=owner, due=due)
        self.set(action_id, "accepted_at", accepted)
        return action_id

    def status(self, action_id: int, status: WorkStatus, note: str, reported: date) -> None:
        self.store.set_work_status(action_id, status, note, BY)
        self.set(action_id, "status_at", reported)


class Review:
    """Three postmortems at AS_OF: three overdue items, one blocked and due in 7 days, one done, one killed
    at triage, one undecided, and a SEV1 postmortem that committed only to prevention."""

    def __init__(self, seed: Seed) -> None:
        self.billing = seed.postmortem("Billing queue backlog", "SEV2")
        self.search = seed.postmortem("Search outage", "SEV1")
        self.cache = seed.postmortem("Cache stampede", "SEV1")
        self.late_30 = seed.accepted(self.search, "Alert on index lag", "dana", ago(30), "detect", accepted=ago(40))
        seed.status(self.late_30, WorkStatus.IN_PROGRESS, "vendor contract unsigned", ago(2))
        seed.raw.execute(
            "INSERT INTO tickets (action_id, tracker, ref, url) VALUES (?, 'jira', 'OPS-7', ?)",
            (self.late_30, "https://tracker.example/OPS-7"),
        )
        self.late_10 = seed.accepted(self.billing, "Cap consumer retries", "dana", ago(10))
        self.late_1 = seed.accepted(self.billing, "Page on queue depth", "lee", ago(1), "detect")
        self.blocked = seed.accepted(self.billing, "Drill the failover", "kim", ahead(7), "mitigate")
        seed.status(self.blocked, WorkStatus.BLOCKED, "waiting on infra", ago(1))
        self.done = seed.accepted(self.billing, "Add a canary", "lee", ago(2), accepted=ago(20))
        seed.decide(self.done, "complete", evidence="PR 7 merged")
        seed.set(self.done, "completed_at", ago(3))
        self.killed = seed.candidate(self.billing, "Rewrite billing", created=ago(8))
        seed.decide(self.killed, "kill", reason="duplicate")
        self.undecided = seed.candidate(self.billing, "Dashboard queue depth", "detect", created=ago(6))
        self.cache_item = seed.accepted(self.cache, "Add request coalescing", "kim", ahead(30), accepted=ago(70))


@pytest.fixture
def seed(store: Store, settings: Settings) -> Iterator[Seed]:
    seeded = Seed(store, settings)
    yield seeded
    seeded.raw.close()


@pytest.fixture
def review(seed: Seed) -> Review:
    return Review(seed)


# -- the surface --------------------------------------------------------------------------------------


async def test_the_review_tools_are_read_only_and_take_an_as_of_day(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}

    for name in REVIEW_TOOLS:
        annotations = tools[name].annotations
        assert annotations is not None
        assert (annotations.read_only_hint, annotations.open_world_hint) == (True, False), name
        as_of = tools[name].input_schema["properties"]["as_of"]
        assert "date" in json.dumps(as_of), name
        assert "as_of" not in tools[name].input_schema.get("required", []), name


async def test_the_resources_and_the_prompt_are_listed(client: Client) -> None:
    resources = {str(r.uri): r for r in (await client.list_resources()).resources}
    assert {uri: r.mime_type for uri, r in resources.items()} == {
        "actions://overdue": "application/json",
        "actions://agenda": "text/markdown",
        "reminders://today": "text/markdown",
        # What hosts that render MCP Apps show for the gated tools and for the review (server/mcp/card.py).
        "ui://postmortem-actions/decision-card.html": "text/html;profile=mcp-app",
        "ui://postmortem-actions/review-board.html": "text/html;profile=mcp-app",
    }
    prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    assert list(prompts) == ["review_meeting", "extract_actions"]
    assert [a.name for a in prompts["review_meeting"].arguments or []] == ["team"]


# -- list_overdue ---------------------------------------------------------------------------------------


async def test_list_overdue_gives_days_owner_note_and_ticket_most_overdue_first(client: Client, review: Review) -> None:
    page = ok(await client.call_tool("list_overdue", {"as_of": AS_OF.isoformat()}))

    assert (page["as_of"], page["total"], page["next_offset"]) == ("2025-06-16", 3, None)
    assert [(i["action_id"], i["days_overdue"], i["owner"], i["due"]) for i in page["items"]] == [
        (review.late_30, 30, "dana", "2025-05-17"),
        (review.late_10, 10, "dana", "2025-06-06"),
        (review.late_1, 1, "lee", "2025-06-15"),
    ]
    first = page["items"][0]
    assert (first["status_note"], first["work_status"], first["ticket"]) == (
        "vendor contract unsigned",
        "in_progress",
        "https://tracker.example/OPS-7",
    )
    assert first["postmortem_title"] == "Search outage"


async def test_list_overdue_pages_and_filters_with_exact_totals(client: Client, review: Review) -> None:
    first = ok(await client.call_tool("list_overdue", {"as_of": "2025-06-16", "limit": 2}))
    second = ok(await client.call_tool("list_overdue", {"as_of": "2025-06-16", "limit": 2, "offset": 2}))
    assert [(p["total"], p["next_offset"], len(p["items"])) for p in (first, second)] == [(3, 2, 2), (3, None, 1)]
    assert [i["action_id"] for i in first["items"] + second["items"]] == [review.late_30, review.late_10, review.late_1]

    by_owner = ok(await client.call_tool("list_overdue", {"as_of": "2025-06-16", "owner": "DANA"}))
    assert ([i["action_id"] for i in by_owner["items"]], by_owner["total"]) == ([review.late_30, review.late_10], 2)
    by_postmortem = ok(
        await client.call_tool(
            "list_overdue", {"as_of": "2025-06-16", "postmortem_id": review.billing, "category": "detect"}
        )
    )
    assert ([i["action_id"] for i in by_postmortem["items"]], by_postmortem["total"]) == ([review.late_1], 1)
    earlier = ok(await client.call_tool("list_overdue", {"as_of": "2025-06-06"}))
    assert [(i["action_id"], i["days_overdue"]) for i in earlier["items"]] == [(review.late_30, 20)]


# -- review_agenda --------------------------------------------------------------------------------------


async def test_review_agenda_gives_the_sections_in_order_with_exact_totals(client: Client, review: Review) -> None:
    agenda = ok(await client.call_tool("review_agenda", {"as_of": "2025-06-16"}))

    assert [(s["key"], s["title"], s["total"]) for s in agenda["sections"]] == [
        ("overdue", "Overdue", 3),
        ("blocked", "Blocked", 1),
        ("due_soon", "Due in the next 7 days", 1),
        ("undecided", "Candidates still undecided", 1),
        ("stale", "No status report in 14 days", 1),
        ("completed", "Completed in the last 14 days", 1),
    ]
    sections = {s["key"]: s["items"] for s in agenda["sections"]}
    assert [(i["action_id"], i["prompt"]) for i in sections["overdue"]] == [
        (review.late_30, "30 days overdue, what is blocking it?"),
        (review.late_10, "10 days overdue, what is blocking it?"),
        (review.late_1, "1 day overdue, what is blocking it?"),
    ]
    assert [i["action_id"] for i in sections["blocked"]] == [review.blocked]
    assert [i["action_id"] for i in sections["due_soon"]] == [review.blocked]
    assert [(i["action_id"], i["age_days"]) for i in sections["undecided"]] == [(review.undecided, 6)]
    assert [(i["action_id"], i["days_since_report"]) for i in sections["stale"]] == [(review.cache_item, 70)]
    assert [i["action_id"] for i in sections["completed"]] == [review.done]
    assert agenda["markdown"].startswith("# Action-item review, 2025-06-16\n")
    assert "30 days overdue, what is blocking it?" in agenda["markdown"]


async def test_review_agenda_filters_by_owner_and_postmortem(client: Client, review: Review) -> None:
    mine = ok(await client.call_tool("review_agenda", {"as_of": "2025-06-16", "owner": "KIM"}))
    assert [s["total"] for s in mine["sections"]] == [0, 1, 1, 0, 1, 0]

    search = ok(await client.call_tool("review_agenda", {"as_of": "2025-06-16", "postmortem_id": review.search}))
    assert [s["total"] for s in search["sections"]] == [1, 0, 0, 0, 0, 0]


# -- draft_status_summary -------------------------------------------------------------------------------


async def test_draft_status_summary_counts_states_lists_open_items_and_changes(client: Client, review: Review) -> None:
    # The decisions carry the real clock: a window around today holds them, one before it holds none.
    today = datetime.now(UTC).date()
    window = {"since": (today - timedelta(days=1)).isoformat(), "until": (today + timedelta(days=2)).isoformat()}

    summary = ok(
        await client.call_tool(
            "draft_status_summary", {"as_of": "2025-06-16", "postmortem_id": review.billing, **window}
        )
    )

    assert summary["counts"] == {"candidate": 1, "accepted": 3, "done": 1, "killed": 1}
    assert (summary["open_total"], summary["overdue_total"]) == (3, 2)
    assert [
        (i["action_id"], i["owner"], i["due"], i["days_overdue"], i["work_status"], i["status_note"])
        for i in summary["open_items"]
    ] == [
        (review.late_10, "dana", "2025-06-06", 10, None, None),
        (review.late_1, "lee", "2025-06-15", 1, None, None),
        (review.blocked, "kim", "2025-06-23", None, "blocked", "waiting on infra"),
    ]
    # Four acceptances, a completion, a kill and one status report.
    assert summary["changes_total"] == 7
    assert sorted(c["what"] for c in summary["changes"]) == [
        "accept",
        "accept",
        "accept",
        "accept",
        "complete",
        "kill",
        "status: blocked",
    ]
    assert "3 open, 1 done, 1 undecided, 1 killed; 2 overdue." in summary["markdown"]
    assert "## Open items (3)" in summary["markdown"]

    before = ok(
        await client.call_tool(
            "draft_status_summary",
            {
                "as_of": "2025-06-16",
                "since": (today - timedelta(days=30)).isoformat(),
                "until": (today - timedelta(days=1)).isoformat(),
            },
        )
    )
    assert (before["changes_total"], before["changes"]) == (0, [])
    assert before["counts"] == {"candidate": 1, "accepted": 5, "done": 1, "killed": 1}


async def test_draft_status_summary_for_leadership_is_the_counts_and_the_overdue(
    client: Client, review: Review
) -> None:
    summary = ok(
        await client.call_tool(
            "draft_status_summary", {"as_of": "2025-06-16", "audience": "leadership", "postmortem_id": review.billing}
        )
    )

    assert (summary["audience"], summary["since"], summary["until"]) == ("leadership", "2025-06-09", "2025-06-17")
    assert summary["markdown"] == (
        "# Action items: status on 2025-06-16\n\n"
        "3 open, 1 done, 1 undecided, 1 killed; 2 overdue.\n\n"
        f"- #{review.late_10} Cap consumer retries — dana, due 2025-06-06, 10 days overdue\n"
        f"- #{review.late_1} Page on queue depth — lee, due 2025-06-15, 1 day overdue\n"
    )


async def test_draft_status_summary_of_an_unknown_postmortem_is_an_error(client: Client, review: Review) -> None:
    text = refusal(await client.call_tool("draft_status_summary", {"as_of": "2025-06-16", "postmortem_id": 99}))

    assert "no postmortem has id 99" in text


# -- followthrough_report -------------------------------------------------------------------------------


async def test_followthrough_report_gives_exact_figures_and_the_prevention_only_warning(
    client: Client, review: Review
) -> None:
    report = ok(await client.call_tool("followthrough_report", {"as_of": "2025-06-16"}))

    total = report["total"]
    assert (
        total["accepted"],
        total["done"],
        total["done_on_time"],
        total["killed"],
        total["open"],
        total["overdue"],
    ) == (6, 1, 1, 1, 5, 3)
    assert total["completion_rate"] == round(1 / 6, 4)  # the killed item is not in the denominator
    assert total["median_days_to_done"] == 17.0
    assert total["aging"] == {"0-30": 3, "31-60": 1, "61-90": 1, "90+": 0}
    assert total["categories"] == {"prevent": 3, "detect": 2, "mitigate": 1, "process": 0}
    assert [g["key"] for g in report["groups"]] == ["#1 Billing queue backlog", "#2 Search outage", "#3 Cache stampede"]
    assert report["warnings"] == [
        "3 item(s) overdue on 2025-06-16: dana 2, lee 1",
        "1 item(s) blocked: #4 Drill the failover (kim): waiting on infra",
        "1 candidate(s) still await a human decision (accept, kill or defer)",
        f"#{review.cache} Cache stampede: a SEV1/SEV2 postmortem with no detect or mitigate item "
        "(only prevent/process)",
    ]
    assert (report["overdue_total"], report["blocked_total"], report["undecided_total"]) == (3, 1, 1)
    assert [i["owner"] for i in report["overdue_items"]] == ["dana", "dana", "lee"]  # most overdue first
    assert [(m["month"], m["accepted"], m["done"], m["on_time"]) for m in report["by_month"]] == [
        ("2025-04", 1, 0, 0),
        ("2025-05", 2, 1, 1),
        ("2025-06", 3, 0, 0),
    ]


@pytest.mark.parametrize(
    ("group_by", "keys"),
    [
        ("postmortem", ["#1 Billing queue backlog", "#2 Search outage", "#3 Cache stampede"]),
        ("owner", ["(no owner)", "dana", "kim", "lee"]),
        ("category", ["detect", "mitigate", "prevent"]),
        ("severity", ["SEV1", "SEV2"]),
    ],
)
async def test_followthrough_report_groups_the_same_totals_every_way(
    client: Client, review: Review, group_by: str, keys: list[str]
) -> None:
    report = ok(await client.call_tool("followthrough_report", {"as_of": "2025-06-16", "group_by": group_by}))

    assert report["group_by"] == group_by
    assert [g["key"] for g in report["groups"]] == keys
    for field in ("accepted", "done", "done_on_time", "killed", "open", "overdue"):
        assert sum(g[field] for g in report["groups"]) == report["total"][field], field
    assert report["total"]["accepted"] == 6


async def test_followthrough_report_window_counts_items_accepted_in_it(client: Client, review: Review) -> None:
    report = ok(
        await client.call_tool(
            "followthrough_report",
            {"as_of": "2025-06-16", "since": "2025-05-01", "until": "2025-06-01", "group_by": "severity"},
        )
    )

    # Accepted in May: late_30 (SEV1, overdue) and done (SEV2, on time).
    assert (report["since"], report["until"]) == ("2025-05-01", "2025-06-01")
    assert [(g["key"], g["accepted"], g["done_on_time"], g["overdue"]) for g in report["groups"]] == [
        ("SEV1", 1, 0, 1),
        ("SEV2", 1, 1, 0),
    ]
    assert report["total"]["completion_rate"] == 0.5
    # In that window billing's only commitment is a prevent item.
    assert report["warnings"] == [
        "3 item(s) overdue on 2025-06-16: dana 2, lee 1 (all items, not only those accepted in the window)",
        "1 item(s) blocked: #4 Drill the failover (kim): waiting on infra (all items, not only those accepted in "
        "the window)",
        "1 candidate(s) still await a human decision (accept, kill or defer) (all items, not only those accepted in "
        "the window)",
        f"#{review.billing} Billing queue backlog: a SEV1/SEV2 postmortem with no detect "
        "or mitigate item (only prevent/process)",
    ]


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("list_overdue", {"as_of": "2025-06-16", "owner": "dana", "limit": 1}),
        ("review_agenda", {"as_of": "2025-06-16"}),
        ("draft_status_summary", {"as_of": "2025-06-16", "since": "2025-06-01", "until": "2025-06-17"}),
        ("followthrough_report", {"as_of": "2025-06-16", "group_by": "owner", "since": "2025-04-01"}),
    ],
)
async def test_each_tool_answers_exactly_what_the_tools_layer_computes(
    client: Client, store: Store, review: Review, tool: str, arguments: dict[str, Any]
) -> None:
    answer = ok(await client.call_tool(tool, arguments))

    kwargs: dict[str, Any] = {
        k: date.fromisoformat(v) if k in ("as_of", "since", "until") else v for k, v in arguments.items()
    }
    expected = getattr(ft, tool)(store, **kwargs)
    assert answer == expected.model_dump(mode="json")


# -- what the tools refuse ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "argument"),
    [
        ("list_overdue", "state"),
        ("review_agenda", "per_section"),
        ("draft_status_summary", "limit"),
        ("followthrough_report", "owner"),
    ],
)
async def test_an_unknown_argument_is_refused_by_name(client: Client, review: Review, tool: str, argument: str) -> None:
    text = refusal(await client.call_tool(tool, {"as_of": "2025-06-16", argument: "accepted"}))

    assert text.startswith(f"Nothing was changed: {tool} has no argument(s) {argument}. Its arguments are: ")
    assert "as_of" in text


@pytest.mark.parametrize(
    ("tool", "argument", "value"),
    [
        ("list_overdue", "as_of", "2025-13-01"),
        ("list_overdue", "as_of", "yesterday"),
        ("review_agenda", "as_of", "16/06/2025"),
        ("draft_status_summary", "since", "2025-02-30"),
        ("draft_status_summary", "until", "next week"),
        ("followthrough_report", "since", "2025-00-10"),
        ("followthrough_report", "until", "June"),
    ],
)
async def test_a_malformed_date_is_refused_with_a_readable_error(
    client: Client, review: Review, tool: str, argument: str, value: str
) -> None:
    arguments = {"as_of": "2025-06-16", argument: value}

    text = refusal(await client.call_tool(tool, arguments))

    assert argument in text
    assert f"{value!r} is not a date: write it as YYYY-MM-DD" in text
    assert "errors.pydantic.dev" not in text


@pytest.mark.parametrize(
    ("tool", "argument", "value"),
    [
        ("list_overdue", "as_of", "0001-01-01"),
        ("list_overdue", "as_of", "9999-12-31"),
        ("review_agenda", "as_of", "9999-12-31"),
        ("review_agenda", "as_of", "1969-12-31"),
        ("draft_status_summary", "as_of", "9999-12-31"),
        ("draft_status_summary", "since", "0001-01-01"),
        ("draft_status_summary", "until", "3000-01-01"),
        ("followthrough_report", "as_of", "0001-01-01"),
        ("followthrough_report", "since", "0001-01-01"),
        ("followthrough_report", "until", "9999-12-31"),
    ],
)
async def test_a_day_outside_the_supported_range_is_refused_naming_the_argument_and_the_range(
    client: Client, review: Review, tool: str, argument: str, value: str
) -> None:
    arguments = {"as_of": "2025-06-16", argument: value}

    text = refusal(await client.call_tool(tool, arguments))

    assert f"{argument} must be between 1970-01-01 and 2999-12-31, not {value}" in text


@pytest.mark.parametrize("tool", ["draft_status_summary", "followthrough_report"])
async def test_a_window_that_ends_before_it_starts_is_refused(client: Client, review: Review, tool: str) -> None:
    text = refusal(await client.call_tool(tool, {"as_of": "2025-06-16", "since": "2025-06-10", "until": "2025-06-01"}))

    assert "until (2025-06-01) must be after since (2025-06-10)" in text


@pytest.mark.parametrize(
    ("tool", "arguments", "words"),
    [
        ("followthrough_report", {"group_by": "team"}, "'postmortem', 'owner', 'category' or 'severity'"),
        ("draft_status_summary", {"audience": "board"}, "'engineering' or 'leadership'"),
        ("list_overdue", {"limit": 500}, "less than or equal to 200"),
        ("list_overdue", {"category": "blame"}, "'prevent', 'detect', 'mitigate' or 'process'"),
    ],
)
async def test_values_outside_the_choices_are_refused_naming_them(
    client: Client, tool: str, arguments: dict[str, Any], words: str
) -> None:
    text = refusal(await client.call_tool(tool, {"as_of": "2025-06-16", **arguments}))

    assert words in text


# -- resources and prompt (they compute for today) ------------------------------------------------------


@pytest.fixture
def long_overdue(seed: Seed) -> list[int]:
    """Two items overdue whatever today is, and one that never is."""
    pm = seed.postmortem("Billing queue backlog", "SEV2")
    first = seed.accepted(pm, "Cap consumer retries", "dana", date(2001, 1, 1))
    second = seed.accepted(pm, "Page on queue depth", "lee", date(2001, 2, 1), "detect")
    seed.accepted(pm, "Drill the failover", "kim", date(2999, 1, 1), "mitigate")
    return [first, second]


def agenda_day(markdown: str) -> str:
    found = re.match(r"# Action-item review, (\d{4}-\d{2}-\d{2})\n", markdown)
    assert found, markdown[:80]
    return found.group(1)


async def test_the_overdue_resource_is_todays_overdue_list_with_the_exact_total(
    client: Client, long_overdue: list[int]
) -> None:
    content = (await client.read_resource("actions://overdue")).contents[0]
    assert content.mime_type == "application/json"
    data = json.loads(getattr(content, "text", ""))

    as_of = date.fromisoformat(data["as_of"])
    assert (data["total"], data["limit"], data["next_offset"]) == (2, 200, None)
    assert [(i["action_id"], i["days_overdue"]) for i in data["items"]] == [
        (long_overdue[0], (as_of - date(2001, 1, 1)).days),
        (long_overdue[1], (as_of - date(2001, 2, 1)).days),
    ]
    assert data == ok(await client.call_tool("list_overdue", {"as_of": data["as_of"], "limit": 200}))


async def test_the_agenda_resource_is_todays_agenda_in_markdown(client: Client, long_overdue: list[int]) -> None:
    content = (await client.read_resource("actions://agenda")).contents[0]
    assert content.mime_type == "text/markdown"
    markdown = getattr(content, "text", "")

    day = agenda_day(markdown)
    assert "## Overdue (2)" in markdown
    days = (date.fromisoformat(day) - date(2001, 1, 1)).days
    assert (
        f"- #{long_overdue[0]} Cap consumer retries — dana, due 2001-01-01. {days} days overdue, what is "
        "blocking it?" in markdown
    )
    assert markdown == ok(await client.call_tool("review_agenda", {"as_of": day}))["markdown"]


async def test_the_review_meeting_prompt_walks_todays_agenda_and_forbids_estimates(
    client: Client, long_overdue: list[int]
) -> None:
    prompt = await client.get_prompt("review_meeting", {"team": "the billing team"})

    [message] = prompt.messages
    assert message.role == "user"
    assert isinstance(message.content, TextContent)
    text = message.content.text
    assert text.startswith("Help the billing team run its postmortem action-item review.")
    assert "never estimate a number" in text
    assert "Do not mark anything done, assigned or re-planned yourself." in text
    agenda = text[text.index("# Action-item review, ") :]
    assert agenda == ok(await client.call_tool("review_agenda", {"as_of": agenda_day(agenda)}))["markdown"]
    assert "## Overdue (2)" in agenda
