"""The operations on a real SQLite file: storing a postmortem, recording and revising candidates, listing
actions, and the validation every candidate passes before it reaches them."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from postmortem_actions.store import ActionFilter, ActionState, Actor, Category, HumanDecision, Store
from postmortem_actions.store.errors import (
    ActionNotFound,
    DocumentTooLarge,
    InvalidInput,
    NotEditable,
    NotText,
    PathNotAllowed,
    PostmortemNotFound,
    QuoteNotFound,
)
from postmortem_actions.tools.candidates import record_candidates, revise_candidate
from postmortem_actions.tools.document_files import ReadPolicy
from postmortem_actions.tools.extraction.coverage import covers, uncovered
from postmortem_actions.tools.extraction.facts import fingerprint
from postmortem_actions.tools.extraction.models import Finding
from postmortem_actions.tools.models import CandidateIn, CandidateRevision
from postmortem_actions.tools.postmortems import parse_postmortem
from postmortem_actions.tools.queries import MAX_PAGE, list_actions

BY = Actor(actor="assistant", via="test-client")

POSTMORTEM = """\
# Billing queue backlog

Severity: SEV2
Incident date: 2026-03-04

## Summary

The billing queue backed up for forty minutes before anyone noticed. Invoices were sent twice.

## Action items

- Add an alert on billing queue depth above 10,000 messages.
- Rehearse the failover runbook every quarter with the on-call team.
- Document the manual replay procedure for stuck invoices.
"""

ALERT: dict[str, Any] = {
    "text": "Page billing on-call when queue depth exceeds 10,000 messages for 5 minutes",
    "done_when": "A synthetic backlog in staging pages the on-call",
    "problem": "Nobody noticed the backlog for forty minutes",
    "category": "detect",
    "quote": "Add an alert on billing queue depth above 10,000 messages",
}
DRILL: dict[str, Any] = {
    "text": "Run a quarterly failover drill with the billing on-call team",
    "done_when": "The first drill ran and the next one is on the calendar",
    "problem": "The failover runbook was never rehearsed",
    "category": "mitigate",
    "quote": "rehearse the failover runbook every quarter",
}
REPLAY: dict[str, Any] = {
    "text": "Write the manual replay procedure for stuck invoices into the billing runbook",
    "done_when": "A reviewer replayed one invoice using only the runbook",
    "problem": "Replaying invoices depended on one engineer",
    "category": "process",
    "quote": "Document the manual replay procedure for stuck invoices",
}

FOLLOW_UPS = 25
CATEGORIES = ("prevent", "detect", "mitigate", "process")
LONG_POSTMORTEM = "# Many follow-ups\n\n" + "".join(
    f"- Follow-up {i:02d}: fix the component called unit-{i:02d} before launch.\n" for i in range(FOLLOW_UPS)
)


def cand(base: dict[str, Any], **changes: Any) -> CandidateIn:
    return CandidateIn.model_validate({**base, **changes})


def accept(store: Store, action_id: int, owner: str = "alice", due: date = date(2026, 5, 1)) -> None:
    store.record_decision(
        action_id, HumanDecision(kind="accept", owner=owner, due=due, decided_by="human", channel="terminal")
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "a.db")


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    return folder


@pytest.fixture
def policy(docs: Path) -> ReadPolicy:
    return ReadPolicy(allowed_dirs=(docs,), max_bytes=100_000)


@pytest.fixture
def pm_id(store: Store, policy: ReadPolicy) -> int:
    return parse_postmortem(store, BY, policy, text=POSTMORTEM).postmortem_id


@pytest.fixture
def many(store: Store, policy: ReadPolicy) -> tuple[int, list[int]]:
    """A postmortem with 25 recorded candidates whose categories cycle prevent, detect, mitigate, process."""
    pm = parse_postmortem(store, BY, policy, text=LONG_POSTMORTEM).postmortem_id
    candidates = [
        CandidateIn(
            text=f"Fix unit-{i:02d} before launch",
            done_when=f"unit-{i:02d} passes its checks",
            problem=f"unit-{i:02d} failed",
            category=CATEGORIES[i % 4],
            quote=f"fix the component called unit-{i:02d} before launch",
        )
        for i in range(FOLLOW_UPS)
    ]
    result = record_candidates(store, BY, pm, candidates)
    assert result.rejected == []
    return pm, [r.action_id for r in result.recorded]


def all_actions(store: Store) -> list[Any]:
    return store.actions(ActionFilter())


# -- parse_postmortem ------------------------------------------------------------------------------


def test_pasted_text_is_stored_and_described(store: Store, policy: ReadPolicy) -> None:
    result = parse_postmortem(store, BY, policy, text=POSTMORTEM)

    assert result.created is True
    assert (result.title, result.source, result.severity) == ("Billing queue backlog", "pasted", "SEV2")
    assert result.incident_date == date(2026, 3, 4)
    assert result.sha256 == fingerprint(POSTMORTEM)
    assert result.chars == len(POSTMORTEM)
    assert [s.heading for s in result.sections] == ["Billing queue backlog", "Summary", "Action items"]
    assert "record_candidates" in result.next_step
    stored = store.get_postmortem(result.postmortem_id)
    assert stored.text == POSTMORTEM
    assert stored.created_by == "assistant"
    (entry,) = store.audit_log("postmortem", result.postmortem_id)
    assert (entry.op, entry.actor, entry.via) == ("create", "assistant", "test-client")


def test_a_file_in_an_allowed_folder_is_read_and_its_path_is_the_source(
    store: Store, docs: Path, policy: ReadPolicy
) -> None:
    path = docs / "2025-11-02-billing.md"
    path.write_text("# Billing backlog\n\nWe will add an alert on queue depth.\n", encoding="utf-8")

    result = parse_postmortem(store, BY, policy, path="2025-11-02-billing.md")

    assert result.created is True
    assert result.source == str(path.resolve())
    assert result.title == "Billing backlog"
    assert result.incident_date == date(2025, 11, 2)  # from the file name
    assert store.get_postmortem(result.postmortem_id).text == path.read_text(encoding="utf-8")


def test_a_file_outside_the_policy_is_refused_and_nothing_is_stored(
    store: Store, tmp_path: Path, policy: ReadPolicy
) -> None:
    (tmp_path / "elsewhere.md").write_text(POSTMORTEM, encoding="utf-8")

    with pytest.raises(PathNotAllowed, match="outside the allowed directories"):
        parse_postmortem(store, BY, policy, path=str(tmp_path / "elsewhere.md"))
    assert store.list_postmortems() == []


@pytest.mark.parametrize(("text", "path"), [(None, None), (POSTMORTEM, "pm.md")])
def test_exactly_one_of_text_and_path_is_required(
    store: Store, policy: ReadPolicy, text: str | None, path: str | None
) -> None:
    with pytest.raises(InvalidInput, match="give exactly one of `text`"):
        parse_postmortem(store, BY, policy, text=text, path=path)
    assert store.list_postmortems() == []


def test_the_same_text_again_returns_the_stored_postmortem(store: Store, policy: ReadPolicy) -> None:
    first = parse_postmortem(store, BY, policy, text=POSTMORTEM)
    again = parse_postmortem(store, BY, policy, text=POSTMORTEM)
    resaved = parse_postmortem(store, BY, policy, text=POSTMORTEM.replace("\n", "\r\n"))

    assert (again.created, again.postmortem_id) == (False, first.postmortem_id)
    assert (resaved.created, resaved.postmortem_id) == (False, first.postmortem_id)
    assert len(store.list_postmortems()) == 1
    assert len(store.audit_log("postmortem", first.postmortem_id)) == 1


def test_arguments_override_what_the_document_states(store: Store, policy: ReadPolicy) -> None:
    result = parse_postmortem(
        store,
        BY,
        policy,
        text=POSTMORTEM,
        title="  Billing, March 2026  ",
        severity="sev-1",
        incident_date=date(2026, 3, 3),
    )

    assert (result.title, result.severity, result.incident_date) == ("Billing, March 2026", "SEV1", date(2026, 3, 3))


def test_a_blank_title_argument_falls_back_to_the_document(store: Store, policy: ReadPolicy) -> None:
    assert parse_postmortem(store, BY, policy, text=POSTMORTEM, title="   ").title == "Billing queue backlog"


def test_a_bad_severity_argument_is_refused_and_nothing_is_stored(store: Store, policy: ReadPolicy) -> None:
    with pytest.raises(InvalidInput, match=r"'P1' is not one of SEV0\.\.SEV5"):
        parse_postmortem(store, BY, policy, text=POSTMORTEM, severity="P1")
    assert store.list_postmortems() == []


def test_pasted_text_over_the_limit_is_refused_and_nothing_is_stored(store: Store, docs: Path) -> None:
    small = ReadPolicy(allowed_dirs=(docs,), max_bytes=100)

    with pytest.raises(DocumentTooLarge, match="the limit is 100"):
        parse_postmortem(store, BY, small, text=POSTMORTEM)
    with pytest.raises(NotText, match="empty"):
        parse_postmortem(store, BY, small, text="  \n ")
    assert store.list_postmortems() == []


def test_a_long_document_points_to_the_full_text_resource(store: Store, policy: ReadPolicy) -> None:
    text = "# Long\n\n" + "The incident went on. " * 3_000
    big = ReadPolicy(allowed_dirs=policy.allowed_dirs, max_bytes=200_000)

    result = parse_postmortem(store, BY, big, text=text)

    assert result.sections[-1].truncated
    assert f"postmortem://{result.postmortem_id}" in result.next_step
    assert result.chars == len(text)


# -- record_candidates -----------------------------------------------------------------------------


def test_valid_candidates_are_recorded_with_offsets_into_the_postmortem(store: Store, pm_id: int) -> None:
    result = record_candidates(store, BY, pm_id, [cand(ALERT), cand(DRILL), cand(REPLAY)])

    assert result.rejected == []
    assert [(r.index, r.status) for r in result.recorded] == [(0, "recorded"), (1, "recorded"), (2, "recorded")]
    assert result.message.startswith("Recorded 3 new candidate(s).")
    for recorded in result.recorded:
        action = store.get_action(recorded.action_id)
        assert action.quote == POSTMORTEM[action.quote_start : action.quote_end]
        assert (recorded.quote_start, recorded.quote_end) == (action.quote_start, action.quote_end)
        assert (action.state, action.owner, action.due, action.decision_id) == (ActionState.CANDIDATE, None, None, None)
        (entry,) = store.audit_log("action", action.id)
        assert (entry.op, entry.actor, entry.via) == ("create", "assistant", "test-client")


def test_the_stored_quote_is_the_documents_own_text(store: Store, pm_id: int) -> None:
    result = record_candidates(store, BY, pm_id, [cand(DRILL)])

    action = store.get_action(result.recorded[0].action_id)
    assert action.quote == "Rehearse the failover runbook every quarter"  # as written, not as quoted


def test_proposals_are_stored_as_proposals_not_commitments(store: Store, pm_id: int) -> None:
    result = record_candidates(
        store, BY, pm_id, [cand(ALERT, proposed_owner="  bob ", proposed_due="2026-04-01", size="M")]
    )

    action = store.get_action(result.recorded[0].action_id)
    assert (action.proposed_owner, action.proposed_due, action.size) == ("bob", date(2026, 4, 1), "M")
    assert (action.owner, action.due, action.state) == (None, None, ActionState.CANDIDATE)


def test_rejected_candidates_are_named_and_the_valid_ones_still_recorded(store: Store, pm_id: int) -> None:
    invented = cand(REPLAY, text="Migrate billing to Kafka", quote="we will migrate billing to Kafka")

    result = record_candidates(store, BY, pm_id, [cand(ALERT), invented, cand(DRILL)])

    assert [r.index for r in result.recorded] == [0, 2]
    (rejected,) = result.rejected
    assert (rejected.index, rejected.text) == (1, "Migrate billing to Kafka")
    assert "'we will migrate billing to Kafka' does not occur in the postmortem" in rejected.reason
    assert "rejected 1" in result.message
    assert [a.text for a in all_actions(store)] == [ALERT["text"], DRILL["text"]]


def test_a_call_with_only_rejected_candidates_writes_nothing(store: Store, pm_id: int) -> None:
    result = record_candidates(
        store, BY, pm_id, [cand(ALERT, quote="an alert nobody wrote down"), cand(DRILL, quote="short")]
    )

    assert result.recorded == []
    assert [r.index for r in result.rejected] == [0, 1]
    assert "too short" in result.rejected[1].reason
    assert result.message.startswith("Recorded 0 new candidate(s); rejected 2")
    assert all_actions(store) == []


def test_a_quote_from_another_postmortem_is_rejected(store: Store, policy: ReadPolicy, pm_id: int) -> None:
    other = parse_postmortem(store, BY, policy, text="# DNS outage\n\nWe will lower the TTL of the apex record.\n")

    result = record_candidates(store, BY, other.postmortem_id, [cand(ALERT)])

    assert result.recorded == []
    assert "does not occur" in result.rejected[0].reason


def test_a_duplicate_within_one_call_is_rejected(store: Store, pm_id: int) -> None:
    shouted = cand(DRILL, text="  RUN a quarterly   failover drill with the billing on-call team ")

    result = record_candidates(store, BY, pm_id, [cand(DRILL), shouted])

    assert [r.index for r in result.recorded] == [0]
    (rejected,) = result.rejected
    assert (rejected.index, rejected.reason) == (1, "duplicate of an earlier item in this call")
    assert len(all_actions(store)) == 1


def test_a_rejected_item_does_not_make_its_corrected_repeat_a_duplicate(store: Store, pm_id: int) -> None:
    result = record_candidates(store, BY, pm_id, [cand(DRILL, quote="rehearse the runbook monthly"), cand(DRILL)])

    assert [(r.index, r.status) for r in result.recorded] == [(1, "recorded")]
    assert [r.index for r in result.rejected] == [0]
    assert "does not occur" in result.rejected[0].reason


def test_a_candidate_recorded_in_an_earlier_call_is_reported_not_duplicated(store: Store, pm_id: int) -> None:
    first = record_candidates(store, BY, pm_id, [cand(ALERT), cand(DRILL)])

    again = record_candidates(store, BY, pm_id, [cand(REPLAY), cand(DRILL, text=DRILL["text"].upper())])

    assert [(r.index, r.status) for r in again.recorded] == [(0, "recorded"), (1, "already_recorded")]
    assert again.recorded[1].action_id == first.recorded[1].action_id
    assert "1 already recorded" in again.message
    assert len(all_actions(store)) == 3


def test_the_same_text_may_be_a_candidate_of_two_postmortems(store: Store, policy: ReadPolicy, pm_id: int) -> None:
    copy = parse_postmortem(store, BY, policy, text=POSTMORTEM + "\nAddendum.\n").postmortem_id

    first = record_candidates(store, BY, pm_id, [cand(ALERT)])
    second = record_candidates(store, BY, copy, [cand(ALERT)])

    assert second.recorded[0].status == "recorded"
    assert second.recorded[0].action_id != first.recorded[0].action_id


def test_candidates_for_an_unknown_postmortem_are_refused(store: Store) -> None:
    with pytest.raises(PostmortemNotFound, match="no postmortem has id 99"):
        record_candidates(store, BY, 99, [cand(ALERT)])


def test_the_evidence_spans_are_every_actions_quote_offsets_in_order(store: Store, pm_id: int) -> None:
    recorded = record_candidates(store, BY, pm_id, [cand(REPLAY), cand(ALERT)]).recorded
    assert store.evidence_spans(pm_id) == sorted((r.quote_start, r.quote_end) for r in recorded)
    assert store.evidence_spans(pm_id + 1) == []


def _finding(start: int, end: int) -> Finding:
    return Finding(
        text="x",
        quote="x",
        start=start,
        end=end,
        category=Category.PREVENT,
        category_words=[],
        owner=None,
        due=None,
        ticket=None,
        done=False,
        in_section=True,
        placement="list",
        section="",
        vague=False,
        lint=[],
    )


@pytest.mark.parametrize("seed", range(20))
def test_the_coverage_sweep_finds_what_testing_every_finding_against_every_span_finds(seed: int) -> None:
    rng = random.Random(seed)
    findings = [_finding(s, s + rng.randint(0, 60)) for s in sorted(rng.randrange(1000) for _ in range(80))]
    findings += [_finding(0, 1000), _finding(500, 500)]  # one around everything, one empty
    spans = [(s, s + rng.randint(1, 120)) for s in (rng.randrange(1000) for _ in range(rng.randint(0, 60)))]
    expected = [f for f in findings if not any(covers(span, f) for span in spans)]
    assert uncovered(findings, spans) == expected
    assert uncovered(findings, []) == findings


def test_a_span_covers_a_finding_when_they_share_half_of_the_shorter() -> None:
    assert uncovered([_finding(10, 20)], [(15, 40)]) == []  # shares 5 of the finding's 10
    assert uncovered([_finding(10, 20)], [(16, 40)]) == [_finding(10, 20)]  # shares 4
    assert uncovered([_finding(10, 100)], [(40, 44)]) == []  # the whole of a short quote
    assert uncovered([_finding(10, 20)], [(20, 30), (0, 10)]) == [_finding(10, 20)]  # touching is not sharing


# -- revise_candidate ------------------------------------------------------------------------------


@pytest.fixture
def alert_id(store: Store, pm_id: int) -> int:
    result = record_candidates(
        store, BY, pm_id, [cand(ALERT, size="S", proposed_owner="bob", proposed_due="2026-04-01")]
    )
    return result.recorded[0].action_id


def test_a_revision_changes_the_given_fields_and_logs_before_and_after(store: Store, alert_id: int) -> None:
    before = store.get_action(alert_id)
    by = Actor(actor="assistant", via="another-client")

    after = revise_candidate(
        store,
        by,
        alert_id,
        CandidateRevision(text="Alert billing on-call on queue depth over 10,000", category="prevent", size="M"),
    )

    assert (after.text, after.category, after.size) == (
        "Alert billing on-call on queue depth over 10,000",
        "prevent",
        "M",
    )
    assert (after.done_when, after.problem, after.quote) == (before.done_when, before.problem, before.quote)
    assert after.updated_at >= before.updated_at
    entry = store.audit_log("action", alert_id)[-1]
    assert (entry.op, entry.actor, entry.via) == ("revise", "assistant", "another-client")
    assert entry.changes == {
        "text": [ALERT["text"], "Alert billing on-call on queue depth over 10,000"],
        "category": ["detect", "prevent"],
        "size": ["S", "M"],
    }


def test_clear_empties_the_proposals(store: Store, alert_id: int) -> None:
    after = revise_candidate(store, BY, alert_id, CandidateRevision(clear=["size", "proposed_owner", "proposed_due"]))

    assert (after.size, after.proposed_owner, after.proposed_due) == (None, None, None)
    assert store.audit_log("action", alert_id)[-1].changes == {
        "size": ["S", None],
        "proposed_owner": ["bob", None],
        "proposed_due": ["2026-04-01", None],
    }


def test_a_new_proposal_replaces_the_old_one(store: Store, alert_id: int) -> None:
    after = revise_candidate(
        store, BY, alert_id, CandidateRevision(proposed_owner="carol", proposed_due=date(2026, 4, 15))
    )

    assert (after.proposed_owner, after.proposed_due) == ("carol", date(2026, 4, 15))
    assert (after.owner, after.due, after.state) == (None, None, ActionState.CANDIDATE)
    assert store.audit_log("action", alert_id)[-1].changes == {
        "proposed_owner": ["bob", "carol"],
        "proposed_due": ["2026-04-01", "2026-04-15"],
    }


def test_a_new_quote_is_located_again_and_its_offsets_updated(store: Store, alert_id: int) -> None:
    before = store.get_action(alert_id)

    after = revise_candidate(
        store, BY, alert_id, CandidateRevision(quote="the billing QUEUE backed up\nfor forty minutes")
    )

    start = POSTMORTEM.index("The billing queue backed up")
    end = start + len("The billing queue backed up for forty minutes")
    assert (after.quote, after.quote_start, after.quote_end) == (POSTMORTEM[start:end], start, end)
    assert store.audit_log("action", alert_id)[-1].changes == {
        "quote": [before.quote, POSTMORTEM[start:end]],
        "quote_start": [before.quote_start, start],
        "quote_end": [before.quote_end, end],
    }


def test_a_new_quote_that_does_not_occur_is_refused_and_changes_nothing(store: Store, alert_id: int) -> None:
    before = store.get_action(alert_id)

    with pytest.raises(QuoteNotFound, match="'we never said this at all' does not occur"):
        revise_candidate(
            store, BY, alert_id, CandidateRevision(text="Something else", quote="we never said this at all")
        )

    assert store.get_action(alert_id) == before
    assert len(store.audit_log("action", alert_id)) == 1


def test_a_revision_that_changes_nothing_logs_nothing(store: Store, alert_id: int) -> None:
    before = store.get_action(alert_id)

    assert revise_candidate(store, BY, alert_id, CandidateRevision()) == before
    assert revise_candidate(store, BY, alert_id, CandidateRevision(category="detect", size="S")) == before
    assert len(store.audit_log("action", alert_id)) == 1


def test_an_accepted_action_cannot_be_revised(store: Store, alert_id: int) -> None:
    accept(store, alert_id)
    before = store.get_action(alert_id)

    with pytest.raises(NotEditable, match=f"action {alert_id} is accepted; only candidates can be revised"):
        revise_candidate(store, BY, alert_id, CandidateRevision(text="Quietly reworded"))
    with pytest.raises(NotEditable):
        revise_candidate(store, BY, alert_id, CandidateRevision(clear=["proposed_owner"]))
    with pytest.raises(NotEditable):
        revise_candidate(store, BY, alert_id, CandidateRevision(quote="Rehearse the failover runbook"))

    assert store.get_action(alert_id) == before


def test_revising_an_unknown_action_is_refused(store: Store, pm_id: int) -> None:
    with pytest.raises(ActionNotFound, match="no action has id 404"):
        revise_candidate(store, BY, 404, CandidateRevision(text="Anything at all"))
    with pytest.raises(ActionNotFound, match="no action has id 404"):
        revise_candidate(store, BY, 404, CandidateRevision(quote="Rehearse the failover runbook"))


# -- list_actions ------------------------------------------------------------------------------------


def test_pages_walk_every_action_once_with_the_exact_total(store: Store, many: tuple[int, list[int]]) -> None:
    _, ids = many
    seen: list[int] = []
    offsets: list[int | None] = []
    offset: int | None = 0
    while offset is not None:
        page = list_actions(store, ActionFilter(), limit=10, offset=offset)
        assert page.total == FOLLOW_UPS
        seen += [a.id for a in page.items]
        offset = page.next_offset
        offsets.append(offset)

    assert seen == ids
    assert offsets == [10, 20, None]


def test_a_page_that_ends_exactly_at_the_total_is_the_last(store: Store, many: tuple[int, list[int]]) -> None:
    page = list_actions(store, ActionFilter(), limit=5, offset=20)

    assert (len(page.items), page.total, page.next_offset) == (5, FOLLOW_UPS, None)
    assert list_actions(store, ActionFilter(), limit=5, offset=15).next_offset == 20


def test_a_page_past_the_end_is_empty_but_still_counts(store: Store, many: tuple[int, list[int]]) -> None:
    page = list_actions(store, ActionFilter(), limit=10, offset=1_000)

    assert (page.items, page.total, page.next_offset) == ([], FOLLOW_UPS, None)


@pytest.mark.parametrize(("asked", "used"), [(0, 1), (-5, 1), (1, 1), (200, 200), (201, MAX_PAGE), (10**9, MAX_PAGE)])
def test_the_limit_is_clamped_to_1_through_200(
    store: Store, many: tuple[int, list[int]], asked: int, used: int
) -> None:
    page = list_actions(store, ActionFilter(), limit=asked)

    assert page.limit == used
    assert len(page.items) == min(used, FOLLOW_UPS)
    assert page.next_offset == (used if used < FOLLOW_UPS else None)


def test_a_negative_offset_starts_at_the_beginning(store: Store, many: tuple[int, list[int]]) -> None:
    page = list_actions(store, ActionFilter(), limit=3, offset=-7)

    assert page.offset == 0
    assert [a.id for a in page.items] == many[1][:3]


def test_the_default_page_is_twenty(store: Store, many: tuple[int, list[int]]) -> None:
    page = list_actions(store, ActionFilter())

    assert (page.limit, page.offset, len(page.items), page.next_offset) == (20, 0, 20, 20)
    assert page.total == FOLLOW_UPS


def test_filters_by_category_count_exactly_across_pages(store: Store, many: tuple[int, list[int]]) -> None:
    first = list_actions(store, ActionFilter(category="detect"), limit=4)
    rest = list_actions(store, ActionFilter(category="detect"), limit=4, offset=4)

    expected = [i for n, i in enumerate(many[1]) if CATEGORIES[n % 4] == "detect"]
    assert first.total == rest.total == len(expected) == 6
    assert [a.id for a in first.items + rest.items] == expected
    assert (first.next_offset, rest.next_offset) == (4, None)


def test_filters_by_postmortem(store: Store, many: tuple[int, list[int]], pm_id: int) -> None:
    record_candidates(store, BY, pm_id, [cand(ALERT), cand(DRILL)])

    assert list_actions(store, ActionFilter(postmortem_id=pm_id)).total == 2
    assert list_actions(store, ActionFilter(postmortem_id=many[0])).total == FOLLOW_UPS
    assert list_actions(store, ActionFilter()).total == FOLLOW_UPS + 2
    with pytest.raises(PostmortemNotFound, match="no postmortem has id 12345"):
        list_actions(store, ActionFilter(postmortem_id=12345))


def test_filters_by_state_owner_and_due_date_combine(store: Store, many: tuple[int, list[int]]) -> None:
    ids = many[1]
    accept(store, ids[0], owner="Alice", due=date(2026, 4, 1))
    accept(store, ids[1], owner="bob", due=date(2026, 6, 1))
    accept(store, ids[5], owner="alice", due=date(2026, 8, 1))

    def ids_of(where: ActionFilter) -> list[int]:
        page = list_actions(store, where)
        assert page.total == len(page.items)
        return [a.id for a in page.items]

    assert ids_of(ActionFilter(state="accepted")) == [ids[0], ids[1], ids[5]]
    assert list_actions(store, ActionFilter(state="candidate")).total == FOLLOW_UPS - 3
    assert ids_of(ActionFilter(owner="ALICE")) == [ids[0], ids[5]]
    assert ids_of(ActionFilter(due_before=date(2026, 6, 1))) == [ids[0]]
    assert ids_of(ActionFilter(due_after=date(2026, 4, 1), due_before=date(2026, 9, 1))) == [ids[1], ids[5]]
    assert ids_of(ActionFilter(state="accepted", category="detect")) == [ids[1], ids[5]]
    assert ids_of(ActionFilter(owner="alice", category="prevent")) == [ids[0]]


def test_an_empty_store_lists_nothing(store: Store) -> None:
    page = list_actions(store, ActionFilter())

    assert (page.items, page.total, page.next_offset) == ([], 0, None)


# -- CandidateIn and CandidateRevision validation --------------------------------------------------


def field_error(exc: pytest.ExceptionInfo[ValidationError]) -> tuple[tuple[str | int, ...], str]:
    (error,) = exc.value.errors()
    return error["loc"], error["msg"]


def test_a_quote_copied_across_a_crlf_line_break_is_accepted() -> None:
    assert "\r\n" in cand(ALERT, quote="Add an alert on\r\nbilling queue depth").quote


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text", "Add an alert\x07 on queue depth"),
        ("text", "\x1b[31mAdd an alert on queue depth"),
        ("text", "Add an alert\x0bon queue depth"),
        ("done_when", "The alert fires\x00"),
        ("problem", "Slow \u202edetection"),
        ("quote", "Add an alert on \u2066billing queue depth"),
        ("quote", "Add an alert on billing queue depth\x7f"),
        ("proposed_owner", "ali\u202dce"),
    ],
)
def test_control_and_bidi_override_characters_are_refused(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        cand(ALERT, **{field: value})

    loc, message = field_error(caught)
    shown = f"U+{ord(next(c for c in value if not c.isprintable())):04X}"
    assert loc == (field,)
    assert message == (
        f"Value error, contains characters that are invisible or control the display ({shown}): "
        "what a person is shown could differ from what is stored"
    )


@pytest.mark.parametrize("field", ["text", "done_when", "problem", "quote", "proposed_owner"])
@pytest.mark.parametrize("blank", ["", "   ", "\n\t "])
def test_blank_strings_are_refused(field: str, blank: str) -> None:
    with pytest.raises(ValidationError) as caught:
        cand(ALERT, **{field: blank})

    loc, message = field_error(caught)
    assert loc == (field,)
    assert "must not be blank" in message or "at least" in message


def test_surrounding_whitespace_is_trimmed_and_inner_line_breaks_kept() -> None:
    candidate = cand(ALERT, text="  Add an alert  ", quote="Add an alert on\nbilling queue depth\t")

    assert (candidate.text, candidate.quote) == ("Add an alert", "Add an alert on\nbilling queue depth")


def test_text_that_is_too_short_once_trimmed_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        cand(ALERT, text="   ab   ")

    assert field_error(caught)[0] == ("text",)


def test_text_over_500_characters_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        cand(ALERT, text="x" * 501)

    assert field_error(caught)[0] == ("text",)


@pytest.mark.parametrize("field", ["owner", "due", "state", "decision_id", "quote_start", "Text"])
def test_unknown_fields_are_refused_not_dropped(field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        cand(ALERT, **{field: "x"})

    assert field_error(caught) == ((field,), "Extra inputs are not permitted")


@pytest.mark.parametrize("category", ["fix", "Prevent", "", "monitoring", None])
def test_a_category_outside_the_four_is_refused(category: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        cand(ALERT, category=category)

    assert field_error(caught)[0] == ("category",)


@pytest.mark.parametrize("size", ["XL", "s", "medium"])
def test_a_size_outside_s_m_l_is_refused(size: str) -> None:
    with pytest.raises(ValidationError) as caught:
        cand(ALERT, size=size)

    assert field_error(caught)[0] == ("size",)


@pytest.mark.parametrize("due", ["2026-02-30", "next week", "2026-2-3", "2026-13-01", "tomorrow", "30/04/2026"])
def test_a_malformed_proposed_due_date_is_refused(due: str) -> None:
    with pytest.raises(ValidationError) as caught:
        cand(ALERT, proposed_due=due)

    loc, message = field_error(caught)
    assert loc == ("proposed_due",)
    assert "valid date" in message


def test_every_required_field_must_be_given() -> None:
    with pytest.raises(ValidationError) as caught:
        CandidateIn.model_validate({"text": ALERT["text"]})

    assert sorted(e["loc"][0] for e in caught.value.errors()) == ["category", "done_when", "problem", "quote"]


@pytest.mark.parametrize(
    "changes",
    [
        {"owner": "alice"},
        {"state": "accepted"},
        {"clear": ["owner"]},
        {"clear": ["text"]},
        {"text": "   "},
        {"quote": "evidence \u202e reversed"},
        {"proposed_due": "2026-02-30"},
        {"category": "fix"},
    ],
)
def test_a_revision_is_validated_like_a_candidate(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        CandidateRevision.model_validate(changes)


@pytest.mark.parametrize("title", ["Outage \u202egnp.exe", "a\x1b[31mred", "nul\x00title"])
def test_a_title_with_control_or_bidi_characters_is_refused(store: Store, policy: ReadPolicy, title: str) -> None:
    with pytest.raises(InvalidInput, match="title contains characters that are invisible or control the display"):
        parse_postmortem(store, BY, policy, text=POSTMORTEM, title=title)
    assert store.list_postmortems() == []


def test_a_title_found_in_the_document_loses_its_control_characters(store: Store, policy: ReadPolicy) -> None:
    result = parse_postmortem(store, BY, policy, text="# Billing \u202eoutage\x1b[2J\n\nThe queue backed up.\n")
    assert result.title == "Billing outage[2J"
