"""Follow-through for the recurring review: what's overdue, the agenda, status summaries, the completion audit.

Every figure is computed from the store; `as_of` (and `since`/`until`) are always given by the caller,
so the same question on the same data gives the same answer whatever the clock says.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Final

from postmortem_actions.store import Store
from postmortem_actions.store.errors import InvalidInput
from postmortem_actions.store.followthrough import AgendaSection, GroupBy, GroupRow, ReviewRow
from postmortem_actions.tools.days import check_day
from postmortem_actions.tools.followthrough.markdown import agenda_markdown, days, report_markdown, summary_markdown
from postmortem_actions.tools.followthrough.models import (
    Agenda,
    AgendaPart,
    Audience,
    FollowthroughReport,
    GroupFigures,
    MonthFigures,
    OverduePage,
    ReviewItem,
    StatusSummary,
)

DUE_SOON_DAYS: Final = 7
STALE_DAYS: Final = 14
RECENT_DAYS: Final = 14
REPORT_ITEMS: Final = 20  # items the report lists per warning (overdue, blocked, undecided); totals are exact
WARNED_NAMES: Final = 5


def _checkdays(as_of: date, since: date | None, until: date | None) -> None:
    for name, day in (("as_of", as_of), ("since", since), ("until", until)):
        check_day(name, day)


def _window(since: date | None, until: date | None) -> None:
    if since is not None and until is not None and until <= since:
        raise InvalidInput(f"until ({until}) must be after since ({since}): the window [since, until) is empty")


def _iso(day: date) -> str:
    return datetime.combine(day, time.min).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def _item(row: ReviewRow, as_of: date, prompt: str | None = None) -> ReviewItem:
    overdue = (as_of - row.due).days if row.state == "accepted" and row.due and row.due < as_of else None
    reported = row.status_at or row.accepted_at
    deferred = row.state == "candidate" and row.decision_kind == "defer"
    return ReviewItem(
        action_id=row.id,
        postmortem_id=row.postmortem_id,
        postmortem_title=row.postmortem_title,
        text=row.text,
        category=row.category,
        state=row.state,
        owner=row.owner,
        due=row.due,
        days_overdue=overdue,
        age_days=(as_of - row.created_at.date()).days if row.state == "candidate" else None,
        days_since_report=(as_of - reported.date()).days if reported and row.state == "accepted" else None,
        work_status=row.work_status,
        status_note=row.status_note,
        ticket=row.ticket,
        prompt=prompt,
        deferred=deferred,
        revisit_on=row.revisit_on if deferred else None,
        defer_note=row.decision_reason if deferred else None,
    )


def _dates(as_of: date) -> dict[str, str]:
    return {
        "as_of": as_of.isoformat(),
        "soon": (as_of + timedelta(days=DUE_SOON_DAYS)).isoformat(),
        "stale_before": _iso(as_of - timedelta(days=STALE_DAYS)),
        "since": _iso(as_of - timedelta(days=RECENT_DAYS)),
    }


def _known(store: Store, postmortem_id: int | None) -> None:
    if postmortem_id is not None:
        store.get_postmortem(postmortem_id)


def list_overdue(
    store: Store,
    *,
    as_of: date,
    owner: str | None = None,
    postmortem_id: int | None = None,
    category: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> OverduePage:
    """Accepted items due before `as_of`, most overdue first, paginated, with the exact total.

    Raises:
        PostmortemNotFound: `postmortem_id` names no postmortem (empty lists would look like an exact 0).
        InvalidInput: `as_of` is outside the supported range (`days.EARLIEST`..`days.LATEST`).
    """
    check_day("as_of", as_of)
    _known(store, postmortem_id)
    limit, offset = min(max(limit, 1), 200), max(offset, 0)
    rows, total = store.review_section(
        "overdue",
        _dates(as_of),
        owner=owner,
        postmortem_id=postmortem_id,
        category=category,
        limit=limit,
        offset=offset,
    )
    items = [_item(r, as_of) for r in rows]
    following = offset + len(items)
    return OverduePage(
        as_of=as_of,
        items=items,
        total=total,
        limit=limit,
        offset=offset,
        next_offset=following if following < total else None,
    )


_AGENDA: Final[list[tuple[AgendaSection, str]]] = [
    ("overdue", "Overdue"),
    ("blocked", "Blocked"),
    ("due_soon", f"Due in the next {DUE_SOON_DAYS} days"),
    ("undecided", "Candidates still undecided"),
    ("stale", f"No status report in {STALE_DAYS} days"),
    ("completed", f"Completed in the last {RECENT_DAYS} days"),
]


def _prompt(key: AgendaSection, item: ReviewItem, as_of: date) -> str:
    match key:
        case "overdue":
            return f"{days(item.days_overdue)} overdue, what is blocking it?"
        case "blocked":
            return f"Blocked: {item.status_note or 'no note'}. Who can unblock it?"
        case "due_soon":
            return f"Due {item.due}: on track?"
        case "undecided":
            return _undecided_prompt(item, as_of)
        case "stale":
            return f"No report for {days(item.days_since_report)}: what is the status?"
        case _:
            return "Done: anything to share?"


def agenda_section(
    store: Store,
    key: AgendaSection,
    *,
    as_of: date,
    owner: str | None = None,
    postmortem_id: int | None = None,
    category: str | None = None,
    limit: int = 10,
    offset: int = 0,
    count_up_to: int | None = None,
) -> AgendaPart:
    """One section of the agenda, filtered and paginated (the board's lists), with its total: exact, or
    `count_up_to` and `total_is_floor` when there are more than that.

    Raises:
        PostmortemNotFound: `postmortem_id` names no postmortem.
        InvalidInput: `as_of` is outside the supported range.
    """
    check_day("as_of", as_of)
    _known(store, postmortem_id)
    title = dict(_AGENDA)[key]
    rows, total = store.review_section(
        key,
        _dates(as_of),
        owner=owner,
        postmortem_id=postmortem_id,
        category=category,
        limit=min(max(limit, 1), 200),
        offset=max(offset, 0),
        count_up_to=count_up_to,
    )
    items = [_item(r, as_of) for r in rows]
    floor = count_up_to is not None and total > count_up_to
    return AgendaPart(
        key=key,
        title=title,
        total=min(total, count_up_to) if floor and count_up_to is not None else total,
        items=[i.model_copy(update={"prompt": _prompt(key, i, as_of)}) for i in items],
        total_is_floor=floor,
    )


def search_items(
    store: Store,
    search: str,
    *,
    as_of: date,
    owner: str | None = None,
    postmortem_id: int | None = None,
    category: str | None = None,
    limit: int = 50,
) -> list[ReviewItem]:
    """Items in any state whose text contains `search` (any case), newest first, at most `limit`.

    Raises:
        PostmortemNotFound: `postmortem_id` names no postmortem.
        InvalidInput: `as_of` is outside the supported range.
    """
    check_day("as_of", as_of)
    _known(store, postmortem_id)
    rows = store.search_actions(search, owner=owner, postmortem_id=postmortem_id, category=category, limit=limit)
    return [_item(r, as_of) for r in rows]


def _undecided_prompt(item: ReviewItem, as_of: date) -> str:
    decide = "accept with an owner and date, or kill?"
    if not item.deferred:
        return f"Undecided for {days(item.age_days)}: {decide}"
    note = f" ({item.defer_note})" if item.defer_note else ""
    if item.revisit_on is None:
        return f"Deferred{note}: {decide}"
    if item.revisit_on > as_of:
        return f"Deferred until {item.revisit_on}{note}: nothing to decide before then."
    return f"Deferred until {item.revisit_on}{note}, which has come: {decide}"


def review_agenda(
    store: Store, *, as_of: date, owner: str | None = None, postmortem_id: int | None = None, per_section: int = 10
) -> Agenda:
    """The meeting's agenda in order: overdue, blocked, due soon, undecided, stale, recently completed.

    Raises:
        PostmortemNotFound: `postmortem_id` names no postmortem (empty lists would look like an exact 0).
        InvalidInput: `as_of` is outside the supported range (`days.EARLIEST`..`days.LATEST`).
    """
    check_day("as_of", as_of)
    _known(store, postmortem_id)
    parts: list[AgendaPart] = []
    for key, title in _AGENDA:
        rows, total = store.review_section(
            key, _dates(as_of), owner=owner, postmortem_id=postmortem_id, limit=per_section
        )
        items = [_item(r, as_of) for r in rows]
        parts.append(
            AgendaPart(
                key=key,
                title=title,
                total=total,
                items=[i.model_copy(update={"prompt": _prompt(key, i, as_of)}) for i in items],
            )
        )
    return Agenda(as_of=as_of, sections=parts, markdown=agenda_markdown(as_of, parts))


def draft_status_summary(
    store: Store,
    *,
    as_of: date,
    postmortem_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    audience: Audience = "engineering",
    limit: int = 50,
) -> StatusSummary:
    """Counts by state, each open item with owner/due/status, and what changed in [since, until).

    `since` defaults to a week before `as_of` (the last weekly review); `until` to the day after `as_of`.

    Raises:
        PostmortemNotFound: `postmortem_id` names no postmortem.
        InvalidInput: a day is outside the supported range, or `until` is not after `since`.
    """
    _checkdays(as_of, since, until)
    since = since or as_of - timedelta(days=7)
    until = until or as_of + timedelta(days=1)
    _window(since, until)
    _known(store, postmortem_id)
    counts = store.counts_by_state(postmortem_id)
    open_rows, open_total = store.open_items(postmortem_id, limit)
    _, overdue_total = store.review_section("overdue", _dates(as_of), postmortem_id=postmortem_id, limit=0)
    changes, changes_total = store.changes(_iso(since), _iso(until), postmortem_id, limit)
    open_items = [_item(r, as_of) for r in open_rows]
    summary = StatusSummary(
        as_of=as_of,
        since=since,
        until=until,
        postmortem_id=postmortem_id,
        audience=audience,
        counts=counts,
        open_total=open_total,
        overdue_total=overdue_total,
        open_items=open_items,
        changes_total=changes_total,
        changes=changes,
        markdown="",
    )
    return summary.model_copy(update={"markdown": summary_markdown(summary)})


def _figures(row: GroupRow, days: list[float]) -> GroupFigures:
    return GroupFigures(
        key=row.key,
        accepted=row.accepted,
        done=row.done,
        done_on_time=row.done_on_time,
        killed=row.killed,
        open=row.open,
        overdue=row.overdue,
        completion_rate=round(row.done_on_time / row.accepted, 4) if row.accepted else None,
        median_days_to_done=round(median(days), 1) if days else None,
        aging={"0-30": row.age_0_30, "31-60": row.age_31_60, "61-90": row.age_61_90, "90+": row.age_90_plus},
        categories={"prevent": row.prevent, "detect": row.detect, "mitigate": row.mitigate, "process": row.process},
    )


def followthrough_report(
    store: Store, *, as_of: date, since: date | None = None, until: date | None = None, group_by: GroupBy = "postmortem"
) -> FollowthroughReport:
    """The completion audit of items accepted in [since, until), grouped, with totals and warnings.

    Raises:
        InvalidInput: a day is outside the supported range, or `until` is not after `since`.
    """
    _checkdays(as_of, since, until)
    _window(since, until)
    rows, days, weak = store.followthrough(
        group_by, as_of=as_of.isoformat(), since=_iso(since) if since else None, until=_iso(until) if until else None
    )
    groups = [_figures(r, days.get(r.key, [])) for r in rows]
    totals = [sum(column) for column in zip(*(r[1:] for r in rows), strict=True)] or [0] * (len(GroupRow._fields) - 1)
    total_row = GroupRow("total", *totals)
    total = _figures(total_row, [d for ds in days.values() for d in ds])
    months = [
        MonthFigures.model_validate(m)
        for m in store.completion_by_month(since=_iso(since) if since else None, until=_iso(until) if until else None)
    ]
    dates = _dates(as_of)
    overdue, overdue_total = store.review_section("overdue", dates, limit=REPORT_ITEMS)
    blocked, blocked_total = store.review_section("blocked", dates, limit=REPORT_ITEMS)
    undecided, undecided_total = store.review_section("undecided", dates, limit=REPORT_ITEMS)
    undecided_items = [_item(r, as_of) for r in undecided]
    warnings = _warnings(store, as_of, [_item(r, as_of) for r in blocked], blocked_total, undecided_total)
    if since is not None or until is not None:  # the figures count a window; these name every item of today
        warnings = [f"{w} (all items, not only those accepted in the window)" for w in warnings]
    warnings += [
        f"{name}: a SEV1/SEV2 postmortem with no detect or mitigate item (only prevent/process)" for name in weak
    ]
    report = FollowthroughReport(
        as_of=as_of,
        since=since,
        until=until,
        group_by=group_by,
        groups=groups,
        total=total,
        by_month=months,
        warnings=warnings,
        overdue_total=overdue_total,
        overdue_items=[_item(r, as_of) for r in overdue],
        blocked_total=blocked_total,
        blocked_items=[_item(r, as_of) for r in blocked],
        undecided_total=undecided_total,
        undecided_items=[i.model_copy(update={"prompt": _undecided_prompt(i, as_of)}) for i in undecided_items],
        markdown="",
    )
    return report.model_copy(update={"markdown": report_markdown(report)})


def _warnings(
    store: Store, as_of: date, blocked: list[ReviewItem], blocked_total: int, undecided_total: int
) -> list[str]:
    """Who is overdue, what is blocked and how many candidates wait for a decision, as sentences."""
    warnings: list[str] = []
    owners = store.overdue_owners(as_of.isoformat())
    if owners:
        late = sum(n for _, n in owners)
        who = ", ".join(f"{owner or 'no owner'} {n}" for owner, n in owners[:WARNED_NAMES])
        more = f" and {len(owners) - WARNED_NAMES} more" if len(owners) > WARNED_NAMES else ""
        warnings.append(f"{late} item(s) overdue on {as_of}: {who}{more}")
    if blocked_total:
        named = "; ".join(
            f"#{i.action_id} {i.text} ({i.owner or 'no owner'}): {i.status_note or 'no note'}"
            for i in blocked[:WARNED_NAMES]
        )
        more = f"; and {blocked_total - WARNED_NAMES} more" if blocked_total > WARNED_NAMES else ""
        warnings.append(f"{blocked_total} item(s) blocked: {named}{more}")
    if undecided_total:
        warnings.append(f"{undecided_total} candidate(s) still await a human decision (accept, kill or defer)")
    return warnings
