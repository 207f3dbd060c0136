"""The action items for people: `list` them, `show` one with its whole story, report your own `status` on one you
work on, `revise` a candidate's wording. None of these is a decision: they run anywhere, in a pipe too."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from postmortem_actions.server.cli.arguments import Commands, day
from postmortem_actions.server.cli.formats import add_format, chosen, csv_text, md_table
from postmortem_actions.server.settings import Settings
from postmortem_actions.server.validation_text import what_is_wrong
from postmortem_actions.store import ActionFilter, ActionState, Actor, Category, Size, Store, WorkStatus
from postmortem_actions.store.errors import InvalidInput
from postmortem_actions.store.text import visible
from postmortem_actions.tools import queries
from postmortem_actions.tools.models import CandidateRevision

COMMANDS = ("list", "show", "status", "revise")
LIST_COLUMNS = [
    "id",
    "postmortem",
    "state",
    "category",
    "owner",
    "proposed_owner",
    "due",
    "proposed_due",
    "status",
    "text",
]
REVISABLE = {
    "text": "the action: one specific sentence",
    "done_when": "its finish line: what shows it is done",
    "problem": "the problem of the incident it addresses",
}


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Register `list`, `show`, `status` and `revise` on the CLI's sub-parsers."""
    lister = commands.add_parser("list", parents=[common], help="list action items, oldest first, with the exact total")
    lister.add_argument("--postmortem", type=int, metavar="ID", help="only this postmortem's items")
    lister.add_argument("--state", choices=[s.value for s in ActionState], help="only items in this state")
    lister.add_argument("--owner", help="only items this person committed to (case-insensitive)")
    lister.add_argument("--category", choices=[c.value for c in Category], help="only items of this category")
    lister.add_argument("--due-before", type=day, metavar="YYYY-MM-DD", help="only items due before this day")
    lister.add_argument("--due-after", type=day, metavar="YYYY-MM-DD", help="only items due after this day")
    lister.add_argument("--limit", type=int, default=queries.DEFAULT_PAGE, help="items per page (1-200; default 20)")
    lister.add_argument("--offset", type=int, default=0, help="items to skip, to read the next page")
    add_format(lister, pipe="table")

    show = commands.add_parser(
        "show", parents=[common], help="one item: evidence, finish line, lint, every decision and change, its ticket"
    )
    show.add_argument("action_id", type=int, help="the action item's id (see `list`)")
    show.add_argument(
        "--format", choices=["table", "json", "md"], default="table", help="table (for people, default), json or md"
    )

    status = commands.add_parser(
        "status", parents=[common], help="report your own working status on an accepted item (commits no one)"
    )
    status.add_argument("action_id", type=int, help="the accepted item's id")
    status.add_argument("status", choices=[s.value for s in WorkStatus], help="in_progress, or blocked (say by what)")
    status.add_argument("note", nargs="*", help="a note, e.g. what blocks it (needed for blocked)")

    revise = commands.add_parser(
        "revise", parents=[common], help="reword a candidate or change its proposals (kept in its history)"
    )
    revise.add_argument("action_id", type=int, help="the candidate's id")
    for field, what in REVISABLE.items():
        revise.add_argument(f"--{field.replace('_', '-')}", dest=field, metavar="TEXT", help=f"new wording of {what}")
    revise.add_argument("--category", choices=[c.value for c in Category], help="a new category")
    revise.add_argument("--size", choices=[s.value for s in Size], help="a new suggested size")
    revise.add_argument("--proposed-owner", metavar="NAME", help="a new proposed owner (a proposal, not a commitment)")
    revise.add_argument("--proposed-due", type=day, metavar="YYYY-MM-DD", help="a new proposed due date (a proposal)")


