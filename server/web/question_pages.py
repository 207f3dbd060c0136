"""The decision page a one-time link opens, and the postmortem page with its evidence highlighted."""

from __future__ import annotations

from postmortem_actions.server.web.item_pages import field
from postmortem_actions.server.web.pages import e, layout
from postmortem_actions.tools.board import PostmortemView
from postmortem_actions.tools.decision_models import Question


def _decide_fields(q: Question) -> str:
    choices = "".join(
        f'<label><input type="radio" name="choice" value="{c}"{" checked" if c == "accept" else ""} required> '
        f"{label}</label>"
        for c, label in (("accept", "Accept"), ("kill", "Kill (give a reason)"), ("defer", "Defer"))
    )
    # Owner and date are needed to accept, a reason to kill: the server checks what each choice needs.
    return (
        f'<div class="choice">{choices}</div>{field("owner", owner=q.owner, required=False)}'
        f"{field('due', due=q.due, required=False)}{field('reason', required=False)}"
        f'{field("revisit_on")}<p><button type="submit">Record my decision</button></p>'
    )


def _confirm_fields(q: Question) -> str:
    parts = []
    if q.kind == "replan":
        parts += [field("owner", owner=q.owner), field("due", due=q.due)]
    if q.kind == "complete":
        parts.append(field("evidence", value=q.evidence))
    else:
        parts.append(field("reason", value=q.reason))
    buttons = (
        '<p><button type="submit" name="choice" value="confirm">Confirm</button> '
        '<button type="submit" name="choice" value="reject" class="quiet" formnovalidate>Do not confirm</button></p>'
    )
    return "".join(parts) + buttons


def question_page(q: Question, *, code: str, csrf: str, expires: str, evidence: str) -> str:
    """The page a one-time link opens: the question exactly as the store renders it, and the form to answer it."""
    fields = _decide_fields(q) if q.kind == "decide" else _confirm_fields(q)
    body = (
        f"<h1>Your decision on action #{q.action_id}</h1>"
        f'<p class="sub">The assistant asked you this. Nothing is recorded until you answer here; you can change '
        f"what it proposed. This link works once, until {e(expires)} UTC.</p>"
        f'<section class="panel"><pre class="question">{e(q.message)}</pre></section>'
        f'<section class="panel"><h2>Evidence</h2><blockquote>{e(evidence)}</blockquote></section>'
        f'<section class="panel forms"><form method="post" action="/d/{e(code)}">'
        f'<input type="hidden" name="version" value="{e(q.version)}"><input type="hidden" name="csrf" value="{csrf}">'
        f"{fields}</form></section>"
    )
    return layout(f"Decide #{q.action_id}", body)


def postmortem_page(view: PostmortemView, *, user: str) -> str:
    """The document with each finding and each action's evidence highlighted at its offsets, and the gap named."""
    pm = view.postmortem
    text = pm.text
    parts: list[str] = []
    anchored: set[int] = set()
    for mark in view.marks:
        chunk = e(text[mark.start : mark.end])
        if not mark.findings and not mark.actions:
            parts.append(chunk)
            continue
        uncovered = any(not view.findings[i].covered for i in mark.findings) and not mark.actions
        css = "gap" if uncovered else ("act" if mark.actions else "")
        fresh = [a for a in mark.actions if a not in anchored]
        anchored.update(fresh)
        anchor = f' id="a{fresh[0]}"' if fresh else ""
        title = ", ".join(f"#{a}" for a in mark.actions) or "a follow-up no action covers yet"
        parts.append(f'<mark class="{css}"{anchor} title="{e(title)}">{chunk}</mark>')
    cut = len(text) - view.shown_chars
    tail = f'<p class="small muted">The last {cut:,} characters are not drawn here.</p>' if cut > 0 else ""
    rows = "".join(
        f'<tr><td><a href="/actions/{a.id}">#{a.id}</a></td><td>{e(a.text)}</td>'
        f'<td><span class="state {a.state}">{a.state}</span></td><td>{e(a.owner or "")}</td></tr>'
        for a in view.actions
    )
    gap_rows = "".join(f"<li>{e(f.text)}</li>" for f in view.findings if not f.covered)
    body = (
        f'<h1>#{pm.id} {e(pm.title)}</h1><p class="sub">{e(pm.severity or "no severity")} · incident '
        f"{e(pm.incident_date or 'date not given')} · stored from {e(pm.source)}</p>"
        f'<section class="panel"><h2>Actions ({len(view.actions)})</h2>'
        + (
            f"<table><thead><tr><th>#</th><th>Action</th><th>State</th><th>Owner</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            if rows
            else '<p class="empty">No action recorded yet.</p>'
        )
        + f'</section><section class="panel"><h2>Coverage gap: {view.gap} of {len(view.findings)} follow-ups</h2>'
        + (f"<ul>{gap_rows}</ul>" if gap_rows else '<p class="ok">Every follow-up found is covered by an action.</p>')
        + '</section><p class="legend"><span class="doc-legend act">evidence of an action</span>'
        '<span class="doc-legend">a follow-up found in the text</span>'
        '<span class="doc-legend gap">a follow-up no action covers</span></p>'
        f'<div class="doc">{"".join(parts)}</div>{tail}'
    )
    return layout(f"Postmortem #{pm.id}", body, user=user)
