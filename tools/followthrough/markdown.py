"""The review's answers written as Markdown for people: the agenda, the status summary and the report.

Every stored text goes through `md_text`/`md_cell`, so it renders as itself (tools/markdown_text.py).
"""

from __future__ import annotations

from datetime import date, timedelta

from postmortem_actions.tools.followthrough.models import AgendaPart, FollowthroughReport, ReviewItem, StatusSummary
from postmortem_actions.tools.markdown_text import md_cell, md_text


def days(n: int | None) -> str:
    """ "1 day", "3 days"."""
    return "1 day" if n == 1 else f"{n} days"


def _who(item: ReviewItem) -> str:
    return f"{md_text(item.owner) if item.owner else 'no owner'}" + (f", due {item.due}" if item.due else "")


def agenda_markdown(as_of: date, parts: list[AgendaPart]) -> str:
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


def summary_markdown(s: StatusSummary) -> str:
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
        lines += [f"- #{i.action_id} {md_text(i.text)} — {_who(i)}, {days(i.days_overdue)} overdue" for i in overdue]
        if s.overdue_total > len(overdue):
            lines.append(f"- … and {s.overdue_total - len(overdue)} more overdue")
        return "\n".join(lines).rstrip() + "\n"
    lines.append(f"## Open items ({s.open_total})")
    for i in s.open_items:
        status = f"{i.work_status.replace('_', ' ')}" if i.work_status else "no status reported"
        late = f", **{days(i.days_overdue)} overdue**" if i.days_overdue else ""
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


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def window_words(since: date | None, until: date | None) -> str:
    """Which items a report counts, in words: "items accepted at any time", "... from 2026-01-01 through 2026-03-31"."""
    last = until - timedelta(days=1) if until is not None else None  # `until` is the first day left out
    if since is not None and last is not None:
        return f"items accepted from {since} through {last}"
    if since is not None:
        return f"items accepted since {since}"
    if last is not None:
        return f"items accepted up to {last}"
    return "items accepted at any time"


def _listed(title: str, total: int, items: list[ReviewItem], line: str) -> list[str]:
    if not total:
        return []
    lines = ["", f"## {title} ({total})"]
    for i in items:
        lines.append(
            line.format(
                id=i.action_id,
                text=md_text(i.text),
                who=_who(i),
                late=days(i.days_overdue),
                note=md_text(i.status_note or "no note"),
                prompt=md_text(i.prompt or ""),
            )
        )
    if total > len(items):
        lines.append(f"- … and {total - len(items)} more")
    return lines


def report_markdown(r: FollowthroughReport) -> str:
    t = r.total
    lines = [
        f"# Follow-through on {r.as_of}",
        "",
        f"Counting {window_words(r.since, r.until)}, grouped by {r.group_by}.",
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
    lines += _listed("Overdue", r.overdue_total, r.overdue_items, "- #{id} {text} — {who}, {late} overdue")
    lines += _listed("Blocked", r.blocked_total, r.blocked_items, "- #{id} {text} — {who}; blocked: {note}")
    lines += _listed("Undecided candidates", r.undecided_total, r.undecided_items, "- #{id} {text}. {prompt}")
    return "\n".join(lines) + "\n"