def revision(changes: dict[str, Any]) -> CandidateRevision:
    """The changes as a candidate revision, or a sentence naming the option and what it needs.

    Raises:
        InvalidInput: a value does not fit (too short, too long, hidden characters, an implausible date).
    """
    from pydantic import ValidationError

    try:
        return CandidateRevision(**changes)
    except ValidationError as exc:
        problems = "; ".join(
            f"--{str(e['loc'][0]).replace('_', '-')} {what_is_wrong(e)}" for e in exc.errors(include_url=False)
        )
        raise InvalidInput(f"nothing was changed: {problems}") from None


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run `list`, `show`, `status` or `revise`; returns the exit status.

    Raises:
        PostmortemActionsError: the database is missing, an id names nothing, or the change was refused.
    """
    store = Store(settings.db_path, create=False)
    match args.command:
        case "list":
            return _list(args, store)
        case "show":
            from postmortem_actions.server.cli.show import show

            return show(store, args.action_id, args.format)
        case "status":
            return _status(args, store, Actor(actor=settings.user, via="cli status"))
    return _revise(args, store, Actor(actor=settings.user, via="cli revise"))


def _list(args: argparse.Namespace, store: Store) -> int:
    where = ActionFilter(
        postmortem_id=args.postmortem,
        state=args.state,
        owner=args.owner,
        category=args.category,
        due_before=args.due_before,
        due_after=args.due_after,
    )
    page = queries.list_actions(store, where, limit=args.limit, offset=args.offset)
    fmt = chosen(args)
    if fmt == "json":
        print(page.model_dump_json(indent=2))
        return 0
    if fmt == "table":
        from postmortem_actions.server.cli.render import actions_view
        from postmortem_actions.server.cli.screen import draw

        draw(actions_view(page.items, page.total, page.offset, today=date.today()))
        return 0
    rows = [
        [
            a.id,
            a.postmortem_id,
            a.state,
            a.category,
            a.owner,
            a.proposed_owner,
            a.due,
            a.proposed_due,
            a.work_status,
            a.text,
        ]
        for a in page.items
    ]
    if fmt == "csv":
        print(csv_text(LIST_COLUMNS, rows), end="")
        return 0
    shown = f"{page.offset + 1}-{page.offset + len(page.items)}" if page.items else "none"
    print(
        md_table(LIST_COLUMNS, rows, title="Action items", empty="No action items match.")
        + f"\n{shown} of {page.total} action(s)"
    )
    return 0


def _status(args: argparse.Namespace, store: Store, by: Actor) -> int:
    from postmortem_actions.tools.status import record_status

    note = " ".join(args.note).strip() or None
    action = record_status(store, args.action_id, WorkStatus(args.status), note, by)
    said = f": {visible(action.status_note, multiline=True)}" if action.status_note else ""
    print(f"#{action.id} is {str(action.work_status).replace('_', ' ')}{said}")
    plan = f"owner {visible(action.owner or '-')}, due {action.due}"
    print(f"  reported by {visible(by.actor)}; a status commits no one to anything ({plan} stay as they are)")
    return 0


def _revise(args: argparse.Namespace, store: Store, by: Actor) -> int:
    from postmortem_actions.tools.candidates import revise_candidate

    names = [*REVISABLE, "category", "size", "proposed_owner", "proposed_due"]
    changes = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    if not changes:
        options = ", ".join(f"--{n.replace('_', '-')}" for n in names)
        raise InvalidInput(f"say what to change ({options}); nothing was changed")
    before = store.get_action(args.action_id)
    after = revise_candidate(store, by, args.action_id, revision(changes))
    changed = [name for name in names if getattr(before, name) != getattr(after, name)]
    if not changed:
        print(f"#{after.id} already says that; nothing was changed")
        return 0
    print(f"#{after.id} revised: {', '.join(c.replace('_', ' ') for c in changed)} (kept in its history)")
    print(f"  {visible(after.text)}")
    print(f"  done when: {visible(after.done_when)}")
    return 0


def as_json(value: object) -> str:
    """`value` as indented JSON (dates as ISO text)."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
