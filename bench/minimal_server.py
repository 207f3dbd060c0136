"""The baseline for the benchmarks: the smallest useful MCP SDK server, one trivial tool, served over stdio.

Run as a script (`python bench/minimal_server.py`) or import `mcp` to serve it in-process.
"""

from mcp.server import MCPServer

mcp = MCPServer("minimal")


@mcp.tool()
def echo(x: int) -> int:
    """Return `x` unchanged."""
    return x


if __name__ == "__main__":
    mcp.run()
