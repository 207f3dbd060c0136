"""Follow-through for the recurring review: what's overdue, the agenda, status summaries, the completion audit.

Every figure is computed from the store; `as_of` (and `since`/`until`) are always given by the caller,
so the same question on the same data gives the same answer whatever the clock says.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Final, Literal

from pydantic import Field

from postmortem_actions.store import Store
from postmortem_actions.store.errors import InvalidInput
from postmortem_actions.store.followthrough import AgendaSection, Change, GroupBy, GroupRow, ReviewRow
from postmortem_actions.tools.days import check_day
from postmortem_actions.tools.markdown_text import md_cell, md_text
from postmortem_actions.tools.models import Model

DUE_SOON_DAYS: Final = 7
STALE_DAYS: Final = 14
RECENT_DAYS: Final = 14
Audience = Literal["engineering", "leadership"]


class ReviewItem(Model):
    """An action as the review discusses it."""

    action_id: int
    postmortem_id: int
    postmortem_title: str
    text: str
    category: str
    state: str
    owner: str | None = None
    due: date | None = None
    days_overdue: int | None = Field(default=None, description="Whole days past due on as_of (accepted items)")
    age_days: int | None = Field(default=None, description="Days since it was recorded (undecided candidates)")
    days_since_report: int | None = None
    work_status: str | None = None
    status_note: str | None = None
    ticket: str | None = None
    prompt: str | None = Field(default=None, description="What to ask about it in the meeting")


class OverduePage(Model):
    """Accepted items past their due date on `as_of`, most overdue first, with the exact total."""

    as_of: date
    items: list[ReviewItem]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class AgendaPart(Model):
    """One section of the review agenda; `total` is exact, `items` may be cut to the section size."""

    key: AgendaSection
    title: str
    total: int
    items: list[ReviewItem]


class Agenda(Model):
    """The review meeting's agenda, in the order it is discussed."""

    as_of: date
    sections: list[AgendaPart]
    markdown: str


class StatusSummary(Model):
    """A status summary's facts and a Markdown draft of them; the assistant may polish the wording only."""

    as_of: date
    since: date
    until: date
    postmortem_id: int | None
    audience: Audience
    counts: dict[str, int]
    open_total: int
    overdue_total: int = Field(
        description="Open items past their due date on as_of (exact, even when open_items is cut)"
    )
    open_items: list[ReviewItem]
    changes_total: int
    changes: list[Change]
    markdown: str


class GroupFigures(Model):
    """Follow-through of one group. Killed items are counted but never in the completion denominator."""

    key: str
    accepted: int
    done: int
    done_on_time: int
    killed: int
    open: int
    overdue: int
    completion_rate: float | None = Field(description="done on time ÷ accepted; null when nothing was accepted")
    median_days_to_done: float | None
    aging: dict[str, int] = Field(description="Open items by days since accepted: 0-30, 31-60, 61-90, 90+")
    categories: dict[str, int] = Field(description="Committed items (accepted or done) per category; killed excluded")


class MonthFigures(Model):
    """Items accepted in one month and what became of them."""

    month: str
    accepted: int
    done: int
    on_time: int


class FollowthroughReport(Model):
    """The completion audit: per group and in total, with the warnings a lead should read."""

    as_of: date
    since: date | None
    until: date | None
    group_by: GroupBy
    groups: list[GroupFigures]
    total: GroupFigures
    by_month: list[MonthFigures]
    warnings: list[str]
    markdown: str


def _check_days(as_of: date, since: date | None, until: date | None) -> None:
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


def _days(n: int | None) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _prompt(key: AgendaSection, item: ReviewItem) -> str:
    match key:
        case "overdue":
            return f"{_days(item.days_overdue)} overdue, what is blocking it?"
        case "blocked":
            return f"Blocked: {item.status_note or 'no note'}. Who can unblock it?"
        case "due_soon":
            return f"Due {item.due}: on track?"
        case "undecided":
            return f"Undecided for {_days(item.age_days)}: accept with an owner and date, or kill?"
        case "stale":
            return f"No report for {_days(item.days_since_report)}: what is the status?"
        case _:
            return "Done: anything to share?"


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
                items=[i.model_copy(update={"prompt": _prompt(key, i)}) for i in items],
            )
        )
    return Agenda(as_of=as_of, sections=parts, markdown=_agenda_markdown(as_of, parts))


