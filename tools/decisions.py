"""The human gate's operations: what to ask a human about an action, and applying exactly what they answered.

Nothing here decides anything. `ask_*` builds the question (with the assistant's proposal as editable
defaults); `apply_answer` records the human's answer as a decision, only if the action is still the
version the human was shown. The channel that carried the question (elicitation form, terminal) is
the caller's; who answered is `Decider`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final, Literal

from pydantic import Field

from postmortem_actions.store import Action, ActionState, Actor, Channel, DecisionKind, HumanDecision, Store, WorkStatus
from postmortem_actions.store.errors import IllegalTransition, InvalidInput
from postmortem_actions.store.text import refusal, visible

from .models import DUE_WINDOW_YEARS, Model, plausible_due

DEFAULT_DUE_DAYS: Final = {"SEV0": 7, "SEV1": 7, "SEV2": 30, "SEV3": 60, "SEV4": 90, "SEV5": 90}
UNKNOWN_SEVERITY_DAYS: Final = 30
MAX_DUE_DAYS: Final = 3650  # the latest a default may fall: inside the ten-year window every due date must be in

Kind = Literal["decide", "replan", "complete", "reopen", "kill"]
Choice = Literal["accept", "kill", "defer"]


class DueTable(Model):
    """Days from the decision to the default due date, by severity; a proposal the human edits."""

    days: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_DUE_DAYS))
    unknown: int = UNKNOWN_SEVERITY_DAYS

    @classmethod
    def parse(cls, spec: str) -> DueTable:
        """'SEV1=7,SEV2=30,...' (unlisted severities keep their defaults; 'default=45' sets the fallback).

        Raises:
            InvalidInput: a malformed entry.
        """
        days = dict(DEFAULT_DUE_DAYS)
        unknown = UNKNOWN_SEVERITY_DAYS
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, value = item.partition("=")
            if not sep or not value.strip().isascii() or not value.strip().isdigit() or int(value) < 1:
                raise InvalidInput(f"due-date table entry {item!r} is not SEVn=DAYS")
            if int(value) > MAX_DUE_DAYS:
                raise InvalidInput(f"due-date table entry {item!r} is more than {MAX_DUE_DAYS} days: a default due "
                                   f"date must fall within {DUE_WINDOW_YEARS} years")
            if key.strip().lower() == "default":
                unknown = int(value)
            else:
                days[key.strip().upper()] = int(value)
        return cls(days=days, unknown=unknown)

    def due(self, severity: str | None, today: date) -> date:
        """The default due date for a postmortem of this severity, decided today."""
        return today + timedelta(days=self.days.get(severity or "", self.unknown))


class Question(Model):
    """What a human is asked about one action. Deterministic from the stored state and the arguments."""

    kind: Kind
    action_id: int
    version: str = Field(description="Action.version() when asked; the answer applies only to this version")
    message: str
    owner: str = ""
    due: date | None = None
    reason: str = ""
    evidence: str = ""


class Answer(Model):
    """A human's answer, as it came back through their channel."""

    choice: Choice | Literal["confirm", "reject"]
    item_version: str
    owner: str = ""
    due: date | None = None
    reason: str = ""
    evidence: str = ""


class Decider(Model):
    """Who answered, and through which channel and client."""

    name: str
    channel: Channel
    client: str | None = None


class DecisionOutcome(Model):
    """What the human decided, and what the store now holds. `committed` is False when nothing was recorded."""

    action_id: int
    committed: bool
    outcome: Literal["accepted", "killed", "deferred", "replanned", "completed", "reopened",
                     "declined", "cancelled", "not_confirmed"]
    decision_id: int | None = None
    decided_by: str | None = None
    channel: Channel | None = None
    state: ActionState
    owner: str | None = None
    due: date | None = None
    message: str


def _header(action: Action, severity: str | None, title: str) -> str:
    # Every stored text goes through visible(): what the human reads is what the store holds, character for
    # character, even for rows written before the input checks or by another tool.
    size = f", suggested size {action.size}" if action.size else ""
    return (f"Action #{action.id} from \"{visible(title)}\" ({severity or 'no severity'}): {visible(action.text)}\n"
            f"Done when: {visible(action.done_when)}\nProblem: {visible(action.problem, multiline=True)}\n"
            f"Category: {action.category}{size}\nEvidence: \"{visible(action.quote, multiline=True)}\"")


def _require(action: Action, state: ActionState, doing: str) -> None:
    if action.state is not state:
        hint = {ActionState.CANDIDATE: "it awaits a decision (decide_action)",
                ActionState.ACCEPTED: "re-plan or complete it instead",
                ActionState.DONE: "reopen it first",
                ActionState.KILLED: "it was killed; nothing more can be decided on it"}[action.state]
        raise IllegalTransition(f"action {action.id} is {action.state}, so it cannot be {doing}: {hint}")


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


