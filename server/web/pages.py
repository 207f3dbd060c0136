"""The board's pages as HTML: the layout, the agenda board and one section's list.

Every value from the store goes through `e()`: written out by `visible()` (nothing hidden or reordered), then
HTML-escaped. Pages work without JavaScript.
"""

from __future__ import annotations

from datetime import date
from html import escape
from urllib.parse import urlencode

from postmortem_actions.store.text import visible
from postmortem_actions.tools.board import Board, BoardFilters
from postmortem_actions.tools.followthrough.models import AgendaPart, ReviewItem

CATEGORIES = ("prevent", "detect", "mitigate", "process")


def e(value: object) -> str:
    """A value as page text: every hidden character written out, then HTML-escaped."""
    return escape(visible(str(value), multiline=True)) if value is not None else ""


def layout(title: str, body: str, *, user: str | None = None) -> str:
    """A whole page around `body`."""
    who = f'<span class="who">signed in as {e(user)}</span>' if user else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · postmortem-actions</title><link rel="stylesheet" href="/static/board.css"></head>
<body><header><nav><a class="brand" href="/">postmortem-actions</a><a href="/">Board</a>
<a href="/report">Follow-through report</a>{who}</nav></header>
<main>{body}</main></body></html>
"""


def _query(filters: BoardFilters, **extra: object) -> str:
    values = {k: v for k, v in filters.model_dump().items() if v not in (None, "")} | {
        k: v for k, v in extra.items() if v is not None
    }
    return urlencode({("q" if k == "search" else k): v for k, v in values.items()})


def filter_form(filters: BoardFilters, as_of: date, action: str = "/") -> str:
    """The filters as a GET form (filtering changes nothing, so GET is right)."""
    options = "".join(
        f'<option value="{c}"{" selected" if filters.category == c else ""}>{c}</option>' for c in CATEGORIES
    )
    return f"""<form class="panel filters" method="get" action="{action}">
<label>Owner<input type="text" name="owner" value="{e(filters.owner or "")}" placeholder="any"></label>
<label>Postmortem #<input type="number" name="postmortem_id" min="1" value="{e(filters.postmortem_id or "")}"></label>
<label>Category<select name="category"><option value="">any</option>{options}</select></label>
<label>Text contains<input type="search" name="q" value="{e(filters.search or "")}" maxlength="200"></label>
<label>As of<input type="date" name="as_of" value="{as_of.isoformat()}"></label>
<button type="submit">Filter</button> <a href="{action}">Clear</a></form>"""


def _due(item: ReviewItem) -> str:
    if item.days_overdue:
        return f'<span class="late">{e(item.due)} ({item.days_overdue} d late)</span>'
    return e(item.due) if item.due else '<span class="muted">—</span>'


def _owner(item: ReviewItem) -> str:
    return e(item.owner) if item.owner else '<span class="muted">none yet</span>'


def item_rows(items: list[ReviewItem]) -> str:
    """Table rows for a list of review items, each linking to its item page."""
    rows = []
    for i in items:
        ticket = f' · <a href="{e(i.ticket)}" rel="noreferrer">ticket</a>' if _is_web(i.ticket) else ""
        rows.append(
            f'<tr><td class="num"><a href="/actions/{i.action_id}">#{i.action_id}</a></td>'
            f'<td>{e(i.text)}<div class="small muted">{e(i.prompt)}</div></td><td>{_owner(i)}</td>'
            f'<td>{_due(i)}</td><td class="small"><a href="/postmortems/{i.postmortem_id}">'
            f"{e(i.postmortem_title)}</a>{ticket}</td></tr>"
        )
    return "".join(rows)


def _is_web(ticket: str | None) -> bool:
    return bool(ticket) and str(ticket).startswith(("https://", "http://"))


def count(part: AgendaPart) -> str:
    """A section's total as the board shows it: exact, or "10,000+" where it stopped counting."""
    return f"{part.total:,}+" if part.total_is_floor else f"{part.total:,}"


