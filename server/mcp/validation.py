"""Arguments that do not fit a tool's schema, refused with sentences that name each argument and what it needs.

The SDK answers a bad argument with pydantic's own report ("1 validation error for record_candidatesArguments ...
[type=extra_forbidden, input_value=...] For further information visit https://errors.pydantic.dev/..."): a model can
act on it, a person reading it over the model's shoulder cannot. On such a failure (only then: a call that passes
costs nothing more) the arguments are validated again for pydantic's structured errors, and each becomes a sentence.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver.tools import Tool
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from postmortem_actions.server.validation_text import argument_path, what_is_wrong

_SDK_REPORT: Final = re.compile(r"Error executing tool \S+: \d+ validation errors? for ")


def readable(tool: str, errors: Iterable[ErrorDetails]) -> str:
    """The sentence refusing a call to `tool` whose arguments have these errors."""
    problems = "; ".join(f"{argument_path(e['loc'])} {what_is_wrong(e)}" for e in errors)
    return f"Nothing was changed: {tool} was not run because {problems}. Correct the arguments and call it again."


class ReadableValidationErrors:
    """Rewrite the SDK's report of arguments that fail a tool's schema into `readable` sentences."""

    def __init__(self, tools: Iterable[Tool]) -> None:
        self.tools = {tool.name: tool for tool in tools}

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        result = await call_next(ctx)
        if ctx.method != "tools/call" or not isinstance(result, dict) or not result.get("isError"):
            return result
        params = ctx.params if isinstance(ctx.params, Mapping) else {}
        tool = self.tools.get(str(params.get("name")))
        content = result.get("content") or []
        if tool is None or not any(isinstance(c, dict) and _SDK_REPORT.match(str(c.get("text", ""))) for c in content):
            return result
        try:
            tool.fn_metadata.validate_arguments(dict(params.get("arguments") or {}))
        except ValidationError as exc:
            text = readable(tool.name, exc.errors(include_url=False))
            return {**result, "content": [{"type": "text", "text": text}]}
        return result
