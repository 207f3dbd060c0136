"""Roles over HTTP: a viewer's token reads; proposing, reporting status and answering decisions need a member.

The role comes from the access token the server's verifier made (its scopes), never from the request. Over stdio
there is no token and no check: the person at the terminal owns the file. A refused call is a tool result the model
can read, saying that nothing was changed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Final

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, TextContent

log = logging.getLogger("postmortem_actions")

VIEWER: Final = "viewer"
MEMBER: Final = "member"
ADMIN: Final = "admin"
SCOPES: Final = {VIEWER: [VIEWER], MEMBER: [VIEWER, MEMBER], ADMIN: [VIEWER, MEMBER, ADMIN]}


def read_only_tools(tools: Iterable[Tool]) -> frozenset[str]:
    """The tools that only read (annotated readOnlyHint): the ones a viewer may call."""
    return frozenset(t.name for t in tools if t.annotations is not None and t.annotations.read_only_hint)


class RoleGuard:
    """Refuse a tools/call a viewer's token may not make (any tool that is not read-only)."""

    def __init__(self, read_only: frozenset[str]) -> None:
        self.read_only = read_only

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method == "tools/call" and ctx.params is not None:
            token = get_access_token()
            name = ctx.params.get("name")
            if token is not None and MEMBER not in token.scopes and name not in self.read_only:
                log.info("refused %s to %s: viewer token", name, token.subject)
                text = (
                    f"Nothing was changed: {token.subject} signed in with a viewer's token, which may only read "
                    f"(list, review, report). {name} needs a member's token; an admin makes one with "
                    "`postmortem-actions token create NAME --role member`."
                )
                return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)
        return await call_next(ctx)
