"""Migration 0005 rebuilds the decision log (a defer's revisit date; kind and channel checked by rendered guards):
a database with decisions keeps every row and hash, the chain verifies, and the new kinds and channels work."""

from __future__ import annotations

import hashlib
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
    migrations,
)
from postmortem_actions.store.chain import decision_hash
from postmortem_actions.store.errors import IllegalTransition
from postmortem_actions.store.schema import GENESIS_HASH, GUARDS, KNOWN_MIGRATIONS

BY = Actor(actor="assistant", via="test")
TEXT = "# Outage\n\n## Action items\n\n- Add an alert on queue depth above 10,000.\n- Write the runbook.\n"


def _before_0005(path: Path) -> list[tuple[object, ...]]:
    """A database as migrations 0001-0004 left it, with an accepted and a killed action; its decision rows."""
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    old = Migrations(migrations.MIGRATION_SET)
    for name in KNOWN_MIGRATIONS[:4]:
        old(name=name)(next(m.fn for m in migrations.migrations._migrations if m.name == name))
    old.apply(db)
    db.execute("PRAGMA user_version = 4")
    raw = db.conn
    raw.row_factory = sqlite3.Row
    raw.execute(
        "INSERT INTO postmortems (title, source, text, sha256, created_by) VALUES ('t', 'pasted', ?, ?, 'x')",
        [TEXT, hashlib.sha256(TEXT.encode()).hexdigest()],
    )
    for n in (1, 2):
        raw.execute(
            "INSERT INTO actions (postmortem_id, text, done_when, problem, category, quote, quote_start, quote_end) "
            "VALUES (1, ?, 'd', 'p', 'detect', 'q', 0, 1)",
            [f"item {n}"],
        )
    prev = GENESIS_HASH
    steps = [
        (1, 1, "accept", "candidate", "accepted", "dana", "2027-02-01", None),
        (2, 2, "accept", "candidate", "accepted", "lee", "2027-03-01", None),
        (3, 2, "kill", "accepted", "killed", "lee", "2027-03-01", "superseded by the queue rewrite"),
    ]
    for id_, action, kind, from_state, to_state, owner, due, reason in steps:
        row: dict[str, object] = {
            "id": id_,
            "action_id": action,
            "kind": kind,
            "from_state": from_state,
            "to_state": to_state,
            "owner": owner,
            "due": due,
            "reason": reason,
            "evidence": None,
            "decided_by": "dana",
            "channel": "terminal",
            "client": None,
            "decided_at": f"2026-12-0{id_}T10:00:00.000Z",
        }
        row["prev_hash"], row["hash"] = prev, decision_hash(prev, row)
        prev = str(row["hash"])
        raw.execute(f"INSERT INTO decisions ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", [*row.values()])
        raw.execute(
            "UPDATE actions SET state = ?, owner = ?, due = ?, decision_id = ? WHERE id = ?",
            [to_state, owner, due, id_, action],
        )
    rows = [tuple(r) for r in raw.execute("SELECT * FROM decisions ORDER BY id")]
    raw.close()
    return rows


