"""Serving MCP over stdio, with an answer for lines that are not JSON-RPC.

The SDK's stdio transport turns a line it cannot parse into an exception item on its read stream, and the
server drops it (logged at DEBUG): the client waits for a reply that never comes. JSON-RPC 2.0 says to answer
with an error whose id is null; this relay does, between the SDK's transport and its server loop.
"""

from __future__ import annotations

import logging
from typing import Final

import anyio
from mcp.server import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from mcp.types import INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError
from pydantic import ValidationError

log = logging.getLogger("postmortem_actions")
_PARSE: Final = ErrorData(code=PARSE_ERROR, message="Parse error: the line is not valid JSON (or nests too deeply)")
_INVALID: Final = ErrorData(code=INVALID_REQUEST, message="Invalid Request: the JSON is not a JSON-RPC 2.0 message")


def error_for(problem: Exception) -> JSONRPCError:
    """The JSON-RPC error answering a line the transport could not read as a message (id null: none was read)."""
    unparsed = isinstance(problem, ValidationError) and any(e["type"] == "json_invalid" for e in problem.errors())
    return JSONRPCError(jsonrpc="2.0", id=None, error=_PARSE if unparsed else _INVALID)


async def serve_stdio(mcp: MCPServer) -> None:
    """Serve `mcp` over this process's stdin and stdout until stdin closes."""
    async with stdio_server() as (incoming, outgoing):
        relay_in, server_in = anyio.create_memory_object_stream[SessionMessage | Exception](0)

        async def relay() -> None:
            async with relay_in:
                async for item in incoming:
                    if isinstance(item, Exception):
                        log.info("answered an unreadable line with a JSON-RPC error (%s)", type(item).__name__)
                        await outgoing.send(SessionMessage(error_for(item)))
                    else:
                        await relay_in.send(item)

        async with anyio.create_task_group() as group:
            group.start_soon(relay)
            # The same call MCPServer.run_stdio_async makes, on the relayed stream.
            low = mcp._lowlevel_server
            await low.run(server_in, outgoing, low.create_initialization_options())
            group.cancel_scope.cancel()
