"""Ticket drafts from accepted items, and where tracker settings come from (never from tool arguments)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from postmortem_actions.store import Actor, Channel, DecisionKind, HumanDecision, Store
from postmortem_actions.store.errors import ActionNotFound, InvalidInput
from postmortem_actions.tools.candidates import record_candidates
from postmortem_actions.tools.document_files import ReadPolicy
from postmortem_actions.tools.models import CandidateIn
from postmortem_actions.tools.postmortems import parse_postmortem
from postmortem_actions.tools.trackers.config import load_tracker
from postmortem_actions.tools.trackers.drafts import criteria, draft_tickets, short_title
from postmortem_actions.tools.trackers.errors import TrackerNotConfigured

DOC = """\
# Billing queue backlog

Severity: SEV2

## Action items

- Add an alert on billing queue depth above 10,000 messages.
- Rehearse the failover runbook every quarter with the on-call team.
- Cap consumer retries at five attempts with exponential backoff.
"""
BY = Actor(actor="assistant", via="test")


def seeded(tmp_path: Path) -> tuple[Store, int, list[int]]:
    """A postmortem with three candidates: #1 accepted (dana, 2026-12-15), #2 killed, #3 left a candidate."""
    store = Store(tmp_path / "actions.db")
    pm = parse_postmortem(store, BY, ReadPolicy(allowed_dirs=()), text=DOC)
    cands = [
        CandidateIn(
            text="Page billing on-call when queue depth exceeds 10,000 messages for 5 minutes",
            done_when="A synthetic backlog pages the on-call; the alert links the runbook",
            problem="Nobody noticed the backlog for forty minutes",
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
    ids = [r.action_id for r in record_candidates(store, BY, pm.postmortem_id, cands).recorded]
    store.record_decision(
        ids[0],
        HumanDecision(
            kind=DecisionKind.ACCEPT, owner="dana", due=date(2026, 12, 15), decided_by="Dana", channel=Channel.TERMINAL
        ),
    )
    store.record_decision(
        ids[1],
        HumanDecision(
            kind=DecisionKind.KILL, reason="covered by the provider", decided_by="Dana", channel=Channel.TERMINAL
        ),
    )
    return store, pm.postmortem_id, ids


def test_an_accepted_item_becomes_a_draft_with_problem_evidence_link_back_criteria_owner_due_and_labels(
    tmp_path: Path,
) -> None:
    store, pm_id, ids = seeded(tmp_path)
    result = draft_tickets(store, "github", postmortem_id=pm_id)

    [draft] = result.drafts
    assert draft.action_id == ids[0]
    assert draft.title == "Page billing on-call when queue depth exceeds 10,000 messages for 5 minutes"
    assert "**Problem:** Nobody noticed the backlog for forty minutes" in draft.description
    assert "> Add an alert on billing queue depth above 10,000 messages" in draft.description
    assert f"Postmortem #{pm_id}: Billing queue backlog" in draft.description
    assert draft.acceptance_criteria == ["A synthetic backlog pages the on-call", "The alert links the runbook"]
    assert "- [ ] A synthetic backlog pages the on-call\n- [ ] The alert links the runbook" in draft.description
    assert (draft.assignee, draft.due) == ("dana", date(2026, 12, 15))
    assert draft.labels == ["detect", "postmortem-action-item", "sev2"]
    assert draft.description_adf is None


def test_items_that_are_not_accepted_are_refused_by_name_and_not_drafted(tmp_path: Path) -> None:
    store, _pm_id, ids = seeded(tmp_path)
    result = draft_tickets(store, "linear", action_ids=[ids[1], ids[2]])

    assert result.drafts == []
    assert {r.action_id: r.reason.split(":")[0] for r in result.refused} == {ids[1]: "killed", ids[2]: "not accepted"}
    assert "nothing was sent" in result.message


def test_a_jira_draft_carries_an_atlassian_document_with_the_same_content(tmp_path: Path) -> None:
    store, _, ids = seeded(tmp_path)
    [draft] = draft_tickets(store, "jira", action_ids=[ids[0]]).drafts

    doc = draft.description_adf
    assert doc is not None
    assert doc["type"] == "doc"
    assert doc["version"] == 1
    kinds = [node["type"] for node in doc["content"]]
    assert kinds == ["paragraph", "paragraph", "blockquote", "paragraph", "heading", "bulletList", "paragraph"]
    items = doc["content"][5]["content"]
    assert [i["content"][0]["content"][0]["text"] for i in items] == draft.acceptance_criteria


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of"),
        ({"action_ids": [1], "postmortem_id": 1}, "exactly one of"),
        ({"action_ids": list(range(1, 202))}, "between 1 and 200"),
    ],
)
def test_a_bad_selection_is_refused_readably(tmp_path: Path, kwargs: dict[str, object], message: str) -> None:
    store, _, _ = seeded(tmp_path)
    with pytest.raises(InvalidInput, match=message):
        draft_tickets(store, "github", **kwargs)  # type: ignore[arg-type]


