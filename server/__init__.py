"""Protocols of postmortem-actions: the MCP server, the human CLI and their settings.

`build_server` is imported lazily: the human CLI must start without importing the MCP SDK.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from postmortem_actions.server.mcp.app import build_server

__all__ = ["build_server"]


def __getattr__(name: str) -> Any:
    if name == "build_server":
        from postmortem_actions.server.mcp.app import build_server

        return build_server
    raise AttributeError(name)
