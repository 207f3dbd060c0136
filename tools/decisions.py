"""The human gate's operations: what to ask a human about an action, and applying exactly what they answered.

Nothing here decides anything. `ask_*` builds the question (with the assistant's proposal as editable
defaults); `apply_answer` records the human's answer as a decision, only if the action is still the
version the human was shown. The channel that carried the question (elicitation form, terminal) is
the caller's; who answered is `Decider`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Final, Literal

from pydantic import Field

from postmortem_actions.store import (
    Action,
    ActionState,
    Actor,
    Channel,
    Decision,
    DecisionKind,
    HumanDecision,
    Store,
    WorkStatus,
    lifecycle,
)
from postmortem_actions.store.errors import ConfigError, IllegalTransition, InvalidInput
from postmortem_actions.store.text import refusal, visible
from postmortem_actions.tools.days import DUE_WINDOW_YEARS, check_day, plausible_due

# Re-exported: the question and answer models lived here first, and callers still import them from here.
from postmortem_actions.tools.decision_models import Answer as Answer
from postmortem_actions.tools.decision_models import Decider as Decider
from postmortem_actions.tools.decision_models import DecisionOutcome as DecisionOutcome
from postmortem_actions.tools.decision_models import Kind, Uncommitted
from postmortem_actions.tools.decision_models import Question as Question
from postmortem_actions.tools.people import suggestion
from postmortem_actions.tools.schema import Model
from postmortem_actions.tools.status import record_status

DEFAULT_DUE_DAYS: Final = {"SEV0": 7, "SEV1": 7, "SEV2": 30, "SEV3": 60, "SEV4": 90, "SEV5": 90}
UNKNOWN_SEVERITY_DAYS: Final = 30
MAX_DUE_DAYS: Final = 3650  # the latest a default may fall: inside the ten-year window every due date must be in


class DueTable(Model):
    """Days from the decision to the default due date, by severity; a proposal the human edits."""

    days: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_DUE_DAYS))
    unknown: int = UNKNOWN_SEVERITY_DAYS

    @classmethod
    def parse(cls, spec: str) -> DueTable:
        """'SEV1=7,SEV2=30,...' (unlisted severities keep their defaults; 'default=45' sets the fallback).

        Raises:
            ConfigError: a malformed entry.
        """
        days = dict(DEFAULT_DUE_DAYS)
        unknown = UNKNOWN_SEVERITY_DAYS
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, value = item.partition("=")
            if not sep or not value.strip().isascii() or not value.strip().isdigit() or int(value) < 1:
                raise ConfigError(f"due-date table entry {item!r} is not SEVn=DAYS")
            if int(value) > MAX_DUE_DAYS:
                raise ConfigError(
                    f"due-date table entry {item!r} is more than {MAX_DUE_DAYS} days: a default due "
                    f"date must fall within {DUE_WINDOW_YEARS} years"
                )
            if key.strip().lower() == "default":
                unknown = int(value)
            else:
                days[key.strip().upper()] = int(value)
        return cls(days=days, unknown=unknown)

    def due(self, severity: str | None, today: date) -> date:
        """The default due date for a postmortem of this severity, decided today."""
        return today + timedelta(days=self.days.get(severity or "", self.unknown))


def _header(action: Action, severity: str | None, title: str) -> str:
    # Every stored text goes through visible(): what the human reads is what the store holds, character for
    # character, even for rows written before the input checks or by another tool.
    size = f", suggested size {action.size}" if action.size else ""
    return (
        f'Action #{action.id} from "{visible(title)}" ({severity or "no severity"}): {visible(action.text)}\n'
        f"Done when: {visible(action.done_when)}\nProblem: {visible(action.problem, multiline=True)}\n"
        f'Category: {action.category}{size}\nEvidence: "{visible(action.quote, multiline=True)}"'
    )


def _offered(what: str, value: str | None, *, multiline: bool = False) -> None:
    # What the assistant offers is shown to the human in the question: refuse anything that could hide or
    # reorder text there (a CR, a C1 control, bidi or zero-width characters) before asking, not after.
    reason = refusal(value, multiline=multiline) if value else None
    if reason is not None:
        raise InvalidInput(f"the {what} {reason}; nothing was asked or recorded")


def _dated(what: str, value: date | None) -> None:
    reason = plausible_due(value) if value is not None else None
    if reason is not None:
        raise InvalidInput(f"the {what} {reason}; nothing was asked or recorded")


def ask_decide(
    store: Store,
    action_id: int,
    *,
    proposed_owner: str | None,
    proposed_due: date | None,
    note: str | None,
    table: DueTable,
    today: date,
) -> Question:
    """The accept / kill / defer question for a candidate, pre-filled with the proposal.

    The proposal is the argument, else the candidate's stored proposal; the due date falls back to the
    severity table from today.

    Raises:
        ActionNotFound: no such action.
        IllegalTransition: the action is not a candidate.
        InvalidInput: the proposed owner or the note has control or bidi-override characters.
    """
    _offered("proposed owner", proposed_owner)
    _offered("note", note, multiline=True)
    _dated("proposed due date", proposed_due)
    action = store.get_action(action_id)
    if action.state is not ActionState.CANDIDATE:  # accept, kill and defer: the choices a candidate has
        raise IllegalTransition(
            f"action {action.id} is {action.state}, so it cannot be accepted, killed or "
            f"deferred: {lifecycle.NEXT_STEP[action.state]}"
        )
    pm = store.get_postmortem(action.postmortem_id)
    owner = visible(proposed_owner or action.proposed_owner or "")  # the form shows it; it must hide nothing
    due = proposed_due or action.proposed_due or table.due(pm.severity, today)
    message = (
        f"{_header(action, pm.severity, pm.title)}\n"
        f"Proposed: owner {visible(owner) or '(none)'}, due {due.isoformat()}."
        + (f" Assistant's note: {visible(note, multiline=True)}" if note else "")
        + f"\nAccept (edit owner and due date), kill (give a reason) or defer. [item {action.version()}]"
    )
    return Question(
        kind="decide",
        action_id=action_id,
        version=action.version(),
        message=message,
        owner=owner,
        due=due,
        known_people=suggestion(store),
    )


# What a confirmation question asks, by kind; the states it applies to and the values it needs are the table's.
_ASKS: Final[Mapping[DecisionKind, tuple[str, str]]] = {  # (the question, what a refusal says it cannot be)
    DecisionKind.REPLAN: ("Re-plan to owner {owner}, due {due}?", "re-planned"),
    DecisionKind.COMPLETE: ("Mark it done?", "completed"),
    DecisionKind.REOPEN: ("Reopen it?", "reopened"),
    DecisionKind.KILL: ("Kill (descope) it?", "descoped"),
    DecisionKind.REVIVE: ("Revive it as an undecided candidate (its owner and due date are cleared)?", "revived"),
}
_OFFERED_AS: Final = {"reason": "Reason given", "evidence": "Evidence offered"}
_KINDS: Final[Mapping[DecisionKind, Kind]] = {
    DecisionKind.REPLAN: "replan",
    DecisionKind.COMPLETE: "complete",
    DecisionKind.REOPEN: "reopen",
    DecisionKind.KILL: "kill",
    DecisionKind.REVIVE: "revive",
}


def ask_confirmation(
    store: Store,
    kind: DecisionKind,
    action_id: int,
    *,
    owner: str | None = None,
    due: date | None = None,
    reason: str = "",
    evidence: str = "",
) -> Question:
    """The question asking a human to confirm a re-plan, completion, reopening or kill of an action, with what the
    assistant offers (a new owner and date, a reason, evidence) shown and pre-filled.

    Raises:
        ActionNotFound: no such action.
        IllegalTransition: this kind of decision does not apply to the action's state (store/lifecycle.py).
        InvalidInput: an offered text hides characters, or an offered date is implausible.
    """
    row = lifecycle.transition(kind)
    _offered("new owner", owner)
    _offered("reason", reason, multiline=True)
    _offered("evidence", evidence, multiline=True)
    _dated("new due date", due)
    action = store.get_action(action_id)
    ask, doing = _ASKS[kind]
    if action.state not in row.from_states:
        raise IllegalTransition(
            f"action {action.id} is {action.state}, so it cannot be {doing}: {lifecycle.NEXT_STEP[action.state]}"
        )
    pm = store.get_postmortem(action.postmortem_id)
    new_owner = visible(owner or action.owner or "") if row.sets_plan else ""
    new_due = (due or action.due) if row.sets_plan else None
    asked = ask.format(owner=_shown(new_owner), due=new_due)
    offered = [
        f"{_OFFERED_AS[name]}: {visible(value, multiline=True)}"
        for name, value in (("reason", reason), ("evidence", evidence))
        if value.strip()  # a blank offer is no offer: never a dangling "Reason given:"
    ]
    ending = "Confirm (edit if needed) or reject." if row.sets_plan else "Confirm or reject."
    message = (
        f"{_header(action, pm.severity, pm.title)}\nNow: owner {_shown(action.owner)}, due {action.due}.\n"
        f"{' '.join([asked, *offered])}\n{ending} [item {action.version()}]"
    )
    return Question(
        kind=_KINDS[kind],
        action_id=action.id,
        version=action.version(),
        message=message,
        owner=new_owner,
        due=new_due,
        reason=reason,
        evidence=evidence,
        known_people=suggestion(store) if row.sets_plan else "",
    )


def _shown(owner: str | None) -> str:
    return visible(owner) if owner else "(none)"


def _text(value: str, what: str, *, multiline: bool = False) -> str:
    value = (value.replace("\r\n", "\n") if multiline else value).strip()
    reason = refusal(value, multiline=multiline)
    if reason is not None:
        raise InvalidInput(f"the {what} {reason}; nothing was recorded")
    return value


def apply_answer(store: Store, question: Question, answer: Answer, by: Decider) -> DecisionOutcome:
    """Record the human's answer to `question` as a decision, if it says to and the action is unchanged.

    Raises:
        InvalidInput: the answer lacks what its choice needs (an owner and due date, a reason), or
            answers a different version of the item than the question.
        StaleAnswer: the action changed after the question was asked.
        IllegalTransition: the action is no longer in a state this answer applies to.
    """
    if answer.item_version != question.version:
        raise InvalidInput(
            f"the answer is for item version {answer.item_version!r}, the question was for "
            f"{question.version!r}; nothing was recorded, ask again"
        )
    if answer.choice == "reject":
        return not_confirmed(store.get_action(question.action_id), by)
    decision = human_decision(question, answer, by)
    recorded, action = store.record_decision(question.action_id, decision, expected_version=question.version)
    return committed(recorded, action)


def human_decision(question: Question, answer: Answer, by: Decider) -> HumanDecision:
    """The decision a human's (not rejecting) answer to `question` makes, with exactly the values they gave.

    Raises:
        InvalidInput: the answer lacks what its choice needs (an owner and due date, a reason), or carries text
            that cannot be shown as it is.
    """
    owner = _text(answer.owner, "owner")
    reason = _text(answer.reason, "reason", multiline=True)
    evidence = _text(answer.evidence, "evidence", multiline=True)
    kind = _chosen(question, answer)
    row = lifecycle.transition(kind)
    if row.sets_plan:
        _plan_given(owner, answer.due)
    if row.needs_reason and not reason:
        raise InvalidInput(f"a {kind} needs a reason: say why; nothing was recorded")
    if answer.revisit_on is not None and not row.may_revisit:
        raise InvalidInput(f"a revisit date goes only with a defer, not a {kind}; nothing was recorded")
    check_day("revisit_on", answer.revisit_on)
    return HumanDecision(
        kind=kind,
        owner=owner if row.sets_plan else None,
        due=answer.due if row.sets_plan else None,
        reason=reason or None,
        evidence=evidence or None,
        decided_by=by.name,
        channel=by.channel,
        client=by.client,
        revisit_on=answer.revisit_on,
    )


def unchanged(
    action: Action, outcome: Uncommitted, message: str, *, decided_by: str | None = None, channel: Channel | None = None
) -> DecisionOutcome:
    """An outcome that recorded nothing: `action` as the store holds it, and why nothing changed."""
    return DecisionOutcome(
        action_id=action.id,
        committed=False,
        outcome=outcome,
        state=action.state,
        owner=action.owner,
        due=action.due,
        decided_by=decided_by,
        channel=channel,
        message=message,
    )


def not_confirmed(action: Action, by: Decider) -> DecisionOutcome:
    """The outcome when the human rejected the confirmation: nothing was recorded, `action` is as it was."""
    message = f"{visible(by.name)} did not confirm; nothing was recorded."
    return unchanged(action, "not_confirmed", message, decided_by=by.name, channel=by.channel)


def committed(decision: Decision, action: Action) -> DecisionOutcome:
    """The outcome of a recorded decision, saying exactly what the store now holds."""
    row = lifecycle.transition(decision.kind)
    detail = f" to {_shown(action.owner)}, due {action.due}" if row.sets_plan else ""
    if decision.revisit_on is not None:
        detail = f" until {decision.revisit_on}"
    return DecisionOutcome(
        action_id=action.id,
        committed=True,
        outcome=row.past,
        decision_id=decision.id,
        decided_by=decision.decided_by,
        channel=decision.channel,
        state=action.state,
        owner=action.owner,
        due=action.due,
        message=f"{visible(decision.decided_by)} {row.past} action {action.id}{detail} "
        f"(decision #{decision.id}, via {decision.channel}).",
    )


def _chosen(question: Question, answer: Answer) -> DecisionKind:
    """The kind of decision an answer makes: a candidate's choice, or the confirmed kind of a confirmation."""
    if question.kind == "decide":
        kind = {"accept": DecisionKind.ACCEPT, "kill": DecisionKind.KILL, "defer": DecisionKind.DEFER}.get(
            answer.choice
        )
    else:
        kind = DecisionKind(question.kind) if answer.choice == "confirm" else None
    if kind is None:
        raise InvalidInput(f"{answer.choice!r} is not an answer to a {question.kind} question; nothing was recorded")
    return kind


def _plan_given(owner: str, due: date | None) -> None:
    if not owner or due is None:
        raise InvalidInput("accepting or re-planning needs an owner and a due date; nothing was recorded")
    if (why := plausible_due(due)) is not None:
        raise InvalidInput(f"the due date {why}; nothing was recorded")


def not_answered(store: Store, action_id: int, how: Literal["declined", "cancelled"], by: Decider) -> DecisionOutcome:
    """The outcome when the human declined or dismissed the question: nothing is recorded."""
    action = store.get_action(action_id)
    message = (
        f"The human {how} the question; nothing was recorded and action {action_id} stays {action.state}. "
        "Do not ask again unless they want to."
    )
    return unchanged(action, how, message, channel=by.channel)


def report_status(store: Store, action_id: int, status: WorkStatus, note: str | None, client: str, user: str) -> Action:
    """Record an accepted action's working status; it commits no one, so the assistant may report it.

    Raises:
        ActionNotFound: no such action.
        IllegalTransition: the action is not accepted.
        InvalidInput: the note has control characters, or a blocked status has no note.
    """
    return record_status(store, action_id, status, note, Actor(actor="assistant", via=f"mcp:{client} for {user}"))
