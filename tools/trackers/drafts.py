"""Ticket drafts: what an accepted action item becomes in the team's tracker.

A draft has a short imperative title, a description with the problem, the evidence quote and a link back
to the postmortem, acceptance criteria from `done_when` as a checklist, the committed owner and due date,
and labels (category, `postmortem-action-item`, severity). GitHub and Linear get Markdown; Jira Cloud gets
the Atlassian Document Format. Only accepted items are drafted: nobody's work is filed before a human
committed to it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Final

from pydantic import Field

from postmortem_actions.store import Action, ActionFilter, ActionState, Postmortem, Store
from postmortem_actions.store.errors import InvalidInput
from postmortem_actions.store.text import visible
from postmortem_actions.tools.markdown_text import md_lines, md_text
from postmortem_actions.tools.schema import Model
from postmortem_actions.tools.trackers.base import TicketRequest, TrackerName

LABEL: Final = "postmortem-action-item"
TITLE_MAX: Final = 80
MAX_ITEMS: Final = 200
_CRITERIA_SPLIT: Final = re.compile(r";\s+|\.\s+(?=[A-Z])|\n+")


class TicketDraft(Model):
    """A ticket as it would be filed for one accepted action (a preview: nothing is sent)."""

    action_id: int
    tracker: TrackerName
    title: str
    description: str = Field(description="Markdown (GitHub, Linear); Jira gets the same content as ADF")
    description_adf: dict[str, Any] | None = Field(description="Atlassian Document Format, for Jira Cloud only")
    acceptance_criteria: list[str]
    assignee: str | None = Field(description="The committed owner")
    due: date | None = Field(description="The committed due date")
    labels: list[str]


class Refused(Model):
    """An action that was not drafted or exported, and why."""

    action_id: int
    reason: str


class DraftResult(Model):
    """Drafts for the accepted items asked for, and the items that were refused."""

    tracker: TrackerName
    drafts: list[TicketDraft]
    refused: list[Refused]
    message: str


def select_actions(store: Store, *, action_ids: list[int] | None, postmortem_id: int | None) -> list[Action]:
    """The actions named by id (in that order) or all of a postmortem's, by id.

    Raises:
        InvalidInput: neither or both selectors, or more than MAX_ITEMS ids.
        ActionNotFound, PostmortemNotFound: an id names nothing.
    """
    if (action_ids is None) == (postmortem_id is None):
        raise InvalidInput("give exactly one of `action_ids` or `postmortem_id`")
    if action_ids is not None:
        if not action_ids or len(action_ids) > MAX_ITEMS:
            raise InvalidInput(f"give between 1 and {MAX_ITEMS} action ids")
        return [store.get_action(i) for i in dict.fromkeys(action_ids)]
    assert postmortem_id is not None
    store.get_postmortem(postmortem_id)
    return store.actions(ActionFilter(postmortem_id=postmortem_id))


def refusal(action: Action) -> str | None:
    """Why an action cannot become a ticket, or None when it can (it is accepted)."""
    if action.state is ActionState.ACCEPTED:
        return None
    if action.state is ActionState.CANDIDATE:
        return "not accepted: a human must accept it (decide_action) before it is filed; nothing was sent"
    if action.state is ActionState.DONE:
        return "already done: a finished item is not filed as new work; nothing was sent"
    return "killed: it will not be done; nothing was sent"


def short_title(text: str) -> str:
    """A ticket title: the action's sentence, capitalised, without its full stop, cut at a word under 80."""
    title = " ".join(visible(text).split()).rstrip(".")
    title = title[:1].upper() + title[1:]
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return title


def criteria(done_when: str) -> list[str]:
    """Acceptance criteria: the parts of `done_when` (split at semicolons, sentences and lines)."""
    parts = [p.strip(" .;") for p in _CRITERIA_SPLIT.split(visible(done_when, multiline=True))]
    return [p[:1].upper() + p[1:] for p in parts if p]


def labels(action: Action, pm: Postmortem) -> list[str]:
    """Category, the product's label, and the postmortem's severity when it has one."""
    found = [action.category.value, LABEL]
    if pm.severity:
        found.append(pm.severity.lower())
    return found


def _link_back(action: Action, pm: Postmortem) -> str:
    return f"Postmortem #{pm.id}: {visible(pm.title)} ({visible(pm.source)}), action item #{action.id}."


def _quote_lines(action: Action) -> list[str]:
    return visible(action.quote, multiline=True).splitlines()


