"""Decisions typed by a person at a terminal: `decide ID`, and the single decisions `defer`, `revive` and `reopen`.

Each is recorded as the person's own decision, channel `terminal`. Every choice that records something is confirmed
first, showing what will be recorded; answering n asks again (with skip among the choices), it never drops the item
silently. A candidate can be reworded before it is decided (audit-logged; it keeps who proposed it).
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Final, Literal

from postmortem_actions.server.cli.arguments import Commands, day
from postmortem_actions.server.cli.items import revision
from postmortem_actions.server.cli.prompts import Ask, ask_here, choose, confirm, line, require_terminal, say
from postmortem_actions.server.cli.prompts import day as ask_day
from postmortem_actions.server.cli.screen import proposer
from postmortem_actions.server.settings import Settings
from postmortem_actions.server.version import VERSION
from postmortem_actions.store import Action, ActionState, Actor, Channel, DecisionKind, Store, lifecycle
from postmortem_actions.store.errors import IllegalTransition, InvalidInput, PostmortemActionsError
from postmortem_actions.store.text import visible
from postmortem_actions.tools import decisions
from postmortem_actions.tools.candidates import MAX_TEXT, revise_candidate
from postmortem_actions.tools.decisions import Answer, Decider, Question

CLIENT: Final = f"postmortem-actions-cli/{VERSION}"
Again = Literal["again", "reworded"]
AGAIN: Final[Again] = "again"
REWORDED: Final[Again] = "reworded"  # asked again, showing the new wording
Asked = tuple[Question, Answer] | Again | None  # what to record, ask again, or skip
NEEDS: Final = {
    DecisionKind.KILL: "A kill needs a reason: say why it will not be done (it stays with the item, in every report).",
    DecisionKind.REPLAN: "A re-plan needs a reason: say why the owner or the date changes.",
    DecisionKind.REOPEN: "Reopening needs a reason: say what is not done after all.",
    DecisionKind.REVIVE: "Reviving needs a reason: say why the item matters again.",
}
OWNER_NEEDED: Final = "An accepted item needs an owner: type the name of the person who will do it."


def decider(settings: Settings) -> Decider:
    """The person at this terminal, as their decisions record them."""
    return Decider(name=settings.user, channel=Channel.TERMINAL, client=CLIENT)


def person(settings: Settings, via: str) -> Actor:
    """The person at this terminal, as the audit log records a change that is not a decision."""
    return Actor(actor=settings.user, via=via)


def show(store: Store, action: Action, question: Question) -> None:
    """The item as the question shows it, and for a candidate why it may be vague, who proposed it, a deferral."""
    print()
    say(question.message.rsplit("\n", 1)[0])  # built with visible(): nothing in it can hide or rewind
    if action.state is not ActionState.CANDIDATE:
        return
    from postmortem_actions.tools.extraction.lint import lint_findings  # its patterns compile on first use

    for finding in lint_findings(action.text):  # a human committing to a vague item should see why it is vague
        say(f"  Vague ({visible(finding.words) or finding.kind}): {finding.why}; it needs {finding.needs}.")
    if action.proposed_by:
        print(f"  Proposed by {proposer(action.proposed_by)}.")
    latest = store.decisions(action.id)[-1] if action.decision_id is not None else None
    if latest is not None and latest.kind is DecisionKind.DEFER:
        until = f" until {latest.revisit_on}" if latest.revisit_on else ""
        note = f": {visible(latest.reason, multiline=True)}" if latest.reason else ""
        say(f"  Deferred{until} by {visible(latest.decided_by)} on {latest.decided_at:%Y-%m-%d}{note}")


def reword(store: Store, settings: Settings, action: Action, ask: Ask) -> None:
    """Let the person reword a candidate's text and finish line (Enter keeps each); audit-logged as theirs."""
    text = line(ask, "  Action", action.text, needed="An action needs its one sentence.", limit=MAX_TEXT)
    done_when = line(ask, "  Done when", action.done_when, needed="An action needs its finish line.", limit=MAX_TEXT)
    changes = {k: v for k, v in (("text", text), ("done_when", done_when)) if v != getattr(action, k)}
    if not changes:
        print("  Unchanged.")
        return
    try:
        revised = revise_candidate(store, person(settings, "cli reword"), action.id, revision(changes))
    except PostmortemActionsError as exc:
        say(f"  Not reworded: {visible(str(exc), multiline=True)}")
        return
    kept = f"; it stays proposed by {proposer(revised.proposed_by)}" if revised.proposed_by else ""
    say(f"  Reworded #{action.id} (the change is kept in its history{kept}).")


