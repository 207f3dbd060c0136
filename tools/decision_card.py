"""The decision card an MCP Apps host shows: what it displays, and recording the answer it sends.

A gated tool on an Apps host opens a decision request whose code is `card_code(key, nonce)`; only the nonce travels,
in the tool result's `_meta`, which the host hands to the card and not to the model. The card trades the nonce for
what it shows and a sealed ticket (`open_card`, tickets in `card_tickets`), and answers with the ticket
(`answer_card`) through the same store operation as every other channel (`decision_links.answer_link`).

The ticket is a sealed token carrying the nonce, not the code itself: a forged ticket is refused before the store is
read, one presented for another action, version, question or tool is refused by name, and it is not a code the web
board's decision page would take (that code is an HMAC of the nonce only this server can compute).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import Field

from postmortem_actions.store import Store
from postmortem_actions.store.errors import LinkNotValid, StaleAnswer
from postmortem_actions.store.records import DecisionRequest
from postmortem_actions.store.text import visible
from postmortem_actions.tools import decision_links, decisions
from postmortem_actions.tools.card_tickets import AGAIN, TICKET_TTL, Ticket, open_ticket, seal_ticket
from postmortem_actions.tools.decision_links import AskedKind
from postmortem_actions.tools.decision_models import Answer, Decider, DecisionOutcome, Question
from postmortem_actions.tools.extraction.lint import lint_action
from postmortem_actions.tools.extraction.models import LintResult
from postmortem_actions.tools.schema import Model

Choice = Literal["accept", "kill", "defer", "confirm", "reject"]
FieldName = Literal["owner", "due_date", "reason", "evidence"]


class CardForm(Model):
    """The form the card shows: the same fields, pre-filled the same way, as the elicitation form."""

    choices: list[Choice]
    fields: list[FieldName] = Field(description="The editable fields, in the order shown")
    owner: str = ""
    due_date: date | None = None
    reason: str = ""
    evidence: str = ""
    item_version: str


class CardView(Model):
    """Everything the card shows about one question: the item, its evidence and lint, the question and its form."""

    action_id: int
    kind: AskedKind
    version: str
    postmortem_id: int
    postmortem_title: str
    severity: str | None = None
    text: str
    done_when: str
    problem: str
    category: str
    size: str | None = None
    state: str
    owner: str | None = None
    due: date | None = None
    evidence_quote: str
    lint: LintResult
    question: str = Field(description="The question exactly as the elicitation form would ask it")
    note: str | None = Field(default=None, description="The assistant's note, shown as theirs")
    form: CardForm | None = Field(default=None, description="None once the card was answered")
    answered: DecisionOutcome | None = Field(
        default=None, description="What the human answered in this card (None once the item was decided again since)"
    )
    expires_at: datetime


def _spent(store: Store, digest: str, action_id: int, kind: AskedKind) -> DecisionRequest | None:
    """This card's request if it was answered already (it is then the latest of its action and kind)."""
    latest = store.latest_request(action_id, kind)
    if latest is None or latest.answered_at is None or not hmac.compare_digest(latest.code_hash, digest):
        return None
    return latest


def _refusal(spent: DecisionRequest | None, action_id: int) -> LinkNotValid:
    if spent is not None and spent.answered_at is not None:
        return LinkNotValid(
            f"This decision card for action {action_id} was answered already "
            f"({spent.answered_at:%Y-%m-%d %H:%M} UTC); nothing more was recorded. A card answers once; to change "
            f"the decision, {AGAIN.format(id=action_id)}."
        )
    return LinkNotValid(
        f"This decision card for action {action_id} can no longer answer (it expired after "
        f"{decision_links.LINK_TTL.total_seconds() / 3600:.0f} hours, was answered, or is not one this server "
        f"showed); nothing was recorded. To decide, {AGAIN.format(id=action_id)}."
    )


def _request(store: Store, digest: str, action_id: int, kind: AskedKind) -> DecisionRequest:
    """The open request this card's code answers, bound to this action and kind.

    Raises:
        LinkNotValid: it is answered, expired or unknown (a card-worded sentence), or asks about something else.
    """
    try:
        request = store.request_for_code(digest)
    except LinkNotValid:
        raise _refusal(_spent(store, digest, action_id, kind), action_id) from None
    if request.action_id != action_id or request.kind != kind:
        raise LinkNotValid(
            f"This decision card asks about action {request.action_id} ({request.kind}), not action {action_id} "
            f"({kind}); nothing was recorded. Use the card the host shows for that question."
        )
    return request


def _current_question(store: Store, request: DecisionRequest, table: decisions.DueTable) -> Question:
    action = store.get_action(request.action_id)
    if action.version() != request.version:
        raise StaleAnswer(
            f"Action {action.id} changed after the assistant asked (it is now {action.state}); this card cannot "
            f"record anything and nothing was recorded. To decide on it as it is now, {AGAIN.format(id=action.id)}."
        )
    return decision_links.question_for(store, request, table)


