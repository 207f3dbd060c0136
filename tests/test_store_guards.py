"""The human gate below the tool layer: raw SQL on a real database file cannot change an action's owner,
due date or state without a new matching decision, cannot rewrite history, and whatever slips past a
dropped guard is reported by `verify`. Also the Store API flows and the domain errors it raises.

Every raw statement runs on its own `sqlite3` connection (autocommit) opened directly on the file the
Store created, exactly as a buggy tool or a curious user with the sqlite3 shell would.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from postmortem_actions.store import (
    ActionFilter,
    ActionState,
    Actor,
    Category,
    Channel,
    DecisionKind,
    HumanDecision,
    NewAction,
    NewPostmortem,
    Store,
    VerifyReport,
    WorkStatus,
)
from postmortem_actions.store.chain import decision_hash, verify_database
from postmortem_actions.store.connection import open_connection
from postmortem_actions.store.errors import (
    ActionNotFound,
    HumanDecisionRequired,
    IllegalTransition,
    InvalidInput,
    NotEditable,
    PostmortemActionsError,
    PostmortemNotFound,
    SchemaMismatch,
)
from postmortem_actions.store.migrations import MIGRATION_SET, migrations
from postmortem_actions.store.schema import GENESIS_HASH, GUARDS, KNOWN_MIGRATIONS

# The guards' messages, so each rejection test proves the right guard said no.
COMMIT_GUARD = "gate: owner, due date and state change only through a new matching human decision"
CHAIN_GUARD = "gate: decision does not continue the hash chain"
FROM_STATE_GUARD = "gate: decision does not start from the action's current state"
KIND_GUARD = "gate: decision kind does not allow this transition or lacks its values"
VALUES_GUARD = "gate: decision of this kind keeps the action's owner and due date"
DECISION_UPDATE_GUARD = "gate: decisions are append-only and cannot be updated"
DECISION_DELETE_GUARD = "gate: decisions are append-only and cannot be deleted"
DECISION_REPLACE_GUARD = "gate: decisions are append-only and cannot be replaced"
NEW_ACTION_GUARD = "gate: a new action is an undecided candidate with no owner or due date"
ACTION_REPLACE_GUARD = "gate: an existing action cannot be replaced"
WORDING_GUARD = "gate: only candidates can be edited; accepted items are changed by a decision"
STATUS_GUARD = "gate: only accepted items have a working status"
ACTION_DELETE_GUARD = "gate: decided actions cannot be deleted"
PM_TEXT_GUARD = "gate: a stored postmortem's text is immutable; add the new version instead"
PM_REPLACE_GUARD = "gate: a stored postmortem cannot be replaced; add the new version instead"
PM_RENUMBER_GUARD = "gate: a stored postmortem cannot be renumbered"
PM_DELETE_GUARD = "gate: a postmortem with actions cannot be deleted"
AUDIT_GUARD = "gate: the audit log is append-only"

STORE_TABLES = ("postmortems", "actions", "decisions", "audit_log", "tickets")

TEXT = (
    "Checkout was down for 47 minutes. Nobody was paged because the error-rate alert had been muted.\n"
    "Follow-ups: unmute and own the checkout error-rate alert; add a synthetic checkout probe; "
    "write a runbook for payment-provider failover; load-test the cart service before Black Friday; "
    "review every muted alert each quarter; cap retries in the payment client."
)
BY = Actor(actor="assistant", via="mcp:test for alice")


def _candidate(quote: str, text: str | None = None) -> NewAction:
    start = TEXT.index(quote)
    return NewAction(
        text=text or quote.capitalize(),
        done_when=f"done: {quote}",
        problem="checkout outage went unnoticed",
        category=Category.DETECT,
        quote=quote,
        quote_start=start,
        quote_end=start + len(quote),
        proposed_owner="team-payments",
        proposed_due=date(2030, 1, 15),
    )


def _human(kind: DecisionKind, **values: Any) -> HumanDecision:
    return HumanDecision(kind=kind, decided_by="alice", channel=Channel.TERMINAL, client="pytest", **values)


def _accept(owner: str, due: date) -> HumanDecision:
    return _human(DecisionKind.ACCEPT, owner=owner, due=due)


@dataclass(frozen=True)
class Seeded:
    """A database with one postmortem and one action in each interesting spot of the lifecycle."""

    path: Path
    store: Store
    pm_id: int
    empty_pm_id: int
    replanned: int  # accepted alice → re-planned to bob (decisions first_accept, replan)
    accepted: int  # accepted carol
    deferred: int  # candidate with a defer decision
    fresh: int  # candidate, never decided
    done: int  # accepted dave → completed
    killed: int  # killed straight from candidate
    first_accept: int  # the replanned action's first, already consumed, decision
    carol_accept: int  # the `accepted` action's decision


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """Built once through the Store API (every write is fsynced, so building it per test is slow)."""
    return _seed(tmp_path_factory.mktemp("template") / "actions.db")


@pytest.fixture
def seeded(seeded_template: Seeded, tmp_path: Path) -> Seeded:
    """A private copy of the seeded database file for one test."""
    path = tmp_path / "actions.db"
    for suffix in ("", "-wal"):  # every store connection is closed: the WAL is normally checkpointed away
        source = Path(f"{seeded_template.path}{suffix}")
        if source.exists():
            shutil.copyfile(source, f"{path}{suffix}")
    return replace(seeded_template, path=path, store=Store(path))


def _seed(path: Path) -> Seeded:
    store = Store(path)
    pm, created = store.add_postmortem(
        NewPostmortem(
            title="Checkout outage",
            source="pasted",
            text=TEXT,
            sha256=hashlib.sha256(TEXT.encode()).hexdigest(),
            severity="SEV1",
            incident_date=date(2029, 11, 29),
        ),
        BY,
    )
    assert created
    other_text = "A postmortem nobody extracted actions from yet."
    empty_pm, _ = store.add_postmortem(
        NewPostmortem(
            title="Other", source="pasted", text=other_text, sha256=hashlib.sha256(other_text.encode()).hexdigest()
        ),
        BY,
    )
    replanned, accepted, deferred, fresh, done, killed = (
        a.id
        for a, _ in store.add_actions(
            pm.id,
            [
                _candidate("unmute and own the checkout error-rate alert"),
                _candidate("add a synthetic checkout probe"),
                _candidate("write a runbook for payment-provider failover"),
                _candidate("load-test the cart service before Black Friday"),
                _candidate("review every muted alert each quarter"),
                _candidate("cap retries in the payment client"),
            ],
            BY,
        )
    )
    first_accept, _ = store.record_decision(replanned, _accept("alice", date(2030, 3, 1)))
    store.record_decision(
        replanned, _human(DecisionKind.REPLAN, owner="bob", due=date(2030, 4, 1), reason="alice is on leave")
    )
    carol_accept, _ = store.record_decision(accepted, _accept("carol", date(2030, 5, 1)))
    store.record_decision(deferred, _human(DecisionKind.DEFER, reason="after the re-platforming"))
    store.record_decision(done, _accept("dave", date(2030, 2, 1)))
    store.record_decision(done, _human(DecisionKind.COMPLETE, evidence="quarterly review on the calendar"))
    store.record_decision(killed, _human(DecisionKind.KILL, reason="the payment client is being replaced"))
    return Seeded(
        path=path,
        store=store,
        pm_id=pm.id,
        empty_pm_id=empty_pm.id,
        replanned=replanned,
        accepted=accepted,
        deferred=deferred,
        fresh=fresh,
        done=done,
        killed=killed,
        first_accept=first_accept.id,
        carol_accept=carol_accept.id,
    )


# -- raw SQL helpers ---------------------------------------------------------------------------------


@contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection on the file, autocommit: each statement stands alone."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.row_factory = sqlite3.Row
        yield conn


def _everything(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    tables = {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY rowid")] for t in STORE_TABLES}
    tables["schema"] = [tuple(r) for r in conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name")]
    return tables


@contextmanager
def rejected(seeded: Seeded, conn: sqlite3.Connection, *guards: str) -> Iterator[None]:
    """The statements inside fail with a guard's message (one of `guards` when several guards apply), and
    the file is exactly as it was before and still verifies."""
    before = _everything(conn)
    with pytest.raises(sqlite3.IntegrityError) as caught:
        yield
    assert str(caught.value) in guards
    assert _everything(conn) == before
    report = seeded.store.verify()
    assert report.ok, report.problems


def _head(conn: sqlite3.Connection) -> tuple[int, str]:
    row = conn.execute("SELECT id, hash FROM decisions ORDER BY id DESC LIMIT 1").fetchone()
    return (int(row["id"]), str(row["hash"])) if row else (0, GENESIS_HASH)


def chained(
    conn: sqlite3.Connection, action_id: int, kind: str, from_state: str, to_state: str, **fields: Any
) -> dict[str, Any]:
    """A decision row that continues the chain with a correct hash; `fields` override anything."""
    head_id, head_hash = _head(conn)
    row: dict[str, Any] = {
        "id": head_id + 1,
        "action_id": action_id,
        "kind": kind,
        "from_state": from_state,
        "to_state": to_state,
        "owner": None,
        "due": None,
        "reason": None,
        "evidence": None,
        "decided_by": "mallory",
        "channel": "terminal",
        "client": "sqlite3",
        "decided_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "prev_hash": head_hash,
    }
    row.update({k: v for k, v in fields.items() if k != "hash"})
    row["hash"] = fields.get("hash", decision_hash(row["prev_hash"], row))
    return row


def insert(conn: sqlite3.Connection, table: str, row: dict[str, Any], verb: str = "INSERT") -> None:
    columns = ", ".join(row)
    conn.execute(f"{verb} INTO {table} ({columns}) VALUES ({', '.join(':' + k for k in row)})", row)


def _action_row(conn: sqlite3.Connection, action_id: int) -> dict[str, Any]:
    return dict(conn.execute("SELECT * FROM actions WHERE id = ?", [action_id]).fetchone())


def _bare_action(conn: sqlite3.Connection, pm_id: int, **fields: Any) -> dict[str, Any]:
    quote = "add a synthetic checkout probe"
    start = TEXT.index(quote)
    row: dict[str, Any] = {
        "postmortem_id": pm_id,
        "text": "Add a probe",
        "done_when": "a probe runs",
        "problem": "blind spot",
        "category": "detect",
        "quote": quote,
        "quote_start": start,
        "quote_end": start + len(quote),
    }
    row.update(fields)
    return row


# -- owner, due date and state change only through a new matching decision --------------------------


def test_raw_update_of_owner_without_a_decision_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, COMMIT_GUARD):
        conn.execute("UPDATE actions SET owner = 'mallory' WHERE id = ?", [seeded.accepted])
    assert seeded.store.get_action(seeded.accepted).owner == "carol"


def test_raw_update_of_due_date_without_a_decision_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, COMMIT_GUARD):
        conn.execute("UPDATE actions SET due = '2099-12-31' WHERE id = ?", [seeded.accepted])
    assert seeded.store.get_action(seeded.accepted).due == date(2030, 5, 1)


def test_raw_clearing_of_owner_and_due_date_without_a_decision_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, COMMIT_GUARD):
        conn.execute("UPDATE actions SET owner = NULL, due = NULL WHERE id = ?", [seeded.accepted])


@pytest.mark.parametrize(
    ("which", "new_state"),
    [
        ("accepted", "done"),
        ("accepted", "killed"),
        ("accepted", "candidate"),
        ("killed", "accepted"),
        ("done", "accepted"),
        ("fresh", "killed"),
        ("deferred", "accepted"),
    ],
)
def test_raw_update_of_state_without_a_decision_is_rejected(seeded: Seeded, which: str, new_state: str) -> None:
    action_id = getattr(seeded, which)
    state_before = seeded.store.get_action(action_id).state
    with raw(seeded.path) as conn, rejected(seeded, conn, COMMIT_GUARD):
        conn.execute("UPDATE actions SET state = ? WHERE id = ?", [new_state, action_id])
    assert seeded.store.get_action(action_id).state == state_before


@pytest.mark.parametrize("decision_id", [None, 10_000])
def test_raw_update_of_decision_id_without_a_new_decision_is_rejected(seeded: Seeded, decision_id: int | None) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, COMMIT_GUARD):
        conn.execute("UPDATE actions SET decision_id = ? WHERE id = ?", [decision_id, seeded.accepted])


def test_raw_accept_of_a_candidate_without_a_decision_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, COMMIT_GUARD):
        conn.execute(
            "UPDATE actions SET state = 'accepted', owner = 'mallory', due = '2030-01-01' WHERE id = ?", [seeded.fresh]
        )
    assert seeded.store.get_action(seeded.fresh).state is ActionState.CANDIDATE


def test_raw_update_pointing_at_an_already_consumed_decision_is_rejected(seeded: Seeded) -> None:
    # Bob owns it since the re-plan; the first accept (alice) was consumed and cannot be replayed.
    with raw(seeded.path) as conn, rejected(seeded, conn, COMMIT_GUARD):
        conn.execute(
            "UPDATE actions SET owner = 'alice', due = '2030-03-01', decision_id = ? WHERE id = ?",
            [seeded.first_accept, seeded.replanned],
        )
    assert seeded.store.get_action(seeded.replanned).owner == "bob"


def test_raw_reopening_of_a_done_action_through_its_old_accept_decision_is_rejected(seeded: Seeded) -> None:
    accept_of_done = seeded.store.decisions(seeded.done)[0]
    assert accept_of_done.kind is DecisionKind.ACCEPT
    with raw(seeded.path) as conn, rejected(seeded, conn, COMMIT_GUARD):
        conn.execute(
            "UPDATE actions SET state = 'accepted', decision_id = ? WHERE id = ?", [accept_of_done.id, seeded.done]
        )
    assert seeded.store.get_action(seeded.done).state is ActionState.DONE


def test_raw_update_pointing_at_a_decision_of_another_action_is_rejected(seeded: Seeded) -> None:
    # carol's accept of another action carries exactly the values written here.
    with raw(seeded.path) as conn, rejected(seeded, conn, COMMIT_GUARD):
        conn.execute(
            "UPDATE actions SET state = 'accepted', owner = 'carol', due = '2030-05-01', decision_id = ? WHERE id = ?",
            [seeded.carol_accept, seeded.fresh],
        )
    assert seeded.store.get_action(seeded.fresh).owner is None


def _new_replan(conn: sqlite3.Connection, action_id: int, owner: str, due: str) -> int:
    row = chained(conn, action_id, "replan", "accepted", "accepted", owner=owner, due=due, reason="raw")
    insert(conn, "decisions", row)
    return int(row["id"])


def test_raw_update_pointing_at_a_new_decision_with_another_owner_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        decision_id = _new_replan(conn, seeded.accepted, "dave", "2030-06-01")
        before = _everything(conn)
        with pytest.raises(sqlite3.IntegrityError, match=COMMIT_GUARD):
            conn.execute(
                "UPDATE actions SET owner = 'mallory', due = '2030-06-01', decision_id = ? WHERE id = ?",
                [decision_id, seeded.accepted],
            )
        assert _everything(conn) == before
    assert seeded.store.get_action(seeded.accepted).owner == "carol"


def test_raw_update_pointing_at_a_new_decision_with_another_due_date_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        decision_id = _new_replan(conn, seeded.accepted, "dave", "2030-06-01")
        with pytest.raises(sqlite3.IntegrityError, match=COMMIT_GUARD):
            conn.execute(
                "UPDATE actions SET owner = 'dave', due = '2099-01-01', decision_id = ? WHERE id = ?",
                [decision_id, seeded.accepted],
            )
    assert seeded.store.get_action(seeded.accepted).due == date(2030, 5, 1)


def test_raw_update_pointing_at_a_new_decision_with_another_state_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        row = chained(
            conn, seeded.accepted, "kill", "accepted", "killed", owner="carol", due="2030-05-01", reason="descoped"
        )
        insert(conn, "decisions", row)
        with pytest.raises(sqlite3.IntegrityError, match=COMMIT_GUARD):
            conn.execute(
                "UPDATE actions SET state = 'done', decision_id = ? WHERE id = ?", [row["id"], seeded.accepted]
            )
    assert seeded.store.get_action(seeded.accepted).state is ActionState.ACCEPTED


def test_raw_update_pointing_at_a_decision_that_is_not_the_actions_latest_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        older = _new_replan(conn, seeded.accepted, "dave", "2030-06-01")
        _new_replan(conn, seeded.accepted, "erin", "2030-07-01")
        with pytest.raises(sqlite3.IntegrityError, match=COMMIT_GUARD):
            conn.execute(
                "UPDATE actions SET owner = 'dave', due = '2030-06-01', decision_id = ? WHERE id = ?",
                [older, seeded.accepted],
            )


def test_raw_update_backed_by_a_new_matching_decision_is_accepted(seeded: Seeded) -> None:
    # The guards are not a blanket "no": a new, chained, matching decision lets the change through.
    with raw(seeded.path) as conn:
        decision_id = _new_replan(conn, seeded.accepted, "dave", "2030-06-01")
        conn.execute(
            "UPDATE actions SET owner = 'dave', due = '2030-06-01', decision_id = ? WHERE id = ?",
            [decision_id, seeded.accepted],
        )
    action = seeded.store.get_action(seeded.accepted)
    assert (action.owner, action.due, action.decision_id) == ("dave", date(2030, 6, 1), decision_id)
    report = seeded.store.verify()
    assert report.ok, report.problems


# -- decision rows: chained, from the current state, a legal transition with its values --------------


def test_raw_decision_with_a_from_state_other_than_the_actions_state_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, FROM_STATE_GUARD):
        insert(
            conn,
            "decisions",
            chained(conn, seeded.accepted, "accept", "candidate", "accepted", owner="mallory", due="2030-01-01"),
        )


def test_raw_complete_decision_on_a_candidate_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, KIND_GUARD):
        insert(conn, "decisions", chained(conn, seeded.fresh, "complete", "candidate", "done"))


def test_raw_accept_decision_without_an_owner_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, KIND_GUARD):
        insert(conn, "decisions", chained(conn, seeded.fresh, "accept", "candidate", "accepted", due="2030-01-01"))


@pytest.mark.parametrize(
    ("which", "kind", "from_state", "to_state", "values"),
    [
        pytest.param("fresh", "accept", "candidate", "accepted", {"owner": "bob"}, id="accept-without-due"),
        pytest.param("fresh", "kill", "candidate", "killed", {}, id="kill-without-reason"),
        pytest.param(
            "accepted",
            "replan",
            "accepted",
            "accepted",
            {"owner": "bob", "due": "2030-09-01"},
            id="replan-without-reason",
        ),
        pytest.param(
            "done", "reopen", "done", "accepted", {"owner": "dave", "due": "2030-02-01"}, id="reopen-without-reason"
        ),
        pytest.param(
            "fresh",
            "accept",
            "candidate",
            "accepted",
            {"owner": "   ", "due": "2030-01-01"},
            id="accept-with-a-blank-owner",
        ),
        pytest.param("fresh", "kill", "candidate", "killed", {"reason": " "}, id="kill-with-a-blank-reason"),
    ],
)
def test_raw_decision_lacking_the_values_its_kind_requires_is_rejected(
    seeded: Seeded, which: str, kind: str, from_state: str, to_state: str, values: dict[str, Any]
) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, KIND_GUARD):
        insert(conn, "decisions", chained(conn, getattr(seeded, which), kind, from_state, to_state, **values))


@pytest.mark.parametrize(
    ("which", "kind", "from_state", "to_state"),
    [
        pytest.param("fresh", "accept", "candidate", "done", id="accept-to-done"),
        pytest.param("accepted", "complete", "accepted", "killed", id="complete-to-killed"),
        pytest.param("killed", "reopen", "killed", "accepted", id="reopen-a-killed-action"),
        pytest.param("killed", "kill", "killed", "killed", id="kill-twice"),
        pytest.param("done", "kill", "done", "killed", id="kill-a-done-action"),
    ],
)
def test_raw_decision_with_an_illegal_transition_is_rejected(
    seeded: Seeded, which: str, kind: str, from_state: str, to_state: str
) -> None:
    action_id = getattr(seeded, which)
    current = seeded.store.get_action(action_id)
    # Values that satisfy every other guard, so only the transition itself is wrong.
    values = {"owner": current.owner, "due": current.due and current.due.isoformat(), "reason": "raw"}
    if kind == "accept":
        values.update(owner="bob", due="2030-09-01")
    with raw(seeded.path) as conn, rejected(seeded, conn, KIND_GUARD):
        insert(conn, "decisions", chained(conn, action_id, kind, from_state, to_state, **values))


@pytest.mark.parametrize(("kind", "to_state"), [("complete", "done"), ("kill", "killed")])
def test_raw_decision_that_keeps_the_owner_cannot_carry_a_new_owner(seeded: Seeded, kind: str, to_state: str) -> None:
    # Only accept and re-plan set owner and due date; a "complete" naming mallory would hand her the item.
    with raw(seeded.path) as conn, rejected(seeded, conn, VALUES_GUARD):
        insert(
            conn,
            "decisions",
            chained(conn, seeded.accepted, kind, "accepted", to_state, owner="mallory", due="2030-05-01", reason="raw"),
        )


def test_raw_reopen_decision_cannot_carry_a_new_due_date(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, VALUES_GUARD):
        insert(
            conn,
            "decisions",
            chained(conn, seeded.done, "reopen", "done", "accepted", owner="dave", due="2099-01-01", reason="raw"),
        )


def test_raw_defer_decision_carrying_an_owner_is_rejected(seeded: Seeded) -> None:
    # Two guards object (defer carries no values; defer keeps the candidate's empty owner); either may speak.
    with raw(seeded.path) as conn, rejected(seeded, conn, KIND_GUARD, VALUES_GUARD):
        insert(
            conn,
            "decisions",
            chained(conn, seeded.fresh, "defer", "candidate", "candidate", owner="bob", due="2030-09-01"),
        )


@pytest.mark.parametrize("prev_hash", [GENESIS_HASH, "f" * 64])
def test_raw_decision_with_a_wrong_prev_hash_is_rejected(seeded: Seeded, prev_hash: str) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, CHAIN_GUARD):
        insert(conn, "decisions", chained(conn, seeded.fresh, "defer", "candidate", "candidate", prev_hash=prev_hash))


def test_raw_decision_without_an_explicit_increasing_id_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, CHAIN_GUARD):
        row = chained(conn, seeded.fresh, "defer", "candidate", "candidate")
        del row["id"]
        insert(conn, "decisions", row)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("owner", "mallory"),
        ("decided_by", "mallory"),
        ("channel", "elicitation"),
        ("hash", "e" * 64),
    ],
)
def test_raw_update_of_a_decision_is_rejected(seeded: Seeded, column: str, value: str) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, DECISION_UPDATE_GUARD):
        conn.execute(f"UPDATE decisions SET {column} = ? WHERE id = ?", [value, seeded.carol_accept])


def test_raw_delete_of_a_decision_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        with rejected(seeded, conn, DECISION_DELETE_GUARD):
            conn.execute("DELETE FROM decisions WHERE id = ?", [seeded.carol_accept])
        with rejected(seeded, conn, DECISION_DELETE_GUARD):
            conn.execute("DELETE FROM decisions")
    assert len(seeded.store.decisions()) == 7


def test_raw_replace_of_a_decision_is_rejected(seeded: Seeded) -> None:
    # INSERT OR REPLACE deletes the row it collides with (here on the unique hash) without firing
    # DELETE triggers; it must not be a way to drop carol's accept from the log.
    carol = seeded.store.decisions(seeded.accepted)[0]
    with raw(seeded.path) as conn, rejected(seeded, conn, DECISION_REPLACE_GUARD):
        row = chained(conn, seeded.fresh, "defer", "candidate", "candidate", hash=carol.hash)
        insert(conn, "decisions", row, verb="INSERT OR REPLACE")


# -- actions: inserted bare, never deleted once decided, reworded only as candidates, never renumbered --


@pytest.mark.parametrize("which", ["accepted", "replanned", "done", "killed", "deferred"])
def test_raw_delete_of_a_decided_action_is_rejected(seeded: Seeded, which: str) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, ACTION_DELETE_GUARD):
        conn.execute("DELETE FROM actions WHERE id = ?", [getattr(seeded, which)])


def test_raw_delete_of_an_undecided_candidate_is_allowed(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        conn.execute("DELETE FROM actions WHERE id = ?", [seeded.fresh])
    with pytest.raises(ActionNotFound):
        seeded.store.get_action(seeded.fresh)
    assert seeded.store.verify().ok


def test_raw_delete_of_a_postmortem_with_actions_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, PM_DELETE_GUARD):
        conn.execute("DELETE FROM postmortems WHERE id = ?", [seeded.pm_id])
    assert seeded.store.get_postmortem(seeded.pm_id).text == TEXT


def test_raw_insert_of_an_already_accepted_action_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, NEW_ACTION_GUARD):
        insert(conn, "actions", _bare_action(conn, seeded.pm_id, state="accepted", owner="mallory", due="2030-01-01"))


def test_raw_insert_of_an_action_with_an_owner_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, NEW_ACTION_GUARD):
        insert(conn, "actions", _bare_action(conn, seeded.pm_id, owner="mallory"))


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("state", "done"),
        ("state", "killed"),
        ("due", "2030-01-01"),
        ("work_status", "in_progress"),
    ],
)
def test_raw_insert_of_an_action_that_is_not_an_undecided_candidate_is_rejected(
    seeded: Seeded, column: str, value: str
) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, NEW_ACTION_GUARD):
        insert(conn, "actions", _bare_action(conn, seeded.pm_id, **{column: value}))


def test_raw_insert_of_an_action_pointing_at_an_existing_decision_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, NEW_ACTION_GUARD):
        insert(conn, "actions", _bare_action(conn, seeded.pm_id, decision_id=seeded.carol_accept))


def test_raw_replace_of_a_decided_action_by_a_fresh_candidate_is_rejected(seeded: Seeded) -> None:
    # REPLACE would delete the accepted row without firing the delete guard and insert a bare candidate
    # in its place: owner and state gone without any decision.
    with raw(seeded.path) as conn, rejected(seeded, conn, ACTION_REPLACE_GUARD):
        insert(conn, "actions", _bare_action(conn, seeded.pm_id, id=seeded.accepted), verb="INSERT OR REPLACE")
    assert seeded.store.get_action(seeded.accepted).owner == "carol"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("text", "Think about alerts"),
        ("done_when", "whenever"),
        ("problem", "none"),
        ("category", "process"),
        ("size", "L"),
        ("quote", "Checkout"),
        ("quote_start", 0),
        ("proposed_owner", "mallory"),
        ("proposed_due", "2099-01-01"),
    ],
)
def test_raw_rewording_of_an_accepted_action_is_rejected(seeded: Seeded, column: str, value: object) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, WORDING_GUARD):
        conn.execute(f"UPDATE actions SET {column} = ? WHERE id = ?", [value, seeded.accepted])


@pytest.mark.parametrize("which", ["done", "killed"])
def test_raw_rewording_of_a_finished_action_is_rejected(seeded: Seeded, which: str) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, WORDING_GUARD):
        conn.execute("UPDATE actions SET text = 'Something easier' WHERE id = ?", [getattr(seeded, which)])


def test_raw_moving_an_accepted_action_to_another_postmortem_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, WORDING_GUARD):
        conn.execute("UPDATE actions SET postmortem_id = ? WHERE id = ?", [seeded.empty_pm_id, seeded.accepted])


def test_raw_rewording_of_a_candidate_is_allowed(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        conn.execute("UPDATE actions SET text = 'Load-test the cart service at 3x peak' WHERE id = ?", [seeded.fresh])
    assert seeded.store.get_action(seeded.fresh).text == "Load-test the cart service at 3x peak"


@pytest.mark.parametrize("which", ["accepted", "fresh"])
def test_raw_renumbering_of_an_action_id_is_rejected(seeded: Seeded, which: str) -> None:
    with raw(seeded.path) as conn:
        with rejected(seeded, conn, COMMIT_GUARD):
            conn.execute("UPDATE actions SET id = 999 WHERE id = ?", [getattr(seeded, which)])
        with rejected(seeded, conn, COMMIT_GUARD):
            conn.execute("UPDATE actions SET rowid = 999 WHERE id = ?", [getattr(seeded, which)])


def test_raw_working_status_on_a_candidate_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, STATUS_GUARD):
        conn.execute("UPDATE actions SET work_status = 'in_progress' WHERE id = ?", [seeded.fresh])


def test_raw_working_status_on_an_accepted_action_needs_no_decision(seeded: Seeded) -> None:
    # Reporting progress commits no one to anything, so the guards let it through.
    with raw(seeded.path) as conn:
        conn.execute(
            "UPDATE actions SET work_status = 'blocked', status_note = 'waiting on vendor' WHERE id = ?",
            [seeded.accepted],
        )
    assert seeded.store.get_action(seeded.accepted).work_status is WorkStatus.BLOCKED
    assert seeded.store.verify().ok


# -- postmortems and the audit log --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("text", TEXT.replace("47 minutes", "4 minutes")),
        ("sha256", "0" * 64),
    ],
)
def test_raw_change_of_postmortem_text_is_rejected(seeded: Seeded, column: str, value: str) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, PM_TEXT_GUARD):
        conn.execute(f"UPDATE postmortems SET {column} = ? WHERE id = ?", [value, seeded.pm_id])
    assert seeded.store.get_postmortem(seeded.pm_id).text == TEXT


def test_raw_replace_of_a_postmortem_with_other_text_is_rejected(seeded: Seeded) -> None:
    forged = TEXT.replace("47 minutes", "4 minutes")
    with raw(seeded.path) as conn, rejected(seeded, conn, PM_REPLACE_GUARD):
        insert(
            conn,
            "postmortems",
            {
                "id": seeded.pm_id,
                "title": "Checkout outage",
                "source": "pasted",
                "text": forged,
                "sha256": hashlib.sha256(forged.encode()).hexdigest(),
                "created_by": "mallory",
            },
            verb="INSERT OR REPLACE",
        )
    assert seeded.store.get_postmortem(seeded.pm_id).text == TEXT


@pytest.mark.parametrize("column", ["id", "rowid"])
def test_raw_renumbering_of_a_postmortem_is_rejected(seeded: Seeded, column: str) -> None:
    # Renumbering would leave its actions pointing at whatever document later takes the number.
    with raw(seeded.path) as conn, rejected(seeded, conn, PM_RENUMBER_GUARD):
        conn.execute(f"UPDATE postmortems SET {column} = 999 WHERE id = ?", [seeded.pm_id])


def test_raw_retitling_of_a_postmortem_is_allowed(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        conn.execute("UPDATE postmortems SET title = 'Checkout outage (Nov)' WHERE id = ?", [seeded.pm_id])
    assert seeded.store.get_postmortem(seeded.pm_id).title == "Checkout outage (Nov)"


def test_raw_update_of_the_audit_log_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, AUDIT_GUARD):
        conn.execute("UPDATE audit_log SET actor = 'nobody'")


def test_raw_delete_from_the_audit_log_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, AUDIT_GUARD):
        conn.execute("DELETE FROM audit_log")
    assert len(seeded.store.audit_log("action", seeded.fresh)) == 1


def test_raw_replace_of_an_audit_entry_is_rejected(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, rejected(seeded, conn, AUDIT_GUARD):
        first = dict(conn.execute("SELECT * FROM audit_log ORDER BY id LIMIT 1").fetchone())
        insert(conn, "audit_log", {**first, "actor": "nobody"}, verb="INSERT OR REPLACE")


# -- verify --------------------------------------------------------------------------------------------


def test_verify_of_a_clean_database_is_ok(seeded: Seeded) -> None:
    report = seeded.store.verify()
    decisions = seeded.store.decisions()
    assert report == VerifyReport(ok=True, decisions=7, head_hash=decisions[-1].hash, problems=[])


def test_verify_of_a_new_empty_database_is_ok(tmp_path: Path) -> None:
    report = Store(tmp_path / "empty.db").verify()
    assert report == VerifyReport(ok=True, decisions=0, head_hash=GENESIS_HASH, problems=[])


def test_verify_reports_a_forged_decision_with_a_fake_hash_that_continues_the_chain(seeded: Seeded) -> None:
    # The guards cannot check a hash; they accept a well-formed row that continues the chain, and the
    # action update that matches it. verify is what catches the forgery.
    with raw(seeded.path) as conn:
        row = chained(
            conn, seeded.fresh, "accept", "candidate", "accepted", owner="mallory", due="2030-01-01", hash="a" * 64
        )
        insert(conn, "decisions", row)
        conn.execute(
            "UPDATE actions SET state = 'accepted', owner = 'mallory', due = '2030-01-01', "
            "decision_id = ? WHERE id = ?",
            [row["id"], seeded.fresh],
        )
    report = seeded.store.verify()
    assert not report.ok
    assert report.problems == [f"decision {row['id']}: content does not match its hash (altered or forged)"]


def test_verify_reports_a_forged_decision_that_was_never_applied(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        row = chained(conn, seeded.fresh, "defer", "candidate", "candidate", hash="b" * 64)
        insert(conn, "decisions", row)
    problems = seeded.store.verify().problems
    assert f"decision {row['id']}: content does not match its hash (altered or forged)" in problems
    assert (
        f"action {seeded.fresh}: state/owner/due ('candidate', None, None) not set by its latest decision" in problems
    )


def test_verify_reports_a_decision_inserted_after_dropping_its_guard(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        conn.execute("DROP TRIGGER decisions_insert_guard")
        row = chained(conn, seeded.fresh, "complete", "candidate", "done", prev_hash=GENESIS_HASH)
        insert(conn, "decisions", row)
    report = seeded.store.verify()
    assert not report.ok
    assert "guard decisions_insert_guard is missing (dropped outside the store)" in report.problems
    assert f"decision {row['id']}: does not link to the previous decision (chain broken)" in report.problems


@pytest.mark.parametrize("guard", sorted(GUARDS))
def test_verify_reports_a_dropped_guard(seeded: Seeded, guard: str) -> None:
    with raw(seeded.path) as conn:
        conn.execute(f"DROP TRIGGER {guard}")
    report = seeded.store.verify()
    assert not report.ok
    assert report.problems == [f"guard {guard} is missing (dropped outside the store)"]


def test_verify_reports_an_altered_guard(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        conn.execute("DROP TRIGGER decisions_append_only_delete")
        conn.execute(
            "CREATE TRIGGER decisions_append_only_delete BEFORE DELETE ON decisions "
            "WHEN OLD.decided_by IS NOT 'mallory' BEGIN SELECT RAISE(ABORT, 'no'); END"
        )
    assert seeded.store.verify().problems == ["guard decisions_append_only_delete was altered outside the store"]


def test_verify_reports_an_owner_changed_after_dropping_the_commit_guard(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        conn.execute("DROP TRIGGER actions_commit_guard")
        conn.execute("UPDATE actions SET owner = 'mallory' WHERE id = ?", [seeded.accepted])
    problems = seeded.store.verify().problems
    assert "guard actions_commit_guard is missing (dropped outside the store)" in problems
    assert (
        f"action {seeded.accepted}: state/owner/due ('accepted', 'mallory', '2030-05-01') not set by its "
        "latest decision" in problems
    )


def test_verify_reports_a_decision_edited_after_dropping_the_append_only_guard(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        conn.execute("DROP TRIGGER decisions_append_only_update")
        conn.execute("UPDATE decisions SET decided_by = 'carol' WHERE id = ?", [seeded.carol_accept])
    problems = seeded.store.verify().problems
    assert f"decision {seeded.carol_accept}: content does not match its hash (altered or forged)" in problems


def test_verify_reports_a_decision_deleted_after_dropping_the_append_only_guard(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        conn.execute("DROP TRIGGER decisions_append_only_delete")
        conn.execute("DELETE FROM decisions WHERE id = ?", [seeded.first_accept])
    problems = seeded.store.verify().problems
    assert f"decision {seeded.first_accept + 1}: does not link to the previous decision (chain broken)" in problems


# -- the Store API: legitimate flows --------------------------------------------------------------------


def test_accept_commits_owner_and_due_date_through_a_recorded_decision(seeded: Seeded) -> None:
    decision, action = seeded.store.record_decision(seeded.fresh, _accept("erin", date(2030, 8, 1)))
    assert (action.state, action.owner, action.due, action.decision_id) == (
        ActionState.ACCEPTED,
        "erin",
        date(2030, 8, 1),
        decision.id,
    )
    assert (decision.kind, decision.from_state, decision.to_state, decision.decided_by, decision.channel) == (
        DecisionKind.ACCEPT,
        ActionState.CANDIDATE,
        ActionState.ACCEPTED,
        "alice",
        Channel.TERMINAL,
    )
    assert seeded.store.get_action(seeded.fresh) == action
    assert seeded.store.verify().ok


def test_replan_moves_owner_and_due_date_and_keeps_the_working_status(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        conn.execute(
            "UPDATE actions SET work_status = 'in_progress', status_note = 'half done' WHERE id = ?", [seeded.accepted]
        )
    _, action = seeded.store.record_decision(
        seeded.accepted, _human(DecisionKind.REPLAN, owner="frank", due=date(2030, 9, 1), reason="carol moved teams")
    )
    assert (action.state, action.owner, action.due) == (ActionState.ACCEPTED, "frank", date(2030, 9, 1))
    assert (action.work_status, action.status_note) == (WorkStatus.IN_PROGRESS, "half done")
    assert seeded.store.verify().ok


def test_kill_of_an_accepted_action_keeps_its_owner_and_clears_its_working_status(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        conn.execute("UPDATE actions SET work_status = 'blocked' WHERE id = ?", [seeded.accepted])
    decision, action = seeded.store.record_decision(seeded.accepted, _human(DecisionKind.KILL, reason="descoped"))
    assert (action.state, action.owner, action.due, action.work_status) == (
        ActionState.KILLED,
        "carol",
        date(2030, 5, 1),
        None,
    )
    assert (decision.reason, decision.from_state) == ("descoped", ActionState.ACCEPTED)
    assert seeded.store.verify().ok


def test_complete_then_reopen_returns_the_action_to_its_owner(seeded: Seeded) -> None:
    _, done = seeded.store.record_decision(seeded.accepted, _human(DecisionKind.COMPLETE, evidence="PR #42"))
    assert (done.state, done.owner) == (ActionState.DONE, "carol")
    _, reopened = seeded.store.record_decision(seeded.accepted, _human(DecisionKind.REOPEN, reason="alert flaps"))
    assert (reopened.state, reopened.owner, reopened.due) == (ActionState.ACCEPTED, "carol", date(2030, 5, 1))
    assert [d.kind for d in seeded.store.decisions(seeded.accepted)] == [
        DecisionKind.ACCEPT,
        DecisionKind.COMPLETE,
        DecisionKind.REOPEN,
    ]
    assert seeded.store.verify().ok


def test_defer_records_a_decision_and_leaves_the_candidate_undecided(seeded: Seeded) -> None:
    decision, action = seeded.store.record_decision(seeded.fresh, _human(DecisionKind.DEFER, reason="next quarter"))
    assert (action.state, action.owner, action.due, action.decision_id) == (
        ActionState.CANDIDATE,
        None,
        None,
        decision.id,
    )
    _, accepted = seeded.store.record_decision(seeded.fresh, _accept("gina", date(2030, 10, 1)))
    assert accepted.state is ActionState.ACCEPTED
    assert seeded.store.verify().ok


def test_decisions_are_hash_chained_in_order(seeded: Seeded) -> None:
    decisions = seeded.store.decisions()
    assert [d.id for d in decisions] == list(range(1, 8))
    previous = GENESIS_HASH
    for decision in decisions:
        assert decision.prev_hash == previous
        row = decision.model_dump(mode="json")
        row["decided_at"] = decision.decided_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        assert decision_hash(previous, row) == decision.hash
        previous = decision.hash


def test_add_actions_writes_every_candidate_or_none(seeded: Seeded) -> None:
    good = _candidate("add a synthetic checkout probe", text="Add a second probe")
    bad = NewAction(**{**good.model_dump(), "text": "Out of range", "quote_end": len(TEXT) + 5})
    before, total_before = seeded.store.list_actions(ActionFilter(postmortem_id=seeded.pm_id), limit=100, offset=0)
    with pytest.raises(InvalidInput, match="outside the text"):
        seeded.store.add_actions(seeded.pm_id, [good, bad], BY)
    after, total_after = seeded.store.list_actions(ActionFilter(postmortem_id=seeded.pm_id), limit=100, offset=0)
    assert (after, total_after) == (before, total_before) == (before, 6)


def test_adding_the_same_postmortem_twice_returns_the_stored_one(seeded: Seeded) -> None:
    again, created = seeded.store.add_postmortem(
        NewPostmortem(title="Copy", source="pasted", text=TEXT, sha256=hashlib.sha256(TEXT.encode()).hexdigest()), BY
    )
    assert (again.id, again.title, created) == (seeded.pm_id, "Checkout outage", False)


# -- the Store API: domain errors, never sqlite3 errors ---------------------------------------------------


def test_complete_of_a_candidate_raises_illegal_transition_and_changes_nothing(seeded: Seeded) -> None:
    with pytest.raises(
        IllegalTransition, match="complete decision does not apply to an action that is candidate"
    ) as caught:
        seeded.store.record_decision(seeded.fresh, _human(DecisionKind.COMPLETE))
    assert not isinstance(caught.value, sqlite3.Error)
    assert seeded.store.get_action(seeded.fresh).state is ActionState.CANDIDATE
    assert len(seeded.store.decisions()) == 7
    assert seeded.store.verify().ok


@pytest.mark.parametrize(
    ("which", "decision"),
    [
        pytest.param("fresh", _human(DecisionKind.ACCEPT, due=date(2030, 1, 1)), id="accept-without-owner"),
        pytest.param("fresh", _human(DecisionKind.ACCEPT, owner="bob"), id="accept-without-due"),
        pytest.param("fresh", _human(DecisionKind.KILL), id="kill-without-reason"),
        pytest.param("accepted", _accept("bob", date(2030, 1, 1)), id="accept-an-accepted-action"),
        pytest.param(
            "accepted", _human(DecisionKind.REPLAN, owner="bob", due=date(2030, 1, 1)), id="replan-without-reason"
        ),
        pytest.param("killed", _human(DecisionKind.REOPEN, reason="changed my mind"), id="reopen-a-killed-action"),
        pytest.param("done", _human(DecisionKind.COMPLETE), id="complete-twice"),
    ],
)
def test_a_decision_that_does_not_fit_raises_illegal_transition(
    seeded: Seeded, which: str, decision: HumanDecision
) -> None:
    action_id = getattr(seeded, which)
    before = seeded.store.get_action(action_id)
    with pytest.raises(IllegalTransition):
        seeded.store.record_decision(action_id, decision)
    assert seeded.store.get_action(action_id) == before
    assert len(seeded.store.decisions()) == 7


@pytest.mark.parametrize("kind", [DecisionKind.COMPLETE, DecisionKind.KILL])
def test_a_decision_other_than_accept_or_replan_carrying_an_owner_or_due_date_is_refused(
    seeded: Seeded, kind: DecisionKind
) -> None:
    with pytest.raises(IllegalTransition, match="re-plan"):
        seeded.store.record_decision(seeded.accepted, _human(kind, owner="mallory", due=date(2099, 1, 1), reason="raw"))
    action = seeded.store.get_action(seeded.accepted)
    assert (action.state, action.owner, action.due) == ("accepted", "carol", date(2030, 5, 1))
    decision, action = seeded.store.record_decision(seeded.accepted, _human(kind, reason="raw"))
    assert (decision.owner, decision.due) == (action.owner, action.due) == ("carol", date(2030, 5, 1))


def test_a_decision_on_an_unknown_action_raises_action_not_found(seeded: Seeded) -> None:
    with pytest.raises(ActionNotFound, match="no action has id 999"):
        seeded.store.record_decision(999, _accept("bob", date(2030, 1, 1)))
    assert len(seeded.store.decisions()) == 7


def test_unknown_action_ids_raise_action_not_found(seeded: Seeded) -> None:
    with pytest.raises(ActionNotFound):
        seeded.store.get_action(999)
    with pytest.raises(ActionNotFound):
        seeded.store.revise_candidate(999, {"text": "x"}, BY)


def test_unknown_postmortem_ids_raise_postmortem_not_found(seeded: Seeded) -> None:
    with pytest.raises(PostmortemNotFound, match="no postmortem has id 999"):
        seeded.store.get_postmortem(999)
    with pytest.raises(PostmortemNotFound):
        seeded.store.add_actions(999, [_candidate("add a synthetic checkout probe")], BY)


@pytest.mark.parametrize("which", ["accepted", "done", "killed"])
def test_revise_of_a_decided_action_raises_not_editable(seeded: Seeded, which: str) -> None:
    action_id = getattr(seeded, which)
    with pytest.raises(NotEditable, match="only candidates can be revised"):
        seeded.store.revise_candidate(action_id, {"text": "Something easier"}, BY)
    assert seeded.store.get_action(action_id).text != "Something easier"


@pytest.mark.parametrize("field", ["owner", "due", "state", "decision_id"])
def test_revise_cannot_touch_owner_due_date_or_state(seeded: Seeded, field: str) -> None:
    with pytest.raises(InvalidInput, match="cannot be revised"):
        seeded.store.revise_candidate(seeded.fresh, {field: "mallory"}, BY)


def test_revise_of_a_candidate_is_logged_in_the_audit_log(seeded: Seeded) -> None:
    revised = seeded.store.revise_candidate(seeded.fresh, {"text": "Load-test cart at 3x peak"}, BY)
    assert revised.text == "Load-test cart at 3x peak"
    entry = seeded.store.audit_log("action", seeded.fresh)[-1]
    assert (entry.op, entry.actor, entry.changes["text"][1]) == ("revise", "assistant", "Load-test cart at 3x peak")


def test_a_file_that_is_not_a_database_raises_schema_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    content = b"these are my meeting notes, not a database\n" * 200
    path.write_bytes(content)
    with pytest.raises(SchemaMismatch, match="not a postmortem-actions database"):
        Store(path)
    assert path.read_bytes() == content


def test_a_database_from_a_newer_version_raises_schema_mismatch(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        conn.execute(f"PRAGMA user_version = {len(KNOWN_MIGRATIONS) + 1}")
    with pytest.raises(SchemaMismatch, match="newer postmortem-actions"):
        Store(seeded.path)


def test_a_database_with_unknown_migrations_raises_schema_mismatch(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        conn.execute("PRAGMA user_version = 0")
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
            [MIGRATION_SET, "9999_from_the_future", "2031-01-01"],
        )
    with pytest.raises(SchemaMismatch, match="9999_from_the_future"):
        Store(seeded.path)


@pytest.mark.parametrize("call", ["get_action", "get_postmortem"])
def test_an_id_beyond_sqlites_integer_range_raises_a_domain_error(seeded: Seeded, call: str) -> None:
    with pytest.raises(PostmortemActionsError):
        getattr(seeded.store, call)(2**63)


def test_the_same_candidate_text_is_stored_once_however_it_is_spaced_or_cased(seeded: Seeded) -> None:
    fresh_text = _candidate("add a synthetic checkout probe", text="Run the synthetic checkout probe every minute")
    [(first, created)] = seeded.store.add_actions(seeded.pm_id, [fresh_text], BY)
    again = _candidate("add a synthetic checkout probe", text=f"  {first.text.upper().replace(' ', '   ')} ")
    [(second, created_again)] = seeded.store.add_actions(seeded.pm_id, [again], BY)
    assert (created, created_again) == (True, False)
    assert second.id == first.id


def test_changing_a_decision_row_is_a_gate_error_not_an_illegal_transition(seeded: Seeded) -> None:
    from postmortem_actions.store.connection import translate

    error = translate(sqlite3.IntegrityError("gate: decisions are append-only and cannot be updated"))
    assert isinstance(error, HumanDecisionRequired)
    assert isinstance(
        translate(sqlite3.IntegrityError("gate: decision does not continue the hash chain")), IllegalTransition
    )


def test_every_store_error_is_a_domain_error() -> None:
    for error in (ActionNotFound, PostmortemNotFound, IllegalTransition, NotEditable, InvalidInput, SchemaMismatch):
        assert issubclass(error, PostmortemActionsError)
        assert not issubclass(error, sqlite3.Error)


# -- schema ------------------------------------------------------------------------------------------------


def test_migrations_are_recorded_in_sqlite_migrations(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        rows = conn.execute("SELECT migration_set, name FROM _sqlite_migrations ORDER BY id").fetchall()
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    assert [tuple(r) for r in rows] == [(MIGRATION_SET, name) for name in KNOWN_MIGRATIONS]
    assert version == len(KNOWN_MIGRATIONS)


def test_reopening_a_store_applies_no_migration_twice(seeded: Seeded) -> None:
    Store(seeded.path)
    Store(seeded.path)
    with raw(seeded.path) as conn:
        assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(KNOWN_MIGRATIONS)
    assert seeded.store.verify().ok


def test_a_database_written_by_the_first_version_is_upgraded_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as plain:
        migrations.apply(sqlite_utils.Database(plain), stop_before=KNOWN_MIGRATIONS[1:])
        plain.execute("PRAGMA user_version = 1")
        plain.commit()
    with closing(open_connection(path)) as conn:
        assert not verify_database(conn).ok  # the later guards are missing
    store = Store(path)
    report = store.verify()
    assert report.ok, report.problems
    with raw(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert names == list(KNOWN_MIGRATIONS)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(KNOWN_MIGRATIONS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("table", STORE_TABLES)
def test_every_store_table_is_strict(seeded: Seeded, table: str) -> None:
    with raw(seeded.path) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()[0]
    assert sql.rstrip().endswith("STRICT")


def test_strict_tables_refuse_a_value_of_the_wrong_type(seeded: Seeded) -> None:
    with raw(seeded.path) as conn, pytest.raises(sqlite3.IntegrityError, match="cannot store"):
        conn.execute("UPDATE actions SET quote_start = 'the middle' WHERE id = ?", [seeded.fresh])


def test_the_database_is_in_wal_mode(seeded: Seeded) -> None:
    with raw(seeded.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_store_connections_enforce_foreign_keys(seeded: Seeded) -> None:
    with closing(open_connection(seeded.path)) as conn:
        assert conn.execute("PRAGMA foreign_keys").fetchone()["foreign_keys"] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()["timeout"] >= 5_000
        assert conn.execute("PRAGMA recursive_triggers").fetchone()["recursive_triggers"] == 1
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            conn.execute(
                "INSERT INTO actions (postmortem_id, text, done_when, problem, category, quote, "
                "quote_start, quote_end) VALUES (999, 'x', 'y', 'z', 'detect', 'q', 0, 1)"
            )
        assert not conn.in_transaction
