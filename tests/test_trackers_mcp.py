"""The tracker tools end to end: the real server over the SDK's in-memory client, the real store, and a
vendor-like GitHub behind httpx2's MockTransport. Only accepted items are filed, never twice; a batch that
fails half way keeps what it created; a close by a named person becomes their decision; no credential is
ever shown."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx2
import pytest
from conftest import RecordSample, with_trackers
from fake_github import FakeGitHub, github_error
from mcp import Client
from mcp_results import ok, refusal, text_of

from postmortem_actions.server.mcp.app import build_server
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionState, Channel, DecisionKind, HumanDecision, Store

pytestmark = pytest.mark.anyio


@pytest.fixture
def mode() -> str:
    """What this file checks does not depend on the protocol era: one era here (the gate's suites and the stdio
    tests run both, where the era changes how a question reaches the human)."""
    return "auto"


TOKEN = "ghp_s3cret_token_value_123"
REPO = "acme/billing"


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeGitHub:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("POSTMORTEM_ACTIONS_GITHUB_REPO", REPO)
    monkeypatch.setenv("POSTMORTEM_ACTIONS_TRACKERS", str(tmp_path / "no-trackers.toml"))
    return FakeGitHub(token=TOKEN, repos=[REPO], assignable=["dana"])


@pytest.fixture
async def tracked(settings: Settings, mode: str, github: FakeGitHub) -> AsyncIterator[Client]:
    server = build_server(with_trackers(settings), tracker_transport=httpx2.MockTransport(github))
    async with Client(server, mode=mode) as connected:
        yield connected


def accept(store: Store, action_id: int, owner: str = "dana") -> None:
    store.record_decision(
        action_id,
        HumanDecision(
            kind=DecisionKind.ACCEPT, owner=owner, due=date(2026, 12, 15), decided_by="Dana", channel=Channel.TERMINAL
        ),
    )


async def completed_by_dana(
    tracked: Client, store: Store, github: FakeGitHub, record_sample: RecordSample
) -> tuple[list[int], str]:
    """The first sample item accepted, exported, closed by dana in GitHub and synced: it is done."""
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    ref = ok(await tracked.call_tool("export_tickets", {"tracker": "github", "action_ids": [ids[0]]}))["exported"][0][
        "ref"
    ]
    github.close(ref, by="dana")
    ok(await tracked.call_tool("sync_tickets", {"tracker": "github"}))
    return ids, ref


def posts(github: FakeGitHub) -> int:
    return sum(r.method == "POST" for r in github.received)


async def test_drafts_are_a_preview_and_send_nothing(
    tracked: Client, store: Store, github: FakeGitHub, record_sample: RecordSample
) -> None:
    pm_id, ids = await record_sample(tracked)
    accept(store, ids[0])
    result = ok(await tracked.call_tool("draft_tickets", {"tracker": "github", "postmortem_id": pm_id}))

    assert [d["action_id"] for d in result["drafts"]] == [ids[0]]
    assert len(result["refused"]) == 4
    assert github.received == []


async def test_export_files_only_accepted_items_links_them_and_never_files_twice(
    tracked: Client, store: Store, github: FakeGitHub, record_sample: RecordSample
) -> None:
    pm_id, ids = await record_sample(tracked)
    accept(store, ids[0])
    accept(store, ids[3], owner="Priya Raman")  # not a GitHub login: filed unassigned, with a note

    first = ok(await tracked.call_tool("export_tickets", {"tracker": "github", "postmortem_id": pm_id}))
    assert [(e["action_id"], e["status"]) for e in first["exported"]] == [(ids[0], "created"), (ids[3], "created")]
    assert {r["action_id"] for r in first["refused"]} == {ids[1], ids[2], ids[4]}
    assert first["failed"] == []
    assert "left unassigned" in first["exported"][1]["warnings"][0]
    created = [r.body for r in github.received if r.method == "POST"]
    assert [c.get("assignees", None) for c in created] == [["dana"], None]
    assert "Due: 2026-12-15" in created[0]["body"]
    assert set(created[0]["labels"]) >= {"postmortem-action-item", "sev2"}
    assert [t.action_id for t in store.tickets(tracker="github")] == [ids[0], ids[3]]

    again = ok(await tracked.call_tool("export_tickets", {"tracker": "github", "postmortem_id": pm_id}))
    assert [e["status"] for e in again["exported"]] == ["existing", "existing"]
    assert posts(github) == 2


async def test_no_request_is_sent_for_an_item_that_is_not_accepted(
    tracked: Client, github: FakeGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    result = ok(await tracked.call_tool("export_tickets", {"tracker": "github", "action_ids": ids}))

    assert result["exported"] == []
    assert len(result["refused"]) == len(ids)
    assert github.received == []


async def test_a_field_error_fails_one_item_and_the_rest_are_still_filed(
    tracked: Client, store: Store, github: FakeGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    for i in ids[:3]:
        accept(store, i, owner="Priya Raman")  # no assignee checks: each item is one POST
    github.fail_next(
        github_error(422, "Validation Failed", errors=[{"resource": "Issue", "field": "title", "code": "invalid"}])
    )
    result = ok(await tracked.call_tool("export_tickets", {"tracker": "github", "action_ids": ids[:3]}))

    assert [f["action_id"] for f in result["failed"]] == [ids[0]]
    assert "Validation Failed" in result["failed"][0]["error"]
    assert [e["action_id"] for e in result["exported"]] == [ids[1], ids[2]]
    assert [t.action_id for t in store.tickets()] == [ids[1], ids[2]]


async def test_bad_credentials_half_way_keep_the_exported_half_and_name_the_rest(
    tracked: Client, store: Store, github: FakeGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    for i in ids[:3]:
        accept(store, i, owner="Priya Raman")
    # The first create answers as GitHub does; then the token is revoked.
    github.fail_next(httpx2.Response(201, json=CREATED), github_error(401, "Bad credentials"))
    result = ok(await tracked.call_tool("export_tickets", {"tracker": "github", "action_ids": ids[:3]}))

    assert [e["action_id"] for e in result["exported"]] == [ids[0]]
    assert [f["action_id"] for f in result["failed"]] == [ids[1], ids[2]]
    assert "refused the credentials (401)" in result["failed"][0]["error"]
    assert result["failed"][1]["error"].startswith("not attempted:")
    assert [t.action_id for t in store.tickets()] == [ids[0]]
    assert TOKEN not in str(result)


CREATED: dict[str, Any] = {
    "number": 41,
    "html_url": f"https://github.com/{REPO}/issues/41",
    "state": "open",
    "title": "t",
    "labels": [],
    "assignees": [],
}


async def test_a_ticket_closed_by_a_person_completes_the_item_as_their_decision_once(
    tracked: Client, store: Store, github: FakeGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    exported = ok(await tracked.call_tool("export_tickets", {"tracker": "github", "action_ids": [ids[0]]}))
    ref = exported["exported"][0]["ref"]
    github.close(ref, by="dana")

    synced = ok(await tracked.call_tool("sync_tickets", {"tracker": "github"}))
    assert [(c["action_id"], c["recorded"], c["decided_by"]) for c in synced["checked"]] == [
        (ids[0], "complete", "dana")
    ]
    decision = store.decisions(ids[0])[-1]
    assert (decision.kind, decision.decided_by, decision.channel) == (DecisionKind.COMPLETE, "dana", Channel.TRACKER)
    assert decision.evidence == exported["exported"][0]["url"]
    assert store.get_action(ids[0]).state is ActionState.DONE

    again = ok(await tracked.call_tool("sync_tickets", {"tracker": "github"}))
    assert again["checked"][0]["recorded"] == "none"
    assert len(store.decisions(ids[0])) == 2  # accept + complete, nothing more


async def test_a_ticket_closed_as_not_planned_kills_the_item_in_the_closers_name(
    tracked: Client, store: Store, github: FakeGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    exported = ok(await tracked.call_tool("export_tickets", {"tracker": "github", "action_ids": [ids[0]]}))
    github.close(exported["exported"][0]["ref"], by="erin", reason="not_planned")

    ok(await tracked.call_tool("sync_tickets", {"tracker": "github"}))
    decision = store.decisions(ids[0])[-1]
    assert (decision.kind, decision.decided_by) == (DecisionKind.KILL, "erin")
    assert "not planned" in (decision.reason or "")
    assert store.get_action(ids[0]).state is ActionState.KILLED


async def test_a_ticket_reopened_in_the_tracker_is_reported_not_decided(
    tracked: Client, store: Store, github: FakeGitHub, record_sample: RecordSample
) -> None:
    ids, ref = await completed_by_dana(tracked, store, github, record_sample)
    github.reopen(ref)

    synced = ok(await tracked.call_tool("sync_tickets", {"tracker": "github"}))
    assert synced["checked"][0]["recorded"] == "none"
    assert "reopen_action" in synced["checked"][0]["note"]
    assert store.get_action(ids[0]).state is ActionState.DONE


async def test_an_open_ticket_can_be_linked_by_url_and_a_closed_one_cannot(
    tracked: Client, store: Store, github: FakeGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    accept(store, ids[1])
    exported = ok(await tracked.call_tool("export_tickets", {"tracker": "github", "action_ids": [ids[0]]}))
    url = exported["exported"][0]["url"]
    github.close(exported["exported"][0]["ref"], by="dana")
    closed = await tracked.call_tool("link_ticket", {"action_id": ids[1], "tracker": "github", "url": url})
    assert "already closed" in refusal(closed, "link_ticket")
    assert store.tickets(action_id=ids[1]) == []

    elsewhere = await tracked.call_tool(
        "link_ticket", {"action_id": ids[1], "tracker": "github", "url": "https://gitlab.com/acme/billing/-/issues/3"}
    )
    assert "is not a github ticket of the configured repository" in refusal(elsewhere, "link_ticket")


async def test_a_candidate_cannot_be_linked_to_a_ticket(
    tracked: Client, store: Store, github: FakeGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    result = await tracked.call_tool(
        "link_ticket", {"action_id": ids[0], "tracker": "github", "url": f"https://github.com/{REPO}/issues/1"}
    )
    assert "only accepted items get tickets" in refusal(result, "link_ticket")
    assert github.received == []


@pytest.mark.parametrize(
    "extra", [{"token": "x"}, {"repo": "evil/repo"}, {"base_url": "https://evil.example"}, {"owner": "dana"}]
)
async def test_credentials_and_targets_are_never_arguments(
    tracked: Client, github: FakeGitHub, record_sample: RecordSample, extra: dict[str, str]
) -> None:
    pm_id, _ = await record_sample(tracked)
    result = await tracked.call_tool("export_tickets", {"tracker": "github", "postmortem_id": pm_id, **extra})
    assert "Nothing was changed" in refusal(result, "export_tickets")
    assert github.received == []


async def test_an_unconfigured_tracker_says_which_variables_to_set_and_sends_nothing(
    tracked: Client, record_sample: RecordSample
) -> None:
    pm_id, _ = await record_sample(tracked)
    result = await tracked.call_tool("export_tickets", {"tracker": "linear", "postmortem_id": pm_id})
    assert "POSTMORTEM_ACTIONS_LINEAR_API_KEY" in refusal(result, "export_tickets")


async def test_the_token_never_appears_in_any_answer(
    tracked: Client, store: Store, github: FakeGitHub, record_sample: RecordSample
) -> None:
    pm_id, ids = await record_sample(tracked)
    accept(store, ids[0])
    github.fail_next(github_error(403, "Resource not accessible by integration"))
    answers = [
        await tracked.call_tool("export_tickets", {"tracker": "github", "postmortem_id": pm_id}),
        await tracked.call_tool("draft_tickets", {"tracker": "github", "postmortem_id": pm_id}),
        await tracked.call_tool("sync_tickets", {"tracker": "github"}),
    ]
    assert all(TOKEN not in text_of(a) and TOKEN not in str(a.structured_content) for a in answers)
    assert "Resource not accessible by integration" in text_of(answers[0])


async def test_a_human_who_reopens_the_item_here_is_not_overruled_by_the_ticket_still_closed_there(
    tracked: Client, store: Store, github: FakeGitHub, record_sample: RecordSample
) -> None:
    ids, _ = await completed_by_dana(tracked, store, github, record_sample)
    store.record_decision(
        ids[0],
        HumanDecision(
            kind=DecisionKind.REOPEN, reason="the alert never fired", decided_by="Lee", channel=Channel.TERMINAL
        ),
    )

    synced = ok(await tracked.call_tool("sync_tickets", {"tracker": "github"}))
    assert synced["checked"][0]["recorded"] == "none"
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED
    assert [d.kind for d in store.decisions(ids[0])] == [
        DecisionKind.ACCEPT,
        DecisionKind.COMPLETE,
        DecisionKind.REOPEN,
    ]


# -- Jira Cloud, end to end -------------------------------------------------------------------------------


async def test_jira_export_and_sync_end_to_end(
    settings: Settings,
    mode: str,
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    record_sample: RecordSample,
) -> None:
    from fake_jira import BASE_URL, EMAIL, FakeJira
    from fake_jira import TOKEN as JIRA_TOKEN

    jira = FakeJira()
    dana = jira.add_user("Dana Scully", email="dana@acme.test")
    for name, value in {"URL": BASE_URL, "EMAIL": EMAIL, "TOKEN": JIRA_TOKEN, "PROJECT": "OPS"}.items():
        monkeypatch.setenv(f"POSTMORTEM_ACTIONS_JIRA_{name}", value)
    monkeypatch.setenv("POSTMORTEM_ACTIONS_TRACKERS", str(tmp_path / "no-trackers.toml"))
    server = build_server(with_trackers(settings), tracker_transport=jira.transport)
    async with Client(server, mode=mode) as client:
        pm_id, ids = await record_sample(client)
        accept(store, ids[0], owner="dana@acme.test")
        exported = ok(await client.call_tool("export_tickets", {"tracker": "jira", "postmortem_id": pm_id}))
        [ticket] = exported["exported"]
        [fields] = [p["fields"] for p in jira.posted()]
        assert fields["duedate"] == "2026-12-15"
        assert fields["description"]["type"] == "doc"
        assert "assignee" in fields
        jira.finish(ticket["ref"], by=dana)

        synced = ok(await client.call_tool("sync_tickets", {"tracker": "jira"}))
        assert synced["checked"][0]["recorded"] == "complete"
        assert store.decisions(ids[0])[-1].decided_by == "Dana Scully"
        assert JIRA_TOKEN not in str(exported) + str(synced)


# -- Linear, end to end -----------------------------------------------------------------------------------


async def test_linear_export_and_a_cancel_in_linear_kills_the_item(
    settings: Settings,
    mode: str,
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    record_sample: RecordSample,
) -> None:
    from fake_linear import API_KEY, FakeLinear

    linear = FakeLinear()
    monkeypatch.setenv("POSTMORTEM_ACTIONS_LINEAR_API_KEY", API_KEY)
    monkeypatch.setenv("POSTMORTEM_ACTIONS_LINEAR_TEAM", "ENG")
    monkeypatch.setenv("POSTMORTEM_ACTIONS_TRACKERS", str(tmp_path / "no-trackers.toml"))
    async with Client(build_server(with_trackers(settings), tracker_transport=linear.transport()), mode=mode) as client:
        pm_id, ids = await record_sample(client)
        accept(store, ids[0], owner="dana")
        exported = ok(await client.call_tool("export_tickets", {"tracker": "linear", "postmortem_id": pm_id}))
        [ticket] = exported["exported"]
        [created] = linear.calls("issueCreate")
        assert created.variables["input"]["dueDate"] == "2026-12-15"
        assert created.headers["authorization"] == API_KEY  # a personal API key is sent bare, not as Bearer
        linear.cancel(ticket["ref"], by="fox")

        synced = ok(await client.call_tool("sync_tickets", {"tracker": "linear"}))
        assert synced["checked"][0]["recorded"] == "kill"
        assert store.get_action(ids[0]).state is ActionState.KILLED
        assert API_KEY not in str(exported) + str(synced)


async def test_retries_wait_as_the_tracker_asks_and_are_logged_without_the_token(
    settings: Settings,
    mode: str,
    store: Store,
    github: FakeGitHub,
    record_sample: RecordSample,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    waits: list[float] = []
    server = build_server(
        with_trackers(settings), tracker_transport=httpx2.MockTransport(github), tracker_sleep=waits.append
    )
    async with Client(server, mode=mode) as client:
        _, ids = await record_sample(client)
        accept(store, ids[0], owner="Priya Raman")
        github.fail_next(
            github_error(429, "API rate limit exceeded", headers={"retry-after": "7"}),
            github_error(503, "Service Unavailable", headers={"retry-after": "2"}),
        )
        result = ok(await client.call_tool("export_tickets", {"tracker": "github", "action_ids": [ids[0]]}))

    assert [e["status"] for e in result["exported"]] == ["created"]
    assert waits == [7.0, 2.0]  # the tracker said it did not process the request, and when to come back
    assert sum("retrying" in r.getMessage() for r in caplog.records) == 2
    assert all(TOKEN not in r.getMessage() and TOKEN not in str(r.args) for r in caplog.records)


async def test_a_create_that_may_have_been_filed_is_reported_not_sent_twice(
    tracked: Client, store: Store, github: FakeGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0], owner="Priya Raman")
    github.fail_next(github_error(502, "Bad Gateway"))
    result = ok(await tracked.call_tool("export_tickets", {"tracker": "github", "action_ids": [ids[0]]}))

    assert "may have been filed anyway" in result["failed"][0]["error"]
    assert posts(github) == 1
    assert store.tickets() == []


async def test_a_linked_ticket_closed_in_the_tracker_is_reported_not_recorded(
    tracked: Client, store: Store, github: FakeGitHub, record_sample: RecordSample
) -> None:
    # The assistant picked this existing ticket; whoever closes it may have meant other work.
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    headers = {
        "Authorization": f"Bearer {TOKEN}",
        "User-Agent": "someone",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    with httpx2.Client(transport=httpx2.MockTransport(github), base_url="https://api.github.com") as http:
        existing = http.post(f"/repos/{REPO}/issues", json={"title": "Queue alerting"}, headers=headers).json()
    linked = ok(
        await tracked.call_tool("link_ticket", {"action_id": ids[0], "tracker": "github", "url": existing["html_url"]})
    )
    assert linked["exported"][0]["status"] == "linked"
    github.close(linked["exported"][0]["ref"], by="dana")

    synced = ok(await tracked.call_tool("sync_tickets", {"tracker": "github"}))
    assert synced["checked"][0]["recorded"] == "none"
    assert "was linked, not filed for the item" in synced["checked"][0]["note"]
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED
