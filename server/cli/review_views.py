"""How the review draws on a terminal (`--format table`): overdue items, the agenda, the status summary and the
follow-through report as tables that fit the terminal, never as Markdown source."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from postmortem_actions.server.cli.render import WIDE, owner_cell, table
from postmortem_actions.server.cli.screen import shown, width
from postmortem_actions.tools import followthrough as ft
from postmortem_actions.tools.followthrough.markdown import window_words

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _what(item: ft.ReviewItem, *extra: str | None) -> Text:
    """An item's text, with the lines that go with it (a note, a prompt) under it, dimmed."""
    text = shown(item.text)
    for line in extra:
        if line:
            text.append("\n")
            text.append_text(shown(line, "dim"))
    return text


def _heading(title: str) -> Text:
    from rich.text import Text

    return Text(title, style="bold")


def _bullets(lines: Sequence[str]) -> RenderableType:
    """One bullet per line, a wrapped line indented under its first."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for line in lines:
        grid.add_row("-", shown(line, "yellow"))
    return grid


def items_view(items: Sequence[ft.ReviewItem], *, late: bool = True, prompts: bool = False) -> RenderableType:
    """Review items as a table: id, postmortem, owner, due, days late, status, and the text with its note/prompt."""
    from rich.text import Text

    wide = width() >= WIDE
    columns = ["id", "pm", "owner", "due", *(["late"] if late else []), *(["status"] if wide else []), "action"]
    drawn = table(*columns, wrap="action")
    for i in items:
        status = (i.work_status or "").replace("_", " ")
        note = f"{status}: {i.status_note}" if i.status_note and not wide else (i.status_note or "")
        if prompts and i.status_note and i.status_note in (i.prompt or ""):
            note = ""  # the prompt says it already
        drawn.add_row(
            str(i.action_id),
            str(i.postmortem_id),
            owner_cell(i.owner, None),
            str(i.due or "-"),
            *([Text(str(i.days_overdue or ""), style="bold red")] if late else []),
            *([Text(status, style="red" if status == "blocked" else "")] if wide else []),
            _what(i, note, i.prompt if prompts else ""),
        )
    return drawn


def overdue_view(page: ft.OverduePage) -> RenderableType:
    """The overdue list and the exact count."""
    from rich.console import Group
    from rich.text import Text

    return Group(items_view(page.items), Text(f"{len(page.items)} of {page.total} overdue on {page.as_of}"))


def agenda_view(agenda: ft.Agenda) -> RenderableType:
    """The agenda: each section with its exact total, its items and what to ask about each."""
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = [_heading(f"Action-item review, {agenda.as_of}")]
    for part in agenda.sections:
        parts += [Text(""), _heading(f"{part.title} ({part.total})")]
        if part.items:
            parts.append(items_view(part.items, late=part.key == "overdue", prompts=True))
        else:
            parts.append(Text("none", style="dim"))
        if part.total > len(part.items):
            parts.append(Text(f"… and {part.total - len(part.items)} more", style="dim"))
    return Group(*parts)


def summary_view(s: ft.StatusSummary) -> RenderableType:
    """The status summary: counts, the open items (or, for leadership, the overdue ones), what changed."""
    from rich.console import Group
    from rich.text import Text

    c = s.counts
    counts = (
        f"{c['accepted']} open, {c['done']} done, {c['candidate']} undecided, {c['killed']} killed; "
        f"{s.overdue_total} overdue."
    )
    parts: list[RenderableType] = [_heading(f"Action items: status on {s.as_of}"), Text(counts), Text("")]
    if s.audience == "leadership":
        late = [i for i in s.open_items if i.days_overdue]
        parts += [_heading(f"Overdue ({s.overdue_total})"), items_view(late) if late else Text("none", style="dim")]
        return Group(*parts)
    parts += [_heading(f"Open items ({s.open_total})"), items_view(s.open_items) if s.open_items else Text("none")]
    if s.open_total > len(s.open_items):
        parts.append(Text(f"… and {s.open_total - len(s.open_items)} more", style="dim"))
    changes = table("day", "id", "change", "by", "detail", wrap="detail")
    for ch in s.changes:
        changes.add_row(f"{ch.at:%Y-%m-%d}", str(ch.action_id), ch.what, shown(ch.by), shown(ch.detail or ""))
    parts += [Text(""), _heading(f"Changes {s.since} – {s.until} ({s.changes_total})")]
    parts.append(changes if s.changes else Text("none", style="dim"))
    return Group(*parts)


def report_view(r: ft.FollowthroughReport) -> RenderableType:
    """The follow-through report: the figures, one row per group, aging, balance, warnings and who to follow up."""
    from rich.console import Group
    from rich.text import Text

    t = r.total
    median = t.median_days_to_done if t.median_days_to_done is not None else "–"
    parts: list[RenderableType] = [
        _heading(f"Follow-through on {r.as_of}"),
        Text(f"Counting {window_words(r.since, r.until)}, grouped by {r.group_by}."),
        Text(
            f"{t.accepted} accepted, {t.done} done ({t.done_on_time} on time), {t.open} open ({t.overdue} overdue); "
            f"{t.killed} killed (not counted). Completion rate {_rate(t.completion_rate)}; "
            f"median {median} days to done."
        ),
        Text(""),
    ]
    groups = table(r.group_by, "accepted", "on time", "open", "overdue", "killed", "rate", "median", wrap=r.group_by)
    for g in [*r.groups, t]:
        groups.add_row(
            shown(g.key, "bold" if g is t else ""),
            *(str(n) for n in (g.accepted, g.done_on_time, g.open, g.overdue, g.killed)),
            _rate(g.completion_rate),
            "–" if g.median_days_to_done is None else f"{g.median_days_to_done:g}",
        )
    parts += [
        groups,
        Text("Open items by age (days since accepted): " + ", ".join(f"{k}: {v}" for k, v in t.aging.items())),
        Text("Category balance: " + ", ".join(f"{k} {v}" for k, v in t.categories.items())),
        Text(""),
        _heading(f"Warnings ({len(r.warnings)})"),
    ]
    parts.append(_bullets(r.warnings) if r.warnings else Text("none", style="dim"))
    for title, total, items, late in (
        ("Overdue", r.overdue_total, r.overdue_items, True),
        ("Blocked", r.blocked_total, r.blocked_items, False),
        ("Undecided candidates", r.undecided_total, r.undecided_items, False),
    ):
        if total:
            parts += [Text(""), _heading(f"{title} ({total})"), items_view(items, late=late, prompts=not late)]
            if total > len(items):
                parts.append(Text(f"… and {total - len(items)} more", style="dim"))
    return Group(*parts)
