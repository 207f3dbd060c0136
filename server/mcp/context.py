"""What every MCP tool call works on, found in the server's lifespan state: the settings and the store."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mcp.server.mcpserver import Context

from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Actor, Store
from postmortem_actions.store.text import visible


@dataclass
class App:
    """One server's state: its settings, its store, and (for tests) the trackers' network and clock."""

    settings: Settings
    store: Store
    tracker_transport: Any = None
    tracker_sleep: Callable[[float], None] = field(default=time.sleep)


def app(ctx: Context[App]) -> App:
    """The state of the server this call arrived at."""
    state: App = ctx.request_context.lifespan_context
    return state


def client_label(ctx: Context[App]) -> str:
    """The client as it names itself ("claude-code/2.1"), with anything hidden in it written out."""
    params = ctx.session.client_params
    info = params.client_info if params is not None else None
    # The client names itself; its name is recorded on decisions and shown to people, so nothing in it may hide.
    return visible(f"{info.name}/{info.version}")[:200] if info is not None else "unknown-client"


def person(ctx: Context[App]) -> str:
    """Who this call is for: over HTTP the authenticated person (the access token's subject, set by the server's
    token verifier from the token or the identity provider, never from an argument), else the local user."""
    from mcp.server.auth.middleware.auth_context import get_access_token

    token = get_access_token()
    return (token.subject or token.client_id) if token is not None else app(ctx).settings.user


def assistant(ctx: Context[App]) -> Actor:
    """The assistant, as the audit log records a change it made: through which client, for which user."""
    return Actor(actor="assistant", via=f"mcp:{client_label(ctx)} for {person(ctx)}")
