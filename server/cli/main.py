"""The `postmortem-actions` command: the MCP server and the human's side of the tool.

Each command group registers its commands and runs them (`postmortems`, `items`, `decide`, `review`, `export`,
`serve`, `web`, `remind`, `people`, `token`, `backup`); this module only assembles the parser and turns domain errors
into a sentence and exit status 2, Ctrl-C and Ctrl-D into 130, and a reader that stops reading (`| head`) into a
quiet 141. Commands that do not speak MCP never import the SDK (its import alone takes about a second).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType

from postmortem_actions.server.cli import (
    backup,
    decide,
    export,
    items,
    people,
    postmortems,
    remind,
    review,
    serve,
    tokens,
    web,
)
from postmortem_actions.server.settings import Settings
from postmortem_actions.server.version import VERSION
from postmortem_actions.store.errors import PostmortemActionsError
from postmortem_actions.store.text import visible

GROUPS: tuple[ModuleType, ...] = (
    serve,
    postmortems,
    items,
    decide,
    review,
    export,
    web,
    remind,
    people,
    tokens,
    backup,
)
BROKEN_PIPE = 141  # the status of a program that SIGPIPE stopped: what `| head` leaves of any other command
RUNS: Mapping[str, Callable[[argparse.Namespace, Settings], int]] = {
    command: group.run for group in GROUPS for command in group.COMMANDS
}


def parser() -> argparse.ArgumentParser:
    """The command line: every command, option and argument, each with its help."""
    parser = argparse.ArgumentParser(
        prog="postmortem-actions",
        description="Turn incident postmortems into action items a human commits to. "
        "With no command, serves MCP over stdio.",
    )
    parser.add_argument("--version", action="version", version=f"postmortem-actions {VERSION}")
    db_help = "database file (default: $POSTMORTEM_ACTIONS_DB, else $XDG_DATA_HOME/postmortem-actions/actions.db)"
    parser.add_argument("--db", help=db_help)
    # --db is also accepted after the command; SUPPRESS keeps a later default from erasing an earlier value.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help=db_help)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", help="what to do (default: serve)")
    for group in GROUPS:
        group.add_commands(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `postmortem-actions` console script; returns the exit status."""
    args = parser().parse_args(argv)
    try:
        settings = Settings.load(db=args.db, allow_dirs=getattr(args, "allow_dir", ()))
        status = RUNS[args.command or "serve"](args, settings)
        sys.stdout.flush()  # a reader gone away shows here, not in the interpreter's last flush
        return status
    except BrokenPipeError:
        _discard_stdout()
        return BROKEN_PIPE
    except PostmortemActionsError as exc:
        print(f"postmortem-actions: {visible(str(exc), multiline=True)}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, EOFError):
        print("\npostmortem-actions: stopped; what was decided before stays recorded, nothing else.", file=sys.stderr)
        return 130


def console() -> int:
    """The console script: `main`, then an exit without Python's last collection over every object still alive.

    That collection runs as the interpreter ends; after a 5 MB postmortem it walks the tens of thousands of findings
    the extractor keeps cached, a tenth of the command's time (issue 10). Nothing is left to collect: freezing puts
    every object out of its reach, and the exit frees them as it always does. Only here, never in `main`, which
    tests and other callers run inside a process that goes on."""
    status = main()
    gc.freeze()
    return status


def _discard_stdout() -> None:
    """Point standard output at /dev/null: what is still buffered for the closed pipe goes nowhere, quietly, instead
    of raising again when the interpreter flushes it on exit."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