def _markdown(action: Action, pm: Postmortem, checklist: list[str]) -> str:
    # People read the ticket in the tracker, rendered: every stored text is written so it renders as itself, with
    # nothing hidden (a problem cannot add a heading, a checklist or an HTML comment that hides the rest).
    problem = "\n".join(md_lines(action.problem))
    quote = "\n".join(f"> {line}" if line.strip() else ">" for line in md_lines(action.quote))
    lines = [
        f"**Problem:** {problem}",
        "",
        "**From the postmortem:**",
        "",
        quote,
        "",
        md_text(_link_back(action, pm)),
        "",
        "## Acceptance criteria",
        "",
        *[f"- [ ] {md_text(c)}" for c in checklist],
    ]
    if action.owner or action.due:
        lines += ["", f"Owner: {md_text(action.owner or '-')} · Due: {action.due.isoformat() if action.due else '-'}"]
    lines += ["", "_Filed by postmortem-actions after a human accepted this item._"]
    return "\n".join(lines)


def _text(value: str, *, strong: bool = False) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    if strong:
        node["marks"] = [{"type": "strong"}]
    return node


def _paragraph(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(content)}


def adf(action: Action, pm: Postmortem, checklist: list[str]) -> dict[str, Any]:
    """The description as an Atlassian Document Format document (Jira Cloud's REST API v3)."""
    quote_lines = [line for line in _quote_lines(action) if line.strip()] or [visible(action.quote)]
    content: list[dict[str, Any]] = [
        _paragraph(_text("Problem: ", strong=True), _text(visible(action.problem, multiline=True))),
        _paragraph(_text("From the postmortem:", strong=True)),
        {"type": "blockquote", "content": [_paragraph(_text(line)) for line in quote_lines]},
        _paragraph(_text(_link_back(action, pm))),
        {"type": "heading", "attrs": {"level": 2}, "content": [_text("Acceptance criteria")]},
        {"type": "bulletList", "content": [{"type": "listItem", "content": [_paragraph(_text(c))]} for c in checklist]},
        _paragraph(_text("Filed by postmortem-actions after a human accepted this item.")),
    ]
    return {"type": "doc", "version": 1, "content": content}


def draft(action: Action, pm: Postmortem, tracker: TrackerName) -> TicketDraft:
    """The ticket draft for one accepted action, formatted for `tracker`: exactly what `request_for` files."""
    request = request_for(action, pm)
    return TicketDraft(
        action_id=action.id,
        tracker=tracker,
        title=request.title,
        description=request.body,
        description_adf=request.body_adf if tracker == "jira" else None,
        acceptance_criteria=criteria(action.done_when),
        assignee=request.assignee,
        due=request.due,
        labels=request.labels,
    )


def request_for(action: Action, pm: Postmortem) -> TicketRequest:
    """What an adapter files for an accepted action (both description forms; each adapter uses its own)."""
    checklist = criteria(action.done_when)
    return TicketRequest(
        title=short_title(action.text),
        body=_markdown(action, pm, checklist),
        body_adf=adf(action, pm, checklist),
        labels=labels(action, pm),
        assignee=action.owner,
        due=action.due,
    )


def draft_tickets(
    store: Store, tracker: TrackerName, *, action_ids: list[int] | None = None, postmortem_id: int | None = None
) -> DraftResult:
    """Preview the tickets the accepted items among the selected actions would become; nothing is sent.

    Raises:
        InvalidInput: neither or both selectors, or too many ids.
        ActionNotFound, PostmortemNotFound: an id names nothing.
    """
    drafts: list[TicketDraft] = []
    refused: list[Refused] = []
    postmortems: dict[int, Postmortem] = {}
    for action in select_actions(store, action_ids=action_ids, postmortem_id=postmortem_id):
        reason = refusal(action)
        if reason is not None:
            refused.append(Refused(action_id=action.id, reason=reason))
            continue
        if action.postmortem_id not in postmortems:
            postmortems[action.postmortem_id] = store.get_postmortem(action.postmortem_id)
        pm = postmortems[action.postmortem_id]
        drafts.append(draft(action, pm, tracker))
    message = f"{len(drafts)} draft(s) for {tracker}; nothing was sent"
    if refused:
        message += f"; {len(refused)} item(s) are not accepted and were not drafted"
    return DraftResult(tracker=tracker, drafts=drafts, refused=refused, message=message + ".")