def _suggest(question: Question) -> None:
    if question.known_people:  # names from the people table, visible() already; any other name may be typed
        print(f"  {question.known_people}")


def _accept(action: Action, question: Question, ask: Ask, today: date) -> Asked:
    _suggest(question)
    owner = line(ask, "  Owner", question.owner, needed=OWNER_NEEDED)
    due = ask_day(ask, "  Due date", question.due, today=today)
    if not confirm(ask, f"  Accept #{action.id}: owner {visible(owner)}, due {due}? [y/n] "):
        return AGAIN
    return question, Answer(choice="accept", item_version=question.version, owner=owner, due=due)


def _kill(action: Action, question: Question, ask: Ask) -> Asked:
    reason = line(ask, "  Reason to kill it", needed=NEEDS[DecisionKind.KILL], multiline=True)
    if not confirm(ask, f'  Kill #{action.id}, because "{visible(reason)}"? [y/n] '):
        return AGAIN
    return question, Answer(choice="kill", item_version=question.version, reason=reason)


def _defer(action: Action, question: Question, ask: Ask, today: date, until: date | None = None) -> Asked:
    if until is None:
        until = ask_day(ask, "  Revisit on", None, today=today, optional=True, due=False)
    note = line(ask, "  Note (optional)", multiline=True)
    said = (f" until {until}" if until else "") + (f': "{visible(note)}"' if note else "")
    if not confirm(ask, f"  Defer #{action.id}{said}? [y/n] "):
        return AGAIN
    return question, Answer(choice="defer", item_version=question.version, reason=note, revisit_on=until)


CANDIDATE_CHOICES: Final = {"a": "accept", "k": "kill", "d": "defer", "r": "reword", "s": "skip"}


def _candidate(
    store: Store, settings: Settings, action: Action, ask: Ask, today: date, first: str | None, until: date | None
) -> Asked:
    question = decisions.ask_decide(
        store, action.id, proposed_owner=None, proposed_due=None, note=None, table=settings.due_table, today=today
    )
    show(store, action, question)
    choice = first or choose(ask, "[a]ccept, [k]ill, [d]efer, [r]eword or [s]kip? ", CANDIDATE_CHOICES)
    if choice == "accept":
        return _accept(action, question, ask, today)
    if choice == "kill":
        return _kill(action, question, ask)
    if choice == "defer":
        return _defer(action, question, ask, today, until)
    if choice == "reword":
        reword(store, settings, action, ask)
        return REWORDED
    return None


def _summary(kind: DecisionKind, action_id: int, owner: str, due: date | None, reason: str, evidence: str) -> str:
    match kind:
        case DecisionKind.REPLAN:
            return f"Re-plan #{action_id} to {visible(owner)}, due {due}"
        case DecisionKind.COMPLETE:
            return f"Mark #{action_id} done" + (f" (evidence: {visible(evidence)})" if evidence else "")
        case DecisionKind.REVIVE:
            return f'Revive #{action_id} as an undecided candidate, because "{visible(reason)}"'
    verb = "Kill" if kind is DecisionKind.KILL else "Reopen"
    return f'{verb} #{action_id}, because "{visible(reason)}"'


def _confirmation(store: Store, action: Action, kind: DecisionKind, ask: Ask, today: date) -> Asked:
    question = decisions.ask_confirmation(store, kind, action.id)
    show(store, action, question)
    owner, due, reason, evidence = question.owner, question.due, question.reason, question.evidence
    if kind is DecisionKind.REPLAN:
        _suggest(question)
        owner = line(ask, "  New owner", owner, needed=OWNER_NEEDED)
        due = ask_day(ask, "  New due date", due, today=today)
    if kind is DecisionKind.COMPLETE:
        evidence = line(ask, "  Evidence it is done (PR, link)", evidence, multiline=True)
    else:
        reason = line(ask, "  Reason", reason, needed=NEEDS[kind], multiline=True)
    if not confirm(ask, f"  {_summary(kind, action.id, owner, due, reason, evidence)}? [y/n] "):
        return AGAIN
    answer = Answer(
        choice="confirm", item_version=question.version, owner=owner, due=due, reason=reason, evidence=evidence
    )
    return question, answer


# What a person can do with an item in each state other than a candidate: (the question, its choices).
LATER: Final[dict[ActionState, tuple[str, dict[str, str]]]] = {
    ActionState.ACCEPTED: ("[r]e-plan, [c]omplete, [k]ill or [s]kip? ", {"r": "replan", "c": "complete", "k": "kill"}),
    ActionState.DONE: ("[r]eopen or [s]kip? ", {"r": "reopen"}),
    ActionState.KILLED: ("[r]evive or [s]kip? ", {"r": "revive"}),
}