def ask_decide(store: Store, action_id: int, *, proposed_owner: str | None, proposed_due: date | None,
               note: str | None, table: DueTable, today: date) -> Question:
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
    _require(action, ActionState.CANDIDATE, "accepted, killed or deferred")
    pm = store.get_postmortem(action.postmortem_id)
    owner = visible(proposed_owner or action.proposed_owner or "")  # the form shows it; it must hide nothing
    due = proposed_due or action.proposed_due or table.due(pm.severity, today)
    message = (f"{_header(action, pm.severity, pm.title)}\n"
               f"Proposed: owner {visible(owner) or '(none)'}, due {due.isoformat()}."
               + (f" Assistant's note: {visible(note, multiline=True)}" if note else "")
               + f"\nAccept (edit owner and due date), kill (give a reason) or defer. [item {action.version()}]")
    return Question(kind="decide", action_id=action_id, version=action.version(), message=message,
                    owner=owner, due=due)


def _asked(store: Store, action_id: int, state: ActionState, doing: str) -> tuple[Action, str]:
    """The action, checked to be in `state`, and the opening lines of a question about it."""
    action = store.get_action(action_id)
    _require(action, state, doing)
    pm = store.get_postmortem(action.postmortem_id)
    return action, _header(action, pm.severity, pm.title)


def _confirmation(kind: Kind, action: Action, body: str, ending: str = "Confirm or reject.",
                  **fields: str | date | None) -> Question:
    return Question(kind=kind, action_id=action.id, version=action.version(),
                    message=f"{body}\n{ending} [item {action.version()}]", **fields)


def ask_replan(store: Store, action_id: int, *, new_owner: str | None, new_due: date | None,
               reason: str) -> Question:
    """The re-plan question for an accepted action: a new owner and/or due date, with the reason.

    Raises:
        ActionNotFound: no such action.
        IllegalTransition: the action is not accepted.
        InvalidInput: the new owner or the reason has control or bidi-override characters.
    """
    _offered("new owner", new_owner)
    _offered("reason", reason, multiline=True)
    _dated("new due date", new_due)
    action, header = _asked(store, action_id, ActionState.ACCEPTED, "re-planned")
    owner, due = visible(new_owner or action.owner or ""), new_due or action.due
    body = (f"{header}\nNow: owner {_shown(action.owner)}, due {action.due}.\n"
            f"Re-plan to owner {_shown(owner)}, due {due}? Reason given: {visible(reason, multiline=True)}")
    return _confirmation("replan", action, body, "Confirm (edit if needed) or reject.", owner=owner, due=due,
                         reason=reason)


def ask_complete(store: Store, action_id: int, *, evidence: str) -> Question:
    """The "is it done?" question for an accepted action, with the evidence offered.

    Raises:
        ActionNotFound: no such action.
        IllegalTransition: the action is not accepted.
        InvalidInput: the evidence has control or bidi-override characters.
    """
    _offered("evidence", evidence, multiline=True)
    action, header = _asked(store, action_id, ActionState.ACCEPTED, "completed")
    body = (f"{header}\nOwner {_shown(action.owner)}, due {action.due}.\n"
            f"Mark it done? Evidence offered: {visible(evidence, multiline=True)}")
    return _confirmation("complete", action, body, evidence=evidence)


def ask_reopen(store: Store, action_id: int, *, reason: str) -> Question:
    """The reopen question for a done action.

    Raises:
        ActionNotFound: no such action.
        IllegalTransition: the action is not done.
        InvalidInput: the reason has control or bidi-override characters.
    """
    _offered("reason", reason, multiline=True)
    action, header = _asked(store, action_id, ActionState.DONE, "reopened")
    body = (f"{header}\nDone; owner {_shown(action.owner)}, due {action.due}.\n"
            f"Reopen it? Reason given: {visible(reason, multiline=True)}")
    return _confirmation("reopen", action, body, reason=reason)


def ask_kill(store: Store, action_id: int, *, reason: str) -> Question:
    """The "descope it?" question for an accepted action (a candidate is killed through `ask_decide`).

    Raises:
        ActionNotFound: no such action.
        IllegalTransition: the action is not accepted.
        InvalidInput: the reason has control or bidi-override characters.
    """
    _offered("reason", reason, multiline=True)
    action, header = _asked(store, action_id, ActionState.ACCEPTED, "descoped")
    body = (f"{header}\nOwner {_shown(action.owner)}, due {action.due}.\n"
            f"Kill (descope) it? Reason: {visible(reason, multiline=True)}")
    return _confirmation("kill", action, body, reason=reason)


def _shown(owner: str | None) -> str:
    return visible(owner) if owner else "(none)"


def _text(value: str, what: str, *, multiline: bool = False) -> str:
    value = (value.replace("\r\n", "\n") if multiline else value).strip()
    reason = refusal(value, multiline=multiline)
    if reason is not None:
        raise InvalidInput(f"the {what} {reason}; nothing was recorded")
    return value


