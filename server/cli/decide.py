"""Decisions typed by a person at a terminal: `postmortem-actions decide ID` and `triage POSTMORTEM`.

This is a human channel for a person at a keyboard: it refuses to run unless both stdin and stdout are a
terminal, and it has no flag that skips the questions, so answers are never piped in from a file or another
command by accident. It is not a barrier against a program that drives a pseudo-terminal: an agent with shell
access can type here as it can edit the database file, which is why the threat model (README) puts agents
with shell access out of scope.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date

from postmortem_actions.server.cli.arguments import Commands
from postmortem_actions.server.settings import Settings
from postmortem_actions.server.version import VERSION
from postmortem_actions.store import Action, ActionFilter, ActionState, Channel, DecisionKind, Store
from postmortem_actions.store.errors import NoHumanChannel, PostmortemActionsError
from postmortem_actions.store.text import visible
from postmortem_actions.tools import decisions
from postmortem_actions.tools.decisions import Answer, Decider, Question

Ask = Callable[[str], str]


def ask_here(prompt: str) -> str:
    """Show `prompt` on stdout, the terminal `require_terminal` checked, then read the line the person types.

    `input(prompt)` writes its prompt to stderr when stdin and stdout are terminals: with stderr redirected
    the person would answer, and confirm an owner and due date, without seeing the question.

    Raises:
        EOFError: Ctrl-D.
    """
    sys.stdout.write(prompt)
    sys.stdout.flush()
    return input()


def require_terminal() -> None:
    """Refuse to go on without an interactive terminal.

    Raises:
        NoHumanChannel: stdin or stdout is not a terminal.
    """
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise NoHumanChannel(
            "decide and triage run only in an interactive terminal: a decision must be typed by "
            "a person, not piped in by a script or an assistant. Run it yourself in a terminal."
        )


def _show(action: Action, question: Question) -> None:
    print()
    print(question.message.rsplit("\n", 1)[0])  # built with visible(): nothing in it can hide or rewind
    if action.state == "candidate":
        from postmortem_actions.tools.extraction.lint import lint_findings  # its patterns compile on first use

        for finding in lint_findings(action.text):  # a human committing to a vague item should see why it is vague
            print(f"  Vague ({visible(finding.words) or finding.kind}): {finding.why}; it needs {finding.needs}.")


def _choose(ask: Ask, prompt: str, options: dict[str, str]) -> str:
    while True:
        reply = ask(prompt).strip().lower()
        if reply in options:
            return options[reply]
        print(f"  Please answer one of: {', '.join(options)}")


def _date(ask: Ask, prompt: str, default: date | None) -> date:
    while True:
        reply = ask(f"{prompt} [{default or 'YYYY-MM-DD'}]: ").strip()
        if not reply and default is not None:
            return default
        try:
            return date.fromisoformat(reply)
        except ValueError:
            print("  A date like 2027-01-15, please.")


def _line(ask: Ask, prompt: str, default: str = "", required: bool = True) -> str:
    while True:
        reply = ask(f"{prompt}{f' [{visible(default)}]' if default else ''}: ").strip() or default
        if reply or not required:
            return reply
        print("  This one is needed.")


def _suggest(question: Question) -> None:
    if question.known_people:  # names from the people table, visible() already; any other name may be typed
        print(f"  {question.known_people}")


def _answer_for(action: Action, question: Question, ask: Ask) -> Answer | None:
    version = question.version
    if question.kind == "decide":
        choice = _choose(
            ask, "[a]ccept, [k]ill, [d]efer or [s]kip? ", {"a": "accept", "k": "kill", "d": "defer", "s": "skip"}
        )
        if choice == "skip":
            return None
        if choice == "accept":
            _suggest(question)
            owner = _line(ask, "  Owner", question.owner)
            due = _date(ask, "  Due date", question.due)
            if (
                _choose(ask, f"  Accept #{action.id}: owner {visible(owner)}, due {due}? [y/n] ", {"y": "y", "n": "n"})
                == "n"
            ):
                return None
            return Answer(choice="accept", item_version=version, owner=owner, due=due)
        if choice == "kill":
            return Answer(choice="kill", item_version=version, reason=_line(ask, "  Reason to kill it"))
        return Answer(choice="defer", item_version=version, reason=_line(ask, "  Note (optional)", required=False))
    owner, reason, evidence = question.owner, question.reason, question.evidence
    new_due: date | None = question.due
    if question.kind == "replan":
        _suggest(question)
        owner = _line(ask, "  New owner", owner)
        new_due = _date(ask, "  New due date", new_due)
        reason = _line(ask, "  Reason", reason)
    elif question.kind in ("reopen", "kill"):
        reason = _line(ask, "  Reason", reason)
    else:
        evidence = _line(ask, "  Evidence it is done (PR, link)", evidence, required=False)
    confirmed = _choose(ask, f"  Confirm {question.kind} of #{action.id}? [y/n] ", {"y": "confirm", "n": "reject"})
    return Answer(choice=confirmed, item_version=version, owner=owner, due=new_due, reason=reason, evidence=evidence)


def _question(store: Store, settings: Settings, action: Action, ask: Ask) -> Question | None:
    if action.state is ActionState.CANDIDATE:
        return decisions.ask_decide(
            store,
            action.id,
            proposed_owner=None,
            proposed_due=None,
            note=None,
            table=settings.due_table,
            today=date.today(),
        )
    if action.state is ActionState.ACCEPTED:
        print(
            f"\n#{action.id} is accepted: owner {visible(action.owner or '-')}, due {action.due}"
            + (f", {action.work_status}" if action.work_status else "")
        )
        what = _choose(
            ask, "[r]e-plan, [c]omplete, [k]ill or [s]kip? ", {"r": "replan", "c": "complete", "k": "kill", "s": "skip"}
        )
        return None if what == "skip" else decisions.ask_confirmation(store, DecisionKind(what), action.id)
    if action.state is ActionState.DONE:
        if _choose(ask, f"\n#{action.id} is done. [r]eopen or [s]kip? ", {"r": "r", "s": "s"}) == "s":
            return None
        return decisions.ask_confirmation(store, DecisionKind.REOPEN, action.id)
    print(f"\n#{action.id} was killed; there is nothing to decide.")
    return None


def decide(store: Store, settings: Settings, action_id: int, ask: Ask = ask_here) -> bool:
    """Walk the person through one action; True if a decision was recorded.

    Raises:
        PostmortemActionsError: unknown action, or the answer could not be recorded (the message says why).
    """
    action = store.get_action(action_id)
    question = _question(store, settings, action, ask)
    if question is None:
        return False
    _show(action, question)
    answer = _answer_for(action, question, ask)
    if answer is None:
        print("  Skipped; nothing recorded.")
        return False
    who = Decider(name=settings.user, channel=Channel.TERMINAL, client=f"postmortem-actions-cli/{VERSION}")
    outcome = decisions.apply_answer(store, question, answer, who)
    print(f"  {outcome.message}")
    return outcome.committed


def triage(store: Store, settings: Settings, postmortem_id: int, ask: Ask = ask_here) -> int:
    """Walk the person through every undecided candidate of a postmortem; returns how many were decided.

    Raises:
        PostmortemNotFound: no such postmortem.
    """
    pm = store.get_postmortem(postmortem_id)
    pending = store.actions(ActionFilter(postmortem_id=postmortem_id, state=ActionState.CANDIDATE))
    print(f"{visible(pm.title)}: {len(pending)} undecided candidate(s). Ctrl-D stops; what you decided stays recorded.")
    decided = 0
    for number, action in enumerate(pending, start=1):
        print(f"\n--- {number} of {len(pending)} ---")
        try:
            decided += decide(store, settings, action.id, ask)
        except PostmortemActionsError as exc:
            print(f"  Not recorded: {visible(str(exc), multiline=True)}")
    print(f"\nDecided {decided} of {len(pending)}.")
    return decided


COMMANDS = ("decide", "triage")


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Register `decide` and `triage` on the CLI's sub-parsers."""
    decide = commands.add_parser(
        "decide", parents=[common], help="decide one action yourself, in this terminal (accept, kill, defer, re-plan…)"
    )
    decide.add_argument("action_id", type=int)
    triage = commands.add_parser(
        "triage", parents=[common], help="walk through a postmortem's undecided candidates, in this terminal"
    )
    triage.add_argument("postmortem_id", type=int)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run `decide` or `triage` in this terminal; returns the exit status.

    Raises:
        NoHumanChannel: stdin or stdout is not a terminal.
        PostmortemActionsError: unknown ids, or an answer that could not be recorded.
    """
    require_terminal()
    store = Store(settings.db_path, create=False)
    if args.command == "decide":
        decide(store, settings, args.action_id)
    else:
        triage(store, settings, args.postmortem_id)
    return 0
