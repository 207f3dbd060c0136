"""One-time decision requests in the store: a code answers one question, once, for the version it was made for;
spending it and recording the decision are one transaction, and raw SQL cannot re-open or rewrite a request."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date

import pytest
from board_fixtures import BY, Seeded, seed

from postmortem_actions.store import Channel, DecisionKind, HumanDecision, Store
from postmortem_actions.store.errors import LinkNotValid, StaleAnswer
from postmortem_actions.store.inputs import NewDecisionRequest
from postmortem_actions.tools.decision_links import code_hash

CODE = "a-code-nobody-guesses"


@pytest.fixture
def seeded(store: Store) -> Seeded:
    return seed(store)


def _open(store: Store, action_id: int, code: str = CODE, ttl: int = 3600) -> None:
    store.open_request(
        NewDecisionRequest(
            code_hash=code_hash(code),
            action_id=action_id,
            version=store.get_action(action_id).version(),
            kind="decide",
            proposal={"owner": "dana", "due": "2030-01-01", "reason": None, "evidence": None, "note": None},
            via="url",
            client="test/1",
            ttl_seconds=ttl,
        )
    )


def _accept(owner: str = "dana") -> HumanDecision:
    return HumanDecision(
        kind=DecisionKind.ACCEPT, owner=owner, due=date(2030, 1, 1), decided_by="dana", channel=Channel.WEB
    )


def test_a_code_answers_once(store: Store, seeded: Seeded) -> None:
    _open(store, seeded.candidate)
    request, decision, action = store.answer_request(code_hash(CODE), _accept())
    assert decision is not None
    assert request.decision_id == decision.id
    assert request.outcome == "decided"
    assert action.owner == "dana"
    with pytest.raises(LinkNotValid, match="used already"):
        store.answer_request(code_hash(CODE), _accept("mallory"))
    assert [d.owner for d in store.decisions(seeded.candidate)] == ["dana"]
    assert store.verify().ok


def test_a_rejection_spends_the_code_and_records_nothing(store: Store, seeded: Seeded) -> None:
    _open(store, seeded.candidate)
    request, decision, _action = store.answer_request(code_hash(CODE), None)
    assert (request.outcome, decision) == ("rejected", None)
    assert store.decisions(seeded.candidate) == []
    with pytest.raises(LinkNotValid):
        store.request_for_code(code_hash(CODE))


def test_a_code_for_an_item_that_changed_stays_unspent_and_records_nothing(store: Store, seeded: Seeded) -> None:
    _open(store, seeded.candidate)
    store.revise_candidate(seeded.candidate, {"text": "Alert on checkout errors above 3%"}, BY)
    with pytest.raises(StaleAnswer):
        store.answer_request(code_hash(CODE), _accept())
    assert store.decisions(seeded.candidate) == []
    assert store.request_for_code(code_hash(CODE)).answered_at is None


def test_an_expired_code_is_refused(store: Store, seeded: Seeded) -> None:
    _open(store, seeded.candidate, ttl=-1)
    with pytest.raises(LinkNotValid, match="expired"):
        store.answer_request(code_hash(CODE), _accept())


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE decision_requests SET answered_at = NULL, outcome = NULL, decision_id = NULL",  # re-open it
        "UPDATE decision_requests SET expires_at = '2999-01-01T00:00:00.000000Z'",
        'UPDATE decision_requests SET proposal = \'{"owner": "mallory"}\'',
        "UPDATE decision_requests SET version = 'other'",
    ],
)
def test_raw_sql_cannot_reopen_or_rewrite_an_answered_request(store: Store, seeded: Seeded, sql: str) -> None:
    _open(store, seeded.candidate)
    store.answer_request(code_hash(CODE), _accept())
    with closing(sqlite3.connect(store.path)) as raw, pytest.raises(sqlite3.IntegrityError, match="answered once"):
        raw.execute(sql)


def test_raw_sql_cannot_stretch_an_open_request(store: Store, seeded: Seeded) -> None:
    _open(store, seeded.candidate)
    with closing(sqlite3.connect(store.path)) as raw, pytest.raises(sqlite3.IntegrityError, match="never changes"):
        raw.execute("UPDATE decision_requests SET expires_at = '2999-01-01T00:00:00.000000Z'")


def test_a_request_cannot_claim_a_decision_of_another_action(store: Store, seeded: Seeded) -> None:
    _open(store, seeded.candidate)
    other = store.decisions(seeded.accepted)[0].id
    with closing(sqlite3.connect(store.path)) as raw, pytest.raises(sqlite3.IntegrityError):
        raw.execute("UPDATE decision_requests SET answered_at = 'now', outcome = 'decided', decision_id = ?", [other])