def test_an_unknown_action_is_not_found(tmp_path: Path) -> None:
    store, _, _ = seeded(tmp_path)
    with pytest.raises(ActionNotFound):
        draft_tickets(store, "github", action_ids=[999])


def test_a_long_action_gets_a_short_title_cut_at_a_word() -> None:
    text = "make sure " + "the alerting pipeline pages someone " * 5
    title = short_title(text + ".")
    assert len(title) <= 80
    assert title.endswith("…")
    cut = title[:-1]
    assert ("M" + text[1:]).startswith(cut)
    assert text[len(cut)] == " "


def test_criteria_split_at_semicolons_sentences_and_lines() -> None:
    assert criteria("Alert fires in staging; runbook linked. Drill done\nreviewed") == [
        "Alert fires in staging",
        "Runbook linked",
        "Drill done",
        "Reviewed",
    ]


# -- tracker settings --------------------------------------------------------------------------------------


def test_environment_settings_configure_a_tracker_and_the_token_stays_out_of_the_repr(tmp_path: Path) -> None:
    env = {
        "POSTMORTEM_ACTIONS_GITHUB_TOKEN": "ghp_secret123",
        "POSTMORTEM_ACTIONS_GITHUB_REPO": "acme/web",
        "POSTMORTEM_ACTIONS_TRACKERS": str(tmp_path / "none.toml"),
    }
    config = load_tracker("github", env)
    assert (config.base_url, config.target, config.token) == ("https://api.github.com", "acme/web", "ghp_secret123")
    assert "ghp_secret123" not in repr(config)


def test_the_trackers_file_configures_a_tracker_and_the_environment_wins(tmp_path: Path) -> None:
    path = tmp_path / "trackers.toml"
    path.write_text(
        '[jira]\nurl = "https://acme.atlassian.net/"\ntoken = "file-token"\ntarget = "OPS"\n'
        'email = "bot@acme.test"\nissue_type = "Bug"\n'
    )
    config = load_tracker("jira", {"POSTMORTEM_ACTIONS_TRACKERS": str(path), "POSTMORTEM_ACTIONS_JIRA_PROJECT": "SRE"})
    assert (config.base_url, config.target, config.token, config.email, config.issue_type) == (
        "https://acme.atlassian.net",
        "SRE",
        "file-token",
        "bot@acme.test",
        "Bug",
    )


def test_a_tracker_without_credentials_says_which_variables_to_set(tmp_path: Path) -> None:
    with pytest.raises(TrackerNotConfigured) as caught:
        load_tracker("linear", {"POSTMORTEM_ACTIONS_TRACKERS": str(tmp_path / "none.toml")})
    assert "POSTMORTEM_ACTIONS_LINEAR_API_KEY" in str(caught.value)
    assert "POSTMORTEM_ACTIONS_LINEAR_TEAM" in str(caught.value)


def test_jira_needs_the_account_email_too(tmp_path: Path) -> None:
    env = {
        "POSTMORTEM_ACTIONS_TRACKERS": str(tmp_path / "none.toml"),
        "POSTMORTEM_ACTIONS_JIRA_TOKEN": "t",
        "POSTMORTEM_ACTIONS_JIRA_PROJECT": "OPS",
        "POSTMORTEM_ACTIONS_JIRA_URL": "https://acme.atlassian.net",
    }
    with pytest.raises(TrackerNotConfigured, match="email"):
        load_tracker("jira", env)


def test_an_unknown_tracker_or_an_unreadable_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="unknown tracker"):
        load_tracker("trello", {})
    broken = tmp_path / "trackers.toml"
    broken.write_text("[github\ntoken = ")
    with pytest.raises(InvalidInput, match="cannot be read"):
        load_tracker("github", {"POSTMORTEM_ACTIONS_TRACKERS": str(broken)})
