"""Where domain errors become messages for the model, and unknown tool arguments are refused."""

import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations

from postmortem_actions.store.errors import PostmortemActionsError

# Tools that only read the store: the host may call them without asking the user.
READ_ONLY = ToolAnnotations(readOnlyHint=True, openWorldHint=False)

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger("postmortem_actions")

_GATE_HINT = ("Owners, due dates and acceptance are never tool arguments: they are committed only by a "
              "human decision. Propose them with `proposed_owner`/`proposed_due` on a candidate instead.")
_GATED_WORDS = frozenset({"owner", "due", "due_date", "state", "status", "accepted", "committed", "decision",
                          "decided_by", "assignee", "confirmed", "approve", "approved"})


def domain_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn the domain error tree into `ToolError`, the only error text the model can read."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except PostmortemActionsError as exc:
            raise ToolError(str(exc)) from exc

    return wrapper


class UnknownArgumentGuard:
    """Refuse a tools/call whose arguments name parameters the tool does not have.

    The SDK ignores unknown arguments; a model that sends `owner="alice"` would then believe it committed
    someone. Refusing says plainly that nothing changed and how the gate works.
    """

    def __init__(self, parameters: Mapping[str, frozenset[str]]) -> None:
        self.parameters = parameters

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method == "tools/call" and ctx.params is not None:
            name = ctx.params.get("name")
            arguments = ctx.params.get("arguments") or {}
            allowed = self.parameters.get(name) if isinstance(name, str) else None
            if allowed is not None and isinstance(arguments, Mapping):
                unknown = sorted(str(k) for k in arguments if k not in allowed)
                if unknown:
                    text = (f"Nothing was changed: {name} has no argument(s) {', '.join(unknown)}. "
                            f"Its arguments are: {', '.join(sorted(allowed))}.")
                    if any(k.lower() in _GATED_WORDS for k in unknown):
                        text += " " + _GATE_HINT
                    log.info("refused %s with unknown arguments %s", name, unknown)
                    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)
        return await call_next(ctx)