def _form(question: Question) -> CardForm:
    kind = question.kind
    fields: list[FieldName] = ["owner", "due_date"] if kind in ("decide", "replan") else []
    fields.append("evidence" if kind == "complete" else "reason")
    choices: list[Choice] = ["accept", "kill", "defer"] if kind == "decide" else ["confirm", "reject"]
    return CardForm(
        choices=choices,
        fields=fields,
        owner=question.owner,
        due_date=question.due,
        reason=question.reason,
        evidence=question.evidence,
        item_version=question.version,
    )


def _view(
    store: Store,
    request: DecisionRequest,
    kind: AskedKind,
    question: Question | None,
    answered: DecisionOutcome | None,
) -> CardView:
    action = store.get_action(request.action_id)
    pm = store.get_postmortem(action.postmortem_id)
    note = request.proposal.get("note")
    return CardView(
        action_id=action.id,
        kind=kind,
        version=request.version,
        postmortem_id=pm.id,
        postmortem_title=visible(pm.title),
        severity=pm.severity,
        text=visible(action.text),
        done_when=visible(action.done_when),
        problem=visible(action.problem, multiline=True),
        category=action.category,
        size=action.size,
        state=action.state,
        owner=action.owner,
        due=action.due,
        evidence_quote=visible(action.quote, multiline=True),
        lint=lint_action(action.text),
        question=question.message if question is not None else "",
        note=visible(note, multiline=True) if note else None,
        form=_form(question) if question is not None else None,
        answered=answered,
        expires_at=request.expires_at,
    )


def open_card(
    store: Store,
    key: bytes,
    nonce: str,
    *,
    action_id: int,
    kind: AskedKind,
    table: decisions.DueTable,
    audience: str,
    now: datetime | None = None,
) -> tuple[CardView, str | None]:
    """What the card for this nonce shows, and a fresh ticket for `audience` (None once the card was answered).

    Raises:
        LinkNotValid: the nonce answers no open question of this action and kind (expired, replaced, not ours).
        StaleAnswer: the item changed since the assistant asked; the card cannot record anything.
        ActionNotFound: the action is gone.
    """
    moment = now or datetime.now(UTC)
    digest = decision_links.code_hash(decision_links.card_code(key, nonce))
    spent = _spent(store, digest, action_id, kind)
    if spent is not None:
        # What the human answered, as the next call of the gated tool reports it (as of the moment they answered).
        answered = decision_links.recent_answer(store, action_id, kind, now=spent.answered_at)
        return _view(store, spent, kind, None, answered), None
    request = _request(store, digest, action_id, kind)
    question = _current_question(store, request, table)
    ticket = Ticket(
        nonce=nonce,
        action_id=request.action_id,
        version=request.version,
        kind=kind,
        audience=audience,
        expires=min(request.expires_at, moment + TICKET_TTL),
    )
    return _view(store, request, kind, question, None), seal_ticket(key, ticket)


def _bound(ticket: Ticket, action_id: int, kind: AskedKind) -> None:
    if ticket.action_id != action_id:
        raise LinkNotValid(
            f"This ticket is for action {ticket.action_id}, not action {action_id}; nothing was recorded. A card "
            "answers only the item it shows."
        )
    if ticket.kind != kind:
        raise LinkNotValid(
            f"This ticket answers the {ticket.kind} question (asked by {ticket.kind}_action), not a {kind} question; "
            "nothing was recorded. Answer each question in its own card."
        )


def answer_card(
    store: Store,
    key: bytes,
    token: str,
    *,
    action_id: int,
    kind: AskedKind,
    read_answer: Callable[[Question], Answer],
    by: Decider,
    table: decisions.DueTable,
    audience: str,
    now: datetime | None = None,
) -> DecisionOutcome:
    """Record the human's answer from the card, spending its question: the same store operation as every channel.

    `read_answer` checks what the card sent against the question's form.

    Raises:
        LinkNotValid: no valid unused ticket for this action, kind and tool; nothing was recorded.
        InvalidInput: the answer does not fit the form or names another item version; nothing was recorded.
        StaleAnswer / IllegalTransition: the item changed since the question was asked; nothing was recorded.
    """
    ticket = open_ticket(key, token, audience=audience, now=now or datetime.now(UTC))
    _bound(ticket, action_id, kind)
    code = decision_links.card_code(key, ticket.nonce)
    digest = decision_links.code_hash(code)
    request = _request(store, digest, action_id, kind)
    question = _current_question(store, request, table)
    answer = read_answer(question)
    if answer.item_version != ticket.version:
        raise LinkNotValid(
            f"This ticket is for version {ticket.version} of action {action_id}, the answer names version "
            f"{answer.item_version}; nothing was recorded. Press 'Load again' in the card to answer the item as it is."
        )
    try:
        return decision_links.answer_link(store, code, question, answer, by)
    except LinkNotValid:  # another submit spent it in the meantime: say so in the card's words
        raise _refusal(_spent(store, digest, action_id, kind), action_id) from None
