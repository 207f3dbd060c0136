"""The review's queries: overdue, the agenda's sections, what changed, and the follow-through figures.

Every date is given by the caller (`as_of`, `since`, `until`), never read from the clock here. Each list
is one indexed range query plus an exact count over the same range.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from .connection import snapshot
from .database import Database

AgendaSection = Literal["overdue", "blocked", "due_soon", "undecided", "stale", "completed"]
GroupBy = Literal["postmortem", "owner", "category", "severity"]


class ReviewRow(BaseModel):
    """An action as the review shows it, with its postmortem's title and severity and its ticket."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: int
    postmortem_id: int
    postmortem_title: str
    severity: str | None = None
    text: str
    category: str
    state: str
    owner: str | None = None
    due: date | None = None
    proposed_owner: str | None = None
    work_status: str | None = None
    status_note: str | None = None
    status_at: datetime | None = None
    accepted_at: datetime | None = None
    completed_at: datetime | None = None
    created_at: datetime
    ticket: str | None = None
    decision_kind: str | None = None  # the latest human decision on it: a candidate's "defer" or "revive"
    decision_reason: str | None = None
    revisit_on: date | None = None


class Change(BaseModel):
    """One thing that happened to an action: a human decision or a status report."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: datetime
    action_id: int
    text: str
    what: str
    detail: str | None = None
    by: str


class GroupRow(NamedTuple):
    """Raw follow-through counts for one group (before rates and medians are computed).

    A plain tuple, not a model: the counts come straight from SQL, and a report by postmortem has one row
    per postmortem (40,000 at 1M actions), where validating each would cost more than the query.
    """

    key: str
    accepted: int
    done: int
    done_on_time: int
    killed: int
    open: int
    overdue: int
    age_0_30: int
    age_31_60: int
    age_61_90: int
    age_90_plus: int
    prevent: int
    detect: int
    mitigate: int
    process: int


# The latest decision comes along (one primary-key lookup per row shown): a deferred candidate is shown with its
# note and revisit date, never as one nobody looked at.
_SELECT = """
SELECT a.*, p.title AS postmortem_title, p.severity AS severity,
       (SELECT coalesce(t.url, t.ref) FROM tickets t WHERE t.action_id = a.id ORDER BY t.id LIMIT 1) AS ticket,
       d.kind AS decision_kind, d.reason AS decision_reason, d.revisit_on AS revisit_on
