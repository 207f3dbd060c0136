"""`serve --http`: the team server on one port (MCP at /mcp, the board elsewhere), until interrupted."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys

from postmortem_actions.server.settings import Settings


def serve_http(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the team server; returns the exit status.

    Raises:
        ConfigError: no authentication configured, a bad public URL or sign-on setting, or the address is taken.
        StoreError / SchemaMismatch: the database cannot be opened.
    """
    from postmortem_actions.server.team.app import is_loopback, listen, team_server, uvicorn_server
    from postmortem_actions.tools.oidc import load_oidc

    logging.basicConfig(
        level=settings.log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if not args.allow_dir and not os.environ.get("POSTMORTEM_ACTIONS_ALLOWED_DIRS"):
        # A shared server reads no file of the machine it runs on unless a folder is named for it.
        settings = dataclasses.replace(settings, allowed_dirs=())
    oidc = load_oidc(os.environ)
    sock = listen(args.host, args.port)
    try:
        port = int(sock.getsockname()[1])
        team = team_server(settings, bind_host=args.host, port=port, oidc=oidc)
    except BaseException:
        sock.close()
        raise
    print(
        f"postmortem-actions team server for {settings.db_path}\n  MCP: {team.base_url}/mcp (bearer token)\n"
        f"  board: {team.base_url}/ (sign in with the same token)\n  Ctrl-C stops it.",
        file=sys.stderr,
        flush=True,
    )
    if not is_loopback(args.host) and team.base_url.startswith("http://"):
        print(
            "  warning: tokens would cross the network unencrypted; put the server behind a TLS proxy and set "
            "POSTMORTEM_ACTIONS_PUBLIC_URL to its https:// address (docs/team-server.md).",
            file=sys.stderr,
        )
    uvicorn_server(team.app).run(sockets=[sock])
    return 0
