"""Questions put to the human outside the client: one-time decision links and Apps-card tickets.

A gated tool on a client without form elicitation opens a request; the human answers it on the web board's
decision page or in the card. The answer and the spending of its code happen in the same transaction as the
decision, so a code answers at most one question, once, before it expires, for the item version it was made for.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

from .connection import reading, writing
from .database import Database
from .deciding import append_decision, current_action
from .errors import LinkNotValid
from .inputs import HumanDecision, NewDecisionRequest
from .records import Action, Decision, DecisionRequest
from .sql import now

_STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


def _request(row: sqlite3.Row | dict[str, object]) -> DecisionRequest:
    return DecisionRequest.model_validate({**row, "proposal": json.loads(str(row["proposal"]))})


class DecisionRequests(Database):
    """The store's one-time decision requests."""

    def open_request(self, new: NewDecisionRequest) -> DecisionRequest:
        """Record a question put to the human; its code (hashed here by the caller) answers it once.

        Raises:
            ActionNotFound: no such action.
        """
        created = datetime.now(UTC)
        expires = created + timedelta(seconds=new.ttl_seconds)
        with self._db() as db, writing(db):
            current_action(db, new.action_id)
            cursor = db.execute(
                "INSERT INTO decision_requests (code_hash, action_id, version, kind, proposal, via, client, "
                "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    new.code_hash,
                    new.action_id,
                    new.version,
                    new.kind,
                    json.dumps(new.proposal, sort_keys=True, ensure_ascii=False),
                    new.via,
                    new.client,
                    created.strftime(_STAMP),
                    expires.strftime(_STAMP),
                ],
            )
            row = db.execute("SELECT * FROM decision_requests WHERE id = ?", [cursor.lastrowid]).fetchone()
            return _request(row)

    def request_for_code(self, code_hash: str) -> DecisionRequest:
        """The open request this code answers.

        Raises:
            LinkNotValid: no request has this code, or it was answered already, or it expired.
        """
        with self._db() as db, reading(db):
            return self._open(db, code_hash)

    @staticmethod
    def _open(db: sqlite3.Connection, code_hash: str) -> DecisionRequest:
        row = db.execute("SELECT * FROM decision_requests WHERE code_hash = ?", [code_hash]).fetchone()
        if row is None:
            raise LinkNotValid("this decision link is not one we issued; nothing was recorded")
        request = _request(row)
        if request.answered_at is not None:
            raise LinkNotValid(
                f"this decision link for action {request.action_id} was used already; nothing more was recorded"
            )
        if request.expires_at <= datetime.now(UTC):
            raise LinkNotValid(
                f"this decision link for action {request.action_id} has expired; nothing was recorded. "
                "Ask the assistant again, or decide on the board (`postmortem-actions web`)"
            )
        return request

    def answer_request(
        self, code_hash: str, decision: HumanDecision | None
    ) -> tuple[DecisionRequest, Decision | None, Action]:
        """Spend the code: record the human's decision (None: they rejected the proposal) in one transaction.

        The decision is applied only to the item version the request was made for.

        Raises:
            LinkNotValid: the code is unknown, used or expired.
            StaleAnswer: the item changed after the request was made; the code stays unspent.
            IllegalTransition: the decision does not fit the action's state.
        """
        with self._db() as db, writing(db):
            request = self._open(db, code_hash)
            recorded: Decision | None = None
            if decision is not None:
                recorded, action = append_decision(db, request.action_id, decision, request.version)
            else:
                action = current_action(db, request.action_id)
            db.execute(
                "UPDATE decision_requests SET answered_at = ?, outcome = ?, decision_id = ? WHERE id = ?",
                [now(), "decided" if recorded else "rejected", recorded.id if recorded else None, request.id],
            )
            answered = _request(db.execute("SELECT * FROM decision_requests WHERE id = ?", [request.id]).fetchone())
            return answered, recorded, action

    def latest_request(self, action_id: int, kind: str) -> DecisionRequest | None:
        """The newest request of this kind for the action, answered or not."""
        with self._db() as db, reading(db):
            row = db.execute(
                "SELECT * FROM decision_requests WHERE action_id = ? AND kind = ? ORDER BY id DESC LIMIT 1",
                [action_id, kind],
            ).fetchone()
            return _request(row) if row is not None else None
