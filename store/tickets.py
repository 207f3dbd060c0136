"""Tracker tickets linked to action items: at most one per action and tracker, each ref linked once.

A ticket may be linked only to an accepted or done action (an undecided or killed item is nobody's
work yet); the check runs inside the write transaction. Links and state changes are audit-logged.
"""

from __future__ import annotations

from typing import Literal

from .connection import reading, writing
from .database import Database
from .errors import ActionNotFound, IllegalTransition, InvalidInput, TicketNotFound
from .inputs import Actor
from .records import ActionState, Ticket
from .sql import now

_LINKABLE = (ActionState.ACCEPTED.value, ActionState.DONE.value)


class TicketLinks(Database):
    """Reading and writing the `tickets` table."""

    def link_ticket(
        self,
        action_id: int,
        tracker: str,
        ref: str,
        url: str | None,
        state: str | None,
        by: Actor,
        *,
        origin: Literal["export", "link"] = "link",
    ) -> tuple[Ticket, bool]:
        """Link a tracker ticket to an action; returns the ticket and whether it is new.

        `origin` says whether we filed the ticket ("export") or linked an existing one ("link"); it is written
        once (a guard refuses to change it) and decides whether a close of the ticket may complete the item.

        Linking the same ref to the same action again returns the existing link unchanged.

        Raises:
            ActionNotFound: no such action.
            IllegalTransition: the action is not accepted or done.
            InvalidInput: the action already has another ticket in this tracker, or the ref is linked to
                another action.
        """
        with self._db() as db, writing(db):
            row = db.execute("SELECT state FROM actions WHERE id = ?", [action_id]).fetchone()
            if row is None:
                raise ActionNotFound(f"no action has id {action_id}")
            existing = db.execute(
                "SELECT * FROM tickets WHERE action_id = ? AND tracker = ?", [action_id, tracker]
            ).fetchone()
            if existing is not None:
                if existing["ref"] == ref:
                    return Ticket.model_validate(existing), False
                raise InvalidInput(
                    f"action {action_id} already has {tracker} ticket {existing['ref']}; one ticket per tracker"
                )
            if row["state"] not in _LINKABLE:
                raise IllegalTransition(
                    f"action {action_id} is {row['state']}: only accepted items get tickets "
                    "(a human accepts it first, with decide_action)"
                )
            other = db.execute("SELECT action_id FROM tickets WHERE tracker = ? AND ref = ?", [tracker, ref]).fetchone()
            if other is not None:
                raise InvalidInput(f"{tracker} ticket {ref} is already linked to action {other['action_id']}")
            cursor = db.execute(
                "INSERT INTO tickets (action_id, tracker, ref, url, state, synced_at, origin) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [action_id, tracker, ref, url, state, now(), origin],
            )
            ticket_id = int(cursor.lastrowid or 0)
            self._audit(db, "ticket", ticket_id, origin, {"action_id": [None, action_id], "ref": [None, ref]}, by)
            return Ticket.model_validate(db.execute("SELECT * FROM tickets WHERE id = ?", [ticket_id]).fetchone()), True

    def tickets(self, *, action_id: int | None = None, tracker: str | None = None) -> list[Ticket]:
        """Linked tickets, oldest first, optionally for one action and/or one tracker."""
        clauses: list[str] = []
        params: list[object] = []
        if action_id is not None:
            clauses.append("action_id = ?")
            params.append(action_id)
        if tracker is not None:
            clauses.append("tracker = ?")
            params.append(tracker)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._db() as db, reading(db):
            return [Ticket.model_validate(r) for r in db.execute(f"SELECT * FROM tickets{where} ORDER BY id", params)]  # noqa: S608

    def ticket_map(self) -> dict[int, str]:
        """The first ticket (its URL, else its ref) of every action that has one."""
        with self._db() as db, reading(db):
            rows = db.execute("SELECT action_id, coalesce(url, ref) AS link FROM tickets ORDER BY id DESC")
            return {int(r["action_id"]): str(r["link"]) for r in rows}

    def set_ticket_state(self, ticket_id: int, state: str, by: Actor) -> Ticket:
        """Record the state a tracker reported for a ticket (audit-logged when it changed).

        Raises:
            TicketNotFound: no such ticket.
        """
        with self._db() as db, writing(db):
            row = db.execute("SELECT * FROM tickets WHERE id = ?", [ticket_id]).fetchone()
            if row is None:
                raise TicketNotFound(f"no ticket has id {ticket_id}")
            db.execute("UPDATE tickets SET state = ?, synced_at = ? WHERE id = ?", [state, now(), ticket_id])
            if row["state"] != state:
                self._audit(db, "ticket", ticket_id, "sync", {"state": [row["state"], state]}, by)
            return Ticket.model_validate(db.execute("SELECT * FROM tickets WHERE id = ?", [ticket_id]).fetchone())
