"""Whose close in a tracker `sync_tickets` records as a person's decision (issue 10, finding 2).

Tools tier: `sync_tickets` on a real SQLite file against the vendor-like fakes, no mocks of our code. A close
is recorded only when a person (not a bot, an app, an automation or the account this server itself uses) closed
a ticket we filed, that is still in the configured repository, project or team, and whose name can be stored.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fake_github import FakeGitHub, github_error, server_error
from fake_jira import FakeJira
from fake_linear import API_KEY, FakeLinear

from postmortem_actions.store import ActionState, Actor, Channel, DecisionKind, HumanDecision, Store
from postmortem_actions.tools import trackers as ex
from postmortem_actions.tools.candidates import record_candidates
from postmortem_actions.tools.document_files import ReadPolicy
from postmortem_actions.tools.models import CandidateIn
from postmortem_actions.tools.postmortems import parse_postmortem
from postmortem_actions.tools.trackers.base import TrackerAdapter, TrackerConfig

DOC = """\
# Billing queue backlog

Severity: SEV2

## Action items

- Add an alert on billing queue depth above 10,000 messages.
- Rehearse the failover runbook every quarter with the on-call team.
- Cap consumer retries at five attempts with exponential backoff.
"""
CANDIDATES = [
    CandidateIn(
        text="Page billing on-call when queue depth exceeds 10,000 messages for 5 minutes",
        done_when="A synthetic backlog pages the on-call",
        problem="Nobody noticed the backlog",
        category="detect",
        quote="Add an alert on billing queue depth above 10,000 messages",
    ),
    CandidateIn(
        text="Run a quarterly failover drill",
        done_when="The first drill ran",
        problem="The runbook was never rehearsed",
        category="process",
        quote="Rehearse the failover runbook every quarter",
    ),
    CandidateIn(
        text="Limit consumer retries to five with backoff",
        done_when="A poison message is parked",
        problem="Retries amplified the backlog",
        category="prevent",
        quote="Cap consumer retries at five attempts",
    ),
]
BY = Actor(actor="assistant", via="test")
GITHUB_TOKEN = "ghp_sync_closes_S3cret_0123456789"
REPO = "acme/web"
NEVER = "Closes by bots, automations and the account this server uses"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "actions.db")


def accepted(store: Store, count: int = 1) -> list[int]:
    """`count` items of one postmortem, accepted by a human at the terminal."""
    pm = parse_postmortem(store, BY, ReadPolicy(allowed_dirs=()), text=DOC)
    ids = [r.action_id for r in record_candidates(store, BY, pm.postmortem_id, CANDIDATES[:count]).recorded]
    for action_id in ids:
        store.record_decision(
            action_id,
            HumanDecision(
                kind=DecisionKind.ACCEPT,
                owner="Priya Raman",
                due=date(2026, 12, 15),
                decided_by="Dana",
                channel=Channel.TERMINAL,
            ),
        )
    return ids


def exported(store: Store, adapter: TrackerAdapter, ids: list[int]) -> list[str]:
    """File a ticket for each item; returns their refs."""
    result = ex.export_tickets(store, adapter, BY, action_ids=ids)
    assert result.failed == [], result.failed
    return [e.ref for e in result.exported]


def kinds(store: Store, action_id: int) -> list[DecisionKind]:
    return [d.kind for d in store.decisions(action_id)]


@dataclass
class Hub:
    fake: FakeGitHub
    adapter: TrackerAdapter
    waits: list[float] = field(default_factory=list)

    def asked(self, path: str) -> int:
        return sum(r.path == path for r in self.fake.received)


def github(**options: Any) -> Hub:
    fake = FakeGitHub(token=GITHUB_TOKEN, repos=[REPO, "acme/platform"], **options)
    waits: list[float] = []
    config = TrackerConfig(tracker="github", base_url="https://api.github.com", target=REPO, token=GITHUB_TOKEN)
    return Hub(fake, ex.connect(config, transport=httpx2.MockTransport(fake), sleep=waits.append), waits)


def jira_adapter(jira: FakeJira) -> TrackerAdapter:
    return ex.connect(jira.config(), transport=jira.transport, sleep=lambda _: None)


def linear_adapter(linear: FakeLinear) -> TrackerAdapter:
    config = TrackerConfig(tracker="linear", base_url="https://api.linear.app", target="ENG", token=API_KEY)
    return ex.connect(config, transport=linear.transport(), sleep=lambda _: None)


# -- 1. The account this server uses is nobody's decision --------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "closer"),
    [
        ("postmortem-bot", "postmortem-bot"),  # a dedicated account
        ("postmortem-bot", "Postmortem-Bot"),  # GitHub logins are case-insensitive; the user id is the same
        ("dana", "dana"),  # a person's personal token: anything holding it can close as Dana
    ],
)
def test_a_github_close_by_the_servers_own_account_is_reported_not_recorded(
    store: Store, viewer: str, closer: str
) -> None:
    hub = github(viewer=viewer)
    ids = accepted(store)
    [ref] = exported(store, hub.adapter, ids)
    hub.fake.close(ref, by=closer)

    synced = ex.sync_tickets(store, hub.adapter, BY)

    [change] = synced.checked
    assert (change.recorded, change.decided_by) == ("none", None)
    assert change.note == (
        f"closed in github by the account this server uses ({viewer}): nothing was recorded; "
        "a person confirms it with complete_action"
    )
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED
    assert kinds(store, ids[0]) == [DecisionKind.ACCEPT]
    assert NEVER in synced.message
    assert f"({viewer})" in synced.message


def test_the_own_account_is_asked_once_per_sync_and_only_when_a_close_needs_it(store: Store) -> None:
    hub = github()
    ids = accepted(store, 3)
    refs = exported(store, hub.adapter, ids)

    ex.sync_tickets(store, hub.adapter, BY)  # nothing closed: nothing to decide, nobody to compare with
    assert hub.asked("/user") == 0

    hub.fake.close(refs[0], by="dana")
    hub.fake.close(refs[1], by="erin")
    synced = ex.sync_tickets(store, hub.adapter, BY)

    assert [(c.recorded, c.decided_by) for c in synced.checked] == [
        ("complete", "dana"),
        ("complete", "erin"),
        ("none", None),
    ]
    assert hub.asked("/user") == 1
    assert GITHUB_TOKEN not in str(synced)


def test_when_the_own_account_cannot_be_looked_up_nothing_is_decided_and_the_next_sync_decides(store: Store) -> None:
    hub = github()
    ids = accepted(store, 2)
    refs = exported(store, hub.adapter, ids)
    for ref in refs:
        hub.fake.close(ref, by="dana")
    # The first issue reads as usual, then GitHub says it has no account for this token (404).
    hub.fake.fail_next(httpx2.Response(200, json=hub.fake.issue(refs[0])), github_error(404, "Not Found"))

    first = ex.sync_tickets(store, hub.adapter, BY)

    assert [c.recorded for c in first.checked] == ["none", "none"]
    assert all("the account this server uses in github could not be looked up" in c.note for c in first.checked)
    assert all("nothing was recorded" in c.note for c in first.checked)
    assert "Nothing was decided in this run" in first.message
    assert hub.asked("/user") == 1  # not asked again for the second ticket
    assert GITHUB_TOKEN not in str(first)
    assert [store.get_action(i).state for i in ids] == [ActionState.ACCEPTED] * 2

    second = ex.sync_tickets(store, hub.adapter, BY)  # the closes were kept for the next run

    assert [(c.recorded, c.decided_by) for c in second.checked] == [("complete", "dana")] * 2


def test_an_unreachable_account_lookup_stops_the_batch_like_an_unreachable_tracker(store: Store) -> None:
    hub = github()
    ids = accepted(store, 2)
    refs = exported(store, hub.adapter, ids)
    hub.fake.close(refs[0], by="dana")
    hub.fake.fail_next(httpx2.Response(200, json=hub.fake.issue(refs[0])), *(server_error(502) for _ in range(4)))

    first = ex.sync_tickets(store, hub.adapter, BY)

    [change] = first.checked
    assert change.recorded == "none"
    assert "could not be looked up" in change.note
    assert GITHUB_TOKEN not in str(first)
    assert [(f.action_id, f.error.startswith("not checked:")) for f in first.failed] == [(ids[1], True)]
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED

    second = ex.sync_tickets(store, hub.adapter, BY)

    assert [c.recorded for c in second.checked] == ["complete", "none"]


def test_with_a_github_app_installation_token_people_still_decide_and_the_app_never_does(store: Store) -> None:
    hub = github(installation=True)
    ids = accepted(store, 2)
    refs = exported(store, hub.adapter, ids)
    hub.fake.close(refs[0], by="dana")
    hub.fake.close(refs[1], by="postmortem-app[bot]")

    synced = ex.sync_tickets(store, hub.adapter, BY)

    assert [(c.recorded, c.decided_by) for c in synced.checked] == [("complete", "dana"), ("none", None)]
    assert [r.path for r in hub.fake.received if not r.path.startswith("/repos/")] == [
        "/user",
        "/installation/repositories",
    ]


def test_a_jira_close_by_the_servers_own_account_is_reported_not_recorded(store: Store) -> None:
    jira = FakeJira()
    grace = jira.add_user("Grace Hopper")
    adapter = jira_adapter(jira)
    ids = accepted(store, 2)
    refs = exported(store, adapter, ids)
    jira.finish(refs[0], by=jira.bot)
    jira.finish(refs[1], by=grace)

    synced = ex.sync_tickets(store, adapter, BY)

    assert [(c.recorded, c.decided_by) for c in synced.checked] == [("none", None), ("complete", "Grace Hopper")]
    assert synced.checked[0].note == (
        "closed in jira by the account this server uses (Postmortem Bot): nothing was "
        "recorded; a person confirms it with complete_action"
    )
    assert jira.seen().count("GET /rest/api/3/myself") == 1
    assert NEVER in synced.message


def test_a_jira_namesake_of_the_servers_account_is_a_person(store: Store) -> None:
    # Compared by accountId, not by name: a person who happens to share the display name still decides.
    jira = FakeJira()
    namesake = jira.add_user("Postmortem Bot")
    adapter = jira_adapter(jira)
    ids = accepted(store)
    [ref] = exported(store, adapter, ids)
    jira.finish(ref, by=namesake)

    [change] = ex.sync_tickets(store, adapter, BY).checked

    assert (change.recorded, change.decided_by) == ("complete", "Postmortem Bot")


def test_a_linear_close_by_the_api_keys_own_user_is_reported_not_recorded(store: Store) -> None:
    linear = FakeLinear()
    adapter = linear_adapter(linear)
    ids = accepted(store, 2)
    refs = exported(store, adapter, ids)
    linear.complete(refs[0], by="postmortem-bot")
    linear.complete(refs[1], by="dana")

    synced = ex.sync_tickets(store, adapter, BY)

    assert [(c.recorded, c.decided_by) for c in synced.checked] == [("none", None), ("complete", "Dana Scully")]
    assert "by the account this server uses (Postmortem Bot)" in synced.checked[0].note
    assert len(linear.calls("viewer")) == 1


# -- 2. A ticket moved out of the configured target decides nothing ----------------------------------------------


def test_a_github_issue_transferred_out_of_the_repository_decides_nothing(store: Store) -> None:
    hub = github()
    ids = accepted(store)
    [ref] = exported(store, hub.adapter, ids)
    moved = hub.fake.transfer(ref, "acme/platform")
    hub.fake.close(moved, by="mallory")  # a stranger with rights over the other repository

    [change] = ex.sync_tickets(store, hub.adapter, BY).checked

    assert (change.ref, change.recorded) == ("acme/platform#1", "none")
    assert change.note == (
        "closed in github, but it now lives at acme/platform#1, outside acme/web, where people "
        "outside the team can close it: nothing was recorded; a person confirms it with "
        "complete_action"
    )
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED
    assert hub.asked("/user") == 0


def test_a_jira_issue_moved_to_another_project_decides_nothing(store: Store) -> None:
    jira = FakeJira()
    jira.add_project("HR")
    mallory = jira.add_user("Mallory")
    adapter = jira_adapter(jira)
    ids = accepted(store)
    [ref] = exported(store, adapter, ids)
    moved = jira.move(ref, "HR")
    jira.finish(moved, by=mallory)

    [change] = ex.sync_tickets(store, adapter, BY).checked

    assert (change.ref, change.recorded) == ("HR-1", "none")
    assert "now lives at HR-1, outside OPS" in change.note
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED


def test_a_linear_issue_moved_to_another_team_decides_nothing(store: Store) -> None:
    linear = FakeLinear()
    adapter = linear_adapter(linear)
    ids = accepted(store)
    [ref] = exported(store, adapter, ids)
    moved = linear.transfer(ref, "OPS")
    linear.complete(moved, by="fox")

    [change] = ex.sync_tickets(store, adapter, BY).checked

    assert (change.ref, change.recorded) == ("OPS-1", "none")
    assert "outside ENG" in change.note
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED


# -- 5. A name that cannot be stored, and one ticket's failure, stop only that ticket ------------------------------


def test_a_closer_name_with_hidden_characters_is_not_recorded_and_the_rest_are(store: Store) -> None:
    jira = FakeJira()
    spoof = jira.add_user("Dana \u202eadnaD")  # shows as "Dana Danad", stored as something else
    grace = jira.add_user("Grace Hopper")
    adapter = jira_adapter(jira)
    ids = accepted(store, 2)
    refs = exported(store, adapter, ids)
    jira.finish(refs[0], by=spoof)
    jira.finish(refs[1], by=grace)

    synced = ex.sync_tickets(store, adapter, BY)

    assert [(c.recorded, c.decided_by) for c in synced.checked] == [("none", None), ("complete", "Grace Hopper")]
    note = synced.checked[0].note
    assert "Dana <U+202E>adnaD" in note
    assert "\u202e" not in str(synced)
    assert "nothing was recorded; a person confirms it with complete_action" in note
    assert kinds(store, ids[0]) == [DecisionKind.ACCEPT]


def test_a_blank_closer_name_skips_that_ticket_and_the_others_are_still_checked(store: Store) -> None:
    jira = FakeJira()
    blank = jira.add_user("  ")
    grace = jira.add_user("Grace Hopper")
    adapter = jira_adapter(jira)
    ids = accepted(store, 3)
    refs = exported(store, adapter, ids)
    jira.finish(refs[0], by=blank)
    jira.finish(refs[1], by=grace)

    synced = ex.sync_tickets(store, adapter, BY)

    assert [(c.action_id, c.recorded) for c in synced.checked] == [
        (ids[0], "none"),
        (ids[1], "complete"),
        (ids[2], "none"),
    ]
    assert "blank name" in synced.checked[0].note
    assert synced.failed == []
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED
    assert store.get_action(ids[1]).state is ActionState.DONE


def test_one_tickets_unexpected_store_refusal_fails_that_ticket_only(store: Store, tmp_path: Path) -> None:
    hub = github()
    ids = accepted(store, 3)
    refs = exported(store, hub.adapter, ids)
    for ref in refs:
        hub.fake.close(ref, by="dana")
    # A real database refusal of one item's decision, of a kind this code does not expect.
    with closing(sqlite3.connect(tmp_path / "actions.db")) as db, db:
        db.execute(
            f"CREATE TRIGGER refuse_one BEFORE INSERT ON decisions WHEN NEW.action_id = {ids[1]} "
            "BEGIN SELECT RAISE(ABORT, 'this decision is refused'); END"
        )

    synced = ex.sync_tickets(store, hub.adapter, BY)

    assert [(c.action_id, c.recorded) for c in synced.checked] == [(ids[0], "complete"), (ids[2], "complete")]
    [failed] = synced.failed
    assert failed.action_id == ids[1]
    assert "this decision is refused" in failed.error
    assert "nothing was recorded for it" in failed.error
    assert "1 could not be checked" in synced.message
    assert store.get_action(ids[1]).state is ActionState.ACCEPTED
