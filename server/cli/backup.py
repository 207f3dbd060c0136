"""`backup FILE`: a consistent copy of the database while the server and others keep writing."""

from __future__ import annotations

import argparse
import sys
from contextlib import closing
from pathlib import Path

from postmortem_actions.server.cli.arguments import Commands
from postmortem_actions.server.cli.output import write_database_copy
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Store
from postmortem_actions.store.backup import BackupCopy, is_postmortem_actions_database

COMMANDS = ("backup",)


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Register `backup` on the CLI's sub-parsers."""
    backup = commands.add_parser(
        "backup",
        parents=[common],
        help="copy the database to FILE with SQLite's online backup API (safe while others write)",
    )
    backup.add_argument("file", type=Path, metavar="FILE", help="the copy; an earlier copy there is replaced")
    backup.add_argument(
        "--force",
        action="store_true",
        help="replace FILE even if it is not an earlier copy (never the database, its journal or its key)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run `backup`; returns the exit status.

    Raises:
        StoreError: there is no database, or the copy could not be made or failed its check.
        OutputNotWritten: FILE was refused (the database itself, its sidecars or key, another kind of file).
    """
    copies: list[BackupCopy] = []
    with closing(Store(settings.db_path, create=False)) as store:
        write_database_copy(
            args.file,
            lambda temporary: copies.append(store.backup(temporary)),
            force=args.force,
            protected=settings.protected_paths,
            earlier_copy=is_postmortem_actions_database,
        )
    [copy] = copies
    print(
        f"backed up {copy.postmortems} postmortem(s), {copy.actions} action(s) and {copy.decisions} decision(s) "
        f"to {args.file} ({copy.size_bytes / 1e6:.1f} MB); check it with "
        f"`postmortem-actions --db {args.file} verify`",
        file=sys.stderr,
    )
    return 0
