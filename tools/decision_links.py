"""Questions answered outside the client: a one-time code for a decision page or an Apps card.

A gated tool on a client that cannot show a form opens a request for the question it would have asked; the
code that answers it goes only to the human's browser or card, never into what the model reads. The request is
bound to the action, the version the human is shown, the question's kind and the assistant's proposal; the store
spends the code in the same transaction as the decision (store/requests.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal

from postmortem_actions.store import DecisionKind, Store
from postmortem_actions.store.errors import InvalidInput
from postmortem_actions.store.inputs import NewDecisionRequest
from postmortem_actions.store.records import DecisionRequest
from postmortem_actions.tools import decisions
from postmortem_actions.tools.decision_models import Answer, Decider, DecisionOutcome, Question

LINK_TTL: Final = timedelta(hours=24)
# How long after the human answered the next call of the same tool reports that answer instead of asking again.
REPORT_WINDOW: Final = timedelta(hours=12)
Via = Literal["url", "browser", "mcp-app"]
AskedKind = Literal["decide", "replan", "complete", "reopen"]


def code_hash(code: str) -> str:
    """What the store keeps of a code: its sha256, so a copy of the database answers nothing."""
    return hashlib.sha256(code.encode()).hexdigest()


def card_code(key: bytes, nonce: str) -> str:
    """The code an Apps card's nonce stands for: only the server, holding `key`, can turn one into the other."""
    return hmac.new(key, f"card:{nonce}".encode(), hashlib.sha256).hexdigest()


def _proposal(question: Question, note: str | None) -> dict[str, str | None]:
    return {
        "owner": question.owner or None,
        "due": question.due.isoformat() if question.due else None,
        "reason": question.reason or None,
        "evidence": question.evidence or None,
        "note": note,
    }


def still_open(store: Store, question: Question, *, note: str | None, via: Via, within: timedelta) -> bool:
    """Whether the same question was put the same way lately and is still unanswered (do not ask it twice)."""
    request = store.latest_request(question.action_id, _asked(question.kind))
    return (
        request is not None
        and request.via == via
        and request.answered_at is None
        and request.version == question.version
        and request.proposal == _proposal(question, note)
        and request.expires_at > datetime.now(UTC)
        and datetime.now(UTC) - request.created_at < within
    )


def open_link(store: Store, question: Question, *, note: str | None, via: Via, client: str, code: str) -> None:
    """Record `question` as answerable once with `code` (from `new_code` or `card_code`).

    Raises:
        ActionNotFound: no such action.
        InvalidInput: the question is not one a link can carry.
    """
    proposal = _proposal(question, note)
    store.open_request(
        NewDecisionRequest(
            code_hash=code_hash(code),
            action_id=question.action_id,
            version=question.version,
            kind=_asked(question.kind),
            proposal=proposal,
            via=via,
            client=client,
            ttl_seconds=int(LINK_TTL.total_seconds()),
        )
    )


def new_code() -> str:
    """A fresh one-time code (256 random bits)."""
    return secrets.token_urlsafe(32)


def _asked(kind: str) -> AskedKind:
    if kind not in ("decide", "replan", "complete", "reopen"):
        raise ValueError(f"a {kind} question is not asked through a link")
    return kind  # type: ignore[return-value]  # narrowed by the check above


def question_for(store: Store, request: DecisionRequest, table: decisions.DueTable) -> Question:
    """The question the request asks, rebuilt from the store and the stored proposal (what the human sees).

    Raises:
        IllegalTransition: the action is no longer in a state the question applies to.
        ActionNotFound: the action is gone.
    """
    p = request.proposal
    raw_due = p.get("due")
    due = date.fromisoformat(raw_due) if raw_due else None
    if request.kind == "decide":
        return decisions.ask_decide(
            store,
            request.action_id,
            proposed_owner=p.get("owner"),
            proposed_due=due,
            note=p.get("note"),
            table=table,
            today=datetime.now(UTC).date(),
        )
    return decisions.ask_confirmation(
        store,
        DecisionKind(request.kind),
        request.action_id,
        owner=p.get("owner"),
        due=due,
        reason=p.get("reason") or "",
        evidence=p.get("evidence") or "",
    )


def answer_link(store: Store, code: str, question: Question, answer: Answer, by: Decider) -> DecisionOutcome:
    """Record the human's answer given with `code`, spending it; a rejection spends it and records nothing.

    Raises:
        LinkNotValid: the code is unknown, used or expired.
        InvalidInput: the answer is for another version, or lacks what its choice needs.
        StaleAnswer: the item changed since the page was shown; the code stays unspent.
        IllegalTransition: the decision no longer fits the item's state.
    """
    if answer.item_version != question.version:
        raise InvalidInput(
            f"the answer is for item version {answer.item_version!r}, the page showed {question.version!r}; "
            "nothing was recorded"
        )
    decision = None if answer.choice == "reject" else decisions.human_decision(question, answer, by)
    _request, recorded, action = store.answer_request(code_hash(code), decision)
    if recorded is None:
        return decisions.not_confirmed(action, by)
    return decisions.committed(recorded, action)


def recent_answer(
    store: Store, action_id: int, kind: AskedKind, *, now: datetime | None = None
) -> DecisionOutcome | None:
    """What the human answered outside the client to the latest question of this kind, if they answered lately.

    The next call of the same tool reports it exactly instead of asking again; None when there is nothing recent
    to report (no request, unanswered, or answered long ago, or the item was decided again since).
    """
    request = store.latest_request(action_id, kind)
    moment = now or datetime.now(UTC)
    if request is None or request.answered_at is None or moment - request.answered_at > REPORT_WINDOW:
        return None
    action = store.get_action(action_id)
    where = "on the decision page" if request.via != "mcp-app" else "in the decision card"
    if request.outcome == "rejected":
        return decisions.unchanged(
            action,
            "not_confirmed",
            f"The human did not confirm {where} ({request.answered_at:%Y-%m-%d %H:%M} UTC); nothing was recorded "
            f"and action {action_id} stays {action.state}. Do not ask again unless they want to.",
        )
    if request.decision_id is None or request.decision_id != action.decision_id:
        return None
    [decision] = [d for d in store.decisions(action_id) if d.id == request.decision_id]
    outcome = decisions.committed(decision, action)
    return outcome.model_copy(update={"message": f"The human answered {where}: {outcome.message}"})


def awaiting(store: Store, question: Question, *, where: str) -> DecisionOutcome:
    """The result while the human has been asked outside the client and has not answered: nothing is committed."""
    action = store.get_action(question.action_id)
    return decisions.unchanged(
        action,
        "awaiting_human",
        f"The human has been asked {where} about action {action.id}. Nothing is committed until they answer "
        "there, and the answer is theirs alone. Call this tool again (or list_actions) after they say they have "
        "answered, to see exactly what they decided.",
    )
