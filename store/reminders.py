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


# Plain tuples, not records (see the module docstring).
OpenItem = tuple[int, str, str, str | None, int]
"""An accepted item as the planner classifies it: id, owner, due, last report (the last status report's timestamp,
else the acceptance's), postmortem id."""
Undecided = tuple[int, int, str]
"""A postmortem's candidates nobody decided yet: postmortem id, how many, the oldest one's created_at."""
Wanted = tuple[str, str, str, str]
"""Deliveries the planner asks about: channel, recipient, kind, and the first day that counts."""


class Delivery(NamedTuple):
    """One reminder delivered: about an item, a postmortem's undecided candidates, or the team's digest; of a
    kind, through a channel, to someone, on a day."""

    subject: Literal["item", "postmortem", "digest"]
    action_id: int | None
    kind: str
    channel: str
    recipient: str
    day: str
    postmortem_id: int | None = None


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
        due.extend(stale)
        return due

    def undecided_to_remind(self, *, created_before: str, as_of: str) -> list[Undecided]:
        """Per postmortem, its candidates recorded before `created_before` (except those deferred to a revisit day
        after `as_of`): how many, and when the oldest was recorded."""
        with self._db() as db, reading(db):
            cursor = db.cursor()
            cursor.row_factory = None
            return cursor.execute(
                "SELECT a.postmortem_id, count(*), min(a.created_at) FROM actions a "
                "LEFT JOIN decisions d ON d.id = a.decision_id "
                "WHERE a.state = 'candidate' AND a.created_at < ? AND (d.revisit_on IS NULL OR d.revisit_on <= ?) "
                "GROUP BY a.postmortem_id",
                [created_before, as_of],
            ).fetchall()

    def postmortem_titles(self, ids: Sequence[int]) -> dict[int, str]:
        """Each postmortem's title, by id."""
        found: dict[int, str] = {}
        with self._db() as db, snapshot(db):
            cursor = db.cursor()
            cursor.row_factory = None
            for chunk in _chunks(list(ids)):
                marks = ", ".join("?" * len(chunk))
                found.update(cursor.execute(f"SELECT id, title FROM postmortems WHERE id IN ({marks})", list(chunk)))  # noqa: S608
        return found

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
        """Who added each postmortem (`created_by`) and, for those the assistant added, through what (`via` of its
        audit entry: "mcp:CLIENT for USER"), by id."""
        wanted = set(ids)
        with self._db() as db, snapshot(db):
            cursor = db.cursor()
            cursor.row_factory = None
            found: dict[int, tuple[str, str | None]] = {
                pm: (by, None) for pm, by in cursor.execute("SELECT id, created_by FROM postmortems") if pm in wanted
            }
            assisted = [pm for pm, (by, _) in found.items() if by == "assistant"]
            for chunk in _chunks(assisted):
                marks = ", ".join("?" * len(chunk))
                for pm, via in cursor.execute(
                    "SELECT entity_id, via FROM audit_log WHERE entity = 'postmortem' AND op = 'create' "  # noqa: S608
                    f"AND entity_id IN ({marks}) ORDER BY id DESC",
                    list(chunk),
                ):
                    found[int(pm)] = ("assistant", str(via))
        return found

    def last_delivered(self, wanted: Iterable[Wanted]) -> dict[tuple[str, str, str], dict[int | None, str]]:
        """For each (channel, recipient, kind, since): the last day each such reminder went out, from `since` on,
        by the action's or postmortem's id (None for the digest); keys with nothing delivered are left out.

        One range of the (channel, recipient, kind, day) index per key, in one snapshot, as (id, day) pairs, oldest
        day first so the last one wins: an hourly run after a busy day reads hundreds of thousands of deliveries,
        and converting rows to Python is what costs, so each row holds only what the planner compares.
        """
        found: dict[tuple[str, str, str], dict[int | None, str]] = {}
        with self._db() as db, snapshot(db):
            cursor = db.cursor()
            cursor.row_factory = None
            for channel, recipient, kind, since in wanted:
                days = dict(
                    cursor.execute(
                        "SELECT coalesce(action_id, postmortem_id), day FROM deliveries "
                        "WHERE channel = ? AND recipient = ? AND kind = ? AND day >= ? ORDER BY day",
                        [channel, recipient, kind, since],
                    )
                )
                if days:
                    found[channel, recipient, kind] = days
        return found

    def record_deliveries(self, deliveries: Sequence[Delivery]) -> int:
        """Record what one message delivered, in one transaction; returns the number of rows written."""
        with self._db() as db, writing(db):
            db.executemany(
                "INSERT INTO deliveries (subject, action_id, kind, channel, recipient, day, postmortem_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                deliveries,
            )
        return len(deliveries)

    def deliveries(self) -> list[Delivery]:
        """Every delivery recorded, oldest first (for checks and tests)."""
        with self._db() as db, reading(db):
            rows = db.execute(
                "SELECT subject, action_id, kind, channel, recipient, day, postmortem_id FROM deliveries ORDER BY id"
            )
            return [Delivery(**r) for r in rows]
