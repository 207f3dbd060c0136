"""The SQLite store: every read and write of postmortems, actions, decisions and the audit log.

Each thread gets a connection of its own, kept for reuse, so the store is safe to call from any thread
(the MCP SDK runs sync tools on worker threads). Every write is one BEGIN IMMEDIATE transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Final

from .chain import VerifyReport, verify_database
from .connection import reading, snapshot, writing
from .deciding import append_decision
from .documents import PostmortemRecords
from .errors import (
    ActionNotFound,
    IllegalTransition,
    InvalidInput,
    NotEditable,
    PostmortemNotFound,
)
from .followthrough import FollowthroughQueries
from .history import DecisionReads
from .inputs import ActionFilter, Actor, HumanDecision, NewAction, NewPostmortem
from .people import People
from .records import (
    SUMMARY_COLUMNS,
    Action,
    ActionState,
    ActionSummary,
    AuditEntry,
    Decision,
    Postmortem,
    WorkStatus,
)
from .reminders import Reminders
from .requests import DecisionRequests
from .sql import now, sql_value, text_key, where_clause
from .tickets import TicketLinks
from .tokens import Tokens

EDITABLE_FIELDS: Final = frozenset(
    {
        "text",
        "done_when",
        "problem",
        "category",
        "size",
        "quote",
        "quote_start",
        "quote_end",
        "proposed_owner",
        "proposed_due",
    }
)


class Store(
    FollowthroughQueries, TicketLinks, PostmortemRecords, DecisionReads, DecisionRequests, People, Reminders, Tokens
):
    """A postmortem-actions database file.

    `create=False` refuses a file that does not exist yet (for commands that only read or check);
    `lazy=True` opens and migrates the file on first use instead of now (a server's start stays fast).
    Any method may also raise StoreBusy or StoreError (the database failed) and InvalidInput (a number
    beyond SQLite's range, text that is not valid Unicode); each method lists only its own errors.

    Raises on construction:
        SchemaMismatch: the file is not ours, or a newer version wrote it.
        StoreError: the file cannot be created or opened, or does not exist and `create` is False.
    """

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
            values = {k: sql_value(v) for k, v in new.model_dump().items()}
            cursor = db.execute(
                "INSERT INTO postmortems (title, source, text, sha256, severity, incident_date, origin, created_by) "
                "VALUES (:title, :source, :text, :sha256, :severity, :incident_date, :origin, :created_by)",
                {**values, "created_by": by.actor},
            )
            pm_id = int(cursor.lastrowid or 0)
            self._audit(
                db, "postmortem", pm_id, "create", {"title": [None, new.title], "source": [None, new.source]}, by
            )
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
            rows = db.cursor()
            rows.row_factory = None  # plain tuples: this reads every action of the postmortem on each call
            known = {
                text_key(text): int(action_id)
                for action_id, text in rows.execute(
                    "SELECT id, text FROM actions WHERE postmortem_id = ?", [postmortem_id]
                )
            }
            results: list[tuple[int, bool]] = []
            for item in new:
                if (existing := known.get(text_key(item.text))) is not None:
                    results.append((existing, False))
                    continue
                if not 0 <= item.quote_start < item.quote_end <= found["n"]:
                    raise InvalidInput(f"evidence offsets {item.quote_start}..{item.quote_end} are outside the text")
                values = {k: sql_value(v) for k, v in item.model_dump().items()}
                cursor = db.execute(
                    "INSERT INTO actions (postmortem_id, text, done_when, problem, category, size, quote, "
                    "quote_start, quote_end, proposed_owner, proposed_due, proposed_by) VALUES (:pm, :text, "
                    ":done_when, :problem, :category, :size, :quote, :quote_start, :quote_end, :proposed_owner, "
                    ":proposed_due, :proposed_by)",
                    {**values, "pm": postmortem_id},
                )
                action_id = int(cursor.lastrowid or 0)
                known[text_key(item.text)] = action_id
                results.append((action_id, True))
                self._audit(
                    db, "action", action_id, "create", {k: [None, v] for k, v in values.items() if v is not None}, by
                )
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
                    "Changes to an accepted item go through a human decision (re-plan)."
                )
            old = before.model_dump()
            diff = {
                k: [sql_value(old[k]), sql_value(v)] for k, v in changes.items() if sql_value(old[k]) != sql_value(v)
            }
            if not diff:
                return before
            if "text" in diff:
                for other in db.execute(
                    "SELECT id, text FROM actions WHERE postmortem_id = ? AND id != ?",
                    [before.postmortem_id, action_id],
                ):
                    if text_key(str(other["text"])) == text_key(str(diff["text"][1])):
                        raise InvalidInput(
                            f"action {other['id']} of this postmortem already says that; "
                            "revise that one, or word this one differently"
                        )
            assignments = ", ".join(f"{k} = :{k}" for k in diff)
            db.execute(
                f"UPDATE actions SET {assignments}, updated_at = :now WHERE id = :id",  # noqa: S608 - keys allow-listed
                {**{k: v[1] for k, v in diff.items()}, "now": now(), "id": action_id},
            )
            self._audit(db, "action", action_id, "revise", diff, by)
            return self._action(db, action_id)

    def actions(self, where: ActionFilter) -> list[Action]:
        """Every action matching the filters, as full records, ordered by id (for exports and checks)."""
        sql_where, params = where_clause(where)
        with self._db() as db, reading(db):
            rows = db.execute(f"SELECT * FROM actions{sql_where} ORDER BY id", params)  # noqa: S608
            return [Action.model_validate(r) for r in rows]

    def evidence_spans(self, postmortem_id: int) -> list[tuple[int, int]]:
        """Where each action of the postmortem quotes it: (quote_start, quote_end), ordered by start.

        Two integers a row, read without building records, so checking coverage after every call stays cheap
        however many candidates a postmortem has."""
        with self._db() as db, reading(db):
            cursor = db.cursor()
            cursor.row_factory = None  # plain tuples: the dict rows of the other reads cost more than the query
            return cursor.execute(
                "SELECT quote_start, quote_end FROM actions WHERE postmortem_id = ? ORDER BY quote_start, quote_end",
                [postmortem_id],
            ).fetchall()

    def list_actions(self, where: ActionFilter, *, limit: int, offset: int) -> tuple[list[ActionSummary], int]:
        """One page of action summaries matching every given filter, ordered by id, and the exact total."""
        sql_where, params = where_clause(where)
        with self._db() as db, snapshot(db):  # the total and the page must come from the same commit
            total = db.execute(f"SELECT count(*) AS n FROM actions{sql_where}", params).fetchone()["n"]  # noqa: S608
            rows = db.execute(
                f"SELECT {SUMMARY_COLUMNS} FROM actions{sql_where} "  # noqa: S608
                "ORDER BY id LIMIT :limit OFFSET :offset",
                {**params, "limit": limit, "offset": offset},
            )
            return [ActionSummary.model_validate(r) for r in rows], int(total)

    # -- decisions ---------------------------------------------------------------------------------

    def record_decision(
        self, action_id: int, decision: HumanDecision, *, expected_version: str | None = None
    ) -> tuple[Decision, Action]:
        """Append a human decision to the chain and apply it to the action, atomically.

        Owner and due date come from the decision for accept and re-plan; the other kinds keep the
        action's current ones (a candidate has none). With `expected_version` (the `Action.version()` the
        human was shown), the decision is applied only if the action is still exactly that.

        Raises:
            ActionNotFound: no such id.
            IllegalTransition: the decision does not fit the action's current state or lacks a value.
            StaleAnswer: the action is no longer the version the human decided on.
        """
        with self._db() as db, writing(db):
            return append_decision(db, action_id, decision, expected_version)

    def set_work_status(self, action_id: int, status: WorkStatus | None, note: str | None, by: Actor) -> Action:
        """Record an accepted item's working status (in progress, blocked) and note; audit-logged.

        The status commits no one to anything, so the assistant may report it.

        Raises:
            ActionNotFound: no such id.
            IllegalTransition: the action is not accepted (only accepted items are being worked on).
        """
        with self._db() as db, writing(db):
            before = self._action(db, action_id)
            if before.state is not ActionState.ACCEPTED:
                raise IllegalTransition(
                    f"action {action_id} is {before.state}; only accepted items have a working status"
                )
            new = (sql_value(status), note)
            old = (sql_value(before.work_status), before.status_note)
            if new != old:
                stamp = now()
                db.execute(
                    "UPDATE actions SET work_status = ?, status_note = ?, updated_at = ?, status_at = ? WHERE id = ?",
                    [new[0], note, stamp, stamp, action_id],
                )
                self._audit(
                    db,
                    "action",
                    action_id,
                    "status",
                    {"work_status": [old[0], new[0]], "status_note": [old[1], note]},
                    by,
                )
            return self._action(db, action_id)

    def decisions(self, action_id: int | None = None) -> list[Decision]:
        """The decision log, oldest first; one action's decisions when `action_id` is given."""
        with self._db() as db, reading(db):
            if action_id is None:
                rows = db.execute("SELECT * FROM decisions ORDER BY id")
            else:
                rows = db.execute("SELECT * FROM decisions WHERE action_id = ? ORDER BY id", [action_id])
            return [Decision.model_validate(r) for r in rows]

    # -- audit and verification ------------------------------------------------------------------

    def audit_log(self, entity: str, entity_id: int) -> list[AuditEntry]:
        """Every non-decision change to one record, oldest first."""
        with self._db() as db, reading(db):
            rows = db.execute(
                "SELECT * FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id", [entity, entity_id]
            )
            return [AuditEntry.model_validate({**r, "changes": json.loads(str(r["changes"]))}) for r in rows]

    def verify(self) -> VerifyReport:
        """Check the decision chain, the actions' agreement with it, and the SQL guards."""
        with self._db() as db, snapshot(db):
            return verify_database(db)