def section_table(part: AgendaPart, filters: BoardFilters, as_of: date) -> str:
    """One agenda section as a panel with its count, first items and a link to the rest."""
    more = ""
    if part.total > len(part.items):
        link = f"/section/{part.key}?{_query(filters, as_of=as_of.isoformat())}"
        more = f'<p class="small"><a href="{link}">All {count(part)} →</a></p>'
    body = (
        f"<table><thead><tr><th>#</th><th>Action</th><th>Owner</th><th>Due</th><th>Postmortem</th></tr></thead>"
        f"<tbody>{item_rows(part.items)}</tbody></table>"
        if part.items
        else '<p class="empty">Nothing here.</p>'
    )
    return (
        f'<section class="panel section {part.key}"><h2>{e(part.title)}<span class="count">{count(part)}</span>'
        f"</h2>{body}{more}</section>"
    )


def _found(view: Board) -> str:
    items = view.found or []
    shown = f"the newest {len(items)} shown; narrow the search for the rest" if view.more_found else f"{len(items)}"
    rows = "".join(
        f'<tr><td class="num"><a href="/actions/{i.action_id}">#{i.action_id}</a></td><td>{e(i.text)}</td>'
        f'<td><span class="state {e(i.state)}">{e(i.state)}</span></td><td>{_owner(i)}</td><td>{_due(i)}</td>'
        f'<td class="small"><a href="/postmortems/{i.postmortem_id}">{e(i.postmortem_title)}</a></td></tr>'
        for i in items
    )
    table = (
        f"<table><thead><tr><th>#</th><th>Action</th><th>State</th><th>Owner</th><th>Due</th><th>Postmortem</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else '<p class="empty">No item\'s text contains it.</p>'
    )
    return (
        f'<section class="panel"><h2>Items whose text contains “{e(view.filters.search)}”'
        f'<span class="count">{shown}</span></h2>{table}</section>'
    )


def board_page(view: Board, *, user: str) -> str:
    """The board: the filters, then every agenda section (or, for a text search, the matching items)."""
    if view.found is not None:
        sections = _found(view)
    else:
        sections = (
            f'<div class="sections">{"".join(section_table(p, view.filters, view.as_of) for p in view.sections)}</div>'
        )
    body = (
        f'<h1>Review board</h1><p class="sub">As of {view.as_of.isoformat()}: what the next review discusses, in '
        f"order. Open an item to decide on it.</p>{filter_form(view.filters, view.as_of)}{sections}"
    )
    return layout("Board", body, user=user)


def section_page(part: AgendaPart, filters: BoardFilters, as_of: date, *, offset: int, limit: int, user: str) -> str:
    """One whole section, a page at a time."""
    pager = []
    if offset > 0:
        back = _query(filters, as_of=as_of.isoformat(), offset=max(offset - limit, 0))
        pager.append(f'<a href="/section/{part.key}?{back}">← Previous</a>')
    if offset + len(part.items) < part.total or part.total_is_floor:
        forward = _query(filters, as_of=as_of.isoformat(), offset=offset + limit)
        pager.append(f'<a href="/section/{part.key}?{forward}">Next →</a>')
    shown = f"{offset + 1}–{offset + len(part.items)} of {count(part)}" if part.items else "none"
    table = (
        f"<table><thead><tr><th>#</th><th>Action</th><th>Owner</th><th>Due</th><th>Postmortem</th></tr></thead>"
        f"<tbody>{item_rows(part.items)}</tbody></table>"
        if part.items
        else '<p class="empty">Nothing here.</p>'
    )
    body = (
        f'<h1>{e(part.title)}</h1><p class="sub">{shown} · <a href="/?{_query(filters)}">back to the board</a></p>'
        f"{filter_form(filters, as_of, f'/section/{part.key}')}"
        f'<section class="panel">{table}<div class="pager">{"".join(pager)}</div></section>'
    )
    return layout(part.title, body, user=user)


def message_page(title: str, text: str, *, good: bool, user: str | None = None, links: str = "") -> str:
    """A short page saying what happened (or did not), and where to go next."""
    kind = "good" if good else "bad"
    return layout(title, f'<h1>{e(title)}</h1><div class="notice {kind}">{e(text)}</div>{links}', user=user)
