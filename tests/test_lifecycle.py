"""The decision state machine is written once (store/lifecycle.py): the guard the database holds is rendered from
it, and the store's checks and the trigger agree on every kind, state and missing value."""

from __future__ import annotations

import hashlib
import itertools
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils
from sqlite_utils.migrations import Migrations

from postmortem_actions.store import (
    ActionState,
    Actor,
    Channel,
    DecisionKind,
    HumanDecision,
    NewAction,
    NewPostmortem,
    Store,
    lifecycle,
    migrations,
)
from postmortem_actions.store.chain import decision_hash
from postmortem_actions.store.errors import IllegalTransition
from postmortem_actions.store.schema import GENESIS_HASH, GUARDS

BY = Actor(actor="assistant", via="test")
TEXT = "# Outage\n\n## Action items\n\n- Add an alert on queue depth above 10,000.\n"
QUOTE = "Add an alert on queue depth"


def _triggers(path: Path) -> dict[str, str]:
    with closing(sqlite3.connect(path)) as db:
        return {
            name: " ".join(sql.split())
            for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        }


def test_a_new_database_holds_exactly_the_guards_rendered_from_the_table(tmp_path: Path) -> None:
    Store(tmp_path / "a.db").close()
    assert _triggers(tmp_path / "a.db") == {name: " ".join(sql.split()) for name, sql in GUARDS.items()}
    for row in lifecycle.TRANSITIONS.values():
        assert f"NEW.kind = '{row.kind}'" in GUARDS["decisions_insert_guard"]


def _release_0_1(path: Path) -> None:
    """A database as the first three migrations left it, with a ticket we filed and one the assistant linked."""
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    old = Migrations(migrations.MIGRATION_SET)
    for name in ("0001_initial", "0002_replace_guards", "0003_followthrough"):
        old(name=name)(next(m.fn for m in migrations.migrations._migrations if m.name == name))
    old.apply(db)
    db.execute("PRAGMA user_version = 3")
    db.conn.close()


