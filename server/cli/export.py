"""`export` and `sync` for people: plain files (Markdown, CSV, JSON, an iCalendar feed of due dates), filing
tickets in a tracker, and reading ticket states back."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from postmortem_actions.server.cli.arguments import Commands
from postmortem_actions.server.cli.output import write_output
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionFilter, ActionState, Actor, Store
from postmortem_actions.store.text import visible

if TYPE_CHECKING:
    from postmortem_actions.tools.trackers import Failed

FORMATS = ["md", "csv", "json", "ics"]
MAX_REMIND_DAYS = 365  # as tools/followthrough/exports.py: checked here before the tracker client is imported


COMMANDS = ("export", "sync")


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Register `export` and `sync` on the CLI's sub-parsers."""
    export = commands.add_parser(
        "export",
        parents=[common],
        help="write actions as md/csv/json or an .ics feed of due dates; with --tracker, file tickets instead",
    )
    export.add_argument(
        "--format",
        choices=FORMATS,
        default="md",
        help="md (a table, default), csv, json, or ics (a calendar of the accepted items' due dates)",
    )
    export.add_argument("--postmortem", type=int, help="only this postmortem's actions")
    export.add_argument("--state", choices=[s.value for s in ActionState], help="only actions in this state")
    export.add_argument("--out", type=Path, metavar="FILE", help="write here instead of standard output")
    export.add_argument(
        "--force",
        action="store_true",
        help="replace FILE even if it does not hold an earlier export of this format "
        "(never the database, its journal or its key)",
    )
    export.add_argument(
        "--tracker",
        choices=["github", "jira", "linear"],
        help="file tickets for the accepted items in this tracker (configured in the environment)",
    )
    export.add_argument("--action", type=int, action="append", metavar="ID", help="with --tracker: these items")
    export.add_argument(
        "--remind-days",
        type=int,
        metavar="N",
        help=f"with --format ics: a reminder N days before each due date (0 to {MAX_REMIND_DAYS}; 0: on the day)",
    )
    sync = commands.add_parser(
        "sync", parents=[common], help="read linked tickets back; a ticket a person closed completes its item"
    )
    sync.add_argument("tracker", choices=["github", "jira", "linear"], help="the tracker to read back")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run `export` or `sync`; returns the exit status (1 when some items failed).

    Raises:
        PostmortemActionsError: the database is missing, a tracker refused or is not configured.
        OutputNotWritten: the --out file was refused or could not be written.
    """
    usage = _usage_error(args)
    if usage is not None:
        # A usage error (exit 2), not "some items failed" (exit 1): nothing was attempted.
        print(f"postmortem-actions {usage}", file=sys.stderr)
        return 2
    store = Store(settings.db_path, create=False)
    if args.command == "export" and not args.tracker:
        return _files(args, settings, store)
    from postmortem_actions.tools import trackers as ex  # the HTTP client is imported only when needed

    by = Actor(actor=settings.user, via=f"cli {args.command}")
    if args.command == "sync":
        with closing(ex.connect(settings.trackers.get(args.tracker))) as adapter:
            synced = ex.sync_tickets(store, adapter, by)
        for change in synced.checked:
            print(f"#{change.action_id} {visible(change.ref)}: {visible(change.note)}")
        return _finish(synced.failed, synced.message)
    with closing(ex.connect(settings.trackers.get(args.tracker))) as adapter:
        result = ex.export_tickets(store, adapter, by, action_ids=args.action, postmortem_id=args.postmortem)
    for item in result.exported:
        print(f"#{item.action_id} {item.status}: {visible(item.ref)} {visible(item.url or '')}".rstrip())
        for warning in item.warnings:
            print(f"    note: {visible(warning)}")
    for refused in result.refused:
        print(f"#{refused.action_id} refused: {refused.reason}")
    return _finish(result.failed, result.message)


def _usage_error(args: argparse.Namespace) -> str | None:
    """What is wrong with the options (after the command's name), or None."""
    if args.command != "export":
        return None
    if args.tracker and bool(args.action) == (args.postmortem is not None):
        return "export --tracker: give --postmortem N or --action ID (repeatable), not both; nothing was filed"
    if args.remind_days is not None and (
        args.format != "ics" or args.tracker or not 0 <= args.remind_days <= MAX_REMIND_DAYS
    ):
        return f"export: --remind-days goes with --format ics and is 0 to {MAX_REMIND_DAYS}; nothing was written"
    return None


def _files(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    from postmortem_actions.tools.followthrough import exports as files

    rows = files.export_rows(
        store, ActionFilter(postmortem_id=args.postmortem, state=args.state), tickets=store.ticket_map()
    )
    if args.format == "md":
        text = files.to_markdown(rows, title="Postmortem action items")
    elif args.format == "csv":
        text = files.to_csv(rows)
    elif args.format == "json":
        text = files.to_json(rows)
    else:
        text = files.to_ics(
            rows,
            calendar_name="Postmortem action items due",
            now=datetime.now(UTC),
            database_id=store.database_id(),
            remind_days=args.remind_days,
        )
    if args.out:
        write_output(args.out, text, args.format, force=args.force, protected=settings.protected_paths)
        print(f"wrote {len(rows)} action(s) to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _finish(failed: Sequence[Failed], message: str) -> int:
    for failure in failed:
        print(f"#{failure.action_id} FAILED: {visible(failure.error)}")
    print(visible(message))
    return 1 if failed else 0