def test_a_database_with_decisions_is_rebuilt_keeping_every_row_and_hash(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    before = _before_0005(path)
    store = Store(path)
    report = store.verify()
    assert report.ok, report.problems
    assert report.decisions == 3
    with closing(sqlite3.connect(path)) as db:
        after = [tuple(r)[:15] for r in db.execute("SELECT * FROM decisions ORDER BY id")]
        triggers = {
            n: " ".join(s.split()) for n, s in db.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger'")
        }
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert after == before
    assert triggers == {name: " ".join(sql.split()) for name, sql in GUARDS.items()}


def test_after_the_rebuild_the_decision_log_still_refers_to_actions_and_keys_are_enforced(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _before_0005(path)
    store = Store(path)
    with store._db() as db:  # the very connection that ran the migration
        assert db.execute("PRAGMA foreign_keys").fetchone()["foreign_keys"] == 1
    with closing(sqlite3.connect(path)) as raw:
        references = [(r[2], r[3], r[4]) for r in raw.execute("PRAGMA foreign_key_list(decisions)")]
        assert references == [("actions", "action_id", "id")]
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    assert store.verify().ok


def _decide(store: Store, action_id: int, kind: DecisionKind, **values: object) -> None:
    store.record_decision(action_id, HumanDecision(kind=kind, decided_by="dana", channel=Channel.WEB, **values))


def test_a_killed_item_is_revived_as_an_undecided_candidate_with_no_owner_or_date(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _before_0005(path)
    store = Store(path)
    _decide(store, 2, DecisionKind.REVIVE, reason="the rewrite was cancelled")
    revived = store.get_action(2)
    assert (revived.state, revived.owner, revived.due) == (ActionState.CANDIDATE, None, None)
    _decide(store, 2, DecisionKind.ACCEPT, owner="kim", due=date(2027, 5, 1))
    assert store.get_action(2).owner == "kim"
    assert store.verify().ok


@pytest.mark.parametrize(
    ("kind", "values", "message"),
    [
        (DecisionKind.REVIVE, {}, "needs a reason"),
        (DecisionKind.REVIVE, {"reason": "r", "owner": "kim", "due": date(2027, 1, 1)}, "keeps the owner"),
        (
            DecisionKind.ACCEPT,
            {"owner": "kim", "due": date(2027, 1, 1), "revisit_on": date(2027, 1, 1)},
            "only a defer",
        ),
    ],
)
def test_a_revive_or_revisit_date_that_does_not_fit_is_refused(
    tmp_path: Path, kind: DecisionKind, values: dict[str, object], message: str
) -> None:
    store = Store(tmp_path / "a.db")
    pm, _ = store.add_postmortem(
        NewPostmortem(title="t", source="pasted", text=TEXT, sha256=hashlib.sha256(TEXT.encode()).hexdigest()), BY
    )
    [(action, _)] = store.add_actions(
        pm.id,
        [NewAction(text="t", done_when="d", problem="p", category="detect", quote="A", quote_start=0, quote_end=1)],
        BY,
    )
    if kind is DecisionKind.REVIVE:
        _decide(store, action.id, DecisionKind.KILL, reason="not needed")
    with pytest.raises(IllegalTransition, match=message):
        _decide(store, action.id, kind, **values)


def test_a_defer_keeps_its_revisit_date_in_the_hash(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    pm, _ = store.add_postmortem(
        NewPostmortem(title="t", source="pasted", text=TEXT, sha256=hashlib.sha256(TEXT.encode()).hexdigest()), BY
    )
    [(action, _)] = store.add_actions(
        pm.id,
        [NewAction(text="t", done_when="d", problem="p", category="detect", quote="A", quote_start=0, quote_end=1)],
        BY,
    )
    _decide(store, action.id, DecisionKind.DEFER, reason="after the freeze", revisit_on=date(2027, 1, 11))
    [decision] = store.decisions(action.id)
    assert decision.revisit_on == date(2027, 1, 11)
    assert store.verify().ok
    with closing(sqlite3.connect(tmp_path / "a.db")) as raw:
        raw.execute("PRAGMA writable_schema = ON")  # as an attacker would: the guards only stop ordinary UPDATEs
        raw.execute("DROP TRIGGER decisions_append_only_update")
        raw.execute("UPDATE decisions SET revisit_on = '2027-06-01'")
        raw.commit()
    assert any("altered or forged" in p for p in Store(tmp_path / "a.db").verify().problems)


@pytest.mark.parametrize("channel", ["email", "", "WEB"])
def test_a_decision_through_an_unknown_channel_is_refused_by_the_guard(tmp_path: Path, channel: str) -> None:
    path = tmp_path / "a.db"
    Store(path).close()
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        raw.execute("PRAGMA foreign_keys = OFF")
        with pytest.raises(sqlite3.IntegrityError, match="known channel"):
            raw.execute(
                "INSERT INTO decisions (id, action_id, kind, from_state, to_state, decided_by, channel, decided_at, "
                "prev_hash, hash) VALUES (1, 1, 'defer', 'candidate', 'candidate', 'x', ?, 'now', ?, ?)",
                [channel, GENESIS_HASH, "f" * 64],
            )
