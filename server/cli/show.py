"""`show ID`: one action item with its whole story, for a person (a table), a program (json) or a page (md).

What it is (text, finish line, problem, category, size), where it comes from (postmortem, evidence quote, who
proposed it), where it stands (state, owner, due date, working status, a deferral), why it may be vague (lint),
every human decision and every other change, and its ticket.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

from postmortem_actions.server.cli.screen import draw, proposer, shown
from postmortem_actions.store import Action, AuditEntry, Decision, DecisionKind, Postmortem, Store, Ticket
from postmortem_actions.store.text import visible
from postmortem_actions.tools import queries
from postmortem_actions.tools.markdown_text import md_text

if TYPE_CHECKING:
    from rich.console import RenderableType

    from postmortem_actions.tools.extraction.models import LintFinding

_CHANGE_WIDTH = 200


def decision_detail(d: Decision) -> str:
    """What a decision carried, in words: the plan it set, its reason, evidence and revisit date."""
    parts = [f"owner {d.owner}, due {d.due}"] if d.kind in (DecisionKind.ACCEPT, DecisionKind.REPLAN) else []
    parts += [f"{label}: {value}" for label, value in (("reason", d.reason), ("evidence", d.evidence)) if value]
    if d.revisit_on is not None:
        parts.append(f"revisit on {d.revisit_on}")
    return visible("; ".join(parts), multiline=False)


def _value(value: object) -> str:
    text = "-" if value is None or value == "" else visible(str(value))
    return text if len(text) <= _CHANGE_WIDTH else text[: _CHANGE_WIDTH - 1] + "…"


def change_detail(entry: AuditEntry) -> str:
    """What a change did: each field before and after (a creation just says so)."""
    if entry.op == "create":
        return "recorded"
    return "; ".join(
        f"{name.replace('_', ' ')}: {_value(pair[0])} → {_value(pair[-1])}"
        for name, pair in entry.changes.items()
        if pair[0] != pair[-1]
    )


def _standing(action: Action, today: date) -> str:
    state = str(action.state)
    if action.work_status:
        state += f", {str(action.work_status).replace('_', ' ')}"
        state += f": {visible(action.status_note, multiline=True)}" if action.status_note else ""
    if action.owner:
        late = (today - action.due).days if action.due and action.state == "accepted" and action.due < today else 0
        state += f" · owner {visible(action.owner)}, due {action.due}" + (f" ({late} days overdue)" if late else "")
    return state


def _facts(
    action: Action, pm: Postmortem, decisions: list[Decision], tickets: list[Ticket], today: date
) -> list[tuple[str, str]]:
    severity = ", ".join(str(x) for x in (pm.severity, pm.incident_date) if x)
    facts = [
        ("state", _standing(action, today)),
        ("done when", visible(action.done_when)),
        ("problem", visible(action.problem, multiline=True)),
        ("category", f"{action.category}" + (f" · suggested size {action.size}" if action.size else "")),
        ("postmortem", f"#{pm.id} {visible(pm.title)}" + (f" ({severity})" if severity else "")),
        ("evidence", f'"{visible(action.quote, multiline=True)}" (characters {action.quote_start}-{action.quote_end})'),
    ]
    proposal = [
        f"owner {visible(action.proposed_owner)}?" if action.proposed_owner else "",
        f"due {action.proposed_due}?" if action.proposed_due else "",
        f"by {proposer(action.proposed_by)}" if action.proposed_by else "",
    ]
    if any(proposal):
        facts.append(("proposed", " · ".join(p for p in proposal if p)))
    latest = decisions[-1] if decisions else None
    if latest is not None and latest.kind is DecisionKind.DEFER and action.state == "candidate":
        until = f" until {latest.revisit_on}" if latest.revisit_on else ""
        note = f": {visible(latest.reason, multiline=True)}" if latest.reason else ""
        facts.append(
            (
                "deferred",
                f"{until.strip() or 'with no date'}{note} ({visible(latest.decided_by)}, {latest.decided_at:%Y-%m-%d})",
            )
        )
    for ticket in tickets:
        facts.append(
            (
                "ticket",
                " ".join(visible(x) for x in (ticket.tracker, ticket.ref, ticket.url or "", ticket.state or "") if x),
            )
        )
    return facts


def _view(
    action: Action,
    facts: list[tuple[str, str]],
    lint: list[LintFinding],
    decisions: list[Decision],
    audit: list[AuditEntry],
) -> RenderableType:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from postmortem_actions.server.cli.render import table

    title = Text(f"#{action.id}  ", style="bold")
    title.append_text(shown(action.text, "bold"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in facts:
        grid.add_row(label, Text(value))
    for finding in lint:
        grid.add_row(
            "vague",
            Text(f"{visible(finding.words) or finding.kind}: {finding.why}; it needs {finding.needs}", style="yellow"),
        )
    parts: list[RenderableType] = [title, grid, Text("")]
    made = table("#", "when", "decision", "by", "what", wrap="what")
    for d in decisions:
        made.add_row(
            str(d.id),
            f"{d.decided_at:%Y-%m-%d %H:%M}",
            str(d.kind),
            f"{visible(d.decided_by)} via {d.channel}",
            Text(decision_detail(d)),
        )
    parts += [
        Text(f"Decisions ({len(decisions)})", style="bold"),
        made if decisions else Text("none yet", style="dim"),
        Text(""),
    ]
    changes = table("when", "change", "by", "what", wrap="what")
    for entry in audit:
        changes.add_row(
            f"{entry.at:%Y-%m-%d %H:%M}",
            entry.op,
            f"{visible(entry.actor)} ({visible(entry.via)})",
            Text(change_detail(entry)),
        )
    parts += [Text(f"Changes ({len(audit)})", style="bold"), changes if audit else Text("none", style="dim")]
    return Group(*parts)


def _markdown(
    action: Action,
    facts: list[tuple[str, str]],
    lint: list[LintFinding],
    decisions: list[Decision],
    audit: list[AuditEntry],
) -> str:
    lines = [f"# #{action.id} {md_text(action.text)}", ""]
    lines += [f"- **{label}**: {md_text(value)}" for label, value in facts]
    lines += [f"- **vague**: {md_text(f.words or f.kind)}: {md_text(f.why)}" for f in lint]
    lines += ["", f"## Decisions ({len(decisions)})", ""]
    lines += [
        f"- #{d.id} {d.decided_at:%Y-%m-%d %H:%M} {d.kind} by {md_text(d.decided_by)} via {d.channel}"
        + (f": {md_text(decision_detail(d))}" if decision_detail(d) else "")
        for d in decisions
    ] or ["- none yet"]
    lines += ["", f"## Changes ({len(audit)})", ""]
    lines += [
        f"- {e.at:%Y-%m-%d %H:%M} {e.op} by {md_text(e.actor)} ({md_text(e.via)}): {md_text(change_detail(e))}"
        for e in audit
    ] or ["- none"]
    return "\n".join(lines) + "\n"


def show(store: Store, action_id: int, fmt: str, today: date | None = None) -> int:
    """Print one action's whole story in `fmt` (table, json or md); returns the exit status.

    Raises:
        ActionNotFound: no such id.
    """
    from postmortem_actions.tools.extraction.lint import lint_findings

    detail = queries.action_detail(store, action_id)
    action = detail.action
    pm = store.get_postmortem(action.postmortem_id)
    tickets = store.tickets(action_id=action_id)
    lint = lint_findings(action.text)
    if fmt == "json":
        data: dict[str, Any] = {
            **detail.model_dump(mode="json"),
            "postmortem": pm.model_dump(mode="json", include={"id", "title", "severity", "incident_date", "source"}),
            "lint": [f.model_dump(mode="json") for f in lint],
            "tickets": [t.model_dump(mode="json") for t in tickets],
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    facts = _facts(action, pm, detail.decisions, tickets, today or date.today())
    if fmt == "md":
        print(_markdown(action, facts, lint, detail.decisions, detail.audit), end="")
    else:
        draw(_view(action, facts, lint, detail.decisions, detail.audit))
    return 0
