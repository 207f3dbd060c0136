"""The item page (an action with its evidence, lint, history and the decisions that apply now) and its forms."""

from __future__ import annotations

from datetime import date
from typing import Final

from postmortem_actions.server.web.pages import e, layout
from postmortem_actions.store import Action, DecisionKind
from postmortem_actions.tools.board import ItemView

# Each decision form: its title, the fields it shows, its button, and whether the button warns.
_FORMS: Final[dict[DecisionKind, tuple[str, tuple[str, ...], str, bool]]] = {
    DecisionKind.ACCEPT: ("Accept", ("owner", "due"), "Accept with this owner and date", False),
    DecisionKind.KILL: ("Kill (descope)", ("reason",), "Kill it", True),
    DecisionKind.DEFER: ("Defer", ("note", "revisit_on"), "Defer", False),
    DecisionKind.REPLAN: ("Re-plan", ("owner", "due", "reason"), "Re-plan", False),
    DecisionKind.COMPLETE: ("Mark done", ("evidence",), "Mark it done", False),
    DecisionKind.REOPEN: ("Reopen", ("reason",), "Reopen it", True),
    DecisionKind.REVIVE: ("Revive", ("reason",), "Revive as an undecided candidate", False),
}
_LABELS: Final = {
    "owner": "Owner",
    "due": "Due date",
    "reason": "Reason",
    "note": "Note (optional)",
    "revisit_on": "Revisit on (optional)",
    "evidence": "Evidence it is done (a PR, a link)",
}


def field(
    name: str,
    *,
    owner: str = "",
    due: date | None = None,
    value: str = "",
    required: bool | None = None,
    form: str = "q",
) -> str:
    """One labelled input of a decision form, pre-filled; owner, due date and reason are required by default."""
    needed = " required" if (name in ("owner", "due", "reason") if required is None else required) else ""
    ident = f"f-{form}-{name}"
    label = f'<label for="{ident}">{_LABELS[name]}</label>'
    if name == "owner":
        attributes = f'type="text" name="owner" value="{e(owner)}" maxlength="100" list="people"{needed}'
        return f'{label}<input id="{ident}" {attributes}>'
    if name in ("due", "revisit_on"):
        shown = due.isoformat() if name == "due" and due else ""
        return f'{label}<input id="{ident}" type="date" name="{name}" value="{shown}"{needed}>'
    return f'{label}<textarea id="{ident}" name="{name}" maxlength="1000"{needed}>{e(value)}</textarea>'


def decision_forms(view: ItemView, csrf: str) -> str:
    """A form for every decision that applies to the item now; each names the version it was drawn for."""
    a = view.action
    forms = []
    for kind in view.choices:
        title, fields, button, danger = _FORMS[kind]
        inputs = "".join(field(f, owner=view.default_owner, due=view.default_due, form=str(kind)) for f in fields)
        forms.append(
            f'<form method="post" action="/actions/{a.id}/decide"><h3>{title}</h3>'
            f'<input type="hidden" name="kind" value="{kind}"><input type="hidden" name="version" '
            f'value="{a.version()}"><input type="hidden" name="csrf" value="{csrf}">{inputs}'
            f'<p><button type="submit"{" class=danger" if danger else ""}>{button}</button></p></form>'
        )
    if a.state == "accepted":
        forms.append(status_form(a, csrf))
    if not forms:
        return '<p class="empty">Nothing can be decided on it now.</p>'
    return f'<div class="forms">{"".join(forms)}</div>'


def status_form(a: Action, csrf: str) -> str:
    """The owner's own status report: in progress or blocked, with a note. It commits no one."""
    checked = {s: " checked" if a.work_status == s else "" for s in ("in_progress", "blocked")}
    return (
        f'<form method="post" action="/actions/{a.id}/status"><h3>Report status</h3>'
        f'<input type="hidden" name="csrf" value="{csrf}">'
        f'<label><input type="radio" name="status" value="in_progress"{checked["in_progress"]} required> '
        f'In progress</label><label><input type="radio" name="status" value="blocked"{checked["blocked"]}> '
        f'Blocked</label><label for="f-status-note">Note (what is happening, what blocks it)</label>'
        f'<textarea id="f-status-note" name="note" maxlength="1000">{e(a.status_note or "")}</textarea>'
        f'<p><button type="submit" class="quiet">Save status</button></p></form>'
    )