def test_an_older_database_is_migrated_to_the_rendered_guards_and_its_tickets_keep_their_origin(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _release_0_1(path)
    assert _triggers(path)["decisions_insert_guard"] != " ".join(GUARDS["decisions_insert_guard"].split())
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        raw.execute(
            "INSERT INTO postmortems (title, source, text, sha256, created_by) VALUES ('t', 'pasted', ?, ?, 'x')",
            [TEXT, hashlib.sha256(TEXT.encode()).hexdigest()],
        )
        for n in (1, 2):
            raw.execute(
                "INSERT INTO actions (postmortem_id, text, done_when, problem, category, quote, quote_start, "
                "quote_end) VALUES (1, ?, 'd', 'p', 'detect', 'q', 0, 1)",
                [f"item {n}"],
            )
        for n, op in ((1, "export"), (2, "link")):
            raw.execute("INSERT INTO tickets (action_id, tracker, ref) VALUES (?, 'github', ?)", [n, f"a/b#{n}"])
            raw.execute(
                "INSERT INTO audit_log (entity, entity_id, op, changes, actor, via) VALUES "
                "('ticket', ?, ?, '{}', 'x', 'y')",
                [n, op],
            )
    store = Store(path)
    assert _triggers(path) == {name: " ".join(sql.split()) for name, sql in GUARDS.items()}
    assert [t.origin for t in store.tickets()] == ["export", "link"]
    assert store.verify().ok
    with closing(sqlite3.connect(path)) as raw, pytest.raises(sqlite3.IntegrityError, match="origin"):
        raw.execute("UPDATE tickets SET origin = 'export' WHERE id = 2")


# -- the table and the trigger agree ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_of_each(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[ActionState, int]]:
    """A database with an action in each state."""
    path = tmp_path_factory.mktemp("lifecycle") / "each.db"
    store = Store(path)
    pm, _ = store.add_postmortem(
        NewPostmortem(title="Outage", source="pasted", text=TEXT, sha256=hashlib.sha256(TEXT.encode()).hexdigest()), BY
    )
    start = TEXT.index(QUOTE)
    made = store.add_actions(
        pm.id,
        [
            NewAction(
                text=f"Item {n}",
                done_when="d",
                problem="p",
                category="detect",
                quote=QUOTE,
                quote_start=start,
                quote_end=start + len(QUOTE),
            )
            for n in range(4)
        ],
        BY,
    )
    ids = [a.id for a, _ in made]

    def human(kind: DecisionKind, **values: object) -> HumanDecision:
        return HumanDecision(kind=kind, decided_by="dana", channel=Channel.TERMINAL, **values)

    for action_id in ids[1:]:
        store.record_decision(action_id, human(DecisionKind.ACCEPT, owner="dana", due=date(2027, 1, 1)))
    store.record_decision(ids[2], human(DecisionKind.COMPLETE))
    store.record_decision(ids[3], human(DecisionKind.KILL, reason="not worth it"))
    store.close()
    return path, dict(
        zip((ActionState.CANDIDATE, ActionState.ACCEPTED, ActionState.DONE, ActionState.KILLED), ids, strict=True)
    )


OWNERS = ("dana", " ", None)
DUES = (date(2027, 2, 1), None)
REASONS = ("a reason", "  ", None)


def _sql_allows(
    path: Path,
    action_id: int,
    kind: DecisionKind,
    to_state: ActionState,
    owner: str | None,
    due: date | None,
    reason: str | None,
) -> bool:
    """Whether the decision triggers let this decision row in (it is rolled back either way)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.row_factory = sqlite3.Row
        action = db.execute("SELECT * FROM actions WHERE id = ?", [action_id]).fetchone()
        head = db.execute("SELECT id, hash FROM decisions ORDER BY id DESC LIMIT 1").fetchone()
        sets_plan = kind in (DecisionKind.ACCEPT, DecisionKind.REPLAN)
        kept = {"owner": None, "due": None} if kind is DecisionKind.REVIVE else action
        row: dict[str, object] = {
            "id": head["id"] + 1,
            "action_id": action_id,
            "kind": str(kind),
            "from_state": action["state"],
            "to_state": str(to_state),
            "owner": owner if sets_plan else kept["owner"],
            "due": (due.isoformat() if due else None) if sets_plan else kept["due"],
            "reason": reason,
            "evidence": None,
            "decided_by": "dana",
            "channel": "terminal",
            "client": None,
            "decided_at": "2026-12-04T10:00:00.000000Z",
        }
        row["prev_hash"] = head["hash"] or GENESIS_HASH
        row["hash"] = decision_hash(str(row["prev_hash"]), row)
        db.execute("BEGIN")
        try:
            db.execute(
                f"INSERT INTO decisions ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
            )
        except sqlite3.IntegrityError:
            return False
        finally:
            db.execute("ROLLBACK")
        return True


def _store_allows(
    kind: DecisionKind, state: ActionState, owner: str | None, due: date | None, reason: str | None
) -> ActionState | None:
    sets_plan = lifecycle.transition(kind).sets_plan
    try:
        row = lifecycle.check(
            kind, state, owner=owner if sets_plan else None, due=due if sets_plan else None, reason=reason
        )
    except IllegalTransition:
        return None
    return row.to_state


@pytest.mark.parametrize("kind", list(DecisionKind))
def test_the_store_check_and_the_trigger_agree_on_every_state_and_missing_value(
    one_of_each: tuple[Path, dict[ActionState, int]], kind: DecisionKind
) -> None:
    path, ids = one_of_each
    for state, owner, due, reason in itertools.product(ids, OWNERS, DUES, REASONS):
        to_state = _store_allows(kind, state, owner, due, reason)
        target = to_state or lifecycle.transition(kind).to_state
        assert _sql_allows(path, ids[state], kind, target, owner, due, reason) is (to_state is not None), (
            kind,
            state,
            owner,
            due,
            reason,
        )


def test_a_decision_that_names_the_wrong_destination_is_refused_by_the_trigger(
    one_of_each: tuple[Path, dict[ActionState, int]],
) -> None:
    path, ids = one_of_each
    for kind, row in lifecycle.TRANSITIONS.items():
        for wrong in set(ActionState) - {row.to_state}:
            assert not _sql_allows(path, ids[row.from_states[0]], kind, wrong, "dana", date(2027, 2, 1), "why")
