"""`serve` (MCP over stdio, what an editor or chat client runs) and `demo` (the real server over stdio, driven
step by step). The SDK is imported only here, inside the commands: the other commands start without it."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
from types import FrameType

from postmortem_actions.server.cli.arguments import Commands
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Store

COMMANDS = ("serve", "demo")


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Register `serve` and `demo` on the CLI's sub-parsers."""
    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="serve MCP over stdio (what an editor or chat client runs), or with --http the team server",
    )
    serve.add_argument(
        "--http",
        action="store_true",
        help="the team server: MCP over Streamable HTTP at /mcp and the board on one port, each person signed in "
        "with their token (see docs/team-server.md)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="with --http: address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="with --http: port to listen on (default 8000)")
    serve.add_argument(
        "--allow-dir",
        # extend: `--allow-dir A B` as well as `--allow-dir A --allow-dir B`; a desktop extension's host
        # expands a list of folders into separate arguments after one option.
        action="extend",
        nargs="+",
        default=[],
        metavar="DIR",
        help="folders parse_postmortem may read files from (repeatable; default: working dir)",
    )

    demo = commands.add_parser(
        "demo", parents=[common], help="run the server over stdio on a bundled postmortem and show each step"
    )
    demo.add_argument("--keep", action="store_true", help="write into --db instead of a throwaway database")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run `serve` (also with no command) or `demo`; returns the exit status."""
    if args.command == "demo":
        from postmortem_actions.server.cli.demo import run_demo

        if args.keep:
            Store(settings.db_path)  # a bad --db fails here, readably, not inside the server
        return run_demo(settings.db_path if args.keep else None)
    if getattr(args, "http", False):
        from postmortem_actions.server.cli.serve_http import serve_http

        return serve_http(args, settings)
    return _serve(settings)


STOPPED = b"\npostmortem-actions: stopped; what was decided before stays recorded, nothing else.\n"


def _stop_at_once(signum: int, frame: FrameType | None) -> None:
    # The SDK reads stdin on a worker thread that an interrupt cannot stop, and the event loop waits for it: the first
    # Ctrl-C was ignored and the second left the process running. Every write is one committed transaction, so
    # leaving at once loses nothing that was recorded.
    os.write(2, STOPPED)
    os._exit(130)


def _serve(settings: Settings) -> int:
    signal.signal(signal.SIGINT, _stop_at_once)
    # stdout is the protocol on stdio: every log line goes to stderr.
    logging.basicConfig(
        level=settings.log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if sys.stdin.isatty():
        print(
            "postmortem-actions: serving MCP over stdio, which is what an editor or chat client runs.\n"
            "  Try `postmortem-actions demo` to watch it work, or --help. Ctrl-D or Ctrl-C stops.",
            file=sys.stderr,
        )
    # Importing the SDK and building the tool table create a few hundred thousand objects that all stay alive:
    # the cyclic collector runs over them again and again and frees nothing (about 7% of the start-up). Once
    # built, they are frozen out of its sight.
    gc.disable()
    try:
        import anyio

        from postmortem_actions.server.mcp.app import build_server  # only commands that speak MCP import the SDK
        from postmortem_actions.server.mcp.stdio import serve_stdio

        server = build_server(settings)
    finally:
        gc.freeze()
        gc.enable()
    anyio.run(serve_stdio, server)
    return 0