def _facts(view: ItemView) -> str:
    a, pm = view.action, view.postmortem
    owner = e(a.owner) if a.owner else f'<span class="muted">none yet (proposed: {e(a.proposed_owner or "—")})</span>'
    due = e(a.due) if a.due else f'<span class="muted">none yet (proposed: {e(a.proposed_due or "—")})</span>'
    status = f"{e(a.work_status)}: {e(a.status_note or '')}" if a.work_status else '<span class="muted">—</span>'
    tickets = ", ".join(
        f'<a href="{e(t.url)}" rel="noreferrer">{e(t.ref)}</a>' if t.url else e(t.ref) for t in view.tickets
    )
    return (
        f'<dl class="facts"><dt>State</dt><dd><span class="state {a.state}">{a.state}</span></dd>'
        f"<dt>Owner</dt><dd>{owner}</dd><dt>Due</dt><dd>{due}</dd><dt>Working status</dt><dd>{status}</dd>"
        f"<dt>Done when</dt><dd>{e(a.done_when)}</dd><dt>Problem</dt><dd>{e(a.problem)}</dd>"
        f"<dt>Category</dt><dd>{e(a.category)}{f' · size {e(a.size)} (suggested)' if a.size else ''}</dd>"
        f'<dt>Postmortem</dt><dd><a href="/postmortems/{pm.id}#a{a.id}">#{pm.id} {e(pm.title)}</a> '
        f"({e(pm.severity or 'no severity')})</dd><dt>Tickets</dt><dd>{tickets or '—'}</dd>"
        f"<dt>Proposed by</dt><dd>{e(a.proposed_by or 'not recorded')}</dd><dt>Version</dt><dd>{a.version()}</dd></dl>"
    )


def _lint(view: ItemView) -> str:
    if not view.lint.vague:
        return f'<p class="ok">Specific: {e(view.lint.advice)}</p>'
    items = "".join(f"<li><b>{e(f.words)}</b>: {e(f.why)} {e(f.needs)}</li>" for f in view.lint.findings)
    return f'<ul class="lint">{items}</ul><p>{e(view.lint.advice)}</p>'


def _history(view: ItemView) -> str:
    decisions = "".join(
        f"<tr><td>#{d.id}</td><td>{e(d.decided_at.strftime('%Y-%m-%d %H:%M'))}</td><td>{e(d.kind)}</td>"
        f"<td>{e(d.from_state)} → {e(d.to_state)}</td><td>{e(d.owner or '')} {e(d.due or '')}</td>"
        f"<td>{e(d.reason or d.evidence or '')}{f' (revisit {d.revisit_on})' if d.revisit_on else ''}</td>"
        f"<td>{e(d.decided_by)} via {e(d.channel)}</td></tr>"
        for d in view.decisions
    )
    audit = "".join(
        f"<tr><td>{e(x.at.strftime('%Y-%m-%d %H:%M'))}</td><td>{e(x.op)}</td><td>{e(x.actor)} ({e(x.via)})</td>"
        f'<td class="small">{e(", ".join(sorted(x.changes)))}</td></tr>'
        for x in view.audit
    )
    return (
        "<h2>Decisions</h2>"
        + (
            f"<table><thead><tr><th>#</th><th>When (UTC)</th><th>Kind</th><th>State</th><th>Owner, due</th>"
            f"<th>Reason or evidence</th><th>By</th></tr></thead><tbody>{decisions}</tbody></table>"
            if decisions
            else '<p class="empty">No human decision yet.</p>'
        )
        + '<h2 class="spaced">Other changes (audit log)</h2>'
        + f"<table><thead><tr><th>When (UTC)</th><th>What</th><th>Who</th><th>Fields</th></tr></thead>"
        f"<tbody>{audit}</tbody></table>"
    )


def item_page(view: ItemView, *, csrf: str, user: str, notice: str = "") -> str:
    """The item page: what it is, its evidence, lint, the decisions that apply now, and its history."""
    a = view.action
    body = (
        f'{notice}<h1>#{a.id} {e(a.text)}</h1><p class="sub">From postmortem #{view.postmortem.id}</p>'
        f'<section class="panel">{_facts(view)}</section>'
        f'<section class="panel"><h2>Evidence in the postmortem</h2><blockquote>{e(a.quote)}</blockquote></section>'
        f'<section class="panel"><h2>Is it specific?</h2>{_lint(view)}</section>'
        f'<section class="panel"><h2>Decide</h2>{decision_forms(view, csrf)}</section>'
        f'<section class="panel">{_history(view)}</section>'
    )
    return layout(f"#{a.id}", body, user=user)
