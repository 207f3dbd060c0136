"""The SQLite store: every read and write of postmortems, actions, decisions and the audit log.

Each thread gets a connection of its own, kept for reuse, so the store is safe to call from any thread
(the MCP SDK runs sync tools on worker threads). Every write is one BEGIN IMMEDIATE transaction.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Final

from .chain import VerifyReport, decision_hash, verify_database
from .connection import open_connection, reading, snapshot, writing
from .errors import (
    ActionNotFound,
    IllegalTransition,
    InvalidInput,
    NotEditable,
    PostmortemNotFound,
    SchemaMismatch,
    StoreError,
)
from .inputs import ActionFilter, Actor, HumanDecision, NewAction, NewPostmortem
from .records import SUMMARY_COLUMNS, Action, ActionState, ActionSummary, AuditEntry, Decision, DecisionKind, Postmortem
from .schema import GENESIS_HASH, KNOWN_MIGRATIONS

EDITABLE_FIELDS: Final = frozenset({
    "text", "done_when", "problem", "category", "size", "quote", "quote_start", "quote_end",
    "proposed_owner", "proposed_due",
})


def text_key(text: str) -> str:
    """What makes two action texts the same item: case and runs of whitespace do not count."""
    return " ".join(text.casefold().split())


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _sql_value(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _where(where: ActionFilter) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    for key, clause in (("postmortem_id", "postmortem_id = :postmortem_id"), ("state", "state = :state"),
                        ("owner", "owner = :owner COLLATE NOCASE"), ("category", "category = :category"),
                        ("due_before", "due < :due_before"), ("due_after", "due > :due_after")):
        value = getattr(where, key)
        if value is not None:
            clauses.append(clause)
            params[key] = _sql_value(value)
    # No "WHERE 1": a bare count(*) lets SQLite count the smallest index instead of visiting rows.
    return (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params


class Store:
    """A postmortem-actions database file.

    `create=False` refuses a file that does not exist yet (for commands that only read or check).
    Any method may also raise StoreBusy or StoreError (the database failed) and InvalidInput (a number
    beyond SQLite's range, text that is not valid Unicode); each method lists only its own errors.

    Raises on construction:
        SchemaMismatch: the file is not ours, or a newer version wrote it.
        StoreError: the file cannot be created or opened, or does not exist and `create` is False.
    """

    def __init__(self, path: Path | str, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise StoreError(f"no database at {self.path}; check --db or POSTMORTEM_ACTIONS_DB")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the database folder {self.path.parent}: {exc.strerror}") from exc
        # One connection per thread, reused: opening one re-parses the schema and its guards every time.
        self._conns: dict[int, sqlite3.Connection] = {}
        self._lock = threading.Lock()
        with self._db() as db:
            self._migrate(db)

    # -- connections -------------------------------------------------------------------------------

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        # A nested call (a read inside a write) gets the same connection and so sees the open transaction;
        # writing() and snapshot() end theirs on every exit, so none is ever left open between calls.
        ident = threading.get_ident()
        with self._lock:
            conn = self._conns.get(ident)
        if conn is None:
            conn = open_connection(self.path)
            with self._lock:
                # The SDK's worker threads retire when idle; close what they left behind.
                alive = {thread.ident for thread in threading.enumerate()}
                for gone in [i for i in self._conns if i not in alive]:
                    self._conns.pop(gone).close()
                self._conns[ident] = conn
        yield conn

    def open_connections(self) -> int:
        """How many connections this store holds (one per thread that used it, while that thread lives)."""
        with self._lock:
            return len(self._conns)

    def close(self) -> None:
        """Close every connection this store opened, in any thread; the store reopens on next use."""
        with self._lock:
            conns, self._conns = list(self._conns.values()), {}
        for conn in conns:
            conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self, db: sqlite3.Connection) -> None:
        with reading(db):
            version = db.execute("PRAGMA user_version").fetchone()["user_version"]
            if version == len(KNOWN_MIGRATIONS):
                return
            if version > len(KNOWN_MIGRATIONS):
                raise SchemaMismatch(f"{self.path} was written by a newer postmortem-actions; upgrade")
            if db.execute("PRAGMA journal_mode").fetchone()["journal_mode"] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
        from . import migrations  # sqlite-utils is loaded only when a file needs migrating

        with writing(db):
            unknown = set(migrations.applied(db)) - set(KNOWN_MIGRATIONS)
            if unknown:
                raise SchemaMismatch(f"{self.path} has migrations this version does not know: {sorted(unknown)}")
            migrations.apply(db)
            db.execute(f"PRAGMA user_version = {len(KNOWN_MIGRATIONS)}")

    # -- postmortems -------------------------------------------------------------------------------

    def add_postmortem(self, new: NewPostmortem, by: Actor) -> tuple[Postmortem, bool]:
        """Store a postmortem; the same text (same sha256) returns the stored one and False.

        Raises:
            InvalidInput: a constraint refused a value.
        """
        with self._db() as db, writing(db):
            existing = self._postmortem_where(db, "sha256 = ?", [new.sha256])
            if existing is not None:
                return existing, False
            values = {k: _sql_value(v) for k, v in new.model_dump().items()}
            cursor = db.execute(
                "INSERT INTO postmortems (title, source, text, sha256, severity, incident_date, created_by) "
                "VALUES (:title, :source, :text, :sha256, :severity, :incident_date, :created_by)",
                {**values, "created_by": by.actor},
            )
            pm_id = int(cursor.lastrowid or 0)
            self._audit(db, "postmortem", pm_id, "create",
                        {"title": [None, new.title], "source": [None, new.source]}, by)
            created = self._postmortem_where(db, "id = ?", [pm_id])
            assert created is not None
            return created, True

    def get_postmortem(self, postmortem_id: int) -> Postmortem:
        """The postmortem with this id.

        Raises:
            PostmortemNotFound: no such id.
        """
        with self._db() as db, reading(db):
            found = self._postmortem_where(db, "id = ?", [postmortem_id])
        if found is None:
            raise PostmortemNotFound(f"no postmortem has id {postmortem_id}")
        return found

    def list_postmortems(self) -> list[Postmortem]:
        """Every stored postmortem, newest first."""
        with self._db() as db, reading(db):
            return [Postmortem.model_validate(r) for r in db.execute("SELECT * FROM postmortems ORDER BY id DESC")]

    @staticmethod
    def _postmortem_where(db: sqlite3.Connection, where: str, params: list[object]) -> Postmortem | None:
        for row in db.execute(f"SELECT * FROM postmortems WHERE {where}", params):  # noqa: S608 - fixed clauses
            return Postmortem.model_validate(row)
        return None

    # -- actions -----------------------------------------------------------------------------------

    def add_actions(self, postmortem_id: int, new: list[NewAction], by: Actor) -> list[tuple[Action, bool]]:
        """Insert candidate actions in one transaction: all are written or none.

        An item whose text (see `text_key`) the postmortem already has is not inserted again; it comes
        back as the existing action with False. The check runs inside the write transaction, so parallel
        calls cannot both insert the same candidate.

        Raises:
            PostmortemNotFound: no such postmortem.
            InvalidInput: a quote's offsets fall outside the text, or a constraint refused a value.
        """
        with self._db() as db, writing(db):
            found = db.execute("SELECT length(text) AS n FROM postmortems WHERE id = ?", [postmortem_id]).fetchone()
            if found is None:
                raise PostmortemNotFound(f"no postmortem has id {postmortem_id}")
            known = {text_key(str(r["text"])): int(r["id"])
                     for r in db.execute("SELECT id, text FROM actions WHERE postmortem_id = ?", [postmortem_id])}
            results: list[tuple[int, bool]] = []
            for item in new:
                if (existing := known.get(text_key(item.text))) is not None:
                    results.append((existing, False))
                    continue
                if not 0 <= item.quote_start < item.quote_end <= found["n"]:
                    raise InvalidInput(f"evidence offsets {item.quote_start}..{item.quote_end} are outside the text")
                values = {k: _sql_value(v) for k, v in item.model_dump().items()}
                cursor = db.execute(
                    "INSERT INTO actions (postmortem_id, text, done_when, problem, category, size, quote, "
                    "quote_start, quote_end, proposed_owner, proposed_due) VALUES (:pm, :text, :done_when, "
                    ":problem, :category, :size, :quote, :quote_start, :quote_end, :proposed_owner, :proposed_due)",
                    {**values, "pm": postmortem_id},
                )
                action_id = int(cursor.lastrowid or 0)
                known[text_key(item.text)] = action_id
                results.append((action_id, True))
                self._audit(db, "action", action_id, "create",
                            {k: [None, v] for k, v in values.items() if v is not None}, by)
            return [(self._action(db, i), created) for i, created in results]

    def get_action(self, action_id: int) -> Action:
        """The action with this id.

        Raises:
            ActionNotFound: no such id.
        """
        with self._db() as db, reading(db):
            return self._action(db, action_id)

    @staticmethod
    def _action(db: sqlite3.Connection, action_id: int) -> Action:
        for row in db.execute("SELECT * FROM actions WHERE id = ?", [action_id]):
            return Action.model_validate(row)
        raise ActionNotFound(f"no action has id {action_id}")

    def revise_candidate(self, action_id: int, changes: Mapping[str, object], by: Actor) -> Action:
        """Change a candidate's wording, evidence, category, size or proposals, and log the change.

        Raises:
            ActionNotFound: no such id.
            NotEditable: the action is no longer a candidate.
            InvalidInput: a field cannot be edited, the new text duplicates another action of the same
                postmortem, or a constraint refused a value.
        """
        unknown = set(changes) - EDITABLE_FIELDS
        if unknown:
            raise InvalidInput(f"these fields cannot be revised: {sorted(unknown)}")
        with self._db() as db, writing(db):
            before = self._action(db, action_id)
            if before.state is not ActionState.CANDIDATE:
                raise NotEditable(
                    f"action {action_id} is {before.state}; only candidates can be revised. "
                    "Changes to an accepted item go through a human decision (re-plan).")
            old = before.model_dump()
            diff = {k: [_sql_value(old[k]), _sql_value(v)] for k, v in changes.items()
                    if _sql_value(old[k]) != _sql_value(v)}
            if not diff:
                return before
            if "text" in diff:
                for other in db.execute("SELECT id, text FROM actions WHERE postmortem_id = ? AND id != ?",
                                        [before.postmortem_id, action_id]):
                    if text_key(str(other["text"])) == text_key(str(diff["text"][1])):
                        raise InvalidInput(f"action {other['id']} of this postmortem already says that; "
                                           "revise that one, or word this one differently")
            assignments = ", ".join(f"{k} = :{k}" for k in diff)
            db.execute(f"UPDATE actions SET {assignments}, updated_at = :now WHERE id = :id",  # noqa: S608 - keys allow-listed
                       {**{k: v[1] for k, v in diff.items()}, "now": _now(), "id": action_id})
            self._audit(db, "action", action_id, "revise", diff, by)
            return self._action(db, action_id)

    def actions(self, where: ActionFilter) -> list[Action]:
        """Every action matching the filters, as full records, ordered by id (for exports and checks)."""
        sql_where, params = _where(where)
        with self._db() as db, reading(db):
            return [Action.model_validate(r)
                    for r in db.execute(f"SELECT * FROM actions{sql_where} ORDER BY id", params)]  # noqa: S608

    def list_actions(self, where: ActionFilter, *, limit: int, offset: int) -> tuple[list[ActionSummary], int]:
        """One page of action summaries matching every given filter, ordered by id, and the exact total."""
        sql_where, params = _where(where)
        with self._db() as db, snapshot(db):  # the total and the page must come from the same commit
            total = db.execute(f"SELECT count(*) AS n FROM actions{sql_where}", params).fetchone()["n"]  # noqa: S608
            rows = db.execute(f"SELECT {SUMMARY_COLUMNS} FROM actions{sql_where} "  # noqa: S608
                              "ORDER BY id LIMIT :limit OFFSET :offset", {**params, "limit": limit, "offset": offset})
            return [ActionSummary.model_validate(r) for r in rows], int(total)

    # -- decisions ---------------------------------------------------------------------------------

    def record_decision(self, action_id: int, decision: HumanDecision) -> tuple[Decision, Action]:
        """Append a human decision to the chain and apply it to the action, atomically.

        Owner and due date come from the decision for accept and re-plan; the other kinds keep the
        action's current ones (a candidate has none).

        Raises:
            ActionNotFound: no such id.
            IllegalTransition: the decision does not fit the action's current state or lacks a value.
        """
        if decision.kind not in (DecisionKind.ACCEPT, DecisionKind.REPLAN) and (decision.owner or decision.due):
            raise IllegalTransition(f"a {decision.kind} decision keeps the owner and due date; "
                                    "a new owner or date is a re-plan")
        with self._db() as db, writing(db):
            action = self._action(db, action_id)
            to_state = {
                DecisionKind.ACCEPT: ActionState.ACCEPTED, DecisionKind.DEFER: ActionState.CANDIDATE,
                DecisionKind.KILL: ActionState.KILLED, DecisionKind.REPLAN: ActionState.ACCEPTED,
                DecisionKind.COMPLETE: ActionState.DONE, DecisionKind.REOPEN: ActionState.ACCEPTED,
            }[decision.kind]
            sets_owner = decision.kind in (DecisionKind.ACCEPT, DecisionKind.REPLAN)
            owner = decision.owner if sets_owner else action.owner
            due = decision.due if sets_owner else action.due
            head = db.execute("SELECT id, hash FROM decisions ORDER BY id DESC LIMIT 1").fetchone()
            row: dict[str, object] = {
                "id": (int(head["id"]) if head else 0) + 1, "action_id": action_id, "kind": str(decision.kind),
                "from_state": str(action.state), "to_state": str(to_state), "owner": owner,
                "due": _sql_value(due), "reason": decision.reason, "evidence": decision.evidence,
                "decided_by": decision.decided_by, "channel": str(decision.channel), "client": decision.client,
                "decided_at": _now(),
            }
            prev_hash = str(head["hash"]) if head else GENESIS_HASH
            row["prev_hash"] = prev_hash
            row["hash"] = decision_hash(prev_hash, row)
            db.execute(f"INSERT INTO decisions ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})", row)  # noqa: S608
            work_status_kept = to_state is ActionState.ACCEPTED and action.state is ActionState.ACCEPTED
            db.execute(
                "UPDATE actions SET state = :state, owner = :owner, due = :due, decision_id = :decision_id, "
                "work_status = CASE WHEN :keep THEN work_status END, "
                "status_note = CASE WHEN :keep THEN status_note END, updated_at = :now WHERE id = :id",
                {"state": row["to_state"], "owner": owner, "due": row["due"], "decision_id": row["id"],
                 "keep": work_status_kept, "now": row["decided_at"], "id": action_id},
            )
            stored = Decision.model_validate(db.execute("SELECT * FROM decisions WHERE id = ?", [row["id"]]).fetchone())
            return stored, self._action(db, action_id)

    def decisions(self, action_id: int | None = None) -> list[Decision]:
        """The decision log, oldest first; one action's decisions when `action_id` is given."""
        with self._db() as db, reading(db):
            if action_id is None:
                rows = db.execute("SELECT * FROM decisions ORDER BY id")
            else:
                rows = db.execute("SELECT * FROM decisions WHERE action_id = ? ORDER BY id", [action_id])
            return [Decision.model_validate(r) for r in rows]

    # -- audit and verification ------------------------------------------------------------------

    @staticmethod
    def _audit(db: sqlite3.Connection, entity: str, entity_id: int, op: str,
               changes: Mapping[str, list[object]], by: Actor) -> None:
        db.execute(
            "INSERT INTO audit_log (entity, entity_id, op, changes, actor, via, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [entity, entity_id, op, json.dumps(changes, ensure_ascii=False, default=str), by.actor, by.via, _now()],
        )

    def audit_log(self, entity: str, entity_id: int) -> list[AuditEntry]:
        """Every non-decision change to one record, oldest first."""
        with self._db() as db, reading(db):
            rows = db.execute("SELECT * FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id",
                            [entity, entity_id])
            return [AuditEntry.model_validate({**r, "changes": json.loads(str(r["changes"]))}) for r in rows]

    def verify(self) -> VerifyReport:
        """Check the decision chain, the actions' agreement with it, and the SQL guards."""
        with self._db() as db, snapshot(db):
            return verify_database(db)

