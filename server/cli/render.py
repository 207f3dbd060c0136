"""How the commands draw for a person at a terminal: action tables and the extract listing.

Every stored text goes through `visible()`; a cut is marked with '…', never silent.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence

from postmortem_actions.store import ActionSummary
from postmortem_actions.store.text import visible
from postmortem_actions.tools.extraction.models import Finding


def fit(text: str, width: int) -> str:
    """`text` in at most `width` characters, a cut marked with '…'."""
    return text if len(text) <= width else text[: width - 1] + "…"


def findings_table(findings: Sequence[Finding]) -> str:
    """Findings as a readable terminal listing: one block per follow-up, flags first."""
    width = max(shutil.get_terminal_size((120, 20)).columns, 80)
    lines: list[str] = []
    for n, f in enumerate(findings, start=1):
        flags = [f.category.value, "in section" if f.in_section else "prose"] + ["done"] * f.done + ["VAGUE"] * f.vague
        lines.append(fit(f"{n:>3}. {visible(f.text)}", width - 1))
        lines.append(f"     {' · '.join(flags)}   (chars {f.start}-{f.end})")
        details = [
            f"{label}: {visible(value)}"
            for label, value in (("owner", f.owner), ("due", f.due), ("ticket", f.ticket))
            if value
        ]
        if details:
            lines.append(fit(f"     {'   '.join(details)}", width - 1))
        for lint in f.lint:
            lines.append(fit(f"     vague ({visible(lint.words) or lint.kind}): {lint.why}", width - 1))
    counts = (
        f"{len(findings)} follow-up(s): {sum(f.in_section for f in findings)} in follow-up sections, "
        f"{sum(not f.in_section for f in findings)} in prose, {sum(f.done for f in findings)} already done, "
        f"{sum(f.vague for f in findings)} vague"
    )
    return "\n".join([*lines, counts])


def action_table(items: Sequence[ActionSummary], total: int, offset: int) -> str:
    """Actions as a terminal table; proposed owners and dates are marked with '?'."""
    width = max(shutil.get_terminal_size((120, 20)).columns, 80)
    lines = [f"{'id':>5}  {'pm':>4}  {'state':<9}  {'category':<8}  {'owner':<14}  {'due':<11}  text"]
    for a in items:
        # A proposal keeps its '?' however long the name: a cut name must never read as a committed one.
        owner = (
            fit(visible(a.owner), 14)
            if a.owner
            else (fit(visible(a.proposed_owner), 13) + "?" if a.proposed_owner else "-")
        )
        due = str(a.due) if a.due else (f"{a.proposed_due}?" if a.proposed_due else "-")
        line = (
            f"{a.id:>5}  {a.postmortem_id:>4}  {a.state:<9}  {a.category:<8}  {owner:<14}  {due:<11}  {visible(a.text)}"
        )
        lines.append(fit(line, width))
    shown = f"{offset + 1}-{offset + len(items)}" if items else "none"
    lines.append(f"{shown} of {total} action(s); '?' marks a proposal no human has committed")
    return "\n".join(lines)