def _asked(
    store: Store,
    settings: Settings,
    action: Action,
    ask: Ask,
    today: date,
    first: str | None = None,
    until: date | None = None,
) -> Asked:
    if action.state is ActionState.CANDIDATE:
        return _candidate(store, settings, action, ask, today, first, until)
    prompt, options = LATER[action.state]
    if first is None:
        owner = f": owner {visible(action.owner or '-')}, due {action.due}" if action.owner else ""
        status = f", {action.work_status}" if action.work_status else ""
        print(f"\n#{action.id} is {action.state}{owner}{status}")
        first = choose(ask, prompt, {**options, "s": "skip"})
    return None if first == "skip" else _confirmation(store, action, DecisionKind(first), ask, today)


def decide(
    store: Store,
    settings: Settings,
    action_id: int,
    ask: Ask = ask_here,
    today: date | None = None,
    *,
    first: str | None = None,
    until: date | None = None,
) -> bool:
    """Walk the person through one action until they record a decision or skip it; True if one was recorded.

    `first` is the choice already made (a `defer`, `revive` or `reopen` command) for the first round; `until` a
    defer's revisit date given on the command line.

    Raises:
        PostmortemActionsError: unknown action, or the answer could not be recorded (the message says why).
    """
    today = today or date.today()
    while True:
        action = store.get_action(action_id)
        asked = _asked(store, settings, action, ask, today, first, until)
        first = None
        if asked is None:
            print("  Skipped; nothing recorded.")
            return False
        if isinstance(asked, str):  # AGAIN, or REWORDED (the question is shown again with the new words)
            if asked == AGAIN:
                print("  Nothing recorded yet; choose again.")
            continue
        question, answer = asked
        outcome = decisions.apply_answer(store, question, answer, decider(settings))
        say(f"  {outcome.message}")
        return outcome.committed


COMMANDS = ("decide", "triage", "defer", "revive", "reopen")
# The single decisions: the kind, and the one state it applies to.
SINGLE: Final = {
    "defer": (DecisionKind.DEFER, ActionState.CANDIDATE),
    "revive": (DecisionKind.REVIVE, ActionState.KILLED),
    "reopen": (DecisionKind.REOPEN, ActionState.DONE),
}


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Register `decide`, `triage`, `defer`, `revive` and `reopen` on the CLI's sub-parsers."""
    item = "the action item's id (see `list`)"
    parser = commands.add_parser(
        "decide", parents=[common], help="decide one action yourself, in this terminal (accept, kill, defer, re-plan…)"
    )
    parser.add_argument("action_id", type=int, help=item)
    parser = commands.add_parser(
        "triage",
        parents=[common],
        help="walk through a postmortem in this terminal: record the extractor's uncovered findings as candidates, "
        "then decide every undecided candidate",
    )
    parser.add_argument("postmortem_id", type=int, help="the postmortem's id (see `postmortems`)")
    parser = commands.add_parser(
        "defer", parents=[common], help="defer a candidate yourself, in this terminal, with a note and a revisit date"
    )
    parser.add_argument("action_id", type=int, help=item)
    parser.add_argument("--until", type=day, metavar="YYYY-MM-DD", help="the day to look at it again")
    parser = commands.add_parser(
        "revive", parents=[common], help="bring a killed item back as an undecided candidate, in this terminal"
    )
    parser.add_argument("action_id", type=int, help=item)
    parser = commands.add_parser("reopen", parents=[common], help="reopen a done item, in this terminal")
    parser.add_argument("action_id", type=int, help=item)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one of the terminal's decision commands; returns the exit status.

    Raises:
        NoHumanChannel: stdin or stdout is not a terminal.
        PostmortemActionsError: unknown ids, a decision that does not fit the item, or an answer that could not
            be recorded.
    """
    require_terminal()
    store = Store(settings.db_path, create=False)
    if args.command == "triage":
        from postmortem_actions.server.cli.triage import triage

        triage(store, settings, args.postmortem_id)
        return 0
    first = None
    if args.command in SINGLE:
        kind, state = SINGLE[args.command]
        action = store.get_action(args.action_id)
        if action.state is not state:
            raise IllegalTransition(
                f"action {action.id} is {action.state}, so it cannot be {lifecycle.transition(kind).past}: "
                f"{lifecycle.NEXT_STEP[action.state]}"
            )
        if getattr(args, "until", None) is not None and args.until < date.today():
            raise InvalidInput(f"--until {args.until} is in the past: give a day to come; nothing was recorded")
        first = str(kind)
    decide(store, settings, args.action_id, first=first, until=getattr(args, "until", None))
    return 0
