"""The decision state machine, written once.

Which human decision moves an action from which states to which, and what it must carry. The store checks a
decision against this table before writing it, the decision guard (a trigger) is rendered from it, and the
questions put to the human are built from it; `tests/test_lifecycle.py` proves the rendered guard is the one the
database holds and that the table and the trigger agree on every case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from .errors import IllegalTransition
from .records import ActionState, DecisionKind

Past = Literal["accepted", "killed", "deferred", "replanned", "completed", "reopened", "revived"]
A, C, K, D = ActionState.ACCEPTED, ActionState.CANDIDATE, ActionState.KILLED, ActionState.DONE


@dataclass(frozen=True)
class Transition:
    """One kind of human decision: the states it applies to, where it leads and what it must carry."""

    kind: DecisionKind
    from_states: tuple[ActionState, ...]
    to_state: ActionState
    sets_plan: bool  # sets the owner and due date; every other kind keeps the action's own, or clears it
    needs_reason: bool
    past: Past  # how an outcome says it happened
    clears_plan: bool = False  # back to an undecided candidate: no owner, no due date
    may_revisit: bool = False  # may carry a date to look at the item again


TRANSITIONS: Final[Mapping[DecisionKind, Transition]] = {
    t.kind: t
    for t in (
        Transition(DecisionKind.ACCEPT, (C,), A, sets_plan=True, needs_reason=False, past="accepted"),
        Transition(DecisionKind.DEFER, (C,), C, sets_plan=False, needs_reason=False, past="deferred", may_revisit=True),
        Transition(DecisionKind.KILL, (C, A), K, sets_plan=False, needs_reason=True, past="killed"),
        Transition(DecisionKind.REPLAN, (A,), A, sets_plan=True, needs_reason=True, past="replanned"),
        Transition(DecisionKind.COMPLETE, (A,), D, sets_plan=False, needs_reason=False, past="completed"),
        Transition(DecisionKind.REOPEN, (D,), A, sets_plan=False, needs_reason=True, past="reopened"),
        Transition(DecisionKind.REVIVE, (K,), C, sets_plan=False, needs_reason=True, past="revived", clears_plan=True),
    )
}

# What a person can still do with an action in each state, for messages that refuse a decision.
NEXT_STEP: Final[Mapping[ActionState, str]] = {
    C: "it awaits a decision (accept, kill or defer)",
    A: "re-plan, complete or kill it instead",
    D: "reopen it first",
    K: "it was killed; a person can revive it, and it becomes an undecided candidate again",
}


def transition(kind: DecisionKind) -> Transition:
    """The row of the table for `kind`."""
    return TRANSITIONS[kind]


def check(
    kind: DecisionKind,
    state: ActionState,
    *,
    owner: str | None,
    due: date | None,
    reason: str | None,
    revisit_on: date | None = None,
) -> Transition:
    """The transition a decision of `kind` makes from `state`, when it carries what that kind needs.

    `owner` and `due` are what the decision sets; kinds that keep or clear the plan must not set one.

    Raises:
        IllegalTransition: the kind does not apply in `state`, or lacks or wrongly carries a value.
    """
    row = TRANSITIONS[kind]
    if state not in row.from_states:
        raise IllegalTransition(f"a {kind} decision does not apply to an action that is {state}: {NEXT_STEP[state]}")
    if row.sets_plan and (not (owner or "").strip() or due is None):
        raise IllegalTransition(f"a {kind} decision needs an owner and a due date")
    if not row.sets_plan and (owner is not None or due is not None):
        raise IllegalTransition(f"a {kind} decision keeps the owner and due date; a new owner or date is a re-plan")
    if row.needs_reason and not (reason or "").strip():
        raise IllegalTransition(f"a {kind} decision needs a reason")
    if revisit_on is not None and not row.may_revisit:
        raise IllegalTransition(f"a {kind} decision has no revisit date; only a defer does")
    return row


def _quoted(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _guard_clause(row: Transition) -> str:
    # Blank owners and reasons count as missing; coalesce() because a NULL would make the whole clause NULL.
    parts = [
        f"NEW.kind = '{row.kind}'",
        f"NEW.from_state IN {_quoted(tuple(row.from_states))}",
        f"NEW.to_state = '{row.to_state}'",
    ]
    if row.sets_plan:
        parts += ["coalesce(length(trim(NEW.owner)), 0) > 0", "NEW.due IS NOT NULL"]
    if row.clears_plan:
        parts += ["NEW.owner IS NULL", "NEW.due IS NULL"]
    if row.needs_reason:
        parts.append("coalesce(length(trim(NEW.reason)), 0) > 0")
    if not row.may_revisit:
        parts.append("NEW.revisit_on IS NULL")
    return "(" + " AND ".join(parts) + ")"


def legal_transition_sql() -> str:
    """The SQL condition that a new decision row (NEW) makes a legal transition and carries its values."""
    return "(\n    " + "\n    OR ".join(_guard_clause(row) for row in TRANSITIONS.values()) + "\n)"


def plan_changing_kinds_sql() -> str:
    """The kinds that set or clear the owner and due date, as an SQL list: every other kind keeps the action's own."""
    return _quoted(tuple(str(row.kind) for row in TRANSITIONS.values() if row.sets_plan or row.clears_plan))