def _who(item: ReviewItem) -> str:
    return f"{md_text(item.owner) if item.owner else 'no owner'}" + (f", due {item.due}" if item.due else "")


def _agenda_markdown(as_of: date, parts: list[AgendaPart]) -> str:
    lines = [f"# Action-item review, {as_of}", ""]
    for part in parts:
        lines.append(f"## {part.title} ({part.total})")
        lines += [f"- #{i.action_id} {md_text(i.text)} — {_who(i)}. {md_text(i.prompt or '')}" for i in part.items] or [
            "- none"
        ]
        if part.total > len(part.items):
            lines.append(f"- … and {part.total - len(part.items)} more")
        lines.append("")
    return "\n".join(lines)


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
    _check_days(as_of, since, until)
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
    return summary.model_copy(update={"markdown": _summary_markdown(summary)})


def _summary_markdown(s: StatusSummary) -> str:
    c = s.counts
    overdue = [i for i in s.open_items if i.days_overdue]
    lines = [
        f"# Action items: status on {s.as_of}",
        "",
        f"{c['accepted']} open, {c['done']} done, {c['candidate']} undecided, {c['killed']} killed; "
        f"{s.overdue_total} overdue.",
        "",
    ]
    if s.audience == "leadership":
        lines += [f"- #{i.action_id} {md_text(i.text)} — {_who(i)}, {_days(i.days_overdue)} overdue" for i in overdue]
        if s.overdue_total > len(overdue):
            lines.append(f"- … and {s.overdue_total - len(overdue)} more overdue")
        return "\n".join(lines).rstrip() + "\n"
    lines.append(f"## Open items ({s.open_total})")
    for i in s.open_items:
        status = f"{i.work_status.replace('_', ' ')}" if i.work_status else "no status reported"
        late = f", **{_days(i.days_overdue)} overdue**" if i.days_overdue else ""
        lines.append(
            f"- #{i.action_id} {md_text(i.text)} — {_who(i)}{late}; {status}"
            + (f": {md_text(i.status_note)}" if i.status_note else "")
        )
    if s.open_total > len(s.open_items):
        lines.append(f"- … and {s.open_total - len(s.open_items)} more")
    lines += ["", f"## Changes {s.since} – {s.until} ({s.changes_total})"]
    lines += [
        f"- {ch.at:%Y-%m-%d} #{ch.action_id} {ch.what} by {md_text(ch.by)}"
        + (f": {md_text(ch.detail)}" if ch.detail else "")
        for ch in s.changes
    ] or ["- none"]
    return "\n".join(lines) + "\n"


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
    _check_days(as_of, since, until)
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
    warnings = [
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
        markdown="",
    )
    return report.model_copy(update={"markdown": _report_markdown(report)})


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _report_markdown(r: FollowthroughReport) -> str:
    t = r.total
    window = f" accepted {r.since or 'ever'} – {r.until or r.as_of}"
    lines = [
        f"# Follow-through on {r.as_of}{window}",
        "",
        f"{t.accepted} accepted, {t.done} done ({t.done_on_time} on time), {t.open} open ({t.overdue} overdue); "
        f"{t.killed} killed (not counted). Completion rate {_rate(t.completion_rate)}; median "
        f"{t.median_days_to_done if t.median_days_to_done is not None else '–'} days to done.",
        "",
        f"| {r.group_by} | accepted | done on time | open | overdue | killed | rate | median days |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {md_cell(g.key)} | {g.accepted} | {g.done_on_time} | {g.open} | {g.overdue} | {g.killed} | "
        f"{_rate(g.completion_rate)} | {g.median_days_to_done if g.median_days_to_done is not None else '–'} |"
        for g in r.groups
    ]
    lines += [
        "",
        "Open items by age (days since accepted): " + ", ".join(f"{k}: {v}" for k, v in t.aging.items()),
        "Category balance: " + ", ".join(f"{k} {v}" for k, v in t.categories.items()),
    ]
    if r.warnings:
        lines += ["", "## Warnings"] + [f"- {md_text(w)}" for w in r.warnings]
    return "\n".join(lines) + "\n"
