"""`people`: who owners' names mean, and how reminders reach them (an email address, a Slack member id).

    people add NAME [--email ADDRESS] [--slack MEMBER_ID] [--alias OTHER_NAME]...
    people set NAME [--email ADDRESS] [--slack MEMBER_ID]     (an empty value clears it)
    people alias NAME OTHER_NAME · people unalias OTHER_NAME · people remove NAME · people list [--format json]

Names and aliases are matched ignoring case. Owners on the items stay as they were written: this is a directory
beside them, and nothing here changes an action or a decision.
"""

from __future__ import annotations

import argparse
import json
import sys

from postmortem_actions.server.cli.arguments import Commands
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Person, Store
from postmortem_actions.store.text import visible
from postmortem_actions.tools import people as directory

COMMANDS = ("people",)


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Register `people` and its subcommands on the CLI's sub-parsers."""
    people = commands.add_parser(
        "people", parents=[common], help="the people owners' names mean, with their email and Slack id (for remind)"
    )
    actions = people.add_subparsers(
        dest="people_command", metavar="ACTION", required=True, help="add, set, alias, unalias, remove or list"
    )
    add = actions.add_parser("add", parents=[common], help="add a person")
    add.add_argument("name")
    add.add_argument("--email", help="where email reminders go")
    add.add_argument("--slack", metavar="MEMBER_ID", help="Slack member id (U…), mentioned in Slack reminders")
    add.add_argument("--alias", action="append", default=[], help="another name owners are written as (repeatable)")
    change = actions.add_parser("set", parents=[common], help="change a person's email or Slack id ('' clears)")
    change.add_argument("name")
    change.add_argument("--email")
    change.add_argument("--slack", metavar="MEMBER_ID")
    alias = actions.add_parser("alias", parents=[common], help="add another name for a person")
    alias.add_argument("name")
    alias.add_argument("alias")
    unalias = actions.add_parser("unalias", parents=[common], help="remove an alias")
    unalias.add_argument("alias")
    remove = actions.add_parser("remove", parents=[common], help="remove a person and their aliases")
    remove.add_argument("name")
    listing = actions.add_parser("list", parents=[common], help="everyone, and owners of open items we do not know")
    listing.add_argument("--format", choices=["table", "json"], default="table")


def _line(person: Person) -> str:
    aliases = f"  (also: {', '.join(visible(a) for a in person.aliases)})" if person.aliases else ""
    return (
        f"{visible(person.name):<24}  {visible(person.email or '-'):<30}  {visible(person.slack_id or '-'):<12}"
        f"{aliases}"
    )


def _list(store: Store, fmt: str) -> None:
    people = store.people()
    known = directory.Directory.of(people)
    unknown = {name: n for name, n in store.open_owners().items() if known.find(name) is None}
    if fmt == "json":
        data = {
            "people": [p.model_dump(mode="json") for p in people],
            "unknown_owners": [{"name": name, "open_items": n} for name, n in sorted(unknown.items())],
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    print(f"{'name':<24}  {'email':<30}  {'slack':<12}")
    for person in people:
        print(_line(person))
    print(f"{len(people)} person(s)")
    if unknown:
        shown = ", ".join(f"{visible(name)} ({n})" for name, n in sorted(unknown.items()))
        print(f"Owners of open items who match no one (reminders cannot reach them): {shown}")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one `people` action; returns the exit status.

    Raises:
        PostmortemActionsError: no database (except for add), an unknown name, a taken name or a malformed address.
    """
    store = Store(settings.db_path, create=args.people_command == "add")
    match args.people_command:
        case "add":
            person = directory.add_person(store, args.name, email=args.email, slack_id=args.slack, aliases=args.alias)
            print(f"added {_line(person)}")
        case "set":
            person = directory.set_contacts(store, args.name, email=args.email, slack_id=args.slack)
            print(f"changed {_line(person)}")
        case "alias":
            print(f"changed {_line(directory.add_alias(store, args.name, args.alias))}")
        case "unalias":
            print(f"changed {_line(store.remove_alias(args.alias))}")
        case "remove":
            person = store.remove_person(args.name)
            print(
                f"removed {visible(person.name)}; the items they own keep the owner's name as written", file=sys.stderr
            )
        case _:
            _list(store, args.format)
    return 0
