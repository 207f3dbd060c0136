"""The review's queries: overdue, the agenda's sections, what changed, and the follow-through figures.

Every date is given by the caller (`as_of`, `since`, `until`), never read from the clock here. Each list
is one indexed range query plus an exact count over the same range.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

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


class Change(BaseModel):
    """One thing that happened to an action: a human decision or a status report."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: datetime
    action_id: int
    text: str
    what: str
    detail: str | None = None
    by: str


class GroupRow(BaseModel):
    """Raw follow-through counts for one group (before rates and medians are computed)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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


_SELECT = """
SELECT a.*, p.title AS postmortem_title, p.severity AS severity,
       (SELECT coalesce(t.url, t.ref) FROM tickets t WHERE t.action_id = a.id ORDER BY t.id LIMIT 1) AS ticket
FROM actions a JOIN postmortems p ON p.id = a.postmortem_id
"""

_SECTIONS: dict[AgendaSection, tuple[str, str]] = {
    # (where, order) — each `where` is a range on one of the (state, ...) indexes.
    "overdue": ("a.state = 'accepted' AND a.due < :as_of", "a.due, a.id"),
    "blocked": ("a.state = 'accepted' AND a.work_status = 'blocked'", "a.due, a.id"),
    "due_soon": ("a.state = 'accepted' AND a.due >= :as_of AND a.due <= :soon", "a.due, a.id"),
    "undecided": ("a.state = 'candidate'", "a.created_at, a.id"),
    "stale": ("a.state = 'accepted' AND coalesce(a.status_at, a.accepted_at) < :stale_before",
              "coalesce(a.status_at, a.accepted_at), a.id"),
    "completed": ("a.state = 'done' AND a.completed_at >= :since", "a.completed_at DESC, a.id"),
}

_GROUP_KEYS: dict[GroupBy, str] = {
    "postmortem": "'#' || p.id || ' ' || p.title", "owner": "coalesce(a.owner, '(no owner)')",
    "category": "a.category", "severity": "coalesce(p.severity, '(none)')",
}


def _filters(owner: str | None, postmortem_id: int | None, category: str | None) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if owner is not None:
        clauses.append("a.owner = :owner COLLATE NOCASE")
        params["owner"] = owner
    if postmortem_id is not None:
        clauses.append("a.postmortem_id = :postmortem_id")
        params["postmortem_id"] = postmortem_id
    if category is not None:
        clauses.append("a.category = :category")
        params["category"] = category
    return "".join(f" AND {c}" for c in clauses), params


class FollowthroughQueries(Database):
    """Read-only queries for the recurring review, on one consistent snapshot each."""

    def review_section(self, section: AgendaSection, params: dict[str, Any], *, owner: str | None = None,
                       postmortem_id: int | None = None, category: str | None = None, limit: int = 20,
                       offset: int = 0) -> tuple[list[ReviewRow], int]:
        """One agenda section (or the overdue list): a page of rows and the exact total.

        `params` carries the dates the section needs: as_of, soon, stale_before, since (ISO strings).
        """
        where, order = _SECTIONS[section]
        extra, extra_params = _filters(owner, postmortem_id, category)
        bound = {**params, **extra_params, "limit": limit, "offset": offset}
        with self._db() as db, snapshot(db):
            total = db.execute(f"SELECT count(*) AS n FROM actions a WHERE {where}{extra}", bound).fetchone()["n"]  # noqa: S608
            rows = db.execute(f"{_SELECT} WHERE {where}{extra} ORDER BY {order} LIMIT :limit OFFSET :offset",
                              bound)
            return [ReviewRow.model_validate(r) for r in rows], int(total)

    def counts_by_state(self, postmortem_id: int | None = None) -> dict[str, int]:
        """How many actions are in each state (all four states present, zero when none)."""
        extra, params = _filters(None, postmortem_id, None)
        with self._db() as db, snapshot(db):
            found = {r["state"]: r["n"] for r in db.execute(
                f"SELECT a.state, count(*) AS n FROM actions a WHERE 1=1{extra} GROUP BY a.state", params)}  # noqa: S608
        return {state: int(found.get(state, 0)) for state in ("candidate", "accepted", "done", "killed")}

    def open_items(self, postmortem_id: int | None, limit: int) -> tuple[list[ReviewRow], int]:
        """Accepted (open) items, soonest due first, and their exact number."""
        extra, params = _filters(None, postmortem_id, None)
        with self._db() as db, snapshot(db):
            total = db.execute(f"SELECT count(*) AS n FROM actions a WHERE a.state = 'accepted'{extra}",  # noqa: S608
                               params).fetchone()["n"]
            rows = db.execute(f"{_SELECT} WHERE a.state = 'accepted'{extra} ORDER BY a.due, a.id LIMIT :limit",
                              {**params, "limit": limit})
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

    def followthrough(self, group_by: GroupBy, *, as_of: str, since: str | None,
                      until: str | None) -> tuple[list[GroupRow], dict[str, list[float]], list[str]]:
        """Counts per group for items accepted in [since, until); days-to-done per group; weak postmortems.

        The third value names SEV1/SEV2 postmortems whose committed (accepted or done) items include no
        detect or mitigate action.
        """
        window = ("AND a.accepted_at >= :since" if since else "") + (" AND a.accepted_at < :until" if until else "")
        key = _GROUP_KEYS[group_by]
        # Items accepted in the window, plus candidates killed at triage (recorded in the window): killed
        # items are reported, never part of the completion denominator.
        triaged = window.replace("a.accepted_at", "a.created_at")
        committed = (f"((a.accepted_at IS NOT NULL {window}) "
                     f"OR (a.state = 'killed' AND a.accepted_at IS NULL {triaged}))")
        age = "julianday(:as_of) - julianday(a.accepted_at)"
        sql = f"""
            SELECT {key} AS key,
              sum(a.state IN ('accepted', 'done')) AS accepted,
              sum(a.state = 'done') AS done,
              sum(a.state = 'done' AND date(a.completed_at) <= a.due) AS done_on_time,
              sum(a.state = 'killed') AS killed,
              sum(a.state = 'accepted') AS open,
              sum(a.state = 'accepted' AND a.due < :as_of) AS overdue,
              sum(a.state = 'accepted' AND {age} <= 30) AS age_0_30,
              sum(a.state = 'accepted' AND {age} > 30 AND {age} <= 60) AS age_31_60,
              sum(a.state = 'accepted' AND {age} > 60 AND {age} <= 90) AS age_61_90,
              sum(a.state = 'accepted' AND {age} > 90) AS age_90_plus,
              sum(a.state != 'killed' AND a.category = 'prevent') AS prevent,
              sum(a.state != 'killed' AND a.category = 'detect') AS detect,
              sum(a.state != 'killed' AND a.category = 'mitigate') AS mitigate,
              sum(a.state != 'killed' AND a.category = 'process') AS process
            FROM actions a JOIN postmortems p ON p.id = a.postmortem_id
            WHERE {committed}
            GROUP BY key ORDER BY key
        """  # noqa: S608 - fixed fragments
        durations = f"""
            SELECT {key} AS key, julianday(a.completed_at) - julianday(a.accepted_at) AS days
            FROM actions a JOIN postmortems p ON p.id = a.postmortem_id
            WHERE a.state = 'done' AND a.accepted_at IS NOT NULL {window}
        """  # noqa: S608
        weak = f"""
            SELECT '#' || p.id || ' ' || p.title AS name FROM postmortems p JOIN actions a ON a.postmortem_id = p.id
            WHERE p.severity IN ('SEV0', 'SEV1', 'SEV2') AND a.state IN ('accepted', 'done') {window}
            GROUP BY p.id HAVING sum(a.category IN ('detect', 'mitigate')) = 0 ORDER BY p.id
        """  # noqa: S608
        params = {"as_of": as_of, "since": since, "until": until}
        with self._db() as db, snapshot(db):
            groups = [GroupRow.model_validate({k: (v or 0) if k != "key" else str(v) for k, v in r.items()})
                      for r in db.execute(sql, params)]
            days: dict[str, list[float]] = {}
            for r in db.execute(durations, params):
                days.setdefault(str(r["key"]), []).append(float(r["days"]))
            weak_postmortems = [str(r["name"]) for r in db.execute(weak, params)]
        return groups, days, weak_postmortems

    def completion_by_month(self, *, since: str | None, until: str | None) -> list[dict[str, Any]]:
        """Per month of acceptance: items accepted, done, and done on time (the completion chart's data)."""
        window = ("AND a.accepted_at >= :since" if since else "") + (" AND a.accepted_at < :until" if until else "")
        sql = f"""
            SELECT substr(a.accepted_at, 1, 7) AS month, sum(a.state IN ('accepted', 'done')) AS accepted,
                   sum(a.state = 'done') AS done, sum(a.state = 'done' AND date(a.completed_at) <= a.due) AS on_time
            FROM actions a WHERE a.accepted_at IS NOT NULL {window} GROUP BY month ORDER BY month
        """  # noqa: S608
        with self._db() as db, snapshot(db):
            return [dict(r) for r in db.execute(sql, {"since": since, "until": until})]
