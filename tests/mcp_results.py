"""What the model reads back from a tool call, as the tests check it: the structured result, or a refusal
with a readable reason."""

from typing import Any

from mcp.types import CallToolResult, TextContent


def ok(result: CallToolResult) -> dict[str, Any]:
    """The structured result of a call that must have succeeded."""
    assert not result.is_error, result.content
    assert result.structured_content is not None
    content: dict[str, Any] = result.structured_content
    return content


def text_of(result: CallToolResult) -> str:
    """All text content of a result, joined."""
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))


def refusal(result: CallToolResult, tool: str) -> str:
    """The error the model reads; a bare 'Error executing tool X' (the reason withheld) fails here."""
    assert result.is_error, result.structured_content
    text = text_of(result)
    reason = text.removeprefix(f"Error executing tool {tool}").removeprefix(": ")
    assert len(reason) >= 15, f"no readable reason: {text!r}"
    return text