FROM actions a JOIN postmortems p ON p.id = a.postmortem_id LEFT JOIN decisions d ON d.id = a.decision_id
"""

_SECTIONS: dict[AgendaSection, tuple[str, str]] = {
    # (where, order) — each `where` is a range on one of the (state, ...) indexes. `{x}` is "+" when an owner or
    # postmortem narrows the list: it turns that range and order away from the (state, ...) index, which would
    # read every item of the section and look each one up to test the filter (seconds at 1M actions), towards
    # actions_by_owner or actions_by_postmortem_report, which hold only that owner's or postmortem's items.
    # A category alone keeps the range: overdue by category reads actions_by_category_due.
    "overdue": ("a.state = 'accepted' AND {x}a.due < :as_of", "{x}a.due, a.id"),
    "blocked": ("a.state = 'accepted' AND {x}a.work_status = 'blocked'", "{x}a.due, a.id"),
    "due_soon": ("a.state = 'accepted' AND {x}a.due >= :as_of AND {x}a.due <= :soon", "{x}a.due, a.id"),
    "undecided": ("a.state = 'candidate'", "{x}a.created_at, a.id"),
    "stale": (
        "a.state = 'accepted' AND {x}coalesce(a.status_at, a.accepted_at) < :stale_before",
        "{x}coalesce(a.status_at, a.accepted_at), a.id",
    ),
    "completed": ("a.state = 'done' AND {x}a.completed_at >= :since", "{x}a.completed_at DESC, a.id"),
}

# (key, what to group by). A postmortem's key is unique to its id, so grouping by the id gives the same groups
# while reading actions_by_postmortem_report in order, without a sort; `+a.category` keeps the planner on that
# covering index rather than on actions_by_category with a table lookup per row.
_GROUP_KEYS: dict[GroupBy, tuple[str, str]] = {
    "postmortem": ("'#' || p.id || ' ' || p.title", "a.postmortem_id"),
    "owner": ("coalesce(a.owner, '(no owner)')", "coalesce(a.owner, '(no owner)')"),
    "category": ("+a.category", "+a.category"),
    "severity": ("coalesce(p.severity, '(none)')", "coalesce(p.severity, '(none)')"),
}

# The follow-through counts: count(*) FILTER stops at a row's first false condition (sum(a AND b) computes
# both sides of every AND on every row, julianday() included).
_AGE = "julianday(:as_of) - julianday(a.accepted_at)"
_COUNTS: dict[str, str] = {
    "accepted": "a.state IN ('accepted', 'done')",
    "done": "a.state = 'done'",
    "done_on_time": "a.state = 'done' AND date(a.completed_at) <= a.due",
    "killed": "a.state = 'killed'",
    "open": "a.state = 'accepted'",
    "overdue": "a.state = 'accepted' AND a.due < :as_of",
    "age_0_30": f"a.state = 'accepted' AND {_AGE} <= 30",
    "age_31_60": f"a.state = 'accepted' AND {_AGE} > 30 AND {_AGE} <= 60",
    "age_61_90": f"a.state = 'accepted' AND {_AGE} > 60 AND {_AGE} <= 90",
    "age_90_plus": f"a.state = 'accepted' AND {_AGE} > 90",
    "prevent": "a.state != 'killed' AND a.category = 'prevent'",
    "detect": "a.state != 'killed' AND a.category = 'detect'",
    "mitigate": "a.state != 'killed' AND a.category = 'mitigate'",
    "process": "a.state != 'killed' AND a.category = 'process'",
}
_COUNTED = ",\n".join(f"count(*) FILTER (WHERE {where}) AS {name}" for name, where in _COUNTS.items())


def _accepted_in(since: str | None, until: str | None) -> str:
    """The clauses that keep items accepted in [since, until); empty for an open end."""
    return ("AND a.accepted_at >= :since" if since else "") + (" AND a.accepted_at < :until" if until else "")


def _filters(owner: str | None, postmortem_id: int | None, category: str | None) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if owner is not None:
        clauses.append("a.owner = :owner COLLATE NOCASE")
        params["owner"] = owner
    if postmortem_id is not None:
        clauses.append("a.postmortem_id = :postmortem_id")
        params["postmortem_id"] = postmortem_id
    if category is not None:  # an owner's or a postmortem's items are fewer than a category's: keep their index
        clauses.append(f"{'+' if clauses else ''}a.category = :category")
        params["category"] = category
    return "".join(f" AND {c}" for c in clauses), params


class FollowthroughQueries(Database):
    """Read-only queries for the recurring review, on one consistent snapshot each."""

    def review_section(
        self,
        section: AgendaSection,
        params: dict[str, Any],
        *,
        owner: str | None = None,
        postmortem_id: int | None = None,
        category: str | None = None,
        limit: int = 20,
        offset: int = 0,
        count_up_to: int | None = None,
    ) -> tuple[list[ReviewRow], int]:
        """One agenda section (or the overdue list): a page of rows and the exact total.

        `params` carries the dates the section needs: as_of, soon, stale_before, since (ISO strings). With
        `count_up_to`, counting stops past that many (the total is then `count_up_to + 1`): a count reads every
        index entry of the section, 45 ms for 450,000 undecided items.
        """
        narrowed = "+" if owner is not None or postmortem_id is not None else ""
        where, order = (part.replace("{x}", narrowed) for part in _SECTIONS[section])
        extra, extra_params = _filters(owner, postmortem_id, category)
        bound = {**params, **extra_params, "limit": limit, "offset": offset}
        with self._db() as db, snapshot(db):
            counted = f"SELECT 1 FROM actions a WHERE {where}{extra}"  # noqa: S608
            if count_up_to is not None:
                counted += f" LIMIT {int(count_up_to) + 1}"
            total = db.execute(f"SELECT count(*) AS n FROM ({counted})", bound).fetchone()["n"]  # noqa: S608
            rows = db.execute(f"{_SELECT} WHERE {where}{extra} ORDER BY {order} LIMIT :limit OFFSET :offset", bound)
            return [ReviewRow.model_validate(r) for r in rows], int(total)

    def search_actions(
        self, search: str, *, owner: str | None, postmortem_id: int | None, category: str | None, limit: int
    ) -> list[ReviewRow]:
        """Actions whose text contains `search` (any case), in any state, newest first, at most `limit`.

        An owner or a postmortem narrows through its own index and reads the few texts there; otherwise the
        trigram index (three characters or more) finds the texts, newest first, and stops at `limit`.
        """
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        extra, params = _filters(owner, postmortem_id, category)
        bound = {**params, "pattern": f"%{escaped}%", "limit": limit}
        plain = owner is not None or postmortem_id is not None or len(search) < 3 or escaped != search
        if plain:  # the trigram index takes no ESCAPE: a pattern with % or _ in it reads the texts directly
            sql = f"{_SELECT} WHERE a.text LIKE :pattern ESCAPE '\\'{extra} ORDER BY a.id DESC LIMIT :limit"
        else:
            sql = (
                f"{_SELECT.replace('FROM actions a', 'FROM actions_text f CROSS JOIN actions a ON a.id = f.rowid')}"
                f" WHERE f.text LIKE :pattern{extra} ORDER BY f.rowid DESC LIMIT :limit"
            )
        with self._db() as db, snapshot(db):
            return [ReviewRow.model_validate(r) for r in db.execute(sql, bound)]

    def overdue_owners(self, as_of: str) -> list[tuple[str | None, int]]:
        """Who has items overdue on `as_of` (None: no owner) and how many, most first, then by name."""
        with self._db() as db, snapshot(db):
            rows = db.execute(
                "SELECT a.owner AS owner, count(*) AS n FROM actions a WHERE a.state = 'accepted' AND a.due < :as_of "
                "GROUP BY a.owner COLLATE NOCASE ORDER BY n DESC, a.owner COLLATE NOCASE",
                {"as_of": as_of},
            )
            return [(None if r["owner"] is None else str(r["owner"]), int(r["n"])) for r in rows]

    def counts_by_state(self, postmortem_id: int | None = None) -> dict[str, int]:
        """How many actions are in each state (all four states present, zero when none)."""
        extra, params = _filters(None, postmortem_id, None)
        with self._db() as db, snapshot(db):
            found = {
                r["state"]: r["n"]
                for r in db.execute(
                    f"SELECT a.state, count(*) AS n FROM actions a WHERE 1=1{extra} GROUP BY a.state",  # noqa: S608
                    params,
                )
            }
        return {state: int(found.get(state, 0)) for state in ("candidate", "accepted", "done", "killed")}

    def open_items(self, postmortem_id: int | None, limit: int) -> tuple[list[ReviewRow], int]:
        """Accepted (open) items, soonest due first, and their exact number."""
        extra, params = _filters(None, postmortem_id, None)
        with self._db() as db, snapshot(db):
            total = db.execute(
                f"SELECT count(*) AS n FROM actions a WHERE a.state = 'accepted'{extra}",  # noqa: S608
                params,
            ).fetchone()["n"]
            due = "+a.due" if postmortem_id is not None else "a.due"  # as in review_section: the postmortem's items
            rows = db.execute(
                f"{_SELECT} WHERE a.state = 'accepted'{extra} ORDER BY {due}, a.id LIMIT :limit",
                {**params, "limit": limit},
            )
            return [ReviewRow.model_validate(r) for r in rows], int(total)

    def changes(self, since: str, until: str, postmortem_id: int | None, limit: int) -> tuple[list[Change], int]:
        """Human decisions and status reports in [since, until), newest first, and their exact number."""
        pm = " AND a.postmortem_id = :postmortem_id" if postmortem_id is not None else ""
        sql = f"""
            SELECT d.decided_at AS at, d.action_id, a.text, d.kind AS what,
                   coalesce(d.reason, d.evidence, CASE WHEN d.owner IS NOT NULL THEN d.owner || ', due ' || d.due END)
                       AS detail, d.decided_by AS by
            FROM decisions d JOIN actions a ON a.id = d.action_id
            WHERE d.decided_at >= :since AND d.decided_at < :until{pm}
            UNION ALL
            SELECT l.at, l.entity_id, a.text, 'status: ' || coalesce(json_extract(l.changes, '$.work_status[1]'), '-'),
                   json_extract(l.changes, '$.status_note[1]'), l.actor
            FROM audit_log l JOIN actions a ON a.id = l.entity_id
            WHERE l.entity = 'action' AND l.op = 'status' AND l.at >= :since AND l.at < :until{pm}
        """  # noqa: S608 - fixed fragments
        params = {"since": since, "until": until, "postmortem_id": postmortem_id, "limit": limit}
        with self._db() as db, snapshot(db):
            total = db.execute(f"SELECT count(*) AS n FROM ({sql})", params).fetchone()["n"]  # noqa: S608
            rows = db.execute(f"SELECT * FROM ({sql}) ORDER BY at DESC LIMIT :limit", params)  # noqa: S608
            return [Change.model_validate(r) for r in rows], int(total)

    def followthrough(
        self, group_by: GroupBy, *, as_of: str, since: str | None, until: str | None
    ) -> tuple[list[GroupRow], dict[str, list[float]], list[str]]:
        """Counts per group for items accepted in [since, until); days-to-done per group; weak postmortems.

        The third value names SEV1/SEV2 postmortems whose committed (accepted or done) items include no
        detect or mitigate action.
        """
        window = _accepted_in(since, until)
        key, group = _GROUP_KEYS[group_by]
        # Items accepted in the window, plus candidates killed at triage (recorded in the window): killed
        # items are reported, never part of the completion denominator.
        triaged = window.replace("a.accepted_at", "a.created_at")
        committed = (
            f"((a.accepted_at IS NOT NULL {window}) OR (a.state = 'killed' AND a.accepted_at IS NULL {triaged}))"
        )
        # Every query below reads actions_by_postmortem_report (covering, in postmortem order, so the join
        # finds each postmortem once per run of its actions); `+a.state` keeps the planner off the
        # (state, ...) indexes, which would cost a table lookup per row.
        sql = f"""
            SELECT {group} AS gid, {key} AS key, {_COUNTED}
            FROM actions a JOIN postmortems p ON p.id = a.postmortem_id
            WHERE {committed}
            GROUP BY gid ORDER BY key
        """  # noqa: S608 - fixed fragments
        durations = f"""
            SELECT {group} AS gid,
                   julianday(a.completed_at) - julianday(a.accepted_at) AS days
            FROM actions a JOIN postmortems p ON p.id = a.postmortem_id
            WHERE +a.state = 'done' AND a.accepted_at IS NOT NULL {window}
        """  # noqa: S608
        weak = f"""
            SELECT '#' || p.id || ' ' || p.title AS name FROM postmortems p JOIN actions a ON a.postmortem_id = p.id
            WHERE p.severity IN ('SEV0', 'SEV1', 'SEV2') AND +a.state IN ('accepted', 'done') {window}
            GROUP BY p.id HAVING sum(a.category IN ('detect', 'mitigate')) = 0 ORDER BY p.id
        """  # noqa: S608
        params = {"as_of": as_of, "since": since, "until": until}
        with self._db() as db, snapshot(db):
            # Plain tuples: 40k groups and 150k durations at 1M actions, no dict per row.
            cursor = db.cursor()
            cursor.row_factory = None
            groups: list[GroupRow] = []
            keys: dict[object, str] = {}
            for gid, key_value, *counts in cursor.execute(sql, params):
                keys[gid] = str(key_value)
                groups.append(GroupRow(keys[gid], *(int(n or 0) for n in counts)))
            by_gid: dict[object, list[float]] = {}
            for gid, d in cursor.execute(durations, params):  # keyed by the group's id, not its key string
                by_gid.setdefault(gid, []).append(float(d))
            days = {keys[gid]: values for gid, values in by_gid.items()}
            weak_postmortems = [str(r["name"]) for r in db.execute(weak, params)]
        return groups, days, weak_postmortems

    def completion_by_month(self, *, since: str | None, until: str | None) -> list[dict[str, Any]]:
        """Per month of acceptance: items accepted, done, and done on time (the completion chart's data)."""
        window = _accepted_in(since, until)
        sql = f"""
            SELECT substr(a.accepted_at, 1, 7) AS month,
                   count(*) FILTER (WHERE a.state IN ('accepted', 'done')) AS accepted,
                   count(*) FILTER (WHERE a.state = 'done') AS done,
                   count(*) FILTER (WHERE a.state = 'done' AND date(a.completed_at) <= a.due) AS on_time
            FROM actions a WHERE a.accepted_at IS NOT NULL {window} GROUP BY month ORDER BY month
        """  # noqa: S608
        with self._db() as db, snapshot(db):
            return [dict(r) for r in db.execute(sql, {"since": since, "until": until})]