_PAST: Final = {DecisionKind.ACCEPT: "accepted", DecisionKind.KILL: "killed", DecisionKind.DEFER: "deferred",
                DecisionKind.REPLAN: "replanned", DecisionKind.COMPLETE: "completed", DecisionKind.REOPEN: "reopened"}


def apply_answer(store: Store, question: Question, answer: Answer, by: Decider) -> DecisionOutcome:
    """Record the human's answer to `question` as a decision, if it says to and the action is unchanged.

    Raises:
        InvalidInput: the answer lacks what its choice needs (an owner and due date, a reason), or
            answers a different version of the item than the question.
        StaleAnswer: the action changed after the question was asked.
        IllegalTransition: the action is no longer in a state this answer applies to.
    """
    if answer.item_version != question.version:
        raise InvalidInput(f"the answer is for item version {answer.item_version!r}, the question was for "
                           f"{question.version!r}; nothing was recorded, ask again")
    if answer.choice == "reject":
        action = store.get_action(question.action_id)
        return DecisionOutcome(action_id=action.id, committed=False, outcome="not_confirmed", state=action.state,
                               owner=action.owner, due=action.due, decided_by=by.name, channel=by.channel,
                               message=f"{visible(by.name)} did not confirm; nothing was recorded.")
    owner = _text(answer.owner, "owner")
    reason = _text(answer.reason, "reason", multiline=True)
    evidence = _text(answer.evidence, "evidence", multiline=True)
    kind = {"decide": {"accept": DecisionKind.ACCEPT, "kill": DecisionKind.KILL, "defer": DecisionKind.DEFER},
            "replan": {"confirm": DecisionKind.REPLAN}, "complete": {"confirm": DecisionKind.COMPLETE},
            "reopen": {"confirm": DecisionKind.REOPEN}, "kill": {"confirm": DecisionKind.KILL}}[question.kind].get(
        answer.choice)
    if kind is None:
        raise InvalidInput(f"{answer.choice!r} is not an answer to a {question.kind} question; nothing was recorded")
    if kind in (DecisionKind.ACCEPT, DecisionKind.REPLAN) and (not owner or answer.due is None):
        raise InvalidInput("accepting or re-planning needs an owner and a due date; nothing was recorded")
    if answer.due is not None and (why := plausible_due(answer.due)) is not None and kind in (DecisionKind.ACCEPT,
                                                                                                 DecisionKind.REPLAN):
        raise InvalidInput(f"the due date {why}; nothing was recorded")
    if kind in (DecisionKind.KILL, DecisionKind.REPLAN, DecisionKind.REOPEN) and not reason:
        raise InvalidInput(f"a {kind} needs a reason; nothing was recorded")
    sets_owner = kind in (DecisionKind.ACCEPT, DecisionKind.REPLAN)
    decision, action = store.record_decision(question.action_id, HumanDecision(
        kind=kind, owner=owner if sets_owner else None, due=answer.due if sets_owner else None,
        reason=reason or None, evidence=evidence or None, decided_by=by.name, channel=by.channel,
        client=by.client), expected_version=question.version)
    past = _PAST[kind]
    detail = f" to {_shown(action.owner)}, due {action.due}" if sets_owner else ""
    return DecisionOutcome(action_id=action.id, committed=True, outcome=past,
                           decision_id=decision.id, decided_by=by.name, channel=by.channel, state=action.state,
                           owner=action.owner, due=action.due,
                           message=f"{visible(by.name)} {past} action {action.id}{detail} (decision #{decision.id}, "
                                   f"via {by.channel}).")


def not_answered(store: Store, action_id: int, how: Literal["declined", "cancelled"], by: Decider) -> DecisionOutcome:
    """The outcome when the human declined or dismissed the question: nothing is recorded."""
    action = store.get_action(action_id)
    return DecisionOutcome(action_id=action_id, committed=False, outcome=how, state=action.state,
                           owner=action.owner, due=action.due, channel=by.channel,
                           message=f"The human {how} the question; nothing was recorded and action "
                                   f"{action_id} stays {action.state}. Do not ask again unless they want to.")


def report_status(store: Store, action_id: int, status: WorkStatus, note: str | None, client: str,
                  user: str) -> Action:
    """Record an accepted action's working status; it commits no one, so the assistant may report it.

    Raises:
        ActionNotFound: no such action.
        IllegalTransition: the action is not accepted.
        InvalidInput: the note has control characters, or a blocked status has no note.
    """
    clean = _text(note, "note", multiline=True) if note else None
    if status is WorkStatus.BLOCKED and not clean:
        raise InvalidInput("say what blocks it: a blocked status needs a note")
    return store.set_work_status(action_id, status, clean, Actor(actor="assistant", via=f"mcp:{client} for {user}"))
