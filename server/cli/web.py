"""`web`: the board for the humans, served on loopback; prints (and with --open opens) a sign-in URL once."""

from __future__ import annotations

import argparse

from postmortem_actions.server.cli.arguments import Commands
from postmortem_actions.server.settings import Settings

COMMANDS = ("web",)


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Register `web` on the CLI's sub-parsers."""
    web = commands.add_parser(
        "web",
        parents=[common],
        help="serve the review board on 127.0.0.1 for people to read, decide and report status in a browser",
        description="Serve the web board on loopback. It prints a sign-in URL once; the browser trades it for a "
        "cookie. Ctrl-C stops it.",
    )
    web.add_argument(
        "--port",
        type=int,
        default=None,
        help="port to listen on (default: $POSTMORTEM_ACTIONS_WEB_PORT, else 8787; 0 picks a free one)",
    )
    web.add_argument("--open", action="store_true", help="open the board in the default browser")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the board until interrupted (main() turns Ctrl-C into exit status 130); returns the exit status.

    Raises:
        ConfigError: the port cannot be bound or the secret cannot be read.
        SchemaMismatch / StoreError: the database is not ours or cannot be opened.
    """
    from postmortem_actions.server.web.launch import (
        board_for,
        listening_socket,
        open_browser,
        running_board,
        server_for,
        write_state,
    )

    board = board_for(settings)
    board.store.counts_by_state()  # a file that is not our database fails here, readably, before anything listens
    found = running_board(settings, board)
    if found is not None:
        url = f"{found}/login?k={board.keys.login_token}"
        print(f"The board for {settings.db_path} is already running. Open (keep this link private):\n  {url}")
        if args.open:
            open_browser(url)
        return 0
    sock = listening_socket(settings.web_port if args.port is None else args.port)
    server = server_for(board, sock)
    url = f"http://127.0.0.1:{board.port}/login?k={board.keys.login_token}"
    print(f"Board for {settings.db_path}\n  Open (it signs this browser in; keep the link private):\n  {url}")
    print("  Ctrl-C stops it.", flush=True)
    write_state(settings, board.port)
    if args.open:
        open_browser(url)
    server.run(sockets=[sock])
    return 0
