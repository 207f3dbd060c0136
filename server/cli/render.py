"""How the listings of items and documents draw: action items, the extractor's findings, the stored postmortems.

Each `*_view` returns what `screen.draw` prints: a `rich` table that fits the terminal, text wrapped at spaces,
a cut marked with '…'. An owner or due date no human has committed is always marked with '?' (a cut proposal keeps
its mark: it must never read as a commitment).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Final

from postmortem_actions.server.cli.screen import as_text, shown, width
from postmortem_actions.store import ActionSummary, PostmortemOverview
from postmortem_actions.store.text import visible
from postmortem_actions.tools.extraction.models import Finding

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text

STATE_STYLE: Final = {"candidate": "yellow", "accepted": "cyan", "done": "green", "killed": "dim"}
OWNER_WIDTH: Final = 16
WIDE: Final = 100  # from this many columns, tables show their less needed columns too
PROPOSAL_NOTE: Final = "'?' marks a proposal no human has committed"
NUMBERS: Final = frozenset(
    {"id", "pm", "#", "late", "undecided", "accepted", "on time", "done", "killed", "open", "overdue", "rate", "median"}
)


def cut(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, a cut marked with '…'."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def table(*columns: str, wrap: str = "") -> Table:
    """A borderless table with these column headings; only `wrap` (the text column) wraps, the others never do."""
    from rich import box
    from rich.table import Table

    # Two spaces between columns (a space of padding and the box's blank rule): more room for the text at 80 columns.
    drawn = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0), header_style="bold")
    for name in columns:
        drawn.add_column(
            name, justify="right" if name in NUMBERS else "left", no_wrap=name != wrap, overflow="ellipsis"
        )
    return drawn


def owner_cell(owner: str | None, proposed: str | None) -> Text:
    """A committed owner, else the proposed one marked '?' (kept when the name is cut), else '-'."""
    from rich.text import Text

    if owner:
        return shown(cut(visible(owner), OWNER_WIDTH))
    if proposed:
        return Text(cut(visible(proposed), OWNER_WIDTH - 1) + "?", style="italic")
    return Text("-", style="dim")


def due_cell(due: date | None, proposed: date | None, *, state: str, today: date | None = None) -> Text:
    """A committed due date (red once past, for an accepted item), else the proposed one marked '?', else '-'."""
    from rich.text import Text

    if due is not None:
        late = state == "accepted" and today is not None and due < today
        return Text(due.isoformat(), style="bold red" if late else "")
    if proposed is not None:
        return Text(f"{proposed.isoformat()}?", style="italic")
    return Text("-", style="dim")


def actions_view(items: Sequence[ActionSummary], total: int, offset: int, today: date | None = None) -> RenderableType:
    """Action summaries as a table, and a line with the range shown and the exact total."""
    from rich.console import Group
    from rich.text import Text

    wide = width() >= WIDE
    drawn = table("id", "pm", "state", *(["category"] if wide else []), "owner", "due", "action", wrap="action")
    for a in items:
        drawn.add_row(
            str(a.id),
            str(a.postmortem_id),
            Text(str(a.state), style=STATE_STYLE.get(str(a.state), "")),
            *([str(a.category)] if wide else []),
            owner_cell(a.owner, a.proposed_owner),
            due_cell(a.due, a.proposed_due, state=str(a.state), today=today),
            shown(a.text),
        )
    shown_range = f"{offset + 1}-{offset + len(items)}" if items else "none"
    return Group(drawn, Text(f"{shown_range} of {total} action(s); {PROPOSAL_NOTE}"))


def action_table(items: Sequence[ActionSummary], total: int, offset: int) -> str:
    """`actions_view` as plain text (the demo prints it through its own indentation)."""
    return as_text(actions_view(items, total, offset), width()).rstrip("\n")


def findings_view(findings: Sequence[Finding]) -> RenderableType:
    """The extractor's findings: one block per follow-up (its line, flags, what the document states), then counts."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    blocks = Table.grid(padding=(0, 1))
    blocks.add_column(justify="right", no_wrap=True)
    blocks.add_column()
    for n, f in enumerate(findings, start=1):
        flags = [str(f.category), "in section" if f.in_section else "prose"] + ["done"] * f.done + ["VAGUE"] * f.vague
        details = Text(f"{' · '.join(flags)}   (chars {f.start}-{f.end})", style="dim")
        stated = [
            f"{label}: {visible(value)}"
            for label, value in (("owner", f.owner), ("due", f.due), ("ticket", f.ticket))
            if value
        ]
        lines: list[RenderableType] = [shown(f.text, "bold"), details]
        if stated:
            lines.append(Text("   ".join(stated)))
        lines += [Text(f"vague ({visible(x.words) or x.kind}): {x.why}", style="yellow") for x in f.lint]
        blocks.add_row(f"{n:>3}.", Group(*lines))
    counts = (
        f"{len(findings)} follow-up(s): {sum(f.in_section for f in findings)} in follow-up sections, "
        f"{sum(not f.in_section for f in findings)} in prose, {sum(f.done for f in findings)} already done, "
        f"{sum(f.vague for f in findings)} vague"
    )
    return Group(blocks, Text(counts))


def postmortems_view(rows: Sequence[PostmortemOverview]) -> RenderableType:
    """The stored postmortems, newest first, with their actions counted by state."""
    from rich.console import Group
    from rich.text import Text

    drawn = table("id", "sev", "incident", "title", "undecided", "accepted", "done", "killed", wrap="title")
    for pm in rows:
        drawn.add_row(
            str(pm.id),
            pm.severity or "-",
            str(pm.incident_date or "-"),
            shown(pm.title),
            Text(str(pm.candidate), style="yellow" if pm.candidate else "dim"),
            str(pm.accepted),
            str(pm.done),
            str(pm.killed),
        )
    return Group(drawn, Text(f"{len(rows)} postmortem(s)"))
