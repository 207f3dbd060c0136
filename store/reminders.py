"""What reminders read (items near or past due, without a report, undecided) and what they delivered.

Every date is the caller's (`as_of` and the windows computed from it). The candidate lists come back as plain tuples,
one indexed range each: at a million actions a reminder run classifies a few hundred thousand rows, and a record per
row would cost more than the query. Full rows (title, ticket) are read only for the items a message shows.
Recording a delivery writes only `deliveries`: actions and decisions are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final, Literal, NamedTuple

from .connection import reading, snapshot, writing
from .database import Database
from .followthrough import _SELECT, ReviewRow

_CHUNK: Final = 500  # ids per IN (...) list, well under SQLite's limit on bound parameters


class OpenItem(NamedTuple):
    """An accepted item as the planner classifies it: when it is due and when it was last reported on."""

    id: int
    owner: str
    due: str
    last_report: str | None  # ISO timestamp of the last status report, else of the acceptance
    postmortem_id: int


class Undecided(NamedTuple):
    """A candidate nobody decided yet, and its postmortem."""

    id: int
    postmortem_id: int
    created_at: str


class Delivery(NamedTuple):
    """One reminder delivered: an item (with its action) or a digest, of a kind, through a channel, to someone."""

    subject: Literal["item", "digest"]
    action_id: int | None
    kind: str
    channel: str
    recipient: str
    day: str


DeliveryKey = tuple[int | None, str, str, str]  # action_id, kind, channel, recipient


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


class Reminders(Database):
    """Read-only queries for the reminder planner, and the delivery record."""

    def open_items_to_remind(self, *, soon: str, stale_before: str) -> list[OpenItem]:
        """Accepted items due on or before `soon` (overdue included), and those last reported before `stale_before`.

        Two range reads on the (state, due) and (state, last report) indexes; the second skips what the first
        returned, so each item comes once.
        """
        columns = "id, owner, due, coalesce(status_at, accepted_at), postmortem_id"
        with self._db() as db, snapshot(db):
            cursor = db.cursor()
            cursor.row_factory = None  # plain tuples (see the module docstring)
            due = cursor.execute(
                f"SELECT {columns} FROM actions WHERE state = 'accepted' AND due <= ?",  # noqa: S608 - constants
                [soon],
            ).fetchall()
            stale = cursor.execute(
                f"SELECT {columns} FROM actions WHERE state = 'accepted' "  # noqa: S608 - constants
                "AND coalesce(status_at, accepted_at) < ? AND +due > ?",
                [stale_before, soon],
            ).fetchall()
        return [OpenItem._make(row) for row in (*due, *stale)]

    def undecided_to_remind(self, *, created_before: str, as_of: str) -> list[Undecided]:
        """Candidates recorded before `created_before`, except those deferred to a revisit day after `as_of`."""
        with self._db() as db, reading(db):
            cursor = db.cursor()
            cursor.row_factory = None
            rows = cursor.execute(
                "SELECT a.id, a.postmortem_id, a.created_at FROM actions a "
                "LEFT JOIN decisions d ON d.id = a.decision_id "
                "WHERE a.state = 'candidate' AND a.created_at < ? AND (d.revisit_on IS NULL OR d.revisit_on <= ?)",
                [created_before, as_of],
            ).fetchall()
        return [Undecided._make(row) for row in rows]

    def review_rows(self, ids: Sequence[int]) -> dict[int, ReviewRow]:
        """The review's view of these actions (title, severity, ticket), by id; unknown ids are left out."""
        found: dict[int, ReviewRow] = {}
        with self._db() as db, snapshot(db):
            for chunk in _chunks(list(ids)):
                marks = ", ".join("?" * len(chunk))
                for row in db.execute(f"{_SELECT} WHERE a.id IN ({marks})", list(chunk)):
                    found[int(row["id"])] = ReviewRow.model_validate(row)
        return found

    def postmortem_adders(self, ids: Sequence[int]) -> dict[int, tuple[str, str | None]]:
        """Who added each postmortem (`created_by`) and through what (`via` of its audit entry), by id."""
        found: dict[int, tuple[str, str | None]] = {}
        with self._db() as db, snapshot(db):
            for chunk in _chunks(list(ids)):
                marks = ", ".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT p.id, p.created_by, (SELECT l.via FROM audit_log l WHERE l.entity = 'postmortem' "  # noqa: S608
                    f"AND l.entity_id = p.id AND l.op = 'create' ORDER BY l.id LIMIT 1) AS via "
                    f"FROM postmortems p WHERE p.id IN ({marks})",
                    list(chunk),
                )
                for row in rows:
                    found[int(row["id"])] = (str(row["created_by"]), row["via"])
        return found

    def delivered_since(self, day: str) -> dict[DeliveryKey, str]:
        """The last day each (action or digest, kind, channel, recipient) was delivered, from `day` on."""
        with self._db() as db, reading(db):
            cursor = db.cursor()
            cursor.row_factory = None
            rows = cursor.execute(
                "SELECT action_id, kind, channel, recipient, max(day) FROM deliveries WHERE day >= ? "
                "GROUP BY action_id, kind, channel, recipient",
                [day],
            )
            return {(a, k, c, r): str(d) for a, k, c, r, d in rows}

    def record_deliveries(self, deliveries: Sequence[Delivery]) -> int:
        """Record what one message delivered, in one transaction; returns the number of rows written."""
        with self._db() as db, writing(db):
            db.executemany(
                "INSERT INTO deliveries (subject, action_id, kind, channel, recipient, day) VALUES (?, ?, ?, ?, ?, ?)",
                deliveries,
            )
        return len(deliveries)

    def deliveries(self) -> list[Delivery]:
        """Every delivery recorded, oldest first (for checks and tests)."""
        with self._db() as db, reading(db):
            rows = db.execute("SELECT subject, action_id, kind, channel, recipient, day FROM deliveries ORDER BY id")
            return [Delivery(**r) for r in rows]
