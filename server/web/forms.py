"""Reading the board's query strings and forms strictly, and applying a form through the store's operations.

A form's values are exactly what is committed: nothing is added or guessed, and a value that cannot be used is
refused with a sentence naming it (nothing recorded).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from postmortem_actions.store import ActionState, DecisionKind, WorkStatus
from postmortem_actions.store.errors import IllegalTransition, InvalidInput, StaleAnswer
from postmortem_actions.store.followthrough import AgendaSection
from postmortem_actions.store.records import DecisionRequest
from postmortem_actions.tools import decision_links, decisions
from postmortem_actions.tools.board import SECTIONS, BoardFilters
from postmortem_actions.tools.days import check_day
from postmortem_actions.tools.decision_models import Answer, Decider, DecisionOutcome, Question

if TYPE_CHECKING:
    from postmortem_actions.server.web.app import Board

_CHOICES: Final = {DecisionKind.ACCEPT: "accept", DecisionKind.KILL: "kill", DecisionKind.DEFER: "defer"}


def number(raw: str, what: str = "id") -> int:
    """A positive whole number from a URL or form.

    Raises:
        InvalidInput: it is not one.
    """
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) < 2**63:
        raise InvalidInput(f"{what} {raw[:40]!r} is not a positive whole number; nothing was done")
    return int(raw)


def day(raw: str, what: str) -> date | None:
    """A date (YYYY-MM-DD) from a form, or None when left empty.

    Raises:
        InvalidInput: it is not a date.
    """
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(f"{what} {raw[:40]!r} is not a date (YYYY-MM-DD); nothing was recorded") from None


def filters(query: Mapping[str, str]) -> tuple[BoardFilters, date]:
    """The board's filters and `as_of` day from a query string (empty fields mean no filter).

    Raises:
        InvalidInput: a filter cannot be used.
    """
    as_of = day(query.get("as_of", ""), "as_of") or date.today()
    check_day("as_of", as_of)
    pm = query.get("postmortem_id", "").strip()
    category = query.get("category", "").strip() or None
    if category not in (None, "prevent", "detect", "mitigate", "process"):
        raise InvalidInput(f"category {category!r} is not prevent, detect, mitigate or process")
    search = query.get("q", "").strip()[:200] or None
    owner = query.get("owner", "").strip()[:100] or None
    return BoardFilters(
        owner=owner, postmortem_id=number(pm, "postmortem") if pm else None, category=category, search=search
    ), as_of


def section_key(raw: str) -> AgendaSection:
    """An agenda section's key.

    Raises:
        InvalidInput: no section has it.
    """
    for key in SECTIONS:
        if key == raw:
            return key
    raise InvalidInput(f"there is no section {raw[:40]!r}; the board's sections are {', '.join(SECTIONS)}")


def offset(query: Mapping[str, str]) -> int:
    """The first row of a page (0 when not given)."""
    raw = query.get("offset", "0")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else 0


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _answer(form: Mapping[str, Any], choice: str, version: str) -> Answer:
    reason = _text(form, "reason") or _text(form, "note")
    return Answer(
        choice=choice,  # checked by the caller against the form's choices; the model checks it again
        item_version=version,
        owner=_text(form, "owner"),
        due=day(_text(form, "due"), "due date"),
        reason=reason,
        evidence=_text(form, "evidence"),
        revisit_on=day(_text(form, "revisit_on"), "revisit date"),
    )


def _kind(raw: str) -> DecisionKind:
    try:
        return DecisionKind(raw)
    except ValueError:
        raise InvalidInput(f"{raw[:40]!r} is not a decision this board makes; nothing was recorded") from None


def apply_board_decision(b: Board, action_id: int, form: Mapping[str, Any], who: Decider) -> DecisionOutcome:
    """Record the decision an item page's form carries, for the version the page showed.

    Raises:
        StaleAnswer: the item changed since the page was drawn; nothing was recorded.
        IllegalTransition / InvalidInput: the decision does not apply or lacks a value; nothing was recorded.
    """
    kind = _kind(_text(form, "kind"))
    version = _text(form, "version")
    action = b.store.get_action(action_id)
    if action.version() != version:
        raise StaleAnswer(
            f"Action {action_id} changed after this page was drawn (it is now {action.state}); nothing was recorded."
        )
    if kind in _CHOICES and action.state is ActionState.CANDIDATE:
        question = decisions.ask_decide(
            b.store,
            action_id,
            proposed_owner=None,
            proposed_due=None,
            note=None,
            table=b.settings.due_table,
            today=date.today(),
        )
        answer = _answer(form, _CHOICES[kind], version)
    else:
        question = decisions.ask_confirmation(b.store, kind, action_id)
        answer = _answer(form, "confirm", version)
    return decisions.apply_answer(b.store, question, answer, who)


def apply_status(b: Board, action_id: int, form: Mapping[str, Any], user: str) -> None:
    """Record the owner's status report (in progress or blocked, with a note); it commits no one.

    Raises:
        InvalidInput: an unknown status, or blocked without a note.
        IllegalTransition: the item is not accepted.
    """
    raw = _text(form, "status")
    try:
        status = WorkStatus(raw)
    except ValueError:
        raise InvalidInput(f"status {raw[:40]!r} is not in_progress or blocked; nothing was recorded") from None
    from postmortem_actions.store import Actor
    from postmortem_actions.store.text import refusal

    note = _text(form, "note").replace("\r\n", "\n").strip() or None
    if note is not None and (why := refusal(note, multiline=True)) is not None:
        raise InvalidInput(f"the note {why}; nothing was recorded")
    if status is WorkStatus.BLOCKED and not note:
        raise InvalidInput("say what blocks it: a blocked status needs a note; nothing was recorded")
    by = Actor(actor=user, via="web")
    b.store.set_work_status(action_id, status, note, by)


def open_question(b: Board, code: str) -> tuple[DecisionRequest, Question]:
    """The request a one-time code answers and the question it asks, as the store renders it now.

    Raises:
        LinkNotValid: the code is unknown, used or expired.
        StaleAnswer: the item changed since the assistant asked; the link cannot record anything.
    """
    request = b.store.request_for_code(decision_links.code_hash(code))
    action = b.store.get_action(request.action_id)
    if action.version() != request.version:
        raise StaleAnswer(
            f"Action {action.id} changed after the assistant asked (it is now {action.state}); this link cannot "
            f"record anything. Open the item on the board to decide on it as it is: /actions/{action.id}"
        )
    try:
        question = decision_links.question_for(b.store, request, b.settings.due_table)
    except IllegalTransition as exc:
        raise StaleAnswer(f"{exc}; this link cannot record anything") from None
    return request, question


def apply_link_answer(b: Board, code: str, form: Mapping[str, Any], who: Decider) -> DecisionOutcome:
    """Record the answer a decision page's form carries, spending its code.

    Raises:
        LinkNotValid / StaleAnswer / IllegalTransition / InvalidInput: nothing was recorded.
    """
    _request, question = open_question(b, code)
    choice = _text(form, "choice")
    allowed = ("accept", "kill", "defer") if question.kind == "decide" else ("confirm", "reject")
    if choice not in allowed:
        raise InvalidInput(f"{choice[:40]!r} is not one of the answers offered ({', '.join(allowed)})")
    answer = _answer(form, choice, _text(form, "version"))
    return decision_links.answer_link(b.store, code, question, answer, who)
