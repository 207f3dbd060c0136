"""`token`: access tokens for the team server (`serve --http`), each for a person in the people table.

    token create NAME [--role viewer|member|admin] [--label TEXT]   (prints the token once; only its hash is kept)
    token list [--all] [--format json] · token revoke ID

Whoever can run these can read the database file, so they act as admin: the roles apply to people reaching the
server over HTTP.
"""

from __future__ import annotations

import argparse
import json
import sys

from postmortem_actions.server.cli.arguments import Commands
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Store
from postmortem_actions.store.text import visible
from postmortem_actions.store.tokens import ROLES, TokenRecord
from postmortem_actions.tools import tokens

COMMANDS = ("token",)


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Register `token` and its subcommands on the CLI's sub-parsers."""
    token = commands.add_parser(
        "token", parents=[common], help="access tokens for the team server (serve --http), one person and role each"
    )
    actions = token.add_subparsers(dest="token_command", metavar="ACTION", required=True, help="create, list or revoke")
    create = actions.add_parser("create", parents=[common], help="make a token for a person (printed once)")
    create.add_argument("name", help="a name or alias in the people table (`people add NAME` first)")
    create.add_argument(
        "--role",
        choices=ROLES,
        default="member",
        help="viewer reads; member also proposes, reports status and decides; admin also people and tokens",
    )
    create.add_argument("--label", help="what the token is for (a laptop, a CI job)")
    listing = actions.add_parser("list", parents=[common], help="the tokens (never their secrets)")
    listing.add_argument("--all", action="store_true", help="also the revoked ones")
    listing.add_argument("--format", choices=["table", "json"], default="table")
    revoke = actions.add_parser("revoke", parents=[common], help="refuse a token from now on")
    revoke.add_argument("id", type=int)


def _line(record: TokenRecord) -> str:
    revoked = f"  revoked {record.revoked_at}" if record.revoked_at else ""
    label = visible(record.label or "-")
    return f"{record.id:>5}  {visible(record.person):<24}  {record.role:<7}  {label:<24}  {record.created_at}{revoked}"


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one `token` action; returns the exit status.

    Raises:
        PostmortemActionsError: no database, an unknown person or token id.
    """
    store = Store(settings.db_path, create=False)
    match args.token_command:
        case "create":
            secret, record = tokens.create_token(store, args.name, tokens.role_of(args.role), args.label)
            print(secret)
            print(
                f"token {record.id} for {visible(record.person)} ({record.role}): shown once, only its hash is "
                "kept. Give it to them privately; `token revoke` ends it.",
                file=sys.stderr,
            )
        case "revoke":
            record = store.revoke_token(args.id)
            print(f"revoked token {record.id} of {visible(record.person)}; it is refused from now on")
        case _:
            records = store.tokens(include_revoked=args.all)
            if args.format == "json":
                print(json.dumps([vars(r) for r in records], indent=2, ensure_ascii=False))
                return 0
            print(f"{'id':>5}  {'person':<24}  {'role':<7}  {'label':<24}  created")
            for record in records:
                print(_line(record))
            print(f"{len(records)} token(s)")
    return 0
