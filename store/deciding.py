"""Appending one human decision to the hash chain and applying it to its action, inside a caller's transaction."""

from __future__ import annotations

import sqlite3

from . import lifecycle
from .chain import decision_hash
from .errors import ActionNotFound, StaleAnswer
from .inputs import HumanDecision
from .records import Action, ActionState, Decision
from .schema import GENESIS_HASH
from .sql import now, sql_value


def current_action(db: sqlite3.Connection, action_id: int) -> Action:
    """The action as stored now.

    Raises:
        ActionNotFound: no such id.
    """
    for row in db.execute("SELECT * FROM actions WHERE id = ?", [action_id]):
        return Action.model_validate(row)
    raise ActionNotFound(f"no action has id {action_id}")


def append_decision(
    db: sqlite3.Connection, action_id: int, decision: HumanDecision, expected_version: str | None
) -> tuple[Decision, Action]:
    """Append `decision` to the chain and apply it to the action; the caller holds the write transaction.

    Owner and due date come from the decision for accept and re-plan, are cleared by a revive, and are kept by
    every other kind. With `expected_version` (the `Action.version()` the human was shown), the decision is
    applied only if the action is still exactly that.

    Raises:
        ActionNotFound: no such id.
        IllegalTransition: the decision does not fit the action's current state or lacks a value.
        StaleAnswer: the action is no longer the version the human decided on.
    """
    action = current_action(db, action_id)
    if expected_version is not None and action.version() != expected_version:
        raise StaleAnswer(
            f"action {action_id} changed after the human was asked (it is now {action.state}); "
            "the answer was not applied: nothing was recorded, ask again"
        )
    row_of = lifecycle.check(
        decision.kind,
        action.state,
        owner=decision.owner,
        due=decision.due,
        reason=decision.reason,
        revisit_on=decision.revisit_on,
    )
    to_state = row_of.to_state
    owner, due = (decision.owner, decision.due) if row_of.sets_plan else (action.owner, action.due)
    if row_of.clears_plan:
        owner, due = None, None
    head = db.execute("SELECT id, hash FROM decisions ORDER BY id DESC LIMIT 1").fetchone()
    row: dict[str, object] = {
        "id": (int(head["id"]) if head else 0) + 1,
        "action_id": action_id,
        "kind": str(decision.kind),
        "from_state": str(action.state),
        "to_state": str(to_state),
        "owner": owner,
        "due": sql_value(due),
        "reason": decision.reason,
        "evidence": decision.evidence,
        "decided_by": decision.decided_by,
        "channel": str(decision.channel),
        "client": decision.client,
        "decided_at": now(),
        "revisit_on": sql_value(decision.revisit_on),
    }
    prev_hash = str(head["hash"]) if head else GENESIS_HASH
    row["prev_hash"] = prev_hash
    row["hash"] = decision_hash(prev_hash, row)
    db.execute(f"INSERT INTO decisions ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})", row)  # noqa: S608
    work_status_kept = to_state is ActionState.ACCEPTED and action.state is ActionState.ACCEPTED
    db.execute(
        "UPDATE actions SET state = :state, owner = :owner, due = :due, decision_id = :decision_id, "
        "work_status = CASE WHEN :keep THEN work_status END, "
        "status_note = CASE WHEN :keep THEN status_note END, updated_at = :now, "
        "accepted_at = CASE WHEN :kind = 'accept' THEN coalesce(accepted_at, :now) ELSE accepted_at END, "
        "completed_at = CASE WHEN :kind = 'complete' THEN :now WHEN :kind = 'reopen' THEN NULL "
        "ELSE completed_at END WHERE id = :id",
        {
            "state": row["to_state"],
            "owner": owner,
            "due": row["due"],
            "decision_id": row["id"],
            "keep": work_status_kept,
            "now": row["decided_at"],
            "id": action_id,
            "kind": row["kind"],
        },
    )
    stored = Decision.model_validate(db.execute("SELECT * FROM decisions WHERE id = ?", [row["id"]]).fetchone())
    return stored, current_action(db, action_id)
