"""Where domain errors become messages for the model, and unknown tool arguments are refused."""

import functools
import inspect
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, ParamSpec, TypeVar

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, TextContent, ToolAnnotations

from postmortem_actions.store.errors import PostmortemActionsError

# Tools that only read the store: the host may call them without asking the user.
READ_ONLY = ToolAnnotations(readOnlyHint=True, openWorldHint=False)

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger("postmortem_actions")

_GATE_HINT = (
    "Owners, due dates and acceptance are never tool arguments: they are committed only by a "
    "human decision. Propose them with `proposed_owner`/`proposed_due` on a candidate instead."
)
_GATED_WORDS = frozenset(
    {
        "owner",
        "due",
        "due_date",
        "state",
        "status",
        "accepted",
        "committed",
        "decision",
        "decided_by",
        "assignee",
        "confirmed",
        "approve",
        "approved",
    }
)


@dataclass(frozen=True)
class ToolSpec:
    """A tool as a module defines it: the function (its docstring is what the model reads), title and hints."""

    fn: Callable[..., Any]
    title: str
    annotations: ToolAnnotations
    meta: Mapping[str, Any] | None = None

    @property
    def name(self) -> str:
        """The tool's name: its function's name."""
        return self.fn.__name__

    def build(self) -> Tool:
        """The SDK's tool, with its argument and output schemas (the costly part: build it once per process)."""
        meta = dict(self.meta) if self.meta is not None else None
        return Tool.from_function(self.fn, title=self.title, annotations=self.annotations, meta=meta)

    def model_arguments(self) -> frozenset[str]:
        """What the model may send: not the context, not the human's answer (a Resolve dependency)."""
        return frozenset(p for p in inspect.signature(self.fn).parameters if p not in ("ctx", "answer"))


# The decision card hosts with MCP Apps render for the gated tools, and the read-only review board they render for
# the overdue list and the agenda (server/mcp/card.py).
CARD_URI: Final = "ui://postmortem-actions/decision-card.html"
BOARD_URI: Final = "ui://postmortem-actions/review-board.html"


def tool(
    title: str, annotations: ToolAnnotations, *, ui: bool = False, meta: Mapping[str, Any] | None = None
) -> Callable[[Callable[..., Any]], ToolSpec]:
    """Declare a module-level tool function; domain errors it raises reach the model as readable messages.

    `ui`: the tool's result is shown in the decision card where the host renders MCP Apps; `meta` is any other
    `_meta` for the tool (an app-only tool's visibility).
    """

    def declare(fn: Callable[..., Any]) -> ToolSpec:
        merged = {**(meta or {}), **({"ui": {"resourceUri": CARD_URI}} if ui else {})}
        return ToolSpec(domain_errors(fn), title, annotations, merged or None)

    return declare


def argument_names(specs: Iterable[ToolSpec]) -> dict[str, frozenset[str]]:
    """Every tool's model-facing argument names, for `UnknownArgumentGuard`."""
    return {spec.name: spec.model_arguments() for spec in specs}


def domain_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn the domain error tree into `ToolError`, the only error text the model can read."""
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def waiting(*args: P.args, **kwargs: P.kwargs) -> Any:
            try:
                return await fn(*args, **kwargs)
            except PostmortemActionsError as exc:
                raise ToolError(str(exc)) from exc

        return waiting  # type: ignore[return-value]  # the same callable, awaited inside

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
        self.parameters = dict(parameters)

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method == "tools/call" and ctx.params is not None:
            name = ctx.params.get("name")
            arguments = ctx.params.get("arguments") or {}
            allowed = self.parameters.get(name) if isinstance(name, str) else None
            if allowed is not None and isinstance(arguments, Mapping):
                unknown = sorted(str(k) for k in arguments if k not in allowed)
                if unknown:
                    text = (
                        f"Nothing was changed: {name} has no argument(s) {', '.join(unknown)}. "
                        f"Its arguments are: {', '.join(sorted(allowed))}."
                    )
                    if any(k.lower() in _GATED_WORDS for k in unknown):
                        text += " " + _GATE_HINT
                    log.info("refused %s with unknown arguments %s", name, unknown)
                    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)
        return await call_next(ctx)


_RESOLVER_ERROR: Final = re.compile(r"Resolver (?:for parameter )?'[^']*'(?: could not resolve)?[: ]+(.*)", re.DOTALL)
_RESOLVER_SAID: Final = {
    "received an accepted elicitation with no content": "the human's answer came back with no content",
    "received a non-elicitation response": "the client answered the question with something other than a form",
}


class ReadableResolverErrors:
    """Rewrite the SDK's errors about the human's answer, which name our functions ("Resolver 'module:qualname'
    received ..."), into a sentence that says what happened and that nothing was committed."""

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        result = await call_next(ctx)
        if ctx.method == "tools/call" and isinstance(result, dict) and result.get("isError"):
            for item in result.get("content") or []:
                if isinstance(item, dict) and isinstance(item.get("text"), str):
                    item["text"] = _readable(item["text"])
        return result


def _readable(text: str) -> str:
    found = _RESOLVER_ERROR.search(text)
    if found is None:
        return text
    said = _RESOLVER_SAID.get(found.group(1).strip(" :").lower(), "the human's answer could not be read")
    return text[: found.start()] + f"{said}: nothing was committed. Ask again."
